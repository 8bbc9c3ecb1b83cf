"""`perfscore demo`: the main job on the bundled example workbooks.

The example workbooks are built from the row-by-row transcriptions of real published forms (perfscore.samples),
then the two jobs a finance bureau runs — `perfscore check` and `perfscore recalc` — run over them in this
process, exactly as they would from the command line.
"""

from __future__ import annotations

from pathlib import Path

import click
import typer
from rich.table import Table

from perfscore.cli.common import make_console

console = make_console(soft_wrap=True)

DEFAULT_OUT = Path("perfscore-demo")


def build_example_workbooks(folder: Path) -> list[Path]:
    """The bundled examples as real workbooks: two published forms, the central layout typed by hand and with
    scoring formulas applied, and one damaged file (a batch must survive it)."""
    from perfscore.forms.apply import apply_to_file
    from perfscore.samples import build_central, build_example_001, build_example_004

    folder.mkdir(parents=True, exist_ok=True)
    built = [
        build_example_001(folder / "001-江苏-政务服务信息系统-项目自评表.xlsx"),
        build_example_004(folder / "004-南京市数据局-部门整体自评表.xlsx"),
        build_central(folder / "中央样式-项目自评表-手填.xlsx"),
    ]
    typed_without_scores = build_central(folder.parent / "_中央样式-未填得分.xlsx", scores=False)
    with_formulas = folder / "中央样式-项目自评表-评分公式.xlsx"
    apply_to_file(typed_without_scores, with_formulas)
    typed_without_scores.unlink()
    built.append(with_formulas)
    built.append(_with_typical_mistakes(build_central(folder / "中央样式-项目自评表-常见错误.xlsx")))
    damaged = folder / "损坏的文件.xlsx"
    damaged.write_bytes(built[0].read_bytes()[:2000])  # a truncated download, as bureaus receive them
    built.append(damaged)
    return built


def _with_typical_mistakes(path: Path) -> Path:
    """The mistakes DOMAIN.md §5 saw in published forms, typed into a copy of the central example:
    a score above the rule (17 of 19 scored full marks), a total that no longer adds up, a grade outside its band."""
    import openpyxl

    from perfscore.samples import CENTRAL_LAYOUT

    wb = openpyxl.load_workbook(path)
    ws = wb.active
    first, col, total_row = CENTRAL_LAYOUT["first_row"], CENTRAL_LAYOUT["score_col"], CENTRAL_LAYOUT["total_row"]
    ws.cell(first, col).value = 2  # 培训人次 17 of 19: the rule gives 1.79
    ws.cell(total_row + 1, col - 1).value = "良"  # total 90.06 is 优
    ws.cell(first + 1, 11).value = None  # 189 of 242 lost points: the deviation reason left blank
    wb.save(path)
    return path


def _run(app: typer.Typer, args: list[str]) -> int:
    """Run one of our own commands in-process and return its exit code."""
    command = typer.main.get_command(app)
    try:
        # Without standalone mode click returns the code a command exits with instead of calling sys.exit.
        code = command.main(args=args, prog_name="perfscore", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    return code if isinstance(code, int) else 0


def _print_summary(summary: Path) -> None:
    """An excerpt of the summary that fits an 80-column terminal: declared → recomputed side by side."""
    import pandas as pd

    forms = pd.read_excel(summary, sheet_name="表单汇总", engine="calamine")

    def text(value: object) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return ""
        return f"{value:g}" if isinstance(value, float) else str(value)

    table = Table(title="重算汇总（节选；完整内容见汇总表） · summary", show_lines=True)
    table.add_column("文件", overflow="fold", ratio=3)
    for col in ("总分 申报→重算", "差异", "等级", "错误/警告"):
        table.add_column(col, no_wrap=True)  # a number never breaks inside itself
    table.add_column("引擎 / 失败原因", overflow="fold", ratio=2)
    for _, row in forms.iterrows():
        total = f"{text(row.get('申报总分')) or '—'} → {text(row.get('重算总分')) or '—'}"
        grade = f"{text(row.get('申报等级')) or '—'} → {text(row.get('重算等级')) or '—'}"
        counts = f"{text(row.get('错误数')) or '—'} / {text(row.get('警告数')) or '—'}"
        table.add_row(Path(text(row.get("文件"))).name, total, text(row.get("差异")), grade, counts,
                      text(row.get("失败原因")) or text(row.get("计算引擎")))
    console.print(table)


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        output: Path = typer.Option(DEFAULT_OUT, "-o", "--output", help="示例工作簿与结果写到这个文件夹"),
    ) -> None:
        """在自带示例工作簿（据公开的真实自评表转录生成）上运行校验与无界面重算，输出发现的问题和汇总表。"""
        inputs = output / "示例工作簿"
        results = output / "重算结果"
        console.rule("[bold]1. 生成示例工作簿 (bundled example workbooks)[/bold]")
        for path in build_example_workbooks(inputs):
            console.print(f"  {path}")
        console.rule("[bold]2. perfscore check 示例工作簿/[/bold]")
        code = _run(app, ["check", str(inputs)])
        console.print(f"（check 退出码 {code}：{'有“错误”' if code == 1 else '无“错误”' if code == 0 else '用法错误'}）")
        console.rule("[bold]3. perfscore recalc 示例工作簿/ -o 重算结果/[/bold]")
        summary = results / "重算汇总.xlsx"
        code = _run(app, ["recalc", str(inputs), "-o", str(results), "--summary", str(summary), "--jobs", "2"])
        if summary.exists():
            _print_summary(summary)
        console.print(f"\n输出：示例工作簿 {inputs}/，重算后的副本与汇总表 {results}/")
        raise typer.Exit(0 if code == 0 else code)
