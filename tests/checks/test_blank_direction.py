"""A row with neither 指标性质 nor 指标方向 (many published forms have no such column): when the printed score
is what one direction gives, nothing contradicts the form — a 提示 asking for the direction, not a 警告 that the
row cannot be scored; when no direction gives the printed score, a 提示 that the score is unverified if the
table has no 性质/方向 column at all, a 警告 if the columns are there and blank. Rows of published forms:
天长 水旱灾害防御 2022 (满意度 90% → 100%), 萧县 特色种养 2023 (成活率 95% → 100%), 廊坊食品工程学校 2019
(工程资金金额 43.2 → 37.24 scored 9 of 10)."""

from __future__ import annotations

import re

import pytest

from perfscore.checks.files import check_file
from perfscore.checks.findings import NOTE, WARNING

from .books import write_indicator_form

HEADER = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")
OTHER = ("产出指标", "质量指标", "工程质量合格", "合格", "合格", 10, 10)


def _form(path, row):
    return write_indicator_form(path, HEADER, (OTHER, row))


def _row5(findings, code):
    """Findings of `code` on the row under test (sheet row 5)."""
    return [f for f in findings if f.code == code and re.search(r"(^|!)[A-Z]+5$", f.cell or "")]


@pytest.mark.parametrize("row", [
    ("满意度指标", "服务对象满意度指标", "指标1:服务对象满意度", "90%", "100%", 10, 10),
    ("产出指标", "质量指标", "养殖家畜家禽成活率", "95%", "100%", 5, 5),
], ids=["tianchang", "xiaoxian"])
def test_score_agreeing_with_a_direction_is_a_note(tmp_path, row):
    found = check_file(_form(tmp_path / "f.xlsx", row))
    text = _row5(found, "DIRECTION_MISSING")
    assert [f.severity for f in text] == [NOTE], [(f.cell, f.severity, f.message) for f in found]
    assert "正向" in text[0].message and "请补填指标方向" in text[0].message
    assert not _row5(found, "SCORE_DIFFERS_FROM_RULE")


def test_score_no_direction_gives_without_direction_columns_is_an_unverified_note(tmp_path):
    """廊坊 prints no 指标性质/方向 column: the form is not wrong, the score (9, a judgement between 8.62 and 10)
    cannot be verified — a 提示 saying so, never a 警告 on a correct published form."""
    row = ("产出指标", "数量指标", "指标1工程资金金额", 43.2, 37.24, 10, 9)
    found = check_file(_form(tmp_path / "l.xlsx", row))
    text = _row5(found, "DIRECTION_MISSING")
    assert [f.severity for f in text] == [NOTE], [(f.cell, f.severity, f.message) for f in found]
    assert "得分未核验" in text[0].message and "没有指标性质/指标方向列" in text[0].message
    assert not [f for f in _row5(found, "SCORE_DIFFERS_FROM_RULE") + _row5(found, "TEXT_NUMBER")]


def test_score_no_direction_gives_with_blank_direction_cells_stays_a_warning(tmp_path):
    """With a 指标方向 column left blank on the row the form is incomplete: the 警告 stays."""
    header = ("一级指标", "二级指标", "三级指标", "指标方向", "年度指标值", "实际完成值", "分值", "得分")
    other = ("产出指标", "质量指标", "工程质量合格", "=", "合格", "合格", 10, 10)
    row = ("产出指标", "数量指标", "指标1工程资金金额", None, 43.2, 37.24, 10, 9)
    found = check_file(write_indicator_form(tmp_path / "w.xlsx", header, (other, row)))
    text = _row5(found, "DIRECTION_MISSING")
    assert [f.severity for f in text] == [WARNING], [(f.cell, f.severity, f.message) for f in found]
    assert "无法判断按正向还是反向" in text[0].message
