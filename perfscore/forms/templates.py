"""Template generator: a text spec (workbook_templates/specs/*.toml) -> an .xlsx, byte for byte reproducible.

XlsxWriter writes every zip member with the fixed 1980-01-01 timestamp when in_memory is set, and the
document properties carry a fixed creation date, so the same spec always gives the same bytes
(`workbook_templates/build.py` regenerates the committed files; a test compares them).

Two layouts:
- "project": the central 项目支出绩效自评表 (DOMAIN.md §1): header facts, 项目资金 block whose 执行率 is scored by
  SCORE_EXEC_RATE, 年度总体目标, the 11-column indicator table scored by SCORE_INDICATOR, 总分 and GRADE.
- "tree": a fixed indicator tree (部门整体 / 第三方): judgement scores typed into cells limited to 0…分值,
  some items computed (资金到位率, 预算执行率, 满意度, 成本节约率), 小计 per first-level group, 合计, GRADE.
Input cells are unlocked, formula and label cells locked; the sheet is protected without a password.
"""

from __future__ import annotations

import datetime as _dt
import io
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from perfscore.rules.errors import PerfscoreError

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "workbook_templates"
# The specs ship as package data (perfscore_template_specs), so this also works from an installed wheel.
SPECS_DIR = Path(str(resources.files("perfscore_template_specs")))
FIXED_DATE = _dt.datetime(2024, 1, 1, 0, 0, 0)
TEMPLATE_VERSION = "1"

NATURES = ["正向", "反向", "定性"]
OPERATORS = ["≥", "≤", "=", ">", "<"]
QUAL_LEVELS = ["达成预期目标", "部分达成预期目标并具有一定效果", "未达成预期目标且效果较差"]


class TemplateError(PerfscoreError):
    code = "TEMPLATE"


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    title: str
    file: str
    kind: str
    spec_path: Path


def list_templates(specs_dir: Path = SPECS_DIR) -> list[TemplateInfo]:
    out = []
    for p in sorted(specs_dir.glob("*.toml")):
        spec = _load(p)
        out.append(TemplateInfo(spec["name"], spec["title"], spec["file"], spec["kind"], p))
    return out


