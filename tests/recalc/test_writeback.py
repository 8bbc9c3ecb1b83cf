"""Write-back: values land in the cached <v>, everything else in the package stays byte-identical."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from perfscore.recalc.task import recalc_file
from perfscore.xlsx import ExcelError, read_grid
from tests.recalc.books import fill_template, make_form
from tests.recalc.conftest import sha

_FORMULA_CELL = re.compile(rb"<c\b([^>]*)>(.*?)</c>", re.S)


def _strip_values(xml: bytes) -> bytes:
    """The sheet XML with the cached value and type of formula cells removed: what must not change."""
    def repl(m: re.Match) -> bytes:
        attrs, body = m.group(1), m.group(2)
        if b"<f" not in body:
            return m.group(0)
        attrs = re.sub(rb'\s+t="[^"]*"', b"", attrs)
        body = re.sub(rb"<v>.*?</v>|<v/>", b"", body, flags=re.S)
        return b"<c" + attrs + b">" + body + b"</c>"
    return _FORMULA_CELL.sub(repl, xml)


def _add_vba(path: Path) -> Path:
    """An .xlsm-like package: an extra binary member must come through untouched."""
    xlsm = path.with_suffix(".xlsm")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(xlsm, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info.filename))
        zout.writestr("xl/vbaProject.bin", bytes(range(256)) * 40)
    return xlsm


@pytest.fixture(params=["template", "user-layout", "xlsm"])
def filled(request, tmp_path) -> Path:
    if request.param == "template":
        return fill_template(tmp_path / "模板表.xlsx", seed=4, blanks=0)
    form = make_form(tmp_path / "自制表.xlsx", seed=9, variant="addin", blanks=2)
    return _add_vba(form) if request.param == "xlsm" else form


def test_values_visible_to_other_readers(filled, tmp_path):
    out = tmp_path / "out" / filled.name
    report = recalc_file(str(filled), str(out))
    assert report.ok, report.reason
    assert report.patched > 20
    ours = read_grid(out)
    wb = load_workbook(out, data_only=True)
    cal = CalamineWorkbook.from_path(str(out))
    seen = 0
    for sheet in ours.sheets:
        ws = wb[sheet.name]
        rows = cal.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
        for cell in sheet.iter_cells():
            if cell.formula is None:
                continue
            value = cell.value
            via_openpyxl = ws.cell(cell.row, cell.col).value
            via_calamine = rows[cell.row - 1][cell.col - 1] if cell.row <= len(rows) and cell.col <= len(rows[cell.row - 1]) else ""
            if value in ("", None):
                assert via_openpyxl in ("", None) and via_calamine in ("", None)
                continue
            seen += 1
            if isinstance(value, ExcelError):
                assert via_openpyxl == value.code
                continue
            if isinstance(value, bool):
                assert via_openpyxl is value
                continue
            assert via_openpyxl == value, (sheet.name, cell.ref)
            assert via_calamine == value, (sheet.name, cell.ref, via_calamine)
    assert seen > 20
    total = next(f for f in report.forms).recomputed_total
    assert isinstance(total, float) and 0 < total <= 100


def test_only_intended_xml_changed(filled, tmp_path):
    before = sha(filled)
    out = tmp_path / "out" / filled.name
    assert recalc_file(str(filled), str(out)).ok
    assert sha(filled) == before  # input untouched
    with zipfile.ZipFile(filled) as a, zipfile.ZipFile(out) as b:
        assert [i.filename for i in a.infolist()] == [i.filename for i in b.infolist()]
        changed = []
        for info in a.infolist():
            x, y = a.read(info.filename), b.read(info.filename)
            if x != y:
                changed.append(info.filename)
                assert info.filename.startswith("xl/worksheets/sheet"), info.filename
                assert _strip_values(x) == _strip_values(y), info.filename
            else:
                bi = b.getinfo(info.filename)
                assert (bi.CRC, bi.compress_size, bi.compress_type) == (info.CRC, info.compress_size, info.compress_type)
        assert changed  # the values really were written
        assert "xl/workbook.xml" not in changed  # calcPr (fullCalcOnLoad, calcMode) as the user saved it


def test_rerun_gives_identical_bytes(filled, tmp_path):
    out1, out2, out3 = tmp_path / "1" / filled.name, tmp_path / "2" / filled.name, tmp_path / "3" / filled.name
    assert recalc_file(str(filled), str(out1)).ok
    assert recalc_file(str(filled), str(out2)).ok
    assert out1.read_bytes() == out2.read_bytes()
    again = recalc_file(str(out1), str(out3))  # recalculating a recalculated file changes nothing
    assert again.ok and again.patched == 0
    assert zipfile.ZipFile(out3).read("xl/worksheets/sheet1.xml") == zipfile.ZipFile(out1).read("xl/worksheets/sheet1.xml")


def test_output_never_overwrites_input(tmp_path):
    src = make_form(tmp_path / "a.xlsx", seed=1)
    before = sha(src)
    report = recalc_file(str(src), str(src))
    assert not report.ok and "拒绝覆盖" in report.reason
    assert sha(src) == before


USUAL_BODIES = [
    b"<f>SUM(A1:B1)</f><v>3</v>", b"<f>SUM(A1:B1)</f>", b"<f>A1</f><v/>", b"<f>A1</f><v></v>",
    b'<f t="shared" si="0"/><v>1.5</v>', b'<f t="shared" ref="C1:C3" si="0">A1*2</f><v>2</v><extLst/>',
    b"<f>A1&amp;B1</f><v>a&amp;b</v>", b"<f></f><v>1</v>", b"<f/>",
]
OTHER_BODIES = [b"<f>A1</f><extLst><v>odd</v></extLst>", b"<v>1</v><f>A1</f>", b'<f>A1</f><v t="x">1</v>',
                b"<is><t>x</t></is>", b""]


@pytest.mark.parametrize("body", USUAL_BODIES + OTHER_BODIES)
@pytest.mark.parametrize("new_v", [b"<v>42</v>", b""])
def test_the_one_match_splice_gives_the_general_steps_bytes(body, new_v):
    from perfscore.recalc.sheetxml import _body_with, _plain_body_with

    plain = _plain_body_with(body, new_v)
    assert (plain is not None) == (body in USUAL_BODIES)
    if plain is not None:
        assert plain == _body_with(body, b"", new_v)
