"""Layout reader: find self-evaluation forms on the sheets of a WorkbookGrid, wherever they sit.

The indicator table is found by its header labels (labels.py): a band of 1-3 consecutive label rows that
together name a first/second/third-level column, a 分值 column and a 得分 column. Column order is free;
merged and multi-row headers are read through merge anchors. Above the table (between the previous form and
this header) the reader looks for header facts and the 项目资金 block; below it, rows until 总分/合计, 绩效等级,
a closing section (主要成效 …), the next table, or a run of blank rows.
"""

from __future__ import annotations

import re
from dataclasses import fields
from functools import lru_cache
from itertools import product

from perfscore.xlsx.grid import CellData, SheetGrid, WorkbookGrid, cell_ref, col_letter

from . import labels as L
from .model import (
    MISSING,
    Form,
    FormKind,
    FormReadResult,
    FundsRow,
    GroupWeight,
    HeaderFacts,
    Indicator,
    Sourced,
    Subtotal,
    Survey,
    SURVEY_LEVELS,
    new_indicator,
    new_sourced,
    split_group_weight,
)

MAX_HEADER_ROWS = 3
MAX_BLANK_RUN = 4
_YEAR_RE = re.compile(r"(20\d{2}|19\d{2})\s*年")
_INDICATOR_ROLES = ("level1", "level2", "level3", "nature", "operator", "target", "actual", "unit", "weight",
                    "score", "deviation_reason", "rule_text", "note")
_WEIGHT = _INDICATOR_ROLES.index("weight")
KIND_NAME = "PERFSCORE_KIND"
assert _INDICATOR_ROLES == tuple(f.name for f in fields(Indicator))[1:]  # _read_one builds Indicator by position


def read_forms(grid: WorkbookGrid) -> FormReadResult:
    forms: list[Form] = []
    not_forms: list[tuple[str, str]] = []
    for sheet in grid.sheets:
        found, reason = read_sheet_forms(sheet, grid)
        forms.extend(found)
        if not found:
            not_forms.append((sheet.name, reason))
    return FormReadResult(forms=forms, not_forms=not_forms)


