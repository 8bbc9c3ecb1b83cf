"""Excel functions (UDFs) of perfscore: thin xlwings wrappers over the rule core.

=SCORE_EXEC_RATE(全年预算数, 全年执行数, 分值, [规则])
=SCORE_INDICATOR(指标性质, 指标方向, 年度指标值, 实际完成值, 分值, [规则])
=GRADE(总分, [规则])
=SCORE_SATISFACTION(非常满意, 比较满意, 一般满意, 不太满意, 不满意, 分值, [规则])
=SCORE_COST_SAVING(计划成本, 实际成本, 分值, [规则])

Invalid input never yields a number: the function raises `UdfRefusal("[#VALUE!] 原因")`; the add-in's
VBA wrapper turns that into a real error value (#VALUE!/#N/A, which SUM propagates) and keeps the reason
for =PERFSCORE_REASON(cell). See addin/README-dev.md for why (what xlwings 0.37.8 does with exceptions).

Parameter names are ASCII because xlwings writes them into the VBA wrapper; Chinese help reaches the
function wizard through the add-in's generated Application.MacroOptions calls.
"""

from __future__ import annotations

from typing import Callable

import xlwings as xw

from perfscore.rules import is_blank
from perfscore.excel_functions import FUNCTIONS, PROFILE_NAME, RULE_PARAM, SPECS, evaluate, profile_from_refers_to, refusal_text
from perfscore_udfs._refusal import UdfRefusal

CATEGORY = "绩效评分"

__all__ = [
    "FUNCTIONS",
    "SPECS",
    "UdfRefusal",
    "workbook_profile",
    "SCORE_EXEC_RATE",
    "SCORE_INDICATOR",
    "GRADE",
    "SCORE_SATISFACTION",
    "SCORE_COST_SAVING",
]


def workbook_profile(caller: object) -> str | None:
    """The profile named by the caller's workbook (defined name PERFSCORE_PROFILE), or None.

    `caller` is xlwings' calling Range (duck-typed: .sheet.book.names, each with .name, .refers_to,
    .refers_to_range.value). The name may hold ="vendor-linear" or refer to a cell holding the name.
    """
    if caller is None:
        return None
    for item in caller.sheet.book.names:
        if item.name.split("!")[-1].upper() != PROFILE_NAME:
            continue
        kind, value = profile_from_refers_to(item.refers_to)
        if kind == "reference":
            cell = item.refers_to_range.value
            return None if is_blank(cell) else str(cell).strip()
        return value
    return None


def _cell(name: str, args: tuple[object, ...], caller: object) -> float | str:
    """Evaluate for a cell; a refusal is raised (never returned as a number or as text)."""
    rule = args[-1]
    outcome = evaluate(name, args, None if not is_blank(rule) else workbook_profile(caller))
    if outcome.is_error:
        raise UdfRefusal(refusal_text(outcome))
    return outcome.value  # type: ignore[return-value]


def _register(func: Callable[..., object]) -> Callable[..., object]:
    """Apply xlwings' decorators with the Chinese help from the spec (one source for docs)."""
    spec = SPECS[func.__name__]
    func.__doc__ = spec.doc
    for param in (*spec.params, RULE_PARAM):
        # err_to_str: an error cell arrives as "#N/A" instead of None (which would read as blank).
        func = xw.arg(param.name, doc=f"{param.label}：{param.doc}", err_to_str=True)(func)
    return xw.func(category=CATEGORY)(func)


def SCORE_EXEC_RATE(budget, spent, weight, rule=None, caller=None):
    return _cell("SCORE_EXEC_RATE", (budget, spent, weight, rule), caller)


def SCORE_INDICATOR(nature, operator, target, actual, weight, rule=None, caller=None):
    return _cell("SCORE_INDICATOR", (nature, operator, target, actual, weight, rule), caller)


def GRADE(total, rule=None, caller=None):
    return _cell("GRADE", (total, rule), caller)


def SCORE_SATISFACTION(very, fairly, neutral, unhappy, very_unhappy, weight, rule=None, caller=None):
    return _cell("SCORE_SATISFACTION", (very, fairly, neutral, unhappy, very_unhappy, weight, rule), caller)


def SCORE_COST_SAVING(planned, actual, weight, rule=None, caller=None):
    return _cell("SCORE_COST_SAVING", (planned, actual, weight, rule), caller)


SCORE_EXEC_RATE = _register(SCORE_EXEC_RATE)
SCORE_INDICATOR = _register(SCORE_INDICATOR)
GRADE = _register(GRADE)
SCORE_SATISFACTION = _register(SCORE_SATISFACTION)
SCORE_COST_SAVING = _register(SCORE_COST_SAVING)
