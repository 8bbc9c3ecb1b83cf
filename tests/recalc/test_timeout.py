"""A hanging or crashing file costs one summary row, never the batch: supervised workers, --timeout.

The hang is the real thing: `=COMBIN(1E308,1E308)` never returns from ironcalc 0.9.1 (inside Rust, where no
Python signal handler runs). Crashes are simulated by `misbehaving_task`, which the workers run instead of
recalc_file (WorkerSpec.task), so a file's name decides how its worker dies.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from perfscore.cli.main import app
from perfscore.recalc.batch import Job, discover, run_dask, run_local
from perfscore.recalc.task import TaskOptions, recalc_file
from tests.recalc.books import REPO, hanging_book, make_form
from tests.recalc.conftest import sha

TIMEOUT = 3.0
SLACK = 4.0  # worker start-up (~0.5 s each) and the replacement after a kill, on a loaded 2-core machine
runner = CliRunner()


def misbehaving_task(source: str, output: str | None, options: TaskOptions):
    """Runs in the worker process instead of recalc_file: crash*/oom*/bug* files misbehave, others are normal."""
    stem = Path(source).stem
    if stem.startswith("crash"):
        os._exit(3)
    if stem.startswith("oom"):
        os.kill(os.getpid(), signal.SIGKILL)  # what the OOM killer does
    if stem.startswith("bug"):
        raise ValueError("测试用的内部错误")
    return recalc_file(source, output, options)


HOOK = "tests.recalc.test_timeout:misbehaving_task"


def _descendants() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)}


def _assert_no_workers_left(before: set[int]) -> None:
    left = []
    for pid in _descendants() - before:
        try:
            left.append((pid, psutil.Process(pid).status()))
        except psutil.NoSuchProcess:
            continue
    assert not left, f"worker processes left behind (pid, status): {left}"


@pytest.fixture
def watchdog():
    """Should the supervision regress, kill this test's stuck workers after a while: the test then fails on its
    assertions instead of hanging the suite."""
    import threading

    before = _descendants()

    def kill_new() -> None:
        for pid in _descendants() - before:
            try:
                psutil.Process(pid).kill()
            except psutil.NoSuchProcess:
                pass

    timer = threading.Timer(TIMEOUT + 30, kill_new)
    timer.daemon = True
    timer.start()
    yield
    timer.cancel()


def _good_forms(folder: Path, n: int) -> list[Path]:
    return [make_form(folder / f"good{i}.xlsx", seed=20 + i, variant="udf") for i in range(n)]


def _expected(sources: list[Path], tmp: Path) -> dict[str, tuple]:
    """What recalc_file says in this process: the reference for the supervised runs."""
    out = {}
    for src in sources:
        target = tmp / "reference" / src.name
        r = recalc_file(str(src), str(target))
        assert r.ok, r.reason
        out[src.name] = (r.engine, r.formulas, r.patched, r.forms, sha(target))
    return out


def _observed(report, output: Path) -> tuple:
    return (report.engine, report.formulas, report.patched, report.forms, sha(output))


@pytest.mark.slow
def test_hanging_workbook_becomes_one_row_and_the_batch_goes_on_with_one_job(tmp_path, watchdog):
    src = tmp_path / "in"
    hang = hanging_book(src / "hang.xlsx")
    goods = _good_forms(src, 3)
    expected = _expected(goods, tmp_path)
    inputs = {p.name: sha(p) for p in src.iterdir()}
    out = tmp_path / "out"
    summary = tmp_path / "汇总.xlsx"
    before = _descendants()
    t0 = time.monotonic()
    result = runner.invoke(app, ["recalc", str(src), "-o", str(out), "--summary", str(summary), "-j", "1",
                                 "--timeout", str(TIMEOUT), "--quiet"])
    elapsed = time.monotonic() - t0
    assert result.exit_code == 0, result.output
    assert elapsed < TIMEOUT + SLACK, f"batch took {elapsed:.1f} s"
    _assert_no_workers_left(before)
    ws = load_workbook(summary, read_only=True)["文件"]
    rows = list(ws.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    by_file = {Path(r[header.index("文件")]).name: dict(zip(header, r)) for r in body}
    assert sorted(by_file) == sorted(["hang.xlsx", *(g.name for g in goods)])  # one row each, none lost
    hung = by_file["hang.xlsx"]
    assert "计算超时（超过 3 秒）" in hung["失败原因"] and "文件未处理" in hung["失败原因"]
    assert hung["状态"] != by_file["good0.xlsx"]["状态"]
    assert not (out / "hang.xlsx").exists() and not list(out.glob(".*.tmp"))
    for g in goods:  # correct: the same output bytes, engine and counts as recalc_file in this process
        row = by_file[g.name]
        engine, formulas, patched, _, digest = expected[g.name]
        assert not row["失败原因"] and sha(out / g.name) == digest
        assert (row["计算引擎"], row["公式数"], row["改写单元格数"]) == (engine, formulas, patched)
    assert {p.name: sha(p) for p in src.iterdir()} == inputs  # inputs untouched
    assert hang.exists()


@pytest.mark.slow
def test_crashed_workers_cost_one_row_each_and_are_replaced(tmp_path):
    src = tmp_path / "in"
    goods = _good_forms(src, 4)
    bad = [make_form(src / f"{stem}.xlsx", seed=5) for stem in ("crash", "oom", "bug")]
    expected = _expected(goods, tmp_path)
    jobs, early = discover([src], tmp_path / "out")
    assert not early and len(jobs) == 7
    before = _descendants()
    reports = list(run_local(jobs, TaskOptions(), workers=2, timeout=30, task=HOOK))
    _assert_no_workers_left(before)
    by_name = {Path(r.file).name: r for r in reports}
    assert len(reports) == len(by_name) == 7
    assert by_name["crash.xlsx"].reason == "crash.xlsx：计算进程异常退出（退出码 3）；文件未处理"
    assert "SIGKILL" in by_name["oom.xlsx"].reason and "内存" in by_name["oom.xlsx"].reason
    assert "内部错误" in by_name["bug.xlsx"].reason and "测试用的内部错误" in by_name["bug.xlsx"].reason
    assert not any(by_name[f"{s}.xlsx"].ok for s in ("crash", "oom", "bug"))
    out = tmp_path / "out"
    assert {g.name: _observed(by_name[g.name], out / g.name) for g in goods} == expected


def test_workers_that_cannot_start_stop_the_batch_with_a_reason(tmp_path):
    from perfscore.recalc.supervisor import WorkerStartError

    src = _good_forms(tmp_path / "in", 1)[0]
    jobs = [Job(str(src), str(tmp_path / "out" / src.name))]
    before = _descendants()
    with pytest.raises(WorkerStartError, match="无法启动"):
        list(run_local(jobs, TaskOptions(), workers=1, task="tests.recalc.no_such_module:task"))
    _assert_no_workers_left(before)


@pytest.mark.slow
def test_ctrl_c_kills_a_hung_worker(tmp_path):
    """SIGINT to the whole process group (what a terminal sends): the batch stops, no worker survives."""
    src = tmp_path / "in"
    hanging_book(src / "hang.xlsx")
    exe = Path(sys.executable).with_name("perfscore")  # the console script, as a user runs it
    proc = subprocess.Popen([str(exe), "recalc", str(src), "-o", str(tmp_path / "out"),
                             "-j", "1", "--timeout", "60", "--quiet"], cwd=REPO, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        parent = psutil.Process(proc.pid)
        deadline = time.monotonic() + 20
        workers = []
        while time.monotonic() < deadline and not workers:  # wait until the worker is busy in COMBIN
            workers = [c for c in parent.children(recursive=True) if c.cpu_percent(0.2) > 50]
        assert workers, "the worker never got busy"
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode != 0
    gone, alive = psutil.wait_procs(workers, timeout=5)
    assert not alive, f"hung workers survived Ctrl-C: {alive}"


@pytest.mark.slow
def test_dask_task_survives_a_hanging_workbook(tmp_path, watchdog):
    src = tmp_path / "in"
    hanging_book(src / "hang.xlsx")
    goods = _good_forms(src, 2)
    jobs, _ = discover([src], tmp_path / "out")
    before = _descendants()
    t0 = time.monotonic()
    reports = list(run_dask(jobs, TaskOptions(), None, 1, timeout=TIMEOUT))  # in-process LocalCluster
    assert time.monotonic() - t0 < TIMEOUT + SLACK + 5  # + the cluster's own start and stop
    _assert_no_workers_left(before)
    by_name = {Path(r.file).name: r for r in reports}
    assert sorted(by_name) == sorted(["hang.xlsx", *(g.name for g in goods)])
    assert "计算超时（超过 3 秒）" in by_name["hang.xlsx"].reason
    assert all(by_name[g.name].ok for g in goods)


def test_timeout_option_in_help():
    result = runner.invoke(app, ["recalc", "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "--timeout" in result.output and "时限" in result.output


def _bare_worker(self_destruct: float):
    """A worker process started as _Worker.start does, with a short self-destruct horizon."""
    import socket
    from multiprocessing.connection import Connection

    from perfscore.recalc.supervisor import _BOOT, TASK, WARM

    ours, theirs = socket.socketpair()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", _BOOT, str(theirs.fileno())], pass_fds=(theirs.fileno(),),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    theirs.close()
    conn = Connection(ours.detach())
    conn.send({"sys_path": [p for p in sys.path if p], "warm": WARM, "task": TASK, "self_destruct": self_destruct})
    assert conn.recv()[0] == "ready"
    return proc, conn


@pytest.mark.slow
def test_a_stuck_worker_kills_itself_and_an_idle_one_does_not(tmp_path, watchdog):
    """The self-destruct alarm is armed per job (a worker stuck in Rust whose supervisor is gone must not spin
    forever) and disarmed after it (an idle worker waits for work however long it takes)."""
    good = _good_forms(tmp_path / "in", 1)[0]
    proc, conn = _bare_worker(self_destruct=1.0)
    try:
        conn.send((1, str(good), str(tmp_path / "out" / good.name), TaskOptions()))
        job_id, report = conn.recv()
        assert (job_id, report.ok) == (1, True)
        time.sleep(2.0)  # twice the horizon, idle
        assert proc.poll() is None, "an idle worker killed itself"
        hang = hanging_book(tmp_path / "in" / "hang.xlsx")
        conn.send((2, str(hang), None, TaskOptions()))
        assert proc.wait(timeout=20) == -signal.SIGALRM  # inside ironcalc's endless loop: the kernel ends it
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        conn.close()
