"""The funds block: EXEC_RATE_MISMATCH (printed rate, spent over budget, low rate without a reason), the
execution-rate score (SCORE_OVER_WEIGHT, SCORE_DIFFERS_FROM_RULE) and FUNDS_ROWS_MISMATCH (总额 = Σ 分项)."""

from __future__ import annotations

from typing import NamedTuple

from perfscore.checks.findings import WARNING
from perfscore.checks.form_facts import _NO_REASON, _cell_ctx, _Ctx, _empty, _filled, _g, _number, _pct
from perfscore.forms.model import Form, FormKind, FundsRow, Sourced
from perfscore.rules import NotApplicable, RuleInputError, assess_exec_rate, compare15, normalize_text, sum15


def _rate_matches(printed: float, rate: float) -> bool:
    if abs(printed - rate) <= 1e-6:
        return True
    return any(abs(printed - round(rate * 100, k) / 100) <= 1e-9 for k in range(0, 5))


class _Base(NamedTuple):
    """What a funds row's execution rate divides by, and how the messages name the two amounts."""

    cell: Sourced  # the divisor's cell
    base: str  # its name: 全年预算数 | 到位资金
    spent: str  # the dividend's name: 全年执行数 | 实际支出
    base_short: str
    spent_short: str


def _exec_base(form: Form, fr: FundsRow, p) -> _Base:
    """A third-party 评分表 computes 预算执行率 = 实际支出/到位资金 when the block gives 到位资金 (资金到位率 =
    到位资金/预算资金 is scored apart); every other form divides by the budget the profile names, or by its
    年初预算数 when the block has no 全年预算数 at all."""
    if form.kind == FormKind.THIRD_PARTY and _number(fr.arrived) is not None:
        return _Base(fr.arrived, "到位资金", "实际支出", "到位资金", "实际支出")
    if p.exec_rate.base != "initial" and _number(fr.budget) is None and _number(fr.initial_budget) is not None:
        # a block printing 年初预算数(A) and 全年执行数(B) only (执行率 = B/A): its one budget is the base
        return _Base(fr.initial_budget, "年初预算数", "全年执行数", "预算数", "执行数")
    budget_s = fr.initial_budget if p.exec_rate.base == "initial" else fr.budget
    return _Base(budget_s, "全年预算数", "全年执行数", "预算数", "执行数")


def _funds(ctx: _Ctx) -> None:
    p = ctx.profile
    form = ctx.form
    for fr in form.funds:
        base = _exec_base(form, fr, p)
        a, b = _number(base.cell), _number(fr.spent)
        if a is None or b is None:
            continue
        if a > 0 and compare15(b, a) > 0:
            ctx.add("EXEC_RATE_MISMATCH", fr.spent,
                    f"{fr.label}：{base.spent} {_g(b)} 超过{base.base} {_g(a)}（执行率 {_pct(b / a)}）；"
                    f"{base.spent_short}不应大于{base.base_short}，请核实。",
                    severity=WARNING)
        printed = _number(fr.exec_rate)
        if printed is not None and a > 0:
            rate = b / a
            shown = printed / 100 if printed > 1.5 and rate <= 1.5 else printed
            if not _rate_matches(shown, rate):
                ctx.add("EXEC_RATE_MISMATCH", fr.exec_rate,
                        f"{fr.label}：执行率填为 {_pct(shown)}，但{base.spent}/{base.base} = {_g(b)}/{_g(a)} = {_pct(rate)}；"
                        f"执行率应为 {_pct(rate)}。")
    total = form.exec_funds_row
    if total is None:
        return
    _exec_score(_cell_ctx(ctx, total.score), total)


def _exec_score(ctx: _Ctx, fr: FundsRow) -> None:
    p = ctx.profile
    base = _exec_base(ctx.form, fr, p)
    budget_s = base.cell
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
                f"{assessed.rule_text}（规则 exec_rate，方案 {p.name}"
                + ("" if base.base == "全年预算数" else f"；执行率 = {base.spent}/{base.base}") + "）。")


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
    if total is None or total.label != "年度资金总额":
        return  # a block of parts only: the row scored for the rate is one of the parts, no printed sum to compare
    parts = [fr for fr in form.funds if fr.label != "年度资金总额"]
    if not parts:
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
