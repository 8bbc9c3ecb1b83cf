"""Benchmark: perfscore recalc against LibreOffice headless with forced recalculation, on the same files.

    .venv/bin/python bench/recalc.py [--sizes 100,1000,10000] [--workers 1,2] [--lo-forms 100] [--lo-cli-forms 10]
                                     [--repeat 5]

Two corpora (`--kinds real,template`), each timed on its own and then in total:
- real: the published tables of tests/realforms/data (project, department and third-party 评分表) written by
  tests/realforms/layouts.py in every layout they come in (merged/repeated/first-row labels, reordered columns,
  numbers stored as text, 一、/1、 headed rows, judgement rows, no formulas), names, amounts, actuals and scores
  varied per copy, every tenth copy with one planted error;
- template: the committed 项目支出绩效自评表 template filled as a unit would, plus the user-layout form of
  bench/sample_forms.py with [1]!SCORE_* calls;
1 000 of each all different, larger batches repeat them under other names; plus a 20-sheet book. Runs
`perfscore recalc` end to end (process start, imports, summary workbook included) with 1 and 2 workers,
and LibreOffice (a persistent instance over UNO with calculateAll(), and plain `soffice --convert-to` with a
profile that recalculates on load) on a sample of the same files. Prints forms/s, the ratio to LibreOffice
peak RSS (largest process of the run) and CPU ms per form
(all processes: steadier than wall time when the box is shared).

Every run writes into a folder of its own and all outputs are removed at the very end: ext4 skips inodes
deleted in the last ~30-60 s when it creates a file, reading their blocks one by one (`recently_deleted` in a
kernel profile), so a run started just after removing 10 000 outputs paid ~1 ms of kernel time per file —
more of a short run than of a long one, which skewed the 2-worker/1-worker ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from bench.sample_forms import fill_template, make_big_book, make_form  # noqa: E402

DISTINCT = 1000  # distinct filled forms per kind (each its own numbers, names, blanks); larger batches repeat them
KINDS = ("real", "template")

_RSS_WRAPPER = ("import resource, subprocess, sys, time; t = time.perf_counter(); r = subprocess.run(sys.argv[1:]); "
                "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
                "print(r.returncode, time.perf_counter() - t, u.ru_maxrss, u.ru_utime + u.ru_stime)")


def _make_template_seed(seeds: Path, i: int) -> None:
    if i % 4 == 3:
        make_form(seeds / f"user_{i:04d}.xlsx", seed=i, variant="addin", blanks=i % 3)
    else:
        fill_template(seeds / f"tpl_{i:04d}.xlsx", seed=i, blanks=i % 3)


def _make_real_seed(seeds: Path, i: int) -> None:
    from bench.sample_forms import real_cases, write_real_copy

    cases = real_cases()
    tid, layout = cases[i % len(cases)]
    write_real_copy(tid, layout, i, seeds / f"real_{i:04d}_{tid}--{layout}.xlsx")


def _make_seed(args: tuple[Path, int, str]) -> None:
    seeds, i, kind = args
    (_make_real_seed if kind == "real" else _make_template_seed)(seeds, i)


def make_corpus(root: Path, n: int, distinct: int = DISTINCT, kind: str = "template") -> Path:
    """n forms of `kind` in folders of 500 (as a bureau receives them by unit); the first `distinct` are all
    different, so the per-process memos (formula lifts, label texts, rule results) meet new values as in a
    real batch. kind "real": the published tables of tests/realforms in every layout they come in (numbers as
    text, judgement rows, no formulas), names and numbers varied per copy; "template": our filled templates."""
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} not in {KINDS}")
    prefix = "" if kind == "template" else f"{kind}_"  # template folders keep their old names
    seeds = root / f"{prefix}distinct"
    if not seeds.exists():
        from concurrent.futures import ProcessPoolExecutor

        tmp = root / f"{prefix}distinct.partial"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        with ProcessPoolExecutor() as pool:
            list(pool.map(_make_seed, [(tmp, i, kind) for i in range(distinct)], chunksize=20))
        tmp.rename(seeds)
    folder = root / f"{prefix}forms_{n}"
    if not folder.exists():
        folder.mkdir(parents=True)
        sources = sorted(seeds.iterdir())
        for k in range(n):
            src = sources[k % len(sources)]
            sub = folder / f"单位{k // 500:03d}"
            sub.mkdir(exist_ok=True)
            shutil.copyfile(src, sub / f"{k:05d}_{src.name}")
    return folder


def run_measured(cmd: list[str]) -> tuple[int, float, int, float]:
    """(return code, wall seconds, peak RSS kB of the largest process, CPU seconds of all its processes)."""
    out = subprocess.run([sys.executable, "-c", _RSS_WRAPPER, *cmd], capture_output=True, text=True, check=False)
    rc, seconds, rss_kb, cpu = out.stdout.strip().splitlines()[-1].split()
    return int(rc), float(seconds), int(rss_kb), float(cpu)


def perfscore_run(folder: Path, outdir: Path, workers: int, checks: bool, executor: str = "local") -> dict:
    """outdir must not exist yet (see the module docstring: no deletion just before a run)."""
    exe = Path(sys.executable).with_name("perfscore")
    cmd = [str(exe), "recalc", str(folder), "-o", str(outdir), "--jobs", str(workers), "--quiet",
           "--executor", executor]
    if not checks:
        cmd.append("--no-checks")
    rc, seconds, rss, cpu = run_measured(cmd)
    files = sum(1 for _ in folder.rglob("*.xlsx"))
    return {"rc": rc, "files": files, "seconds": seconds, "rate": files / seconds, "rss_mb": rss / 1024,
            "cpu_ms": cpu / files * 1000}


def lo_run(mode: str, files: list[Path], outdir: Path) -> dict:
    proc = subprocess.run(["/usr/bin/python3", str(HERE / "lo_oracle.py"), mode, str(outdir), *map(str, files)],
                          capture_output=True, text=True, check=True)
    data = json.loads(proc.stdout)
    data["rate"] = data["files"] / data["seconds"]
    return data


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--kinds", default="real,template", help="corpora: real (tests/realforms tables in every "
                    "layout) and/or template (our filled templates); each is timed on its own, then in total")
    ap.add_argument("--lo-forms", type=int, default=100, help="forms of each kind LibreOffice (UNO) recalculates")
    ap.add_argument("--lo-cli-forms", type=int, default=10, help="forms of each kind for soffice --convert-to")
    ap.add_argument("--no-checks", action="store_true", help="run perfscore recalc without the checker")
    ap.add_argument("--executor", choices=["local", "dask"], default="local",
                    help="dask: a LocalCluster with one Dask worker process per --workers (peak RSS: largest process)")
    ap.add_argument("--no-lo", action="store_true", help="skip LibreOffice (ratios then printed as 0)")
    ap.add_argument("--no-big-book", action="store_true", help="skip the 20-sheet book")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--repeat", type=int, default=1, help="rounds of every worker count, back to back; the "
                    "speed-up is the median of the per-round ratios (the host's speed drifts)")
    ap.add_argument("--distinct", type=int, default=DISTINCT, help="different forms made per kind (larger "
                    "batches repeat them)")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    workers = [int(w) for w in args.workers.split(",") if w]
    kinds = [k for k in args.kinds.split(",") if k]
    root = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="perfscore-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    checks = not args.no_checks
    outputs = Path(tempfile.mkdtemp(prefix="outputs-", dir=root))  # every run's outputs, removed at the end
    print(f"机器 (machine): {os.cpu_count()} CPU；工作目录 {root}；检查规则 {'开' if checks else '关'}；执行器 {args.executor}；"
          f"语料 {','.join(kinds)}，每类 {args.distinct} 份各不相同")

    # -- LibreOffice baselines on the same files, per kind ---------------------------------------
    uno: dict[str, dict] = {}
    cli: dict[str, dict] = {}
    for kind in kinds:
        if args.no_lo:
            uno[kind] = cli[kind] = {"rate": float("inf")}
            continue
        sample_folder = make_corpus(root, max(args.lo_forms, args.lo_cli_forms), args.distinct, kind)
        sample = sorted(sample_folder.rglob("*.xlsx"))
        uno[kind] = lo_run("convert", sample[: args.lo_forms], outputs / f"lo_uno_{kind}")
        print(f"[{kind}] LibreOffice UNO calculateAll + 保存: {uno[kind]['files']} 份 {uno[kind]['seconds']:.1f} s = "
              f"{uno[kind]['rate']:.1f} 份/s（另启动 {uno[kind]['startup']:.1f} s）")
        cli[kind] = lo_run("cli", sample[: args.lo_cli_forms], outputs / f"lo_cli_{kind}")
        print(f"[{kind}] LibreOffice soffice --convert-to（OOXMLRecalcMode=0，每份一个进程）: {cli[kind]['files']} 份 "
              f"{cli[kind]['seconds']:.1f} s = {cli[kind]['rate']:.2f} 份/s")

    # -- the 20-sheet book -----------------------------------------------------------------------
    if not args.no_big_book:
        big_dir = root / "book20"
        if not big_dir.exists():
            make_big_book(big_dir / "20张表.xlsx", sheets=20)
        ours_big = perfscore_run(big_dir, outputs / "out_big", 1, checks)
        lo_big = lo_run("convert", [big_dir / "20张表.xlsx"], outputs / "lo_big")
        print(f"20 张工作表的工作簿（1 203 个公式）: perfscore {ours_big['seconds']:.2f} s（含进程启动）, "
              f"LibreOffice UNO {lo_big['seconds']:.2f} s（不含启动）")

    # -- batches: each kind on its own, then the total (all kinds' files over all kinds' seconds) ---------
    print()
    print(f"{'语料':>8} {'份数':>6} {'进程':>4} {'用时(s)':>8} {'份/s':>8} {'对 LO UNO':>9} {'对 LO CLI':>9} "
          f"{'峰值内存(MB)':>12} {'CPU ms/份':>9}")

    def row(kind: str, n: int, w: int, seconds: float, rate: float, lo_uno: float, lo_cli: float, rss: float,
            cpu_ms: float) -> None:
        # CPU ms per form (all processes, start-up and summary included) is steadier than wall time on a shared box
        print(f"{kind:>8} {n:>6} {w:>4} {seconds:>8.1f} {rate:>8.1f} {rate / lo_uno:>8.1f}x "
              f"{rate / lo_cli:>8.0f}x {rss:>12.0f} {cpu_ms:>9.2f}")

    scaling: dict[tuple[str, int], list[dict[int, float]]] = {}  # (kind, n) -> per round: workers -> seconds
    for n in sizes:
        for rnd in range(args.repeat):
            for w in workers:
                done = []
                for kind in kinds:
                    folder = make_corpus(root, n, args.distinct, kind)
                    r = perfscore_run(folder, outputs / f"out_{kind}_{n}_{w}_{rnd}", w, checks, args.executor)
                    assert r["rc"] == 0, r
                    row(kind, n, w, r["seconds"], r["rate"], uno[kind]["rate"], cli[kind]["rate"], r["rss_mb"],
                        r["cpu_ms"])
                    done.append((kind, r))
                    rounds = scaling.setdefault((kind, n), [])
                    if len(rounds) <= rnd:
                        rounds.append({})
                    rounds[rnd][w] = r["seconds"]
                if len(done) > 1:
                    files = sum(r["files"] for _, r in done)
                    seconds = sum(r["seconds"] for _, r in done)
                    # LibreOffice's total rate on the same mix: the time it would take for each kind's share
                    lo_uno = files / sum(r["files"] / uno[k]["rate"] for k, r in done)
                    lo_cli = files / sum(r["files"] / cli[k]["rate"] for k, r in done)
                    cpu_ms = sum(r["cpu_ms"] * r["files"] for _, r in done) / files
                    row("合计", files, w, seconds, files / seconds, lo_uno, lo_cli,
                        max(r["rss_mb"] for _, r in done), cpu_ms)
    if len(workers) > 1:
        # the host's speed drifts by tens of percent within a minute: each round runs every worker count back
        # to back, and the ratio is taken within a round (median over the rounds)
        base, top = min(workers), max(workers)
        print()
        print(f"{top} 个进程对 {base} 个进程的加速比（每轮相邻运行之比；{args.repeat} 轮）:")
        for (kind, n), rounds in scaling.items():
            ratios = sorted(r[base] / r[top] for r in rounds)
            print(f"{kind:>8} {n:>6}  中位数 {statistics.median(ratios):.2f}x  （各轮 "
                  f"{'、'.join(f'{x:.2f}' for x in ratios)}）")
    shutil.rmtree(outputs, ignore_errors=True)
    if not args.workdir:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
