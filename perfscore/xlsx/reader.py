"""read_grid: a workbook file -> WorkbookGrid (values, formulas, merges, ignoredErrors, names, formats).

One pass of lxml over each sheet's XML gives the cached values *and* the formulas with their cell types, so a
number stored as text is seen as text (t="s"/"str"/"inlineStr"). Shared formulas are expanded to every cell
they cover (openpyxl's Translator, the tokenizer only, not its workbook model).
Measured on the 2-core box (bench/stages.py): ≈2 ms per 45-row template form, ≈0.5 ms of it lxml's parse;
the per-cell loop does no string work for styled empty cells and looks refs and formats up in dicts.
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl.formula.translate import Translator, TranslatorError

from .grid import CellData, ExcelError, SheetGrid, WorkbookGrid, cell_ref, parse_ref
from .package import NS_MAIN, REL_SHARED_STRINGS, REL_STYLES, DEFAULT_LIMITS, Limits, XlsxPackage, list_sheets

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
    for entry in entries:
        sheet = _read_sheet(pkg, entry.part, entry.name, strings, xf_formats)
        sheet.hidden = entry.state != "visible"
        grid.sheets.append(sheet)
    grid.defined_names.update(_defined_names(wb_root, [e.name for e in entries], entries))
    return grid


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
    xfs = root.find(_M + "cellXfs")
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
    if _INT_RE.match(text):
        return int(text)
    return float(text)


def _read_sheet(pkg: XlsxPackage, part: str, name: str, strings: list[str],
                xf_formats: tuple[str | None, ...] | list[str | None]) -> SheetGrid:
    root = pkg.xml(part)
    sheet = SheetGrid(name=name)
    cells = sheet.cells
    shared: dict[str, tuple[str, int, int]] = {}  # si -> (formula text without "=", master row, master col)
    data = root.find(_M + "sheetData")
    row_no = 0
    n_strings, n_formats = len(strings), len(xf_formats)
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
                formula = _formula(f_node, rr, col_no, shared) if f_node is not None else None
                value: object = None
                text_typed = False
                if t == "inlineStr":
                    value = _text_of(is_node) if is_node is not None else ""
                    text_typed = True
                elif v_text is not None:
                    if t == "n":
                        try:
                            value = _number(v_text)
                        except ValueError:
                            value, text_typed = v_text, True
                    elif t == "s":
                        i = int(v_text)
                        value = strings[i] if i < n_strings else ""
                        text_typed = True
                    elif t == "str":
                        value, text_typed = v_text, True
                    elif t == "b":
                        value = v_text.strip() in ("1", "true")
                    elif t == "e":
                        value = ExcelError(v_text.strip())
                    else:  # "d": ISO 8601 text, kept as written
                        value = v_text
                elif t == "str" and formula is not None:
                    value, text_typed = "", True
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
    merge_root = root.find(_M + "mergeCells")
    if merge_root is not None:
        for m in merge_root.iterchildren(_M + "mergeCell"):
            rng = m.get("ref", "")
            if ":" in rng:
                a, b = rng.split(":", 1)
                (r1, c1), (r2, c2) = parse_ref(a), parse_ref(b)
                sheet.merged.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    ign = root.find(_M + "ignoredErrors")
    if ign is not None:
        for e in ign.iterchildren(_M + "ignoredError"):
            kinds = frozenset(k for k, v in e.attrib.items() if k != "sqref" and v in ("1", "true"))
            sheet.ignored_errors.append((e.get("sqref", ""), kinds))
    return sheet


def _formula(f_node, row: int, col: int, shared: dict[str, tuple[str, int, int]]) -> str | None:
    ftype = f_node.get("t", "normal")
    text = f_node.text
    if ftype == "shared":
        si = f_node.get("si", "")
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
