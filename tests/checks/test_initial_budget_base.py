"""A funds block that prints 年初预算数(A) and 全年执行数(B) only (执行率 = B/A, no 全年预算数 column) is checked
against its 年初预算数: the rate and the execution score are not left unchecked. Amounts of the published
济南市历城区文化馆 2019 form (45 / 45, 分值 10, 执行率 100%, 得分 10)."""

from __future__ import annotations

import openpyxl
import pytest

from perfscore.checks.files import check_file
from perfscore.checks.findings import ERROR


def _form(path, *, spent=45, rate=1.0, score=10, budget=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "区级部门预算项目支出绩效自评表"
    ws["A2"], ws["C2"] = "项目名称", "商品和服务支出"
    heads = ["项目预算执行情况（10分）", "", "年初预算数(A)"] + (["全年预算数"] if budget is not None else []) + [
        "全年执行数(B)", "分值", "执行率(B/A)", "得分"]
    for c, v in enumerate(heads, start=1):
        if v:
            ws.cell(3, c, v)
    amounts = [45] + ([budget] if budget is not None else []) + [spent, 10, rate, score]
    ws.cell(4, 2, "年度资金总额")
    for c, v in enumerate(amounts, start=3):
        ws.cell(4, c, v)
    ws.cell(5, 2, "其中:财政拨款")
    ws.cell(5, 3, 45)
    ws.cell(5, 4 + (budget is not None), spent)
    for c, v in enumerate(("一级指标", "二级指标", "三级指标", "预期指标值(A)", "实际完成指标值(B)", "分值", "得分"), start=1):
        ws.cell(7, c, v)
    rows = (("产出指标（50分）", "数量指标", "全年免费开放", "100%", "100%", 12.5, 12.5),
            ("产出指标（50分）", "质量指标", "免费开放管理制度健全、执行有效性", "100%", "100%", 12.5, 12.5),
            ("产出指标（50分）", "时效指标", "免费开放率", "100%", "100%", 12.5, 12.5),
            ("产出指标（50分）", "成本指标", "实际成本与工作内容的匹配程度", "45万", "45万", 12.5, 12.5))
    for r, row in enumerate(rows, start=8):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)
    wb.save(path)
    return path


def _codes(findings, code):
    return [f for f in findings if f.code == code]


def test_published_block_is_clean(tmp_path):
    found = check_file(_form(tmp_path / "ok.xlsx"))
    assert not _codes(found, "SCORE_DIFFERS_FROM_RULE") and not _codes(found, "EXEC_RATE_MISMATCH"), found


def test_score_off_the_rate_is_found_against_the_initial_budget(tmp_path):
    found = check_file(_form(tmp_path / "s.xlsx", spent=40.5, rate=0.9, score=10))
    rule = [f for f in _codes(found, "SCORE_DIFFERS_FROM_RULE") if f.severity == ERROR]
    assert len(rule) == 1 and "应为 9" in rule[0].message and "年初预算数" in rule[0].message, found


def test_wrong_printed_rate_is_found(tmp_path):
    found = check_file(_form(tmp_path / "r.xlsx", spent=40.5, rate=0.95, score=9))
    assert [f for f in _codes(found, "EXEC_RATE_MISMATCH") if f.severity == ERROR], found


@pytest.mark.parametrize("budget", [50])
def test_a_printed_full_year_budget_stays_the_base(tmp_path, budget):
    """With a 全年预算数 column the central base is used: 45/50 = 90% scores 9, so the printed 10 is off."""
    found = check_file(_form(tmp_path / "b.xlsx", spent=45, rate=0.9, score=10, budget=budget))
    rule = _codes(found, "SCORE_DIFFERS_FROM_RULE")
    assert len(rule) == 1 and "应为 9" in rule[0].message and "年初预算数" not in rule[0].message, found
