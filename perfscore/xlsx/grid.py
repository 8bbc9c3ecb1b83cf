"""The formula grid: what every reader produces and every check consumes.

One shape for a sheet whether it came from a file (calamine values + sheet XML formulas)
or from Excel through xlwings (Range.value / Range.formula), so checks run unchanged on both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator


@dataclass(frozen=True)
class ExcelError:
    """An Excel error value such as #VALUE! or #N/A, kept distinct from text."""

    code: str  # "#VALUE!", "#N/A", "#DIV/0!", "#REF!", "#NAME?", "#NUM!", "#NULL!"

    def __str__(self) -> str:
        return self.code


EXCEL_ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA")


@dataclass(frozen=True, slots=True, init=False)
class CellData:
    row: int  # 1-based
    col: int  # 1-based
    value: object = None  # cached/typed value: float | int | str | bool | ExcelError | None
    formula: str | None = None  # with the leading "=", as Excel shows it; None for constants
    number_format: str | None = None
    is_text_typed: bool = False  # stored as a string (t="s"/"str"/"inlineStr"), e.g. a number typed as text

    def __init__(self, row: int, col: int, value: object = None, formula: str | None = None,
                 number_format: str | None = None, is_text_typed: bool = False) -> None:
        # The generated frozen __init__ calls object.__setattr__ per field; the slots' own setters do the same
        # work for about half the cost (hundreds of cells per form, in every reader).
        _set_row(self, row)
        _set_col(self, col)
        _set_value(self, value)
        _set_formula(self, formula)
        _set_number_format(self, number_format)
        _set_is_text_typed(self, is_text_typed)

    @property
    def ref(self) -> str:
        return cell_ref(self.row, self.col)


_set_row, _set_col, _set_value, _set_formula, _set_number_format, _set_is_text_typed = (
    getattr(CellData, name).__set__ for name in CellData.__slots__)


@dataclass
class SheetGrid:
    name: str
    cells: dict[tuple[int, int], CellData] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (r1, c1, r2, c2), inclusive
    ignored_errors: list[tuple[str, frozenset[str]]] = field(default_factory=list)  # (sqref, {"formula", ...})
    hidden: bool = False

    def get(self, row: int, col: int) -> CellData | None:
        return self.cells.get((row, col))

    def value(self, row: int, col: int) -> object:
        cell = self.cells.get((row, col))
        return None if cell is None else cell.value

    @property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=0)

    @property
    def max_col(self) -> int:
        return max((c for _, c in self.cells), default=0)

    def iter_cells(self) -> Iterator[CellData]:
        for key in sorted(self.cells):
            yield self.cells[key]

    def merged_anchor(self, row: int, col: int) -> tuple[int, int]:
        """The top-left cell of the merged range holding (row, col), or itself."""
        for r1, c1, r2, c2 in self.merged:
            if r1 <= row <= r2 and c1 <= col <= c2:
                return r1, c1
        return row, col


@dataclass
class WorkbookGrid:
    path: str
    sheets: list[SheetGrid] = field(default_factory=list)
    defined_names: dict[str, str] = field(default_factory=dict)  # name -> formula text ("Sheet1!$A$1" or "\"central\"")

    def sheet(self, name: str) -> SheetGrid | None:
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        return None


# The helpers below run hundreds of times per form (readers, form reader, checker, engine bridge): memoised.
# typed=True keeps 3 and 3.0 apart, so a cached answer is always the one the plain function would give.
_REF_CACHE_SIZE = 1 << 15


@lru_cache(maxsize=_REF_CACHE_SIZE, typed=True)
def col_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@lru_cache(maxsize=_REF_CACHE_SIZE, typed=True)
def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


@lru_cache(maxsize=_REF_CACHE_SIZE, typed=True)
def cell_ref(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"


@lru_cache(maxsize=_REF_CACHE_SIZE, typed=True)
def parse_ref(ref: str) -> tuple[int, int]:
    """'AB12' or '$AB$12' -> (12, 28)."""
    ref = ref.replace("$", "")
    i = 0
    while i < len(ref) and ref[i].isalpha():
        i += 1
    if i == 0 or i == len(ref) or not ref[i:].isdigit():
        raise ValueError(f"不是有效的单元格地址 (not a cell reference): {ref!r}")
    return int(ref[i:]), col_index(ref[:i])
