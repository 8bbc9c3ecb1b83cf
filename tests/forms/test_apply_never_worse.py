"""apply + recalc never make a correct form worse (issue 14): a formula is written only where the rule core
computes a value now; every other row keeps what it holds and the report says why, cell by cell;
--overwrite lists every value it would change and asks for --yes."""

from __future__ import annotations

import openpyxl
import pytest
from typer.testing import CliRunner

from perfscore.cli.main import app
from perfscore.forms import read_forms
from perfscore.forms.apply import apply_to_file, plan_apply
from perfscore.recalc.report import TaskOptions
from perfscore.recalc.task import recalc_file
from perfscore.xlsx import read_grid
from perfscore.xlsx.grid import ExcelError

from .fixtures_examples import build_central


def _form(path):
    forms = read_forms(read_grid(path)).forms
    assert len(forms) == 1
    return forms[0]


def _qual_row(form):
    return next(i for i in form.indicators if i.nature.text() == "定性")


def _edit(path, **cells):
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for ref, value in cells.items():
        ws[ref] = value
    wb.save(path)
    return path


def _numbers(path) -> dict[str, object]:
    sheet = read_grid(path).sheets[0]
    return {c.ref: c.value for c in sheet.iter_cells()}


def _no_number_became_error(before: dict, after: dict) -> list[str]:
    return [ref for ref, v in before.items()
            if isinstance(v, (int, float)) and isinstance(after.get(ref), ExcelError)]


def test_typed_score_with_blank_target_and_actual_is_kept_with_its_reason(tmp_path):
    """Published 定性 rows often carry a score and no 年度指标值/实际完成值: no SCORE_INDICATOR there."""
    src = build_central(tmp_path / "central.xlsx")
    row = _qual_row(_form(src))
    _edit(src, **{row.target.ref: None, row.actual.ref: None})
    form = _form(src)
    plans = {p.ref: p for p in plan_apply(form, overwrite=True)}
    kept = plans[row.score.ref]
    assert kept.action == "跳过"
    assert "公式现在会得到 #VALUE!" in kept.message() and "保留原有值" in kept.message()
    others = [p for p in plans.values() if p.what == "指标得分" and p.ref != row.score.ref]
    assert others and all(p.action == "覆盖" for p in others)

    out = tmp_path / "applied.xlsx"
    report = apply_to_file(src, out, overwrite=True)
    assert row.score.ref not in {p.ref for p in report.written}
    recalced = tmp_path / "recalc.xlsx"
    rep = recalc_file(str(out), str(recalced), TaskOptions(run_checks=False))
    assert rep.ok, rep.reason
    before, after = _numbers(src), _numbers(recalced)
    assert _no_number_became_error(before, after) == []
    assert after[row.score.ref] == before[row.score.ref]
    assert after[form.total.ref] == pytest.approx(before[form.total.ref])
    assert after[form.grade.ref] == before[form.grade.ref] == "优"


def test_a_formula_that_would_show_an_error_is_not_written_into_a_blank_cell(tmp_path):
    src = build_central(tmp_path / "central.xlsx", scores=False)
    row = _qual_row(_form(src))
    _edit(src, **{row.actual.ref: "某种没人写过的说法"})
    plans = {p.ref: p for p in plan_apply(_form(src))}
    skipped = plans[row.score.ref]
    assert skipped.action == "跳过" and skipped.formula.startswith("SCORE_INDICATOR(")
    assert "#VALUE!" in skipped.note and "保留" not in skipped.note  # nothing to keep: the cell was blank
    written = [p for p in plans.values() if p.action == "写入"]
    assert {p.what for p in written} >= {"指标得分", "总分", "评价等级"}
    # the total adds what the cells will show: the skipped row counts as blank
    total = next(p for p in written if p.what == "总分")
    scores = [p.new_value for p in written if p.what in ("指标得分", "预算执行率得分")]
    assert total.new_value == pytest.approx(sum(scores))


