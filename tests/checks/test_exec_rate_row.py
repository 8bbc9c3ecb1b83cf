"""An indicator row that is the budget execution rate (预算执行率) with no 指标性质/方向 is scored as a
higher-is-better rate against its target (100% when the target is a dash), not refused as direction-less nor
read as a 定性 completion degree. Rows of the published 鄂州 市民中心运行维护费 2021 and 银川六中 初中公用经费
2021 forms."""

from __future__ import annotations

import pytest

from perfscore.checks.files import check_file
from perfscore.checks.findings import ERROR

from .books import write_indicator_form

HEADER = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")


def _form(path, rows):
    return write_indicator_form(path, HEADER, rows)


# (row under test, another real row of the same form so the sheet is a form of two indicators)
EZHOU = (("产出指标", "数量指标", "预算执行率", "100%", "83.5%", 20, 18, None),
         ("效益指标", "经济效益指标", "大厅运行正常率", "100%", "100%", 10, 10, None))
YINCHUAN = (("项目管理", "投入管理", "预算执行率", "—", "100%", 10, 9, None),
            ("项目产出", "数量指标", "保障人数", "2370人", "2370人", 10, 10, None))


def _at(findings, cell):
    return [f for f in findings if (f.cell or "").endswith(cell)]


def test_rate_below_target_is_scored_positive(tmp_path):
    found = check_file(_form(tmp_path / "e.xlsx", EZHOU))
    g4 = _at(found, "G4")
    assert not [f for f in _at(found, "D4") + _at(found, "E4") if f.code == "TEXT_NUMBER"], found
    rule = [f for f in g4 if f.code == "SCORE_DIFFERS_FROM_RULE"]
    assert len(rule) == 1 and rule[0].severity == ERROR
    assert "16.7" in rule[0].message and "正向" in rule[0].message and "预算执行率行未填" in rule[0].message


def test_dash_target_means_100_percent(tmp_path):
    found = check_file(_form(tmp_path / "y.xlsx", YINCHUAN))
    rule = [f for f in _at(found, "G4") if f.code == "SCORE_DIFFERS_FROM_RULE"]
    assert len(rule) == 1 and "应为 10" in rule[0].message and "按 100%" in rule[0].message
    assert "定性" not in rule[0].message


@pytest.mark.parametrize("score", [20])
def test_full_rate_full_marks_is_clean(tmp_path, score):
    rows = ((*EZHOU[0][:4], "100%", 20, score, None), EZHOU[1])
    found = check_file(_form(tmp_path / "f.xlsx", rows))
    assert not [f for f in _at(found, "G4") + _at(found, "D4") if f.code in ("SCORE_DIFFERS_FROM_RULE", "TEXT_NUMBER")]


def test_a_row_with_its_direction_is_left_as_written(tmp_path):
    """指标方向 printed (≤ on a rate is odd but is what the form says): the printed direction is used."""
    rows = (("产出指标", "数量指标", "预算执行率", "≤100%", "83.5%", 20, 20, None), EZHOU[1])
    found = check_file(_form(tmp_path / "n.xlsx", rows))
    assert not [f for f in _at(found, "G4") if f.code == "SCORE_DIFFERS_FROM_RULE"]
