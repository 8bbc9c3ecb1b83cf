"""The checker reads qualitative actuals with the lexicon of the profile it judges with (users extend it)."""

from __future__ import annotations

from perfscore.checks import check_workbook
from perfscore.forms import read_forms
from perfscore.rules.profiles import profile_from_dict
from perfscore.samples.published import build_central
from perfscore.xlsx import read_grid

import openpyxl


def test_a_phrase_only_the_users_lexicon_knows_is_understood_by_the_checker(tmp_path):
    path = build_central(tmp_path / "central.xlsx")
    form = read_forms(read_grid(path)).forms[0]
    row = next(i for i in form.indicators if i.nature.text() == "定性" and i.weight.value)
    wb = openpyxl.load_workbook(path)
    wb.active[row.actual.ref] = "已办结"
    wb.save(path)
    grid = read_grid(path)
    forms = read_forms(grid).forms

    def about_row(profile):
        return [f for f in check_workbook(grid, forms, profile) if f.cell == row.actual.ref]

    assert any("已办结" in f.message for f in about_row(None))  # central does not know the phrase
    mine = profile_from_dict({"name": "mine", "lexicon": {"statements": {"已办结": "达成"}}})
    assert about_row(mine) == []
