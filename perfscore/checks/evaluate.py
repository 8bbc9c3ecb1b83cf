"""A small evaluator for the plain arithmetic formulas of a block (=G3-D3, =(E17/E$21)*100, =SUM(L2:L15),
=ROUND(MIN(H10/G10,1)*I10,2)) over the cached values in the grid, to tell whether a number typed among copies of a
formula is what that formula would give there. Anything else (other functions, text, names) is "unknown"
(None): the caller then does not rely on the value.
"""

from __future__ import annotations

import math
from typing import Callable

from perfscore.checks.shape import Tok, area_of, tokenize
from perfscore.xlsx.grid import SheetGrid, WorkbookGrid

_MAX_CELLS = 10_000


class _Unknown(Exception):
    pass


def _round(x: float, digits: float = 0) -> float:
    q = 10 ** int(digits)
    return math.copysign(math.floor(abs(x) * q + 0.5) / q, x)


_AGG: dict[str, Callable[[list[float]], float]] = {
    "SUM": sum,
    "MIN": lambda xs: min(xs) if xs else 0.0,
    "MAX": lambda xs: max(xs) if xs else 0.0,
    "AVERAGE": lambda xs: sum(xs) / len(xs) if xs else _fail(),
    "COUNT": lambda xs: float(len(xs)),
}


def _fail():
    raise _Unknown()


def evaluate(formula: str, sheet: SheetGrid, book: WorkbookGrid | None = None) -> float | None:
    """The formula's number from the cached values of the cells it reads, or None when it cannot be told
    (a blank single cell among its inputs included: a formula over missing inputs says nothing)."""
    toks = tokenize(formula)
    if not toks:
        return None
    try:
        p = _Parser(list(toks), sheet, book)
        value = p.expr()
        if p.i != len(p.toks):
            return None
        return _num(value)
    except (_Unknown, ZeroDivisionError, OverflowError, ValueError, IndexError):
        return None


def _num(v) -> float:
    if isinstance(v, list):
        if len(v) != 1:
            raise _Unknown()
        v = v[0]
    if isinstance(v, bool):
        return float(v)
    if v is None:
        return 0.0
    if isinstance(v, (int, float)):
        return float(v)
    raise _Unknown()


class _Parser:
    """Recursive descent over openpyxl tokens: comparison < & < +- < */ < ^ < unary < % < primary."""

    def __init__(self, toks: list[Tok], sheet: SheetGrid, book: WorkbookGrid | None):
        self.toks, self.i, self.sheet, self.book = toks, 0, sheet, book

    def peek(self) -> Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def expr(self):
        left = self.additive()
        t = self.peek()
        if t is not None and t.kind == "op" and t.value in ("=", "<>", "<", ">", "<=", ">="):
            self.take()
            a, b = _num(left), _num(self.additive())
            return {"=": a == b, "<>": a != b, "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[t.value]
        return left

    def additive(self):
        v = self.term()
        while (t := self.peek()) is not None and t.kind == "op" and t.value in ("+", "-"):
            self.take()
            rhs = _num(self.term())
            v = _num(v) + rhs if t.value == "+" else _num(v) - rhs
        return v

    def term(self):
        v = self.power()
        while (t := self.peek()) is not None and t.kind == "op" and t.value in ("*", "/"):
            self.take()
            rhs = _num(self.power())
            v = _num(v) * rhs if t.value == "*" else _num(v) / rhs
        return v

    def power(self):
        v = self.unary()
        while (t := self.peek()) is not None and t.kind == "op" and t.value == "^":
            self.take()
            v = _num(v) ** _num(self.unary())
        return v

    def unary(self):
        t = self.peek()
        if t is not None and t.kind == "op" and t.value in ("-", "+"):
            self.take()
            v = _num(self.unary())
            return -v if t.value == "-" else v
        v = self.primary()
        while (t := self.peek()) is not None and t.kind == "op" and t.value == "%":
            self.take()
            v = _num(v) / 100
        return v

    def primary(self):
        t = self.take()
        if t.kind == "number":
            return float(t.value)
        if t.kind == "ref":
            return self.ref(t.value)
        if t.kind == "func" and t.value == "(":
            v = self.expr()
            if self.take().kind != "close":
                raise _Unknown()
            return v
        if t.kind == "func":
            name = t.value[:-1].upper()
            args = self.args()
            return self.call(name, args)
        raise _Unknown()

    def args(self) -> list:
        out = []
        if (t := self.peek()) is not None and t.kind == "close":
            self.take()
            return out
        while True:
            out.append(self.expr())
            t = self.take()
            if t.kind == "close":
                return out
            if not (t.kind == "sep" and t.value == ","):
                raise _Unknown()

    def ref(self, text: str):
        area = area_of(text)
        if area is None or area.size > _MAX_CELLS:
            raise _Unknown()
        sheet = self.sheet if area.sheet is None else (self.book.sheet(area.sheet) if self.book else None)
        if sheet is None:
            raise _Unknown()
        values = []
        for r in range(area.r1, area.r2 + 1):
            for c in range(area.c1, area.c2 + 1):
                cell = sheet.cells.get((r, c))
                v = None if cell is None else cell.value
                if isinstance(v, str) or (cell is not None and cell.is_text_typed):
                    if area.size == 1:
                        raise _Unknown()
                    continue  # text in a range is skipped by SUM and friends
                if v is not None and not isinstance(v, (int, float)):
                    raise _Unknown()  # an error value
                if v is None and area.size == 1:
                    raise _Unknown()
                if v is not None:
                    values.append(v)
        return values if area.size > 1 else (values[0] if values else None)

    def call(self, name: str, args: list):
        if name in _AGG:
            flat: list[float] = []
            for a in args:
                if isinstance(a, list):
                    flat += [float(x) for x in a if x is not None and not isinstance(x, bool)]
                else:
                    flat.append(_num(a))
            return _AGG[name](flat)
        if name in ("ROUND", "ROUNDUP", "ROUNDDOWN") and len(args) in (1, 2):
            x, d = _num(args[0]), _num(args[1]) if len(args) == 2 else 0.0
            if name == "ROUND":
                return _round(x, d)
            q = 10 ** int(d)
            f = math.ceil if (name == "ROUNDUP") == (x >= 0) else math.floor
            return f(x * q) / q
        if name == "ABS" and len(args) == 1:
            return abs(_num(args[0]))
        if name == "IF" and len(args) in (2, 3):
            return args[1] if _num(args[0]) else (args[2] if len(args) == 3 else False)
        raise _Unknown()
