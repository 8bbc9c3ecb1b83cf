"""The summary workbook is written as reports arrive: memory does not grow with the batch, every finding is kept,
output is atomic (an interrupted batch leaves the previous summary and no temporary file)."""

from __future__ import annotations

import tempfile
import tracemalloc
from pathlib import Path

import pytest
from openpyxl import load_workbook

from perfscore.checks import Finding
from perfscore.recalc import summary as summary_mod
from perfscore.recalc.summary import SummaryWriter
from perfscore.recalc.task import FileReport, FormRow


def _report(i: int, findings: int = 3) -> FileReport:
    name = f"/data/单位{i // 500:03d}/{i:05d}_自评表.xlsx"
    form = FormRow(name, "项目支出绩效自评表", "项目支出自评", f"=项目{i}", "+某单位", 100.0 + i, 95.0, 0.95,
                   90.0 + i % 10, 91.0 + i % 10, "优", "优" if i % 3 else "良", "J41")
    found = tuple(Finding(name, "项目支出绩效自评表", f"J{13 + k}", "SCORE_DIFFERS_FROM_RULE", "错误",
                          f"“指标{k}”填报得分 5，按评分规则应为 4.5（第 {i} 份）") for k in range(findings))
    return FileReport(name, name.replace("/data", "/out"), True, "ironcalc", "", 0.012, formulas=40, patched=3,
                      calls=30, errors=findings, warnings=0, forms=(form,), findings=found)


def _peak_bytes(n: int, tmp_path) -> int:
    tracemalloc.start()
    try:
        with SummaryWriter(tmp_path / f"s{n}.xlsx") as c:
            for i in range(n):
                c.add(_report(i))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_peak_memory_does_not_grow_with_the_batch(tmp_path):
    small, large = _peak_bytes(300, tmp_path), _peak_bytes(3000, tmp_path)
    # ten times the rows (and 9 000 findings): the peak stays within a small constant of the small batch's
    assert large < small * 1.5 + 2_000_000, (small, large)
    wb = load_workbook(tmp_path / "s3000.xlsx", read_only=True)
    assert wb["表单汇总"].max_row == 3001 and wb["问题清单"].max_row == 9001 and wb["文件"].max_row == 3001


def test_findings_beyond_one_sheet_continue_on_the_next(tmp_path, monkeypatch):
    monkeypatch.setattr(summary_mod, "MAX_FINDING_ROWS", 4)
    with SummaryWriter(tmp_path / "s.xlsx") as c:
        for i in range(3):
            c.add(_report(i, findings=3))  # 9 findings: 4 + 4 + 1
    wb = load_workbook(tmp_path / "s.xlsx")
    assert wb.sheetnames == ["表单汇总", "文件", "问题清单", "问题清单(2)", "问题清单(3)", "图表", "_图表数据"]
    rows = [r for name in ("问题清单", "问题清单(2)", "问题清单(3)") for r in wb[name].iter_rows(min_row=2, values_only=True)]
    assert len(rows) == 9 and len({(r[0], r[2]) for r in rows}) == 9  # every finding, none twice
    assert [c.value for c in wb["问题清单(2)"][1]] == summary_mod.FINDING_COLUMNS
    assert wb["图表"]["D3"].value == "问题条数" and wb["图表"]["D4"].value == 9


def test_summary_rows_text_and_charts(tmp_path):
    with SummaryWriter(tmp_path / "s.xlsx") as c:
        for i in range(5):
            c.add(_report(i))
        c.add(FileReport("/data/旧.xls", None, False, "", "旧.xls：旧版 .xls 格式不支持，请另存为 .xlsx", 0.0))
        assert c.forms == 6 and c.findings == 15
        assert not (tmp_path / "s.xlsx").exists()  # appears complete at the end, never half-written
    wb = load_workbook(tmp_path / "s.xlsx")
    ws = wb["表单汇总"]
    header = [x.value for x in ws[1]]
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert rows[0]["项目名称"] == "=项目0" and ws["B2"].data_type == "s" and ws["A2"].value == "+某单位"
    assert rows[1]["差异"] == 1.0 and rows[0]["重算等级"] == "良" and rows[1]["错误数"] == 3
    assert rows[5]["失败原因"].endswith("请另存为 .xlsx") and rows[5]["全年预算数"] is None
    data = wb["_图表数据"]
    assert data.sheet_state == "hidden"  # the charts' helper numbers are not on the printed sheet
    assert [data.cell(r, 2).value for r in range(2, 6)] == [5, 0, 0, 0]  # declared: all 优 (+ the failed row: "")
    assert [data.cell(r, 3).value for r in range(2, 6)] == [3, 2, 0, 0]
    charts = wb["图表"]
    assert len(charts._charts) == 2
    assert rows[5]["项目名称"] == "旧.xls"  # a row without unit or project names its file


def _leftovers(tmp_path, rowdirs_before):
    rowdirs = set(Path(tempfile.gettempdir()).glob("perfscore-summary-*")) - rowdirs_before
    return sorted(p.name for p in tmp_path.iterdir()), rowdirs


def test_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "s.xlsx"
    target.write_bytes(b"previous summary")
    before = set(Path(tempfile.gettempdir()).glob("perfscore-summary-*"))

    def boom(self, book, n):
        raise OSError("disk full")

    monkeypatch.setattr(SummaryWriter, "_charts", boom)
    with pytest.raises(OSError):
        with SummaryWriter(target) as c:
            c.add(_report(1))
    assert target.read_bytes() == b"previous summary"
    assert _leftovers(tmp_path, before) == (["s.xlsx"], set())  # no temporary file left behind


def test_interrupted_batch_keeps_the_previous_summary(tmp_path):
    target = tmp_path / "s.xlsx"
    target.write_bytes(b"previous summary")
    before = set(Path(tempfile.gettempdir()).glob("perfscore-summary-*"))
    with pytest.raises(KeyboardInterrupt):
        with SummaryWriter(target) as c:
            for i in range(50):
                c.add(_report(i))
            raise KeyboardInterrupt
    assert target.read_bytes() == b"previous summary"
    assert _leftovers(tmp_path, before) == (["s.xlsx"], set())


def test_rows_go_to_disk_while_the_batch_runs(tmp_path):
    """Rows are not held until the end: xlsxwriter's row files grow as reports arrive."""
    with SummaryWriter(tmp_path / "s.xlsx") as c:
        sizes = []
        for i in range(400):
            c.add(_report(i))
            if i % 100 == 99:
                sizes.append(sum(f.stat().st_size for f in Path(c._rowdir).iterdir()))
        assert sizes == sorted(sizes) and sizes[0] > 10_000 and sizes[-1] > 3 * sizes[0], sizes
