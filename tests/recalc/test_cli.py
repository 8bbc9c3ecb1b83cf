"""perfscore recalc: exit codes, the summary workbook (text never becomes a formula), the Dask executor."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from perfscore.cli.main import app
from perfscore.recalc.batch import Job, discover, run_dask
from perfscore.recalc.task import TaskOptions
from tests.recalc.books import make_form

runner = CliRunner()


def _form_with_hostile_text(path: Path, seed: int) -> Path:
    make_form(path, seed=seed, variant="udf")
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    ws["B3"] = '=HYPERLINK("http://evil.example","点我")' if seed % 2 else "+86 项目"
    ws["G4"] = "@SUM(1,2)" if seed % 2 else "-1+2"
    ws["B3"].data_type = "s"  # stored as text, as a user typing '= would
    wb.save(path)
    return path


def test_usage_errors_exit_2(tmp_path):
    src = make_form(tmp_path / "a.xlsx", seed=1)
    assert runner.invoke(app, ["recalc", str(src)]).exit_code == 2  # no -o
    bad_profile = runner.invoke(app, ["recalc", str(src), "-o", str(tmp_path / "o"), "--profile", "不存在的口径"])
    assert bad_profile.exit_code == 2 and "口径" in bad_profile.output
    wrong = runner.invoke(app, ["recalc", str(src), "-o", str(tmp_path / "o"), "--scheduler", "tcp://x:1"])
    assert wrong.exit_code == 2
    (tmp_path / "file").write_text("x")
    assert runner.invoke(app, ["recalc", str(src), "-o", str(tmp_path / "file")]).exit_code == 2


def test_summary_rows_and_text_safety(tmp_path):
    src = tmp_path / "in"
    forms = [_form_with_hostile_text(src / f"f{i}.xlsx", seed=i) for i in range(1, 4)]
    (src / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    out = tmp_path / "out"
    summary = tmp_path / "汇总.xlsx"
    result = runner.invoke(app, ["recalc", str(src), "-o", str(out), "--summary", str(summary), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert "完成" in result.output
    wb = load_workbook(summary)
    assert wb.sheetnames == ["表单汇总", "文件", "问题清单", "图表", "_图表数据"]
    assert wb["_图表数据"].sheet_state == "hidden"
    ws = wb["表单汇总"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["实施单位", "项目名称", "表类型", "工作表"] and header[-1] == "文件"
    rows = [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=2)]
    assert len(rows) == len(forms) + 1  # one row per form + the .xls row
    text_cols = [header.index("项目名称") + 1, header.index("实施单位") + 1]
    for r in range(2, ws.max_row + 1):
        for c in text_cols:
            if ws.cell(r, c).value:
                assert ws.cell(r, c).data_type == "s"
    names = {r["项目名称"] for r in rows}
    assert '=HYPERLINK("http://evil.example","点我")' in names and "+86 项目" in names
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)  # never a formula
    xls = next(r for r in rows if str(r["文件"]).endswith("old.xls"))
    assert ".xls" in xls["失败原因"]
    ok = [r for r in rows if r["表类型"] == "项目支出自评"]
    assert all(isinstance(r["重算总分"], float) and r["重算等级"] in ("优", "良", "中", "差") for r in ok)
    assert wb["图表"]._charts  # grade distribution + declared vs recomputed
    assert len(wb["图表"]._charts) == 2


@pytest.mark.slow
def test_dask_executor_runs_the_same_task(tmp_path):
    from distributed import Client, LocalCluster

    src = tmp_path / "in"
    for i in range(4):
        make_form(src / f"f{i}.xlsx", seed=i)
    jobs, early = discover([src], tmp_path / "out")
    assert len(jobs) == 4 and not early
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        reports = list(run_dask(jobs, TaskOptions(), cluster.scheduler_address, 2))
    assert sorted(Path(r.file).name for r in reports) == [f"f{i}.xlsx" for i in range(4)]
    assert all(r.ok and r.engine == "ironcalc+桥接" for r in reports)
    local = list(run_dask([Job(jobs[0].source, str(tmp_path / "x.xlsx"))], TaskOptions(), None, 1))
    assert local[0].ok
    assert (tmp_path / "x.xlsx").read_bytes() == Path(jobs[0].output).read_bytes()
