"""The benchmark and the equivalence digest still run (they are how speed claims are checked), on a tiny corpus."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.oracle
def test_benchmark_runs_end_to_end_against_libreoffice(tmp_path):
    out = subprocess.run([sys.executable, str(REPO / "bench" / "recalc.py"), "--sizes", "6", "--workers", "1",
                          "--lo-forms", "2", "--lo-cli-forms", "1", "--distinct", "3", "--no-big-book",
                          "--workdir", str(tmp_path)],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    for kind in ("real", "template"):
        assert re.search(rf"\[{kind}\] LibreOffice UNO calculateAll \+ 保存: 2 份 .* 份/s", out.stdout), out.stdout
    rows = {line.split()[0]: line.split() for line in out.stdout.splitlines() if line.split()[1:3] in (["6", "1"],
                                                                                                  ["12", "1"])}
    assert set(rows) == {"real", "template", "合计"}, out.stdout
    assert rows["合计"][1] == "12"
    for row in rows.values():
        rate, ratio_uno = float(row[4]), float(row[5].rstrip("x"))
        assert rate > 0 and ratio_uno > 0, out.stdout
    assert len(list((tmp_path / "distinct").iterdir())) == 3  # 6 forms repeat 3 distinct ones
    real = sorted(p.name for p in (tmp_path / "real_distinct").iterdir())
    assert len(real) == 3 and len({name.split("_", 2)[2] for name in real}) == 3  # 3 different table × layout


def test_real_copies_differ_and_read_as_forms(tmp_path):
    sys.path.insert(0, str(REPO))
    try:
        from bench.sample_forms import real_cases, write_real_copy
    finally:
        sys.path.remove(str(REPO))
    from perfscore.forms import read_forms
    from perfscore.xlsx import read_grid

    cases = real_cases()
    assert len({lay for _, lay in cases}) >= 8 and len({tid for tid, _ in cases}) >= 8  # every layout, every table
    tid, layout = next(c for c in cases if c[1] == "text_numbers")
    a = write_real_copy(tid, layout, 1, tmp_path / "a.xlsx")
    b = write_real_copy(tid, layout, 2, tmp_path / "b.xlsx")
    fa, fb = (read_forms(read_grid(p)).forms for p in (a, b))
    assert len(fa) == len(fb) == 1
    assert fa[0].header != fb[0].header  # another unit's names
    scores = [[i.score.value for i in f[0].indicators] for f in (fa, fb)]
    assert scores[0] != scores[1] and all(isinstance(v, str) for v in scores[0] if v is not None)  # text numbers


def test_equivalence_digest_is_stable_and_sees_a_change(tmp_path, monkeypatch):
    sys.path.insert(0, str(REPO))
    try:
        from bench.equivalence import SUMMARY, digest
        from bench.sample_forms import fill_template, make_form
    finally:
        sys.path.remove(str(REPO))
    files = [make_form(tmp_path / "in" / "a.xlsx", seed=1, variant="addin"),
             fill_template(tmp_path / "in" / "b.xlsx", seed=2)]
    first, second = digest(files, tmp_path / "o1"), digest(files, tmp_path / "o2")
    assert first == second and json.dumps(first, ensure_ascii=False)  # deterministic, JSON-able
    assert SUMMARY in first and all(r["ok"] and r["parts"] for k, r in first.items() if k != SUMMARY)
    # a changed rule result shows up in the digest
    from perfscore.recalc import task

    real = task.FileReport

    def fewer_formulas(*args, **kw):
        r = real(*args, **kw)
        return r if not r.ok else real(**{**r.__dict__, "formulas": r.formulas + 1})

    monkeypatch.setattr(task, "FileReport", fewer_formulas)
    assert digest(files, tmp_path / "o3") != first


def test_typed_only_form_skips_the_engine_with_the_same_report(tmp_path, monkeypatch):
    """Speed work (issue 12): a workbook with no formula and no loaded name is not put into ironcalc; its
    report and output parts equal those of the full path."""
    sys.path.insert(0, str(REPO))
    try:
        from bench.equivalence import SUMMARY, digest
        from bench.sample_forms import fill_template, real_cases, write_real_copy
    finally:
        sys.path.remove(str(REPO))
    from perfscore.recalc import engine
    from perfscore.xlsx import read_grid

    typed = [write_real_copy(tid, lay, k, tmp_path / "in" / f"{k}.xlsx")
             for k, (tid, lay) in enumerate(real_cases()[::9])]
    with_formulas = fill_template(tmp_path / "in" / "tpl.xlsx", seed=3)
    assert all(engine._nothing_to_compute(read_grid(p)) for p in typed)
    assert not engine._nothing_to_compute(read_grid(with_formulas))
    fast = digest([*typed, with_formulas], tmp_path / "fast")
    monkeypatch.setattr(engine, "_nothing_to_compute", lambda grid: False)
    full = digest([*typed, with_formulas], tmp_path / "full")
    assert fast == full and all(r["ok"] for k, r in fast.items() if k != SUMMARY)


def test_summary_width_counts_cjk_as_two_units():
    from perfscore.recalc.summary import display_units

    for text in ("", "abc", "预算执行率", "≥95%", "⺀⺁", "得分 9.5 分（A1）", "\U0002a700x"):
        assert display_units(text) == sum(2 if ord(ch) > 0x2E80 else 1 for ch in text), text


def test_streamed_summary_rows_read_back_as_xlsxwriter_writes_them(tmp_path, monkeypatch):
    """Speed work (issue 12): the table sheets' rows are streamed as XML (sheetrows), not through xlsxwriter's
    per-cell calls, and rendered in the worker when the task is asked to (TaskOptions.summary_rows). Read back
    with openpyxl, every cell — value, type, number format, wrap, alignment — and every row height equals a
    reference workbook xlsxwriter writes from the same rows and column formats."""
    import openpyxl
    import xlsxwriter

    sys.path.insert(0, str(REPO))
    try:
        from bench.sample_forms import real_cases, write_real_copy
    finally:
        sys.path.remove(str(REPO))
    from dataclasses import replace

    from perfscore.recalc import summary, summary_rows
    from perfscore.recalc.report import FileReport, TaskOptions
    from perfscore.recalc.task import recalc_file

    cases = real_cases()
    # half the reports carry rows rendered by the task (as the batch's workers do), half are rendered here
    reports = [recalc_file(str(write_real_copy(*cases[k], k, tmp_path / "in" / f"{k}.xlsx")), None,
                           TaskOptions(summary_rows=k % 2 == 0))
               for k in range(0, len(cases), 3)]
    reports.append(FileReport("收件箱/a&b <c>.xls", None, False, "", " 旧版 .xls 格式不支持 \x07 ", 0.0))
    assert sum(len(r.findings) for r in reports) > 20  # wrapped findings rows to size
    assert sum(r.summary_rows is not None for r in reports) >= 5

    with summary.SummaryWriter(tmp_path / "ours.xlsx", date="2026-12-04") as w:
        for r in reports:
            w.add(r)
        tables = [w._forms, w._files, *w._finding_sheets]
    # the reference: xlsxwriter's own calls on the values summary_rows gives each sheet
    values = [summary_rows.report_values(replace(r, summary_rows=None)) for r in reports]
    rows = {summary.FORMS_SHEET: [row for v in values for row in v.forms],
            summary.FILES_SHEET: [v.file for v in values],
            summary.FINDINGS_SHEET: [row for v in values for row in v.findings]}
    ref = xlsxwriter.Workbook(str(tmp_path / "ref.xlsx"), summary.WRITER_OPTIONS)
    for t in tables:
        ws = ref.add_worksheet(t.ws.name)
        fmts = [ref.add_format(_format_props(f)) if f is not None else None for f in t._formats]
        for n, row in enumerate(rows[t.ws.name], start=1):
            if height := t.spec.height(row):
                ws.set_row(n, height)
            for j, v in enumerate(row):
                if v is None or v == "":
                    continue
                if t.spec.text_only or isinstance(v, str):
                    ws.write_string(n, j, str(v), fmts[j])
                elif isinstance(v, float) and v != v:
                    continue
                elif isinstance(v, float) and v in (float("inf"), float("-inf")):
                    ws.write_string(n, j, "inf" if v > 0 else "-inf", fmts[j])
                else:
                    ws.write(n, j, v, fmts[j])
    ref.close()
    ours, theirs = openpyxl.load_workbook(tmp_path / "ours.xlsx"), openpyxl.load_workbook(tmp_path / "ref.xlsx")
    compared = 0
    for t in tables:
        a, b = ours[t.ws.name], theirs[t.ws.name]
        assert a.max_row == b.max_row == t.rows + 1
        for r in range(2, a.max_row + 1):
            assert a.row_dimensions[r].height == b.row_dimensions[r].height, (t.ws.name, r)
            for c in range(1, len(t.columns) + 1):
                x, y = a.cell(r, c), b.cell(r, c)
                assert (x.value, x.data_type) == (y.value, y.data_type), (t.ws.name, x.coordinate)
                if y.value is not None:
                    assert (x.number_format, x.alignment.wrap_text, x.alignment.vertical) == (
                        y.number_format, y.alignment.wrap_text, y.alignment.vertical), (t.ws.name, x.coordinate)
                    compared += 1
    assert compared > 300
    assert any(ours["文件"].cell(r, 1).value == "收件箱/a&b <c>.xls" for r in range(2, ours["文件"].max_row + 1))


def test_rows_rendered_in_the_workers_are_the_rows_the_parent_renders(tmp_path):
    """Speed work (issue 12): the batch asks its workers for the summary rows (the parent serves every worker).
    The sheets a summary gets from worker-rendered reports are byte for byte those of the same reports
    rendered by the parent."""
    import zipfile
    from dataclasses import replace

    from perfscore.recalc.batch import Job, run_local
    from perfscore.recalc.report import TaskOptions
    from perfscore.recalc.summary import SummaryWriter

    sys.path.insert(0, str(REPO))
    try:
        from bench.sample_forms import real_cases, write_real_copy
    finally:
        sys.path.remove(str(REPO))
    cases = real_cases()
    jobs = [Job(str(write_real_copy(*cases[k], k, tmp_path / "in" / f"{k:03d}.xlsx")), None)
            for k in range(0, len(cases), 5)]
    jobs.append(Job(str(tmp_path / "in" / "missing.xlsx"), None))  # a failed report, rendered in the worker too
    reports = sorted(run_local(jobs, TaskOptions(write=False, summary_rows=True), workers=2), key=lambda r: r.file)
    assert all(r.summary_rows is not None for r in reports)
    assert sum(len(r.summary_rows.findings) for r in reports) > 20

    def sheets(name: str, rs) -> dict[str, bytes]:
        with SummaryWriter(tmp_path / name, date="2026-12-04") as w:
            for r in rs:
                w.add(r)
        with zipfile.ZipFile(tmp_path / name) as z:
            return {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")}

    ours = sheets("workers.xlsx", reports)
    assert ours == sheets("parent.xlsx", [replace(r, summary_rows=None) for r in reports])
    assert len(ours) >= 3
    # what the CLI asks for: the rows only, without the records they were made from
    lean = sorted(run_local(jobs, TaskOptions(write=False, summary_rows=True, rows_only=True), workers=2),
                  key=lambda r: r.file)
    assert all(not r.forms and not r.findings and r.summary_rows is not None for r in lean)
    assert [(r.file, r.ok, r.errors, r.warnings) for r in lean] == [(r.file, r.ok, r.errors, r.warnings) for r in reports]
    assert sheets("stripped.xlsx", [replace(r, forms=(), findings=()) for r in reports]) == ours
    timed = "xl/worksheets/sheet2.xml"  # the 文件 sheet holds each run's seconds
    assert {k: v for k, v in sheets("lean.xlsx", lean).items() if k != timed} == {
        k: v for k, v in ours.items() if k != timed}


def _format_props(fmt) -> dict:
    """The properties of one of the summary's xlsxwriter formats (to rebuild it in the reference workbook)."""
    props = {}
    if fmt.num_format:
        props["num_format"] = fmt.num_format
    if fmt.text_wrap:
        props["text_wrap"] = True
    if fmt.text_v_align == 1:
        props["valign"] = "top"
    return props


