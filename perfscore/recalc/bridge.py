"""Lift perfscore function calls out of formulas so a built-in-only engine can evaluate the rest.

ironcalc 0.9.1 has no custom-function API. Each call `SCORE_INDICATOR(a, b, ...)` — plain, `[1]!NAME(`
(Excel with the add-in linked) or `'…\\perfscore.xlam'!NAME(` — is replaced by an absolute reference to a
*result cell*; each argument that is not a plain reference goes into a *helper cell* that the engine
evaluates. Python computes the call from the argument values and writes the result as a constant; the
engine re-evaluates until nothing changes (engine.py). Helper cells live far outside any form
(rows ≥ 1 040 001, the last columns), so whole-column references do not see them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError

from perfscore.xlsx.grid import col_index, col_letter

HELPER_ROW0 = 1_040_001
RESULT_COL = 16_364  # XEJ; arguments go in the columns after it, up to XFD
MAX_ARGS = 16_384 - RESULT_COL

_FUNC_PREFIXES = re.compile(r"^(?:_xludf\.|_xll\.)", re.I)
_CELL = r"\$?([A-Za-z]{1,3})\$?(\d+)"
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_REF = re.compile(rf"^(?:(?:'((?:[^']|'')+)'|([^'!\[\]:]+))!)?{_CELL}(?::{_CELL})?$")


@dataclass(frozen=True)
class RefArg:
    """An argument that is a plain reference: read straight from the model (a blank stays None)."""

    sheet: str | None  # None: the formula's own sheet
    r1: int
    c1: int
    r2: int
    c2: int


@dataclass(frozen=True)
class HelperArg:
    """An argument computed by the engine in a helper cell."""

    row: int
    col: int


@dataclass(frozen=True)
class OmittedArg:
    pass


@dataclass(frozen=True)
class ConstArg:
    """A number or logical literal written in the call: passed as Excel would (float / bool)."""

    value: float | bool


@dataclass
class CallSite:
    name: str
    sheet: int  # model sheet index holding the result/helper cells
    row: int  # result cell
    col: int
    args: list[RefArg | HelperArg | OmittedArg]
    where: str  # "Sheet!G12" of the formula that made the call, for messages
    host: tuple[int, int, int] | None = None  # (sheet, row, col) of that formula cell; None for a defined name
    helper_formulas: list[tuple[int, int, str]] = field(default_factory=list)  # (row, col, "=expr")


class BridgeError(Exception):
    """The call cannot be lifted (too many arguments, unreadable formula): the file needs another engine."""


@functools.lru_cache(maxsize=16)
def find_names_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """Quick test for a formula that may call one of our functions (before tokenising)."""
    alt = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_])(?:{alt})\s*\(", re.I)


def call_name(func_open: str, names: set[str]) -> str | None:
    """'[1]!SCORE_INDICATOR(' / "'C:\\x\\perfscore.xlam'!GRADE(" / 'GRADE(' -> the function name, if ours."""
    name = func_open[:-1].strip()
    if "!" in name:
        name = name.rsplit("!", 1)[1]
    name = _FUNC_PREFIXES.sub("", name).upper()
    return name if name in names else None


def parse_ref(text: str) -> RefArg | None:
    m = _REF.match(text.strip())
    if m is None:
        return None
    quoted, bare, c1, r1, c2, r2 = m.groups()
    sheet = quoted.replace("''", "'") if quoted is not None else bare
    a_row, a_col = int(r1), col_index(c1)
    b_row, b_col = (int(r2), col_index(c2)) if c2 else (a_row, a_col)
    return RefArg(sheet, min(a_row, b_row), min(a_col, b_col), max(a_row, b_row), max(a_col, b_col))


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


class Lifter:
    """Rewrites formulas of one workbook, allocating helper rows per host sheet."""

    def __init__(self, names: tuple[str, ...], resolve_name) -> None:
        self.names = set(names)
        self.name_tuple = tuple(names)
        self.pattern = find_names_pattern(self.name_tuple)
        self.resolve_name = resolve_name  # defined name -> RefArg | None
        self.calls: list[CallSite] = []
        self._next_row: dict[int, int] = {}

    def needs_lift(self, formula: str) -> bool:
        return _mentions(self.name_tuple, formula)

    def lift(self, formula: str, sheet: int, sheet_name: str, where: str, qualify: bool = False,
             host: tuple[int, int, int] | None = None) -> str:
        """The formula ("=..." ) with every call of ours replaced by a reference to its result cell."""
        formula, rest = self._lift_simple(formula, sheet, sheet_name, where, qualify, host)
        if not rest:
            return formula
        try:
            tokens = Tokenizer(formula).items
        except TokenizerError as exc:
            raise BridgeError(f"{where}：公式无法解析（{exc}）") from exc
        first = len(self.calls)
        text = self._render(tokens, 0, len(tokens), sheet, sheet_name, where, qualify) if tokens else formula[1:]
        for site in self.calls[first:]:
            site.host = host
        return "=" + text

    def _lift_simple(self, formula: str, sheet: int, sheet_name: str, where: str, qualify: bool,
                     host: tuple[int, int, int] | None) -> tuple[str, bool]:
        """Replace innermost simple calls until none is left (nested calls become simple in turn); True when
        calls of ours are left for the tokeniser. The text work is memoised (_plan_simple); only defined names
        are resolved here, against this workbook."""
        base = self._next_row.get(sheet, HELPER_ROW0)
        prefix = quote_sheet(sheet_name) + "!" if qualify else ""
        lifted, planned, rest = _plan_simple(self.name_tuple, formula, prefix, base)
        if planned:
            self._next_row[sheet] = base + len(planned)
        for call in planned:
            if call.resolved:  # references and literals only: nothing to resolve against this workbook
                self.calls.append(CallSite(call.name, sheet, call.row, RESULT_COL, list(call.args), where, host))
                continue
            site = CallSite(call.name, sheet, call.row, RESULT_COL, [], where, host)
            for j, arg in enumerate(call.args):
                if isinstance(arg, _NameText):
                    arg = self.resolve_name(arg.text, sheet_name) or _ExprText(arg.text)
                if isinstance(arg, _ExprText):
                    col = RESULT_COL + 1 + j
                    site.helper_formulas.append((site.row, col, "=" + arg.text))
                    arg = HelperArg(site.row, col)
                site.args.append(arg)
            self.calls.append(site)
        return lifted, rest

    def _alloc_row(self, sheet: int) -> int:
        row = self._next_row.get(sheet, HELPER_ROW0)
        self._next_row[sheet] = row + 1
        return row

    def _render(self, tokens: list[Token], lo: int, hi: int, sheet: int, sheet_name: str, where: str,
                qualify: bool) -> str:
        out: list[str] = []
        i = lo
        while i < hi:
            tk = tokens[i]
            name = call_name(tk.value, self.names) if tk.type == Token.FUNC and tk.subtype == Token.OPEN else None
            if name is None:
                out.append(tk.value)
                i += 1
                continue
            close, arg_ranges = _call_extent(tokens, i, hi, where)
            if len(arg_ranges) > MAX_ARGS:
                raise BridgeError(f"{where}：{name} 的参数过多（{len(arg_ranges)} 个）")
            row = self._alloc_row(sheet)
            site = CallSite(name, sheet, row, RESULT_COL, [], where)
            # allocate before rendering nested calls so outer calls keep lower rows (reading order)
            for j, (a, b) in enumerate(arg_ranges):
                site.args.append(self._arg(tokens, a, b, site, j, sheet, sheet_name, where, qualify))
            self.calls.append(site)
            ref = f"${col_letter(RESULT_COL)}${row}"
            out.append(f"{quote_sheet(sheet_name)}!{ref}" if qualify else ref)
            i = close + 1
        return "".join(out)

    def _arg(self, tokens: list[Token], a: int, b: int, site: CallSite, j: int, sheet: int, sheet_name: str,
             where: str, qualify: bool) -> RefArg | HelperArg | OmittedArg:
        meaningful = [t for t in tokens[a:b] if t.type != Token.WSPACE]
        if not meaningful:
            return OmittedArg()
        if len(meaningful) == 1 and meaningful[0].type == Token.OPERAND and meaningful[0].subtype == Token.RANGE:
            text = meaningful[0].value
            ref = parse_ref(text)
            if ref is None:
                ref = self.resolve_name(text, sheet_name)
            if ref is not None:
                return ref
        expr = self._render(tokens, a, b, sheet, sheet_name, where, qualify)
        col = RESULT_COL + 1 + j
        site.helper_formulas.append((site.row, col, "=" + expr.strip()))
        return HelperArg(site.row, col)


@dataclass(frozen=True)
class _NameText:
    """A simple argument that looks like a defined name: a reference if the workbook defines it, else an
    expression for a helper cell."""

    text: str


@dataclass(frozen=True)
class _ExprText:
    """A simple argument the engine computes in a helper cell."""

    text: str


@dataclass(frozen=True)
class _PlannedCall:
    name: str
    row: int  # result row
    args: tuple[RefArg | ConstArg | OmittedArg | _NameText | _ExprText, ...]
    resolved: bool  # no defined name and no expression among the arguments: they are the call site's as is


@functools.lru_cache(maxsize=8192)
def _mentions(names: tuple[str, ...], formula: str) -> bool:
    """Whether a formula text may call one of our functions: memoised, forms of one template repeat their texts."""
    return bool(find_names_pattern(names).search(formula))


@functools.lru_cache(maxsize=16)
def _simple_call_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """A call whose arguments hold no parentheses and no strings: the common case, lifted without tokenising."""
    alt = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    return re.compile(rf"(?:\[\d+\]!|'(?:[^']|'')*'!)?(?:_xludf\.)?(?<![A-Za-z0-9_])({alt})\s*\(([^()\"{{}}]*)\)", re.I)


@functools.lru_cache(maxsize=8192)
def _plan_simple(names: tuple[str, ...], formula: str, prefix: str,
                 base_row: int) -> tuple[str, tuple[_PlannedCall, ...], bool]:
    """The simple-call lift of one formula text: the rewritten formula, its calls (result rows counted from
    `base_row`) and whether calls of ours are left for the tokeniser; `prefix` qualifies the result references
    ("'Sheet'!" for defined names). Pure text work, so it is memoised: forms of one template repeat the same
    formulas at the same helper rows."""
    simple = _simple_call_pattern(names)
    planned: list[_PlannedCall] = []

    def repl(m: re.Match[str]) -> str:
        if m.string.count('"', 0, m.start()) % 2:
            return m.group(0)  # inside a string literal
        raw = m.group(2)
        args = [] if not raw.strip() else raw.split(",")
        if len(args) > MAX_ARGS:
            return m.group(0)
        row = base_row + len(planned)
        planned_args = tuple(_plan_arg(text.strip()) for text in args)
        resolved = not any(isinstance(a, (_NameText, _ExprText)) for a in planned_args)
        planned.append(_PlannedCall(m.group(1).upper(), row, planned_args, resolved))
        return f"{prefix}${col_letter(RESULT_COL)}${row}"

    while True:
        lifted = simple.sub(repl, formula)
        if lifted == formula:
            return formula, tuple(planned), bool(find_names_pattern(names).search(formula))
        formula = lifted


def _plan_arg(text: str) -> RefArg | ConstArg | OmittedArg | _NameText | _ExprText:
    if not text:
        return OmittedArg()
    if _NUMBER.match(text):
        return ConstArg(float(text))
    if text.upper() in ("TRUE", "FALSE"):
        return ConstArg(text.upper() == "TRUE")
    ref = parse_ref(text)
    if ref is not None:
        return ref
    if re.match(r"^[^\W\d][\w.]*$", text):
        return _NameText(text)
    return _ExprText(text)


def _call_extent(tokens: list[Token], start: int, hi: int, where: str) -> tuple[int, list[tuple[int, int]]]:
    """Index of the call's closing token and the token ranges of its arguments."""
    depth = 0
    args: list[tuple[int, int]] = []
    arg_start = start + 1
    for k in range(start + 1, hi):
        tk = tokens[k]
        if tk.subtype == Token.OPEN and tk.type in (Token.FUNC, Token.PAREN, Token.ARRAY):
            depth += 1
        elif tk.subtype == Token.CLOSE and tk.type in (Token.FUNC, Token.PAREN, Token.ARRAY):
            if depth == 0:
                if k > arg_start or args:
                    args.append((arg_start, k))
                return k, args
            depth -= 1
        elif depth == 0 and tk.type == Token.SEP and tk.subtype == Token.ARG:
            args.append((arg_start, k))
            arg_start = k + 1
    raise BridgeError(f"{where}：公式括号不匹配")


def plain_calls(formula: str, names: tuple[str, ...]) -> str:
    """The formula with our calls written plainly: `[1]!GRADE(` / `'…\\perfscore.xlam'!GRADE(` / `_xludf.GRADE(`
    -> `GRADE(`, so an engine with native custom functions (the fallback) finds them by name."""
    if "!" not in formula and "_xludf" not in formula.lower():
        return formula
    alt = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    pattern = re.compile(rf"(?:\[\d+\]!|'(?:[^']|'')*'!|[^\W\d][\w.]*!)?(?:_xludf\.)?(?<![A-Za-z0-9_])({alt})\s*\(", re.I)
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(formula):
        if m.start() < pos or formula.count('"', 0, m.start()) % 2:
            continue  # inside a string literal
        out.append(formula[pos:m.start()])
        out.append(m.group(1).upper() + "(")
        pos = m.end()
    out.append(formula[pos:])
    return "".join(out)