class _View:
    """Merge-aware access to one sheet."""

    def __init__(self, sheet: SheetGrid):
        self.sheet = sheet
        self.cells = sheet.cells
        self.prefix = f"{sheet.name}!"
        self.col_prefix: dict[int, str] = {}
        self.merge_values: dict[tuple[int, int], Sourced] = {}
        self.rows: dict[int, list[CellData]] = {}
        # Per row, from the same pass: (col, normalised text) of its text cells, the union of their label
        # flags, and {col: role} of its header-label cells.
        self.texts: dict[int, list[tuple[int, str]]] = {}
        self.flags: dict[int, int] = {}
        self.header_roles: dict[int, dict[int, str]] = {}
        last_r = 0
        for (r, c), cell in sorted(sheet.cells.items()):  # row-major: each row comes out in column order
            if r != last_r:
                row = self.rows[r] = []
                last_r, texts, flags = r, None, 0
            row.append(cell)
            if isinstance(cell.value, str):
                text, text_flags, role = _text_info(cell.value)
                if texts is None:
                    texts = self.texts[r] = []
                texts.append((c, text))
                if text_flags:
                    flags = self.flags[r] = flags | text_flags
                if role:
                    self.header_roles.setdefault(r, {})[c] = role
        self.max_row = max(self.rows, default=0)
        self.max_col = max((row[-1].col for row in self.rows.values()), default=0)
        self.anchor: dict[tuple[int, int], tuple[int, int]] = {}
        self.span: dict[tuple[int, int], tuple[int, int]] = {}
        self.merged_rows: set[int] = set()  # rows with a merged cell: the others skip the merge lookups
        for r1, c1, r2, c2 in sheet.merged:
            r2c, c2c = min(r2, max(self.max_row, r1)), min(c2, max(self.max_col, c1))  # whole-column merges
            top_left = (r1, c1)
            self.span[top_left] = (r2, c2)
            block = dict.fromkeys(product(range(r1, r2c + 1), range(c1, c2c + 1)), top_left)
            del block[top_left]
            self.anchor.update(block)
            self.merged_rows.update(range(r1, r2c + 1))

    def anchor_of(self, r: int, c: int) -> tuple[int, int]:
        return self.anchor.get((r, c), (r, c))

    def is_continuation(self, r: int, c: int) -> bool:
        return (r, c) in self.anchor

    def cell(self, r: int, c: int) -> CellData | None:
        return self.sheet.cells.get(self.anchor_of(r, c))

    def col_prefix_of(self, c: int) -> str:
        """'Sheet!G': the cell address of column c without its row, made once per column."""
        out = self.col_prefix.get(c)
        if out is None:
            out = self.col_prefix[c] = self.prefix + col_letter(c)
        return out

    def sourced(self, r: int, c: int | None) -> Sourced:
        if c is None:
            return MISSING
        key = (r, c)
        if key in self.anchor or key in self.span:
            return self.merged_sourced(key)
        return self.sourced_at(key)

    def merged_sourced(self, key: tuple[int, int]) -> Sourced:
        """The Sourced of the merged range holding key: one object per range, however many of its cells are
        read (a first-level name merged down its group is read on every row)."""
        top_left = self.anchor.get(key, key)
        out = self.merge_values.get(top_left)
        if out is None:
            out = self.merge_values[top_left] = self.sourced_at(top_left)
        return out

    def sourced_at(self, key: tuple[int, int]) -> Sourced:
        r, c = key
        where = self.col_prefix_of(c) + str(r)
        cell = self.cells.get(key)
        if cell is None:
            return new_sourced(None, where)
        formula = cell.formula
        return new_sourced(cell.value, where, formula, formula is not None)

    def text(self, r: int, c: int) -> str:
        cell = self.cell(r, c)
        return cell.value.strip() if cell is not None and isinstance(cell.value, str) else ""

    def row_cells(self, r: int) -> list[CellData]:
        """Anchor cells that start in row r (merged continuations are not repeated)."""
        return self.rows.get(r, [])

    def right_value(self, r: int, c: int, limit: int = 12) -> Sourced:
        """The first non-blank cell (or formula cell) right of (r, c), skipping the label's own merge span;
        when all are blank, the first cell after the span (a blank with a location to fill)."""
        end_c = self.span.get((r, c), (r, c))[1]
        first_slot = MISSING
        for cc in range(end_c + 1, min(end_c + 1 + limit, max(self.max_col, end_c + 1) + 1)):
            if self.is_continuation(r, cc):
                continue
            s = self.sourced(r, cc)
            if first_slot is MISSING:
                first_slot = s
            if not s.is_blank or s.formula:
                return s
        return first_slot


# Sourced's slot setters, for the row loop below (as in model.new_sourced).
_new_object = object.__new__
_set_value, _set_cell, _set_formula, _set_cached = (
    Sourced.value.__set__, Sourced.cell.__set__, Sourced.formula.__set__, Sourced.cached.__set__)


class _RowReader:
    """Sourced of a fixed set of columns (None: no such column), row after row; most cells are not merged."""

    def __init__(self, view: _View, cols: tuple[int | None, ...]):
        self.view = view
        self.blank_row = [MISSING] * len(cols)
        self.present = [(i, c, view.col_prefix_of(c)) for i, c in enumerate(cols) if c is not None]

    def read(self, r: int) -> list[Sourced]:
        view = self.view
        cells, row = view.cells, str(r)
        if r in view.merged_rows:
            return self._read_merged(r)
        out = self.blank_row.copy()
        # The reader's hottest loop (~300 cells a form): new_sourced's body written out, saving a call per cell.
        for i, c, col_prefix in self.present:
            cell = cells.get((r, c))
            s = _new_object(Sourced)
            _set_cell(s, col_prefix + row)
            if cell is None:
                _set_value(s, None)
                _set_formula(s, None)
                _set_cached(s, False)
            else:
                formula = cell.formula
                _set_value(s, cell.value)
                _set_formula(s, formula)
                _set_cached(s, formula is not None)
            out[i] = s
        return out

    def _read_merged(self, r: int) -> list[Sourced]:
        """read() for a row holding a merged cell: merged cells give their range's one Sourced."""
        view = self.view
        anchor, span = view.anchor, view.span
        out = self.blank_row.copy()
        for i, c, _ in self.present:
            key = (r, c)
            out[i] = view.merged_sourced(key) if key in anchor or key in span else view.sourced_at(key)
        return out


