"""Checks over the form model: totals, weights, scores against the rules, execution rate, grade, reasons,
units, text numbers, funds rows, rule texts. Pure: Form + WorkbookGrid + Profile in, findings out.

Every message is Chinese, says what is wrong and what the rule expects, with the numbers, and names the
profile when a rule setting decides the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache, wraps
from typing import Iterable, Mapping, NamedTuple, Sequence

from perfscore.checks.findings import ERROR, NOTE, WARNING, Finding
from perfscore.checks.formulas import is_idiomatic_literal, is_threshold_literal
from perfscore.checks.profile_choice import cell_profile
from perfscore.checks.registry import spec
from perfscore.checks.shape import area_of, literals, tokenize
from perfscore.forms.model import Form, FundsRow, Indicator, Sourced, split_group_weight
from perfscore.rules import (
    NotApplicable,
    Profile,
    Quantity,
    RuleInputError,
    assess_exec_rate,
    assess_indicator,
    compare15,
    grade,
    is_blank,
    is_not_applicable,
    level_of_fraction,
    normalize_text,
    parse_qual_level,
    parse_quantity,
    resolve_kind,
    round15,
    sum15,
)
from perfscore.xlsx.grid import CellData, SheetGrid, WorkbookGrid, parse_ref

_NO_REASON = {"无", "暂无", "没有", "无偏差", "无。", "暂无。", "未发现", "不适用"}
_PURE_NUMBER = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?$")
_RATE_NAMES = ("预算执行率", "资金到位率", "资金使用率", "完成率", "合格率", "覆盖率", "满意度", "达标率",
               "到位率", "执行率", "使用率", "验收率", "及时率")


def _g(x: float) -> str:
    return f"{round15(x):g}"


def _pct(x: float) -> str:
    return f"{round15(x * 100):.2f}%".replace(".00%", "%")


@lru_cache(maxsize=8192)
def _cell_pos(cell: str) -> tuple[str, int, int]:
    """"Sheet!G12" -> ("Sheet", 12, 7), once per cell text (every total and subtotal asks for each row)."""
    sheet, ref = cell.rsplit("!", 1)
    return (sheet, *parse_ref(ref))


# ------------------------------------------------------------------------------------------------ context


class _Facts(NamedTuple):
    """What most checks ask of an indicator row, worked out once per form (each check walks every row)."""

    weight: float | None  # _number(ind.weight)
    score: float | None  # _number(ind.score)
    bonus: bool  # _is_bonus(ind)


def _facts_of(form: Form) -> dict[int, _Facts]:
    return {ind.row: _Facts(_number(ind.weight), _number(ind.score), _is_bonus(ind)) for ind in form.indicators}


@dataclass
class _Ctx:
    file: str
    form: Form
    grid: WorkbookGrid
    profile: Profile
    findings: list[Finding] = field(default_factory=list)
    facts: dict[int, _Facts] | None = None  # indicator row -> _Facts; kept by replace() (see _cell_ctx)

    def __post_init__(self) -> None:
        if self.facts is None:
            self.facts = _facts_of(self.form)

    @property
    def tol(self) -> float:
        return self.profile.total.tolerance

    def differs(self, a: float, b: float) -> bool:
        return round15(abs(a - b)) > self.tol + 1e-12

    def add(self, code: str, where: Sourced | str | None, message: str, severity: str | None = None) -> None:
        cell_text = where.cell if isinstance(where, Sourced) else where
        if cell_text and "!" in cell_text:
            sheet, cell = cell_text.rsplit("!", 1)
        else:
            sheet, cell = self.form.sheet, cell_text or ""
        self.findings.append(Finding(self.file, sheet, cell, code, severity or spec(code).severity, message))

    @cached_property
    def has_reason_column(self) -> bool:
        return any(role == "deviation_reason" for role, _ in self.form.columns)

    @cached_property
    def scored_items(self) -> list[tuple[str, Sourced, Sourced, Indicator | None]]:
        """_scored_items(form), once per form (totals, weights and range checks all walk it)."""
        return _scored_items(self.form)

    def cell_data(self, s: Sourced):
        if s.cell is None:
            return None
        name, row, col = _cell_pos(s.cell)
        sheet = self.grid.sheet(name)
        return None if sheet is None else sheet.get(row, col)


_PLAIN_OR_NONE = (str, float, int, type(None))


def _memo_plain(fn):
    """fn memoised per argument values (bounded) when every argument is a plain str/number/None — a batch
    repeats "≥95%", 5, "人次", 正向 a lot; other values (ExcelError, …) are computed each time."""
    cached = lru_cache(maxsize=8192, typed=True)(fn)

    @wraps(fn)
    def call(*args):
        for a in args:
            if type(a) not in _PLAIN_OR_NONE:
                return fn(*args)
        return cached(*args)

    return call


@_memo_plain
def _quantity(raw: object) -> Quantity | None:
    """parse_quantity(raw), or None where it refuses (blank, 不适用, not a number): every caller here treats
    both refusals alike."""
    try:
        return parse_quantity(raw)
    except (RuleInputError, NotApplicable):
        return None


@_memo_plain
def _number_of(raw: object) -> float | None:
    if is_blank(raw):
        return None
    q = _quantity(raw)
    return None if q is None else q.value


_INFINITIES = (float("inf"), float("-inf"))


def _number(s: Sourced) -> float | None:
    """The value as a number; None for blank, 不适用, or text that is not a number (reported elsewhere)."""
    raw = s.value
    if type(raw) is float or type(raw) is int:  # what parsing says, without a memo that misses on new numbers
        return float(raw) if raw == raw and raw not in _INFINITIES else None
    return _number_of(raw)


def _empty(s: Sourced) -> bool:
    """Blank and not a formula (a formula saved without its result is uncalculated, not empty)."""
    return s.is_blank and not s.formula


def _filled(form: Form) -> bool:
    """Has anyone started scoring? A blank template is not a form with missing scores."""
    return any(not i.score.is_blank for i in form.indicators)


def _where(s: Sourced) -> str:
    return s.ref or "（未找到单元格）"


# ------------------------------------------------------------------------------------------------ row classes


def row_classes(forms: Sequence[Form], facts: Sequence[dict[int, _Facts]] | None = None
                ) -> dict[str, Mapping[int, str]]:
    """sheet -> {row: kind of row} so the generic formula checks compare like with like.
    facts: each form's _facts_of, when the caller has them already."""
    out: dict[str, dict[int, str]] = {}
    for k, form in enumerate(forms):
        form_facts = facts[k] if facts is not None else _facts_of(form)
        rows = out.setdefault(form.sheet, {})
        for r in range(form.header_rows[0], form.header_rows[1] + 1):
            rows[r] = "header"
        for fr in form.funds:
            if fr.label_cell.row:
                rows[fr.label_cell.row] = "funds"
        for ind in form.indicators:
            rows[ind.row] = "ind:" + _row_kind(ind, form_facts[ind.row].bonus)
        for st in form.subtotals:
            rows[st.row] = "subtotal"
        for s, kind in ((form.total, "total"), (form.grade, "grade")):
            if s.row is not None and s.sheet == form.sheet:
                rows.setdefault(s.row, kind)
    return out


