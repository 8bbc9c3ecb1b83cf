"""Templates: reproducible bytes, the features a finance office expects, round trip through the reader."""

from __future__ import annotations

import shutil
import subprocess
import zipfile

import openpyxl
import pytest

from perfscore.forms import FormKind, read_forms
from perfscore.forms.templates import TEMPLATES_DIR, build_template, list_templates, load_spec
from perfscore.rules import grade, score_indicator, total_score
from perfscore.xlsx import read_grid

from .fixtures_examples import EXAMPLE_001

NAMES = ("project", "department", "third_party")


@pytest.mark.parametrize("name", NAMES)
def test_committed_template_is_regenerated_byte_for_byte(name):
    info = next(i for i in list_templates() if i.name == name)
    data = build_template(load_spec(name))
    assert data == build_template(load_spec(info.spec_path))  # deterministic
    assert (TEMPLATES_DIR / info.file).read_bytes() == data, "run: python workbook_templates/build.py"
    with zipfile.ZipFile(TEMPLATES_DIR / info.file) as zf:
        assert {zi.date_time for zi in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
        assert "2024-01-01T00:00:00Z" in core


@pytest.mark.parametrize("name,kind", [("project", FormKind.PROJECT), ("department", FormKind.DEPARTMENT),
                                       ("third_party", FormKind.THIRD_PARTY)])
def test_template_features(name, kind):
    info = next(i for i in list_templates() if i.name == name)
    path = TEMPLATES_DIR / info.file
    grid = read_grid(path)
    assert grid.defined_names["PERFSCORE_PROFILE"] == '"central"'
    assert grid.defined_names["PERFSCORE_KIND"] == f'"{kind.value}"'
    meta = grid.sheet("_perfscore")
    assert meta.hidden and meta.value(1, 2) == kind.value
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    assert ws.protection.sheet and not ws.protection.password
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.print_title_rows and ws.freeze_panes
    assert ws["A1"].font.name == "黑体"
    dv_sources = " ".join(str(dv.formula1) for dv in ws.data_validations.dataValidation)
    formulas = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert any("GRADE(" in f for f in formulas)
    assert any(f.startswith("=SUM(") for f in formulas)
    if name == "project":
        assert "正向,反向,定性" in dv_sources and "≥,≤,=,>,<" in dv_sources and "达成预期目标" in dv_sources
        assert sum("SCORE_INDICATOR(" in f for f in formulas) == 30
        assert any("SCORE_EXEC_RATE(" in f for f in formulas)
        assert ws["J13"].protection.locked and not ws["I13"].protection.locked  # formula locked, 分值 input
        assert ws["J13"].number_format == "0.00" and ws["I6"].number_format == "0.00%"
    else:
        form = read_forms(grid).forms[0]
        assert form.kind is kind
        assert form.subtotals and form.total.formula and form.grade.formula
        assert all(not ws[i.score.ref].protection.locked for i in form.indicators if not i.score.formula)
    if name == "third_party":
        assert {"SCORE_EXEC_RATE(", "SCORE_SATISFACTION(", "SCORE_COST_SAVING("} <= {
            k for k in ("SCORE_EXEC_RATE(", "SCORE_SATISFACTION(", "SCORE_COST_SAVING(") for f in formulas if k in f}


def fill_project_with_001(src, dst):
    """Type examples/001 into the project template the way a filler would (openpyxl, no recalculation)."""
    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[0]
    ws["C3"] = EXAMPLE_001["project_name"]
    ws["I4"] = EXAMPLE_001["reporting_unit"]
    ws["J2"] = EXAMPLE_001["year"]
    ws["H6"] = None  # 001 scores 预算执行率 inside the table (过程/资金管理), not in the funds block
    filled = [r for r in EXAMPLE_001["rows"] if r.level3]  # 生态效益/可持续影响 placeholders are left out
    # 001's indicator tree differs from the template's blocks: unmerge 一级/二级 first, as a filler would
    for rng in [m for m in ws.merged_cells.ranges if m.min_row >= 13 and m.max_col <= 2]:
        ws.unmerge_cells(str(rng))
    for i, row in enumerate(filled):
        r = 13 + i
        # first/second-level names on every row (unmerged above)
        ws.cell(r, 1).value = row.level1
        ws.cell(r, 2).value = row.level2
        ws.cell(r, 3).value = row.level3
        ws.cell(r, 4).value = "定性"
        ws.cell(r, 6).value = row.target
        # 1.5 of 3 on 预算执行率 is the filler's judgement: a completion degree of 50%
        ws.cell(r, 7).value = "50%" if row.level3 == "预算执行率" else row.actual
        ws.cell(r, 9).value = row.weight
    wb.save(dst)
    return dst


def test_round_trip_project_template_filled_with_001(tmp_path):
    path = fill_project_with_001(TEMPLATES_DIR / "项目支出绩效自评表.xlsx", tmp_path / "filled.xlsx")
    result = read_forms(read_grid(path))
    assert len(result.forms) == 1
    form = result.forms[0]
    assert form.kind is FormKind.PROJECT
    assert form.header.project_name.value == EXAMPLE_001["project_name"]
    assert form.header.year.value == 2022
    published = [r for r in EXAMPLE_001["rows"] if r.level3]
    assert len(form.indicators) == len(published)
    scores = []
    for ind, row in zip(form.indicators, published):
        r = ind.row
        assert ind.score.formula == f'=IF(I{r}="","",SCORE_INDICATOR(D{r},E{r},F{r},G{r},I{r}))'
        s = score_indicator(ind.nature.value, ind.operator.value, ind.target.value, ind.actual.value,
                            ind.weight.value)
        assert s == row.score, (row.level3, s, row.score)
        scores.append(s)
    fr = form.exec_funds_row
    assert fr is not None and fr.weight.is_blank and fr.score.formula.startswith("=IF(OR(H6")
    assert form.total.formula == "=SUM(J6,J13:J42)"
    assert form.grade.formula == '=IF(COUNT(J6,J13:J42)=0,"",GRADE(J43))'
    total = total_score(scores)
    assert total == EXAMPLE_001["total"] == 98.5
    assert grade(total) == "优"
    process = [i for i in form.indicators if i.level1.text() == "过程"]
    assert len(process) == 5  # first-level names filled down from the block's first row


@pytest.mark.slow
@pytest.mark.oracle
def test_templates_convert_to_pdf_with_libreoffice(tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) 未安装；./dev test 会安装它")
    files = [TEMPLATES_DIR / i.file for i in list_templates()]
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), *map(str, files)],
        capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    pdftotext = shutil.which("pdftotext")
    expected_pages = {"project": 1, "department": 3, "third_party": 2}  # one page wide; project fits one page
    for info, f in zip(list_templates(), files):
        pdf = tmp_path / (f.stem + ".pdf")
        assert pdf.exists() and pdf.stat().st_size > 5000, proc.stdout + proc.stderr
        assert pdf.read_bytes()[:5] == b"%PDF-"
        if pdftotext is None:
            continue
        text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        pages = ["".join(p.split()) for p in text.split("\f") if p.strip()]
        assert len(pages) == expected_pages[info.name], (info.name, len(pages))
        spec = load_spec(info.name)
        columns = spec.get("columns") or ["一级指标", "二级指标", "三级指标", "指标性质", "指标方向", "分值", "得分"]
        for page in pages:  # every column on every page (none printed on a page of its own), header repeated
            assert all(c in page for c in columns), (info.name, [c for c in columns if c not in page])
        if len(pages) > 1:  # the last page is not an orphan row or two
            assert pages[-1].count("分") > 5, (info.name, pages[-1][:200])
        assert "填报单位（盖章）" in pages[-1] and "联系电话" in pages[-1]


