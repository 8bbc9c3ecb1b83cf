"""False alarms on correct published forms (tests/realforms/data), per check code and per layout.

Usage: python bench/false_alarms.py [--tables ID ...] [--layouts NAME ...]

Writes every table × layout (tests/realforms/layouts.py) into a temporary folder, runs the checker
(perfscore.checks.files.check_file) and prints:
  1. 错误/警告 counts per check code and per layout on the correct forms (known published defects apart);
  2. the rows whose published score differs from the rule (SCORE_DIFFERS_FROM_RULE) with the finding's reason;
  3. planted errors (wrong total, grade, weight sum, score over weight) found / missed per layout; a truncated
     table (no total row) gets only those that make sense (layouts.planted_kinds);
  4. apply (+ --overwrite) then recalc: cells that held a number and now show an error value, and forms whose
     recomputed total is not a number or moved from the published one (or, truncated, appeared at all).
Always exits 0: it measures, the tests in tests/realforms/ judge.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from perfscore.checks.files import check_file  # noqa: E402
from perfscore.checks.findings import ERROR, WARNING  # noqa: E402
from perfscore.forms import read_forms  # noqa: E402
from perfscore.forms.apply import apply_to_file  # noqa: E402
from perfscore.recalc.task import recalc_file  # noqa: E402
from perfscore.xlsx import read_grid  # noqa: E402
from perfscore.xlsx.grid import ExcelError  # noqa: E402
from tests.realforms.layouts import PLANTED, layouts_for, load_tables, planted, planted_kinds, write_form  # noqa: E402


def _table(title: str, header: list[str], rows: list[list[object]]) -> None:
    print(f"\n## {title}")
    cells = [header] + [[str(c) for c in r] for r in rows]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(header))]
    for k, r in enumerate(cells):
        print("  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths)).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))


def _width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def _is_number(v) -> bool:
    if isinstance(v, bool) or v is None:
        return False
    if isinstance(v, (int, float)):
        return True
    try:
        float(str(v).strip())
        return True
    except ValueError:
        return False


def apply_recalc(src: Path, overwrite: bool) -> tuple[list[str], object, object]:
    """(error cells that had a number, total before, total after) of apply + recalc on one form."""
    tag = "ow" if overwrite else "keep"
    applied = src.with_name(f"{src.stem}-{tag}-applied.xlsx")
    out = src.with_name(f"{src.stem}-{tag}-recalc.xlsx")
    apply_to_file(src, applied, overwrite=overwrite)
    report = recalc_file(str(applied), str(out))
    if not report.ok:
        return [f"recalc failed: {report.reason}"], None, None
    before, after = read_grid(src), read_grid(out)
    bad = []
    for s0, s1 in zip(before.sheets, after.sheets):
        for key, cell in s0.cells.items():
            new = s1.cells.get(key)
            if _is_number(cell.value) and new is not None and isinstance(new.value, ExcelError):
                bad.append(f"r{key[0]}c{key[1]} {cell.value!r} → {new.formula} = {new.value.code}")
    f0, f1 = read_forms(before).forms, read_forms(after).forms
    t0 = f0[0].total.value if f0 and f0[0].total else None
    t1 = f1[0].total.value if f1 and f1[0].total else None
    return bad, t0, t1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tables", nargs="*", help="table ids (default: all)")
    ap.add_argument("--layouts", nargs="*", help="layout names (default: all that apply)")
    args = ap.parse_args(argv)
    tables = load_tables()
    if args.tables:
        tables = {k: v for k, v in tables.items() if k in args.tables}
    t0 = time.perf_counter()
    by_code: dict[str, Counter] = defaultdict(Counter)  # code -> Counter[(severity, "known"|"false")]
    by_layout: dict[str, Counter] = defaultdict(Counter)
    rule_rows: dict[tuple[str, str, str], list] = {}  # (table, severity, message) -> [cells, layouts]
    false_rows: dict[tuple[str, str, str, str], list] = {}  # (table, code, severity, message) -> [cells, layouts]
    found: dict[str, Counter] = defaultdict(Counter)
    missed: list[str] = []
    applied: dict[tuple[str, str], Counter] = defaultdict(Counter)  # (layout, mode) -> counts
    apply_notes: list[str] = []
    n_forms = 0
    with tempfile.TemporaryDirectory(prefix="perfscore-false-alarms-") as tmp:
        for tid, table in tables.items():
            known = {d.split(":")[0] for d in table["known_defects"]}
            for lay in layouts_for(table):
                if args.layouts and lay not in args.layouts:
                    continue
                n_forms += 1
                clean = write_form(table, lay, Path(tmp) / f"{tid}-{lay}.xlsx")
                for mode in ("keep", "overwrite"):
                    bad, before, after = apply_recalc(clean, mode == "overwrite")
                    c = applied[(lay, mode)]
                    c["forms"] += 1
                    c["error_cells"] += len(bad)
                    if "total" not in table:  # truncated: no total row before, none may appear after
                        if after is not None:
                            c["total_moved"] += 1
                            apply_notes.append(f"{tid} {lay} {mode}: 无总分行的表出现总分 {after!r}")
                    elif not _is_number(after):
                        c["total_not_number"] += 1
                        apply_notes.append(f"{tid} {lay} {mode}: 总分 {before!r} → {after!r}")
                    elif _is_number(before) and abs(float(after) - float(before)) > 0.005:
                        c["total_moved"] += 1
                        apply_notes.append(f"{tid} {lay} {mode}: 总分 {before!r} → {after!r}")
                    apply_notes += [f"{tid} {lay} {mode}: {b}" for b in bad]
                for f in check_file(clean):
                    if f.severity not in (ERROR, WARNING):
                        continue
                    # a truncated table (no total row) sums below 100 by construction: its WEIGHT_SUM 警告 is expected
                    cut = ("truncated" in table and f.code == "WEIGHT_SUM" and f.severity == WARNING
                           and "没有总分行" in f.message)
                    tag = "known" if f.code in known or cut else "false"
                    by_code[f.code][(f.severity, tag)] += 1
                    if tag == "false":
                        by_layout[lay][f.severity] += 1
                        entry = false_rows.setdefault((tid, f.code, f.severity, f.message), [set(), []])
                        entry[0].add(f.cell)
                        entry[1].append(lay)
                    if f.code == "SCORE_DIFFERS_FROM_RULE":
                        entry = rule_rows.setdefault((tid, f.severity, f.message), [set(), []])
                        entry[0].add(f.cell)
                        entry[1].append(lay)
                for kind in planted_kinds(table, lay):
                    code = PLANTED[kind]
                    path = write_form(planted(table, kind), lay, Path(tmp) / f"{tid}-{lay}-{kind}.xlsx")
                    hit = any(f.code == code and f.severity == ERROR for f in check_file(path))
                    found[lay]["found" if hit else "missed"] += 1
                    if not hit:
                        missed.append(f"{tid} {lay} {kind} ({code})")
    n_cut = sum("truncated" in t for t in tables.values())
    print(f"# 正确表单的误报 (false alarms on correct published forms): {len(tables)} 张表 (tables), "
          f"{n_forms} 个表单 (forms = table × layout), {time.perf_counter() - t0:.1f} s")
    print(f"其中 {n_cut} 张为截断表 (truncated: stored copy cut off; no total row, planted errors only "
          f"weight sum / score over weight)")
    _table("按检查代码 (per check code) — 误报 = 不在 known_defects 中 (false = not a declared published defect); "
           "截断表无总分行的 WEIGHT_SUM 警告计为已知 (a truncated table's no-total-row WEIGHT_SUM 警告 counts as known)",
           ["代码 code", "错误 误报", "警告 误报", "错误 已知缺陷 (known)", "警告 已知缺陷"],
           [[code, c[(ERROR, "false")], c[(WARNING, "false")], c[(ERROR, "known")], c[(WARNING, "known")]]
            for code, c in sorted(by_code.items())])
    layouts = sorted({lay for t in tables.values() for lay in layouts_for(t)
                      if not args.layouts or lay in args.layouts})
    _table("按版式 (per layout) — 误报 (false alarms)", ["版式 layout", "错误", "警告"],
           [[lay, by_layout[lay][ERROR], by_layout[lay][WARNING]] for lay in layouts])
    _table("误报明细 (false alarms by table): 不在 known_defects 中的错误/警告及原因",
           ["表 table", "代码 code", "单元格 cells", "级别", "版式数 layouts", "原因 (finding message)"],
           [[tid, code, ",".join(sorted(cells)), sev, len(lays), msg]
            for (tid, code, sev, msg), (cells, lays) in sorted(false_rows.items())])
    _table("得分与评分规则不符 (SCORE_DIFFERS_FROM_RULE): 填报得分与规则计算不同的行及原因",
           ["表 table", "单元格 cells", "级别", "版式数 layouts", "原因 (finding message)"],
           [[tid, ",".join(sorted(cells)), sev, len(lays), msg]
            for (tid, sev, msg), (cells, lays) in sorted(rule_rows.items())])
    _table("植入错误 (planted errors): 检出/漏检 per layout", ["版式 layout", "检出 found", "漏检 missed"],
           [[lay, found[lay]["found"], found[lay]["missed"]] for lay in layouts])
    if missed:
        print("\n漏检 (missed):")
        for m in missed:
            print(f"  {m}")
    _table("apply + recalc: 原为数字、现为错误值的单元格 (error cells that had a number); 总分 (total)",
           ["版式 layout", "模式 mode", "表单 forms", "错误值单元格", "总分非数字", "总分变化 (moved)"],
           [[lay, mode, c["forms"], c["error_cells"], c["total_not_number"], c["total_moved"]]
            for (lay, mode), c in sorted(applied.items())])
    if apply_notes:
        print("\n明细 (details):")
        for note in apply_notes:
            print(f"  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
