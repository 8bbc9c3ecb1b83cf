"""Score the generic formula checks on the annotated ExceLint benchmark, the way ExceLint computes its figures.

    .venv/bin/python bench/excelint.py [--data ../shared/excelint-half] [--all] [--codes A,B] [--verbose]

The data folder holds `workbooks/*.xlsx`, `annotations.json` (workbook → sheet → {"bugs": [[col, row, kind]]},
the cells annotated as reference/calculation errors, 1-based) and `annotations-raw.json` (the raw list, whose
Notes `dual = A1:A5` pair the two inconsistent sides of one bug).

Scoring, per workbook (ExceLint, OOPSLA 2018 §5 and its runner):
- flagged cells: the cells of the findings whose code is one of the formula checks (INCONSISTENT_FORMULA,
  TYPED_OVER_FORMULA, HARDCODED_CONSTANT, FORMULA_ERROR, RANGE_OMITS_ROWS), as the default report shows them
  (`--all`: HARDCODED_CONSTANT on every sheet too); sheet names matched with trailing spaces stripped.
- bugs: the annotated cells; the two sides of a dual pair (both annotated) count as min(|side A|, |side B|) bugs.
- true positives: flagged annotated cells outside dual pairs, plus per dual pair min(flagged cells of the pair,
  min(|A|, |B|)); flagged cells of a pair beyond that cap are neither true nor false positives.
- false positives: every other flagged cell (including cells of sheets without annotations).
- precision = TP / (TP + FP), and 1 when the workbook has NOTHING FLAGGED (a workbook with no bug where
  something is flagged gets precision 0); recall = TP / bugs, and 1 when the workbook has no bug.
- the printed figures are means over the workbooks (every workbook counts once, flagged or not).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

FORMULA_CODES = ("INCONSISTENT_FORMULA", "TYPED_OVER_FORMULA", "HARDCODED_CONSTANT", "FORMULA_ERROR",
                 "RANGE_OMITS_ROWS")
FORMULA_KINDS = frozenset({"ref", "refi", "calc"})

Cell = tuple[str, int, int]  # (sheet name stripped, row, col)


@dataclass(frozen=True)
class Truth:
    """One workbook's annotated formula errors."""

    bugs: frozenset[Cell]
    duals: tuple[tuple[frozenset[Cell], frozenset[Cell]], ...] = ()

    @property
    def count(self) -> int:
        in_pairs = set().union(*(a | b for a, b in self.duals)) if self.duals else set()
        return len(self.bugs - in_pairs) + sum(min(len(a), len(b)) for a, b in self.duals)


@dataclass(frozen=True)
class Score:
    workbook: str
    flagged: int
    tp: int
    fp: int
    bugs: int
    precision: float
    recall: float
    codes: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # code -> (flagged, annotated)


def score_workbook(name: str, flagged: Iterable[Cell], truth: Truth,
                   codes_of: Mapping[Cell, str] | None = None) -> Score:
    """Precision and recall of one workbook's flagged cells (the rules in the module docstring)."""
    flagged = set(flagged)
    in_pairs: set[Cell] = set()
    tp = 0
    for a, b in truth.duals:
        in_pairs |= a | b
        tp += min(len(flagged & (a | b)), len(a), len(b))
    tp += len((flagged & truth.bugs) - in_pairs)
    fp = len(flagged - truth.bugs)
    bugs = truth.count
    precision = 1.0 if not flagged else tp / (tp + fp) if tp + fp else 0.0
    recall = 1.0 if bugs == 0 else tp / bugs
    per_code: Counter = Counter()
    hits: Counter = Counter()
    for cell in flagged:
        code = (codes_of or {}).get(cell, "?")
        per_code[code] += 1
        hits[code] += cell in truth.bugs
    return Score(name, len(flagged), tp, fp, bugs, precision, recall,
                 {c: (per_code[c], hits[c]) for c in per_code})


def mean_scores(scores: Iterable[Score]) -> tuple[float, float]:
    scores = list(scores)
    n = len(scores) or 1
    return sum(s.precision for s in scores) / n, sum(s.recall for s in scores) / n


# ------------------------------------------------------------------------------------------- annotations

_ADDR = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


def _cells_of(sheet: str, text: str) -> set[Cell]:
    """'I17, J17' or 'E57:F57' → cells."""
    from perfscore.xlsx.grid import col_index

    out: set[Cell] = set()
    for part in re.split(r"[,;\s]+", text.strip()):
        ends = [_ADDR.fullmatch(p) for p in part.split(":")] if part else []
        if not ends or any(e is None for e in ends):
            continue
        (c1, r1), (c2, r2) = [(col_index(e.group(1)), int(e.group(2))) for e in (ends[0], ends[-1])]
        for r in range(min(r1, r2), max(r1, r2) + 1):
            for c in range(min(c1, c2), max(c1, c2) + 1):
                out.add((sheet, r, c))
    return out


