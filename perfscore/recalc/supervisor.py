"""Supervised worker processes for the per-file task: a hang or a crash costs one file, never the batch.

ironcalc 0.9.1 (Rust) can loop forever inside one call (`=COMBIN(1E308,1E308)`, PERMUT, MULTINOMIAL …) where no
Python signal handler ever runs, and it prints panic backtraces on stderr. So every file runs in a worker process
the supervisor can kill:

- a worker is a fresh interpreter (spawn semantics, never fork-after-threads) started with `subprocess`, talking
  pickled messages over a socket pair (`multiprocessing.connection.Connection`). Not `multiprocessing.Process`:
  spawn would re-run the parent's `__main__` (the CLI, ~0.5 s of imports per worker), and daemonic processes
  (Dask workers) may not start `multiprocessing` children;
- the worker imports the heavy modules once, then takes `(job id, source, output, options)` and answers
  `(job id, FileReport)`; its stdout and stderr go to os.devnull (Rust panic backtraces would tear the progress
  bar; a contained panic is already a note in the summary, an uncontained one a failed row);
- the supervisor keeps a deadline on the job each worker is running; past it the worker is SIGKILLed, the job
  becomes one failed row with a Chinese reason and a fresh worker takes over. A worker that dies (segfault, OOM
  killer) likewise costs one failed row. Jobs queued behind the lost one are sent again, not failed;
- at most PER_WORKER jobs per worker are in flight (one running, one waiting in its socket), so memory is flat;
  reports stream back in completion order;
- an orphaned worker (parent SIGKILLed) exits on EOF when idle, and a stuck one is killed by the kernel
  2 × timeout + 30 s after its job started: an alarm (SIGALRM, default action) armed per job, which needs no
  GIL and no thread (faulthandler's watchdog started a thread per job: ~0.1 ms and a futex wait per file).
POSIX only (pass_fds); measured cost: one interpreter start + imports per worker (~0.3 s, in parallel), ~0.1 ms
per file.

`WorkerPool.run` is the local executor's loop; `recalc_guarded` runs one file the same way inside a Dask task,
reusing an idle worker per concurrently running task, so a hang cannot block a Dask worker either.
"""

from __future__ import annotations

import gc
import importlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Callable, Iterable, Iterator

from perfscore.recalc.report import FileReport, TaskOptions, failed
from perfscore.rules import PerfscoreError

TASK = "perfscore.recalc.task:recalc_file"
# everything the task imports, loaded before gc.freeze() (the checker is loaded lazily by perfscore.checks)
WARM = ("perfscore.checks.workbook", "perfscore.forms", "perfscore.recalc.task", "perfscore.recalc.summary_rows")
DEFAULT_TIMEOUT = 60.0
PER_WORKER = 2  # jobs in flight per worker: one running, the next already in its socket (no idle gap)
STARTUP_LIMIT = 120.0  # imports take < 1 s; a worker not ready by then is broken, not busy
START_FAILURES = 3  # consecutive workers dying before ready: the environment is broken, stop the batch
_ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")  # env of each worker


class WorkerStartError(PerfscoreError):
    """Worker processes die before they are ready: nothing can be computed (broken install, no memory)."""

    code = "recalc.worker_start"


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker runs. `task` is "module:function" with recalc_file's signature (tests inject their own)."""

    timeout: float | None = DEFAULT_TIMEOUT  # seconds per file; None = no limit (crashes still cost one row)
    task: str = TASK
    warm: tuple[str, ...] = WARM
    stderr: str | None = None  # a log file for the workers' stderr; None = os.devnull


# -- reasons -----------------------------------------------------------------------------------
def timeout_reason(source: str, timeout: float) -> str:
    return (f"{Path(source).name}：计算超时（超过 {timeout:g} 秒），可能含有使计算引擎卡死的公式"
            f"（如参数极大的 COMBIN/PERMUT）；文件未处理")


def crash_reason(source: str, returncode: int | None) -> str:
    code = "未知" if returncode is None else str(returncode)
    detail = ""
    if returncode is not None and returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"信号 {-returncode}"
        hint = {"SIGKILL": "，可能因内存不足被系统终止", "SIGSEGV": "，计算引擎崩溃",
                "SIGABRT": "，计算引擎崩溃", "SIGBUS": "，计算引擎崩溃"}.get(name, "")
        detail = f"，被 {name} 终止{hint}"
    return f"{Path(source).name}：计算进程异常退出（退出码 {code}{detail}）；文件未处理"


def internal_reason(source: str, exc: BaseException) -> str:
    return (f"{Path(source).name}：处理时发生内部错误（{type(exc).__name__}: {exc}）；文件未处理，"
            f"请把此文件反馈给开发者")


