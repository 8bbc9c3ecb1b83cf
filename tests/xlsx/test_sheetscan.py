"""The byte scanner (sheetscan) reads a plain sheet exactly as lxml does, hands every other shape back to lxml,
and lets no malformed sheet through."""

from __future__ import annotations

import random
import re

import pytest

from perfscore.xlsx import XlsxError
from perfscore.xlsx import errors as E
from perfscore.xlsx.package import XlsxPackage, parse_xml_bytes
from perfscore.xlsx.reader import _lxml_sheet, _merges_and_ignored, grid_and_spans
from perfscore.xlsx.sheetscan import _dup_row_attr, plain_sheet
from perfscore.xlsx.spans import find_formula_cells

from .test_read_fast_paths import SST, WB_RELS_SST, _styles
from .test_read_grid import base_parts, make_package

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
X14 = 'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"'
SHEET_PART = "xl/worksheets/sheet1.xml"

PLAIN_ROWS = {
    "excel": ('<row r="1" spans="1:4" ht="20.25" customHeight="1" x14ac:dyDescent="0.25">'
              '<c r="A1" s="1" t="s"><v>0</v></c><c r="B1" s="2"><v>0.125</v></c><c r="C1" s="2"/>'
              '<c r="D1" t="str"><f>IF(B1&lt;&gt;0,"a&amp;b","")</f><v>a&amp;b</v></c></row>'
              '<row r="2"><c r="A2"><f t="shared" ref="A2:A4" si="0">B1*2</f><v>0.25</v></c>'
              '<c r="B2" t="b"><v>1</v></c><c r="C2" t="e"><v>#DIV/0!</v></c><c r="D2" t="d"><v>2024-01-31</v></c></row>'
              '<row r="3"><c r="A3"><f t="shared" si="0"/><v>1</v></c><c r="B3" s="1" t="s"><v>2</v></c></row>'
              '<row r="4"><c r="A4" cm="1"><f t="array" ref="A4:B5">B1:C2*2</f><v>0.25</v></c><c r="B4"/></row>'
              '<row r="6" hidden="1"/>'),
    "openpyxl": ('<row r="1"><c r="A1" s="1" t="inlineStr"><is><t>&#39033;&#30446;&#x540D;称</t></is></c>'
                 '<c r="B1" t="n"></c><c r="C1" t="inlineStr"><is><t xml:space="preserve"> 两端 </t></is></c>'
                 '<c r="D1" t="inlineStr"><is><t></t></is></c><c r="E1" t="inlineStr"></c>'
                 '<c r="F1" t="inlineStr"><is/></c></row>'
                 '<row r="2"><c r="A2"><f>SUM(B2:C2)</f><v></v></c><c r="B2" t="n"><v>12</v></c>'
                 '<c r="C2" t="n"><v>1e-3</v></c><c r="D2" t="n"><v>00012</v></c><c r="E2" t="n"><v>12x</v></c>'
                 '<c r="F2"><f></f><v>3</v></c><c r="G2" t="str"><f>A2</f></c><c r="H2"><v/></c></row>'),
    "pretty": ('\n  <row r="1">\n    <c r="A1" t="str"><v>line\r\nbreak\rend\tTab</v></c>\n'
               '    <c r="B1" t="inlineStr"><is><t>&quot;&apos;&gt;</t></is></c>\n  </row>\n'),
}


def _sheet(rows: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet {NS} {X14}>'
            f'<dimension ref="A1:H6"/><sheetData>{rows}</sheetData>'
            '<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>'
            '<ignoredErrors><ignoredError sqref="D2" numberStoredAsText="1"/></ignoredErrors></worksheet>')


def _package(tmp_path, sheet: str | bytes) -> XlsxPackage:
    parts = base_parts(sheet)
    parts["xl/_rels/workbook.xml.rels"] = WB_RELS_SST
    parts["xl/sharedStrings.xml"] = SST
    parts["xl/styles.xml"] = _styles("0.000")
    return XlsxPackage.open(make_package(tmp_path / "s.xlsx", parts))


def _by_lxml(pkg: XlsxPackage):
    """The sheet as the lxml reader sees it (the reference the scanner must match)."""
    from perfscore.xlsx.reader import _shared_strings, _xf_number_formats

    root = parse_xml_bytes(pkg.read(SHEET_PART))
    sheet = _lxml_sheet(root, "自评表", _shared_strings(pkg, "xl/sharedStrings.xml"),
                        _xf_number_formats(pkg, "xl/styles.xml"))
    _merges_and_ignored(root, sheet)
    return sheet


