"""Every table in examples/001 and examples/004 re-totalled by the core from its rows."""

from perfscore.rules import assess_indicator, grade, level_of_fraction, total_score
from perfscore.samples import CENTRAL, EXAMPLE_001, EXAMPLE_004


def _scored(rows):
    return [r for r in rows if r.weight is not None or r.score is not None]


def test_example_001_declared_rows_give_published_total_and_grade():
    rows = _scored(EXAMPLE_001["rows"])
    assert len(rows) == 30
    assert total_score([r.weight for r in rows]) == EXAMPLE_001["total_weight"] == 100
    assert total_score([r.score for r in rows]) == EXAMPLE_001["total"] == 98.5
    assert grade(total_score([r.score for r in rows])) == EXAMPLE_001["grade"] == "优"
    level, by_level = None, {}
    for r in EXAMPLE_001["rows"]:
        level = r.level1 or level
        if r.weight is not None:
            by_level.setdefault(level, []).append(r.weight)
    assert {k: total_score(v) for k, v in by_level.items()} == {"决策": 12, "过程": 18, "产出": 30, "效益": 30, "满意度": 10}


def test_example_001_rows_scored_by_the_rules():
    """The core scores each 定性 row from its actual text. Only the 预算执行率 row differs from the form:
    the filler gave 1.5 of 3 (50%) for 部分达成, below the central band [60%, 80%), inside the 80/50 band."""
    rows = _scored(EXAMPLE_001["rows"])
    assessed = [assess_indicator("定性", "", r.target, r.actual, r.weight) for r in rows]
    differing = [(r.level3, a.score, r.score) for r, a in zip(rows, assessed) if a.score != r.score]
    assert differing == [("预算执行率", 2.1, 1.5)]
    assert total_score([a.score for a in assessed]) == 99.1
    assert level_of_fraction(1.5 / 3, "central") == "未达成"
    assert level_of_fraction(1.5 / 3, "qual-80-50") == "部分达成"


def test_example_004_table_gives_published_total_not_report_text():
    rows = EXAMPLE_004["rows"]
    total = total_score([r.score for r in rows if r.score is not None])
    assert total_score([r.weight for r in rows if r.weight is not None]) == EXAMPLE_004["total_weight"] == 100
    assert total == EXAMPLE_004["total"] == 98.5
    assert total != EXAMPLE_004["report_total"]  # the report says 97.5: 散总不符 (DOMAIN §5)
    assert grade(total) == "优"
    # first-level subtotals against the report's section scores: 部门决策 15/14, 部门管理 20/18.5, …
    level, sums = None, {}
    for r in rows:
        level = (r.level1 or level).split()[0].split("(")[0].split("（")[0]
        w, s = sums.get(level, (0.0, 0.0))
        sums[level] = (w + (r.weight or 0), s + (r.score or 0))
    for name, (weight, score) in EXAMPLE_004["level1_declared"].items():
        if name == "加减分项":
            assert sums[name][1] == score  # bonus rows carry no weight; the cap is 5
            continue
        assert (total_score([sums[name][0]]), total_score([sums[name][1]])) == (weight, score), name


def test_central_example_rows_match_the_rules():
    """The central-layout sample uses the published DOMAIN.md numbers; every declared score equals the rule's."""
    from perfscore.rules import score_exec_rate

    for r in CENTRAL["rows"]:
        assert score_indicator_row(r) == r.score, r.level3
    label, initial, budget, spent, weight, rate, score = CENTRAL["funds"][0]
    assert score_exec_rate(budget, spent, weight) == score == 3.11
    total = total_score([score] + [r.score for r in CENTRAL["rows"]])
    assert total == CENTRAL["total"] and grade(total) == CENTRAL["grade"]


def score_indicator_row(r):
    return assess_indicator(r.nature, r.operator, r.target, r.actual, r.weight).score
