"""Workbooks calling perfscore functions: each value equals the add-in bridge's to the last digit."""

from __future__ import annotations

import pytest

from perfscore.recalc.task import recalc_file
from perfscore.xlsx import ExcelError, read_grid
from perfscore_udfs._bridge import call
from tests.recalc.books import udf_book

PREFIXES = ["", "[1]!", "'C:\\Users\\user\\AppData\\Roaming\\Microsoft\\AddIns\\perfscore.xlsam'!".replace("xlsam", "xlam")]


def _inputs(sheet, r):
    return [sheet.value(r, c) for c in range(1, 6)]


@pytest.mark.parametrize("prefix", PREFIXES, ids=["plain", "addin-link", "addin-path"])
def test_values_equal_the_bridge(tmp_path, prefix):
    src = udf_book(tmp_path / "in.xlsx", prefix)
    out = tmp_path / "out.xlsx"
    report = recalc_file(str(src), str(out))
    assert report.ok, report.reason
    assert report.engine == "ironcalc+桥接"
    grid = read_grid(out)
    ws = grid.sheet("项目支出绩效自评表")
    budget = grid.sheet("预算")
    # each indicator row, computed by the bridge from the same inputs (blank actual -> "" from IF)
    scores = []
    for r in range(2, 9):
        nature, op, target, actual, weight = _inputs(ws, r)
        expected = "" if actual is None else call("SCORE_INDICATOR", [nature, op, target, actual, weight])
        got = ws.value(r, 6)
        assert (got if got is not None else "") == expected, (r, got, expected)
        if isinstance(expected, float):
            scores.append(expected)
    exec_score = call("SCORE_EXEC_RATE", [3000, 932.92, 10])
    assert ws.value(12, 6) == exec_score == 3.11
    total = sum(scores) + exec_score
    assert ws.value(10, 6) == total  # SUM over bridged results, by the engine
    assert ws.value(11, 6) == call("GRADE", [total])  # GRADE of a built-in total
    assert ws.value(13, 6) == call("SCORE_SATISFACTION", [70, 9, 8, 0, 4, 10]) == 8.87
    assert ws.value(14, 6) == call("SCORE_COST_SAVING", [100, 92.84, 10])
    inner = round(sum(scores) * 100 / call("SCORE_EXEC_RATE", [3000, 3000, 100]), 2)
    assert ws.value(15, 6) == call("GRADE", [inner])  # nested call inside a built-in inside a call
    assert ws.value(16, 6) == ExcelError("#VALUE!")  # wrong number of arguments, as in Excel
    assert ws.value(17, 6) == call("GRADE", [total])  # through a Chinese defined name
    assert ws.value(18, 6) == call("GRADE", [total, "central"])
    assert ws.value(19, 6) == -1  # IFERROR around a refusal (budget 0)
    assert budget.value(3, 2) == total  # cross-sheet reference to a bridged total
    assert budget.value(4, 2) == call("GRADE", [total - 10])


def test_formulas_are_kept_verbatim(tmp_path):
    src = udf_book(tmp_path / "in.xlsx", "[1]!")
    out = tmp_path / "out.xlsx"
    assert recalc_file(str(src), str(out)).ok
    before, after = read_grid(src), read_grid(out)
    for s0, s1 in zip(before.sheets, after.sheets):
        f0 = {k: c.formula for k, c in s0.cells.items() if c.formula}
        f1 = {k: c.formula for k, c in s1.cells.items() if c.formula}
        assert f0 == f1
    assert after.sheet("项目支出绩效自评表").get(11, 6).formula == "=[1]!GRADE(F10)"


def test_workbook_profile_name_is_honoured(tmp_path):
    """PERFSCORE_PROFILE in the workbook picks the rule profile, as the add-in does in Excel."""
    from openpyxl import load_workbook
    from openpyxl.workbook.defined_name import DefinedName

    from perfscore.rules import list_profiles

    names = [p.name for p in list_profiles()]
    assert "vendor-linear" in names  # reverse indicators score differently there (400 vs 350)
    src = udf_book(tmp_path / "in.xlsx")
    wb = load_workbook(src)
    name = "vendor-linear"
    wb.defined_names["PERFSCORE_PROFILE"] = DefinedName("PERFSCORE_PROFILE", attr_text=f'"{name}"')
    wb.save(src)
    out = tmp_path / "out.xlsx"
    assert recalc_file(str(src), str(out)).ok
    ws = read_grid(out).sheet("项目支出绩效自评表")
    for r in range(2, 8):
        nature, op, target, actual, weight = _inputs(ws, r)
        assert ws.value(r, 6) == call("SCORE_INDICATOR", [nature, op, target, actual, weight], name)
    assert call("SCORE_INDICATOR", _inputs(ws, 4), name) != call("SCORE_INDICATOR", _inputs(ws, 4))