# -- header bands ------------------------------------------------------------------------------------------

def _has_numbers(view: _View, r: int) -> bool:
    return any(isinstance(c.value, (int, float)) and not isinstance(c.value, bool) for c in view.row_cells(r))


def _find_bands(view: _View) -> tuple[list[tuple[int, int, dict[str, int]]], list[str]]:
    """Header bands (first row, last row, role -> col) of indicator tables; plus near-miss notes."""
    bands: list[tuple[int, int, dict[str, int]]] = []
    near: list[str] = []
    r = 1
    label_rows = view.header_roles
    while r <= view.max_row:
        roles = label_rows.get(r) or {}
        if not roles:
            r += 1
            continue
        band_rows = [r]
        while len(band_rows) < MAX_HEADER_ROWS:
            nxt = band_rows[-1] + 1
            if label_rows.get(nxt) and not _has_numbers(view, nxt):
                band_rows.append(nxt)
            else:
                break
        col_role: dict[int, str] = {}
        for br in band_rows:  # lower rows are more specific: they win
            col_role.update(label_rows[br])
        role_col: dict[str, int] = {}
        for col in sorted(col_role):
            role_col.setdefault(col_role[col], col)
        _group_weight_columns(col_role, role_col)
        have = set(role_col)
        if "nature_operator" in have:
            c = role_col.pop("nature_operator")
            role_col.setdefault("nature", c)
            role_col.setdefault("operator", c)
        elif "nature" in role_col and "operator" not in role_col:
            # 指标性质 merged across two columns with no 方向 label: the second one holds the operator.
            nr, nc = r, role_col["nature"]
            for br in band_rows:
                span = view.span.get((br, nc))
                if span and span[1] > nc:
                    role_col["operator"] = nc + 1
                    break
        levels = {"level1", "level2", "level3"} & have
        if levels and "weight" in have and "score" in have:
            bands.append((band_rows[0], band_rows[-1], role_col))
        elif levels and ("weight" in have or "score" in have):
            missing = "得分" if "score" not in have else "分值"
            near.append(f"第{r}行有指标表表头，但没有“{missing}”列（可能是绩效目标申报表，不是自评表）")
        r = band_rows[-1] + 1
    return bands, near


def _group_weight_columns(col_role: dict[int, str], role_col: dict[str, int]) -> None:
    """'一级指标 | 分值 | 二级指标 | 分值 | 三级指标 | 分值 | 得分': the 分值 column right of a group name holds the
    group's weight (role level1_weight / level2_weight); the item weight is the last 分值 column before 得分."""
    weights = [c for c in sorted(col_role) if col_role[c] == "weight"]
    if len(weights) < 2:
        return
    score = role_col.get("score")
    before_score = [c for c in weights if score is None or c < score]
    item = before_score[-1] if before_score else weights[-1]
    role_col["weight"] = item
    for c in weights:
        left = max((k for k in col_role if k < c), default=None)
        level = col_role.get(left) if c != item and left is not None else None
        if level in ("level1", "level2"):
            role_col.setdefault(f"{level}_weight", c)


# -- one form ----------------------------------------------------------------------------------------------