def _row_kind(ind: Indicator, bonus: bool) -> str:
    if bonus:
        return "bonus"
    if ind.target.is_blank and ind.actual.is_blank and ind.nature.is_blank:
        return "judgement"
    kind = _kind_of(ind.nature.value, ind.operator.value, ind.target.value)
    if kind is None:
        return "unknown"
    if kind == "qualitative" or not _is_number_like(ind.actual.value):
        return "qualitative"
    return "quantitative"  # 正向/反向/等于 share one score formula in most templates


@_memo_plain
def _kind_of(nature: object, operator: object, target: object) -> str | None:
    """resolve_kind's rule name, None where it refuses."""
    try:
        return resolve_kind(nature, operator, target)[0]
    except RuleInputError:
        return None


def _is_bonus(ind: Indicator) -> bool:
    return _bonus_of(ind.level1.value, ind.level2.value)


@_memo_plain
def _bonus_of(level1: object, level2: object) -> bool:
    """Indicator.is_bonus, which reads only 一级/二级."""
    return Indicator(0, level1=Sourced(level1), level2=Sourced(level2)).is_bonus


def _is_number_like(raw: object) -> bool:
    return not is_blank(raw) and _quantity(raw) is not None


# ------------------------------------------------------------------------------------------------ entry point


def _cell_ctx(ctx: _Ctx, s: Sourced) -> _Ctx:
    """The context judging one result cell: with the profile its formula states in its 规则 argument, if any
    (the cell computes with it, in Excel and in recalc). Findings still go to the form's list."""
    if not s.formula:
        return ctx  # a typed value states no rule
    p = cell_profile(s.formula, ctx.grid, s.sheet, ctx.profile)
    return ctx if p is ctx.profile else replace(ctx, profile=p)


def check_forms(grid: WorkbookGrid, forms: Sequence[Form], profile: Profile, file: str
                ) -> tuple[list[Finding], dict[str, Mapping[int, str]]]:
    """check_form on every form, then check_declared_texts, and the row_classes of the forms: each form's
    row facts (weight, score, bonus) worked out once for all three."""
    facts = [_facts_of(form) for form in forms]
    findings: list[Finding] = []
    for form, form_facts in zip(forms, facts):
        findings += _check_form(_Ctx(file, form, grid, profile, facts=form_facts))
    findings += check_declared_texts(grid, forms, profile, file, facts=facts[0] if len(forms) == 1 else None)
    return findings, row_classes(forms, facts)


def check_form(form: Form, grid: WorkbookGrid, profile: Profile, file: str) -> list[Finding]:
    return _check_form(_Ctx(file, form, grid, profile))


