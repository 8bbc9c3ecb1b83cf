"""How values typed into forms are understood — the one module every caller uses.

Handles what people really type: operators in every form (≥ ≧ >= 大于等于 不低于 …), targets like "≥95%",
"98%以上", "0.95", "2910条", numbers stored as text, full-width characters, blanks. Refusals are
RuleInputError with a Chinese message naming the quantity (and the cell when the caller passes it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from perfscore.rules.errors import NotApplicable, PerfscoreError, RuleInputError

Operator = Literal[">=", "<=", "=", ">", "<"]
Nature = Literal["positive", "negative", "qualitative"]
QualLevel = Literal["达成", "部分达成", "未达成"]

NATURE_LABELS: dict[str, str] = {"positive": "正向", "negative": "反向", "qualitative": "定性"}
OPERATOR_LABELS: dict[str, str] = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}

# Word forms, longest first so 大于等于 wins over 大于. NFKC has already turned ＞＜＝ into > < =.
_OPERATOR_WORDS: tuple[tuple[str, Operator], ...] = (
    ("大于或等于", ">="), ("大于等于", ">="), ("不低于", ">="), ("不少于", ">="), ("不小于", ">="),
    ("至少", ">="), ("≥", ">="), ("≧", ">="), (">=", ">="), ("=>", ">="), ("⩾", ">="),
    ("小于或等于", "<="), ("小于等于", "<="), ("不高于", "<="), ("不超过", "<="), ("不大于", "<="),
    ("不多于", "<="), ("至多", "<="), ("≤", "<="), ("≦", "<="), ("<=", "<="), ("=<", "<="), ("⩽", "<="),
    ("等于", "="), ("═", "="), ("==", "="), ("=", "="),
    ("大于", ">"), ("高于", ">"), ("超过", ">"), ("多于", ">"), (">", ">"),
    ("小于", "<"), ("低于", "<"), ("少于", "<"), ("<", "<"),
)
# Suffixes that carry the operator after the number: "98%以上", "5天以内".
_OPERATOR_SUFFIXES: tuple[tuple[str, Operator], ...] = (
    ("及以上", ">="), ("以上", ">="), ("及以下", "<="), ("以下", "<="), ("以内", "<="), ("之内", "<="),
)

_NATURE_WORDS: tuple[tuple[str, Nature | None], ...] = (
    ("正向", "positive"), ("反向", "negative"), ("逆向", "negative"), ("定性", "qualitative"),
    ("定量", None),  # quantitative: the operator column decides
)

_NOT_APPLICABLE = ("不适用", "无此项", "n/a", "na")
_BLANK_TEXTS = ("", "-", "—", "--", "/", "／")

_NUMBER_RE = re.compile(r"[-+]?(?:\d+(?:,\d{3})*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_SPACES_RE = re.compile(r"\s+")
_INFINITIES = (float("inf"), float("-inf"))

# The text parsers below are memoised per text (bounded): a batch of forms from one template repeats the same
# labels, operators and targets thousands of times. What they cache never names a cell: a refusal is cached
# as a _Refusal and raised by the caller with its own cell.
_TEXT_CACHE = 8192


@dataclass(frozen=True)
class Quantity:
    """A parsed target or actual value. value is a fraction when is_percent (95% -> 0.95)."""

    value: float
    is_percent: bool = False
    unit: str | None = None  # text after the number: "条", "万元", "天"
    operator: Operator | None = None  # operator written inside the value ("≥95%")
    raw: object = None


@dataclass(frozen=True)
class _Refusal:
    """A parser's cached refusal, raised with the caller's cell."""

    error: type[PerfscoreError]
    message: str

    def raise_at(self, cell: str | None):
        raise self.error(self.message, **_where(cell))


@lru_cache(maxsize=_TEXT_CACHE)
def normalize_text(text: str) -> str:
    """Full-width to half-width (NFKC), no surrounding blanks, no inner spaces."""
    return _SPACES_RE.sub("", unicodedata.normalize("NFKC", text))


def is_blank(raw: object) -> bool:
    """Blank as a person means it: empty cell, spaces, or a lone dash/slash."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return normalize_text(raw) in _BLANK_TEXTS
    return False


