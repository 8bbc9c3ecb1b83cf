"""What the CLI does with what users' machines hand it: every case ends with an exit code and a Chinese message,
never a traceback, and no input file is ever overwritten."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from perfscore.cli.main import app
from perfscore.samples import build_central

REPO = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict | None = None):
    result = CliRunner().invoke(app, [str(a) for a in args], env=env)
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, (OSError, AttributeError, TypeError, KeyError)), result.exception
    return result


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def readonly_dir(tmp_path):
    """A folder nobody can write into: chmod for a normal user; as root (chmod does not bind root) chattr +i."""
    d = tmp_path / "只读"
    d.mkdir()
    d.chmod(0o555)
    immutable = False

    def writable() -> bool:
        probe = d / ".probe"
        try:
            probe.write_bytes(b"")
        except OSError:
            return False
        probe.unlink()
        return True

    if writable() and shutil.which("chattr"):
        immutable = subprocess.run(["chattr", "+i", str(d)], capture_output=True).returncode == 0
    if writable():
        pytest.skip("cannot make a read-only folder here (root without chattr)")
    yield d
    if immutable:
        subprocess.run(["chattr", "-i", str(d)], check=True)
    d.chmod(0o755)


@pytest.fixture
def blank_form(tmp_path) -> Path:
    """The published central form without scores: apply has formulas to write."""
    (tmp_path / "in").mkdir()
    return build_central(tmp_path / "in" / "自评表.xlsx", scores=False)


@pytest.fixture
def filled_form(tmp_path) -> Path:
    """The published central form with every score typed in: apply keeps them all (0 formulas)."""
    (tmp_path / "filled").mkdir()
    return build_central(tmp_path / "filled" / "手填.xlsx", scores=True)


# -- template -o -------------------------------------------------------------------------------------------


def test_template_into_a_readonly_folder_is_a_chinese_error(readonly_dir):
    result = run("template", "project", "-o", readonly_dir / "t.xlsx")
    assert result.exit_code == 1
    assert "无法写出模板" in result.output and str(readonly_dir / "t.xlsx") in result.output
    assert "写入" in result.output  # 没有写入权限 / 不允许写入
    assert list(readonly_dir.iterdir()) == []


def test_template_onto_a_folder_writes_into_it_with_the_standard_name(tmp_path):
    folder = tmp_path / "模板"
    folder.mkdir()
    result = run("template", "project", "-o", folder)
    assert result.exit_code == 0, result.output
    assert (folder / "项目支出绩效自评表.xlsx").is_file()
    assert "已生成" in result.output


def test_template_never_overwrites_an_existing_file_without_force(tmp_path):
    target = tmp_path / "我的表.xlsx"
    target.write_bytes(b"my own work")
    result = run("template", "project", "-o", target)
    assert result.exit_code == 1
    assert "已存在" in result.output and "--force" in result.output
    assert target.read_bytes() == b"my own work"
    forced = run("template", "project", "-o", target, "--force")
    assert forced.exit_code == 0, forced.output
    assert target.read_bytes()[:2] == b"PK"


def test_template_into_a_missing_folder_says_so(tmp_path):
    result = run("template", "project", "-o", tmp_path / "没有" / "t.xlsx")
    assert result.exit_code == 1
    assert "不存在" in result.output


def test_template_with_an_unknown_name_lists_the_names(tmp_path):
    result = run("template", "nope", "-o", tmp_path / "t.xlsx")
    assert result.exit_code == 2
    assert "没有名为“nope”的模板" in result.output and "project" in result.output


# -- apply -o ----------------------------------------------------------------------------------------------


def test_apply_into_a_readonly_folder_is_a_chinese_error(blank_form, readonly_dir):
    before = digest(blank_form)
    result = run("apply", blank_form, "-o", readonly_dir / "out.xlsx")
    assert result.exit_code == 1
    assert "无法写出" in result.output and str(readonly_dir / "out.xlsx") in result.output
    assert ".tmp" not in result.output  # the message names the target, not our temporary file
    assert digest(blank_form) == before and list(readonly_dir.iterdir()) == []


def test_apply_onto_a_folder_writes_into_it(blank_form, tmp_path):
    folder = tmp_path / "输出"
    folder.mkdir()
    result = run("apply", blank_form, "-o", folder)
    assert result.exit_code == 0, result.output
    assert (folder / blank_form.name).is_file()


def test_apply_onto_its_own_folder_refuses_and_keeps_the_input(blank_form):
    before = digest(blank_form)
    result = run("apply", blank_form, "-o", blank_form.parent)
    assert result.exit_code == 1
    assert "不能与输入文件相同" in result.output
    assert digest(blank_form) == before


def test_apply_that_writes_no_formula_writes_no_file(filled_form, tmp_path):
    out = tmp_path / "out.xlsx"
    result = run("apply", filled_form, "-o", out)
    assert result.exit_code == 1
    assert "没有需要写入的公式" in result.output and "未生成" in result.output and "--overwrite" in result.output
    assert not out.exists()


def test_apply_of_a_missing_file(tmp_path):
    result = run("apply", tmp_path / "nope.xlsx", "-o", tmp_path / "o.xlsx")
    assert result.exit_code == 2
    assert "找不到" in result.output


def test_apply_says_which_programs_compute_the_formulas(blank_form, tmp_path):
    plain = run("apply", blank_form, "-o", tmp_path / "a.xlsx")
    assert plain.exit_code == 0, plain.output
    assert "在 Excel/WPS 中打开即得到" not in plain.output  # WPS runs no xlwings add-in
    assert "加载项" in plain.output and "--native" in plain.output and "perfscore recalc" in plain.output
    native = run("apply", blank_form, "-o", tmp_path / "b.xlsx", "--native")
    assert native.exit_code == 0, native.output
    assert "WPS" in native.output and "无需加载项" in native.output and "#NAME?" not in native.output


# -- recalc ------------------------------------------------------------------------------------------------


def test_recalc_of_a_missing_path_fails(tmp_path):
    result = run("recalc", tmp_path / "nonexistent", "-o", tmp_path / "out", "-q")
    assert result.exit_code == 2
    assert "找不到" in result.output and "nonexistent" in result.output
    assert not (tmp_path / "out").exists()


def test_recalc_of_an_empty_folder_fails(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "说明.txt").write_text("no workbooks here", encoding="utf-8")
    result = run("recalc", tmp_path / "empty", "-o", tmp_path / "out", "-q")
    assert result.exit_code == 2
    assert "没有找到可重算的 Excel 工作簿" in result.output
    assert not (tmp_path / "out" / "重算汇总.xlsx").exists()


def test_recalc_with_only_old_format_files_says_why(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "旧表.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    result = run("recalc", tmp_path / "old", "-o", tmp_path / "out", "-q")
    assert result.exit_code == 2
    assert "旧表.xls" in result.output and "没有找到可重算" in result.output


def test_recalc_into_its_input_folder_refuses_and_keeps_the_inputs(blank_form):
    inbox = blank_form.parent
    before = {p.name: digest(p) for p in inbox.iterdir()}
    result = run("recalc", inbox, "-o", inbox, "-q")
    assert result.exit_code == 2
    assert "不能是输入文件夹" in result.output
    assert {p.name: digest(p) for p in inbox.iterdir()} == before


def test_recalc_of_a_file_into_its_own_folder_refuses(blank_form):
    before = digest(blank_form)
    result = run("recalc", blank_form, "-o", blank_form.parent, "-q")
    assert result.exit_code == 2
    assert "覆盖输入文件" in result.output
    assert digest(blank_form) == before


def test_recalc_into_a_subfolder_of_a_readonly_folder(blank_form, readonly_dir):
    result = run("recalc", blank_form.parent, "-o", readonly_dir / "sub", "-q")
    assert result.exit_code == 2
    assert "无法建立输出文件夹" in result.output and "sub" in result.output


def test_recalc_into_a_readonly_folder_cannot_write_the_summary(blank_form, readonly_dir):
    result = run("recalc", blank_form.parent, "-o", readonly_dir, "-q", "--jobs", "1")
    assert result.exit_code == 2
    assert "无法写出汇总表" in result.output


# -- framework text ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("args, expected", [
    (["apply"], "缺少参数 'form'"),
    (["recalc", "x"], "缺少选项 '-o' / '--output'"),
    (["apply", "a.xlsx", "-o"], "选项 '-o' 后面需要一个值"),
    (["apply", "a.xlsx", "-o", "b.xlsx", "--bogus"], "没有选项 --bogus"),
    (["apply", "a.xlsx", "b.xlsx", "-o", "c.xlsx"], "多余的参数：b.xlsx"),
    (["recalc", "x", "-o", "y", "--jobs", "0"], "的值无效：应当不小于 1"),
    (["recalc", "x", "-o", "y", "--jobs", "many"], "应当是一个数"),
    (["recalc", "x", "-o", "y", "--executor", "cloud"], "不是可选值之一"),
    (["nosuch"], "没有命令 'nosuch'"),
])
def test_usage_errors_are_chinese(args, expected):
    result = run(*args)
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert expected.replace(" ", "") in text.replace(" ", ""), result.output
    assert "错误" in result.output
    if args == ["apply"]:
        assert "用法：perfscore apply" in result.output
    for english in ("Usage:", "Missing ", "Error", "Try '", "No such", "Invalid value", "Got unexpected"):
        assert english not in result.output


def test_help_is_chinese():
    result = run("apply", "--help")
    assert result.exit_code == 0
    assert "用法：" in result.output and "选项" in result.output and "显示本帮助并退出" in result.output
    assert "[必填]" in result.output
    for english in ("Usage:", "Options", "Arguments", "Show this message", "[required]"):
        assert english not in result.output


# -- width -------------------------------------------------------------------------------------------------


def test_a_pipe_gets_wide_lines_and_columns_is_honoured(monkeypatch):
    from perfscore.cli.common import PIPE_WIDTH, make_console

    monkeypatch.delenv("COLUMNS", raising=False)
    assert make_console().width == PIPE_WIDTH > 80  # pytest's stdout is not a terminal
    monkeypatch.setenv("COLUMNS", "300")
    assert make_console().width == 300


def test_piped_output_keeps_long_names_on_one_line(tmp_path):
    """A real pipe (subprocess): the template table's rows are whole, not folded at 80 columns."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "TERMINAL_WIDTH")}
    out = subprocess.run([sys.executable, "-c", "from perfscore.cli.main import run; run()", "template", "list"],
                         capture_output=True, text=True, env=env, cwd=REPO, timeout=60)
    assert out.returncode == 0, out.stderr
    row = next(line for line in out.stdout.splitlines() if "third_party" in line)
    assert "项目支出绩效评价评分表（第三方）" in row and "第三方绩效评价评分表.xlsx" in row
    assert "Traceback" not in out.stderr


