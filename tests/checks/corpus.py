"""A corpus of real forms with one planted defect each, for the checker.

Bases (all written as real .xlsx files):
- "001", "004", "central": the published forms as the forms developer's builders write them (typed values);
- "004+report": examples/004 with the report's own conclusion text on a second sheet (97.5 vs 98.5);
- "template": the shipped project template filled with the central example's rows, recalculated headlessly
  (formulas everywhere: SCORE_INDICATOR, SUM totals, GRADE);
- "formulas": the central form with built-in formulas (ROUND(MIN(B/A,1)×分值), SUM totals, IF grade);
- "summary": a summary sheet (not a form) of 20 departments with rate/score formulas and a total row.
Formula bases are mutated before recalculation, so cached values are what Excel would have saved.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import openpyxl

from forms.fixtures_examples import (
    CENTRAL,
    CENTRAL_ROWS,
    EXAMPLE_004,
    RowCentral,
    build_central,
    build_example_001,
    build_example_004,
)
from forms.layouts import Layout, write_table

REPO = Path(__file__).resolve().parents[2]
PROJECT_TEMPLATE = REPO / "workbook_templates" / "项目支出绩效自评表.xlsx"
DEPARTMENT_TEMPLATE = REPO / "workbook_templates" / "部门整体支出绩效自评表.xlsx"

Mutation = Callable[[openpyxl.Workbook], None]


@dataclass(frozen=True)
class Case:
    id: str
    base: str
    mutate: Mutation | None
    expect: tuple[tuple[str, str], ...]  # (code, "Sheet!A1")
    generic: bool = False  # a defect of the generic formula checks (for precision/recall)
    note: str = ""
    show_all: bool = False  # planted on a sheet that is not a form: reported only by the full report (--all)


# ------------------------------------------------------------------------------------------------ bases

CENTRAL_SHEET = "项目支出绩效自评表"
TEMPLATE_SHEET = "项目支出绩效自评表"
SUMMARY_SHEET = "汇总"
FORMULA_ROWS = range(13, 13 + len(CENTRAL_ROWS))  # central layout: indicator rows 13..25, total 26, grade 27


def _fill_template(wb: openpyxl.Workbook) -> None:
    ws = wb[TEMPLATE_SHEET]
    slots = {"数量指标": [13, 14, 15, 16, 17], "质量指标": [18, 19, 20, 21], "时效指标": [22, 23, 24],
             "成本指标": [25, 26, 27], "经济效益指标": [28, 29, 30], "社会效益指标": [31, 32, 33],
             "可持续影响指标": [36, 37, 38], "服务对象满意度指标": [39, 40, 41, 42]}
    level2 = None
    for row in CENTRAL_ROWS:
        level2 = row.level2 or level2
        r = slots[level2].pop(0)
        for col, v in zip("CDEFGHIK", (row.level3, row.nature, row.operator, row.target, row.actual, row.unit,
                                        row.weight, row.reason)):
            if v is not None:
                ws[f"{col}{r}"] = v
    ws["C3"] = CENTRAL["project_name"]
    for i, (_label, e, f, g, *_rest) in enumerate(CENTRAL["funds"]):
        ws[f"E{6 + i}"], ws[f"F{6 + i}"], ws[f"G{6 + i}"] = e, f, g


# where each central row lands in the filled template
TEMPLATE_ROW = dict(zip(range(len(CENTRAL_ROWS)), (13, 14, 15, 18, 19, 20, 22, 25, 31, 32, 28, 36, 39)))


DEPT_SHEET = "部门整体自评"


def _fill_department(wb: openpyxl.Workbook) -> None:
    """The department template scored with examples/004's published scores (matched by 三级指标)."""
    ws = wb[DEPT_SHEET]
    scores = {row.level3: row.score for row in EXAMPLE_004["rows"]}
    for r in range(7, ws.max_row + 1):
        name = ws.cell(r, 3).value
        if name in scores and scores[name] is not None:
            ws.cell(r, 7, scores[name])


