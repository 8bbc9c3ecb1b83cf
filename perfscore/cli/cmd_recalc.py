"""`perfscore recalc`: headless batch recalculation with a summary workbook."""

from __future__ import annotations

import os
import time
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, SpinnerColumn, TextColumn, TimeRemainingColumn
from rich.text import Text

from perfscore.cli.common import fail, make_console, os_error_text


class Executor(str, Enum):
    local = "local"
    dask = "dask"


class _RateColumn(ProgressColumn):
    """Files per second."""

    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("—/s" if speed is None else f"{speed:,.1f} 个/s", style="progress.data.speed")


def recalc(
    paths: List[Path] = typer.Argument(..., help="工作簿文件或文件夹（递归查找 .xlsx/.xlsm）。 Files or folders."),
    output: Path = typer.Option(..., "-o", "--output", help="输出文件夹：重算后的工作簿写到这里，原文件不动。 Output folder."),
    profile: Optional[str] = typer.Option(None, "--profile", help="评分口径（规则配置）名称或 .toml 路径；工作簿自带 PERFSCORE_PROFILE 时以工作簿为准。"),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="并行进程数（默认：全部 CPU 核）。 Worker processes."),
    summary: Optional[Path] = typer.Option(None, "--summary", help="汇总表路径（默认 输出文件夹/重算汇总.xlsx）。 Summary workbook."),
    executor: Executor = typer.Option(Executor.local, "--executor", help="local：本机进程池；dask：Dask 集群。"),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask 调度器地址，如 tcp://10.0.0.5:8786（不填则临时启动本机集群）。"),
    strict: bool = typer.Option(False, "--strict", help="有文件失败时退出码为 1（供脚本判断）。 Exit 1 if any file failed."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="不显示进度条和结果表。 No progress output."),
    checks: bool = typer.Option(True, "--checks/--no-checks", help="同时运行检查规则，把错误/警告计入汇总（默认开启）。"),
    timeout: float = typer.Option(60.0, "--timeout", min=0, metavar="SECONDS",
                                  help="单个文件的计算时限（秒，默认 60；0 表示不限时）。超时的文件记为失败并注明原因，"
                                       "整批继续。 Per-file time limit; a file past it becomes a failed row."),
) -> None:
    """重算工作簿中的全部公式（Excel 内置函数 + 绩效评分函数），把结果写回副本，并生成汇总表。

    Recalculate every formula (Excel built-ins and the perfscore functions) headlessly, write the values into
    copies of the workbooks (formulas, styles, comments, VBA kept) and write a summary workbook.
    Exit codes: 0 batch ran (failed files are listed in the summary), 1 with --strict when a file failed,
    2 usage error.
    """
    from perfscore.recalc.batch import Survey, run_batch
    from perfscore.recalc.functions import FunctionTable
    from perfscore.recalc.summary import SummaryWriter
    from perfscore.recalc.report import TaskOptions
    from perfscore.rules import PerfscoreError

    console = make_console(stderr=True, quiet=quiet)
    errors = make_console(stderr=True)  # errors are shown even with --quiet
    if executor is Executor.local and scheduler:
        fail(errors, "--scheduler 只能与 --executor dask 一起使用", 2)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        fail(errors, f"找不到：{'、'.join(missing)}（请检查路径是否正确）", 2)
    if output.exists() and not output.is_dir():
        fail(errors, f"输出路径 {output} 已存在且不是文件夹", 2)
    out_root = output.resolve()
    for p in paths:
        here = p.resolve()
        if p.is_dir() and (here == out_root or out_root in here.parents):
            fail(errors, f"输出文件夹 {output} 不能是输入文件夹 {p} 本身或包含它（会与原文件混在一起、覆盖原文件）；"
                         f"请另选一个输出文件夹，例如 -o {p.name or 'out'}-重算结果", 2)
    try:
        FunctionTable(profile)
    except PerfscoreError as exc:
        fail(errors, f"评分口径无效：{exc}", 2)
    summary_path = summary or (output / "重算汇总.xlsx")
    if any(p.is_file() and p.resolve() == summary_path.resolve() for p in paths):
        fail(errors, f"汇总表 {summary_path} 就是输入文件之一（会覆盖它）；请用 --summary 另选汇总表路径", 2)
    # a first pass counts the files (progress bar, Dask chunks); the batch walks the folders again, so no list
    # of 100 000 jobs is held
    survey = Survey.of(paths, output, skip=summary_path)
    early = survey.early
    if survey.overwrites:
        fail(errors, f"输出会覆盖输入文件：{'、'.join(survey.overwrites)}；请另选输出文件夹", 2)
    if not survey.count:
        for report in early:
            errors.print(f"  {report.reason}", markup=False, highlight=False, soft_wrap=True)
        where = "、".join(str(p) for p in paths)
        fail(errors, f"{where} 中没有找到可重算的 Excel 工作簿（.xlsx/.xlsm），未生成汇总表", 2)
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(errors, f"无法建立输出文件夹 {output}：{os_error_text(exc)}", 2)
    options = TaskOptions(profile=profile, run_checks=checks, summary_rows=True, rows_only=True)  # rows made in the workers
    workers = jobs or os.cpu_count() or 1
    started = time.perf_counter()
    progress = Progress(SpinnerColumn(), TextColumn("[bold]重算[/bold]"), BarColumn(), MofNCompleteColumn(),
                        _RateColumn(), TextColumn("剩余"), TimeRemainingColumn(), console=console, disable=quiet,
                        transient=False)
    collector = SummaryWriter(summary_path, profile=profile)
    in_batch = False  # an OSError outside the batch is the summary's (cannot create or complete it)
    try:
        # rows go into the summary as reports arrive (on this process's core, while the workers compute)
        with collector:
            for report in early:
                collector.add(report)
            in_batch = True
            with progress:
                task = progress.add_task("recalc", total=survey.count)
                for report in run_batch(survey.jobs(), options, executor.value, workers, scheduler, timeout=timeout,
                                        count=survey.count):
                    collector.add(report)
                    progress.advance(task)
            in_batch = False
        os.sync()  # one flush for the whole batch (outputs are written atomically, without per-file fsync)
    except PerfscoreError as exc:  # e.g. the calculation processes could not start
        fail(errors, f"无法开始批量重算：{exc}", 2)
    except OSError as exc:
        if not in_batch:
            fail(errors, f"无法写出汇总表 {summary_path}：{os_error_text(exc)}", 2)
        # e.g. a Dask scheduler that cannot be reached
        where = f"Dask 调度器 {scheduler}" if scheduler else "计算进程"
        fail(errors, f"无法连接{where}：{exc}", 2)
    elapsed = time.perf_counter() - started
    ok, bad = collector.status["ok"], collector.status["failed"]
    if not quiet:
        rate = survey.count / elapsed if elapsed > 0 else 0.0
        console.print(f"完成：{ok} 个成功，{bad} 个失败，共 {collector.forms} 行；"
                      f"用时 {elapsed:.1f} 秒（{rate:.1f} 个/秒）。")
        console.print(f"汇总表：{summary_path}", soft_wrap=True, highlight=False)
        if bad:
            console.print("[yellow]失败的文件及原因见汇总表“文件”页。[/yellow]")
    if strict and bad:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("recalc")(recalc)
