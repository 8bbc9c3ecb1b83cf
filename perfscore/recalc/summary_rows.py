"""The summary's data rows for one report: the values of each table sheet, and those rows as SpreadsheetML.

Pure and free of xlsxwriter, so the worker that made a report can render its rows too (TaskOptions
.summary_rows): the batch parent then only numbers and appends them. The parent serves every worker — on two
cores it shares them with the workers, on a cluster it is the one process all reports go through — and
rendering was most of its work per form. Reports made elsewhere (a file that timed out, a crashed worker, the
rows found before the batch) are rendered by the parent with the same function.

Column layout and formats live here (the sheet specs); summary.py turns the format kinds into xlsxwriter
formats and writes the header rows, page setup, filters and charts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from perfscore.recalc.report import FileReport, SummaryRows
from perfscore.recalc.sheetrows import column_letters, row_xml
from perfscore.rules import round15
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
# format kinds of the numeric form columns (every other cell: "wrap" in a wrapped column, else "top")
_FORM_NUMBERS = {"执行率": "pct", **dict.fromkeys(("全年预算数", "全年执行数", "申报总分", "重算总分", "差异"), "num")}
_DECLARED_GRADE, _RECOMPUTED_GRADE = _FORM_FIELDS.index("申报等级"), _FORM_FIELDS.index("重算等级")
_PROJECT, _UNIT = _FORM_FIELDS.index("项目名称"), _FORM_FIELDS.index("实施单位")
_SHOWN = [_FORM_FIELDS.index(c) for c in FORM_COLUMNS]

_NARROW = re.compile("[\x00-\u2e80]+")


def display_units(text: str) -> int:
    """Width of text in half-width units: 2 for each character above U+2E80 (CJK), 1 for the rest. A regex
    over the narrow runs, not a loop per character: the findings sheet sizes ~10 long messages per form."""
    return len(text) + len(_NARROW.sub("", text))


FILE_WIDTHS = {name: max(8, display_units(name) + 2) for name in FILE_COLUMNS}  # no header wraps inside a word


@dataclass(frozen=True)
class TableSpec:
    """One table sheet's columns: widths, wrapped columns (rows are sized for them), format kind per column
    ("wrap", "pct", "num", "top"; every cell carries its column's), and what the row XML needs of them."""

    columns: tuple[str, ...]
    wrap: dict[str, int]
    widths: dict[str, float]
    numbers: dict[str, str] = field(default_factory=dict)  # column -> "pct" | "num"
    text_only: bool = False  # every value as text (findings quote what people typed)

    def __post_init__(self) -> None:
        kinds = tuple(self.numbers.get(c) or ("wrap" if c in self.wrap else "top") for c in self.columns)
        distinct = list(dict.fromkeys(kinds))
        object.__setattr__(self, "kinds", kinds)
        object.__setattr__(self, "style_keys", tuple(distinct.index(k) for k in kinds))
        object.__setattr__(self, "letters", tuple(column_letters(j) for j in range(len(self.columns))))
        object.__setattr__(self, "_wrap_at", tuple((self.columns.index(c), w) for c, w in self.wrap.items()))

    def width(self, column: str) -> float:
        return self.wrap.get(column, self.widths.get(column, 10))

    def height(self, values: list[object]) -> float | None:
        """Points for a row whose wrapped cells need more than one line (at most 12 lines), else None."""
        lines = 1
        for j, width in self._wrap_at:
            if j < len(values) and values[j] not in (None, ""):
                units = display_units(str(values[j]))
                lines = max(lines, -(-units // max(width - 1, 1)))
        return LINE_HEIGHT * min(lines, 12) + 3 if lines > 1 else None

    def row(self, values: list[object]) -> str:
        """The row as SpreadsheetML with sheetrows.ROW where its number goes."""
        return row_xml(values, self.letters, self.style_keys, self.height(values), text_only=self.text_only)


FORMS = TableSpec(tuple(FORM_COLUMNS), FORM_WRAP, FORM_WIDTHS, _FORM_NUMBERS)
FILES = TableSpec(tuple(FILE_COLUMNS), FILE_WRAP, FILE_WIDTHS)
FINDINGS = TableSpec(tuple(FINDING_COLUMNS), FINDING_WRAP, FINDING_WIDTHS, text_only=True)


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


@dataclass(frozen=True)
class ReportValues:
    """The cell values a report puts on each table sheet (FILES row, FORMS rows, FINDINGS rows)."""

    file: list[object]
    forms: list[list[object]]
    findings: list[list[object]]
    grades: list[tuple[str, str]]  # (申报等级, 重算等级) of each FORMS row, "" when none


def _shown(row: list[object]) -> list[object]:
    if not row[_PROJECT] and not row[_UNIT]:
        row = list(row)  # no unit or project to show: the file's name, so the printed row says which file
        row[_PROJECT] = Path(str(row[0])).name
    return [row[i] for i in _SHOWN]


def report_values(r: FileReport) -> ReportValues:
    file = [r.file, r.output or "", "成功" if r.ok else "失败", r.engine, r.formulas, r.patched, r.calls,
            len(r.forms), r.errors, r.warnings, round(r.seconds * 1000, 1), r.reason]
    built: list[list[object]] = []
    if not r.ok:
        built.append([r.file, "", "", "", "", None, None, None, None, None, None, "", "", None, None, r.engine,
                      r.reason])
    elif not r.forms:
        built.append([r.file, "", "未识别到自评表", "", "", None, None, None, None, None, None, "", "", r.errors,
                      r.warnings, r.engine, ""])
    for f in r.forms:
        declared, recomputed = _number(f.declared_total), _number(f.recomputed_total)
        diff = round15(recomputed - declared) if declared is not None and recomputed is not None else None
        errs = sum(1 for x in r.findings if x.sheet == f.sheet and x.severity == "错误")
        warns = sum(1 for x in r.findings if x.sheet == f.sheet and x.severity == "警告")
        built.append([f.file, f.sheet, f.kind, f.project_name, f.implementer, _cell(f.budget), _cell(f.spent),
                      _cell(f.exec_rate), _cell(f.declared_total), _cell(f.recomputed_total), diff,
                      _cell(f.declared_grade) or "", _cell(f.recomputed_grade) or "", errs, warns, r.engine, ""])
    findings = [[x.file, x.sheet, x.cell, x.code, x.severity, x.message] for x in r.findings]
    grades = [(row[_DECLARED_GRADE], row[_RECOMPUTED_GRADE]) for row in built]
    return ReportValues(file, [_shown(row) for row in built], findings, grades)


def render(r: FileReport) -> SummaryRows:
    """The report's rows on the three table sheets, as SpreadsheetML row templates."""
    v = report_values(r)
    return SummaryRows(FILES.row(v.file), tuple(FORMS.row(row) for row in v.forms),
                       tuple(FINDINGS.row(row) for row in v.findings), tuple(v.grades))