def _check_form(ctx: _Ctx) -> list[Finding]:
    form = ctx.form
    _text_numbers(ctx)
    for ind in form.indicators:
        _indicator(_cell_ctx(ctx, ind.score), ind)
    _funds(ctx)
    _weights(ctx)
    _totals(ctx)
    _grade(_cell_ctx(ctx, form.grade))
    for ind in form.indicators:
        _rule_text(ctx, ind)
    _score_formulas(ctx)
    return ctx.findings


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
            ctx.add("TEXT_NUMBER", s,
                    f"{what}“{s.value}”是以文本存储的数字：SUM 等公式会忽略它，合计因此偏小；应改为数值格式。")
            continue
        if _quantity(s.value) is None:
            ctx.add("TEXT_NUMBER", s, f"{what}“{s.value}”无法识别为数值；此处应填数字。")


# ------------------------------------------------------------------------------------------------ one indicator


def _indicator(ctx: _Ctx, ind: Indicator) -> None:
    weight, score, bonus = ctx.facts[ind.row]
    if is_not_applicable(ind.score.value) or is_not_applicable(ind.actual.value):
        return
    # SCORE_OVER_WEIGHT
    if bonus:
        if score is not None and score < 0 and "减" not in ind.level2.text() + ind.level3.text():
            ctx.add("SCORE_OVER_WEIGHT", ind.score, f"加分项“{ind.name}”得分为 {_g(score)}，不应为负数。")
    elif weight is not None:
        if score is None and weight > 0 and _empty(ind.score) and _filled(ctx.form):
            ctx.add("SCORE_OVER_WEIGHT", ind.score,
                    f"“{ind.name}”分值为 {_g(weight)}，得分为空；每个有分值的指标都应填写得分（0 ≤ 得分 ≤ 分值）。")
        elif score is not None and compare15(score, weight) > 0:
            ctx.add("SCORE_OVER_WEIGHT", ind.score,
                    f"“{ind.name}”得分 {_g(score)} 超过分值 {_g(weight)}；得分不得突破分值（0 ≤ 得分 ≤ 分值）。")
            score = None  # reported: comparing it with the rule as well would say the same twice
        elif score is not None and score < 0:
            ctx.add("SCORE_OVER_WEIGHT", ind.score, f"“{ind.name}”得分 {_g(score)} 为负数；得分应在 0 与分值 {_g(weight)} 之间。")
    if bonus or weight is None or weight <= 0:
        return
    if ind.target.is_blank and ind.actual.is_blank:
        return  # judgement item scored by its 评价要点 (department forms): no rule to recompute
    actual = ind.actual.value
    lost = score is not None and compare15(score, weight) < 0
    missed: str | None = None
    if not _is_number_like(actual):
        missed = _qualitative(ctx, ind, weight, score)
    else:
        missed = _quantitative(ctx, ind, weight, score)
    _deviation_reason(ctx, ind, weight, score, lost, missed)


def _qualitative(ctx: _Ctx, ind: Indicator, weight: float, score: float | None) -> str | None:
    try:
        level = parse_qual_level(ind.actual.value, ind.target.value, cell=ind.actual.cell)
    except NotApplicable:
        return None
    except RuleInputError as err:
        if ind.actual.is_blank:
            if score is not None:
                ctx.add("TEXT_NUMBER", ind.actual,
                        f"“{ind.name}”实际完成值为空，却填了得分 {_g(score)}；应填写实际完成值，得分才有依据。")
            return None
        if _is_number_like(ind.target.value) and not _nature_is_qualitative(ind):
            ctx.add("TEXT_NUMBER", ind.actual,
                    f"“{ind.name}”实际完成值“{ind.actual.value}”无法识别为数值，而年度指标值“{ind.target.value}”是数值，"
                    f"无法按规则核算得分；应填写可比的数值。")
        else:
            ctx.add("TEXT_NUMBER", ind.actual, f"“{ind.name}”：{err.message}。")
        return None
    if score is None:
        return None if level == "达成" else f"完成程度为“{level}”"
    lo, hi = ctx.profile.qualitative.bands[level]
    fraction = score / weight
    got = level_of_fraction(fraction, ctx.profile)
    if got != level:
        ctx.add("QUAL_SCORE_OUT_OF_BAND", ind.score,
                f"“{ind.name}”实际完成情况为“{ind.actual.value}”（{level}），该档得分应在分值的 {lo:.0%}–{hi:.0%} 之间，"
                f"即 {_g(lo * weight)}–{_g(hi * weight)} 分{'（不含上限）' if level != '达成' else ''}；"
                f"填报得分 {_g(score)} 为分值的 {fraction:.0%}，属于“{got}”档（方案 {ctx.profile.name}）。")
    return None if level == "达成" else f"完成程度为“{level}”"


def _nature_is_qualitative(ind: Indicator) -> bool:
    return "定性" in ind.nature.text()


_UNCERTAIN = ("请核实", "按百分数")


