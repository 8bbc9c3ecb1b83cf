"""Text checks of a form: TEXT_NUMBER on cells that should hold numbers, RULE_TEXT_MISMATCH between a row's
评分规则 and its 分值, and TOTAL_MISMATCH between the table and the report text around it ("自评得分 97.5分")."""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from perfscore.checks.findings import NOTE, Finding
from perfscore.checks.form_facts import (
    _Ctx,
    _Facts,
    _g,
    _group_name,
    _number,
    _quantity,
    _where,
)
from perfscore.forms.model import Form, Indicator, Sourced
from perfscore.rules import Profile, compare15, is_blank, is_not_applicable, normalize_text, sum15
from perfscore.xlsx.grid import CellData, SheetGrid, WorkbookGrid

_PURE_NUMBER = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?$")
_RATE_NAMES = ("预算执行率", "资金到位率", "资金使用率", "完成率", "合格率", "覆盖率", "满意度", "达标率",
               "到位率", "执行率", "使用率", "验收率", "及时率")



# ------------------------------------------------------------------------------------------------ TEXT_NUMBER


def _numeric_text_cells(form: Form) -> Iterable[tuple[str, Sourced]]:
    """The cells that should hold numbers and hold text, with what each one is (named only for those)."""
    for ind in form.indicators:
        for what, s in (("分值", ind.weight), ("得分", ind.score)):
            if isinstance(s.value, str):
                yield f"“{ind.name}”的{what}", s
    for st in form.subtotals:
        yield "小计分值", st.weight
        yield "小计得分", st.score
    yield "总分值", form.total_weight
    yield "总分", form.total
    for fr in form.funds:
        for what, s in (("年初预算数", fr.initial_budget), ("全年预算数", fr.budget), ("全年执行数", fr.spent),
                        ("分值", fr.weight), ("执行率", fr.exec_rate), ("得分", fr.score)):
            if isinstance(s.value, str):
                yield f"{fr.label}{what}", s


def _text_numbers(ctx: _Ctx) -> None:
    seen: set[str] = set()
    for what, s in _numeric_text_cells(ctx.form):
        if s.cell is None or s.cell in seen or s.is_blank or not isinstance(s.value, str):
            continue
        seen.add(s.cell)
        text = normalize_text(s.value)
        if is_blank(text) or is_not_applicable(text):
            continue
        if _PURE_NUMBER.match(text):
            if ctx.read_by_formula(s):  # harm shown: a formula of the workbook reads it and skips it
                ctx.add("TEXT_NUMBER", s,
                        f"{what}“{s.value}”是以文本存储的数字：读取它的公式（SUM 等）会忽略它，结果因此偏小；应改为数值格式。")
            else:  # a typed form reads right on paper; only a future formula would be wrong
                ctx.add("TEXT_NUMBER", s,
                        f"{what}“{s.value}”是以文本存储的数字；现在没有公式读取它，打印无误，但日后用 SUM 等公式合计时会被忽略，"
                        f"建议改为数值格式。", severity=NOTE)
            continue
        if _quantity(s.value) is None:
            ctx.add("TEXT_NUMBER", s, f"{what}“{s.value}”无法识别为数值；此处应填数字。")


# ------------------------------------------------------------------------------------------------ rule texts


_FULL_SCORE = re.compile(r"得\s*(\d+(?:\.\d+)?)\s*分")
_SCORE_FORMULA = re.compile(r"得分\s*[=＝]\s*([^×*xX，,。；;=＝]+?)\s*[×*xX]\s*(?:分值|权重|该项分值|指标分值)")
_CLAUSE_SPLIT = re.compile(r"[，,；;。]")


def _rule_text(ctx: _Ctx, ind: Indicator) -> None:
    text = ind.rule_text.text()
    if not text:
        return
    weight, _, bonus = ctx.facts[ind.row]
    if weight is None or weight <= 0 or bonus:
        return
    per_point = any(k in text for k in ("扣完为止", "否则扣", "扣至0", "扣至零"))
    # (a) the full score the text names
    points = []
    for clause in _CLAUSE_SPLIT.split(text):
        for m in _FULL_SCORE.finditer(clause):
            before = clause[:m.start()]
            if any(k in before for k in ("每", "各", "扣")):
                continue  # per-item or deduction wording: not the item's full score
            points.append(float(m.group(1)))
    if points and not per_point and not any(compare15(x, weight) == 0 for x in points) and compare15(sum15(points), weight) != 0:
        named = max(points)
        ctx.add("RULE_TEXT_MISMATCH", ind.rule_text,
                f"“{ind.name}”的评分规则写“得{_g(named)}分”，但本行分值为 {_g(weight)}；规则文字与分值应一致"
                f"（按规则最多得 {_g(named)} 分，分值却是 {_g(weight)}）。")
        return
    # (b) the quantity the formula names
    m = _SCORE_FORMULA.search(text)
    if m:
        quantity = normalize_text(m.group(1))
        name = normalize_text(ind.name)
        named_rate = next((r for r in _RATE_NAMES if r in quantity), None)
        own_rate = next((r for r in _RATE_NAMES if r in name), None)
        if named_rate and own_rate and named_rate != own_rate and named_rate not in name and own_rate not in quantity:
            ctx.add("RULE_TEXT_MISMATCH", ind.rule_text,
                    f"“{ind.name}”行的评分规则写“得分={m.group(1).strip()}×分值”，计算的是“{named_rate}”而不是本行的“{own_rate}”；"
                    f"应为“得分={own_rate}×分值”。")


