"""Patch only the cached value (`<v>`, `t`) of formula cells located by byte span (perfscore.xlsx.spans).

The sheet XML is never re-serialised: every byte outside the patched `<c>` elements is kept as it was,
so styles, merges, validations, comments anchors, extLst and unknown markup survive untouched.
"""

from __future__ import annotations

import math
import re

from perfscore.xlsx.grid import ExcelError
from perfscore.xlsx.spans import F_ELEMENT as _F, P as _P, FormulaSpan, find_cells_in, find_formula_cells

__all__ = ["FormulaSpan", "encode_value", "find_cells_in", "find_formula_cells", "format_number", "patch_sheet",
           "patched_cell"]

_V = re.compile(rb"<" + _P + rb"v\b[^>]*?(?:/>|>.*?</" + _P + rb"v>)", re.S)
_T_ATTR = re.compile(rb"\s+t\s*=\s*(?:\"[^\"]*\"|'[^']*')")
_BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


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
    attrs = span.attrs
    if b"t" in attrs:  # only then can there be a t="..." to drop
        attrs = _T_ATTR.sub(b"", attrs)
    attrs = attrs.rstrip()
    if t is not None:
        attrs += b' t="' + t + b'"'
    p = span.prefix
    if value is None:  # an empty result (no cached value): formula only
        new_v = b""
    else:
        new_v = b"<" + p + b"v>" + v + b"</" + p + b"v>"
    body = _plain_body_with(span.body, new_v) if not p else None
    if body is None:
        body = _body_with(span.body, p, new_v)
    return b"<" + p + b"c" + attrs + b">" + body + b"</" + p + b"c>"


# The usual formula cell's content: its <f>, then its cached <v> if any (and no other <v> after it).
_F_THEN_V = re.compile(rb"(<f\b[^>]*?(?:/>|>[^<]*</f>))(?:<v>[^<]*</v>|<v/>)?")


def _plain_body_with(body: bytes, new_v: bytes) -> bytes | None:
    """_body_with for the usual shape in one match, or None for any other shape."""
    m = _F_THEN_V.match(body)
    if m is None:
        return None
    rest = body[m.end():]
    return None if b"<v" in rest else m.group(1) + new_v + rest


def _body_with(body: bytes, p: bytes, new_v: bytes) -> bytes:
    """The cell content with its first `<v>` dropped and new_v after the `<f>` (first, if there is none)."""
    body = _V.sub(b"", body, count=1)
    fm = _F.search(body)
    if fm is not None:
        return body[:fm.end()] + new_v + body[fm.end():]
    # a cell inside an array range: the value comes first, before any <is>/<extLst>
    return new_v + re.sub(rb"<" + _P + rb"is\b.*?</" + _P + rb"is>", b"", body, flags=re.S)


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
