"""WEIGHT_SUM: the weights add up to 100 and to the printed total, each group's members to its printed
weight (a cap "(≤5分)" bounds the scores instead), and the first-level weights against the profile's template."""

from __future__ import annotations

from functools import lru_cache

from perfscore.checks.form_facts import _Ctx, _g, _group_name, _number
from perfscore.checks.form_funds import _funds_rows
from perfscore.forms.model import Sourced
from perfscore.rules import compare15, normalize_text, round15, sum15


def _weights(ctx: _Ctx) -> None:
    form = ctx.form
    _funds_rows(ctx)
    facts = ctx.facts
    items = [(n, w, s, i) for n, w, s, i in ctx.scored_items if i is None or not facts[i.row].bonus]
    weights = [_number(w) if i is None else facts[i.row].weight for _, w, _, i in items]
    known = [w for w in weights if w is not None]
    if known:
        sw = sum15(known)
        printed = _number(form.total_weight)
        where = form.total_weight if form.total_weight.cell else next((w for _, w, _, _ in items if w.cell), None)
        if ctx.differs(sw, 100) or (printed is not None and ctx.differs(printed, sw)):
            shown = "" if printed is None else f"，合计行写为 {_g(printed)}"
            expect = "各项分值之和应为 100" if ctx.differs(sw, 100) else f"合计行应为 {_g(sw)}"
            ctx.add("WEIGHT_SUM", where, f"各指标分值之和为 {_g(sw)}{shown}；{expect}。")
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
    _template_weights(ctx)


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


def _template_weights(ctx: _Ctx) -> None:
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
    for key, got in sums.items():
        want = p.first_level_weights.get(key)
        if want is not None and ctx.differs(round15(got), want):
            ctx.add("WEIGHT_SUM", first_cell[key],
                    f"一级指标“{key}”分值合计 {_g(got)}，模板（方案 {p.name}）规定为 {_g(want)}；"
                    f"一级指标权重为 " + " / ".join(f"{k} {_g(v)}" for k, v in p.first_level_weights.items()) + "。")