# -- the worker process ------------------------------------------------------------------------
def _resolve(spec: str) -> Callable[[str, str | None, TaskOptions], FileReport]:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def worker_main(fd: int) -> int:
    """Entry point of a worker process (`python -c ...`); returns the exit code."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the supervisor's business: it kills us
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the self-destruct alarm terminates, whatever holds the GIL
    conn = Connection(fd)
    try:
        init = conn.recv()
    except EOFError:
        return 0
    sys.path[:] = init["sys_path"] + [p for p in sys.path if p not in init["sys_path"]]
    for module in init["warm"]:
        importlib.import_module(module)
    task = _resolve(init["task"])
    self_destruct = init["self_destruct"]
    # The imported modules live as long as the worker: keep them out of every collection, and collect less
    # often (a form allocates many short-lived small objects; halves the GC time measured in bench/stages.py).
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            message = conn.recv()
        except EOFError:  # the supervisor is gone
            return 0
        job_id, source, output, options = message
        if self_destruct:
            signal.setitimer(signal.ITIMER_REAL, self_destruct)
        t0 = time.perf_counter()
        try:
            report = task(source, output, options)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # a bug of ours or a Rust panic escaping the engine: one row, not a dead batch
            report = failed(source, internal_reason(source, exc), time.perf_counter() - t0)
        finally:
            if self_destruct:
                signal.setitimer(signal.ITIMER_REAL, 0)
        try:
            conn.send((job_id, report))
        except OSError:
            return 0


_BOOT = "import sys; from perfscore.recalc.supervisor import worker_main; sys.exit(worker_main(int(sys.argv[1])))"


# -- the supervisor side -----------------------------------------------------------------------
@dataclass
class _Job:
    id: int
    source: str
    output: str | None


@dataclass
class _Worker:
    proc: subprocess.Popen
    conn: Connection
    started: float
    ready: bool = False
    jobs: deque[_Job] = field(default_factory=deque)
    head_since: float = 0.0  # when the job at the head of `jobs` started running

    @classmethod
    def start(cls, spec: WorkerSpec) -> "_Worker":
        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        # the worker must import perfscore even when it is not installed (a source checkout on sys.path)
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
        # one process per core already: numpy's BLAS (openpyxl imports numpy) must not add a pool of threads
        # per worker (they woke and spun beside the other workers; Dask's nanny sets the same)
        for name in _ONE_THREAD:
            env.setdefault(name, "1")
        sink = open(spec.stderr, "ab") if spec.stderr else subprocess.DEVNULL
        try:
            proc = subprocess.Popen([sys.executable, "-c", _BOOT, str(theirs.fileno())], pass_fds=(theirs.fileno(),),
                                    stdin=subprocess.DEVNULL, stdout=sink, stderr=sink, env=env)
        finally:
            theirs.close()
            if spec.stderr:
                sink.close()
        conn = Connection(ours.detach())
        timeout = spec.timeout
        conn.send({"sys_path": [p for p in sys.path if p], "warm": spec.warm, "task": spec.task,
                   "self_destruct": 2 * timeout + 30 if timeout else None})
        return cls(proc, conn, time.monotonic())

    def assign(self, job: _Job, options: TaskOptions, now: float) -> None:
        if not self.jobs:
            self.head_since = now
        self.jobs.append(job)
        self.conn.send((job.id, job.source, job.output, options))

    def deadline(self, timeout: float | None) -> float | None:
        if not self.ready:
            return self.started + STARTUP_LIMIT
        if not self.jobs or not timeout:
            return None
        return self.head_since + timeout

    def kill(self) -> int | None:
        if self.proc.poll() is None:
            self.proc.kill()
        rc = self.proc.wait()  # reaped: no zombie
        self.conn.close()
        return rc



def _remove_partial_output(output: str | None) -> None:
    """A worker killed inside write_bytes_atomic leaves its temp file (.name.XXXX.tmp) beside the target."""
    if not output:
        return
    target = Path(output)
    for tmp in target.parent.glob(f".{target.name}.*.tmp"):
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass


class WorkerPool:
    """Up to `size` supervised workers. `run` streams one FileReport per job, in completion order."""

    def __init__(self, spec: WorkerSpec = WorkerSpec(), size: int = 1) -> None:
        self.spec = spec
        self.size = max(1, size)
        self.workers: list[_Worker] = []
        self._ids = 0

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Kill every worker. Idle ones hold nothing worth flushing (outputs are renamed into place, reports
        sent), and SIGKILL takes 3 ms where a polite exit costs 30-60 ms of interpreter teardown each."""
        workers, self.workers = self.workers, []
        for w in workers:
            w.kill()

    @property
    def pids(self) -> list[int]:
        return [w.proc.pid for w in self.workers]

    def run(self, jobs: Iterable[tuple[str, str | None]], options: TaskOptions) -> Iterator[FileReport]:
        """Reports for `jobs` ((source, output) pairs, read lazily). Stopped early (exception, Ctrl-C, the
        consumer closing the generator), every worker is killed: nobody will read what they are doing."""
        incoming = iter(jobs)
        retry: deque[_Job] = deque()  # jobs a lost worker had not started: sent again, not failed
        exhausted = False
        start_failures = 0
        timeout = self.spec.timeout
        finished = False

        def next_job() -> _Job | None:
            nonlocal exhausted
            if retry:
                return retry.popleft()
            if exhausted:
                return None
            item = next(incoming, None)
            if item is None:
                exhausted = True
                return None
            self._ids += 1
            return _Job(self._ids, item[0], item[1])

        def lose(w: _Worker, timed_out: bool) -> FileReport | None:
            """Drop a dead or overdue worker. The job it was running becomes a failed row; the rest go back."""
            nonlocal start_failures
            now = time.monotonic()
            rc = w.kill()
            self.workers.remove(w)
            if not w.ready:  # never came up: its jobs are innocent
                retry.extendleft(reversed(w.jobs))
                start_failures += 1
                if start_failures >= START_FAILURES:
                    raise WorkerStartError(f"计算进程无法启动（连续 {start_failures} 次在就绪前退出，退出码 {rc}）；"
                                           f"请检查安装与可用内存")
                return None
            if not w.jobs:  # died while idle (OOM killer): nothing lost
                return None
            head = w.jobs.popleft()
            retry.extendleft(reversed(w.jobs))
            if timed_out:
                _remove_partial_output(head.output)
                return failed(head.source, timeout_reason(head.source, timeout), now - w.head_since)
            return failed(head.source, crash_reason(head.source, rc), now - w.head_since)

        def hand_out(w: _Worker, job: _Job) -> FileReport | None:
            """Send w a job; a worker found dead on sending is lost (its running job, if any, is the row)."""
            try:
                w.assign(job, options, time.monotonic())
            except OSError:
                w.jobs.pop()
                retry.appendleft(job)
                return lose(w, timed_out=False)
            return None

        try:
            while True:
                # start workers only for work that exists, then top every worker up to PER_WORKER jobs
                while len(self.workers) < self.size and (job := next_job()) is not None:
                    w = _Worker.start(self.spec)
                    self.workers.append(w)
                    if (lost := hand_out(w, job)) is not None:
                        yield lost
                while self.workers:
                    w = min(self.workers, key=lambda x: len(x.jobs))
                    if len(w.jobs) >= PER_WORKER or (job := next_job()) is None:
                        break
                    if (lost := hand_out(w, job)) is not None:
                        yield lost
                if not any(w.jobs for w in self.workers):
                    if retry or not exhausted:
                        continue  # every worker was lost while handing out: start new ones
                    break
                now = time.monotonic()
                deadlines = [d for w in self.workers if (d := w.deadline(timeout)) is not None]
                wait_for = max(0.0, min(deadlines) - now) if deadlines else None
                by_conn = {w.conn: w for w in self.workers}
                for conn in wait(list(by_conn), wait_for):
                    w = by_conn[conn]
                    try:
                        message = conn.recv()
                    except (EOFError, OSError):
                        if (lost := lose(w, timed_out=False)) is not None:
                            yield lost
                        continue
                    if message[0] == "ready":
                        w.ready = True
                        start_failures = 0
                        w.head_since = time.monotonic()  # imports do not count against the first job
                        continue
                    job_id, report = message
                    job = w.jobs.popleft()
                    if job.id != job_id:
                        raise RuntimeError(f"worker protocol out of step: job {job_id} answered, {job.id} expected")
                    w.head_since = time.monotonic()
                    yield report
                now = time.monotonic()
                for w in [w for w in self.workers if (d := w.deadline(timeout)) is not None and now >= d]:
                    if (lost := lose(w, timed_out=True)) is not None:
                        yield lost
            finished = True
        finally:
            if not finished:
                self.close()


