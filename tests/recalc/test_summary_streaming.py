"""The summary workbook streams: memory does not grow with the batch, every finding is kept, output is atomic."""

from __future__ import annotations

import tracemalloc

import pytest
from openpyxl import load_workbook

from perfscore.checks import Finding
from perfscore.recalc import summary as summary_mod
from perfscore.recalc.summary import SpooledRows, SummaryCollector
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
        c = SummaryCollector()
        for i in range(n):
            c.add(_report(i))
        c.write(tmp_path / f"s{n}.xlsx")
        c.close()
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
    c = SummaryCollector()
    for i in range(3):
        c.add(_report(i, findings=3))  # 9 findings: 4 + 4 + 1
    c.write(tmp_path / "s.xlsx")
    c.close()
    wb = load_workbook(tmp_path / "s.xlsx")
    assert wb.sheetnames == ["表单汇总", "问题清单", "问题清单(2)", "问题清单(3)", "文件", "图表"]
    rows = [r for name in ("问题清单", "问题清单(2)", "问题清单(3)") for r in wb[name].iter_rows(min_row=2, values_only=True)]
    assert len(rows) == 9 and len({(r[0], r[2]) for r in rows}) == 9  # every finding, none twice
    assert [c.value for c in wb["问题清单(2)"][1]] == summary_mod.FINDING_COLUMNS
    assert wb["图表"]["D8"].value == 9  # 问题条数


def test_summary_rows_text_and_charts(tmp_path):
    c = SummaryCollector()
    for i in range(5):
        c.add(_report(i))
    c.add(FileReport("/data/旧.xls", None, False, "", "旧.xls：旧版 .xls 格式不支持，请另存为 .xlsx", 0.0))
    assert len(c.form_rows) == 6 and c.findings == 15
    c.write(tmp_path / "s.xlsx")
    c.close()
    wb = load_workbook(tmp_path / "s.xlsx")
    ws = wb["表单汇总"]
    header = [x.value for x in ws[1]]
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert rows[0]["项目名称"] == "=项目0" and ws["D2"].data_type == "s" and ws["E2"].value == "+某单位"
    assert rows[1]["差异"] == 1.0 and rows[0]["重算等级"] == "良" and rows[1]["错误数"] == 3
    assert rows[5]["失败原因"].endswith("请另存为 .xlsx") and rows[5]["全年预算数"] is None
    charts = wb["图表"]
    assert [charts.cell(r, 2).value for r in range(2, 6)] == [5, 0, 0, 0]  # declared: all 优 (+ the failed row: "")
    assert [charts.cell(r, 3).value for r in range(2, 6)] == [3, 2, 0, 0]
    assert len(charts._charts) == 2


def test_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    c = SummaryCollector()
    c.add(_report(1))
    target = tmp_path / "s.xlsx"
    target.write_bytes(b"previous summary")

    def boom(self, book, n):
        raise OSError("disk full")

    monkeypatch.setattr(SummaryCollector, "_charts", boom)
    with pytest.raises(OSError):
        c.write(target)
    c.close()
    assert target.read_bytes() == b"previous summary"
    assert [p.name for p in tmp_path.iterdir()] == ["s.xlsx"]  # no temporary file left behind


def test_spooled_rows_round_trip_and_keep_appending():
    rows = SpooledRows()
    rows.append(["a", 1, 2.5, None, True])
    assert list(rows) == [["a", 1, 2.5, None, True]]
    rows.append(["=b", -1, 0.0, "", False])
    assert len(rows) == 2 and list(rows)[1] == ["=b", -1, 0.0, "", False]
    rows.close()
