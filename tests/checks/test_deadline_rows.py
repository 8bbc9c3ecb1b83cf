"""A 时效 row whose target is a month and whose actual is an earlier month is a met deadline, scored by the rule
core, not an unreadable 定性 degree (临翔区 2023 收容所: 项目完工时限 2023年12月 / 2023年10月, 15 of 15)."""

from __future__ import annotations

import copy

from perfscore.checks.files import check_file
from tests.realforms.layouts import layouts_for, load_tables, write_form

LINXIANG = "p-linxiang-2023-shourongsuo"


def _row_findings(table, tmp_path, name):
    found = []
    for layout in layouts_for(table)[:3]:
        found += [f for f in check_file(write_form(table, layout, tmp_path / f"{layout}.xlsx"))
                  if name in f.message and f.severity != "提示"]
    return found


def test_met_deadline_month_is_clean(tmp_path):
    table = load_tables()[LINXIANG]
    row = next(r for r in table["rows"] if r["level3"] == "项目完工时限")
    assert (row["target"], row["actual"], row["score"]) == ("2023年12月", "2023年10月", 15)
    assert _row_findings(table, tmp_path, "项目完工时限") == []


def test_late_completion_with_full_marks_is_reported(tmp_path):
    table = copy.deepcopy(load_tables()[LINXIANG])
    row = next(r for r in table["rows"] if r["level3"] == "项目完工时限")
    row["actual"] = "2024年3月"  # three months late, still 15 of 15
    found = _row_findings(table, tmp_path, "项目完工时限")
    assert found and {f.code for f in found} <= {"SCORE_DIFFERS_FROM_RULE", "MISSING_DEVIATION_REASON"}, found
    assert any(f.code == "SCORE_DIFFERS_FROM_RULE" for f in found)