# ------------------------------------------------------------------------------------------------ report texts


_GROUP_STATEMENT = re.compile(
    r"([^\s，,。；;、（(]{2,14}?)\s*[（(]\s*(?:总分|满分)?\s*[≤<=]?\s*(\d+(?:\.\d+)?)\s*分\s*[,，]\s*"
    r"自评(?:价)?得分\s*(\d+(?:\.\d+)?)\s*分\s*[)）]")
_TOTAL_STATEMENT = re.compile(r"自评(?:价)?(?:总)?得分\s*(?:为|是|:|：)?\s*(\d+(?:\.\d+)?)\s*分")


def _statement_cells(grid: WorkbookGrid, form: Form) -> list[tuple[SheetGrid, CellData]]:
    """(sheet, cell) of the texts mentioning 自评 outside the table, sheet by sheet in cell order."""
    out = []
    table_rows = range(form.header_rows[0], form.last_row + 1)
    for sheet in grid.sheets:
        # only text cells that mention 自评 matter: pick them before sorting, not after
        said = sorted(key for key, cell in sheet.cells.items() if isinstance(cell.value, str) and "自评" in cell.value)
        for cell in (sheet.cells[key] for key in said):
            if sheet.name == form.sheet and cell.row in table_rows:
                continue  # rule texts inside the table
            out.append((sheet, cell))
    return out


def check_declared_texts(grid: WorkbookGrid, forms: Sequence[Form], profile: Profile, file: str,
                         facts: dict[int, _Facts] | None = None) -> list[Finding]:
    """TOTAL_MISMATCH between the table and what the report text around it says ("自评得分 97.5分").
    facts: the form's _facts_of, when the caller has them already."""
    if len(forms) != 1:
        return []
    form = forms[0]
    statements = _statement_cells(grid, form)
    if not statements:
        return []  # no text outside the table mentions 自评: nothing to compare the table with
    ctx = _Ctx(file, form, grid, profile, facts=facts)
    items = ctx.scored_items
    facts = ctx.facts
    scores = [v for v in (_number(s) if i is None else facts[i.row].score for _n, _w, s, i in items) if v is not None]
    bonus = [v for v in (facts[i.row].score for _n, _w, _s, i in items if i is not None and facts[i.row].bonus)
             if v is not None]
    table_total = _number(form.total)
    if table_total is None and scores:
        table_total = sum15(scores)
    groups: dict[str, list[float]] = {}
    for ind in form.indicators:
        name = _group_name(ind.level1.text())
        v = facts[ind.row].score
        if name and v is not None:
            groups.setdefault(normalize_text(name), []).append(v)
    for sheet, cell in statements:
        where = f"{sheet.name}!{cell.ref}"
        text = cell.value
        group_spans = []
        for m in _GROUP_STATEMENT.finditer(text):
            group_spans.append(m.span())
            gname = normalize_text(m.group(1))
            key = next((g for g in groups if gname.endswith(g) or g.endswith(gname)), None)
            if key is None:
                continue
            said, got = float(m.group(3)), sum15(groups[key])
            if ctx.differs(said, got):
                ctx.add("TOTAL_MISMATCH", where,
                        f"文字说明“{m.group(0)}”称“{key}”自评得分 {_g(said)} 分，但自评表中该组各项得分之和为 {_g(got)}；"
                        f"两处应一致。")
        if table_total is None:
            continue
        for m in _TOTAL_STATEMENT.finditer(text):
            if any(a <= m.start() < b for a, b in group_spans):
                continue
            said = float(m.group(1))
            if not ctx.differs(said, table_total):
                continue
            hint = ""
            if bonus and not ctx.differs(table_total - said, sum15(bonus)):
                hint = f"差额 {_g(table_total - said)} 恰为加减分项得分，请确认总分是否计入加减分；"
            ctx.add("TOTAL_MISMATCH", where,
                    f"文字说明写“{m.group(0)}”，但自评表总分为 {_g(table_total)}（{_where(form.total)}），"
                    f"相差 {_g(said - table_total)}；{hint}报告与表格的总分应一致。")
    return ctx.findings