def read_sheet_forms(sheet: SheetGrid, grid: WorkbookGrid | None = None) -> tuple[list[Form], str]:
    """Forms found on one sheet, or ([], reason in Chinese)."""
    if sheet.name == "_perfscore":
        return [], "perfscore 的隐藏配置表（表单类型与规则），不是自评表"
    if not sheet.cells:
        return [], "空工作表"
    view = _View(sheet)
    bands, near = _find_bands(view)
    if not bands:
        reason = "；".join(near) if near else "未找到指标表：需要同时有“三级指标（或一、二级指标/指标名称）”“分值”“得分”等表头"
        return [], reason
    forms: list[Form] = []
    prev_end = 0
    for i, (h1, h2, role_col) in enumerate(bands):
        limit = bands[i + 1][0] - 1 if i + 1 < len(bands) else view.max_row
        form = _read_one(view, grid, prev_end + 1, h1, h2, role_col, limit)
        if form.indicators:
            forms.append(form)
        prev_end = max(form.last_row, h2)
    if not forms:
        return [], f"第{bands[0][0]}行找到指标表表头，但表中还没有填写指标行（空模板？）"
    return forms, ""


def _read_one(view: _View, grid: WorkbookGrid | None, pre_start: int, h1: int, h2: int,
              role_col: dict[str, int], limit: int) -> Form:
    cols = {role: role_col.get(role) for role in _INDICATOR_ROLES}
    level_cols = [c for c in (cols["level1"], cols["level2"], cols["level3"]) if c is not None]
    label_zone = max([*level_cols, min(c for c in role_col.values())])
    wcol, scol = cols["weight"], cols["score"]
    row_cols = tuple(cols.values())  # in _INDICATOR_ROLES order, which is Indicator's field order
    has_l1, has_l2 = cols["level1"] is not None, cols["level2"] is not None
    l1w_col, l2w_col = role_col.get("level1_weight"), role_col.get("level2_weight")
    outline = not has_l1 and not has_l2 and cols["level3"] is not None  # one name column: "一、" heads groups
    read_row = _RowReader(view, row_cols).read

    indicators: list[Indicator] = []
    subtotals: list[Subtotal] = []
    group_weights: list[GroupWeight] = []
    weighted: set[str | None] = set()  # cells of the groups whose weight is known
    key1 = key2 = None  # the current groups' names (_group_key)
    total_weight = total = grade = MISSING
    last_row = h2
    level1 = level2 = MISSING  # filled down from merged or blank cells above
    blank_run = 0
    r = h2 + 1
    total_row = None
    while r <= limit:
        texts, flags = _row_texts(view, r)
        # grade anywhere in the row ("绩效等级 | 优" or "绩效等级：优")
        g = _grade_in_row(view, r, texts) if flags & _GRADE else None
        if g is not None:
            grade, last_row = g, r
            break
        if total_row is not None and r - total_row > 3:
            break
        left = ([t for c, t in texts if c <= max(label_zone, 1) or (wcol and c < wcol)]
                if flags & (_TOTAL | _SUBTOTAL) else ())
        if flags & _TOTAL and any(t in L.TOTAL_LABELS for t in left):
            total_weight, total = view.sourced(r, wcol), view.sourced(r, scol)
            total_row = last_row = r
            r += 1
            continue
        if total_row is not None:  # only a grade may follow the total
            if texts or _has_numbers(view, r):
                break
            r += 1
            continue
        if flags & _SUBTOTAL and any(t in L.SUBTOTAL_LABELS for t in left):
            subtotals.append(Subtotal(r, Sourced(next(t for t in left if t in L.SUBTOTAL_LABELS),
                                                 f"{view.sheet.name}!{cell_ref(r, next(c for c, t in texts if t in L.SUBTOTAL_LABELS))}"),
                                      level1.text(), view.sourced(r, wcol), view.sourced(r, scol)))
            last_row = r
            r += 1
            continue
        if texts and _label_flags(texts[0][1]) & _ENDS:  # texts are in column order: the row's first text
            break
        row_vals = read_row(r)
        # Group by name, whatever the layout: a merged block gives one Sourced for all its rows, a blank cell is
        # filled down, and a name written again on the next rows ("产出指标(50分)" on every row, as 预算绩效管理
        # 系统 exports come) stays the group of its first row. All rows of a group share that one Sourced.
        if has_l1:
            written = row_vals[0]
            if written.cell != level1.cell and not written.is_blank:
                key = _group_key(written.text())
                if key != key1:
                    level1, key1, level2, key2 = written, key, MISSING, None
                if level1.cell not in weighted:
                    _group_weight(1, written, level1, weighted, group_weights, view.sourced(r, l1w_col))
            row_vals[0] = level1
        if has_l2:
            written = row_vals[1]
            if written.cell != level2.cell and not written.is_blank:
                key = _group_key(written.text())
                if key != key2:
                    level2, key2 = written, key
                if level2.cell not in weighted:
                    _group_weight(2, written, level2, weighted, group_weights, view.sourced(r, l2w_col))
            row_vals[1] = level2
        if outline:
            head = row_vals[2]
            if _is_outline_head(head.text()):
                # "一、评价前期工作组情况 | 30 | | 29" in a one-name-column table: the group of the rows below
                # ("1、…"); its 分值 is the group's weight, its 得分 the group's printed sum.
                level1, key1 = head, _group_key(head.text())
                _group_weight(1, head, level1, weighted, group_weights, row_vals[_WEIGHT])
                last_row = r
                r += 1
                continue
            row_vals[0] = level1
        own_payload = any(not s.is_blank for s in row_vals[2:])  # anything beyond the filled-down levels
        if not own_payload:
            row_has_anything = bool(texts) or _has_numbers(view, r)
            if not row_has_anything and not _row_in_vertical_merge(view, r, level_cols):
                blank_run += 1
                if blank_run >= MAX_BLANK_RUN:
                    break
            else:
                blank_run = 0
            r += 1
            continue
        blank_run = 0
        indicators.append(new_indicator(r, *row_vals))
        last_row = r
        r += 1
    if grade is MISSING and total_row is not None:
        grade = _grade_near(view, total_row, wcol, scol)

    facts, funds, survey = _preamble(view, pre_start, h1)
    kind = _kind(view, grid, facts, indicators, cols)
    return Form(
        kind=kind,
        sheet=view.sheet.name,
        header=facts,
        funds=funds,
        indicators=tuple(indicators),
        subtotals=tuple(subtotals),
        group_weights=tuple(group_weights),
        total_weight=total_weight,
        total=total,
        grade=grade,
        header_rows=(h1, h2),
        last_row=last_row,
        columns=tuple((k, v) for k, v in cols.items() if v is not None),
        survey=survey,
    )


