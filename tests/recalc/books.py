"""Workbooks for the recalc tests, written with openpyxl into tmp_path (real files, read back)."""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Border, Side
from openpyxl.workbook.defined_name import DefinedName

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.sample_forms import fill_template, make_big_book, make_form  # noqa: E402,F401

THIN = Side(style="thin")


def builtin_book(path: Path) -> Path:
    """Only Excel built-ins: rounding half cases, 15-digit sums, SUMIF, cross-sheet refs, defined names."""
    wb = Workbook()
    ws = wb.active
    ws.title = "得分表"
    scores = [17.99, 18.01, 18.03, 17.97, 18.0]  # Σ = 90 exactly in decimal, 89.99999999999999 in binary
    for i, s in enumerate(scores, start=2):
        ws.cell(i, 1, f"指标{i - 1}")
        ws.cell(i, 2, s)
        ws.cell(i, 3, "产出" if i % 2 else "效益")
    ws["B8"] = "=SUM(B2:B6)"
    ws["C8"] = '=IF(B8>=90,"优",IF(B8>=80,"良",IF(B8>=60,"中","差")))'
    ws["D8"] = "=B8-90"
    ws["B9"] = "=ROUND(80.1/90*2.5,2)"  # 2.225 in decimal, 2.2249999… in binary: Excel/LO say 2.23
    ws["B10"] = "=ROUND(2.675,2)"
    ws["B11"] = "=ROUND(-0.5,0)"
    ws["B12"] = "=ROUND(17/19*2,2)"
    ws["B13"] = "=ROUND(189/242*2,2)"
    ws["B14"] = "=ROUND(932.92/3000*10,2)"
    ws["B15"] = '=SUMIF(C2:C6,"产出",B2:B6)'
    ws["B16"] = "=MIN(B2:B6)+MAX(B2:B6)"
    ws["B17"] = "=AVERAGE(B2:B6)"
    ws["B18"] = "=IF(E2=\"\",\"空\",E2)"  # E2 is a styled empty cell: blank, not 0
    ws["E2"].border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
    ws["B19"] = "=E2*1"
    ws["B20"] = "=IFERROR(1/0,\"除零\")"
    ws["B21"] = "=1/0"
    ws["B22"] = "=B2>B3"
    ws["B23"] = "=总分+预算!B1"
    ws["B24"] = "=COUNTIF(C2:C6,\"效益\")"
    ws["B25"] = "=ROUND(SUM(B2:B6)/5,2)=18"
    ws["B26"] = '="共"&COUNT(B2:B6)&"项"'
    ws["B27"] = "=ROUND(1.005,2)+ROUND(0.285,2)+ROUND(1.115,2)"
    ws["B28"] = "=SUMPRODUCT(B2:B6,{1;1;1;1;1})"
    ws["A2"].comment = Comment("带批注的工作簿（ironcalc 自带加载器会失败）", "test")
    other = wb.create_sheet("预算")
    other["A1"], other["B1"] = "全年预算数", 3000
    other["A2"], other["B2"] = "全年执行数", 932.92
    other["B3"] = "=ROUND(MIN(1,B2/B1)*10,2)"
    other["B4"] = "='得分表'!B8+B3"
    other["B5"] = "=得分表!B9*2"
    wb.defined_names["总分"] = DefinedName("总分", attr_text="'得分表'!$B$8")
    wb.defined_names["budget"] = DefinedName("budget", attr_text="预算!$B$1")
    other["B6"] = "=budget/1000"
    wb.save(path)
    return path


