"""Excel's arithmetic semantics, in one place.

Excel shows and compares numbers at 15 significant digits and its ROUND rounds half away from zero
on that 15-digit value. Python's round() rounds half to even on the binary value, so
round(2.675, 2) == 2.67 where Excel gives 2.68. Every rule rounds and compares through here.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def round15(x: float) -> float:
    """x as Excel holds it: 15 significant digits."""
    if x == 0 or x != x or x in (float("inf"), float("-inf")):
        return float(x)
    return float(f"{x:.15g}")


def excel_round(x: float, digits: int = 2) -> float:
    """Excel's ROUND(x, digits): 15 significant digits first, then half away from zero."""
    try:
        d = Decimal(repr(round15(float(x))))
        quantum = Decimal(1).scaleb(-digits)
        rounded = d.quantize(quantum, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # huge values: Excel would not round them either
        return round15(float(x))
    result = float(rounded)
    return 0.0 if result == 0 else result  # no negative zero in a cell


def compare15(a: float, b: float) -> int:
    """-1, 0 or 1 comparing a and b the way Excel does (at 15 significant digits)."""
    ra, rb = round15(a), round15(b)
    return (ra > rb) - (ra < rb)


def sum15(values) -> float:
    """Σ as Excel's SUM shows it: the binary sum held at 15 significant digits
    (five 2-decimal scores that add to 90 give 90, not 89.99999999999999)."""
    return round15(math.fsum(float(v) for v in values))
