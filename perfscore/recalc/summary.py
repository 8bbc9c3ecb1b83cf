"""The summary workbook a finance bureau reads: one row per form, per-file status, the findings, charts.

Rows are written while the batch runs, as each report arrives, so the summary costs no time after the last
file and memory stays flat: the header rows, formats, page setup, filters and charts are xlsxwriter's; the
data rows of the three table sheets (about 11 per form) stream to row files (`sheetrows`, a tenth of
xlsxwriter's cost per cell — the batch parent shares two cores with the workers) that are spliced into the
workbook at the end, inside a temporary file beside the target that is renamed over it when the batch
ends, or removed if the batch is interrupted. Only counters (status, grades) stay in memory. User text is
never turned into a formula: cells are written as values (inline strings), never parsed.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from perfscore.recalc.report import FileReport
from perfscore.recalc.sheetrows import RowFile, splice
from perfscore.rules import round15
from perfscore.xlsx.atomic import atomic_output
from perfscore.xlsx.grid import ExcelError

# the order rows are built in; FORM_COLUMNS is the order shown: the unit and project first (what a reader looks
# for on paper), the file path last
_FORM_FIELDS = ["文件", "工作表", "表类型", "项目名称", "实施单位", "全年预算数", "全年执行数", "执行率", "申报总分",
                "重算总分", "差异", "申报等级", "重算等级", "错误数", "警告数", "计算引擎", "失败原因"]
FORM_COLUMNS = ["实施单位", "项目名称", "表类型", "工作表", "全年预算数", "全年执行数", "执行率", "申报总分", "重算总分",
                "差异", "申报等级", "重算等级", "错误数", "警告数", "计算引擎", "失败原因", "文件"]
FILE_COLUMNS = ["文件", "输出文件", "状态", "计算引擎", "公式数", "改写单元格数", "评分函数调用数", "表单数", "错误数",
                "警告数", "耗时(ms)", "失败原因"]
FINDING_COLUMNS = ["文件", "工作表", "单元格", "代码", "严重程度", "说明"]
# wrapped text columns and their widths: rows are sized for them as they are written (a generated file's rows do
# not grow by themselves, so wrapped text would be cut on paper)
FORM_WRAP = {"实施单位": 20, "项目名称": 22, "失败原因": 28, "文件": 28}
FILE_WRAP = {"文件": 32, "输出文件": 32, "失败原因": 40}
FINDING_WRAP = {"文件": 32, "说明": 70}
# widths of the columns that do not wrap (10 when not named; FILE_WIDTHS follow display_units below)
FORM_WIDTHS = {**dict.fromkeys(("表类型", "工作表"), 12), **dict.fromkeys(("全年预算数", "全年执行数"), 11), "执行率": 9,
               **dict.fromkeys(("申报总分", "重算总分", "差异"), 8), **dict.fromkeys(("申报等级", "重算等级", "错误数", "警告数"), 6),
               "计算引擎": 10}
FINDING_WIDTHS = {"工作表": 10, "单元格": 10, "代码": 27, "严重程度": 10}  # 代码: SCORE_DIFFERS_FROM_RULE whole
LINE_HEIGHT = 13.5
FORMS_SHEET, FILES_SHEET, FINDINGS_SHEET, CHARTS_SHEET = "表单汇总", "文件", "问题清单", "图表"
CHART_DATA_SHEET = "_图表数据"  # the charts' helper numbers, on a hidden sheet of their own
TITLE = "预算绩效自评重算汇总"
GRADES = ("优", "良", "中", "差")
MAX_FINDING_ROWS = 1_000_000  # per findings sheet (Excel holds 1 048 576 rows); more continue on 问题清单(2), ...
WRITER_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
_DECLARED_GRADE, _RECOMPUTED_GRADE = _FORM_FIELDS.index("申报等级"), _FORM_FIELDS.index("重算等级")
_SHOWN = [_FORM_FIELDS.index(c) for c in FORM_COLUMNS]


def _cell(value: object) -> object:
    """A value as the summary shows it: numbers stay numbers, errors as their code, anything else text."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, ExcelError):
        return value.code
    return str(value)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


_NARROW = re.compile("[\x00-\u2e80]+")


def display_units(text: str) -> int:
    """Width of text in half-width units: 2 for each character above U+2E80 (CJK), 1 for the rest. A regex
    over the narrow runs, not a loop per character: the findings sheet sizes ~10 long messages per form."""
    return len(text) + len(_NARROW.sub("", text))


FILE_WIDTHS = {name: max(8, display_units(name) + 2) for name in FILE_COLUMNS}  # no header wraps inside a word


