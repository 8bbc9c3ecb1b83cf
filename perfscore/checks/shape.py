"""Formula text → tokens, relative R1C1 shape and skeleton, so formulas can be compared by shape.

Two formulas copied from one another have the same R1C1 shape (=H10/G10 in row 10 and =H11/G11 in
row 11 are both =R[0]C[-2]/R[0]C[-3]... written RC[-2]/RC[-3]). The skeleton abstracts references
away entirely: equal skeletons with different shapes point at a reference slip, not a different rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError

from perfscore.xlsx.grid import col_index

_CELL = re.compile(r"^(\$?)([A-Za-z]{1,3})(\$?)(\d{1,7})$")
_COL = re.compile(r"^(\$?)([A-Za-z]{1,3})$")
_ROW = re.compile(r"^(\$?)(\d{1,7})$")

MAX_ROW = 1_048_576
MAX_COL = 16_384


@dataclass(frozen=True)
class Tok:
    value: str
    kind: str  # "ref", "number", "text", "error", "func", "close", "sep", "op", "other"


@dataclass(frozen=True)
class Area:
    """A referenced rectangle (inclusive, 1-based). Whole columns/rows span the sheet."""

    sheet: str | None  # None = the formula's own sheet
    r1: int
    c1: int
    r2: int
    c2: int

    def contains(self, row: int, col: int) -> bool:
        return self.r1 <= row <= self.r2 and self.c1 <= col <= self.c2

    @property
    def size(self) -> int:
        return (self.r2 - self.r1 + 1) * (self.c2 - self.c1 + 1)


def _kind(token: Token) -> str:
    if token.type == Token.OPERAND:
        return {Token.RANGE: "ref", Token.NUMBER: "number", Token.TEXT: "text",
                Token.ERROR: "error", Token.LOGICAL: "other"}.get(token.subtype, "other")
    if token.type == Token.FUNC:
        return "func" if token.subtype == Token.OPEN else "close"
    if token.type == Token.SEP:
        return "sep"
    if token.type.startswith("OPERATOR"):
        return "op"
    if token.type == Token.PAREN:
        return "func" if token.subtype == Token.OPEN else "close"
    return "other"


@lru_cache(maxsize=65536)
def tokenize(formula: str) -> tuple[Tok, ...] | None:
    """Tokens of '=...' text, whitespace dropped; None when the text is not a parsable formula."""
    if not formula or not formula.startswith("="):
        return None
    try:
        items = Tokenizer(formula).items
    except (TokenizerError, IndexError, ValueError):
        return None
    return tuple(Tok(t.value, _kind(t)) for t in items if t.type != Token.WSPACE)


def split_sheet(ref: str) -> tuple[str | None, str]:
    """"'My Sheet'!A1:B2" → ("My Sheet", "A1:B2"); "A1" → (None, "A1")."""
    if "!" not in ref:
        return None, ref
    sheet, _, local = ref.rpartition("!")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, local


def _endpoint(text: str, row: int, col: int) -> str | None:
    m = _CELL.match(text)
    if m:
        r, c = int(m.group(4)), col_index(m.group(2))
        rs = f"R{r}" if m.group(3) else f"R[{r - row}]"
        cs = f"C{c}" if m.group(1) else f"C[{c - col}]"
        return rs + cs
    m = _COL.match(text)
    if m:
        c = col_index(m.group(2))
        return f"C{c}" if m.group(1) else f"C[{c - col}]"
    m = _ROW.match(text)
    if m:
        r = int(m.group(2))
        return f"R{r}" if m.group(1) else f"R[{r - row}]"
    return None


def ref_to_r1c1(ref: str, row: int, col: int) -> str:
    """One reference token to relative R1C1; names and structured references are returned unchanged."""
    sheet, local = split_sheet(ref)
    parts = local.split(":")
    converted = [_endpoint(p, row, col) for p in parts]
    if any(c is None for c in converted):
        return ref.upper()
    prefix = "" if sheet is None else f"'{sheet}'!"
    return prefix + ":".join(converted)  # type: ignore[arg-type]


def is_cell_ref(ref: str) -> bool:
    _, local = split_sheet(ref)
    return all(_endpoint(p, 1, 1) is not None for p in local.split(":"))


def area_of(ref: str) -> Area | None:
    """The rectangle a reference token covers, or None for names / structured references."""
    sheet, local = split_sheet(ref)
    ends = []
    for part in local.split(":"):
        m = _CELL.match(part)
        if m:
            ends.append((int(m.group(4)), col_index(m.group(2))))
            continue
        m = _COL.match(part)
        if m and ":" in local:
            c = col_index(m.group(2))
            ends.append((None, c))
            continue
        m = _ROW.match(part)
        if m and ":" in local:
            ends.append((int(m.group(2)), None))
            continue
        return None
    if len(ends) == 1:
        r, c = ends[0]
        return Area(sheet, r, c, r, c)
    (ra, ca), (rb, cb) = ends[0], ends[-1]
    r1 = 1 if ra is None else min(ra, rb)
    r2 = MAX_ROW if ra is None else max(ra, rb)
    c1 = 1 if ca is None else min(ca, cb)
    c2 = MAX_COL if ca is None else max(ca, cb)
    return Area(sheet, r1, c1, r2, c2)


@dataclass(frozen=True)
class Shape:
    r1c1: str  # full relative shape: equal for correctly copied formulas
    skeleton: str  # references abstracted, numbers kept
    bare: str  # references and numbers abstracted
    numbers: tuple[str, ...]  # numeric literals in order


def _render(tok: Tok, ref_text: str | None = None) -> str:
    if tok.kind == "ref":
        return ref_text if ref_text is not None else "‹ref›"
    if tok.kind in ("func",):
        return tok.value.upper()
    return tok.value


# A reference endpoint parsed once per formula text: ("cell", row, col, row_abs, col_abs), ("col", col, abs),
# ("row", row, abs). Rendering it relative to a position is then only string formatting.
_Endpoint = tuple


def _parse_endpoint(text: str) -> _Endpoint | None:
    m = _CELL.match(text)
    if m:
        return ("cell", int(m.group(4)), col_index(m.group(2)), bool(m.group(3)), bool(m.group(1)))
    m = _COL.match(text)
    if m:
        return ("col", col_index(m.group(2)), bool(m.group(1)))
    m = _ROW.match(text)
    if m:
        return ("row", int(m.group(2)), bool(m.group(1)))
    return None


def _endpoint_pattern(e: _Endpoint) -> tuple[str, list[tuple[int, int]]]:
    """The endpoint as a str.format pattern plus, per placeholder, (number, axis): the placeholder is number
    minus the cell's row (axis 0) or column (axis 1). Absolute parts are written into the pattern."""
    parts: list[str] = []
    rel: list[tuple[int, int]] = []

    def axis(letter: str, number: int, absolute: bool, ax: int) -> None:
        if absolute:
            parts.append(f"{letter}{number}")
        else:
            parts.append(letter + "[{}]")
            rel.append((number, ax))

    if e[0] == "cell":
        axis("R", e[1], e[3], 0)
        axis("C", e[2], e[4], 1)
    elif e[0] == "col":
        axis("C", e[1], e[2], 1)
    else:
        axis("R", e[1], e[2], 0)
    return "".join(parts), rel


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


