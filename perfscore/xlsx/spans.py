"""Locate cells in a sheet's XML by byte span (formula cells, or given cells), without parsing the tree.

The recalc write-back patches cached values by splicing bytes, so it needs where each `<c>` element starts and
ends. The grid reader's scanner (sheetscan.py) yields these spans in its own pass over the sheet; the
functions here are the stand-alone search for sheets the scanner hands back to lxml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .grid import parse_ref

P = rb"(?:[A-Za-z_][\w.-]*:)?"  # optional namespace prefix (x:c from the OpenXML SDK)
_OPEN = re.compile(rb"<(" + P + rb")(row|c)\b([^>]*?)(/?)>", re.S)
_SHEETDATA = re.compile(rb"<" + P + rb"sheetData\b[^>]*?(?:/>|>)", re.S)
_SHEETDATA_END = re.compile(rb"</" + P + rb"sheetData>")
F_ELEMENT = re.compile(rb"<" + P + rb"f\b([^>]*?)(?:/>|>.*?</" + P + rb"f>)", re.S)
_ATTR = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


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


def attrs_of(raw: bytes) -> dict[bytes, bytes]:
    return {m.group(1): (m.group(2) if m.group(2) is not None else m.group(3)) for m in _ATTR.finditer(raw)}


def formula_span(row: int, col: int, start: int, end: int, prefix: bytes, attrs: bytes, body: bytes,
                 f_attrs: bytes) -> FormulaSpan:
    """The span of a formula cell whose `<f>` carries the attribute text f_attrs."""
    fa = attrs_of(f_attrs)
    fref = fa.get(b"ref")
    return FormulaSpan(row, col, start, end, prefix, attrs, fa.get(b"t", b"normal").decode("ascii", "replace"),
                       fref.decode("ascii") if fref else None, body)


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
        ref = attrs_of(attr_raw).get(b"r")
        if not ref:
            return None
        end = find(close, tag_end)
        if end < 0:
            return None
        body = xml[tag_end + 1:end]
        pos = end + len(close)
        fm = F_ELEMENT.search(body)
        if fm is None:
            continue
        row, col = parse_ref(ref.decode("ascii"))
        out.append(formula_span(row, col, cstart, pos, prefix, attr_raw, body, fm.group(1)))


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
            r = attrs_of(attr_raw).get(b"r")
            row_no = int(r) if r else row_no + 1
            col_no = 0
            pos = m.end()
            continue
        a = attrs_of(attr_raw)
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
        fm = F_ELEMENT.search(body)
        if fm is None:
            continue
        out.append(formula_span(row, col_no, m.start(), pos, prefix, attr_raw, body, fm.group(1)))
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
            r = attrs_of(attr_raw).get(b"r")
            row_no, col_no = (int(r) if r else row_no + 1), 0
            pos = m.end()
            continue
        ref = attrs_of(attr_raw).get(b"r")
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
