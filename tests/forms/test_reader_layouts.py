"""The form model in every layout people use: the published rows of examples/001, examples/004 and the central
form, written with openpyxl as merged blocks, names repeated on every row (预算绩效管理系统 exports), names on
the first row only, with or without "(50分)"/"（50分）"/"(50)", extra columns and other column orders; funds blocks
without their labels; third-party blocks with 到位资金 and survey counts. Each read back with read_grid +
read_forms; the weight and total checks must raise no false alarm on these correct forms."""

from __future__ import annotations

from dataclasses import dataclass, field

import openpyxl
import pytest

from perfscore.checks import check_workbook
from perfscore.forms import FormKind, read_forms
from perfscore.forms.model import SURVEY_LEVELS, split_group_weight
from perfscore.rules import total_score
from perfscore.samples.published import CENTRAL, CENTRAL_ROWS, EXAMPLE_001, EXAMPLE_004
from perfscore.xlsx import read_grid

GROUP_CODES = {"WEIGHT_SUM", "TOTAL_MISMATCH", "SCORE_OVER_WEIGHT", "FUNDS_ROWS_MISMATCH"}


# -- the published rows, one item per indicator row, names filled down -------------------------------------------

@dataclass(frozen=True)
class Item:
    level1: str  # without a written weight
    level2: str
    values: dict  # key -> value (level3, nature, operator, target, actual, unit, weight, score, reason, rule, note)


@dataclass(frozen=True)
class Table:
    items: tuple[Item, ...]
    l1_weights: dict  # name -> (weight, is_cap), as the published labels print them (or Σ of the rows)
    l2_weights: dict  # (level1, level2) -> (weight, is_cap)
    total_weight: float
    total: float
    title: str
    exec_row: tuple | None = None  # funds exec-rate (budget, spent, weight, rate, score) outside the table


def _filled(rows, get):
    l1 = l2 = None
    for row in rows:
        if row.level1:
            l1, l2 = row.level1, None
        l2 = row.level2 or l2
        yield l1, l2, get(row)


def _sums(items):
    l1: dict = {}
    l2: dict = {}
    for it in items:
        w = it.values.get("weight") or 0
        l1[it.level1] = (l1.get(it.level1, (0, False))[0] + w, False)
        k = (it.level1, it.level2)
        l2[k] = (l2.get(k, (0, False))[0] + w, False)
    return l1, l2


def central_table() -> Table:
    items = tuple(Item(l1, l2, dict(level3=r.level3, nature=r.nature, operator=r.operator, target=r.target,
                                    actual=r.actual, unit=r.unit, weight=r.weight, score=r.score, reason=r.reason))
                  for l1, l2, r in _filled(CENTRAL_ROWS, lambda r: r))
    l1, l2 = _sums(items)
    _, b, s, w, rate, score = CENTRAL["funds"][0][1:]
    return Table(items, l1, l2, CENTRAL["total_weight"], CENTRAL["total"], CENTRAL["title"], (b, s, w, rate, score))


def example_001_table() -> Table:
    items = tuple(Item(l1, l2, dict(level3=r.level3, target=r.target, weight=r.weight, rule=r.rule_text,
                                    actual=r.actual, score=r.score))
                  for l1, l2, r in _filled(EXAMPLE_001["rows"], lambda r: r) if r.level3)
    l1, l2 = _sums(items)
    return Table(items, l1, l2, EXAMPLE_001["total_weight"], EXAMPLE_001["total"], EXAMPLE_001["title"])


def example_004_table() -> Table:
    items, l1w, l2w = [], {}, {}
    for l1, l2, r in _filled(EXAMPLE_004["rows"], lambda r: r):
        n1, w1, c1 = split_group_weight(l1)
        n2, w2, c2 = split_group_weight(l2)
        if w1 is not None:
            l1w[n1] = (w1, c1)
        if w2 is not None:
            l2w[(n1, n2)] = (w2, c2)
        items.append(Item(n1, n2, dict(level3=r.level3, note=r.note, rule=r.rule_text, weight=r.weight,
                                       score=r.score)))
    return Table(tuple(items), l1w, l2w, EXAMPLE_004["total_weight"], EXAMPLE_004["total"], EXAMPLE_004["title"])


