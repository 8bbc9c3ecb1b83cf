"""Which arguments a native formula cannot score: the formula's decisions, mirrored in Python.

`outcome(name, args, profile)` says what the native formula shows for these cell values:
  "value"     - the same number, text or error as the rule core (perfscore.excel_functions),
  "marker"    - the marker #NAME? (needs the add-in: a phrasing or shape the formula does not parse: the add-in scores it),
  "uncertain" - a number, but texts differ from the core's reading only by full-width characters or
                whitespace other than ASCII spaces, which a formula does not normalise: load the add-in.
The decision tree follows formulas.py branch by branch; the LibreOffice tests hold the two together.
"""

from __future__ import annotations

import re
from typing import Sequence

from perfscore.rules.profiles import Profile, load_profile
from perfscore.rules.values import normalize_text
from perfscore.xlsx.grid import ExcelError

from . import vocab
from .formulas import MAX_TEXT

_NUMBER_TEXT = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)%?")
_KIND = ((6, 1, 2, 3), (1, 1, 5, 3), (2, 5, 2, 3), (4, 4, 4, 4))
VALUE, MARKER, UNCERTAIN = "value", "marker", "uncertain"


def _is_error(x: object) -> bool:
    return isinstance(x, ExcelError)


def _is_num(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _text(x: object) -> str:
    """What SUBSTITUTE(x," ","") gives (numbers as Excel shows them)."""
    if x is None:
        return ""
    if isinstance(x, bool):
        return "TRUE" if x else "FALSE"
    if _is_num(x):
        return f"{float(x):.15g}"
    return str(x).replace(" ", "")


def _blank(x: object) -> bool:
    return _text(x) in vocab.BLANK_TEXTS


def _not_applicable(x: object) -> bool:
    return _text(x).lower() in vocab.NOT_APPLICABLE_TEXTS


def _text_ok(x: object) -> bool:
    return isinstance(x, str) and len(x) <= MAX_TEXT and _NUMBER_TEXT.fullmatch(x) is not None


def _usable(x: object) -> bool:
    return _is_num(x) or _text_ok(x)


def _status(x: object) -> str | None:
    """None when usable as a number; else what the formula shows (VALUE for #VALUE!/#N/A, or MARKER)."""
    if _blank(x) or _not_applicable(x):
        return VALUE
    if _usable(x):
        return None
    return MARKER if isinstance(x, str) else VALUE


def _exotic(*texts: object) -> bool:
    """A text the core normalises (NFKC, all whitespace) differently from the formula (ASCII spaces only)."""
    return any(isinstance(t, str) and normalize_text(t) != t.replace(" ", "") for t in texts)


def _value_of(x: object) -> float:
    if _is_num(x):
        return float(x)
    return float(x[:-1]) / 100 if x.endswith("%") else float(x)


def _weight(w: object) -> str | None:
    if _blank(w) or (not _is_num(w) and not isinstance(w, str)):
        return VALUE
    if isinstance(w, str):
        return MARKER
    return None


def indicator(args: Sequence[object], p: Profile) -> str:
    n, o, a, b, w = args
    if any(_is_error(x) for x in args):
        return VALUE
    verdict = _weight(w)
    if verdict is not None or (_is_num(w) and w < 0):
        return verdict or VALUE
    ntok, otok = dict(vocab.nature_tokens()), dict(vocab.operator_tokens())
    if not (_blank(n) or _text(n) in ntok) or not (_blank(o) or _text(o) in otok):
        return MARKER
    kind = _KIND[ntok.get(_text(n), 0) if not _blank(n) else 0][otok.get(_text(o), 0) if not _blank(o) else 0]
    if kind == 5:
        return VALUE
    if kind == 4:
        return _qualitative(a, b)
    if kind == 6:
        if _exotic(a):
            return UNCERTAIN  # "９５": the core reads a number, the formula a text
        refused = VALUE if (_is_num(b) or _blank(b)) else MARKER
        if getattr(p.indicator, "blank_direction_met", "refuse") != "refuse":
            refused = VALUE if _blank(b) else MARKER
        if _is_num(a):
            return refused
        if _blank(a):
            return _qualitative(a, b)
        if isinstance(a, str):
            if _text_ok(a):
                return refused
            return MARKER if re.search(r"[0-9]", _text(a)) else _qualitative(a, b)
        return MARKER
    if _blank(a) or _blank(b):
        return VALUE
    for x in (a, b):
        s = _status(x)
        if s is not None:
            return s
    pa, pb = isinstance(a, str) and "%" in a, isinstance(b, str) and "%" in b
    A, B = _value_of(a), _value_of(b)
    if pa != pb and ((B > 1.5 and A <= 1.5) if pa else (A > 1.5 and B <= 1.5)):
        return VALUE if p.indicator.percent_plain_number == "strict" else MARKER
    return VALUE


def _qualitative(a: object, b: object) -> str:
    if _blank(b):
        return VALUE
    if not isinstance(b, str):
        return MARKER
    if "%" in _text(b):
        return VALUE if _text_ok(b) else MARKER
    if not (_blank(a) or (isinstance(a, str) and not re.search(r"[0-9]", _text(a)))):
        return MARKER
    if _not_applicable(b):
        return VALUE
    if not _blank(a) and _text(b) == _text(a):
        return VALUE
    if _exotic(a, b):
        return UNCERTAIN
    if any(ph in _text(b) for _, phrases in vocab.qual_groups() for ph in phrases):
        return VALUE
    return MARKER


def _two_quantities(args: Sequence[object]) -> str:
    if any(_is_error(x) for x in args):
        return VALUE
    a, b, w = args
    verdict = _weight(w)
    if verdict is not None or (_is_num(w) and w < 0):
        return verdict or VALUE
    for x in (a, b):
        s = _status(x)
        if s is not None:
            return s
    return VALUE


def satisfaction(args: Sequence[object], p: Profile) -> str:
    if any(_is_error(x) for x in args):
        return VALUE
    *counts, w = args
    verdict = _weight(w)
    if verdict is not None or (_is_num(w) and w < 0):
        return verdict or VALUE
    for c in counts:
        if _blank(c) or (_is_num(c) and c >= 0):
            continue
        if _is_num(c) or _not_applicable(c) or not isinstance(c, str):
            return VALUE
        return MARKER
    return VALUE


def grade(args: Sequence[object], p: Profile) -> str:
    if _is_error(args[0]):
        return VALUE
    return _status(args[0]) or VALUE


def outcome(name: str, args: Sequence[object], profile: "Profile | str | None" = None) -> str:
    p = load_profile(profile)
    name = name.upper()
    if name == "SCORE_INDICATOR":
        return indicator(args, p)
    if name in ("SCORE_EXEC_RATE", "SCORE_COST_SAVING"):
        return _two_quantities(args)
    if name == "SCORE_SATISFACTION":
        return satisfaction(args, p)
    if name == "GRADE":
        return grade(args, p)
    raise KeyError(name)


def needs_addin(name: str, args: Sequence[object], profile: "Profile | str | None" = None) -> bool:
    return outcome(name, args, profile) != VALUE
