"""The thin file shell around the pure checks: path → grid → forms → findings.

A file that cannot be read (corrupt, encrypted, legacy .xls, not a workbook) becomes one FILE_UNREADABLE
finding; nothing a single file contains may stop a batch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator, Mapping

from perfscore.checks.findings import Finding, sort_findings
from perfscore.checks.registry import spec
from perfscore.checks.workbook import check_workbook
from perfscore.rules.errors import PerfscoreError

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".et")


def iter_workbooks(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files as given; folders searched recursively for workbook files (Excel's ~$ lock files skipped)."""
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        found = sorted(
            f for f in p.rglob("*")
            if f.is_file() and f.suffix.lower() in WORKBOOK_SUFFIXES and not f.name.startswith("~$")
        ) if p.is_dir() else [p]
        for f in found:
            if f not in seen:
                seen.add(f)
                yield f


def _file_finding(name: str, code: str, message: str) -> Finding:
    return Finding(name, "", "", code, spec(code).severity, message)


def check_file(
    path: str | Path,
    profile: object = None,
    *,
    recomputed: Mapping[tuple[str, str], object] | None = None,
    display: str | None = None,
    recalc: bool = False,
    show_all: bool = False,
) -> list[Finding]:
    """Findings for one file. recalc=True recomputes every formula (headless engine) for STALE_VALUE;
    show_all=True adds the generic notes left out on sheets that are not forms (`perfscore check --all`).

    `profile` is the caller's choice (--profile): a formula's own 规则 argument and the workbook's
    PERFSCORE_PROFILE come first, as in Excel and recalc (see perfscore.checks.profile_choice)."""
    from perfscore.forms import read_forms
    from perfscore.xlsx import read_grid

    name = display if display is not None else str(path)
    try:
        grid = read_grid(path)
    except PerfscoreError as err:  # XlsxError: corrupt, encrypted, .xls, zip bomb, not found ...
        return [_file_finding(name, "FILE_UNREADABLE", f"{err.message}")]
    except OSError as err:
        return [_file_finding(name, "FILE_UNREADABLE", f"无法读取文件 {name}：{err.strerror or err}")]
    try:
        read = read_forms(grid)
        if recalc and recomputed is None:
            recomputed = recompute(grid, profile)
        return check_workbook(grid, read.forms, profile, recomputed=recomputed, file=name, not_forms=read.not_forms,
                              show_all=show_all)
    except PerfscoreError as err:
        return [_file_finding(name, "CHECK_FAILED", f"检查 {name} 时无法继续：{err}")]
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, ZeroDivisionError, RecursionError) as err:
        # A defect of ours must not stop a batch of thousands: report it as a finding, with its type.
        return [_file_finding(name, "CHECK_FAILED",
                              f"检查 {name} 时出现程序错误（{type(err).__name__}: {err}），结果不完整，请反馈给开发者。")]


def recompute(grid, profile: object = None) -> dict[tuple[str, str], object]:
    """{(sheet, "A1"): value} of every formula recomputed by the headless engine (perfscore.recalc)."""
    from perfscore.recalc.engine import evaluate
    from perfscore.recalc.functions import FunctionTable
    from perfscore.xlsx.grid import cell_ref

    name = getattr(profile, "name", profile)
    result = evaluate(grid, FunctionTable(name))
    names = [s.name for s in grid.sheets]
    return {(names[i], cell_ref(r, c)): v for (i, r, c), v in result.values.items()}


def check_paths(paths: Iterable[str | Path], profile: object = None) -> list[Finding]:
    out: list[Finding] = []
    for f in iter_workbooks(paths):
        out += check_file(f, profile)
    return sort_findings(out)