def _formulas(wb: openpyxl.Workbook) -> None:
    """The central form with built-in formulas where a number can be computed."""
    ws = wb[CENTRAL_SHEET]
    for r in range(6, 10):
        ws[f"I{r}"] = f"=IF(F{r}=0,0,G{r}/F{r})"
    for col in "EFG":
        ws[f"{col}6"] = f"=SUM({col}7:{col}9)"
    ws["J6"] = "=ROUND(MIN(I6,1)*H6,2)"
    for i, row in enumerate(CENTRAL_ROWS):
        r = 13 + i
        for col in "FG":  # percentages as numbers so a formula can compute them
            v = ws[f"{col}{r}"].value
            if isinstance(v, str) and v.endswith("%"):
                ws[f"{col}{r}"] = float(v[:-1]) / 100
                ws[f"{col}{r}"].number_format = "0.0%"
        if isinstance(ws[f"F{r}"].value, str) and ws[f"F{r}"].value.endswith("条"):
            ws[f"F{r}"], ws[f"G{r}"] = 2900, 2910
        if row.nature == "正向":
            ws[f"J{r}"] = f"=ROUND(MIN(G{r}/F{r},1)*I{r},2)"
        elif row.nature == "反向":
            ws[f"J{r}"] = f"=ROUND(MIN(F{r}/G{r},1)*I{r},2)"
    ws["I26"] = "=SUM(I13:I25)+H6"
    ws["J26"] = "=SUM(J13:J25)+J6"
    ws["I27"] = '=IF(J26>=90,"优",IF(J26>=80,"良",IF(J26>=60,"中","差")))'


def _summary(wb: openpyxl.Workbook) -> None:
    ws = wb.active
    ws.title = SUMMARY_SHEET
    for c, label in enumerate(("单位", "全年预算数", "全年执行数", "执行率", "分值", "执行率得分", "自评总分"), start=1):
        ws.cell(1, c, label)
    for i in range(20):
        r = 2 + i
        budget = 100 + 37 * i
        ws.cell(r, 1, f"单位{i + 1:02d}")
        ws.cell(r, 2, budget)
        ws.cell(r, 3, round(budget * (0.78 + (i % 5) * 0.05), 2))
        ws.cell(r, 4, f"=C{r}/B{r}")
        ws.cell(r, 5, 10)
        ws.cell(r, 6, f"=ROUND(MIN(D{r},1)*E{r},2)")
        ws.cell(r, 7, 80 + i % 17)
    ws["A22"] = "合计"
    for col in "BCEFG":
        ws[f"{col}22"] = f"=SUM({col}2:{col}21)"
    ws["D22"] = "=C22/B22"


def _report(wb: openpyxl.Workbook) -> None:
    ws = wb.create_sheet("报告")
    ws["A1"] = "2024年度部门整体绩效自评价报告"
    ws["A2"] = ("围绕市数据局整体绩效评价框架体系开展自评价,从部门决策、部门管理、部门履职、履职绩效、可持续发展能力5个方面"
                f"开展评价,总分100分,自评得分 {EXAMPLE_004['report_total']:g}分。")
    for k, (name, (w, s)) in enumerate(EXAMPLE_004["level1_declared"].items()):
        cap = "≤" if name == "加减分项" else "总分"
        ws.cell(3 + k, 1, f"({'一二三四五六'[k]}){name}({cap}{w:g}分,自评价得分{s:g}分)")


SUB_SHEET = "自评表"
SUB_COLUMNS = [("level1", "一级指标"), ("level2", "二级指标"), ("level3", "三级指标"), ("nature", "指标性质"),
               ("operator", "指标方向"), ("target", "年度指标值"), ("actual", "实际完成值"), ("unit", "计量单位"),
               ("weight", "分值"), ("score", "得分"), ("reason", "偏差原因分析及改进措施")]
# 预算执行率 as an indicator row of its own (a layout seen on published forms), then the central rows.
SUB_ROWS = (RowCentral("预算执行率", "预算执行率", "预算执行率", "正向", "≥", "100%", "31.1%", "%", 10, 3.11,
                       "项目招标延迟，资金未能按计划支出"),) + CENTRAL_ROWS


