"""Write each real published table (data/*.toml) as a real .xlsx in the layouts people's forms come in.

`LAYOUTS` is data (layout name -> options); `write_form(table, layout, path)` writes one workbook;
`planted(table, kind)` returns a copy of the table with one planted error of a known check code.
The published builders' helpers (merge of label blocks, borders) are reused from perfscore.samples.published.
"""

from __future__ import annotations

import copy
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from perfscore.samples.published import _box, _merge_blocks

DATA = Path(__file__).resolve().parent / "data"

# Column header labels per key and table kind (the spellings the published forms use).
HEADERS = {
    "project": {"level1": "一级指标", "level2": "二级指标", "level3": "三级指标", "nature": "指标性质",
                "operator": "指标方向", "target": "年度指标值", "actual": "实际完成值", "unit": "计量单位",
                "weight": "分值", "score": "得分", "reason": "偏差原因分析及改进措施",
                "rule": "评价要点及评分标准"},
    "department": {"level1": "一级指标", "level2": "二级指标", "level3": "三级指标", "rule": "评价要点",
                   "weight": "分值", "score": "自评得分"},
    "third_party": {"level1": "一级指标", "level3": "考核内容", "rule": "计分标准", "weight": "分值",
                    "score": "分数"},
}
TITLES = {"project": "项目支出绩效自评表", "department": "部门整体支出绩效自评表",
          "third_party": "第三方绩效评价评分表"}


@dataclass(frozen=True)
class Layout:
    labels: str = "merged"  # merged | repeated | first_row | headed (third-party 一、/1、 rows in one column)
    weight_labels: bool = True  # "产出指标(50分)" when the table prints level1_weight
    order: str = "standard"  # standard | weight_first (分值 before 年度指标值) | score_first (得分 before 分值)
    rule_column: bool = False  # project: 评价要点及评分标准 between 分值 and 实际完成值 (examples/001)
    text_numbers: bool = False  # every number stored as text
    facts: str = "cells"  # cells (label | value) | colon ("项目名称：…" in one cell)
    kinds: tuple[str, ...] = ("project", "department", "third_party")


LAYOUTS: dict[str, Layout] = {
    "merged": Layout(),
    "repeated": Layout(labels="repeated", facts="colon"),
    "first_row": Layout(labels="first_row"),
    "no_weight_labels": Layout(labels="merged", weight_labels=False, facts="colon"),
    "rule_column": Layout(rule_column=True, kinds=("project",)),
    "reordered": Layout(labels="repeated", order="weight_first"),
    "score_first": Layout(order="score_first", facts="colon"),
    "text_numbers": Layout(labels="repeated", text_numbers=True),
    "headed": Layout(labels="headed", kinds=("third_party",)),
}


def load_tables() -> dict[str, dict]:
    return {p.stem: tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(DATA.glob("*.toml"))}


def layouts_for(table: dict) -> list[str]:
    return [name for name, lay in LAYOUTS.items() if table["kind"] in lay.kinds]


def _indicator_style(table: dict) -> bool:
    """Project columns (年度指标值 | 实际完成值 …): every project table, and a department table printed in the
    central 部门整体 layout (产出/效益 indicators with targets and actuals, a funds block)."""
    return table["kind"] == "project" or any("target" in r or "actual" in r for r in table["rows"])


def _columns(table: dict, lay: Layout) -> list[str]:
    kind = table["kind"]
    rows = table["rows"]
    if _indicator_style(table):
        has = {k for r in rows for k in r}
        opt = [k for k in ("nature", "operator") if k in has]
        unit = ["unit"] if "unit" in has else []
        reason = ["reason"] if table.get("reason_column", True) else []  # the source prints no 偏差原因 column
        if lay.rule_column:
            return ["level1", "level2", "level3", *opt, "target", "weight", "rule", "actual", *unit, "score",
                    *reason]
        if lay.order == "weight_first":
            return ["level1", "level2", "level3", *opt, "weight", "target", "actual", *unit, "score", *reason]
        if lay.order == "score_first":
            return ["level1", "level2", "level3", *opt, "target", "actual", *unit, "score", "weight", *reason]
        return ["level1", "level2", "level3", *opt, "target", "actual", *unit, "weight", "score", *reason]
    levels = ["level1", "level2", "level3"] if kind == "department" else ["level1", "level3"]
    if lay.order == "weight_first":
        return [*levels, "weight", "rule", "score"]
    if lay.order == "score_first":
        return [*levels, "rule", "score", "weight"]
    return [*levels, "rule", "weight", "score"]


_WEIGHT_IN_NAME = re.compile(r"\s*[（(]\s*[≤<]?\s*\d+(?:\.\d+)?\s*分\s*[）)]\s*$")


