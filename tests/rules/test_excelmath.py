import functools
import math
import operator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfscore.rules import compare15, excel_round, grade, round15, total_score


@pytest.mark.parametrize(
    "x, digits, expected",
    [
        (2.675, 2, 2.68),  # Python's round gives 2.67
        (80.1 / 90 * 2.5, 2, 2.23),  # LibreOffice/ironcalc 2.23; pycel/formulas 2.22 (ENGINES.md)
        (1.005, 2, 1.01),
        (-2.675, 2, -2.68),  # half away from zero, also below zero
        (0.125, 2, 0.13),
        (17 / 19 * 2, 2, 1.79),
        (189 / 242 * 2, 2, 1.56),
        (932.92 / 3000 * 10, 2, 3.11),
        (2.5, 0, 3.0),
        (-0.004, 2, 0.0),
    ],
)
def test_excel_round_matches_excel(x, digits, expected):
    assert excel_round(x, digits) == expected


def test_python_round_would_be_wrong_here():
    # The reason excel_round exists: these are the cases round() gets wrong.
    assert round(2.675, 2) != excel_round(2.675, 2)
    assert round(80.1 / 90 * 2.5, 2) != excel_round(80.1 / 90 * 2.5, 2)


def test_five_two_decimal_scores_adding_to_90_grade_excellent():
    scores = [20.02, 25.0, 10.6, 19.61, 14.77]
    naive = functools.reduce(operator.add, scores)  # how a plain engine adds (Python ≥3.12 sum() compensates)
    assert naive < 90  # binary floats say 89.99999999999999
    assert total_score(scores) == 90
    assert grade(total_score(scores)) == "优"
    assert grade(naive) == "优"  # compared at 15 significant digits


def test_compare15_and_round15():
    assert compare15(0.1 + 0.2, 0.3) == 0
    assert compare15(89.99, 90) == -1
    assert round15(1 / 3) == 0.333333333333333


def _round15_by_definition(x: float) -> float:
    if x == 0 or x != x or x in (float("inf"), float("-inf")):
        return float(x)
    return float(f"{x:.15g}")


def _compare15_by_definition(a: float, b: float) -> int:
    ra, rb = _round15_by_definition(a), _round15_by_definition(b)
    return (ra > rb) - (ra < rb)


_floats = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-10**16, 10**16) | st.sampled_from(
    [0.0, -0.0, 1e15 - 1, 1e15, 999999999999999.5, 0.1 + 0.2, 0.3, 90.0, 89.99999999999999, 5e-324])


@settings(max_examples=2000, deadline=None)
@given(_floats)
def test_round15_fast_path_is_the_definition(x):
    got, want = round15(x), _round15_by_definition(x)
    assert type(got) is type(want)
    assert got == want or (got != got and want != want)
    assert math.copysign(1, got) == math.copysign(1, want)


@settings(max_examples=3000, deadline=None)
@given(_floats, st.integers(-40, 40), st.booleans())
def test_compare15_fast_path_is_the_definition(a, ulps, other_sign):
    # neighbours a few ulps apart are where rounding to 15 digits can make two values equal
    b = a
    if isinstance(a, float) and math.isfinite(a):
        for _ in range(abs(ulps)):
            b = math.nextafter(b, math.inf if ulps > 0 else -math.inf)
        if other_sign:
            b = -b
    assert compare15(a, b) == _compare15_by_definition(a, b)
    assert compare15(b, a) == _compare15_by_definition(b, a)


def _excel_round_by_definition(x: float, digits: int) -> float:
    from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

    try:
        d = Decimal(repr(_round15_by_definition(float(x))))
        rounded = d.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return _round15_by_definition(float(x))
    result = float(rounded)
    return 0.0 if result == 0 else result


@settings(max_examples=3000, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e17, max_value=1e17)
       | st.sampled_from([0.0, -0.0, 5.0, 3.11, 2.675, 1e-7, 1e15, 1e16, 123456789012.345]),
       st.integers(-2, 6))
def test_excel_round_fast_path_is_the_definition(x, digits):
    got, want = excel_round(x, digits), _excel_round_by_definition(x, digits)
    assert got == want and math.copysign(1, got) == math.copysign(1, want)
