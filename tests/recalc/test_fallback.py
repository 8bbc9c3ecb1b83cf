"""The fallback engine (formulas) for what ironcalc 0.9.1 cannot do; the fast path never touches it."""

from __future__ import annotations

import pytest

from perfscore.recalc import engine, fallback
from perfscore.recalc.functions import FUNCTION_NAMES, FunctionTable
from perfscore.recalc.task import recalc_file
from perfscore.rules import round15
from perfscore.xlsx import ExcelError, read_grid
from perfscore_udfs._bridge import call
from tests.recalc.books import (ARRAY_SAFE, ARRAY_UNSAFE, array_book, builtin_book, fallback_book, fallback_udf_book,
                                make_form, udf_book)
from tests.recalc.conftest import libreoffice_values

# cells of fallback_book that ironcalc 0.9.1 cannot be trusted with (see the fallback.py docstring)
ROUTED = {"H2", "H3", "H4", "H5", "H6", "H7", "H8", "H9", "H10", "H11", "H16", "H17", "H20", "H21"}


def _same(ours: object, lo: list) -> bool:
    kind, value = lo
    if kind == "n":
        if isinstance(ours, bool):
            return float(ours) == value
        return isinstance(ours, (int, float)) and round15(float(ours)) == round15(value)
    if kind == "s":
        return ours == value or (ours is None and value == "")
    return isinstance(ours, ExcelError) and ours.code == value


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    d = tmp_path_factory.mktemp("fallback")
    return fallback_book(d / "fallback.xlsx"), array_book(d / "arrays.xlsx")


@pytest.fixture(scope="module")
def book(books):
    return books[0]


@pytest.fixture(scope="module")
def oracle_values(books):
    return libreoffice_values(list(books))  # one LibreOffice session for both books


@pytest.fixture(scope="module")
def lo(book, oracle_values):
    return oracle_values[str(book)]


def _formula_values(path) -> dict[tuple[str, str], object]:
    return {(s.name, c.ref): c.value for s in read_grid(path).sheets for c in s.iter_cells() if c.formula}


@pytest.mark.oracle
@pytest.mark.slow
def test_fallback_cells_equal_libreoffice(book, lo, tmp_path):
    out = tmp_path / "out.xlsx"
    report = recalc_file(str(book), str(out))
    assert report.ok, report.reason
    assert report.engine == f"ironcalc+formulas（{len(ROUTED)} 格）"
    values = _formula_values(out)
    assert len(values) == sum(len(v) for v in lo.values())
    mismatches = [(key, v, lo[key[0]][key[1]]) for key, v in values.items() if not _same(v, lo[key[0]][key[1]])]
    assert not mismatches, mismatches
    sheet = read_grid(out).sheet("指标")
    assert sheet.value(8, 8) == 3.35  # Σ ROUND(…, 2) with Excel's half-away rounding (1.79 + 1.56)
    assert sheet.value(12, 8) == 6003.0  # 3D SUM over Chinese sheet names, rewritten for ironcalc
    assert sheet.value(13, 8) == 2001.0  # 3D reference through a defined name


@pytest.mark.oracle
@pytest.mark.slow
def test_ironcalc_alone_gets_those_cells_wrong(book, lo, monkeypatch):
    """The list in fallback.py is real: without the fallback these cells differ from LibreOffice."""
    grid = read_grid(book)
    monkeypatch.setattr(fallback, "classify", lambda *a, **k: None)
    monkeypatch.setattr(engine._Fallback, "add_late", lambda self, key: False)
    alone = engine.evaluate(grid, FunctionTable(), {0: {(20, 8): (1, 1), (21, 8): (1, 1)}})
    assert alone.fallback_cells == 0
    wrong = set()
    for (s, r, c), v in alone.values.items():
        ref = f"{chr(64 + c)}{r}"
        if grid.sheets[s].name == "指标" and not _same(v, lo["指标"][ref]):
            wrong.add(ref)
    kept = {f"{chr(64 + c)}{r}" for s, r, c in alone.kept}
    assert ROUTED <= wrong | kept
    assert {"H14", "H15", "H19"} <= wrong  # dependents of wrong cells are wrong too
    assert {"H8"} <= kept  # #N/IMPL! (ROUND over an array): the cached value was all ironcalc could give


