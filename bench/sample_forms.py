"""Realistic filled 项目支出绩效自评表 workbooks for tests and the benchmark (openpyxl writes them).

Central layout of DOMAIN.md §1: header facts, 项目资金 block, 年度总体目标, then the indicator table
(一级 | 二级 | 三级 | 性质 | 方向 | 年度指标值 | 实际完成值 | 计量单位 | 分值 | 得分 | 偏差原因), SUMIF subtotals,
总分 and 评价等级. `variant`: "builtin" (only Excel built-ins), "udf" (SCORE_* / GRADE plain) or "addin"
(`[1]!SCORE_*` as Excel saves calls into a linked .xlam, with the externalLink part).
"""

from __future__ import annotations

import random
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

HEADERS = ("一级指标", "二级指标", "三级指标", "指标性质", "指标方向", "年度指标值", "实际完成值", "计量单位", "分值",
           "得分", "偏差原因分析及改进措施")
TABLE_ROW = 13  # first indicator row
# (一级, 二级, 三级, 性质, 方向, target, unit, weight)
ROWS = [
    ("产出指标", "数量指标", "培训人次", "正向", "≥", 2910, "人次", 5),
    ("产出指标", "数量指标", "覆盖乡镇数", "正向", "≥", 19, "个", 5),
    ("产出指标", "数量指标", "新建站点", "正向", "≥", 242, "个", 5),
    ("产出指标", "数量指标", "巡查次数", "正向", "≥", 120, "次", 5),
    ("产出指标", "质量指标", "验收合格率", "正向", "≥", "95%", "%", 5),
    ("产出指标", "质量指标", "设备完好率", "正向", "≥", "98%", "%", 5),
    ("产出指标", "质量指标", "差错率", "反向", "≤", "2%", "%", 5),
    ("产出指标", "时效指标", "按期完成率", "正向", "=", "100%", "%", 5),
    ("产出指标", "成本指标", "单位成本", "反向", "≤", 350, "元", 5),
    ("产出指标", "成本指标", "预算控制率", "反向", "≤", "100%", "%", 5),
    ("效益指标", "社会效益指标", "服务对象增长", "正向", "≥", 15, "%", 6),
    ("效益指标", "社会效益指标", "群众知晓率", "正向", "≥", "90%", "%", 6),
    ("效益指标", "经济效益指标", "带动投资", "正向", "≥", 500, "万元", 6),
    ("效益指标", "生态效益指标", "能耗下降", "正向", "≥", 5, "%", 6),
    ("效益指标", "可持续影响指标", "长效机制", "定性", "", "有效保障", "", 6),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "正向", "≥", "90%", "%", 5),
    ("满意度指标", "服务对象满意度指标", "企业满意度", "正向", "≥", "85%", "%", 5),
]
UDF_PREFIX = {"builtin": None, "udf": "", "addin": "[1]!"}


def _builtin_score(r: int) -> str:
    # full marks when met, else pro rata; reverse indicators A/B; qualitative: equal text -> full
    return (f'=IF(G{r}="","",IF(D{r}="定性",IF(G{r}=F{r},I{r},ROUND(I{r}*0.7,2)),'
            f'IF(D{r}="反向",ROUND(MIN(1,IFERROR(N(F{r})/N(G{r}),1))*I{r},2),'
            f'ROUND(MIN(1,N(G{r})/N(F{r}))*I{r},2))))')


def _pct(x: object) -> float | None:
    if isinstance(x, str) and x.endswith("%"):
        return float(x[:-1]) / 100
    return float(x) if isinstance(x, (int, float)) else None