def _quantitative(ctx: _Ctx, ind: Indicator, weight: float, score: float | None) -> str | None:
    p = ctx.profile
    try:
        a = assess_indicator(ind.nature.value, ind.operator.value, ind.target.value, ind.actual.value,
                             ind.weight.value, p, cell=ind.score.cell)
    except NotApplicable:
        return None
    except RuleInputError as err:
        target = ind.target if "年度指标值" in err.message else ind.actual if "实际完成值" in err.message else (
            ind.nature if not ind.nature.is_blank else ind.operator if not ind.operator.is_blank else ind.score)
        ctx.add("TEXT_NUMBER", target, f"“{ind.name}”无法按评分规则核算：{err.message}。")
        return None
    _units(ctx, ind)
    if a.rule_id == "positive" and a.ratio is not None and compare15(a.ratio, p.indicator.over_target_warn_ratio) >= 0:
        ctx.add("OVER_TARGET", ind.actual,
                f"“{ind.name}”实际完成值为年度指标值的 {a.ratio:.0%}（{ind.actual.value} 对 {ind.target.value}），"
                f"达到方案 {p.name} 的提示阈值 {p.indicator.over_target_warn_ratio:g} 倍：指标值设置可能偏低，请核实。")
    if score is not None and ctx.differs(score, a.score):
        uncertain = any(any(k in w for k in _UNCERTAIN) for w in a.warnings)
        direction = "多打" if score > a.score else "少打"
        ctx.add("SCORE_DIFFERS_FROM_RULE", ind.score,
                f"“{ind.name}”填报得分 {_g(score)}，按评分规则应为 {_g(a.score)}（{direction} {_g(abs(score - a.score))} 分）："
                f"{a.rule_text}（规则 {a.rule_id}，方案 {p.name}）。"
                + ("" if not a.warnings else "注意：" + "；".join(a.warnings) + "。"),
                severity=WARNING if uncertain else None)
    if a.rule_id == "positive" and a.ratio is not None and a.ratio < 1:
        return f"未达到年度指标值（实际 {ind.actual.value}，目标 {ind.target.value}）"
    if a.rule_id == "negative" and a.ratio is not None and compare15(a.ratio, 1) > 0:
        return f"超过年度指标值（实际 {ind.actual.value}，目标 {ind.target.value}）"
    if a.rule_id == "equal" and a.ratio is not None and compare15(a.ratio, 1) != 0:
        return f"未等于年度指标值（实际 {ind.actual.value}，目标 {ind.target.value}）"
    return None


def _is_percent_cell(ctx: _Ctx, s: Sourced) -> bool:
    if isinstance(s.value, str):
        return "%" in normalize_text(s.value) or "‰" in s.value
    cell = ctx.cell_data(s)
    return bool(cell and cell.number_format and "%" in cell.number_format)


def _units(ctx: _Ctx, ind: Indicator) -> None:
    tq, aq = _quantity(ind.target.value), _quantity(ind.actual.value)
    if tq is None or aq is None:
        return
    tp, ap = _is_percent_cell(ctx, ind.target), _is_percent_cell(ctx, ind.actual)
    unit_col = normalize_text(ind.unit.text())
    if tp != ap:
        plain_s, plain_q, pct_s = (ind.actual, aq, ind.target) if tp else (ind.target, tq, ind.actual)
        if plain_q.value > 1.5:
            meaning = f"若指 {_g(plain_q.value)}%，应写作百分数；若是个数，则与百分数不可比"
        else:
            meaning = f"按比值理解为 {_pct(plain_q.value)}"
        ctx.add("UNIT_MISMATCH", plain_s,
                f"“{ind.name}”年度指标值“{ind.target.value}”与实际完成值“{ind.actual.value}”一个是百分数、一个是数值"
                f"（{meaning}）；两者应使用同一单位。")
        return
    if tq.unit and aq.unit and normalize_text(tq.unit) != normalize_text(aq.unit):
        ctx.add("UNIT_MISMATCH", ind.actual,
                f"“{ind.name}”年度指标值单位为“{tq.unit}”，实际完成值单位为“{aq.unit}”；两者应使用同一单位后再比较。")
        return
    if unit_col and unit_col not in ("%", "％"):
        for s, q in ((ind.target, tq), (ind.actual, aq)):
            if q.unit and normalize_text(q.unit) != unit_col and _unit_conflict(unit_col, normalize_text(q.unit)):
                ctx.add("UNIT_MISMATCH", s,
                        f"“{ind.name}”计量单位为“{ind.unit.text()}”，而“{s.value}”的单位是“{q.unit}”；应统一单位。")
                return
    if unit_col in ("%", "％") and not tp and not ap and (tq.value > 1.5) != (aq.value > 1.5):
        ctx.add("UNIT_MISMATCH", ind.actual,
                f"“{ind.name}”计量单位为 %，年度指标值 {_g(tq.value)} 与实际完成值 {_g(aq.value)} 一个按百分数、一个按比值填写；"
                f"应统一（如都写作 95 或都写作 0.95）。")


_MONEY = ("元", "万元", "亿元", "千元")


def _unit_conflict(a: str, b: str) -> bool:
    """Units that name the same kind of quantity at different scales (万元 vs 元), or plainly different."""
    if a in _MONEY and b in _MONEY:
        return True
    return not (a.startswith(b) or b.startswith(a))


