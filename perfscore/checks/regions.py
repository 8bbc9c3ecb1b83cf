"""Regions of copied formulas and the cells that break them.

In the spirit of ExceLint (Barowy, Berger, Zorn, OOPSLA 2018) and of Excel's own "inconsistent formula" rule:
every formula has a fingerprint, its relative R1C1 text (copies of one formula share it). Along each row and
each column the formula cells of one skeleton (the formula with its references abstracted: SUM(‹ref›),
‹ref›/‹ref›) form a region; a blank spacer cell does not end it. A region whose fingerprints are nearly
uniform points at its few deviant cells: fixing them (copying the dominant formula in) makes the region
uniform, and the smaller the fix, the more the entropy of the region's fingerprints drops per fixed cell and the
more likely a slip it is. Deviants that are copies themselves along the other axis (a whole column of another
formula: a different rule, ExceLint's "fat fix") and blocks of comparable size (two patterns meeting) are not
reported.

Pure: positions and fingerprints in, anomalies out; no workbook access.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping, Sequence

Pos = tuple[int, int]

# A deviant fingerprint is reported when the dominant one covers at least RARITY times as many cells.
RARITY = 1.5
# Blank cells a region may step over (a spacer column between groups of totals).
MAX_GAP = 1
MIN_REGION = 3  # ExceLint's minimum fix size: fewer cells establish no pattern
# A deviant at the edge of its region has a pattern on one side only (Excel's rule never flags it): it needs
# this many dominant cells; inside a region, agreeing cells on both sides are evidence enough.
EDGE_SUPPORT = 3


@dataclass(frozen=True)
class Print:
    """What the analysis needs to know of one formula cell."""

    r1c1: str  # fingerprint: equal for copies of one formula
    # what regions group by: the formula with references abstracted (and, from perfscore.checks.formulas, a
    # trailing constant addend dropped); equal skeletons with different fingerprints are slips
    skeleton: str


@dataclass(frozen=True)
class Region:
    axis: int  # 0: down a column, 1: along a row
    cells: tuple[Pos, ...]  # formula cells in order, one skeleton

    @property
    def first(self) -> Pos:
        return self.cells[0]

    @property
    def last(self) -> Pos:
        return self.cells[-1]


@dataclass(frozen=True)
class Anomaly:
    """Cells of one deviant fingerprint inside a region, with the cell whose formula would fix them."""

    cells: tuple[Pos, ...]
    reference: Pos  # nearest cell of the dominant fingerprint
    region: Region
    dominant: int  # cells of the region holding the dominant fingerprint
    entropy_drop: float  # bits the fix removes from the region's fingerprint distribution
    interior: bool  # every deviant cell has dominant cells on both sides within the region

    @property
    def rank(self) -> tuple[int, float]:
        """Smaller fixes first, then the larger drop in entropy (ExceLint's ordering)."""
        return (len(self.cells), -self.entropy_drop)


def entropy(counts: Sequence[int]) -> float:
    total = sum(counts)
    return -sum(c / total * math.log2(c / total) for c in counts if c) if total else 0.0


def regions(prints: Mapping[Pos, Print], is_blank: Callable[[Pos], bool],
            same_kind: Callable[[Pos, Pos], bool] | None = None) -> Iterator[Region]:
    """Maximal runs of formula cells of one skeleton along each column and each row. A run steps over at most
    MAX_GAP blank cells; any other cell (a number, a text, a formula of another skeleton) ends it, and so does a
    row of another kind (same_kind)."""
    for axis in (0, 1):
        lines: dict[int, list[Pos]] = defaultdict(list)
        for pos in prints:
            lines[pos[1 - axis]].append(pos)
        for fixed in sorted(lines):
            line = sorted(lines[fixed], key=lambda p: p[axis])
            run = [line[0]]
            for pos in line[1:]:
                prev = run[-1]
                if _continues(prints, prev, pos, axis, is_blank, same_kind):
                    run.append(pos)
                    continue
                if len(run) >= MIN_REGION:
                    yield Region(axis, tuple(run))
                run = [pos]
            if len(run) >= MIN_REGION:
                yield Region(axis, tuple(run))


def _continues(prints: Mapping[Pos, Print], prev: Pos, pos: Pos, axis: int, is_blank: Callable[[Pos], bool],
               same_kind: Callable[[Pos, Pos], bool] | None) -> bool:
    gap = pos[axis] - prev[axis] - 1
    if gap > MAX_GAP or prints[prev].skeleton != prints[pos].skeleton:
        return False
    if same_kind is not None and not same_kind(prev, pos):
        return False
    step = (1, 0) if axis == 0 else (0, 1)
    return all(is_blank((prev[0] + k * step[0], prev[1] + k * step[1])) for k in range(1, gap + 1))


def anomalies(prints: Mapping[Pos, Print], is_blank: Callable[[Pos], bool],
              same_kind: Callable[[Pos, Pos], bool] | None = None,
              edge_evidence: Callable[[Pos], bool] | None = None) -> list[Anomaly]:
    """The deviant cells of every region, smallest fixes first (a cell appears once, in its best anomaly).
    edge_evidence: a deviant at a region's edge with fewer than EDGE_SUPPORT dominant cells is kept when this
    says the cell is wrong on its own account (a total whose range stops short of the rows above it)."""
    found: list[Anomaly] = []
    for region in regions(prints, is_blank, same_kind):
        found += _region_anomalies(prints, region, is_blank, edge_evidence)
    found.sort(key=lambda a: (a.rank, a.cells))
    seen: set[Pos] = set()
    out = []
    for a in found:
        cells = tuple(c for c in a.cells if c not in seen)
        if not cells:
            continue
        seen.update(cells)
        out.append(a if cells == a.cells else _with_cells(a, cells))
    return out


def _with_cells(a: Anomaly, cells: tuple[Pos, ...]) -> Anomaly:
    return Anomaly(cells, a.reference, a.region, a.dominant, a.entropy_drop, a.interior)


def _region_anomalies(prints: Mapping[Pos, Print], region: Region, is_blank: Callable[[Pos], bool],
                      edge_evidence: Callable[[Pos], bool] | None = None) -> list[Anomaly]:
    counts = Counter(prints[p].r1c1 for p in region.cells)
    if len(counts) == 1:
        return []
    (dom, n), (_, runner_up) = counts.most_common(2)
    if n < 2 or n == runner_up:
        return []  # no pattern, or two patterns of one size
    before = entropy(list(counts.values()))
    axis = region.axis
    out = []
    dom_idx = [i for i, p in enumerate(region.cells) if prints[p].r1c1 == dom]
    for fp, k in counts.items():
        if fp == dom or k * RARITY > n:
            continue
        idx = [i for i, p in enumerate(region.cells) if prints[p].r1c1 == fp]
        if any(j - i == 2 and all(prints[region.cells[k]].r1c1 == dom for k in range(i + 1, j))
               for i, j in zip(idx, idx[1:])):
            continue  # A B A B: alternating copies are a pattern of their own
        cells = tuple(region.cells[i] for i in idx if not _copied_across(prints, region.cells[i], axis, is_blank))
        if not cells:
            continue
        after = dict(counts)
        after[dom] += len(cells)
        after[fp] -= len(cells)
        drop = before - entropy(list(after.values()))
        first = idx[0]
        nearest = min(dom_idx, key=lambda i: (abs(i - first), i))
        interior = all(dom_idx[0] < i < dom_idx[-1] for i in idx)
        if not interior and n < EDGE_SUPPORT:
            cells = tuple(p for p in cells if edge_evidence is not None and edge_evidence(p))
            if not cells:
                continue
        out.append(Anomaly(cells, region.cells[nearest], region, n, drop, interior))
    return out


def _copied_across(prints: Mapping[Pos, Print], pos: Pos, axis: int, is_blank: Callable[[Pos], bool]) -> bool:
    """The cell's formula is copied along the other axis (the next formula there, over at most MAX_GAP blank
    cells, shares its fingerprint): it belongs to a block of its own, a different rule rather than a slip."""
    fp = prints[pos].r1c1
    dr, dc = (0, 1) if axis == 0 else (1, 0)
    for sign in (-1, 1):
        for k in range(1, MAX_GAP + 2):
            q = (pos[0] + sign * k * dr, pos[1] + sign * k * dc)
            if q in prints:
                if prints[q].r1c1 == fp:
                    return True
                break
            if not is_blank(q):
                break
    return False
