"""Session fixtures: every table × layout (clean and with each planted error) written once, checked once."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfscore.checks.files import check_file

from .layouts import PLANTED, layouts_for, load_tables, planted, write_form

TABLES = load_tables()
CASES = [(tid, lay) for tid, t in TABLES.items() for lay in layouts_for(t)]


class Corpus:
    """Lazily written workbooks and their findings, cached for the session."""

    def __init__(self, root: Path):
        self.root = root
        self._paths: dict[tuple[str, str, str], Path] = {}
        self._findings: dict[tuple[str, str, str], list] = {}

    def path(self, tid: str, layout: str, variant: str = "clean") -> Path:
        key = (tid, layout, variant)
        if key not in self._paths:
            table = TABLES[tid] if variant == "clean" else planted(TABLES[tid], variant)
            self._paths[key] = write_form(table, layout, self.root / f"{tid}--{layout}--{variant}.xlsx")
        return self._paths[key]

    def findings(self, tid: str, layout: str, variant: str = "clean") -> list:
        key = (tid, layout, variant)
        if key not in self._findings:
            self._findings[key] = check_file(self.path(tid, layout, variant))
        return self._findings[key]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Corpus:
    return Corpus(tmp_path_factory.mktemp("realforms"))


__all__ = ["CASES", "PLANTED", "TABLES", "Corpus"]