@pytest.mark.oracle
@pytest.mark.slow
def test_array_contexts(books, oracle_values, tmp_path, monkeypatch):
    """Column F: functions ironcalc evaluates right over arrays, kept on the fast path. Column G: those it
    gets wrong, routed to formulas. Both equal LibreOffice; without the fallback every G cell differs."""
    src = books[1]
    lo = oracle_values[str(src)]["数组"]
    arrays = {0: {(i, 7): (1, 1) for i, f in enumerate(ARRAY_UNSAFE, 1) if f.startswith("{")}
              | {(i, 6): (1, 1) for i, f in enumerate(ARRAY_SAFE, 1) if f.startswith("{")}}
    grid = read_grid(src)
    result = engine.evaluate(grid, FunctionTable(), arrays)
    assert {(r, c) for _, r, c in result.fallback} == {(i, 7) for i in range(1, len(ARRAY_UNSAFE) + 1)}
    out = tmp_path / "o.xlsx"
    report = recalc_file(str(src), str(out))
    assert report.engine == f"ironcalc+formulas（{len(ARRAY_UNSAFE)} 格）"
    sheet = read_grid(out).sheet("数组")
    bad = [(c.ref, c.formula, c.value, lo[c.ref]) for c in sheet.iter_cells() if c.formula and not _same(c.value, lo[c.ref])]
    assert not bad, bad
    monkeypatch.setattr(fallback, "classify", lambda *a, **k: None)
    monkeypatch.setattr(engine._Fallback, "add_late", lambda self, key: False)
    alone = engine.evaluate(grid, FunctionTable(), arrays)
    right_alone = [ARRAY_UNSAFE[r - 1] for (_, r, c), v in alone.values.items() if c == 7 and _same(v, lo[f"G{r}"])]
    assert not right_alone, right_alone


def test_routed_cells_are_exactly_the_untrusted_ones(book, tmp_path):
    report = recalc_file(str(book), str(tmp_path / "o.xlsx"))
    grid = read_grid(book)
    result = engine.evaluate(grid, FunctionTable(), {0: {(20, 8): (1, 1), (21, 8): (1, 1)}})
    assert {f"{chr(64 + c)}{r}" for _, r, c in result.fallback} == ROUTED
    assert result.fallback_cells == len(ROUTED) and not result.kept
    assert "formulas（14 格）" in report.engine == result.engine


@pytest.mark.parametrize("prefix", ["", "[1]!"], ids=["plain", "addin-link"])
def test_perfscore_functions_inside_fallback_cells_equal_the_core(tmp_path, prefix):
    src = fallback_udf_book(tmp_path / "in.xlsx", prefix)
    out = tmp_path / "out.xlsx"
    report = recalc_file(str(src), str(out))
    assert report.ok, report.reason
    assert report.engine == "ironcalc+桥接+formulas（5 格）"
    ws = read_grid(out).sheet("项目支出绩效自评表")
    scores = [call("SCORE_INDICATOR", [ws.value(r, c) for c in range(1, 6)]) for r in range(2, 8)]
    assert isinstance(scores[-1], ExcelError)  # blank actual: a refusal, as in Excel
    assert [ws.value(r, 6) for r in range(2, 8)] == scores
    kept = [s for s in scores if not isinstance(s, ExcelError)]
    total = sum(kept)  # AGGREGATE(9,6,…) skips the error
    exec_score = call("SCORE_EXEC_RATE", [3000, 932.92, 10])
    assert ws.value(9, 6) == total
    assert ws.value(10, 6) == call("GRADE", [total + exec_score])  # constant args folded by formulas
    assert ws.value(11, 6) == 3 + exec_score  # three numeric actuals
    assert ws.value(12, 6) == 5 * call("SCORE_SATISFACTION", [70, 9, 8, 0, 4, 10])
    assert ws.value(13, 6) == call("GRADE", [total + exec_score])  # bridged call fed by a fallback cell
    assert ws.value(15, 6) == ExcelError("#VALUE!")
    assert any("F15" in n and "实际完成值为空" in n for n in report.notes)  # the refusal's reason surfaces


def test_profile_of_the_workbook_reaches_native_calls(tmp_path):
    from openpyxl import load_workbook
    from openpyxl.workbook.defined_name import DefinedName

    src = fallback_udf_book(tmp_path / "in.xlsx", "")
    wb = load_workbook(src)
    wb.defined_names["PERFSCORE_PROFILE"] = DefinedName("PERFSCORE_PROFILE", attr_text='"vendor-linear"')
    wb.save(src)
    out = tmp_path / "out.xlsx"
    assert recalc_file(str(src), str(out)).ok
    ws = read_grid(out).sheet("项目支出绩效自评表")
    assert ws.value(11, 6) == 3 + call("SCORE_EXEC_RATE", [3000, 932.92, 10], "vendor-linear")
    assert ws.value(12, 6) == 5 * call("SCORE_SATISFACTION", [70, 9, 8, 0, 4, 10], "vendor-linear")


