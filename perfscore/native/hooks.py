"""The small entry points the template builder and apply call when asked for native formulas."""

from __future__ import annotations

import dataclasses
from typing import Callable

from .freeze import freeze_formula, workbook_profile


def native_writer(write_formula: Callable, profile: str | None) -> Callable:
    """Wrap xlsxwriter's Worksheet.write_formula so every perfscore call it writes becomes a native formula."""

    def write(row, col, formula, *args, **kwargs):
        return write_formula(row, col, freeze_formula(formula, profile).text, *args, **kwargs)

    return write


def native_plan_text(formula: str | None, profile: str | None) -> str | None:
    """A planned formula (no leading "=") with its perfscore calls replaced by native formulas."""
    return None if formula is None else freeze_formula(formula, profile).text


def native_plans(plans: list, defined_names: dict[str, str], profile: str | None) -> list:
    """apply's plans with native formulas, computed with the profile the workbook will carry
    (the --profile written into PERFSCORE_PROFILE, else the workbook's own, else central)."""
    prof = profile or workbook_profile(defined_names, None)
    return [dataclasses.replace(p, formula=native_plan_text(p.formula, prof)) for p in plans]