def test_funds_row_of_zero_budget_and_zero_spent_gets_a_number(tmp_path):
    src = build_central(tmp_path / "central.xlsx", scores=False)
    fr = _form(src).exec_funds_row
    _edit(src, **{fr.budget.ref: 0, fr.spent.ref: 0, fr.initial_budget.ref: 0})
    plan = next(p for p in plan_apply(_form(src)) if p.what == "预算执行率得分")
    assert plan.action == "写入" and plan.new_value == 0
    out = tmp_path / "applied.xlsx"
    apply_to_file(src, out)
    recalced = tmp_path / "recalc.xlsx"
    assert recalc_file(str(out), str(recalced), TaskOptions(run_checks=False)).ok
    assert _numbers(recalced)[fr.score.ref] == 0


def _central_with_a_judgement_score(tmp_path):
    """The central form as published, with one 定性 row scored by the evaluator's judgement (5 of 6 points:
    inside the 达成 band, but not the profile's default fraction)."""
    src = build_central(tmp_path / "central.xlsx")
    form = _form(src)
    row = next(i for i in form.indicators
               if i.nature.text() == "定性" and i.target.text() == i.actual.text() and i.weight.value == 6)
    old_total = form.total.value
    _edit(src, **{row.score.ref: 5, form.total.ref: round(old_total - 1, 2)})
    return src, row


def test_overwrite_lists_every_changed_value_and_needs_yes(tmp_path):
    src, row = _central_with_a_judgement_score(tmp_path)
    out = tmp_path / "out.xlsx"
    runner = CliRunner()
    res = runner.invoke(app, ["apply", str(src), "-o", str(out), "--overwrite"])
    assert res.exit_code == 1, res.output
    assert not out.exists()
    assert f"{row.score.ref}（指标得分）：5 → 6" in res.output
    assert "（总分）：" in res.output and "--yes" in res.output
    assert "Traceback" not in res.output

    res = runner.invoke(app, ["apply", str(src), "-o", str(out), "--overwrite", "--dry-run"])
    assert res.exit_code == 0, res.output
    assert "数值改变：" in res.output and not out.exists()

    res = runner.invoke(app, ["apply", str(src), "-o", str(out), "--overwrite", "--yes"])
    assert res.exit_code == 0, res.output
    assert out.exists()
    assert f"数值改变：" in res.output and f"{row.score.ref}（指标得分）：5 → 6" in res.output


def test_without_overwrite_the_judgement_score_and_its_total_stay(tmp_path):
    src, row = _central_with_a_judgement_score(tmp_path)
    report = apply_to_file(src, None)
    assert report.changes == []
    kept = {p.ref: p for p in report.plans if p.action == "保留"}
    assert row.score.ref in kept and kept[row.score.ref].new_value == 6  # what --overwrite would give


