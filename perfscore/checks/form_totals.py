"""Totals and grade: TOTAL_MISMATCH (总分 and 小计 against their rows), RANGE_OMITS_ROWS (a SUM range that
leaves out or doubles rows) and GRADE_MISMATCH (评价等级 against the total's band)."""

from __future__ import annotations

from perfscore.checks.form_facts import _cell_pos, _Ctx, _empty, _g, _number
from perfscore.checks.shape import area_of, tokenize
from perfscore.forms.model import Form, Indicator, Sourced
from perfscore.rules import RuleInputError, grade, is_not_applicable, normalize_text, sum15


def _totals(ctx: _Ctx) -> None:
    form = ctx.form
    items = ctx.scored_items
    scores = []
    bonus = []
    na_rows = False
    for _n, w, s, ind in items:
        if is_not_applicable(s.value) or (ind is not None and is_not_applicable(ind.actual.value)):
            na_rows = True
            continue
        f = None if ind is None else ctx.facts[ind.row]
        v = _number(s) if f is None else f.score
        if v is None:
            continue
        (bonus if f is not None and f.bonus else scores).append(v)
    range_cells = _range_checks(ctx)
    total = _number(form.total)
    if scores and form.total.cell and form.total.cell not in range_cells:
        plain = sum15(scores)
        with_bonus = sum15(scores + bonus)
        if total is None:
            if _empty(form.total):
                ctx.add("TOTAL_MISMATCH", form.total, f"总分为空，各项得分之和为 {_g(with_bonus)}；应填写总分。")
        elif ctx.differs(total, with_bonus) and ctx.differs(total, plain) and not na_rows:
            bonus_note = f"（不含加减分 {_g(plain)}）" if bonus else ""
            ctx.add("TOTAL_MISMATCH", form.total,
                    f"总分为 {_g(total)}，但各项得分之和为 {_g(with_bonus)}{bonus_note}，相差 {_g(total - with_bonus)}；"
                    f"总分应等于各项得分之和（允许误差 {_g(ctx.tol)}，方案 {ctx.profile.name}）。")
    for st in form.subtotals:
        members = _subtotal_members(form, st)
        for attr, what in (("score", "得分"), ("weight", "分值")):
            s = getattr(st, attr)
            v = _number(s)
            vals = [x for x in (_number(getattr(i, attr)) for i in members) if x is not None]
            if v is None or not vals or s.cell in range_cells:
                continue
            if ctx.differs(v, sum15(vals)):
                scope = f"“{st.scope}”" if st.scope else "本组"
                ctx.add("TOTAL_MISMATCH", s,
                        f"{scope}小计{what}为 {_g(v)}，但其下 {len(vals)} 项{what}之和为 {_g(sum15(vals))}，"
                        f"相差 {_g(v - sum15(vals))}；小计应等于各项之和。")


def _subtotal_members(form: Form, st) -> list[Indicator]:
    if st.scope:
        members = [i for i in form.indicators if i.level1.text() == st.scope and i.row < st.row]
        if members:
            return members
    prev = max((s.row for s in form.subtotals if s.row < st.row), default=form.header_rows[1])
    return [i for i in form.indicators if prev < i.row < st.row]


def _sum_areas(formula: str, sheet: str) -> list | None:
    """The areas a plain SUM/+ formula adds up, or None when the formula is anything else."""
    toks = tokenize(formula)
    if not toks:
        return None
    areas = []
    for t in toks:
        if t.kind == "func" and t.value.upper() not in ("SUM(", "("):
            return None
        if t.kind == "op" and t.value not in ("+",):
            return None
        if t.kind in ("number", "text", "error", "other"):
            return None
        if t.kind == "ref":
            area = area_of(t.value)
            if area is None or (area.sheet is not None and area.sheet != sheet):
                return None
            areas.append(area)
    return areas or None


