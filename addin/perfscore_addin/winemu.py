"""Load xlwings' Windows-only UDF machinery on Linux, to generate VBA and to test UDF calls.

On Linux `xw.func`/`xw.arg` are inert and `import xlwings.udfs` fails (`pythoncom`). With small
stand-in modules for pywin32 (`pythoncom`, `pywintypes`, `win32com.client`, ...) the real
`xlwings.udfs` and `xlwings._xlwindows` import, so we can use *xlwings' own code* for:

- `generate_vba_wrapper` (the exact `xlwings_udfs` VBA that "Import Functions" writes);
- `call_udf` (argument conversion, optional defaults, return conversion) with a fake caller.

Everything is undone when the context exits: stand-ins leave `sys.modules`, the UDF module is
restored, `ctypes` is restored. Nothing here runs inside Excel.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import os
import sys
import types
from dataclasses import dataclass
from typing import Iterator

# pywin32's VT_ERROR; VARIANT(VT_ERROR, scode) is what VBA's CVErr() produces.
VT_ERROR = 10
# VBA's "missing optional argument" marker as pywin32 hands it to Python (DISP_E_PARAMNOTFOUND).
MISSING_ARG = -2147352572


class _ComError(Exception):
    pass


class _COMException(Exception):
    """Stand-in for win32com.server.exception.COMException (description -> VBA Err.Description)."""

    def __init__(self, description: str | None = None, scode: int | None = None, **_kw: object) -> None:
        super().__init__(description)
        self.description = description
        self.scode = scode


class _Variant:
    """Stand-in for win32com.client.VARIANT (same attribute names as pywin32's class)."""

    def __init__(self, vt: int, value: object) -> None:
        self.varianttype = vt
        self._value = value

    @property
    def value(self) -> object:
        return self._value

    def __repr__(self) -> str:
        return f"VARIANT({self.varianttype!r}, {self._value!r})"


class _AnyAttr:
    """Accepts any attribute access or call (ctypes.windll.user32.X, PyDLL(...).Y)."""

    def __init__(self, *_a, **_k) -> None:
        pass

    def __getattr__(self, name: str) -> "_AnyAttr":
        return _AnyAttr()

    def __call__(self, *_a, **_k) -> "_AnyAttr":
        return _AnyAttr()


def _module(name: str, **attrs) -> types.ModuleType:
    mod = types.ModuleType(name)
    mod.__file__ = f"<stand-in {name}>"
    for key, value in attrs.items():
        setattr(mod, key, value)
    return mod


def _stand_ins() -> dict[str, types.ModuleType]:
    class TimeType:  # pywintypes.TimeType is a datetime subclass
        pass

    pythoncom = _module(
        "pythoncom",
        CoInitialize=lambda *a: None,
        CoUninitialize=lambda *a: None,
        CoMarshalInterThreadInterfaceInStream=lambda *a: None,
        CoGetInterfaceAndReleaseStream=lambda *a: None,
        IID_IDispatch="{00020400-0000-0000-C000-000000000046}",
        VT_ERROR=VT_ERROR,
        com_error=_ComError,
        ole_error=_ComError,
        TypeIIDs={},
    )
    pywintypes = _module("pywintypes", com_error=_ComError, error=_ComError, TimeType=TimeType,
                         IID=lambda s: s)
    client = _module("win32com.client", Dispatch=_AnyAttr, DispatchEx=_AnyAttr, CDispatch=_AnyAttr,
                     CoClassBaseClass=object, DispatchBaseClass=object, VARIANT=_Variant)
    server_exception = _module("win32com.server.exception", COMException=_COMException)
    server = _module("win32com.server", exception=server_exception)
    win32com = _module("win32com", client=client, server=server)
    tz = _module("win32timezone", TimeZoneInfo=_AnyAttr())
    return {
        "pythoncom": pythoncom,
        "pywintypes": pywintypes,
        "win32com": win32com,
        "win32com.client": client,
        "win32com.server": server,
        "win32com.server.exception": server_exception,
        "win32api": _module("win32api"),
        "win32con": _module("win32con"),
        "win32gui": _module("win32gui"),
        "win32process": _module("win32process", GetWindowThreadProcessId=lambda hwnd: (0, 0)),
        "win32timezone": tz,
        # call_udf does `from .com_server import loop`; only async UDFs use it.
        "xlwings.com_server": _module("xlwings.com_server", loop=None),
    }


@dataclass
class WinXlwings:
    """The real xlwings UDF machinery, loaded under emulation."""

    udfs: types.ModuleType  # xlwings.udfs
    xlwindows: types.ModuleType  # xlwings._xlwindows
    variant: type  # the stand-in win32com.client.VARIANT
    modules: dict[str, types.ModuleType]  # the modules named in `reimport`, as imported here


_EMULATED = ("xlwings.udfs", "xlwings._xlwindows", "xlwings._win32patch")
_ABSENT = object()


@contextlib.contextmanager
def windows_xlwings(*reimport: str) -> Iterator[WinXlwings]:
    """Context with xlwings' Windows UDF code importable and `xw.func` etc. being the real decorators.

    Modules named in `reimport` (e.g. "perfscore_udfs") are imported afresh inside the context so
    their decorators record `__xlfunc__`; the previous module objects are put back on exit.
    """
    import xlwings

    def family(name: str) -> list[str]:  # a package and its submodules
        return [m for m in sys.modules if m == name or m.startswith(name + ".")]

    saved_modules = {name: sys.modules.get(name) for name in (*_stand_ins(), *_EMULATED)}
    saved_modules.update({m: sys.modules[m] for name in reimport for m in family(name)})
    saved_attrs = {name: getattr(xlwings, name, _ABSENT) for name in ("udfs", "_xlwindows", "_win32patch", "com_server")}
    saved_ctypes = {name: getattr(ctypes, name, None) for name in ("windll", "oledll", "PyDLL")}
    saved_xw = {name: getattr(xlwings, name, None) for name in ("func", "arg", "ret", "sub", "script")}
    saved_engines = (list(xlwings.engines.engines), dict(xlwings.engines.engines_by_name), xlwings.engines.active)
    cwd = os.getcwd()
    try:
        sys.modules.update(_stand_ins())
        ctypes.windll = ctypes.oledll = _AnyAttr()  # type: ignore[attr-defined]
        ctypes.PyDLL = _AnyAttr  # type: ignore[misc]
        for name in (*_EMULATED, *(m for r in reimport for m in family(r))):
            sys.modules.pop(name, None)
        xlwindows = importlib.import_module("xlwings._xlwindows")
        os.chdir(cwd)  # _xlwindows chdirs to sys.exec_prefix while importing
        ctypes.PyDLL = saved_ctypes["PyDLL"]  # type: ignore[misc]
        udfs = importlib.import_module("xlwings.udfs")
        xlwings.func, xlwings.arg, xlwings.ret = udfs.xlfunc, udfs.xlarg, udfs.xlret
        xlwings.sub = xlwings.script = udfs.xlsub
        if "excel" not in xlwings.engines.engines_by_name:
            xlwings.engines.add(xlwings.main.Engine(impl=xlwindows.engine))
        modules = {name: importlib.import_module(name) for name in reimport}
        yield WinXlwings(udfs=udfs, xlwindows=xlwindows, variant=sys.modules["win32com.client"].VARIANT,
                         modules=modules)
    finally:
        os.chdir(cwd)
        for name in [m for r in reimport for m in family(r)]:
            sys.modules.pop(name, None)  # the emulated copies go; the saved ones come back below
        for name, module in saved_modules.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
        for name, value in saved_attrs.items():
            if value is _ABSENT:
                with contextlib.suppress(AttributeError):
                    delattr(xlwings, name)
            else:
                setattr(xlwings, name, value)
        for name, value in saved_ctypes.items():
            if value is None:
                with contextlib.suppress(AttributeError):
                    delattr(ctypes, name)
            else:
                setattr(ctypes, name, value)
        for name, value in saved_xw.items():
            if value is None:
                with contextlib.suppress(AttributeError):
                    delattr(xlwings, name)
            else:
                setattr(xlwings, name, value)
        xlwings.engines.engines[:] = saved_engines[0]
        xlwings.engines.engines_by_name.clear()
        xlwings.engines.engines_by_name.update(saved_engines[1])
        xlwings.engines.active = saved_engines[2]
