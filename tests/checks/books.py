"""Write small real .xlsx files for the checker tests (xlsxwriter: it stores cached formula results)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import xlsxwriter

from perfscore.xlsx import WorkbookGrid, read_grid


class F:
    """A formula with the cached value Excel would have saved."""

    def __init__(self, formula: str, cached: object = 0):
        self.formula = formula
        self.cached = cached


def write_book(
    path: Path,
    sheets: Mapping[str, Mapping[str, object]],
    *,
    ignore: Mapping[str, Mapping[str, str]] | None = None,
    names: Mapping[str, str] | None = None,
    text_cells: Mapping[str, set[str]] | None = None,
) -> Path:
    """sheets: name -> {"A1": value | F(...)}; ignore: sheet -> xlsxwriter ignore_errors options;
    text_cells: sheet -> refs whose value is written as a string even when it looks like a number."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    for name, cells in sheets.items():
        ws = wb.add_worksheet(name)
        for ref, value in cells.items():
            if isinstance(value, F):
                ws.write_formula(ref, value.formula, None, value.cached)
            elif value is None:
                continue
            elif isinstance(value, str) or (text_cells and ref in text_cells.get(name, set())):
                ws.write_string(ref, str(value))
            else:
                ws.write_number(ref, value)
        if ignore and name in ignore:
            ws.ignore_errors(dict(ignore[name]))
    for key, value in (names or {}).items():
        wb.define_name(key, value)
    wb.close()
    return path


def grid_of(tmp_path: Path, sheets: Mapping[str, Mapping[str, object]], name: str = "book.xlsx", **kw) -> WorkbookGrid:
    return read_grid(write_book(tmp_path / name, sheets, **kw))