def _third_party_book(path):
    """A third-party 评分表 (决策/过程/产出/效益/满意度) with its 资金 block and survey counts above the table."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "评分表"
    ws["A1"] = "项目支出绩效评价评分表"
    ws["A2"], ws["B2"] = "项目名称", "政务数据共享平台运维"
    for c, lab in enumerate(("资金情况（万元）", "预算资金", "到位资金", "实际支出", "计划成本", "实际成本"), start=1):
        ws.cell(3, c, lab)
    for c, v in enumerate((3000, 2800, 932.92, 100, 92.84), start=2):
        ws.cell(4, c, v)
    ws["A5"] = "满意度调查（人数）"
    for c, lab in enumerate(("非常满意", "比较满意", "一般满意", "不太满意", "不满意", "有效问卷"), start=2):
        ws.cell(5, c, lab)
    for c, v in enumerate((70, 9, 8, 0, 4, 91), start=2):
        ws.cell(6, c, v)
    rows = [("决策(20分)", "项目立项", "立项依据充分性", 10, 10), ("决策(20分)", "绩效目标", "绩效目标合理性", 10, 9),
            ("过程(20分)", "资金管理", "资金到位率", 5, None), ("过程(20分)", "资金管理", "预算执行率", 5, None),
            ("过程(20分)", "组织实施", "管理制度健全性", 10, 10), ("产出(30分)", "产出成本", "成本节约率", 10, None),
            ("产出(30分)", "产出数量", "实际完成率", 20, 20), ("效益(20分)", "社会效益", "服务覆盖面", 20, 18),
            ("满意度(10分)", "满意度", "服务对象满意度", 10, None)]
    for c, lab in enumerate(("一级指标", "二级指标", "三级指标", "分值", "评分标准", "得分"), start=1):
        ws.cell(8, c, lab)
    for r, (l1, l2, l3, w, sc) in enumerate(rows, start=9):
        ws.cell(r, 1, l1), ws.cell(r, 2, l2), ws.cell(r, 3, l3), ws.cell(r, 4, w), ws.cell(r, 6, sc)
        ws.cell(r, 5, "按评分标准打分")
    ws.cell(9 + len(rows), 1, "合计"), ws.cell(9 + len(rows), 4, 100)
    wb.save(path)
    return path


def test_third_party_table_scored_from_its_block_inputs(tmp_path):
    """The 资金到位率, 预算执行率, 成本节约率 and 满意度 rows get formulas over the block's cells; rows scored by
    评分标准 keep the evaluator's judgement; the total adds both."""
    path = _third_party_book(tmp_path / "tp.xlsx")
    form = _form(path)
    assert form.kind.name == "THIRD_PARTY"
    plans = {p.ref: p for p in plan_apply(form)}
    by_name = {i.name: plans.get(i.score.ref) for i in form.indicators}
    fr = form.funds[0]
    assert by_name["资金到位率"].formula == f"SCORE_EXEC_RATE({fr.budget.ref},{fr.arrived.ref},D11)"
    assert by_name["资金到位率"].new_value == pytest.approx(round(2800 / 3000 * 5, 2))
    assert by_name["预算执行率"].formula == f"SCORE_EXEC_RATE({fr.arrived.ref},{fr.spent.ref},D12)"
    assert by_name["预算执行率"].new_value == pytest.approx(round(932.92 / 2800 * 5, 2))
    assert by_name["成本节约率"].new_value == 10  # 7.16 % saved: full marks
    assert by_name["服务对象满意度"].formula.startswith("SCORE_SATISFACTION(")
    assert by_name["服务对象满意度"].new_value == pytest.approx(round(10 * 80.75 / 91, 2))
    assert by_name["绩效目标合理性"].action == "跳过" and "评审判断" in by_name["绩效目标合理性"].note
    total = plans[form.total.ref]
    assert total.action == "写入"
    assert total.new_value == pytest.approx(10 + 9 + 4.67 + 1.67 + 10 + 10 + 20 + 18 + 8.87)

    out = tmp_path / "applied.xlsx"
    apply_to_file(path, out)
    recalced = tmp_path / "recalc.xlsx"
    assert recalc_file(str(out), str(recalced), TaskOptions(run_checks=False)).ok
    assert _numbers(recalced)[form.total.ref] == pytest.approx(total.new_value)


def test_total_over_scores_stored_as_text_is_not_written(tmp_path):
    """SUM skips numbers stored as text: a total formula over them would silently show a smaller number."""
    src = build_central(tmp_path / "central.xlsx")
    form = _form(src)
    texts = {i.score.ref: str(i.score.value) for i in form.indicators[:4]}
    judged = {c: None for i in form.indicators[:4] for c in (i.target.ref, i.actual.ref)}  # scores stay typed
    _edit(src, **texts, **judged)
    plans = {p.ref: p for p in plan_apply(_form(src), overwrite=True)}
    total = plans[form.total.ref]
    assert total.action == "跳过" and "以文本形式存储的数字" in total.note and "保留原有值" in total.note
    out = tmp_path / "applied.xlsx"
    apply_to_file(src, out, overwrite=True)
    recalced = tmp_path / "recalc.xlsx"
    assert recalc_file(str(out), str(recalced), TaskOptions(run_checks=False)).ok
    assert _numbers(recalced)[form.total.ref] == pytest.approx(form.total.value)


def test_an_input_formula_saved_without_its_result_is_not_guessed(tmp_path):
    """openpyxl and some exports save formulas without cached values: the score they lead to is unknown now."""
    src = build_central(tmp_path / "central.xlsx", scores=False)
    row = next(i for i in _form(src).indicators if i.nature.text() == "正向")
    _edit(src, **{row.target.ref: f"={row.target.value!r}" if isinstance(row.target.value, (int, float)) else "=1"})
    plan = next(p for p in plan_apply(_form(src)) if p.ref == row.score.ref)
    assert plan.action == "跳过" and "没有保存计算结果的公式" in plan.note and row.target.ref in plan.note
