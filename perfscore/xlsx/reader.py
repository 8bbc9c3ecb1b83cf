"""read_grid: a workbook file -> WorkbookGrid (values, formulas, merges, ignoredErrors, names, formats).

One pass over each sheet's XML gives the cached values *and* the formulas with their cell types, so a
number stored as text is seen as text (t="s"/"str"/"inlineStr"). Shared formulas are expanded to every cell
they cover (openpyxl's Translator, the tokenizer only, not its workbook model).
Sheets in the plain shape every common writer produces are read by a strict byte scanner (sheetscan.py)
instead of walking lxml's tree, and the same pass yields the formula cells' byte spans the recalc write-back
patches (grid_and_spans); any other sheet is read with lxml exactly as before. Measured (CPU, 300 template
forms): read + formula spans 2.4-2.7 -> 1.5 ms per form; on 1 000 distinct forms (bench/stages.py --clock cpu)
1.96 -> 1.50 ms (possessive cell regex, fewer captures, numbers from their bytes, CellData __init__).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from openpyxl.formula.translate import Translator, TranslatorError

from .grid import CellData, ExcelError, SheetGrid, WorkbookGrid, cell_ref, parse_ref
from .errors import XlsxError
from .package import NS_MAIN, REL_SHARED_STRINGS, REL_STYLES, DEFAULT_LIMITS, Limits, XlsxPackage, list_sheets, parse_xml_bytes
from .sheetscan import NotPlain, PlainSheet, f_attributes, formula_cell, plain_sheet, xml_text
from .spans import FormulaSpan, find_formula_cells

_M = f"{{{NS_MAIN}}}"
_TAG_ROW, _TAG_C, _TAG_V, _TAG_F, _TAG_IS, _TAG_T = (_M + t for t in ("row", "c", "v", "f", "is", "t"))
_TAG_R, _TAG_RPH = _M + "r", _M + "rPh"
_INT_RE = re.compile(r"-?\d{1,15}$")

BUILTIN_NUMFMTS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 11: "0.00E+00",
    12: "# ?/?", 13: "# ??/??", 14: "yyyy/m/d", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "yyyy/m/d h:mm", 37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss",
    46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
}


def read_grid(path: str | Path, limits: Limits = DEFAULT_LIMITS, with_formats: bool = True) -> WorkbookGrid:
    """Read a .xlsx/.xlsm file into a WorkbookGrid. Raises XlsxError (Chinese message naming the file)."""
    pkg = XlsxPackage.open(path, limits)
    return grid_from_package(pkg, with_formats=with_formats)


def grid_from_package(pkg: XlsxPackage, with_formats: bool = True) -> WorkbookGrid:
    return grid_and_spans(pkg, with_formats, with_spans=False)[0]


def grid_and_spans(pkg: XlsxPackage, with_formats: bool = True,
                   with_spans: bool = True) -> tuple[WorkbookGrid, list[list[FormulaSpan]]]:
    """The grid and, per sheet in grid order, the byte spans of its formula cells (empty lists when
    with_spans is False). Each sheet's XML is read once for both."""
    entries, wb_root, wb_part = list_sheets(pkg)
    wb_rels = pkg.rels(wb_part)
    strings: list[str] = []
    xf_formats: tuple[str | None, ...] = ()
    for rtype, target in wb_rels.values():
        if rtype == REL_SHARED_STRINGS and pkg.has(target):
            strings = _shared_strings(pkg, target)
        elif rtype == REL_STYLES and with_formats and pkg.has(target):
            xf_formats = _xf_number_formats(pkg, target)
    grid = WorkbookGrid(path=pkg.path)
    spans: list[list[FormulaSpan]] = []
    for entry in entries:
        sheet, sheet_spans = _read_sheet(pkg, entry.part, entry.name, strings, xf_formats, with_spans)
        sheet.hidden = entry.state != "visible"
        grid.sheets.append(sheet)
        spans.append(sheet_spans)
    grid.defined_names.update(_defined_names(wb_root, [e.name for e in entries], entries))
    return grid, spans


def _text_of(si) -> str:
    """Text of a shared string / inline string, rich runs joined, phonetic runs (rPh) left out."""
    if len(si) == 1:  # the usual <si><t>text</t></si>: one plain run
        only = si[0]
        if only.tag == _TAG_T and not len(only):
            return only.text or ""
    parts = []
    for node in si.iter(_TAG_T):
        parent = node.getparent()
        if parent is not None and parent.tag == _TAG_RPH:
            continue
        parts.append(node.text or "")
    return "".join(parts)


