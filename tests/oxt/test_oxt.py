"""The LibreOffice extension: built from text, same bytes twice; its functions equal the rule core in Calc."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from corpus import cell_arg, indicator_rows, pair_rows, survey_rows, total_rows, write_value
from check import verdicts
from perfscore.cli import cmd_oxt
from perfscore.xlsx.grid import col_letter


def _need_sdk():
    if shutil.which("unoidl-write") is None and not Path("/usr/lib/libreoffice/sdk/bin/unoidl-write").exists():
        pytest.skip("unoidl-write 未安装（apt-get install libreoffice-dev libreoffice-script-provider-python）")


@pytest.fixture(scope="module")
def oxt(tmp_path_factory):
    _need_sdk()
    return cmd_oxt.build_oxt(tmp_path_factory.mktemp("oxt") / "perfscore.oxt")


def test_build_is_deterministic_and_complete(oxt, tmp_path):
    again = cmd_oxt.build_oxt(tmp_path / "again.oxt")
    assert oxt.read_bytes() == again.read_bytes()
    names = zipfile.ZipFile(oxt).namelist()
    for needed in ("META-INF/manifest.xml", "description.xml", "perfscore_calc.py", "CalcAddIns.xcu", "XPerfscore.rdb",
                   "pythonpath/perfscore/excel_functions.py", "pythonpath/perfscore/rules/scoring.py",
                   "pythonpath/perfscore/rules/profiles/central.toml", "pythonpath/perfscore/xlsx/grid.py"):
        assert needed in names
    xcu = zipfile.ZipFile(oxt).read("CalcAddIns.xcu").decode("utf-8")
    from perfscore.excel_functions import SPECS

    for spec in SPECS.values():  # help texts come from the same specs as Excel's wizard
        assert f'oor:name="{spec.name}"' in xcu and spec.params[0].label in xcu


FUNCTIONS = {"SCORE_INDICATOR": indicator_rows(2000, 21), "SCORE_EXEC_RATE": pair_rows(300, 22),
             "SCORE_COST_SAVING": pair_rows(300, 23), "SCORE_SATISFACTION": survey_rows(300, 24),
             "GRADE": total_rows(300, 25)}


def _book(path: Path, profile: str | None, functions: dict):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    formulas = {}
    for name, rows in functions.items():
        ws = wb.create_sheet(name[:31])
        n = len(rows[0])
        column = []
        for i, row in enumerate(rows, start=1):
            for j, v in enumerate(row, start=1):
                write_value(ws, i, j, v)
            column.append([f"={name}({';'.join(f'{col_letter(j)}{i}' for j in range(1, n + 1))})"])
        out = col_letter(n + 1)
        formulas[ws.title] = {f"{out}1:{out}{len(rows)}": column}
    if profile:
        from openpyxl.workbook.defined_name import DefinedName

        wb.defined_names["PERFSCORE_PROFILE"] = DefinedName("PERFSCORE_PROFILE", attr_text=f'"{profile}"')
    wb.save(path)
    return formulas


@pytest.mark.slow
def test_extension_functions_equal_the_core_in_calc(oxt, tmp_path, lo):
    """central: 2 000 indicator rows and 300 of each other function; seed002-strict (taken from the workbook's
    PERFSCORE_PROFILE, as in Excel) on 500 indicator rows. (~4 ms per add-in call in LibreOffice.)"""
    profiles = {"central.xlsx": None, "strict.xlsx": "seed002-strict"}
    corpora = {"central.xlsx": FUNCTIONS, "strict.xlsx": {"SCORE_INDICATOR": indicator_rows(500, 26)}}
    formulas = {book: _book(tmp_path / book, profile, corpora[book]) for book, profile in profiles.items()}
    got = lo([tmp_path / b for b in profiles], oxt=oxt, formulas=formulas, tmp=tmp_path)
    problems = []
    for book, profile in profiles.items():
        for name, rows in corpora[book].items():
            args = [[cell_arg(v) for v in row] for row in rows]
            bad, _ = verdicts(name, args, got[book][name[:31]], col_letter(len(rows[0]) + 1), profile or "central",
                              native=False)
            problems += [(book, name, *b) for b in bad[:5]]
    assert not problems, problems