@lru_cache(maxsize=4096)
def _group_key(text: str) -> str:
    """What makes two written group names the same group: '产出指标（50分）' = '产出指标(50分)' = '产出指标'."""
    return L.normalize_label(split_group_weight(text)[0])


_OUTLINE_HEAD = re.compile(r"^[一二三四五六七八九十]+[、.．]")


@lru_cache(maxsize=4096)
def _is_outline_head(text: str) -> bool:
    """'一、评价前期工作组情况' (a group heading in a table with one name column), not '1、…' or '（一）…'."""
    return bool(_OUTLINE_HEAD.match(text))


def _group_weight(level: int, written: Sourced, group: Sourced, weighted: set[str | None],
                  out: list[GroupWeight], column: Sourced = MISSING) -> None:
    """The weight written into a group's name ("部门决策（15分）") or into a group-weight column beside it, once
    per group and keyed by the group's cell, however many rows repeat the name (the first row that prints a
    weight gives it)."""
    name, weight, cap = split_group_weight(written.text())
    if weight is None and not column.is_blank:
        v = column.value
        weight = float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
    if weight is not None:
        weighted.add(group.cell)
        out.append(GroupWeight(level, name, weight, group.cell, cap))


# What a normalised text can mean inside the table, as bit flags so a row of plain values is passed quickly.
_GRADE, _TOTAL, _SUBTOTAL, _ENDS = 1, 2, 4, 8


