"""Ignore flags saved by Excel, the per-workbook ignore list, the registry and the finding order."""

from __future__ import annotations

import pytest

from perfscore.checks import CHECKS, SEVERITIES, Finding, check_workbook, sort_findings
from perfscore.checks.ignore import parse_entry

from .books import F, grid_of


def _slip_sheet():
    cells = {}
    for r in range(2, 8):
        cells[f"A{r}"] = r
        cells[f"B{r}"] = F(f"=A{r}*2", r * 2)
    cells["B5"] = F("=A4*2", 8)  # slip
    cells["D2"] = F("=1/0", "#DIV/0!")
    return cells


def _codes(findings, code=None):
    return sorted((f.sheet, f.cell, f.code) for f in findings if code is None or f.code == code)


def test_registry_is_complete_and_chinese():
    for code, s in CHECKS.items():
        assert s.code == code and s.severity in SEVERITIES
        assert any("\u4e00" <= ch <= "\u9fff" for ch in s.description)


def test_finding_rejects_unknown_severity():
    with pytest.raises(ValueError):
        Finding("f", "s", "A1", "X", "fatal", "m")


def test_without_ignores_both_reported(tmp_path):
    book = grid_of(tmp_path, {"表1": _slip_sheet()})
    assert _codes(check_workbook(book), "INCONSISTENT_FORMULA") == [("表1", "B5", "INCONSISTENT_FORMULA")]
    assert _codes(check_workbook(book), "FORMULA_ERROR") == [("表1", "D2", "FORMULA_ERROR")]


def test_excel_ignored_errors_flags_are_honoured(tmp_path):
    book = grid_of(tmp_path, {"表1": _slip_sheet()}, ignore={"表1": {"formula_differs": "B2:B7", "eval_error": "D2"}})
    found = check_workbook(book)
    assert _codes(found, "INCONSISTENT_FORMULA") == [] and _codes(found, "FORMULA_ERROR") == []


def test_excel_flag_of_another_kind_does_not_silence(tmp_path):
    book = grid_of(tmp_path, {"表1": _slip_sheet()}, ignore={"表1": {"number_stored_as_text": "B2:B7"}})
    assert _codes(check_workbook(book), "INCONSISTENT_FORMULA") == [("表1", "B5", "INCONSISTENT_FORMULA")]


def test_ignore_sheet(tmp_path):
    book = grid_of(tmp_path, {"表1": _slip_sheet(), "_perfscore": {
        "A1": "kind", "B1": "项目支出自评", "A2": "ignore", "B2": "INCONSISTENT_FORMULA 表1!B5",
        "A3": "忽略", "B3": "* 表1!D1:D3\nNO_FORM_FOUND", "A4": "ignore", "B4": "# 注释"}})
    found = check_workbook(book)
    assert found == []


def test_ignore_defined_name_text_and_bad_entry(tmp_path):
    book = grid_of(tmp_path, {"表1": _slip_sheet()},
                   names={"PERFSCORE_IGNORE": '="FORMULA_ERROR 表1!D2; NOT_A_CODE 表1!A1"'})
    found = check_workbook(book)
    assert _codes(found, "FORMULA_ERROR") == []
    assert [f.code for f in found if f.code == "IGNORE_LIST_INVALID"] == ["IGNORE_LIST_INVALID"]
    assert _codes(found, "INCONSISTENT_FORMULA") == [("表1", "B5", "INCONSISTENT_FORMULA")]


def test_ignore_defined_name_range(tmp_path):
    book = grid_of(tmp_path, {"表1": _slip_sheet(), "说明": {"A1": "INCONSISTENT_FORMULA 表1"}},
                   names={"PERFSCORE_IGNORE": "=说明!$A$1:$A$5"})
    assert _codes(check_workbook(book), "INCONSISTENT_FORMULA") == []


@pytest.mark.parametrize("entry,ok", [
    ("INCONSISTENT_FORMULA 表1!B5", True), ("* 'My Sheet'!A1:B2", True), ("FORMULA_ERROR", True),
    ("TOTAL_MISMATCH 表1", True), ("BOGUS 表1!A1", False), ("FORMULA_ERROR 表1!ZZZZ", False),
])
def test_parse_entry(entry, ok):
    assert (parse_entry(entry) is not None) is ok


def test_sort_is_by_sheet_order_then_position():
    fs = [Finding("f", "B", "A2", "X", "提示", "m"), Finding("f", "A", "B10", "X", "错误", "m"),
          Finding("f", "A", "B9", "X", "警告", "m"), Finding("f", "A", "AA1", "X", "错误", "m")]
    out = sort_findings(fs, ["B", "A"])
    assert [(f.sheet, f.cell) for f in out] == [("B", "A2"), ("A", "AA1"), ("A", "B9"), ("A", "B10")]
