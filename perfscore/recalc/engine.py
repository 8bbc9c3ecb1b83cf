"""Evaluate a workbook: Excel built-ins by ironcalc, perfscore functions by the rule core through the bridge.

The ironcalc model is built cell by cell from the formula grid (not with ironcalc's own xlsx loader): a styled
empty cell stays blank (the loader reads it as 0), comments cannot break loading, sheets are addressed by
index (no look-up by a Chinese name), and ironcalc never writes anything. Values go back into the original
XML (writeback.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import ironcalc
from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError

from perfscore.recalc.bridge import (HELPER_ROW0, RESULT_COL, BridgeError, CallSite, ConstArg, HelperArg, Lifter, OmittedArg, RefArg,
                                    parse_ref, quote_sheet)
from perfscore.recalc import fallback
from perfscore.recalc.bridge import find_names_pattern, plain_calls
from perfscore.recalc.errors import RecalcFileError
from perfscore.recalc.functions import FUNCTION_NAMES, PROFILE_NAME, FunctionTable
from perfscore.excel_functions import profile_from_refers_to
from perfscore.xlsx.grid import EXCEL_ERROR_CODES, ExcelError, WorkbookGrid, cell_ref, col_letter

_XL_PREFIX = re.compile(r"_xl(?:fn|ws)\.", re.I)
_EXTERNAL = re.compile(r"\[\d+\]")  # [1]Sheet!A1: another workbook
_STRING = re.compile(r'"(?:[^"]|"")*"')
_VALID_ERRORS = frozenset(EXCEL_ERROR_CODES)
_ERROR_TYPE = ironcalc.CellType.ErrorValue
MAX_ROUNDS_EXTRA = 3
NAME_ROW0 = HELPER_ROW0 - 1000  # helper cells holding defined-name formulas ironcalc refuses
SCRATCH_ROW0 = HELPER_ROW0 - 2000  # helper cells reading defined names for the fallback engine

Key = tuple[int, int, int]  # (sheet index in grid order, row, col)


@dataclass
class EngineResult:
    values: dict[Key, object]  # every recomputed formula cell (and cell of an array formula's range)
    engine: str  # which engine served the file, for the summary
    notes: list[str] = field(default_factory=list)  # Chinese warnings naming cells
    kept: set[Key] = field(default_factory=set)  # formula cells whose cached value was kept (not recomputed)
    calls: int = 0  # perfscore calls bridged
    fallback_cells: int = 0  # formula cells computed by the fallback engine (formulas) instead of ironcalc
    fallback: set[Key] = field(default_factory=set)  # those cells


class _EnginePanic(Exception):
    """ironcalc panicked (a Rust panic surfaces as pyo3's PanicException, a BaseException)."""


class _ArgumentFilled(Exception):
    """A blank argument cell of a call computed before the engine ran was filled by the engine (a
    dynamic-array spill): that call was not constant after all."""


def _run(m) -> None:
    try:
        m.evaluate()
    except BaseException as exc:  # PanicException derives from BaseException; nothing else is caught here
        if type(exc).__name__ == "PanicException":
            raise _EnginePanic(str(exc)) from None
        raise


def _prep(formula: str) -> str:
    return _XL_PREFIX.sub("", formula) if "_xl" in formula else formula


def _outside_strings(formula: str) -> str:
    return _STRING.sub('""', formula) if '"' in formula else formula


class _Model:
    """Thin typed access to the ironcalc raw model."""

    def __init__(self, sheet_names: list[str]) -> None:
        self.m = ironcalc.create("recalc", "en", "UTC", "en")
        self.m.rename_sheet(0, sheet_names[0])
        for name in sheet_names[1:]:
            self.m.add_sheet(name)
        self.index = {name.upper(): i for i, name in enumerate(sheet_names)}

    def set_constant(self, s: int, r: int, c: int, value: object) -> None:
        m = self.m
        if type(value) is str:  # most constants of a form are labels
            m.update_cell_with_text(s, r, c, value)
        elif value is None:
            m.clear_cell_contents(s, r, c)
        elif isinstance(value, bool):
            m.update_cell_with_bool(s, r, c, value)
        elif isinstance(value, (int, float)):
            m.update_cell_with_number(s, r, c, float(value))
        elif isinstance(value, ExcelError):
            m.set_user_input(s, r, c, value.code)
        else:
            m.update_cell_with_text(s, r, c, str(value))

    def read(self, s: int, r: int, c: int) -> object:
        v = self.m.get_cell_value(s, r, c)
        if isinstance(v, str) and v.startswith("#") and self.m.get_cell_type(s, r, c) == _ERROR_TYPE:
            return ExcelError(v)
        return v


def evaluate(grid: WorkbookGrid, functions: FunctionTable,
             arrays: dict[int, dict[tuple[int, int], tuple[int, int]]] | None = None) -> EngineResult:
    """Recompute every formula cell of the grid. `arrays`: per sheet, array-formula anchor -> (height, width).

    ironcalc evaluates; cells it cannot be trusted with go to the fallback engine (fallback.py). If ironcalc
    panics, the cells calling panic-prone functions are routed too and the file is evaluated once more."""
    if not arrays and _nothing_to_compute(grid):
        return EngineResult({}, "ironcalc")  # what the engine returns for such a book, without loading it
    try:
        return _evaluate_once(grid, functions, arrays or {}, route_panic_prone=False)
    except _EnginePanic:
        pass
    try:
        return _evaluate_once(grid, functions, arrays or {}, route_panic_prone=True)
    except _EnginePanic as exc:
        raise RecalcFileError("engine_panic", f"{grid.path}：计算引擎内部错误（{str(exc)[:80]}），无法重算；"
                              "请检查是否有参数异常的函数（如超大数值）") from None


def _nothing_to_compute(grid: WorkbookGrid) -> bool:
    """No formula cell and no defined name the engine would load (most forms as units fill them in: typed
    values only): there is nothing to recompute and nothing to warn about, so the model is not built."""
    if not grid.sheets:
        return False  # the engine's own refusal (no worksheet) applies
    for key, text in grid.defined_names.items():
        if not (key.rpartition("!")[2].upper().startswith("_XLNM.") or not text or "#REF!" in text.upper()):
            return False
    return all(cell.formula is None for sheet in grid.sheets for cell in sheet.cells.values())


def _evaluate_once(grid: WorkbookGrid, functions: FunctionTable,
                   arrays: dict[int, dict[tuple[int, int], tuple[int, int]]], route_panic_prone: bool) -> EngineResult:
    try:
        return _evaluate(grid, functions, arrays, route_panic_prone, precompute=True)
    except _ArgumentFilled:
        return _evaluate(grid, functions, arrays, route_panic_prone, precompute=False)


def _evaluate(grid: WorkbookGrid, functions: FunctionTable, arrays: dict[int, dict[tuple[int, int], tuple[int, int]]],
              route_panic_prone: bool, precompute: bool) -> EngineResult:
    names = [s.name for s in grid.sheets]
    if not names:
        raise RecalcFileError("missing_sheet", f"{grid.path}：工作簿中没有工作表")
    model = _Model(names)
    m = model.m
    result = EngineResult({}, "ironcalc")
    ours = frozenset(functions.names)

    def resolve_name(text: str, sheet_name: str) -> RefArg | None:
        formula = grid.defined_names.get(f"{sheet_name}!{text}") or grid.defined_names.get(text)
        if formula is None:
            for key, val in grid.defined_names.items():
                if key.upper() in (text.upper(), f"{sheet_name}!{text}".upper()):
                    formula = val
                    break
        ref = parse_ref(formula.lstrip("=")) if formula else None
        return ref if ref is not None and ref.sheet is not None else None

    lifter = Lifter(functions.names, resolve_name)
    formula_cells: list[tuple[Key, str]] = []  # (key, formula as given to the engine)
    cached: dict[Key, object] = {}
    in_array: dict[int, set[tuple[int, int]]] = {}
    for s, anchors in arrays.items():
        cover: set[tuple[int, int]] = set()
        for (r, c), (h, w) in anchors.items():
            cover.update((r + i, c + j) for i in range(h) for j in range(w))
        in_array[s] = cover

    # -- defined names -------------------------------------------------------------------------
    # ironcalc 0.9.1 refuses names that start with a non-ASCII letter (总分, 预算数): those get an ASCII alias
    # and every formula that mentions them is rewritten to use it.
    aliases: dict[str, str] = {}
    names_3d: dict[str, str] = {}  # names referring to a 3D reference (表1:表3!A1): expanded inline
    pending: list[tuple[str, int | None, str]] = []
    for key, text in grid.defined_names.items():
        sheet_name, _, name = key.rpartition("!")
        if name.upper().startswith("_XLNM.") or not text or "#REF!" in text.upper():
            continue
        if not sheet_name and fallback.is_3d_ref(text):
            names_3d[name.upper()] = text.lstrip("=")
        scope = model.index.get(sheet_name.upper()) if sheet_name else None
        formula = _prep(text if text.startswith("=") else "=" + text)
        if lifter.needs_lift(formula):
            host = scope if scope is not None else 0
            try:
                formula = lifter.lift(formula, host, names[host], f"名称 {name}", qualify=True)
            except BridgeError as exc:
                result.notes.append(str(exc))
                continue
        if not name[:1].isascii():
            aliases[name.upper()] = f"_PSN{len(aliases)}_"
        pending.append((name, scope, formula))
    parked = 0
    for name, scope, formula in pending:
        engine_name = aliases.get(name.upper(), name)
        formula = _alias(formula, aliases)
        try:
            m.new_defined_name(engine_name, scope, formula[1:])
        except ironcalc.WorkbookError:
            # ironcalc only takes references as name formulas (="central" is refused): park the formula in a
            # helper cell and let the name point at it
            host = scope if scope is not None else 0
            row = NAME_ROW0 + parked
            parked += 1
            m.update_cell_with_formula(host, row, RESULT_COL, formula)
            try:
                m.new_defined_name(engine_name, scope, f"{quote_sheet(names[host])}!${col_letter(RESULT_COL)}${row}")
            except ironcalc.WorkbookError as exc:
                result.notes.append(f"名称 {name} 无法载入计算引擎（{exc}）")

    # -- cells ---------------------------------------------------------------------------------
    routed: dict[Key, tuple[str, str]] = {}  # cells for the fallback engine: (formula, why ironcalc cannot)
    # ~270 constants per form, mostly labels and numbers: those skip set_constant's type dispatch
    set_text, set_number, set_constant = m.update_cell_with_text, m.update_cell_with_number, model.set_constant
    for s, sheet in enumerate(grid.sheets):
        anchors = arrays.get(s, {})
        cover = in_array.get(s, ())
        for (r, c), cell in sheet.cells.items():
            if cell.formula is None:
                value = cell.value
                if cover and (r, c) in cover:
                    formula_cells.append(((s, r, c), ""))  # part of an array result: recomputed, not set
                    cached[(s, r, c)] = value
                elif type(value) is str:
                    set_text(s, r, c, value)
                elif type(value) is float:
                    set_number(s, r, c, value)
                else:
                    set_constant(s, r, c, value)
                continue
            key = (s, r, c)
            cached[key] = cell.value
            formula = _prep(cell.formula)
            if names_3d or ("!" in formula and ":" in formula):
                formula = fallback.expand_3d(formula, names, names_3d)
            why = fallback.classify(formula, array_anchor=(r, c) in anchors, ours=ours) if "(" in formula else None
            if why is None and route_panic_prone and fallback.panic_prone(formula):
                why = "计算引擎在此类函数上崩溃"
            if why is not None:
                routed[key] = (plain_calls(formula, functions.names), why)
                model.set_constant(s, r, c, cell.value)  # a constant until the fallback computes it
                formula_cells.append((key, ""))
                continue
            if lifter.needs_lift(formula):
                try:
                    formula = lifter.lift(formula, s, sheet.name, f"{sheet.name}!{cell_ref(r, c)}", host=key)
                except BridgeError as exc:
                    result.notes.append(f"{exc}，保留原值")
                    result.kept.add(key)
                    model.set_constant(s, r, c, cell.value)
                    continue
            if "[" in formula and _EXTERNAL.search(_outside_strings(formula)):
                result.notes.append(f"{sheet.name}!{cell_ref(r, c)}：引用了其他工作簿（外部链接），无法重算，保留原值")
                result.kept.add(key)
                model.set_constant(s, r, c, cell.value)
                continue
            if aliases:
                formula = _alias(formula, aliases)
            if (r, c) in anchors:
                h, w = anchors[(r, c)]
                m.set_user_array_formula(s, r, c, w, h, formula)
            else:
                m.update_cell_with_formula(s, r, c, formula)
            formula_cells.append((key, formula))

    calls = lifter.calls
    result.calls = len(calls)
    for site in calls:
        for row, col, f in site.helper_formulas:
            m.update_cell_with_formula(site.sheet, row, col, _alias(f, aliases) if aliases else f)

    fb = _Fallback(grid, model, names, arrays, aliases, resolve_name, result)
    for key, (formula, why) in routed.items():
        fb.add(key, formula, why)

    # -- calls whose arguments are all constants: computed once, before the engine runs ---------------
    # (their values never change, so they need neither a cycle probe nor a place in the fixed point)
    current: dict[int, object] = {}  # call index -> the value written in its result cell
    blanks: list[Key] = []  # blank argument cells of those calls, which the engine must leave blank
    wb_profile = None
    if calls and precompute and not _profile_from_engine(grid):
        wb_profile = _workbook_profile(grid, model)
        for idx, site in enumerate(calls):
            constant = _constant_args(site, grid, model, in_array)
            if constant is None:
                continue
            args, cells = constant
            value = functions.call(site.name, args, wb_profile).value
            current[idx] = value
            model.set_constant(site.sheet, site.row, site.col, value)
            blanks += cells
    pending_calls = [(idx, site) for idx, site in enumerate(calls) if idx not in current]

    # -- circular references (also through bridged calls and fallback cells) -------------------------
    for _, site in pending_calls:
        m.update_cell_with_formula(site.sheet, site.row, site.col, _dependency_probe(site, names))
    fb.install_probes()
    _run(m)
    _check_still_blank(model, blanks)
    get = m.get_cell_value
    circular = [k for k, f in formula_cells if f and get(*k) == "#CIRC!"]
    circular += [k for k in fb.cells if _is_circ(model, k)]
    circular += [(site.sheet, site.row, site.col) for _, site in pending_calls
                 if _is_circ(model, (site.sheet, site.row, site.col))]
    if circular:
        shown = "、".join(f"{names[s]}!{cell_ref(r, c)}" for s, r, c in circular if r < 1_040_001)[:200]
        via = "（经由评分函数）" if not shown else ""
        raise RecalcFileError("circular", f"{grid.path}：存在循环引用{via}{('：' + shown) if shown else ''}；"
                              "Excel 也无法得到确定结果，请修正公式后再重算")
    fb.remove_probes(cached)

    # -- the fixed point: Python computes the calls (and fallback cells), the engine everything else ----------
    if not current:
        wb_profile = _workbook_profile(grid, model) if calls or routed else None

    def call(name: str, args: list[object]) -> tuple[object, str]:
        outcome = functions.call(name, args, wb_profile)
        return outcome.value, outcome.message

    def settle() -> None:
        rounds = 0
        limit = len(calls) + len(fb.cells) + MAX_ROUNDS_EXTRA
        while pending_calls or fb.cells:
            changed = False
            for idx, site in pending_calls:
                value = functions.call(site.name, [_arg_value(model, site, a) for a in site.args], wb_profile).value
                if idx not in current or not _same(current[idx], value):
                    current[idx] = value
                    model.set_constant(site.sheet, site.row, site.col, value)
                    changed = True
            changed = fb.round(call) or changed
            if not changed:
                break
            rounds += 1
            if rounds > limit:
                raise RecalcFileError("no_fixed_point", f"{grid.path}：评分函数的结果迭代 {limit} 轮仍未稳定（可能存在间接循环引用）")
            _run(m)

    settle()

    # -- cells ironcalc left with its own errors (#ERROR!, #N/IMPL!): the fallback, else the cached value ----
    # every formula cell is read once here; nothing below evaluates again before the read-back
    now = _read_all(model, formula_cells)
    unsupported = [key for key, value in now.items() if key not in fb.cells and _engine_only_error(value)]
    late = [key for key in unsupported if fb.add_late(key)]
    if late:
        settle()
        now = _read_all(model, formula_cells)
        covered = fb.covered()
        unsupported = [key for key in unsupported if key not in covered]
    _check_still_blank(model, blanks)

    if calls:
        for site in calls:
            # a refusal matters only where it surfaces: IF(G5="","",SCORE_…) hides it while G5 is blank
            host = site.host
            if host is not None and not isinstance(now[host] if host in now else model.read(*host), ExcelError):
                continue
            outcome = functions.call(site.name, [_arg_value(model, site, a) for a in site.args], wb_profile)
            if outcome.message:
                result.notes.append(f"{site.where}：{outcome.message}")
    fb.surface_notes()

    # -- read back; cells no engine could compute keep their cached value ----------------------------
    skip = result.kept.union(unsupported) if result.kept or unsupported else ()
    for key, value in now.items():
        if key not in skip:
            result.values[key] = value
    for key in unsupported:
        s, r, c = key
        result.kept.add(key)
        result.values.pop(key, None)
        result.notes.append(f"{names[s]}!{cell_ref(r, c)}：公式超出计算引擎支持范围（{now[key].code}），保留原值")
    if unsupported:
        # dependents must see the kept values, not the engine's placeholder error: freeze and evaluate again
        for s, r, c in unsupported:
            model.set_constant(s, r, c, cached.get((s, r, c)))
        _run(m)
        for key, _ in formula_cells:
            if key not in result.kept:
                result.values[key] = model.read(*key)
    for key in fb.failed:
        result.values.pop(key, None)
    result.kept |= fb.failed
    result.fallback = set(fb.served)
    result.fallback_cells = len(fb.served)
    label = "ironcalc" + ("+桥接" if calls else "")
    if fb.served:
        label += f"+{fallback.ENGINE}（{len(fb.served)} 格）"
    if result.kept:
        label += f"（{len(result.kept)} 格保留原值）"
    result.engine = label
    return result


def _profile_from_engine(grid: WorkbookGrid) -> bool:
    """PERFSCORE_PROFILE names a cell: its value is known only once the engine has run."""
    text = next((v for k, v in grid.defined_names.items() if k.upper() == PROFILE_NAME), None)
    return profile_from_refers_to(text)[0] == "reference"


_MAX_CONSTANT_RANGE = 256  # larger argument ranges are simply treated as computed


def _constant_args(site: CallSite, grid: WorkbookGrid, model: _Model,
                   in_array: dict[int, set[tuple[int, int]]]) -> tuple[list[object], list[Key]] | None:
    """If every argument of the call is a literal or a reference to cells the engine never computes
    (constants or blanks, no formula, no array range, no helper cell): the argument values and the blank
    argument cells; else None. The values come from the grid, as the model holds them (nothing has been
    evaluated yet). A blank may still be filled by a dynamic-array spill: the caller checks that it stays blank."""
    values: list[object] = []
    blanks: list[Key] = []
    for arg in site.args:
        if not isinstance(arg, RefArg):
            if isinstance(arg, HelperArg):
                return None
            values.append(arg.value if isinstance(arg, ConstArg) else None)  # a literal or an omitted argument
            continue
        s = site.sheet if arg.sheet is None else model.index.get(arg.sheet.upper())
        if s is None:
            values.append(ExcelError("#REF!"))
            continue
        if arg.r2 >= SCRATCH_ROW0 or (arg.r2 - arg.r1 + 1) * (arg.c2 - arg.c1 + 1) > _MAX_CONSTANT_RANGE:
            return None
        cells = grid.sheets[s].cells
        cover = in_array.get(s, ())
        if arg.r1 == arg.r2 and arg.c1 == arg.c2:  # most arguments are single cells: the common cases inline
            pos = (arg.r1, arg.c1)
            cell = cells.get(pos)
            if cell is not None and cell.formula is None and not (cover and pos in cover):
                value = cell.value
                kind = type(value)
                if kind is str or kind is float:
                    values.append(value)
                    continue
            value = _constant_cell(model, s, arg.r1, arg.c1, cells, cover, blanks)
            if value is _COMPUTED:
                return None
            values.append(value)
            continue
        rows = [[_constant_cell(model, s, r, c, cells, cover, blanks) for c in range(arg.c1, arg.c2 + 1)]
                for r in range(arg.r1, arg.r2 + 1)]
        if any(v is _COMPUTED for row in rows for v in row):
            return None
        values.append(_shaped(rows, arg))
    return values, blanks


_COMPUTED = object()  # a cell the engine computes: the call is not constant


def _constant_cell(model: _Model, s: int, r: int, c: int, cells, cover, blanks: list[Key]) -> object:
    """The value the model holds for a cell set as a constant (text, numbers and logicals as written,
    integers as floats, anything rarer read back), or _COMPUTED. A blank is recorded in `blanks`."""
    cell = cells.get((r, c))
    if (cell is not None and cell.formula is not None) or (cover and (r, c) in cover):
        return _COMPUTED
    value = None if cell is None else cell.value
    kind = type(value)
    if kind is str or kind is float or kind is bool:
        return value
    if value is None:
        blanks.append((s, r, c))
        return None
    if kind is int:
        return float(value)
    return model.read(s, r, c)


def _shaped(rows: list[list[object]], ref: RefArg) -> object:
    """A reference's values as the add-in's functions receive them: a scalar, a flat list (one row or one
    column, as xlwings hands them) or a list of rows."""
    if ref.r1 == ref.r2:
        return rows[0][0] if ref.c1 == ref.c2 else rows[0]  # xlwings hands a one-row range as a flat list
    if ref.c1 == ref.c2:
        return [row[0] for row in rows]
    return rows


def _check_still_blank(model: _Model, blanks: list[Key]) -> None:
    get = model.m.get_cell_value
    if any(get(*key) is not None for key in blanks):
        raise _ArgumentFilled()


def _read_all(model: _Model, formula_cells: list[tuple[Key, str]]) -> dict[Key, object]:
    read = model.read
    return {key: read(*key) for key, _ in formula_cells}


def _engine_only_error(value: object) -> bool:
    return isinstance(value, ExcelError) and value.code not in _VALID_ERRORS


class _Fallback:
    """The cells computed by the fallback engine, as constants of the ironcalc model (see fallback.py)."""

    def __init__(self, grid: WorkbookGrid, model: _Model, names: list[str], arrays, aliases: dict[str, str],
                 resolve_name, result: EngineResult) -> None:
        self.grid, self.model, self.names, self.arrays = grid, model, names, arrays
        self.aliases, self.resolve_name, self.result = aliases, resolve_name, result
        self.cells: dict[Key, fallback.Compiled] = {}
        self.shape: dict[Key, tuple[int, int]] = {}
        self.current: dict[Key, list[list[object]]] = {}
        self.served: set[Key] = set()
        self.failed: set[Key] = set()  # keep their cached value
        self.name_cells: dict[str, tuple[int, int, int]] = {}
        self.messages: dict[Key, list[str]] = {}
        self._used: dict[int, tuple[int, int]] = {}
        self.ours = find_names_pattern(FUNCTION_NAMES)

    def _where(self, key: Key) -> str:
        s, r, c = key
        return f"{self.names[s]}!{cell_ref(r, c)}"

    def _used_extent(self, s: int) -> tuple[int, int]:
        if s not in self._used:
            sheet = self.grid.sheets[s]
            self._used[s] = (sheet.max_row, sheet.max_col)
        return self._used[s]

    def _resolve(self, sheet_name: str):
        def resolve(text: str):
            ref = self.resolve_name(text, sheet_name)
            if ref is None:
                return None
            s = self.model.index.get(ref.sheet.upper())
            return None if s is None else (s, ref.r1, ref.c1, ref.r2, ref.c2)
        return resolve

    def add(self, key: Key, formula: str, why: str, *, keep_on_failure: bool = True) -> bool:
        s, r, c = key
        try:
            compiled = fallback.compile_formula(formula, sheet=s, sheet_names=self.names, used=self._used_extent,
                                                resolve_name=self._resolve(self.names[s]))
        except fallback.FallbackError as exc:
            if keep_on_failure:
                self.result.notes.append(f"{self._where(key)}：{why}，{exc}，保留原值")
                self.failed.add(key)
            return False
        undefined = [i for i in compiled.inputs if isinstance(i, str) and not self._defined(i, self.names[s])]
        if undefined:
            if keep_on_failure:
                self.result.notes.append(f"{self._where(key)}：{why}，名称 {undefined[0]} 未定义，保留原值")
                self.failed.add(key)
            return False
        for inp in compiled.inputs:
            if isinstance(inp, str) and inp.upper() not in self.name_cells:
                row = SCRATCH_ROW0 + len(self.name_cells)
                text = self.aliases.get(inp.upper(), inp)
                self.model.m.update_cell_with_formula(0, row, RESULT_COL, f"={text}")
                self.name_cells[inp.upper()] = (0, row, RESULT_COL)
        self.cells[key] = compiled
        self.shape[key] = self.arrays.get(s, {}).get((r, c), (1, 1))
        return True

    def _defined(self, name: str, sheet_name: str) -> bool:
        wanted = (name.upper(), f"{sheet_name}!{name}".upper())
        return any(k.upper() in wanted for k in self.grid.defined_names)

    def add_late(self, key: Key) -> bool:
        """A cell in an array context that ironcalc answered with its own error (#N/IMPL!, #ERROR!): route it
        if the fallback can compile it. A plain formula is left alone: formulas would evaluate it as a
        dynamic array where the file's legacy formula intersects implicitly."""
        s, r, c = key
        cell = self.grid.sheets[s].cells.get((r, c))
        if cell is None or cell.formula is None:
            return False
        if not fallback.array_context(cell.formula, (r, c) in self.arrays.get(s, {})):
            return False
        formula = plain_calls(_prep(cell.formula), tuple(FUNCTION_NAMES))
        formula = fallback.expand_3d(formula, self.names)
        if not self.add(key, formula, "", keep_on_failure=False):
            return False  # the caller keeps the cached value and names the engine's error code
        self.model.set_constant(s, r, c, None)
        return True

    def covered(self) -> set[Key]:
        """Every cell a fallback cell writes (array formulas write their whole range)."""
        out: set[Key] = set()
        for (s, r, c) in self.cells:
            h, w = self.shape[(s, r, c)]
            out.update((s, r + i, c + j) for i in range(h) for j in range(w))
        return out

    def install_probes(self) -> None:
        """For the circularity check: each fallback cell depends on its inputs."""
        for (s, r, c), compiled in self.cells.items():
            deps = [f"{quote_sheet(self.names[i.sheet])}!{_col(i.c1)}{i.r1}:{_col(i.c2)}{i.r2}"
                    for i in compiled.inputs if isinstance(i, fallback.InputRef)]
            self.model.m.update_cell_with_formula(s, r, c, "=COUNT(" + ",".join(deps) + ")*0" if deps else "=0")

    def remove_probes(self, cached: dict[Key, object]) -> None:
        for key in self.cells:
            self.model.set_constant(*key, cached.get(key))

    def _read_range(self, inp: fallback.InputRef) -> list[list[object]]:
        read = self.model.read
        return [[read(inp.sheet, r, c) for c in range(inp.c1, inp.c2 + 1)] for r in range(inp.r1, inp.r2 + 1)]

    def _read_name(self, name: str) -> object:
        where = self.name_cells.get(name.upper())
        return ExcelError("#NAME?") if where is None else self.model.read(*where)

    def round(self, call) -> bool:
        """Compute every fallback cell from the model's current values; True when a value changed."""
        changed = False
        for key in list(self.cells):
            compiled = self.cells[key]
            try:
                if compiled.provisional and self.ours.search(compiled.formula):
                    s = key[0]
                    compiled = self.cells[key] = fallback.compile_formula(
                        compiled.formula, sheet=s, sheet_names=self.names, used=self._used_extent,
                        resolve_name=self._resolve(self.names[s]), call=call)
                rows, messages, unsupported = fallback.run(compiled, self._read_range, self._read_name, call)
            except fallback.FallbackError as exc:
                rows, messages, unsupported = None, [], [str(exc)]
            if unsupported:
                self.result.notes.append(f"{self._where(key)}：{unsupported[0]}，保留原值")
                del self.cells[key]
                self.failed.add(key)
                self.served.discard(key)
                continue
            self.messages[key] = messages
            h, w = self.shape[key]
            grid_rows = _fit(rows, h, w)
            if self.current.get(key) == grid_rows and all(
                    _same(a, b) for ra, rb in zip(self.current[key], grid_rows) for a, b in zip(ra, rb)):
                continue
            self.current[key] = grid_rows
            s, r, c = key
            for i in range(h):
                for j in range(w):
                    self.model.set_constant(s, r + i, c + j, grid_rows[i][j])
            self.served.add(key)
            changed = True
        return changed

    def surface_notes(self) -> None:
        for key, messages in self.messages.items():
            if key in self.cells and messages and isinstance(self.model.read(*key), ExcelError):
                self.result.notes.append(f"{self._where(key)}：{messages[0]}")


def _fit(rows: list[list[object]], h: int, w: int) -> list[list[object]]:
    """The result array as an h×w block: a scalar fills it, a single row/column repeats, the rest is #N/A."""
    na = ExcelError("#N/A")
    out = []
    for i in range(h):
        src = rows[i] if i < len(rows) else (rows[0] if len(rows) == 1 else None)
        if src is None:
            out.append([na] * w)
            continue
        out.append([src[j] if j < len(src) else (src[0] if len(src) == 1 else na) for j in range(w)])
    return out


def _workbook_profile(grid: WorkbookGrid, model: _Model) -> str | None:
    """The profile a workbook chose with the defined name PERFSCORE_PROFILE (="central" or a cell)."""
    text = next((v for k, v in grid.defined_names.items() if k.upper() == PROFILE_NAME), None)
    kind, literal = profile_from_refers_to(text)
    if kind == "literal":
        return literal
    if kind == "reference":
        ref = parse_ref(text.lstrip("="))
        if ref is not None and ref.sheet is not None and ref.sheet.upper() in model.index:
            value = model.read(model.index[ref.sheet.upper()], ref.r1, ref.c1)
            return value.strip() if isinstance(value, str) and value.strip() else None
    return None


def _alias(formula: str, aliases: dict[str, str]) -> str:
    """Replace defined names by their ASCII aliases (token by token: strings and sheet names untouched)."""
    if not aliases or formula.isascii():
        return formula
    upper = formula.upper()
    if not any(name in upper for name in aliases):
        return formula
    try:
        tokens = Tokenizer(formula).items
    except TokenizerError:
        return formula
    out = []
    for tk in tokens:
        v = tk.value
        if tk.type == Token.OPERAND and tk.subtype == Token.RANGE:
            prefix, bang, name = v.rpartition("!")
            alias = aliases.get(name.upper())
            if alias is not None:
                v = prefix + bang + alias
        out.append(v)
    return "=" + "".join(out)


def _is_circ(model: _Model, key: Key) -> bool:
    v = model.m.get_cell_value(*key)
    return v == "#CIRC!"


def _dependency_probe(site: CallSite, names: list[str]) -> str:
    """A formula that depends on every argument of the call, so the engine sees cycles through it."""
    deps: list[str] = []
    for a in site.args:
        if isinstance(a, HelperArg):
            deps.append(f"{_col(a.col)}{a.row}")
        elif isinstance(a, RefArg):
            rng = f"{_col(a.c1)}{a.r1}:{_col(a.c2)}{a.r2}"
            deps.append(rng if a.sheet is None else "'" + a.sheet.replace("'", "''") + "'!" + rng)
    return "=COUNT(" + ",".join(deps) + ")*0" if deps else "=0"


def _col(c: int) -> str:
    return col_letter(c)


def _arg_value(model: _Model, site: CallSite, arg: RefArg | HelperArg | ConstArg | OmittedArg) -> object:
    if not isinstance(arg, RefArg):  # references first: most arguments are cells
        if isinstance(arg, HelperArg):
            return model.read(site.sheet, arg.row, arg.col)
        return arg.value if isinstance(arg, ConstArg) else None
    s = site.sheet if arg.sheet is None else model.index.get(arg.sheet.upper())
    if s is None:
        return ExcelError("#REF!")
    if arg.r1 == arg.r2 and arg.c1 == arg.c2:
        return model.read(s, arg.r1, arg.c1)
    return _shaped([[model.read(s, r, c) for c in range(arg.c1, arg.c2 + 1)] for r in range(arg.r1, arg.r2 + 1)], arg)


def _same(a: object, b: object) -> bool:
    return type(a) is type(b) and a == b