def _deviation_reason(ctx: _Ctx, ind: Indicator, weight: float, score: float | None, lost: bool,
                      missed: str | None) -> None:
    if not (lost or missed):
        return
    if not ctx.has_reason_column:
        return
    reason = normalize_text(ind.deviation_reason.text())
    if reason and reason not in _NO_REASON:
        return
    why = []
    if lost:
        why.append(f"得分 {_g(score)} 低于分值 {_g(weight)}")
    if missed:
        why.append(missed)
    shown = "为空" if not reason else f"仅写“{ind.deviation_reason.text()}”"
    ctx.add("MISSING_DEVIATION_REASON", ind.deviation_reason,
            f"“{ind.name}”{'，'.join(why)}，但偏差原因分析{shown}；扣分或未完成指标时应说明原因和改进措施。")


# ------------------------------------------------------------------------------------------------ funds block


def _rate_matches(printed: float, rate: float) -> bool:
    if abs(printed - rate) <= 1e-6:
        return True
    return any(abs(printed - round(rate * 100, k) / 100) <= 1e-9 for k in range(0, 5))


def _funds(ctx: _Ctx) -> None:
    p = ctx.profile
    form = ctx.form
    for fr in form.funds:
        budget_s = fr.initial_budget if p.exec_rate.base == "initial" else fr.budget
        a, b = _number(budget_s), _number(fr.spent)
        if a is None or b is None:
            continue
        if a > 0 and compare15(b, a) > 0:
            ctx.add("EXEC_RATE_MISMATCH", fr.spent,
                    f"{fr.label}：全年执行数 {_g(b)} 超过全年预算数 {_g(a)}（执行率 {_pct(b / a)}）；执行数不应大于预算数，请核实。",
                    severity=WARNING)
        printed = _number(fr.exec_rate)
        if printed is not None and a > 0:
            rate = b / a
            shown = printed / 100 if printed > 1.5 and rate <= 1.5 else printed
            if not _rate_matches(shown, rate):
                ctx.add("EXEC_RATE_MISMATCH", fr.exec_rate,
                        f"{fr.label}：执行率填为 {_pct(shown)}，但全年执行数/全年预算数 = {_g(b)}/{_g(a)} = {_pct(rate)}；"
                        f"执行率应为 {_pct(rate)}。")
    total = form.exec_funds_row
    if total is None:
        return
    _exec_score(_cell_ctx(ctx, total.score), total)


def _exec_score(ctx: _Ctx, fr: FundsRow) -> None:
    p = ctx.profile
    budget_s = fr.initial_budget if p.exec_rate.base == "initial" else fr.budget
    a, b, w, s = _number(budget_s), _number(fr.spent), _number(fr.weight), _number(fr.score)
    if a is None or b is None or a <= 0:
        return
    rate = b / a
    if compare15(rate, p.exec_rate.reason_threshold) < 0 and not _exec_reason_given(ctx.form):
        ctx.add("EXEC_RATE_MISMATCH", fr.exec_rate if fr.exec_rate.cell else fr.spent,
                f"预算执行率 {_pct(rate)} 低于 {p.exec_rate.reason_threshold:.0%}（方案 {p.name}），"
                f"表中未说明原因；执行率低于 {p.exec_rate.reason_threshold:.0%} 时须在偏差原因中说明。",
                severity=WARNING)
    if w is None or w <= 0:
        return
    if s is None:
        if fr.score.cell and _empty(fr.score) and _filled(ctx.form):
            ctx.add("SCORE_OVER_WEIGHT", fr.score, f"预算执行率分值为 {_g(w)}，得分为空；应填写得分。")
        return
    if compare15(s, w) > 0:
        ctx.add("SCORE_OVER_WEIGHT", fr.score, f"预算执行率得分 {_g(s)} 超过分值 {_g(w)}；得分不得突破分值。")
        return
    try:
        assessed = assess_exec_rate(budget_s.value, fr.spent.value, fr.weight.value, p, cell=fr.score.cell)
    except (RuleInputError, NotApplicable):
        return
    if ctx.differs(s, assessed.score):
        direction = "多打" if s > assessed.score else "少打"
        ctx.add("SCORE_DIFFERS_FROM_RULE", fr.score,
                f"预算执行率填报得分 {_g(s)}，按评分规则应为 {_g(assessed.score)}（{direction} {_g(abs(s - assessed.score))} 分）："
                f"{assessed.rule_text}（规则 exec_rate，方案 {p.name}）。")


def _exec_reason_given(form: Form) -> bool:
    for ind in form.indicators:
        text = ind.deviation_reason.text()
        if text and normalize_text(text) not in _NO_REASON and (ind.is_exec_rate or any(
                k in text for k in ("执行", "支出", "资金", "预算", "拨付"))):
            return True
    return False


