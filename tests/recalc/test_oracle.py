"""Built-in-only workbooks: every recomputed formula cell equals LibreOffice's (forced recalculation)."""

from __future__ import annotations

import pytest

from perfscore.recalc.task import recalc_file
from perfscore.rules import round15
from perfscore.xlsx import ExcelError, read_grid

pytestmark = [pytest.mark.oracle, pytest.mark.slow]


def _same(ours: object, lo: list) -> bool:
    """Equal as Excel compares: numbers at 15 significant digits (LibreOffice sums with Kahan compensation,
    Excel and ironcalc do not, so SUMIF may differ in the 17th digit), text and errors exactly."""
    kind, value = lo
    if kind == "n":
        if isinstance(ours, bool):
            return float(ours) == value  # LibreOffice reports TRUE/FALSE formula results as 1/0
        return isinstance(ours, (int, float)) and round15(float(ours)) == round15(value)
    if kind == "s":
        return ours == value or (ours is None and value == "")
    return isinstance(ours, ExcelError) and ours.code == value


def test_every_formula_cell_matches_libreoffice(builtin_corpus, oracle, tmp_path):
    checked = 0
    for src in builtin_corpus:
        out = tmp_path / src.name
        report = recalc_file(str(src), str(out))
        assert report.ok, report.reason
        assert report.engine == "ironcalc"
        expected = oracle[str(src)]
        grid = read_grid(out)
        mismatches = []
        for sheet in grid.sheets:
            for cell in sheet.iter_cells():
                if cell.formula is None:
                    continue
                lo = expected[sheet.name][cell.ref]
                checked += 1
                if not _same(cell.value, lo):
                    mismatches.append((src.name, sheet.name, cell.ref, cell.formula, cell.value, lo))
        assert not mismatches, mismatches[:10]
    assert checked > 1300  # the corpus really was compared (20-sheet book included)


def test_rounded_results_are_bit_identical(builtin_corpus, oracle, tmp_path):
    """Every ROUND(...) result (what scores and totals are) equals LibreOffice's double exactly."""
    exact = 0
    for src in builtin_corpus:
        out = tmp_path / src.name
        assert recalc_file(str(src), str(out)).ok
        for sheet in read_grid(out).sheets:
            for cell in sheet.iter_cells():
                if cell.formula and cell.formula.upper().startswith("=ROUND(") and isinstance(cell.value, float):
                    kind, value = oracle[str(src)][sheet.name][cell.ref]
                    assert kind == "n" and cell.value == value, (src.name, sheet.name, cell.ref)
                    exact += 1
    assert exact > 900


def test_precision_cases_match_excel_semantics(builtin_corpus, oracle, tmp_path):
    """The ENGINES.md traps, spelled out: 15-digit totals, ROUND half cases, blank vs 0."""
    src = builtin_corpus[0]
    out = tmp_path / "b.xlsx"
    assert recalc_file(str(src), str(out)).ok
    sheet = read_grid(out).sheet("得分表")
    assert sheet.value(8, 3) == "优"  # Σ = 89.99999999999999 in binary, graded at 15 digits
    assert sheet.value(9, 2) == 2.23  # ROUND(80.1/90*2.5, 2)
    assert sheet.value(10, 2) == 2.68  # ROUND(2.675, 2)
    assert sheet.value(11, 2) == -1  # half away from zero
    assert sheet.value(18, 2) == "空"  # a styled empty cell is blank, not 0
    assert oracle[str(src)]["得分表"]["C8"] == ["s", "优"]