def make_form(path: str | Path, seed: int = 0, variant: str = "udf", blanks: int = 1, comments: bool = True) -> Path:
    """Write one filled form; `seed` varies names and numbers, `blanks` leaves that many actuals empty."""
    rng = random.Random(seed)
    wb = Workbook()
    ws = wb.active
    ws.title = "项目支出绩效自评表"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.merge_cells("A1:K1")
    ws["A1"] = "项目支出绩效自评表"
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells("A2:K2")
    ws["A2"] = "（2024年度）"
    ws["A3"], ws["B3"] = "项目名称", (f'="示范项目"&"{seed:05d}"' if seed % 7 == 3 else f"乡村振兴示范项目{seed:05d}")
    ws["A4"], ws["B4"], ws["F4"], ws["G4"] = "主管部门", "某市农业农村局", "实施单位", f"某县农业服务中心{seed % 97}"
    for c, label in zip("ACDEFGH", ("项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率")):
        if label:
            ws[f"{c}5"] = label
    ws["I5"] = "得分"
    budget = round(rng.uniform(50, 3000), 2)
    spent = round(budget * rng.uniform(0.55, 1.0), 2)
    ws["A6"], ws["D6"], ws["E6"], ws["F6"], ws["G6"] = "年度资金总额", "=D7+D8+D9", "=E7+E8+E9", "=F7+F8+F9", 10
    ws["H6"] = "=IF(E6=0,\"\",F6/E6)"
    ws["H6"].number_format = "0.00%"
    prefix = UDF_PREFIX[variant]
    ws["I6"] = (f"=ROUND(MIN(1,F6/E6)*G6,2)" if prefix is None else f"={prefix}SCORE_EXEC_RATE(E6,F6,G6)")
    ws["A7"], ws["C7"], ws["D7"], ws["E7"], ws["F7"] = "其中：财政拨款", "", budget, budget, spent
    ws["A8"], ws["D8"], ws["E8"], ws["F8"] = "上年结转资金", 0, 0, 0
    ws["A9"], ws["D9"], ws["E9"], ws["F9"] = "其他资金", 0, 0, 0
    ws["A10"], ws["D10"] = "年度总体目标", "实际完成情况"
    ws["A11"], ws["D11"] = "按计划完成项目建设任务", "基本完成"
    for j, h in enumerate(HEADERS):
        cell = ws.cell(TABLE_ROW - 1, j + 1, h)
        cell.font = Font(bold=True)
        cell.border = border
    blank_rows = set(rng.sample(range(len(ROWS)), k=min(blanks, len(ROWS))))
    for i, (l1, l2, l3, nature, op, target, unit, weight) in enumerate(ROWS):
        r = TABLE_ROW + i
        if nature == "定性":
            actual: object = target if rng.random() < 0.7 else "基本达成"
        else:
            t = _pct(target)
            factor = rng.choice((1.0, 1.0, 1.02, 0.9, 0.75, 1.3)) if nature == "正向" else rng.choice((1.0, 0.8, 1.2))
            val = t * factor if t is not None else 0
            actual = f"{val * 100:.1f}%" if isinstance(target, str) else round(val, 1)
        if i in blank_rows:
            actual = None
        if prefix is None and isinstance(target, str) and target.endswith("%"):
            # built-in formulas need numbers: percentages as 0.95 formatted 0%
            target, actual = _pct(target), (_pct(actual) if actual is not None else None)
        values = (l1, l2, l3, nature, op, target, actual, unit, weight)
        for j, v in enumerate(values):
            cell = ws.cell(r, j + 1, v)
            cell.border = border
            if j in (5, 6) and isinstance(v, float) and v <= 2 and unit == "%":
                cell.number_format = "0.0%"
        ws.cell(r, 11).border = border  # styled empty cells (deviation reason)
        if actual is None:
            ws.cell(r, 7).border = border  # a styled *blank* actual: must stay blank, not 0
        score = ws.cell(r, 10)
        score.border = border
        if prefix is None:
            score.value = _builtin_score(r)
        else:
            score.value = f'=IF(G{r}="","",{prefix}SCORE_INDICATOR(D{r},E{r},F{r},G{r},I{r}))'
    last = TABLE_ROW + len(ROWS) - 1
    for k, name in enumerate(("产出指标", "效益指标", "满意度指标")):
        # first-level subtotals beside the table (SUMIF), as many templates keep them
        r = TABLE_ROW + k
        ws.cell(r, 13, name)
        ws.cell(r, 14, f"=SUMIF($A${TABLE_ROW}:$A${last},M{r},$I${TABLE_ROW}:$I${last})")
        ws.cell(r, 15, f"=SUMIF($A${TABLE_ROW}:$A${last},M{r},$J${TABLE_ROW}:$J${last})")
    sub = last + 1
    total = sub
    ws.cell(total, 1, "总分")
    ws.cell(total, 9, f"=SUM(I{TABLE_ROW}:I{last})+G6")
    ws.cell(total, 10, f"=ROUND(SUM(J{TABLE_ROW}:J{last})+I6,2)")
    grade_row = total + 1
    ws.cell(grade_row, 1, "评价等级")
    ws.cell(grade_row, 10, (f'=IF(J{total}>=90,"优",IF(J{total}>=80,"良",IF(J{total}>=60,"中","差")))'
                           if prefix is None else f"={prefix}GRADE(J{total})"))
    ws.cell(grade_row + 1, 1, "平均得分率")
    ws.cell(grade_row + 1, 10, f"=ROUND(AVERAGE(J{TABLE_ROW}:J{last})/AVERAGE(I{TABLE_ROW}:I{last}),4)")
    ws.cell(grade_row + 2, 1, "填表人")
    wb.defined_names["总分"] = DefinedName("总分", attr_text=f"'项目支出绩效自评表'!$J${total}")
    dv = DataValidation(type="list", formula1='"正向,反向,定性"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add(f"D{TABLE_ROW}:D{last}")
    if comments:
        ws["J6"].comment = Comment("执行率得分 = min(执行率,1) × 分值", "perfscore")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    if variant == "addin":
        add_external_link(path)
    return path


def add_external_link(path: Path, target: str = "file:///C:/Users/user/AppData/Roaming/Microsoft/AddIns/perfscore.xlam") -> None:
    """Add the externalLink part Excel writes when cells call functions of a linked add-in ([1]!NAME)."""
    import zipfile

    with zipfile.ZipFile(path) as zin:
        members = [(i, zin.read(i.filename)) for i in zin.infolist()]
    ns_r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    out = []
    for info, data in members:
        if info.filename == "xl/workbook.xml":
            data = data.replace(b"</sheets>", b'</sheets><externalReferences><externalReference r:id="rIdExt1"/>'
                                              b"</externalReferences>", 1)
            if b"xmlns:r=" not in data[:data.index(b">", data.index(b"<workbook"))]:
                data = data.replace(b"<workbook ", f'<workbook xmlns:r="{ns_r}" '.encode(), 1)
        elif info.filename == "xl/_rels/workbook.xml.rels":
            data = data.replace(b"</Relationships>", (
                f'<Relationship Id="rIdExt1" Type="{ns_r}/externalLink" Target="externalLinks/externalLink1.xml"/>'
                "</Relationships>").encode())
        elif info.filename == "[Content_Types].xml":
            data = data.replace(b"</Types>", b'<Override PartName="/xl/externalLinks/externalLink1.xml" '
                                b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>')
        out.append((info, data))
    link = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<externalLink xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main" xmlns:r="{ns_r}"><externalBook r:id="rId1"><sheetNames/>'
            '<definedNames><definedName name="GRADE"/><definedName name="SCORE_EXEC_RATE"/>'
            '<definedName name="SCORE_INDICATOR"/></definedNames></externalBook></externalLink>').encode()
    link_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
                 'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                 'openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
                 f'Target="{target}" TargetMode="External"/></Relationships>').encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in out:
            zout.writestr(info, data)
        zout.writestr("xl/externalLinks/externalLink1.xml", link)
        zout.writestr("xl/externalLinks/_rels/externalLink1.xml.rels", link_rels)


