"""The scoring rules of DOMAIN.md §2 as pure functions over plain values.

Arguments arrive as Excel hands them (float, str, None for blank). Every rule returns an Assessment whose
score is capped to [0, 分值] and rounded the Excel way; what varies by province is read from the Profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Callable, Sequence

from perfscore.rules.deadlines import TimePoint, base_year_of, day_position, parse_deadline, parse_time_point
from perfscore.rules.errors import DirectionMissing, NotApplicable, RuleInputError
from perfscore.rules.excelmath import compare15, excel_round, round15, round_held, sum15
from perfscore.rules.lexicon import QualReading, read_qualitative, reads_as_absence
from perfscore.rules.profiles import QUAL_LEVELS, Profile, load_profile
from perfscore.rules.values import (
    NATURE_LABELS,
    OPERATOR_LABELS,
    Nature,
    Operator,
    Quantity,
    _Refusal,
    is_blank,
    normalize_text,
    parse_nature,
    parse_number,
    parse_operator,
    parse_quantity,
)

ProfileLike = "Profile | str | None"


@dataclass(frozen=True)
class Assessment:
    score: float
    weight: float
    ratio: float | None  # B/A (or the rate the rule used)
    rule_id: str  # stable id: exec_rate, positive, negative, equal, qualitative, satisfaction, cost_saving
    explain: Callable[[], str] = field(repr=False, compare=False)  # builds rule_text (see there)
    band: str | None = None  # qualitative band (达成/部分达成/未达成)
    warnings: tuple[str, ...] = ()

    @cached_property
    def rule_text(self) -> str:
        """Chinese: which rule and how it was applied, with the numbers. Built on first use: the checker
        assesses every row but shows the text only where a score differs."""
        return self.explain()


def _profile(profile: "Profile | str | None") -> Profile:
    return load_profile(profile)


def _weight(raw: object, cell: str | None) -> float:
    weight = parse_number(raw, what="分值", cell=cell)
    if weight < 0:
        raise RuleInputError(f"分值不能为负数：{weight:g}", cell=cell)
    return weight


def _finish(raw_score: float, weight: float, profile: Profile) -> float:
    score = round_held(max(round15(raw_score), 0.0), profile.decimals)
    # Cap after rounding: a weight with more decimals than the profile keeps (1.125) is itself full marks.
    return min(score, weight) if profile.score_cap_at_weight else score


def _fmt(x: float) -> str:
    return f"{round15(x):g}"


# ---------------------------------------------------------------- budget execution


def assess_exec_rate(budget: object, spent: object, weight: object, profile: ProfileLike = None, *, cell: str | None = None) -> Assessment:
    """预算执行率得分 = min(全年执行数/全年预算数, 1) × 分值 (932.92/3000×10 = 3.11)."""
    p = _profile(profile)
    w = _weight(weight, cell)
    a = parse_quantity(budget, what="全年预算数", cell=cell).value
    b = parse_quantity(spent, what="全年执行数", cell=cell).value
    if a == 0 and b == 0 and p.exec_rate.zero_budget != "refuse":
        return _zero_budget(w, p, cell)
    if a <= 0:
        raise RuleInputError(f"全年预算数为 {_fmt(a)}，无法计算预算执行率（应大于 0）", cell=cell)
    if b < 0:
        raise RuleInputError(f"全年执行数不能为负数：{_fmt(b)}", cell=cell)
    rate = b / a
    warnings = []
    if compare15(rate, 1) > 0:
        warnings.append(f"执行数 {_fmt(b)} 超过预算数 {_fmt(a)}（执行率 {rate:.2%}），请核实")
    if compare15(rate, p.exec_rate.reason_threshold) < 0:
        warnings.append(f"执行率 {rate:.2%} 低于 {p.exec_rate.reason_threshold:.0%}，须说明原因")
    used = min(rate, 1.0) if p.exec_rate.cap_at_full else rate
    score = _finish(used * w, w, p)
    text = lambda: f"预算执行率 {_fmt(b)}/{_fmt(a)} = {rate:.2%}，得分 = min(执行率, 1) × {_fmt(w)} = {score:g}"  # noqa: E731
    return Assessment(score, w, rate, "exec_rate", text, warnings=tuple(warnings))


def _zero_budget(w: float, p: Profile, cell: str | None) -> Assessment:
    """全年预算数 0 and 全年执行数 0 (a funds row with nothing in it, published with score 0): by profile."""
    policy = p.exec_rate.zero_budget
    if policy == "not_applicable":
        raise NotApplicable("全年预算数和全年执行数均为 0，预算执行率不适用", **({"cell": cell} if cell else {}))
    score = _finish(w if policy == "full" else 0.0, w, p)
    how = "得满分" if policy == "full" else "得 0 分"
    warning = f"预算数为 0：全年预算数和全年执行数均为 0，无法计算执行率，按口径{how}，请核实"
    text = lambda: f"预算执行率：全年预算数和全年执行数均为 0，按口径 {p.name} {how} = {score:g}"  # noqa: E731
    return Assessment(score, w, None, "exec_rate", text, warnings=(warning,))


def score_exec_rate(budget: object, spent: object, weight: object, profile: ProfileLike = None) -> float:
    return assess_exec_rate(budget, spent, weight, profile).score


# ---------------------------------------------------------------- indicators


def resolve_kind(nature: object, operator: object, target: object, *, cell: str | None = None) -> tuple[str, Operator | None]:
    """Which rule applies: 'positive' | 'negative' | 'equal' | 'qualitative', and the operator used.

    指标性质 and 指标方向 may each be blank when the other (or an operator inside the target, "≥95%") says it.
    """
    if type(nature) in _PLAIN and type(operator) in _PLAIN and type(target) in _PLAIN:
        kind = _kind_of_plain(nature, operator, target)
        if isinstance(kind, _Refusal):
            kind.raise_at(cell)
        return kind
    return _resolve_kind(nature, operator, target, cell)


_PLAIN = (str, float, int, type(None))


@lru_cache(maxsize=8192, typed=True)
def _kind_of_plain(nature: object, operator: object, target: object) -> tuple[str, Operator | None] | _Refusal:
    """resolve_kind per plain (nature, operator, target): a template repeats them on every form of a batch.
    A refusal is cached without a cell and raised with the caller's."""
    try:
        return _resolve_kind(nature, operator, target, None)
    except (RuleInputError, NotApplicable) as err:
        return _Refusal(type(err), err.message)


