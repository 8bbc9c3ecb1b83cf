"""The per-file report carries the checker's own Finding records across processes; outputs are atomic, unsynced."""

from __future__ import annotations

import os
import pickle

import pytest

from perfscore.checks import Finding
from perfscore.recalc.batch import Job, run_local
from perfscore.recalc.task import TaskOptions, recalc_file
from perfscore.xlsx.atomic import write_bytes_atomic
from tests.recalc.books import fill_template


def test_report_findings_are_checker_findings_and_pickle(tmp_path):
    src = fill_template(tmp_path / "表.xlsx", seed=3, blanks=1)
    report = recalc_file(str(src), str(tmp_path / "out" / "表.xlsx"))
    assert report.ok and report.findings
    assert all(type(f) is Finding and f.file == str(src) for f in report.findings)
    assert pickle.loads(pickle.dumps(report)) == report
    assert report.errors == sum(f.severity == "错误" for f in report.findings)


def test_process_pool_returns_the_same_findings(tmp_path):
    jobs = [Job(str(fill_template(tmp_path / f"{i}.xlsx", seed=i, blanks=1)), str(tmp_path / "o" / f"{i}.xlsx"))
            for i in range(2)]
    pooled = {r.file: r.findings for r in run_local(jobs, TaskOptions(), workers=2)}
    here = {j.source: recalc_file(j.source, None, TaskOptions(write=False)).findings for j in jobs}
    assert pooled == here and all(here.values())


def test_outputs_are_written_without_fsync(tmp_path, monkeypatch):
    def no_fsync(fd):
        raise AssertionError("fsync per output file")

    src = fill_template(tmp_path / "表.xlsx", seed=1, blanks=0)
    monkeypatch.setattr(os, "fsync", no_fsync)
    report = recalc_file(str(src), str(tmp_path / "out" / "表.xlsx"))
    assert report.ok and (tmp_path / "out" / "表.xlsx").exists()
    with pytest.raises(AssertionError):
        write_bytes_atomic(tmp_path / "x.bin", b"x")  # the default still flushes to disk
    write_bytes_atomic(tmp_path / "y.bin", b"y", fsync=False)
    assert (tmp_path / "y.bin").read_bytes() == b"y"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "y.bin", "表.xlsx"]  # no temp file left


def test_the_input_is_never_the_output_by_any_name(tmp_path):
    src = fill_template(tmp_path / "表.xlsx", seed=2, blanks=0)
    before = src.read_bytes()
    (tmp_path / "链接.xlsx").symlink_to(src)
    os.link(src, tmp_path / "硬链接.xlsx")
    (tmp_path / "sub").mkdir()
    for name in ("表.xlsx", "链接.xlsx", "sub/../表.xlsx"):
        report = recalc_file(str(src), str(tmp_path / name))
        assert not report.ok and "输出路径与输入相同" in report.reason and str(src) in report.reason
    assert src.read_bytes() == before
    # another name of the same inode is another path: the output replaces that name, the input stays
    assert recalc_file(str(src), str(tmp_path / "硬链接.xlsx")).ok
    assert src.read_bytes() == before and (tmp_path / "硬链接.xlsx").read_bytes() != before
    other = recalc_file(str(src), str(tmp_path / "新目录" / "表.xlsx"))
    assert other.ok and other.output and src.read_bytes() == before
