"""`perfscore check PATHS...`: every check over workbooks and folders; text (rich) or JSON; exit 0/1/2."""

from __future__ import annotations

import json
from collections import Counter
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from perfscore.cli.common import make_console
from perfscore.checks import CHECKS, ERROR, NOTE, SEVERITIES, WARNING, Finding
from perfscore.rules import PerfscoreError, load_profile

_COLOURS = {ERROR: "red", WARNING: "yellow", NOTE: "cyan"}


class OutputFormat(str, Enum):
    text = "text"
    json = "json"


def _usage(console: Console, message: str) -> None:
    console.print(f"[red]用法错误[/red]：{message}")
    raise typer.Exit(2)


def _print_codes(console: Console) -> None:
    table = Table(title="检查代码 (check codes)")
    for head in ("代码 code", "严重程度", "名称", "说明"):
        table.add_column(head, overflow="fold")
    for spec in CHECKS.values():
        table.add_row(spec.code, f"[{_COLOURS[spec.severity]}]{spec.severity}[/]", spec.title, spec.description)
    console.print(table)


def render_text(console: Console, findings: list[Finding], n_files: int) -> None:
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(f.file, []).append(f)
    for file, items in by_file.items():
        counts = Counter(f.severity for f in items)
        summary = " · ".join(f"[{_COLOURS[s]}]{s} {counts[s]}[/]" for s in SEVERITIES)
        console.rule(f"[bold]{escape(file)}[/bold]  {summary}", align="left")
        for sev in SEVERITIES:
            group = [f for f in items if f.severity == sev]
            if not group:
                continue
            console.print(f"[bold {_COLOURS[sev]}]{sev}[/]（{len(group)}）")
            for f in group:
                where = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.sheet or "（整个文件）")
                console.print(f"  [bold]{escape(where)}[/bold]  [dim]{f.code}[/dim]  {escape(f.message)}",
                              soft_wrap=True)
    total = Counter(f.severity for f in findings)
    clean = n_files - len(by_file)
    console.print(
        f"共检查 {n_files} 个文件（{clean} 个无问题）："
        + "，".join(f"[{_COLOURS[s]}]{s} {total[s]}[/]" for s in SEVERITIES)
    )


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check_cmd(
        paths: Optional[List[Path]] = typer.Argument(
            None, help="要检查的工作簿（.xlsx/.xlsm）或文件夹（递归查找）", show_default=False),
        output_format: OutputFormat = typer.Option(
            OutputFormat.text, "--format", "-f", help="输出格式：text（按文件与严重程度分组）或 json（对象列表）"),
        profile: Optional[str] = typer.Option(
            None, "--profile", "-p",
            help="评分口径（规则配置）名称或 .toml 路径。优先顺序与 Excel、perfscore recalc 相同：公式自带的“规则”参数 "
                 "> 工作簿的定义名称 PERFSCORE_PROFILE > 本选项 > central。"),
        recalc: bool = typer.Option(False, "--recalc", help="先用无界面引擎重算全部公式，报告文件中未更新的缓存值（STALE_VALUE）"),
        show_all: bool = typer.Option(False, "--all", help="显示全部提示，包括非自评表工作表上的写死常数"),
        list_codes: bool = typer.Option(False, "--list-codes", help="列出全部检查代码及其含义后退出"),
    ) -> None:
        """检查自评表：合计、分值、得分与规则、执行率、等级、偏差原因、单位，以及每个工作表的公式。

        评分口径与公式实际使用的一致：公式自带的“规则”参数优先，其次是工作簿的定义名称 PERFSCORE_PROFILE，再次是 --profile，都没有时用 central。

        退出码：0 无“错误”；1 有“错误”（含无法读取的文件）；2 用法错误。
        """
        err = make_console(stderr=True)
        out = make_console(soft_wrap=True)
        if list_codes:
            _print_codes(out)
            raise typer.Exit(0)
        if not paths:
            _usage(err, "请给出至少一个工作簿或文件夹，例如：perfscore check 自评表.xlsx")
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            _usage(err, f"找不到：{'、'.join(missing)}")
        try:
            prof = load_profile(profile) if profile else None
        except PerfscoreError as exc:
            _usage(err, f"{exc}（可用 perfscore profiles 查看可用的评分规则）")
        from perfscore.checks.files import check_file, iter_workbooks  # the checker itself: only when checking

        files = list(iter_workbooks(paths))
        if not files:
            _usage(err, "给出的文件夹中没有 .xlsx/.xlsm 工作簿")
        findings: list[Finding] = []
        for f in files:
            findings += check_file(f, prof, display=str(f), recalc=recalc, show_all=show_all)
        if output_format is OutputFormat.json:
            typer.echo(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2))
        else:
            render_text(out, findings, len(files))
        raise typer.Exit(1 if any(f.severity == ERROR for f in findings) else 0)