def _resolve_kind(nature: object, operator: object, target: object, cell: str | None) -> tuple[str, Operator | None]:
    n: Nature | None = parse_nature(nature, cell=cell)
    op = parse_operator(operator, cell=cell)
    if op is None and isinstance(nature, str):
        op = parse_operator(nature, cell=cell) if _looks_like_operator(nature) else None
    if op is None and isinstance(target, str) and not is_blank(target):
        try:
            op = parse_quantity(target, what="年度指标值").operator
        except RuleInputError:
            op = None
    if n == "qualitative":
        return "qualitative", op
    if op == "=":
        return "equal", op
    if n == "positive":
        if op in ("<=", "<"):
            raise RuleInputError(f"指标性质为正向，但指标方向为「{OPERATOR_LABELS[op]}」，二者矛盾", cell=cell)
        return "positive", op or ">="
    if n == "negative":
        if op in (">=", ">"):
            raise RuleInputError(f"指标性质为反向，但指标方向为「{OPERATOR_LABELS[op]}」，二者矛盾", cell=cell)
        return "negative", op or "<="
    if op in (">=", ">"):
        return "positive", op
    if op in ("<=", "<"):
        return "negative", op
    # Nothing says the direction: a numeric target means 正向 is a guess we refuse; text means 定性.
    if _is_numeric(target):
        raise DirectionMissing("指标性质和指标方向均为空，无法判断按正向还是反向计分", cell=cell)
    return "qualitative", None


def _looks_like_operator(text: str) -> bool:
    try:
        return parse_operator(text) is not None and parse_nature(text) != "qualitative"
    except RuleInputError:
        return False


def _is_numeric(value: object) -> bool:
    if is_blank(value):
        return False
    try:
        parse_quantity(value)
        return True
    except RuleInputError:
        return False