@dataclass(frozen=True)
class _Template:
    """What shape_of needs from a formula text, independent of the cell it sits in (cached per text).

    r1c1_pattern: the r1c1 text as a str.format pattern whose placeholders are relative offsets, each
    computed from rel (number, axis) as number minus the cell's row or column; no rel: the r1c1 text itself."""

    r1c1_pattern: str
    rel: tuple[tuple[int, int], ...]
    skeleton: str
    bare: str
    numbers: tuple[str, ...]


@lru_cache(maxsize=16384)
def _template(formula: str) -> _Template | None:
    toks = tokenize(formula)
    if toks is None:
        return None
    pieces: list[str] = []
    rel: list[tuple[int, int]] = []
    skel, bare, numbers = [], [], []
    for t in toks:
        if t.kind == "ref":
            sheet, local = split_sheet(t.value)
            sheet_tag = "" if sheet is None else f"'{sheet}'!"
            ends = tuple(_parse_endpoint(part) for part in local.split(":"))
            if any(e is None for e in ends):
                # same result as ref_to_r1c1: names and structured references are kept as written (upper-case)
                pieces.append(_escape(t.value.upper()))
            else:
                patterns = []
                for e in ends:
                    pattern, offsets = _endpoint_pattern(e)
                    patterns.append(pattern)
                    rel.extend(offsets)
                pieces.append(_escape(sheet_tag) + ":".join(patterns))
            named = not is_cell_ref(t.value)
            tag = t.value.upper() if named else f"{sheet_tag}‹ref›"
            skel.append(tag)
            bare.append(tag)
        elif t.kind == "number":
            pieces.append(t.value)
            skel.append(t.value)
            bare.append("‹n›")
            numbers.append(t.value)
        else:
            v = _render(t)
            pieces.append(_escape(v))
            skel.append(v)
            bare.append(v)
    pattern = " ".join(pieces)
    if not rel:
        pattern = pattern.format()  # no placeholder: undo the escaping once, here
    return _Template(pattern, tuple(rel), " ".join(skel), " ".join(bare), tuple(numbers))