class _TableSheet:
    """One table worksheet: the header written by xlsxwriter, the data rows streamed to a RowFile (sheetrows)
    and spliced in when the workbook is complete; blanks left empty. Each column's format (wrap, 0.00%,
    top alignment) is set on the column at the end and carried by every cell of it."""

    def __init__(self, book, name: str, columns: list[str], header_format, wrap: dict[str, int],
                 widths: dict[str, float], formats: dict[str, object], rowdir: str) -> None:
        self.ws = book.add_worksheet(name)
        self.columns = columns
        self.rows = 0
        self._wrap = {columns.index(c): w for c, w in wrap.items()}
        self._widths = [wrap.get(c, widths.get(c, 10)) for c in columns]
        self._formats = [formats.get(c) for c in columns]
        distinct = list(dict.fromkeys(self._formats))
        self.data = RowFile(Path(rowdir) / f"rows-{len(book.worksheets())}.xml",
                            [distinct.index(f) for f in self._formats])
        for j, h in enumerate(columns):
            self.ws.write_string(0, j, h, header_format)
        self.ws.freeze_panes(1, 0)

    def _height(self, values: list[object]) -> float | None:
        lines = 1
        for j, width in self._wrap.items():
            if j < len(values) and values[j] not in (None, ""):
                units = display_units(str(values[j]))
                lines = max(lines, -(-units // max(width - 1, 1)))
        return LINE_HEIGHT * min(lines, 12) + 3 if lines > 1 else None

    def append(self, values: list[object]) -> None:
        """Numbers, booleans and text (never a formula: cells are written as values)."""
        self.rows += 1
        self.data.append(values, self._height(values))

    def append_text(self, values: list[object]) -> None:
        """User text that must stay text whatever it looks like (findings name cells and quote what people typed)."""
        self.rows += 1
        self.data.append(values, self._height(values), text_only=True)

    def finish(self) -> None:
        """Column widths and formats, the filter over the rows; the row file closed for splicing."""
        for j, (width, fmt) in enumerate(zip(self._widths, self._formats)):
            self.ws.set_column(j, j, width, fmt)
        if self.rows:
            self.ws.autofilter(0, 0, self.rows, len(self.columns) - 1)
        self.data.close()

    def part(self, book) -> str:
        """The sheet's part in the package: xlsxwriter numbers worksheets in the order they were added."""
        return f"xl/worksheets/sheet{book.worksheets().index(self.ws) + 1}.xml"


class SummaryWriter:
    """The summary workbook, written as the reports arrive. Use as a context manager:

        with SummaryWriter(path) as summary:
            for report in reports:
                summary.add(report)

    On a normal exit the workbook is completed and renamed over `path`; on an exception (Ctrl-C, a lost
    cluster) the temporary file is removed and `path` is left as it was."""

    def __init__(self, path: str | Path, *, profile: str | None = None, date: str | None = None) -> None:
        """profile: the --profile of the batch (printed in the page header; a workbook's own PERFSCORE_PROFILE
        still wins for its rows); date: the date printed (default today)."""
        import datetime as _dt

        self.path = Path(path)
        self.profile = profile
        self.date = date or _dt.date.today().isoformat()
        self.status: Counter = Counter()
        self.grades = {"申报": Counter(), "重算": Counter()}
        self.findings = 0
        self.forms = 0
        self._output = None

    # -- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> "SummaryWriter":
        self._output = atomic_output(self.path)
        self._tmp = self._output.__enter__()
        # the row files and xlsxwriter's own go to a folder of ours, so an interrupted batch leaves none behind
        self._rowdir = tempfile.mkdtemp(prefix="perfscore-summary-")
        try:
            self._book = xlsxwriter.Workbook(str(Path(self._rowdir) / "book.xlsx"),
                                             {"constant_memory": True, "tmpdir": self._rowdir, **WRITER_OPTIONS})
            self._bold = self._book.add_format({"bold": True})
            self._head = self._book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                                "align": "center", "valign": "vcenter"})
            # every cell top-aligned: a wrapped message beside one-line cells reads as one row on paper
            self._pct = self._book.add_format({"num_format": "0.00%", "valign": "top"})
            self._num = self._book.add_format({"num_format": "0.00", "valign": "top"})
            self._wrapped = self._book.add_format({"text_wrap": True, "valign": "top"})
            self._top = self._book.add_format({"valign": "top"})
            form_formats = {**{c: self._wrapped for c in FORM_WRAP}, "执行率": self._pct,
                            **{c: self._num for c in ("全年预算数", "全年执行数", "申报总分", "重算总分", "差异")}}
            self._forms = _TableSheet(self._book, FORMS_SHEET, FORM_COLUMNS, self._head, FORM_WRAP, FORM_WIDTHS,
                                      self._top_unless(FORM_COLUMNS, form_formats), self._rowdir)
            self._files = _TableSheet(self._book, FILES_SHEET, FILE_COLUMNS, self._head, FILE_WRAP, FILE_WIDTHS,
                                      self._top_unless(FILE_COLUMNS, {c: self._wrapped for c in FILE_WRAP}), self._rowdir)
            self._finding_sheets = [self._findings_sheet(FINDINGS_SHEET)]
        except BaseException as exc:
            self._abort(exc)
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is not None:
            self._abort(exc)
            return False
        try:
            self._complete()
        except BaseException as failure:
            self._abort(failure)
            raise
        self._output.__exit__(None, None, None)  # renamed over the target
        shutil.rmtree(self._rowdir, ignore_errors=True)
        return False

    def _abort(self, exc: BaseException) -> None:
        self._output.__exit__(type(exc), exc, exc.__traceback__)  # removes the temporary file
        shutil.rmtree(self._rowdir, ignore_errors=True)

    # -- rows ------------------------------------------------------------------------------------
    def _form_row(self, row: list[object]) -> None:
        if not row[_FORM_FIELDS.index("项目名称")] and not row[_FORM_FIELDS.index("实施单位")]:
            row = list(row)  # no unit or project to show: the file's name, so the printed row says which file
            row[_FORM_FIELDS.index("项目名称")] = Path(str(row[0])).name
        self._forms.append([row[i] for i in _SHOWN])
        self.forms += 1
        self.grades["申报"][row[_DECLARED_GRADE]] += 1
        self.grades["重算"][row[_RECOMPUTED_GRADE]] += 1

    def add(self, r: FileReport) -> None:
        self.status["ok" if r.ok else "failed"] += 1
        state = "成功" if r.ok else "失败"
        self._files.append([r.file, r.output or "", state, r.engine, r.formulas, r.patched, r.calls, len(r.forms),
                            r.errors, r.warnings, round(r.seconds * 1000, 1), r.reason])
        if not r.ok:
            self._form_row([r.file, "", "", "", "", None, None, None, None, None, None, "", "", None, None,
                            r.engine, r.reason])
        elif not r.forms:
            self._form_row([r.file, "", "未识别到自评表", "", "", None, None, None, None, None, None, "", "",
                            r.errors, r.warnings, r.engine, ""])
        for f in r.forms:
            declared, recomputed = _number(f.declared_total), _number(f.recomputed_total)
            diff = round15(recomputed - declared) if declared is not None and recomputed is not None else None
            errs = sum(1 for x in r.findings if x.sheet == f.sheet and x.severity == "错误")
            warns = sum(1 for x in r.findings if x.sheet == f.sheet and x.severity == "警告")
            self._form_row([f.file, f.sheet, f.kind, f.project_name, f.implementer, _cell(f.budget),
                            _cell(f.spent), _cell(f.exec_rate), _cell(f.declared_total),
                            _cell(f.recomputed_total), diff, _cell(f.declared_grade) or "",
                            _cell(f.recomputed_grade) or "", errs, warns, r.engine, ""])
        for x in r.findings:
            self._finding_row([x.file, x.sheet, x.cell, x.code, x.severity, x.message])

    def _finding_row(self, values: list[object]) -> None:
        sheet = self._finding_sheets[-1]
        if sheet.rows == MAX_FINDING_ROWS:
            name = f"{FINDINGS_SHEET}({len(self._finding_sheets) + 1})"
            sheet = self._findings_sheet(name)
            self._finding_sheets.append(sheet)
        sheet.append_text(values)
        self.findings += 1

    def _top_unless(self, columns: list[str], formats: dict[str, object]) -> dict[str, object]:
        return {c: formats.get(c, self._top) for c in columns}

    def _findings_sheet(self, name: str) -> _TableSheet:
        return _TableSheet(self._book, name, FINDING_COLUMNS, self._head, FINDING_WRAP, FINDING_WIDTHS,
                           self._top_unless(FINDING_COLUMNS, {c: self._wrapped for c in FINDING_WRAP}), self._rowdir)

    # -- the end ---------------------------------------------------------------------------------
    def _complete(self) -> None:
        self._format()
        self._charts(self._book, self._forms.rows)
        tables = [self._forms, self._files, *self._finding_sheets]
        parts = {t.part(self._book): t for t in tables}
        try:
            self._book.close()
        except XlsxWriterException as exc:  # FileCreateError and friends: the CLI reports OSError
            raise OSError(f"无法写出汇总表：{exc}") from exc
        splice(Path(self._rowdir) / "book.xlsx", self._tmp, {k: t.data for k, t in parts.items()})

    def _page_setup(self, ws, what: str) -> None:
        """Printing: landscape A4, one page wide, the header row on every page, title/date/profile above."""
        ws.set_landscape()
        ws.set_paper(9)
        ws.set_margins(left=0.4, right=0.4, top=0.8, bottom=0.6)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
        ws.hide_gridlines(0)  # gridlines shown on screen, not printed
        profile = self.profile or "central（工作簿自带 PERFSCORE_PROFILE 时以工作簿为准）"
        ws.set_header(f'&L&"黑体,Bold"&14{TITLE}：{what}&R&9生成日期 {self.date}　评分口径 {profile}')
        ws.set_footer("&C第 &P 页，共 &N 页")

    def _format(self) -> None:
        book, sheet, n = self._book, self._forms.ws, self._forms.rows
        for table in (self._forms, self._files, *self._finding_sheets):
            table.finish()
        sheet.set_row(0, 30)
        self._files.ws.set_row(0, 30)
        self._page_setup(sheet, "表单")
        self._page_setup(self._files.ws, "文件")
        for table in self._finding_sheets:
            self._page_setup(table.ws, "问题清单")
        if n:
            diff = FORM_COLUMNS.index("差异")
            red = book.add_format({"bg_color": "#FFC7CE"})
            sheet.conditional_format(1, diff, n, diff, {"type": "cell", "criteria": "!=", "value": 0, "format": red})

    def _charts(self, book, n: int) -> None:
        ws = book.add_worksheet(CHARTS_SHEET)
        data = book.add_worksheet(CHART_DATA_SHEET)
        data.hide()
        declared, recomputed = self.grades["申报"], self.grades["重算"]
        data.write_row(0, 0, ["评价等级", "申报份数", "重算份数"])
        for i, g in enumerate(GRADES, start=1):
            data.write_string(i, 0, g)
            data.write_number(i, 1, declared.get(g, 0))
            data.write_number(i, 2, recomputed.get(g, 0))
        data.write_string(9, 0, "一致线")
        data.write_number(10, 0, 0)
        data.write_number(11, 0, 100)
        # the visible sheet: a title, the counts, both charts side by side on one landscape page
        title = book.add_format({"bold": True, "font_size": 16, "font_name": "黑体"})
        total = self.status["ok"] + self.status["failed"]
        ws.write_string(0, 0, TITLE, title)
        ws.write_string(1, 0, f"生成日期 {self.date}　评分口径 {self.profile or 'central（工作簿自带的口径优先）'}")
        ws.write_row(2, 0, ["文件总数", "成功", "失败", "问题条数"], self._head)
        ws.write_row(3, 0, [total, self.status["ok"], self.status["failed"], self.findings])
        ws.set_column(0, 3, 12)
        bar = book.add_chart({"type": "column"})
        for col, name in ((1, "申报"), (2, "重算")):
            bar.add_series({"name": name, "categories": [CHART_DATA_SHEET, 1, 0, 4, 0],
                            "values": [CHART_DATA_SHEET, 1, col, 4, col]})
        bar.set_title({"name": "评价等级分布"})
        bar.set_x_axis({"name": "评价等级"})
        bar.set_y_axis({"name": "份数"})
        bar.set_size({"width": 480, "height": 320})
        ws.insert_chart(5, 0, bar)
        if n:
            scored = FORM_COLUMNS.index("申报总分"), FORM_COLUMNS.index("重算总分")
            scatter = book.add_chart({"type": "scatter"})
            scatter.add_series({"name": "表单", "categories": [FORMS_SHEET, 1, scored[0], n, scored[0]],
                                "values": [FORMS_SHEET, 1, scored[1], n, scored[1]],
                                "marker": {"type": "circle", "size": 4}})
            scatter.add_series({"name": "一致线", "categories": [CHART_DATA_SHEET, 10, 0, 11, 0],
                                "values": [CHART_DATA_SHEET, 10, 0, 11, 0],
                                "marker": {"type": "none"}, "line": {"color": "#999999", "dash_type": "dash"}})
            scatter.set_title({"name": "申报总分与重算总分"})
            scatter.set_x_axis({"name": "申报总分", "min": 0, "max": 100})
            scatter.set_y_axis({"name": "重算总分", "min": 0, "max": 100})
            scatter.set_size({"width": 480, "height": 320})
            ws.insert_chart(5, 7, scatter)
        ws.set_landscape()
        ws.set_paper(9)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.print_area(0, 0, 22, 15)
        ws.fit_to_pages(1, 1)  # both charts on one page, never cut
        ws.set_footer("&C第 &P 页，共 &N 页")
