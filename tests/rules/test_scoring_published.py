"""Table-driven cases from published forms and the published numbers in DOMAIN.md §2."""

import pytest

from perfscore.rules import (
    RuleInputError,
    assess_exec_rate,
    assess_indicator,
    grade,
    score_cost_saving,
    score_exec_rate,
    score_indicator,
    score_satisfaction,
)


@pytest.mark.parametrize(
    "nature, operator, target, actual, weight, expected, source",
    [
        ("正向", "≥", 19, 17, 2, 1.79, "DOMAIN §2 [F][S] 17/19×2"),
        ("正向", "≥", 242, 189, 2, 1.56, "DOMAIN §2 [F][S] 189/242×2"),
        ("正向", "大于等于", "2910条", "3000条", 5, 5.0, "target met"),
        ("", "≥", "≥95%", "96%", 5, 5.0, "percent target met"),
        ("", "", "≥95%", "90%", 5, 4.74, "operator inside the target: 0.90/0.95×5"),
        ("正向", "", "98%以上", "96%", 5, 4.9, "98%以上"),
        ("", "=", "100", "80", 3, 2.4, "DOMAIN §2 [V][S] =100 with 80 → 2.4 of 3"),
        ("", "＝", "100%", "100%", 3, 3.0, "full-width ="),
        ("反向", "≤", "5%", "4%", 4, 4.0, "反向 within target"),
        ("反向", "≤", "5%", "8%", 4, 2.5, "反向 overrun: A/B×分值"),
        ("反向", "不超过", 10, 0, 4, 4.0, "反向 B=0: full (with warning)"),
        ("定性", "", "有效保障", "有效保障", 6, 6.0, "[S] 有效保障 → 有效保障 6/6"),
        ("定性", "", "充分", "达成预期目标", 2, 2.0, "examples/001 row 1"),
        ("定性", "", "正常", "部分达成预期目标并具有一定效果", 3, 2.1, "default 70% inside 部分达成"),
        ("定性", "", "正常", "未达成预期目标且效果较差", 3, 0.9, "default 30% inside 未达成"),
        ("定性", "", "合规", "85%", 4, 3.4, "judgement given as a degree"),
        ("", "", "满足", "达成预期目标", 10, 10.0, "blank nature and operator, text target → 定性"),
    ],
)
def test_indicator_rows(nature, operator, target, actual, weight, expected, source):
    assert score_indicator(nature, operator, target, actual, weight) == expected, source


def test_exec_rate_published():
    assert score_exec_rate(3000, 932.92, 10) == 3.11  # DOMAIN §2 [F][S]
    assert score_exec_rate("3000", "932.92", "10") == 3.11  # numbers stored as text
    over = assess_exec_rate(100, 120, 10)
    assert over.score == 10 and any("超过预算数" in w for w in over.warnings)
    low = assess_exec_rate(6091.91, 5959.46, 10)  # examples/004 department budget, 97.83%
    assert low.score == 9.78 and not low.warnings


def test_exec_rate_below_90_asks_for_reason():
    a = assess_exec_rate(100, 60.25, 10)
    assert a.score == 6.03 and any("须说明原因" in w for w in a.warnings)


def test_satisfaction_survey_published():
    # 91 answers whose weighted sum is 80.75: 10 × 80.75 / 91 = 8.87 (DOMAIN §2 [S])
    assert score_satisfaction(70, 11, 5, 0, 5, 10) == 8.87
    assert score_satisfaction(70, 11, 5, None, 5, 10) == 8.87  # blank count = 0


def test_cost_saving_published():
    assert score_cost_saving(100, 92.84, 5) == 5.0  # saving 7.16% → full
    assert score_cost_saving(100, 110, 5) == 4.5  # overrun 10% → (1 − 0.1) × 5
    assert score_cost_saving(100, 250, 5) == 0.0  # floor 0


@pytest.mark.parametrize(
    "total, expected",
    [(90, "优"), (89.99, "良"), (80, "良"), (79.99, "中"), (60, "中"), (59.99, "差"), (0, "差"), (98.5, "优"), (91.66, "优")],
)
def test_grade_bands(total, expected):
    assert grade(total) == expected


@pytest.mark.parametrize(
    "args, message",
    [
        (("正向", "≥", None, 17, 2), "年度指标值为空，无法计算正向指标得分"),
        (("正向", "≥", 19, None, 2), "实际完成值为空，无法计算正向指标得分"),
        (("正向", "≤", 19, 17, 2), "二者矛盾"),
        (("", "", 19, 17, 2), "无法判断按正向还是反向计分"),
        (("正向", "≥", "按照招标决定%", 17, 2), "不是数值"),
        (("正向", "≥", 19, 17, None), "分值为空"),
        (("定性", "", "充分", "还行", 2), "无法判断定性指标完成程度"),
    ],
)
def test_refusals_are_typed_and_chinese(args, message):
    with pytest.raises(RuleInputError) as err:
        assess_indicator(*args, cell="自评表!J12")
    assert message in str(err.value)
    assert "自评表!J12" in str(err.value)


def test_refusal_for_exec_rate_with_zero_budget():
    with pytest.raises(RuleInputError, match="全年预算数"):
        score_exec_rate(0, 10, 10)
