"""The summary workbook a finance bureau reads: one row per form, the findings, per-file status, charts.

Memory stays flat however large the batch: every row is spooled to a temporary file as its report arrives
(`SpooledRows`), and the workbook is written by xlsxwriter in constant-memory mode (each row goes to disk as
soon as it is complete, strings inline) straight into a temporary file beside the target, then renamed.
Only counters (status, grades) stay in memory. Charts reference ranges, so writing rows in order is enough.
User text is never turned into a formula: the writer runs with strings_to_formulas=False, and findings are
written with write_string.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections import Counter
from pathlib import Path
from typing import Iterable, Iterator

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from perfscore.recalc.task import FileReport
from perfscore.rules import round15
from perfscore.xlsx.atomic import atomic_output
from perfscore.xlsx.grid import ExcelError

FORM_COLUMNS = ["文件", "工作表", "表类型", "项目名称", "实施单位", "全年预算数", "全年执行数", "执行率", "申报总分",
                "重算总分", "差异", "申报等级", "重算等级", "错误数", "警告数", "计算引擎", "失败原因"]
FILE_COLUMNS = ["文件", "输出文件", "状态", "计算引擎", "公式数", "改写单元格数", "评分函数调用数", "表单数", "错误数",
                "警告数", "耗时(ms)", "失败原因"]
FINDING_COLUMNS = ["文件", "工作表", "单元格", "代码", "严重程度", "说明"]
FINDINGS_SHEET = "问题清单"
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


class SpooledRows:
    """An append-only list of rows (JSON values) kept in a temporary file: len() and iteration, flat memory."""

    def __init__(self) -> None:
        self._fh = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        self._n = 0

    def append(self, row: list[object]) -> None:
        self._fh.write(json.dumps(row, ensure_ascii=False))
        self._fh.write("\n")
        self._n += 1

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[list[object]]:
        self._fh.flush()
        self._fh.seek(0)
        try:
            for _ in range(self._n):
                yield json.loads(self._fh.readline())
        finally:
            self._fh.seek(0, 2)  # appends continue at the end

    def close(self) -> None:
        self._fh.close()


class SummaryCollector:
    def __init__(self) -> None:
        self.form_rows = SpooledRows()
        self.file_rows = SpooledRows()
        self.finding_rows = SpooledRows()
        self.status = Counter()
        self.grades = {"申报": Counter(), "重算": Counter()}

    @property
    def findings(self) -> int:
        return len(self.finding_rows)

    def _form_row(self, row: list[object]) -> None:
        self.form_rows.append(row)
        self.grades["申报"][row[_DECLARED_GRADE]] += 1
        self.grades["重算"][row[_RECOMPUTED_GRADE]] += 1

    def add(self, r: FileReport) -> None:
        self.status["ok" if r.ok else "failed"] += 1
        state = "成功" if r.ok else "失败"
        self.file_rows.append([r.file, r.output or "", state, r.engine, r.formulas, r.patched, r.calls, len(r.forms),
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
            self.finding_rows.append([x.file, x.sheet, x.cell, x.code, x.severity, x.message])

    # -- writing ---------------------------------------------------------------------------------
    def write(self, path: str | Path) -> Path:
        """Write the workbook to path (atomically). Memory does not depend on the number of rows."""
        with atomic_output(path) as tmp:
            book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, **WRITER_OPTIONS})
            try:
                forms = book.add_worksheet("表单汇总")
                n_forms = _table(forms, FORM_COLUMNS, self.form_rows)
                self._findings_sheets(book)
                files = book.add_worksheet("文件")
                _table(files, FILE_COLUMNS, self.file_rows)
                self._format(book, forms, files, n_forms)
                self._charts(book, n_forms)
            finally:
                try:
                    book.close()
                except XlsxWriterException as exc:  # FileCreateError and friends: the CLI reports OSError
                    raise OSError(f"无法写出汇总表：{exc}") from exc
        return Path(path)

    def _format(self, book, sheet, fs, n: int) -> None:
        pct = book.add_format({"num_format": "0.00%"})
        num = book.add_format({"num_format": "0.00"})
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, 4, 18)
        sheet.set_column(5, 6, 12, num)
        sheet.set_column(7, 7, 10, pct)
        sheet.set_column(8, 10, 10, num)
        sheet.set_column(11, 14, 8)
        sheet.set_column(15, 15, 16)
        sheet.set_column(16, 16, 60)
        if n:
            sheet.autofilter(0, 0, n, len(FORM_COLUMNS) - 1)
            red = book.add_format({"bg_color": "#FFC7CE"})
            sheet.conditional_format(1, 10, n, 10, {"type": "cell", "criteria": "!=", "value": 0, "format": red})
        fs.freeze_panes(1, 0)
        fs.set_column(0, 1, 40)
        fs.set_column(11, 11, 60)

    def _findings_sheets(self, book) -> None:
        """问题清单, continued on 问题清单(2), ... when there are more findings than one sheet holds."""
        bold = book.add_format({"bold": True})
        part, ws, row = 1, None, 0

        def new_sheet():
            sheet = book.add_worksheet(FINDINGS_SHEET if part == 1 else f"{FINDINGS_SHEET}({part})")
            for j, h in enumerate(FINDING_COLUMNS):
                sheet.write_string(0, j, h, bold)
            sheet.freeze_panes(1, 0)
            sheet.set_column(0, 0, 40)
            sheet.set_column(5, 5, 80)
            return sheet

        ws = new_sheet()
        for values in self.finding_rows:
            if row == MAX_FINDING_ROWS:
                ws.autofilter(0, 0, row, len(FINDING_COLUMNS) - 1)
                part, row = part + 1, 0
                ws = new_sheet()
            row += 1
            for j, v in enumerate(values):
                ws.write_string(row, j, str(v))  # user text: never a formula, never a URL
        if row:
            ws.autofilter(0, 0, row, len(FINDING_COLUMNS) - 1)

    def _charts(self, book, n: int) -> None:
        ws = book.add_worksheet("图表")
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
            bar.add_series({"name": name, "categories": ["图表", 1, 0, 4, 0], "values": ["图表", 1, col, 4, col]})
        bar.set_title({"name": "评价等级分布"})
        bar.set_x_axis({"name": "评价等级"})
        bar.set_y_axis({"name": "份数"})
        ws.insert_chart("F2", bar)
        if n:
            scatter = book.add_chart({"type": "scatter"})
            scatter.add_series({"name": "表单", "categories": ["表单汇总", 1, 8, n, 8], "values": ["表单汇总", 1, 9, n, 9],
                                "marker": {"type": "circle", "size": 4}})
            scatter.add_series({"name": "一致线", "categories": ["图表", 10, 0, 11, 0], "values": ["图表", 10, 0, 11, 0],
                                "marker": {"type": "none"}, "line": {"color": "#999999", "dash_type": "dash"}})
            ws.write_string(9, 0, "一致线")
            ws.write_number(10, 0, 0)
            ws.write_number(11, 0, 100)
            scatter.set_title({"name": "申报总分与重算总分"})
            scatter.set_x_axis({"name": "申报总分", "min": 0, "max": 100})
            scatter.set_y_axis({"name": "重算总分", "min": 0, "max": 100})
            ws.insert_chart("F20", scatter)

    def close(self) -> None:
        for rows in (self.form_rows, self.file_rows, self.finding_rows):
            rows.close()


def _table(ws, columns: list[str], rows: Iterable[list[object]]) -> int:
    """Header + rows, in order (constant-memory mode writes each row out once the next one starts)."""
    for j, h in enumerate(columns):
        ws.write_string(0, j, h)
    n = 0
    for n, values in enumerate(rows, start=1):
        for j, v in enumerate(values):
            if v is None or v == "":
                continue  # blank, as pandas wrote missing values
            if isinstance(v, float) and not math.isfinite(v):
                if v != v:
                    continue
                ws.write_string(n, j, "inf" if v > 0 else "-inf")
            else:
                ws.write(n, j, v)  # numbers, booleans, text (never a formula: strings_to_formulas=False)
    return n
