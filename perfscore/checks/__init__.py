"""Checks over the form model and the formula grid (pure): `check_workbook(grid, forms, profile)`.

`check_workbook` is loaded on first use (it needs openpyxl's tokenizer and the rule core); the findings and
the registry of check codes are light, so the CLI and the batch's parent process import only those."""

from perfscore.checks.findings import ERROR, NOTE, SEVERITIES, WARNING, Finding, sort_findings
from perfscore.checks.registry import CHECKS, CheckSpec, spec

__all__ = ["CHECKS", "CheckSpec", "ERROR", "Finding", "NOTE", "SEVERITIES", "WARNING", "check_workbook",
           "sort_findings", "spec"]


def __getattr__(name: str):
    if name == "check_workbook":
        from perfscore.checks.workbook import check_workbook

        return check_workbook
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
