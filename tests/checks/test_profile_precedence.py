"""One profile precedence everywhere: the formula's own 规则 argument > the workbook's PERFSCORE_PROFILE >
`--profile` > central. Checks judge with the profile the formulas compute with (as Excel and recalc do)."""

from __future__ import annotations

import json

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName
from typer.testing import CliRunner

from perfscore.checks import check_workbook
from perfscore.checks.files import check_file
from perfscore.checks.profile_choice import explicit_rule, workbook_profile_name
from perfscore.cli.main import app
from perfscore.forms import read_forms
from perfscore.recalc.task import TaskOptions, recalc_file
from perfscore.xlsx import read_grid
from perfscore.xlsx.grid import CellData, WorkbookGrid, SheetGrid
from tests.recalc.books import fill_template

from .corpus import CENTRAL_SHEET, build_base

runner = CliRunner()


def _grade_book(path, name_text: str | None, cell_value: str | None = None):
    """The central form with total 85 and grade 良: right under central (良 ≥ 80), wrong under grade-80-70-60."""
    def mutate(wb: openpyxl.Workbook) -> None:
        ws = wb[CENTRAL_SHEET]
        ws["J26"], ws["I27"] = 85, "良"
        if cell_value is not None:
            wb.create_sheet("设置")["B2"] = cell_value
        if name_text is not None:
            wb.defined_names["PERFSCORE_PROFILE"] = DefinedName("PERFSCORE_PROFILE", attr_text=name_text)
    return build_base("central", path, mutate)


def _grade_findings(path, *options):
    result = runner.invoke(app, ["check", "--format", "json", *options, str(path)])
    assert result.exit_code in (0, 1), result.output
    return [d for d in json.loads(result.output) if d["code"] == "GRADE_MISMATCH"]


@pytest.mark.parametrize("name_text, cell_value, option, expect_profile", [
    (None, None, [], None),  # nothing chosen: central, 85 is 良
    (None, None, ["--profile", "grade-80-70-60"], "grade-80-70-60"),  # only the option: it applies
    ('"central"', None, ["--profile", "grade-80-70-60"], None),  # the workbook's choice beats the option
    ('"grade-80-70-60"', None, [], "grade-80-70-60"),
    ('"grade-80-70-60"', None, ["--profile", "central"], "grade-80-70-60"),
    ("设置!$B$2", "grade-80-70-60", ["--profile", "central"], "grade-80-70-60"),  # the name refers to a cell
    ('"无此口径"', None, ["--profile", "grade-80-70-60"], "grade-80-70-60"),  # unknown: the next level applies
])
def test_workbook_profile_beats_the_option(tmp_path, name_text, cell_value, option, expect_profile):
    found = _grade_findings(_grade_book(tmp_path / "表.xlsx", name_text, cell_value), *option)
    if expect_profile is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0]["cell"] == "I27" and expect_profile in found[0]["message"]


def _overrun_template(path, rule_arg: str | None, setting: str | None = None):
    """The shipped template filled, row 18 a 反向 ≤350 indicator at 400 (scored differently by vendor-linear),
    its score formula stating `rule_arg`; recalculated, so the cached values are what Excel would show."""
    raw = fill_template(path.with_name("raw.xlsx"), seed=5, blanks=0)
    wb = openpyxl.load_workbook(raw)
    ws = wb.worksheets[0]
    assert ws["D18"].value == "反向"
    ws["G18"] = 400
    if setting is not None:
        ws["L2"] = setting
    if rule_arg is not None:
        ws["J18"] = ws["J18"].value.replace("I18))", f"I18,{rule_arg}))")
    wb.save(raw)
    report = recalc_file(str(raw), str(path), TaskOptions(run_checks=False))
    assert report.ok, report.reason
    return path


def _rule_findings(grid: WorkbookGrid, profile=None):
    forms = read_forms(grid).forms
    return [f for f in check_workbook(grid, forms, profile) if f.code == "SCORE_DIFFERS_FROM_RULE" and f.cell == "J18"]


@pytest.mark.parametrize("rule_arg, setting", [('"vendor-linear"', None), ("$L$2", "vendor-linear")])
def test_the_formulas_own_rule_argument_comes_first(tmp_path, rule_arg, setting):
    out = _overrun_template(tmp_path / "表.xlsx", rule_arg, setting)
    grid = read_grid(out)
    sheet = grid.sheets[0]
    assert explicit_rule(sheet.get(18, 10).formula, grid, sheet.name) == "vendor-linear"
    assert workbook_profile_name(grid) == "central"
    assert _rule_findings(grid) == [] and _rule_findings(grid, "grade-80-70-60") == []
    assert not [f for f in check_file(out) if f.code == "SCORE_DIFFERS_FROM_RULE" and f.cell == "J18"]
    # the same cached score judged as if the formula did not state its rule: central disagrees with it
    plain = sheet.get(18, 10).formula.replace(f",{rule_arg}))", "))")
    sheet.cells[(18, 10)] = CellData(18, 10, sheet.value(18, 10), plain)
    found = _rule_findings(grid)
    assert len(found) == 1 and "central" in found[0].message


def test_without_a_rule_argument_the_workbook_profile_judges(tmp_path):
    out = _overrun_template(tmp_path / "表.xlsx", None)
    assert _rule_findings(read_grid(out)) == []  # central computed it, central judges it
    assert explicit_rule(read_grid(out).sheets[0].get(18, 10).formula, read_grid(out), None) is None


@pytest.mark.parametrize("formula, expect", [
    ('=SCORE_INDICATOR(D5,E5,F5,G5,I5,"vendor-linear")', "vendor-linear"),
    ('=IF(I5="","",[1]!SCORE_INDICATOR(D5,E5,F5,G5,I5," vendor-linear "))', "vendor-linear"),
    ('=_xludf.GRADE(J43,"grade-80-70-60")', "grade-80-70-60"),
    ("=SCORE_INDICATOR(D5,E5,F5,G5,I5)", None),  # no 规则 argument
    ("=SCORE_INDICATOR(D5,E5,F5,G5,I5,)", None),  # omitted
    ('=SCORE_INDICATOR(D5,E5,F5,G5,I5,"")', None),  # blank
    ('=SCORE_INDICATOR(D5,E5,F5,G5,I5,IF(A1,"a","b"))', None),  # an expression: not read without evaluating
    ('=SCORE_INDICATOR(D5,E5,F5,G5,I5,"a")+SCORE_INDICATOR(D6,E6,F6,G6,I6,"b")', None),  # calls disagree
    ('=SCORE_INDICATOR(D5,E5,F5,G5,MAX(I5,1),"a")+GRADE(1)', "a"),
    ("=SUM(A1:A3)", None),
])
def test_explicit_rule_reading(formula, expect):
    grid = WorkbookGrid("x.xlsx", [SheetGrid("表")])
    assert explicit_rule(formula, grid, "表") == expect
