"""环境检测 and 转为通用公式. The environment check is VBA (it must work when Python cannot start): its pure
functions run in pyOpenVBA's interpreter on the probe output of a real interpreter run as the VBA runs it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from pyopenvba.interpreter import Interpreter

from perfscore.forms.templates import write_template
from perfscore_addin.build import vba_modules
from perfscore_addin.envcheck import MESSAGES, probe_lines
from perfscore_addin.ribbon import dispatch

from .fakebook import FakeBook

INTERP = r"C:\Users\u\AppData\Local\perfscore\venv\Scripts\pythonw.exe"
DLL = "xlwings64-0.37.8.dll"


@pytest.fixture(scope="module")
def modules():
    return {m.name: m.source for m in vba_modules()}


@pytest.fixture(scope="module")
def vba(modules):
    interp = Interpreter()
    for name in ("perfscore_errors", "perfscore_text", "perfscore_env"):
        interp.add_module("\n".join(l for l in modules[name].splitlines() if not l.startswith("Attribute VB_")),
                          name=name)
    return interp


def probe_as_the_vba_runs_it(modules, version="0.37.8", profile="central", bits=64) -> str:
    """The -c code is taken from the VBA source, so the test runs what Excel would run."""
    env = modules["perfscore_env"]
    m = re.search(r'-c ""(import perfscore_addin\.envcheck as e; e\.probe\()', env)
    assert m, "RunProbe's command line"
    code = f"{m.group(1)}'{version}', '{profile}', {bits})"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    return out.stdout + "\n" + out.stderr


def bad(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.startswith(MESSAGES["bad"])]


def test_probe_prints_ascii_lines_only(modules):
    out = probe_as_the_vba_runs_it(modules, profile="没有这个口径")
    assert out.isascii()
    assert out.startswith("PERFSCORE-PROBE 1\nPYTHON OK ")
    assert "XLWINGS OK 0.37.8" in out and "PERFSCORE OK" in out and "UDFS OK" in out and "PROFILE BAD" in out


def test_a_working_environment_passes(vba, modules):
    report = vba.run("EnvReport", [INTERP, True, r"C:\Users\u\AppData\Local\perfscore\venv", DLL,
                                   probe_as_the_vba_runs_it(modules)])
    assert bad(report) == []
    assert report.endswith(MESSAGES["all_ok"])
    for key in ("interp_ok", "dll_ok", "python", "xlwings_ok", "perfscore_ok", "udfs_ok", "profile_ok"):
        assert MESSAGES[key] in report, key


def test_a_missing_interpreter_is_said_in_chinese_with_the_fix(vba):
    report = vba.run("EnvReport", [INTERP, False, "", DLL, ""])
    assert bad(report) == [MESSAGES["bad"] + MESSAGES["interp_missing"] + INTERP]
    assert MESSAGES["interp_fix"] in report and report.endswith(MESSAGES["some_bad"])


def test_a_missing_dll_is_said(vba, modules):
    report = vba.run("EnvReport", [INTERP, True, "", DLL, probe_as_the_vba_runs_it(modules)])
    assert bad(report) == [MESSAGES["bad"] + MESSAGES["dll_missing"] + DLL]
    assert MESSAGES["dll_fix"] in report


def test_version_bits_and_profile_problems_are_each_listed(vba, modules):
    probe = probe_as_the_vba_runs_it(modules, version="0.30.0", profile="没有这个口径", bits=32)
    report = vba.run("EnvReport", [INTERP, True, r"C:\venv", DLL, probe])
    problems = bad(report)
    assert len(problems) == 3, report
    assert problems[0].startswith(MESSAGES["bad"] + MESSAGES["bits_mismatch"])
    assert problems[1].startswith(MESSAGES["bad"] + MESSAGES["xlwings_mismatch"] + "0.30.0")
    assert problems[2].startswith(MESSAGES["bad"] + MESSAGES["profile_bad"])
    assert "没有这个口径" in problems[2]  # the core's Chinese reason, unescaped from the probe's ASCII


def test_an_environment_without_perfscore(vba):
    stderr = "Traceback (most recent call last):\n  File \"<string>\", line 1\nModuleNotFoundError: No module named 'perfscore_addin'"
    report = vba.run("EnvReport", [INTERP, True, r"C:\venv", DLL, "\n" + stderr])
    assert len(bad(report)) == 1 and MESSAGES["perfscore_missing"] in bad(report)[0]
    assert "No module named 'perfscore_addin'" in report


def test_a_bare_interpreter_name_is_a_hint_not_a_failure(vba, modules):
    report = vba.run("EnvReport", ["pythonw", False, "", DLL, probe_as_the_vba_runs_it(modules)])
    assert report.startswith(MESSAGES["warn"] + MESSAGES["interp_unset"]) and bad(report) == []


def test_console_interpreter_for_the_probe(vba):
    assert vba.run("ConsoleInterpreter", [INTERP]) == INTERP[:-len("pythonw.exe")] + "python.exe"
    assert vba.run("ConsoleInterpreter", [r"C:\py\python.exe"]) == r"C:\py\python.exe"


def test_every_text_key_the_vba_uses_exists(modules):
    used = set(re.findall(r'Msg\("(\w+)"\)', modules["perfscore_env"]))
    assert used and used <= set(MESSAGES)
    assert all(text.strip() for text in MESSAGES.values())


def test_probe_lines_report_a_missing_profile_name_as_default():
    lines = probe_lines("0.37.8", "")
    assert lines[-1] == "PROFILE DEFAULT central"


# ------------------------------------------------------------------ 转为通用公式


def _template_with_rows(path: Path) -> Path:
    write_template("project", path)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    ws["F6"], ws["G6"] = 3000, 932.92
    for col, v in zip("CDEFGHI", ("培训人数", "正向", "≥", 19, 17, "人", 2)):
        ws[f"{col}13"] = v
    wb.save(path)
    return path


def test_freeze_writes_a_copy_with_native_formulas_and_keeps_the_workbook(tmp_path):
    src = _template_with_rows(tmp_path / "自评表.xlsx")
    before = src.read_bytes()
    book = FakeBook.from_xlsx(src)
    summary = dispatch("freeze_native", book=book)
    out = tmp_path / "自评表（通用公式）.xlsx"
    assert summary.startswith(f"已另存为“{out.name}”") and "WPS" in summary, summary
    assert src.read_bytes() == before
    formulas = [c.value for row in openpyxl.load_workbook(out).worksheets[0].iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("=")]
    assert formulas and not any(re.search(r"SCORE_|GRADE\(", f) for f in formulas)
    again = dispatch("freeze_native", book=book)
    assert "自评表（通用公式）(2).xlsx" in again and out.exists()


def test_freeze_of_a_workbook_without_perfscore_calls_writes_nothing(tmp_path):
    src = tmp_path / "普通.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=SUM(1,2)"
    wb.save(src)
    summary = dispatch("freeze_native", book=FakeBook.from_xlsx(src))
    assert "没有绩效评分函数" in summary
    assert sorted(p.name for p in tmp_path.iterdir()) == ["普通.xlsx"]


def test_freeze_of_an_unsaved_workbook_asks_to_save_first(tmp_path):
    book = FakeBook.from_xlsx(_template_with_rows(tmp_path / "a.xlsx"))
    book.path = "工作簿1"
    assert "请先把工作簿保存" in dispatch("freeze_native", book=book)
