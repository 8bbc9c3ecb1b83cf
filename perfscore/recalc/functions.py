"""The perfscore worksheet functions as the engine bridge calls them: Excel-shaped arguments -> a cell value.

The cell in Excel (xlwings UDF) and the batch engine must agree to the last digit, so the add-in's pure
bridge `perfscore.excel_functions.evaluate` (the one the UDFs use) is called as is: same argument handling, same error values, same
Chinese reasons. Results are memoised on (name, arguments, profile): forms repeat the same calls
(GRADE(84.02), …) and the fixed-point iteration asks the same question more than once.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfscore.rules import load_profile
from perfscore.excel_functions import SPECS, evaluate as _bridge_evaluate

FUNCTION_NAMES = tuple(SPECS)
PROFILE_NAME = "PERFSCORE_PROFILE"  # the workbook's own choice of profile (same name as the add-in uses)
_MEMO_LIMIT = 200_000


@dataclass(frozen=True)
class CallOutcome:
    value: object  # float | str | ExcelError
    message: str = ""  # the Chinese reason when value is an error


def _key(args: list[object]) -> tuple:
    """The arguments with their types (1.0, True and "1" are different questions); ranges are lists."""
    types = tuple(map(type, args))
    if list in types:
        return tuple(_key(a) if type(a) is list else a for a in args), types
    return tuple(args), types


class FunctionTable:
    """Evaluates calls with a default profile (the --profile option; None = the add-in's default)."""

    def __init__(self, profile: str | None = None) -> None:
        self.profile_name = profile
        if profile is not None:
            load_profile(profile)  # fail early on a bad --profile, with the rule core's Chinese message
        self.names = FUNCTION_NAMES
        self._memo: dict[tuple, CallOutcome] = {}

    def call(self, name: str, args: list[object], profile: str | None = None) -> CallOutcome:
        """`profile`: the workbook's PERFSCORE_PROFILE, which wins over the batch default."""
        chosen = profile if profile else self.profile_name
        try:
            key = (name, _key(args), chosen)
            hit = self._memo.get(key)
        except TypeError:  # an unhashable argument: just compute
            key, hit = None, None
        if hit is not None:
            return hit
        out = _bridge_evaluate(name, args, chosen)
        outcome = CallOutcome(out.value, out.reason)
        if key is not None:
            if len(self._memo) > _MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = outcome
        return outcome
