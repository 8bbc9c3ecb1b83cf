"""The summary workbook a finance bureau reads: one row per form, the findings, per-file status, charts.

pandas builds the tables, xlsxwriter writes them (charts included). User text is never turned into a
formula: the writer runs with strings_to_formulas=False, and findings are written with write_string.
Findings are spooled to a temporary file while the batch runs, so a large batch keeps memory flat.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections import Counter
from pathlib import Path

import pandas as pd

from perfscore.recalc.task import FileReport
from perfscore.rules import round15
from perfscore.xlsx import write_bytes_atomic
from perfscore.xlsx.grid import ExcelError

FORM_COLUMNS = ["文件", "工作表", "表类型", "项目名称", "实施单位", "全年预算数", "全年执行数", "执行率", "申报总分",
                "重算总分", "差异", "申报等级", "重算等级", "错误数", "警告数", "计算引擎", "失败原因"]
FILE_COLUMNS = ["文件", "输出文件", "状态", "计算引擎", "公式数", "改写单元格数", "评分函数调用数", "表单数", "错误数",
                "警告数", "耗时(ms)", "失败原因"]
FINDING_COLUMNS = ["文件", "工作表", "单元格", "代码", "严重程度", "说明"]
GRADES = ("优", "良", "中", "差")
MAX_FINDING_ROWS = 1_000_000
WRITER_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


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


class SummaryCollector:
    def __init__(self) -> None:
        self.form_rows: list[list[object]] = []
        self.file_rows: list[list[object]] = []
        self.status = Counter()
        self.findings = 0
        self._spool = tempfile.TemporaryFile(mode="w+", encoding="utf-8")

    def add(self, r: FileReport) -> None:
        self.status["ok" if r.ok else "failed"] += 1
        state = "成功" if r.ok else "失败"
        self.file_rows.append([r.file, r.output or "", state, r.engine, r.formulas, r.patched, r.calls, len(r.forms),
                               r.errors, r.warnings, round(r.seconds * 1000, 1), r.reason])
        if not r.ok:
            self.form_rows.append([r.file, "", "", "", "", None, None, None, None, None, None, "", "", None, None,
                                   r.engine, r.reason])
        elif not r.forms:
            self.form_rows.append([r.file, "", "未识别到自评表", "", "", None, None, None, None, None, None, "", "",
                                   r.errors, r.warnings, r.engine, ""])
        for f in r.forms:
            declared, recomputed = _number(f.declared_total), _number(f.recomputed_total)
            diff = round15(recomputed - declared) if declared is not None and recomputed is not None else None
            errs = sum(1 for x in r.findings if x.sheet == f.sheet and x.severity == "错误")
            warns = sum(1 for x in r.findings if x.sheet == f.sheet and x.severity == "警告")
            self.form_rows.append([f.file, f.sheet, f.kind, f.project_name, f.implementer, _cell(f.budget),
                                   _cell(f.spent), _cell(f.exec_rate), _cell(f.declared_total),
                                   _cell(f.recomputed_total), diff, _cell(f.declared_grade) or "",
                                   _cell(f.recomputed_grade) or "", errs, warns, r.engine, ""])
        for x in r.findings:
            self._spool.write(json.dumps([x.file, x.sheet, x.cell, x.code, x.severity, x.message], ensure_ascii=False))
            self._spool.write("\n")
            self.findings += 1

    # -- writing ---------------------------------------------------------------------------------
    def write(self, path: str | Path) -> Path:
        buf = io.BytesIO()
        forms = pd.DataFrame(self.form_rows, columns=FORM_COLUMNS)
        files = pd.DataFrame(self.file_rows, columns=FILE_COLUMNS)
        with pd.ExcelWriter(buf, engine="xlsxwriter", engine_kwargs={"options": WRITER_OPTIONS}) as xw:
            forms.to_excel(xw, sheet_name="表单汇总", index=False)
            book = xw.book
            self._findings_sheet(book)
            files.to_excel(xw, sheet_name="文件", index=False)
            self._format(xw, forms, files)
            self._charts(book, forms)
        return write_bytes_atomic(path, buf.getvalue())

    def _format(self, xw: pd.ExcelWriter, forms: pd.DataFrame, files: pd.DataFrame) -> None:
        book = xw.book
        pct = book.add_format({"num_format": "0.00%"})
        num = book.add_format({"num_format": "0.00"})
        sheet = xw.sheets["表单汇总"]
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, 4, 18)
        sheet.set_column(5, 6, 12, num)
        sheet.set_column(7, 7, 10, pct)
        sheet.set_column(8, 10, 10, num)
        sheet.set_column(11, 14, 8)
        sheet.set_column(15, 15, 16)
        sheet.set_column(16, 16, 60)
        if len(forms):
            sheet.autofilter(0, 0, len(forms), len(FORM_COLUMNS) - 1)
            red = book.add_format({"bg_color": "#FFC7CE"})
            sheet.conditional_format(1, 10, len(forms), 10, {"type": "cell", "criteria": "!=", "value": 0, "format": red})
        fs = xw.sheets["文件"]
        fs.freeze_panes(1, 0)
        fs.set_column(0, 1, 40)
        fs.set_column(11, 11, 60)

    def _findings_sheet(self, book) -> None:
        ws = book.add_worksheet("问题清单")
        bold = book.add_format({"bold": True})
        for j, h in enumerate(FINDING_COLUMNS):
            ws.write_string(0, j, h, bold)
        ws.freeze_panes(1, 0)
        ws.set_column(0, 0, 40)
        ws.set_column(5, 5, 80)
        self._spool.seek(0)
        row = 0
        for line in self._spool:
            row += 1
            if row > MAX_FINDING_ROWS:
                ws.write_string(row, 0, f"……其余 {self.findings - MAX_FINDING_ROWS} 条未列出（超过 Excel 行数上限）")
                break
            for j, v in enumerate(json.loads(line)):
                ws.write_string(row, j, str(v))  # user text: never a formula, never a URL
        if row:
            ws.autofilter(0, 0, min(row, MAX_FINDING_ROWS), len(FINDING_COLUMNS) - 1)

    def _charts(self, book, forms: pd.DataFrame) -> None:
        ws = book.add_worksheet("图表")
        bold = book.add_format({"bold": True})
        ws.write_row(0, 0, ["评价等级", "申报份数", "重算份数"], bold)
        declared = Counter(forms["申报等级"])
        recomputed = Counter(forms["重算等级"])
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
        n = len(forms)
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
        self._spool.close()
