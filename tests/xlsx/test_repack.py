"""repack.build_package: the one package writer. Untouched members come out as their original compressed
bytes, changed ones deflated anew; member order, names and times kept; same input, same bytes."""

from __future__ import annotations

import io
import zipfile
import zlib

import pytest

from perfscore.xlsx import XlsxError, XlsxPackage
from perfscore.xlsx import errors as E
from perfscore.xlsx.repack import build_package, raw_member


class _Unseekable(io.RawIOBase):
    """A write-only stream: zipfile then writes data descriptors (flag 0x08) after each member."""

    def __init__(self):
        self.buf = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.buf += b
        return len(b)


def _package(descriptors: bool = False) -> bytes:
    members = [
        ("[Content_Types].xml", b"<Types/>" * 20, zipfile.ZIP_DEFLATED),
        ("xl/worksheets/sheet1.xml", b"<worksheet>" + b"<c r='A1'><v>1</v></c>" * 50 + b"</worksheet>",
         zipfile.ZIP_DEFLATED),
        ("xl/media/图片.png", bytes(range(256)) * 8, zipfile.ZIP_STORED),  # UTF-8 name, stored
        ("xl/vbaProject.bin", bytes(range(255, -1, -1)) * 16, zipfile.ZIP_DEFLATED),
    ]
    sink = _Unseekable() if descriptors else io.BytesIO()
    with zipfile.ZipFile(sink, "w") as zf:
        for i, (name, data, method) in enumerate(members):
            info = zipfile.ZipInfo(name, (2024, 3, 1 + i, 10, 20, 30))
            info.compress_type = method
            info.external_attr = 0o600 << 16
            if descriptors:
                with zf.open(info, "w") as fh:
                    fh.write(data)
            else:
                zf.writestr(info, data, compresslevel=9)
    return bytes(sink.buf) if descriptors else sink.getvalue()


@pytest.mark.parametrize("descriptors", [False, True])
def test_untouched_members_raw_changed_member_deflated_order_and_times_kept(descriptors):
    data = _package(descriptors)
    pkg = XlsxPackage(data, "in.xlsx")
    new_sheet = b"<worksheet><c r='A1'><v>2</v></c></worksheet>"
    out = build_package(pkg, {"xl/worksheets/sheet1.xml": new_sheet})
    assert out == build_package(XlsxPackage(data, "in.xlsx"), {"xl/worksheets/sheet1.xml": new_sheet})
    with zipfile.ZipFile(io.BytesIO(out)) as zf:
        assert zf.testzip() is None
        infos = zf.infolist()
        assert [i.filename for i in infos] == list(pkg.infos)
        for info in infos:
            src = pkg.infos[info.filename]
            assert info.date_time == src.date_time and info.external_attr == src.external_attr
            assert not info.flag_bits & 0x08  # sizes in the headers: no data descriptors
            if info.filename == "xl/worksheets/sheet1.xml":
                assert zf.read(info) == new_sheet and info.compress_type == zipfile.ZIP_DEFLATED
                continue
            assert zf.read(info) == pkg.read(info.filename)
            assert info.compress_type == src.compress_type and info.CRC == src.CRC
        out_pkg = XlsxPackage(out, "out.xlsx")
        for name in ("[Content_Types].xml", "xl/media/图片.png", "xl/vbaProject.bin"):
            assert raw_member(out_pkg, out_pkg.infos[name]) == raw_member(pkg, pkg.infos[name])
        assert out_pkg.infos["xl/media/图片.png"].flag_bits & 0x800  # UTF-8 name flag kept


def test_nothing_replaced_gives_the_same_members_and_the_changed_part_inflates_to_its_text():
    data = _package()
    pkg = XlsxPackage(data, "in.xlsx")
    out = XlsxPackage(build_package(pkg, {}), "out.xlsx")
    assert {n: out.read(n) for n in out.names} == {n: pkg.read(n) for n in pkg.names}
    body = b"<x>" + "得分".encode() * 300 + b"</x>"
    changed = XlsxPackage(build_package(pkg, {"[Content_Types].xml": body}), "c.xlsx")
    info = changed.infos["[Content_Types].xml"]
    assert zlib.decompress(raw_member(changed, info), -15) == body and info.file_size == len(body)


def test_a_member_pointing_past_the_end_is_refused_as_corrupt():
    data = bytearray(_package())
    pkg = XlsxPackage(bytes(data), "in.xlsx")
    info = pkg.infos["xl/vbaProject.bin"]
    broken = XlsxPackage(bytes(data), "broken.xlsx")
    broken.data = bytes(data[: info.header_offset + 40])  # the member's bytes are cut off
    with pytest.raises(XlsxError) as exc:
        build_package(broken, {})
    assert exc.value.code == E.CORRUPT_ZIP and "broken.xlsx" in exc.value.message
