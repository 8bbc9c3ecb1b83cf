"""`perfscore addin build -o DIR`: build the Excel add-in perfscore.xlam from addin/src/ (works on Linux)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from perfscore.cli.common import make_console

addin_app = typer.Typer(
    help="Excel 加载项 perfscore.xlam：构建、重新生成 VBA (build the Excel add-in, regenerate its VBA).",
    no_args_is_help=True,
)


@addin_app.command("build")
def build(
    out_dir: Path = typer.Option(Path("dist"), "-o", "--out-dir", help="输出目录 (output folder); 文件名固定为 perfscore.xlam"),
) -> None:
    """构建 perfscore.xlam：VBA 工程、功能区“绩效评分”、perfscore.conf 配置表。同一源码两次构建字节相同。"""
    from perfscore_addin.build import build_addin, sha256

    console = make_console()
    path = build_addin(out_dir)
    console.print(f"已生成加载项 (built)：[bold]{escape(str(path))}[/bold]")
    console.print(f"sha256 {sha256(path)}")
    console.print("安装方法见 addin/README.md（无需管理员权限）。")


@addin_app.command("generate-vba")
def generate_vba() -> None:
    """重新生成已提交的 VBA 源文件 addin/src/xlwings_udfs.bas 与 perfscore_register.bas（改了函数后运行）。"""
    from perfscore_addin.vba_gen import write_generated

    console = make_console()
    for path in write_generated():
        console.print(f"已生成 (generated)：{escape(str(path))}")


def register(app: typer.Typer) -> None:
    app.add_typer(addin_app, name="addin")
