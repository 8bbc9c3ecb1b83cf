"""perfscore functions for LibreOffice Calc: a Python UNO add-in over perfscore.excel_functions.

Arguments are cell references (XCellRange): an empty cell stays empty, as in Excel. The pure rule core ships inside the extension (pythonpath/perfscore, added to sys.path by LibreOffice's Python
loader), so a cell here gives the same digits as Excel's xlwings functions and `perfscore recalc`.
Text of the functions' help lives in CalcAddIns.xcu (generated with this file by `perfscore oxt build`).
"""

import unohelper
from com.sun.star.beans import XPropertySet  # noqa: F401  (the document argument's type)
from com.sun.star.lang import IllegalArgumentException, XLocalizable, XServiceInfo, XServiceName
from com.sun.star.sheet import XAddIn
try:
    from org.perfscore.calc import XPerfscore

    _OWN = (XPerfscore,)
except ImportError:  # while the extension is being added its type library is not live yet: registration only
    _OWN = ()

from perfscore import excel_functions as ef
from perfscore.xlsx.grid import ExcelError

IMPLEMENTATION = "org.perfscore.calc.Perfscore"
SERVICES = ("com.sun.star.sheet.AddIn", IMPLEMENTATION)


# LibreOffice's error numbers (formula/errorcodes.hxx) -> the Excel error the rules pass on
_ERRORS = {32767: "#N/A", 532: "#DIV/0!", 519: "#VALUE!", 524: "#REF!", 525: "#NAME?", 503: "#NUM!", 521: "#NULL!"}


def _arg(cells):
    """A one-cell reference as Excel hands a value to a function: None (empty), float, str or ExcelError."""
    from com.sun.star.table.CellContentType import EMPTY, TEXT

    addr = cells.getRangeAddress()
    if addr.StartColumn != addr.EndColumn or addr.StartRow != addr.EndRow:
        raise IllegalArgumentException("每个参数应为单个单元格", None, 0)
    cell = cells.getCellByPosition(0, 0)
    if cell.getError():
        return ExcelError(_ERRORS.get(cell.getError(), "#VALUE!"))
    kind = cell.getType()
    if kind == EMPTY:
        return None
    if kind == TEXT or (cell.getFormula().startswith("=") and cell.FormulaResultType2 == 2):
        return cell.getString() or None
    return cell.getValue()


def _profile(doc):
    """The workbook's PERFSCORE_PROFILE (a text constant), as everywhere; None = central."""
    try:
        names = doc.getPropertyValue("NamedRanges")
        if names.hasByName(ef.PROFILE_NAME):
            kind, name = ef.profile_from_refers_to("=" + names.getByName(ef.PROFILE_NAME).getContent())
            return name if kind == "literal" else None
    except Exception:  # noqa: BLE001  (a document without named ranges: the default profile)
        return None
    return None


class Perfscore(unohelper.Base, *_OWN, XAddIn, XServiceName, XServiceInfo, XLocalizable):
    def __init__(self, ctx):
        self.ctx = ctx
        self.locale = None

    def _call(self, name, doc, *args):
        out = ef.evaluate(name, [_arg(a) for a in args], _profile(doc))
        if isinstance(out.value, ExcelError):
            raise IllegalArgumentException(f"{out.value.code} {out.reason}", self, 0)
        return out.value

    def SCORE_EXEC_RATE(self, doc, budget, spent, weight):
        return self._call("SCORE_EXEC_RATE", doc, budget, spent, weight)

    def SCORE_INDICATOR(self, doc, nature, direction, target, actual, weight):
        return self._call("SCORE_INDICATOR", doc, nature, direction, target, actual, weight)

    def GRADE(self, doc, total):
        return self._call("GRADE", doc, total)

    def SCORE_SATISFACTION(self, doc, very, fairly, neutral, unhappy, veryUnhappy, weight):
        return self._call("SCORE_SATISFACTION", doc, very, fairly, neutral, unhappy, veryUnhappy, weight)

    def SCORE_COST_SAVING(self, doc, planned, actual, weight):
        return self._call("SCORE_COST_SAVING", doc, planned, actual, weight)

    # XAddIn: names and help (the same texts as the Excel function wizard)
    def getProgrammaticFuntionName(self, display):
        return display if display in ef.SPECS else ""

    def getDisplayFunctionName(self, name):
        return name

    def getFunctionDescription(self, name):
        return ef.SPECS[name].doc if name in ef.SPECS else ""

    def _param(self, name, index):
        spec = ef.SPECS.get(name)
        if spec is None or index < 1 or index > len(spec.params):  # index 0 is the hidden document argument
            return None
        return spec.params[index - 1]

    def getDisplayArgumentName(self, name, index):
        p = self._param(name, index)
        return p.label if p else ""

    def getArgumentDescription(self, name, index):
        p = self._param(name, index)
        return p.doc if p else ""

    def getProgrammaticCategoryName(self, name):
        return "Add-In"

    def getDisplayCategoryName(self, name):
        return "Add-In"

    # XServiceName, XServiceInfo, XLocalizable
    def getServiceName(self):
        return IMPLEMENTATION

    def getImplementationName(self):
        return IMPLEMENTATION

    def supportsService(self, name):
        return name in SERVICES

    def getSupportedServiceNames(self):
        return SERVICES

    def setLocale(self, locale):
        self.locale = locale

    def getLocale(self):
        return self.locale


g_ImplementationHelper = unohelper.ImplementationHelper()
g_ImplementationHelper.addImplementation(Perfscore, IMPLEMENTATION, SERVICES)
