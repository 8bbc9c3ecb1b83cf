"""The perfscore worksheet functions' semantics: Excel-shaped arguments -> the rule core -> what a cell shows.

Shared by the Excel cells (perfscore_udfs, xlwings) and the headless engine (perfscore.recalc), so both give the
same digits. It lives in the core so the engine and the checks never import the Excel shell.

`call(name, args, profile_name)` is what a cell shows: a number, a grade text, or an `ExcelError`.
`evaluate(...)` also returns the Chinese reason behind an error. Nothing here imports xlwings, so the
recalculation engine gets the very same digits as Excel.

Arguments arrive the way xlwings hands them to a UDF: None for a blank cell, float for numbers, str for
text, bool, and - with `err_to_str=True` - error cells as their code text ("#N/A"). The engine may pass
`ExcelError` objects instead; both are treated alike: the first error argument is passed on unchanged,
as Excel's own functions do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from perfscore.rules import (
    NotApplicable,
    PerfscoreError,
    grade,
    is_blank,
    score_cost_saving,
    score_exec_rate,
    score_indicator,
    score_satisfaction,
)
from perfscore.xlsx.grid import EXCEL_ERROR_CODES, ExcelError

VALUE = ExcelError("#VALUE!")
NOT_AVAILABLE = ExcelError("#N/A")

# The defined name a workbook uses to choose its rule profile (refers to ="<profile>" or to a cell).
PROFILE_NAME = "PERFSCORE_PROFILE"


@dataclass(frozen=True)
class Param:
    name: str  # ASCII: it becomes the VBA parameter name
    label: str  # Chinese, as in the forms
    doc: str  # function-wizard help (≤ 255 characters)


@dataclass(frozen=True)
class Spec:
    """One Excel function: its parameters (the optional 规则 excluded) and the rule it calls."""

    name: str
    params: tuple[Param, ...]
    doc: str  # function-wizard description (≤ 255 characters)
    rule: Callable[..., object]  # rule(*args, profile) -> float | str
    example: str


@dataclass(frozen=True)
class Outcome:
    value: float | str | ExcelError
    reason: str = ""  # Chinese; empty when value is not an error

    @property
    def is_error(self) -> bool:
        return isinstance(self.value, ExcelError)


RULE_PARAM = Param("rule", "规则", "可选。评分口径名称，如 central、vendor-linear；省略时用本工作簿的定义名称 PERFSCORE_PROFILE，再省略用 central（中央默认口径）。")

_P = Param
SPECS: dict[str, Spec] = {
    s.name: s
    for s in (
        Spec(
            "SCORE_EXEC_RATE",
            (
                _P("budget", "全年预算数", "全年预算数 A（调整后预算，含上年结转），数值或文字数值，须大于 0。"),
                _P("spent", "全年执行数", "全年执行数 B，数值，不能为负数。"),
                _P("weight", "分值", "本项分值（权重），如 10。"),
            ),
            "预算执行率得分 = min(全年执行数/全年预算数, 1) × 分值，按 Excel ROUND 保留 2 位小数。例：=SCORE_EXEC_RATE(3000, 932.92, 10) 得 3.11。",
            lambda a, b, w, p: score_exec_rate(a, b, w, p),
            "=SCORE_EXEC_RATE(3000, 932.92, 10) → 3.11",
        ),
        Spec(
            "SCORE_INDICATOR",
            (
                _P("nature", "指标性质", "正向、反向或定性；可留空，由指标方向判断。"),
                _P("operator", "指标方向", "≥、≤、=、>、<，或“大于等于”“不低于”“不超过”等；可留空，由年度指标值中的“≥95%”判断。"),
                _P("target", "年度指标值", "年度指标值 A，如 19、“≥95%”、“98%以上”、“2910条”；定性指标填目标文字。"),
                _P("actual", "实际完成值", "实际完成值 B，如 17、“96%”；定性指标填“达成”“部分达成”“未达成”或与目标相同的文字。"),
                _P("weight", "分值", "本指标分值（权重），如 2。"),
            ),
            "绩效指标得分：正向 B≥A 满分，否则 B/A×分值；反向 B≤A 满分，否则 A/B×分值；定性按达成档次。例：=SCORE_INDICATOR(\"正向\",\"≥\",19,17,2) 得 1.79。",
            lambda n, o, a, b, w, p: score_indicator(n, o, a, b, w, p),
            '=SCORE_INDICATOR("正向", "≥", 19, 17, 2) → 1.79',
        ),
        Spec(
            "GRADE",
            (_P("total", "总分", "总分（0–100），通常为各项得分之和。"),),
            "评价等级：优 ≥ 90，良 ≥ 80，中 ≥ 60，差 < 60（下限含本数，按 15 位有效数字比较）。例：=GRADE(90) 得“优”。",
            lambda t, p: grade(t, p),
            "=GRADE(90) → 优",
        ),
        Spec(
            "SCORE_SATISFACTION",
            (
                _P("very", "非常满意", "“非常满意”人数（权重 1）。空白按 0 人。"),
                _P("fairly", "比较满意", "“比较满意”人数（权重 0.75）。"),
                _P("neutral", "一般满意", "“一般满意”人数（权重 0.5）。"),
                _P("unhappy", "不太满意", "“不太满意”人数（权重 0.25）。"),
                _P("very_unhappy", "不满意", "“不满意”人数（权重 0）。"),
                _P("weight", "分值", "满意度指标分值，如 10。"),
            ),
            "满意度得分 = Σ(各档人数 × 档权重) / 有效人数 × 分值，档权重 1、0.75、0.5、0.25、0。例：=SCORE_SATISFACTION(70,9,8,0,4,10) 得 8.87。",
            lambda v, f, n, u, vu, w, p: score_satisfaction(v, f, n, u, vu, w, p),
            "=SCORE_SATISFACTION(70, 9, 8, 0, 4, 10) → 8.87",
        ),
        Spec(
            "SCORE_COST_SAVING",
            (
                _P("planned", "计划成本", "计划成本（预算成本），须大于 0。"),
                _P("actual", "实际成本", "实际成本，不能为负数。"),
                _P("weight", "分值", "本项分值。"),
            ),
            "成本节约得分：节约率 = (计划成本 − 实际成本)/计划成本；≥ 0 得满分，否则 (1 + 节约率) × 分值，最低 0 分。",
            lambda a, b, w, p: score_cost_saving(a, b, w, p),
            "=SCORE_COST_SAVING(100, 92.84, 10) → 10",
        ),
    )
}


def error_of(arg: object) -> ExcelError | None:
    """The Excel error an argument carries, if any (ExcelError, or its code text from err_to_str)."""
    if isinstance(arg, ExcelError):
        return arg
    if isinstance(arg, str) and arg.strip().upper() in EXCEL_ERROR_CODES:
        return ExcelError(arg.strip().upper())
    return None


def evaluate(name: str, args: Sequence[object], profile_name: object = None) -> Outcome:
    """The value a cell `=NAME(args...)` shows, with the reason when it is an error.

    `args` are the function's own arguments, optionally followed by the 规则 argument, which wins
    over `profile_name` (the workbook's PERFSCORE_PROFILE); both blank means the default profile.
    """
    spec = SPECS.get(name.upper())
    if spec is None:
        return Outcome(ExcelError("#NAME?"), f"没有名为 {name} 的绩效评分函数")
    n = len(spec.params)
    if not n <= len(args) <= n + 1:
        return Outcome(VALUE, f"{spec.name} 需要 {n} 个参数（另可加“规则”），实际给了 {len(args)} 个")
    values = list(args[:n])
    rule = args[n] if len(args) > n else None
    for param, value in zip((*spec.params, RULE_PARAM), (*values, rule)):
        err = error_of(value)
        if err is not None:
            return Outcome(err, f"参数“{param.label}”是错误值 {err.code}，请先修正它引用的单元格")
    profile = profile_name if is_blank(rule) else rule
    if is_blank(profile):
        profile = None
    elif not isinstance(profile, str):
        return Outcome(VALUE, f"参数“规则”应为口径名称（文字），实际为 {profile!r}")
    try:
        return Outcome(spec.rule(*values, profile))
    except NotApplicable as exc:
        return Outcome(NOT_AVAILABLE, f"{exc}（不适用的指标不计分：得分栏填“不适用”，总分按口径折算）")
    except PerfscoreError as exc:  # RuleInputError, ProfileError: a refusal with a Chinese reason
        return Outcome(VALUE, str(exc))


def call(name: str, args: Sequence[object], profile_name: object = None) -> float | str | ExcelError:
    """What the cell shows: a float score, a grade text, or an ExcelError (never a number for bad input)."""
    return evaluate(name, args, profile_name).value


def explain(name: str, args: Sequence[object], profile_name: object = None) -> str:
    """The Chinese reason why `call` gives an error; "" when it gives a value."""
    return evaluate(name, args, profile_name).reason


def profile_from_refers_to(refers_to: str | None) -> tuple[str, str | None]:
    """Read a PERFSCORE_PROFILE definition: ("literal", name) for ="central", ("reference", None) for a cell.

    ("none", None) when the text is empty; a reference must be resolved by the caller (it knows the book).
    """
    if refers_to is None:
        return "none", None
    text = refers_to.strip()
    if text.startswith("="):
        text = text[1:].strip()
    if not text:
        return "none", None
    if len(text) >= 2 and text[0] == text[-1] == '"':
        value = text[1:-1].replace('""', '"').strip()
        return ("literal", value) if value else ("none", None)
    return "reference", None


# Error message channel to the VBA wrapper: Err.Description carries "[#CODE] reason".
def refusal_text(outcome: Outcome) -> str:
    assert isinstance(outcome.value, ExcelError)
    return f"[{outcome.value.code}] {outcome.reason}"


def parse_refusal_text(description: str) -> tuple[str, str]:
    """Inverse of refusal_text, as the VBA PerfscoreFailed does it (also inside pywin32's prefix text)."""
    start = description.find("[#")
    end = description.find("]", start) if start >= 0 else -1
    if start < 0 or end < 0:
        return "#VALUE!", description.strip()
    code = description[start + 1 : end]
    if code not in EXCEL_ERROR_CODES:
        code = "#VALUE!"
    return code, description[end + 1 :].strip()


# Registry of the pure implementations, keyed by upper-case Excel name: FUNCTIONS["GRADE"](90.0) -> "优".
def _pure(name: str) -> Callable[..., float | str | ExcelError]:
    def impl(*args: object, profile_name: object = None) -> float | str | ExcelError:
        return call(name, args, profile_name)

    impl.__name__ = name
    impl.__doc__ = SPECS[name].doc
    return impl


FUNCTIONS: dict[str, Callable[..., float | str | ExcelError]] = {name: _pure(name) for name in SPECS}

__all__ = [
    "VALUE", "NOT_AVAILABLE", "PROFILE_NAME", "Param", "Spec", "Outcome", "RULE_PARAM", "SPECS", "FUNCTIONS",
    "error_of", "evaluate", "call", "explain", "profile_from_refers_to", "refusal_text", "parse_refusal_text",
]
