"""Generic checks over one sheet's formula grid: they need no form model, so summary sheets and
attachments are checked too. Precision over recall: a cell is flagged only against an established
pattern (two agreeing neighbours), never for merely being different.

Row classes (optional, from the form model) keep rows of different kinds apart: a qualitative row's
typed score is not "a constant among formulas", a 反向 row's formula is not "inconsistent" with the
正向 rows around it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Iterator, Mapping

from perfscore.checks.findings import NOTE, Finding
from perfscore.checks.evaluate import evaluate
from perfscore.checks.fixes import fix_effect, is_blank_cell
from perfscore.checks.regions import Anomaly, Print, anomalies
from perfscore.checks.registry import spec
from perfscore.checks.shape import Literal, Shape, area_of, literals, shape_of, tokenize, translate
from perfscore.xlsx.grid import CellData, ExcelError, SheetGrid, WorkbookGrid, cell_ref, parse_ref

Pos = tuple[int, int]
DIRECTIONS = ((1, 0, "上下"), (0, 1, "左右"))

# Functions whose numeric arguments are positions/counts/digits, not quantities.
_POSITIONAL_FUNCS = frozenset({
    "INDEX", "MATCH", "VLOOKUP", "HLOOKUP", "XLOOKUP", "OFFSET", "CHOOSE", "LARGE", "SMALL", "LEFT",
    "RIGHT", "MID", "FIND", "SEARCH", "SUBSTITUTE", "REPT", "TEXT", "FIXED", "DATE", "TIME", "EDATE",
    "EOMONTH", "WEEKDAY", "RANK", "RANK.EQ", "SUBTOTAL", "AGGREGATE", "INDIRECT", "ADDRESS", "COLUMN",
    "ROW", "CELL", "ERROR.TYPE", "TYPE", "MOD", "DATEDIF", "WORKDAY", "NETWORKDAYS", "PERCENTILE",
    "QUARTILE", "BASE", "DEC2BIN", "CHAR", "UNICHAR", "CODE", "RANDBETWEEN", "SEQUENCE", "TAKE", "DROP",
})
_DIGIT_FUNCS = frozenset({"ROUND", "ROUNDUP", "ROUNDDOWN", "TRUNC", "FLOOR", "CEILING", "MROUND"})
_IDIOM_VALUES = frozenset({0.0, 1.0, 100.0, -1.0})
_COMPARISONS = frozenset({">", "<", ">=", "<=", "=", "<>"})


def is_idiomatic_literal(lit: Literal) -> bool:
    """0/1/100, ROUND digits, positional arguments: numbers that are not data typed into a formula."""
    if lit.value in _IDIOM_VALUES:
        return True
    if lit.func in _DIGIT_FUNCS and lit.arg >= 1:
        return True
    if lit.func in ("MIN", "MAX") and _is_whole_arg(lit):
        return True  # a cap or floor: MIN(5, SUM(...)), MAX(0, x)
    if lit.func in _POSITIONAL_FUNCS and (lit.arg >= 1 or lit.func in ("CHOOSE", "DATE", "TIME", "CHAR")):
        return True
    return False


def _is_whole_arg(lit: Literal) -> bool:
    """The literal is an argument on its own (MIN(5,x)), not part of an expression (MIN(x*5,1))."""
    before_ok = lit.prev is None or lit.prev.kind in ("func", "sep") or (lit.prev.kind == "op" and lit.prev.value == "-"
                                                                        and lit.prev is not None)
    after_ok = lit.next is None or lit.next.kind in ("sep", "close")
    return before_ok and after_ok


def is_threshold_literal(lit: Literal) -> bool:
    """A literal compared with something (J31>=90): a band bound, not a quantity."""
    return any(t is not None and t.kind == "op" and t.value in _COMPARISONS for t in (lit.prev, lit.next))


@dataclass(frozen=True)
class _Sheet:
    file: str
    grid: SheetGrid
    shapes: dict[Pos, Shape]
    row_class: Mapping[int, str]
    errors: dict[Pos, CellData]  # cells holding an error value, in cell order
    book: WorkbookGrid | None = None  # for references to other sheets
    is_form: bool = False  # the sheet holds a recognised form (its row classes are known)
    show_all: bool = False  # the full report (--all): notes about non-form sheets too

    def formula_at(self, origin: Pos, pos: Pos) -> Shape | None:
        """The formula shape at pos when its row is of origin's kind (an unclassified row matches any). Most
        neighbours hold no formula, so the shape is looked up first (positions off the sheet hold none)."""
        shape = self.shapes.get(pos)
        if shape is None or not self.row_class:
            return shape
        ca, cb = self.row_class.get(origin[0]), self.row_class.get(pos[0])
        return shape if ca is None or cb is None or ca == cb else None

    @cached_property
    def typed_literals(self) -> dict[Pos, tuple[Literal, ...]]:
        """Formula cells holding literals that look like typed data, in shape order (both literal checks ask)."""
        out = {}
        for pos in self.shapes:
            lits = _quantity_literals(self.grid.get(*pos).formula)
            if lits:
                out[pos] = lits
        return out

    @cached_property
    def anomalies(self) -> list[Anomaly]:
        prints = {pos: _print(self.grid.get(*pos).formula, pos, s) for pos, s in self.shapes.items()}
        return anomalies(prints, self.is_blank, self.same_kind if self.row_class else None,
                         lambda pos: self.short_range(pos) is not None)

    @cached_property
    def _short_ranges(self) -> dict[Pos, tuple[Pos, Pos] | None]:
        return {}

    def short_range(self, pos: Pos) -> tuple[Pos, Pos] | None:
        """The omitted cells (first, last) when the formula at pos totals a range that stops short of it."""
        memo = self._short_ranges
        if pos not in memo:
            cell = self.grid.cells.get(pos)
            memo[pos] = _stops_short(self.grid, pos, cell.formula) if cell is not None and cell.formula else None
        return memo[pos]

    def is_blank(self, pos: Pos) -> bool:
        cell = self.grid.cells.get(pos)
        return cell is None or (cell.formula is None and (cell.value is None or (
            isinstance(cell.value, str) and not cell.value.strip())))

    def same_kind(self, a: Pos, b: Pos) -> bool:
        ca, cb = self.row_class.get(a[0]), self.row_class.get(b[0])
        return ca is None or cb is None or ca == cb

    def finding(self, code: str, pos: Pos, message: str, severity: str | None = None) -> Finding:
        return Finding(self.file, self.grid.name, cell_ref(*pos), code, severity or spec(code).severity, message)


def _prepare(file: str, sheet: SheetGrid, row_class: Mapping[int, str] | None,
             book: WorkbookGrid | None = None, *, is_form: bool | None = None, show_all: bool = False) -> _Sheet:
    shapes: dict[Pos, Shape] = {}
    errors: dict[Pos, CellData] = {}
    for pos, cell in sheet.cells.items():  # one pass over the sheet for both
        if cell.formula:
            s = shape_of(cell.formula, *pos)
            if s is not None:
                shapes[pos] = s
        if isinstance(cell.value, ExcelError):
            errors[pos] = cell
    form = bool(row_class) if is_form is None else is_form
    return _Sheet(file, sheet, shapes, row_class or {}, errors, book, form, show_all)


def _pos(f: Finding) -> Pos:
    return parse_ref(f.cell)


def _step(pos: Pos, dr: int, dc: int, k: int) -> Pos:
    return (pos[0] + k * dr, pos[1] + k * dc)


def _is_number(cell: CellData | None) -> bool:
    return (cell is not None and cell.formula is None and not cell.is_text_typed
            and isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool))


def _fmt(v: float) -> str:
    return f"{v:.10g}"


def _established(ctx: _Sheet, pos: Pos, dr: int, dc: int) -> Iterator[tuple[Pos, Shape, str]]:
    """Patterns around pos: (reference cell, its shape, where) when two neighbours agree.

    Interior: the cells just before and just after agree. Edge: the two cells on one side agree and
    the other side has no formula of the same kind (Excel's own check stays silent there).
    """
    b1 = ctx.formula_at(pos, _step(pos, dr, dc, -1))
    a1 = ctx.formula_at(pos, _step(pos, dr, dc, 1))
    if b1 is not None and a1 is not None and b1.r1c1 == a1.r1c1:
        yield _step(pos, dr, dc, -1), b1, "interior"
        return
    if b1 is None and a1 is None:
        return  # no neighbour with a formula: no pattern on either side
    before = (b1, ctx.formula_at(pos, _step(pos, dr, dc, -2)))
    after = (a1, ctx.formula_at(pos, _step(pos, dr, dc, 2)))
    for side, k0, other in ((before, -1, a1), (after, 1, b1)):
        n1, n2 = side[0], side[1]
        if n1 is not None and n2 is not None and n1.r1c1 == n2.r1c1:
            yield _step(pos, dr, dc, k0), n1, "edge"


def _expected(ctx: _Sheet, ref_pos: Pos, pos: Pos) -> str:
    cell = ctx.grid.get(*ref_pos)
    formula = translate(cell.formula, ref_pos, pos) if cell and cell.formula else None
    return f"按相邻公式（{cell_ref(*ref_pos)}）应为 {formula}" if formula else f"请对照 {cell_ref(*ref_pos)} 的公式"


def inconsistent_formulas(ctx: _Sheet) -> list[Finding]:
    """Cells whose R1C1 breaks a nearly uniform region of copied formulas (perfscore.checks.regions), with the
    formula the region's dominant copy gives at that cell."""
    out: list[Finding] = []
    for a in ctx.anomalies:
        region = a.region
        span = f"{cell_ref(*region.first)}:{cell_ref(*region.last)}"
        axis = "同列" if region.axis == 0 else "同行"
        edge = "" if a.interior else "（位于公式块边缘，Excel 自带检查不会提示）"
        ref_formula = ctx.grid.get(*a.reference).formula
        ref_shape = ctx.shapes[a.reference]
        for pos in a.cells:
            cell = ctx.grid.get(*pos)
            shape = ctx.shapes[pos]
            fixed = translate(ref_formula, a.reference, pos)
            if _constant_slip(shape, ref_shape, cell.formula, ref_formula):
                effect = "none" if fixed is None else "changes"  # same cells read, a constant more or less
            elif shape.skeleton != ref_shape.skeleton and _family(cell.formula, shape.skeleton) == _family(
                    ref_formula, ref_shape.skeleton):
                continue  # one family, other references as well as another constant term: no single slip
            elif _same_refs(ref_shape, shape):
                continue  # the same references in another order (B/A vs A/B): a different rule, not a slip
            else:
                aggregate = _aggregates(cell.formula, region.cells)
                effect = "none" if fixed is None else fix_effect(ctx.grid, ctx.book, cell.formula, fixed,
                                                                aggregate=aggregate)
            if effect not in ("changes", "anchoring"):
                continue  # nothing to fix, or a fix that would not change the result (perfscore.checks.fixes)
            block = f"{axis}公式块 {span}（该块 {len(region.cells)} 个公式中 {a.dominant} 个相同）"
            if effect == "anchoring":
                out.append(ctx.finding(
                    "INCONSISTENT_FORMULA", pos,
                    f"公式 {cell.formula} 与{block}引用同一单元格，但绝对/相对引用（$）不同；现在结果相同，"
                    f"复制或填充后会引用错位；{_expected(ctx, a.reference, pos)}。", NOTE))
                continue
            out.append(ctx.finding(
                "INCONSISTENT_FORMULA", pos,
                f"公式 {cell.formula} 与{block}的引用不一致{edge}；{_expected(ctx, a.reference, pos)}。"))
    return out


def _aggregates(formula: str, cells: tuple[Pos, ...]) -> bool:
    """Does the formula read two or more cells of its own region (a total of the block it stands in)?"""
    for t in tokenize(formula) or ():
        if t.kind != "ref":
            continue
        area = area_of(t.value)
        if area is not None and area.sheet is None and sum(1 for p in cells if area.contains(*p)) >= 2:
            return True
    return False


_TOTAL_FUNCS = frozenset({"SUM", "SUBTOTAL", "AVERAGE", "COUNT", "COUNTA", "MAX", "MIN", "PRODUCT"})


def _stops_short(sheet: SheetGrid, pos: Pos, formula: str) -> tuple[Pos, Pos] | None:
    """A total over its own column (row) whose range ends before the cells just above (left of) it, and those
    skipped cells hold typed numbers: =SUM(G2:G20) in G22 with a number in G21. (first, last) skipped cell."""
    toks = tokenize(formula) or ()
    funcs = [t.value[:-1].upper() for t in toks if t.kind == "func" and t.value.endswith("(")]
    if not funcs or funcs[0] not in _TOTAL_FUNCS:
        return None
    r, c = pos
    for t in toks:
        if t.kind != "ref":
            continue
        area = area_of(t.value)
        if area is None or area.sheet is not None or area.size < 2:
            continue
        if area.c1 == area.c2 == c and area.r2 < r - 1:
            skipped = [(k, c) for k in range(area.r2 + 1, r)]
        elif area.r1 == area.r2 == r and area.c2 < c - 1:
            skipped = [(r, k) for k in range(area.c2 + 1, c)]
        else:
            continue
        if len(skipped) <= 3 and all(_is_number(sheet.cells.get(p)) for p in skipped):
            return skipped[0], skipped[-1]
    return None


def range_omits_rows(ctx: _Sheet, flagged: set[Pos]) -> list[Finding]:
    """Totals whose range stops short of the numbers just above them (cells already flagged are skipped)."""
    out: list[Finding] = []
    for pos in ctx.shapes:
        if pos in flagged:
            continue
        skipped = ctx.short_range(pos)
        if skipped is None:
            continue
        a, b = skipped
        span = cell_ref(*a) if a == b else f"{cell_ref(*a)}:{cell_ref(*b)}"
        out.append(ctx.finding(
            "RANGE_OMITS_ROWS", pos,
            f"合计公式 {ctx.grid.get(*pos).formula} 的求和区域止于 {span} 之前，而 {span} 中录有数值，"
            f"这些行（列）没有计入合计；应把求和区域延伸到 {span}。"))
    return out


def _agrees(shape: Shape, neighbour: Shape | None) -> bool:
    return neighbour is None or neighbour.r1c1 == shape.r1c1


_ADDITIVE = frozenset({"ref", "sep", "close"})
_MAX_EXPANDED = 512


def _print(formula: str, pos: Pos, shape: Shape) -> Print:
    """The fingerprint of a formula for the region analysis: its R1C1 shape, except that a plain sum of
    references (=SUM(D17:D19), =(D17+D18+D19), =D17+D18+D19) is written as the cells it adds, relative to the
    cell (ExceLint's reference vectors), so the ways of writing one sum are copies of each other."""
    cells = _summed_cells(formula)
    if cells is None:
        return Print(shape.r1c1, _family(formula, shape.skeleton))
    r, c = pos
    offsets = sorted(f"{sheet or ''}!{rr - r},{cc - c}" for sheet, rr, cc in cells)
    return Print("Σ " + " ".join(offsets), "Σ")


@lru_cache(maxsize=16384)
def _family(formula: str, skeleton: str) -> str:
    """The skeleton a region groups by: the formula's skeleton without a trailing constant term added or
    subtracted at its top level (=C38*3.33+1 and =E38*3.33 are one rule, one of them with a term dropped or
    added). Comparisons and text joins at the top level keep the term: there it is not an addend."""
    term = _constant_term(formula)
    return skeleton.rsplit(" ", 2)[0] if term else skeleton


@lru_cache(maxsize=16384)
def _constant_term(formula: str) -> bool:
    """Does the formula end in a top-level + or - of a number (=C38*3.33+1, =SUM(B2:B9)-5)?"""
    toks = tokenize(formula)
    if not toks or len(toks) < 3:
        return False
    op, num, before = toks[-2], toks[-1], toks[-3]
    if num.kind != "number" or op.kind != "op" or op.value not in ("+", "-"):
        return False
    if before.kind in ("op", "func", "sep"):
        return False  # a sign (=A1*-5) or an argument, not an addend
    depth = 0
    for t in toks:
        if t.kind == "func":
            depth += 1
        elif t.kind == "close":
            depth -= 1
        elif depth == 0 and t.kind == "op" and (t.value in _COMPARISONS or t.value == "&"):
            return False
    return True


def _constant_slip(a: Shape, b: Shape, fa: str, fb: str) -> bool:
    """Formula a is formula b without b's trailing constant term, the same references in the same order: a copy
    that lost the term its block adds (the result differs by that constant). The other way round, one copy
    with a constant its block lacks is a number typed into a formula (=...+5 as a one-off adjustment), which
    is HARDCODED_CONSTANT's evidence, not a copy slip."""
    if _constant_term(fa) or not _constant_term(fb) or _family(fa, a.skeleton) != _family(fb, b.skeleton):
        return False
    return _refs_in_order(a) == _refs_in_order(b)


def _refs_in_order(s: Shape) -> list[str]:
    return [t for t in s.r1c1.split(" ") if t.startswith(("R", "C", "'")) and ("[" in t or t[1:2].isdigit())]


@lru_cache(maxsize=16384)
def _summed_cells(formula: str) -> tuple[tuple[str | None, int, int], ...] | None:
    toks = tokenize(formula)
    if not toks:
        return None
    out: list[tuple[str | None, int, int]] = []
    for i, t in enumerate(toks):
        if t.kind == "ref":
            area = area_of(t.value)
            if area is None or area.size > _MAX_EXPANDED:
                return None
            out += [(area.sheet, rr, cc) for rr in range(area.r1, area.r2 + 1) for cc in range(area.c1, area.c2 + 1)]
        elif t.kind == "op" and t.value == "+":
            continue
        elif t.kind == "func" and t.value.upper() in ("SUM(", "("):
            continue
        elif t.kind not in _ADDITIVE or (t.kind == "sep" and t.value != ","):
            return None
    return tuple(out) if len(out) >= 2 else None


def _same_refs(a: Shape, b: Shape) -> bool:
    def refs(s: Shape) -> list[str]:
        return sorted(t for t in s.r1c1.split(" ") if t.startswith(("R", "C", "'")) and ("[" in t or t[1:2].isdigit()))
    return refs(a) == refs(b)


# Rows where a typed score is the filler's own judgement, not a formula typed over.
JUDGEMENT_CLASSES = frozenset({"qualitative", "judgement", "bonus"})


def typed_over_formulas(ctx: _Sheet) -> list[Finding]:
    """A typed number inside a block of copies of one formula. Strong evidence only: down a column, copies
    directly above and below, or three copies on one side and nothing like data on the other (not the typed
    start of a running total the copies read); across a row, two copies on each side
    (alternating data and formula columns are a layout, not an overwrite). On a sheet that is not a form the
    default report also wants the typed number to differ from what the block's formula gives there
    (perfscore.checks.evaluate); a typed copy of the right value is shown with show_all."""
    out: list[Finding] = []
    near = _next_to_formulas(ctx.shapes)
    for pos, cell in ctx.grid.cells.items():
        if pos not in near:
            continue  # no formula above or below, nor on both sides: nothing it could have overwritten
        if not _is_number(cell) or ctx.row_class.get(pos[0]) in JUDGEMENT_CLASSES:
            continue
        hit = _typed_block(ctx, pos)
        if hit is None:
            continue
        ref_pos, axis = hit
        ref_formula = ctx.grid.get(*ref_pos).formula
        moved = translate(ref_formula, ref_pos, pos)
        expected = evaluate(moved, ctx.grid, ctx.book) if moved else None
        differs = expected is not None and not _agrees_to_digits(float(cell.value), expected)
        if not (differs or ctx.is_form or ctx.show_all):
            continue
        value = f"（按该公式此处应得 {_fmt(expected)}）" if differs else ""
        out.append(ctx.finding(
            "TYPED_OVER_FORMULA", pos,
            f"{cell_ref(*pos)} 是手工录入的数值 {_fmt(cell.value)}，而{axis}相邻单元格都是同一公式{value}，"
            f"原公式可能被覆盖；{_expected(ctx, ref_pos, pos)}。"))
    return out


def _agrees_to_digits(typed: float, expected: float) -> bool:
    """The typed number is the expected one written with fewer digits (5.3 or 16.29 for 16.2980...): a rounded
    copy of a long fraction, not a different number. 4.5 against 4.51 differs."""
    if abs(typed - expected) <= 1e-9 * max(1.0, abs(expected)):
        return True
    digits = _decimals(typed)
    if _decimals(expected) < digits + 3:
        return False
    q = 10 ** digits
    return typed in (round(expected * q) / q, math.trunc(expected * q) / q)


def _decimals(x: float) -> int:
    text = f"{x:.12g}"
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def _typed_block(ctx: _Sheet, pos: Pos) -> tuple[Pos, str] | None:
    """(cell whose formula the block repeats, "上下"/"左右") when pos sits inside a block of one formula."""
    at = lambda k, dr, dc: ctx.formula_at(pos, _step(pos, dr, dc, k))  # noqa: E731
    up, down = at(-1, 1, 0), at(1, 1, 0)
    if up is not None and down is not None and up.r1c1 == down.r1c1:
        return _step(pos, 1, 0, -1), "上下"
    for sign, near_shape in ((-1, up), (1, down)):  # the foot or the head of a column of copies
        if near_shape is None:
            continue
        run = [near_shape, at(2 * sign, 1, 0), at(3 * sign, 1, 0)]
        if not all(s is not None and s.r1c1 == near_shape.r1c1 for s in run):
            continue
        other_pos = _step(pos, 1, 0, -sign)
        other = ctx.grid.get(*other_pos)
        other_shape = ctx.shapes.get(other_pos)
        if not (other is None or (other.formula is None and not _is_number(other)) or (
                other_shape is not None and other_shape.skeleton != near_shape.skeleton)):
            continue  # a number beyond it too: a data column that happens to border formulas
        ref_pos = _step(pos, 1, 0, sign)
        if sign == 1 and _reads(ctx.grid.get(*ref_pos).formula, pos):
            continue  # the copies below read it: a running total's typed start, not an overwrite
        return ref_pos, "上下"
    side = [at(k, 0, 1) for k in (-2, -1, 1, 2)]
    if all(s is not None for s in side) and len({s.r1c1 for s in side}) == 1:
        return _step(pos, 0, 1, -1), "左右"
    return None


def _reads(formula: str, pos: Pos) -> bool:
    for t in tokenize(formula) or ():
        if t.kind == "ref":
            area = area_of(t.value)
            if area is not None and area.sheet is None and area.contains(*pos):
                return True
    return False


def _next_to_formulas(shapes: Mapping[Pos, Shape]) -> set[Pos]:
    """Cells with a formula above or below, or on both sides: the only ones a typed number could have
    overwritten (built from the few formula cells instead of asking about every cell of the sheet)."""
    near: set[Pos] = set()
    for r, c in shapes:
        near.add((r - 1, c))
        near.add((r + 1, c))
        if (r, c + 2) in shapes:
            near.add((r, c + 1))
    return near


@lru_cache(maxsize=16384)
def _quantity_literals(formula: str) -> tuple[Literal, ...]:
    """Literals that look like data typed into the formula (cached per formula text)."""
    return tuple(lit for lit in literals(formula) if not is_idiomatic_literal(lit) and not is_threshold_literal(lit))


def hardcoded_constants(ctx: _Sheet) -> list[Finding]:
    """A literal standing where the neighbouring copies of the formula hold a reference. Reported on form
    sheets; elsewhere literals are too often the model's own parameters, so only in the full report (show_all)."""
    out: list[Finding] = []
    if not (ctx.is_form or ctx.show_all):
        return out
    for pos, typed in ctx.typed_literals.items():
        formula = ctx.grid.get(*pos).formula
        lits = {lit.index: lit for lit in typed}
        toks = tokenize(formula)
        found = None
        for dr, dc, _axis in DIRECTIONS:
            for ref_pos, ref_shape, _where in _established(ctx, pos, dr, dc):
                ref_cell = ctx.grid.get(*ref_pos)
                ref_toks = tokenize(ref_cell.formula)
                if ref_toks is None or len(ref_toks) != len(toks):
                    continue
                diffs = [i for i, (a, b) in enumerate(zip(toks, ref_toks)) if a != b]
                swapped = [i for i in diffs if toks[i].kind == "number" and ref_toks[i].kind == "ref"]
                # exactly one literal where the pattern has a reference; other differences are refs only
                if len(swapped) != 1 or not all(
                        i in swapped or toks[i].kind == ref_toks[i].kind == "ref" for i in diffs):
                    continue
                i = swapped[0]
                if i not in lits:
                    continue
                moved = translate(ref_cell.formula, ref_pos, pos)
                found = (lits[i], ref_pos, moved)
                break
            if found:
                break
        if found:
            lit, ref_pos, moved = found
            hint = f"，相邻公式此处为单元格引用（按相邻公式应为 {moved}）" if moved else ""
            out.append(ctx.finding(
                "HARDCODED_CONSTANT", pos,
                f"公式 {formula} 中直接写入了常数 {lit.text}{hint}；数值改动后公式不会随之更新，应引用单元格。"))
    out.extend(_varying_literals(ctx))
    return out


def _varying_literals(ctx: _Sheet) -> list[Finding]:
    """Runs of ≥3 copies of one formula whose literal differs from row to row: data typed into formulas."""
    out: list[Finding] = []
    seen: set[Pos] = set()
    starts = sorted(ctx.typed_literals)  # a run is judged by its first formula's literals: it must have some
    for dr, dc, axis in DIRECTIONS:
        for pos in starts:
            first = ctx.typed_literals[pos]
            prev = ctx.formula_at(pos, _step(pos, dr, dc, -1))
            shape = ctx.shapes[pos]
            if prev is not None and _bare_r1c1(prev) == _bare_r1c1(shape):
                continue  # not the start of a run
            run = [pos]
            while True:
                nxt = _step(run[-1], dr, dc, 1)
                s = ctx.formula_at(run[-1], nxt)
                if s is None or _bare_r1c1(s) != _bare_r1c1(shape):
                    break
                run.append(nxt)
            if len(run) < 3:
                continue
            lit_lists = [first] + [_quantity_literals(ctx.grid.get(*p).formula) for p in run[1:]]
            if len({len(ls) for ls in lit_lists}) != 1:
                continue
            for k in range(len(lit_lists[0])):
                values = [ls[k].value for ls in lit_lists]
                if len(set(values)) < 2:
                    continue
                for p, ls in zip(run, lit_lists):
                    if p in seen:
                        continue
                    seen.add(p)
                    out.append(ctx.finding(
                        "HARDCODED_CONSTANT", p,
                        f"公式 {ctx.grid.get(*p).formula} 中写入了常数 {ls[k].text}，而同一公式块"
                        f"（{cell_ref(*run[0])}:{cell_ref(*run[-1])}）各{ '行' if dr else '列' }的常数各不相同，"
                        f"数据被写进了公式；应把这些数值放在单元格中并引用。"))
    return out


def _bare_r1c1(shape: Shape) -> str:
    return _bare_of(shape.r1c1)


@lru_cache(maxsize=16384)
def _bare_of(r1c1: str) -> str:
    """The R1C1 shape with numbers abstracted (cached: a column of copies shares one R1C1 text)."""
    return " ".join("‹n›" if _is_num_token(t) else t for t in r1c1.split(" "))


def _is_num_token(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def formula_errors(ctx: _Sheet, book: WorkbookGrid | None) -> list[Finding]:
    """Cells holding an error value; errors that only propagate from another error cell are not repeated."""
    errors = ctx.errors
    if not errors:
        return []
    out: list[Finding] = []
    error_cells: dict[int, list[Pos]] = {id(ctx.grid): list(errors)}  # per sheet, found once
    for pos, cell in sorted(errors.items()):
        if cell.formula and _has_error_precedent(ctx, book, cell.formula, error_cells):
            continue
        toks = tokenize(cell.formula) if cell.formula else None
        literal_err = next((t.value for t in toks or () if t.kind == "error"), None)
        if literal_err is None and cell.formula and _unfilled(ctx, book, toks or ()):
            continue  # #DIV/0! of a blank input: the data is not filled in yet, the formula is not wrong
        if literal_err == "#REF!":
            why = "公式中含有 #REF!，引用的单元格或工作表已被删除"
        elif cell.formula:
            why = f"公式 {cell.formula} 的结果为 {cell.value.code}"
        else:
            why = f"单元格中录入了错误值 {cell.value.code}"
        out.append(ctx.finding("FORMULA_ERROR", pos, f"{why}；应修正公式或其引用的数据，使其得出数值。"))
    return out


def _referenced_areas(ctx: _Sheet, book: WorkbookGrid | None, toks):
    """(area, sheet) of every reference among the tokens whose sheet exists."""
    for t in toks:
        if t.kind != "ref":
            continue
        area = area_of(t.value)
        if area is None:
            continue
        sheet = ctx.grid if area.sheet is None else (book.sheet(area.sheet) if book else None)
        if sheet is not None:
            yield area, sheet


def _unfilled(ctx: _Sheet, book: WorkbookGrid | None, toks) -> bool:
    """Does the formula read a blank cell, a range holding no number at all, or nothing but zeros (0/0 of a
    blank template)?"""
    values: list[object] = []
    for area, sheet in _referenced_areas(ctx, book, toks):
        if area.size > 4096:
            return False
        cells = [sheet.value(r, c) for r in range(area.r1, area.r2 + 1) for c in range(area.c1, area.c2 + 1)]
        if area.size == 1 and is_blank_cell(sheet, (area.r1, area.c1)):
            return True
        if area.size > 1 and not any(isinstance(v, (int, float)) for v in cells):
            return True
        values += cells
    return bool(values) and all(v is None or v == 0 for v in values)


def _has_error_precedent(ctx: _Sheet, book: WorkbookGrid | None, formula: str,
                         error_cells: dict[int, list[Pos]]) -> bool:
    """Does a range the formula reads hold an error value? error_cells: the error positions of each sheet
    (by id), filled as sheets are first looked at, so no sheet is scanned twice."""
    for area, sheet in _referenced_areas(ctx, book, tokenize(formula) or ()):
        positions = error_cells.get(id(sheet))
        if positions is None:
            positions = error_cells[id(sheet)] = [
                pos for pos, cell in sheet.cells.items() if isinstance(cell.value, ExcelError)]
        for r, c in positions:
            if area.contains(r, c):
                return True
    return False


def stale_values(ctx: _Sheet, recomputed: Mapping[tuple[str, str], object]) -> list[Finding]:
    out: list[Finding] = []
    for pos, cell in ctx.grid.cells.items():
        if not cell.formula:
            continue
        key = (ctx.grid.name, cell_ref(*pos))
        if key not in recomputed:
            continue
        fresh = recomputed[key]
        if not values_differ(cell.value, fresh):
            continue
        out.append(ctx.finding(
            "STALE_VALUE", pos,
            f"文件中保存的结果为 {_show(cell.value)}，按公式 {cell.formula} 重新计算为 {_show(fresh)}；"
            f"文件保存前未重算，请在 Excel 中重算（F9）后再保存。"))
    return out


def _show(v: object) -> str:
    if v is None:
        return "空"
    if isinstance(v, float):
        return _fmt(v)
    return str(v)


def values_differ(cached: object, fresh: object) -> bool:
    num = (int, float)
    if isinstance(cached, bool) or isinstance(fresh, bool):
        return cached != fresh
    if isinstance(cached, num) and isinstance(fresh, num):
        a, b = float(cached), float(fresh)
        return abs(a - b) > 1e-9 * max(1.0, abs(a), abs(b))
    if cached in (None, "") and fresh in (None, ""):
        return False
    if isinstance(cached, ExcelError) or isinstance(fresh, ExcelError):
        return str(cached) != str(fresh)
    return cached != fresh


def check_sheet_formulas(
    file: str,
    sheet: SheetGrid,
    *,
    book: WorkbookGrid | None = None,
    row_class: Mapping[int, str] | None = None,
    recomputed: Mapping[tuple[str, str], object] | None = None,
    is_form: bool | None = None,
    show_all: bool = False,
) -> list[Finding]:
    """All generic formula checks on one sheet.

    is_form: the sheet holds a recognised form (default: it has row classes); show_all: the full report
    (`perfscore check --all`), which adds HARDCODED_CONSTANT and typed copies of the right value on sheets
    that are not forms."""
    ctx = _prepare(file, sheet, row_class, book, is_form=is_form, show_all=show_all)
    out = inconsistent_formulas(ctx)
    out += range_omits_rows(ctx, {_pos(f) for f in out})
    out += typed_over_formulas(ctx) + hardcoded_constants(ctx)
    out += formula_errors(ctx, book)
    if recomputed:
        out += stale_values(ctx, recomputed)
    return out