def test_dask_runs_files_in_chunks_with_the_same_reports(tmp_path):
    """Speed work (issue 12): Dask tasks carry chunks of files (a task round trip costs more than a typed
    form); every file still gets its own report, equal to the local pool's."""
    sys.path.insert(0, str(REPO))
    try:
        from bench.sample_forms import real_cases, write_real_copy
    finally:
        sys.path.remove(str(REPO))
    from perfscore.recalc.batch import chunk_size, discover, run_dask, run_local
    from perfscore.recalc.report import TaskOptions

    assert chunk_size(3, 2) == 1 and chunk_size(40, 1) == 2 and chunk_size(100_000, 2) == 64
    cases = real_cases()
    for k in range(40):
        write_real_copy(*cases[k % len(cases)], k, tmp_path / "in" / f"{k:02d}.xlsx")
    jobs, early = discover([tmp_path / "in"], tmp_path / "out_dask")
    assert len(jobs) == 40 and not early
    via_dask = {r.file: r for r in run_dask(jobs, TaskOptions(), None, 1)}
    jobs_local, _ = discover([tmp_path / "in"], tmp_path / "out_local")
    local = {r.file: r for r in run_local(jobs_local, TaskOptions(), 1)}
    assert set(via_dask) == set(local) == {j.source for j in jobs}

    def same(r):
        return dataclasses.replace(r, seconds=0.0, output=None)

    assert all(same(via_dask[f]) == same(local[f]) for f in local)
    assert all(r.ok and r.output and Path(r.output).exists() for r in via_dask.values())
