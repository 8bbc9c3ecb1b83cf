"""Correct published forms get a clean report in every layout; their published defects are found; apply +
recalc never turns a number into an error value.

Known false results of the current code are listed in XFAIL (strict): each one must keep failing until the
checker / apply is fixed, and then the entry must be removed.
"""

from __future__ import annotations

import re

import pytest

from perfscore.checks.findings import ERROR, WARNING
from perfscore.forms import read_forms
from perfscore.forms.apply import apply_to_file
from perfscore.recalc.task import recalc_file
from perfscore.rules import parse_number
from perfscore.xlsx import read_grid
from perfscore.xlsx.grid import ExcelError

from .conftest import CASES, TABLES
from .layouts import planted_kinds

# (table id, layout or "*", what) -> reason. `what` is a check code (a false 错误 on the correct form, or a
# known defect that is not found: "known:CODE"), a false 警告 ("warn:CODE"), or "apply:<overwrite>:errors" /
# "apply:<overwrite>:total".
XFAIL: dict[tuple[str, str, str], str] = {
    # none open: baoshan's 无上访 against 小于5次 (warn:TEXT_NUMBER) is read by lexicon.absences since 2026-12-04.
    # none open: the last entries (jishan's funds score 9 vs 9.91, filed under EXEC_RATE_MISMATCH by the
    # transcription) were a wrong code in the data — a score off the rule is SCORE_DIFFERS_FROM_RULE.
}


def _xfail(tid: str, layout: str, what: str) -> str | None:
    return XFAIL.get((tid, layout, what)) or XFAIL.get((tid, "*", what))


def _known(tid: str) -> set[str]:
    return {d.split(":")[0] for d in TABLES[tid]["known_defects"]}


def _case_id(case) -> str:
    return "-".join(case)


def _params(cases, what):
    """pytest params for cases, each marked strict xfail when XFAIL names it."""
    out = []
    for case in cases:
        w = what(case) if callable(what) else what
        reason = _xfail(case[0], case[1], w)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(*case, marks=marks, id=_case_id(case)))
    return out


def _errors(findings) -> set[str]:
    return {f.code for f in findings if f.severity == ERROR}


# -- clean reports ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("tid", "layout"), [pytest.param(*c, id=_case_id(c)) for c in CASES])
def test_no_unexpected_error(corpus, tid, layout):
    """Every 错误 on a correct form is a declared known defect or a listed XFAIL case (reported, then fixed)."""
    findings = corpus.findings(tid, layout)
    listed = {code for code in _errors(findings) if _xfail(tid, layout, code)}
    unexpected = _errors(findings) - _known(tid) - listed
    detail = [f"{f.cell} {f.code}: {f.message}" for f in findings if f.code in unexpected]
    assert not unexpected, "\n".join(detail)
    assert not any(f.code in ("CHECK_FAILED", "FILE_UNREADABLE", "NO_FORM_FOUND") for f in findings)


def _unexpected_warnings(tid: str, findings) -> list:
    """警告 that are neither a declared published defect nor a truncated table's no-total-row WEIGHT_SUM."""
    cut = "truncated" in TABLES[tid]
    return [f for f in findings if f.severity == WARNING and f.code not in _known(tid)
            and not (cut and f.code == "WEIGHT_SUM" and "没有总分行" in f.message)]


WARN_CASES = [(tid, lay, code) for (tid, lay) in CASES
              for code in ["*", *sorted({w[2][5:] for w in XFAIL if w[0] == tid and w[2].startswith("warn:")})]]


@pytest.mark.parametrize(("tid", "layout", "code"), _params(WARN_CASES, lambda c: f"warn:{c[2]}"))
def test_no_unexpected_warning(corpus, tid, layout, code):
    """A 警告 on a correct form must be a declared published defect (code "*": all codes but the XFAIL-listed
    ones; a listed code on its own, strict xfail until fixed)."""
    listed = {w[2][5:] for w in XFAIL if w[0] == tid and w[1] in ("*", layout) and w[2].startswith("warn:")}
    warns = [f for f in _unexpected_warnings(tid, corpus.findings(tid, layout))
             if (f.code == code if code != "*" else f.code not in listed)]
    assert not warns, "\n".join(f"{f.cell} {f.code}: {f.message}" for f in warns)


FALSE_ERROR_CASES = [(tid, lay, code) for (tid, lay) in CASES for (t, l, code) in XFAIL
                     if t == tid and l in ("*", lay) and not code.startswith(("known:", "apply:"))]


@pytest.mark.parametrize(("tid", "layout", "code"), _params(FALSE_ERROR_CASES, lambda c: c[2]))
def test_listed_false_error_is_gone(corpus, tid, layout, code):
    """Each XFAIL false 错误 on its own: passes (and so must leave XFAIL) once the checker is fixed."""
    errs = [f"{f.cell}: {f.message}" for f in corpus.findings(tid, layout) if f.severity == ERROR and f.code == code]
    assert not errs, "\n".join(errs)


KNOWN_CASES = [(tid, lay, code) for (tid, lay) in CASES for code in sorted(_known(tid))]


@pytest.mark.parametrize(("tid", "layout", "code"), _params(KNOWN_CASES, lambda c: f"known:{c[2]}"))
def test_known_defect_found(corpus, tid, layout, code):
    assert code in {f.code for f in corpus.findings(tid, layout)}


