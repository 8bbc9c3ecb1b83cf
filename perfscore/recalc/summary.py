"""The summary workbook a finance bureau reads: one row per form, per-file status, the findings, charts.

Rows are written while the batch runs, as each report arrives, so the summary costs no time after the last
file and memory stays flat: the header rows, formats, page setup, filters and charts are xlsxwriter's; the
data rows of the three table sheets (about 11 per form; `summary_rows` makes them, usually in the worker that
made the report) stream to row files (`sheetrows`, a tenth of xlsxwriter's cost per cell) that are spliced into
the workbook at the end, inside a temporary file beside the target that is renamed over it when the batch
ends, or removed if the batch is interrupted. Only counters (status, grades) stay in memory. User text is
never turned into a formula: cells are written as values (inline strings), never parsed.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from pathlib import Path

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from perfscore.recalc.report import FileReport
from perfscore.recalc.sheetrows import RowFile, splice
from perfscore.recalc.summary_rows import (  # noqa: F401  (the column names are part of this module's API)
    FILE_COLUMNS,
    FILES,
    FINDING_COLUMNS,
    FINDINGS,
    FORM_COLUMNS,
    FORMS,
    TableSpec,
    display_units,
    render,
)
from perfscore.xlsx.atomic import atomic_output

TITLE = "预算绩效自评重算汇总"
GRADES = ("优", "良", "中", "差")
FORMS_SHEET, FILES_SHEET, FINDINGS_SHEET, CHARTS_SHEET = "表单汇总", "文件", "问题清单", "图表"
CHART_DATA_SHEET = "_图表数据"  # the charts' helper numbers, on a hidden sheet of their own
MAX_FINDING_ROWS = 1_000_000  # per findings sheet (Excel holds 1 048 576 rows); more continue on 问题清单(2), ...
WRITER_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


class _TableSheet:
    """One table worksheet: the header written by xlsxwriter, the data rows (summary_rows templates) streamed
    to a RowFile (sheetrows) and spliced in when the workbook is complete; blanks left empty. Each column's
    format (wrap, 0.00%, top alignment) is set on the column at the end and carried by every cell of it."""

    def __init__(self, book, name: str, spec: TableSpec, header_format, formats: dict[str, object],
                 rowdir: str) -> None:
        """formats: an xlsxwriter format per format kind of the spec ("wrap", "pct", "num", "top")."""
        self.ws = book.add_worksheet(name)
        self.spec = spec
        self.columns = list(spec.columns)
        self.rows = 0
        self._formats = [formats[k] for k in spec.kinds]
        self.data = RowFile(Path(rowdir) / f"rows-{len(book.worksheets())}.xml", spec.style_keys)
        for j, h in enumerate(self.columns):
            self.ws.write_string(0, j, h, header_format)
        self.ws.freeze_panes(1, 0)

    def append(self, template: str) -> None:
        self.rows += 1
        self.data.append(template)

    def finish(self) -> None:
        """Column widths and formats, the filter over the rows; the row file closed for splicing."""
        for j, (column, fmt) in enumerate(zip(self.columns, self._formats)):
            self.ws.set_column(j, j, self.spec.width(column), fmt)
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
            self._head = self._book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                                "align": "center", "valign": "vcenter"})
            # every cell top-aligned: a wrapped message beside one-line cells reads as one row on paper
            self._cell_formats = {"pct": self._book.add_format({"num_format": "0.00%", "valign": "top"}),
                                  "num": self._book.add_format({"num_format": "0.00", "valign": "top"}),
                                  "wrap": self._book.add_format({"text_wrap": True, "valign": "top"}),
                                  "top": self._book.add_format({"valign": "top"})}
            self._forms = self._table(FORMS_SHEET, FORMS)
            self._files = self._table(FILES_SHEET, FILES)
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
    def add(self, r: FileReport) -> None:
        """The report's rows: rendered by the worker that made it (TaskOptions.summary_rows), else here."""
        rows = r.summary_rows or render(r)
        self.status["ok" if r.ok else "failed"] += 1
        self._files.append(rows.file)
        for template, (declared, recomputed) in zip(rows.forms, rows.grades):
            self._forms.append(template)
            self.forms += 1
            self.grades["申报"][declared] += 1
            self.grades["重算"][recomputed] += 1
        for template in rows.findings:
            sheet = self._finding_sheets[-1]
            if sheet.rows == MAX_FINDING_ROWS:
                sheet = self._findings_sheet(f"{FINDINGS_SHEET}({len(self._finding_sheets) + 1})")
                self._finding_sheets.append(sheet)
            sheet.append(template)
            self.findings += 1

    def _table(self, name: str, spec: TableSpec) -> _TableSheet:
        return _TableSheet(self._book, name, spec, self._head, self._cell_formats, self._rowdir)

    def _findings_sheet(self, name: str) -> _TableSheet:
        return self._table(name, FINDINGS)

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
