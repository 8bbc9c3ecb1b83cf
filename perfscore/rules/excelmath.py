"""Excel's arithmetic semantics, in one place.

Excel shows and compares numbers at 15 significant digits and its ROUND rounds half away from zero
on that 15-digit value. Python's round() rounds half to even on the binary value, so
round(2.675, 2) == 2.67 where Excel gives 2.68. Every rule rounds and compares through here.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_INFINITIES = (math.inf, -math.inf)


def round15(x: float) -> float:
    """x as Excel holds it: 15 significant digits."""
    if x == 0 or x != x or x in _INFINITIES:
        return float(x)
    if -1e15 < x < 1e15 and x % 1 == 0:
        return float(x)  # a whole number below 10^15 has at most 15 digits already (most weights and scores)
    return float(f"{x:.15g}")


def excel_round(x: float, digits: int = 2) -> float:
    """Excel's ROUND(x, digits): 15 significant digits first, then half away from zero."""
    return round_held(round15(float(x)), digits)


def round_held(held: float, digits: int = 2) -> float:
    """excel_round for a value already held at 15 digits (round15 is idempotent: callers that hold it skip a
    second pass)."""
    text = repr(held)
    point = text.find(".")
    if point >= 0 and "e" not in text and len(text) - point - 1 <= digits:
        return 0.0 if held == 0 else held  # already has at most `digits` decimals: rounding keeps it
    try:
        d = Decimal(text)
        quantum = Decimal(1).scaleb(-digits)
        rounded = d.quantize(quantum, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # huge values: Excel would not round them either
        return held
    result = float(rounded)
    return 0.0 if result == 0 else result  # no negative zero in a cell


def compare15(a: float, b: float) -> int:
    """-1, 0 or 1 comparing a and b the way Excel does (at 15 significant digits)."""
    if a == b:
        return 0
    # Rounding to 15 digits moves a value by at most 5e-15 of itself and keeps the order, so values further
    # apart than that cannot become equal: their order is the answer without formatting either one.
    d = a - b
    if abs(d) > 1e-13 * max(abs(a), abs(b)) and abs(d) > 1e-290:  # (the second test keeps subnormals exact)
        return 1 if d > 0 else -1
    ra, rb = round15(a), round15(b)
    return (ra > rb) - (ra < rb)


def sum15(values) -> float:
    """Σ as Excel's SUM shows it: the binary sum held at 15 significant digits
    (five 2-decimal scores that add to 90 give 90, not 89.99999999999999)."""
    return round15(math.fsum(float(v) for v in values))
