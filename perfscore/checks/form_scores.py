"""One indicator row against the rules: SCORE_OVER_WEIGHT, SCORE_DIFFERS_FROM_RULE, QUAL_SCORE_OUT_OF_BAND,
OVER_TARGET, UNIT_MISMATCH, the TEXT_NUMBER of unscorable actuals, DIRECTION_MISSING and MISSING_DEVIATION_REASON."""

from __future__ import annotations

from perfscore.checks.findings import NOTE, WARNING
from perfscore.checks.form_facts import (
    _NO_REASON,
    _Ctx,
    _empty,
    _filled,
    _g,
    _is_number_like,
    _pct,
    _quantity,
)
from perfscore.forms.model import Indicator, Sourced
from perfscore.rules.deadlines import parse_deadline, parse_time_point
from perfscore.rules import (
    DirectionMissing,
    NotApplicable,
    RuleInputError,
    assess_indicator,
    compare15,
    is_absence_row,
    is_blank,
    is_not_applicable,
    level_of_fraction,
    normalize_text,
    parse_qual_level,
)


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
    if not _is_number_like(actual) and not _is_deadline_row(ind) and not is_absence_row(
            ind.nature.value, ind.operator.value, ind.target.value, actual, ctx.profile):
        missed = _qualitative(ctx, ind, weight, score)
    else:
        missed = _quantitative(ctx, ind, weight, score)
    _deviation_reason(ctx, ind, weight, score, lost, missed)


def _is_deadline_row(ind: Indicator) -> bool:
    """A completion deadline ("2023年12月", "9月前") met by a time ("2023年10月"): the rule core scores it as one
    (rules.deadlines), not as a 定性 completion degree."""
    return parse_deadline(ind.target.value) is not None and parse_time_point(ind.actual.value) is not None


def _qualitative(ctx: _Ctx, ind: Indicator, weight: float, score: float | None) -> str | None:
    try:
        level = parse_qual_level(ind.actual.value, ind.target.value, cell=ind.actual.cell, profile=ctx.profile)
    except NotApplicable:
        return None
    except RuleInputError as err:
        if ind.actual.is_blank:
            if score is not None:
                ctx.add("TEXT_NUMBER", ind.actual,
                        f"“{ind.name}”实际完成值为空，却填了得分 {_g(score)}；应填写实际完成值，得分才有依据。")
            return None
        if is_blank(ind.target.value):  # nothing to compare a described result with (评分表 rows printed "—")
            ctx.add("TEXT_NUMBER", ind.actual,
                    f"“{ind.name}”年度指标值为空，实际完成值“{ind.actual.value}”是文字描述：得分属评价人判断，"
                    f"未按规则核算。", severity=NOTE)
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


_EXEC_ROW_NOTE = "预算执行率行未填指标性质和方向，按正向（≥）计分"


def _direction_unprinted(ind: Indicator) -> bool:
    """Neither 指标性质 nor 指标方向 is filled in on the row."""
    return is_blank(ind.nature.value) and is_blank(ind.operator.value)


def _exec_row_inputs(ind: Indicator) -> tuple[object, object, str | None]:
    """(operator, target, note) for an indicator row that is the budget execution rate: with no 指标性质/方向
    it is still a higher-is-better rate (capped at its target, 100% when none is printed), never a guess."""
    if not ind.is_exec_rate or not _direction_unprinted(ind):
        return ind.operator.value, ind.target.value, None
    if _target_operator(ind.target.value) is not None:  # "≤100%": the direction is printed in the target
        return ind.operator.value, ind.target.value, None
    if is_blank(ind.target.value):
        return "≥", "100%", _EXEC_ROW_NOTE + "，年度指标值为空时按 100%"
    return "≥", ind.target.value, _EXEC_ROW_NOTE


def _target_operator(target: object):
    """The operator printed inside a text target ("≥95%"), through the memoised _quantity."""
    q = _quantity(target) if isinstance(target, str) else None
    return None if q is None else q.operator


