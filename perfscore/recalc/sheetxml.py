"""Find formula cells in a sheet's XML by byte span and patch only their cached value (`<v>`, `t`).

The sheet XML is never re-serialised: every byte outside the patched `<c>` elements is kept as it was,
so styles, merges, validations, comments anchors, extLst and unknown markup survive untouched.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from perfscore.xlsx.grid import ExcelError, parse_ref

_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # optional namespace prefix (x:c from the OpenXML SDK)
_OPEN = re.compile(rb"<(" + _P + rb")(row|c)\b([^>]*?)(/?)>", re.S)
_SHEETDATA = re.compile(rb"<" + _P + rb"sheetData\b[^>]*?(?:/>|>)", re.S)
_SHEETDATA_END = re.compile(rb"</" + _P + rb"sheetData>")
_F = re.compile(rb"<" + _P + rb"f\b([^>]*?)(?:/>|>.*?</" + _P + rb"f>)", re.S)
_V = re.compile(rb"<" + _P + rb"v\b[^>]*?(?:/>|>.*?</" + _P + rb"v>)", re.S)
_ATTR = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_T_ATTR = re.compile(rb"\s+t\s*=\s*(?:\"[^\"]*\"|'[^']*')")
_BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FormulaSpan:
    """A formula cell (or a cell inside an array formula's range) located in the sheet XML."""

    row: int
    col: int
    start: int  # byte offsets of the whole <c ...>...</c> element
    end: int
    prefix: bytes  # namespace prefix of the element, usually b""
    attrs: bytes  # attribute text of <c>, as written
    f_kind: str | None  # "normal" | "shared" | "array" | "dataTable" | None (cell inside an array range)
    f_ref: str | None  # range of an array formula
    body: bytes  # the element's content between the tags


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    return {m.group(1): (m.group(2) if m.group(2) is not None else m.group(3)) for m in _ATTR.finditer(raw)}


def find_formula_cells(xml: bytes) -> list[FormulaSpan]:
    """Every `<c>` with an `<f>` child, in document order, with its byte span.

    Fast path: jump from formula to formula (`<f`), back to the enclosing `<c r="..">`. Cells without an
    `r` attribute (allowed, rare) need the full row-by-row scan."""
    m = _SHEETDATA.search(xml)
    if m is None or m.group(0).endswith(b"/>"):
        return []
    prefix = m.group(0)[1:m.group(0).index(b"sheetData")]
    fast = _fast_formula_cells(xml, prefix, m.end())
    return fast if fast is not None else _scan_formula_cells(xml)


def _fast_formula_cells(xml: bytes, prefix: bytes, start: int) -> list[FormulaSpan] | None:
    out: list[FormulaSpan] = []
    f_open = b"<" + prefix + b"f"
    c_open = b"<" + prefix + b"c"
    close = b"</" + prefix + b"c>"
    pos = start
    find = xml.find
    while True:
        fpos = find(f_open, pos)
        if fpos < 0:
            return out
        nxt = xml[fpos + len(f_open):fpos + len(f_open) + 1]
        if nxt not in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
            pos = fpos + 1  # <foo...>, not <f>
            continue
        cstart = xml.rfind(c_open, pos, fpos)
        while cstart >= 0 and xml[cstart + len(c_open):cstart + len(c_open) + 1] not in (b" ", b">", b"\t", b"\n", b"\r"):
            cstart = xml.rfind(c_open, pos, cstart)
        if cstart < 0:
            return None
        tag_end = find(b">", cstart)
        attr_raw = xml[cstart + len(c_open):tag_end]
        ref = _attrs(attr_raw).get(b"r")
        if not ref:
            return None
        end = find(close, tag_end)
        if end < 0:
            return None
        body = xml[tag_end + 1:end]
        pos = end + len(close)
        fm = _F.search(body)
        if fm is None:
            continue
        fa = _attrs(fm.group(1))
        row, col = parse_ref(ref.decode("ascii"))
        fref = fa.get(b"ref")
        out.append(FormulaSpan(row, col, cstart, pos, prefix, attr_raw, fa.get(b"t", b"normal").decode("ascii", "replace"),
                               fref.decode("ascii") if fref else None, body))


def _scan_formula_cells(xml: bytes) -> list[FormulaSpan]:
    out: list[FormulaSpan] = []
    m = _SHEETDATA.search(xml)
    if m is None or m.group(0).endswith(b"/>"):
        return out
    pos = m.end()
    end_m = _SHEETDATA_END.search(xml, pos)
    limit = end_m.start() if end_m else len(xml)
    row_no = 0
    col_no = 0
    while True:
        m = _OPEN.search(xml, pos, limit)
        if m is None:
            break
        prefix, tag, attr_raw, selfclose = m.group(1), m.group(2), m.group(3), m.group(4)
        if tag == b"row":
            r = _attrs(attr_raw).get(b"r")
            row_no = int(r) if r else row_no + 1
            col_no = 0
            pos = m.end()
            continue
        a = _attrs(attr_raw)
        ref = a.get(b"r")
        if ref:
            row, col_no = parse_ref(ref.decode("ascii"))
        else:
            row, col_no = row_no, col_no + 1
        if selfclose:
            pos = m.end()
            continue
        close = b"</" + prefix + b"c>"
        end = xml.find(close, m.end(), limit)
        if end < 0:
            break
        body = xml[m.end():end]
        pos = end + len(close)
        if b"f" not in body:
            continue
        fm = _F.search(body)
        if fm is None:
            continue
        fa = _attrs(fm.group(1))
        kind = fa.get(b"t", b"normal").decode("ascii", "replace")
        fref = fa.get(b"ref")
        out.append(FormulaSpan(row, col_no, m.start(), pos, prefix, attr_raw, kind,
                               fref.decode("ascii") if fref else None, body))
    return out


def find_cells_in(xml: bytes, refs: set[tuple[int, int]]) -> list[FormulaSpan]:
    """Spans of the given (row, col) cells (for the non-anchor cells of array formulas)."""
    out: list[FormulaSpan] = []
    m = _SHEETDATA.search(xml)
    if m is None or not refs:
        return out
    pos = m.end()
    row_no = col_no = 0
    while True:
        m = _OPEN.search(xml, pos)
        if m is None:
            break
        prefix, tag, attr_raw, selfclose = m.group(1), m.group(2), m.group(3), m.group(4)
        if tag == b"row":
            r = _attrs(attr_raw).get(b"r")
            row_no, col_no = (int(r) if r else row_no + 1), 0
            pos = m.end()
            continue
        ref = _attrs(attr_raw).get(b"r")
        row, col_no = parse_ref(ref.decode("ascii")) if ref else (row_no, col_no + 1)
        if selfclose:
            end, body = m.end(), b""
        else:
            close = b"</" + prefix + b"c>"
            idx = xml.find(close, m.end())
            if idx < 0:
                break
            end, body = idx + len(close), xml[m.end():idx]
        pos = end
        if (row, col_no) in refs:
            out.append(FormulaSpan(row, col_no, m.start(), end, prefix, attr_raw, None, None, body))
    return out


# -- value encoding --------------------------------------------------------------------------
def format_number(x: float) -> str:
    """Shortest text that reads back as the same double (Excel writes up to 17 significant digits)."""
    if x == 0:
        return "0"  # also turns -0.0 into 0, as Excel stores it
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def _escape(text: str) -> bytes:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if "_x" in text:  # a literal _xHHHH_ must itself be escaped in ST_Xstring
        text = re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", text)
    text = _BAD_XML_CHARS.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
    return text.encode("utf-8")


def encode_value(value: object) -> tuple[bytes | None, bytes]:
    """(t attribute or None for a number, `<v>` content) for a recomputed value."""
    if isinstance(value, bool):
        return b"b", b"1" if value else b"0"
    if isinstance(value, (int, float)):
        x = float(value)
        if math.isnan(x) or math.isinf(x):
            return b"e", b"#NUM!"
        return None, format_number(x).encode("ascii")
    if isinstance(value, ExcelError):
        return b"e", value.code.encode("ascii")
    if value is None:
        return None, b""
    return b"str", _escape(str(value))


def patched_cell(span: FormulaSpan, value: object) -> bytes:
    """The `<c>` element with its cached value replaced; the formula bytes are kept verbatim."""
    t, v = encode_value(value)
    attrs = _T_ATTR.sub(b"", span.attrs).rstrip()
    if t is not None:
        attrs += b' t="' + t + b'"'
    body = _V.sub(b"", span.body, count=1)
    p = span.prefix
    if value is None:  # an empty result (no cached value): formula only
        new_v = b""
    else:
        new_v = b"<" + p + b"v>" + v + b"</" + p + b"v>"
    fm = _F.search(body)
    if fm is not None:
        body = body[:fm.end()] + new_v + body[fm.end():]
    else:
        # a cell inside an array range: the value comes first, before any <is>/<extLst>
        body = new_v + re.sub(rb"<" + _P + rb"is\b.*?</" + _P + rb"is>", b"", body, flags=re.S)
    return b"<" + p + b"c" + attrs + b">" + body + b"</" + p + b"c>"


def patch_sheet(xml: bytes, updates: list[tuple[FormulaSpan, object]]) -> bytes:
    """Splice the patched cells into the sheet XML; untouched bytes are copied as they were."""
    if not updates:
        return xml
    parts: list[bytes] = []
    pos = 0
    for span, value in sorted(updates, key=lambda u: u[0].start):
        parts.append(xml[pos:span.start])
        parts.append(patched_cell(span, value))
        pos = span.end
    parts.append(xml[pos:])
    return b"".join(parts)