def _load(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TemplateError(f"模板描述文件 {path} 无法读取：{exc}") from exc


def load_spec(name_or_path: str | Path, specs_dir: Path = SPECS_DIR) -> dict:
    p = Path(name_or_path)
    if p.suffix == ".toml" and p.exists():
        return _load(p)
    for info in list_templates(specs_dir):
        if str(name_or_path) in (info.name, info.title, Path(info.file).stem):
            return _load(info.spec_path)
    names = "、".join(i.name for i in list_templates(specs_dir))
    raise TemplateError(f"没有名为“{name_or_path}”的模板；可用模板：{names}")


def build_template(spec: dict, native: bool = False) -> bytes:
    """The .xlsx bytes of one template spec (native: built-in formulas instead of the perfscore functions)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    wb.set_properties({"title": spec["title"], "subject": spec["kind"], "author": "perfscore",
                       "company": "", "created": FIXED_DATE,
                       "comments": f"perfscore template {spec['name']} v{TEMPLATE_VERSION}"})
    st = _Styles(wb)
    ws = wb.add_worksheet(spec.get("sheet", spec["title"])[:31])
    if native:  # every perfscore call becomes a built-in formula (perfscore.native)
        from perfscore.native.hooks import native_writer

        ws.write_formula = native_writer(ws.write_formula, spec.get("profile", "central"))
    layout = spec.get("layout", "project")
    if layout == "project":
        _ProjectLayout(spec, ws, st).write()
    elif layout == "tree":
        _TreeLayout(spec, ws, st).write()
    else:
        raise TemplateError(f"模板 {spec['name']} 的 layout “{layout}” 未知（应为 project 或 tree）")
    meta = wb.add_worksheet("_perfscore")
    for i, (k, v) in enumerate((("kind", spec["kind"]), ("profile", spec.get("profile", "central")),
                                ("template", spec["name"]), ("version", TEMPLATE_VERSION),
                                ("source", spec.get("source", "")))):
        meta.write_string(i, 0, k)
        meta.write_string(i, 1, v)
    meta.hide()
    wb.define_name("PERFSCORE_PROFILE", f'="{spec.get("profile", "central")}"')
    wb.define_name("PERFSCORE_KIND", f'="{spec["kind"]}"')
    wb.close()
    return buf.getvalue()


def write_template(name_or_path: str | Path, out: str | Path, native: bool = False) -> Path:
    from perfscore.xlsx.atomic import write_bytes_atomic

    return write_bytes_atomic(out, build_template(load_spec(name_or_path), native=native))


# -- styles -------------------------------------------------------------------------------------------------

class _Styles:
    def __init__(self, wb):
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "text_wrap": True}
        box = {**base, "border": 1}
        f = wb.add_format
        self.title = f({**base, "font_name": "黑体", "font_size": 16, "bold": True, "align": "center"})
        self.subtitle = f({**base, "align": "center"})
        self.seal = f({**base, "align": "left", "valign": "bottom"})
        self.label = f({**box, "align": "center", "bold": True, "bg_color": "#F2F2F2"})
        self.label_left = f({**box, "bold": True, "bg_color": "#F2F2F2"})
        self.fixed = f({**box})  # locked text
        self.fixed_center = f({**box, "align": "center"})
        self.fixed_num = f({**box, "align": "center", "num_format": "0.00"})
        self.input = f({**box, "locked": False})
        self.input_center = f({**box, "locked": False, "align": "center"})
        self.input_num = f({**box, "locked": False, "align": "center", "num_format": "0.00"})
        self.input_money = f({**box, "locked": False, "num_format": "#,##0.00"})
        self.formula_num = f({**box, "align": "center", "num_format": "0.00", "bg_color": "#EAF1DD"})
        self.formula_pct = f({**box, "align": "center", "num_format": "0.00%", "bg_color": "#EAF1DD"})
        self.formula_text = f({**box, "align": "center", "bold": True, "bg_color": "#EAF1DD"})
        self.dash = f({**box, "align": "center"})


def _print_setup(ws, header_first: int, header_last: int, freeze_row: int, freeze_col: int,
                 pages_tall: int = 0) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.repeat_rows(header_first, header_last)
    ws.fit_to_pages(1, pages_tall)  # 0: as many pages as the rows need
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.freeze_panes(freeze_row, freeze_col)
    # no password; inserting rows is allowed (more indicators than the template's rows)
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                    "select_unlocked_cells": True, "insert_rows": True})


def _units(text: str) -> int:
    """Display width in column units (CJK ≈ 2)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _fit_width(labels, minimum: int) -> int:
    """A column wide enough that none of its labels wraps (a "（10分）" never breaks inside its brackets)."""
    return max([minimum, *(_units(t) + 2 for t in labels)])


SEAL_LINE = ("填报单位（盖章）：　　　　　　　　　　　　填报人：　　　　　　　　联系电话：　　　　　　　　"
             "填报日期：　　　　年　　月　　日")


def _row_height(item: dict, widths: tuple[int, ...]) -> float:
    """Rows do not grow by themselves in a generated file: size them for the wrapped text (CJK ≈ 2 units)."""
    lines = 1
    for key, col in (("level3", 2), ("note", 3), ("rule", 4)):
        units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in item.get(key, ""))
        lines = max(lines, -(-units // max(widths[col] - 1, 1)))
    return 14.0 * lines + 2


def _a1(r: int, c: int) -> str:
    """0-based (row, col) -> 'A1'."""
    return xl_rowcol_to_cell(r, c)


# -- the central project layout ----------------------------------------------------------------------------

class _ProjectLayout:
    COLS = ("一级指标", "二级指标", "三级指标", "指标性质", "指标方向", "年度指标值（A）", "实际完成值（B）",
            "计量单位", "分值", "得分", "偏差原因分析及改进措施")
    WIDTHS = (12, 13, 22, 8, 8, 12, 16, 8, 7, 7, 24)

    def __init__(self, spec, ws, st):
        self.spec, self.ws, self.st = spec, ws, st

    def write(self) -> None:
        ws, st, spec = self.ws, self.st, self.spec
        widths = list(self.WIDTHS)
        widths[0] = _fit_width([f"{g['level1']}（{g['weight']:g}分）" for g in spec["groups"]], widths[0])
        widths[1] = _fit_width([l2 for g in spec["groups"] for l2, _ in g["level2"]], widths[1])
        for c, w in enumerate(widths):
            ws.set_column(c, c, w)
        ws.merge_range(0, 0, 0, 10, spec["title"], st.title)
        ws.set_row(0, 30)
        # （20XX年度）: follows the year typed into J2
        ws.merge_range(1, 3, 1, 7, "", st.subtitle)
        ws.write_formula(1, 3, '=IF(J2="","（20XX年度）","（"&J2&"年度）")', st.subtitle, "（20XX年度）")
        ws.write_string(1, 8, "年度：", st.subtitle)
        ws.merge_range(1, 9, 1, 10, "", st.input_center)
        ws.merge_range(2, 0, 2, 1, "项目名称", st.label)
        ws.merge_range(2, 2, 2, 10, "", st.input)
        ws.merge_range(3, 0, 3, 1, "主管部门", st.label)
        ws.merge_range(3, 2, 3, 5, "", st.input)
        ws.merge_range(3, 6, 3, 7, "实施单位", st.label)
        ws.merge_range(3, 8, 3, 10, "", st.input)
        # 项目资金 block: rows 5-9 (1-based)
        ws.merge_range(4, 0, 8, 1, "项目资金（万元）", st.label)
        ws.merge_range(4, 2, 4, 3, "", st.label)
        for c, lab in zip(range(4, 10), ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")):
            ws.write_string(4, c, lab, st.label)
        ws.merge_range(4, 10, 8, 10, "", st.fixed)
        exec_w = spec.get("exec_weight", 10)
        for i, lab in enumerate(("年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金")):
            r = 5 + i
            ws.merge_range(r, 2, r, 3, lab, st.label_left)
            for c in (4, 5, 6):
                ws.write_blank(r, c, None, st.input_money)
            F, G = _a1(r, 5), _a1(r, 6)
            ws.write_formula(r, 8, f'=IF(N({F})=0,"",{G}/{F})', st.formula_pct, "")
            if i == 0:
                ws.write_number(r, 7, exec_w, st.input_num)
                H = _a1(r, 7)
                ws.write_formula(r, 9, f'=IF(OR({H}="",{F}=""),"",SCORE_EXEC_RATE({F},{G},{H}))', st.formula_num, "")
            else:
                ws.write_string(r, 7, "—", st.dash)
                ws.write_string(r, 9, "—", st.dash)
        self.exec_score = _a1(5, 9)
        self.exec_weight = _a1(5, 7)
        # 年度总体目标: rows 10-11
        ws.merge_range(9, 0, 10, 1, "年度总体目标", st.label)
        ws.merge_range(9, 2, 9, 6, "预期目标", st.label)
        ws.merge_range(9, 7, 9, 10, "实际完成情况", st.label)
        ws.merge_range(10, 2, 10, 6, "", st.input)
        ws.merge_range(10, 7, 10, 10, "", st.input)
        ws.set_row(10, 48)
        # indicator table: header row 12, data from row 13
        hr = 11
        for c, lab in enumerate(self.COLS):
            ws.write_string(hr, c, lab, st.label)
        ws.set_row(hr, 30)
        r = hr + 1
        first = r
        for group in spec["groups"]:
            l1 = f"{group['level1']}（{group['weight']:g}分）"
            g_first = r
            for j, (l2, n) in enumerate(group["level2"]):
                if n > 1:  # 二级 merged over its block, 一级 over its group (as the published form)
                    ws.merge_range(r, 1, r + n - 1, 1, l2, st.input_center)
                else:
                    ws.write_string(r, 1, l2, st.input_center)
                for k in range(n):
                    for c in (2, 5, 6, 7, 10):
                        ws.write_blank(r, c, None, st.input)
                    ws.write_blank(r, 3, None, st.input_center)
                    ws.write_blank(r, 4, None, st.input_center)
                    ws.write_blank(r, 8, None, st.input_num)
                    D, E, F, G, I = (_a1(r, c) for c in (3, 4, 5, 6, 8))
                    # blank 分值 = an unused row; a blank 实际完成值 on a used row must show an error, not vanish
                    ws.write_formula(r, 9, f'=IF({I}="","",SCORE_INDICATOR({D},{E},{F},{G},{I}))',
                                     st.formula_num, "")
                    r += 1
            if r - 1 > g_first:
                ws.merge_range(g_first, 0, r - 1, 0, l1, st.input_center)
            else:
                ws.write_string(g_first, 0, l1, st.input_center)
        last = r - 1
        col = xl_col_to_name
        rng = lambda c: f"{col(c)}{first + 1}:{col(c)}{last + 1}"  # noqa: E731
        ws.data_validation(first, 3, last, 3, {"validate": "list", "source": NATURES,
                                                 "input_title": "指标性质", "input_message": "正向、反向或定性",
                                                 "error_message": "请从列表中选择：正向、反向、定性"})
        ws.data_validation(first, 4, last, 4, {"validate": "list", "source": OPERATORS,
                                                 "input_title": "指标方向", "input_message": "定量指标选 ≥ ≤ = > <；定性指标留空",
                                                 "error_message": "请从列表中选择：≥ ≤ = > <"})
        ws.data_validation(first, 6, last, 6, {"validate": "list", "source": QUAL_LEVELS, "error_type": "information",
                                                 "input_title": "实际完成值", "input_message": "定量指标填数值；定性指标选择完成程度，或填与年度指标值相同的文字，或填完成程度百分比（如 85%）",
                                                 "error_message": "定量指标可直接填写数值"})
        ws.data_validation(first, 8, last, 8, {"validate": "decimal", "criteria": "between", "minimum": 0,
                                                 "maximum": 100, "error_message": "分值应为 0–100 之间的数"})
        # 总分 and 评价等级
        ws.merge_range(r, 0, r, 7, "总分", st.label)
        ws.write_formula(r, 8, f"=SUM({self.exec_weight},{rng(8)})", st.formula_num, 0)
        ws.write_formula(r, 9, f"=SUM({self.exec_score},{rng(9)})", st.formula_num, 0)
        ws.write_blank(r, 10, None, st.fixed)
        total = _a1(r, 9)
        ws.merge_range(r + 1, 0, r + 1, 7, "评价等级", st.label)
        ws.merge_range(r + 1, 8, r + 1, 10, "", st.formula_text)
        ws.write_formula(r + 1, 8, f'=IF(COUNT({self.exec_score},{rng(9)})=0,"",GRADE({total}))', st.formula_text, "")
        ws.merge_range(r + 2, 0, r + 2, 10, SEAL_LINE, st.seal)
        ws.set_row(r + 2, 36)
        _print_setup(ws, hr, hr, hr + 1, 3, pages_tall=1)  # one page: no second page holding one row
        ws.print_area(0, 0, r + 2, 10)


# -- a fixed indicator tree (department, third party) --------------------------------------------------------

class _TreeLayout:
    WIDTHS = (12, 14, 22, 30, 36, 7, 7, 22)

    def __init__(self, spec, ws, st):
        self.spec, self.ws, self.st = spec, ws, st

    def write(self) -> None:
        ws, st, spec = self.ws, self.st, self.spec
        cols = spec["columns"]
        ncol = len(cols)
        W, S = 5, 6  # 分值, 得分 columns (0-based): the spec keeps the 8-column shape
        widths = list(self.WIDTHS[:ncol])
        widths[0] = _fit_width([self._l1_label(l1) for l1 in dict.fromkeys(i["level1"] for i in spec["items"])], widths[0])
        widths[1] = _fit_width([self._l2_label(l1, l2) for l1, l2 in dict.fromkeys((i["level1"], i["level2"]) for i in spec["items"])], widths[1])
        self.widths = tuple(widths)
        for c, w in enumerate(widths):
            ws.set_column(c, c, w)
        ws.merge_range(0, 0, 0, ncol - 1, spec["title"], st.title)
        ws.set_row(0, 30)
        r = 1
        for fact in spec.get("facts", []):
            ws.write_string(r, 0, fact, st.label)
            ws.merge_range(r, 1, r, 3, "", st.input)
            r += 1
        refs: dict[str, str] = {}
        if spec.get("funds"):
            labels = ("年初预算数", "全年预算数", "到位资金", "全年执行数", "计划成本", "实际成本")
            ws.merge_range(r, 0, r + 1, 0, "项目资金（万元）", st.label)
            ws.write_string(r, 1, "", st.label)
            for c, lab in enumerate(labels, start=2):
                ws.write_string(r, c, lab, st.label)
            ws.write_string(r + 1, 1, "年度资金总额", st.label_left)
            for c, lab in enumerate(labels, start=2):
                ws.write_blank(r + 1, c, None, st.input_money)
                refs[lab] = _a1(r + 1, c)
            r += 2
        if spec.get("survey"):
            labels = ("非常满意", "比较满意", "一般满意", "不太满意", "不满意")
            ws.merge_range(r, 0, r + 1, 1, "满意度调查（人数）", st.label)
            for c, lab in enumerate(labels, start=2):
                ws.write_string(r, c, lab, st.label)
                ws.write_blank(r + 1, c, None, st.input_center)
                refs[lab] = _a1(r + 1, c)
            r += 2
        r += 1
        hr = r
        for c, lab in enumerate(cols):
            ws.write_string(hr, c, lab, st.label)
        ws.set_row(hr, 24)
        r = hr + 1
        groups: list[tuple[str, list[dict]]] = []
        for item in spec["items"]:
            if not groups or groups[-1][0] != item["level1"]:
                groups.append((item["level1"], []))
            groups[-1][1].append(item)
        cap = float(spec.get("bonus_cap", 5))
        sub_w: list[str] = []
        sub_s: list[str] = []
        item_ranges: list[str] = []
        for l1, items in groups:
            bonus = any(i.get("bonus") for i in items)
            w1 = sum(i.get("weight", 0) for i in items)
            l1_label = self._l1_label(l1)
            g_first = r
            l2_runs: list[tuple[int, int, str]] = []
            for item in items:
                if not l2_runs or l2_runs[-1][2] != item["level2"]:
                    l2_runs.append((r, r, item["level2"]))
                else:
                    l2_runs[-1] = (l2_runs[-1][0], r, item["level2"])
                ws.write_string(r, 2, item["level3"], st.fixed)
                ws.write_string(r, 3, item.get("note", ""), st.fixed)
                ws.write_string(r, 4, item.get("rule", ""), st.fixed)
                if "weight" in item:
                    ws.write_number(r, W, item["weight"], st.fixed_num)
                else:
                    ws.write_blank(r, W, None, st.fixed_num)
                Wc = _a1(r, W)
                kind = item.get("formula")
                if kind:
                    ws.write_formula(r, S, self._formula(kind, refs, Wc), st.formula_num, "")
                else:
                    ws.write_blank(r, S, None, st.input_num)
                    if bonus:
                        ws.data_validation(r, S, r, S, {"validate": "decimal", "criteria": "between",
                                                        "minimum": -cap, "maximum": cap,
                                                        "error_message": f"加减分应在 −{cap:g} 到 {cap:g} 分之间"})
                    else:
                        ws.data_validation(r, S, r, S, {"validate": "decimal", "criteria": "between", "minimum": 0,
                                                        "maximum": f"={Wc}",
                                                        "error_message": "得分应在 0 与本项分值之间"})
                if ncol > 7:
                    ws.write_blank(r, 7, None, st.input)
                ws.set_row(r, _row_height(item, self.widths))
                r += 1
            g_last = r - 1
            self._merge(0, g_first, g_last, l1_label)
            for a, b, l2 in l2_runs:
                self._merge(1, a, b, self._l2_label(l1, l2))
            # 小计
            ws.merge_range(r, 0, r, W - 1, "小计", st.label)
            rs = f"{xl_col_to_name(S)}{g_first + 1}:{xl_col_to_name(S)}{g_last + 1}"
            rw = f"{xl_col_to_name(W)}{g_first + 1}:{xl_col_to_name(W)}{g_last + 1}"
            item_ranges.append(rs)
            if bonus:
                ws.write_blank(r, W, None, st.formula_num)
                ws.write_formula(r, S, f"=MAX(-{cap:g},MIN({cap:g},SUM({rs})))", st.formula_num, 0)
            else:
                ws.write_formula(r, W, f"=SUM({rw})", st.formula_num, w1)
                ws.write_formula(r, S, f"=SUM({rs})", st.formula_num, 0)
                sub_w.append(_a1(r, W))
            sub_s.append(_a1(r, S))
            if ncol > 7:
                ws.write_blank(r, 7, None, st.fixed)
            r += 1
        total_w = sum(i.get("weight", 0) for i in spec["items"])
        ws.merge_range(r, 0, r, W - 1, "合计", st.label)
        ws.write_formula(r, W, f"=SUM({','.join(sub_w)})", st.formula_num, total_w)
        ws.write_formula(r, S, f"=SUM({','.join(sub_s)})", st.formula_num, 0)
        if ncol > 7:
            ws.write_blank(r, 7, None, st.fixed)
        total = _a1(r, S)
        ws.merge_range(r + 1, 0, r + 1, W - 1, "评价等级", st.label)
        ws.merge_range(r + 1, W, r + 1, ncol - 1, "", st.formula_text)
        ws.write_formula(r + 1, W, f'=IF(COUNT({",".join(item_ranges)})=0,"",GRADE({total}))',
                         st.formula_text, "")
        ws.merge_range(r + 2, 0, r + 2, ncol - 1, SEAL_LINE, st.seal)
        ws.set_row(r + 2, 36)
        _print_setup(ws, hr, hr, hr + 1, 3)
        ws.print_area(0, 0, r + 2, ncol - 1)

    def _items(self, l1: str, l2: str | None = None) -> list[dict]:
        return [i for i in self.spec["items"] if i["level1"] == l1 and (l2 is None or i["level2"] == l2)]

    def _l1_label(self, l1: str) -> str:
        items = self._items(l1)
        if any(i.get("bonus") for i in items):
            return f"{l1}（≤{float(self.spec.get('bonus_cap', 5)):g}分）"
        return f"{l1}（{sum(i.get('weight', 0) for i in items):g}分）"

    def _l2_label(self, l1: str, l2: str) -> str:
        items = self._items(l1, l2)
        w2 = sum(i.get("weight", 0) for i in items)
        bonus = any(i.get("bonus") for i in self._items(l1))
        return l2 if bonus or not w2 else f"{l2}（{w2:g}分）"

    def _merge(self, col: int, a: int, b: int, text: str) -> None:
        if b > a:
            self.ws.merge_range(a, col, b, col, text, self.st.fixed_center)
        else:
            self.ws.write_string(a, col, text, self.st.fixed_center)

    @staticmethod
    def _formula(kind: str, refs: dict[str, str], weight: str) -> str:
        try:
            if kind == "funds_arrival":
                a, b = refs["全年预算数"], refs["到位资金"]
                return f'=IF(OR({a}="",{b}=""),"",ROUND(MIN({b}/{a},1)*{weight},2))'
            if kind == "exec_rate":
                a, b = refs["到位资金"], refs["全年执行数"]
                return f'=IF(OR({a}="",{b}=""),"",SCORE_EXEC_RATE({a},{b},{weight}))'
            if kind == "cost_saving":
                a, b = refs["计划成本"], refs["实际成本"]
                return f'=IF(OR({a}="",{b}=""),"",SCORE_COST_SAVING({a},{b},{weight}))'
            if kind == "satisfaction":
                cs = [refs[k] for k in ("非常满意", "比较满意", "一般满意", "不太满意", "不满意")]
                return f'=IF(COUNT({",".join(cs)})=0,"",SCORE_SATISFACTION({",".join(cs)},{weight}))'
        except KeyError as exc:
            raise TemplateError(f"模板项的公式 {kind} 需要基础数据 {exc}（在模板描述中设 funds/survey = true）") from exc
        raise TemplateError(f"未知的公式类型 {kind}（可用：funds_arrival、exec_rate、cost_saving、satisfaction）")
