"""The benchmark and the equivalence digest still run (they are how speed claims are checked), on a tiny corpus."""

from __future__ import annotations

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
                          "--lo-forms", "2", "--lo-cli-forms", "1", "--distinct", "3", "--workdir", str(tmp_path)],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert re.search(r"LibreOffice UNO calculateAll \+ 保存: 2 份 .* 份/s", out.stdout), out.stdout
    row = next(line.split() for line in out.stdout.splitlines() if line.split()[:2] == ["6", "1"])
    rate, ratio_uno = float(row[3]), float(row[4].rstrip("x"))
    assert rate > 0 and ratio_uno > 0, out.stdout
    assert len(list((tmp_path / "distinct").iterdir())) == 3  # 6 forms repeat 3 distinct ones


def test_equivalence_digest_is_stable_and_sees_a_change(tmp_path, monkeypatch):
    sys.path.insert(0, str(REPO))
    try:
        from bench.equivalence import digest
        from bench.sample_forms import fill_template, make_form
    finally:
        sys.path.remove(str(REPO))
    files = [make_form(tmp_path / "in" / "a.xlsx", seed=1, variant="addin"),
             fill_template(tmp_path / "in" / "b.xlsx", seed=2)]
    first, second = digest(files, tmp_path / "o1"), digest(files, tmp_path / "o2")
    assert first == second and json.dumps(first, ensure_ascii=False)  # deterministic, JSON-able
    assert all(r["ok"] and r["parts"] for r in first.values())
    # a changed rule result shows up in the digest
    from perfscore.recalc import task

    real = task.FileReport

    def fewer_formulas(*args, **kw):
        r = real(*args, **kw)
        return r if not r.ok else real(**{**r.__dict__, "formulas": r.formulas + 1})

    monkeypatch.setattr(task, "FileReport", fewer_formulas)
    assert digest(files, tmp_path / "o3") != first