def _align_percent(target: Quantity, actual: Quantity, p: Profile, cell: str | None) -> tuple[float, float, list[str]]:
    """95% against 96: when one side is a percentage and the other a plain number, say how it was read."""
    a, b, notes = target.value, actual.value, []
    if target.is_percent != actual.is_percent:
        plain, pct = (actual, target) if target.is_percent else (target, actual)
        if plain.value > 1.5 and pct.value <= 1.5:
            if p.indicator.percent_plain_number == "strict":
                raise RuleInputError(
                    f"年度指标值与实际完成值单位不一致：一个是百分数，一个是数值 {_fmt(plain.value)}", cell=cell
                )
            notes.append(f"数值 {_fmt(plain.value)} 按百分数 {_fmt(plain.value)}% 理解（单位不一致，请核实）")
            if plain is actual:
                b = plain.value / 100
            else:
                a = plain.value / 100
    if target.unit and actual.unit and normalize_text(target.unit) != normalize_text(actual.unit):
        notes.append(f"计量单位不一致：年度指标值为「{target.unit}」，实际完成值为「{actual.unit}」")
    return a, b, notes


def assess_indicator(
    nature: object,
    operator: object,
    target: object,
    actual: object,
    weight: object,
    profile: ProfileLike = None,
    *,
    cell: str | None = None,
) -> Assessment:
    """One indicator row scored by 指标性质/指标方向 (正向, 反向, 等于, 定性), or by its completion deadline when
    the target is one ("9月前"). A text actual the lexicon understands ("达成预期目标", "已完成90%") still scores
    against a numeric target, with a warning saying how it was read."""
    p = _profile(profile)
    w = _weight(weight, cell)
    deadline = _deadline_target(nature, operator, target)
    if deadline is not None:
        return _assess_deadline(deadline, nature, operator, target, actual, w, p, cell)
    try:
        kind, op = resolve_kind(nature, operator, target, cell=cell)
    except RuleInputError:
        if not (is_blank(nature) and is_blank(operator)):
            raise
        met = _met_whatever_direction(target, actual, w, p) if p.indicator.blank_direction_met == "full" else None
        if met is not None:
            return met
        reading = _text_reading(target, actual, p)
        if reading is None or reading.fraction is not None:
            raise
        note = f"指标性质和指标方向均为空，实际完成值「{actual}」按定性完成程度计分（{reading.how}），请核实"
        return _qual_assessment(reading, w, p, [note], "qualitative")
    if kind == "qualitative":
        return _assess_qualitative(target, actual, w, p, cell)
    label = NATURE_LABELS.get(kind, "等于") if kind != "equal" else "等于"
    if is_blank(target):
        raise RuleInputError(f"年度指标值为空，无法计算{label}指标得分", cell=cell)
    if is_blank(actual):
        raise RuleInputError(f"实际完成值为空，无法计算{label}指标得分", cell=cell)
    tq = parse_quantity(target, what="年度指标值", cell=cell)
    try:
        aq = parse_quantity(actual, what="实际完成值", cell=cell)
    except RuleInputError:
        if kind == "negative" and not tq.is_percent and reads_as_absence(actual, p.lexicon):
            # "无上访" against "小于5次": none happened, 0 of the bound's unit
            aq = Quantity(0.0, unit=tq.unit, raw=actual)
            a, b, notes = _align_percent(tq, aq, p, cell)
            notes.append(f"实际完成值「{actual}」按 0{tq.unit or ''} 理解")
            return _negative(a, b, w, p, notes, cell)
        reading = _text_reading(target, actual, p)
        if reading is None:
            raise
        if reading.fraction is None:  # 完成 / 达成预期目标 against a number: the filler's statement
            note = f"实际完成值「{actual}」是文字，按定性完成程度计分（{reading.how}），请核实并填写数值"
            return _qual_assessment(reading, w, p, [note], "qualitative")
        aq = Quantity(reading.fraction, is_percent=True, raw=actual)  # 已完成90%: the number in the text
    a, b, notes = _align_percent(tq, aq, p, cell)
    if kind == "positive":
        return _positive(a, b, w, p, notes, cell)
    if kind == "negative":
        return _negative(a, b, w, p, notes, cell)
    return _equal(a, b, w, p, notes, cell)


def is_absence_row(nature: object, operator: object, target: object, actual: object, profile: ProfileLike = None) -> bool:
    """The actual says none happened ("无上访") and the target is an upper bound of a count ("小于5次"): the row
    is scored as a number (0), not as a qualitative degree."""
    p = _profile(profile)
    if not reads_as_absence(actual, p.lexicon) or _deadline_target(nature, operator, target) is not None:
        return False
    try:
        kind, _ = resolve_kind(nature, operator, target)
        tq = parse_quantity(target, what="年度指标值")
    except RuleInputError:
        return False
    return kind == "negative" and not tq.is_percent