def _funds_rows(ctx: _Ctx) -> None:
    form = ctx.form
    total = form.exec_funds_row
    parts = [fr for fr in form.funds if fr.label != "年度资金总额"]
    if total is None or not parts:
        return
    for attr, what in (("initial_budget", "年初预算数"), ("budget", "全年预算数"), ("spent", "全年执行数")):
        vals = [_number(getattr(fr, attr)) for fr in parts]
        known = [v for v in vals if v is not None]
        if not known:
            continue
        s_total = getattr(total, attr)
        t = _number(s_total)
        expected = sum15(known)
        names = "、".join(f"{fr.label} {_g(v)}" for fr, v in zip(parts, vals) if v is not None)
        if (t is None or t == 0) and expected > 0:
            ctx.add("FUNDS_ROWS_MISMATCH", s_total,
                    f"年度资金总额的{what}为 {'空' if t is None else 0}，但其中各项合计 {_g(expected)}（{names}）；"
                    f"年度资金总额应等于各项之和 {_g(expected)}。")
        elif t is not None and ctx.differs(t, expected):
            ctx.add("FUNDS_ROWS_MISMATCH", s_total,
                    f"年度资金总额的{what}为 {_g(t)}，各项之和为 {_g(expected)}（{names}），相差 {_g(t - expected)}；"
                    f"年度资金总额应等于财政拨款、上年结转、其他资金之和。")


# ------------------------------------------------------------------------------------------------ weights


def _scored_items(form: Form) -> list[tuple[str, Sourced, Sourced, Indicator | None]]:
    out: list[tuple[str, Sourced, Sourced, Indicator | None]] = []
    fr = form.exec_funds_row
    if fr is not None and (not fr.weight.is_blank or not fr.score.is_blank):
        out.append(("预算执行率", fr.weight, fr.score, None))
    for ind in form.indicators:
        out.append((ind.name, ind.weight, ind.score, ind))
    return out


def _weights(ctx: _Ctx) -> None:
    form = ctx.form
    _funds_rows(ctx)
    facts = ctx.facts
    items = [(n, w, s, i) for n, w, s, i in ctx.scored_items if i is None or not facts[i.row].bonus]
    weights = [_number(w) if i is None else facts[i.row].weight for _, w, _, i in items]
    known = [w for w in weights if w is not None]
    if known:
        sw = sum15(known)
        printed = _number(form.total_weight)
        where = form.total_weight if form.total_weight.cell else next((w for _, w, _, _ in items if w.cell), None)
        if ctx.differs(sw, 100) or (printed is not None and ctx.differs(printed, sw)):
            shown = "" if printed is None else f"，合计行写为 {_g(printed)}"
            expect = "各项分值之和应为 100" if ctx.differs(sw, 100) else f"合计行应为 {_g(sw)}"
            ctx.add("WEIGHT_SUM", where, f"各指标分值之和为 {_g(sw)}{shown}；{expect}。")
    # group weights written into names: "部门决策 (15分)"
    for gw in form.group_weights:
        key = "level1" if gw.level == 1 else "level2"
        members = [i for i in form.indicators if getattr(i, key).cell == gw.cell]
        if gw.is_cap:
            scores = [v for v in (facts[i.row].score for i in members) if v is not None]
            if scores and compare15(sum15(scores), gw.weight) > 0:
                ctx.add("SCORE_OVER_WEIGHT", gw.cell,
                        f"“{gw.name}”最多 {_g(gw.weight)} 分，各项得分合计 {_g(sum15(scores))} 超过上限。")
            continue
        ws = [v for v in (facts[i.row].weight for i in members if not facts[i.row].bonus) if v is not None]
        if ws and ctx.differs(sum15(ws), gw.weight):
            ctx.add("WEIGHT_SUM", gw.cell,
                    f"“{gw.name}”标明 {_g(gw.weight)} 分，其下各指标分值之和为 {_g(sum15(ws))}；应相等。")
    _template_weights(ctx)


@lru_cache(maxsize=4096)
def _group_name(level1: str) -> str:
    """The first-level name without its written weight ("部门决策 (15分)" -> "部门决策"), once per text."""
    return split_group_weight(level1)[0]


@lru_cache(maxsize=4096)
def _match_level1(name: str, keys: tuple[str, ...]) -> str | None:
    """The template's first-level key a group name stands for (memoised: a batch repeats the names)."""
    n = normalize_text(name)
    for key in keys:
        k = normalize_text(key)
        base = k[:-2] if k.endswith("指标") else k
        if n == k or n == base or n.startswith(base) and len(n) <= len(k) + 2:
            return key
    return None


