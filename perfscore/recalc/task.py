"""The per-file task: read safely, evaluate, write back atomically, summarise. Same function for every executor.

It returns a small picklable FileReport (no workbook objects), so a batch of 10 000 files streams through
a process pool or a Dask cluster with flat memory. Any refusal becomes the report's Chinese `reason`.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

from perfscore.checks.findings import NOTE, Finding
from perfscore.recalc.report import OTHER_SPREADSHEETS, SPREADSHEET_SUFFIXES, FileReport, FormRow, TaskOptions, failed
from perfscore.recalc.engine import EngineResult, evaluate
from perfscore.recalc.errors import RecalcFileError
from perfscore.recalc.functions import FunctionTable
from perfscore.xlsx.repack import build_package
from perfscore.recalc.writeback import patched_parts
from perfscore.rules import PerfscoreError
from perfscore.xlsx.atomic import write_bytes_atomic
from perfscore.xlsx.errors import XlsxError
from perfscore.xlsx.grid import CellData, WorkbookGrid, parse_ref
from perfscore.xlsx.package import DEFAULT_LIMITS, XlsxPackage, list_sheets
from perfscore.xlsx.reader import grid_and_spans

_TABLES: dict[str | None, FunctionTable] = {}


def _functions(profile: str | None) -> FunctionTable:
    table = _TABLES.get(profile)
    if table is None:
        table = _TABLES[profile] = FunctionTable(profile)
    return table


def recalc_file(path: str, output: str | None, options: TaskOptions = TaskOptions()) -> FileReport:
    """Recalculate one file into `output` (never the input). Never raises for a bad file. With
    options.summary_rows the report carries its summary rows, rendered here (in the worker); with
    options.rows_only too, only them (not the forms/findings records)."""
    report = _report(path, output, options)
    if options.summary_rows:
        from perfscore.recalc.summary_rows import render

        report = replace(report, summary_rows=render(report))
        if options.rows_only:
            report = replace(report, forms=(), findings=())
    return report


def _report(path: str, output: str | None, options: TaskOptions) -> FileReport:
    t0 = time.perf_counter()
    suffix = Path(path).suffix.lower()
    if suffix in OTHER_SPREADSHEETS:
        return failed(path, f"{Path(path).name}：{OTHER_SPREADSHEETS[suffix]}")
    try:
        return _recalc(path, output, options, t0)
    except (RecalcFileError, XlsxError, PerfscoreError) as exc:
        return failed(path, str(exc), time.perf_counter() - t0)
    except OSError as exc:
        return failed(path, f"{path}：读写失败（{exc.strerror or exc}）", time.perf_counter() - t0)
    except RecursionError:
        return failed(path, f"{path}：公式嵌套过深，无法处理", time.perf_counter() - t0)


def _recalc(path: str, output: str | None, options: TaskOptions, t0: float) -> FileReport:
    p = Path(path)
    st = p.stat()
    size = st.st_size
    if size > DEFAULT_LIMITS.max_file:
        raise XlsxError("xlsx.zip_bomb", f"文件 {path} 过大（{size // 1048576} MB），超过上限", path)
    pkg = XlsxPackage(p.read_bytes(), path)
    grid, spans = grid_and_spans(pkg, with_formats=True)  # one pass over each sheet's XML gives both
    entries, _, _ = list_sheets(pkg)
    parts = [e.part for e in entries]
    xmls = [pkg.read(part) for part in parts]
    arrays: dict[int, dict[tuple[int, int], tuple[int, int]]] = {}
    for i, sheet_spans in enumerate(spans):
        for sp in sheet_spans:
            if sp.f_kind == "array" and sp.f_ref:
                arrays.setdefault(i, {})[(sp.row, sp.col)] = _extent(sp.f_ref)
    result = evaluate(grid, _functions(options.profile), arrays)
    replaced, patched = patched_parts(parts, xmls, spans, grid, result.values)
    out_path = None
    if options.write and output is not None:
        if _same_file(p, st, output):
            raise RecalcFileError("same_file", f"{path}：输出路径与输入相同，拒绝覆盖原文件")
        # no fsync per file (10 000 outputs = 10 000 disk flushes); the batch calls os.sync() once at the end
        write_bytes_atomic(output, build_package(pkg, replaced), fsync=False)
        out_path = output
    forms, findings, n_err, n_warn = _summarise(path, grid, result, options)
    return FileReport(path, out_path, True, result.engine, "", time.perf_counter() - t0,
                      formulas=len(result.values), patched=patched, calls=result.calls, errors=n_err,
                      warnings=n_warn, forms=forms, findings=findings, notes=tuple(result.notes))


def _same_file(path: Path, input_stat: os.stat_result, output: str) -> bool:
    """True when output resolves to the input path (also through a symlink). A stat first: resolving both
    paths costs a system call per path component, and outputs are almost always new files."""
    try:
        if not os.path.samestat(input_stat, os.stat(output)):
            return False
    except (FileNotFoundError, NotADirectoryError):
        return False  # nothing there yet: it cannot be the input
    return Path(output).resolve() == path.resolve()


def _extent(ref: str) -> tuple[int, int]:
    if ":" not in ref:
        return 1, 1
    a, b = ref.split(":", 1)
    (r1, c1), (r2, c2) = parse_ref(a), parse_ref(b)
    return abs(r2 - r1) + 1, abs(c2 - c1) + 1


def recomputed_grid(grid: WorkbookGrid, values: dict[tuple[int, int, int], object]) -> WorkbookGrid:
    """A copy of the grid whose formula cells carry the recomputed values."""
    by_sheet: dict[int, list[tuple[int, int, object]]] = {}
    for (si, r, c), v in values.items():
        by_sheet.setdefault(si, []).append((r, c, v))
    out = WorkbookGrid(grid.path, [], dict(grid.defined_names))
    for s, sheet in enumerate(grid.sheets):
        cells = dict(sheet.cells)
        for r, c, v in by_sheet.get(s, ()):
            old = cells.get((r, c))
            # CellData(...) directly: dataclasses.replace costs several times more, once per formula cell
            cells[(r, c)] = (CellData(old.row, old.col, v, old.formula, old.number_format, old.is_text_typed)
                             if old else CellData(r, c, v))
        out.sheets.append(replace(sheet, cells=cells))
    return out


def _summarise(path: str, grid: WorkbookGrid, result: EngineResult, options: TaskOptions):
    """Form rows and findings. Forms are read from the recomputed grid (an input saved without cached
    values still shows its totals); the declared values are the input's cached values at the same cells."""
    from perfscore.forms import read_forms

    index = {s.name: i for i, s in enumerate(grid.sheets)}
    after = recomputed_grid(grid, result.values)

    def declared(src) -> object:
        if src.cell is None:
            return None
        sheet, ref = src.cell.rsplit("!", 1)
        s = index.get(sheet)
        return None if s is None else grid.sheets[s].value(*parse_ref(ref))

    read = read_forms(after)
    rows: list[FormRow] = []
    for form in read.forms:
        funds = form.exec_funds_row
        rows.append(FormRow(
            file=path, sheet=form.sheet, kind=form.kind.value,
            project_name=form.header.project_name.text(), implementer=form.header.implementer.text(),
            budget=funds.budget.value if funds else None, spent=funds.spent.value if funds else None,
            exec_rate=funds.exec_rate.value if funds else None,
            declared_total=declared(form.total), recomputed_total=form.total.value,
            declared_grade=declared(form.grade), recomputed_grade=form.grade.value,
            total_cell=form.total.cell or ""))
    findings: list[Finding] = []
    n_err = n_warn = 0
    if options.run_checks:
        from perfscore.checks import ERROR, WARNING, check_workbook

        for f in check_workbook(after, read.forms, options.profile, file=path):
            findings.append(f)
            n_err += f.severity == ERROR
            n_warn += f.severity == WARNING
    for note in result.notes:
        findings.append(Finding(path, "", "", "recalc.note", NOTE, note))
    return tuple(rows), tuple(findings), n_err, n_warn