def score_indicator(nature: object, operator: object, target: object, actual: object, weight: object, profile: ProfileLike = None) -> float:
    return assess_indicator(nature, operator, target, actual, weight, profile).score


def _positive(a: float, b: float, w: float, p: Profile, notes: list[str], cell: str | None) -> Assessment:
    if a < 0:
        raise RuleInputError(f"正向指标的年度指标值不能为负数：{_fmt(a)}", cell=cell)
    deducted = None  # points taken off for overshooting the target, when the profile says so
    if compare15(b, a) >= 0:
        ratio = None if a == 0 else b / a
        raw = w
        if ratio is not None and compare15(ratio, p.indicator.over_target_warn_ratio) >= 0:
            notes.append(f"实际完成值为目标的 {ratio:.0%}，指标值设置可能偏低")
            if p.indicator.over_target_policy == "deduct":
                deducted = p.indicator.over_target_deduct_points
                raw = w - deducted
    else:
        if a == 0:  # b < 0 = a: no ratio to score by
            raise RuleInputError(f"正向指标的年度指标值为 0 而实际完成值为负数（{_fmt(b)}），无法按比例计分；请核对实际完成值", cell=cell)
        ratio = b / a
        raw = ratio * w
    score = _finish(raw, w, p)
    return Assessment(score, w, ratio, "positive", lambda: _positive_text(a, b, w, score, deducted),
                      warnings=tuple(notes))


def _positive_text(a: float, b: float, w: float, score: float, deducted: float | None) -> str:
    if compare15(b, a) >= 0:
        how = f"实际 {_fmt(b)} ≥ 目标 {_fmt(a)}，得满分"
        if deducted is not None:
            how += f"，超额过多扣 {_fmt(deducted)} 分"
    else:
        how = f"实际 {_fmt(b)} < 目标 {_fmt(a)}，得分 = {_fmt(b)}/{_fmt(a)} × {_fmt(w)}"
    return f"正向指标：{how} = {score:g}"


def _met_whatever_direction(target: object, actual: object, w: float, p: Profile) -> Assessment | None:
    """性质 and 方向 blank, numeric target: when the actual equals the target (100% / 100%, 75元 / 75元) every
    direction gives full marks, so the row scores without guessing one. None when they differ."""
    try:
        tq = parse_quantity(target, what="年度指标值")
        aq = parse_quantity(actual, what="实际完成值")
        a, b, notes = _align_percent(tq, aq, p, None)
    except (RuleInputError, NotApplicable):
        return None
    if a <= 0 or compare15(a, b) != 0:
        return None
    notes.append("指标性质和指标方向均为空；实际完成值等于年度指标值，正向、反向、等于均得满分")
    score = _finish(w, w, p)
    return Assessment(score, w, 1.0, "equal", lambda: f"指标方向未填：实际 {_fmt(b)} = 目标 {_fmt(a)}，得满分 = {score:g}",
                      warnings=tuple(notes))


def _text_reading(target: object, actual: object, p: Profile) -> QualReading | None:
    """The lexicon's reading of a text actual that is not a number, or None."""
    if not isinstance(actual, str) or _is_numeric(actual):
        return None
    reading = read_qualitative(actual, target, p.lexicon)
    return reading if isinstance(reading, QualReading) else None


def _overrun(a: float, b: float, w: float, p: Profile) -> float:
    """The 反向 score when the actual B exceeds the target A > 0, by the profile's negative_overrun."""
    if p.indicator.negative_overrun == "zero":
        return 0.0
    if p.indicator.negative_overrun == "linear":
        return max(0.0, (2 * a - b) / a) * w
    return a / b * w


