"""Every data/*.toml passes validate_data.py, has at least 4 layouts, and the partial-table rules hold:
a complete table has its total; a truncated one keeps whole groups and no total its rows cannot reach."""

from __future__ import annotations

import pytest

from .conftest import TABLES
from .layouts import DATA, layouts_for
from .validate_data import check

GUICHI = "p-guichi-2022-weituo-yewu"  # truncated: 产出指标(50分) and 效益指标(30分) kept, 满意度 cut


@pytest.mark.parametrize("path", sorted(DATA.glob("*.toml")), ids=lambda p: p.stem)
def test_data_file_is_valid(path):
    errors, _ = check(path)
    assert not errors, errors


@pytest.mark.parametrize("tid", sorted(TABLES))
def test_at_least_four_layouts(tid):
    assert len(layouts_for(TABLES[tid])) >= 4


def _variant(tmp_path, edit):
    src = (DATA / f"{GUICHI}.toml").read_text(encoding="utf-8")
    out = tmp_path / f"{GUICHI}.toml"
    out.write_text(edit(src), encoding="utf-8")
    return check(out)[0]


def test_truncated_table_as_is_is_valid(tmp_path):
    assert _variant(tmp_path, lambda s: s) == []


def test_complete_table_needs_its_total(tmp_path):
    errors = _variant(tmp_path, lambda s: "\n".join(ln for ln in s.splitlines() if not ln.startswith("truncated")))
    assert any("missing total" in e for e in errors), errors


def test_truncated_table_keeps_no_grade_without_total(tmp_path):
    errors = _variant(tmp_path, lambda s: s.replace('known_defects = [', 'grade = "优"\nknown_defects = [', 1))
    assert any("grade without total" in e for e in errors), errors


def test_truncated_table_with_a_half_group_is_refused(tmp_path):
    # drop the last 效益指标 row: the group keeps 20 of its printed 30
    def cut(s: str) -> str:
        head, _, _ = s.rpartition("[[rows]]")
        return head
    errors = _variant(tmp_path, cut)
    assert any("group 效益指标" in e for e in errors), errors


def test_truncated_table_with_a_total_its_rows_miss_is_refused(tmp_path):
    errors = _variant(tmp_path, lambda s: s.replace('known_defects = [', 'total = 98\nknown_defects = [', 1))
    assert any("kept rows sum to" in e for e in errors), errors
