"""Generic formula checks on real files (read back through perfscore.xlsx.read_grid)."""

from __future__ import annotations

from perfscore.checks.formulas import check_sheet_formulas
from perfscore.checks.shape import shape_of
from perfscore.xlsx import ExcelError

from .books import F, grid_of


def _run(tmp_path, cells, sheet="表1", *, is_form=None, show_all=False, **kw):
    book = grid_of(tmp_path, {sheet: cells}, **kw)
    return check_sheet_formulas(str(book.path), book.sheet(sheet), book=book, is_form=is_form, show_all=show_all)


def _codes(findings):
    return sorted((f.code, f.cell) for f in findings)


def _score_rows(n=6, first=10):
    cells = {}
    for i in range(n):
        r = first + i
        cells[f"G{r}"] = 100 + i
        cells[f"H{r}"] = 90 + i
        cells[f"I{r}"] = 5
        cells[f"J{r}"] = F(f"=ROUND(MIN(H{r}/G{r},1)*I{r},2)", 4.5)
    return cells


def test_r1c1_shape_equal_for_copies_and_different_for_slips():
    a = shape_of("=ROUND(MIN(H10/G10,1)*I10,2)", 10, 10)
    b = shape_of("=ROUND(MIN(H11/G11,1)*I11,2)", 11, 10)
    c = shape_of("=ROUND(MIN(H11/G10,1)*I11,2)", 11, 10)
    assert a.r1c1 == b.r1c1
    assert c.r1c1 != b.r1c1 and c.skeleton == b.skeleton
    assert shape_of("=$A$1+B2", 2, 3).r1c1 == shape_of("=$A$1+B3", 3, 3).r1c1


def test_clean_block_gives_nothing(tmp_path):
    assert _run(tmp_path, _score_rows()) == []


def test_inconsistent_in_the_middle(tmp_path):
    cells = _score_rows()
    cells["J12"] = F("=ROUND(MIN(H12/G11,1)*I12,2)", 4.5)
    found = _run(tmp_path, cells)
    assert _codes(found) == [("INCONSISTENT_FORMULA", "J12")]
    assert "=ROUND(MIN(H12/G12,1)*I12,2)" in found[0].message


def test_inconsistent_at_the_last_row_where_excel_is_blind(tmp_path):
    cells = _score_rows()
    cells["J15"] = F("=ROUND(MIN(H15/G14,1)*I15,2)", 4.5)
    found = _run(tmp_path, cells)
    assert _codes(found) == [("INCONSISTENT_FORMULA", "J15")]
    assert "边缘" in found[0].message


def test_inconsistent_at_the_first_row(tmp_path):
    cells = _score_rows()
    cells["J10"] = F("=ROUND(MIN(H11/G11,1)*I11,2)", 4.5)
    assert _codes(_run(tmp_path, cells)) == [("INCONSISTENT_FORMULA", "J10")]


def test_horizontal_total_row_with_short_range(tmp_path):
    cells = {f"{c}{r}": float(r) for c in "BCDE" for r in range(2, 8)}
    cells.update({"B8": F("=SUM(B2:B7)"), "C8": F("=SUM(C2:C7)"), "D8": F("=SUM(D2:D7)"), "E8": F("=SUM(E2:E6)")})
    found = _run(tmp_path, cells)
    assert _codes(found) == [("INCONSISTENT_FORMULA", "E8")]
    assert "=SUM(E2:E7)" in found[0].message


def test_different_rule_is_not_inconsistent(tmp_path):
    cells = _score_rows()
    # a 定性 row in the middle: a different formula altogether, not a slip
    cells["J12"] = F('=IF(H12="达成",I12,I12*0.7)', 5)
    assert [f for f in _run(tmp_path, cells) if f.code == "INCONSISTENT_FORMULA"] == []


def test_block_boundary_between_two_patterns_is_not_flagged(tmp_path):
    cells = _score_rows(8)
    for r in range(14, 18):  # second half references a different column: two blocks, no slip
        cells[f"J{r}"] = F(f"=ROUND(MIN(H{r}/F{r},1)*I{r},2)", 4.5)
    assert _run(tmp_path, cells) == []


def test_alternating_rows_are_a_pattern(tmp_path):
    cells = {}
    for r in range(2, 10):
        cells[f"C{r}"] = F(f"=A{r}*2" if r % 2 else f"=B{r}*2", 1)
    assert [f for f in _run(tmp_path, cells) if f.code == "INCONSISTENT_FORMULA"] == []