def _negative(a: float, b: float, w: float, p: Profile, notes: list[str], cell: str | None) -> Assessment:
    if a < 0 or b < 0:
        raise RuleInputError(f"反向指标的数值不能为负数：目标 {_fmt(a)}，实际 {_fmt(b)}", cell=cell)
    ratio = None if a == 0 else b / a
    if b == 0:
        if p.indicator.negative_zero_actual == "half":
            raw, how = w / 2, "实际完成值为 0，按规则得一半分"
        else:
            raw, how = w, "实际完成值为 0，得满分"
        notes.append("反向指标实际完成值为 0，请核实是否真实为 0")
    elif compare15(b, a) <= 0:
        raw, how = w, f"实际 {_fmt(b)} ≤ 目标 {_fmt(a)}，得满分"
    elif p.indicator.negative_overrun == "zero":
        raw, how = 0.0, f"实际 {_fmt(b)} 超过目标 {_fmt(a)}，不得分"
    elif p.indicator.negative_overrun == "linear":
        raw = 0.0 if a == 0 else _overrun(a, b, w, p)
        how = f"实际 {_fmt(b)} 超过目标 {_fmt(a)}，得分 = (2×{_fmt(a)} − {_fmt(b)})/{_fmt(a)} × {_fmt(w)}"
    else:
        raw, how = _overrun(a, b, w, p), f"实际 {_fmt(b)} 超过目标 {_fmt(a)}，得分 = {_fmt(a)}/{_fmt(b)} × {_fmt(w)}"
    score = _finish(raw, w, p)
    return Assessment(score, w, ratio, "negative", lambda: f"反向指标：{how} = {score:g}", warnings=tuple(notes))


def _equal(a: float, b: float, w: float, p: Profile, notes: list[str], cell: str | None) -> Assessment:
    ratio = None if a == 0 else b / a
    cmp = compare15(b, a)
    if cmp == 0:
        raw, how = w, f"实际 {_fmt(b)} = 目标 {_fmt(a)}，得满分"
    elif cmp < 0:
        if a <= 0:
            raise RuleInputError(f"等于型指标的年度指标值应大于 0：{_fmt(a)}", cell=cell)
        raw, how = b / a * w, f"实际 {_fmt(b)} < 目标 {_fmt(a)}，得分 = {_fmt(b)}/{_fmt(a)} × {_fmt(w)}"
    elif p.indicator.equal_over == "two_sided" and a > 0:
        raw = max(0.0, 1 - (b - a) / a) * w
        how = f"实际 {_fmt(b)} 偏离目标 {_fmt(a)}，得分 = (1 − 偏差率) × {_fmt(w)}"
    else:
        raw, how = w, f"实际 {_fmt(b)} 超过目标 {_fmt(a)}，按等于型得满分"
        notes.append(f"等于型指标实际 {_fmt(b)} 超过目标 {_fmt(a)}，请核实")
    score = _finish(raw, w, p)
    return Assessment(score, w, ratio, "equal", lambda: f"等于型指标：{how} = {score:g}", warnings=tuple(notes))


def qual_band(level: str, profile: ProfileLike = None) -> tuple[float, float]:
    """The score range [lo, hi] of 分值 fractions for a qualitative level (upper bound open except 达成)."""
    p = _profile(profile)
    if level not in QUAL_LEVELS:
        raise RuleInputError(f"未知的定性完成程度「{level}」（应为 达成/部分达成/未达成）")
    return p.qualitative.bands[level]


def level_of_fraction(fraction: float, profile: ProfileLike = None) -> str:
    """Which band a score fraction (得分/分值) falls in."""
    p = _profile(profile)
    for level in QUAL_LEVELS:
        lo, hi = p.qualitative.bands[level]
        if compare15(fraction, lo) >= 0 and (compare15(fraction, hi) < 0 or (level == "达成" and compare15(fraction, hi) <= 0)):
            return level
    return "达成" if fraction > 1 else "未达成"


def _assess_qualitative(target: object, actual: object, w: float, p: Profile, cell: str | None) -> Assessment:
    reading = read_qualitative(actual, target, p.lexicon)
    if isinstance(reading, _Refusal):
        reading.raise_at(cell)
    return _qual_assessment(reading, w, p, [], "qualitative")


def _qual_assessment(reading: QualReading, w: float, p: Profile, notes: list[str], rule_id: str) -> Assessment:
    """A qualitative reading scored: a written degree ("85%") is the filler's judgement of the share of 分值;
    a level scores the profile's default fraction inside its band."""
    if reading.fraction is not None:
        degree = reading.fraction
        level = level_of_fraction(degree, p)
        score = _finish(degree * w, w, p)
        return Assessment(score, w, degree, rule_id, lambda: f"定性指标：完成程度 {degree:.0%}（{level}），得分 {score:g}",
                          band=level, warnings=tuple(notes))
    level = reading.level
    fraction = p.qualitative.default_fraction[level]
    score = _finish(fraction * w, w, p)
    lo, hi = p.qualitative.bands[level]
    how = f"（{reading.how}）" if reading.how else ""
    text = lambda: f"定性指标：{level}{how}（档位 {lo:.0%}–{hi:.0%}），默认按 {fraction:.0%} × {_fmt(w)} = {score:g}"  # noqa: E731
    return Assessment(score, w, fraction, rule_id, text, band=level, warnings=tuple(notes))


