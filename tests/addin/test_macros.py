"""Ribbon handlers on an in-memory book built from a real .xlsx: same findings as the file checker."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from perfscore.checks import check_workbook
from perfscore.forms import read_forms
from perfscore.xlsx import read_grid
from perfscore.xlsx.grid import ExcelError
from perfscore_addin import macros
from perfscore_addin.macros import MARK_PREFIX, RESULTS_SHEET, SEVERITY_FILL, sheet_grid_from_block
from perfscore_addin.ribbon import HANDLERS, dispatch

from .fakebook import FakeBook

USER_FILL = (1, 2, 3)


def write_form(path: Path) -> Path:
    """A central-layout form with published rows (17/19, 189/242) and three filler mistakes."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    ws["A1"] = "项目支出绩效自评表"
    head = ["一级指标", "二级指标", "三级指标", "指标性质", "指标方向", "年度指标值", "实际完成值", "分值", "得分",
            "偏差原因分析及改进措施"]
    for j, h in enumerate(head, 1):
        ws.cell(3, j, h)
    rows = [
        ("产出指标", "数量指标", "培训人数", "正向", "≥", 19, 17, 2, 1.79, "部分学员未参训"),
        (None, "质量指标", "合格率", "正向", "≥", 242, 189, 2, 2, None),  # rule says 1.56; no reason given
        (None, "时效指标", "完成及时率", "正向", "≥", 100, 100, 3, 3.5, None),  # above its weight
    ]
    for i, r in enumerate(rows, 4):
        for j, v in enumerate(r, 1):
            if v is not None:
                ws.cell(i, j, v)
    ws.cell(7, 1, "总分")
    ws.cell(7, 8, 7)
    ws.cell(7, 9, 8.29)  # Σ is 7.29
    wb.save(path)
    return path


@pytest.fixture
def form(tmp_path) -> Path:
    return write_form(tmp_path / "自评表.xlsx")


@pytest.fixture
def book(form) -> FakeBook:
    b = FakeBook.from_xlsx(form)
    sheet = b.sheet("自评表")
    sheet.fills[(6, 9)] = USER_FILL  # the user's own colour on I6
    sheet.notes[(6, 9)] = "用户自己的批注"
    return b


def file_findings(path: Path):
    grid = read_grid(path)
    return check_workbook(grid, read_forms(grid).forms, None, file=str(path))


def test_check_sheet_reports_what_the_file_checker_reports(form, book):
    summary = dispatch("check_sheet", book=book)
    expected = file_findings(form)
    assert expected, "the form has mistakes to find"
    results = book.sheet(RESULTS_SHEET)
    _, _, values, formulas = results.used_block()
    rows = [r[:4] for r in values[1:] if r[0] is not None]
    assert [(r[0], r[2], r[3]) for r in rows] == [(f.severity, f.code, f.message) for f in expected]
    links = [formulas[i][1] for i in range(1, len(expected) + 1)]
    assert links[0] == f'=HYPERLINK("#\'自评表\'!{expected[0].cell}","自评表!{expected[0].cell}")'
    counts = {s: sum(f.severity == s for f in expected) for s in ("错误", "警告", "提示")}
    assert summary == book.notified[-1]
    assert f"错误 {counts['错误']} 处" in summary and f"警告 {counts['警告']} 处" in summary


def test_marks_colour_cells_and_keep_user_comments(form, book):
    dispatch("check_sheet", book=book)
    sheet = book.sheet("自评表")
    marked = {(f.cell) for f in file_findings(form)}
    from perfscore.xlsx.grid import parse_ref

    for ref in marked:
        rc = parse_ref(ref)
        assert sheet.fills[rc] in SEVERITY_FILL.values()
        assert rc == (6, 9) or sheet.notes[rc].startswith(MARK_PREFIX)
    assert sheet.fills[(6, 9)] == SEVERITY_FILL["错误"]  # the worst finding on I6 decides
    assert sheet.notes[(6, 9)] == "用户自己的批注"  # never overwritten
    assert sheet.fills.get((4, 9)) is None  # a correct row is not touched