def is_not_applicable(raw: object) -> bool:
    return isinstance(raw, str) and normalize_text(raw).lower() in _NOT_APPLICABLE


def _where(cell: str | None) -> dict:
    return {"cell": cell} if cell else {}


def parse_operator(raw: object, *, cell: str | None = None) -> Operator | None:
    """'≥', '≧', '>=', '大于等于', '不低于' … -> '>='. Blank -> None. Unknown text -> RuleInputError."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise RuleInputError(f"指标方向应为文字（如 ≥、≤、=），实际为 {raw!r}", **_where(cell))
    op = _operator_of_text(raw)
    if isinstance(op, _Refusal):
        op.raise_at(cell)
    return op


@lru_cache(maxsize=_TEXT_CACHE)
def _operator_of_text(raw: str) -> Operator | None | _Refusal:
    if is_blank(raw):
        return None
    text = normalize_text(raw)
    # A nature written in the operator column (merged 性质/方向 columns) is not an operator.
    if any(text.startswith(word) for word, _ in _NATURE_WORDS) and not _find_operator(text):
        return None
    op = _find_operator(text)
    if op is None:
        return _Refusal(RuleInputError, f"无法识别指标方向「{raw}」（应为 ≥、≤、=、>、< 或 大于等于/小于等于/等于）")
    return op


def _find_operator(text: str) -> Operator | None:
    for word, op in _OPERATOR_WORDS:
        if word in text:
            return op
    for suffix, op in _OPERATOR_SUFFIXES:
        if text.endswith(suffix):
            return op
    return None


def parse_nature(raw: object, *, cell: str | None = None) -> Nature | None:
    """'正向'/'正向指标' -> 'positive', '反向' -> 'negative', '定性' -> 'qualitative'; '定量' or blank -> None.

    A merged 性质/方向 column may hold an operator instead ("≥"): then the nature is implied by it.
    """
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise RuleInputError(f"指标性质应为 正向/反向/定性，实际为 {raw!r}", **_where(cell))
    nature = _nature_of_text(raw)
    if isinstance(nature, _Refusal):
        nature.raise_at(cell)
    return nature


@lru_cache(maxsize=_TEXT_CACHE)
def _nature_of_text(raw: str) -> Nature | None | _Refusal:
    if is_blank(raw):
        return None
    text = normalize_text(raw)
    for word, nature in _NATURE_WORDS:
        if text.startswith(word) or text == word + "指标":
            return nature
    op = _find_operator(text)
    if op in (">=", ">"):
        return "positive"
    if op in ("<=", "<"):
        return "negative"
    if op == "=":
        return None
    return _Refusal(RuleInputError, f"无法识别指标性质「{raw}」（应为 正向、反向 或 定性）")


def parse_quantity(raw: object, *, what: str = "数值", cell: str | None = None) -> Quantity:
    """A number as typed: 95, 0.95, '95', '≥95%', '98%以上', '2910条', '1,200万元', '９５％'.

    Blank -> RuleInputError ("<what>为空"); '不适用' -> NotApplicable; other text -> RuleInputError.
    """
    if isinstance(raw, bool):
        raise RuleInputError(f"{what}应为数值，实际为逻辑值 {raw}", **_where(cell))
    if isinstance(raw, (int, float)):
        if raw != raw or raw in _INFINITIES:
            raise RuleInputError(f"{what}不是有限数值", **_where(cell))
        return Quantity(float(raw), raw=raw)
    if raw is None:
        raise RuleInputError(f"{what}为空", **_where(cell))
    if not isinstance(raw, str):
        raise RuleInputError(f"{what}无法识别：{raw!r}", **_where(cell))
    q = _quantity_of_text(raw, what)
    if isinstance(q, _Refusal):
        q.raise_at(cell)
    return q


@lru_cache(maxsize=_TEXT_CACHE)
def _quantity_of_text(raw: str, what: str) -> Quantity | _Refusal:
    if is_blank(raw):
        return _Refusal(RuleInputError, f"{what}为空")
    if is_not_applicable(raw):
        return _Refusal(NotApplicable, f"{what}标为「不适用」")
    text = normalize_text(raw)
    operator = None
    for word, op in _OPERATOR_WORDS:
        if text.startswith(word):
            operator, text = op, text[len(word):]
            break
    for suffix, op in _OPERATOR_SUFFIXES:
        if text.endswith(suffix):
            operator = operator or op
            text = text[: -len(suffix)]
            break
    match = _NUMBER_RE.match(text)
    if not match:
        return _Refusal(RuleInputError, f"{what}「{raw}」不是数值，无法计算")
    number = float(match.group().replace(",", ""))
    rest = text[match.end():]
    is_percent = rest.startswith("%") or rest.startswith("‰")
    if rest.startswith("‰"):
        number, rest = number / 1000, rest[1:]
    elif is_percent:
        number, rest = number / 100, rest[1:]
    unit = rest or None
    if unit is not None and _NUMBER_RE.search(unit):
        # "95%-100%", "3-5天": a range is not one value; refuse rather than guess.
        return _Refusal(RuleInputError, f"{what}「{raw}」含有多个数值（区间？），无法作为单一数值计算")
    return Quantity(number, is_percent=is_percent, unit=unit, operator=operator, raw=raw)


def parse_number(raw: object, *, what: str = "数值", cell: str | None = None, allow_blank: bool = False) -> float | None:
    """A plain number (percent text becomes a fraction). Blank -> None when allowed, else RuleInputError."""
    if allow_blank and is_blank(raw):
        return None
    if type(raw) in (int, float) and raw == raw and raw not in _INFINITIES:
        return float(raw)  # what parse_quantity would say, without building a Quantity
    return parse_quantity(raw, what=what, cell=cell).value


# The official phrases and short forms, kept as the native formulas' vocabulary (perfscore.native.vocab); the
# core reads qualitative actuals with the profile's lexicon (perfscore/rules/profiles/_lexicon.toml). Order: 未/部分 before 达成.
_QUAL_PHRASES: tuple[tuple[str, QualLevel], ...] = (
    ("未达成", "未达成"), ("未完成", "未达成"), ("未达到", "未达成"), ("没有达成", "未达成"), ("未实现", "未达成"),
    ("部分达成", "部分达成"), ("部分完成", "部分达成"), ("部分实现", "部分达成"), ("基本达成", "部分达成"),
    ("基本完成", "部分达成"),
    ("达成", "达成"), ("完成", "达成"), ("实现", "达成"), ("达到", "达成"),
)


def parse_qual_level(actual: object, target: object = None, *, cell: str | None = None, profile: object = None) -> QualLevel:
    """The achievement band of a qualitative indicator, read with the profile's lexicon (default profile when
    none is given): equal to the target → 达成; official phrases (达成预期目标 / 部分达成预期目标并具有一定效果 /
    未达成预期目标且效果较差) and short forms; 有所降低 against 有效降低; 良好/一般/较差; 是/否; "85%". See
    perfscore/rules/profiles/_lexicon.toml. Unknown phrasing → RuleInputError naming the cell and what to write."""
    from perfscore.rules.lexicon import read_qualitative  # the lexicon and profiles build on this module
    from perfscore.rules.profiles import load_profile
    from perfscore.rules.scoring import level_of_fraction

    p = load_profile(profile)
    reading = read_qualitative(actual, target, p.lexicon)
    if isinstance(reading, _Refusal):
        reading.raise_at(cell)
    return reading.level if reading.level is not None else level_of_fraction(reading.fraction, p)
