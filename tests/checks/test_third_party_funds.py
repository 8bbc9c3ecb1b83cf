"""Third-party 评分表: 预算执行率 = 实际支出/到位资金 when the block gives 到位资金; a funds block of parts only
(no 年度资金总额 row) is not summed against one of its own parts."""

from __future__ import annotations

import openpyxl
import pytest

from perfscore.checks.files import check_file
from perfscore.forms import FormKind, read_forms
from perfscore.xlsx import read_grid

# examples/004-style rows in third-party columns (name, weight, score): the scores add up to the total
ROWS = (("决策", "项目立项", "立项依据充分性", 20, 20), ("过程", "资金管理", "资金到位率", 20, 18),
        ("产出", "产出数量", "实际完成率", 30, 28), ("效益", "社会效益", "服务对象满意度", 30, 27))


def _third_party(path, *, budget, arrived, spent, rate=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "评分表"
    ws["A1"] = "项目支出绩效评价评分表（第三方）"
    ws["A2"], ws["B2"] = "项目名称", "政务数据共享平台运维"
    labels = ["资金情况（万元）", "预算资金", "到位资金", "实际支出"] + (["执行率"] if rate is not None else [])
    for c, lab in enumerate(labels, start=1):
        ws.cell(3, c, lab)
    for c, v in enumerate((budget, arrived, spent) + ((rate,) if rate is not None else ()), start=2):
        ws.cell(4, c, v)
    for c, lab in enumerate(("一级指标", "二级指标", "三级指标", "分值", "得分"), start=1):
        ws.cell(6, c, lab)
    for i, row in enumerate(ROWS):
        for c, v in enumerate(row, start=1):
            ws.cell(7 + i, c, v)
    r = 7 + len(ROWS)
    ws.cell(r, 1, "合计")
    ws.cell(r, 4, sum(x[3] for x in ROWS))
    ws.cell(r, 5, sum(x[4] for x in ROWS))
    wb.save(path)
    return path


def _exec(findings):
    return [f for f in findings if f.code == "EXEC_RATE_MISMATCH"]


def test_the_book_reads_as_a_third_party_form_with_arrived(tmp_path):
    [form] = read_forms(read_grid(_third_party(tmp_path / "t.xlsx", budget=3000, arrived=2800, spent=2600))).forms
    assert form.kind is FormKind.THIRD_PARTY
    assert form.exec_funds_row.arrived.value == 2800 and form.exec_funds_row.budget.value == 3000


def test_rate_is_spent_over_arrived(tmp_path):
    """2600/3000 = 86.7 % would ask for a reason (< 90 %); 2600/2800 = 92.9 % does not."""
    assert _exec(check_file(_third_party(tmp_path / "t.xlsx", budget=3000, arrived=2800, spent=2600))) == []
    low = _exec(check_file(_third_party(tmp_path / "low.xlsx", budget=3000, arrived=2800, spent=2200)))
    assert len(low) == 1 and "78.57%" in low[0].message  # 2200/2800, not 2200/3000 = 73.33 %


def test_printed_rate_is_judged_against_arrived(tmp_path):
    ok = check_file(_third_party(tmp_path / "ok.xlsx", budget=3000, arrived=2800, spent=2600, rate=0.9286))
    assert _exec(ok) == []
    bad = _exec(check_file(_third_party(tmp_path / "bad.xlsx", budget=3000, arrived=2800, spent=2600,
                                        rate=0.8667)))  # the budget-based rate
    assert len(bad) == 1 and bad[0].cell == "E4"
    assert "实际支出/到位资金 = 2600/2800 = 92.86%" in bad[0].message


def test_spent_over_arrived_is_a_warning(tmp_path):
    found = _exec(check_file(_third_party(tmp_path / "t.xlsx", budget=3000, arrived=2800, spent=2900)))
    assert len(found) == 1 and found[0].cell == "D4" and found[0].severity == "警告"
    assert "实际支出 2900 超过到位资金 2800" in found[0].message


def test_without_arrived_the_budget_is_the_base(tmp_path):
    found = _exec(check_file(_third_party(tmp_path / "t.xlsx", budget=3000, arrived=None, spent=2600)))
    assert len(found) == 1 and "86.67%" in found[0].message


@pytest.mark.parametrize("other", [0, 120.5])
def test_parts_only_block_is_not_summed_against_its_own_row(tmp_path, other):
    """Written from scratch: 财政拨款 (scored, 10 分) and 其他资金 rows under a funds header, no total row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    ws["A1"] = "项目支出绩效自评表"
    ws["A2"], ws["B2"] = "项目名称", "道路养护"
    for c, lab in enumerate(("项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"),
                            start=1):
        ws.cell(3, c, lab)
    for c, v in enumerate(("财政拨款", 1000, 1000, 950, 10, 0.95, 9.5), start=1):
        ws.cell(4, c, v)
    for c, v in enumerate(("其他资金", other, other, other), start=1):
        ws.cell(5, c, v)
    heads = ("一级指标", "二级指标", "三级指标", "指标性质", "指标方向", "年度指标值", "实际完成值", "分值", "得分")
    for c, lab in enumerate(heads, start=1):
        ws.cell(7, c, lab)
    rows = (("产出指标", "数量指标", "养护里程", "定量", "≥", 100, 100, 50, 50),
            ("效益指标", "社会效益", "通行保障", "定量", "≥", 95, 96, 30, 30),
            ("满意度指标", "服务对象满意度", "群众满意度", "定量", "≥", 90, 92, 10, 10))
    for i, row in enumerate(rows):
        for c, v in enumerate(row, start=1):
            ws.cell(8 + i, c, v)
    ws.cell(11, 1, "总分")
    ws.cell(11, 8, 100)
    ws.cell(11, 9, 99.5)
    wb.save(tmp_path / "p.xlsx")
    [form] = read_forms(read_grid(tmp_path / "p.xlsx")).forms
    assert [fr.label for fr in form.funds] == ["财政拨款", "其他资金"]
    assert form.exec_funds_row.label == "财政拨款"
    found = check_file(tmp_path / "p.xlsx")
    assert [f for f in found if f.code == "FUNDS_ROWS_MISMATCH"] == []
    assert [f for f in found if f.severity == "错误"] == []