def udf_book(path: Path, prefix: str = "") -> Path:
    """perfscore calls: plain / [1]! / 'x.xlam'!, nested in IF, summed, graded, across sheets and names."""
    wb = Workbook()
    ws = wb.active
    ws.title = "项目支出绩效自评表"
    rows = [("正向", "≥", 19, 17, 2), ("正向", "≥", 242, 189, 2), ("反向", "≤", 350, 400, 5),
            ("正向", "≥", "≥95%", "96%", 3), ("定性", "", "有效保障", "有效保障", 6), ("正向", "=", 100, 80, 3),
            ("正向", "≥", 10, None, 4)]
    for i, (n, o, t, a, w) in enumerate(rows, start=2):
        ws.cell(i, 1, n)
        ws.cell(i, 2, o)
        ws.cell(i, 3, t)
        if a is not None:
            ws.cell(i, 4, a)
        else:
            ws.cell(i, 4).border = Border(left=THIN)  # styled blank actual
        ws.cell(i, 5, w)
        ws.cell(i, 6, f'=IF(D{i}="","",{prefix}SCORE_INDICATOR(A{i},B{i},C{i},D{i},E{i}))')
    ws["F10"] = "=SUM(F2:F8)+F12"
    ws["F11"] = f"={prefix}GRADE(F10)"
    ws["F12"] = f"={prefix}SCORE_EXEC_RATE(预算!B1,预算!B2,10)"
    ws["F13"] = f"={prefix}SCORE_SATISFACTION(70,9,8,0,4,10)"
    ws["F14"] = f"={prefix}SCORE_COST_SAVING(100,92.84,10)"
    ws["F15"] = f"={prefix}GRADE(ROUND(SUM(F2:F8)*100/{prefix}SCORE_EXEC_RATE(3000,3000,100),2))"
    ws["F16"] = f"={prefix}SCORE_INDICATOR(A2,B2,C2,D2)"  # wrong arity: #VALUE! like Excel
    ws["F17"] = f"={prefix}GRADE(总分)"
    ws["F18"] = f'={prefix}GRADE(F10,"central")'
    ws["F19"] = f"=IFERROR({prefix}SCORE_EXEC_RATE(0,5,10),-1)"
    other = wb.create_sheet("预算")
    other["B1"], other["B2"] = 3000, 932.92
    other["B3"] = "=项目支出绩效自评表!F10"
    other["B4"] = f"={prefix}GRADE('项目支出绩效自评表'!F10-10)"
    wb.defined_names["总分"] = DefinedName("总分", attr_text="'项目支出绩效自评表'!$F$10")
    wb.save(path)
    return path


def fallback_book(path: Path) -> Path:
    """Only built-ins, but ones ironcalc 0.9.1 gets wrong or refuses (see perfscore/recalc/fallback.py):
    scalar functions over arrays, array criteria, AGGREGATE, 3D references, ROUND half cases over arrays."""
    from openpyxl.worksheet.formula import ArrayFormula

    wb = Workbook()
    ws = wb.active
    ws.title = "指标"
    rows = [("产出指标", "数量指标", 19, 17, 2), ("产出指标", "质量指标", 242, 189, 2), ("效益指标", "社会效益指标", 350, 400, 5),
            ("效益指标", "经济效益指标", 100, "未完成", 3), ("满意度指标", "服务对象满意度", 95, 96, 10),
            ("产出指标", "时效指标", 12, None, 4)]
    for i, row in enumerate(rows, start=2):
        for j, v in enumerate(row, start=1):
            if v is not None:
                ws.cell(i, j, v)
    ws["F2"] = "=ROUND(D2/C2*E2,2)"
    ws["F3"] = "=ROUND(D3/C3*E3,2)"
    ws["F4"] = "=1/0"  # an error inside a range AGGREGATE must skip
    ws["F5"] = "=ROUND(80.1/90*2.5,2)"
    ws["F6"] = "=MIN(D6/C6,1)*E6"
    ws["H2"] = '=SUMPRODUCT(ISNUMBER(D2:D7)*E2:E7)'  # ironcalc: 0
    ws["H3"] = '=SUMPRODUCT(ISNUMBER(FIND("产出",A2:A7))*E2:E7)'  # ironcalc: 0
    ws["H4"] = "=SUMPRODUCT(1/COUNTIF(A2:A7,A2:A7))"  # distinct levels; ironcalc: #DIV/0!
    ws["H5"] = '=SUM(COUNTIF(A2:A7,{"产出指标","效益指标"}))'  # ironcalc: 0
    ws["H6"] = '=SUMPRODUCT(COUNTIFS(A2:A7,{"产出指标","效益指标"},E2:E7,">2"))'
    ws["H7"] = '=SUMPRODUCT(SUMIFS(E2:E7,A2:A7,{"产出指标","满意度指标"}))'
    ws["H8"] = "=SUMPRODUCT(ROUND(D2:D3/C2:C3*E2:E3,2))"  # ironcalc: #N/IMPL!; half cases need Excel rounding
    ws["H9"] = "=SUMPRODUCT(ISNUMBER(D2:D3)*1)*MROUND(0.125,0.05)+ROUNDUP(0.1*3,1)+ROUNDDOWN(2.3-0.3,0)"
    ws["H10"] = "=_xlfn.AGGREGATE(9,6,F2:F6)"  # unknown to ironcalc
    ws["H11"] = "=_xlfn.AGGREGATE(4,6,F2:F6)"
    ws["H12"] = "=SUM(一季度:三季度!B2)"  # 3D reference over Chinese sheet names
    ws["H13"] = "=AVERAGE(季度合计)"  # 3D reference through a defined name
    ws["H14"] = "=H2+H10"  # depends on two fallback cells: ironcalc computes it from their values
    ws["H15"] = "=SUMPRODUCT((F2:F6>H16)*1)"  # a fallback cell fed by another fallback cell
    ws["H16"] = "=_xlfn.AGGREGATE(1,6,F2:F6)"
    ws["H17"] = '=SUMPRODUCT(IFERROR(VALUE({"95%","1,234.5","x"}),0))'
    ws["H18"] = "=ROUND(H8,1)"
    ws["H19"] = '=IF(H4=3,"三级","其他")'
    ws["H20"] = ArrayFormula("H20", '=SUM(IF(ISNUMBER(D2:D7),E2:E7,0))')  # CSE; ironcalc: 0
    ws["H21"] = ArrayFormula("H21", '=MAX(IF(ISNUMBER(D2:D7),D2:D7/C2:C7))')
    ws["H22"] = "=SUMPRODUCT((A2:A7=\"产出指标\")*E2:E7)"  # array context, safe in ironcalc: stays there
    for k, name in enumerate(("一季度", "二季度", "三季度")):
        q = wb.create_sheet(name)
        q["A2"], q["B2"] = "执行数", 1000.5 * (k + 1)
    wb.defined_names["季度合计"] = DefinedName("季度合计", attr_text="一季度:三季度!$B$2")
    wb.save(path)
    return path


