"""The Windows emulation used to generate VBA and to call UDFs must leave the process as it found it."""

from __future__ import annotations

import ctypes
import sys

import xlwings

from perfscore_addin.winemu import windows_xlwings


def test_emulation_leaves_no_trace():
    import perfscore_udfs

    before = perfscore_udfs
    with windows_xlwings("perfscore_udfs") as win:
        assert "pythoncom" in sys.modules
        assert hasattr(win.modules["perfscore_udfs"].GRADE, "__xlfunc__")  # real decorators inside
        assert win.modules["perfscore_udfs"] is not before
    assert "pythoncom" not in sys.modules and "xlwings.udfs" not in sys.modules
    assert not hasattr(ctypes, "windll")
    assert "excel" not in [e.name for e in xlwings.engines]
    import perfscore_udfs as after

    assert after is before
    assert not hasattr(after.GRADE, "__xlfunc__")  # inert decorators on Linux, as before
    assert after.GRADE(90.0) == "优"  # and the plain function still works
