"""Assessment.rule_text is built on first use: the text must say what the rule did, with the numbers."""

from perfscore.rules import assess_exec_rate, assess_indicator


def test_positive_under_target_names_the_division():
    a = assess_indicator("正向", "≥", "95%", "90%", 10)
    assert a.rule_text == "正向指标：实际 0.9 < 目标 0.95，得分 = 0.9/0.95 × 10 = 9.47"
    assert a.rule_text is a.rule_text  # built once


def test_positive_full_and_deducted():
    assert assess_indicator("正向", "≥", 2900, 2910, 5).rule_text == "正向指标：实际 2910 ≥ 目标 2900，得满分 = 5"
    deducted = assess_indicator("正向", "≥", 100, 300, 5, "seed002-strict")
    assert deducted.rule_text == "正向指标：实际 300 ≥ 目标 100，得满分，超额过多扣 0.5 分 = 4.5"


def test_other_rules_keep_their_text():
    assert assess_indicator("反向", "≤", 5, 8, 10).rule_text.startswith("反向指标：实际 8 超过目标 5")
    assert assess_exec_rate(3000, 932.92, 10).rule_text == (
        "预算执行率 932.92/3000 = 31.10%，得分 = min(执行率, 1) × 10 = 3.11")
    assert "定性指标：达成" in assess_indicator("定性", None, "有效保障", "有效保障", 5).rule_text
