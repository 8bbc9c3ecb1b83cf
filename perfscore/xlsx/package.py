"""Safe access to an OOXML package (.xlsx / .xlsm / .xltx): zip limits, no DTDs, typed errors.

Everything that opens a user's workbook goes through `XlsxPackage.open`, so one place decides what is refused:
encrypted files and legacy .xls (OLE compound files), broken zips, zip bombs, XML carrying a DOCTYPE
(entity expansion / external entities) and missing parts. Parts are read into memory: forms are small and
the limits bound the worst case.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import threading
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from . import errors as E
from .errors import XlsxError

OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
REL_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
REL_SHARED_STRINGS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
REL_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"


@dataclass(frozen=True)
class Limits:
    """Refusal thresholds. Real forms are a few hundred KB; these leave room for 20-sheet books."""

    max_file: int = 200 * 1024 * 1024  # bytes on disk
    max_total: int = 500 * 1024 * 1024  # sum of uncompressed parts
    max_part: int = 250 * 1024 * 1024  # one uncompressed part
    max_ratio: float = 200.0  # uncompressed / compressed, checked for parts above ratio_floor
    ratio_floor: int = 2 * 1024 * 1024
    max_parts: int = 20_000


DEFAULT_LIMITS = Limits()

_SAFE_PARSER_KW = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, dtd_validation=False)
_PROLOG_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_ROOT_START = re.compile(rb"<[A-Za-z_]")


_LOCAL = threading.local()


def _parser() -> etree.XMLParser:
    """One safe parser per thread, reused: building one costs about as much as parsing a small part.
    (lxml parsers may be reused but not shared between threads; Dask workers can run tasks in threads.)"""
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = etree.XMLParser(**_SAFE_PARSER_KW)
    return parser


def parse_xml_bytes(data: bytes, part: str = "", path: str | None = None) -> etree._Element:
    """Parse one XML part, refusing any DOCTYPE/ENTITY declaration (billion laughs, XXE)."""
    m = _ROOT_START.search(data)
    prolog = data[: m.start()] if m else data
    if _PROLOG_DOCTYPE.search(prolog):
        raise XlsxError(E.DTD, f"文件 {path or ''} 的部件 {part} 含有 DTD/实体声明（DOCTYPE），出于安全原因拒绝读取", path)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise XlsxError(E.BAD_XML, f"文件 {path or ''} 的部件 {part} 不是有效的 XML：{exc}", path) from exc
    if root is None:
        raise XlsxError(E.BAD_XML, f"文件 {path or ''} 的部件 {part} 为空", path)
    return root


def _classify_ole(data: bytes, path: str) -> XlsxError:
    """An OLE compound file is either an encrypted OOXML workbook or a legacy .xls."""
    try:
        import olefile

        ole = olefile.OleFileIO(io.BytesIO(data))
        streams = {"/".join(s) for s in ole.listdir()}
        ole.close()
    except Exception:  # olefile raises several types on broken files; any of them means "not readable OLE"
        streams = set()
    if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
        return XlsxError(E.ENCRYPTED, f"文件 {path} 已加密（设置了打开密码），无法读取；请去掉密码后另存为 .xlsx", path)
    if streams & {"Workbook", "Book"}:
        return XlsxError(E.XLS_FORMAT, f"文件 {path} 是旧版 .xls 格式，请在 Excel/WPS 中另存为 .xlsx 后再处理", path)
    return XlsxError(E.ENCRYPTED, f"文件 {path} 是 OLE 复合文档（可能已加密或为旧版 .xls），不是 .xlsx，无法读取", path)


class XlsxPackage:
    """The parts of one workbook package, read with limits. Use `XlsxPackage.open(path)`."""

    def __init__(self, data: bytes, path: str, limits: Limits = DEFAULT_LIMITS):
        self.path = path
        self.data = data
        self.limits = limits
        if data[:8] == OLE_SIGNATURE:
            raise _classify_ole(data, path)
        if data[:4] not in ZIP_SIGNATURES:
            raise XlsxError(E.NOT_ZIP, f"文件 {path} 不是 Excel 工作簿（.xlsx/.xlsm 应为 zip 包）", path)
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, EOFError, ValueError, OSError) as exc:
            raise XlsxError(E.CORRUPT_ZIP, f"文件 {path} 已损坏（zip 结构无法读取，可能下载不完整）：{exc}", path) from exc
        self._check_sizes(infos)
        self.infos = {i.filename: i for i in infos}
        self._cache: dict[str, bytes] = {}
        self._rels: dict[str, dict[str, tuple[str, str]]] = {}
        self._sheets: tuple[list[SheetEntry], etree._Element, str] | None = None  # list_sheets, read once

    @classmethod
    def open(cls, path: str | Path, limits: Limits = DEFAULT_LIMITS) -> "XlsxPackage":
        p = Path(path)
        try:
            size = p.stat().st_size
        except FileNotFoundError as exc:
            raise XlsxError(E.NOT_FOUND, f"找不到文件 {p}", str(p)) from exc
        if size > limits.max_file:
            raise XlsxError(E.ZIP_BOMB, f"文件 {p} 过大（{size // 1048576} MB），超过上限", str(p))
        return cls(p.read_bytes(), str(p), limits)

    def _check_sizes(self, infos: list[zipfile.ZipInfo]) -> None:
        lim = self.limits
        if len(infos) > lim.max_parts:
            raise XlsxError(E.ZIP_BOMB, f"文件 {self.path} 含 {len(infos)} 个部件，超过上限（疑似压缩炸弹）", self.path)
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > lim.max_part or total > lim.max_total:
                raise XlsxError(E.ZIP_BOMB, f"文件 {self.path} 解压后过大（部件 {info.filename}），疑似压缩炸弹，拒绝读取", self.path)
            if info.file_size > lim.ratio_floor and info.file_size > lim.max_ratio * max(info.compress_size, 1):
                raise XlsxError(E.ZIP_BOMB, f"文件 {self.path} 的部件 {info.filename} 压缩比异常（疑似压缩炸弹），拒绝读取", self.path)
            if info.flag_bits & 0x1:
                raise XlsxError(E.ENCRYPTED, f"文件 {self.path} 的 zip 部件已加密，无法读取", self.path)

    # -- parts -------------------------------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return list(self.infos)

    def has(self, name: str) -> bool:
        return name in self.infos

    def read(self, name: str) -> bytes:
        """Bytes of one part; the declared size is enforced while reading (headers can lie)."""
        if name in self._cache:
            return self._cache[name]
        info = self.infos.get(name)
        if info is None:
            raise XlsxError(E.MISSING_PART, f"文件 {self.path} 缺少部件 {name}（文件不完整或已损坏）", self.path)
        data = self._inflate(info)
        if data is None:
            data = self._read_zipfile(info)
        self._cache[name] = data
        return data

    def _inflate(self, info: zipfile.ZipInfo) -> bytes | None:
        """A stored or deflated member straight from the buffer (zipfile's reader objects cost more than the
        inflate itself on small parts). None when anything is off: zipfile then reads it and says what."""
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x61:
            return None  # other methods, encrypted or patched data: zipfile's checks and messages
        try:
            flags, name, start, end = _local_record(self, info)
            # zipfile refuses a local name that differs from the directory's: so do we
            if name.decode("utf-8" if flags & 0x800 else "cp437") != info.orig_filename:
                return None
            raw = self.data[start:end]
            if info.compress_type == zipfile.ZIP_STORED:
                data = raw
            else:
                inflater = zlib.decompressobj(-15)
                data = inflater.decompress(raw, info.file_size + 1)
                if not inflater.eof:
                    return None
        except (XlsxError, zlib.error, UnicodeDecodeError):
            return None
        if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
            return None
        return data

    def _read_zipfile(self, info: zipfile.ZipInfo) -> bytes:
        name = info.filename
        try:
            with self._zip.open(info) as fh:
                data = fh.read(self.limits.max_part + 1)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise XlsxError(E.CORRUPT_ZIP, f"文件 {self.path} 的部件 {name} 无法解压（文件已损坏）：{exc}", self.path) from exc
        if len(data) > self.limits.max_part:
            raise XlsxError(E.ZIP_BOMB, f"文件 {self.path} 的部件 {name} 解压后过大，疑似压缩炸弹", self.path)
        return data

    def xml(self, name: str) -> etree._Element:
        return parse_xml_bytes(self.read(name), name, self.path)

    # -- relationships -----------------------------------------------------------------------------------
    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationships of a part: rId -> (type, absolute target part name). Missing .rels -> {}."""
        hit = self._rels.get(part)
        if hit is None:
            hit = self._rels[part] = self._read_rels(part)
        return dict(hit)

    def _read_rels(self, part: str) -> dict[str, tuple[str, str]]:
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if not self.has(rels_name):
            return {}
        data = self.read(rels_name)
        hit = _RELS_CACHE.get((folder, data))
        if hit is None:
            hit = _rels_of(parse_xml_bytes(data, rels_name, self.path), folder)
            if len(_RELS_CACHE) >= 256:
                _RELS_CACHE.clear()
            _RELS_CACHE[(folder, data)] = hit
        return hit

    def workbook_part(self) -> str:
        for rtype, target in self.rels("").values():
            if rtype == REL_OFFICE_DOCUMENT:
                return target
        if self.has("xl/workbook.xml"):
            return "xl/workbook.xml"
        raise XlsxError(E.MISSING_PART, f"文件 {self.path} 缺少工作簿部件（xl/workbook.xml），不是有效的 Excel 文件", self.path)


