"""The summary workbook on paper: converted to PDF by LibreOffice, every page carries every column (one page wide,
the header row repeated), both charts sit whole on one page, the title, date and profile are printed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from perfscore.checks import Finding
from perfscore.recalc.report import FileReport, FormRow
from perfscore.recalc.summary import FILE_COLUMNS, FINDING_COLUMNS, FORM_COLUMNS, TITLE, SummaryWriter


def pdf_pages(xlsx: Path, tmp_path: Path) -> list[str]:
    """The text of each PDF page LibreOffice prints from `xlsx` (pdftotext, one string per page)."""
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if soffice is None or pdftotext is None:
        pytest.skip("LibreOffice/pdftotext 未安装；./dev test 会安装它们")
    out = tmp_path / "pdf"
    proc = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to",
                           "pdf", "--outdir", str(out), str(xlsx)], capture_output=True, text=True, timeout=180)
    pdf = out / (xlsx.stem + ".pdf")
    assert proc.returncode == 0 and pdf.exists(), proc.stderr
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [p for p in text.split("\f") if p.strip()]


def squash(text: str) -> str:
    return "".join(text.split())


def report(i: int, unit: str, project: str, findings: int) -> FileReport:
    name = f"收件箱/第{i}批/{i:03d}-自评表.xlsx"
    form = FormRow(name, "项目支出绩效自评表", "项目支出自评", project, unit, 3000.0, 932.92, 0.311,
                   90.06, 90.06 - i % 2, "优", "优" if i % 2 == 0 else "良", "J41")
    found = tuple(Finding(name, "项目支出绩效自评表", f"J{13 + k}", "SCORE_DIFFERS_FROM_RULE", "错误",
                          f"“指标{k}”填报得分 2，按评分规则应为 1.79（实际完成值 17，年度指标值 19）") for k in range(findings))
    return FileReport(name, name.replace("收件箱", "重算结果"), True, "ironcalc", "", 0.02, formulas=40, patched=3,
                      calls=30, errors=findings, warnings=0, forms=(form,), findings=found)


@pytest.mark.slow
@pytest.mark.oracle
def test_summary_prints_whole_columns_and_whole_charts(tmp_path):
    path = tmp_path / "重算汇总.xlsx"
    with SummaryWriter(path, profile="central", date="2025-03-31") as summary:
        for i in range(1, 9):
            summary.add(report(i, f"某市第{i}中学（单位全称较长的事业单位）", f"2024年度校舍维修改造项目第{i}期", 2))
        summary.add(FileReport("收件箱/旧表.xls", None, False, "", "旧表.xls：旧版 .xls 格式不支持，请另存为 .xlsx", 0.0))
    pages = pdf_pages(path, tmp_path)
    assert len(pages) == 4, [p[:80] for p in pages]  # 表单 / 文件 / 问题清单 / 图表, one page each
    forms, files, findings, charts = (squash(p) for p in pages)
    for page, columns in ((forms, FORM_COLUMNS), (files, FILE_COLUMNS), (findings, FINDING_COLUMNS)):
        assert all(squash(c) in page for c in columns), [c for c in columns if squash(c) not in page]
        assert squash(TITLE) in page and "2025-03-31" in page and "central" in page  # the page header
    assert "某市第1中学" in forms and "某市第8中学" in forms and "改造项目第8" in forms  # unit names, not only paths
    assert "评价等级分布" in charts and "申报总分与重算总分" in charts  # both charts, whole, on one page
    assert "评价等级申报份数" not in charts  # the helper table is hidden


def test_chart_data_sits_on_a_hidden_sheet(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "s.xlsx"
    with SummaryWriter(path) as summary:
        summary.add(report(1, "单位", "项目", 1))
    wb = load_workbook(path)
    assert wb["_图表数据"].sheet_state == "hidden" and wb["图表"].sheet_state == "visible"
    ws = wb["表单汇总"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    setup = ws.page_setup  # fitToWidth 1 is the default, left out of the XML
    assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth in (None, 1) and setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$1"
    assert ws["A1"].font.b and ws["A1"].fill.fgColor.rgb.endswith("DDEBF7")


def test_cells_carry_their_columns_format(tmp_path):
    """Rows are streamed before the columns are formatted: each cell must carry the wrap / percent / 0.00 style
    itself, or Excel and LibreOffice print long messages on one cut line and 执行率 as 0.311."""
    import openpyxl

    path = tmp_path / "重算汇总.xlsx"
    with SummaryWriter(path, profile="central", date="2025-03-31") as summary:
        for i in range(1, 4):
            summary.add(report(i, f"某市第{i}中学", f"2024年度校舍维修改造项目第{i}期", 2))
    wb = openpyxl.load_workbook(path)
    forms, files, findings = wb["表单汇总"], wb["文件"], wb["问题清单"]
    col = {c: i + 1 for i, c in enumerate(FORM_COLUMNS)}
    for r in range(2, forms.max_row + 1):
        assert forms.cell(r, col["执行率"]).number_format == "0.00%"
        assert forms.cell(r, col["重算总分"]).number_format == "0.00"
        assert forms.cell(r, col["实施单位"]).alignment.wrap_text
    message = FINDING_COLUMNS.index("说明") + 1
    assert findings.max_row == 7
    assert all(findings.cell(r, message).alignment.wrap_text for r in range(2, findings.max_row + 1))
    assert not findings.cell(2, FINDING_COLUMNS.index("代码") + 1).alignment.wrap_text  # short codes stay one line
    assert files.cell(2, FILE_COLUMNS.index("文件") + 1).alignment.wrap_text
