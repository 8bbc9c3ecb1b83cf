"""Low-level xlsx package access shared by every part: safe zip reading, sheet XML, the formula grid."""

from .atomic import write_bytes_atomic
from .errors import XlsxError
from .grid import CellData, ExcelError, SheetGrid, WorkbookGrid, cell_ref, col_index, col_letter, parse_ref
from .package import Limits, XlsxPackage, parse_xml_bytes
from .reader import read_grid

__all__ = [
    "CellData", "ExcelError", "Limits", "SheetGrid", "WorkbookGrid", "XlsxError", "XlsxPackage", "cell_ref",
    "col_index", "col_letter", "parse_ref", "parse_xml_bytes", "read_grid", "write_bytes_atomic",
]
