"""The summary workbook a finance bureau reads: one row per form, per-file status, the findings, charts.

Rows are written while the batch runs, as each report arrives, so the summary costs no time after the last
file (the parent process writes on its own core while the workers compute) and memory stays flat: xlsxwriter
in constant-memory mode sends every row to disk once the next one starts (strings inline), into a temporary
file beside the target that is renamed over it when the batch ends — or removed if the batch is interrupted.
Only counters (status, grades) stay in memory; charts, filters and column formats reference ranges and are
added at the end. User text is never turned into a formula: the writer runs with strings_to_formulas=False,
and findings are written with write_string.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from perfscore.recalc.report import FileReport
from perfscore.rules import round15
from perfscore.xlsx.atomic import atomic_output
from perfscore.xlsx.grid import ExcelError

FORM_COLUMNS = ["文件", "工作表", "表类型", "项目名称", "实施单位", "全年预算数", "全年执行数", "执行率", "申报总分",
                "重算总分", "差异", "申报等级", "重算等级", "错误数", "警告数", "计算引擎", "失败原因"]
FILE_COLUMNS = ["文件", "输出文件", "状态", "计算引擎", "公式数", "改写单元格数", "评分函数调用数", "表单数", "错误数",
                "警告数", "耗时(ms)", "失败原因"]
FINDING_COLUMNS = ["文件", "工作表", "单元格", "代码", "严重程度", "说明"]
FORMS_SHEET, FILES_SHEET, FINDINGS_SHEET, CHARTS_SHEET = "表单汇总", "文件", "问题清单", "图表"
GRADES = ("优", "良", "中", "差")
MAX_FINDING_ROWS = 1_000_000  # per findings sheet (Excel holds 1 048 576 rows); more continue on 问题清单(2), ...
WRITER_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
_DECLARED_GRADE, _RECOMPUTED_GRADE = FORM_COLUMNS.index("申报等级"), FORM_COLUMNS.index("重算等级")


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


class _TableSheet:
    """One worksheet filled row by row: header first, blanks left empty (as pandas wrote missing values)."""

    def __init__(self, book, name: str, columns: list[str], header_format=None) -> None:
        self.ws = book.add_worksheet(name)
        self.columns = columns
        self.rows = 0
        for j, h in enumerate(columns):
            self.ws.write_string(0, j, h, header_format)
        self.ws.freeze_panes(1, 0)

    def append(self, values: list[object]) -> None:
        self.rows += 1
        n, ws = self.rows, self.ws
        for j, v in enumerate(values):
            if v is None or v == "":
                continue
            if isinstance(v, float) and not math.isfinite(v):
                if v != v:
                    continue
                ws.write_string(n, j, "inf" if v > 0 else "-inf")
            else:
                ws.write(n, j, v)  # numbers, booleans, text (never a formula: strings_to_formulas=False)

    def append_text(self, values: list[object]) -> None:
        """User text that must stay text whatever it looks like (findings name cells and quote what people typed)."""
        self.rows += 1
        for j, v in enumerate(values):
            self.ws.write_string(self.rows, j, str(v))

    def filter(self) -> None:
        if self.rows:
            self.ws.autofilter(0, 0, self.rows, len(self.columns) - 1)


class SummaryWriter:
    """The summary workbook, written as the reports arrive. Use as a context manager:

        with SummaryWriter(path) as summary:
            for report in reports:
                summary.add(report)

    On a normal exit the workbook is completed and renamed over `path`; on an exception (Ctrl-C, a lost
    cluster) the temporary file is removed and `path` is left as it was."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.status: Counter = Counter()
        self.grades = {"申报": Counter(), "重算": Counter()}
        self.findings = 0
        self.forms = 0
        self._output = None

    # -- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> "SummaryWriter":
        self._output = atomic_output(self.path)
        tmp = self._output.__enter__()
        # xlsxwriter's per-sheet row files go to a folder of ours, so an interrupted batch leaves none behind
        self._rowdir = tempfile.mkdtemp(prefix="perfscore-summary-")
        try:
            self._book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "tmpdir": self._rowdir,
                                                        **WRITER_OPTIONS})
            self._bold = self._book.add_format({"bold": True})
            self._forms = _TableSheet(self._book, FORMS_SHEET, FORM_COLUMNS)
            self._files = _TableSheet(self._book, FILES_SHEET, FILE_COLUMNS)
            self._finding_sheets = [_TableSheet(self._book, FINDINGS_SHEET, FINDING_COLUMNS, self._bold)]
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
        self._forms.append(row)
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
            sheet.filter()
            name = f"{FINDINGS_SHEET}({len(self._finding_sheets) + 1})"
            sheet = _TableSheet(self._book, name, FINDING_COLUMNS, self._bold)
            self._finding_sheets.append(sheet)
        sheet.append_text(values)
        self.findings += 1

    # -- the end ---------------------------------------------------------------------------------
    def _complete(self) -> None:
        self._format()
        self._charts(self._book, self._forms.rows)
        try:
            self._book.close()
        except XlsxWriterException as exc:  # FileCreateError and friends: the CLI reports OSError
            raise OSError(f"无法写出汇总表：{exc}") from exc

    def _format(self) -> None:
        book, sheet, fs, n = self._book, self._forms.ws, self._files.ws, self._forms.rows
        pct = book.add_format({"num_format": "0.00%"})
        num = book.add_format({"num_format": "0.00"})
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, 4, 18)
        sheet.set_column(5, 6, 12, num)
        sheet.set_column(7, 7, 10, pct)
        sheet.set_column(8, 10, 10, num)
        sheet.set_column(11, 14, 8)
        sheet.set_column(15, 15, 16)
        sheet.set_column(16, 16, 60)
        self._forms.filter()
        if n:
            red = book.add_format({"bg_color": "#FFC7CE"})
            sheet.conditional_format(1, 10, n, 10, {"type": "cell", "criteria": "!=", "value": 0, "format": red})
        fs.set_column(0, 1, 40)
        fs.set_column(11, 11, 60)
        self._files.filter()
        for ws in self._finding_sheets:
            ws.ws.set_column(0, 0, 40)
            ws.ws.set_column(5, 5, 80)
            ws.filter()

    def _charts(self, book, n: int) -> None:
        ws = book.add_worksheet(CHARTS_SHEET)
        bold = book.add_format({"bold": True})
        ws.write_row(0, 0, ["评价等级", "申报份数", "重算份数"], bold)
        declared, recomputed = self.grades["申报"], self.grades["重算"]
        for i, g in enumerate(GRADES, start=1):
            ws.write_string(i, 0, g)
            ws.write_number(i, 1, declared.get(g, 0))
            ws.write_number(i, 2, recomputed.get(g, 0))
        ws.write_row(6, 0, ["文件总数", "成功", "失败", "问题条数"], bold)
        ws.write_row(7, 0, [self.status["ok"] + self.status["failed"], self.status["ok"], self.status["failed"],
                            self.findings])
        bar = book.add_chart({"type": "column"})
        for col, name in ((1, "申报"), (2, "重算")):
            bar.add_series({"name": name, "categories": [CHARTS_SHEET, 1, 0, 4, 0], "values": [CHARTS_SHEET, 1, col, 4, col]})
        bar.set_title({"name": "评价等级分布"})
        bar.set_x_axis({"name": "评价等级"})
        bar.set_y_axis({"name": "份数"})
        ws.insert_chart("F2", bar)
        if n:
            scatter = book.add_chart({"type": "scatter"})
            scatter.add_series({"name": "表单", "categories": [FORMS_SHEET, 1, 8, n, 8], "values": [FORMS_SHEET, 1, 9, n, 9],
                                "marker": {"type": "circle", "size": 4}})
            scatter.add_series({"name": "一致线", "categories": [CHARTS_SHEET, 10, 0, 11, 0], "values": [CHARTS_SHEET, 10, 0, 11, 0],
                                "marker": {"type": "none"}, "line": {"color": "#999999", "dash_type": "dash"}})
            ws.write_string(9, 0, "一致线")
            ws.write_number(10, 0, 0)
            ws.write_number(11, 0, 100)
            scatter.set_title({"name": "申报总分与重算总分"})
            scatter.set_x_axis({"name": "申报总分", "min": 0, "max": 100})
            scatter.set_y_axis({"name": "重算总分", "min": 0, "max": 100})
            ws.insert_chart("F20", scatter)