def _subtotals(wb: openpyxl.Workbook, formulas: bool) -> None:
    ws = wb.active
    ws.title = SUB_SHEET
    last = write_table(ws, Layout(columns=SUB_COLUMNS, top=3, subtotals=True, merge_levels=False), rows=SUB_ROWS)
    if not formulas:
        return
    subs, start = [], 4
    for r in range(4, last + 1):
        if ws.cell(r, 1).value == "小计":
            for col in "IJ":
                ws[f"{col}{r}"] = f"=SUM({col}{start}:{col}{r - 1})"
            subs.append(r)
            start = r + 1
        elif ws.cell(r, 1).value == "总分":
            for col in "IJ":
                ws[f"{col}{r}"] = "=" + "+".join(f"{col}{x}" for x in subs)
            ws[f"B{r + 1}"] = f'=IF(J{r}>=90,"优",IF(J{r}>=80,"良",IF(J{r}>=60,"中","差")))'


def build_base(base: str, path: Path, mutate: Mutation | None = None) -> Path:
    """Write base (mutated) to path; formula bases are recalculated headlessly after the mutation."""
    raw = path.with_name(path.stem + ".raw.xlsx")
    recalc = base in ("template", "dept-template", "formulas", "summary", "subtotal-formulas")
    if base == "001":
        build_example_001(raw)
    elif base in ("004", "004+report"):
        build_example_004(raw)
    elif base in ("central", "formulas"):
        build_central(raw)
    elif base == "template":
        shutil.copy(PROJECT_TEMPLATE, raw)
    elif base == "dept-template":
        shutil.copy(DEPARTMENT_TEMPLATE, raw)
    elif base in ("summary", "subtotals", "subtotal-formulas"):
        openpyxl.Workbook().save(raw)
    else:
        raise ValueError(base)
    wb = openpyxl.load_workbook(raw)
    {"template": _fill_template, "dept-template": _fill_department, "formulas": _formulas, "summary": _summary,
     "004+report": _report, "subtotals": lambda b: _subtotals(b, False),
     "subtotal-formulas": lambda b: _subtotals(b, True)}.get(base, lambda _wb: None)(wb)
    if mutate is not None:
        mutate(wb)
    wb.save(raw)
    if recalc:
        from perfscore.recalc.task import TaskOptions, recalc_file

        report = recalc_file(str(raw), str(path), TaskOptions(run_checks=False))
        assert report.ok, report.reason
        raw.unlink()
    else:
        raw.replace(path)
    return path


# ------------------------------------------------------------------------------------------------ mutations


def _set(sheet: str, **cells: object) -> Mutation:
    def run(wb: openpyxl.Workbook) -> None:
        for ref, value in cells.items():
            wb[sheet][ref] = value
    return run


def _text(sheet: str, ref: str, value: str) -> Mutation:
    def run(wb: openpyxl.Workbook) -> None:
        cell = wb[sheet][ref]
        cell.value = value
        cell.data_type = "s"
        cell.number_format = "@"
    return run


def _edit(sheet: str, ref: str, old: str, new: str) -> Mutation:
    """Change part of the formula the base already has (templates evolve; the slip stays the same)."""
    def run(wb: openpyxl.Workbook) -> None:
        formula = wb[sheet][ref].value
        assert isinstance(formula, str) and old in formula, (ref, formula)
        wb[sheet][ref] = formula.replace(old, new, 1)
    return run


def _chain(*ms: Mutation) -> Mutation:
    def run(wb: openpyxl.Workbook) -> None:
        for m in ms:
            m(wb)
    return run


C, T, S, D = CENTRAL_SHEET, TEMPLATE_SHEET, SUMMARY_SHEET, "附件1"
E1 = "自评表"


def _t(i: int) -> int:
    """Template row of central row i."""
    return TEMPLATE_ROW[i]


