"""Per-stage timing of the recalc task (one process), to see where a form's milliseconds go.

    .venv/bin/python bench/stages.py [--forms 300] [--kind real|template] [--repeat 3] [--workdir DIR] [--profile-out FILE.prof] [--clock cpu]

Makes the benchmark corpus (bench/recalc.py make_corpus), then runs the stages of
perfscore.recalc.task._recalc one by one on every file and prints the mean milliseconds per file for each
stage, the checker split into its parts; with --repeat N the loop runs N times and each stage keeps its best
mean (a 2-core box shared with other work is noisy). The sum is close to, not equal to, what the task spends (the task
shares intermediate results between stages the same way).
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.recalc import make_corpus  # noqa: E402


def run(files: list[Path], outdir: Path, clock=time.perf_counter) -> dict[str, float]:
    from perfscore.checks import formulas as fx
    from perfscore.checks.findings import sort_findings
    from perfscore.checks.form_checks import check_declared_texts, check_form, row_classes
    from perfscore.checks.ignore import IGNORE_SHEET, apply_ignores, workbook_ignore_rules
    from perfscore.checks.workbook import _first_per_cell, _profile
    from perfscore.forms import read_forms
    from perfscore.recalc.engine import evaluate
    from perfscore.xlsx.repack import build_package
    from perfscore.recalc.task import _extent, _functions, recomputed_grid
    from perfscore.recalc.writeback import patched_parts
    from perfscore.xlsx.atomic import write_bytes_atomic
    from perfscore.xlsx.package import XlsxPackage, list_sheets
    from perfscore.xlsx.reader import grid_and_spans

    times: dict[str, float] = defaultdict(float)

    def timed(name, fn, *args, **kw):
        t = clock()
        out = fn(*args, **kw)
        times[name] += clock() - t
        return out

    for i, path in enumerate(files):
        def read():
            pkg = XlsxPackage(path.read_bytes(), str(path))
            return (pkg, *grid_and_spans(pkg, with_formats=True))
        pkg, grid, spans = timed("1 读取网格+公式位置 grid read + formula spans", read)

        def spans_of():
            entries, _, _ = list_sheets(pkg)
            parts = [e.part for e in entries]
            xmls = [pkg.read(p) for p in parts]
            arrays = {}
            for k, ss in enumerate(spans):
                for sp in ss:
                    if sp.f_kind == "array" and sp.f_ref:
                        arrays.setdefault(k, {})[(sp.row, sp.col)] = _extent(sp.f_ref)
            return parts, xmls, arrays
        parts, xmls, arrays = timed("2 数组公式 array formulas", spans_of)
        result = timed("3 引擎 engine", evaluate, grid, _functions(None), arrays)
        replaced, _ = timed("4 写回 patch", patched_parts, parts, xmls, spans, grid, result.values)
        data = timed("5a 打包 zip", build_package, pkg, replaced)
        timed("5b 写出 write", write_bytes_atomic, outdir / f"{i}.xlsx", data, fsync=False)
        after = timed("6 重算网格 recomputed grid", recomputed_grid, grid, result.values)
        forms = timed("7 表单读取 form reader", read_forms, after).forms
        prof = timed("8a 检查:方案 profile", _profile, after, None)
        findings = []
        for form in forms:
            findings += timed("8b 检查:表单 check_form", check_form, form, after, prof, str(path))
        findings += timed("8c 检查:文字 declared texts", check_declared_texts, after, forms, prof, str(path))
        classes = timed("8d 检查:行类别 row_classes", row_classes, forms)
        for sheet in after.sheets:
            if sheet.name == IGNORE_SHEET:
                continue
            ctx = timed("8e 检查:公式形状 shapes", fx._prepare, str(path), sheet, classes.get(sheet.name))
            findings += timed("8f 检查:不一致 inconsistent", fx.inconsistent_formulas, ctx)
            findings += timed("8g 检查:常数覆盖 typed_over", fx.typed_over_formulas, ctx)
            findings += timed("8h 检查:写死常数 hardcoded", fx.hardcoded_constants, ctx)
            findings += timed("8i 检查:错误值 errors", fx.formula_errors, ctx, after)

        def tail():
            fs = _first_per_cell(findings)
            rules, problems = workbook_ignore_rules(after, str(path))
            return sort_findings(apply_ignores(after, fs + problems, rules), [s.name for s in after.sheets])
        timed("8j 检查:忽略+排序 ignores+sort", tail)
    return {k: v / len(files) * 1000 for k, v in sorted(times.items())}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--forms", type=int, default=300)
    ap.add_argument("--kind", choices=["real", "template"], default="real", help="corpus (bench/recalc.py make_corpus)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the whole loop; each stage keeps its best")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--profile-out", default=None, help="also write a cProfile of the whole loop here")
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                    help="cpu: this process's CPU time (user + system), steadier than wall time on a shared box")
    args = ap.parse_args(argv)
    root = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="perfscore-stages-"))
    folder = make_corpus(root, args.forms, kind=args.kind)
    files = sorted(folder.rglob("*.xlsx"))

    def fresh(tag: str) -> Path:
        # a new output folder per run, as bench/recalc.py and a fresh batch write new files: replacing existing
        # outputs measured 0.2-0.8 ms per file here against 0.15 ms for new ones
        out = root / f"stage_out_{tag}"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        return out

    run(files[:5], fresh("warm"))  # warm caches and imports
    gc.freeze()  # as a supervised worker does (perfscore/recalc/supervisor.py)
    gc.set_threshold(10_000, 50, 100)
    if args.profile_out:
        import cProfile

        cProfile.runctx("run(files, out)", globals(), {"run": run, "files": files, "out": fresh("prof")},
                        filename=args.profile_out)
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    runs = [run(files, fresh(str(k)), clock) for k in range(max(1, args.repeat))]
    ms = {k: min(r[k] for r in runs) for k in runs[0]}
    total = sum(ms.values())
    checks = sum(v for k, v in ms.items() if k.startswith("8"))
    print(f"{len(files)} 份表单，每份平均毫秒数 (mean ms per form):")
    for name, v in ms.items():
        print(f"  {name:<34} {v:7.2f}")
    print(f"  {'检查合计 checker total':<34} {checks:7.2f}")
    print(f"  {'合计 total':<34} {total:7.2f}  → {1000 / total:.0f} 份/s（单进程，不含启动与汇总表）")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