def make_big_book(path: str | Path, sheets: int = 20, seed: int = 0) -> Path:
    """A 20-sheet book: 19 filled forms (built-ins) plus a cross-sheet 汇总 of their totals and grades."""
    rng = random.Random(seed)
    wb = Workbook()
    summary = wb.active
    summary.title = "汇总"
    summary.append(["序号", "表名", "总分", "等级", "执行率"])
    for k in range(1, sheets):
        ws = wb.create_sheet(f"项目{k:02d}")
        ws.append(["三级指标", "年度指标值", "实际完成值", "分值", "得分"])
        n = 60
        for i in range(n):
            r = i + 2
            target = rng.randint(10, 500)
            actual = round(target * rng.uniform(0.6, 1.3), 1)
            ws.append([f"指标{i + 1}", target, actual, 1.5, f"=ROUND(MIN(1,C{r}/B{r})*D{r},2)"])
        ws.cell(n + 2, 1, "总分")
        ws.cell(n + 2, 5, f"=ROUND(SUM(E2:E{n + 1}),2)")
        ws.cell(n + 3, 1, "执行率")
        ws.cell(n + 3, 5, f"=ROUND(SUMIF(C2:C{n + 1},\">0\")/SUM(B2:B{n + 1}),4)")
        row = k + 1
        summary.cell(row, 1, k)
        summary.cell(row, 2, ws.title)
        summary.cell(row, 3, f"='{ws.title}'!E{n + 2}")
        summary.cell(row, 4, f'=IF(C{row}>=90,"优",IF(C{row}>=80,"良",IF(C{row}>=60,"中","差")))')
        summary.cell(row, 5, f"='{ws.title}'!E{n + 3}")
    summary.cell(sheets + 1, 2, "平均")
    summary.cell(sheets + 1, 3, f"=ROUND(AVERAGE(C2:C{sheets}),2)")
    summary.cell(sheets + 2, 2, "优良数")
    summary.cell(sheets + 2, 3, f'=COUNTIF(D2:D{sheets},"优")+COUNTIF(D2:D{sheets},"良")')
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