# A package's .rels parts are the same bytes in every copy of a template: resolved once per (folder, content).
# Values are shared between packages: XlsxPackage.rels hands out copies.
_RELS_CACHE: dict[tuple[str, bytes], dict[str, tuple[str, str]]] = {}


def _rels_of(root: etree._Element, folder: str) -> dict[str, tuple[str, str]]:
    """rId -> (type, target part name resolved against folder; external targets as written)."""
    out: dict[str, tuple[str, str]] = {}
    for rel in root.iter(f"{{{NS_PKG_REL}}}Relationship"):
        if rel.get("TargetMode") == "External":
            out[rel.get("Id", "")] = (rel.get("Type", ""), rel.get("Target", ""))
            continue
        target = rel.get("Target", "")
        resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id", "")] = (rel.get("Type", ""), resolved)
    return out


_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")  # zip local file header
_LOCAL_SIG = 0x04034B50


def _local_record(pkg: XlsxPackage, info: zipfile.ZipInfo) -> tuple[int, bytes, int, int]:
    """(flag bits, name bytes, start, end) of a member's local record: its data is pkg.data[start:end]."""
    off = info.header_offset
    head = pkg.data[off:off + _LOCAL_HEADER.size]
    if len(head) < _LOCAL_HEADER.size or _LOCAL_HEADER.unpack(head)[0] != _LOCAL_SIG:
        raise XlsxError(E.CORRUPT_ZIP, f"文件 {pkg.path} 已损坏（部件 {info.filename} 的头部无效）", pkg.path)
    fields = _LOCAL_HEADER.unpack(head)
    name_at = off + _LOCAL_HEADER.size
    start = name_at + fields[9] + fields[10]
    end = start + info.compress_size
    if end > len(pkg.data):
        raise XlsxError(E.CORRUPT_ZIP, f"文件 {pkg.path} 被截断（部件 {info.filename} 不完整）", pkg.path)
    return fields[2], pkg.data[name_at:name_at + fields[9]], start, end


