"""The layout reader on real-world layouts: the two published examples, the central layout and variants."""

from __future__ import annotations

import openpyxl
import pytest

from perfscore.forms import FormKind, read_forms
from perfscore.rules import grade, total_score
from perfscore.xlsx import read_grid

from .fixtures_examples import (
    CENTRAL, CENTRAL_ROWS, EXAMPLE_001, EXAMPLE_004, build_central, build_example_001, build_example_004,
)
from .layouts import Layout, merged_nature_operator, write_table


def projection(form, *, with_nature=True, with_unit=True):
    """What every layout of the same data must agree on."""
    out = []
    for ind in form.indicators:
        out.append((
            ind.level1.text(), ind.level2.text(), ind.level3.text(),
            ind.nature.value if with_nature else None, ind.operator.value if with_nature else None,
            ind.target.value, ind.actual.value, ind.unit.value if with_unit else None,
            ind.weight.value, ind.score.value, ind.deviation_reason.value,
        ))
    return out


def central_expected(*, with_nature=True, with_unit=True, with_reason=True):
    out = []
    l1 = l2 = None
    for row in CENTRAL_ROWS:
        l1 = row.level1 or l1
        if row.level1:
            l2 = None
        l2 = row.level2 or l2
        out.append((l1, l2, row.level3, row.nature if with_nature else None, row.operator if with_nature else None,
                    row.target, row.actual, row.unit if with_unit else None, row.weight, row.score,
                    row.reason if with_reason else None))
    return out


def read_one(path):
    result = read_forms(read_grid(path))
    assert len(result.forms) == 1, result.not_forms
    return result.forms[0]


def test_example_001_as_published(tmp_path):
    form = read_one(build_example_001(tmp_path / "001.xlsx"))
    assert form.kind is FormKind.PROJECT
    assert form.header.project_name.value == EXAMPLE_001["project_name"]
    assert form.header.implementer.value == EXAMPLE_001["reporting_unit"]  # 填报单位 stands in for 实施单位
    assert form.header.year.value == 2022
    rows = [r for r in EXAMPLE_001["rows"] if r.level3]  # 生态效益/可持续影响 are empty placeholders
    assert len(form.indicators) == len(rows) == 30
    for ind, row in zip(form.indicators, rows):
        assert ind.level3.value == row.level3
        assert (ind.target.value, ind.weight.value, ind.actual.value, ind.score.value) == (
            row.target, row.weight, row.actual, row.score)
        assert ind.rule_text.value == row.rule_text
    # first/second-level names come from merged blocks
    exec_row = next(i for i in form.indicators if i.is_exec_rate)
    assert (exec_row.level1.value, exec_row.level2.value, exec_row.score.value) == ("过程", "资金管理", 1.5)
    assert exec_row.level1.cell == "自评表!A14"  # the anchor of the merged 过程 block
    cost = next(i for i in form.indicators if i.level3.value == "集约化建设，节省财政支出")
    assert (cost.level1.value, cost.level2.value) == ("产出", "成本指标")
    assert form.columns and dict(form.columns)["rule_text"] == 6  # 评价要点 between 分值 and 实际完成值
    assert form.total.value == 98.5 and form.total.cell == "自评表!H40"
    assert form.total_weight.value == 100
    assert form.grade.value == "优"
    scores = [s.value for _, _, s in form.scored()]
    assert total_score(scores) == 98.5 and grade(total_score(scores)) == "优"


