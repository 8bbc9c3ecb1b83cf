"""The perfscore worksheet functions as the engine bridge calls them: Excel-shaped arguments -> a cell value.

The cell in Excel (xlwings UDF) and the batch engine must agree to the last digit, so when the add-in's pure
bridge (`perfscore_udfs.FUNCTIONS`) is importable it is used as is. Until then (or without the add-in
package installed) the same rule core is called through a small local table with the UDF signatures.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable

from perfscore.rules import PerfscoreError, load_profile
from perfscore.rules import scoring as S
from perfscore.xlsx.grid import EXCEL_ERROR_CODES, ExcelError

FUNCTION_NAMES = ("SCORE_EXEC_RATE", "SCORE_INDICATOR", "GRADE", "SCORE_SATISFACTION", "SCORE_COST_SAVING")


@dataclass(frozen=True)
class CallOutcome:
    value: object  # float | str | bool | ExcelError
    message: str | None = None  # the Chinese refusal, when the rule refused the arguments


def _local_table() -> dict[str, Callable[..., object]]:
    return {
        "SCORE_EXEC_RATE": lambda budget, spent, weight, profile=None: S.score_exec_rate(budget, spent, weight, profile),
        "SCORE_INDICATOR": lambda nature, operator, target, actual, weight, profile=None: S.score_indicator(
            nature, operator, target, actual, weight, profile),
        "GRADE": lambda total, profile=None: S.grade(total, profile),
        "SCORE_SATISFACTION": lambda very, fairly, neutral, unhappy, very_unhappy, weight, profile=None: S.score_satisfaction(
            very, fairly, neutral, unhappy, very_unhappy, weight, profile),
        "SCORE_COST_SAVING": lambda planned, actual, weight, profile=None: S.score_cost_saving(planned, actual, weight, profile),
    }


def _udf_table() -> tuple[dict[str, Callable[..., object]], str] | None:
    try:
        from perfscore_udfs import FUNCTIONS  # type: ignore[attr-defined]
    except ImportError:
        return None
    return {name.upper(): fn for name, fn in dict(FUNCTIONS).items()}, "perfscore_udfs"


class FunctionTable:
    """Name -> callable, with the default profile applied when the formula gave none."""

    def __init__(self, profile: str | None = None) -> None:
        self.profile_name = profile
        load_profile(profile)  # fail early on a bad --profile, with the rule core's Chinese message
        found = _udf_table()
        self.source = found[1] if found else "perfscore.rules"
        self.table = found[0] if found else _local_table()
        self._takes_profile = {name: _accepts_profile(fn) for name, fn in self.table.items()}

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.table)

    def call(self, name: str, args: list[object]) -> CallOutcome:
        fn = self.table[name]
        for a in args:  # Excel functions propagate an error argument
            if isinstance(a, ExcelError):
                return CallOutcome(a)
        kwargs = {}
        if self.profile_name is not None and self._takes_profile.get(name):
            kwargs["profile"] = self.profile_name
        try:
            value = fn(*args, **kwargs)
        except PerfscoreError as exc:
            return CallOutcome(ExcelError("#VALUE!"), str(exc))
        except TypeError as exc:  # wrong number of arguments: Excel says #VALUE!
            return CallOutcome(ExcelError("#VALUE!"), f"{name} 参数个数不对（{exc}）")
        if isinstance(value, str) and value in EXCEL_ERROR_CODES:  # a bridge that returns error text
            return CallOutcome(ExcelError(value))
        return CallOutcome(value)


def _accepts_profile(fn: Callable[..., object]) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return "profile" in params
