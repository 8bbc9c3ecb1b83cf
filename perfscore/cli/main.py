"""The `perfscore` command: one typer app; each command group lives in its own module."""

from __future__ import annotations

import importlib

import typer

from perfscore.cli import zh

zh.install()  # Chinese usage line, panel titles and usage errors (typer prints them itself)

app = typer.Typer(
    name="perfscore",
    help="预算绩效自评评分工具 (budget-performance self-evaluation scoring).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)

# Each module exposes register(app); order is the order shown in --help.
_COMMAND_MODULES = ("cmd_demo", "cmd_score", "cmd_check", "cmd_recalc", "cmd_forms", "cmd_addin", "cmd_oxt")

for _name in _COMMAND_MODULES:
    importlib.import_module(f"perfscore.cli.{_name}").register(app)


def run() -> None:
    app()
