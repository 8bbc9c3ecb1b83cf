"""The rule classes of issue 14 that gave #VALUE! where published forms had a number: completion deadlines,
a funds row of 0 budget and 0 spent, totals above 100 (加分项), 好/优 against a descriptive target."""

import pytest

from perfscore.rules import (
    NotApplicable,
    ProfileError,
    RuleInputError,
    assess_exec_rate,
    assess_indicator,
    grade,
    load_profile,
    profile_from_dict,
    score_indicator,
)
from perfscore.rules.deadlines import day_position, parse_deadline, parse_time_point


@pytest.mark.parametrize(
    "nature, operator, target, actual, weight, expected, source",
    [
        ("定性", "", "9月前", "7月", 2, 2.0, "[I14] 目标 9月前, 实际 7月"),
        ("", "", "9月底前完成", "7月完成", 2, 2.0, "[I14] 9月底前完成 / 7月完成"),
        ("反向", "≤", "2024年9月30日前", "2024年7月15日", 3, 3.0, "[I14] full date"),
        ("", "", "9月前", "提前完成", 2, 2.0, "[I14] 提前完成"),
        ("", "", "9月前", "按时完成", 2, 2.0, "completion statement"),
        ("", "", "9月前", "9月", 2, 2.0, "the deadline month itself (9月前 = by 30 September)"),
        ("", "", "年底前", "12月", 2, 2.0, "年底前"),
        ("", "", "三季度末前", "8月", 2, 2.0, "quarter"),
        ("反向", "≤", "10月份前", "十月", 2, 2.0, "Chinese numeral month"),
        ("定性", "", "9月前", "12月", 4, 2.99, "late: 反向 ratio of day positions 273/365 × 4"),
        ("反向", "≤", "9月", "10月", 2, 1.8, "late by a month: 273/304 × 2"),
        ("", "", "9月前", "延期完成", 2, 1.4, "[D] 延期完成 → 部分达成 70%"),
        ("", "", "9月前", "未完成", 2, 0.6, "未完成 → 未达成 30%"),
    ],
)
def test_deadlines_are_a_time_comparison(nature, operator, target, actual, weight, expected, source):
    a = assess_indicator(nature, operator, target, actual, weight)
    assert a.score == expected, source
    assert a.rule_id == "deadline"


def test_deadline_written_against_a_positive_direction_warns():
    a = assess_indicator("正向", "≥", "9月前", "7月", 2)
    assert a.score == 2.0 and any("完成期限" in w for w in a.warnings)
    # a bare month with 正向/≥ keeps the numeric reading (it may be a count of months)
    assert assess_indicator("正向", "≥", "9月", "7月", 2).rule_id == "positive"


def test_same_month_without_a_day_is_on_time_with_a_note():
    a = assess_indicator("", "", "9月30日前", "9月", 2)
    assert a.score == 2.0 and any("只写到月" in w for w in a.warnings)


def test_deadline_profile_keys(tmp_path):
    start = profile_from_dict({"name": "s", "deadline": {"month_before": "start_of_month"}})
    assert score_indicator("", "", "9月前", "9月", 2, start) < 2  # 9月前 = by 31 August there
    assert score_indicator("", "", "9月前", "8月", 2, start) == 2
    zero = profile_from_dict({"name": "z", "deadline": {"late": "zero"}})
    assert score_indicator("", "", "9月前", "10月", 2, zero) == 0
    partial = profile_from_dict({"name": "p", "deadline": {"late": "partial"}})
    assert score_indicator("", "", "9月前", "10月", 2, partial) == 1.4
    with pytest.raises(ProfileError, match="deadline.late"):
        profile_from_dict({"name": "bad", "deadline": {"late": "half"}})


def test_unreadable_actual_against_a_deadline_says_what_to_write():
    with pytest.raises(RuleInputError) as err:
        assess_indicator("", "", "9月前", "还在做", 2, cell="表!H7")
    assert "表!H7" in str(err.value) and "7月" in err.value.message and "按时完成" in err.value.message
    with pytest.raises(RuleInputError, match="实际完成值为空"):
        assess_indicator("", "", "9月前", None, 2)


@pytest.mark.parametrize(
    "text, month, day, explicit",
    [("9月前", 9, None, True), ("9月底前完成", 9, None, True), ("2024年9月30日前", 9, 30, True),
     ("年底前", 12, None, True), ("第三季度前", 9, None, True), ("9月", 9, None, False), ("10月中旬前", 10, 20, True)],
)
def test_deadline_texts(text, month, day, explicit):
    point, is_explicit = parse_deadline(text)
    assert (point.month, point.day, is_explicit) == (month, day, explicit)


def test_not_deadlines():
    for text in ("≥95%", "2910条", "有效", "13月前", "9月31日前", "", None, 9):
        assert parse_deadline(text) is None
    assert parse_time_point("有效") is None and parse_time_point("2024年7月15日").day == 15


def test_day_positions():
    point, _ = parse_deadline("2024年9月30日前")
    assert day_position(point, 2024) == 274  # a leap year
    assert day_position(parse_deadline("9月前")[0], 2023, month_before="start_of_month") == 243  # 31 August


# ---------------------------------------------------------------- 0 budget, 0 spent