@lru_cache(maxsize=8192)
def _label_flags(text: str) -> int:
    """_ENDS: a section after the table (主要成效 …), a header fact or a title — when it is a row's first text."""
    flags = 0
    if text.partition(":")[0] in L.GRADE_LABELS:
        flags |= _GRADE
    if text in L.TOTAL_LABELS:
        flags |= _TOTAL
    if text in L.SUBTOTAL_LABELS:
        flags |= _SUBTOTAL
    if text and (text in L.STOP_LABELS or L.fact_of(text) or _is_title(text)):
        flags |= _ENDS
    return flags


@lru_cache(maxsize=8192)
def _text_info(raw: str) -> tuple[str, int, str | None]:
    """(normalised text, _label_flags, header role) of a cell's text."""
    text = L.normalize_label(raw)
    return text, _label_flags(text), L.role_of_text(raw)


_NO_TEXTS: tuple[tuple[int, str], ...] = ()


def _row_texts(view: _View, r: int) -> tuple[list[tuple[int, str]] | tuple[()], int]:
    """(col, normalised text) of the row's text cells in column order, and the union of their flags."""
    return view.texts.get(r, _NO_TEXTS), view.flags.get(r, 0)


def _row_in_vertical_merge(view: _View, r: int, level_cols: list[int]) -> bool:
    return any(view.is_continuation(r, c) for c in level_cols)


def _is_title(text: str) -> bool:
    """'项目支出绩效自评表', '2024年度…整体预算绩效自评价指标体系得分情况' (normalised text)."""
    if len(text) < 6 or ":" in text or "：" in text:
        return False
    return ("绩效" in text or "评价" in text) and (text.endswith("表") or text.endswith("得分情况")
                                                   or text.endswith("评分情况") or text.endswith("自评情况"))


def _grade_in_row(view: _View, r: int, texts: list[tuple[int, str]]) -> Sourced | None:
    for c, t in texts:
        head, sep, tail = t.partition(":")
        if head in L.GRADE_LABELS:
            if sep and tail:
                cell = view.sourced(r, c)
                return Sourced(tail, cell.cell, cell.formula, cell.cached)
            return view.right_value(r, c)
    return None


def _grade_near(view: _View, total_row: int, wcol: int | None, scol: int | None) -> Sourced:
    """A grade cell in the total row itself: a 优/良/中/差 (or GRADE formula) right of the score."""
    if scol is None:
        return MISSING
    for cell in view.row_cells(total_row):
        if cell.col > scol and (cell.formula and "GRADE" in cell.formula.upper()
                                or (isinstance(cell.value, str) and cell.value.strip() in ("优", "良", "中", "差"))):
            return view.sourced(total_row, cell.col)
    return MISSING


# -- above the table: facts and funds ----------------------------------------------------------------------

def _preamble(view: _View, start: int, header_row: int) -> tuple[HeaderFacts, tuple[FundsRow, ...], Survey | None]:
    facts: dict[str, Sourced] = {}
    extra: list[tuple[str, Sourced]] = []
    title = MISSING
    year = MISSING
    funds_rows: set[int] = set()
    funds = _funds_block(view, start, header_row - 1, funds_rows)
    survey = _survey_block(view, start, header_row - 1, funds_rows)
    for r in range(start, header_row):
        if r in funds_rows:
            continue
        for cell in view.row_cells(r):
            if not isinstance(cell.value, str):
                continue
            text, is_title, text_year, fact = _preamble_text(cell.value)
            new_title = title is MISSING and is_title
            new_year = year is MISSING and text_year is not None
            if not (new_title or new_year or fact):
                continue
            where = f"{view.sheet.name}!{cell.ref}"
            if new_title:
                title = Sourced(text, where, cell.formula, cell.formula is not None)
            if new_year:
                year = Sourced(text_year, where, cell.formula, cell.formula is not None)
            if fact is None:
                continue
            key, tail = fact
            value = Sourced(tail, where) if tail else view.right_value(r, cell.col)
            if key == "year" and not value.is_blank:
                m = re.search(r"(19|20)\d{2}", str(value.value))
                value = Sourced(int(m.group(0)), value.cell, value.formula, value.cached) if m else value
                year = value
                continue
            if key in ("project_name", "department", "implementer") and key not in facts:
                facts[key] = value
            else:
                extra.append((L.normalize_label(text.partition("：")[0].partition(":")[0]), value))
    if "implementer" not in facts:
        for label, value in extra:
            if label.startswith("填报单位"):
                facts["implementer"] = value
                break
    header = HeaderFacts(
        project_name=facts.get("project_name", MISSING),
        department=facts.get("department", MISSING),
        implementer=facts.get("implementer", MISSING),
        year=year,
        title=title,
        extra=tuple(extra),
    )
    return header, funds, survey