def test_dask_cluster_that_cannot_start_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    import distributed

    def no_nanny(*args, **kwargs):
        raise RuntimeError("Nanny failed to start.")

    monkeypatch.setattr(distributed, "LocalCluster", no_nanny)
    src = tmp_path / "收件箱"
    src.mkdir()
    build_central(src / "a.xlsx")
    result = run("recalc", src, "-o", tmp_path / "out", "--executor", "dask", "-q")
    assert result.exit_code == 2, result.output
    assert "无法启动或连接 Dask 本机集群" in result.output and "--executor local" in result.output
    assert not (tmp_path / "out" / "重算汇总.xlsx").exists()


def test_summary_inside_the_input_folder_is_never_read_back_nor_overwritten(tmp_path):
    src = tmp_path / "收件箱"
    src.mkdir()
    build_central(src / "a.xlsx")
    summary = src / "汇总.xlsx"
    for _ in range(2):  # a re-run must not take its own summary for a unit's workbook
        result = run("recalc", src, "-o", tmp_path / "out", "--summary", summary, "-q")
        assert result.exit_code == 0, result.output
    import openpyxl

    files = [r[0] for r in openpyxl.load_workbook(summary)["文件"].iter_rows(min_row=2, values_only=True)]
    assert len(files) == 1 and files[0].endswith("a.xlsx")
    before = digest(src / "a.xlsx")
    result = run("recalc", src / "a.xlsx", "-o", tmp_path / "out2", "--summary", src / "a.xlsx")
    assert result.exit_code == 2 and "就是输入文件之一" in result.output
    assert digest(src / "a.xlsx") == before