def test_zero_budget_zero_spent_scores_zero_with_a_warning():
    a = assess_exec_rate(0, 0, 10)  # [I14] published score 0
    assert a.score == 0 and a.ratio is None and any("预算数为 0" in w for w in a.warnings)
    assert assess_exec_rate("0", "0.00", 10).score == 0  # numbers stored as text


@pytest.mark.parametrize("policy, expected", [("zero", 0.0), ("full", 10.0)])
def test_zero_budget_policy(policy, expected):
    p = profile_from_dict({"name": "x", "exec_rate": {"zero_budget": policy}})
    assert assess_exec_rate(0, 0, 10, p).score == expected


def test_zero_budget_refuse_and_not_applicable():
    with pytest.raises(RuleInputError, match="全年预算数为 0"):
        assess_exec_rate(0, 0, 10, profile_from_dict({"name": "x", "exec_rate": {"zero_budget": "refuse"}}))
    with pytest.raises(NotApplicable):
        assess_exec_rate(0, 0, 10, profile_from_dict({"name": "x", "exec_rate": {"zero_budget": "not_applicable"}}))
    with pytest.raises(RuleInputError, match="全年预算数为 0"):
        assess_exec_rate(0, 5, 10)  # money spent without a budget is always refused
    assert load_profile("central").exec_rate.zero_budget == "zero"


# ---------------------------------------------------------------- totals above 100


@pytest.mark.parametrize("total, expected", [(110, "优"), (105.5, "优"), (120, "优"), (100, "优")])
def test_grade_accepts_totals_with_bonus_items(total, expected):
    assert grade(total) == expected  # [I14] weights adding up to 110 with 加分项


def test_grade_max_total_is_a_profile_key():
    with pytest.raises(RuleInputError, match="0–120"):
        grade(120.01)
    strict = profile_from_dict({"name": "x", "grade": {"max_total": 100}})
    with pytest.raises(RuleInputError, match="0–100"):
        grade(110, strict)
    assert strict.grade_bands == load_profile("central").grade_bands  # max_total alone keeps the bands
    with pytest.raises(ProfileError, match="grade.max_total"):
        profile_from_dict({"name": "x", "grade": {"max_total": 90}})
    with pytest.raises(ProfileError, match="max_total"):
        profile_from_dict({"name": "x", "grade": {"maximum": 110}})


# ---------------------------------------------------------------- 好/优 against a descriptive target


@pytest.mark.parametrize("actual, expected", [("好", 3.0), ("优", 3.0), ("一般", 2.1), ("差", 0.9)])
def test_evaluation_words_against_a_descriptive_target(actual, expected):
    assert score_indicator("定性", "", "群众满意度提升", actual, 3) == expected


# ---------------------------------------------------------------- 性质/方向 blank, actual = target

FULL = profile_from_dict({"name": "met", "indicator": {"blank_direction_met": "full"}})
REFUSE = profile_from_dict({"name": "strict", "indicator": {"blank_direction_met": "refuse"}})


@pytest.mark.parametrize(
    "target, actual, weight, source",
    [("100%", "100%", 15, "[C] p-jishan-2020"), ("75元", "75元", 10, "[C] p-jishan-2020"), (1, 1, 10, "[C] p-tianchang-2022"),
     ("20万元", "20万元", 10, "[C] p-zhongjiang-2022"), ("95%", "95%", 30, "[C] p-jishan-2020")],
)
def test_blank_direction_with_the_target_met_exactly_is_full(target, actual, weight, source):
    with pytest.raises(RuleInputError, match="无法判断按正向还是反向计分"):
        assess_indicator(None, None, target, actual, weight, REFUSE)  # refuse: no direction is guessed
    for profile in (FULL, None):  # central's documented default is "full"
        a = assess_indicator(None, None, target, actual, weight, profile)
        assert a.score == weight and a.warnings, source


@pytest.mark.parametrize("target, actual", [(8755, 8676), ("90%", "100%"), (0, 0)])
def test_blank_direction_otherwise_stays_refused(target, actual):
    with pytest.raises(RuleInputError, match="无法判断按正向还是反向计分"):
        assess_indicator(None, None, target, actual, 10, FULL)


def test_positive_with_zero_target_and_negative_actual_is_a_refusal_not_a_crash():
    from perfscore.excel_functions import evaluate

    out = evaluate("SCORE_INDICATOR", ("正向", "≥", 0, -1, 2))
    assert out.is_error and out.value.code == "#VALUE!" and "年度指标值为 0" in out.reason


def test_direction_less_numeric_row_is_a_typed_refusal():
    """Neither 性质 nor 方向, a numeric target missed: DirectionMissing (a RuleInputError, #VALUE! in a cell), so
    callers tell it from an unreadable value by type, not by its message; cached refusals keep the type."""
    import pytest as _pytest

    from perfscore.rules import DirectionMissing, RuleInputError, assess_indicator

    for _ in range(2):  # the second call comes from the parser caches
        with _pytest.raises(DirectionMissing) as caught:
            assess_indicator(None, None, "2910人", "2850人", 10, cell="Sheet1!G9")
        assert isinstance(caught.value, RuleInputError) and caught.value.code == "RULE_NO_DIRECTION"
    with _pytest.raises(RuleInputError) as other:
        assess_indicator("正向", None, "2910人", "很多", 10)
    assert not isinstance(other.value, DirectionMissing)
