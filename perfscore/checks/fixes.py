"""What a proposed formula fix would change: a slip is worth reporting only when fixing it changes the result.

A deviant formula and the formula its region suggests (the dominant copy moved to the cell) are compared
reference by reference (they share a skeleton, so their references pair up in order):
- "choice": every differing reference is absolute on both sides ($F$128 against $F$131): a deliberate pick of
  another fixed cell, not a copy that slipped;
- "empty": a reference the fix would introduce covers no data, only blank or label cells (a running total's
  first cell, a subtotal row whose inputs are empty): the suggestion is no fix;
- "total": the formula totals its own block (aggregate=True: =SUM(L2:L15) at the foot of a column of row sums)
  and the fix would read only other formulas, no typed number: a grand total written the other way round;
- "anchoring": every differing reference names the same cells with other $ anchors (H113 against $H$113):
  the result is right today, but the formula is not a copy of its neighbours and breaks when copied or filled;
- "same": both formulas read the same non-blank cells (H113 against $H$113, a range that differs by a blank
  row): the result cannot change;
- "changes": the fix reads other data: a real slip.
"""

from __future__ import annotations

from typing import Iterator

from perfscore.checks.shape import Area, area_of, tokenize
from perfscore.rules.errors import RuleInputError
from perfscore.rules.values import parse_number
from perfscore.xlsx.grid import SheetGrid, WorkbookGrid

Pos = tuple[int, int]
_SCAN_LIMIT = 4096  # larger areas are scanned through the sheet's cells instead of cell by cell


def is_blank_cell(sheet: SheetGrid, pos: Pos) -> bool:
    cell = sheet.cells.get(pos)
    return cell is None or (cell.formula is None and (
        cell.value is None or (isinstance(cell.value, str) and not cell.value.strip())))


def _filled(sheet: SheetGrid, area: Area) -> Iterator[Pos]:
    """Non-blank cells of the area."""
    if area.size <= _SCAN_LIMIT:
        for r in range(area.r1, area.r2 + 1):
            for c in range(area.c1, area.c2 + 1):
                if not is_blank_cell(sheet, (r, c)):
                    yield (r, c)
    else:
        for pos in sheet.cells:
            if area.contains(*pos) and not is_blank_cell(sheet, pos):
                yield pos


def _refs(formula: str) -> list[tuple[str, Area | None]]:
    return [(t.value, area_of(t.value)) for t in tokenize(formula) or () if t.kind == "ref"]


def _absolute(ref: str) -> bool:
    local = ref.rpartition("!")[2]
    return all(part.count("$") == 2 for part in local.split(":"))


def _is_quantity(value: object) -> bool:
    """A number, or a text a form fills in as one ("99.5%", "2910条"); labels ("TOTAL") are not."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if isinstance(value, str):
        try:
            parse_number(value)
        except RuleInputError:
            return False
        return True
    return False


def _has_data(sheet: SheetGrid, area: Area, *, typed_only: bool = False) -> bool:
    """Does the area hold a quantity or a formula (typed_only: a typed quantity, not a formula)?"""
    for pos in _filled(sheet, area):
        cell = sheet.cells[pos]
        if cell.formula is not None:
            if not typed_only:
                return True
        elif _is_quantity(cell.value):
            return True
    return False


def fix_effect(sheet: SheetGrid, book: WorkbookGrid | None, formula: str, fixed: str, *,
               aggregate: bool = False) -> str:
    """One of "choice", "empty", "total", "anchoring", "same", "changes" (module docstring)."""
    old, new = _refs(formula), _refs(fixed)
    if len(old) != len(new):  # the fix adds terms: they must read data
        have = {t.upper() for t, _a in old}
        added = [area for t, area in new if t.upper() not in have and area is not None]
        targets = [(sheet if a.sheet is None else (book.sheet(a.sheet) if book else None), a) for a in added]
        if targets and all(t is not None and not _has_data(t, a) for t, a in targets):
            return "empty"
        return "changes"
    pairs = [(a, b) for a, b in zip(old, new) if a[0].upper() != b[0].upper()]
    if not pairs:
        return "same"
    if all(_absolute(a[0]) and _absolute(b[0]) for a, b in pairs):
        return "choice"
    if all(a[1] is not None and a[1] == b[1] for a, b in pairs):
        return "anchoring"

    def sheet_of(area: Area) -> SheetGrid | None:
        if area.sheet is None:
            return sheet
        return book.sheet(area.sheet) if book is not None else None

    def cells(refs) -> set[tuple[str, Pos]] | None:
        out: set[tuple[str, Pos]] = set()
        for _text, area in refs:
            target = sheet_of(area) if area is not None else None
            if target is None:
                return None  # a name, a structured reference or an unknown sheet: cannot tell
            out.update((target.name, p) for p in _filled(target, area))
        return out

    targets = [(sheet_of(area), area) for _a, (_text, area) in pairs if area is not None]
    if any(t is not None and not _has_data(t, area) for t, area in targets):
        return "empty"
    if aggregate and targets and not any(t is None or _has_data(t, area, typed_only=True) for t, area in targets):
        return "total"
    before, after = cells(old), cells(new)
    if before is not None and before == after:
        return "same"
    return "changes"
