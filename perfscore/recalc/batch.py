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
from itertools import islice
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator

from perfscore.recalc.report import (
    OTHER_SPREADSHEETS,
    SPREADSHEET_SUFFIXES,
    FileReport,
    TaskOptions,
    failed,
)
from perfscore.rules import PerfscoreError
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


def _is_lock_file(name: str) -> bool:
    return name.startswith("~$")


def scan(paths: Iterable[str | os.PathLike[str]], outdir: str | os.PathLike[str],
         skip: str | os.PathLike[str] | None = None) -> Iterator[Job | FileReport]:
    """A Job for every .xlsx/.xlsm under the paths and a report row for everything else worth mentioning, in a
    fixed order (sorted walk), one at a time: a batch of 100 000 files never holds a list of them.

    Folders are searched recursively; the output folder itself is never searched (re-runs do not feed on
    their own outputs). Output names mirror the path under the given folder; clashes get a numeric suffix
    (only the lower-cased targets are remembered, to find them).
    """
    out_path = Path(outdir).resolve()
    out_root = str(out_path)
    skipped = Path(skip).resolve() if skip else None  # the batch's own summary workbook, wherever it is written
    taken: set[str] = set()

    def plan(src: str, rel: str) -> Job:
        target = os.path.join(out_root, rel)
        key = target.lower()
        stem, suffix = os.path.splitext(rel)
        n = 2
        while key in taken:
            target = os.path.join(out_root, f"{stem}-{n}{suffix}")
            key = target.lower()
            n += 1
        taken.add(key)
        return Job(src, target)

    for raw in paths:
        p = Path(raw)
        if not p.exists():
            yield failed(str(p), f"{p}：文件或文件夹不存在")
            continue
        if p.is_file():
            suffix = p.suffix.lower()
            if suffix in SPREADSHEET_SUFFIXES and not _is_lock_file(p.name):
                yield plan(str(p), p.name)
            elif suffix in OTHER_SPREADSHEETS:
                yield failed(str(p), f"{p.name}：{OTHER_SPREADSHEETS[suffix]}")
            else:
                yield failed(str(p), f"{p.name}：不是 Excel 工作簿（.xlsx/.xlsm），未处理")
            continue
        root = str(p)
        # plain strings per file (pathlib interns every path part it parses: its table grew with the batch)
        for dirpath, dirnames, filenames in os.walk(root):
            here = Path(dirpath)  # once per folder
            resolved = here.resolve()
            if resolved == out_path or out_path in resolved.parents:
                dirnames[:] = []
                continue
            dirnames.sort()
            folder = str(here)  # as pathlib spells it ("./in/" -> "in"); ".." kept
            rel_folder = str(here.relative_to(p))
            for name in sorted(filenames):
                f = os.path.join(folder, name)
                suffix = os.path.splitext(name)[1].lower()
                if _is_lock_file(name):
                    yield failed(f, f"{name}：Excel/WPS 的临时锁定文件，已跳过")
                elif suffix in SPREADSHEET_SUFFIXES:
                    if skipped is None or name != skipped.name or Path(f).resolve() != skipped:
                        yield plan(f, name if rel_folder == "." else os.path.join(rel_folder, name))
                elif suffix in OTHER_SPREADSHEETS:
                    yield failed(f, f"{name}：{OTHER_SPREADSHEETS[suffix]}")


def discover(paths: Iterable[str | os.PathLike[str]], outdir: str | os.PathLike[str]) -> tuple[list[Job], list[FileReport]]:
    """scan() as two lists: the jobs and the report rows (for small batches and tests)."""
    jobs: list[Job] = []
    reports: list[FileReport] = []
    for item in scan(paths, outdir):
        (jobs if isinstance(item, Job) else reports).append(item)
    return jobs, reports


_real_dir = lru_cache(maxsize=4096)(os.path.realpath)  # one realpath per folder, not per file (lstat per part)


def _same_file(output: str, source: str) -> bool:
    """Would writing `output` replace `source`? The same name in the same (resolved) folder, or one resolving
    to the other through a link."""
    out_dir, out_name = os.path.split(output)
    src_dir, src_name = os.path.split(source)
    if out_name == src_name and _real_dir(out_dir) == _real_dir(src_dir):
        return True
    return os.path.islink(source) and os.path.realpath(source) == os.path.realpath(output)


