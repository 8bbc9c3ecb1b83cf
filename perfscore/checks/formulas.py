"""Generic checks over one sheet's formula grid: they need no form model, so summary sheets and
attachments are checked too. Precision over recall: a cell is flagged only against an established
pattern (two agreeing neighbours), never for merely being different.

Row classes (optional, from the form model) keep rows of different kinds apart: a qualitative row's
typed score is not "a constant among formulas", a 反向 row's formula is not "inconsistent" with the
正向 rows around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Iterator, Mapping

from perfscore.checks.findings import Finding
from perfscore.checks.registry import spec
from perfscore.checks.shape import Literal, Shape, area_of, literals, shape_of, tokenize, translate
from perfscore.xlsx.grid import CellData, ExcelError, SheetGrid, WorkbookGrid, cell_ref

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

    def finding(self, code: str, pos: Pos, message: str, severity: str | None = None) -> Finding:
        return Finding(self.file, self.grid.name, cell_ref(*pos), code, severity or spec(code).severity, message)


def _prepare(file: str, sheet: SheetGrid, row_class: Mapping[int, str] | None) -> _Sheet:
    shapes: dict[Pos, Shape] = {}
    errors: dict[Pos, CellData] = {}
    for pos, cell in sheet.cells.items():  # one pass over the sheet for both
        if cell.formula:
            s = shape_of(cell.formula, *pos)
            if s is not None:
                shapes[pos] = s
        if isinstance(cell.value, ExcelError):
            errors[pos] = cell
    return _Sheet(file, sheet, shapes, row_class or {}, errors)


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
    out: list[Finding] = []
    shapes = ctx.shapes
    for pos, shape in shapes.items():
        r, c = pos
        r1c1 = shape.r1c1
        for dr, dc, axis in DIRECTIONS:
            # A neighbour without a formula or with this R1C1 agrees whatever its row's kind (formula_at would
            # return None or the same shape), so the row classes are asked only about a differing neighbour.
            b1, a1 = shapes.get((r - dr, c - dc)), shapes.get((r + dr, c + dc))
            if (b1 is None or b1.r1c1 == r1c1 or _agrees(shape, ctx.formula_at(pos, (r - dr, c - dc)))) and (
                    a1 is None or a1.r1c1 == r1c1 or _agrees(shape, ctx.formula_at(pos, (r + dr, c + dc)))):
                continue  # a pattern is read from a next neighbour: none differs from this one (most cells)
            hit = None
            for ref_pos, ref_shape, where in _established(ctx, pos, dr, dc):
                if ref_shape.r1c1 == shape.r1c1 or ref_shape.skeleton != shape.skeleton:
                    continue
                if _same_refs(ref_shape, shape):
                    continue  # the same references in another order (B/A vs A/B): a different rule, not a slip
                other_side = ctx.formula_at(pos, _step(pos, dr, dc, -1 if ref_pos > pos else 1))
                if where == "edge" and other_side is not None and other_side.skeleton == shape.skeleton:
                    continue  # a block boundary between two patterns, not a slip
                if where == "interior":
                    # alternating rows (A B A B) are a pattern of their own
                    beyond = [ctx.formula_at(pos, _step(pos, dr, dc, k)) for k in (-2, 2)]
                    if any(b is not None and b.r1c1 == shape.r1c1 for b in beyond):
                        continue
                hit = (ref_pos, where)
                break
            if hit:
                ref_pos, where = hit
                edge = "（位于公式块边缘，Excel 自带检查不会提示）" if where == "edge" else ""
                cell = ctx.grid.get(*pos)
                out.append(ctx.finding(
                    "INCONSISTENT_FORMULA", pos,
                    f"公式 {cell.formula} 与{axis}相邻公式的引用不一致{edge}；{_expected(ctx, ref_pos, pos)}。"))
                break
    return out


def _agrees(shape: Shape, neighbour: Shape | None) -> bool:
    return neighbour is None or neighbour.r1c1 == shape.r1c1


def _same_refs(a: Shape, b: Shape) -> bool:
    def refs(s: Shape) -> list[str]:
        return sorted(t for t in s.r1c1.split(" ") if t.startswith(("R", "C", "'")) and ("[" in t or t[1:2].isdigit()))
    return refs(a) == refs(b)


# Rows where a typed score is the filler's own judgement, not a formula typed over.
JUDGEMENT_CLASSES = frozenset({"qualitative", "judgement", "bonus"})


def typed_over_formulas(ctx: _Sheet) -> list[Finding]:
    out: list[Finding] = []
    shapes = ctx.shapes
    near = _next_to_formulas(shapes)
    for pos, cell in ctx.grid.cells.items():
        if pos not in near:
            continue  # no formula above or below, nor on both sides: nothing it could have overwritten
        if not _is_number(cell) or ctx.row_class.get(pos[0]) in JUDGEMENT_CLASSES:
            continue
        for dr, dc, axis in DIRECTIONS:
            b1 = ctx.formula_at(pos, _step(pos, dr, dc, -1))
            a1 = ctx.formula_at(pos, _step(pos, dr, dc, 1))
            if b1 is None and a1 is None:
                continue  # no formula next to it in this direction: nothing it could have overwritten
            if not dr and (b1 is None or a1 is None):
                continue  # across a row only the interior case applies
            before = [b1] + [ctx.formula_at(pos, _step(pos, dr, dc, -k)) for k in (2, 3)]
            after = [a1] + [ctx.formula_at(pos, _step(pos, dr, dc, k)) for k in (2, 3)]
            ref_pos = None
            if before[0] is not None and after[0] is not None and before[0].r1c1 == after[0].r1c1:
                ref_pos = _step(pos, dr, dc, -1)
            elif dr:  # edges only down a column: across a row, columns mean different things
                for side, k0, opposite in ((before, -1, 1), (after, 1, -1)):
                    if all(s is not None for s in side) and len({s.r1c1 for s in side}) == 1:
                        other_pos = _step(pos, dr, dc, opposite)
                        other = ctx.grid.get(*other_pos)
                        other_shape = ctx.shapes.get(other_pos)
                        if other is None or (other.formula is None and not _is_number(other)) or (
                                other_shape is not None and other_shape.skeleton != side[0].skeleton):
                            ref_pos = _step(pos, dr, dc, k0)
                            break
            if ref_pos is not None:
                out.append(ctx.finding(
                    "TYPED_OVER_FORMULA", pos,
                    f"{cell_ref(*pos)} 是手工录入的数值 {_fmt(cell.value)}，而{axis}相邻单元格都是同一公式，"
                    f"原公式可能被覆盖；{_expected(ctx, ref_pos, pos)}。"))
                break
    return out


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
    """A literal standing where the neighbouring copies of the formula hold a reference."""
    out: list[Finding] = []
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
        if literal_err == "#REF!":
            why = "公式中含有 #REF!，引用的单元格或工作表已被删除"
        elif cell.formula:
            why = f"公式 {cell.formula} 的结果为 {cell.value.code}"
        else:
            why = f"单元格中录入了错误值 {cell.value.code}"
        out.append(ctx.finding("FORMULA_ERROR", pos, f"{why}；应修正公式或其引用的数据，使其得出数值。"))
    return out


def _has_error_precedent(ctx: _Sheet, book: WorkbookGrid | None, formula: str,
                         error_cells: dict[int, list[Pos]]) -> bool:
    """Does a range the formula reads hold an error value? error_cells: the error positions of each sheet
    (by id), filled as sheets are first looked at, so no sheet is scanned twice."""
    toks = tokenize(formula) or ()
    for t in toks:
        if t.kind != "ref":
            continue
        area = area_of(t.value)
        if area is None:
            continue
        sheet = ctx.grid if area.sheet is None else (book.sheet(area.sheet) if book else None)
        if sheet is None:
            continue
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
) -> list[Finding]:
    """All generic formula checks on one sheet."""
    ctx = _prepare(file, sheet, row_class)
    out = inconsistent_formulas(ctx) + typed_over_formulas(ctx) + hardcoded_constants(ctx)
    out += formula_errors(ctx, book)
    if recomputed:
        out += stale_values(ctx, recomputed)
    return out
