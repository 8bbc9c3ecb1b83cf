"""Which rule profile judges a cell: one precedence everywhere (Excel, `perfscore recalc`, `perfscore check`).

1. the formula's own 规则 argument (=SCORE_INDICATOR(…,"vendor-linear"), or a cell holding the name);
2. the workbook's defined name PERFSCORE_PROFILE (="central", or a reference to a cell holding the name);
3. the caller's choice (`--profile`);
4. the default profile (central).

Checks must judge with the profile the formulas compute with, or they would report the workbook's own correct
results as wrong. An unknown name at one level does not stop the check: the next level applies.
"""

from __future__ import annotations

from functools import lru_cache

from perfscore.checks.shape import area_of, split_sheet, tokenize
from perfscore.xlsx.grid import WorkbookGrid

PROFILE_NAME = "PERFSCORE_PROFILE"
_UNKNOWN = object()  # an argument whose value cannot be read without evaluating it


def _cell_text(grid: WorkbookGrid, sheet: str | None, ref: str) -> object:
    """The text in the cell `ref` names (its sheet, else `sheet`); _UNKNOWN when it is not one cell with text."""
    ref_sheet, local = split_sheet(ref)
    area = area_of(local)
    name = ref_sheet if ref_sheet is not None else sheet
    if area is None or name is None or area.size != 1:
        return _UNKNOWN
    target = next((s for s in grid.sheets if s.name.upper() == name.upper()), None)
    if target is None:
        return _UNKNOWN
    value = target.value(area.r1, area.c1)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value.strip() if isinstance(value, str) else _UNKNOWN


def workbook_profile_name(grid: WorkbookGrid) -> str | None:
    """The profile the workbook names in PERFSCORE_PROFILE (read as the recalc engine and the add-in read it)."""
    raw = next((v for k, v in grid.defined_names.items() if k.upper() == PROFILE_NAME), None)
    if raw is None:
        return None
    text = raw.strip()
    if text.startswith("="):
        text = text[1:].strip()
    if not text:
        return None
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('""', '"').strip() or None
    value = _cell_text(grid, None, text)  # a reference must name its sheet
    return value if isinstance(value, str) else None


@lru_cache(maxsize=1)
def _arity() -> dict[str, int]:
    """Parameters (without 规则) of every perfscore function, from the add-in's own table."""
    from perfscore.excel_functions import SPECS

    return {name.upper(): len(spec.params) for name, spec in SPECS.items()}


def _call_name(token: str) -> str:
    name = token[:-1] if token.endswith("(") else token
    name = name.rsplit("!", 1)[-1].upper()  # [1]!SCORE_INDICATOR( as saved by Excel with the add-in
    return name[len("_XLUDF."):] if name.startswith("_XLUDF.") else name


def _maybe_calls(formula: str) -> bool:
    upper = formula.upper()
    return "SCORE_" in upper or "GRADE" in upper


@lru_cache(maxsize=16384)
def _stated_rules(formula: str) -> tuple[tuple[str, str], ...]:
    """The 规则 arguments the perfscore calls in a formula state, per formula text: ("name", text),
    ("ref", reference) or ("unknown", "") for an expression. Calls without one are left out."""
    toks = tokenize(formula)
    if toks is None:
        return ()
    arity = _arity()
    out: list[tuple[str, str]] = []
    for i, t in enumerate(toks):
        if t.kind != "func":
            continue
        n = arity.get(_call_name(t.value))
        if n is None:
            continue
        args: list[list] = [[]]
        depth = 1
        for u in toks[i + 1:]:
            if u.kind == "func":
                depth += 1
            elif u.kind == "close":
                depth -= 1
                if depth == 0:
                    break
            if depth == 1 and u.kind == "sep" and u.value == ",":
                args.append([])
            else:
                args[-1].append(u)
        if len(args) != n + 1 or not args[-1]:
            continue  # no (or an omitted) 规则 argument: the workbook's profile applies
        rule = args[-1]
        if len(rule) == 1 and rule[0].kind == "text":
            value = rule[0].value[1:-1].replace('""', '"').strip() if len(rule[0].value) >= 2 else ""
            if value:
                out.append(("name", value))
        elif len(rule) == 1 and rule[0].kind == "ref":
            out.append(("ref", rule[0].value))
        else:
            out.append(("unknown", ""))
    return tuple(out)


def explicit_rule(formula: str | None, grid: WorkbookGrid, sheet: str | None) -> str | None:
    """The profile name a perfscore call in `formula` states as its 规则 argument; None when no call states one,
    when it cannot be read without evaluating an expression, or when calls in the formula disagree."""
    if not formula or not _maybe_calls(formula):
        return None
    named: set[object] = set()
    for kind, text in _stated_rules(formula):
        if kind == "name":
            named.add(text)
        elif kind == "ref":
            named.add(_cell_text(grid, sheet, text))
        else:
            named.add(_UNKNOWN)
    named.discard(None)  # a blank cell: the workbook's profile, as for an omitted argument
    if len(named) != 1:
        return None
    value = named.pop()
    return value if isinstance(value, str) else None


def choose_profile(grid: WorkbookGrid, caller: object = None):
    """The workbook-level profile: PERFSCORE_PROFILE, else the caller's (name, path or Profile), else default."""
    from perfscore.rules import ProfileError, load_profile

    name = workbook_profile_name(grid)
    if name:
        try:
            return load_profile(name)
        except ProfileError:
            pass  # an unknown name in a file must not stop the check: the caller's choice applies
    if hasattr(caller, "grade_bands"):
        return caller
    return load_profile(caller)


def cell_profile(formula: str | None, grid: WorkbookGrid, sheet: str | None, default):
    """The profile a formula computes with: its own 规则 argument when it states a known one, else `default`."""
    name = explicit_rule(formula, grid, sheet)
    if not name:
        return default
    from perfscore.rules import ProfileError, load_profile

    try:
        return load_profile(name)
    except ProfileError:
        return default  # the cell shows #VALUE! (FORMULA_ERROR); judge the row with the workbook's profile
