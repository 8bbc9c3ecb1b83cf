"""Batches: find the files, plan output names, run the per-file task on an executor, stream the reports.

Executors run the same function, `recalc_file(path, output, options)`, always in a supervised process
(`perfscore.recalc.supervisor`): ironcalc can hang forever inside one call or crash, and neither may stop or
block a batch. A file past `timeout` seconds (or whose process dies) becomes one failed row with a Chinese reason.
- "local": `workers` supervised worker processes (also for one worker: a hang must not block `--jobs 1`),
  a bounded window of files in flight;
- "dask": an existing cluster (`scheduler` address) or, without one, a LocalCluster started for the batch. Each
  Dask task runs a chunk of files (`chunk_size`; one file a task in small batches) in a supervised child of
  the Dask worker (started once per Dask worker thread and reused), so a hanging file costs `timeout` seconds
  of that worker, never the worker itself. Limitation: Dask sees the child's CPU as the task's; memory limits
  of the Dask nanny do not cover the child.
Reports come back one by one (one chunk at a time from Dask; small, picklable), so memory does not grow with
the batch.
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from perfscore.recalc.report import (
    OTHER_SPREADSHEETS,
    SPREADSHEET_SUFFIXES,
    FileReport,
    TaskOptions,
    failed,
)
from perfscore.recalc.supervisor import (
    DEFAULT_TIMEOUT,
    TASK,
    WorkerPool,
    WorkerSpec,
    close_spare_workers,
    recalc_guarded_many,
)


@dataclass(frozen=True)
class Job:
    source: str
    output: str | None  # None: nothing to write (a file reported without processing)


def _is_lock_file(p: Path) -> bool:
    return p.name.startswith("~$")


def discover(paths: Iterable[str | os.PathLike[str]], outdir: str | os.PathLike[str]) -> tuple[list[Job], list[FileReport]]:
    """Jobs for every .xlsx/.xlsm under the paths, and report rows for everything else worth mentioning.

    Folders are searched recursively; the output folder itself is never searched (re-runs do not feed on
    their own outputs). Output names mirror the path under the given folder; clashes get a numeric suffix.
    """
    out_root = Path(outdir).resolve()
    jobs: list[Job] = []
    reports: list[FileReport] = []
    taken: set[str] = set()

    def plan(src: Path, rel: Path) -> None:
        target = out_root / rel
        key = str(target).lower()
        n = 2
        while key in taken:
            target = out_root / rel.with_name(f"{rel.stem}-{n}{rel.suffix}")
            key = str(target).lower()
            n += 1
        taken.add(key)
        jobs.append(Job(str(src), str(target)))

    for raw in paths:
        p = Path(raw)
        if not p.exists():
            reports.append(failed(str(p), f"{p}：文件或文件夹不存在"))
            continue
        if p.is_file():
            suffix = p.suffix.lower()
            if suffix in SPREADSHEET_SUFFIXES and not _is_lock_file(p):
                plan(p, Path(p.name))
            elif suffix in OTHER_SPREADSHEETS:
                reports.append(failed(str(p), f"{p.name}：{OTHER_SPREADSHEETS[suffix]}"))
            else:
                reports.append(failed(str(p), f"{p.name}：不是 Excel 工作簿（.xlsx/.xlsm），未处理"))
            continue
        for dirpath, dirnames, filenames in os.walk(p):
            here = Path(dirpath)
            if here.resolve() == out_root or out_root in here.resolve().parents:
                dirnames[:] = []
                continue
            dirnames.sort()
            for name in sorted(filenames):
                f = here / name
                suffix = f.suffix.lower()
                if _is_lock_file(f):
                    reports.append(failed(str(f), f"{name}：Excel/WPS 的临时锁定文件，已跳过"))
                elif suffix in SPREADSHEET_SUFFIXES:
                    plan(f, f.relative_to(p))
                elif suffix in OTHER_SPREADSHEETS:
                    reports.append(failed(str(f), f"{name}：{OTHER_SPREADSHEETS[suffix]}"))
    return jobs, reports


# -- executors -------------------------------------------------------------------------------
def _spec(timeout: float | None, task: str | None) -> WorkerSpec:
    """Workers import supervisor.WARM once (not once per file) and run `task` (default recalc_file)."""
    return WorkerSpec(timeout=timeout or None, task=task or TASK)


def run_local(jobs: list[Job], options: TaskOptions, workers: int, timeout: float | None = DEFAULT_TIMEOUT,
              task: str | None = None) -> Iterator[FileReport]:
    """`workers` supervised processes (at least one); `timeout` seconds per file (0/None: no limit).
    `task` ("module:function") replaces recalc_file in the workers (tests)."""
    with WorkerPool(_spec(timeout, task), max(1, min(workers, len(jobs)))) as pool:
        yield from pool.run(((job.source, job.output) for job in jobs), options)


def chunk_size(files: int, workers: int, most: int = 64) -> int:
    """Files per Dask task: about 16 tasks per worker, at most `most` files (a lost task redoes no more)."""
    return max(1, min(most, files // (workers * 16)))


def run_dask(jobs: list[Job], options: TaskOptions, scheduler: str | None, workers: int,
             timeout: float | None = DEFAULT_TIMEOUT, task: str | None = None) -> Iterator[FileReport]:
    """The same task on a Dask cluster: `scheduler` "tcp://host:8786", or a LocalCluster when None.
    Each task runs its file in a supervised child process of the Dask worker (see the module docstring)."""
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=max(workers, 1), threads_per_worker=1, processes=workers > 1,
                               dashboard_address=None)
        client = Client(cluster)
    spec = _spec(timeout, task)
    # files go in chunks (one task per chunk, reports streamed per chunk): small batches keep one file a task
    size = chunk_size(len(jobs), max(workers, 1))
    chunks = ([(j.source, j.output) for j in jobs[i:i + size]] for i in range(0, len(jobs), size))

    def submit_next() -> None:
        chunk = next(chunks, None)
        if chunk is not None:
            futures.add(client.submit(recalc_guarded_many, chunk, options, spec, pure=False))

    try:
        futures = as_completed()
        for _ in range(max(workers, 1) * 4):
            submit_next()
        for fut in futures:
            reports = fut.result()
            fut.release()
            yield from reports
            submit_next()
    finally:
        try:
            client.run(close_spare_workers)  # the guarded tasks' idle children, on every Dask worker
        except (OSError, TimeoutError):
            pass  # the cluster is gone, and with it the children (they exit when their parent's socket closes)
        client.close()
        if cluster is not None:
            cluster.close()


def run_batch(jobs: list[Job], options: TaskOptions, executor: str = "local", workers: int | None = None,
              scheduler: str | None = None, on_report: Callable[[FileReport], None] | None = None,
              timeout: float | None = DEFAULT_TIMEOUT) -> Iterator[FileReport]:
    workers = workers or os.cpu_count() or 1
    if executor == "dask":
        runner = run_dask(jobs, options, scheduler, workers, timeout)
    else:
        runner = run_local(jobs, options, workers, timeout)
    for report in runner:
        if on_report is not None:
            on_report(report)
        yield report