def _range_checks(ctx: _Ctx) -> set[str]:
    """RANGE_OMITS_ROWS on total/subtotal formulas; returns the cells reported (their value check is moot)."""
    form = ctx.form
    reported: set[str] = set()
    items = ctx.scored_items
    facts = ctx.facts
    sub_of: dict[int, object] = {}
    for st in form.subtotals:
        for m in _subtotal_members(form, st):
            sub_of[m.row] = st

    def check(target: Sourced, attr: str, members: list[tuple[str, Sourced, Indicator | None]],
              subtotals: list, label: str) -> None:
        if not target.formula or target.cell is None:
            return
        areas = _sum_areas(target.formula, target.sheet)
        if areas is None:
            return

        target_sheet = target.sheet

        def covered(s: Sourced) -> int:
            if s.cell is None:
                return 0
            sheet, r, c = _cell_pos(s.cell)
            if sheet != target_sheet:
                return 0
            n = 0
            for a in areas:  # usually one area: a plain loop, no generator per row
                if a.r1 <= r <= a.r2 and a.c1 <= c <= a.c2:
                    n += 1
            return n

        omitted, doubled = [], []
        for name, s, ind in members:
            if s.cell is None:
                continue
            f = None if ind is None else facts[ind.row]
            if f is not None and f.bonus:
                continue
            number = _number(s) if f is None else f.score if attr == "score" else f.weight
            if number is None and s.is_blank and not s.formula:
                continue
            n = covered(s)
            st = sub_of.get(ind.row) if ind is not None else None
            if st is not None:
                n += covered(getattr(st, attr))
            if n == 0:
                omitted.append((name, s))
            elif n > 1:
                doubled.append((name, s))
        if not omitted and not doubled:
            return
        parts = []
        if omitted:
            parts.append("漏掉了 " + "、".join(f"{s.ref}（{name}）" for name, s in omitted[:6])
                         + (f" 等 {len(omitted)} 项" if len(omitted) > 6 else ""))
        if doubled:
            parts.append("重复计入了 " + "、".join(f"{s.ref}（{name}）" for name, s in doubled[:6])
                         + "（明细与其小计同时被加总）")
        ctx.add("RANGE_OMITS_ROWS", target,
                f"{label}公式 {target.formula} {'，'.join(parts)}；求和范围应恰好覆盖每个指标行一次（或各小计行）。")
        reported.add(target.cell)

    for attr, total_s, what in (("score", form.total, "总分"), ("weight", form.total_weight, "总分值")):
        members = [(n, (s if attr == "score" else w), i) for n, w, s, i in items]
        check(total_s, attr, members, list(form.subtotals), what)
    for st in form.subtotals:
        ms = _subtotal_members(form, st)
        for attr in ("score", "weight"):
            members = [(i.name, getattr(i, attr), i) for i in ms]
            saved = dict(sub_of)
            for m in ms:
                sub_of.pop(m.row, None)
            check(getattr(st, attr), attr, members, [], f"“{st.scope}”小计" if st.scope else "小计")
            sub_of.update(saved)
    return reported


# ------------------------------------------------------------------------------------------------ grade


_GRADE_WORDS = {"优秀": "优", "良好": "良", "中等": "中", "合格": "中", "较差": "差", "不合格": "差"}


def _grade(ctx: _Ctx) -> None:
    form, p = ctx.form, ctx.profile
    text = normalize_text(form.grade.text())
    if not text:
        return
    names = [name for name, _ in p.grade_bands]
    declared = _GRADE_WORDS.get(text, text[:1] if text[:1] in names else None)
    if declared is None:
        return
    total = _number(form.total)
    if total is None:
        return
    try:
        expected = grade(total, p)
    except RuleInputError:
        return
    if expected != declared:
        bands = "、".join(f"{n}≥{_g(lo)}" if lo > 0 else f"{n}<{_g(prev)}"
                          for (n, lo), prev in zip(p.grade_bands, [0] + [lo for _, lo in p.grade_bands]))
        ctx.add("GRADE_MISMATCH", form.grade,
                f"评价等级为“{form.grade.text()}”，但总分 {_g(total)} 对应“{expected}”（{bands}，方案 {p.name}）。")