def test_circular_reference_through_a_call_is_refused(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["A1"] = "=SCORE_EXEC_RATE(100,B1,10)"
    ws["B1"] = "=A1*10"
    wb.save(tmp_path / "c.xlsx")
    report = recalc_file(str(tmp_path / "c.xlsx"), str(tmp_path / "o.xlsx"))
    assert not report.ok and "循环引用" in report.reason
    assert not (tmp_path / "o.xlsx").exists()


def _engine_values(path, precompute):
    """The engine's values with (and, if a spill filled a blank argument, then without) or without computing
    constant-argument calls before the first evaluation."""
    from perfscore.recalc.engine import _evaluate, _evaluate_once
    from perfscore.recalc.task import _functions

    if precompute:
        return _evaluate_once(read_grid(path), _functions(None), {}, route_panic_prone=False).values
    return _evaluate(read_grid(path), _functions(None), {}, route_panic_prone=False, precompute=False).values


@pytest.mark.parametrize("prefix", PREFIXES[:2], ids=["plain", "addin-link"])
def test_calls_on_constants_computed_first_change_nothing(tmp_path, prefix):
    src = udf_book(tmp_path / "in.xlsx", prefix)
    fast, general = _engine_values(src, True), _engine_values(src, False)
    assert fast.keys() == general.keys()
    assert all(type(fast[k]) is type(general[k]) and fast[k] == general[k] for k in fast)


def test_blank_argument_filled_by_a_spill_is_seen(tmp_path):
    """A blank argument looks constant before the engine runs, but a dynamic-array spill fills it."""
    from openpyxl import Workbook

    from perfscore.recalc.engine import _ArgumentFilled, _evaluate
    from perfscore.recalc.task import _functions

    wb = Workbook()
    ws = wb.active
    ws["A1"] = "=SEQUENCE(3)"  # ironcalc spills 1, 2, 3 into A1:A3
    ws["B1"] = "=SCORE_EXEC_RATE(100,A2,10)"
    wb.save(tmp_path / "s.xlsx")
    with pytest.raises(_ArgumentFilled):
        _evaluate(read_grid(tmp_path / "s.xlsx"), _functions(None), {}, route_panic_prone=False, precompute=True)
    values = _engine_values(tmp_path / "s.xlsx", True)
    assert values[(0, 1, 2)] == call("SCORE_EXEC_RATE", [100, 2.0, 10]) != call("SCORE_EXEC_RATE", [100, None, 10])
    assert values == _engine_values(tmp_path / "s.xlsx", False)


def test_constant_arguments_are_read_as_the_model_holds_them(tmp_path, monkeypatch):
    """Arguments of calls on constants are taken from the grid before the engine runs: for every kind of
    constant (integer, float, logical, text, text that looks like an error, error value, blank, ranges, another
    sheet) they equal what the engine model gives back for the same cells."""
    from openpyxl import Workbook

    from perfscore.recalc import engine
    from perfscore.recalc.task import _functions

    wb = Workbook()
    ws = wb.active
    other = wb.create_sheet("数据 '表'")
    for ref, value in {"B1": 50, "B2": 50.5, "B3": True, "B4": "文字", "B5": "#N/A", "C1": -0.0, "C2": "", "D1": 7}.items():
        ws[ref] = value
    ws["B6"] = "=1/0"  # a formula: calls on it are not constant
    other["A1"] = 12
    args = ["B1", "B2", "B3", "B4", "B5", "B7", "C1", "C2", "B1:C2", "B1:B5", "B1:D1", "'数据 ''表'''!A1", "'无此表'!A1"]
    for i, ref in enumerate(args, start=1):
        ws.cell(20 + i, 1, f"=SCORE_EXEC_RATE(100,{ref},10)")
    ws["A40"] = "=GRADE(B6)"
    wb.save(tmp_path / "k.xlsx")
    wb.close()

    seen = []
    original = engine._constant_args

    def checked(site, grid, model, in_array):
        out = original(site, grid, model, in_array)
        if out is not None:
            from_model = [engine._arg_value(model, site, a) for a in site.args]
            assert repr(out[0]) == repr(from_model)  # repr: types too (50 -> 50.0, -0.0 stays -0.0)
            seen.append(site)
        return out

    monkeypatch.setattr(engine, "_constant_args", checked)
    grid = read_grid(tmp_path / "k.xlsx")
    result = engine._evaluate(grid, _functions(None), {}, route_panic_prone=False, precompute=True)
    assert len(seen) == len(args)  # every call but GRADE(B6) was computed before the engine ran
    assert result.values == _engine_values(tmp_path / "k.xlsx", False)