@lru_cache(maxsize=4096)
def _preamble_text(raw: str) -> tuple[str, bool, int | None, tuple[str, str] | None]:
    """(stripped text, is a title, its year, header fact) of a text above the table. The year counts when the
    text starts with it ("2024年度…") or is a title."""
    text = raw.strip()
    is_title = _is_title(L.normalize_label(text))
    m = _YEAR_RE.search(text)
    year = int(m.group(1)) if m and (text.lstrip("（(【[ ").startswith(m.group(1)) or is_title) else None
    return text, is_title, year, L.fact_of(text)


def _funds_header(view: _View, r: int) -> dict[str, int] | None:
    """role -> col of a funds block header row: two amount columns (年初预算数 / 全年预算数 / 全年执行数 /
    到位资金 …) make it one. Labels left of the first amount column name the block ("预算执行率",
    "项目资金（万元）"), not a column."""
    found: list[tuple[int, str]] = []
    for cell in view.row_cells(r):
        role = L.funds_column_role(cell.value)
        if role:
            found.append((cell.col, role))
    amount_cols = [c for c, role in found if role in L.FUNDS_AMOUNT_ROLES]
    if len({role for _, role in found if role in L.FUNDS_AMOUNT_ROLES}) < 2:
        return None
    first = min(amount_cols)
    roles: dict[str, int] = {}
    for c, role in found:
        if c >= first:
            roles.setdefault(role, c)
    return roles


def _funds_block(view: _View, start: int, end: int, used: set[int]) -> tuple[FundsRow, ...]:
    for r in range(start, end + 1):
        roles = _funds_header(view, r)
        if roles is None:
            continue
        first_col = min(roles.values())
        amount_cols = [roles[k] for k in L.FUNDS_AMOUNT_ROLES if k in roles]
        read_row = _RowReader(view, tuple(roles.values())).read
        rows: list[FundsRow] = []
        used.add(r)
        for rr in range(r + 1, min(r + 8, end + 1)):
            label, label_cell = None, MISSING
            for cell in view.row_cells(rr):
                if cell.col < first_col and (lab := L.funds_row_label(cell.value)):
                    label, label_cell = lab, Sourced(cell.value, f"{view.sheet.name}!{cell.ref}")
                    break
            if label is None:
                if rows:
                    break
                if not _has_amount(view, rr, amount_cols):
                    continue
                # Amounts right under the header with no row label: the block's total row.
                label, label_cell = "年度资金总额", view.sourced(rr, first_col - 1 if first_col > 1 else first_col)
            used.add(rr)
            rows.append(FundsRow(label=label, label_cell=label_cell, **dict(zip(roles, read_row(rr)))))
        return tuple(rows)
    return _funds_column(view, start, end, used)


def _funds_column(view: _View, start: int, end: int, used: set[int]) -> tuple[FundsRow, ...]:
    """The block written one amount per row ("预算资金 | 3000", "到位资金 | 2800", "实际支出 | 932.92"): one
    年度资金总额 row when two amount labels are found on consecutive rows."""
    found: dict[str, Sourced] = {}
    labels: list[tuple[int, int]] = []  # (row, col) of the labels found
    for r in range(start, end + 2):
        texts = view.texts.get(r) if r <= end else None
        role = L.funds_column_role(view.text(r, texts[0][0])) if texts else None
        if role and role not in found:
            found[role] = view.right_value(r, texts[0][0])
            labels.append((r, texts[0][0]))
            continue
        if len(found.keys() & set(L.FUNDS_AMOUNT_ROLES)) >= 2:
            used.update(row for row, _ in labels)
            return (FundsRow(label="年度资金总额", label_cell=view.sourced(*labels[0]), **found),)
        found.clear()
        labels.clear()
    return ()


