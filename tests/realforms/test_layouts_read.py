"""The layouts are read back as the published table: every row an indicator with its weight and score, the
groups as published, the total and grade cells found — so a clean report means the checks saw the form."""

from __future__ import annotations

import pytest

from perfscore.forms import read_forms
from perfscore.rules import parse_number
from perfscore.xlsx import read_grid

from .conftest import CASES, TABLES
from .layouts import LAYOUTS

# (table id, layout or "*", what) -> reason; strict xfail for what the reader gets wrong today.
XFAIL: dict[tuple[str, str, str], str] = {}


def _params(what: str):
    out = []
    for tid, lay in CASES:
        reason = XFAIL.get((tid, lay, what)) or XFAIL.get((tid, "*", what))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(tid, lay, marks=marks, id=f"{tid}-{lay}"))
    return out


def _form(corpus, tid, layout):
    result = read_forms(read_grid(corpus.path(tid, layout)))
    assert len(result.forms) == 1, result.not_forms
    return result.forms[0]


@pytest.mark.parametrize(("tid", "layout"), _params("rows"))
def test_rows_read_as_published(corpus, tid, layout):
    form = _form(corpus, tid, layout)
    rows = [r for r in TABLES[tid]["rows"] if "weight" in r]
    got = [(i.level3.value, parse_number(i.weight.value), parse_number(i.score.value))
           for i in form.indicators if not i.weight.is_blank]
    assert got == [(r["level3"], r["weight"], r.get("score")) for r in rows]


@pytest.mark.parametrize(("tid", "layout"), _params("groups"))
def test_groups_as_published(corpus, tid, layout):
    """One level-1 group per published name, in order, each with its printed weight when the layout prints it."""
    form = _form(corpus, tid, layout)
    table = TABLES[tid]
    names = list(dict.fromkeys(r["level1"] for r in table["rows"]))
    cells = list(dict.fromkeys(i.level1.cell for i in form.indicators if i.level1 is not None))
    assert len(cells) == len(names), cells
    printed = {r["level1"]: r["level1_weight"] for r in table["rows"] if "level1_weight" in r}
    if printed and (LAYOUTS[layout].weight_labels or LAYOUTS[layout].labels == "headed"):
        weights = {gw.cell: gw.weight for gw in form.group_weights if gw.level == 1}
        assert [weights.get(c) for c in cells] == [printed.get(n) for n in names]


@pytest.mark.parametrize(("tid", "layout"), _params("total"))
def test_total_and_grade_found(corpus, tid, layout):
    form = _form(corpus, tid, layout)
    table = TABLES[tid]
    if "total" not in table:  # truncated: the form ends with its last kept group, no total or grade found
        assert form.total.cell is None and (form.grade is None or form.grade.cell is None), (form.total, form.grade)
    else:
        assert parse_number(form.total.value) == table["total"]
    if "total_weight" in table:
        assert parse_number(form.total_weight.value) == table["total_weight"]
    if table.get("grade"):
        assert form.grade is not None and form.grade.value == table["grade"]
    if table.get("funds"):
        funds = form.exec_funds_row
        assert funds is not None
        if "score" in table["funds"]:  # a block without 分值/得分 cells (execution scored in a row) has none
            assert parse_number(funds.score.value) == table["funds"]["score"]
