"""A strict byte scanner for a sheet's cells: one pass gives the grid's cells and the formula cells' byte spans.

Walking lxml's tree costs a Python-level proxy per element and attribute; most sheets are written by Excel,
WPS or openpyxl in one plain shape: `<row ...><c r=".." s=".." t=".."><f ..>..</f><v>..</v></c>...</row>`.
`plain_sheet` accepts exactly that shape: one regex split cuts `<sheetData>` into cells, and what is left
between them must be row tags only. Anything outside the grammar (namespace prefixes,
cells without `r`, rich inline text, comments, CDATA, entities other than XML's own, other encodings, ...) makes
it answer None and the caller reads the sheet with lxml as before. The rest of the sheet (merges, ignored errors)
is still parsed by lxml with `<sheetData>` emptied, so the part as a whole is still checked for well-formedness
and DOCTYPE like every other part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Iterator

# Attribute values we accept: no markup, no entity, no whitespace an XML parser would normalise.
_VAL = rb'"[^"<&\t\n\r]*"'
_ROW_ATTRS = rb"(?:\s+(?!xmlns)[A-Za-z_][\w.:-]*\s*=\s*" + _VAL + rb")*+\s*"
# Optional parts are possessive (?+, *+): the grammar never needs to backtrack into them (what follows an
# optional part cannot start like it), and without the backtracking state the split runs ~40 % fewer instructions.
_T_OPEN = rb'<t(?: xml:space="preserve")?+'
# One cell. Groups: 1 r, 2 s, 3 t, 4 attribute text of <f> (None: no formula), 5 formula text, 6 <v> text,
# 7 b"" when the cell has <is>, 8 inline string text. The whole element, its attribute text and its content are
# not captured (bytes objects for every cell): spans of formula cells are taken from the part (formula_cell).
_CELL = re.compile(
    rb'<c r="([A-Z]{1,3}[1-9][0-9]{0,6})"(?: s="([0-9]{1,9})")?+(?: t="([a-zA-Z]{1,9})")?+'
    rb'(?: cm="[0-9]{1,9}")?+(?: vm="[0-9]{1,9}")?+(?: ph="(?:[01]|true|false)")?+'
    rb"(?:/>|>(?:"
    rb"(?:<f((?: [a-zA-Z0-9]{1,16}=" + _VAL + rb")*+)(?:/>|>([^<]*)</f>))?+(?:<v>([^<]*)</v>|<v/>)?+"
    rb"|<is()(?:/>|>(?:" + _T_OPEN + rb">([^<]*)</t>|" + _T_OPEN + rb"/>)?+</is>)"
    rb")</c>)")
_GROUPS = 8
# What is left between the cells once each is replaced by "<>" (which no well-formed XML holds): rows only.
_ROWS = re.compile(rb"(?:\s*<row" + _ROW_ATTRS + rb"(?:/>|>(?:\s*<>)*+\s*</row>))*+\s*")
_SHEETDATA_OPEN = re.compile(rb"<sheetData" + _ROW_ATTRS + rb"(/?)>")
_ATTR_PREFIX = re.compile(rb"\s([A-Za-z_][\w.-]*):[\w.-]+\s*=")
# A row tag naming one attribute twice is refused by XML parsers; the row grammar alone would take it.
# Checked per row tag (from "<row" to the first ">") on the names found there: one linear scan, where a
# back-referencing regex over the whole skeleton retried every pair of names (see _dup_row_attr).
_ROW_OPEN = re.compile(rb"<row\b[^>]*")
_ATTR_NAME = re.compile(rb"\s([\w:.-]+)\s*=")
# Control characters an XML parser refuses anywhere (tab, LF and CR are allowed).
_CONTROL = bytes(range(0x09)) + b"\x0b\x0c" + bytes(range(0x0e, 0x20))
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


class NotPlain(Exception):
    """The sheet is outside the scanner's grammar: read it with lxml."""


@dataclass(frozen=True)
class PlainSheet:
    """A sheet accepted by the scanner."""

    xml: bytes  # the part
    parts: list  # _CELL.split of sheetData: text before the first cell, then per cell its groups and the text after
    first: int  # position in the part of the first cell
    rest: bytes  # the part with sheetData emptied, for lxml (merges, ignored errors, well-formedness)
    prefixes: frozenset[str]  # namespace prefixes of row attributes (x14ac:dyDescent): must be declared

    def cells(self) -> Iterator[tuple]:
        """Per `<c>`, in document order: the _CELL groups, then the bytes up to the next cell. Lazily: zip
        reuses its tuple when the loop unpacks it, where a list of tuples costs an allocation per cell."""
        return zip(*[islice(self.parts, 1, None)] * (_GROUPS + 1))