TEMPLATES = Path(__file__).resolve().parents[1] / "workbook_templates"


def fill_template(path: str | Path, seed: int = 0, template: str | Path | None = None, blanks: int = 1) -> Path:
    """Fill the committed 项目支出绩效自评表 template as a budget unit would (openpyxl), save to `path`."""
    from openpyxl import load_workbook

    rng = random.Random(seed)
    src = Path(template) if template else TEMPLATES / "项目支出绩效自评表.xlsx"
    wb = load_workbook(src)
    ws = wb.worksheets[0]
    ws["C3"] = f"乡村振兴示范项目{seed:05d}"
    ws["C4"] = "某市农业农村局"
    ws["I4"] = f"某县农业服务中心{seed % 97}"
    budget = round(rng.uniform(50, 3000), 2)
    spent = round(budget * rng.uniform(0.55, 1.0), 2)
    ws["E6"], ws["F6"], ws["G6"] = budget, budget, spent
    ws["E7"], ws["F7"], ws["G7"] = budget, budget, spent
    first, last = 13, 42
    groups = {"产出": 50, "效益": 30, "满意度": 10}
    counts = {"产出": 0, "效益": 0, "满意度": 0}
    kinds = []
    for r in range(first, last + 1):
        a = ws.cell(r, 1).value
        if isinstance(a, str):
            current = next((k for k in groups if a.startswith(k)), None)
        kinds.append(current)
        if current:
            counts[current] += 1
    blank_rows = set(rng.sample(range(first, last + 1), k=blanks))
    seen = {k: 0 for k in groups}
    for r, kind in zip(range(first, last + 1), kinds):
        if kind is None:
            continue
        seen[kind] += 1
        share = int(groups[kind] * 100 // counts[kind]) / 100  # 2-decimal weights; the last row takes the rest
        weight = share if seen[kind] < counts[kind] else round(groups[kind] - share * (counts[kind] - 1), 2)
        if ws.cell(r, 3).value in (None, ""):
            ws.cell(r, 3, f"{kind}指标{r - first + 1}")
        target = rng.choice((19, 242, 120, 2910, "≥95%", "98%以上", 100))
        nature, op = ("正向", "≥")
        if r % 9 == 0:
            nature, op, target = "反向", "≤", 350
        ws.cell(r, 4, nature)
        ws.cell(r, 5, op)
        ws.cell(r, 6, target)
        if r in blank_rows:
            ws.cell(r, 7).value = None
        elif isinstance(target, str):
            ws.cell(r, 7, f"{rng.choice((96, 99, 90, 85))}%")
        else:
            ws.cell(r, 7, round(target * rng.choice((1.0, 1.0, 0.9, 0.75, 1.1)), 1))
        ws.cell(r, 9, weight)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# -- copies of the real published tables (tests/realforms), names and numbers varied per copy ----------------

UNITS = ("城东街道办事处", "第二中学", "农业农村局", "疾病预防控制中心", "水务站", "文化馆", "医疗保障局", "市场监督管理所")
REASONS = ("受疫情及上级资金下达时间影响，部分采购合同于年底签订，资金支付滞后，下一步将提前谋划、压实进度，"
           "按月调度执行情况。", "实施过程中对照年初目标逐项核实，个别指标因统计口径调整与年初设定存在差异，"
           "已在下年度目标编制时细化口径。", "项目按计划完成，群众反映良好。")


def real_cases() -> list[tuple[str, str]]:
    """Every (table id, layout) pair of the real-forms corpus, as tests/realforms/conftest.py writes them."""
    from tests.realforms.layouts import layouts_for, load_tables

    return [(tid, lay) for tid, t in _real_tables().items() for lay in layouts_for(t)]


_TABLES: dict | None = None


def _real_tables() -> dict:
    global _TABLES
    if _TABLES is None:
        from tests.realforms.layouts import load_tables

        _TABLES = load_tables()
    return _TABLES


def vary_real_table(table: dict, seed: int, layout: str = "merged") -> dict:
    """A copy of a published table as another unit would fill it: its names, funds amounts (same execution
    rate), numeric actuals (still meeting the target) and scores (a share moved between two rows, the total
    unchanged) differ; some rows get a long 偏差原因. Every tenth copy carries one planted error of
    tests/realforms PLANTED that suits the table in `layout` (no total error on a table cut before its total), as a
    batch from many units would."""
    import copy

    from tests.realforms.layouts import band, planted, planted_kinds

    rng = random.Random(seed)
    t = copy.deepcopy(table)
    unit = f"{UNITS[seed % len(UNITS)]}{seed // len(UNITS) + 1}"
    t["title"] = f"{t['title']}（{unit}）"
    for key in ("department", "implementer"):
        if t.get(key):
            t[key] = f"{t[key]}{unit}"
    funds = t.get("funds")
    if funds:
        factor = 1 + rng.randrange(1, 40) / 100
        for frow in funds["rows"]:
            for key in ("initial", "budget", "spent"):
                if isinstance(frow.get(key), (int, float)):
                    frow[key] = round(frow[key] * factor, 2)
    for row in t["rows"]:
        if isinstance(row.get("actual"), int) and not isinstance(row.get("actual"), bool):
            row["actual"] += rng.randrange(0, 9)
        if t["kind"] == "project" and "score" in row and "weight" in row and row["score"] < row["weight"]:
            row["reason"] = REASONS[rng.randrange(len(REASONS))]
    scored = [r for r in t["rows"] if isinstance(r.get("score"), (int, float)) and isinstance(r.get("weight"), (int, float))]
    givers = [r for r in scored if r["score"] > 0]
    takers = [r for r in scored if r["score"] < r["weight"]]
    if givers:
        a = rng.choice(givers)
        b = rng.choice([r for r in takers if r is not a] or [None])
        d = min(a["score"], 0.5 * rng.randrange(1, 3), *([b["weight"] - b["score"]] if b else []))
        a["score"] = round(a["score"] - d, 2)
        if b is not None:  # a share moved between rows: the total stays
            b["score"] = round(b["score"] + d, 2)
        elif "total" in t:  # all full marks: this unit lost d points, its total and grade follow
            t["total"] = round(t["total"] - d, 2)
            if t.get("grade"):
                t["grade"] = band(t["total"])
    if seed % 10 == 9:
        kinds = sorted(planted_kinds(t, layout))
        try:
            t = planted(t, kinds[(seed // 10) % len(kinds)])
        except (StopIteration, IndexError):  # a table with no donor row for that error stays clean
            pass
    return t


def write_real_copy(tid: str, layout: str, seed: int, path: str | Path) -> Path:
    from tests.realforms.layouts import write_form

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_form(vary_real_table(_real_tables()[tid], seed, layout), layout, path)