def _has_amount(view: _View, r: int, cols: list[int]) -> bool:
    """A number, a formula or a number written as text in one of the amount columns of row r."""
    for c in cols:
        cell = view.cell(r, c)
        if cell is None:
            continue
        v = cell.value
        if cell.formula or (isinstance(v, (int, float)) and not isinstance(v, bool)):
            return True
        if isinstance(v, str) and v.strip() and v.strip()[0].isdigit():
            return True
    return False


def _survey_block(view: _View, start: int, end: int, used: set[int]) -> Survey | None:
    """满意度调查 counts above the table: level labels in one row with the counts below them, or one level per
    row with its count to the right."""
    vertical: dict[str, Sourced] = {}
    v_label = v_total = MISSING
    for r in range(start, end + 1):
        if r in used:
            continue
        levels: dict[str, int] = {}
        total_col = None
        block_label = MISSING
        for cell in view.row_cells(r):
            level = L.survey_level(cell.value)
            if level and level not in levels:
                levels[level] = cell.col
            elif L.is_survey_total(cell.value):
                total_col = cell.col
            elif block_label is MISSING and L.is_survey_block(cell.value):
                block_label = view.sourced(r, cell.col)
        if len(levels) >= 3:  # horizontal: counts in the next row
            label = block_label if block_label is not MISSING else view.sourced(r, min(levels.values()))
            used.update((r, r + 1))
            return Survey(label, tuple(view.sourced(r + 1, levels[k]) if k in levels else MISSING
                                       for k in SURVEY_LEVELS),
                          view.sourced(r + 1, total_col) if total_col is not None else MISSING)
        texts = view.texts.get(r)
        first = texts[0] if texts else None
        level = L.survey_level(first[1]) if first else None
        if level and level not in vertical:
            if v_label is MISSING:
                v_label = view.sourced(r, first[0])
            vertical[level] = view.right_value(r, first[0])
            used.add(r)
        elif vertical and first and L.is_survey_total(first[1]):
            v_total = view.right_value(r, first[0])
            used.add(r)
        elif len(vertical) >= 3:
            break
        elif vertical:
            vertical.clear()
            v_label = MISSING
    if len(vertical) >= 3:
        return Survey(v_label, tuple(vertical.get(k, MISSING) for k in SURVEY_LEVELS), v_total)
    return None


# -- kind ----------------------------------------------------------------------------------------------------

_DEPARTMENT_L1 = ("部门决策", "部门管理", "部门履职", "履职绩效", "部门绩效", "综合管理", "可持续发展能力")


def _kind(view: _View, grid: WorkbookGrid | None, facts: HeaderFacts, indicators: list[Indicator],
          cols: dict[str, int | None]) -> FormKind:
    if grid is not None:
        for key in (f"{view.sheet.name}!{KIND_NAME}", KIND_NAME):
            raw = grid.defined_names.get(key)
            if raw:
                text = raw.strip().strip('"')
                for kind in FormKind:
                    if kind.value == text:
                        return kind
    title = L.normalize_label(facts.title.text())
    if "部门整体" in title or "整体支出" in title or "整体预算" in title or "整体绩效" in title:
        return FormKind.DEPARTMENT
    if "第三方" in title or "评分表" in title or ("评价" in title and "自评" not in title and "自我评价" not in title):
        return FormKind.THIRD_PARTY
    if "项目" in title:
        return FormKind.PROJECT
    l1 = {split_group_weight(i.level1.text())[0] for i in indicators}
    if l1 & set(_DEPARTMENT_L1):
        return FormKind.DEPARTMENT
    return FormKind.PROJECT