# -- planted errors ---------------------------------------------------------------------------------------------

# Only the errors that make sense for the table in the layout (a truncated table has no total or grade).
PLANTED_CASES = [(tid, lay, kind) for (tid, lay) in CASES for kind in planted_kinds(TABLES[tid], lay)]


@pytest.mark.parametrize(("tid", "layout", "kind"), [pytest.param(*c, id=_case_id(c)) for c in PLANTED_CASES])
def test_planted_error_found(corpus, tid, layout, kind):
    from .layouts import PLANTED

    code = PLANTED[kind]
    found = [f for f in corpus.findings(tid, layout, kind) if f.code == code and f.severity == ERROR]
    assert found, (
        f"{code} not found; findings: {[(f.cell, f.code) for f in corpus.findings(tid, layout, kind)]}")


# -- apply + recalc ---------------------------------------------------------------------------------------------

_APPLIED: dict[tuple[str, str, bool], tuple] = {}


def _applied(corpus, tid, layout, overwrite):
    key = (tid, layout, overwrite)
    if key not in _APPLIED:
        src = corpus.path(tid, layout)
        stem = src.with_suffix("").name + ("--ow" if overwrite else "--keep")
        applied = src.with_name(stem + "-applied.xlsx")
        out = src.with_name(stem + "-recalc.xlsx")
        apply_to_file(src, applied, overwrite=overwrite)
        report = recalc_file(str(applied), str(out))
        assert report.ok, report.reason
        _APPLIED[key] = (read_grid(src), read_grid(out))
    return _APPLIED[key]


def _number(v):
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str) and re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", v):
        return float(v)
    return None


def _error_cells(before, after) -> list[str]:
    bad = []
    for s0, s1 in zip(before.sheets, after.sheets):
        for (r, c), cell in s0.cells.items():
            new = s1.cells.get((r, c))
            if _number(cell.value) is not None and new is not None and isinstance(new.value, ExcelError):
                bad.append(f"{s0.name}!r{r}c{c} {cell.value!r} -> {new.formula} = {new.value.code}")
    return bad


APPLY_CASES = [(tid, lay, ow) for (tid, lay) in CASES for ow in ("keep", "overwrite")]


@pytest.mark.parametrize(("tid", "layout", "mode"), _params(APPLY_CASES, lambda c: f"apply:{c[2]}:errors"))
def test_apply_recalc_no_error_value(corpus, tid, layout, mode):
    before, after = _applied(corpus, tid, layout, mode == "overwrite")
    bad = _error_cells(before, after)
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(("tid", "layout", "mode"), _params(APPLY_CASES, lambda c: f"apply:{c[2]}:total"))
def test_apply_recalc_total_and_grade(corpus, tid, layout, mode):
    """After recalc the total is a number equal to Σ row scores (+ funds score) and the grade is text; a
    truncated table's form (no total row) still has none."""
    before, after = _applied(corpus, tid, layout, mode == "overwrite")
    form = read_forms(after).forms[0]
    if "total" not in TABLES[tid]:  # truncated: no total row, and apply must not invent one
        assert form.total.cell is None, f"{form.total.cell} = {form.total.value!r}"
        return
    total = form.total.value
    if form.total.formula is None:  # apply left the typed total as it was (no formula it could compute)
        assert total == read_forms(before).forms[0].total.value
        return
    assert isinstance(total, (int, float)) and not isinstance(total, bool), f"{form.total.cell} = {total!r}"
    if TABLES[tid].get("grade"):
        assert isinstance(form.grade.value, str), f"{form.grade.cell} = {form.grade.value!r}"
    scores = [parse_number(i.score.value) for i in form.indicators if not i.score.is_blank]
    funds = form.exec_funds_row
    if funds is not None and funds.score is not None and not funds.score.is_blank:
        scores.append(parse_number(funds.score.value))
    if _known(tid) & {"TOTAL_MISMATCH"} and mode == "keep":
        return  # the published total is wrong as published; apply keeps the typed total
    assert total == pytest.approx(sum(s or 0 for s in scores), abs=0.011), f"{form.total.cell}: {total} vs rows"


def _bare(cell: str) -> str:
    return cell.split("!")[-1].replace("$", "")


CELL_CASES = [(tid, lay, kind) for (tid, lay) in CASES for kind in planted_kinds(TABLES[tid], lay)
              if kind in ("total", "grade", "score_over_weight")]


@pytest.mark.parametrize(("tid", "layout", "kind"), [pytest.param(*c, id=_case_id(c)) for c in CELL_CASES])
def test_planted_error_names_its_cell(corpus, tid, layout, kind):
    """The planted error is reported at the cell it was planted in (the total, the grade, the row's 得分)."""
    from .layouts import PLANTED

    form = read_forms(read_grid(corpus.path(tid, layout, kind))).forms[0]
    if kind == "total":
        cell = form.total.cell
    elif kind == "grade":
        cell = form.grade.cell
    else:
        first = next(r for r in TABLES[tid]["rows"] if "weight" in r and "score" in r)
        cell = next(i.score.cell for i in form.indicators if i.level3.value == first["level3"])
    cells = {_bare(f.cell or "") for f in corpus.findings(tid, layout, kind)
             if f.code == PLANTED[kind] and f.severity == ERROR}
    assert _bare(cell) in cells, (cell, cells)
