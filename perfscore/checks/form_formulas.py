"""HARDCODED_CONSTANT in a form's score formulas: the row's 分值 typed into its score formula, numbers added to
totals and subtotals."""

from __future__ import annotations

from perfscore.checks.form_facts import _Ctx, _number
from perfscore.checks.formulas import is_idiomatic_literal, is_threshold_literal
from perfscore.checks.shape import literals
from perfscore.rules import compare15


def _score_formulas(ctx: _Ctx) -> None:
    """HARDCODED_CONSTANT in score formulas: the row's 分值 typed into the formula, numbers added to totals."""
    form = ctx.form
    facts = ctx.facts
    rows = [(ind.name, ind.score, facts[ind.row].weight) for ind in form.indicators if not facts[ind.row].bonus]
    fr = form.exec_funds_row
    if fr is not None:
        rows.append(("预算执行率", fr.score, _number(fr.weight)))
    for name, s, w in rows:
        if not s.formula or w is None:
            continue
        for lit in literals(s.formula):
            if is_idiomatic_literal(lit) or is_threshold_literal(lit):
                continue
            if compare15(lit.value, w) == 0:
                ctx.add("HARDCODED_CONSTANT", s,
                        f"“{name}”的得分公式 {s.formula} 中直接写入了分值 {lit.text}；应引用分值单元格，"
                        f"否则调整分值后得分不会随之变化。")
                break
    totals = [("总分", form.total), ("总分值", form.total_weight)] + [
        ("小计", st.score) for st in form.subtotals] + [("小计分值", st.weight) for st in form.subtotals]
    for what, s in totals:
        if not s.formula:
            continue
        lits = [lit for lit in literals(s.formula) if not is_idiomatic_literal(lit) and not is_threshold_literal(lit)]
        if lits:
            ctx.add("HARDCODED_CONSTANT", s,
                    f"{what}公式 {s.formula} 中直接加入了常数 {'、'.join(x.text for x in lits)}；"
                    f"合计应只引用各项单元格，否则明细改动后合计不会更新。")
