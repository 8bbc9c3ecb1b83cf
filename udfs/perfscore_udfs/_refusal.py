"""The exception a UDF raises for invalid input; its text reaches VBA's Err.Description.

On Windows it is a pywin32 COMException, whose `description` pywin32 copies into the COM EXCEPINFO as a
Unicode BSTR (a plain exception would be prefixed "Unexpected Python Error: ..." and converted through
the ANSI code page). The add-in's VBA `PerfscoreFailed` reads the "[#CODE] reason" text either way.
"""

from __future__ import annotations

try:
    from win32com.server.exception import COMException as _Base
except ImportError:  # not Windows: tests, the headless engine
    _Base = Exception


class UdfRefusal(_Base):  # type: ignore[misc,valid-type]
    def __init__(self, text: str) -> None:
        if _Base is Exception:
            Exception.__init__(self, text)
        else:
            _Base.__init__(self, description=text)
        self.text = text

    def __str__(self) -> str:
        return self.text
