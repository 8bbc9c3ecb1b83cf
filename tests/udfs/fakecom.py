"""Fake Excel COM objects, shaped like what pywin32 hands xlwings' call_udf inside Excel.

Only the attributes xlwings' own code touches are provided, so a test fails if xlwings needs more.
"""

from __future__ import annotations

RANGE_IID = "{00020846-0000-0000-C000-000000000046}"  # what xlwings._xlwindows.is_range_instance checks


class _Count:
    def __init__(self, n: int) -> None:
        self.Count = n


class _TypeAttr:
    iid = RANGE_IID


class _TypeInfo:
    def GetTypeAttr(self):
        return _TypeAttr()


class _OleObj:
    def GetTypeInfo(self):
        return _TypeInfo()


class XlApp:
    Hwnd = 0


class XlRange:
    """One cell as a COM Range: .Value is what pywin32 gives (None blank, float, str, int error code)."""

    CLSID = "{00024500-0000-0000-C000-000000000046}"

    def __init__(self, value=None, sheet=None, row=1, col=1) -> None:
        self.Value = value
        self.Worksheet = sheet if sheet is not None else XlSheet(XlBook())
        self.Row, self.Column = row, col
        self.Rows, self.Columns = _Count(1), _Count(1)
        self._oleobj_ = _OleObj()


class XlName:
    def __init__(self, name: str, refers_to: str, target: XlRange | None = None) -> None:
        self.Name = name
        self.RefersTo = refers_to
        self.RefersToRange = target


class XlNames:
    def __init__(self, names: list[XlName]) -> None:
        self._names = names

    @property
    def Count(self) -> int:
        return len(self._names)

    def __call__(self, index_or_name):
        if isinstance(index_or_name, int):
            return self._names[index_or_name - 1]
        return next(n for n in self._names if n.Name == index_or_name)


class XlBook:
    def __init__(self, names: list[XlName] | None = None, name: str = "自评表.xlsx") -> None:
        self.Names = XlNames(names or [])
        self.Name = name
        self.Application = XlApp()


class XlSheet:
    def __init__(self, book: XlBook, name: str = "Sheet1") -> None:
        self.Parent = book
        self.Name = name


def caller_cell(profile_refers_to: str | None = None, target: XlRange | None = None) -> XlRange:
    """The calling cell of a UDF, in a book that may define PERFSCORE_PROFILE."""
    names = [XlName("Print_Area", "=Sheet1!$A$1:$K$40")]
    if profile_refers_to is not None:
        names.append(XlName("PERFSCORE_PROFILE", profile_refers_to, target))
    book = XlBook(names)
    return XlRange(None, XlSheet(book), row=12, col=10)
