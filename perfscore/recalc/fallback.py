"""The slower engine for what ironcalc 0.9.1 cannot do: `formulas` 1.3.4, cell by cell, fed from ironcalc.

What ironcalc 0.9.1 cannot do on realistic forms (measured against LibreOffice 7.4 with forced recalculation,
workbooks written by openpyxl, see tests/recalc/test_fallback.py):

* **Scalar functions over arrays** (SUMPRODUCT arguments, CSE array formulas, array constants) give wrong
  values *without any error*: ISNUMBER/ISTEXT/ISBLANK/ISNA over a range -> 0 (so the common
  `SUMPRODUCT(ISNUMBER(FIND("产",A1:A5))*C1:C5)` counts nothing); COUNTIF/COUNTIFS/SUMIFS/AVERAGEIF with
  array criteria -> 0 or #DIV/0! (`SUMPRODUCT(1/COUNTIF(A1:A5,A1:A5))`, `SUM(COUNTIF(A:A,{"产出","效益"}))`);
  MATCH/VLOOKUP with an array lookup value -> #N/A; MOD over a range -> #VALUE!; ISERROR/COUNT over an
  array expression -> 0; AVERAGE(IF(…)) counts the FALSEs (1.67 for 2.5), COUNT(IF(…)) -> 0;
  CHOOSE({1,2},range,range) -> #VALUE!. ROUND/ROUNDUP/N/NOT/INDEX/LARGE/SMALL/OFFSET over arrays give the
  engine-only error #N/IMPL!. Safe (equal to LibreOffice): arithmetic and comparisons, SUMPRODUCT,
  SUM/MAX/MIN, IF, IFERROR, LEN, LEFT, RIGHT, MID, TEXT, TRIM, SUBSTITUTE, EXACT, ABS, INT, ROW, COLUMN,
  YEAR/MONTH/DAY, SUMIF, MMULT, TRANSPOSE, AND, OR.
* **Functions it does not know** -> #NAME? (a valid error, so nothing flagged it before): AGGREGATE,
  BAHTTEXT, JIS, PHONETIC, GETPIVOTDATA, RTD, CUBE*, and the CJK Excel/WPS functions NUMBERSTRING and
  DATESTRING. It lower-cases their names.
* **3D references** `SUM(表1:表3!A1)` -> #ERROR! (Chinese sheet names) or a silent #VALUE! (ASCII names),
  also through a defined name. Rewritten here into `SUM('表1'!A1,'表2'!A1,'表3'!A1)` when the reference is
  an argument of SUM/AVERAGE/COUNT/COUNTA/MAX/MIN/PRODUCT (the functions Excel accepts 3D references in
  that forms use), so ironcalc itself evaluates them.
* **Panics** (a Rust panic, `pyo3_runtime.PanicException`, a BaseException that escaped the batch):
  DOLLAR/FIXED with huge numbers, XNPV with arrays of different lengths. **Hangs** (no return):
  COMBIN, PERMUT, MULTINOMIAL, BESSELK with huge arguments (1E308) — only a batch timeout can stop those.
* Plain (non-CSE) formulas that apply functions or operators to ranges, `=SUM(A1:A3*2)`, `=INT(A1:A3)`:
  ironcalc evaluates them as dynamic arrays (Excel 365 typed-in semantics) where a legacy formula in the
  file intersects implicitly (LibreOffice: 7.5 / #VALUE!); formulas does the same as ironcalc, so such
  cells are not routed (when ironcalc answers them with #N/IMPL! they keep their cached value).
* Smaller differences, not routed: PMT in the 16th digit; INT(4.35*100) = 434 (LibreOffice 435); LENB
  counts characters, not DBCS bytes; a non-CSE `MAX(IF(range=…))` is evaluated as an array (Excel 365) where
  legacy Excel/LibreOffice intersect (#VALUE!). LibreOffice 7.4 lacks XLOOKUP/LET/UNIQUE/SORT/SEQUENCE,
  which ironcalc evaluates.

Which slower engine (same cells, same oracle): `formulas` 1.3.4 gets the array cases above right
(COUNTIF/SUMIFS/AVERAGEIF with array criteria, ISNUMBER/ISTEXT/ISBLANK/MOD/ROUND over arrays) and knows 645
functions; pycel 1.0b30 raises UnknownFunction for 40 of the 167 probe formulas (MROUND, RANK, MEDIAN,
COUNTA, TEXTJOIN …) and FormulaEvalError on array criteria. Neither knows AGGREGATE, OFFSET, INDIRECT or 3D
references; formulas' ROUND/ROUNDUP/ROUNDDOWN/MROUND round the binary value (ROUND(80.1/90*2.5,2) = 2.22),
so they are replaced here by the Excel 15-digit versions (perfscore.rules), and AGGREGATE is added.

How: a cell routed here is a constant in the ironcalc model; its original formula (our calls written
plainly, perfscore functions registered natively through the same pure bridge as the UDFs) is compiled by
`formulas`, fed with the input ranges read from the ironcalc model, and its result written back as that
constant; ironcalc recomputes everything that depends on it; repeat to a fixed point (engine.py).
Loading a whole workbook into `formulas` costs ~1 s per small form; this costs ~1 s once per process
(the function table import) and ~2 ms per routed cell.
"""