def fallback_udf_book(path: Path, prefix: str = "[1]!") -> Path:
    """perfscore calls inside formulas ironcalc cannot evaluate (they go to the fallback engine natively)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "项目支出绩效自评表"
    rows = [("正向", "≥", 19, 17, 2), ("正向", "≥", 242, 189, 2), ("反向", "≤", 350, 400, 5),
            ("正向", "≥", "≥95%", "96%", 3), ("定性", "", "有效保障", "有效保障", 6), ("正向", "≥", 10, None, 4)]
    for i, (n, o, t, a, w) in enumerate(rows, start=2):
        ws.cell(i, 1, n)
        ws.cell(i, 2, o)
        ws.cell(i, 3, t)
        if a is not None:
            ws.cell(i, 4, a)
        ws.cell(i, 5, w)
        ws.cell(i, 6, f"={prefix}SCORE_INDICATOR(A{i},B{i},C{i},D{i},E{i})")  # row 7: blank actual -> #VALUE!
    ws["F9"] = "=_xlfn.AGGREGATE(9,6,F2:F7)"  # sums the bridged scores, skipping the refusal
    ws["F10"] = f"={prefix}GRADE(_xlfn.AGGREGATE(9,6,F2:F7)+{prefix}SCORE_EXEC_RATE(3000,932.92,10))"
    ws["F11"] = f'=SUMPRODUCT(ISNUMBER(D2:D7)*1)+{prefix}SCORE_EXEC_RATE(预算!B1,预算!B2,10)'
    ws["F12"] = f'=SUMPRODUCT(COUNTIF(A2:A7,{{"正向","反向"}}))*{prefix}SCORE_SATISFACTION(70,9,8,0,4,10)'
    ws["F13"] = f"={prefix}GRADE(F9+F14)"  # bridged call over a fallback cell
    ws["F14"] = f"={prefix}SCORE_EXEC_RATE(预算!B1,预算!B2,10)"
    ws["F15"] = f'=_xlfn.AGGREGATE(9,6,F2:F7)+{prefix}SCORE_INDICATOR(A7,B7,C7,D7,E7)'  # refusal surfaces
    other = wb.create_sheet("预算")
    other["B1"], other["B2"] = 3000, 932.92
    wb.save(path)
    return path


ARRAY_SAFE = ['=SUMPRODUCT(COLUMN(A1:C1)*1)', '=SUMPRODUCT(MONTH(C1:C3))', '=SUMPRODUCT(DAY(C1:C3))', '=SUMPRODUCT(YEAR(C1:C3))',
              '=SUMPRODUCT(AND(B1:B3>0)*1)', '=SUMPRODUCT(OR(B1:B3>3)*1)', '=SUMPRODUCT(MAX(B1:B3*2))', '=SUMPRODUCT(SUM(B1:B3*2))',
              '=SUMPRODUCT(IF(A1:A3="产出",B1:B3,0))', '=SUMPRODUCT(IFERROR(1/(B1:B3-2.5),0))', '=SUMPRODUCT(LEN(D1:D3))',
              '=SUMPRODUCT((LEFT(D1:D3,1)="a")*1)', '=SUMPRODUCT((RIGHT(D1:D3,1)="2")*1)', '=SUMPRODUCT(MID(D1:D3&"0",2,1)*1)',
              '=SUMPRODUCT((TEXT(B1:B3,"0.0")="2.5")*1)', '=SUMPRODUCT(LEN(TRIM(D1:D3)))', '=SUMPRODUCT(LEN(SUBSTITUTE(D1:D3,"2","")))',
              '=SUMPRODUCT(EXACT(A1:A3,"产出")*1)', '=SUMPRODUCT(ABS(B1:B3-3))', '=SUMPRODUCT(INT(B1:B3))', '=SUMPRODUCT(ROW(B1:B3)*B1:B3)',
              '=SUMPRODUCT(SUMIF(A1:A3,A1:A3,B1:B3))', '=SUMPRODUCT(MMULT(TRANSPOSE(B1:B3),B1:B3))', '=SUMPRODUCT(B1:B3*{1,2})',
              '=SUMPRODUCT(TRANSPOSE(B1:B3)*{1,2,3})', '{=SUM(IF(A1:A3="产出",B1:B3))}', '{=MAX(IF(A1:A3="产出",B1:B3))}',
              '{=MIN(IF(A1:A3="产出",B1:B3))}', '{=SUM(LEN(D1:D3))}', '{=SUM((A1:A3="产出")*(B1:B3>2))}']
ARRAY_UNSAFE = ['=SUMPRODUCT(COUNT(B1:B3*1))', '=SUMPRODUCT(CHOOSE({1,2},B1:B3,B1:B3))', '=SUMPRODUCT(ISERROR(1/(B1:B3-2.5))*1)',
                '{=AVERAGE(IF(A1:A3="产出",B1:B3))}', '{=COUNT(IF(A1:A3="产出",B1:B3))}', '=SUMPRODUCT(ISTEXT(D1:D3)*1)',
                '=SUMPRODUCT(ISBLANK(D1:D3)*1)', '=SUMPRODUCT(MOD(B1:B3*4,3))', '=SUMPRODUCT(ROUNDUP(B1:B3/3,1))',
                '=SUMPRODUCT(MATCH({"效益","产出"},A1:A3,0))', '=SUMPRODUCT(VLOOKUP({"产出","效益"},A1:B3,2,FALSE))',
                '=SUMPRODUCT(AVERAGEIF(A1:A3,{"产出","效益"},B1:B3))', '{=SUM(LARGE(B1:B3,{1,2}))}', '{=SUM(SMALL(B1:B3,{1,2}))}',
                '=SUMPRODUCT(NOT(A1:A3="产出")*1)']


def array_book(path: Path) -> Path:
    """Array contexts (SUMPRODUCT, CSE, array constants): the functions ironcalc evaluates right over arrays
    (column F) and those it does not (column G, routed to the fallback). "{=…}" marks a CSE formula."""
    from openpyxl.worksheet.formula import ArrayFormula

    wb = Workbook()
    ws = wb.active
    ws.title = "数组"
    data = [("产出", 1.25, 45000.5, "a1"), ("效益", 2.5, 45100, "b22"), ("产出", 3.75, 45200.25, None)]
    for i, row in enumerate(data, start=1):
        for j, v in enumerate(row, start=1):
            if v is not None:
                ws.cell(i, j, v)
    for col, formulas in ((6, ARRAY_SAFE), (7, ARRAY_UNSAFE)):
        for i, f in enumerate(formulas, start=1):
            cell = ws.cell(i, col)
            cell.value = ArrayFormula(cell.coordinate, f[1:-1]) if f.startswith("{") else f
    wb.save(path)
    return path


HANG_FORMULA = "=COMBIN(1E308,1E308)"  # ironcalc 0.9.1 never returns from this call (measured: > 15 s, no end)


def hanging_book(path: Path, formula: str = HANG_FORMULA) -> Path:
    """A plain workbook with one formula that makes ironcalc 0.9.1 loop forever inside Rust."""
    wb = Workbook()
    ws = wb.active
    ws.title = "得分表"
    ws["A1"], ws["B1"] = "分值", 20
    ws["A2"], ws["B2"] = "得分", "=ROUND(B1*0.9,2)"
    ws["A3"], ws["B3"] = "组合数", formula
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
