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
from perfscore.recalc.errors import RecalcFileError
from perfscore.recalc.functions import PROFILE_NAME, FunctionTable
from perfscore_udfs._bridge import profile_from_refers_to
from perfscore.xlsx.grid import EXCEL_ERROR_CODES, ExcelError, WorkbookGrid, cell_ref, col_letter

_XL_PREFIX = re.compile(r"_xl(?:fn|ws)\.", re.I)
_EXTERNAL = re.compile(r"\[\d+\]")  # [1]Sheet!A1: another workbook
_STRING = re.compile(r'"(?:[^"]|"")*"')
_VALID_ERRORS = frozenset(EXCEL_ERROR_CODES)
_ERROR_TYPE = ironcalc.CellType.ErrorValue
MAX_ROUNDS_EXTRA = 3
NAME_ROW0 = HELPER_ROW0 - 1000  # helper cells holding defined-name formulas ironcalc refuses

Key = tuple[int, int, int]  # (sheet index in grid order, row, col)


@dataclass
class EngineResult:
    values: dict[Key, object]  # every recomputed formula cell (and cell of an array formula's range)
    engine: str  # which engine served the file, for the summary
    notes: list[str] = field(default_factory=list)  # Chinese warnings naming cells
    kept: set[Key] = field(default_factory=set)  # formula cells whose cached value was kept (not recomputed)
    calls: int = 0  # perfscore calls bridged


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
        if value is None:
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
    """Recompute every formula cell of the grid. `arrays`: per sheet, array-formula anchor -> (height, width)."""
    arrays = arrays or {}
    names = [s.name for s in grid.sheets]
    if not names:
        raise RecalcFileError("missing_sheet", f"{grid.path}：工作簿中没有工作表")
    model = _Model(names)
    m = model.m
    result = EngineResult({}, "ironcalc")

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
    pending: list[tuple[str, int | None, str]] = []
    for key, text in grid.defined_names.items():
        sheet_name, _, name = key.rpartition("!")
        if name.upper().startswith("_XLNM.") or not text or "#REF!" in text.upper():
            continue
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
    for s, sheet in enumerate(grid.sheets):
        anchors = arrays.get(s, {})
        cover = in_array.get(s, set())
        for (r, c), cell in sheet.cells.items():
            key = (s, r, c)
            if cell.formula is None:
                if (r, c) in cover:
                    formula_cells.append((key, ""))  # part of an array result: recomputed, not set
                    cached[key] = cell.value
                else:
                    model.set_constant(s, r, c, cell.value)
                continue
            cached[key] = cell.value
            formula = _prep(cell.formula)
            where = f"{sheet.name}!{cell_ref(r, c)}"
            if lifter.needs_lift(formula):
                try:
                    formula = lifter.lift(formula, s, sheet.name, where, host=key)
                except BridgeError as exc:
                    result.notes.append(f"{exc}，保留原值")
                    result.kept.add(key)
                    model.set_constant(s, r, c, cell.value)
                    continue
            if _EXTERNAL.search(_outside_strings(formula)):
                result.notes.append(f"{where}：引用了其他工作簿（外部链接），无法重算，保留原值")
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

    # -- circular references (also through bridged calls) -----------------------------------------
    if calls:
        for site in calls:
            m.update_cell_with_formula(site.sheet, site.row, site.col, _dependency_probe(site, names))
    m.evaluate()
    circular = [k for k, f in formula_cells if _is_circ(model, k)]
    circular += [(site.sheet, site.row, site.col) for site in calls
                 if _is_circ(model, (site.sheet, site.row, site.col))]
    if circular:
        shown = "、".join(f"{names[s]}!{cell_ref(r, c)}" for s, r, c in circular if r < 1_040_001)[:200]
        via = "（经由评分函数）" if not shown else ""
        raise RecalcFileError("circular", f"{grid.path}：存在循环引用{via}{('：' + shown) if shown else ''}；"
                              "Excel 也无法得到确定结果，请修正公式后再重算")

    # -- the fixed point: Python computes the calls, the engine everything else ---------------------
    wb_profile = _workbook_profile(grid, model) if calls else None
    current: dict[int, object] = {}
    rounds = 0
    limit = len(calls) + MAX_ROUNDS_EXTRA
    while calls:
        changed = False
        for idx, site in enumerate(calls):
            outcome = functions.call(site.name, [_arg_value(model, site, a) for a in site.args], wb_profile)
            value = outcome.value
            if idx not in current or not _same(current[idx], value):
                current[idx] = value
                model.set_constant(site.sheet, site.row, site.col, value)
                changed = True
        if not changed:
            break
        rounds += 1
        if rounds > limit:
            raise RecalcFileError("no_fixed_point", f"{grid.path}：评分函数的结果迭代 {limit} 轮仍未稳定（可能存在间接循环引用）")
        m.evaluate()
    if calls:
        result.engine = "ironcalc+桥接"
        for site in calls:
            # a refusal matters only where it surfaces: IF(G5="","",SCORE_…) hides it while G5 is blank
            if site.host is not None and not isinstance(model.read(*site.host), ExcelError):
                continue
            outcome = functions.call(site.name, [_arg_value(model, site, a) for a in site.args], wb_profile)
            if outcome.message:
                result.notes.append(f"{site.where}：{outcome.message}")

    # -- read back; cells the engine could not compute keep their cached value ----------------------
    unsupported: list[Key] = []
    for key, _ in formula_cells:
        value = model.read(*key)
        if isinstance(value, ExcelError) and value.code not in _VALID_ERRORS:
            unsupported.append(key)
            continue
        result.values[key] = value
    for key in unsupported:
        s, r, c = key
        result.kept.add(key)
        result.values.pop(key, None)
        result.notes.append(f"{names[s]}!{cell_ref(r, c)}：公式超出计算引擎支持范围（{model.read(*key).code}），保留原值")
    if unsupported:
        # dependents must see the kept values, not the engine's placeholder error: freeze and evaluate again
        for s, r, c in unsupported:
            model.set_constant(s, r, c, cached.get((s, r, c)))
        m.evaluate()
        for key, _ in formula_cells:
            if key not in result.kept:
                result.values[key] = model.read(*key)
        result.engine += f"（{len(unsupported)} 格保留原值）"
    return result


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


def _arg_value(model: _Model, site: CallSite, arg: RefArg | HelperArg | OmittedArg) -> object:
    if isinstance(arg, OmittedArg):
        return None
    if isinstance(arg, ConstArg):
        return arg.value
    if isinstance(arg, HelperArg):
        return model.read(site.sheet, arg.row, arg.col)
    s = site.sheet if arg.sheet is None else model.index.get(arg.sheet.upper())
    if s is None:
        return ExcelError("#REF!")
    if arg.r1 == arg.r2 and arg.c1 == arg.c2:
        return model.read(s, arg.r1, arg.c1)
    rows = [[model.read(s, r, c) for c in range(arg.c1, arg.c2 + 1)] for r in range(arg.r1, arg.r2 + 1)]
    if arg.r1 == arg.r2:
        return rows[0]  # xlwings hands a one-row range as a flat list
    if arg.c1 == arg.c2:
        return [row[0] for row in rows]
    return rows


def _same(a: object, b: object) -> bool:
    return type(a) is type(b) and a == b