# -- writing a table in a layout ----------------------------------------------------------------------------------

@dataclass
class Style:
    columns: list[tuple[str, str]]  # (key, header label), in sheet order
    names: str = "repeat"  # merged | repeat (every row) | first (first row of the block, blanks below)
    weight_fmt: str | None = "{name}({w}分)"  # how a group weight is written into its name; None: not written
    level2_weights: bool = False  # write level-2 weights too
    top: int = 4
    funds: str | None = None  # a funds-block variant (FUNDS_WRITERS) above the table
    total_label: str = "合计"
    extra: dict = field(default_factory=dict)


def _name(name: str, weight: tuple | None, fmt: str | None) -> str:
    if fmt is None or weight is None:
        return name
    w, cap = weight
    w_text = f"≤{w:g}" if cap else f"{w:g}"
    return fmt.format(name=name, w=w_text)


def write_table(ws, table: Table, style: Style) -> int:
    col = {key: i + 1 for i, (key, _) in enumerate(style.columns)}
    ws.cell(1, 1, table.title)
    if style.funds:
        FUNDS_WRITERS[style.funds](ws, table, 2)
        top = max(style.top, 8)
    else:
        top = style.top
    for key, label in style.columns:
        ws.cell(top, col[key], label)
    r = top + 1
    runs: dict[str, list[tuple[int, int]]] = {"level1": [], "level2": []}
    prev: dict[str, object] = {"level1": None, "level2": None}
    for it in table.items:
        names = {"level1": (it.level1, _name(it.level1, table.l1_weights.get(it.level1), style.weight_fmt)),
                 "level2": ((it.level1, it.level2), _name(
                     it.level2, table.l2_weights.get((it.level1, it.level2)) if style.level2_weights else None,
                     style.weight_fmt))}
        for key, (ident, text) in names.items():
            if key not in col:
                continue
            new = ident != prev[key] or (key == "level2" and it.level1 != prev["level1"])
            if new:
                runs[key].append((r, r))
            else:
                runs[key][-1] = (runs[key][-1][0], r)
            if new or style.names == "repeat":
                ws.cell(r, col[key], text)
        prev["level1"], prev["level2"] = it.level1, (it.level1, it.level2)
        for key, value in it.values.items():
            if key in col and value is not None:
                ws.cell(r, col[key], value)
        r += 1
    if style.names == "merged":
        for key, spans in runs.items():
            for a, b in spans:
                if b > a:
                    ws.merge_cells(start_row=a, start_column=col[key], end_row=b, end_column=col[key])
    ws.cell(r, 1, style.total_label)
    ws.cell(r, col["weight"], table.total_weight)
    ws.cell(r, col["score"], table.total)
    return r


def _funds_central(ws, table, r):
    """项目资金（万元） | 年度资金总额 / 其中：财政拨款 / 其他资金, as the central annex prints it."""
    b, s, w, rate, score = table.exec_row
    ws.cell(r, 1, "项目资金（万元）")
    for c, lab in enumerate(("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"), start=3):
        ws.cell(r, c, lab)
    for i, (label, vals) in enumerate((("年度资金总额", (b, b, s, w, rate, score)),
                                       ("其中：本年财政拨款", (b, b, s, None, rate, None)),
                                       ("其他资金", (0, 0, 0, None, None, None)))):
        ws.cell(r + 1 + i, 2, label)
        for c, v in enumerate(vals, start=3):
            if v is not None:
                ws.cell(r + 1 + i, c, v)


def _funds_unlabelled(ws, table, r):
    """'预算执行率 | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分' with the values right below."""
    b, s, w, rate, score = table.exec_row
    for c, lab in enumerate(("预算执行率", "年初预算数（万元）", "全年预算数（万元）", "全年执行数（万元）", "分值",
                             "执行率", "得分"), start=1):
        ws.cell(r, c, lab)
    for c, v in enumerate((b, b, s, w, rate, score), start=2):
        ws.cell(r + 1, c, v)