def _num(v, lay: Layout):
    """A number as the layout stores it (text when text_numbers); other values unchanged."""
    if lay.text_numbers and isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{v:g}" if float(v) != int(v) else str(int(v))
    return v


def _label(row: dict, key: str, lay: Layout, full_width: bool) -> str:
    name = row[key]
    if not lay.weight_labels:
        return _WEIGHT_IN_NAME.sub("", name)
    if key == "level1" and "level1_weight" in row:
        w = f"{row['level1_weight']:g}"
        return f"{name}（{w}分）" if full_width else f"{name}({w}分)"
    return name


def _percent(text: str | None):
    if text is None:
        return None
    m = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*%\s*", text)
    return float(m.group(1)) / 100 if m else text


def _facts(ws: Worksheet, table: dict, lay: Layout, r: int, width: int) -> int:
    label0 = "项目名称" if table["kind"] == "project" else "部门名称" if table["kind"] == "department" else "项目名称"
    facts = [(label0, table["title"]), ("主管部门", table.get("department")), ("实施单位", table.get("implementer"))]
    for label, value in facts:
        if not value:
            continue
        if lay.facts == "colon":
            ws.cell(r, 1, f"{label}：{value}")
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        else:
            ws.cell(r, 1, label)
            ws.cell(r, 3, value)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
            ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=width)
        r += 1
    return r


def _funds(ws: Worksheet, table: dict, lay: Layout, r: int) -> int:
    """项目资金 block: label column A merged down, row labels in C, amounts from E (as the central form)."""
    funds = table.get("funds")
    if not funds:
        return r
    unit = "元" if re.search(r"amounts in 元", table.get("transcription", ""), re.I) else "万元"
    ws.cell(r, 1, f"项目资金（{unit}）")
    ws.merge_cells(start_row=r, start_column=1, end_row=r + len(funds["rows"]), end_column=2)
    for c, label in enumerate(("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"), start=5):
        ws.cell(r, c, label)
    for i, frow in enumerate(funds["rows"]):
        rr = r + 1 + i
        ws.cell(rr, 3, frow["label"])
        ws.merge_cells(start_row=rr, start_column=3, end_row=rr, end_column=4)
        values = [frow.get("initial"), frow.get("budget"), frow.get("spent")]
        if i == 0:
            rate = funds.get("rate")
            rate_v = rate if lay.text_numbers else _percent(rate)
            values += [funds.get("weight"), rate_v, funds.get("score")]
        for c, v in enumerate(values, start=5):
            if v is not None:
                cell = ws.cell(rr, c, _num(v, lay))
                if c == 9 and isinstance(v, float):
                    cell.number_format = "0.00%"
    return r + 1 + len(funds["rows"])


def _write_headed(ws: Worksheet, table: dict, lay: Layout, r: int) -> tuple[int, dict[str, int]]:
    """Third-party 评分表: one 考核内容 column, a "一、…" row (分值, subtotal 分数) heading its "1、…" items."""
    col = {"level3": 1, "weight": 2, "rule": 3, "score": 4, "note": 5}
    for key, label in (("level3", "考核内容"), ("weight", "分值"), ("rule", "计分标准"), ("score", "分数"),
                       ("note", "备注")):
        ws.cell(r, col[key], label)
    r += 1
    groups: dict[str, list[dict]] = {}
    for row in table["rows"]:
        groups.setdefault(row["level1"], []).append(row)
    for name, members in groups.items():
        ws.cell(r, 1, name)
        gw = members[0].get("level1_weight")
        if gw is not None:
            ws.cell(r, 2, _num(gw, lay))
        ws.cell(r, 4, _num(round(sum(m.get("score", 0) for m in members), 2), lay))
        r += 1
        for m in members:
            ws.cell(r, 1, m["level3"])
            ws.cell(r, 2, _num(m["weight"], lay))
            if m.get("rule"):
                ws.cell(r, 3, m["rule"])
            if "score" in m:
                ws.cell(r, 4, _num(m["score"], lay))
            r += 1
    return r, col