# ---------------------------------------------------------------- completion deadlines


def _deadline_target(nature: object, operator: object, target: object) -> TimePoint | None:
    """The deadline a target names: always when written as one ("9月前", "9月底前完成"); a bare date ("9月") unless
    the row says 正向/≥/> (then the old numeric reading stays)."""
    hit = parse_deadline(target)
    if hit is None:
        return None
    point, explicit = hit
    if explicit:
        return point
    try:
        n, op = parse_nature(nature), parse_operator(operator)
    except RuleInputError:
        return None
    return None if n == "positive" or op in (">=", ">") else point


def _assess_deadline(point: TimePoint, nature: object, operator: object, target: object, actual: object, w: float,
                     p: Profile, cell: str | None) -> Assessment:
    """A completion deadline is a 反向 comparison of time points: on or before it → full marks."""
    notes: list[str] = []
    try:
        n, op = parse_nature(nature), parse_operator(operator)
    except RuleInputError:
        n, op = None, None
    if n == "positive" or op in (">=", ">"):
        notes.append(f"年度指标值「{target}」是完成期限，按期限计分（不晚于期限得满分），与指标性质/方向不符，请核实")
    if is_blank(actual):
        raise RuleInputError("实际完成值为空，无法计算时效指标得分", cell=cell)
    done = parse_time_point(actual)
    if done is None:
        reading = read_qualitative(actual, target, p.lexicon)
        if isinstance(reading, _Refusal):
            if reading.error is NotApplicable:
                reading.raise_at(cell)
            raise RuleInputError(f"实际完成值「{actual}」不是完成时间（如 7月、7月完成、2024年7月15日），也不是完成情况"
                                 f"（如 按时完成、提前完成、未完成），无法与期限「{target}」比较", cell=cell)
        return _qual_assessment(reading, w, p, notes, "deadline")
    base = base_year_of(point, done)
    a = day_position(point, base, month_before=p.deadline.month_before)
    b = day_position(done, base)
    same_month = done.day is None and point.day is not None and (done.year or base, done.month) == (point.year or base, point.month)
    if same_month:
        notes.append(f"实际完成时间「{actual}」只写到月，与期限「{target}」同月，按按时完成计，请核实具体日期")
    if b <= a or same_month:
        raw, how = w, f"完成时间 {done.label()} 不晚于期限 {point.label()}{'前' if point.before else ''}，得满分"
    elif p.deadline.late == "zero":
        raw, how = 0.0, f"完成时间 {done.label()} 晚于期限 {point.label()}，不得分"
    elif p.deadline.late == "partial":
        frac = p.qualitative.default_fraction["部分达成"]
        raw, how = frac * w, f"完成时间 {done.label()} 晚于期限 {point.label()}，按部分达成 {frac:.0%} × {_fmt(w)}"
    else:
        raw = _overrun(a, b, w, p)
        how = (f"完成时间 {done.label()}（第 {b} 天）晚于期限 {point.label()}（第 {a} 天），按反向指标规则"
               f"（{p.indicator.negative_overrun}）计分")
    score = _finish(raw, w, p)
    return Assessment(score, w, b / a, "deadline", lambda: f"时效指标：{how} = {score:g}", warnings=tuple(notes))


# ---------------------------------------------------------------- survey, cost, totals, grade