def _template_weights(ctx: _Ctx) -> None:
    from perfscore.forms.model import FormKind

    form, p = ctx.form, ctx.profile
    if form.kind != FormKind.PROJECT or not p.first_level_weights:
        return
    sums: dict[str, float] = {}
    first_cell: dict[str, Sourced] = {}
    fr = form.exec_funds_row
    fw = _number(fr.weight) if fr is not None else None
    if fw is not None:
        sums["预算执行率"] = fw
        first_cell["预算执行率"] = fr.weight
    keys = tuple(p.first_level_weights)
    exec_key = "预算执行率" in keys
    facts = ctx.facts
    for ind in form.indicators:
        f = facts[ind.row]
        if f.bonus:
            continue
        name = _group_name(ind.level1.text())
        key = "预算执行率" if exec_key and ind.is_exec_rate else _match_level1(name, keys)
        if key is None:
            return  # a first-level group this template does not know: a different template, not an error
        sums[key] = sums.get(key, 0.0) + (f.weight or 0.0)
        first_cell.setdefault(key, ind.level1)
    if len(sums) < 2:
        return
    for key, got in sums.items():
        want = p.first_level_weights.get(key)
        if want is not None and ctx.differs(round15(got), want):
            ctx.add("WEIGHT_SUM", first_cell[key],
                    f"一级指标“{key}”分值合计 {_g(got)}，模板（方案 {p.name}）规定为 {_g(want)}；"
                    f"一级指标权重为 " + " / ".join(f"{k} {_g(v)}" for k, v in p.first_level_weights.items()) + "。")


# ------------------------------------------------------------------------------------------------ totals


def _totals(ctx: _Ctx) -> None:
    form = ctx.form
    items = ctx.scored_items
    scores = []
    bonus = []
    na_rows = False
    for _n, w, s, ind in items:
        if is_not_applicable(s.value) or (ind is not None and is_not_applicable(ind.actual.value)):
            na_rows = True
            continue
        f = None if ind is None else ctx.facts[ind.row]
        v = _number(s) if f is None else f.score
        if v is None:
            continue
        (bonus if f is not None and f.bonus else scores).append(v)
    range_cells = _range_checks(ctx)
    total = _number(form.total)
    if scores and form.total.cell and form.total.cell not in range_cells:
        plain = sum15(scores)
        with_bonus = sum15(scores + bonus)
        if total is None:
            if _empty(form.total):
                ctx.add("TOTAL_MISMATCH", form.total, f"总分为空，各项得分之和为 {_g(with_bonus)}；应填写总分。")
        elif ctx.differs(total, with_bonus) and ctx.differs(total, plain) and not na_rows:
            bonus_note = f"（不含加减分 {_g(plain)}）" if bonus else ""
            ctx.add("TOTAL_MISMATCH", form.total,
                    f"总分为 {_g(total)}，但各项得分之和为 {_g(with_bonus)}{bonus_note}，相差 {_g(total - with_bonus)}；"
                    f"总分应等于各项得分之和（允许误差 {_g(ctx.tol)}，方案 {ctx.profile.name}）。")
    for st in form.subtotals:
        members = _subtotal_members(form, st)
        for attr, what in (("score", "得分"), ("weight", "分值")):
            s = getattr(st, attr)
            v = _number(s)
            vals = [x for x in (_number(getattr(i, attr)) for i in members) if x is not None]
            if v is None or not vals or s.cell in range_cells:
                continue
            if ctx.differs(v, sum15(vals)):
                scope = f"“{st.scope}”" if st.scope else "本组"
                ctx.add("TOTAL_MISMATCH", s,
                        f"{scope}小计{what}为 {_g(v)}，但其下 {len(vals)} 项{what}之和为 {_g(sum15(vals))}，"
                        f"相差 {_g(v - sum15(vals))}；小计应等于各项之和。")


def _subtotal_members(form: Form, st) -> list[Indicator]:
    if st.scope:
        members = [i for i in form.indicators if i.level1.text() == st.scope and i.row < st.row]
        if members:
            return members
    prev = max((s.row for s in form.subtotals if s.row < st.row), default=form.header_rows[1])
    return [i for i in form.indicators if prev < i.row < st.row]


def _sum_areas(formula: str, sheet: str) -> list | None:
    """The areas a plain SUM/+ formula adds up, or None when the formula is anything else."""
    toks = tokenize(formula)
    if not toks:
        return None
    areas = []
    for t in toks:
        if t.kind == "func" and t.value.upper() not in ("SUM(", "("):
            return None
        if t.kind == "op" and t.value not in ("+",):
            return None
        if t.kind in ("number", "text", "error", "other"):
            return None
        if t.kind == "ref":
            area = area_of(t.value)
            if area is None or (area.sheet is not None and area.sheet != sheet):
                return None
            areas.append(area)
    return areas or None