from __future__ import annotations

import contextvars
import functools
import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation
from typing import Callable

import ironcalc

from perfscore.recalc.bridge import parse_ref, quote_sheet
from perfscore.rules import excel_round, round15
from perfscore.xlsx.grid import EXCEL_ERROR_CODES, ExcelError

ENGINE = "formulas"

# Functions ironcalc evaluates correctly over arrays (measured, see the docstring); any other function in an
# array context sends the cell to the fallback.
SAFE_IN_ARRAYS = frozenset("""SUMPRODUCT SUM MAX MIN IF IFERROR LEN LEFT RIGHT MID TEXT TRIM SUBSTITUTE EXACT ABS INT
ROW COLUMN YEAR MONTH DAY SUMIF MMULT TRANSPOSE AND OR""".split())
# Functions whose bad arguments make ironcalc panic (measured): their cells are routed when a panic happened.
PANIC_PRONE = frozenset({"DOLLAR", "FIXED", "XNPV", "XIRR", "RMB"})
# Functions that take 3D references and that forms use.
AGGREGATES_3D = frozenset({"SUM", "AVERAGE", "COUNT", "COUNTA", "MAX", "MIN", "PRODUCT", "AVERAGEA", "MAXA", "MINA"})
# Functions the fallback cannot evaluate either (formulas lacks them): cells keep their cached value.
UNSUPPORTED_HERE = frozenset({"OFFSET", "INDIRECT", "GETPIVOTDATA", "RTD", "NUMBERSTRING", "DATESTRING", "CELL", "INFO"})

_STRING = re.compile(r'"(?:[^"]|"")*"')
_FUNC = re.compile(r"(?<![\w.!'\]])([A-Za-z_][A-Za-z0-9_.]*)\s*\(")
_FUNC_FAST = re.compile(r"([A-Za-z_][\w.]*)\(")  # Excel stores no space before "(": a quick superset
_SHEET = r"(?:'(?:[^']|'')+'|[^\W\d][\w.]*)"
_CELLREF = r"\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?"
# Sheet1:Sheet3!A1 or 'Sheet 1:Sheet 3'!A1 (Excel forbids ":" in sheet names, so the colon splits them)
_3D = re.compile(rf"(?<![\w.'!])('(?:[^':]|'')+:(?:[^':]|'')+'|[^\W\d][\w.]*:[^\W\d][\w.]*)!({_CELLREF})(?![\w(])")


class FallbackError(Exception):
    """The fallback cannot evaluate this formula either; the message is Chinese and names the reason."""


def _outside_strings(formula: str) -> str:
    return _STRING.sub('""', formula) if '"' in formula else formula


def function_names(formula: str) -> set[str]:
    """Upper-case names of the functions a formula calls (not inside strings; not `[1]!NAME(` calls)."""
    return {m.group(1).upper() for m in _FUNC.finditer(_outside_strings(formula))}


@functools.lru_cache(maxsize=4096)
def ironcalc_knows(name: str) -> bool:
    """ironcalc 0.9.1 lower-cases the names it does not implement (and evaluates them to #NAME?)."""
    m = ironcalc.create("probe", "en", "UTC", "en")
    m.update_cell_with_formula(0, 1, 1, f"={name}()")
    return m.get_cell_content(0, 1, 1).startswith("=" + name)


def array_context(formula: str, array_anchor: bool) -> bool:
    if array_anchor:
        return True
    text = _outside_strings(formula)
    return "{" in text or "SUMPRODUCT" in text.upper()