@pytest.mark.parametrize("shape", sorted(PLAIN_ROWS))
def test_plain_sheets_are_scanned_with_the_values_and_spans_lxml_gives(tmp_path, shape):
    pkg = _package(tmp_path, _sheet(PLAIN_ROWS[shape]))
    xml = pkg.read(SHEET_PART)
    assert plain_sheet(xml) is not None  # the scanner, not the fallback, read it
    grid, spans = grid_and_spans(pkg)
    got, want = grid.sheets[0], _by_lxml(pkg)
    assert list(got.cells.items()) == list(want.cells.items())
    assert (got.merged, got.ignored_errors) == (want.merged, want.ignored_errors) != ([], [])
    assert spans[0] == find_formula_cells(xml)
    assert all(xml[s.start:s.end].startswith(b"<c") and xml[s.start:s.end].endswith(b"</c>") for s in spans[0])


def test_scanned_values_spot_checks(tmp_path):
    sheet = grid_and_spans(_package(tmp_path, _sheet(PLAIN_ROWS["openpyxl"] + PLAIN_ROWS["pretty"]
                                                     .replace('r="1"', 'r="3"').replace('1"', '3"'))))[0].sheets[0]
    assert sheet.value(1, 1) == "项目名称" and sheet.value(1, 3) == " 两端 " and sheet.value(1, 4) == ""
    assert sheet.get(1, 2) is None and sheet.get(1, 5) is None and sheet.value(1, 6) == ""
    assert sheet.get(2, 1).formula == "=SUM(B2:C2)" and sheet.value(2, 1) is None
    assert sheet.value(2, 4) == 12 and sheet.value(2, 5) == "12x" and sheet.get(2, 5).is_text_typed
    assert sheet.get(2, 6).formula is None and sheet.value(2, 6) == 3
    assert sheet.value(2, 7) == "" and sheet.get(2, 8) is None
    assert sheet.value(3, 1) == "line\nbreak\nend\tTab" and sheet.value(3, 2) == "\"'>"


OTHER_SHAPES = {
    "prefixed": '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>',
    "no r": '<row r="1"><c><v>1</v></c><c s="1"/><c><v>2</v></c></row>',
    "rich inline": '<row r="1"><c r="A1" t="inlineStr"><is><r><t>a</t></r><r><t>b</t></r></is></c></row>',
    "comment": '<row r="1"><!-- x --><c r="A1"><v>1</v></c></row>',
    "cdata": '<row r="1"><c r="A1" t="str"><v><![CDATA[a<b]]></v></c></row>',
    "single quotes": "<row r='1'><c r='A1'><v>1</v></c></row>",
    "odd attribute order": '<row r="1"><c t="n" r="A1"><v>1</v></c></row>',
    "lower-case ref": '<row r="1"><c r="a1"><v>1</v></c></row>',
    "extLst in cell": '<row r="1"><c r="A1"><v>1</v><extLst/></c></row>',
}


