"""Parts read straight from the package buffer give zipfile's bytes, and every damage zipfile would notice is
still refused with its message (the direct inflate hands anything odd back to zipfile)."""

from __future__ import annotations

import io
import zipfile

import pytest

from perfscore.xlsx import XlsxError, XlsxPackage
from perfscore.xlsx import errors as E

from .test_read_grid import base_parts, make_package

SHEET = "xl/worksheets/sheet1.xml"


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED, zipfile.ZIP_BZIP2])
def test_every_part_reads_as_zipfile_reads_it(tmp_path, compression):
    path = make_package(tmp_path / "p.xlsx", base_parts(), compression=compression)
    pkg = XlsxPackage.open(path)
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            assert pkg.read(name) == z.read(name)


def _damaged(tmp_path, change) -> XlsxPackage:
    data = bytearray(make_package(tmp_path / "d.xlsx", base_parts(), compression=zipfile.ZIP_STORED).read_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(SHEET)
    change(data, info)
    return XlsxPackage(bytes(data), "损坏.xlsx")


def test_a_changed_byte_fails_the_crc_and_is_refused(tmp_path):
    def flip(data, info):
        at = info.header_offset + 30 + len(SHEET) + 10
        data[at] ^= 0x20
    pkg = _damaged(tmp_path, flip)
    with pytest.raises(XlsxError) as exc:
        pkg.read(SHEET)
    assert exc.value.code == E.CORRUPT_ZIP and "损坏.xlsx" in str(exc.value) and SHEET in str(exc.value)


def test_a_local_name_unlike_the_directory_is_refused(tmp_path):
    def rename(data, info):
        at = info.header_offset + 30 + len(SHEET) - 5  # "sheet1.xml" -> "sheet2.xml" in the local header only
        data[at] = ord("2")
    pkg = _damaged(tmp_path, rename)
    with pytest.raises(XlsxError) as exc:
        pkg.read(SHEET)
    assert exc.value.code == E.CORRUPT_ZIP and "differ" in str(exc.value)


def test_relationships_shared_between_copies_of_a_template_stay_private(tmp_path):
    a = XlsxPackage.open(make_package(tmp_path / "a.xlsx", base_parts()))
    b = XlsxPackage.open(make_package(tmp_path / "b.xlsx", base_parts()))
    rels_a = a.rels("xl/workbook.xml")
    assert rels_a == b.rels("xl/workbook.xml") == {
        "rId1": ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet", SHEET)}
    rels_a.clear()
    rels_a["x"] = ("t", "y")
    assert b.rels("xl/workbook.xml")["rId1"][1] == SHEET and "x" not in a.rels("xl/workbook.xml")
    c = XlsxPackage.open(make_package(tmp_path / "c.xlsx", base_parts()))
    assert c.rels("xl/workbook.xml")["rId1"][1] == SHEET