def raw_member(pkg: XlsxPackage, info: zipfile.ZipInfo) -> bytes:
    """The compressed bytes of one member, straight from the package buffer."""
    _, _, start, end = _local_record(pkg, info)
    return pkg.data[start:end]


@dataclass(frozen=True)
class SheetEntry:
    name: str
    part: str  # e.g. "xl/worksheets/sheet1.xml"
    state: str  # "visible" | "hidden" | "veryHidden"
    index: int  # 0-based position in the workbook


def list_sheets(pkg: XlsxPackage) -> tuple[list[SheetEntry], etree._Element, str]:
    """Worksheets in workbook order (chart sheets left out), the workbook root, and the workbook part name.
    Read once per package (the grid reader and the recalc task both ask); the root is shared: read it only."""
    if pkg._sheets is None:
        pkg._sheets = _list_sheets(pkg)
    entries, root, wb_part = pkg._sheets
    return list(entries), root, wb_part


def _list_sheets(pkg: XlsxPackage) -> tuple[list[SheetEntry], etree._Element, str]:
    wb_part = pkg.workbook_part()
    root = pkg.xml(wb_part)
    rels = pkg.rels(wb_part)
    out: list[SheetEntry] = []
    for i, sh in enumerate(root.iter(f"{{{NS_MAIN}}}sheet")):
        rid = sh.get(f"{{{NS_R}}}id", "")
        rtype, target = rels.get(rid, ("", ""))
        if rtype != REL_WORKSHEET:
            continue
        if not pkg.has(target):
            raise XlsxError(E.MISSING_PART, f"文件 {pkg.path} 缺少工作表“{sh.get('name')}”的部件 {target}", pkg.path)
        out.append(SheetEntry(sh.get("name", ""), target, sh.get("state", "visible"), i))
    return out, root, wb_part