CASES: tuple[Case, ...] = (
    # --- form checks on typed forms ---
    Case("total-typed", "central", _set(C, J26=91.06), (("TOTAL_MISMATCH", f"{C}!J26"),)),
    Case("total-report-text-004", "004+report", None, (("TOTAL_MISMATCH", "报告!A2"),),
         note="DOMAIN §5: report text 97.5 vs table 98.5"),
    Case("total-001", "001", _set(E1, H40=97.5), (("TOTAL_MISMATCH", f"{E1}!H40"),)),
    Case("weights-97-under-100", "central", _set(C, I20=7, J20=7), (("WEIGHT_SUM", f"{C}!I26"),),
         note="DOMAIN §5: a column totalling 97 under a printed 100"),
    Case("weights-group-004", "004", _set(D, F3=3), (("WEIGHT_SUM", f"{D}!B3"),)),
    Case("weights-first-level", "central", _set(C, I24=12, I25=8, J25=8), (("WEIGHT_SUM", f"{C}!A21"),)),
    Case("score-over-weight", "central", _set(C, J17=12), (("SCORE_OVER_WEIGHT", f"{C}!J17"),)),
    Case("score-over-weight-004", "004", _set(D, G10=2), (("SCORE_OVER_WEIGHT", f"{D}!G10"),)),
    Case("score-negative", "central", _set(C, J19=-1), (("SCORE_OVER_WEIGHT", f"{C}!J19"),)),
    Case("score-blank", "central", _set(C, J23=None), (("SCORE_OVER_WEIGHT", f"{C}!J23"),)),
    Case("full-marks-target-missed", "central", _set(C, J13=2), (("SCORE_DIFFERS_FROM_RULE", f"{C}!J13"),),
         note="DOMAIN §5: full marks with the target missed"),
    Case("under-scored", "central", _set(C, J17=8), (("SCORE_DIFFERS_FROM_RULE", f"{C}!J17"),)),
    Case("exec-score-wrong", "central", _set(C, J6=10), (("SCORE_DIFFERS_FROM_RULE", f"{C}!J6"),)),
    Case("qual-out-of-band", "central", _set(C, J21=3), (("QUAL_SCORE_OUT_OF_BAND", f"{C}!J21"),)),
    Case("exec-rate-printed-wrong", "central",
         _set(C, F6=86.86, G6=86.86, F7=86.86, G7=86.86, E6=86.86, E7=86.86, I6=0.6025, I7=1, J6=10),
         (("EXEC_RATE_MISMATCH", f"{C}!I6"),), note="DOMAIN §5: 86.86/86.86 shown as 60.25%"),
    Case("exec-over-budget", "central", _set(C, G6=3100, G7=3100, I6=1.0333, I7=1.0333, J6=10),
         (("EXEC_RATE_MISMATCH", f"{C}!G6"),)),
    Case("grade-wrong", "central", _set(C, I27="良"), (("GRADE_MISMATCH", f"{C}!I27"),)),
    Case("grade-91.66-good", "001", _set(E1, H40=91.66, D41="良"),
         (("GRADE_MISMATCH", f"{E1}!D41"),), note="DOMAIN §5: 91.66 graded 良"),
    Case("over-target", "central", _set(C, G23=80), (("OVER_TARGET", f"{C}!G23"),)),
    Case("reason-blank", "central", _set(C, K13=None), (("MISSING_DEVIATION_REASON", f"{C}!K13"),),
         note="DOMAIN §5: blank 偏差原因 where points were lost"),
    Case("reason-none", "central", _set(C, K14="无"), (("MISSING_DEVIATION_REASON", f"{C}!K14"),)),
    Case("unit-percent-vs-number", "central", _set(C, G17=0.995), (("UNIT_MISMATCH", f"{C}!G17"),),
         note="a ratio under 计量单位 % beside 98%: 0.995% or 99.5%? (99.5 there is 99.5 %, as published forms write it)"),
    Case("unit-wan-vs-yuan", "central", _set(C, G20="2800000元"), (("UNIT_MISMATCH", f"{C}!G20"),)),
    Case("text-number-weight", "central", _text(C, "I19", "10"), (("TEXT_NUMBER", f"{C}!I19"),)),
    Case("text-unparsable-actual", "central", _set(C, G13="十七人次"), (("TEXT_NUMBER", f"{C}!G13"),)),
    Case("funds-zero-total", "central", _set(C, E6=0, F6=0, G6=0), (("FUNDS_ROWS_MISMATCH", f"{C}!F6"),),
         note="DOMAIN §5: 年度资金总额 all zero while its parts are filled"),
    Case("funds-parts", "central", _set(C, F8=50), (("FUNDS_ROWS_MISMATCH", f"{C}!F6"),)),
    Case("rule-text-001", "001", None, (("RULE_TEXT_MISMATCH", f"{E1}!F14"),),
         note="DOMAIN §5: 预算执行率 row saying 得分=资金到位率×分值"),
    Case("rule-text-004", "004", None, tuple(("RULE_TEXT_MISMATCH", f"{D}!E{r}") for r in (32, 33, 34, 35)),
         note="DOMAIN §5: 得4分 on items weighted 5"),
    Case("rule-text-planted", "004", _set(D, E3="部门决策机制、议事规则合理清晰的得3分,否则不得分"),
         (("RULE_TEXT_MISMATCH", f"{D}!E3"),)),
    # --- forms with 小计 rows ---
    Case("subtotal-score-wrong", "subtotals", _set(SUB_SHEET, J14=47.75), (("TOTAL_MISMATCH", f"{SUB_SHEET}!J14"),)),
    Case("subtotal-weight-wrong", "subtotals", _set(SUB_SHEET, I19=32), (("TOTAL_MISMATCH", f"{SUB_SHEET}!I19"),)),
    Case("subtotal-counted-twice", "subtotal-formulas", _set(SUB_SHEET, J22="=SUM(J4:J21)"),
         (("RANGE_OMITS_ROWS", f"{SUB_SHEET}!J22"),)),
    Case("subtotal-range-short", "subtotal-formulas", _set(SUB_SHEET, J14="=SUM(J6:J12)"),
         (("RANGE_OMITS_ROWS", f"{SUB_SHEET}!J14"),)),
    Case("total-omits-subtotal", "subtotal-formulas", _set(SUB_SHEET, I22="=I5+I14+I19"),
         (("RANGE_OMITS_ROWS", f"{SUB_SHEET}!I22"),)),
    # --- the department template filled with examples/004 ---
    Case("dept-subtotal-short", "dept-template", _edit(DEPT_SHEET, "G15", "G7:G14", "G7:G13"),
         (("RANGE_OMITS_ROWS", f"{DEPT_SHEET}!G15"),)),
    Case("dept-total-omits-group", "dept-template", _edit(DEPT_SHEET, "G54", "G42,G45,", "G42,"),
         (("RANGE_OMITS_ROWS", f"{DEPT_SHEET}!G54"),)),
    Case("dept-group-weight", "dept-template", _set(DEPT_SHEET, F7=3), (("WEIGHT_SUM", f"{DEPT_SHEET}!B7"),)),
    Case("dept-typed-subtotal", "dept-template", _set(DEPT_SHEET, G45=19), (("TOTAL_MISMATCH", f"{DEPT_SHEET}!G45"),)),
    # --- form checks on formula forms ---
    Case("range-omits-row", "formulas", _set(C, J26="=SUM(J13:J24)+J6"), (("RANGE_OMITS_ROWS", f"{C}!J26"),)),
    Case("range-double", "formulas", _set(C, J26="=SUM(J13:J25)+J6+J25"), (("RANGE_OMITS_ROWS", f"{C}!J26"),)),
    Case("range-omits-template", "template", _set(T, J43="=SUM(J6,J13:J38)"), (("RANGE_OMITS_ROWS", f"{T}!J43"),)),
    Case("total-constant", "formulas", _set(C, J26="=SUM(J13:J25)+3.11"), (("HARDCODED_CONSTANT", f"{C}!J26"),)),
    Case("weight-in-formula", "formulas", _set(C, J23="=ROUND(MIN(G23/F23,1)*8,2)"),
         (("HARDCODED_CONSTANT", f"{C}!J23"),)),
    Case("template-score-typed", "template", _set(T, J20=5), (("TYPED_OVER_FORMULA", f"{T}!J20"),), generic=True),
    Case("template-inconsistent", "template",
         _edit(T, "J19", "F19,G19", "F19,G18"),
         (("INCONSISTENT_FORMULA", f"{T}!J19"),), generic=True),
    Case("template-weight-hardcoded", "template",
         _edit(T, "J14", "G14,I14)", "G14,2)"),
         (("HARDCODED_CONSTANT", f"{T}!J14"),), generic=True),
    Case("formulas-inconsistent-edge", "formulas", _set(C, J15="=ROUND(MIN(G15/F14,1)*I15,2)"),
         (("INCONSISTENT_FORMULA", f"{C}!J15"),), generic=True),
    Case("formulas-typed", "formulas", _set(C, J14=1.56), (("TYPED_OVER_FORMULA", f"{C}!J14"),), generic=True),
    Case("formulas-div0", "formulas", _set(C, F19=0), (("FORMULA_ERROR", f"{C}!J19"),), generic=True),
    # --- generic checks on a summary sheet ---
    Case("summary-inconsistent-middle", "summary", _set(S, D12="=C12/B11"),
         (("INCONSISTENT_FORMULA", f"{S}!D12"),), generic=True),
    Case("summary-inconsistent-last", "summary", _set(S, F21="=ROUND(MIN(D20,1)*E21,2)"),
         (("INCONSISTENT_FORMULA", f"{S}!F21"),), generic=True),
    Case("summary-inconsistent-first", "summary", _set(S, D2="=C3/B2"),
         (("INCONSISTENT_FORMULA", f"{S}!D2"),), generic=True),
    Case("summary-total-short", "summary", _set(S, G22="=SUM(G2:G20)"),
         (("INCONSISTENT_FORMULA", f"{S}!G22"),), generic=True),
    Case("summary-typed", "summary", _set(S, F9=9.5), (("TYPED_OVER_FORMULA", f"{S}!F9"),), generic=True),
    Case("summary-typed-last", "summary", _set(S, D21=0.9), (("TYPED_OVER_FORMULA", f"{S}!D21"),), generic=True),
    Case("summary-hardcoded", "summary", _set(S, F5="=ROUND(MIN(D5,1)*10,2)"),
         (("HARDCODED_CONSTANT", f"{S}!F5"),), generic=True, show_all=True),
    Case("summary-div0", "summary", _set(S, B7=0), (("FORMULA_ERROR", f"{S}!D7"),), generic=True),
    Case("summary-ref", "summary", _set(S, D15="=C15/#REF!"), (("FORMULA_ERROR", f"{S}!D15"),), generic=True),
)

