"""The reader's fast paths and caches give the answers of the plain code: rich/phonetic text, cells without
`r`, styles cached by content, memoised cell references."""

from __future__ import annotations

import pytest

from perfscore.xlsx import cell_ref, col_index, col_letter, parse_ref, read_grid
from perfscore.xlsx.package import XlsxPackage, list_sheets

from .test_read_grid import base_parts, make_package

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
SST = f"""<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="3" uniqueCount="3">
<si><t>分值</t></si>
<si><r><rPr><b/></rPr><t>得</t></r><r><t xml:space="preserve">分 </t></r><rPh sb="0" eb="1"><t>とく</t></rPh></si>
<si><t>年度<!-- note -->指标值</t></si>
</sst>"""
WB_RELS_SST = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""


def _styles(code: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?><styleSheet {NS}>
<numFmts count="1"><numFmt numFmtId="164" formatCode="{code}"/></numFmts>
<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="10"/></cellXfs></styleSheet>"""


def _sheet(rows: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>{rows}</sheetData></worksheet>'


def _book(tmp_path, name: str, rows: str, styles: str = _styles("0.000")):
    parts = base_parts(_sheet(rows))
    parts["xl/_rels/workbook.xml.rels"] = WB_RELS_SST
    parts["xl/sharedStrings.xml"] = SST
    parts["xl/styles.xml"] = styles
    return read_grid(make_package(tmp_path / name, parts)).sheets[0]


def test_rich_phonetic_and_commented_text_shared_and_inline(tmp_path):
    rows = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
            '<c r="D1" t="inlineStr"><is><r><t>实际</t></r><r><t>完成值</t></r><rPh><t>x</t></rPh></is></c>'
            '<c r="E1" t="inlineStr"><is><t>计量单位</t></is></c><c r="F1" t="inlineStr"><is/></c></row>')
    sh = _book(tmp_path, "t.xlsx", rows)
    assert [sh.value(1, c) for c in range(1, 7)] == ["分值", "得分 ", "年度", "实际完成值", "计量单位", ""]
    assert all(sh.get(1, c).is_text_typed for c in range(1, 7))


def test_cells_without_r_follow_the_previous_cell_even_after_a_styled_empty_one(tmp_path):
    rows = ('<row r="2"><c r="B2" s="1"/><c><v>7</v></c><c r="E2"><v>8</v></c><c><v>9</v></c></row>'
            '<row><c><v>1</v></c><c s="2"/><c><v>3</v></c></row>')
    sh = _book(tmp_path, "r.xlsx", rows)
    assert {k: c.value for k, c in sh.cells.items()} == {(2, 3): 7, (2, 5): 8, (2, 6): 9, (3, 1): 1, (3, 3): 3}


def test_bad_reference_on_a_styled_empty_cell_is_still_refused(tmp_path):
    with pytest.raises(ValueError):
        _book(tmp_path, "bad.xlsx", '<row r="1"><c r="1A" s="1"/></row>')


def test_number_formats_follow_each_files_own_styles(tmp_path):
    rows = ('<row r="1"><c r="A1" s="1"><v>1</v></c><c r="B1" s="2"><v>0.5</v></c><c r="C1" s="9"><v>2</v></c>'
            '<c r="D1" s="01"><v>3</v></c><c r="E1" s="2"><v>4</v></c><c r="F1" s="-1"><v>5</v></c></row>')
    a1 = _book(tmp_path, "a1.xlsx", rows, _styles("0.000"))
    a2 = _book(tmp_path, "a2.xlsx", rows, _styles("0.000"))  # same styles bytes: served from the cache
    b = _book(tmp_path, "b.xlsx", rows, _styles("0.00%"))  # same length, other content
    # s="01" is style 1; s="-1" indexes from the end as the plain lookup always did
    want = ["0.000", "0.00%", None, "0.000", "0.00%", "0.00%"]
    assert [a1.get(1, c).number_format for c in range(1, 7)] == want
    assert [a2.get(1, c).number_format for c in range(1, 7)] == want
    assert b.get(1, 1).number_format == "0.00%"


def test_list_sheets_is_read_once_and_callers_get_their_own_list(tmp_path):
    pkg = XlsxPackage.open(make_package(tmp_path / "l.xlsx", base_parts()))
    first, root, part = list_sheets(pkg)
    first.clear()
    again, root2, part2 = list_sheets(pkg)
    assert [e.name for e in again] == ["自评表"] and root2 is root and part2 == part == "xl/workbook.xml"
    rels = pkg.rels(part)
    rels.clear()
    assert pkg.rels(part)


def _col_letter_plain(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def test_memoised_references_match_the_plain_computation():
    for col in (1, 26, 27, 52, 702, 703, 16384):
        letters = _col_letter_plain(col)
        for _ in range(2):  # second call served from the cache
            assert col_letter(col) == letters and col_index(letters) == col
            assert cell_ref(12, col) == f"{letters}12"
            assert parse_ref(f"${letters}$12") == parse_ref(f"{letters}12") == (12, col)
    assert cell_ref(3.0, 1) == "A3.0" and cell_ref(3, 1) == "A3"  # typed: 3 and 3.0 are not one key
    for _ in range(2):
        with pytest.raises(ValueError):
            parse_ref("12AB")
