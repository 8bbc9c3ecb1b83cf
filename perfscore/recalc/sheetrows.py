"""Rows of the summary's big table sheets as SpreadsheetML, streamed to a file and spliced into the workbook.

xlsxwriter writes the summary (formats, page setup, filters, charts, the header rows); the data rows of the
three table sheets — ~11 rows per form, 110 000 at 10 000 forms — go through here instead: one f-string per
cell costs ~0.5 µs where xlsxwriter's per-cell call path costs ~7 µs, and those rows were most of the batch
parent's work (the parent shares two cores with the workers). The XML is the subset xlsxwriter itself
writes in constant-memory mode: inline strings, numbers, booleans, a row height.

A cell's style is its column's: rows are written while the batch runs, before the column formats have their
style ids, so each cell carries a placeholder `s="<k>"` (k = which of the sheet's few column formats; "<"
never survives escaping, so no user text can look like one) that `splice` replaces with the `style` its
columns have in the sheet's own <cols>. `splice` streams: memory does not grow with the rows.

Rows are made as templates with ROW where their number goes (summary_rows renders them, in the worker that
made the report when it can); RowFile numbers them as they are appended.
"""

from __future__ import annotations

import math
import re
import zipfile
from pathlib import Path
from typing import IO, Iterator

MAX_TEXT = 32767  # Excel's longest cell text
_MARKUP = re.compile("[&<>]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0: _xHHHH_ as Excel writes
_COLS = re.compile(r'<col min="(\d+)" max="(\d+)"[^>]*?style="(\d+)"')
_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def text_xml(text: str) -> str:
    text = text[:MAX_TEXT]
    if _MARKUP.search(text):  # rare in messages and paths: replace() only then (str.translate is slow)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f"<is><t{space}>{text}</t></is>"


ROW = "\x00"  # where a row template's number goes: text_xml escapes every control character, so no cell has one


def row_xml(values: list[object], letters: tuple[str, ...], style_keys: tuple[int, ...], height: float | None,
            *, text_only: bool = False) -> str:
    """One row as a template (ROW for its number). Numbers stay numbers (NaN blank, ±inf as text), None and ""
    blank, anything else text; text_only: every value as text. style_keys: per column, which of the sheet's
    formats it has (see the module docstring)."""
    cells = []
    for j, v in enumerate(values):
        if v is None or v == "":
            continue
        ref = f'{letters[j]}{ROW}" s="<{style_keys[j]}>"'
        if text_only or isinstance(v, str):
            cells.append(f'<c r="{ref} t="inlineStr">{text_xml(str(v))}</c>')
        elif isinstance(v, bool):
            cells.append(f'<c r="{ref} t="b"><v>{int(v)}</v></c>')
        elif isinstance(v, (int, float)):
            if math.isnan(v):
                continue
            if math.isinf(v):
                cells.append(f'<c r="{ref} t="inlineStr">{text_xml("inf" if v > 0 else "-inf")}</c>')
            else:
                cells.append(f'<c r="{ref}><v>{float(v):.16G}</v></c>')  # as xlsxwriter writes numbers
        else:
            cells.append(f'<c r="{ref} t="inlineStr">{text_xml(str(v))}</c>')
    size = f' ht="{height:g}" customHeight="1"' if height else ""
    return f'<row r="{ROW}"{size}>{"".join(cells)}</row>'


class RowFile:
    """The data rows of one sheet (row 2 on; xlsxwriter writes row 1), one after another in a text file."""

    def __init__(self, path: Path, style_keys: tuple[int, ...]) -> None:
        """style_keys: per column, which format it has (columns sharing a format share a key)."""
        self.path = path
        self.rows = 1  # the header row
        self.style_keys = style_keys
        self._fh: IO[str] = open(path, "w", encoding="utf-8", newline="")
        self._pending: list[str] = []  # written 256 rows at a time: one write per row was a tenth of the parent

    def append(self, template: str) -> None:
        """One row from row_xml, numbered next."""
        self.rows += 1
        self._pending.append(template.replace(ROW, str(self.rows)))
        if len(self._pending) >= 256:
            self._flush()

    def _flush(self) -> None:
        self._fh.write("".join(self._pending))
        self._pending.clear()

    def close(self) -> None:
        self._flush()
        self._fh.close()


def _column_styles(head: str) -> dict[int, str]:
    """Column index (0-based) -> style id, from the sheet's <cols>."""
    styles: dict[int, str] = {}
    for lo, hi, style in _COLS.findall(head):
        for col in range(int(lo) - 1, int(hi)):
            styles[col] = style
    return styles


def splice(source: Path, target: Path, rows: dict[str, RowFile]) -> None:
    """Copy the workbook `source` to `target` with each part in `rows` ("xl/worksheets/sheet3.xml") given its
    streamed data rows after its header row, its <dimension> widened to them and every placeholder style
    replaced by its column's style."""
    # the splice runs after the last file, while nothing else can: the big row parts at deflate level 1
    # (3x faster than 6, ~30 % larger), the small parts at 6
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            data_rows = rows.get(info.filename)
            if data_rows is None:
                dst.writestr(info, src.read(info.filename), compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
                continue
            sheet = src.read(info.filename).decode("utf-8").replace("<sheetData/>", "<sheetData></sheetData>")
            cut = sheet.index("</sheetData>")
            head, tail = sheet[:cut], sheet[cut:]
            by_column = _column_styles(head)
            keys = data_rows.style_keys
            styles: dict[int, str] = {}
            for j, key in enumerate(keys):  # a key's style: that of its columns (they share one format)
                styles.setdefault(key, by_column.get(j, "0"))
            width = column_letters(len(keys) - 1)
            head = _DIMENSION.sub(f'<dimension ref="A1:{width}{data_rows.rows}"/>', head, count=1)
            with dst.open(info.filename, "w", force_zip64=True) as out, open(data_rows.path, "rb") as data:
                out.write(head.encode("utf-8"))
                out.writelines(_styled(data, styles))
                out.write(tail.encode("utf-8"))


_CHUNK = 1 << 20


def _styled(data: IO[bytes], styles: dict[int, str]) -> Iterator[bytes]:
    """The row file in ~1 MB pieces cut after a </row> (a placeholder never spans two), placeholders replaced:
    bytes.replace over UTF-8, a few passes per piece (str.replace over CJK text and the line loop cost 3x)."""
    pairs = [(f'"<{key}>"'.encode(), f'"{style}"'.encode()) for key, style in styles.items()]
    rest = b""
    while piece := data.read(_CHUNK):
        piece = rest + piece
        cut = piece.rfind(b"</row>") + len(b"</row>")
        if cut < len(b"</row>"):  # no whole row yet (a row longer than the piece)
            rest = piece
            continue
        piece, rest = piece[:cut], piece[cut:]
        for placeholder, style in pairs:
            piece = piece.replace(placeholder, style)
        yield piece
    if rest:  # only whole rows are written: anything left is a row cut short, never expected
        raise ValueError(f"汇总表的行文件 {data.name} 以不完整的行结尾")
