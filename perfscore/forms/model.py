"""The form model: what a self-evaluation form says, each value with the cell it came from.

Pure data (frozen dataclasses). Values are kept as the workbook holds them (text stays text, numbers stay
numbers); parsing into numbers goes through perfscore.rules.values on demand, so a value nobody can parse is
reported by the caller that needs it, naming its cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from enum import Enum
from functools import lru_cache
from typing import Iterator

from perfscore.xlsx.grid import parse_ref


class FormKind(str, Enum):
    PROJECT = "项目支出自评"
    DEPARTMENT = "部门整体自评"
    THIRD_PARTY = "第三方评分"


@dataclass(frozen=True, slots=True)
class Sourced:
    """One value of a form and where it came from.

    value: what the cell holds (a typed constant, or the cached result of its formula), None when blank;
    cell: "Sheet!A1", None when the form has no cell for it; formula: "=..." or None;
    cached: True when value is a formula's cached result (may be stale until recalculated).
    """

    value: object = None
    cell: str | None = None
    formula: str | None = None
    cached: bool = False

    @property
    def is_blank(self) -> bool:
        v = self.value
        return v is None or (isinstance(v, str) and v.strip() == "")

    @property
    def sheet(self) -> str | None:
        return None if self.cell is None else self.cell.rsplit("!", 1)[0]

    @property
    def ref(self) -> str | None:
        """The A1 part of cell ("G12")."""
        return None if self.cell is None else self.cell.rsplit("!", 1)[1]

    @property
    def row(self) -> int | None:
        return None if self.cell is None else parse_ref(self.ref)[0]

    @property
    def col(self) -> int | None:
        return None if self.cell is None else parse_ref(self.ref)[1]

    def number(self, what: str = "数值") -> float | None:
        """The value as a number (blank -> None); RuleInputError naming the cell when it is not one."""
        from perfscore.rules.values import parse_number

        return parse_number(self.value, what=what, cell=self.cell, allow_blank=True)

    def text(self) -> str:
        return "" if self.value is None else str(self.value).strip()


MISSING = Sourced()

@dataclass(frozen=True)
class HeaderFacts:
    project_name: Sourced = MISSING  # 项目名称 (or 部门名称 on department forms)
    department: Sourced = MISSING  # 主管部门
    implementer: Sourced = MISSING  # 实施单位 (填报单位 when no 实施单位 is given)
    year: Sourced = MISSING  # 年度: a 4-digit year as int when found in text
    title: Sourced = MISSING  # the form's title cell
    extra: tuple[tuple[str, Sourced], ...] = ()  # other "label：value" facts (填报单位, 项目概况, ...)


FUNDS_LABELS = ("年度资金总额", "财政拨款", "上年结转", "其他资金")


@dataclass(frozen=True)
class FundsRow:
    """One row of the 项目资金 block: 年度资金总额 / 其中：财政拨款 / 上年结转资金 / 其他资金.

    A block row with amounts but no label (the block's first row, under a header such as
    "预算执行率 | 年初预算数 | 全年预算数 | …") is the 年度资金总额 row; its label_cell is then the blank cell left
    of the amounts. Third-party 评分表 blocks carry 到位资金 (arrived) and the cost-saving inputs in the same row.
    """

    label: str  # one of FUNDS_LABELS
    label_cell: Sourced
    initial_budget: Sourced = MISSING  # 年初预算数
    budget: Sourced = MISSING  # 全年预算数 (A); 预算资金 on third-party forms
    spent: Sourced = MISSING  # 全年执行数 (B); 实际支出(资金) on third-party forms
    weight: Sourced = MISSING  # 分值
    exec_rate: Sourced = MISSING  # 执行率
    score: Sourced = MISSING  # 得分
    arrived: Sourced = MISSING  # 到位资金 (实际到位资金): 资金到位率 = arrived/budget, 预算执行率 = spent/arrived
    planned_cost: Sourced = MISSING  # 计划成本 (成本节约率 input)
    actual_cost: Sourced = MISSING  # 实际成本


SURVEY_LEVELS = ("非常满意", "比较满意", "一般满意", "不太满意", "不满意")


@dataclass(frozen=True)
class Survey:
    """满意度调查 counts written beside the table (third-party 评分表): one count per level of SURVEY_LEVELS
    (MISSING when the form has no cell for that level), and the printed number of valid answers when given."""

    label_cell: Sourced  # "满意度调查（人数）" or the first level label
    counts: tuple[Sourced, ...]  # in SURVEY_LEVELS order, always 5 entries
    respondents: Sourced = MISSING  # 有效问卷/调查人数/合计, when printed

    def count(self, level: str) -> Sourced:
        return self.counts[SURVEY_LEVELS.index(level)]


@dataclass(frozen=True, slots=True)
class Indicator:
    """One row of the indicator table. level1/level2 are filled down from merged or blank cells above."""

    row: int
    level1: Sourced = MISSING
    level2: Sourced = MISSING
    level3: Sourced = MISSING
    nature: Sourced = MISSING  # 指标性质 (正向/反向/定性); the same cell as operator when the form merges them
    operator: Sourced = MISSING  # 指标方向
    target: Sourced = MISSING  # 年度指标值
    actual: Sourced = MISSING  # 实际完成值
    unit: Sourced = MISSING  # 计量单位
    weight: Sourced = MISSING  # 分值
    score: Sourced = MISSING  # 得分
    deviation_reason: Sourced = MISSING  # 偏差原因分析及改进措施
    rule_text: Sourced = MISSING  # 评价要点及评分规则
    note: Sourced = MISSING  # 指标说明 / 指标解释

    @property
    def name(self) -> str:
        return self.level3.text() or self.level2.text() or self.level1.text()

    @property
    def is_exec_rate(self) -> bool:
        return "预算执行率" in self.name

    @property
    def is_bonus(self) -> bool:
        """加减分项: scored outside the 100 points (weight usually blank)."""
        return any(k in self.level1.text() for k in ("加减分", "加分项", "减分项")) or any(
            k in self.level2.text() for k in ("加分项", "减分项")
        )


# The reader builds ~330 Sourced and ~30 Indicator per form; their frozen __init__ (one object.__setattr__ per
# field) was the larger part of its cost. These build the identical objects by setting the slots directly
# (about twice as fast); Sourced and Indicator validate nothing in __init__, so nothing is skipped.
_new_object = object.__new__
_set_value, _set_cell, _set_formula, _set_cached = (
    Sourced.value.__set__, Sourced.cell.__set__, Sourced.formula.__set__, Sourced.cached.__set__)


def new_sourced(value: object, cell: str | None, formula: str | None = None, cached: bool = False) -> Sourced:
    """Sourced(value, cell, formula, cached), built faster."""
    out = _new_object(Sourced)
    _set_value(out, value)
    _set_cell(out, cell)
    _set_formula(out, formula)
    _set_cached(out, cached)
    return out


_INDICATOR_SETTERS = tuple(getattr(Indicator, f.name).__set__ for f in fields(Indicator))


def new_indicator(*values: object) -> Indicator:
    """Indicator(*values) with every field given in order (row, level1 … note), built faster."""
    if len(values) != len(_INDICATOR_SETTERS):
        raise TypeError(f"new_indicator takes {len(_INDICATOR_SETTERS)} values, got {len(values)}")
    out = _new_object(Indicator)
    for set_field, value in zip(_INDICATOR_SETTERS, values):
        set_field(out, value)
    return out


@dataclass(frozen=True)
class Subtotal:
    """A declared 小计 row (scope = the first-level group it closes, "" when unknown)."""

    row: int
    label: Sourced
    scope: str = ""
    weight: Sourced = MISSING
    score: Sourced = MISSING


@dataclass(frozen=True)
class GroupWeight:
    """A weight written into a group name: "部门决策（15分）", "决策机制 (4分)", "加减分项 (≤5分)"."""

    level: int  # 1 or 2
    name: str  # the name without the weight
    weight: float
    cell: str
    is_cap: bool = False  # "≤5分": an upper bound, not a weight


# "(15分)" "（≤5分）" "(20 分)" anywhere in the name; "(50)" "（10）" only at its end (a bare number in
# brackets elsewhere may be a year or a count); "产出指标 50分" / "产出指标50分" without brackets at its end.
_GROUP_WEIGHT_RE = re.compile(r"[（(]\s*(≤|<=|不超过)?\s*(\d+(?:\.\d+)?)\s*分\s*[)）]")
_BARE_WEIGHT_RE = re.compile(r"(?:[（(]\s*(≤|<=|不超过)?\s*(\d+(?:\.\d+)?)\s*[)）]|(?<![\d.])(≤|<=|不超过)?\s*(\d+(?:\.\d+)?)\s*分)\s*$")


@lru_cache(maxsize=4096)
def split_group_weight(text: str) -> tuple[str, float | None, bool]:
    """'部门决策 (15分)' -> ('部门决策', 15.0, False); '加减分项 (≤5分)' -> ('加减分项', 5.0, True);
    '产出指标(50)' -> ('产出指标', 50.0, False); '产出指标' -> ('产出指标', None, False)."""
    m = _GROUP_WEIGHT_RE.search(text)
    if m:
        cap, number = m.group(1), m.group(2)
    else:
        m = _BARE_WEIGHT_RE.search(text)
        if not m or float(m.group(2) or m.group(4)) > 100:
            return text.strip(), None, False
        cap, number = m.group(1) or m.group(3), m.group(2) or m.group(4)
    name = (text[: m.start()] + text[m.end():]).strip()
    return name, float(number), bool(cap)


@dataclass(frozen=True)
class Form:
    kind: FormKind
    sheet: str
    header: HeaderFacts = field(default_factory=HeaderFacts)
    funds: tuple[FundsRow, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    subtotals: tuple[Subtotal, ...] = ()
    group_weights: tuple[GroupWeight, ...] = ()
    total_weight: Sourced = MISSING  # the 分值 cell of the 总分/合计 row
    total: Sourced = MISSING  # the 得分 cell of the 总分/合计 row
    grade: Sourced = MISSING  # 评价等级 / 绩效等级
    header_rows: tuple[int, int] = (0, 0)  # first and last row of the indicator table header
    last_row: int = 0  # last row of the form (total or grade row)
    columns: tuple[tuple[str, int], ...] = ()  # role -> column of the indicator table (see labels.ROLES)
    survey: Survey | None = None  # 满意度调查 counts written above the table (third-party forms)

    @property
    def column_map(self) -> dict[str, int]:
        return dict(self.columns)

    @property
    def exec_funds_row(self) -> FundsRow | None:
        """The 年度资金总额 row: the one whose 执行率 is scored (分值/得分) on the central layout. A block without
        a total row (only 财政拨款 / 其他资金 rows) is scored on the row that carries the 分值 or 得分."""
        for f in self.funds:
            if f.label == "年度资金总额":
                return f
        for f in self.funds:
            if not f.weight.is_blank or not f.score.is_blank or f.weight.formula or f.score.formula:
                return f
        return None

    def scored(self) -> Iterator[tuple[str, Sourced, Sourced]]:
        """(name, weight, score) of everything that adds up to the total: the funds exec-rate row (when the
        form scores it there) and every indicator row."""
        fr = self.exec_funds_row
        if fr is not None and (not fr.weight.is_blank or not fr.score.is_blank):
            yield "预算执行率", fr.weight, fr.score
        for ind in self.indicators:
            yield ind.name, ind.weight, ind.score

    def tree(self) -> dict[str, dict[str, list[Indicator]]]:
        """level1 -> level2 -> indicators, in form order."""
        out: dict[str, dict[str, list[Indicator]]] = {}
        for ind in self.indicators:
            out.setdefault(ind.level1.text(), {}).setdefault(ind.level2.text(), []).append(ind)
        return out


@dataclass(frozen=True)
class FormReadResult:
    forms: list[Form]
    not_forms: list[tuple[str, str]]  # (sheet, reason in Chinese)
