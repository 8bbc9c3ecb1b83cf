"""Apply in place: put scoring formulas into an existing form's 得分 cells, touching nothing else.

The plan (`plan_apply`) is pure: from a Form it decides, cell by cell, which formula goes where, referencing
the form's own cells, and which typed values are kept. The writer (`apply_to_file`) edits only those <c>
elements in the sheet XML (lxml), sets fullCalcOnLoad so Excel/WPS compute the new cells on open, and copies
every other part as its original compressed bytes (perfscore.xlsx.repack) — styles, merges, comments, data
validation, VBA (.xlsm) survive because they are never parsed. The input file is never modified; the output
is written atomically.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from perfscore.excel_functions import Outcome, evaluate
from perfscore.rules.errors import RuleInputError
from perfscore.rules.excelmath import compare15, sum15
from perfscore.rules.values import is_blank, parse_number, parse_quantity
from perfscore.xlsx.atomic import write_bytes_atomic
from perfscore.xlsx.errors import XlsxError
from perfscore.xlsx.grid import ExcelError, WorkbookGrid, cell_ref, parse_ref
from perfscore.xlsx.package import NS_MAIN, XlsxPackage, list_sheets, parse_xml_bytes
from perfscore.xlsx.reader import grid_from_package
from perfscore.xlsx.repack import build_package

from .model import Form, Sourced
from .reader import read_forms


@dataclass(frozen=True)
class CellPlan:
    """One cell apply considered. action: 写入 (blank cell gets a formula), 覆盖 (typed value or formula
    replaced, --overwrite), 保留 (kept: typed by the user, no --overwrite), 跳过 (no formula: none fits the
    row, or the formula could not compute a value now — the cell keeps what it holds). formula without the
    leading "="; new_value is what the cell shows after apply (the formula's result, computed by the core)."""

    sheet: str
    ref: str
    what: str  # "指标得分" / "预算执行率得分" / "执行率" / "小计" / "总分" / "评价等级"
    action: str
    formula: str | None
    old_value: object = None
    old_formula: str | None = None
    note: str = ""
    new_value: object = None

    @property
    def cell(self) -> str:
        return f"{self.sheet}!{self.ref}"

    @property
    def changes_value(self) -> bool:
        """A written formula whose result differs from the number or text the cell showed before."""
        if self.action not in ("写入", "覆盖") or is_blank(self.old_value):
            return False
        return not _same_value(self.old_value, self.new_value)

    def change_text(self) -> str:
        return f"{self.cell}（{self.what}）：{_show(self.old_value)} → {_show(self.new_value)}"

    def message(self) -> str:
        where = f"{self.cell}（{self.what}）"
        shows = f"（= {_show(self.new_value)}）" if self.new_value is not None else ""
        if self.action == "写入":
            return f"{where}：写入公式 ={self.formula}{shows}" + (f"；{self.note}" if self.note else "")
        if self.action == "覆盖":
            old = self.old_formula or _show(self.old_value)
            return f"{where}：原有 {old}，已覆盖为 ={self.formula}{shows}" + (f"；{self.note}" if self.note else "")
        if self.action == "保留":
            old = self.old_formula or _show(self.old_value)
            return f"{where}：已有{'公式' if self.old_formula else '手填值'} {old}，保留（加 --overwrite 可覆盖为 ={self.formula}{shows}）"
        return f"{where}：未写公式——{self.note}"


def _show(value: object) -> str:
    if value is None:
        return "空"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else repr(value)
    return str(value)


def _same_value(old: object, new: object) -> bool:
    if isinstance(new, (int, float)) and not isinstance(new, bool):
        try:
            return compare15(float(parse_number(old)), float(new)) == 0
        except (RuleInputError, TypeError, ValueError):
            return False
    return str(old).strip() == str(new).strip()


@dataclass(frozen=True)
class ApplyReport:
    source: str
    output: str | None
    plans: tuple[CellPlan, ...]
    profile: str | None = None
    not_forms: tuple[tuple[str, str], ...] = ()

    @property
    def written(self) -> list[CellPlan]:
        return [p for p in self.plans if p.action in ("写入", "覆盖")]

    @property
    def changes(self) -> list[CellPlan]:
        """Every score, total and grade whose shown value apply changes (old → new)."""
        return [p for p in self.plans if p.changes_value]

    def lines(self) -> list[str]:
        out = [p.message() for p in self.plans]
        for p in self.changes:
            out.append(f"数值改变：{p.change_text()}")
        if self.profile:
            out.append(f"工作簿：定义名称 PERFSCORE_PROFILE = \"{self.profile}\"（评分规则）")
        if self.written:
            out.append("工作簿：设置“打开时重新计算”(fullCalcOnLoad)，在 Excel/WPS 中打开即得到新公式的结果")
        for sheet, reason in self.not_forms:
            out.append(f"工作表“{sheet}”未处理：{reason}")
        return out


# -- planning (pure) -----------------------------------------------------------------------------------------

def _col_ranges(refs: list[str]) -> list[str]:
    """['J13','J14','J15','J18'] -> ['J13:J15', 'J18'] (same column, consecutive rows joined)."""
    cells = sorted(parse_ref(r) for r in refs)
    out: list[str] = []
    i = 0
    while i < len(cells):
        r0, c0 = cells[i]
        j = i
        while j + 1 < len(cells) and cells[j + 1][1] == c0 and cells[j + 1][0] == cells[j][0] + 1:
            j += 1
        a, b = cell_ref(r0, c0), cell_ref(cells[j][0], c0)
        out.append(a if a == b else f"{a}:{b}")
        i = j + 1
    return out


def _is_number_like(value: object) -> bool:
    try:
        parse_quantity(value)
    except RuleInputError:
        return False
    return True


def _nature_literal(form_has_nature: bool, target: Sourced, actual: Sourced) -> tuple[str | None, str]:
    """Without a 指标性质 column: a text target or a text actual ("达成预期目标") means 定性 (examples/001);
    numbers on both sides are left to the operator written in the target, or to the core's refusal."""
    if form_has_nature:
        return None, ""
    for what, s in (("年度指标值", target), ("实际完成值", actual)):
        if not is_blank(s.value) and not _is_number_like(s.value):
            return '"定性"', f"本表无指标性质列，按{what}“{s.value}”判为定性"
    return '""', ""


_LITERALS = {'"定性"': "定性", '""': ""}


class _Planner:
    """Decides cell by cell; each formula's result is computed now with the rule core (the same code the cell
    and recalc run), so a formula that would show an error value is never written over what the cell holds."""

    def __init__(self, form: Form, overwrite: bool, profile: str | None):
        self.form = form
        self.overwrite = overwrite
        self.profile = profile
        self.plans: list[CellPlan] = []
        self.shown: dict[str, object] = {}  # ref -> value the cell shows after apply (when apply changes it)

    def value(self, s: Sourced) -> object:
        return self.shown.get(s.ref, s.value) if s.ref else None

    def call(self, name: str, args: list[Sourced | str]) -> tuple[str, Outcome | str]:
        """The formula text and its result now; args are cells or the literals of _LITERALS."""
        texts = [a if isinstance(a, str) else a.ref for a in args]
        formula = f"{name}({','.join(texts)})"
        unknown = [a.ref for a in args if not isinstance(a, str) and a.ref not in self.shown
                   and a.formula is not None and a.value is None]
        if unknown:  # a formula saved without its result: what the call would show cannot be known now
            return formula, (f"{'、'.join(unknown)} 是没有保存计算结果的公式，无法预先算出得分；"
                             f"请先用 Excel/WPS 打开并保存，或运行 perfscore recalc，再运行 apply")
        values = [_LITERALS[a] if isinstance(a, str) else self.value(a) for a in args]
        return formula, evaluate(name, values, self.profile)

    def sum(self, parts: list[Sourced]) -> tuple[str, Outcome | str]:
        """SUM over the parts, or the reason it would be wrong: SUM skips numbers stored as text, so a total over
        them would silently drop those rows (a wrong number, worse than the typed total)."""
        formula = f"SUM({','.join(_col_ranges([s.ref for s in parts]))})"
        numbers: list[float] = []
        as_text: list[str] = []
        for s in parts:
            v = self.value(s)
            if isinstance(v, ExcelError):
                return formula, Outcome(v, f"{s.cell} 是错误值 {v.code}")
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                numbers.append(float(v))  # SUM skips text and blanks, as Excel does
            elif isinstance(v, str) and not is_blank(v) and _is_number_like(v):
                as_text.append(s.ref)
        if as_text:
            shown = "、".join(as_text[:3]) + ("等" if len(as_text) > 3 else "")
            return formula, (f"{shown} 共 {len(as_text)} 格是以文本形式存储的数字，SUM 会忽略它们、得出偏小的合计；"
                             f"请先把这些单元格转换为数字")
        return formula, Outcome(sum15(numbers))

    def decide(self, target: Sourced, what: str, planned: tuple[str, Outcome | str] | None, note: str = "",
               skip_reason: str = "") -> None:
        if target.cell is None:
            return
        form = self.form
        if planned is None:
            self.plans.append(CellPlan(form.sheet, target.ref, what, "跳过", None, target.value, target.formula,
                                       skip_reason))
            return
        formula, outcome = planned
        has_content = target.formula is not None or not target.is_blank
        if isinstance(outcome, str):  # the formula would compute a wrong value: say why, keep the cell
            kept = f"；保留原有{'公式' if target.formula else '值'} {target.formula or _show(target.value)}" if has_content else ""
            self.plans.append(CellPlan(form.sheet, target.ref, what, "跳过", formula, target.value, target.formula,
                                       outcome + kept))
            return
        if outcome.is_error:
            kept = f"；保留原有{'公式' if target.formula else '值'} {target.formula or _show(target.value)}" if has_content else ""
            self.plans.append(CellPlan(form.sheet, target.ref, what, "跳过", formula, target.value, target.formula,
                                       f"公式现在会得到 {outcome.value.code}：{outcome.reason}{kept}"))
            return
        if has_content and target.formula and target.formula[1:].replace(" ", "") == formula.replace(" ", ""):
            self.shown[target.ref] = outcome.value
            return  # already exactly this formula
        if has_content and not self.overwrite:
            self.plans.append(CellPlan(form.sheet, target.ref, what, "保留", formula, target.value, target.formula,
                                       note, outcome.value))
            return
        self.shown[target.ref] = outcome.value
        self.plans.append(CellPlan(form.sheet, target.ref, what, "覆盖" if has_content else "写入", formula,
                                   target.value, target.formula, note, outcome.value))


def _block_inputs(form: Form):
    """Rows scored from the inputs a third-party 评分表 writes beside its table (资金 block, survey counts), when
    that block is not scored itself: {indicator row: (function, argument cells, note)}."""
    fr = next((f for f in form.funds if f.score.cell is None and (f.arrived.cell or f.spent.cell)), None)
    rules = []
    if fr is not None:
        if fr.budget.cell and fr.arrived.cell:
            rules.append(("资金到位率", "SCORE_EXEC_RATE", [fr.budget, fr.arrived], "资金到位率 = 到位资金/预算资金"))
        if fr.spent.cell and (fr.arrived.cell or fr.budget.cell):
            base = fr.arrived if fr.arrived.cell else fr.budget
            rules.append(("预算执行率", "SCORE_EXEC_RATE", [base, fr.spent],
                          "预算执行率 = 实际支出/" + ("到位资金" if fr.arrived.cell else "预算资金")))
        if fr.planned_cost.cell and fr.actual_cost.cell:
            rules.append(("成本节约", "SCORE_COST_SAVING", [fr.planned_cost, fr.actual_cost], "成本节约率 = (计划 − 实际)/计划"))
    if form.survey is not None and all(c.cell for c in form.survey.counts):
        rules.append(("满意", "SCORE_SATISFACTION", list(form.survey.counts), "满意度按调查人数加权"))
    out = {}
    for key, func, args, note in rules:
        rows = [i for i in form.indicators if key in i.name and i.weight.cell and not i.is_bonus]
        if len(rows) == 1:  # several rows of one kind: which one the inputs belong to is not ours to guess
            out[rows[0].row] = (func, args, note)
    return out


def plan_apply(form: Form, overwrite: bool = False, profile: str | None = None) -> list[CellPlan]:
    """The cells apply would write, keep or skip, with the value each shows afterwards (profile: the rule
    profile the workbook computes with; None = the default)."""
    cols = form.column_map
    pl = _Planner(form, overwrite, profile)

    exec_score: Sourced | None = None
    fr = form.exec_funds_row
    if fr is not None and fr.score.cell and fr.weight.cell and fr.budget.cell and fr.spent.cell:
        if not fr.weight.is_blank or fr.weight.formula:
            pl.decide(fr.score, "预算执行率得分", pl.call("SCORE_EXEC_RATE", [fr.budget, fr.spent, fr.weight]))
            exec_score = fr.score
    computable = "target" in cols and "actual" in cols
    from_block = _block_inputs(form)
    scores: list[Sourced] = []
    for ind in form.indicators:
        if ind.score.cell is None:
            continue
        scores.append(ind.score)
        if ind.is_bonus:
            pl.decide(ind.score, "加减分", None, skip_reason="加减分项按评审判断填写")
            continue
        if ind.row in from_block:
            func, args, note = from_block[ind.row]
            pl.decide(ind.score, "指标得分", pl.call(func, [*args, ind.weight]), note)
            continue
        if not computable:
            pl.decide(ind.score, "指标得分", None, skip_reason="本表没有年度指标值/实际完成值列，得分为评审判断")
            continue
        lit, note = _nature_literal("nature" in cols, ind.target, ind.actual)
        nature = lit if lit is not None else ind.nature
        operator = ind.operator if "operator" in cols else '""'
        pl.decide(ind.score, "指标得分",
                  pl.call("SCORE_INDICATOR", [nature, operator, ind.target, ind.actual, ind.weight]), note)

    # 小计: the indicator rows since the previous subtotal (or the table header)
    subs: list[Sourced] = []
    start = form.header_rows[1]
    covered = 0
    for sub in form.subtotals:
        rows = [i for i in form.indicators if start < i.row < sub.row and i.score.cell]
        start = sub.row
        if not rows:
            continue
        covered += len(rows)
        pl.decide(sub.score, "小计", pl.sum([i.score for i in rows]))
        if sub.weight.cell and sub.weight.is_blank and not sub.weight.formula and all(i.weight.cell for i in rows):
            pl.decide(sub.weight, "小计分值", pl.sum([i.weight for i in rows]))
        if sub.score.cell:
            subs.append(sub.score)

    total_planned = False
    if form.total.cell and scores:
        parts = subs if subs and covered == len(scores) else scores
        pl.decide(form.total, "总分", pl.sum(([exec_score] if exec_score else []) + parts))
        total_planned = True
        if form.total_weight.cell and form.total_weight.is_blank and not form.total_weight.formula:
            weights = [i.weight for i in form.indicators if i.weight.cell and not i.is_bonus]
            if fr is not None and exec_score and fr.weight.cell:
                weights = [fr.weight] + weights
            if weights:
                pl.decide(form.total_weight, "总分值", pl.sum(weights))
    if form.grade.cell and total_planned:
        pl.decide(form.grade, "评价等级", pl.call("GRADE", [form.total]))
    return pl.plans


# -- writing (file shell) ------------------------------------------------------------------------------------

_M = f"{{{NS_MAIN}}}"


def apply_to_file(src: str | Path, out: str | Path | None, *, overwrite: bool = False,
                  profile: str | None = None, native: bool = False) -> ApplyReport:
    """Plan and (when out is given) write. Raises XlsxError for unreadable files."""
    src_p = Path(src)
    if out is not None and Path(out).resolve() == src_p.resolve():
        raise XlsxError("apply.same_file", f"输出文件不能与输入文件相同：{src_p}（perfscore 从不覆盖输入文件）", str(src_p))
    pkg = XlsxPackage.open(src_p)
    grid: WorkbookGrid = grid_from_package(pkg)
    result = read_forms(grid)
    from perfscore.checks.profile_choice import workbook_profile_name  # the one reading of PERFSCORE_PROFILE

    computes_with = profile or workbook_profile_name(grid)  # --profile is written into PERFSCORE_PROFILE
    plans: list[CellPlan] = []
    for form in result.forms:
        plans.extend(plan_apply(form, overwrite=overwrite, profile=computes_with))
    if native:  # built-in formulas instead of the perfscore functions (perfscore.native)
        from perfscore.native.hooks import native_plans

        plans = native_plans(plans, grid.defined_names, profile)
    report = ApplyReport(str(src_p), str(out) if out else None, tuple(plans), profile, tuple(result.not_forms))
    if out is not None:
        write_bytes_atomic(out, apply_plans(pkg, plans, profile))
    return report


def apply_plans(pkg: XlsxPackage, plans: list[CellPlan], profile: str | None = None) -> bytes:
    """The package bytes with the planned formulas written; untouched parts are copied unchanged."""
    entries, _, wb_part = list_sheets(pkg)
    part_of = {e.name: e.part for e in entries}
    by_part: dict[str, list[CellPlan]] = {}
    for p in plans:
        if p.action in ("写入", "覆盖"):
            by_part.setdefault(part_of[p.sheet], []).append(p)
    changed: dict[str, bytes] = {}
    for part, items in by_part.items():
        changed[part] = _patch_sheet(pkg, part, items)
    if by_part or profile:
        changed[wb_part] = _patch_workbook(pkg, wb_part, full_calc=bool(by_part), profile=profile)
    return build_package(pkg, changed)


def _patch_sheet(pkg: XlsxPackage, part: str, items: list[CellPlan]) -> bytes:
    root = parse_xml_bytes(pkg.read(part), part, pkg.path)
    data = root.find(_M + "sheetData")
    if data is None:
        raise XlsxError("apply.no_sheetdata", f"文件 {pkg.path} 的工作表部件 {part} 没有 sheetData，无法写入公式", pkg.path)
    rows: dict[int, etree._Element] = {}
    for row in data.iterchildren(_M + "row"):
        r = row.get("r")
        if r is None:
            raise XlsxError("apply.no_row_numbers", f"文件 {pkg.path} 的工作表 {part} 行缺少编号，无法安全写入", pkg.path)
        rows[int(r)] = row
    for item in items:
        r, c = parse_ref(item.ref)
        row = rows.get(r)
        if row is None:
            row = etree.Element(_M + "row", r=str(r))
            later = [n for n in sorted(rows) if n > r]
            if later:
                rows[later[0]].addprevious(row)
            else:
                data.append(row)
            rows[r] = row
        cell = None
        insert_before = None
        for cnode in row.iterchildren(_M + "c"):
            cr, cc = parse_ref(cnode.get("r", ""))
            if cc == c:
                cell = cnode
                break
            if cc > c:
                insert_before = cnode
                break
        if cell is None:
            cell = etree.Element(_M + "c", r=item.ref)
            if insert_before is not None:
                insert_before.addprevious(cell)
            else:
                row.append(cell)
        for child in list(cell):
            cell.remove(child)
        cell.attrib.pop("t", None)
        f = etree.SubElement(cell, _M + "f")
        f.text = item.formula
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _patch_workbook(pkg: XlsxPackage, part: str, full_calc: bool, profile: str | None) -> bytes:
    root = parse_xml_bytes(pkg.read(part), part, pkg.path)
    if full_calc:
        calc = root.find(_M + "calcPr")
        if calc is None:
            calc = etree.Element(_M + "calcPr")
            # calcPr follows definedNames (or sheets) in CT_Workbook's sequence
            anchor = root.find(_M + "definedNames")
            anchor = anchor if anchor is not None else root.find(_M + "sheets")
            anchor.addnext(calc)
        calc.set("fullCalcOnLoad", "1")
    if profile:
        names = root.find(_M + "definedNames")
        if names is None:
            names = etree.Element(_M + "definedNames")
            root.find(_M + "sheets").addnext(names)
        for dn in names.iterchildren(_M + "definedName"):
            if dn.get("name") == "PERFSCORE_PROFILE" and dn.get("localSheetId") is None:
                dn.text = f'"{profile}"'
                break
        else:
            dn = etree.SubElement(names, _M + "definedName", name="PERFSCORE_PROFILE")
            dn.text = f'"{profile}"'
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
