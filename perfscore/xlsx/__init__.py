"""Low-level xlsx package access shared by every part: safe zip reading, sheet XML, the formula grid.

`read_grid` is loaded on first use: the reader needs openpyxl's formula translator (openpyxl imports numpy,
~0.3 s), which processes that only write summaries or list checks never need."""

from .atomic import write_bytes_atomic
from .errors import XlsxError
from .grid import CellData, ExcelError, SheetGrid, WorkbookGrid, cell_ref, col_index, col_letter, parse_ref
from .package import Limits, XlsxPackage, parse_xml_bytes

__all__ = [
    "CellData", "ExcelError", "Limits", "SheetGrid", "WorkbookGrid", "XlsxError", "XlsxPackage", "cell_ref",
    "col_index", "col_letter", "parse_ref", "parse_xml_bytes", "read_grid", "write_bytes_atomic",
]


def __getattr__(name: str):
    if name == "read_grid":
        from .reader import read_grid

        return read_grid
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
