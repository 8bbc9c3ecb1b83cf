"""An actual that says an unwanted event did not happen ("无上访", "未发生安全事故") against an upper bound of a
count is 0 of the bound's unit, scored by the 反向 rule (保山 2022 春节维稳: 小于5次 → 无上访, 10 of 10).
Only there: against a lower bound, a percentage or with digits in the text it is refused as before."""

from __future__ import annotations

import pytest

from perfscore.excel_functions import call
from perfscore.rules import RuleInputError, assess_indicator, is_absence_row, load_profile


@pytest.mark.parametrize(("target", "actual", "weight", "score"), [
    ("小于5次", "无上访", 10, 10),  # 保山市退役军人事务局 2022, published 10
    ("≤3起", "未发生安全事故", 5, 5),
    ("不超过2次", "没有发生投诉", 4, 4),
    ("<1起", "零事故", 6, 6),
])
def test_absence_against_an_upper_bound_scores_as_zero(target, actual, weight, score):
    a = assess_indicator(None, None, target, actual, weight)
    assert a.score == score and a.rule_id == "negative"
    assert any(f"「{actual}」按 0" in w for w in a.warnings)
    assert is_absence_row(None, None, target, actual)


@pytest.mark.parametrize(("nature", "operator", "target", "actual"), [
    (None, None, "≥5次", "无培训"),          # a lower bound: 0 would be a guess at a missing value
    (None, None, "小于5次", "无法统计"),     # says nothing was counted
    (None, None, "≤5%", "无上访"),           # a rate, not a count
    (None, None, "小于5次", "无上访3次"),    # digits: a number the parser must read
    ("正向", None, "5次", "无上访"),
])
def test_absence_elsewhere_is_refused(nature, operator, target, actual):
    assert not is_absence_row(nature, operator, target, actual)
    with pytest.raises(RuleInputError):
        assess_indicator(nature, operator, target, actual, 10)


def test_the_excel_function_agrees_with_the_core():
    assert call("SCORE_INDICATOR", ("", "", "小于5次", "无上访", 10)) == assess_indicator(
        None, None, "小于5次", "无上访", 10).score == 10


def test_a_profile_can_remove_an_absence_word(tmp_path):
    path = tmp_path / "no-wu.toml"
    path.write_text('extends = "central"\nname = "no-wu"\n[lexicon]\nnot_absences = ["无上访"]\n', encoding="utf-8")
    p = load_profile(str(path))
    assert "无法" in p.lexicon.not_absences  # lists add up
    assert not is_absence_row(None, None, "小于5次", "无上访", p)
    with pytest.raises(RuleInputError):
        assess_indicator(None, None, "小于5次", "无上访", 10, p)