def plain_sheet(xml: bytes) -> PlainSheet | None:
    """The part's cells split out by the scanner, or None when it is not in the plain shape."""
    if xml.count(b"<sheetData") != 1 or not _utf8(xml):
        return None
    m = _SHEETDATA_OPEN.search(xml)
    if m is None or m.group(1):
        return None  # prefixed, odd attributes, or an empty <sheetData/>
    start = m.end()
    end = xml.find(b"</sheetData>", start)
    if end < 0:
        return None
    parts = _CELL.split(xml[start:end])
    skeleton = b"<>".join(parts[::_GROUPS + 1])
    if not _ROWS.fullmatch(skeleton) or _dup_row_attr(skeleton) or _refused_bytes(skeleton):
        return None
    prefixes = frozenset(p.decode("ascii") for p in _ATTR_PREFIX.findall(skeleton)) if b":" in skeleton else frozenset()
    return PlainSheet(xml, parts, start + len(parts[0]), xml[:start] + xml[end:], prefixes)


def formula_cell(xml: bytes, ref: bytes, start: int) -> tuple[int, int, bytes, bytes]:
    """(start, end, attribute text, content) of the first cell `ref` holding a formula at or after `start`, in a
    part accepted by plain_sheet. Exact: every `<c r="` there opens a cell (attribute values and texts of the
    grammar hold no "<"), the first "</c>" after it closes it, and a formula cell's content starts with `<f`."""
    needle = b'<c r="' + ref + b'"'
    while True:
        begin = xml.find(needle, start)
        if begin < 0:
            raise NotPlain("formula cell not found")  # cannot happen for a cell plain_sheet split out
        open_end = xml.find(b">", begin)
        end = xml.find(b"</c>", open_end)
        if xml.startswith(b"<f", open_end + 1) and xml[open_end - 1] != 47:  # 47: "/", an empty <c .../>
            return begin, end + 4, xml[begin + 2:open_end], xml[open_end + 1:end]
        start = open_end


def _dup_row_attr(skeleton: bytes) -> bool:
    r"""True when a row tag names an attribute twice. Same answer as the former search of the whole skeleton
    with `<row\b[^>]*?\s([\w:.-]+)\s*=[^>]*?\s\1\s*=`: in a tag, each whitespace-name-`=` has one reading
    (the name is the whole run of name characters before `\s*=`) and two never overlap, so findall lists
    them all and a match of that regex is a name listed twice."""
    for tag in _ROW_OPEN.findall(skeleton):
        names = _ATTR_NAME.findall(tag)
        if len(names) > 1 and len(set(names)) != len(names):
            return True
    return False


def _refused_bytes(raw: bytes) -> bool:
    """Bytes an XML parser refuses anywhere: control characters, U+FFFE, U+FFFF. (The texts inside cells are
    checked by xml_text, with "]]>" which only content may not hold.)"""
    return len(raw.translate(None, _CONTROL)) != len(raw) or b"\xef\xbf\xbe" in raw or b"\xef\xbf\xbf" in raw


def _utf8(xml: bytes) -> bool:
    """True when the part is UTF-8 (no declaration, or one naming UTF-8), so bytes can be scanned directly."""
    head = xml[:200]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if not head.startswith(b"<?xml"):
        return not head.startswith((b"\xff\xfe", b"\xfe\xff"))
    decl = head[:head.find(b"?>")]
    m = _ENCODING.search(decl)
    return m is None or m.group(1).lower() in (b"utf-8", b"utf8")


def _entity(m: re.Match) -> str:
    named, dec, hexa = m.groups()
    if named:
        return _NAMED[named]
    code = int(dec) if dec else int(hexa, 16)
    if not (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF):
        raise NotPlain(f"character reference {m.group(0)} is not an XML character")
    return chr(code)


_F_ATTR = re.compile(rb'([a-zA-Z0-9]+)="([^"]*)"')


def f_attributes(raw: bytes) -> dict[str, str]:
    """Attributes of an accepted `<f>` (the grammar fixed their shape); a repeated name is not XML."""
    pairs = _F_ATTR.findall(raw)
    out = {name.decode("ascii"): xml_text(value) for name, value in pairs}
    if len(out) != len(pairs):
        raise NotPlain("an attribute of <f> given twice")
    return out


@lru_cache(maxsize=8192)
def xml_text(raw: bytes) -> str:
    """Element text as an XML parser reports it: UTF-8 decoded, line ends normalised, references resolved.
    Memoised: forms of one template repeat the same labels and formulas."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotPlain("not UTF-8") from exc
    if _refused_bytes(raw) or "]]>" in text:
        raise NotPlain("characters XML does not allow")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        resolved = _ENTITY.sub(_entity, text)
        if "&" in _ENTITY.sub("", text):
            raise NotPlain("an entity other than XML's predefined ones")
        text = resolved
    return text
