"""Write small real .xlsx files for the checker tests (xlsxwriter: it stores cached formula results; openpyxl for
the plain typed forms of write_indicator_form)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import openpyxl
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


def write_indicator_form(path: Path, header: tuple[str, ...], rows) -> Path:
    """A typed 项目支出绩效自评表 as published rows come: the title in A1, `header` on row 3, one indicator per row
    from row 4 (values in header order, None left blank), then 总分 with Σ分值 and Σ得分."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "项目支出绩效自评表"
    for c, label in enumerate(header, start=1):
        ws.cell(3, c, label)
    for r, row in enumerate(rows, start=4):
        for c, v in enumerate(row, start=1):
            if v is not None:
                ws.cell(r, c, v)
    total = 4 + len(rows)
    ws.cell(total, 1, "总分")
    for key in ("分值", "得分"):
        j = header.index(key)
        ws.cell(total, j + 1, sum(row[j] for row in rows))
    wb.save(path)
    return path