def _write_rows(ws: Worksheet, table: dict, lay: Layout, r: int) -> tuple[int, dict[str, int]]:
    keys = _columns(table, lay)
    col = {k: i for i, k in enumerate(keys, start=1)}
    labels = {**HEADERS["project"], **HEADERS[table["kind"]]}
    for k in keys:
        ws.cell(r, col[k], labels[k])
    r += 1
    first = r
    rows = table["rows"]
    l1_vals: list[str | None] = []
    l2_vals: list[str | None] = []
    prev1 = prev2 = None
    for i, row in enumerate(rows):
        g1 = row["level1"]
        g2 = (row["level1"], row.get("level2"))
        new1, new2 = g1 != prev1, g2 != prev2
        prev1, prev2 = g1, g2
        for k in keys:
            if k in ("level1", "level2"):
                new = new1 if k == "level1" else (new1 or new2)
                show = lay.labels == "repeated" or new
                v = _label(row, k, lay, full_width=lay.labels == "merged") if show else None
                (l1_vals if k == "level1" else l2_vals).append(v)
            else:
                v = _num(row.get(k), lay)
            if v is not None and v != "":
                cell = ws.cell(r + i, col[k], v)
                if isinstance(v, str) and v.startswith("="):
                    cell.data_type = "s"  # printed text such as "=100%", not a formula (openpyxl guesses one)
    if lay.labels == "merged":
        for k, vals in (("level1", l1_vals), ("level2", l2_vals)):
            if k in col:
                _merge_blocks(ws, col[k], first, vals)
    return first + len(rows), col


def write_form(table: dict, layout: str, path: str | Path) -> Path:
    """Write `table` (one data/*.toml as a dict) in `layout` (a LAYOUTS key) to `path` (.xlsx)."""
    lay = LAYOUTS[layout]
    if table["kind"] not in lay.kinds:
        raise ValueError(f"layout {layout} does not apply to {table['kind']} tables")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    width = 5 if lay.labels == "headed" else len(_columns(table, lay))
    if table.get("funds"):
        width = max(width, 10)  # the funds block runs to column J
    ws.cell(1, 1, TITLES[table["kind"]])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(2, 1, f"（{table['year']}年度）")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    r = _facts(ws, table, lay, 3, width)
    r = _funds(ws, table, lay, r)
    top = r
    if lay.labels == "headed":
        r, col = _write_headed(ws, table, lay, r)
        label_end = 1
    else:
        r, col = _write_rows(ws, table, lay, r)
        label_end = min(col["weight"], col["score"]) - 1
    last = r - 1
    if "total" in table:  # a truncated table (README) has no total row: the form ends with its last group
        total_label = "合计" if table["kind"] != "project" else "总分"
        ws.cell(r, 1, total_label)
        if label_end > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=label_end)
        if "total_weight" in table:
            ws.cell(r, col["weight"], _num(table["total_weight"], lay))
        ws.cell(r, col["score"], _num(table["total"], lay))
        last = r
        if table.get("grade"):
            last = r + 1
            ws.cell(last, 1, "评价等级")
            ws.cell(last, 2, table["grade"])
    _box(ws, top, 1, last, width)
    out = Path(path)
    wb.save(out)
    return out


# -- planted errors ------------------------------------------------------------------------------------------

PLANTED = {"total": "TOTAL_MISMATCH", "grade": "GRADE_MISMATCH", "weight_sum": "WEIGHT_SUM",
           "score_over_weight": "SCORE_OVER_WEIGHT"}


def band(total: float) -> str:
    return "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"


def _weight_sum_row(rows: list[dict], complete: bool) -> dict | None:
    """The row whose weight a planted WEIGHT_SUM raises: the first scored row of a complete table, or — in a
    truncated table, which has no total row — the first scored row of a group that prints its label weight."""
    scored = [r for r in rows if "weight" in r and "score" in r]
    if complete:
        return scored[0] if scored else None
    return next((r for r in scored if "level1_weight" in r), None)


def planted_kinds(table: dict, layout: str) -> list[str]:
    """The planted errors that make sense for `table` in `layout`: total/grade need a total row; a weight sum
    needs a printed sum to miss (the total rows, or a group label weight the layout prints)."""
    lay = LAYOUTS[layout]
    if "total" in table:
        return list(PLANTED)
    kinds = []
    if (lay.weight_labels or lay.labels == "headed") and _weight_sum_row(table["rows"], False) is not None:
        kinds.append("weight_sum")
    kinds.append("score_over_weight")
    return kinds


def planted(table: dict, kind: str) -> dict:
    """A copy of `table` with one planted error of PLANTED[kind]."""
    t = copy.deepcopy(table)
    scored = [r for r in t["rows"] if "weight" in r and "score" in r]
    if kind == "total":
        t["total"] = round(t["total"] + 1, 2)
    elif kind == "grade":
        t["grade"] = "良" if band(t["total"]) == "优" else "优"  # the band flipped
    elif kind == "weight_sum":
        _weight_sum_row(t["rows"], "total" in t)["weight"] += 1
    elif kind == "score_over_weight":
        # one score above its weight; another row gives the point back so the total still adds up
        over = scored[0]
        delta = over["weight"] + 1 - over["score"]
        donor = next(r for r in scored[1:] if r["score"] >= delta)
        over["score"] = over["weight"] + 1
        donor["score"] = round(donor["score"] - delta, 2)
    else:
        raise KeyError(kind)
    return t