def _shared_strings(pkg: XlsxPackage, part: str) -> list[str]:
    root = pkg.xml(part)
    return [_text_of(si) for si in root.iterchildren(_M + "si")]


# styles.xml is the same bytes in every copy of a template: its number formats are parsed once per content.
_XF_CACHE: dict[bytes, tuple[str | None, ...]] = {}


def _xf_number_formats(pkg: XlsxPackage, part: str) -> tuple[str | None, ...]:
    data = pkg.read(part)
    hit = _XF_CACHE.get(data)
    if hit is not None:
        return hit
    root = pkg.xml(part)
    custom = {int(n.get("numFmtId", "0")): n.get("formatCode", "") for n in root.iter(_M + "numFmt")}
    out: list[str | None] = []
    xfs = _child(root, _M + "cellXfs")
    if xfs is not None:
        for xf in xfs.iterchildren(_M + "xf"):
            fid = int(xf.get("numFmtId", "0"))
            out.append(custom.get(fid) or BUILTIN_NUMFMTS.get(fid))
    if len(_XF_CACHE) >= 64:
        _XF_CACHE.clear()
    result = _XF_CACHE[data] = tuple(out)
    return result


_REF_CACHE: dict[str, tuple[int, int]] = {}
_UNSEEN = object()


def _ref_parsed(ref: str) -> tuple[int, int]:
    """parse_ref remembered in a plain dict the sheet loop reads inline (no call on a hit)."""
    if len(_REF_CACHE) > 200_000:
        _REF_CACHE.clear()
    hit = _REF_CACHE[ref] = parse_ref(ref)
    return hit


def _number(text: str) -> float | int:
    if text.isdigit() and len(text) <= 15:  # the common case, without the regex
        return int(text)
    if _INT_RE.match(text):
        return int(text)
    return float(text)


def _typed_value(t: str, v_text: str | None, inline: str | None, has_formula: bool,
                 strings: list[str]) -> tuple[object, bool]:
    """(value, stored as text) of a cell from its type attribute, `<v>` text and inline-string text
    (None when the cell has no `<is>`)."""
    if v_text is not None:
        if t == "n":
            try:
                return _number(v_text), False
            except ValueError:
                return v_text, True
        if t == "s":
            i = int(v_text)
            return (strings[i] if i < len(strings) else ""), True
    if t == "inlineStr":
        return (inline if inline is not None else ""), True
    if v_text is not None:
        if t == "str":
            return v_text, True
        if t == "b":
            return v_text.strip() in ("1", "true"), False
        if t == "e":
            return ExcelError(v_text.strip()), False
        return v_text, False  # "d": ISO 8601 text, kept as written
    if t == "str" and has_formula:
        return "", True
    return None, False


def _read_sheet(pkg: XlsxPackage, part: str, name: str, strings: list[str],
                xf_formats: tuple[str | None, ...] | list[str | None],
                with_spans: bool) -> tuple[SheetGrid, list[FormulaSpan]]:
    xml = pkg.read(part)
    plain = plain_sheet(xml)
    if plain is not None:
        try:
            rest = parse_xml_bytes(plain.rest, part, pkg.path)
        except XlsxError:
            rest = None  # let the full parse below raise its own error, about the part as written
        data = _child(rest, _M + "sheetData") if rest is not None else None
        # row attribute prefixes must be declared, or lxml refuses the part
        if data is not None and all(p == "xml" or p in data.nsmap for p in plain.prefixes):
            try:
                sheet, spans = _scanned_sheet(plain, name, strings, xf_formats, with_spans)
            except NotPlain:
                pass
            else:
                _merges_and_ignored(rest, sheet)
                return sheet, spans
    root = parse_xml_bytes(xml, part, pkg.path)
    sheet = _lxml_sheet(root, name, strings, xf_formats)
    _merges_and_ignored(root, sheet)
    return sheet, (find_formula_cells(xml) if with_spans else [])


_T_NAMES = {b"n": "n", b"s": "s", b"str": "str", b"inlineStr": "inlineStr", b"b": "b", b"e": "e", b"d": "d"}
_BREF_CACHE: dict[bytes, tuple[int, int]] = {}