def test_example_004_department_table(tmp_path):
    form = read_one(build_example_004(tmp_path / "004.xlsx"))
    assert form.kind is FormKind.DEPARTMENT
    assert form.header.year.value == 2024
    assert len(form.indicators) == len(EXAMPLE_004["rows"]) == 41
    for ind, row in zip(form.indicators, EXAMPLE_004["rows"]):
        assert (ind.level3.value, ind.note.value, ind.rule_text.value, ind.weight.value, ind.score.value) == (
            row.level3, row.note, row.rule_text, row.weight, row.score)
    assert form.total.value == 98.5 and form.total_weight.value == 100
    bonus = [i for i in form.indicators if i.is_bonus]
    assert [b.level3.value for b in bonus] == ["受嘉奖情况", "部门或工作人员违法违纪情况"]
    declared = {g.name: g.weight for g in form.group_weights if g.level == 1}
    assert declared == {k: v[0] for k, v in EXAMPLE_004["level1_declared"].items()}
    assert any(g.is_cap and g.name == "加减分项" for g in form.group_weights)
    by_l1: dict[str, float] = {}
    for ind in form.indicators:
        name = ind.level1.text().split("(")[0].split("（")[0].strip()
        by_l1[name] = by_l1.get(name, 0) + (ind.score.value or 0)
    assert {k: round(v, 2) for k, v in by_l1.items()} == {k: v[1] for k, v in EXAMPLE_004["level1_declared"].items()}
    assert total_score([s.value for _, _, s in form.scored() if s.value is not None]) == 98.5


def test_central_layout_with_funds_block(tmp_path):
    form = read_one(build_central(tmp_path / "central.xlsx"))
    assert form.kind is FormKind.PROJECT
    h = form.header
    assert (h.project_name.value, h.department.value, h.implementer.value, h.year.value) == (
        CENTRAL["project_name"], CENTRAL["department"], CENTRAL["implementer"], 2023)
    assert [f.label for f in form.funds] == ["年度资金总额", "财政拨款", "上年结转", "其他资金"]
    fr = form.exec_funds_row
    assert (fr.budget.value, fr.spent.value, fr.weight.value, fr.score.value) == (3000, 932.92, 10, 3.11)
    assert fr.score.cell == "项目支出绩效自评表!J6"
    assert projection(form) == central_expected()
    scores = [s.value for _, _, s in form.scored() if s.value is not None]
    assert total_score(scores) == form.total.value == 90.06
    assert grade(form.total.value) == form.grade.value == "优"


def _variant(tmp_path, name, layout, **kw):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表1"
    write_table(ws, layout, **kw)
    path = tmp_path / f"{name}.xlsx"
    wb.save(path)
    return read_one(path)


FULL = [("level1", "一级指标"), ("level2", "二级指标"), ("level3", "三级指标"), ("nature", "指标性质"),
        ("operator", "指标方向"), ("target", "年度指标值"), ("actual", "实际完成值"), ("unit", "计量单位"),
        ("weight", "分值"), ("score", "得分"), ("reason", "偏差原因分析及改进措施")]


def test_variant_reordered_synonyms_merged_nature_no_unit(tmp_path):
    layout = Layout(columns=[("level1", "一级指标"), ("level2", "二级指标"), ("level3", "三级指标"),
                             ("weight", "权重"), ("nature_operator", "指标性质及方向"), ("target", "全年指标值"),
                             ("rule", "评价要点及评分规则"), ("actual", "全年实际值"), ("score", "自评得分"),
                             ("reason", "偏差原因")], top=3)
    form = _variant(tmp_path, "reordered", layout)
    got = projection(form, with_nature=False, with_unit=False)
    assert got == central_expected(with_nature=False, with_unit=False)
    for ind, row in zip(form.indicators, CENTRAL_ROWS):
        assert ind.nature.cell == ind.operator.cell  # one merged column
        assert ind.nature.value == merged_nature_operator(row)
        assert ind.unit.cell is None  # the form has no 计量单位 column


def test_variant_moved_two_row_header_fill_down(tmp_path):
    layout = Layout(columns=FULL, top=30, left=4, header_rows=2, merge_levels=False, total_label="合  计",
                    grade_label="绩效等级")
    form = _variant(tmp_path, "moved", layout)
    assert projection(form) == central_expected()
    assert form.header_rows == (30, 31)
    assert form.indicators[0].level1.cell == "表1!D32"
    assert form.indicators[1].level1.cell == "表1!D32"  # filled down from the block's first row
    assert form.total.value == 90.06 and form.grade.value == "优"


