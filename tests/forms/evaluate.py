"""Test-only evaluation of the formulas apply writes: perfscore functions by the core, SUM of resolved cells.

The real engine is perfscore.recalc; this stays tiny on purpose (flat calls, literals, refs, ranges).
"""

from __future__ import annotations

import re

from perfscore.rules import grade, score_exec_rate, score_indicator, sum15
from perfscore.xlsx.grid import SheetGrid, parse_ref

CALL = re.compile(r"^=?([A-Z_]+)\((.*)\)$")
PERFSCORE = {"SCORE_INDICATOR", "SCORE_EXEC_RATE", "GRADE"}


def _args(text: str) -> list[str]:
    out, depth, cur, quoted = [], 0, "", False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == "," and depth == 0 and not quoted:
            out.append(cur)
            cur = ""
            continue
        depth += (ch == "(") - (ch == ")")
        cur += ch
    out.append(cur)
    return out


def evaluate(sheet: SheetGrid, formula: str, values: dict[str, object] | None = None) -> object:
    """Value of one flat call; `values` overrides cells already computed (ref -> value)."""
    values = values or {}
    m = CALL.match(formula)
    if not m:
        raise ValueError(formula)
    name, raw = m.group(1), _args(m.group(2))

    def val(arg: str):
        arg = arg.strip()
        if arg.startswith('"'):
            return arg.strip('"')
        if ":" in arg:
            (r1, c1), (r2, c2) = parse_ref(arg.split(":")[0]), parse_ref(arg.split(":")[1])
            return [val(f"{chr(64 + c)}{r}") for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
        if arg in values:
            return values[arg]
        r, c = parse_ref(arg)
        v = sheet.value(r, c)
        return "" if v is None else v

    args = [val(a) for a in raw]
    if name == "SCORE_INDICATOR":
        return score_indicator(*[a if a != "" else None for a in args])
    if name == "SCORE_EXEC_RATE":
        return score_exec_rate(*args)
    if name == "GRADE":
        return grade(args[0])
    if name == "SUM":
        flat = [x for a in args for x in (a if isinstance(a, list) else [a])]
        return sum15([x for x in flat if isinstance(x, (int, float)) and not isinstance(x, bool)])
    raise ValueError(f"unsupported in test evaluator: {name}")
