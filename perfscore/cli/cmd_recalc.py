"""CLI command group (filled in by the part that owns it)."""

import typer


def register(app: typer.Typer) -> None:
    pass