def test_variant_nature_header_spanning_two_columns(tmp_path):
    cols = [c for c in FULL if c[0] != "operator"]
    cols.insert(4, ("operator", ""))  # 指标性质 merged over the 性质 and 方向 columns, no 方向 label
    layout = Layout(columns=cols, top=3, extra_merge=["D3:E3"])
    form = _variant(tmp_path, "span", layout)
    assert projection(form) == central_expected()


def test_variant_subtotals(tmp_path):
    layout = Layout(columns=FULL, top=3, subtotals=True, merge_levels=False)
    form = _variant(tmp_path, "subtotals", layout)
    assert projection(form) == central_expected()
    assert [(s.scope, s.weight.value, s.score.value) for s in form.subtotals] == [
        ("产出指标", 50, 48.75), ("效益指标", 30, 28.2), ("满意度指标", 10, 10)]


def test_two_forms_stacked_and_second_sheet_and_non_forms(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws["A1"] = "项目名称：甲项目"
    last = write_table(ws, Layout(columns=FULL, top=4, title=None))
    ws.cell(last + 3, 1, "项目名称：乙项目")
    second_top = last + 6
    half = CENTRAL_ROWS[:8]
    last2 = write_table(ws, Layout(columns=FULL, top=second_top), rows=half, total=48.75, grade="差",
                        total_weight=50)
    ws2 = wb.create_sheet("丙项目")
    write_table(ws2, Layout(columns=FULL[::-1], top=5, merge_levels=False))
    note = wb.create_sheet("填表说明")
    note["A1"] = "请按年度填写，分值合计应为 100 分。"
    target_form = wb.create_sheet("目标申报")
    for c, label in enumerate(("一级指标", "二级指标", "三级指标", "指标值", "分值"), start=1):
        target_form.cell(1, c, label)
    target_form.append(["产出指标", "数量指标", "培训人次", 19, 2])
    wb.create_sheet("空表")
    path = tmp_path / "multi.xlsx"
    wb.save(path)

    result = read_forms(read_grid(path))
    assert [(f.sheet, f.header.project_name.value, len(f.indicators)) for f in result.forms] == [
        ("汇总", "甲项目", 13), ("汇总", "乙项目", 8), ("丙项目", None, 13)]
    first, second, third = result.forms
    assert first.last_row < second.header_rows[0]
    assert (second.total.value, second.grade.value) == (48.75, "差")
    assert second.last_row == last2
    assert projection(third) == central_expected()
    reasons = dict(result.not_forms)
    assert set(reasons) == {"填表说明", "目标申报", "空表"}
    assert "没有“得分”列" in reasons["目标申报"]
    assert "未找到指标表" in reasons["填表说明"]
    assert reasons["空表"] == "空工作表"


def test_reader_cost_is_small(tmp_path):
    import time

    path = build_example_001(tmp_path / "001.xlsx")
    read_forms(read_grid(path))
    n = 30
    t0 = time.perf_counter()
    for _ in range(n):
        read_forms(read_grid(path))
    per_file = (time.perf_counter() - t0) / n
    assert per_file < 0.1, f"{per_file * 1000:.1f} ms per file"


def test_fast_builders_make_the_same_frozen_objects():
    import dataclasses

    from perfscore.forms.model import Indicator, Sourced, new_indicator, new_sourced

    for args in [(None, "表!A1"), (3.5, "表!G12", "=E12*F12", True), ("优", "表!K30", None, False)]:
        built, plain = new_sourced(*args), Sourced(*args)
        assert built == plain and repr(built) == repr(plain) and hash(built) == hash(plain)
    values = [Sourced(f"v{i}", f"表!{chr(65 + i)}5") for i in range(13)]
    built, plain = new_indicator(5, *values), Indicator(5, *values)
    assert built == plain and repr(built) == repr(plain)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.row = 6
    with pytest.raises(dataclasses.FrozenInstanceError):
        new_sourced(1, "表!A1").value = 2
    with pytest.raises(TypeError):
        new_indicator(5, *values[:-1])
