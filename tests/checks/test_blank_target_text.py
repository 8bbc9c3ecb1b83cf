"""A row whose 年度指标值 is blank or printed "—" and whose 实际完成值 describes what was done (银川市第六中学
初中公用经费 2021: 完整性 "目标明确、内容细化、目标量化", 财务管理制度有效性 "财务制度健全,严格执行制度,会计核算规范") has
nothing to be compared with: the score is the evaluator's judgement. A 提示 says so; a 警告 asking for
达成/部分达成/未达成 would be a false alarm on a correct published form. With a target, an unreadable phrasing
stays a 警告."""

from __future__ import annotations

import re

import pytest

from perfscore.checks.files import check_file
from perfscore.checks.findings import NOTE, WARNING

from .books import write_indicator_form

HEADER = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")
OTHER = ("产出指标", "数量指标", "保障人数", "2370人", "2370人", 10, 10)


def _row5(path, row):
    found = check_file(write_indicator_form(path, HEADER, (OTHER, row)))
    return [f for f in found if f.code == "TEXT_NUMBER" and re.search(r"(^|!)[A-Z]+5$", f.cell or "")]


@pytest.mark.parametrize("target", ["—", None, "-"], ids=["dash", "blank", "hyphen"])
@pytest.mark.parametrize("actual", ["目标明确、内容细化、目标量化", "财务制度健全,严格执行制度,会计核算规范"])
def test_described_result_without_a_target_is_a_note(tmp_path, target, actual):
    text = _row5(tmp_path / "f.xlsx", ("项目决策", "项目目标", "完整性", target, actual, 4, 4))
    assert [f.severity for f in text] == [NOTE], [(f.severity, f.message) for f in text]
    assert "评价人判断" in text[0].message and actual in text[0].message


def test_unreadable_phrasing_against_a_target_stays_a_warning(tmp_path):
    text = _row5(tmp_path / "f.xlsx", ("项目决策", "项目目标", "完整性", "目标明确", "实际工作需求", 4, 4))
    assert [f.severity for f in text] == [WARNING], [(f.severity, f.message) for f in text]


def test_not_achieved_without_a_target_is_still_scored(tmp_path):
    """未达成 needs no target to be read: the 4 of 4 printed for it is out of its band."""
    found = check_file(write_indicator_form(tmp_path / "f.xlsx", HEADER,
                                            (OTHER, ("项目决策", "项目目标", "完整性", "—", "未达成", 4, 4))))
    assert any(f.code == "QUAL_SCORE_OUT_OF_BAND" for f in found), [(f.code, f.message) for f in found]
