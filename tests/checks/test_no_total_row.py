"""A form with no total row (a page cut off before 满意度指标 and 总分) is not held to Σ分值 = 100 as an error:
there is nothing printed to disagree with, so it is a 警告; a group that disagrees with its printed weight stays
an error, and a form with a total row keeps the 错误. Rows of the published 棠溪镇 委托业务项目 2022 form."""

from __future__ import annotations

import openpyxl
import pytest

from perfscore.checks.files import check_file
from perfscore.checks.findings import ERROR, WARNING

# (一级指标 label, 二级指标, 三级指标, 年度指标值, 实际完成值, 分值, 得分) as printed; 满意度指标(10分) cut off
ROWS = (("产出指标(50分)", "数量指标", "基建工程委托业务项目数量", "≥50个", "50", 8, 8),
        ("产出指标(50分)", "质量指标", "委托业务报告合格率", "≥100百分比", "100", 8, 8),
        ("产出指标(50分)", "质量指标", "经费支出合规性", "严格执行相关制度规定", "达成预期指标", 8, 8),
        ("产出指标(50分)", "时效指标", "提交报告及时性", "在项目计划完成时间内完成", "达成预期指标", 8, 8),
        ("产出指标(50分)", "成本指标", "项目总成本", "≤90万元", "90", 8, 8),
        ("产出指标(50分)", "成本指标", "单项业务成本", "符合相关规定", "达成预期指标", 10, 10),
        ("效益指标(30分)", "社会效益指标", "对维护基建市场公平的影响程度", "效果明显", "达成预期指标", 10, 10),
        ("效益指标(30分)", "生态效益指标", "对控制基建项目成本影响程度", "效果明显", "达成预期指标", 10, 10),
        ("效益指标(30分)", "可持续影响指标", "对推动基建项目“四项制度”健全和落实的持续性影响", "效果明显",
         "达成预期指标", 10, 10))


def _form(path, rows=ROWS, total=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    ws["A1"] = "项目支出绩效自评表"
    ws["A2"], ws["C2"] = "项目名称", "委托业务项目"
    for c, lab in enumerate(("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                             "偏差原因分析及改进措施"), start=1):
        ws.cell(4, c, lab)
    for i, row in enumerate(rows):
        for c, v in enumerate(row, start=1):
            ws.cell(5 + i, c, v)
    if total is not None:
        r = 5 + len(rows)
        ws.cell(r, 1, "总分")
        ws.cell(r, 6, sum(x[5] for x in rows))
        ws.cell(r, 7, total)
    wb.save(path)
    return path


def _weight_sum(findings):
    return [f for f in findings if f.code == "WEIGHT_SUM"]


def test_no_total_row_sum_below_100_is_a_warning(tmp_path):
    found = _weight_sum(check_file(_form(tmp_path / "cut.xlsx")))
    assert [f.severity for f in found] == [WARNING], [(f.severity, f.message) for f in found]
    assert "没有总分行" in found[0].message and "80" in found[0].message


def test_no_total_row_group_off_its_label_is_still_an_error(tmp_path):
    rows = list(ROWS)
    rows[0] = rows[0][:5] + (9, 8)  # 产出指标 now 51 under its printed 50
    errors = [f for f in _weight_sum(check_file(_form(tmp_path / "g.xlsx", rows))) if f.severity == ERROR]
    assert len(errors) == 1 and "产出指标" in errors[0].message and "51" in errors[0].message


@pytest.mark.parametrize("total", [80])
def test_with_a_total_row_the_sum_is_an_error(tmp_path, total):
    errors = [f for f in _weight_sum(check_file(_form(tmp_path / "t.xlsx", total=total))) if f.severity == ERROR]
    assert len(errors) == 1 and "应为 100" in errors[0].message
