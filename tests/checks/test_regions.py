"""The region analysis behind INCONSISTENT_FORMULA and the stricter TYPED_OVER_FORMULA / FORMULA_ERROR rules,
on small real workbooks (xlsxwriter, read back), and on the committed templates and forms made by apply."""

from __future__ import annotations

import pytest

from perfscore.checks.files import check_file
from perfscore.checks.formulas import check_sheet_formulas
from perfscore.checks.regions import Print, anomalies, entropy
from perfscore.forms.apply import apply_to_file

from .books import F, grid_of

GENERIC = ("INCONSISTENT_FORMULA", "TYPED_OVER_FORMULA")


def _run(tmp_path, cells, sheet="表1", **kw):
    book = grid_of(tmp_path, {sheet: cells})
    return check_sheet_formulas(str(book.path), book.sheet(sheet), book=book, **kw)


def _codes(found):
    return sorted((f.code, f.cell) for f in found)


def _data(cols="ABCD", rows=range(1, 7)):
    return {f"{c}{r}": float(r * 10 + i) for i, c in enumerate(cols) for r in rows}


def test_row_of_sums_with_one_slipped_column_suggests_the_fix(tmp_path):
    cells = _data("ABCDE")
    for c in "ABCDE":
        cells[f"{c}7"] = F(f"={c}1+{c}2")
    cells["C7"] = F("=C1+D2")  # the slip: one reference shifted one column
    found = _run(tmp_path, cells)
    assert _codes(found) == [("INCONSISTENT_FORMULA", "C7")]
    assert "=C1+C2" in found[0].message and "A7:E7" in found[0].message


def test_column_sum_that_skips_a_row(tmp_path):
    cells = _data("B", range(2, 9))
    cells["B9"] = F("=SUM(B2:B7)")  # B8 holds a number and is left out
    found = _run(tmp_path, cells)
    assert _codes(found) == [("RANGE_OMITS_ROWS", "B9")]
    assert "B8" in found[0].message


def test_constant_typed_in_a_formula_column_with_its_formula(tmp_path):
    cells = _data("AB", range(1, 9))
    for r in range(1, 9):
        cells[f"C{r}"] = F(f"=A{r}*B{r}", 1)
    cells["C5"] = 123.0  # A5*B5 is 50*51
    found = _run(tmp_path, cells)
    assert _codes(found) == [("TYPED_OVER_FORMULA", "C5")]
    assert "=A5*B5" in found[0].message and "2550" in found[0].message


def test_typed_copy_of_the_right_value_is_left_to_the_full_report(tmp_path):
    cells = _data("AB", range(1, 9))
    for r in range(1, 9):
        cells[f"C{r}"] = F(f"=A{r}*B{r}", 1)
    cells["C5"] = 50.0 * 51.0
    assert _run(tmp_path, cells) == []
    assert _codes(_run(tmp_path, cells, show_all=True)) == [("TYPED_OVER_FORMULA", "C5")]
    assert _codes(_run(tmp_path, cells, is_form=True)) == [("TYPED_OVER_FORMULA", "C5")]


def test_running_total_start_and_headings_are_not_typed_over(tmp_path):
    cells = {f"A{r}": float(r) for r in range(2, 9)}
    cells["B1"] = 2024.0  # a year heading above a formula column
    cells["B2"] = 100.0  # the typed start of a running total
    for r in range(3, 9):
        cells[f"B{r}"] = F(f"=B{r - 1}+A{r}", 1)
    assert _run(tmp_path, cells) == []


def test_clean_blocks_and_totals_give_nothing(tmp_path):
    cells = _data("ABC", range(2, 8))
    for r in range(2, 8):
        cells[f"D{r}"] = F(f"=SUM(A{r}:C{r})", 1)  # row sums
        cells[f"E{r}"] = F(f"=D{r}/D$8", 1)
    for c in "ABCD":
        cells[f"{c}8"] = F(f"=SUM({c}2:{c}7)", 1)  # the total row, the grand total written as a column sum
    cells["E8"] = F("=D8/D$8", 1)
    assert _run(tmp_path, cells) == []


def test_two_ways_of_writing_one_sum_are_copies(tmp_path):
    cells = _data("ABCD", range(1, 4))
    cells.update({"A4": F("=SUM(A1:A3)"), "B4": F("=(B1+B2+B3)"), "C4": F("=SUM(C1:C3)"), "D4": F("=D1+D2+D3")})
    assert _run(tmp_path, cells) == []
    cells["C4"] = F("=SUM(C1:C2)")
    assert [f.cell for f in _run(tmp_path, cells) if f.code == "INCONSISTENT_FORMULA"] == ["C4"]


