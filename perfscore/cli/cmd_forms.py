"""`perfscore apply FORM.xlsx -o OUT.xlsx` and `perfscore template list | NAME -o FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from perfscore.rules import PerfscoreError, load_profile

console = Console()


def apply_cmd(
    form: Path = typer.Argument(..., help="要写入评分公式的自评表（.xlsx / .xlsm），不会被修改"),
    output: Path = typer.Option(..., "--output", "-o", help="输出文件（不能与输入相同）"),
    overwrite: bool = typer.Option(False, "--overwrite", help="覆盖已手填的得分和已有公式（默认保留并提示）"),
    profile: Optional[str] = typer.Option(None, "--profile", "-p",
                                          help="写入工作簿的评分规则名称（定义名称 PERFSCORE_PROFILE）"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只列出将要做的修改，不写文件"),
    native: bool = typer.Option(False, "--native", help="写入内置函数公式（WPS/LibreOffice/无加载项的 Excel 可直接计算）"),
) -> None:
    """在已有自评表的“得分”单元格中写入评分公式（预算执行率、指标得分、小计、总分、评价等级），其余内容一概不动。"""
    from perfscore.forms.apply import apply_to_file

    try:
        if profile:
            load_profile(profile)  # refuse an unknown rule name before writing anything
        report = apply_to_file(form, None if dry_run else output, overwrite=overwrite, profile=profile,
                               native=native)
    except PerfscoreError as err:
        console.print(f"[red]错误[/red]：{err}")
        raise typer.Exit(1)
    for line in report.lines():
        if native and len(line) > 160:  # a native formula runs to thousands of characters
            line = line[:150] + "…"
        style = "green" if "写入公式" in line or "已覆盖" in line else ("yellow" if "保留" in line else "")
        console.print(line, style=style or None, markup=False, highlight=False, soft_wrap=True)
    kept = sum(1 for p in report.plans if p.action == "保留")
    if not report.plans:
        console.print(f"[yellow]{form} 中没有找到可写入公式的自评表[/yellow]")
        raise typer.Exit(1)
    verb = "将写入" if dry_run else "已写入"
    console.print(f"{verb} {len(report.written)} 个公式，保留 {kept} 个已有值" + ("" if dry_run else f" → {output}"), soft_wrap=True)


def template_cmd(
    name: str = typer.Argument(..., help="模板名称（project / department / third_party），或 list 列出全部"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="输出的 .xlsx 文件"),
    native: bool = typer.Option(False, "--native", help="用内置函数公式代替评分函数（WPS/LibreOffice 可用，无需加载项）"),
) -> None:
    """生成带评分公式的标准模板：项目支出绩效自评表、部门整体支出绩效自评表、第三方绩效评价评分表。"""
    from perfscore.forms.templates import list_templates, write_template

    if name == "list":
        table = Table("名称", "模板", "类型", "文件")
        for info in list_templates():
            table.add_row(info.name, info.title, info.kind, info.file)
        console.print(table)
        return
    if output is None:
        console.print("[red]错误[/red]：请用 -o 指定输出文件，例如 perfscore template project -o 自评表.xlsx")
        raise typer.Exit(2)
    try:
        path = write_template(name, output, native=native)
    except PerfscoreError as err:
        console.print(f"[red]错误[/red]：{err}")
        raise typer.Exit(2)
    console.print(f"已生成 {path}")


def register(app: typer.Typer) -> None:
    app.command("apply")(apply_cmd)
    app.command("template")(template_cmd)
