"""What the ribbon buttons do, over a duck-typed Book/Sheet (xlwings in Excel, an in-memory fake in tests).

The planning is pure (grid from cell blocks, result rows, marks); a handler reads through the port,
calls the core (perfscore.forms / perfscore.checks), and writes back through the port. Every handler
returns a one-line Chinese summary that the shell shows.

Marks this add-in makes (cell fill + a comment starting with MARK_PREFIX) are recorded on the
校验结果 sheet itself (columns H:K), so 清除标记 - or the next 校验本表 - can restore exactly what was there.
"""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterable, Iterator, Protocol, Sequence

from perfscore.checks.findings import ERROR, NOTE, SEVERITIES, WARNING, Finding
from perfscore.rules.errors import PerfscoreError
from perfscore.xlsx.grid import EXCEL_ERROR_CODES, CellData, ExcelError, SheetGrid, WorkbookGrid, cell_ref, parse_ref

RESULTS_SHEET = "校验结果"
MARK_PREFIX = "【绩效评分】"
RGB = tuple[int, int, int]
SEVERITY_FILL: dict[str, RGB] = {ERROR: (255, 199, 206), WARNING: (255, 235, 156), NOTE: (221, 235, 247)}
RESULT_HEADER = ["严重程度", "位置", "代码", "说明"]
RECORD_COL = 8  # H: where the mark record starts on the results sheet
RECORD_HEADER = ["标记记录（清除标记用，请勿修改）：工作表", "单元格", "原填充色", "批注"]
MAX_MARKS_PER_RANGE = 200  # a finding on "A1:Z500" marks its first cells only
# Passwords tried on a protected sheet: our templates are protected without one (perfscore.forms.templates).
KNOWN_PASSWORDS = ("",)


class SheetLockedError(PerfscoreError):
    code = "ADDIN_SHEET_LOCKED"


def locked_text(sheet: str) -> str:
    return (f"工作表“{sheet}”设置了密码保护，本加载项无法修改它。请先“审阅 → 撤销工作表保护”（输入密码），"
            f"再重试；完成后可再次保护。")


class SheetPort(Protocol):
    name: str

    def used_block(self) -> tuple[int, int, list[list[object]], list[list[object]]]:
        """(top row, left col, values, formulas) of the used range; formulas as Excel shows them."""

    def merged_areas(self) -> list[tuple[int, int, int, int]]: ...

    def write_rows(self, top: int, left: int, rows: list[list[object]]) -> None:
        """Write values; strings starting with "=" are formulas."""

    def get_fill(self, row: int, col: int) -> RGB | None: ...

    def set_fill(self, row: int, col: int, color: RGB | None) -> None: ...

    def get_note(self, row: int, col: int) -> str | None: ...

    def set_note(self, row: int, col: int, text: str | None) -> None: ...

    def protection(self) -> dict[str, bool] | None:
        """None when the sheet is not protected, else the options it is protected with (Excel's Protect
        arguments: Contents, AllowFormattingCells, AllowInsertingRows, ...), to protect it again the same way."""

    def unprotect(self, password: str) -> bool:
        """Try to lift the protection; False when the password is wrong (the sheet stays protected)."""

    def protect(self, password: str, options: dict[str, bool]) -> None: ...


class BookPort(Protocol):
    path: str

    def sheet_names(self) -> list[str]: ...

    def active_sheet(self) -> SheetPort: ...

    def sheet(self, name: str) -> SheetPort: ...

    def add_sheet(self, name: str) -> SheetPort: ...

    def delete_sheet(self, name: str) -> None: ...

    def defined_names(self) -> dict[str, str]: ...

    def calculate_full(self) -> None: ...

    def save_copy(self, path: str) -> None:
        """Save a copy of the workbook as it is now (Excel's SaveCopyAs); the open workbook is unchanged."""


# ------------------------------------------------------------------ pure: reading


