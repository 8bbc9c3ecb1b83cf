"""`perfscore apply FORM.xlsx -o OUT.xlsx` and `perfscore template list | NAME -o FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from perfscore.cli.common import fail, make_console, os_error_text, output_file
from perfscore.rules import PerfscoreError, load_profile

console = make_console()
errors = make_console(stderr=True)

# apply's report says the workbook recalculates on open; which programs can compute the new formulas is
# the CLI's to say (WPS and LibreOffice run no xlwings add-in).
_RECALC_LINE = "工作簿：设置“打开时重新计算”"
_OPENS_WITH_ADDIN = ("工作簿：设置“打开时重新计算”(fullCalcOnLoad)。评分函数只在装有 perfscore 加载项的 Windows Excel 中"
                     "计算；WPS、LibreOffice 或没有加载项的 Excel 会显示 #NAME?：请改用 --native 写入内置函数公式，"
                     "或用 perfscore recalc 重算得到数值")
_OPENS_NATIVE = ("工作簿：设置“打开时重新计算”(fullCalcOnLoad)，写入的是内置函数公式：在 Excel、WPS、LibreOffice 中打开"
                 "即得到结果，无需加载项")


def _true_line(line: str, native: bool) -> str:
    if line.startswith(_RECALC_LINE):
        return _OPENS_NATIVE if native else _OPENS_WITH_ADDIN
    return line


def apply_cmd(
    form: Path = typer.Argument(..., help="要写入评分公式的自评表（.xlsx / .xlsm），不会被修改"),
    output: Path = typer.Option(..., "--output", "-o", help="输出文件（不能与输入相同），或一个文件夹（写入其中，文件名同输入）"),
    overwrite: bool = typer.Option(False, "--overwrite", help="覆盖已手填的得分和已有公式（默认保留并提示）"),
    profile: Optional[str] = typer.Option(None, "--profile", "-p",
                                          help="写入工作簿的评分规则名称（定义名称 PERFSCORE_PROFILE）"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只列出将要做的修改，不写文件"),
    native: bool = typer.Option(False, "--native", help="写入内置函数公式（WPS/LibreOffice/无加载项的 Excel 可直接计算）"),
    yes: bool = typer.Option(False, "--yes", "-y", help="与 --overwrite 同用：确认改变已有得分、总分、等级（否则只列出将改变的值，不写文件）"),
) -> None:
    """在已有自评表的“得分”单元格中写入评分公式（预算执行率、指标得分、小计、总分、评价等级），其余内容一概不动。

    每个公式先用评分规则算出结果：算不出数值的行（例如年度指标值/实际完成值为空而得分已手填）不写公式，保留原值并说明原因。"""
    from perfscore.forms.apply import apply_to_file

    if not form.is_file():
        fail(errors, f"找不到要处理的文件：{form}" if not form.exists() else f"{form} 是文件夹，请给出一个 .xlsx/.xlsm 文件", 2)
    target = None if dry_run else output_file(output, form.name, force=True, console=errors)
    try:
        if profile:
            load_profile(profile)  # refuse an unknown rule name before writing anything
        # plan first: a file is written only when it gets at least one formula
        report = apply_to_file(form, None, overwrite=overwrite, profile=profile, native=native)
        if report.changes and not yes and not dry_run:
            _refuse_unconfirmed_changes(report)
        if target is not None and report.written:
            report = apply_to_file(form, target, overwrite=overwrite, profile=profile, native=native)
    except PerfscoreError as err:
        fail(errors, str(err))
    except OSError as err:
        fail(errors, f"无法写出 {target}：{os_error_text(err)}")
    for line in report.lines():
        line = _true_line(line, native)
        if native and len(line) > 160 and not line.startswith("工作簿"):  # a native formula runs to thousands of characters
            line = line[:150] + "…"
        style = "green" if "写入公式" in line or "已覆盖" in line else ("yellow" if "保留" in line else "")
        console.print(line, style=style or None, markup=False, highlight=False, soft_wrap=True)
    kept = sum(1 for p in report.plans if p.action == "保留")
    if not report.plans:
        console.print(f"[yellow]{form} 中没有找到可写入公式的自评表，未生成文件[/yellow]", soft_wrap=True)
        raise typer.Exit(1)
    if not report.written:
        console.print(f"[yellow]没有需要写入的公式（保留 {kept} 个已有值），未生成 {target or output}；"
                      f"要替换已有得分请加 --overwrite[/yellow]", soft_wrap=True)
        raise typer.Exit(1)
    verb = "将写入" if dry_run else "已写入"
    console.print(f"{verb} {len(report.written)} 个公式，保留 {kept} 个已有值" + ("" if dry_run else f" → {target}"),
                  soft_wrap=True)


def _refuse_unconfirmed_changes(report) -> None:
    """--overwrite that would change scores people typed: list every change and write nothing without --yes."""
    console.print(f"[yellow]--overwrite 将改变 {len(report.changes)} 个已有的得分/总分/等级（原值 → 新值）：[/yellow]",
                  soft_wrap=True)
    for p in report.changes:
        console.print("  " + p.change_text(), markup=False, highlight=False, soft_wrap=True)
    fail(errors, "未写文件：确认这些改变请加 --yes（或用 --dry-run 查看全部计划）", 1)


def template_cmd(
    name: str = typer.Argument(..., help="模板名称（project / department / third_party），或 list 列出全部"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="输出的 .xlsx 文件，或一个文件夹（写入其中，用模板的标准文件名）"),
    native: bool = typer.Option(False, "--native", help="用内置函数公式代替评分函数（WPS/LibreOffice 可用，无需加载项）"),
    force: bool = typer.Option(False, "--force", "-f", help="输出文件已存在时覆盖它"),
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
        fail(errors, "请用 -o 指定输出文件，例如 perfscore template project -o 自评表.xlsx", 2)
    target = output
    try:
        from perfscore.forms.templates import load_spec

        spec = load_spec(name)
        target = output_file(output, spec["file"], force=force, console=errors)
        path = write_template(name, target, native=native)
    except PerfscoreError as err:
        fail(errors, str(err), 2)
    except OSError as err:
        fail(errors, f"无法写出模板 {target}：{os_error_text(err)}")
    console.print(f"已生成 {path}", soft_wrap=True, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("apply")(apply_cmd)
    app.command("template")(template_cmd)