@lru_cache(maxsize=8192)
def shape_of(formula: str, row: int, col: int) -> Shape | None:
    """The formula's shape at (row, col). Tokenising and parsing happen once per distinct formula text:
    a column of copied formulas has a handful of texts, and a batch of forms from one template repeats them
    (at the same cells, hence the small cache per text and position)."""
    tpl = _template(formula)
    if tpl is None:
        return None
    r1c1 = tpl.r1c1_pattern
    if tpl.rel:
        pos = (row, col)
        r1c1 = r1c1.format(*[number - pos[ax] for number, ax in tpl.rel])
    return Shape(r1c1, tpl.skeleton, tpl.bare, tpl.numbers)


@dataclass(frozen=True)
class Literal:
    """A numeric literal and where it sits: enclosing function, argument index, neighbouring tokens."""

    index: int  # token index
    text: str
    value: float
    func: str | None  # enclosing function name upper-case ("ROUND"), None at top level or in (...)
    arg: int  # 0-based argument index inside func
    prev: Tok | None
    next: Tok | None


def literals(formula: str) -> list[Literal]:
    return list(_literals(formula))


@lru_cache(maxsize=16384)
def _literals(formula: str) -> tuple[Literal, ...]:
    toks = tokenize(formula)
    if toks is None:
        return ()
    out: list[Literal] = []
    stack: list[list] = []  # [func_name|None, arg_index]
    for i, t in enumerate(toks):
        if t.kind == "func":
            name = t.value[:-1].upper() if t.value.endswith("(") and len(t.value) > 1 else None
            if name and "!" in name:  # [1]!SCORE( -> SCORE
                name = name.rsplit("!", 1)[1]
            stack.append([name, 0])
        elif t.kind == "close":
            if stack:
                stack.pop()
        elif t.kind == "sep" and t.value == "," and stack:
            stack[-1][1] += 1
        elif t.kind == "number":
            try:
                value = float(t.value)
            except ValueError:
                continue
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if nxt is not None and nxt.kind == "op" and nxt.value == "%":
                value /= 100
            func, arg = (stack[-1][0], stack[-1][1]) if stack else (None, 0)
            out.append(Literal(i, t.value, value, func, arg, toks[i - 1] if i else None, nxt))
    return tuple(out)


def translate(formula: str, origin: tuple[int, int], dest: tuple[int, int]) -> str | None:
    """The formula as Excel would write it when copied from origin to dest (None if it cannot be)."""
    from openpyxl.formula.translate import Translator, TranslatorError

    from perfscore.xlsx.grid import cell_ref

    try:
        return Translator(formula, origin=cell_ref(*origin)).translate_formula(cell_ref(*dest))
    except (TranslatorError, TokenizerError, ValueError, IndexError):
        return None
