"""Which score cells of a workbook need the add-in when scored by native formulas (for `perfscore check`).

`addin_cells(grid, profile)` reads the forms of a grid and, row by row, asks the mirror what the native formula
shows for the values typed there: cells whose row is outside what a native formula reads are listed with the
reason in Chinese. A form whose score cells already hold native formulas shows #NAME? exactly in these cells.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfscore.xlsx.grid import WorkbookGrid

from .freeze import workbook_profile
from .mirror import MARKER, UNCERTAIN, outcome


@dataclass(frozen=True)
class AddinCell:
    sheet: str
    ref: str
    function: str
    verdict: str  # "marker": the native formula shows #NAME?; "uncertain": it may differ from the add-in
    message: str  # Chinese, names the cell

    @property
    def cell(self) -> str:
        return f"{self.sheet}!{self.ref}"


def _value(s) -> object:
    return None if s is None or s.cell is None else s.value


def addin_cells(grid: WorkbookGrid, profile: str | None = None) -> list[AddinCell]:
    from perfscore.forms import read_forms

    prof = workbook_profile(grid.defined_names, profile)
    out: list[AddinCell] = []

    def judge(form, score, function, args):
        if score is None or score.cell is None:
            return
        verdict = outcome(function, args, prof)
        if verdict in (MARKER, UNCERTAIN):
            how = ("内置公式无法解析本行的写法（如带单位或文字的数值、“≥95%”、非下拉选项的性质/方向、需要词库判断的文字），"
                   "显示 #NAME?" if verdict == MARKER else "本行文字含全角字符或特殊空白，内置公式的结果可能与加载项不同")
            out.append(AddinCell(form.sheet, score.ref, function, verdict,
                                 f"{form.sheet}!{score.ref}：{how}；请安装评分加载项（Excel .xlam / LibreOffice .oxt）计算此格"))

    for form in read_forms(grid).forms:
        fr = form.exec_funds_row
        if fr is not None:
            judge(form, fr.score, "SCORE_EXEC_RATE", [_value(fr.budget), _value(fr.spent), _value(fr.weight)])
        for ind in form.indicators:
            if ind.is_bonus:
                continue
            args = [_value(ind.nature), _value(ind.operator), _value(ind.target), _value(ind.actual), _value(ind.weight)]
            judge(form, ind.score, "SCORE_INDICATOR", args)
    return out
