"""WEIGHT_SUM: the weights add up to 100 and to the printed total, each group's members to its printed
weight (a cap "(≤5分)" bounds the scores instead), and the first-level weights against the profile's template.
A form with no total row is not held to 100 as an error (a 警告: it may lack its last groups)."""

from __future__ import annotations

from functools import lru_cache

from perfscore.checks.findings import NOTE, WARNING
from perfscore.checks.form_facts import _Ctx, _g, _group_name, _number
from perfscore.checks.form_funds import _funds_rows
from perfscore.forms.model import Sourced
from perfscore.rules import PerfscoreError, compare15, list_profiles, normalize_text, round15, sum15


def _weights(ctx: _Ctx) -> None:
    form = ctx.form
    _funds_rows(ctx)
    facts = ctx.facts
    items = [(n, w, s, i) for n, w, s, i in ctx.scored_items if i is None or not facts[i.row].bonus]
    weights = [_number(w) if i is None else facts[i.row].weight for _, w, _, i in items]
    known = [w for w in weights if w is not None]
    inconsistent = False  # the form's own weights disagree with each other: a template difference is then an error too
    if known:
        sw = sum15(known)
        printed = _number(form.total_weight)
        where = form.total_weight if form.total_weight.cell else next((w for _, w, _, _ in items if w.cell), None)
        if printed is None and form.total.cell is None and ctx.differs(sw, 100):
            # No total row at all: nothing printed to disagree with. A form that ends before its last groups
            # (a page cut off, 满意度指标 not yet filled in) sums below 100 while every printed group adds up.
            ctx.add("WEIGHT_SUM", where,
                    f"本表没有总分行，各指标分值之和为 {_g(sw)}（通常为 100）；如表格缺少一级指标（如满意度指标）"
                    f"或总分行，请补全后再核对。", severity=WARNING)
        elif ctx.differs(sw, 100) or (printed is not None and ctx.differs(printed, sw)):
            shown = "" if printed is None else f"，合计行写为 {_g(printed)}"
            expect = "各项分值之和应为 100" if ctx.differs(sw, 100) else f"合计行应为 {_g(sw)}"
            ctx.add("WEIGHT_SUM", where, f"各指标分值之和为 {_g(sw)}{shown}；{expect}。")
            inconsistent = True
    # group weights written into names: "部门决策 (15分)"
    for gw in form.group_weights:
        key = "level1" if gw.level == 1 else "level2"
        members = [i for i in form.indicators if getattr(i, key).cell == gw.cell]
        if gw.is_cap:
            scores = [v for v in (facts[i.row].score for i in members) if v is not None]
            if scores and compare15(sum15(scores), gw.weight) > 0:
                ctx.add("SCORE_OVER_WEIGHT", gw.cell,
                        f"“{gw.name}”最多 {_g(gw.weight)} 分，各项得分合计 {_g(sum15(scores))} 超过上限。")
            continue
        ws = [v for v in (facts[i.row].weight for i in members if not facts[i.row].bonus) if v is not None]
        if ws and ctx.differs(sum15(ws), gw.weight):
            ctx.add("WEIGHT_SUM", gw.cell,
                    f"“{gw.name}”标明 {_g(gw.weight)} 分，其下各指标分值之和为 {_g(sum15(ws))}；应相等。")
            inconsistent = True
    _template_weights(ctx, inconsistent)


@lru_cache(maxsize=4096)
def _match_level1(name: str, keys: tuple[str, ...]) -> str | None:
    """The template's first-level key a group name stands for (memoised: a batch repeats the names)."""
    n = normalize_text(name)
    for key in keys:
        k = normalize_text(key)
        base = k[:-2] if k.endswith("指标") else k
        if n == k or n == base or n.startswith(base) and len(n) <= len(k) + 2:
            return key
    return None


def _template_weights(ctx: _Ctx, inconsistent: bool) -> None:
    """First-level weights against the profile's template. Provinces and years use other splits (产出 40 /
    效益 30 / 满意度 20 + 执行率 10 is a correct form elsewhere), so a difference is a 提示 naming the profile
    (and a profile that matches, if one does). The form's own inconsistencies (Σ ≠ 100 or the printed total,
    a group ≠ its printed weight) are the errors, reported by _weights; the note then only helps find the group."""
    from perfscore.forms.model import FormKind

    form, p = ctx.form, ctx.profile
    if form.kind != FormKind.PROJECT or not p.first_level_weights:
        return
    sums: dict[str, float] = {}
    first_cell: dict[str, Sourced] = {}
    fr = form.exec_funds_row
    fw = _number(fr.weight) if fr is not None else None
    if fw is not None:
        sums["预算执行率"] = fw
        first_cell["预算执行率"] = fr.weight
    keys = tuple(p.first_level_weights)
    exec_key = "预算执行率" in keys
    facts = ctx.facts
    for ind in form.indicators:
        f = facts[ind.row]
        if f.bonus:
            continue
        name = _group_name(ind.level1.text())
        key = "预算执行率" if exec_key and ind.is_exec_rate else _match_level1(name, keys)
        if key is None:
            return  # a first-level group this template does not know: a different template, not an error
        sums[key] = sums.get(key, 0.0) + (f.weight or 0.0)
        first_cell.setdefault(key, ind.level1)
    if len(sums) < 2:
        return
    template = " / ".join(f"{k} {_g(v)}" for k, v in p.first_level_weights.items())
    off = [(key, got, p.first_level_weights[key]) for key, got in sums.items()
           if key in p.first_level_weights and ctx.differs(round15(got), p.first_level_weights[key])]
    if not off:
        return
    if inconsistent:  # the errors are the form's own sums (reported above); the template only helps find the group
        hint = "本表分值合计另有错误（见其他 WEIGHT_SUM），可对照模板核对这一组的分值"
    else:
        other = _matching_profile({k: round15(v) for k, v in sums.items()}, p.name)
        hint = "本表各项分值自洽，只作提示：" + (
            f"方案 {other} 的一级权重与本表一致，可用 --profile {other} 检查" if other else
            "如本表采用其他地区或年度的模板，可忽略此提示，或以 --profile 选用相应方案")
    for key, got, want in off:
        ctx.add("WEIGHT_SUM", first_cell[key],
                f"一级指标“{key}”分值合计 {_g(got)}，与方案 {p.name} 的模板（{template}）中的 {_g(want)} 不同；"
                f"{hint}。", severity=NOTE)


def _matching_profile(sums: dict[str, float], current: str) -> str | None:
    """The name of a profile whose first-level weights are exactly the form's, if one exists."""
    try:
        profiles = list_profiles()
    except PerfscoreError:
        return None  # a broken user profile file must not stop the checks; it is reported where it is loaded
    for q in profiles:
        weights = q.first_level_weights
        if q.name != current and weights and set(weights) == set(sums) and all(
                compare15(weights[k], v) == 0 for k, v in sums.items()):
            return q.name
    return None
