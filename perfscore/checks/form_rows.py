"""row_classes: the kind of every row of the forms (header, funds, indicator kinds, subtotal, total, grade),
so the generic formula checks compare like with like."""

from __future__ import annotations

from typing import Mapping, Sequence

from perfscore.checks.form_facts import _Facts, _facts_of, _is_number_like, _kind_of
from perfscore.forms.model import Form, Indicator


def row_classes(forms: Sequence[Form], facts: Sequence[dict[int, _Facts]] | None = None
                ) -> dict[str, Mapping[int, str]]:
    """sheet -> {row: kind of row} so the generic formula checks compare like with like.
    facts: each form's _facts_of, when the caller has them already."""
    out: dict[str, dict[int, str]] = {}
    for k, form in enumerate(forms):
        form_facts = facts[k] if facts is not None else _facts_of(form)
        rows = out.setdefault(form.sheet, {})
        for r in range(form.header_rows[0], form.header_rows[1] + 1):
            rows[r] = "header"
        for fr in form.funds:
            if fr.label_cell.row:
                rows[fr.label_cell.row] = "funds"
        for ind in form.indicators:
            rows[ind.row] = "ind:" + _row_kind(ind, form_facts[ind.row].bonus)
        for st in form.subtotals:
            rows[st.row] = "subtotal"
        for s, kind in ((form.total, "total"), (form.grade, "grade")):
            if s.row is not None and s.sheet == form.sheet:
                rows.setdefault(s.row, kind)
    return out


def _row_kind(ind: Indicator, bonus: bool) -> str:
    if bonus:
        return "bonus"
    if ind.target.is_blank and ind.actual.is_blank and ind.nature.is_blank:
        return "judgement"
    kind = _kind_of(ind.nature.value, ind.operator.value, ind.target.value)
    if kind is None:
        return "unknown"
    if kind == "qualitative" or not _is_number_like(ind.actual.value):
        return "qualitative"
    return "quantitative"  # 正向/反向/等于 share one score formula in most templates