@pytest.mark.parametrize("shape", sorted(OTHER_SHAPES))
def test_other_shapes_go_to_lxml_and_read_as_before(tmp_path, shape):
    sheet = _sheet(OTHER_SHAPES[shape])
    if shape == "prefixed":
        sheet = sheet.replace("<sheetData>", '<sheetData xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
    pkg = _package(tmp_path, sheet)
    xml = pkg.read(SHEET_PART)
    assert plain_sheet(xml) is None
    grid, spans = grid_and_spans(pkg)
    assert list(grid.sheets[0].cells.items()) == list(_by_lxml(pkg).cells.items())
    assert grid.sheets[0].cells  # something was read
    assert spans[0] == find_formula_cells(xml)


def test_other_encodings_go_to_lxml(tmp_path):
    latin = _sheet('<row r="1"><c r="A1" t="str"><v>caf\u00e9</v></c></row>').replace("UTF-8", "ISO-8859-1")
    pkg = _package(tmp_path, latin.encode("latin-1"))
    assert plain_sheet(pkg.read(SHEET_PART)) is None
    assert grid_and_spans(pkg)[0].sheets[0].value(1, 1) == "caf\u00e9"


MALFORMED = {
    "undeclared entity": ('<row r="1"><c r="A1" t="str"><v>a&nbsp;b</v></c></row>', E.BAD_XML),
    "bad character reference": ('<row r="1"><c r="A1" t="str"><v>a&#0;b</v></c></row>', E.BAD_XML),
    "control character": ('<row r="1"><c r="A1" t="str"><v>a\x01b</v></c></row>', E.BAD_XML),
    "repeated row attribute": ('<row r="1" ht="3" ht="4"><c r="A1"><v>1</v></c></row>', E.BAD_XML),
    "undeclared prefix": ('<row r="1" x14q:dy="1"><c r="A1"><v>1</v></c></row>', E.BAD_XML),
    "repeated f attribute": ('<row r="1"><c r="A1"><f t="shared" t="array">1</f></c></row>', E.BAD_XML),
    "unclosed row": ('<row r="1"><c r="A1"><v>1</v></c>', E.BAD_XML),
    "cell outside a row": ('<c r="A1"><v>1</v></c>', None),  # well-formed, not a row: lxml ignores it
    "bad bytes": ('<row r="1"><c r="A1" t="str"><v>\udcff</v></c></row>', E.BAD_XML),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_sheets_are_refused_as_before(tmp_path, case):
    rows, code = MALFORMED[case]
    data = _sheet(rows).encode("utf-8", "surrogateescape")
    pkg = _package(tmp_path, data)
    if code is None:
        assert grid_and_spans(pkg)[0].sheets[0].cells == {}
        return
    with pytest.raises(XlsxError) as exc:
        grid_and_spans(pkg)
    assert exc.value.code == code and "sheet1.xml" in str(exc.value)


def test_doctype_in_a_plain_sheet_is_refused(tmp_path):
    sheet = _sheet(PLAIN_ROWS["excel"]).replace("?>", '?><!DOCTYPE worksheet [<!ENTITY a "x">]>', 1)
    with pytest.raises(XlsxError) as exc:
        grid_and_spans(_package(tmp_path, sheet))
    assert exc.value.code == E.DTD


def test_number_byte_paths_and_a_repeated_ref_read_as_lxml_does(tmp_path):
    rows = ('<row r="1"><c r="A1"><v>1</v></c><c r="A1"><f>1+1</f><v>2</v></c><c r="B1" s="1" t="n"><v>-3</v></c>'
            '<c r="C1"><v>-0.50</v></c><c r="D1"><v>1234567890123456</v></c><c r="E1" s="07"><v>-0</v></c>'
            '<c r="F1" s="99"><v>007.25</v></c></row>')
    pkg = _package(tmp_path, _sheet(rows))
    xml = pkg.read(SHEET_PART)
    assert plain_sheet(xml) is not None
    grid, spans = grid_and_spans(pkg)
    assert list(grid.sheets[0].cells.items()) == list(_by_lxml(pkg).cells.items())
    assert spans[0] == find_formula_cells(xml) and xml[spans[0][0].start:].startswith(b'<c r="A1"><f>')
    got = {c.ref: (c.value, type(c.value)) for c in grid.sheets[0].cells.values()}
    assert got["B1"] == (-3, int) and got["C1"] == (-0.5, float) and got["D1"] == (1234567890123456.0, float)


# The former whole-skeleton regex: _dup_row_attr must give its answer on every input.
_DUP_REFERENCE = re.compile(rb"<row\b[^>]*?\s([\w:.-]+)\s*=[^>]*?\s\1\s*=")
_DUP_PIECES = [b"<row", b" ", b"\n", b"r", b"x", b"x14ac:dy", b"=", b' = ', b'"', b">", b"/>", b"<>", b"</row>",
               b"rows", b' r="1"', b' x="1"', b'"a>b x=c x="', b"-", b"1"]


def test_repeated_row_attributes_found_as_the_former_regex_found_them():
    rnd = random.Random(5)
    cases = [b"".join(rnd.choice(_DUP_PIECES) for _ in range(rnd.randint(0, 16))) for _ in range(20_000)]
    cases += [b'<row r="1" ht="3"\n ht = "4">', b'<row r="1" x="a x=b x=c">', b'<row x="1"/><row x="1">']
    found = [c for c in cases if _dup_row_attr(c)]
    assert [c for c in cases if _DUP_REFERENCE.search(c)] == found and len(found) > 50


@pytest.mark.parametrize("row", ['<row r="1"><c r="A1"><v>1</v></c></row><row r="2" ht = "3" spans="1:2" ht="4"/>',
                                 '<row r="1" x14ac:dyDescent="1" x14ac:dyDescent="2"><c r="A1"><v>1</v></c></row>'])
def test_a_row_attribute_given_twice_in_any_row_is_refused(tmp_path, row):
    pkg = _package(tmp_path, _sheet(row))
    with pytest.raises(XlsxError) as exc:
        grid_and_spans(pkg)
    assert exc.value.code == E.BAD_XML