def test_typed_over_formula_inside_and_at_edge(tmp_path):
    cells = _score_rows()
    cells["J12"] = 4.5
    assert _codes(_run(tmp_path, cells)) == [("TYPED_OVER_FORMULA", "J12")]
    cells = _score_rows()
    cells["J15"] = 5
    assert _codes(_run(tmp_path, cells)) == [("TYPED_OVER_FORMULA", "J15")]


def test_text_and_blank_among_formulas_are_not_typed_over(tmp_path):
    cells = _score_rows()
    cells["J12"] = "不适用"
    del cells["J13"]
    assert _run(tmp_path, cells) == []


def test_hardcoded_weight_in_place_of_reference(tmp_path):
    cells = _score_rows()
    cells["J13"] = F("=ROUND(MIN(H13/G13,1)*5,2)", 4.5)
    assert _run(tmp_path, cells) == []  # not a form: the full report only (perfscore check --all)
    assert _codes(_run(tmp_path, cells, show_all=True)) == [("HARDCODED_CONSTANT", "J13")]
    found = _run(tmp_path, cells, is_form=True)
    assert _codes(found) == [("HARDCODED_CONSTANT", "J13")]
    assert "5" in found[0].message and "I13" in found[0].message


def test_hardcoded_varying_constants(tmp_path):
    weights = [5, 3, 2, 4]
    cells = {f"J{10 + i}": F(f"=ROUND(MIN(H{10 + i}/G{10 + i},1)*{w},2)", 1) for i, w in enumerate(weights)}
    found = _run(tmp_path, cells, is_form=True)
    assert _codes(found) == [("HARDCODED_CONSTANT", f"J{r}") for r in range(10, 14)]


def test_idiomatic_literals_are_not_hardcoded(tmp_path):
    cells = {}
    for r in range(2, 8):
        cells[f"D{r}"] = F(f'=IF(C{r}>=90,"优",IF(C{r}>=80,"良","中"))', "优")
        cells[f"E{r}"] = F(f"=ROUND(B{r}/C{r}*100,1)", 1)
        cells[f"F{r}"] = F(f"=INDEX(A1:A9,{r})", 1)
    cells["F3"] = F("=INDEX(A1:A9,7)", 1)
    assert [f for f in _run(tmp_path, cells, is_form=True) if f.code == "HARDCODED_CONSTANT"] == []


def test_formula_error_reports_the_source_only(tmp_path):
    cells = {"A1": 0, "B1": 5, "C1": F("=B1/A1", "#DIV/0!"), "D1": F("=C1*2", "#DIV/0!"), "E1": F("=SUM(C1:D1)", "#DIV/0!"),
             "A3": F("=#REF!+1", "#REF!")}
    found = _run(tmp_path, cells)
    assert _codes(found) == [("FORMULA_ERROR", "A3"), ("FORMULA_ERROR", "C1")]
    assert "#REF!" in [f for f in found if f.cell == "A3"][0].message


def test_formula_error_across_sheets(tmp_path):
    book = grid_of(tmp_path, {"明细": {"A1": F("=1/0", "#DIV/0!")}, "汇总": {"B2": F("=明细!A1+1", "#DIV/0!")}})
    assert check_sheet_formulas("x", book.sheet("汇总"), book=book) == []
    assert _codes(check_sheet_formulas("x", book.sheet("明细"), book=book)) == [("FORMULA_ERROR", "A1")]


def test_stale_value_against_recomputed(tmp_path):
    book = grid_of(tmp_path, {"表1": {"A1": 2, "B1": F("=A1*2", 3), "C1": F("=A1+1", 3)}})
    fresh = {("表1", "B1"): 4.0, ("表1", "C1"): 3.0}
    found = check_sheet_formulas("x", book.sheet("表1"), book=book, recomputed=fresh)
    assert _codes(found) == [("STALE_VALUE", "B1")]
    assert "3" in found[0].message and "4" in found[0].message


def test_excel_error_value_is_read_as_error(tmp_path):
    book = grid_of(tmp_path, {"表1": {"A1": F("=1/0", "#DIV/0!")}})
    assert isinstance(book.sheet("表1").value(1, 1), ExcelError)