def _funds_parts_only(ws, table, r):
    """No 年度资金总额 label: the total row's label cell is blank, rows below say 财政拨款 / 其他资金."""
    b, s, w, rate, score = table.exec_row
    ws.cell(r, 1, "项目资金")
    ws.merge_cells(start_row=r, start_column=1, end_row=r + 3, end_column=1)
    for c, lab in enumerate(("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"), start=3):
        ws.cell(r, c, lab)
    for i, (label, vals) in enumerate(((None, (b, b, s, w, rate, score)), ("财政拨款", (b, b, s, None, None, None)),
                                       ("其他资金", (0, 0, 0, None, None, None)))):
        if label:
            ws.cell(r + 1 + i, 2, label)
        for c, v in enumerate(vals, start=3):
            ws.cell(r + 1 + i, c, v)


def _funds_single_part(ws, table, r):
    """Only a 财政拨款 row, carrying the 分值 and 得分 of the block (no total row at all)."""
    b, s, w, rate, score = table.exec_row
    for c, lab in enumerate(("资金来源", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"), start=1):
        ws.cell(r, c, lab)
    ws.cell(r + 1, 1, "财政拨款")
    for c, v in enumerate((b, b, s, w, rate, score), start=2):
        ws.cell(r + 1, c, v)


FUNDS_WRITERS = {"central": _funds_central, "unlabelled": _funds_unlabelled, "parts_only": _funds_parts_only,
                 "single_part": _funds_single_part}

CENTRAL_COLS = [("level1", "一级指标"), ("level2", "二级指标"), ("level3", "三级指标"), ("nature", "指标性质"),
                ("operator", "指标方向"), ("target", "年度指标值"), ("actual", "实际完成值"), ("unit", "计量单位"),
                ("weight", "分值"), ("score", "得分"), ("reason", "偏差原因分析及改进措施")]
# other orders: 分值/得分 before the values, an extra 评分标准 column, level3 before the group names
CENTRAL_REORDERED = [("level3", "三级指标"), ("level1", "一级指标"), ("level2", "二级指标"), ("weight", "权重"),
                     ("rule", "评分标准"), ("nature", "指标性质"), ("operator", "指标方向"), ("target", "指标值"),
                     ("actual", "实际值"), ("score", "自评得分"), ("reason", "偏差原因"), ("unit", "单位")]
COLS_001 = [("level1", "一级指标"), ("level2", "二级指标"), ("level3", "三级指标"), ("target", "全年指标值"),
            ("weight", "分值"), ("rule", "评价要点及评分规则"), ("actual", "实际完成值"), ("score", "得分")]
COLS_004 = [("level1", "一级指标"), ("level2", "二级指标"), ("level3", "三级指标"), ("note", "指标说明"),
            ("rule", "评价要点"), ("weight", "分值"), ("score", "自评分")]
COLS_THIRD = [("level1", "一级指标"), ("level2", "二级指标"), ("level3", "三级指标"), ("note", "指标解释"),
              ("rule", "评分标准"), ("weight", "权重"), ("score", "评价得分"), ("reason", "扣分原因")]

TABLES = {"central": central_table, "001": example_001_table, "004": example_004_table}

LAYOUTS = [
    # (id, table, style)
    ("central-repeat-paren", "central", Style(CENTRAL_COLS, "repeat", "{name}({w}分)", funds="central")),
    ("central-repeat-fullwidth-l2", "central", Style(CENTRAL_COLS, "repeat", "{name}（{w}分）", True, funds="central")),
    ("central-repeat-bare", "central", Style(CENTRAL_COLS, "repeat", "{name}({w})", True, funds="central")),
    ("central-repeat-noweight", "central", Style(CENTRAL_COLS, "repeat", None, funds="central")),
    ("central-first-only", "central", Style(CENTRAL_COLS, "first", "{name}（{w}分）", True, funds="central")),
    ("central-merged", "central", Style(CENTRAL_COLS, "merged", "{name}({w}分)", True, funds="central")),
    ("central-reordered-repeat", "central", Style(CENTRAL_REORDERED, "repeat", "{name}({w}分)", True,
                                                  funds="central")),
    ("central-funds-unlabelled", "central", Style(CENTRAL_COLS, "repeat", "{name}({w}分)", funds="unlabelled")),
    ("central-funds-parts-only", "central", Style(CENTRAL_COLS, "merged", None, funds="parts_only")),
    ("central-funds-single-part", "central", Style(CENTRAL_COLS, "first", "{name}({w}分)", funds="single_part")),
    ("001-repeat", "001", Style(COLS_001, "repeat", "{name}({w}分)", True)),
    ("001-repeat-plain", "001", Style(COLS_001, "repeat", None, total_label="总计")),
    ("001-first-only", "001", Style(COLS_001, "first", "{name}（{w}分）")),
    ("004-repeat", "004", Style(COLS_004, "repeat", "{name} ({w}分)", True)),
    ("004-repeat-fullwidth", "004", Style(COLS_004, "repeat", "{name}（{w}分）", True)),
    ("004-first-only", "004", Style(COLS_004, "first", "{name}({w}分)", True)),
    ("004-merged", "004", Style(COLS_004, "merged", "{name} ({w}分)", True)),
    ("004-third-party-columns", "004", Style(
        [c if c[0] != "weight" else ("weight", "分值") for c in COLS_THIRD if c[0] != "reason"]
        + [("reason", "扣分原因")], "repeat", "{name}({w}分)", True)),
]


def _write(tmp_path, name, table, style):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表1"
    write_table(ws, table, style)
    path = tmp_path / f"{name}.xlsx"
    wb.save(path)
    grid = read_grid(path)
    result = read_forms(grid)
    assert len(result.forms) == 1, result.not_forms
    return grid, result.forms[0]


@pytest.mark.parametrize("name,table_id,style", LAYOUTS, ids=[x[0] for x in LAYOUTS])
def test_groups_and_weights_in_every_layout(tmp_path, name, table_id, style):
    table = TABLES[table_id]()
    grid, form = _write(tmp_path, name, table, style)
    items = table.items
    assert len(form.indicators) == len(items)
    # every row lands in its published group, and all rows of a group share one Sourced (one cell)
    cells: dict[tuple[int, str], set] = {}
    for ind, it in zip(form.indicators, items):
        assert ind.level3.value == it.values["level3"]
        assert (ind.weight.value, ind.score.value) == (it.values.get("weight"), it.values.get("score"))
        assert split_group_weight(ind.level1.text())[0] == it.level1
        assert split_group_weight(ind.level2.text())[0] == it.level2
        cells.setdefault((1, it.level1), set()).add(ind.level1.cell)
        cells.setdefault((2, f"{it.level1}/{it.level2}"), set()).add(ind.level2.cell)
    assert all(len(c) == 1 for c in cells.values()), {k: v for k, v in cells.items() if len(v) > 1}
    # one GroupWeight per weighted group, on the group's cell, with the printed weight
    gws = [(g.level, g.name, g.weight, g.is_cap) for g in form.group_weights]
    assert len(gws) == len(set(gws)) == len({(g.level, g.cell) for g in form.group_weights})
    expect = set()
    if style.weight_fmt:
        expect |= {(1, n, w, cap) for n, (w, cap) in table.l1_weights.items()}
        if style.level2_weights:
            expect |= {(2, n2, w, cap) for (_, n2), (w, cap) in table.l2_weights.items()}
    assert set(gws) == expect
    by_cell = {ind.level1.cell: ind.level1 for ind in form.indicators} | {
        ind.level2.cell: ind.level2 for ind in form.indicators}
    for g in form.group_weights:
        assert g.cell in by_cell  # members are found by the group's cell
    # the total adds up, including the execution-rate row when the form scores it above the table
    scores = [s.value for _, _, s in form.scored() if isinstance(s.value, (int, float))]
    assert total_score(scores) == table.total == form.total.value
    # and the weight/total checks follow the groups: no false alarm on the correct form
    findings = check_workbook(grid, [form])
    false_alarms = [(f.code, f.cell, f.message) for f in findings if f.code in GROUP_CODES and f.severity == "错误"]
    assert false_alarms == []


@pytest.mark.parametrize("variant", ["central", "unlabelled", "parts_only", "single_part"])
def test_funds_block_without_its_labels(tmp_path, variant):
    table = central_table()
    _, form = _write(tmp_path, variant, table, Style(CENTRAL_COLS, "merged", None, funds=variant))
    b, s, w, rate, score = table.exec_row
    fr = form.exec_funds_row
    assert fr is not None, form.funds
    assert (fr.budget.value, fr.spent.value, fr.weight.value, fr.exec_rate.value, fr.score.value) == (
        b, s, w, rate, score)
    assert fr.weight.ref[0] + fr.score.ref[0] in ("FH", "EG")  # the 分值 and 得分 columns of the block
    names = [n for n, _, _ in form.scored()]
    assert names[0] == "预算执行率" and len(names) == len(table.items) + 1
    labels = [f.label for f in form.funds]
    assert {"central": ["年度资金总额", "财政拨款", "其他资金"], "unlabelled": ["年度资金总额"],
            "parts_only": ["年度资金总额", "财政拨款", "其他资金"], "single_part": ["财政拨款"]}[variant] == labels
    for f in form.funds:
        assert f.label_cell.row == f.budget.row  # the label cell is on the row it names (blank when unlabelled)


def test_block_header_label_is_not_a_column(tmp_path):
    """'预算执行率' left of the amounts names the block; the 执行率 column is the one among the amounts."""
    table = central_table()
    _, form = _write(tmp_path, "hdr", table, Style(CENTRAL_COLS, "merged", None, funds="unlabelled"))
    fr = form.exec_funds_row
    assert fr.exec_rate.ref == "F3" and fr.initial_budget.ref == "B3"


def _third_party_book(path, *, survey: str):
    """A third-party 评分表: a block of 预算资金 / 到位资金 / 实际支出 / 计划成本 / 实际成本 and the survey counts
    (a row of levels with counts below, or one level per row), then the 004 rows in third-party columns."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "评分表"
    ws["A1"] = "项目支出绩效评价评分表（第三方）"
    ws["A2"], ws["B2"] = "项目名称", "政务数据共享平台运维"
    for c, lab in enumerate(("资金情况（万元）", "预算资金", "到位资金", "实际支出", "计划成本", "实际成本"), start=1):
        ws.cell(3, c, lab)
    for c, v in enumerate((3000, 2800, 932.92, 100, 92.84), start=2):
        ws.cell(4, c, v)
    counts = (70, 9, 8, 0, 4)
    if survey == "row":
        ws["A5"] = "满意度调查（人数）"
        for c, lab in enumerate((*SURVEY_LEVELS, "有效问卷"), start=2):
            ws.cell(5, c, lab)
        for c, v in enumerate((*counts, 91), start=2):
            ws.cell(6, c, v)
        top = 8
    else:
        for i, (lab, v) in enumerate(zip((*SURVEY_LEVELS, "有效问卷"), (*counts, 91))):
            ws.cell(5 + i, 1, f"{lab}人数" if lab != "有效问卷" else lab)
            ws.cell(5 + i, 2, v)
        top = 12
    table = example_004_table()
    style = Style(COLS_THIRD, "repeat", "{name}({w}分)", True, top=top)
    # write only the table part (title and funds already written)
    col = {key: i + 1 for i, (key, _) in enumerate(style.columns)}
    for key, label in style.columns:
        ws.cell(top, col[key], label)
    for i, it in enumerate(table.items):
        r = top + 1 + i
        ws.cell(r, 1, _name(it.level1, table.l1_weights.get(it.level1), style.weight_fmt))
        ws.cell(r, 2, _name(it.level2, table.l2_weights.get((it.level1, it.level2)), style.weight_fmt))
        for key, value in it.values.items():
            if key in col and value is not None:
                ws.cell(r, col[key], value)
    r = top + 1 + len(table.items)
    ws.cell(r, 1, "合计")
    ws.cell(r, col["weight"], table.total_weight)
    ws.cell(r, col["score"], table.total)
    wb.save(path)
    return path, table, counts


@pytest.mark.parametrize("survey", ["row", "column"])
def test_third_party_block_inputs_and_survey(tmp_path, survey):
    path, table, counts = _third_party_book(tmp_path / f"tp-{survey}.xlsx", survey=survey)
    grid = read_grid(path)
    [form] = read_forms(grid).forms
    assert form.kind is FormKind.THIRD_PARTY
    [fr] = form.funds
    assert (fr.budget.value, fr.arrived.value, fr.spent.value, fr.planned_cost.value, fr.actual_cost.value) == (
        3000, 2800, 932.92, 100, 92.84)
    assert (fr.budget.ref, fr.arrived.ref, fr.spent.ref) == ("B4", "C4", "D4")
    assert fr.weight.cell is None and fr.score.cell is None  # scored in the table, not in the block
    assert [n for n, _, _ in form.scored()][0] != "预算执行率"  # so the block adds nothing to the total
    sv = form.survey
    assert sv is not None
    assert tuple(c.value for c in sv.counts) == counts
    assert sv.respondents.value == 91
    assert sv.count("不满意").value == 4
    assert len(form.indicators) == len(table.items)
    assert {(g.level, g.name) for g in form.group_weights} == (
        {(1, n) for n in table.l1_weights} | {(2, n2) for (_, n2) in table.l2_weights})
    findings = check_workbook(grid, [form])
    assert [(f.code, f.cell) for f in findings if f.code in GROUP_CODES and f.severity == "错误"] == []


def test_blank_target_and_actual_with_a_typed_score_read_as_blank(tmp_path):
    """Published 定性 rows often leave 年度指标值/实际完成值 empty and type the score: blank, never 0."""
    table = central_table()
    items = list(table.items)
    i = next(k for k, it in enumerate(items) if it.values["nature"] == "定性")
    items[i] = Item(items[i].level1, items[i].level2, {**items[i].values, "target": None, "actual": None})
    table = Table(tuple(items), table.l1_weights, table.l2_weights, table.total_weight, table.total, table.title,
                  table.exec_row)
    _, form = _write(tmp_path, "blank", table, Style(CENTRAL_COLS, "repeat", "{name}({w}分)", funds="central"))
    ind = form.indicators[i]
    assert ind.target.is_blank and ind.actual.is_blank
    assert ind.target.value is None and ind.target.number() is None and ind.actual.number() is None
    assert ind.target.cell is not None and ind.actual.cell is not None  # still a place to write
    assert ind.score.value == items[i].values["score"]


def test_a_new_group_with_the_same_second_level_name(tmp_path):
    """Two first-level groups with the same second-level name (社会效益 under 效益 and under 满意度) stay two
    second-level groups even when every row repeats both names."""
    base = central_table()
    items = [Item("产出指标", "数量指标", {"level3": "甲", "weight": 40, "score": 40}),
             Item("产出指标", "数量指标", {"level3": "乙", "weight": 10, "score": 10}),
             Item("效益指标", "数量指标", {"level3": "丙", "weight": 40, "score": 36})]
    table = Table(tuple(items), {"产出指标": (50, False), "效益指标": (40, False)},
                  {("产出指标", "数量指标"): (50, False), ("效益指标", "数量指标"): (40, False)},
                  100, 96, base.title, base.exec_row)
    _, form = _write(tmp_path, "same-l2", table, Style(CENTRAL_COLS, "repeat", "{name}({w}分)", True,
                                                       funds="central"))
    a, b, c = form.indicators
    assert a.level2.cell == b.level2.cell != c.level2.cell
    assert a.level1.cell == b.level1.cell != c.level1.cell
    assert sorted((g.level, g.name, g.weight) for g in form.group_weights) == sorted([
        (1, "效益指标", 40), (1, "产出指标", 50), (2, "数量指标", 40), (2, "数量指标", 50)])


def test_weight_printed_on_a_later_row_of_the_group(tmp_path):
    """'产出指标' on the first row, '产出指标(50分)' on the next: one group, its weight from the later row."""
    table = central_table()
    wb = openpyxl.Workbook()
    ws = wb.active
    write_table(ws, table, Style(CENTRAL_COLS, "repeat", "{name}({w}分)", funds="central"))
    ws["A9"] = "产出指标"  # the first row of the group without its weight
    path = tmp_path / "later.xlsx"
    wb.save(path)
    [form] = read_forms(read_grid(path)).forms
    out = [g for g in form.group_weights if g.name == "产出指标"]
    assert len(out) == 1 and out[0].weight == 50 and out[0].cell.endswith("!A9")
    assert form.indicators[1].level1.cell.endswith("!A9")


def test_group_weight_columns_beside_the_names(tmp_path):
    """'一级指标 | 分值 | 二级指标 | 分值 | 三级指标 | 分值 | 得分' (department tables): the 分值 right of a group
    name is the group's weight, merged down the group or repeated on every row; the item weight is the last."""
    table = example_004_table()
    for names in ("merged", "repeat"):
        cols = [("level1", "一级指标"), ("l1w", "分值"), ("level2", "二级指标"), ("l2w", "分值"),
                ("level3", "三级指标"), ("weight", "分值"), ("score", "得分")]
        items = tuple(Item(it.level1, it.level2, {**it.values,
                                                  "l1w": table.l1_weights[it.level1][0],
                                                  "l2w": table.l2_weights[(it.level1, it.level2)][0]
                                                  if (it.level1, it.level2) in table.l2_weights else None})
                      for it in table.items)
        t = Table(items, table.l1_weights, table.l2_weights, table.total_weight, table.total, table.title)
        wb = openpyxl.Workbook()
        ws = wb.active
        last = write_table(ws, t, Style(cols, names, None))
        if names == "merged":  # the group weights merged down their groups, as the names are
            first = last - len(items)
            for key, c in (("l1w", 2), ("l2w", 4)):
                start = first
                for r in range(first + 1, last + 1):
                    prev, cur = items[r - 1 - first], (items[r - first] if r < last else None)
                    same = cur is not None and cur.level1 == prev.level1 and (
                        key == "l1w" or cur.level2 == prev.level2)
                    if not same:
                        for rr in range(start + 1, r):
                            ws.cell(rr, c).value = None
                        if r - 1 > start:
                            ws.merge_cells(start_row=start, start_column=c, end_row=r - 1, end_column=c)
                        start = r
        path = tmp_path / f"gw-{names}.xlsx"
        wb.save(path)
        grid = read_grid(path)
        [form] = read_forms(grid).forms
        assert dict(form.columns)["weight"] == 6
        assert [i.weight.value for i in form.indicators] == [it.values["weight"] for it in items]
        got = {(g.level, g.name, g.weight) for g in form.group_weights}
        assert got == {(1, n, w) for n, (w, _) in table.l1_weights.items()} | {
            (2, n2, w) for (_, n2), (w, _) in table.l2_weights.items()}, names
        assert len(form.group_weights) == len(got)
        findings = check_workbook(grid, [form])
        assert [(f.code, f.cell) for f in findings if f.code in GROUP_CODES and f.severity == "错误"] == []


# 上海市嘉定区文旅局 2018, 第三方评价机构工作考核表 (wenlv.jiading.cn …/127388): one 考核内容 column, numbered
# groups "一、…" carrying their 分值 and printed 分数, items "1、…" below them.
JIADING = (
    ("一、评价前期工作组情况", 30, 29, None),
    ("1、评价工作组人员专业能力", 15, 14, "评价工作小组按照项目性质配备工作组开展绩效评价工作，专业能力较强，得10-15分；"),
    ("2、评价工作组人员稳定", 15, 15, "在评价过程中保持工作组成员稳定，得15分；不能保持组员稳定并随意更换组员，不得分。"),
    ("二、评价过程中工作组情况", 20, 19, None),
    ("1、在评价过程中沟通情况", 20, 19, "在评价过程中态度认真，工作尽责，能够主动沟通了解项目情况，得13-20分；"),
    ("三、评价后期工作组情况", 50, 46, None),
    ("1、撰写的报告数据详实、情况清晰符合项目实际情况", 25, 23, "撰写的报告数据详实、情况交代清晰，符合项目实际情况得16-25分；"),
    ("2、出具的报告结论清晰，问题建议明确且有利于实际整改", 25, 23, "出具的报告结论清晰，问题建议明确，执行度高，得16-25分；"),
)


def test_numbered_groups_in_one_name_column(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "第三方评价机构工作考核表"
    for c, lab in enumerate(("考核内容", "分值", "计分标准", "分数", "备注"), start=1):
        ws.cell(3, c, lab)
    for i, (name, w, s, rule) in enumerate(JIADING, start=4):
        ws.cell(i, 1, name), ws.cell(i, 2, w), ws.cell(i, 4, s)
        if rule:
            ws.cell(i, 3, rule)
    ws.cell(4 + len(JIADING), 1, "合计"), ws.cell(4 + len(JIADING), 2, 100), ws.cell(4 + len(JIADING), 4, 94)
    path = tmp_path / "jiading.xlsx"
    wb.save(path)
    grid = read_grid(path)
    [form] = read_forms(grid).forms
    items = [x for x in JIADING if x[3]]
    assert [(i.level3.value, i.weight.value, i.score.value) for i in form.indicators] == [x[:3] for x in items]
    assert [i.level1.value for i in form.indicators] == ["一、评价前期工作组情况"] * 2 + [
        "二、评价过程中工作组情况"] + ["三、评价后期工作组情况"] * 2
    assert [(g.level, g.name, g.weight) for g in form.group_weights] == [
        (1, x[0], x[1]) for x in JIADING if not x[3]]
    assert form.total.value == 94 == total_score([s.value for _, _, s in form.scored()])
    findings = check_workbook(grid, [form])
    assert [(f.code, f.cell) for f in findings if f.code in GROUP_CODES and f.severity == "错误"] == []


def test_third_party_block_one_amount_per_row(tmp_path):
    """'预算资金 | 3000' / '到位资金 | 2800' / '实际支出 | 932.92' written down a column above the table."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "项目支出绩效评价评分表"
    for i, (lab, v) in enumerate((("预算资金（万元）", 3000), ("到位资金（万元）", 2800), ("实际支出（万元）", 932.92)),
                                 start=2):
        ws.cell(i, 1, lab), ws.cell(i, 2, v)
    table = example_004_table()
    write_table(ws, table, Style(COLS_THIRD, "repeat", "{name}({w}分)", True, top=6))
    ws["A1"] = "项目支出绩效评价评分表"
    path = tmp_path / "col.xlsx"
    wb.save(path)
    [form] = read_forms(read_grid(path)).forms
    [fr] = form.funds
    assert (fr.budget.value, fr.arrived.value, fr.spent.value) == (3000, 2800, 932.92)
    assert (fr.budget.ref, fr.arrived.ref, fr.spent.ref, fr.label_cell.ref) == ("B2", "B3", "B4", "A2")
    assert form.exec_funds_row is fr and fr.weight.cell is None
    assert len(form.indicators) == len(table.items)


@pytest.mark.parametrize("text,expect", [
    ("部门决策 (15分)", ("部门决策", 15.0, False)), ("产出指标（50分）", ("产出指标", 50.0, False)),
    ("产出指标(50)", ("产出指标", 50.0, False)), ("产出指标 50分", ("产出指标", 50.0, False)),
    ("加减分项 (≤5分)", ("加减分项", 5.0, True)), ("部门管理 (20 分)", ("部门管理", 20.0, False)),
    ("产出指标", ("产出指标", None, False)), ("2024年(2024)", ("2024年(2024)", None, False)),
    ("数量指标(3)", ("数量指标", 3.0, False)),
])
def test_group_weight_spellings(text, expect):
    assert split_group_weight(text) == expect


@pytest.mark.parametrize("text,label", [
    ("其中：本年财政拨款", "财政拨款"), ("其中:当年财政拨款", "财政拨款"), ("年度资金总额：", "年度资金总额"),
    ("资金总额", "年度资金总额"), ("上年结转资金", "上年结转"), ("其他资金", "其他资金"), ("项目资金（万元）", None),
    ("预算执行率", None),
])
def test_funds_row_spellings(text, label):
    from perfscore.forms.labels import funds_row_label

    assert funds_row_label(text) == label


def test_three_level_survey_is_not_read_as_the_five_levels(tmp_path):
    """满意 / 基本满意 / 不满意 is another survey: not mapped onto 非常满意 … 不满意 (its weights would be wrong)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A2"] = "满意度调查"
    for c, (lab, v) in enumerate((("满意", 80), ("基本满意", 9), ("不满意", 2)), start=2):
        ws.cell(2, c, lab), ws.cell(3, c, v)
    write_table(ws, example_004_table(), Style(COLS_004, "repeat", "{name}({w}分)", top=6))
    path = tmp_path / "s3.xlsx"
    wb.save(path)
    [form] = read_forms(read_grid(path)).forms
    assert form.survey is None
