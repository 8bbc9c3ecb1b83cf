"""Seeded random summary workbooks (not forms) with at most one planted formula defect each, to measure the
generic formula checks: precision and recall per workbook, false positives on clean ones.

Each sheet is a department/project list as finance staff build them: numbers, a rate column (C/B), a score
column ROUND(MIN(rate,1)×weight,2), a growth column, a running total, and a total row of SUMs. Which columns
appear, how many rows, where the table starts, and the planted defect are drawn from a seeded generator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from perfscore.xlsx.grid import cell_ref, col_letter

DEFECTS = ("clean", "slip-middle", "slip-edge", "typed", "hardcoded", "div0", "total-short")


@dataclass(frozen=True)
class Planted:
    kind: str
    expect: tuple[tuple[str, str], ...]  # (code, "Sheet!A1")


def _formula_columns(rng: random.Random) -> list[str]:
    cols = ["rate", "score"]
    for extra in ("growth", "running", "share"):
        if rng.random() < 0.6:
            cols.append(extra)
    rng.shuffle(cols)
    # the score needs the rate to its left
    if cols.index("score") < cols.index("rate"):
        i, j = cols.index("score"), cols.index("rate")
        cols[i], cols[j] = cols[j], cols[i]
    return cols


def build_generic(path: Path, seed: int) -> Planted:
    rng = random.Random(seed)
    kind = DEFECTS[seed % len(DEFECTS)]
    n = rng.randint(6, 28)
    top, left = rng.randint(1, 4), rng.randint(1, 3)
    sheet = rng.choice(("汇总", "明细", "附表1", "Sheet1"))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    inputs = ["name", "budget", "spent", "weight", "prior"]
    columns = inputs + _formula_columns(rng)
    col = {key: left + i for i, key in enumerate(columns)}
    L = {key: col_letter(c) for key, c in col.items()}
    headers = {"name": "单位", "budget": "预算数", "spent": "执行数", "weight": "分值", "prior": "上年数",
               "rate": "执行率", "score": "得分", "growth": "增长率", "running": "累计执行", "share": "占比"}
    for key, c in col.items():
        ws.cell(top, c, headers[key])
    first, last = top + 1, top + n
    total = last + 1

    def formula(key: str, r: int) -> str:
        if key == "rate":
            return f"={L['spent']}{r}/{L['budget']}{r}"
        if key == "score":
            return f"=ROUND(MIN({L['rate']}{r},1)*{L['weight']}{r},2)"
        if key == "growth":
            return f"=({L['spent']}{r}-{L['prior']}{r})/{L['prior']}{r}"
        if key == "running":
            return f"={L['spent']}{r}" if r == first else f"={L['running']}{r - 1}+{L['spent']}{r}"
        if key == "share":
            return f"={L['spent']}{r}/${L['spent']}${total}"
        raise KeyError(key)

    for r in range(first, last + 1):
        budget = rng.randint(50, 5000)
        ws.cell(r, col["name"], f"单位{r - first + 1:02d}")
        ws.cell(r, col["budget"], budget)
        ws.cell(r, col["spent"], round(budget * rng.uniform(0.6, 1.05), 2))
        ws.cell(r, col["weight"], rng.choice((5, 10, 10, 10, 20)))
        ws.cell(r, col["prior"], round(budget * rng.uniform(0.7, 1.2), 2))
        for key in columns[len(inputs):]:
            ws.cell(r, col[key], formula(key, r))
    ws.cell(total, col["name"], "合计")
    for key in ("budget", "spent", "weight", "prior"):
        ws.cell(total, col[key], f"=SUM({L[key]}{first}:{L[key]}{last})")
    ws.cell(total, col["rate"], f"={L['spent']}{total}/{L['budget']}{total}")

    expect: tuple[tuple[str, str], ...] = ()
    rows_ok = [key for key in columns[len(inputs):] if key != "running"]
    target = rng.choice(rows_ok)
    c = col[target]
    if kind == "slip-middle":
        r = rng.randint(first + 1, last - 1)
        ref = L["spent"] if target != "score" else L["rate"]
        ws.cell(r, c, formula(target, r).replace(f"{ref}{r}", f"{ref}{r + 1}", 1))
        expect = (("INCONSISTENT_FORMULA", f"{sheet}!{cell_ref(r, c)}"),)
    elif kind == "slip-edge":
        r = rng.choice((first, last))
        other = r + 1 if r == first else r - 1
        text = formula(target, r)
        ref = L["spent"] if target != "score" else L["rate"]
        ws.cell(r, c, text.replace(f"{ref}{r}", f"{ref}{other}", 1))
        expect = (("INCONSISTENT_FORMULA", f"{sheet}!{cell_ref(r, c)}"),)
    elif kind == "typed":
        r = rng.randint(first, last)
        ws.cell(r, c, round(rng.uniform(0.5, 9.5), 2))
        expect = (("TYPED_OVER_FORMULA", f"{sheet}!{cell_ref(r, c)}"),)
    elif kind == "hardcoded":
        r = rng.randint(first, last)
        w = ws.cell(r, col["weight"]).value
        ws.cell(r, col["score"], f"=ROUND(MIN({L['rate']}{r},1)*{w},2)")
        expect = (("HARDCODED_CONSTANT", f"{sheet}!{cell_ref(r, col['score'])}"),)
    elif kind == "div0":
        r = rng.randint(first, last)
        ws.cell(r, col["budget"], 0)
        expect = (("FORMULA_ERROR", f"{sheet}!{cell_ref(r, col['rate'])}"),)
    elif kind == "total-short":
        key = rng.choice(("weight", "prior"))  # a SUM with SUM neighbours on at least one side
        ws.cell(total, col[key], f"=SUM({L[key]}{first}:{L[key]}{last - 1})")
        expect = (("INCONSISTENT_FORMULA", f"{sheet}!{cell_ref(total, col[key])}"),)
    raw = path.with_name(path.stem + ".raw.xlsx")
    wb.save(raw)
    from perfscore.recalc.task import TaskOptions, recalc_file

    report = recalc_file(str(raw), str(path), TaskOptions(run_checks=False))
    assert report.ok, report.reason
    raw.unlink()
    return Planted(kind, expect)
