"""The shared per-form facts of the form checks: the context a check writes findings into (`_Ctx`), each
indicator row's weight/score/bonus worked out once (`_Facts`), and the memoised value readers every check
family uses (`_number`, `_quantity`, …). Pure; no check lives here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache, wraps
from typing import NamedTuple

from perfscore.checks.findings import Finding
from perfscore.checks.profile_choice import cell_profile
from perfscore.checks.registry import spec
from perfscore.forms.model import Form, Indicator, Sourced, split_group_weight
from perfscore.rules import (
    NotApplicable,
    Profile,
    Quantity,
    RuleInputError,
    is_blank,
    parse_quantity,
    resolve_kind,
    round15,
)
from perfscore.xlsx.grid import WorkbookGrid, parse_ref

_NO_REASON = {"无", "暂无", "没有", "无偏差", "无。", "暂无。", "未发现", "不适用"}


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
    def has_direction_column(self) -> bool:
        """The table has a 指标性质 or 指标方向 column (many real forms have neither)."""
        return any(role in ("nature", "operator") for role, _ in self.form.columns)

    @cached_property
    def scored_items(self) -> list[tuple[str, Sourced, Sourced, Indicator | None]]:
        """_scored_items(form), once per form (totals, weights and range checks all walk it)."""
        return _scored_items(self.form)

    @cached_property
    def formula_areas(self) -> list[tuple[str, object]]:
        """(sheet name, Area) of every reference in every formula of the workbook, once per form that asks."""
        from perfscore.checks.shape import area_of, tokenize

        areas = []
        for sheet in self.grid.sheets:
            for cell in sheet.iter_cells():
                for t in (tokenize(cell.formula) or ()) if cell.formula else ():
                    if t.kind == "ref" and (area := area_of(t.value)) is not None:
                        areas.append((area.sheet or sheet.name, area))  # Area.sheet: None = its own sheet
        return areas

    def read_by_formula(self, s: Sourced) -> bool:
        """Does some formula of the workbook read this cell (a SUM over it, a score computed from it)?"""
        if s.cell is None:
            return False
        name, row, col = _cell_pos(s.cell)
        return any(sheet == name and a.contains(row, col) for sheet, a in self.formula_areas)

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



def _cell_ctx(ctx: _Ctx, s: Sourced) -> _Ctx:
    """The context judging one result cell: with the profile its formula states in its 规则 argument, if any
    (the cell computes with it, in Excel and in recalc). Findings still go to the form's list."""
    if not s.formula:
        return ctx  # a typed value states no rule
    p = cell_profile(s.formula, ctx.grid, s.sheet, ctx.profile)
    return ctx if p is ctx.profile else replace(ctx, profile=p)



def _scored_items(form: Form) -> list[tuple[str, Sourced, Sourced, Indicator | None]]:
    out: list[tuple[str, Sourced, Sourced, Indicator | None]] = []
    fr = form.exec_funds_row
    if fr is not None and (not fr.weight.is_blank or not fr.score.is_blank):
        out.append(("预算执行率", fr.weight, fr.score, None))
    for ind in form.indicators:
        out.append((ind.name, ind.weight, ind.score, ind))
    return out



@lru_cache(maxsize=4096)
def _group_name(level1: str) -> str:
    """The first-level name without its written weight ("部门决策 (15分)" -> "部门决策"), once per text."""
    return split_group_weight(level1)[0]