CLEAN_BASES = ("001", "004", "central", "template", "dept-template", "formulas", "summary", "subtotals",
               "subtotal-formulas")
# Findings the clean bases legitimately carry (real problems of the published forms, or DOMAIN §5 items).
EXPECTED_ON_CLEAN: dict[str, set[tuple[str, str]]] = {
    "001": {("RULE_TEXT_MISMATCH", f"{E1}!F14"), ("QUAL_SCORE_OUT_OF_BAND", f"{E1}!H14")},
    "004": {("RULE_TEXT_MISMATCH", f"{D}!E{r}") for r in (32, 33, 34, 35)},
    "004+report": {("RULE_TEXT_MISMATCH", f"{D}!E{r}") for r in (32, 33, 34, 35)} | {("TOTAL_MISMATCH", "报告!A2")},
    # the central example executed 31.1% of its budget and gives no reason for it
    "central": {("EXEC_RATE_MISMATCH", f"{C}!I6")},
    "formulas": {("EXEC_RATE_MISMATCH", f"{C}!I6")},
    "template": {("EXEC_RATE_MISMATCH", f"{T}!I6")},
    # our department template states each item's real full score (examples/004 printed "得4分" on 5-point items)
    "summary": {("NO_FORM_FOUND", "")},
}
GENERIC_CODES = ("TYPED_OVER_FORMULA", "INCONSISTENT_FORMULA", "HARDCODED_CONSTANT", "FORMULA_ERROR", "STALE_VALUE")


def key_of(f) -> tuple[str, str]:
    return (f.code, f"{f.sheet}!{f.cell}" if f.sheet else "")