def classify(formula: str, *, array_anchor: bool, ours: frozenset[str]) -> str | None:
    """Why ironcalc cannot be trusted with this formula (Chinese), or None. `ours`: perfscore function names.
    Runs on every formula of the fast path, so it is memoised on the formula text (forms of one template repeat
    their formulas) and, below that, on (functions called, array context)."""
    return _classify(formula, array_anchor, ours)


@functools.lru_cache(maxsize=8192)
def _classify(formula: str, array_anchor: bool, ours: frozenset[str]) -> str | None:
    text = _outside_strings(formula)
    found = _FUNC_FAST.findall(text)
    if not found:
        return None
    key = (frozenset(found), array_anchor or "{" in text, ours)
    verdict = _VERDICTS.get(key, _MISSING)
    if verdict is _MISSING:
        if len(_VERDICTS) > 50_000:  # a long batch of hostile files must not grow memory without bound
            _VERDICTS.clear()
        verdict = _VERDICTS[key] = _verdict(function_names(text) - ours, key[1])
    return verdict


_VERDICTS: dict[tuple, str | None] = {}
_MISSING = object()


def _verdict(names: set[str], array_like: bool) -> str | None:
    unknown = sorted(n for n in names if not ironcalc_knows(n))
    if unknown:
        return f"函数 {'、'.join(unknown)} 计算引擎不支持"
    if array_like or "SUMPRODUCT" in names:
        unsafe = sorted(names - SAFE_IN_ARRAYS)
        if unsafe:
            return f"数组运算中的 {'、'.join(unsafe)}"
    return None


def panic_prone(formula: str) -> bool:
    return bool(function_names(formula) & PANIC_PRONE)


# -- 3D references ------------------------------------------------------------------------------------------

def _enclosing_function(text: str, pos: int) -> str | None:
    """Name of the function whose argument list contains position `pos` directly (text: strings blanked)."""
    depth = 0
    for i in range(pos - 1, -1, -1):
        ch = text[i]
        if ch == ")":
            depth += 1
        elif ch == "(":
            if depth == 0:
                m = re.search(r"([A-Za-z_][A-Za-z0-9_.]*)\s*$", text[:i])
                return m.group(1).upper() if m else None
            depth -= 1
    return None


def _is_whole_arg(text: str, start: int, end: int) -> bool:
    before = text[:start].rstrip()[-1:]
    after = text[end:].lstrip()[:1]
    return before in ("(", ",") and after in (")", ",")


def expand_3d(formula: str, sheet_names: list[str], names_3d: dict[str, str] | None = None) -> str:
    """`SUM(表1:表3!A1)` -> `SUM('表1'!A1,'表2'!A1,'表3'!A1)` (sheets in workbook order). Only where the 3D
    reference is a whole argument of an aggregate; elsewhere it is left for ironcalc to refuse.
    `names_3d`: defined names (upper case) that refer to a 3D reference, expanded the same way."""
    if names_3d:
        text = _outside_strings(formula)
        for name, target in names_3d.items():
            for m in reversed(list(re.finditer(rf"(?<![\w.!']){re.escape(name)}(?![\w(!])", text, re.I))):
                if _is_whole_arg(text, m.start(), m.end()) and _enclosing_function(text, m.start()) in AGGREGATES_3D:
                    formula = formula[:m.start()] + target.lstrip("=") + formula[m.end():]
                    text = _outside_strings(formula)
    if ":" not in formula or "!" not in formula:
        return formula
    index = {n.upper(): i for i, n in enumerate(sheet_names)}
    text = _outside_strings(formula)
    for m in reversed(list(_3D.finditer(text))):
        span, ref = m.group(1), m.group(2)
        if span.startswith("'"):
            first, last = span[1:-1].replace("''", "'").split(":", 1)
        else:
            first, last = span.split(":", 1)
        i, j = index.get(first.upper()), index.get(last.upper())
        if i is None or j is None:
            continue
        if not (_is_whole_arg(text, m.start(), m.end()) and _enclosing_function(text, m.start()) in AGGREGATES_3D):
            continue
        lo, hi = min(i, j), max(i, j)
        parts = ",".join(f"{quote_sheet(sheet_names[k])}!{ref}" for k in range(lo, hi + 1))
        formula = formula[:m.start()] + parts + formula[m.end():]
    return formula


def is_3d_ref(text: str) -> bool:
    return bool(_3D.fullmatch(text.strip().lstrip("=")))


# -- the formulas engine ------------------------------------------------------------------------------------

