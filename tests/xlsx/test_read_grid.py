"""read_grid on real files written by openpyxl and on hand-made packages (shared formulas, hostile input)."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.datavalidation import DataValidation

from perfscore.xlsx import ExcelError, XlsxError, read_grid, write_bytes_atomic
from perfscore.xlsx import errors as E

CT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WB = """<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="自评表" sheetId="1" r:id="rId1"/></sheets>
<definedNames><definedName name="PERFSCORE_PROFILE">"central"</definedName></definedNames>
</workbook>"""
WB_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""
SHEET = """<?xml version="1.0" encoding="UTF-8"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>
<x:row r="1"><x:c r="A1"><x:v>17</x:v></x:c><x:c r="B1"><x:v>19</x:v></x:c><x:c r="C1"><x:f t="shared" ref="C1:C3" si="0">ROUND(A1/B1*2,2)</x:f><x:v>1.79</x:v></x:c></x:row>
<x:row r="2"><x:c r="A2"><x:v>189</x:v></x:c><x:c r="B2"><x:v>242</x:v></x:c><x:c r="C2"><x:f t="shared" si="0"/><x:v>1.56</x:v></x:c></x:row>
<x:row r="3"><x:c r="A3" t="inlineStr"><x:is><x:t>95</x:t></x:is></x:c><x:c r="B3"><x:v>0</x:v></x:c><x:c r="C3" t="e"><x:f t="shared" si="0"/><x:v>#DIV/0!</x:v></x:c>
<x:c r="D3" s="0"/><x:c r="E3" t="str"><x:f>"a"&amp;"b"</x:f><x:v>ab</x:v></x:c></x:row>
</x:sheetData>
<x:ignoredErrors><x:ignoredError sqref="A3" numberStoredAsText="1"/></x:ignoredErrors>
</x:worksheet>"""


def make_package(path: Path, parts: dict[str, bytes | str], *, compression=zipfile.ZIP_DEFLATED) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    path.write_bytes(buf.getvalue())
    return path


def base_parts(sheet: str = SHEET) -> dict[str, str]:
    return {
        "[Content_Types].xml": CT,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WB,
        "xl/_rels/workbook.xml.rels": WB_RELS,
        "xl/worksheets/sheet1.xml": sheet,
    }


def test_hand_made_package_shared_formulas_inline_strings_errors(tmp_path):
    grid = read_grid(make_package(tmp_path / "h.xlsx", base_parts()))
    sh = grid.sheet("自评表")
    assert sh is not None
    assert sh.get(1, 3).formula == "=ROUND(A1/B1*2,2)"
    assert sh.get(2, 3).formula == "=ROUND(A2/B2*2,2)"  # shared formula expanded
    assert sh.get(3, 3).formula == "=ROUND(A3/B3*2,2)"
    assert sh.get(3, 3).value == ExcelError("#DIV/0!")
    assert sh.get(3, 1).value == "95" and sh.get(3, 1).is_text_typed
    assert sh.get(1, 1).value == 17 and not sh.get(1, 1).is_text_typed
    assert sh.get(2, 3).value == pytest.approx(1.56)
    assert sh.get(3, 4) is None  # styled empty cell is blank, not 0
    assert sh.get(3, 5).value == "ab" and sh.get(3, 5).formula == '="a"&"b"'
    assert sh.ignored_errors == [("A3", frozenset({"numberStoredAsText"}))]
    assert grid.defined_names["PERFSCORE_PROFILE"] == '"central"'


def test_openpyxl_workbook_values_merges_formats_names(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目支出"
    ws["A1"] = "项目支出绩效自评表"
    ws.merge_cells("A1:K1")
    ws["B3"] = 932.92
    ws["C3"] = 3000
    ws["D3"] = "=B3/C3"
    ws["D3"].number_format = "0.00%"
    ws["E3"] = "2910"  # a number typed as text
    ws["F3"] = True
    hidden = wb.create_sheet("_perfscore")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "kind"
    wb.defined_names["PERFSCORE_KIND"] = openpyxl.workbook.defined_name.DefinedName(
        "PERFSCORE_KIND", attr_text='"项目支出自评"'
    )
    ws.add_data_validation(DataValidation(type="list", formula1='"正向,反向,定性"', sqref="A5:A9"))
    path = tmp_path / "o.xlsx"
    wb.save(path)

    grid = read_grid(path)
    assert [s.name for s in grid.sheets] == ["项目支出", "_perfscore"]
    sh = grid.sheets[0]
    assert sh.merged == [(1, 1, 1, 11)]
    assert sh.value(1, 1) == "项目支出绩效自评表"
    assert sh.get(3, 4).formula == "=B3/C3" and sh.get(3, 4).number_format == "0.00%"
    assert sh.get(3, 5).is_text_typed and sh.value(3, 5) == "2910"
    assert sh.value(3, 6) is True
    assert sh.value(3, 2) == pytest.approx(932.92)
    assert grid.sheets[1].hidden and not sh.hidden
    assert grid.defined_names["PERFSCORE_KIND"] == '"项目支出自评"'


def test_read_cost_small_form_is_a_few_ms(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, 61):
        for c in range(1, 12):
            ws.cell(r, c, f"=A{r}+1" if c == 10 else r * c)
    path = tmp_path / "f.xlsx"
    wb.save(path)
    read_grid(path)
    n = 50
    t0 = time.perf_counter()
    for _ in range(n):
        read_grid(path)
    per_file = (time.perf_counter() - t0) / n
    assert per_file < 0.05, f"read_grid took {per_file * 1000:.1f} ms per 660-cell file"


# -- hostile input: each becomes a typed error naming the file ------------------------------------------------

def _assert_error(path: Path, code: str):
    with pytest.raises(XlsxError) as info:
        read_grid(path)
    assert info.value.code == code
    assert path.name in info.value.message
    return info.value


def test_missing_file(tmp_path):
    _assert_error(tmp_path / "无此文件.xlsx", E.NOT_FOUND)


def test_ole_signature_is_encrypted_or_xls(tmp_path):
    p = tmp_path / "secret.xlsx"
    p.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600)
    err = _assert_error(p, E.ENCRYPTED)
    assert "加密" in err.message


def test_not_a_zip(tmp_path):
    p = tmp_path / "note.xlsx"
    p.write_text("这不是工作簿", encoding="utf-8")
    _assert_error(p, E.NOT_ZIP)


def test_truncated_zip(tmp_path):
    good = make_package(tmp_path / "good.xlsx", base_parts())
    bad = tmp_path / "truncated.xlsx"
    bad.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    _assert_error(bad, E.CORRUPT_ZIP)


def test_missing_sheet_part(tmp_path):
    parts = base_parts()
    del parts["xl/worksheets/sheet1.xml"]
    _assert_error(make_package(tmp_path / "nosheet.xlsx", parts), E.MISSING_PART)


def test_zip_bomb_ratio(tmp_path):
    parts = base_parts()
    parts["xl/media/pad.xml"] = b"\0" * (8 * 1024 * 1024)  # compresses ~1000:1
    _assert_error(make_package(tmp_path / "bomb.xlsx", parts), E.ZIP_BOMB)


def test_dtd_entities_refused(tmp_path):
    evil = SHEET.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
    )
    _assert_error(make_package(tmp_path / "lol.xlsx", base_parts(evil)), E.DTD)


def test_bad_xml(tmp_path):
    _assert_error(make_package(tmp_path / "badxml.xlsx", base_parts("<worksheet><sheetData>")), E.BAD_XML)


def test_write_bytes_atomic_replaces_and_leaves_no_temp(tmp_path):
    target = tmp_path / "out" / "a.xlsx"
    write_bytes_atomic(target, b"one")
    write_bytes_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["a.xlsx"]
