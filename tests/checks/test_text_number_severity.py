"""A number stored as text is a 警告 when a formula reads it (SUM skips it: the total is short) and a 提示 on a
typed form no formula reads (what prints is right). Real rows: 永德县 2022 营养改善计划, numbers as text."""

from __future__ import annotations

import openpyxl

from perfscore.checks.files import check_file
from tests.realforms.layouts import load_tables, write_form


def _text_numbers(path):
    return [f for f in check_file(path) if f.code == "TEXT_NUMBER"]


def test_typed_form_text_numbers_are_notes_and_become_warnings_under_a_sum(tmp_path):
    path = write_form(load_tables()["p-yongde-2022-yingyang-gaishan"], "text_numbers", tmp_path / "typed.xlsx")
    typed = _text_numbers(path)
    assert typed and {f.severity for f in typed} == {"提示"}, typed
    assert "没有公式读取它" in typed[0].message

    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    first = typed[0]
    col = "".join(ch for ch in first.cell if ch.isalpha())
    rows = sorted(int("".join(ch for ch in f.cell if ch.isdigit())) for f in typed if f.cell.startswith(col))
    ws[f"Z{ws.max_row + 2}"] = f"=SUM({col}{rows[0]}:{col}{rows[-1]})"  # a helper total reads them
    summed = tmp_path / "summed.xlsx"
    wb.save(summed)
    after = {f.cell: f.severity for f in _text_numbers(summed)}
    assert all(after[f"{col}{r}"] == "警告" for r in rows), after