@dataclass
class CallContext:
    """What the native perfscore functions need while one cell is evaluated."""

    call: Callable[[str, list[object]], tuple[object, str]]  # (name, args) -> (value, Chinese reason)
    messages: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)


_CTX: contextvars.ContextVar[CallContext | None] = contextvars.ContextVar("perfscore_fallback", default=None)


@functools.lru_cache(maxsize=1)
def _formulas():
    """Import formulas once per process, replace its rounding by Excel's and add AGGREGATE and ours."""
    import formulas
    import numpy as np
    import schedula as sh
    from formulas.functions import Error, FoundError, _text2num, wrap_func, wrap_ufunc
    from formulas.tokens.operand import XlError

    from perfscore.recalc.functions import FUNCTION_NAMES

    table = formulas.get_functions()
    table["ROUND"] = wrap_ufunc(lambda x, d: excel_round(x, int(d)))
    table["ROUNDUP"] = wrap_ufunc(lambda x, d: _round_mode(x, int(d), ROUND_UP))
    table["ROUNDDOWN"] = wrap_ufunc(lambda x, d: _round_mode(x, int(d), ROUND_DOWN))

    def mround(x: float, m: float) -> float:
        if m == 0:
            return 0.0
        if (x > 0 > m) or (x < 0 < m):
            raise FoundError(err=Error.errors["#NUM!"])
        k = Decimal(repr(round15(x / m))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return float(k) * m

    table["MROUND"] = wrap_ufunc(mround)

    def value(v):
        """VALUE as Excel: "95%" is 0.95 and "1,234.5" is 1234.5 (formulas refuses both)."""
        if isinstance(v, bool):
            raise FoundError(err=Error.errors["#VALUE!"])
        if not isinstance(v, str):
            return float(v)
        number = _excel_number_text(v)
        if number is None:
            converted = _text2num(v)
            if isinstance(converted, str):
                raise FoundError(err=Error.errors["#VALUE!"])
            return converted
        return number

    table["VALUE"] = wrap_ufunc(value, input_parser=lambda *a: a)

    def aggregate(function_num, options, *refs):
        return _aggregate(_scalar(function_num), _scalar(options), refs, np, sh, Error, XlError)

    table["AGGREGATE"] = table["_XLFN.AGGREGATE"] = wrap_func(aggregate)

    def native(name: str):
        def fn(*args):
            ctx = _CTX.get()
            if ctx is None:  # never outside an evaluation; an error is what a stray call shows
                return Error.errors["#NAME?"]
            value, reason = ctx.call(name, [to_bridge(a) for a in args])
            if reason:
                ctx.messages.append(reason)
            return to_formulas(value)
        fn.__name__ = name
        return wrap_func(fn)

    for name in FUNCTION_NAMES:
        table[name] = native(name)
    return formulas, np, sh, Error, XlError


_NUMBER_TEXT = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d*)?(?:[eE][+-]?\d+)?$")


def _excel_number_text(text: str) -> float | None:
    t = text.strip()
    percent = t.endswith("%")
    if percent:
        t = t[:-1].rstrip()
    if not t or not _NUMBER_TEXT.match(t) or not any(ch.isdigit() for ch in t):
        return None
    x = float(t.replace(",", ""))
    return x / 100 if percent else x


def _round_mode(x: float, digits: int, mode: str) -> float:
    """ROUNDUP/ROUNDDOWN as Excel: on the 15-digit value (ROUNDUP(0.1*3,1) = 0.3, not 0.4)."""
    try:
        d = Decimal(repr(round15(float(x))))
        result = float(d.quantize(Decimal(1).scaleb(-digits), rounding=mode))
    except InvalidOperation:
        return round15(float(x))
    return 0.0 if result == 0 else result


def _scalar(v):
    import numpy as np

    if isinstance(v, np.ndarray):
        v = v.ravel()[0]
    return v