def _cell_value(value: object) -> object:
    """xlwings value -> grid value, as the file reader would see the same cell.

    Error codes (err_to_str) become ExcelError; a whole float becomes int, because Excel writes 189.0 as
    "189" in the sheet XML and perfscore.xlsx.read_grid reads that as int.
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, str) and value in EXCEL_ERROR_CODES:
        return ExcelError(value)
    if isinstance(value, str) and value == "":
        return None
    return value


def sheet_grid_from_block(
    name: str,
    top: int,
    left: int,
    values: Sequence[Sequence[object]],
    formulas: Sequence[Sequence[object]],
    merged: Iterable[tuple[int, int, int, int]] = (),
) -> SheetGrid:
    """The formula grid of one sheet from what xlwings reads (Range.value and Range.formula, 2D)."""
    cells: dict[tuple[int, int], CellData] = {}
    for i, row in enumerate(values):
        for j, raw in enumerate(row):
            formula = formulas[i][j] if i < len(formulas) and j < len(formulas[i]) else None
            is_formula = isinstance(formula, str) and formula.startswith("=")
            value = _cell_value(raw)
            if value is None and not is_formula:
                continue
            r, c = top + i, left + j
            cells[(r, c)] = CellData(r, c, value, formula if is_formula else None, None, isinstance(value, str))
    return SheetGrid(name=name, cells=cells, merged=list(merged))


def read_active_grid(book: BookPort) -> tuple[WorkbookGrid, str]:
    """The active sheet as a WorkbookGrid (other sheets are not read: the button checks 本表)."""
    sheet = book.active_sheet()
    top, left, values, formulas = sheet.used_block()
    grid = sheet_grid_from_block(sheet.name, top, left, values, formulas, sheet.merged_areas())
    return WorkbookGrid(path=book.path, sheets=[grid], defined_names=book.defined_names()), sheet.name


def profile_of(defined_names: dict[str, str]) -> str | None:
    """The profile a workbook names in PERFSCORE_PROFILE (="name"); a cell reference is not followed here."""
    from perfscore.excel_functions import PROFILE_NAME, profile_from_refers_to

    for name, refers_to in defined_names.items():
        if name.split("!")[-1].upper() == PROFILE_NAME:
            kind, value = profile_from_refers_to(refers_to)
            return value if kind == "literal" else None
    return None


# ------------------------------------------------------------------ pure: planning


def _cells_of(ref: str) -> list[tuple[int, int]]:
    if not ref:
        return []
    first, _, last = ref.partition(":")
    r1, c1 = parse_ref(first)
    r2, c2 = parse_ref(last) if last else (r1, c1)
    cells = [(r, c) for r in range(min(r1, r2), max(r1, r2) + 1) for c in range(min(c1, c2), max(c1, c2) + 1)]
    return cells[:MAX_MARKS_PER_RANGE]


def _sheet_ref(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def result_rows(findings: Sequence[Finding]) -> list[list[object]]:
    """Rows of the 校验结果 sheet: header, then one row per finding with a link to its cell."""
    rows: list[list[object]] = [RESULT_HEADER]
    for f in findings:
        if f.sheet and f.cell:
            target = f"#{_sheet_ref(f.sheet)}!{f.cell.split(':')[0]}"
            label = f"{f.sheet}!{f.cell}".replace('"', '""')
            where: object = f'=HYPERLINK("{target}","{label}")'
        else:
            where = f.sheet or "（整个工作簿）"
        rows.append([f.severity, where, f.code, f.message])
    return rows


@dataclass(frozen=True)
class Mark:
    sheet: str
    row: int
    col: int
    severity: str  # the most severe finding on the cell decides the colour
    comment: str  # MARK_PREFIX + every message on the cell


def plan_marks(findings: Sequence[Finding], sheet: str) -> list[Mark]:
    """One mark per cell of `sheet` that has findings (several findings on a cell: one comment)."""
    by_cell: dict[tuple[int, int], list[Finding]] = {}
    for f in findings:
        if f.sheet != sheet:
            continue
        for rc in _cells_of(f.cell):
            by_cell.setdefault(rc, []).append(f)
    marks = []
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    for (r, c), items in sorted(by_cell.items()):
        worst = min(items, key=lambda f: rank[f.severity]).severity
        text = MARK_PREFIX + "\n".join(f"{f.severity}：{f.message}" for f in items)
        marks.append(Mark(sheet, r, c, worst, text))
    return marks


def color_text(color: RGB | None) -> str:
    return "" if color is None else "#%02X%02X%02X" % color


def parse_color_text(text: object) -> RGB | None:
    if not isinstance(text, str) or len(text) != 7 or not text.startswith("#"):
        return None
    return int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16)


def summary_line(findings: Sequence[Finding], sheet: str) -> str:
    counts = Counter(f.severity for f in findings)
    if not findings:
        return f"校验完成：“{sheet}”未发现问题。"
    parts = "，".join(f"{s} {counts[s]} 处" for s in SEVERITIES)
    return f"校验完成：“{sheet}”{parts}（详见“{RESULTS_SHEET}”表）。"


# ------------------------------------------------------------------ sheet protection


@contextmanager
def unprotected(sheet: SheetPort) -> Iterator[bool]:
    """Yields True when `sheet` may be changed: it was not protected, or a known password (none, for our
    templates) lifted the protection - which is put back with the same options afterwards, even on an error.
    Yields False when a password the add-in does not know blocks it (nothing is changed)."""
    options = sheet.protection()
    if options is None:
        yield True
        return
    password = next((p for p in KNOWN_PASSWORDS if sheet.unprotect(p)), None)
    if password is None:
        yield False
        return
    try:
        yield True
    finally:
        sheet.protect(password, options)


# ------------------------------------------------------------------ handlers (port in, summary out)


def clear_marks(book: BookPort) -> str:
    """Restore the fills and remove the comments recorded on the results sheet, then delete that sheet."""
    if RESULTS_SHEET not in book.sheet_names():
        return "没有需要清除的标记。"
    results = book.sheet(RESULTS_SHEET)
    top, left, values, _ = results.used_block()
    sheets = set(book.sheet_names())
    by_sheet: dict[str, list[tuple[int, int, object, object]]] = {}
    for row in values:
        record = list(row[RECORD_COL - left:RECORD_COL - left + 4]) if len(row) >= RECORD_COL - left + 4 else []
        if len(record) < 4 or record[0] in (None, RECORD_HEADER[0]) or record[0] not in sheets:
            continue
        sheet_name, ref, fill, note_flag = record
        try:
            r, c = parse_ref(str(ref))
        except ValueError:
            continue
        by_sheet.setdefault(str(sheet_name), []).append((r, c, fill, note_flag))
    restored, locked = 0, []
    for sheet_name, items in by_sheet.items():
        target = book.sheet(sheet_name)
        with unprotected(target) as writable:
            if not writable:
                locked.append(sheet_name)
                continue
            for r, c, fill, note_flag in items:
                target.set_fill(r, c, parse_color_text(fill))
                current = target.get_note(r, c)
                if note_flag == "ours" and current is not None and current.startswith(MARK_PREFIX):
                    target.set_note(r, c, None)
                restored += 1
    if locked:  # keep the records: 清除标记 can finish once the protection is lifted
        names = "、".join(f"“{n}”" for n in locked)
        return (f"已清除 {restored} 个单元格的标记；工作表{names}设置了密码保护，其标记未清除"
                f"（撤销工作表保护后再点“清除标记”）。")
    book.delete_sheet(RESULTS_SHEET)
    return f"已清除 {restored} 个单元格的标记。"


def apply_marks(book: BookPort, marks: Sequence[Mark]) -> list[list[object]]:
    """Fill and comment each marked cell; return the record rows (sheet, cell, original fill, note flag)."""
    records: list[list[object]] = []
    for m in marks:
        sheet = book.sheet(m.sheet)
        original = sheet.get_fill(m.row, m.col)
        existing = sheet.get_note(m.row, m.col)
        sheet.set_fill(m.row, m.col, SEVERITY_FILL[m.severity])
        flag = ""
        if existing is None:  # never overwrite a comment the user wrote
            sheet.set_note(m.row, m.col, m.comment)
            flag = "ours"
        records.append([m.sheet, cell_ref(m.row, m.col), color_text(original), flag])
    return records


def write_results(book: BookPort, findings: Sequence[Finding], records: list[list[object]]) -> None:
    sheet = book.add_sheet(RESULTS_SHEET)
    rows = result_rows(findings)
    sheet.write_rows(1, 1, rows)
    for i, f in enumerate(findings, start=2):
        for col in range(1, len(RESULT_HEADER) + 1):
            sheet.set_fill(i, col, SEVERITY_FILL[f.severity])
    sheet.write_rows(1, RECORD_COL, [RECORD_HEADER, *records])


def check_sheet(book: BookPort, profile: object = None) -> str:
    """校验本表: checks of the active sheet -> 校验结果 sheet + marked cells; returns the summary line."""
    from perfscore.checks import check_workbook
    from perfscore.forms import read_forms

    if book.active_sheet().name == RESULTS_SHEET:
        return f"请先切换到要校验的工作表（当前是“{RESULTS_SHEET}”）。"
    clear_marks(book)
    if RESULTS_SHEET in book.sheet_names():  # records of a locked sheet's old marks: superseded by this run
        book.delete_sheet(RESULTS_SHEET)
    grid, sheet_name = read_active_grid(book)
    if profile is None:
        profile = profile_of(grid.defined_names)
    forms = read_forms(grid).forms
    findings = check_workbook(grid, forms, profile, file=book.path)
    marks = plan_marks(findings, sheet_name)
    with unprotected(book.sheet(sheet_name)) as writable:
        records = apply_marks(book, marks) if writable else []
    write_results(book, findings, records)
    line = summary_line(findings, sheet_name)
    if not writable and marks:
        line += f"工作表“{sheet_name}”设置了密码保护，问题单元格未着色、未加批注（结果只写在“{RESULTS_SHEET}”表）。"
    return line


def recalc(book: BookPort) -> str:
    book.calculate_full()
    return "已重算本工作簿的全部公式（含绩效评分函数）。"


def insert_formulas(book: BookPort, profile: object = None) -> str:
    """插入评分公式: the forms part's pure planner (perfscore.forms.apply.plan_apply) decides the formulas;
    here they are written into the active sheet. Cells already filled are kept (plan action 保留)."""
    from perfscore.forms import read_forms
    from perfscore.forms.apply import plan_apply

    from perfscore.checks.profile_choice import workbook_profile_name

    grid, _ = read_active_grid(book)
    computes_with = workbook_profile_name(grid) or (profile if isinstance(profile, str) and profile else None)
    plans = [p for form in read_forms(grid).forms for p in plan_apply(form, overwrite=False, profile=computes_with)]
    if not plans:
        return "本表未识别出绩效自评表，未插入公式。"
    written = [p for p in plans if p.action in ("写入", "覆盖") and p.formula]
    for name in dict.fromkeys(p.sheet for p in written):
        with unprotected(book.sheet(name)) as writable:
            if not writable:
                raise SheetLockedError(locked_text(name))
            for plan in (p for p in written if p.sheet == name):
                r, c = parse_ref(plan.ref)
                book.sheet(name).write_rows(r, c, [["=" + plan.formula]])
    kept = sum(p.action == "保留" for p in plans)
    skipped = sum(p.action == "跳过" for p in plans)
    return f"已插入 {len(written)} 个评分公式；保留已填写的 {kept} 个单元格，跳过 {skipped} 个。"


def _free_name(path: "Path") -> "Path":
    """path, or path with (2), (3) ... before the suffix: never replace a file the user has."""
    n, candidate = 2, path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}({n}){path.suffix}")
        n += 1
    return candidate


def freeze_native(book: BookPort) -> str:
    """转为通用公式: a copy of the workbook whose perfscore calls are built-in formulas (perfscore.native),
    for WPS, LibreOffice and Excel without the add-in. The open workbook is not changed."""
    import tempfile
    from pathlib import Path

    try:
        from perfscore.native.freeze import freeze_file
    except ImportError:
        return "本机安装的 perfscore 版本没有“转为通用公式”功能（perfscore.native），请升级 perfscore。"
    source = Path(book.path) if book.path else None
    if source is None or source.suffix.lower() not in (".xlsx", ".xlsm") or not source.parent.exists():
        return "请先把工作簿保存为 .xlsx 或 .xlsm 文件（文件 → 另存为），再转为通用公式。"
    target = _free_name(source.with_name(f"{source.stem}（通用公式）{source.suffix}"))
    with tempfile.TemporaryDirectory(prefix="perfscore-freeze-") as tmp:
        copy = Path(tmp) / f"copy{source.suffix}"
        book.save_copy(str(copy))  # what is on screen now, saved or not
        report = freeze_file(copy, None)
        if report.frozen == 0:
            return "本工作簿中没有绩效评分函数（SCORE_*、GRADE），无需转换。"
        report = freeze_file(copy, target)
    kept = sum(1 for _, why in report.cells if not why.startswith("已转换"))
    line = (f"已另存为“{target.name}”：{report.frozen} 个公式改为内置函数公式（评分口径 {report.profile}），"
            f"在 WPS、LibreOffice 中可直接计算；当前工作簿未改动。")
    return line + (f"有 {kept} 处未能转换，见 perfscore freeze 的说明。" if kept else "")


HELP_TEXT = (
    "绩效评分函数：SCORE_EXEC_RATE(全年预算数,全年执行数,分值)、SCORE_INDICATOR(指标性质,指标方向,年度指标值,"
    "实际完成值,分值)、SCORE_SATISFACTION(五档人数…,分值)、SCORE_COST_SAVING(计划成本,实际成本,分值)、GRADE(总分)；"
    "最后一个可选参数“规则”选择评分口径。单元格显示 #VALUE! 时，用 =PERFSCORE_REASON(该单元格) 查看原因；"
    "所有单元格都是 #VALUE! 时，点“环境检测”。要在 WPS/LibreOffice 中使用，点“转为通用公式”。"
    "详见 addin/README.md。"
)


def show_help(book: BookPort) -> str:
    return HELP_TEXT