def test_fast_path_never_touches_the_fallback(tmp_path, monkeypatch):
    def boom(*a, **k):
        raise AssertionError("fallback used on a workbook ironcalc handles")

    monkeypatch.setattr(fallback, "compile_formula", boom)
    monkeypatch.setattr(fallback, "run", boom)
    books = [builtin_book(tmp_path / "b.xlsx"), udf_book(tmp_path / "u.xlsx", "[1]!"),
             make_form(tmp_path / "f.xlsx", seed=3, variant="builtin"), make_form(tmp_path / "g.xlsx", seed=4, variant="udf")]
    for src in books:
        report = recalc_file(str(src), str(tmp_path / f"out-{src.name}"))
        assert report.ok, report.reason
        assert report.engine in ("ironcalc", "ironcalc+桥接"), (src.name, report.engine)


def test_function_neither_engine_knows_keeps_its_value(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["A1"] = 1234
    ws["B1"] = "=NUMBERSTRING(A1,2)"  # CJK Excel/WPS: 壹仟贰佰叁拾肆; ironcalc and formulas lack it
    ws["C1"] = "=A1*2"
    wb.save(tmp_path / "n.xlsx")
    report = recalc_file(str(tmp_path / "n.xlsx"), str(tmp_path / "o.xlsx"))
    assert report.ok
    assert report.engine == "ironcalc（1 格保留原值）"
    assert any("B1" in n and "NUMBERSTRING" in n for n in report.notes)
    assert read_grid(tmp_path / "o.xlsx").sheets[0].value(1, 3) == 2468


def test_an_ironcalc_panic_is_contained(tmp_path):
    """DOLLAR(1E308,…) panics inside ironcalc (a BaseException): the file is evaluated again with the
    panic-prone cell kept, never crashing the batch."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["A2"] = 1e308, 3.14159
    ws["B1"] = "=DOLLAR(A1,A1)"
    ws["B2"] = "=ROUND(A2,2)"
    ws["B3"] = "=SUMPRODUCT(ISNUMBER(A1:A2)*1)"
    wb.save(tmp_path / "p.xlsx")
    report = recalc_file(str(tmp_path / "p.xlsx"), str(tmp_path / "o.xlsx"))
    assert report.ok, report.reason
    sheet = read_grid(tmp_path / "o.xlsx").sheets[0]
    assert sheet.value(2, 2) == 3.14 and sheet.value(3, 2) == 2
    assert "formulas（1 格）" in report.engine and "1 格保留原值" in report.engine
    assert any("B1" in n and "DOLLAR" in n for n in report.notes)


def test_classify():
    ours = frozenset(FUNCTION_NAMES)
    assert fallback.classify("=SUM(A1:A5)", array_anchor=False, ours=ours) is None
    assert fallback.classify("=SUMPRODUCT((A1:A5=\"x\")*B1:B5)", array_anchor=False, ours=ours) is None
    assert "ISNUMBER" in fallback.classify("=SUMPRODUCT(ISNUMBER(A1:A5)*1)", array_anchor=False, ours=ours)
    assert "COUNTIF" in fallback.classify('=SUM(COUNTIF(A1:A5,{"a","b"}))', array_anchor=False, ours=ours)
    assert fallback.classify("=COUNTIF(A1:A5,\"a\")", array_anchor=False, ours=ours) is None
    assert "ISNUMBER" in fallback.classify("=SUM(IF(ISNUMBER(A1:A5),1))", array_anchor=True, ours=ours)
    assert "AGGREGATE" in fallback.classify("=AGGREGATE(9,6,A1:A5)", array_anchor=False, ours=ours)
    assert fallback.classify("=GRADE(SUM(A1:A5))", array_anchor=False, ours=ours) is None
    assert fallback.classify('=IF(A1="SUMPRODUCT(ISNUMBER(",1,2)', array_anchor=False, ours=ours) is None


def test_expand_3d():
    sheets = ["汇总", "一季度", "二季度", "三季度", "It's"]
    assert fallback.expand_3d("=SUM(一季度:三季度!B2)", sheets) == "=SUM('一季度'!B2,'二季度'!B2,'三季度'!B2)"
    assert fallback.expand_3d("=MAX(三季度:二季度!$B$2:$C$3)/2", sheets) == "=MAX('二季度'!$B$2:$C$3,'三季度'!$B$2:$C$3)/2"
    assert fallback.expand_3d("='一季度:二季度'!A1", sheets) == "='一季度:二季度'!A1"  # not an aggregate argument
    assert fallback.expand_3d("=SUM('三季度:It''s'!A1)", sheets) == "=SUM('三季度'!A1,'It''s'!A1)"
    assert fallback.expand_3d('=SUM(A1)&"一季度:三季度!B2"', sheets) == '=SUM(A1)&"一季度:三季度!B2"'
    assert fallback.expand_3d("=AVERAGE(合计)+1", sheets, {"合计": "一季度:二季度!$B$2"}) == \
        "=AVERAGE('一季度'!$B$2,'二季度'!$B$2)+1"