@dataclass
class Survey:
    """A first pass of scan(): how many jobs, the (few) report rows, jobs whose output would be their input.
    `jobs()` walks the folders again for the jobs themselves (same order, same names)."""

    paths: tuple
    outdir: str
    skip: str | None = None  # the summary workbook: never an input (re-runs would read their own summary)
    count: int = 0
    early: list[FileReport] = field(default_factory=list)
    overwrites: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, paths: Iterable[str | os.PathLike[str]], outdir: str | os.PathLike[str],
           skip: str | os.PathLike[str] | None = None) -> "Survey":
        survey = cls(tuple(paths), str(outdir), str(skip) if skip else None)
        for item in scan(survey.paths, survey.outdir, survey.skip):
            if isinstance(item, FileReport):
                survey.early.append(item)
                continue
            survey.count += 1
            if item.output and _same_file(item.output, item.source):
                survey.overwrites.append(item.source)
        return survey

    def jobs(self) -> Iterator[Job]:
        return (item for item in scan(self.paths, self.outdir, self.skip) if isinstance(item, Job))


# -- executors -------------------------------------------------------------------------------
def _spec(timeout: float | None, task: str | None) -> WorkerSpec:
    """Workers import supervisor.WARM once (not once per file) and run `task` (default recalc_file)."""
    return WorkerSpec(timeout=timeout or None, task=task or TASK)


def _counted(jobs: Iterable[Job], count: int | None) -> tuple[Iterable[Job], int]:
    """The jobs and how many there are: a list counts itself, a stream (Survey.jobs()) comes with its count."""
    if count is None:
        jobs = list(jobs)
        count = len(jobs)
    return jobs, count


def run_local(jobs: Iterable[Job], options: TaskOptions, workers: int, timeout: float | None = DEFAULT_TIMEOUT,
              task: str | None = None, count: int | None = None) -> Iterator[FileReport]:
    """`workers` supervised processes (at least one); `timeout` seconds per file (0/None: no limit).
    `task` ("module:function") replaces recalc_file in the workers (tests); `count`: len of a streamed `jobs`."""
    jobs, count = _counted(jobs, count)
    with WorkerPool(_spec(timeout, task), max(1, min(workers, count))) as pool:
        yield from pool.run(((job.source, job.output) for job in jobs), options)


class DaskStartError(PerfscoreError):
    """The Dask cluster could not be started or reached: nothing was computed."""

    code = "recalc.dask_start"


def chunk_size(files: int, workers: int, most: int = 64) -> int:
    """Files per Dask task: about 16 tasks per worker, at most `most` files (a lost task redoes no more)."""
    return max(1, min(most, files // (workers * 16)))


def run_dask(jobs: Iterable[Job], options: TaskOptions, scheduler: str | None, workers: int,
             timeout: float | None = DEFAULT_TIMEOUT, task: str | None = None,
             count: int | None = None) -> Iterator[FileReport]:
    """The same task on a Dask cluster: `scheduler` "tcp://host:8786", or a LocalCluster when None.
    Each task runs its file in a supervised child process of the Dask worker (see the module docstring)."""
    from distributed import Client, LocalCluster, as_completed

    jobs, count = _counted(jobs, count)
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler)
        else:
            cluster = LocalCluster(n_workers=max(workers, 1), threads_per_worker=1, processes=workers > 1,
                                   dashboard_address=None)
            client = Client(cluster)
    except (RuntimeError, TimeoutError) as exc:  # a nanny that cannot start, a scheduler that never answers
        where = f"Dask 调度器 {scheduler}" if scheduler else "Dask 本机集群（LocalCluster）"
        raise DaskStartError(f"无法启动或连接 {where}：{exc}；可改用 --executor local") from exc
    spec = _spec(timeout, task)
    # files go in chunks (one task per chunk, reports streamed per chunk): small batches keep one file a task
    size = chunk_size(count, max(workers, 1))
    stream = iter(jobs)
    chunks = iter(lambda: [(j.source, j.output) for j in islice(stream, size)], [])

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


def run_batch(jobs: Iterable[Job], options: TaskOptions, executor: str = "local", workers: int | None = None,
              scheduler: str | None = None, on_report: Callable[[FileReport], None] | None = None,
              timeout: float | None = DEFAULT_TIMEOUT, count: int | None = None) -> Iterator[FileReport]:
    workers = workers or os.cpu_count() or 1
    if executor == "dask":
        runner = run_dask(jobs, options, scheduler, workers, timeout, count=count)
    else:
        runner = run_local(jobs, options, workers, timeout, count=count)
    for report in runner:
        if on_report is not None:
            on_report(report)
        yield report