def load_truth(data: Path) -> dict[str, Truth]:
    """workbook file name → Truth, from annotations.json (the bugs) and annotations-raw.json (the duals)."""
    ann = json.loads((data / "annotations.json").read_text(encoding="utf-8"))
    raw_path = data / "annotations-raw.json"
    raw = json.loads(raw_path.read_text(encoding="utf-8")) if raw_path.exists() else []
    out: dict[str, Truth] = {}
    for wb, sheets in ann.items():
        bugs = frozenset((sheet.rstrip(), int(row), int(col))
                         for sheet, entry in sheets.items() for col, row, *_ in entry.get("bugs", []))
        # dual pairs: a cell's side is every annotated cell naming the same other side
        sides: dict[frozenset[Cell], set[Cell]] = {}
        for r in raw:
            if r.get("Workbook") != wb or r.get("BugKind") not in FORMULA_KINDS:
                continue
            m = re.search(r"dual\s*=\s*(.+)", r.get("Notes") or "")
            if not m:
                continue
            sheet = str(r["Worksheet"]).rstrip()
            here = _cells_of(sheet, r["Address"])
            other = frozenset(_cells_of(sheet, m.group(1)) & bugs)
            if other and here <= bugs:
                sides.setdefault(other, set()).update(here)
        pairs: set[frozenset[frozenset[Cell]]] = set()
        for other, here in sides.items():
            a, b = frozenset(here - other), frozenset(other - here)
            if a and b:
                pairs.add(frozenset((a, b)))
        duals = tuple(tuple(sorted(p, key=sorted)) for p in sorted(pairs, key=lambda p: sorted(map(sorted, p))))
        out[wb] = Truth(bugs, _disjoint(duals))  # type: ignore[arg-type]
    return out


def _disjoint(duals):
    """Keep pairs whose cells no earlier pair uses (a cell is one bug, counted once)."""
    used: set[Cell] = set()
    out = []
    for a, b in duals:
        if (a | b) & used:
            continue
        used |= a | b
        out.append((a, b))
    return tuple(out)


# ------------------------------------------------------------------------------------------- running

def flagged_cells(path: Path, *, show_all: bool = False, codes: Iterable[str] = FORMULA_CODES
                  ) -> dict[Cell, str]:
    """The cells the formula checks flag in one workbook: {(sheet, row, col): code}."""
    from perfscore.checks.workbook import check_workbook
    from perfscore.forms import read_forms
    from perfscore.xlsx import read_grid
    from perfscore.xlsx.grid import parse_ref

    grid = read_grid(path)
    read = read_forms(grid)
    try:
        findings = check_workbook(grid, read.forms, None, file=path.name, not_forms=read.not_forms,
                                  show_all=show_all)
    except TypeError:  # check_workbook without show_all (before the CLI wiring)
        findings = check_workbook(grid, read.forms, None, file=path.name, not_forms=read.not_forms)
    wanted = set(codes)
    out: dict[Cell, str] = {}
    for f in findings:
        if f.code in wanted and f.cell:
            r, c = parse_ref(f.cell.split(":")[0])
            out.setdefault((f.sheet.rstrip(), r, c), f.code)
    return out


def run(data: Path, *, show_all: bool = False, codes: Iterable[str] = FORMULA_CODES,
        verbose: bool = False) -> list[Score]:
    truth = load_truth(data)
    scores = []
    for name in sorted(truth):
        path = data / "workbooks" / name
        flagged = flagged_cells(path, show_all=show_all, codes=codes)
        s = score_workbook(name, flagged, truth[name], flagged)
        scores.append(s)
        if verbose:
            print(f"{s.precision:5.2f} {s.recall:5.2f}  tp={s.tp:3d} fp={s.fp:3d} bugs={s.bugs:3d}  {name}  "
                  + " ".join(f"{c}={n}/{h}" for c, (n, h) in sorted(s.codes.items())))
    return scores


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "excelint-half")
    ap.add_argument("--all", action="store_true", help="HARDCODED_CONSTANT on every sheet (perfscore check --all)")
    ap.add_argument("--codes", default=",".join(FORMULA_CODES))
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    scores = run(args.data, show_all=args.all, codes=args.codes.split(","), verbose=args.verbose)
    elapsed = time.perf_counter() - t0
    p, r = mean_scores(scores)
    per_code: Counter = Counter()
    per_code_hits: Counter = Counter()
    for s in scores:
        for c, (n, h) in s.codes.items():
            per_code[c] += n
            per_code_hits[c] += h
    print(f"workbooks: {len(scores)}  with bugs: {sum(1 for s in scores if s.bugs)}  "
          f"flagged nothing: {sum(1 for s in scores if not s.flagged)}  ({elapsed:.1f} s)")
    print(f"mean precision {p:.1%}  mean recall {r:.1%}  (ExceLint on the whole set: 64.1 % / 62.1 %)")
    print(f"flagged cells {sum(s.flagged for s in scores)}, true positives {sum(s.tp for s in scores)}, "
          f"false positives {sum(s.fp for s in scores)}, bugs {sum(s.bugs for s in scores)}")
    for c in FORMULA_CODES:
        print(f"  {c:22s} flagged {per_code[c]:4d}  annotated {per_code_hits[c]:4d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
