"""check_workbook: every check over one workbook's grid and forms, ignores applied, stably sorted."""

from __future__ import annotations

from typing import Mapping, Sequence

from perfscore.checks.findings import Finding, sort_findings
from perfscore.checks.formulas import check_sheet_formulas
from perfscore.checks.ignore import IGNORE_SHEET, apply_ignores, workbook_ignore_rules
from perfscore.checks.profile_choice import PROFILE_NAME, choose_profile  # noqa: F401
from perfscore.checks.registry import spec
from perfscore.xlsx.grid import WorkbookGrid


def check_workbook(
    grid: WorkbookGrid,
    forms: Sequence[object] = (),
    profile: object = None,
    *,
    recomputed: Mapping[tuple[str, str], object] | None = None,
    file: str | None = None,
    not_forms: Sequence[tuple[str, str]] = (),
    show_all: bool = False,
) -> list[Finding]:
    """All findings for one workbook.

    grid: the formula grid (file reader or add-in); forms: `read_forms(grid).forms`; profile: a Profile, a
    profile name or None. One precedence as in Excel and recalc: a formula's own 规则 argument, then the
    workbook's PERFSCORE_PROFILE, then `profile`, then the default; recomputed: {(sheet, "A1"): value} from a recalculation, for
    STALE_VALUE; file: the name shown in findings (default grid.path); not_forms: the form reader's reasons
    for sheets that are not forms (shown when none is found); show_all: the full report (`perfscore check
    --all`), which adds HARDCODED_CONSTANT and typed copies of the right value on sheets that are not forms.
    """
    from perfscore.checks.form_checks import check_forms
    prof = _profile(grid, profile)
    name = file if file is not None else str(grid.path)
    findings, classes = check_forms(grid, forms, prof, name)
    for sheet in grid.sheets:
        if sheet.name == IGNORE_SHEET:
            continue
        findings += check_sheet_formulas(name, sheet, book=grid, row_class=classes.get(sheet.name),
                                         recomputed=recomputed, show_all=show_all)
    findings = _first_per_cell(findings)
    if not forms:
        why = "；".join(f"{sheet}：{reason}" for sheet, reason in not_forms if sheet != IGNORE_SHEET)
        findings.append(Finding(name, "", "", "NO_FORM_FOUND", spec("NO_FORM_FOUND").severity,
                                "工作簿中未识别出填有指标的绩效自评表，只做了通用公式检查"
                                + (f"（{why}）" if why else "") + "。"))
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


def _profile(grid: WorkbookGrid, profile: object):
    """The workbook's own choice (PERFSCORE_PROFILE), else the caller's, else the default (see profile_choice)."""
    return choose_profile(grid, profile)
