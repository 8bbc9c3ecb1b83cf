"""Compare what LibreOffice shows with the rule core, by the mirror's verdict."""

from __future__ import annotations

from perfscore.excel_functions import call
from perfscore.native import MARKER_CODE
from perfscore.native.mirror import MARKER, UNCERTAIN, outcome
from perfscore.xlsx.grid import ExcelError


def expected(name: str, args: list, profile: str):
    try:
        return call(name, args, profile)
    except ZeroDivisionError:  # core bug: 正向, target 0, actual < 0 (reported to the lead)
        return None


def verdicts(name: str, rows: list[list], got: dict, col: str, profile: str, *, native: bool = True):
    """[(row, args, want, got)] of the cells that disagree; and the counts per verdict."""
    bad, counts = [], {}
    for i, args in enumerate(rows, start=1):
        cell = got.get(f"{col}{i}")
        verdict = outcome(name, args, profile) if native else "value"
        counts[verdict] = counts.get(verdict, 0) + 1
        want = expected(name, args, profile)
        if want is None or verdict == UNCERTAIN:
            continue
        if verdict == MARKER:
            ok = cell == ["e", MARKER_CODE]
        elif isinstance(want, ExcelError):
            # native formulas give the core's error; the extension can only raise (LibreOffice shows Err:502)
            ok = cell is not None and cell[0] == "e" and (cell[1] == want.code or not native)
        elif isinstance(want, str):
            ok = cell == ["s", want]
        else:
            ok = cell is not None and cell[0] == "n" and cell[1] == want  # to the last binary digit
        if not ok:
            bad.append((i, args, want, cell))
    return bad, counts
