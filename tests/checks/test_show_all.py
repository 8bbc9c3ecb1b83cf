"""show_all / `perfscore check --all`: HARDCODED_CONSTANT on a sheet that is not a form only in the full report."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from perfscore.checks import check_workbook
from perfscore.checks.files import check_file
from perfscore.cli.main import app
from perfscore.forms import read_forms
from perfscore.xlsx import read_grid

from .corpus import CASES, build_base

CASE = next(c for c in CASES if c.id == "summary-hardcoded")  # =ROUND(MIN(D5,1)*10,2) on the 汇总 sheet
WHERE = dict(CASE.expect)["HARDCODED_CONSTANT"]


def _hardcoded(findings):
    return [f"{f.sheet}!{f.cell}" for f in findings if f.code == "HARDCODED_CONSTANT"]


def test_check_file_and_check_workbook_pass_show_all(tmp_path):
    path = build_base(CASE.base, tmp_path / "s.xlsx", CASE.mutate)
    assert WHERE not in _hardcoded(check_file(path))
    assert WHERE in _hardcoded(check_file(path, show_all=True))
    grid = read_grid(path)
    forms = read_forms(grid).forms
    assert WHERE not in _hardcoded(check_workbook(grid, forms))
    assert WHERE in _hardcoded(check_workbook(grid, forms, show_all=True))


def test_cli_all_flag(tmp_path):
    path = build_base(CASE.base, tmp_path / "s.xlsx", CASE.mutate)
    runner = CliRunner()
    plain = runner.invoke(app, ["check", "--format", "json", str(path)])
    full = runner.invoke(app, ["check", "--all", "--format", "json", str(path)])
    assert plain.exit_code in (0, 1) and full.exit_code == plain.exit_code, (plain.output, full.output)
    shown = lambda out: [f"{f['sheet']}!{f['cell']}" for f in json.loads(out) if f["code"] == "HARDCODED_CONSTANT"]
    assert WHERE not in shown(plain.output) and WHERE in shown(full.output)
    helptext = runner.invoke(app, ["check", "--help"], env={"COLUMNS": "200"}).output
    assert "--all" in helptext and "非自评表工作表上的写死常数" in helptext
