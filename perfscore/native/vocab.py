"""The texts a native formula recognises, each one classified by the rule core itself (never re-typed rules).

A native formula compares a cell's text (ASCII spaces removed) with these exact tokens. Because every token is
classified here by calling perfscore.rules, a text in the vocabulary gets the same reading in the formula as in
the core; a text outside it gets the "needs the add-in" marker instead of a guess.
"""

from __future__ import annotations

from functools import lru_cache

from perfscore.rules.errors import PerfscoreError
from perfscore.rules.values import parse_nature, parse_operator, parse_quantity

# Classes shared by the formula and the Python mirror: 0 none, 1 positive (≥ >), 2 negative (≤ <), 3 equal / qualitative.
OP_CLASS = {None: 0, ">=": 1, ">": 1, "<=": 2, "<": 2, "=": 3}
NATURE_CLASS = {None: 0, "positive": 1, "negative": 2, "qualitative": 3}

BLANK_TEXTS = ("", "-", "—", "--", "/", "／")  # perfscore.rules.values._BLANK_TEXTS after removing spaces
NOT_APPLICABLE_TEXTS = ("不适用", "无此项", "n/a", "na")  # compared case-insensitively, as the core lower()s

# The template's drop-down values only: every token lengthens every formula (Excel 2010 has no LET and a formula
# may not exceed 8 192 characters); other spellings show the marker and are scored by the add-in.
_NATURE_CANDIDATES = ("正向", "反向", "定性")
_OPERATOR_CANDIDATES = ("≥", "≤", "=", ">", "<")

# Qualitative phrases, in the core's search order, grouped by level (the core returns the first phrase found).
from perfscore.rules.values import _QUAL_PHRASES  # noqa: E402  (the core's own table)


@lru_cache(maxsize=1)
def nature_tokens() -> tuple[tuple[str, int], ...]:
    out = []
    for tok in _NATURE_CANDIDATES:
        nature = parse_nature(tok)
        # Only natures that carry no operator themselves (the core would read one from a merged column).
        try:
            op = parse_operator(tok)
        except PerfscoreError:
            op = None
        if op is None:
            out.append((tok, NATURE_CLASS[nature]))
    return tuple(out)


@lru_cache(maxsize=1)
def operator_tokens() -> tuple[tuple[str, int], ...]:
    return tuple((tok, OP_CLASS[parse_operator(tok)]) for tok in _OPERATOR_CANDIDATES)


@lru_cache(maxsize=1)
def qual_groups() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Consecutive phrases of the same level: [(level, phrases)], in the core's order."""
    groups: list[tuple[str, list[str]]] = []
    for phrase, level in _QUAL_PHRASES:
        if groups and groups[-1][0] == level:
            groups[-1][1].append(phrase)
        else:
            groups.append((level, [phrase]))
    return tuple((level, tuple(ps)) for level, ps in groups)
