"""Variant layouts of the central form's data, written with openpyxl the way people restyle forms."""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.worksheet.worksheet import Worksheet

from .fixtures_examples import CENTRAL, CENTRAL_ROWS, RowCentral

# key -> attribute of RowCentral ("nature_operator" writes one merged 性质/方向 value)
KEYS = ("level1", "level2", "level3", "nature", "operator", "nature_operator", "target", "actual", "unit",
        "weight", "score", "reason", "rule")


def merged_nature_operator(row: RowCentral) -> str:
    return "定性" if row.nature == "定性" else f"{row.nature}{row.operator}"


@dataclass
class Layout:
    columns: list[tuple[str, str]]  # (key, header label)
    top: int = 1  # header row
    left: int = 1  # first column
    header_rows: int = 1  # 2: a "评价指标" group row above the level labels, other labels merged down
    merge_levels: bool = True  # False: first/second-level names only on the first row of their block
    subtotals: bool = False  # a 小计 row after each first-level block
    total_label: str = "总分"
    grade_label: str | None = "评价等级"
    title: str | None = "项目支出绩效自评表"
    extra_merge: list[str] = field(default_factory=list)


def write_table(ws: Worksheet, layout: Layout, rows=CENTRAL_ROWS, total=CENTRAL["total"], grade="优",
                total_weight=CENTRAL["total_weight"]) -> int:
    """Write header + rows + total/grade at layout.top/left; returns the last row written."""
    col_of = {key: layout.left + i for i, (key, _) in enumerate(layout.columns)}
    top = layout.top
    if layout.title:
        ws.cell(top - 2, layout.left, layout.title)
    if layout.header_rows == 2:
        lv = [col_of[k] for k in ("level1", "level2", "level3") if k in col_of]
        ws.cell(top, min(lv), "评价指标")
        ws.merge_cells(start_row=top, start_column=min(lv), end_row=top, end_column=max(lv))
        for key, label in layout.columns:
            c = col_of[key]
            if key in ("level1", "level2", "level3"):
                ws.cell(top + 1, c, label)
            else:
                ws.cell(top, c, label)
                ws.merge_cells(start_row=top, start_column=c, end_row=top + 1, end_column=c)
    else:
        for key, label in layout.columns:
            ws.cell(top, col_of[key], label)
    for m in layout.extra_merge:
        ws.merge_cells(m)
    r = top + layout.header_rows
    block_start = {1: None, 2: None}
    prev_l1 = None
    sub_rows = []
    group_rows: list[int] = []

    def close_subtotal():
        nonlocal r
        if layout.subtotals and group_rows:
            ws.cell(r, col_of["level1"], "小计")
            w = sum(rows_by_row[g].weight for g in group_rows)
            s = round(sum(rows_by_row[g].score for g in group_rows), 2)
            ws.cell(r, col_of["weight"], w)
            ws.cell(r, col_of["score"], s)
            sub_rows.append((r, w, s))
            r += 1
            group_rows.clear()

    rows_by_row: dict[int, RowCentral] = {}
    for row in rows:
        if row.level1 is not None and prev_l1 is not None:
            close_subtotal()
        if row.level1 is not None:
            prev_l1 = row.level1
        rows_by_row[r] = row
        group_rows.append(r)
        for key in col_of:
            if key == "nature_operator":
                v = merged_nature_operator(row)
            elif key == "rule":
                v = "按规则计分"
            else:
                v = getattr(row, key)
            if v is not None:
                ws.cell(r, col_of[key], v)
        r += 1
    close_subtotal()
    if layout.merge_levels:
        for key, lvl in (("level1", 1), ("level2", 2)):
            if key not in col_of:
                continue
            start = None
            data_rows = sorted(rows_by_row)
            for i, rr in enumerate(data_rows + [None]):
                v = getattr(rows_by_row[rr], key) if rr is not None else "<end>"
                contiguous = rr is not None and (i == 0 or rr == data_rows[i - 1] + 1)
                if v is not None or not contiguous:
                    if start is not None and data_rows[i - 1] > start:
                        ws.merge_cells(start_row=start, start_column=col_of[key], end_row=data_rows[i - 1],
                                       end_column=col_of[key])
                    start = rr if v is not None else None
    first_label_col = layout.left
    ws.cell(r, first_label_col, layout.total_label)
    ws.cell(r, col_of["weight"], total_weight)
    ws.cell(r, col_of["score"], total)
    last = r
    if layout.grade_label:
        ws.cell(r + 1, first_label_col, layout.grade_label)
        ws.cell(r + 1, first_label_col + 1, grade)
        last = r + 1
    return last
