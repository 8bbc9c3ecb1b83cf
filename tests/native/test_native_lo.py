"""Native formulas recalculated by LibreOffice equal the rule core on a random corpus, to the last digit.

Each verdict of perfscore.native.mirror is checked: "value" cells equal perfscore.excel_functions exactly,
"marker" cells show 需加载项, so the mirror (what `check` reports) and the formulas cannot drift apart.
"""

from __future__ import annotations

import openpyxl
import pytest

from corpus import cell_arg, indicator_rows, pair_rows, survey_rows, total_rows, write_value
from check import verdicts
from perfscore.native.formulas import native_call
from perfscore.xlsx.grid import col_letter

# Profiles whose formulas differ (the others generate the very same text: test_native_profiles.py proves it).
PROFILES = {"SCORE_INDICATOR": ("central", "seed002-strict", "vendor-linear"),
            "SCORE_EXEC_RATE": ("central", "vendor-linear"), "SCORE_COST_SAVING": ("central",),
            "SCORE_SATISFACTION": ("central",), "GRADE": ("central", "grade-80-70-60")}
ROWS = {"SCORE_INDICATOR": indicator_rows(2000, 11), "SCORE_EXEC_RATE": pair_rows(600, 12),
        "SCORE_COST_SAVING": pair_rows(600, 13), "SCORE_SATISFACTION": survey_rows(500, 14),
        "GRADE": total_rows(500, 15)}


def _sheet_name(name: str, profile: str) -> str:
    return f"{name[:12]}-{profile}"[:31]


def build_corpus_book(path):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, profiles in PROFILES.items():
        for profile in profiles:
            ws = wb.create_sheet(_sheet_name(name, profile))
            rows = ROWS[name]
            n = len(rows[0])
            out_col = n + 1
            for i, row in enumerate(rows, start=1):
                for j, v in enumerate(row, start=1):
                    write_value(ws, i, j, v)
                refs = [f"{col_letter(j)}{i}" for j in range(1, n + 1)]
                ws.cell(i, out_col, "=" + native_call(name, refs, profile))
    wb.save(path)


@pytest.mark.slow
def test_native_formulas_equal_the_core_in_libreoffice(tmp_path, lo):
    book = tmp_path / "corpus.xlsx"
    build_corpus_book(book)
    got = lo([book])["corpus.xlsx"]
    problems, summary = [], {}
    for name, profiles in PROFILES.items():
        rows = [[cell_arg(v) for v in row] for row in ROWS[name]]
        col = col_letter(len(rows[0]) + 1)
        for profile in profiles:
            bad, counts = verdicts(name, rows, got[_sheet_name(name, profile)], col, profile)
            summary[(name, profile)] = counts
            problems += [(name, profile, *b) for b in bad[:5]]
            # the corpus must exercise real scoring, not only markers
            assert counts.get("value", 0) >= len(rows) // 3, (name, profile, counts)
    assert not problems, problems
    assert sum(len(ROWS["SCORE_INDICATOR"]) for _ in PROFILES["SCORE_INDICATOR"]) >= 6000
