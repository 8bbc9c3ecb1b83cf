"""The layering the README promises: the core never imports the Excel shells (or xlwings)."""

import subprocess
import sys


def test_core_imports_no_excel_shell():
    code = (
        "import sys, perfscore.rules, perfscore.excel_functions, perfscore.forms, perfscore.checks, "
        "perfscore.recalc.task, perfscore.recalc.batch, perfscore.cli.main\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('xlwings', 'perfscore_udfs', 'perfscore_addin'))\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_udfs_use_the_core_functions_unchanged():
    import perfscore.excel_functions as core
    from perfscore_udfs import _bridge

    assert _bridge.evaluate is core.evaluate and _bridge.SPECS is core.SPECS
