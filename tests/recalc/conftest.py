from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.recalc.books import REPO, builtin_book, make_big_book, make_form

LO_PYTHON = "/usr/bin/python3"


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def libreoffice_values(files: list[Path]) -> dict:
    """Formula-cell values after LibreOffice's forced recalculation (UNO calculateAll). Fails, never skips,
    when LibreOffice is missing: CI installs it."""
    assert shutil.which("soffice"), "LibreOffice (soffice) 未安装：oracle 测试需要它（CI 会安装）"
    proc = subprocess.run([LO_PYTHON, str(REPO / "bench" / "lo_oracle.py"), "values", *map(str, files)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def builtin_corpus(tmp_path_factory) -> list[Path]:
    d = tmp_path_factory.mktemp("builtin")
    return [builtin_book(d / "builtins.xlsx"), make_form(d / "form_builtin.xlsx", seed=11, variant="builtin"),
            make_form(d / "form_builtin_b.xlsx", seed=12, variant="builtin", blanks=3),
            make_big_book(d / "book20.xlsx", sheets=20)]


@pytest.fixture(scope="session")
def oracle(builtin_corpus) -> dict:
    return libreoffice_values(builtin_corpus)
