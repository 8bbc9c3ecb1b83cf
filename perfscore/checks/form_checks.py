"""Checks over the form model, one module per check family; this module runs them in order.

Pure: Form + WorkbookGrid + Profile in, findings out. Every message is Chinese, says what is wrong and what the
rule expects, with the numbers, and names the profile when a rule setting decides the answer.

| module | checks |
|---|---|
| `form_facts` | shared per-form facts: `_Ctx`, `_Facts`, memoised value readers (no check) |
| `form_rows` | `row_classes` for the generic formula checks |
| `form_texts` | TEXT_NUMBER, RULE_TEXT_MISMATCH, report-text TOTAL_MISMATCH (`check_declared_texts`) |
| `form_scores` | one indicator row: SCORE_OVER_WEIGHT, SCORE_DIFFERS_FROM_RULE, QUAL_SCORE_OUT_OF_BAND, OVER_TARGET, UNIT_MISMATCH, DIRECTION_MISSING, MISSING_DEVIATION_REASON |
| `form_funds` | EXEC_RATE_MISMATCH, the execution-rate score, FUNDS_ROWS_MISMATCH |
| `form_weights` | WEIGHT_SUM (Σ, groups, template weights) |
| `form_totals` | TOTAL_MISMATCH, RANGE_OMITS_ROWS, GRADE_MISMATCH |
| `form_formulas` | HARDCODED_CONSTANT in score and total formulas |
"""

from __future__ import annotations

from typing import Mapping, Sequence

from perfscore.checks.findings import Finding
from perfscore.checks.form_facts import (  # noqa: F401  (re-exported: tests and bench use them from here)
    _cell_ctx,
    _Ctx,
    _Facts,
    _facts_of,
    _is_bonus,
    _is_number_like,
    _kind_of,
    _number,
    _quantity,
)
from perfscore.checks.form_formulas import _score_formulas
from perfscore.checks.form_funds import _funds
from perfscore.checks.form_rows import row_classes
from perfscore.checks.form_scores import _indicator
from perfscore.checks.form_texts import _rule_text, _text_numbers, check_declared_texts
from perfscore.checks.form_totals import _grade, _totals
from perfscore.checks.form_weights import _weights
from perfscore.forms.model import Form
from perfscore.rules import Profile, is_blank  # noqa: F401
from perfscore.xlsx.grid import WorkbookGrid

__all__ = ["check_declared_texts", "check_form", "check_forms", "row_classes"]


def check_forms(grid: WorkbookGrid, forms: Sequence[Form], profile: Profile, file: str
                ) -> tuple[list[Finding], dict[str, Mapping[int, str]]]:
    """check_form on every form, then check_declared_texts, and the row_classes of the forms: each form's
    row facts (weight, score, bonus) worked out once for all three."""
    facts = [_facts_of(form) for form in forms]
    findings: list[Finding] = []
    for form, form_facts in zip(forms, facts):
        findings += _check_form(_Ctx(file, form, grid, profile, facts=form_facts))
    findings += check_declared_texts(grid, forms, profile, file, facts=facts[0] if len(forms) == 1 else None)
    return findings, row_classes(forms, facts)


def check_form(form: Form, grid: WorkbookGrid, profile: Profile, file: str) -> list[Finding]:
    return _check_form(_Ctx(file, form, grid, profile))


def _check_form(ctx: _Ctx) -> list[Finding]:
    form = ctx.form
    _text_numbers(ctx)
    for ind in form.indicators:
        _indicator(_cell_ctx(ctx, ind.score), ind)
    _funds(ctx)
    _weights(ctx)
    _totals(ctx)
    _grade(_cell_ctx(ctx, form.grade))
    for ind in form.indicators:
        _rule_text(ctx, ind)
    _score_formulas(ctx)
    return ctx.findings
