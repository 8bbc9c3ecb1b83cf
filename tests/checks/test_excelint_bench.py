"""bench/excelint.py: ExceLint's per-workbook scoring, on hand-made cases and on a tiny annotated set."""

from __future__ import annotations

import json
import sys

import pytest

from .books import F, write_book


@pytest.fixture(scope="module")
def bench(repo_dir):
    sys.path.insert(0, str(repo_dir))
    try:
        import bench.excelint as mod
    finally:
        sys.path.remove(str(repo_dir))
    return mod


def test_scoring_rules(bench):
    truth = bench.Truth(frozenset({("S", 1, 1), ("S", 2, 1)}))
    nothing = bench.score_workbook("a", [], truth)
    assert (nothing.precision, nothing.recall) == (1.0, 0.0)  # nothing flagged: precision 1
    clean = bench.score_workbook("b", [("S", 9, 9)], bench.Truth(frozenset()))
    assert (clean.precision, clean.recall) == (0.0, 1.0)  # no bug: recall 1, anything flagged is wrong
    half = bench.score_workbook("c", [("S", 1, 1), ("S", 5, 5)], truth)
    assert (half.tp, half.fp, half.precision, half.recall) == (1, 1, 0.5, 0.5)
    assert bench.mean_scores([nothing, clean, half]) == pytest.approx(((1 + 0 + 0.5) / 3, (0 + 1 + 0.5) / 3))


def test_dual_pair_counts_its_smaller_side(bench):
    a = frozenset(("S", 17, c) for c in (8, 14, 15))
    b = frozenset(("S", 17, c) for c in range(9, 14))
    truth = bench.Truth(a | b, ((a, b),))
    assert truth.count == 3
    both = bench.score_workbook("d", a | b, truth)
    assert (both.tp, both.fp, both.recall, both.precision) == (3, 0, 1.0, 1.0)
    one = bench.score_workbook("e", [("S", 17, 8)], truth)
    assert (one.tp, one.recall) == (1, pytest.approx(1 / 3))


def test_runs_on_a_tiny_annotated_set(bench, tmp_path):
    data = tmp_path / "set"
    (data / "workbooks").mkdir(parents=True)
    slip = {f"{c}{r}": float(r + i) for i, c in enumerate("ABCD") for r in range(1, 6)}
    slip.update({f"{c}6": F(f"=SUM({c}1:{c}5)") for c in "ABCD"})
    slip["C6"] = F("=SUM(C2:C5)")  # annotated: a reference error
    clean = {f"A{r}": float(r) for r in range(1, 6)} | {f"B{r}": F(f"=A{r}*2") for r in range(1, 6)}
    typed = dict(clean) | {"B3": 99.0}  # a constant where a formula was expected: not a formula error here
    write_book(data / "workbooks" / "slip.xlsx", {"Data ": slip})
    write_book(data / "workbooks" / "clean.xlsx", {"S": clean})
    write_book(data / "workbooks" / "typed.xlsx", {"S": typed})
    (data / "annotations.json").write_text(json.dumps({
        "slip.xlsx": {"Data ": {"bugs": [[3, 6, 0]]}}, "clean.xlsx": {"S": {"bugs": []}},
        "typed.xlsx": {"S": {"bugs": []}}}), encoding="utf-8")
    (data / "annotations-raw.json").write_text(json.dumps([
        {"Workbook": "slip.xlsx", "Worksheet": "Data ", "Address": "C6", "BugKind": "ref", "Notes": ""},
        {"Workbook": "typed.xlsx", "Worksheet": "S", "Address": "B3", "BugKind": "cwfe", "Notes": ""}]),
        encoding="utf-8")
    scores = {s.workbook: s for s in bench.run(data)}
    assert (scores["slip.xlsx"].tp, scores["slip.xlsx"].fp) == (1, 0)
    assert (scores["clean.xlsx"].flagged, scores["clean.xlsx"].precision) == (0, 1.0)
    assert scores["typed.xlsx"].fp == 1 and scores["typed.xlsx"].precision == 0.0  # cwfe counts against
    p, r = bench.mean_scores(scores.values())
    assert (p, r) == (pytest.approx(2 / 3), 1.0)