def _range_checks(ctx: _Ctx) -> set[str]:
    """RANGE_OMITS_ROWS on total/subtotal formulas; returns the cells reported (their value check is moot)."""
    form = ctx.form
    reported: set[str] = set()
    items = ctx.scored_items
    facts = ctx.facts
    sub_of: dict[int, object] = {}
    for st in form.subtotals:
        for m in _subtotal_members(form, st):
            sub_of[m.row] = st

    def check(target: Sourced, attr: str, members: list[tuple[str, Sourced, Indicator | None]],
              subtotals: list, label: str) -> None:
        if not target.formula or target.cell is None:
            return
        areas = _sum_areas(target.formula, target.sheet)
        if areas is None:
            return

        target_sheet = target.sheet

        def covered(s: Sourced) -> int:
            if s.cell is None:
                return 0
            sheet, r, c = _cell_pos(s.cell)
            if sheet != target_sheet:
                return 0
            n = 0
            for a in areas:  # usually one area: a plain loop, no generator per row
                if a.r1 <= r <= a.r2 and a.c1 <= c <= a.c2:
                    n += 1
            return n

        omitted, doubled = [], []
        for name, s, ind in members:
            if s.cell is None:
                continue
            f = None if ind is None else facts[ind.row]
            if f is not None and f.bonus:
                continue
            number = _number(s) if f is None else f.score if attr == "score" else f.weight
            if number is None and s.is_blank and not s.formula:
                continue
            n = covered(s)
            st = sub_of.get(ind.row) if ind is not None else None
            if st is not None:
                n += covered(getattr(st, attr))
            if n == 0:
                omitted.append((name, s))
            elif n > 1:
                doubled.append((name, s))
        if not omitted and not doubled:
            return
        parts = []
        if omitted:
            parts.append("漏掉了 " + "、".join(f"{s.ref}（{name}）" for name, s in omitted[:6])
                         + (f" 等 {len(omitted)} 项" if len(omitted) > 6 else ""))
        if doubled:
            parts.append("重复计入了 " + "、".join(f"{s.ref}（{name}）" for name, s in doubled[:6])
                         + "（明细与其小计同时被加总）")
        ctx.add("RANGE_OMITS_ROWS", target,
                f"{label}公式 {target.formula} {'，'.join(parts)}；求和范围应恰好覆盖每个指标行一次（或各小计行）。")
        reported.add(target.cell)

    for attr, total_s, what in (("score", form.total, "总分"), ("weight", form.total_weight, "总分值")):
        members = [(n, (s if attr == "score" else w), i) for n, w, s, i in items]
        check(total_s, attr, members, list(form.subtotals), what)
    for st in form.subtotals:
        ms = _subtotal_members(form, st)
        for attr in ("score", "weight"):
            members = [(i.name, getattr(i, attr), i) for i in ms]
            saved = dict(sub_of)
            for m in ms:
                sub_of.pop(m.row, None)
            check(getattr(st, attr), attr, members, [], f"“{st.scope}”小计" if st.scope else "小计")
            sub_of.update(saved)
    return reported


# ------------------------------------------------------------------------------------------------ grade


_GRADE_WORDS = {"优秀": "优", "良好": "良", "中等": "中", "合格": "中", "较差": "差", "不合格": "差"}


def _grade(ctx: _Ctx) -> None:
    form, p = ctx.form, ctx.profile
    text = normalize_text(form.grade.text())
    if not text:
        return
    names = [name for name, _ in p.grade_bands]
    declared = _GRADE_WORDS.get(text, text[:1] if text[:1] in names else None)
    if declared is None:
        return
    total = _number(form.total)
    if total is None:
        return
    try:
        expected = grade(total, p)
    except RuleInputError:
        return
    if expected != declared:
        bands = "、".join(f"{n}≥{_g(lo)}" if lo > 0 else f"{n}<{_g(prev)}"
                          for (n, lo), prev in zip(p.grade_bands, [0] + [lo for _, lo in p.grade_bands]))
        ctx.add("GRADE_MISMATCH", form.grade,
                f"评价等级为“{form.grade.text()}”，但总分 {_g(total)} 对应“{expected}”（{bands}，方案 {p.name}）。")


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


# ------------------------------------------------------------------------------------------------ score formulas


def _score_formulas(ctx: _Ctx) -> None:
    """HARDCODED_CONSTANT in score formulas: the row's 分值 typed into the formula, numbers added to totals."""
    form = ctx.form
    facts = ctx.facts
    rows = [(ind.name, ind.score, facts[ind.row].weight) for ind in form.indicators if not facts[ind.row].bonus]
    fr = form.exec_funds_row
    if fr is not None:
        rows.append(("预算执行率", fr.score, _number(fr.weight)))
    for name, s, w in rows:
        if not s.formula or w is None:
            continue
        for lit in literals(s.formula):
            if is_idiomatic_literal(lit) or is_threshold_literal(lit):
                continue
            if compare15(lit.value, w) == 0:
                ctx.add("HARDCODED_CONSTANT", s,
                        f"“{name}”的得分公式 {s.formula} 中直接写入了分值 {lit.text}；应引用分值单元格，"
                        f"否则调整分值后得分不会随之变化。")
                break
    totals = [("总分", form.total), ("总分值", form.total_weight)] + [
        ("小计", st.score) for st in form.subtotals] + [("小计分值", st.weight) for st in form.subtotals]
    for what, s in totals:
        if not s.formula:
            continue
        lits = [lit for lit in literals(s.formula) if not is_idiomatic_literal(lit) and not is_threshold_literal(lit)]
        if lits:
            ctx.add("HARDCODED_CONSTANT", s,
                    f"{what}公式 {s.formula} 中直接加入了常数 {'、'.join(x.text for x in lits)}；"
                    f"合计应只引用各项单元格，否则明细改动后合计不会更新。")


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