def _bref_parsed(ref: bytes) -> tuple[int, int]:
    if len(_BREF_CACHE) > 200_000:
        _BREF_CACHE.clear()
    hit = _BREF_CACHE[ref] = parse_ref(ref.decode("ascii"))
    return hit


# Plain numbers as _number reads them, matched on the <v> bytes: whole numbers -> int, decimals -> float.
_WHOLE_BYTES = re.compile(rb"-?[0-9]{1,15}").fullmatch
_DECIMAL_BYTES = re.compile(rb"-?[0-9]+\.[0-9]+").fullmatch


def _scanned_sheet(plain: PlainSheet, name: str, strings: list[str],
                   xf_formats: tuple[str | None, ...] | list[str | None],
                   with_spans: bool) -> tuple[SheetGrid, list[FormulaSpan]]:
    """Cells (and formula spans) of a sheet accepted by sheetscan.plain_sheet. Same values as _lxml_sheet."""
    sheet = SheetGrid(name=name)
    cells = sheet.cells
    spans: list[FormulaSpan] = []
    shared: dict[str, tuple[str, int, int]] = {}
    fmts = _style_formats(tuple(xf_formats))
    refs = _BREF_CACHE
    t_names = _T_NAMES
    xml, start = plain.xml, plain.first  # formula spans: where to look for the next formula cell
    for ref, s, tb, f_attrs, f_raw, v_raw, is_mark, is_raw, _gap in plain.cells():
        if not v_raw and f_attrs is None and is_mark is None:
            continue  # <c .../>, <c ...></c> or an empty <v/>: a blank, not a 0
        key = refs.get(ref) or _bref_parsed(ref)
        rr, col_no = key
        t = "n" if tb is None else (t_names.get(tb) or tb.decode("ascii"))
        formula = None
        if f_attrs is not None:
            fa = f_attributes(f_attrs) if f_attrs else {}
            text = xml_text(f_raw) if f_raw else None
            formula = _formula(fa.get("t", "normal"), fa.get("si", ""), text, rr, col_no, shared)
            if with_spans:
                begin, start, c_attrs, body = formula_cell(xml, ref, start)
                spans.append(FormulaSpan(rr, col_no, begin, start, b"", c_attrs,
                                         fa.get("t", "normal"), fa.get("ref") or None, body))
        # the common cells straight from their bytes; the rest as _lxml_sheet reads them
        if t == "n" and v_raw and _WHOLE_BYTES(v_raw):
            value, text_typed = int(v_raw), False
        elif t == "n" and v_raw and _DECIMAL_BYTES(v_raw):
            value, text_typed = float(v_raw), False
        elif t == "inlineStr" and is_mark is not None:
            value, text_typed = (xml_text(is_raw) if is_raw else ""), True
        else:
            v_text = xml_text(v_raw) if v_raw else None
            inline = (xml_text(is_raw) if is_raw else "") if is_mark is not None else None
            value, text_typed = _typed_value(t, v_text, inline, formula is not None, strings)
            if value is None and formula is None:
                continue
        fmt = fmts.get(s, _UNSEEN)
        if fmt is _UNSEEN:  # an index written oddly ("07") or out of range
            fmt = _style_format(s, xf_formats)
        cells[key] = CellData(rr, col_no, value, formula, fmt, text_typed)
    return sheet, spans


@lru_cache(maxsize=64)
def _style_formats(xf_formats: tuple[str | None, ...]) -> dict[bytes | None, str | None]:
    """Number format per style index as written (b"0", b"1", ...), None for a cell without a style.
    Shared between calls: read it only."""
    out: dict[bytes | None, str | None] = {str(i).encode("ascii"): fmt for i, fmt in enumerate(xf_formats)}
    out[None] = None
    return out


def _style_format(s: bytes, xf_formats: tuple[str | None, ...]) -> str | None:
    idx = int(s)
    return xf_formats[idx] if idx < len(xf_formats) else None


