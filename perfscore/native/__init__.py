"""Native formulas: the perfscore functions rewritten as built-in spreadsheet formulas, generated from a profile."""

from .formulas import MARKER_CODE, MARKER_TEXT, native_call

__all__ = ["MARKER_CODE", "MARKER_TEXT", "native_call"]