def test_project_template_prints_like_the_published_form():
    wb = openpyxl.load_workbook(TEMPLATES_DIR / "项目支出绩效自评表.xlsx")
    ws = wb.worksheets[0]
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {"A13:A27", "B13:B17", "B18:B21", "A28:A38", "A39:A42", "B39:B42"} <= merged  # 一级/二级 over their blocks
    assert ws["A13"].value == "产出指标（50分）" and ws["B13"].value == "数量指标"
    for label in ("产出指标（50分）", "满意度指标（10分）"):  # never wraps inside its brackets
        assert ws.column_dimensions["A"].width >= sum(2 if ord(ch) > 0x2E80 else 1 for ch in label) + 1
    assert ws["D2"].value.startswith('=IF(J2="","（20XX年度）"')  # subtitle follows the year input
    seal = next(c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "盖章" in c.value)
    assert all(k in seal for k in ("填报单位（盖章）", "填报人", "联系电话", "填报日期"))
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight in (None, 1)


@pytest.mark.parametrize("name", ["project", "department", "third_party"])
def test_template_protection_allows_inserting_rows(name):
    info = next(i for i in list_templates() if i.name == name)
    ws = openpyxl.load_workbook(TEMPLATES_DIR / info.file).worksheets[0]
    assert ws.protection.sheet and not ws.protection.password
    assert ws.protection.insertRows is False  # False = not forbidden: more indicators than the rows given
    assert ws.protection.formatCells is not False  # formats stay protected
