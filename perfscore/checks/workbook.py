"""check_workbook: every check over one workbook's grid and forms, ignores applied, stably sorted."""

from __future__ import annotations

from typing import Mapping, Sequence

from perfscore.checks.findings import Finding, sort_findings
from perfscore.checks.formulas import check_sheet_formulas
from perfscore.checks.ignore import IGNORE_SHEET, apply_ignores, workbook_ignore_rules
from perfscore.checks.registry import spec
from perfscore.xlsx.grid import WorkbookGrid


def check_workbook(
    grid: WorkbookGrid,
    forms: Sequence[object] = (),
    profile: object = None,
    *,
    recomputed: Mapping[tuple[str, str], object] | None = None,
    file: str | None = None,
) -> list[Finding]:
    """All findings for one workbook.

    grid: the formula grid (file reader or add-in); forms: `read_forms(grid).forms`; profile: a Profile,
    a profile name or None (default); recomputed: {(sheet, "A1"): value} from a recalculation, for
    STALE_VALUE; file: the name shown in findings (default grid.path).
    """
    from perfscore.checks.form_checks import check_declared_texts, check_form, row_classes
    from perfscore.rules import load_profile

    prof = load_profile(profile) if not hasattr(profile, "grade_bands") else profile
    name = file if file is not None else str(grid.path)
    findings: list[Finding] = []
    for form in forms:
        findings += check_form(form, grid, prof, name)
    findings += check_declared_texts(grid, forms, prof, name)
    classes = row_classes(forms)
    for sheet in grid.sheets:
        if sheet.name == IGNORE_SHEET:
            continue
        findings += check_sheet_formulas(name, sheet, book=grid, row_class=classes.get(sheet.name),
                                         recomputed=recomputed)
    findings = _first_per_cell(findings)
    if not forms:
        findings.append(Finding(name, "", "", "NO_FORM_FOUND", spec("NO_FORM_FOUND").severity,
                                "工作簿中未识别出绩效自评表（未找到“分值”“得分”等表头），只做了通用公式检查。"))
    rules, problems = workbook_ignore_rules(grid, name)
    findings = apply_ignores(grid, findings + problems, rules)
    return sort_findings(findings, [s.name for s in grid.sheets])


def _first_per_cell(findings: list[Finding]) -> list[Finding]:
    """One finding per (sheet, cell, code): the form checks' message (more specific) wins over the generic one."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for f in findings:
        key = (f.sheet, f.cell, f.code)
        if f.cell and key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out