def test_slip_onto_blank_cells_changes_nothing_and_is_not_reported(tmp_path):
    cells = {f"{c}{r}": float(r) for c in "ABCD" for r in range(2, 7)}
    cells.update({f"{c}8": F(f"=SUM({c}2:{c}7)") for c in "ABCD"})  # row 7 is blank everywhere
    cells["B8"] = F("=SUM(B2:B6)")
    assert _run(tmp_path, cells) == []


def test_mixed_anchoring_of_one_cell_is_a_note(tmp_path):
    cells = {f"A{r}": float(r) for r in range(1, 8)}
    cells["A8"] = F("=SUM(A1:A7)", 28)
    cells.update({f"B{r}": F(f"=A{r}/$A$8", 1) for r in range(1, 8)})
    cells["B3"] = F("=A3/A8", 1)
    found = _run(tmp_path, cells)
    assert [(f.code, f.cell, f.severity) for f in found] == [("INCONSISTENT_FORMULA", "B3", "提示")]


def test_div0_of_an_unfilled_template_is_not_reported_but_a_typed_zero_is(tmp_path):
    cells = {"A1": None, "B1": 5.0, "C1": F("=B1/A1", "#DIV/0!"), "A2": 0.0, "B2": 0.0, "C2": F("=B2/A2", "#DIV/0!"),
             "A3": 0.0, "B3": 4.0, "C3": F("=B3/A3", "#DIV/0!")}
    assert _codes(_run(tmp_path, cells)) == [("FORMULA_ERROR", "C3")]


def test_region_analysis_is_pure_and_ranks_small_fixes_first():
    prints = {(r, 1): Print("A", "s") for r in range(1, 9)}
    prints[(4, 1)] = Print("B", "s")
    prints.update({(1, c): Print("X", "s") for c in range(3, 6)})
    found = anomalies(prints, lambda p: p not in prints)
    assert [a.cells for a in found] == [((4, 1),)]
    assert found[0].interior and found[0].reference in ((3, 1), (5, 1))
    assert found[0].entropy_drop == pytest.approx(entropy([7, 1]))


def test_alternating_and_balanced_blocks_are_patterns():
    alt = {(r, 1): Print("A" if r % 2 else "B", "s") for r in range(1, 8)}
    halves = {(r, 1): Print("A" if r < 5 else "B", "s") for r in range(1, 9)}
    assert anomalies(alt, lambda p: p not in alt) == []
    assert anomalies(halves, lambda p: p not in halves) == []


def test_templates_and_applied_forms_have_no_inconsistent_or_typed_over(repo_dir, tmp_path):
    from tests.forms.fixtures_examples import build_central, build_example_001, build_example_004

    files = sorted((repo_dir / "workbook_templates").glob("*.xlsx"))
    assert files
    for build in (build_central, build_example_001, build_example_004):
        src = build(tmp_path / f"{build.__name__}.xlsx", scores=False) if build is build_central else \
            build(tmp_path / f"{build.__name__}.xlsx")
        out = tmp_path / f"applied-{build.__name__}.xlsx"
        apply_to_file(src, out)
        files.append(out)
    for path in files:
        bad = [(f.code, f.sheet, f.cell) for f in check_file(path) if f.code in GENERIC]
        assert bad == [], path.name


def _constant_term_row(tmp_path, formulas):
    """Row 4 of formulas over a column of numbers per formula column, a blank spacer column between them."""
    cells = {}
    for c in "ACE":
        for r in (1, 2):
            cells[f"{c}{r}"] = float(r * 7 + ord(c))
        cells[f"{c}3"] = F(f"=SUM({c}1:{c}2)")
    cells.update({f"{c}4": F(f) for c, f in zip("ACE", formulas)})
    return _run(tmp_path, cells)


def test_copy_that_lost_the_constant_term_of_its_row(tmp_path):
    found = _constant_term_row(tmp_path, ["=A3*3.33+1", "=C3*3.33", "=E3*3.33+1"])
    assert _codes(found) == [("INCONSISTENT_FORMULA", "C4")]
    assert "=C3*3.33+1" in found[0].message and "A4:E4" in found[0].message


def test_one_copy_with_an_added_constant_is_not_a_copy_slip(tmp_path):
    # =...+5 in one copy is a number typed into a formula (HARDCODED_CONSTANT's evidence), not a lost term
    found = _constant_term_row(tmp_path, ["=A3*3.33", "=C3*3.33+5", "=E3*3.33"])
    assert [f for f in found if f.code in GENERIC] == []


def test_constant_term_with_other_references_is_not_one_slip(tmp_path):
    found = _constant_term_row(tmp_path, ["=A3*3.33+1", "=A3*3.33", "=E3*3.33+1"])
    assert [f for f in found if f.code in GENERIC] == []


def test_constant_term_inside_a_comparison_keeps_the_formulas_apart(tmp_path):
    found = _constant_term_row(tmp_path, ["=A3>A1+1", "=C3>C1", "=E3>E1+1"])
    assert ("INCONSISTENT_FORMULA", "C4") not in _codes(found)