# -- Dask: one guarded file per task ---------------------------------------------------------------
_SPARE: dict[WorkerSpec, list[WorkerPool]] = {}
_SPARE_LOCK = threading.Lock()


def recalc_guarded(source: str, output: str | None, options: TaskOptions = TaskOptions(),
                   spec: WorkerSpec = WorkerSpec()) -> FileReport:
    """recalc_file in a supervised worker process: the Dask task. Idle workers are kept per spec and reused
    (one per concurrently running task), so the per-file cost is one socket round trip."""
    with _SPARE_LOCK:
        spare = _SPARE.get(spec)
        pool = spare.pop() if spare else WorkerPool(spec, 1)
    reports = list(pool.run([(source, output)], options))  # an exception has already killed the worker
    with _SPARE_LOCK:
        _SPARE.setdefault(spec, []).append(pool)
    return reports[0]


def recalc_guarded_many(pairs: list[tuple[str, str | None]], options: TaskOptions = TaskOptions(),
                        spec: WorkerSpec = WorkerSpec()) -> list[FileReport]:
    """recalc_guarded over several files (one Dask task per chunk: a task round trip through the scheduler
    costs ~10 ms on a 2-core box, more than a typed form takes). Each file still has its own deadline."""
    with _SPARE_LOCK:
        spare = _SPARE.get(spec)
        pool = spare.pop() if spare else WorkerPool(spec, 1)
    reports = list(pool.run(pairs, options))
    with _SPARE_LOCK:
        _SPARE.setdefault(spec, []).append(pool)
    return reports


def close_spare_workers() -> int:
    """Stop the idle workers kept by recalc_guarded (end of a Dask batch); returns how many pools were closed."""
    with _SPARE_LOCK:
        pools = [p for spare in _SPARE.values() for p in spare]
        _SPARE.clear()
    for pool in pools:
        pool.close()
    return len(pools)
