"""Ribbon macros on protected sheets (our templates are protected without a password): the macros lift the
protection, do their work and protect the sheet again with the same options; a password they do not know
leaves the sheet untouched and the results on the 校验结果 sheet, with a Chinese message, never Excel's box."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from perfscore.forms.templates import write_template
from perfscore_addin import macros
from perfscore_addin.macros import MARK_PREFIX, RESULTS_SHEET
from perfscore_addin.ribbon import dispatch

from .fakebook import FakeBook, ProtectedSheetError
from .test_macros import write_form

SHEET = "项目支出绩效自评表"


def filled_template(path: Path) -> Path:
    """Our project template with two published indicator rows typed in (17 of 19, 189 of 242) and a 总分 the
    filler typed over the formula; the sheet stays protected as the template ships."""
    write_template("project", path)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    assert ws.protection.sheet
    ws["F6"], ws["G6"] = 3000, 932.92
    for row, values in ((13, ("培训人数", "正向", "≥", 19, 17, "人", 2)), (14, ("合格率", "正向", "≥", 242, 189, "%", 2))):
        for col, v in zip("CDEFGHI", values):
            ws[f"{col}{row}"] = v
    wb.save(path)
    return path


@pytest.fixture
def template_book(tmp_path) -> FakeBook:
    book = FakeBook.from_xlsx(filled_template(tmp_path / "自评表.xlsx"))
    book.active = SHEET
    return book


def test_the_fake_sheet_refuses_what_excel_refuses(template_book):
    sheet = template_book.sheet(SHEET)
    assert sheet.protected and not sheet.protected["AllowFormattingCells"]
    with pytest.raises(ProtectedSheetError):
        sheet.set_fill(13, 10, (255, 0, 0))
    with pytest.raises(ProtectedSheetError):
        sheet.set_note(13, 10, "x")
    with pytest.raises(ProtectedSheetError):
        sheet.write_rows(13, 10, [[1]])  # 得分 holds a locked formula
    sheet.write_rows(13, 3, [["培训人次"]])  # 三级指标 is an input cell


def test_check_on_our_protected_template_marks_cells_and_protects_again(template_book):
    sheet = template_book.sheet(SHEET)
    before = dict(sheet.protected)
    summary = dispatch("check_sheet", book=template_book)
    assert summary.startswith("校验完成") and "密码" not in summary
    assert sheet.fills and all(note.startswith(MARK_PREFIX) for note in sheet.notes.values())
    assert sheet.protected == before  # protected again, same options
    assert sheet.protect_log == [("", before)]
    assert RESULTS_SHEET in template_book.sheet_names()


def test_clear_marks_on_the_protected_template_restores_and_protects_again(template_book):
    sheet = template_book.sheet(SHEET)
    before = dict(sheet.protected)
    dispatch("check_sheet", book=template_book)
    marked = len(sheet.fills)
    summary = dispatch("clear_marks", book=template_book)
    assert summary == f"已清除 {marked} 个单元格的标记。"
    assert sheet.fills == {} and sheet.notes == {}
    assert sheet.protected == before and RESULTS_SHEET not in template_book.sheet_names()


def test_a_password_keeps_the_sheet_untouched_and_the_results_listed(template_book):
    sheet = template_book.sheet(SHEET)
    sheet.password = "单位密码"
    before = dict(sheet.protected)
    summary = dispatch("check_sheet", book=template_book)
    assert "设置了密码保护" in summary and "未着色、未加批注" in summary
    assert sheet.fills == {} and sheet.notes == {}
    assert sheet.protected == before and sheet.protect_log == []
    _, _, values, _ = template_book.sheet(RESULTS_SHEET).used_block()
    assert len([r for r in values[1:] if r[0]]) >= 1  # the findings are listed all the same
    assert template_book.notified[-1] == summary


def test_clear_marks_keeps_its_records_while_a_password_blocks_it(template_book):
    sheet = template_book.sheet(SHEET)
    dispatch("check_sheet", book=template_book)
    marked = dict(sheet.fills)
    sheet.protect("后加的密码", dict(sheet.protected))
    summary = dispatch("clear_marks", book=template_book)
    assert "设置了密码保护" in summary and "撤销工作表保护" in summary
    assert sheet.fills == marked and RESULTS_SHEET in template_book.sheet_names()
    sheet.unprotect("后加的密码")
    assert dispatch("clear_marks", book=template_book).startswith(f"已清除 {len(marked)} 个")
    assert sheet.fills == {}


def test_insert_formulas_behind_a_password_is_a_chinese_refusal(tmp_path):
    book = FakeBook.from_xlsx(write_form(tmp_path / "自评表.xlsx"))
    sheet = book.sheet("自评表")
    for key in list(sheet.values):
        if key[1] == 9 and key[0] >= 4:
            del sheet.values[key]  # blank 得分: formulas to insert
    sheet.protect("pw", {"Contents": True, "DrawingObjects": True})
    summary = dispatch("insert_formulas", book=book)
    assert summary.startswith("未完成：") and "设置了密码保护" in summary and "撤销工作表保护" in summary
    assert not sheet.formulas
    sheet.password = ""  # the same sheet protected without a password (as our templates are)
    summary = dispatch("insert_formulas", book=book)
    assert summary.startswith("已插入") and sheet.formulas
    assert sheet.protected == {"Contents": True, "DrawingObjects": True}


def test_protection_comes_back_even_when_the_work_fails(template_book, monkeypatch):
    sheet = template_book.sheet(SHEET)
    before = dict(sheet.protected)

    def broken(book, marks):
        raise RuntimeError("boom")

    monkeypatch.setattr(macros, "apply_marks", broken)
    with pytest.raises(RuntimeError):
        macros.check_sheet(template_book)
    assert sheet.protected == before
