"""Checks over the form model (filled in below)."""

from __future__ import annotations

from typing import Mapping, Sequence

from perfscore.checks.findings import Finding


def row_classes(forms: Sequence[object]) -> dict[str, Mapping[int, str]]:
    return {}


def check_form(form: object, grid: object, profile: object, file: str) -> list[Finding]:
    return []
