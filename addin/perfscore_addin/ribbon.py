"""Ribbon entry point: the VBA callback runs `perfscore_addin.ribbon.dispatch('<control id>')`.

`dispatch` maps the button id (customUI14.xml) to a handler in `macros`; handlers work on a duck-typed
book. `XlwingsBook` below is the only code that touches xlwings/Excel - a few lines per operation.
"""

from __future__ import annotations

from typing import Callable

from perfscore.rules import PerfscoreError
from perfscore_addin import macros

RGB = macros.RGB

HANDLERS: dict[str, Callable[[macros.BookPort], str]] = {
    "check_sheet": macros.check_sheet,
    "recalc": macros.recalc,
    "insert_formulas": macros.insert_formulas,
    "clear_marks": macros.clear_marks,
    "freeze_native": macros.freeze_native,
    "help": macros.show_help,
}
# Buttons whose onAction is VBA of their own, not perfscore_ribbon.OnAction (they must work without Python).
VBA_BUTTONS = {"env_check": "perfscore_env.OnCheckEnvironment"}


def dispatch(control_id: str, book: object = None) -> str:
    """Run the handler of a ribbon button on the calling workbook; show and return its summary line."""
    handler = HANDLERS.get(control_id)
    if handler is None:
        raise KeyError(f"功能区按钮 {control_id!r} 没有对应的处理函数（perfscore_addin.ribbon.HANDLERS）")
    port = book if book is not None else XlwingsBook.caller()
    try:
        summary = handler(port)  # type: ignore[arg-type]
    except PerfscoreError as exc:  # a refusal with a Chinese reason: tell the user, not a traceback
        summary = f"未完成：{exc}"
    port.notify(summary)  # type: ignore[union-attr]
    return summary


class XlwingsSheet:
    """SheetPort over an xlwings Sheet (Windows Excel)."""

    def __init__(self, sheet) -> None:
        self._sheet = sheet
        self.name = sheet.name

    def used_block(self):
        rng = self._sheet.used_range
        values = rng.options(ndim=2, err_to_str=True).value
        formulas = rng.formula
        if isinstance(formulas, str):  # a single cell
            formulas = ((formulas,),)
        return rng.row, rng.column, values, [list(r) for r in formulas]

    def merged_areas(self):
        rng = self._sheet.used_range
        if rng.api.MergeCells is False:  # none merged: skip the per-cell walk
            return []
        seen = {}
        for cell in rng.api.Cells:
            if cell.MergeCells:
                area = cell.MergeArea
                seen[area.Address] = (area.Row, area.Column, area.Row + area.Rows.Count - 1,
                                      area.Column + area.Columns.Count - 1)
        return list(seen.values())

    def write_rows(self, top, left, rows):
        self._sheet.range((top, left)).value = rows

    def get_fill(self, row, col):
        return self._sheet.range((row, col)).color

    def set_fill(self, row, col, color):
        self._sheet.range((row, col)).color = color

    def get_note(self, row, col):
        note = self._sheet.range((row, col)).note
        return None if note is None else note.text

    def set_note(self, row, col, text):
        cell = self._sheet.range((row, col))
        if cell.note is not None:
            cell.note.delete()
        if text is not None:
            cell.api.AddComment(text)

    # Worksheet.Protect's arguments, read back from the sheet (Protection.Allow*), so that re-protecting
    # after our edits restores exactly what the user (or our template) chose.
    _ALLOW = ("AllowFormattingCells", "AllowFormattingColumns", "AllowFormattingRows", "AllowInsertingColumns",
              "AllowInsertingRows", "AllowInsertingHyperlinks", "AllowDeletingColumns", "AllowDeletingRows",
              "AllowSorting", "AllowFiltering", "AllowUsingPivotTables")

    def protection(self):
        api = self._sheet.api
        if not (api.ProtectContents or api.ProtectDrawingObjects or api.ProtectScenarios):
            return None
        options = {"DrawingObjects": bool(api.ProtectDrawingObjects), "Contents": bool(api.ProtectContents),
                   "Scenarios": bool(api.ProtectScenarios), "UserInterfaceOnly": bool(api.ProtectionMode)}
        options.update({name: bool(getattr(api.Protection, name)) for name in self._ALLOW})
        options["_EnableSelection"] = int(api.EnableSelection)
        return options

    def unprotect(self, password):
        from pywintypes import com_error  # Windows only: Excel refuses a wrong password with a COM error

        try:
            self._sheet.api.Unprotect(password)
        except com_error:
            return False
        return not self._sheet.api.ProtectContents

    def protect(self, password, options):
        # positional, in Worksheet.Protect's order (late-bound COM takes no keyword arguments)
        order = ("DrawingObjects", "Contents", "Scenarios", "UserInterfaceOnly", *self._ALLOW)
        selection = options.get("_EnableSelection")
        self._sheet.api.Protect(password, *(bool(options.get(k, False)) for k in order))
        if selection is not None:
            self._sheet.api.EnableSelection = selection


class XlwingsBook:
    """BookPort over an xlwings Book (the workbook active when the button was pressed)."""

    def __init__(self, book) -> None:
        self._book = book
        self.path = book.fullname

    @classmethod
    def caller(cls) -> "XlwingsBook":
        import xlwings as xw

        return cls(xw.Book.caller())

    def sheet_names(self):
        return [s.name for s in self._book.sheets]

    def active_sheet(self):
        return XlwingsSheet(self._book.sheets.active)

    def sheet(self, name):
        return XlwingsSheet(self._book.sheets[name])

    def add_sheet(self, name):
        return XlwingsSheet(self._book.sheets.add(name, after=self._book.sheets[-1]))

    def delete_sheet(self, name):
        self._book.sheets[name].delete()

    def defined_names(self):
        return {n.name: n.refers_to for n in self._book.names}

    def calculate_full(self):
        self._book.app.api.CalculateFull()

    def save_copy(self, path):
        self._book.api.SaveCopyAs(path)

    def notify(self, message):
        self._book.app.status_bar = message
        self._book.app.alert(message, title="绩效评分")
