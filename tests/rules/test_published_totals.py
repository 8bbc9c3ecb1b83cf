"""Every table in examples/001 and examples/004 re-totalled by the core from its rows."""

from perfscore.rules import assess_indicator, grade, level_of_fraction, total_score


def test_example_001_declared_rows_give_published_total_and_grade(published_forms):
    form = published_forms["example_001"]
    rows = form["rows"]
    weights = [r[4] for r in rows]
    scores = [r[7] for r in rows]
    assert total_score(weights) == form["weight_total"] == 100
    assert total_score(scores) == form["published_total"] == 98.5
    assert grade(total_score(scores)) == form["published_grade"] == "优"
    by_level = {}
    for r in rows:
        by_level.setdefault(r[0], []).append(r[4])
    assert {k: total_score(v) for k, v in by_level.items()} == {"决策": 12, "过程": 18, "产出": 30, "效益": 30, "满意度": 10}


def test_example_001_rows_scored_by_the_rules(published_forms):
    """The core scores each 定性 row from its actual text. Only the 预算执行率 row differs from the form:
    the filler gave 1.5 of 3 (50%) for 部分达成, below the central band [60%, 80%), inside the 80/50 band."""
    rows = published_forms["example_001"]["rows"]
    assessed = [assess_indicator("定性", "", r[3], r[6], r[4]) for r in rows]
    differing = [(r[2], a.score, r[7]) for r, a in zip(rows, assessed) if a.score != r[7]]
    assert differing == [("预算执行率", 2.1, 1.5)]
    assert total_score([a.score for a in assessed]) == 99.1
    assert level_of_fraction(1.5 / 3, "central") == "未达成"
    assert level_of_fraction(1.5 / 3, "qual-80-50") == "部分达成"


def test_example_004_table_gives_published_total_not_report_text(published_forms):
    form = published_forms["example_004"]
    rows = form["rows"]
    scores = [r[5] for r in rows if r[5] != ""]
    weights = [r[4] for r in rows if r[4] != ""]
    assert total_score(weights) == 100
    total = total_score(scores)
    assert total == form["published_total"] == 98.5
    assert total != form["report_text_total"]  # the report says 97.5: 散总不符 (DOMAIN §5)
    assert grade(total) == "优"
    # first-level subtotals against the report's section scores: 部门决策 14, 部门管理 18.5, …
    for level in form["levels"]:
        level_rows = [r for r in rows if r[0] == level["name"]]
        assert total_score([r[4] for r in level_rows]) == level["weight"]
        assert total_score([r[5] for r in level_rows]) == level["report_score"], level["name"]
