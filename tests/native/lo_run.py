from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
LO_CALC = HERE / "lo_calc.py"
sys.path.insert(0, str(HERE))


def lo_available() -> bool:
    return shutil.which("soffice") is not None and Path("/usr/bin/python3").exists()


def run_lo(books, *, oxt=None, formulas=None, pdf=None, tmp: Path | None = None) -> dict:
    """Formula cell values of each book after LibreOffice recalculates (see lo_calc.py)."""
    cmd = ["/usr/bin/python3", str(LO_CALC)]
    if oxt:
        cmd += ["--oxt", str(oxt)]
    if formulas:
        f = Path(tmp) / "formulas.json"
        f.write_text(json.dumps(formulas, ensure_ascii=False), encoding="utf-8")
        cmd += ["--formulas", str(f)]
    if pdf:
        cmd += ["--pdf", str(pdf)]
    proc = subprocess.run(cmd + [str(b) for b in books], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {Path(k).name: v for k, v in json.loads(proc.stdout).items()}


@pytest.fixture(scope="session")
def lo():
    if not lo_available():
        pytest.fail("LibreOffice (soffice) 和 /usr/bin/python3 (python3-uno) 是这些测试的前提：请运行 ./dev test")
    return run_lo
