"""`perfscore profiles`, `perfscore profile NAME`, `perfscore score ...`: the rule core from the terminal."""

from __future__ import annotations

from typing import Optional

import typer
from rich.table import Table

from perfscore.cli.common import make_console
from perfscore.rules import PerfscoreError, assess_exec_rate, assess_indicator, grade, list_profiles, load_profile

console = make_console()

score_app = typer.Typer(help="用规则核心计算单项得分（与 Excel 函数同一套规则）。", no_args_is_help=True)


def _fail(err: PerfscoreError) -> None:
    console.print(f"[red]错误[/red]：{err}")
    raise typer.Exit(1)


@score_app.command("indicator")
def score_indicator_cmd(
    nature: str = typer.Argument(..., help="指标性质：正向/反向/定性（可为空字符串）"),
    operator: str = typer.Argument(..., help="指标方向：≥ ≤ = 等（可为空字符串）"),
    target: str = typer.Argument(..., help="年度指标值，如 ≥95%、2910条"),
    actual: str = typer.Argument(..., help="实际完成值"),
    weight: float = typer.Argument(..., help="分值"),
    profile: Optional[str] = typer.Option(None, "--profile", "-p", help="评分规则名称或 .toml 路径"),
) -> None:
    """计算一个绩效指标的得分，并说明所用规则。"""
    try:
        a = assess_indicator(nature, operator, target, actual, weight, profile)
    except PerfscoreError as err:
        _fail(err)
    console.print(f"得分 [bold]{a.score:g}[/bold] / {a.weight:g}  —  {a.rule_text}")
    for w in a.warnings:
        console.print(f"[yellow]警告[/yellow]：{w}")


@score_app.command("exec-rate")
def score_exec_rate_cmd(
    budget: float = typer.Argument(..., help="全年预算数"),
    spent: float = typer.Argument(..., help="全年执行数"),
    weight: float = typer.Argument(10, help="分值"),
    profile: Optional[str] = typer.Option(None, "--profile", "-p", help="评分规则名称或 .toml 路径"),
) -> None:
    """计算预算执行率得分。"""
    try:
        a = assess_exec_rate(budget, spent, weight, profile)
    except PerfscoreError as err:
        _fail(err)
    console.print(f"得分 [bold]{a.score:g}[/bold] / {a.weight:g}  —  {a.rule_text}")
    for w in a.warnings:
        console.print(f"[yellow]警告[/yellow]：{w}")


@score_app.command("grade")
def grade_cmd(
    total: float = typer.Argument(..., help="总分"),
    profile: Optional[str] = typer.Option(None, "--profile", "-p", help="评分规则名称或 .toml 路径"),
) -> None:
    """由总分给出评价等级（优/良/中/差）。"""
    try:
        console.print(grade(total, profile))
    except PerfscoreError as err:
        _fail(err)


def register(app: typer.Typer) -> None:
    app.add_typer(score_app, name="score")

    @app.command("profiles")
    def profiles_cmd() -> None:
        """列出可用的评分规则 (rule profiles) 及其依据。"""
        table = Table(title="评分规则 (profiles)")
        table.add_column("名称 name")
        table.add_column("说明 title")
        table.add_column("依据 source")
        try:
            for p in list_profiles():
                table.add_row(p.name, p.title, p.source)
        except PerfscoreError as err:
            _fail(err)
        console.print(table)

    @app.command("profile")
    def profile_cmd(name: str = typer.Argument("central", help="规则名称或 .toml 路径")) -> None:
        """显示一个评分规则的全部设置（TOML，可复制后修改为自己的规则文件）。"""
        try:
            print(load_profile(name).to_toml(), end="")
        except PerfscoreError as err:
            _fail(err)