def _lxml_sheet(root, name: str, strings: list[str], xf_formats: tuple[str | None, ...] | list[str | None]) -> SheetGrid:
    sheet = SheetGrid(name=name)
    cells = sheet.cells
    shared: dict[str, tuple[str, int, int]] = {}  # si -> (formula text without "=", master row, master col)
    data = _child(root, _M + "sheetData")
    row_no = 0
    n_formats = len(xf_formats)
    fmt_of: dict[str, str | None] = {}  # style index text -> number format, filled as styles are met
    refs = _REF_CACHE
    tag_v, tag_f, tag_is = _TAG_V, _TAG_F, _TAG_IS
    if data is not None:
        for row in data.iterchildren(_TAG_ROW):
            r_attr = row.get("r")
            row_no = int(r_attr) if r_attr else row_no + 1
            col_no = 0
            for c in row.iterchildren(_TAG_C):
                ref = c.get("r")
                if ref:
                    rc = refs.get(ref)
                    rr, col_no = rc if rc is not None else _ref_parsed(ref)
                else:
                    rr, col_no = row_no, col_no + 1
                if not len(c):
                    continue  # styled empty cell: a blank, not a 0
                v_text = f_node = is_node = None
                for child in c:
                    tag = child.tag
                    if tag == tag_v:
                        v_text = child.text
                    elif tag == tag_f:
                        f_node = child
                    elif tag == tag_is:
                        is_node = child
                if v_text is None and f_node is None and is_node is None:
                    continue
                t = c.get("t", "n")
                formula = None
                if f_node is not None:
                    formula = _formula(f_node.get("t", "normal"), f_node.get("si", ""), f_node.text, rr, col_no, shared)
                inline = _text_of(is_node) if is_node is not None and t == "inlineStr" else None
                value, text_typed = _typed_value(t, v_text, inline, formula is not None, strings)
                if value is None and formula is None:
                    continue
                fmt = None
                if n_formats:
                    s = c.get("s")
                    if s is not None:
                        fmt = fmt_of.get(s, _UNSEEN)
                        if fmt is _UNSEEN:  # first use of this style text on the sheet
                            idx = int(s)
                            fmt = fmt_of[s] = xf_formats[idx] if idx < n_formats else None
                cells[(rr, col_no)] = CellData(rr, col_no, value, formula, fmt, text_typed)
    return sheet


def _child(elem, tag: str):
    """First child with this tag, or None: what elem.find(tag) answers for a plain tag, without lxml's
    ElementPath machinery (a path parse and generators per call)."""
    return next(elem.iterchildren(tag), None)


def _merges_and_ignored(root, sheet: SheetGrid) -> None:
    merge_root = _child(root, _M + "mergeCells")
    if merge_root is not None:
        for m in merge_root.iterchildren(_M + "mergeCell"):
            rng = m.get("ref", "")
            if ":" in rng:
                a, b = rng.split(":", 1)
                (r1, c1), (r2, c2) = _REF_CACHE.get(a) or _ref_parsed(a), _REF_CACHE.get(b) or _ref_parsed(b)
                sheet.merged.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    ign = _child(root, _M + "ignoredErrors")
    if ign is not None:
        for e in ign.iterchildren(_M + "ignoredError"):
            kinds = frozenset(k for k, v in e.attrib.items() if k != "sqref" and v in ("1", "true"))
            sheet.ignored_errors.append((e.get("sqref", ""), kinds))


def _formula(ftype: str, si: str, text: str | None, row: int, col: int,
             shared: dict[str, tuple[str, int, int]]) -> str | None:
    """The formula of a cell from its `<f>`: shared formulas expanded from their master cell."""
    if ftype == "shared":
        if text:  # the master cell carries the text
            shared[si] = (text, row, col)
            return "=" + text
        master = shared.get(si)
        if master is None:
            return None
        mtext, mrow, mcol = master
        try:
            return Translator("=" + mtext, origin=cell_ref(mrow, mcol)).translate_formula(cell_ref(row, col))
        except TranslatorError:
            return "=" + mtext
    if ftype == "dataTable":
        return None
    return "=" + text if text else None


def _defined_names(wb_root, sheet_names: list[str], entries) -> dict[str, str]:
    """Global names as `NAME`; names local to a sheet as `Sheet!NAME` (localSheetId is the workbook index)."""
    by_index = {e.index: e.name for e in entries}
    out: dict[str, str] = {}
    for dn in wb_root.iter(_M + "definedName"):
        name = dn.get("name", "")
        local = dn.get("localSheetId")
        if local is not None and local.isdigit() and int(local) in by_index:
            name = f"{by_index[int(local)]}!{name}"
        out[name] = dn.text or ""
    return out
