"""`perfscore check`: exit codes, text and JSON output, folders, bad files as one finding each."""

from __future__ import annotations

import json
import zipfile

import pytest
from typer.testing import CliRunner

from perfscore.checks.files import check_file
from perfscore.cli.main import app

from .corpus import CASES, build_base

runner = CliRunner()


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    clean = build_base("central", d / "clean.xlsx")
    case = next(c for c in CASES if c.id == "grade-wrong")
    (d / "sub" / "deeper").mkdir(parents=True)
    broken = build_base(case.base, d / "sub" / "deeper" / "broken.xlsx", case.mutate)
    (d / "sub" / "~$broken.xlsx").write_bytes(b"owner file of an open workbook")
    return {"dir": d, "clean": clean, "broken": broken}


def _run(*args):
    return runner.invoke(app, ["check", *map(str, args)])


def test_clean_file_exits_0_and_text_groups_by_file(books):
    result = _run(books["clean"])
    assert result.exit_code == 0, result.output
    assert "clean.xlsx" in result.output and "警告" in result.output and "EXEC_RATE_MISMATCH" in result.output


def test_error_exits_1(books):
    result = _run(books["broken"])
    assert result.exit_code == 1
    assert "GRADE_MISMATCH" in result.output and "I27" in result.output


def test_json_is_a_list_of_findings(books):
    result = _run("--format", "json", books["broken"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert isinstance(data, list) and data
    assert set(data[0]) == {"file", "sheet", "cell", "code", "severity", "message"}
    assert any(d["code"] == "GRADE_MISMATCH" and d["cell"] == "I27" and d["severity"] == "错误" for d in data)


def test_folder_is_searched_recursively_and_lock_files_skipped(books):
    result = _run("--format", "json", books["dir"])
    files = {d["file"] for d in json.loads(result.output)}
    assert any(f.endswith("broken.xlsx") and "~$" not in f for f in files)
    assert any(f.endswith("clean.xlsx") for f in files)
    assert not any("~$" in f for f in files)
    assert result.exit_code == 1


@pytest.mark.parametrize("args", [[], ["/无此路径/x.xlsx"], ["--profile", "无此方案", "X"], ["--format", "xml", "X"]])
def test_usage_errors_exit_2(books, args):
    args = [str(books["clean"]) if a == "X" else a for a in args]
    assert _run(*args).exit_code == 2


def test_profile_option_changes_the_grade_band(books):
    # central total 90.06 is 优 under 90/80/60 and still 优 under 80/70/60; 良 is wrong under both
    result = _run("--profile", "grade-80-70-60", "--format", "json", books["broken"])
    msg = next(d["message"] for d in json.loads(result.output) if d["code"] == "GRADE_MISMATCH")
    assert "grade-80-70-60" in msg and "优≥80" in msg


def test_list_codes():
    result = runner.invoke(app, ["check", "--list-codes"])
    assert result.exit_code == 0 and "INCONSISTENT_FORMULA" in result.output


def _bad_files(d):
    (d / "text.xlsx").write_text("这不是工作簿", encoding="utf-8")
    (d / "legacy.xls").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600)
    good = build_base("central", d / "good.xlsx")
    (d / "truncated.xlsx").write_bytes(good.read_bytes()[:900])
    with zipfile.ZipFile(d / "empty.xlsx", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    with zipfile.ZipFile(d / "badxml.xlsx", "w") as z:
        for name in zipfile.ZipFile(good).namelist():
            z.writestr(name, "<not xml" if name.endswith("sheet1.xml") else zipfile.ZipFile(good).read(name))
    good.unlink()
    return ["text.xlsx", "legacy.xls", "truncated.xlsx", "empty.xlsx", "badxml.xlsx"]


def test_bad_files_are_one_finding_each_never_a_crash(tmp_path):
    names = _bad_files(tmp_path)
    for name in names:
        found = check_file(tmp_path / name)
        assert [f.code for f in found] == ["FILE_UNREADABLE"], (name, found)
        assert name in found[0].message
    result = _run("--format", "json", tmp_path)
    assert result.exit_code == 1
    assert sorted(d["file"].rsplit("/", 1)[1] for d in json.loads(result.output)) == sorted(names)
