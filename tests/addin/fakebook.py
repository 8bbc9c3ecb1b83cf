"""An in-memory Book/Sheet with the duck-typed interface of perfscore_addin.macros (what XlwingsBook gives)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from perfscore.xlsx.grid import col_letter


class ProtectedSheetError(RuntimeError):
    """What Excel raises (a COM error, English box) when a macro changes a protected sheet."""


class FakeSheet:
    """A sheet, with Excel's protection rules: while protected (self.protected is the options dict), writing a
    locked cell, changing a fill without AllowFormattingCells, or touching a comment (a drawing object) fails."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.protected: dict[str, bool] | None = None
        self.password: str = ""
        self.unlocked: set[tuple[int, int]] = set()  # cells whose format has locked=False
        self.protect_log: list[tuple[str, dict[str, bool]]] = []
        self.values: dict[tuple[int, int], object] = {}
        self.formulas: dict[tuple[int, int], str] = {}
        self.merged: list[tuple[int, int, int, int]] = []
        self.fills: dict[tuple[int, int], tuple[int, int, int]] = {}
        self.notes: dict[tuple[int, int], str] = {}

    def used_block(self):
        keys = set(self.values) | set(self.formulas)
        if not keys:
            return 1, 1, [[None]], [[""]]
        r1, r2 = min(r for r, _ in keys), max(r for r, _ in keys)
        c1, c2 = min(c for _, c in keys), max(c for _, c in keys)
        values = [[self.values.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        formulas = [[self.formulas.get((r, c), "" if self.values.get((r, c)) is None else str(self.values[(r, c)]))
                     for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        return r1, c1, values, formulas

    def merged_areas(self):
        return list(self.merged)

    def _require(self, what: str, allowed: bool = False) -> None:
        if self.protected is not None and not allowed:
            raise ProtectedSheetError(f"The cell or chart you're trying to change is on a protected sheet ({what}).")

    def write_rows(self, top, left, rows):
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                key = (top + i, left + j)
                self._require("write", key in self.unlocked)
                if isinstance(v, str) and v.startswith("="):
                    self.formulas[key] = v
                    self.values[key] = None  # Excel would compute it
                else:
                    self.formulas.pop(key, None)
                    if v is None or v == "":
                        self.values.pop(key, None)
                    else:
                        self.values[key] = v

    def get_fill(self, row, col):
        return self.fills.get((row, col))

    def set_fill(self, row, col, color):
        self._require("fill", bool(self.protected and self.protected.get("AllowFormattingCells")))
        if color is None:
            self.fills.pop((row, col), None)
        else:
            self.fills[(row, col)] = color

    def get_note(self, row, col):
        return self.notes.get((row, col))

    def set_note(self, row, col, text):
        self._require("comment", bool(self.protected and not self.protected.get("DrawingObjects", True)))
        if text is None:
            self.notes.pop((row, col), None)
        else:
            self.notes[(row, col)] = text

    def protection(self):
        return None if self.protected is None else dict(self.protected)

    def unprotect(self, password):
        if self.protected is not None and password == self.password:
            self.protected = None
        return self.protected is None

    def protect(self, password, options):
        self.password = password
        self.protected = dict(options)
        self.protect_log.append((password, dict(options)))

    def ref(self, ref: str):
        from perfscore.xlsx.grid import parse_ref

        return parse_ref(ref)


class FakeBook:
    def __init__(self, path: str, sheets: list[FakeSheet], active: str | None = None) -> None:
        self.path = path
        self.sheets = {s.name: s for s in sheets}
        self.active = active or sheets[0].name
        self.names: dict[str, str] = {}
        self.notified: list[str] = []
        self.full_calcs = 0

    @classmethod
    def from_xlsx(cls, path: Path) -> "FakeBook":
        """Constants and formulas as Excel would show them (openpyxl has no cached results: formulas read None);
        sheet protection and unlocked cells as the file has them."""
        wb = openpyxl.load_workbook(path)
        sheets = []
        for ws in wb.worksheets:
            sheet = FakeSheet(ws.title)
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value is None:
                        continue
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        sheet.formulas[(cell.row, cell.column)] = cell.value
                    else:
                        sheet.values[(cell.row, cell.column)] = float(cell.value) if isinstance(cell.value, int) else cell.value
            sheet.merged = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
            sheet.unlocked = {(c.row, c.column) for row in ws.iter_rows() for c in row
                              if c.has_style and c.protection.locked is False}
            if ws.protection.sheet:
                p = ws.protection  # openpyxl: True = that action is forbidden; Excel's Allow* is the opposite
                sheet.protected = {"DrawingObjects": bool(p.objects), "Contents": True, "Scenarios": bool(p.scenarios),
                                   "AllowFormattingCells": not p.formatCells, "AllowFormattingColumns": not p.formatColumns,
                                   "AllowFormattingRows": not p.formatRows, "AllowInsertingRows": not p.insertRows,
                                   "AllowDeletingRows": not p.deleteRows}
                sheet.password = ""  # our templates: no password (a test sets one to model a user's)
            sheets.append(sheet)
        book = cls(str(path), sheets, active=wb.active.title)
        book.names = {name: dn.attr_text for name, dn in wb.defined_names.items()}
        return book

    def sheet_names(self):
        return list(self.sheets)

    def active_sheet(self):
        return self.sheets[self.active]

    def sheet(self, name):
        return self.sheets[name]

    def add_sheet(self, name):
        assert name not in self.sheets
        self.sheets[name] = FakeSheet(name)
        return self.sheets[name]

    def delete_sheet(self, name):
        del self.sheets[name]

    def defined_names(self):
        return dict(self.names)

    def calculate_full(self):
        self.full_calcs += 1

    def save_copy(self, path):
        """Excel saves what is on screen; the fake has only the file it was read from."""
        import shutil

        shutil.copyfile(self.path, path)

    def notify(self, message):
        self.notified.append(message)


def cell_name(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"
