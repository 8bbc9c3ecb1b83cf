"""Same results before and after a speed change: a digest of everything `recalc_file` produces on a corpus.

    .venv/bin/python bench/equivalence.py record FILE.json [--workdir DIR]
    .venv/bin/python bench/equivalence.py compare FILE.json [--workdir DIR]

The corpus: the benchmark's distinct forms (template-filled and user-layout with [1]!SCORE_* calls, variants
with blanks and comments), the demo's example workbooks (published forms 001/004, the central form typed,
with formulas, with typical mistakes, a damaged file), the 20-sheet book and one varied copy of every table ×
layout of the real-forms corpus (tests/realforms: typed forms, numbers as text, judgement rows). For every
file it keeps the report (all fields but the seconds, findings included) and the sha256 of every part of the
output package; and for the summary workbook of all those reports, every cell of every sheet as read back
(value, type, number format, wrap) and every row height.
`compare` prints every difference and exits 1 when there is any: a speed change must not change a result.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import zipfile
from dataclasses import asdict, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.sample_forms import fill_template, make_big_book, make_form  # noqa: E402


SUMMARY = "重算汇总.xlsx (summary)"  # the digest's key for the summary workbook (the other keys are files)


def make_equivalence_corpus(root: Path) -> list[Path]:
    folder = root / "corpus"
    if not folder.exists():
        from perfscore.cli.cmd_demo import build_example_workbooks

        folder.mkdir(parents=True)
        for i in range(24):
            make_form(folder / f"user_udf_{i:02d}.xlsx", seed=i, variant="udf", blanks=i % 3, comments=i % 2 == 0)
            make_form(folder / f"user_addin_{i:02d}.xlsx", seed=100 + i, variant="addin", blanks=i % 2)
            fill_template(folder / f"tpl_{i:02d}.xlsx", seed=200 + i, blanks=i % 3)
        make_big_book(folder / "book20.xlsx", sheets=20)
        build_example_workbooks(folder / "demo")
        from bench.sample_forms import real_cases, write_real_copy

        for k, (tid, layout) in enumerate(real_cases()):
            write_real_copy(tid, layout, k, folder / "real" / f"{k:03d}_{tid}--{layout}.xlsx")
    return sorted(p for p in folder.rglob("*") if p.is_file())


def digest(files: list[Path], outdir: Path) -> dict[str, dict]:
    from perfscore.recalc.task import TaskOptions, recalc_file

    outdir.mkdir(parents=True, exist_ok=True)
    result: dict[str, dict] = {}
    reports = []
    for i, path in enumerate(files):
        out = outdir / f"{i:04d}.xlsx"
        # the summary rows rendered by the task, as the batch's workers do (compared through the summary below)
        report = recalc_file(str(path), str(out), TaskOptions(summary_rows=True))
        reports.append(report)
        record = asdict(report)
        record.pop("seconds")
        record.pop("summary_rows", None)
        record["file"] = path.name
        record["output"] = None
        record["findings"] = [{**f, "file": ""} for f in record["findings"]]
        record["forms"] = [{**f, "file": ""} for f in record["forms"]]
        if report.output:
            with zipfile.ZipFile(report.output) as z:
                record["parts"] = {n: hashlib.sha256(z.read(n)).hexdigest() for n in sorted(z.namelist())}
        result[str(path.relative_to(files[0].parents[len(files[0].parents) - 1]))] = json.loads(
            json.dumps(record, default=repr, ensure_ascii=False))
    result = {k.split("corpus/", 1)[-1]: v for k, v in result.items()}
    result[SUMMARY] = summary_digest(reports, outdir / "重算汇总.xlsx")
    return result


def summary_digest(reports: list, path: Path) -> dict[str, str]:
    """Per sheet of the summary of `reports`: a sha256 of its cells and row heights as openpyxl reads them."""
    import openpyxl

    from perfscore.recalc.summary import FILE_COLUMNS, FILES_SHEET, SummaryWriter

    with SummaryWriter(path, profile="central", date="2026-01-01") as summary:
        for report in reports:
            summary.add(replace(report, seconds=0.0))
    book = openpyxl.load_workbook(path)
    sheets = {}
    for ws in book.worksheets:
        # 耗时(ms) differs on every run (rows rendered in the task carry their own seconds): read as 0
        timing = FILE_COLUMNS.index("耗时(ms)") + 1 if ws.title == FILES_SHEET else None
        # an empty text cell reads as a blank one (both show nothing); output paths lose their temp folder
        cells = [[(c.value if not isinstance(c.value, str) else c.value.replace(str(path.parent), ""))
                  if c.column != timing or c.row == 1 else 0,
                  c.data_type, c.number_format, bool(c.alignment.wrap_text)]
                 for row in ws.iter_rows() for c in row if c.value not in (None, "")]
        heights = [ws.row_dimensions[r].height for r in range(1, ws.max_row + 1)]
        sheets[ws.title] = hashlib.sha256(json.dumps([cells, heights], default=repr, ensure_ascii=False)
                                          .encode("utf-8")).hexdigest()
    return sheets


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["record", "compare"])
    ap.add_argument("file")
    ap.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "perfscore-equivalence"))
    args = ap.parse_args(argv)
    root = Path(args.workdir)
    files = make_equivalence_corpus(root)
    now = digest(files, Path(tempfile.mkdtemp(prefix="out-", dir=root)))
    if args.mode == "record":
        Path(args.file).write_text(json.dumps(now, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
        print(f"记录 {len(now)} 个文件 → {args.file}")
        return 0
    before = json.loads(Path(args.file).read_text(encoding="utf-8"))
    diffs = 0
    for name in sorted(set(before) | set(now)):
        a, b = before.get(name), now.get(name)
        if a == b:
            continue
        diffs += 1
        if a is None or b is None:
            print(f"{name}: 只在{'之后' if a is None else '之前'}")
            continue
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                print(f"{name}: {key}\n  之前 {str(a.get(key))[:400]}\n  之后 {str(b.get(key))[:400]}")
    print(f"{len(now)} 个文件，{diffs} 个不同")
    return 1 if diffs else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