def test_second_run_and_clear_restore_exactly(book):
    sheet = book.sheet("自评表")
    before_fills, before_notes = dict(sheet.fills), dict(sheet.notes)
    dispatch("check_sheet", book=book)
    after_first = (dict(sheet.fills), dict(sheet.notes), book.sheet(RESULTS_SHEET).used_block())
    dispatch("check_sheet", book=book)  # removes its own marks first, then marks again
    assert (dict(sheet.fills), dict(sheet.notes), book.sheet(RESULTS_SHEET).used_block()) == after_first
    summary = dispatch("clear_marks", book=book)
    assert "已清除" in summary
    assert sheet.fills == before_fills and sheet.notes == before_notes
    assert RESULTS_SHEET not in book.sheet_names()
    assert dispatch("clear_marks", book=book) == "没有需要清除的标记。"


def test_check_refuses_to_check_its_own_results_sheet(book):
    dispatch("check_sheet", book=book)
    book.active = RESULTS_SHEET
    assert "请先切换" in dispatch("check_sheet", book=book)
    assert RESULTS_SHEET in book.sheet_names()


def test_grid_from_xlwings_block():
    values = [["标题", None, "#DIV/0!"], [1.0, "", True]]
    formulas = [["标题", "", "=1/0"], ["1", "", "TRUE"]]
    grid = sheet_grid_from_block("S", 3, 2, values, formulas, [(3, 2, 3, 3)])
    assert grid.get(3, 2).value == "标题" and grid.get(3, 2).is_text_typed
    assert grid.get(3, 3) is None  # blank skipped
    assert grid.get(3, 4).value == ExcelError("#DIV/0!") and grid.get(3, 4).formula == "=1/0"
    assert grid.get(4, 2).value == 1 and isinstance(grid.get(4, 2).value, int)  # as read_grid reads "1"
    assert grid.get(4, 2).formula is None
    assert grid.merged == [(3, 2, 3, 3)] and grid.merged_anchor(3, 3) == (3, 2)


def test_workbook_profile_reaches_the_checks(form, book):
    book.names["PERFSCORE_PROFILE"] = '"vendor-linear"'
    assert macros.profile_of(book.defined_names()) == "vendor-linear"
    assert macros.profile_of({"Print_Area": "自评表!$A$1:$J$7"}) is None


def test_every_handler_runs_and_unknown_ids_fail(book):
    assert set(HANDLERS) == {"check_sheet", "recalc", "insert_formulas", "clear_marks", "freeze_native", "help"}
    assert "SCORE_INDICATOR" in dispatch("help", book=book)
    dispatch("recalc", book=book)
    assert book.full_calcs == 1
    with pytest.raises(KeyError):
        dispatch("no_such_button", book=book)


def test_insert_formulas_writes_what_forms_apply_plans(tmp_path):
    from perfscore.forms.apply import plan_apply

    path = write_form(tmp_path / "空白得分.xlsx")
    book = FakeBook.from_xlsx(path)
    sheet = book.sheet("自评表")
    for r in (4, 5, 6, 7):
        sheet.values.pop((r, 9))  # blank 得分 cells, as a filler starts
    sheet.values[(5, 10)] = "原因"
    grid, _ = macros.read_active_grid(book)
    plans = [p for f in read_forms(grid).forms for p in plan_apply(f)]
    expected = {p.ref: "=" + p.formula for p in plans if p.action == "写入"}
    assert expected, "the planner has blank cells to fill"
    summary = dispatch("insert_formulas", book=book)
    assert summary.startswith(f"已插入 {len(expected)} 个评分公式")
    from perfscore.xlsx.grid import parse_ref

    assert {ref: sheet.formulas[parse_ref(ref)] for ref in expected} == expected
    assert sheet.values[(4, 8)] == 2.0  # inputs untouched
