"""Checks over the form model and the formula grid (pure): `check_workbook(grid, forms, profile)`."""

from perfscore.checks.findings import ERROR, NOTE, SEVERITIES, WARNING, Finding, sort_findings
from perfscore.checks.registry import CHECKS, CheckSpec, spec
from perfscore.checks.workbook import check_workbook

__all__ = ["CHECKS", "CheckSpec", "ERROR", "Finding", "NOTE", "SEVERITIES", "WARNING", "check_workbook",
           "sort_findings", "spec"]
