"""Completion deadlines as people write them: targets "9月前", "9月底前完成", "2024年9月30日前", "年底前",
"三季度末前"; actuals "7月", "7月完成", "2024年7月15日". A deadline is a 反向 comparison of time points: done on
or before it is full marks (issue 14: achieved-early deadlines must score, not refuse).

Pure and memoised per text; what the profile decides ("9月前" = by the end of September or before it starts,
how a late completion scores) is applied by scoring.py.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from perfscore.rules.values import is_blank, normalize_text

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_MONTH = r"(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DATE = (
    r"(?:(?P<y>\d{4})年)?(?:"
    rf"{_MONTH}月份?(?:(?P<d>[12]\d|3[01]|0?[1-9])[日号]|(?P<part>上旬|中旬|下旬|月底|月末|底|末|初|中))?"
    r"|(?P<ypart>年底|年末|年内|年中|上半年|下半年|全年)"
    r"|第?(?P<q>[1-4一二三四])季度(?:末|底)?"
    r")"
)
_DONE = r"(?:已|前|之前)?(?:完成|完工|建成|上线|交付|办结|实施|投用|投入使用|验收)?"
_TARGET_RE = re.compile(
    rf"^(?:≤|<|<=|在|于|截至|截止|截止到|截至到|计划|预计)?{_DATE}"
    rf"(?P<suffix>之前|以前|前|以内|之内|内)?(?P<done>(?:完成|完工|建成|上线|交付|办结|实施|投用|投入使用|验收)(?:前)?)?$"
)
_ACTUAL_RE = re.compile(rf"^(?:已于|于|在|已在)?{_DATE}(?:底前|前|之前)?{_DONE}$")
_PART_DAY = {"初": 10, "上旬": 10, "中": 20, "中旬": 20}  # 下旬/底/末: the month's last day
_YPART_MONTH = {"年底": 12, "年末": 12, "年内": 12, "全年": 12, "下半年": 12, "年中": 6, "上半年": 6}
_BASE_YEAR = 2023  # a non-leap year for dates written without one


@dataclass(frozen=True)
class TimePoint:
    year: int | None
    month: int
    day: int | None  # None: the month as a whole ("9月")
    before: bool = False  # written with 前/之前/以前 ("9月前")
    text: str = ""

    def label(self) -> str:
        y = f"{self.year}年" if self.year else ""
        d = f"{self.day}日" if self.day else ""
        return f"{y}{self.month}月{d}"


def _month(raw: str) -> int:
    if raw.isdigit():
        return int(raw)
    if raw.startswith("十"):
        return 10 + (_CN_DIGITS[raw[1]] if len(raw) > 1 else 0)
    return _CN_DIGITS[raw]


def _point(m: re.Match, text: str, before: bool) -> TimePoint:
    year = int(m.group("y")) if m.group("y") else None
    if m.group("ypart"):
        return TimePoint(year, _YPART_MONTH[m.group("ypart")], None, False, text)
    if m.group("q"):
        q = m.group("q")
        return TimePoint(year, 3 * (int(q) if q.isdigit() else _CN_DIGITS[q]), None, False, text)
    month = _month(m.group("m"))
    day = int(m.group("d")) if m.group("d") else None
    part = m.group("part")
    if part in _PART_DAY:
        day = _PART_DAY[part]
    elif part:  # 下旬, 底, 末: the month's end, never "before the month starts"
        return TimePoint(year, month, None, False, text)
    if day is not None and day > calendar.monthrange(year or _BASE_YEAR, month)[1]:
        raise ValueError(text)
    return TimePoint(year, month, day, before and day is None, text)


@lru_cache(maxsize=4096)
def _deadline_of_text(text: str) -> tuple[TimePoint, bool] | None:
    """(point, explicit): explicit when the text says it is a deadline (前/以内/…完成), not only a date."""
    m = _TARGET_RE.match(text)
    if not m:
        return None
    try:
        point = _point(m, text, m.group("suffix") in ("之前", "以前", "前"))
    except ValueError:
        return None
    return point, bool(m.group("suffix") or m.group("done"))


def parse_deadline(raw: object) -> tuple[TimePoint, bool] | None:
    """A target that names a completion time, as (point, explicit) — None when it is not a date."""
    if not isinstance(raw, str) or is_blank(raw):
        return None
    return _deadline_of_text(normalize_text(raw))


@lru_cache(maxsize=4096)
def _actual_of_text(text: str) -> TimePoint | None:
    m = _ACTUAL_RE.match(text)
    if not m:
        return None
    try:
        return _point(m, text, False)
    except ValueError:
        return None


def parse_time_point(raw: object) -> TimePoint | None:
    """An actual completion time ("7月", "7月完成", "2024年7月15日"); None when the text is not one."""
    if not isinstance(raw, str) or is_blank(raw):
        return None
    return _actual_of_text(normalize_text(raw))


def day_position(point: TimePoint, base_year: int, *, month_before: str = "end_of_month") -> int:
    """Days from 1 January of base_year to the point (1 = 1 January). A month without a day is its last day;
    "9月前" under month_before = "start_of_month" is the last day of August."""
    year = point.year or base_year
    month, day = point.month, point.day
    if day is None:
        if point.before and month_before == "start_of_month":
            month -= 1
            if month == 0:
                year, month = year - 1, 12
        day = calendar.monthrange(year, month)[1]
    return (date(year, month, day) - date(base_year, 1, 1)).days + 1


def base_year_of(deadline: TimePoint, actual: TimePoint) -> int:
    return deadline.year or actual.year or _BASE_YEAR
