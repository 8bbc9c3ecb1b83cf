"""The checker's caches (per formula text, per plain value) give exactly what the uncached rules give."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfscore.checks import form_checks as fc
from perfscore.checks.formulas import _bare_r1c1, _is_num_token, _quantity_literals
from perfscore.checks.formulas import is_idiomatic_literal, is_threshold_literal
from perfscore.checks.shape import Shape, _render, is_cell_ref, literals, ref_to_r1c1, shape_of, split_sheet, tokenize
from perfscore.forms.model import Indicator, Sourced
from perfscore.rules import NotApplicable, RuleInputError, parse_quantity, resolve_kind

FORMULAS = [
    "=ROUND(MIN(H10/G10,1)*I10,2)", "=SUM(J13:J40)", "=SUM($J$13:J40)+5", "=IF(J41>=90,\"优\",\"良 好\")",
    "=SUM(A:A)", "=SUM($A:B)", "=SUM(1:3)", "=SUM($1:$3)", "='My ''S'!A1+Sheet2!$B$3", "=foo+bar*2",
    "=Table1[Col]", "=A1:B2 C1:D3", "=INF+NAN", "=[1]!SCORE_INDICATOR(D13,E13,F13,G13,I13)", "=-A1%",
    "=1E+3*A1", "=#REF!+1", "=XFD1048576", "=A1:A", "=H12/G12*5", "not a formula", "",
    "=SUM({1,2,3})*A1", "=\"{\"&A1&\"}\"", "=\"{0}\"&1", "=COUNT({1,2})",
]


def reference_shape(formula: str, row: int, col: int) -> Shape | None:
    """shape_of written the direct way (token by token, every call): the cache must agree with it."""
    toks = tokenize(formula)
    if toks is None:
        return None
    full, skel, bare, numbers = [], [], [], []
    for t in toks:
        if t.kind == "ref":
            sheet, _ = split_sheet(t.value)
            tag = t.value.upper() if not is_cell_ref(t.value) else ("" if sheet is None else f"'{sheet}'!") + "‹ref›"
            full.append(ref_to_r1c1(t.value, row, col))
            skel.append(tag)
            bare.append(tag)
        elif t.kind == "number":
            full.append(t.value)
            skel.append(t.value)
            bare.append("‹n›")
            numbers.append(t.value)
        else:
            full.append(_render(t))
            skel.append(_render(t))
            bare.append(_render(t))
    return Shape(" ".join(full), " ".join(skel), " ".join(bare), tuple(numbers))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FORMULAS), st.integers(1, 2000), st.integers(1, 300))
def test_shape_of_equals_the_direct_computation(formula, row, col):
    assert shape_of(formula, row, col) == reference_shape(formula, row, col)


def test_one_formula_text_at_two_positions_has_two_shapes():
    a, b = shape_of("=H10/G10", 10, 10), shape_of("=H10/G10", 11, 10)
    assert a.r1c1 == "R[0]C[-2] / R[0]C[-3]" and b.r1c1 == "R[-1]C[-2] / R[-1]C[-3]"
    assert a.skeleton == b.skeleton


def test_bare_r1c1_and_literal_caches():
    s = shape_of("=ROUND(H12/G12*5,2)", 12, 10)
    assert _bare_r1c1(s) == " ".join("‹n›" if _is_num_token(t) else t for t in s.r1c1.split(" "))
    assert "‹n›" in _bare_r1c1(s) and "5" not in _bare_r1c1(s).split(" ")
    lits = literals("=ROUND(H12/G12*5,2)")
    lits.append("caller's own list")  # a caller may change its list: the cached literals stay intact
    assert [lit.text for lit in literals("=ROUND(H12/G12*5,2)")] == ["5", "2"]
    assert [lit.text for lit in _quantity_literals("=ROUND(H12/G12*5,2)")] == [
        lit.text for lit in literals("=ROUND(H12/G12*5,2)") if not is_idiomatic_literal(lit) and not is_threshold_literal(lit)]


def _direct_number(raw):
    from perfscore.rules import is_blank

    if Sourced(raw).is_blank or is_blank(raw):
        return None
    try:
        return parse_quantity(raw).value
    except (RuleInputError, NotApplicable):
        return None


VALUES = [None, "", "  ", "-", "95%", "≥95%", "98%以上", "2910条", "1,200万元", "９５％", "不适用", "有效保障", "95%-100%",
          5, 5.0, True, False, 0, float("nan"), float("inf"), "abc", "0.5"]


@pytest.mark.parametrize("raw", VALUES, ids=repr)
def test_number_memo_equals_parse_quantity(raw):
    first, second = fc._number(Sourced(raw)), fc._number(Sourced(raw))
    want = _direct_number(raw)
    if want != want:  # NaN
        assert first != first
    else:
        assert first == want and second == want
    assert fc._is_number_like(raw) == (not fc.is_blank(raw) and _quantity_ok(raw))


def _quantity_ok(raw) -> bool:
    try:
        parse_quantity(raw)
        return True
    except (RuleInputError, NotApplicable):
        return False


def test_memo_keeps_types_apart():
    """1, 1.0 and True are equal keys for a dict but not for the rules: True is refused, 1 and 1.0 are numbers."""
    assert fc._number(Sourced(1)) == 1.0 and fc._number(Sourced(True)) is None
    assert fc._quantity(True) is None and fc._quantity(1).raw == 1 and type(fc._quantity(1.0).raw) is float


@pytest.mark.parametrize("l1, l2", [("加减分项", ""), ("产出指标", "加分项"), ("产出指标", "数量指标"), (None, None),
                                    ("减分项（最多扣5分）", None), (" 加分项 ", 3)])
def test_is_bonus_memo_equals_the_model(l1, l2):
    ind = Indicator(12, level1=Sourced(l1), level2=Sourced(l2), level3=Sourced("x"))
    assert fc._is_bonus(ind) == ind.is_bonus
    assert fc._is_bonus(ind) == ind.is_bonus  # from the cache


@pytest.mark.parametrize("nature, op, target", [("正向", "≥", 95), ("反向", "≤", "2%"), ("定性", "", "有效保障"),
                                                 ("正向", "≤", 5), (None, None, 100), (None, None, "≥95%"), ("", "=", 1)])
def test_kind_memo_equals_resolve_kind(nature, op, target):
    try:
        want = resolve_kind(nature, op, target)[0]
    except RuleInputError:
        want = None
    assert fc._kind_of(nature, op, target) == want == fc._kind_of(nature, op, target)


@pytest.mark.parametrize("base", ["004+report", "central", "subtotals"])
def test_check_forms_shares_row_facts_without_changing_results(tmp_path, base):
    """check_forms (row facts worked out once) gives what the separate entry points give."""
    from perfscore.checks.workbook import _profile
    from perfscore.forms import read_forms
    from perfscore.xlsx.reader import read_grid

    from .corpus import build_base

    grid = read_grid(build_base(base, tmp_path / f"{base}.xlsx"))
    forms = read_forms(grid).forms
    assert forms
    prof = _profile(grid, None)
    findings, classes = fc.check_forms(grid, forms, prof, "f.xlsx")
    separate = [f for form in forms for f in fc.check_form(form, grid, prof, "f.xlsx")]
    separate += fc.check_declared_texts(grid, forms, prof, "f.xlsx")
    assert findings == separate
    if base == "004+report":  # the report's text says 97.5 where the table adds up to 98.5
        assert any(f.code == "TOTAL_MISMATCH" for f in findings)
    assert classes == fc.row_classes(forms)
    assert any(kind.startswith("ind:") for rows in classes.values() for kind in rows.values())