def _direction_from_score(ctx: _Ctx, ind: Indicator, target: object, score: float | None):
    """With neither 指标性质 nor 方向 (nor an operator in the target) the direction is unknown: when the printed
    score is what one direction gives, that assessment (nothing contradicts the form); else None."""
    if score is None or not _direction_unprinted(ind) or _target_operator(target) is not None:
        return None
    for op in ("≥", "≤"):
        try:
            a = assess_indicator(ind.nature.value, op, target, ind.actual.value, ind.weight.value, ctx.profile,
                                 cell=ind.score.cell)
        except (RuleInputError, NotApplicable):
            continue
        if not ctx.differs(score, a.score):
            return a
    return None


def _quantitative(ctx: _Ctx, ind: Indicator, weight: float, score: float | None) -> str | None:
    p = ctx.profile
    operator, target, exec_note = _exec_row_inputs(ind)
    try:
        a = assess_indicator(ind.nature.value, operator, target, ind.actual.value,
                             ind.weight.value, p, cell=ind.score.cell)
    except NotApplicable:
        return None
    except RuleInputError as err:
        a = _direction_from_score(ctx, ind, target, score)
        if a is None:
            cell = ind.target if "年度指标值" in err.message else ind.actual if "实际完成值" in err.message else (
                ind.nature if not ind.nature.is_blank else ind.operator if not ind.operator.is_blank else ind.score)
            if isinstance(err, DirectionMissing) and not ctx.has_direction_column:
                # the form has no place for a direction: nothing is wrong with it, the score just cannot be verified
                ctx.add("DIRECTION_MISSING", cell,
                        f"“{ind.name}”的得分未核验：本表没有指标性质/指标方向列，年度指标值“{ind.target.value}”也未写"
                        f" ≥、≤ 或 ＝，无法判断按正向还是反向计分；如需核验，请在年度指标值前写明方向（如 ≥{ind.target.value}）。",
                        severity=NOTE)
                return None
            code = "DIRECTION_MISSING" if isinstance(err, DirectionMissing) else "TEXT_NUMBER"
            ctx.add(code, cell, f"“{ind.name}”无法按评分规则核算：{err.message}。")
            return None
        way = "正向（≥）" if a.rule_id == "positive" else "反向（≤）"
        ctx.add("DIRECTION_MISSING", ind.operator if ind.operator.cell else ind.score,
                f"“{ind.name}”指标性质和指标方向均为空；填报得分 {_g(score)} 与按{way}计分一致（{a.rule_text}），"
                f"请补填指标方向。", severity=NOTE)
    if a.rule_id != "deadline":  # "2023年12月" is a time, not 2023 of some unit
        _units(ctx, ind)
    if a.rule_id == "positive" and a.ratio is not None and compare15(a.ratio, p.indicator.over_target_warn_ratio) >= 0:
        ctx.add("OVER_TARGET", ind.actual,
                f"“{ind.name}”实际完成值为年度指标值的 {a.ratio:.0%}（{ind.actual.value} 对 {ind.target.value}），"
                f"达到方案 {p.name} 的提示阈值 {p.indicator.over_target_warn_ratio:g} 倍：指标值设置可能偏低，请核实。")
    if score is not None and ctx.differs(score, a.score):
        warnings = a.warnings
        if normalize_text(ind.unit.text()) in ("%", "％"):
            # 计量单位 % says a plain 100 is 100%: reading it so is certain, not a unit mismatch to verify
            warnings = tuple(w for w in warnings if "按百分数" not in w)
        uncertain = any(any(k in w for k in _UNCERTAIN) for w in warnings)
        direction = "多打" if score > a.score else "少打"
        notes = (exec_note, *warnings) if exec_note else warnings
        ctx.add("SCORE_DIFFERS_FROM_RULE", ind.score,
                f"“{ind.name}”填报得分 {_g(score)}，按评分规则应为 {_g(a.score)}（{direction} {_g(abs(score - a.score))} 分）："
                f"{a.rule_text}（规则 {a.rule_id}，方案 {p.name}）。"
                + ("" if not notes else "注意：" + "；".join(notes) + "。"),
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
    # 计量单位 "%" says the plain side is in percent points: 100 beside "100%" is the same quantity
    percent_column = unit_col in ("%", "％")
    if tp != ap and not (percent_column and (aq.value if tp else tq.value) > 1.5):
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
    if percent_column and not tp and not ap and (tq.value > 1.5) != (aq.value > 1.5):
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
