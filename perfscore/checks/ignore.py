"""What the user asked us not to report.

1. Excel's own "忽略错误" flags saved in the sheet (<ignoredErrors>), mapped per check code
   (see `CheckSpec.excel_flag`): a cell the user silenced in Excel stays silent here.
2. A per-workbook ignore list, one entry per line, in either place:
   - the hidden settings sheet `_perfscore` (column A key, column B value, as the templates write it):
     rows whose key is `ignore` (or `忽略`), the entry in column B;
   - a defined name `PERFSCORE_IGNORE`: a text constant (entries separated by ";" or line breaks)
     or a reference to cells holding entries.
   An entry is `CODE Sheet!A1`, `CODE Sheet!A1:B5`, `CODE Sheet` (whole sheet), `CODE` (whole workbook);
   `*` as CODE matches every code. Quote sheet names with spaces: `CODE 'My Sheet'!B2`.
   Lines starting with `#` are comments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from perfscore.checks.findings import Finding
from perfscore.checks.registry import CHECKS, spec
from perfscore.checks.shape import Area, area_of, split_sheet
from perfscore.xlsx.grid import WorkbookGrid, parse_ref

IGNORE_SHEET = "_perfscore"
IGNORE_NAME = "PERFSCORE_IGNORE"
IGNORE_KEYS = ("ignore", "忽略")


@dataclass(frozen=True)
class IgnoreRule:
    code: str  # "*" for all
    sheet: str | None  # None: every sheet
    area: Area | None  # None: the whole sheet

    def matches(self, f: Finding) -> bool:
        if self.code not in ("*", f.code):
            return False
        if self.sheet is not None and self.sheet != f.sheet:
            return False
        if self.area is None:
            return True
        if not f.cell:
            return False
        return _overlaps(self.area, f.cell)


def _overlaps(area: Area, cell: str) -> bool:
    first, _, last = cell.partition(":")
    try:
        r1, c1 = parse_ref(first)
        r2, c2 = parse_ref(last) if last else (r1, c1)
    except ValueError:
        return False
    return not (r2 < area.r1 or r1 > area.r2 or c2 < area.c1 or c1 > area.c2)


def parse_entry(text: str) -> IgnoreRule | None:
    """'INCONSISTENT_FORMULA 评分表!J12' → rule; None when it is not a valid entry."""
    text = text.strip()
    code, _, target = text.partition(" ")
    code = code.strip().upper()
    if code != "*" and code not in CHECKS:
        return None
    target = target.strip()
    if not target:
        return IgnoreRule(code, None, None)
    if "!" not in target:
        return IgnoreRule(code, target.strip("'"), None)
    sheet, local = split_sheet(target)
    area = area_of(local)
    if area is None:
        return None
    return IgnoreRule(code, sheet, Area(None, area.r1, area.c1, area.r2, area.c2))


def _split_lines(text: str) -> list[str]:
    for sep in ("；", ";", "\r"):
        text = text.replace(sep, "\n")
    return [line.strip() for line in text.split("\n") if line.strip()]


def _entries(book: WorkbookGrid) -> list[tuple[str, str, str]]:
    """(entry text, sheet, cell) for every ignore entry; sheet/cell locate it for error reports."""
    out: list[tuple[str, str, str]] = []
    sheet = book.sheet(IGNORE_SHEET)
    if sheet is not None:
        for cell in sheet.iter_cells():
            if cell.col == 1 and isinstance(cell.value, str) and cell.value.strip().lower() in IGNORE_KEYS:
                entry = sheet.get(cell.row, 2)
                if entry is not None and isinstance(entry.value, str):
                    out += [(line, sheet.name, entry.ref) for line in _split_lines(entry.value)]
    raw = next((v for k, v in book.defined_names.items() if k.upper() == IGNORE_NAME), None)
    if raw is not None:
        raw = raw.strip().lstrip("=")
        if raw.startswith('"') and raw.endswith('"'):
            out += [(line, "", "") for line in _split_lines(raw[1:-1].replace('""', '"'))]
        else:
            ref_sheet, _ = split_sheet(raw)
            area = area_of(raw)
            target = book.sheet(ref_sheet) if ref_sheet else None
            if area is not None and target is not None and target.name != IGNORE_SHEET:
                for cell in target.iter_cells():
                    if area.contains(cell.row, cell.col) and isinstance(cell.value, str):
                        out += [(line, target.name, cell.ref) for line in _split_lines(cell.value)]
    return [e for e in out if not e[0].startswith("#")]


def workbook_ignore_rules(book: WorkbookGrid, file: str) -> tuple[list[IgnoreRule], list[Finding]]:
    rules: list[IgnoreRule] = []
    problems: list[Finding] = []
    for text, sheet, cell in _entries(book):
        rule = parse_entry(text)
        if rule is None:
            problems.append(Finding(
                file, sheet, cell, "IGNORE_LIST_INVALID", spec("IGNORE_LIST_INVALID").severity,
                f"忽略清单条目“{text}”无法识别；格式应为“检查代码 工作表!单元格”，如 “INCONSISTENT_FORMULA 评分表!J12”，"
                f"检查代码须为已登记的代码或 *。"))
        else:
            rules.append(rule)
    return rules, problems


def _excel_ignored(book: WorkbookGrid, f: Finding) -> bool:
    flag = CHECKS[f.code].excel_flag if f.code in CHECKS else None
    if flag is None or not f.cell:
        return False
    sheet = book.sheet(f.sheet)
    if sheet is None:
        return False
    for sqref, flags in sheet.ignored_errors:
        if flag not in flags:
            continue
        for part in sqref.split():
            area = area_of(part)
            if area is not None and _overlaps(Area(None, area.r1, area.c1, area.r2, area.c2), f.cell):
                return True
    return False


def apply_ignores(book: WorkbookGrid, findings: Iterable[Finding], rules: list[IgnoreRule]) -> list[Finding]:
    return [f for f in findings
            if f.code == "IGNORE_LIST_INVALID"
            or not (_excel_ignored(book, f) or any(r.matches(f) for r in rules))]
