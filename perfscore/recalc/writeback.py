"""Put recomputed values into the original package: only the `<c>` elements of changed formula cells move.

Kept on purpose:
- every formula (the `<f>` bytes are copied verbatim, including `[1]!SCORE_INDICATOR(...)`);
- calcChain.xml: no formula cell is added or removed, so Excel's calculation chain stays valid;
- workbook.xml `<calcPr>`: we do *not* set fullCalcOnLoad. A machine without the add-in would then recompute
  SCORE_* to #NAME? on open and lose the numbers we wrote; Excel in manual mode, WPS and pandas show the cached
  values as they are. Excel with the add-in recomputes the same numbers anyway.
"""

from __future__ import annotations

from perfscore.recalc.sheetxml import FormulaSpan, find_cells_in, patch_sheet
from perfscore.xlsx.grid import ExcelError, WorkbookGrid

Key = tuple[int, int, int]


def _same_cached(old: object, new: object) -> bool:
    """Skip the patch when the file already holds exactly this value with this type."""
    if old is None:
        return False
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        return float(old) == float(new)
    if isinstance(old, ExcelError) and isinstance(new, ExcelError):
        return old.code == new.code
    return type(old) is type(new) and old == new


def sheet_updates(sheet_index: int, xml: bytes, spans: list[FormulaSpan], grid: WorkbookGrid,
                  values: dict[Key, object]) -> list[tuple[FormulaSpan, object]]:
    sheet = grid.sheets[sheet_index]
    updates: list[tuple[FormulaSpan, object]] = []
    seen: set[tuple[int, int]] = set()
    for span in spans:
        key = (sheet_index, span.row, span.col)
        seen.add((span.row, span.col))
        if key not in values:
            continue
        new = values[key]
        cell = sheet.cells.get((span.row, span.col))
        if cell is not None and _same_cached(cell.value, new):
            continue
        updates.append((span, new))
    # cells inside array-formula ranges have no <f> of their own
    extra = {(r, c) for (s, r, c) in values if s == sheet_index and (r, c) not in seen}
    for span in find_cells_in(xml, extra) if extra else ():
        new = values[(sheet_index, span.row, span.col)]
        cell = sheet.cells.get((span.row, span.col))
        if cell is not None and _same_cached(cell.value, new):
            continue
        updates.append((span, new))
    return updates


def patched_parts(parts: list[str], xmls: list[bytes], spans: list[list[FormulaSpan]], grid: WorkbookGrid,
                  values: dict[Key, object]) -> tuple[dict[str, bytes], int]:
    """Sheet part name -> new XML for the sheets that changed, and the number of cells patched."""
    out: dict[str, bytes] = {}
    count = 0
    for i, (part, xml, sheet_spans) in enumerate(zip(parts, xmls, spans)):
        updates = sheet_updates(i, xml, sheet_spans, grid, values)
        if updates:
            out[part] = patch_sheet(xml, updates)
            count += len(updates)
    return out, count