def assess_satisfaction(counts: Sequence[object], weight: object, profile: ProfileLike = None, *, cell: str | None = None) -> Assessment:
    """Survey counts (非常满意, 比较满意, 一般满意, 不太满意, 不满意) -> score (10×80.75/91 = 8.87)."""
    p = _profile(profile)
    w = _weight(weight, cell)
    labels = ("非常满意", "比较满意", "一般满意", "不太满意", "不满意")
    if len(counts) != 5:
        raise RuleInputError(f"满意度调查应有 5 档人数，实际为 {len(counts)} 档", cell=cell)
    numbers = []
    for label, raw in zip(labels, counts):
        n = 0.0 if is_blank(raw) else parse_quantity(raw, what=f"「{label}」人数", cell=cell).value
        if n < 0:
            raise RuleInputError(f"「{label}」人数不能为负数：{_fmt(n)}", cell=cell)
        numbers.append(n)
    total = sum(numbers)
    if total <= 0:
        raise RuleInputError("满意度调查有效人数为 0，无法计算", cell=cell)
    if p.satisfaction.method == "satisfied_share":
        k = p.satisfaction.satisfied_levels
        share = sum(numbers[:k]) / total
        text = f"满意度 = 满意人数 {_fmt(sum(numbers[:k]))} / 有效人数 {_fmt(total)}"
    else:
        share = sum(n * lw for n, lw in zip(numbers, p.satisfaction.level_weights)) / total
        text = f"满意度 = Σ人数×档位权重 / 有效人数 = {share:.4f}"
    score = _finish(share * w, w, p)
    return Assessment(score, w, share, "satisfaction", lambda: f"{text}，得分 = {share:.4f} × {_fmt(w)} = {score:g}")


def score_satisfaction(very: object, fairly: object, neutral: object, unhappy: object, very_unhappy: object, weight: object, profile: ProfileLike = None) -> float:
    return assess_satisfaction((very, fairly, neutral, unhappy, very_unhappy), weight, profile).score


def assess_cost_saving(planned: object, actual: object, weight: object, profile: ProfileLike = None, *, cell: str | None = None) -> Assessment:
    """成本节约率 = (计划成本 − 实际成本)/计划成本; ≥ 0 full, else (1 + rate) × 分值, floor 0."""
    p = _profile(profile)
    w = _weight(weight, cell)
    plan = parse_quantity(planned, what="计划成本", cell=cell).value
    cost = parse_quantity(actual, what="实际成本", cell=cell).value
    if plan <= 0:
        raise RuleInputError(f"计划成本应大于 0：{_fmt(plan)}", cell=cell)
    if cost < 0:
        raise RuleInputError(f"实际成本不能为负数：{_fmt(cost)}", cell=cell)
    rate = (plan - cost) / plan
    raw = w if compare15(rate, 0) >= 0 else (1 + rate) * w
    score = _finish(raw, w, p)
    text = lambda: f"成本节约率 = ({_fmt(plan)} − {_fmt(cost)})/{_fmt(plan)} = {rate:.2%}，得分 {score:g}"  # noqa: E731
    return Assessment(score, w, rate, "cost_saving", text)


def score_cost_saving(planned: object, actual: object, weight: object, profile: ProfileLike = None) -> float:
    return assess_cost_saving(planned, actual, weight, profile).score


def total_score(scores: Sequence[float]) -> float:
    """总分 = Σ of the (already rounded) item scores, held at 15 significant digits."""
    return sum15(scores)


def rescaled_total(items: Sequence[tuple[float, float | None]], profile: ProfileLike = None) -> float:
    """Total when some rows are 不适用 (score None): by profile, rescale the rest to 100 or drop the weight."""
    p = _profile(profile)
    applicable = [(w, s) for w, s in items if s is not None]
    raw = total_score([s for _, s in applicable])
    if p.total.not_applicable == "drop_weight" or len(applicable) == len(items):
        return raw
    kept = sum15(w for w, _ in applicable)
    full = sum15(w for w, _ in items)
    if kept <= 0:
        raise RuleInputError("所有指标均为「不适用」，无法计算总分")
    return excel_round(raw * full / kept, p.decimals)


def grade(total: object, profile: ProfileLike = None, *, cell: str | None = None) -> str:
    """评价等级 from the total: 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 (bounds inclusive, compared at 15 digits)."""
    p = _profile(profile)
    value = parse_quantity(total, what="总分", cell=cell).value
    if value < 0 or compare15(value, p.grade_max_total) > 0:
        raise RuleInputError(f"总分应在 0–{_fmt(p.grade_max_total)} 之间（含加分项），实际为 {_fmt(value)}", cell=cell)
    for name, low in p.grade_bands:
        if compare15(value, low) >= 0:
            return name
    return p.grade_bands[-1][0]