def _aggregate(function_num, options, refs, np, sh, Error, XlError):
    """AGGREGATE(function, options, ref1, …) for the options that do not depend on hidden rows or nested
    SUBTOTALs (4: ignore nothing, 6: ignore errors); other options cannot be decided from values."""
    try:
        fn, opt = int(function_num), int(options)
    except (TypeError, ValueError):
        return Error.errors["#VALUE!"]
    if opt not in (4, 6):
        ctx = _CTX.get()
        if ctx is not None:
            ctx.unsupported.append(f"AGGREGATE 的选项 {opt}（涉及隐藏行或嵌套的 SUBTOTAL）")
        return Error.errors["#VALUE!"]
    k = None
    if fn >= 14:
        if len(refs) != 2:
            return Error.errors["#VALUE!"]
        refs, k = refs[:1], _scalar(refs[1])
    values: list[float] = []
    for ref in refs:
        for v in np.ravel(np.asarray(ref, dtype=object)):
            if isinstance(v, XlError):
                if opt == 6:
                    continue
                return v
            if v is sh.EMPTY or isinstance(v, (str, bool)):
                continue
            values.append(float(v))
    try:
        return _aggregate_values(fn, values, k)
    except (ValueError, ZeroDivisionError, IndexError):
        return Error.errors["#NUM!"] if fn >= 14 else Error.errors["#DIV/0!"]


def _aggregate_values(fn: int, v: list[float], k) -> float:
    import statistics

    n = len(v)
    if fn == 1:
        return math.fsum(v) / n
    if fn in (2, 3):
        return float(n)
    if fn == 4:
        return max(v) if v else 0.0
    if fn == 5:
        return min(v) if v else 0.0
    if fn == 6:
        return math.prod(v) if v else 0.0
    if fn == 7:
        return statistics.stdev(v)
    if fn == 8:
        return statistics.pstdev(v)
    if fn == 9:
        return math.fsum(v)
    if fn == 10:
        return statistics.variance(v)
    if fn == 11:
        return statistics.pvariance(v)
    if fn == 12:
        return statistics.median(v)
    if fn == 13:
        return statistics.mode(v)
    if fn in (14, 15):
        idx = int(k)
        if not 1 <= idx <= n:
            raise ValueError
        ordered = sorted(v, reverse=fn == 14)
        return ordered[idx - 1]
    raise ValueError(fn)


def to_bridge(a: object) -> object:
    """A formulas argument as xlwings would hand it to the UDF: None for blank, a flat list for a one-row or
    one-column range, a list of rows otherwise, ExcelError for errors."""
    formulas, np, sh, Error, XlError = _formulas()
    if isinstance(a, np.ndarray):
        if a.ndim == 0:
            return to_bridge(a.item())
        if a.ndim == 1:
            return [to_bridge(x) for x in a]
        h, w = a.shape
        if h == 1 and w == 1:
            return to_bridge(a[0, 0])
        if h == 1 or w == 1:
            return [to_bridge(x) for x in a.ravel()]
        return [[to_bridge(x) for x in row] for row in a]
    return from_formulas(a)


def from_formulas(v: object) -> object:
    """One formulas value as a cell value (EMPTY referenced from a formula is 0, as in Excel)."""
    formulas, np, sh, Error, XlError = _formulas()
    if v is sh.EMPTY:
        return None
    if isinstance(v, XlError):
        code = str(v)
        return ExcelError(code if code in EXCEL_ERROR_CODES else "#VALUE!")
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        return f if math.isfinite(f) else ExcelError("#NUM!")
    if isinstance(v, str):
        return v
    return ExcelError("#VALUE!")


def to_formulas(v: object) -> object:
    formulas, np, sh, Error, XlError = _formulas()
    if v is None:
        return sh.EMPTY
    if isinstance(v, ExcelError):
        return Error.errors.get(v.code, Error.errors["#VALUE!"])
    return v


@dataclass(frozen=True)
class InputRef:
    """One input range of a compiled formula, resolved to the model: sheet index and 1-based bounds."""

    sheet: int
    r1: int
    c1: int
    r2: int
    c2: int


@dataclass
class Compiled:
    formula: str
    func: Callable
    inputs: list[InputRef | str]  # a str input is a defined name to read as a scalar
    messages: list[str] = field(default_factory=list)  # reasons from calls formulas folded while compiling
    provisional: bool = False  # compiled without the workbook's profile: compile again before use


def _no_profile_yet(name: str, args: list[object]) -> tuple[object, str]:
    return ExcelError("#VALUE!"), ""


