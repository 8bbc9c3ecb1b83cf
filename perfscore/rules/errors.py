"""Typed refusals. Every message is Chinese and names what was wrong (and the cell when known)."""

from __future__ import annotations


class PerfscoreError(Exception):
    """Base of every refusal perfscore raises on purpose."""

    code = "PERFSCORE_ERROR"

    def __init__(self, message: str, *, cell: str | None = None, code: str | None = None) -> None:
        self.message = message
        self.cell = cell
        if code is not None:
            self.code = code
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.cell}：{self.message}" if self.cell else self.message

    def with_cell(self, cell: str | None) -> "PerfscoreError":
        """The same refusal, now naming the cell (shells know cells, rules don't)."""
        if cell is None or self.cell:
            return self
        clone = type(self)(self.message, cell=cell, code=self.code)
        return clone


class RuleInputError(PerfscoreError):
    """A value handed to a rule cannot be used (blank, unparsable, contradictory)."""

    code = "RULE_INPUT"


class DirectionMissing(RuleInputError):
    """Neither 指标性质 nor 指标方向 says how a numeric row scores (DOMAIN.md: no direction is guessed)."""

    code = "RULE_NO_DIRECTION"


class NotApplicable(PerfscoreError):
    """The indicator is marked 不适用: it is dropped and the rest rescaled (by profile)."""

    code = "NOT_APPLICABLE"


class ProfileError(PerfscoreError):
    """A rule profile file is missing, malformed, or has unknown keys/values."""

    code = "PROFILE"