def compile_formula(formula: str, *, sheet: int, sheet_names: list[str], used: Callable[[int], tuple[int, int]],
                    resolve_name: Callable[[str], tuple[int, int, int, int, int] | None],
                    call: Callable[[str, list[object]], tuple[object, str]] | None = None) -> Compiled:
    """Compile with formulas; map every input to a model range. Raises FallbackError when it cannot.

    formulas folds calls whose arguments are all constants while compiling (`GRADE(90)` is computed here),
    so our functions must already see the workbook's profile: without `call` the result is provisional."""
    unsupported = sorted(function_names(formula) & UNSUPPORTED_HERE)
    if unsupported:
        raise FallbackError(f"函数 {'、'.join(unsupported)} 备用引擎也不支持")
    if _3D.search(_outside_strings(formula)):
        raise FallbackError("三维引用（跨多个工作表）只支持作为 SUM/AVERAGE/COUNT/MAX/MIN 等的参数")
    formulas, np, sh, Error, XlError = _formulas()
    missing = sorted(n for n in function_names(formula) if n not in formulas.get_functions())
    if missing:
        raise FallbackError(f"函数 {'、'.join(missing)} 备用引擎也不支持")
    ctx = CallContext(call or _no_profile_yet)
    token = _CTX.set(ctx)
    try:
        func = formulas.Parser().ast(formula)[1].compile()
    except Exception as exc:  # formulas raises many kinds (FormulaError, TokenError, …) for text it cannot parse
        raise FallbackError(f"备用引擎无法解析公式（{type(exc).__name__}）") from exc
    finally:
        _CTX.reset(token)
    index = {n.upper(): i for i, n in enumerate(sheet_names)}
    inputs: list[InputRef | str] = []
    for name in func.inputs:
        inputs.append(_resolve_input(str(name), sheet, index, used, resolve_name))
    return Compiled(formula, func, inputs, ctx.messages, provisional=call is None)


_WHOLE = re.compile(r"^\$?([A-Za-z]{1,3}):\$?([A-Za-z]{1,3})$|^\$?(\d+):\$?(\d+)$")


def _resolve_input(text: str, sheet: int, index: dict[str, int], used, resolve_name) -> InputRef | str:
    from perfscore.xlsx.grid import col_index

    sheet_part, bang, ref = text.rpartition("!")
    s = sheet
    if bang:
        name = sheet_part
        if len(name) > 1 and name[0] == name[-1] == "'":
            name = name[1:-1].replace("''", "'")
        s = index.get(name.upper())
        if s is None:
            raise FallbackError(f"引用了不存在的工作表 {name}")
    whole = _WHOLE.match(ref)
    if whole:
        max_row, max_col = used(s)
        if whole.group(1):
            a, b = sorted((col_index(whole.group(1)), col_index(whole.group(2))))
            return InputRef(s, 1, a, max(max_row, 1), b)
        a, b = sorted((int(whole.group(3)), int(whole.group(4))))
        return InputRef(s, a, 1, b, max(max_col, 1))
    parsed = parse_ref(ref)
    if parsed is not None:
        return InputRef(s, parsed.r1, parsed.c1, parsed.r2, parsed.c2)
    if bang:
        raise FallbackError(f"无法解析引用 {text}")
    target = resolve_name(ref)
    if target is not None:
        return InputRef(*target)
    return ref  # a defined name that is not a plain reference: read through the primary engine


def run(compiled: Compiled, read_range: Callable[[InputRef], list[list[object]]],
        read_name: Callable[[str], object], call: Callable[[str, list[object]], tuple[object, str]]
        ) -> tuple[list[list[object]], list[str], list[str]]:
    """Evaluate one compiled cell. Returns (rows of result values, refusal reasons, unsupported reasons)."""
    formulas, np, sh, Error, XlError = _formulas()
    args = []
    for inp in compiled.inputs:
        if isinstance(inp, str):
            args.append(to_formulas(read_name(inp)))
            continue
        rows = read_range(inp)
        arr = np.empty((len(rows), len(rows[0]) if rows else 0), dtype=object)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                arr[i, j] = to_formulas(v)
        args.append(arr)
    ctx = CallContext(call)
    token = _CTX.set(ctx)
    try:
        out = compiled.func(*args)
    except Exception as exc:  # an engine failure on this cell: the cell keeps its cached value
        raise FallbackError(f"备用引擎计算失败（{type(exc).__name__}）") from exc
    finally:
        _CTX.reset(token)
    if isinstance(out, np.ndarray):
        if out.ndim == 0:
            rows_out = [[from_formulas(out.item())]]
        else:
            out2 = out.reshape(out.shape[0], -1) if out.ndim > 1 else out.reshape(1, -1)
            rows_out = [[from_formulas(v) for v in row] for row in out2]
    else:
        rows_out = [[from_formulas(out)]]
    # a blank referenced by a formula shows 0
    rows_out = [[0.0 if v is None else v for v in row] for row in rows_out]
    return rows_out, compiled.messages + ctx.messages, ctx.unsupported
