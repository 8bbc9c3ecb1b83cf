"""The batch walks its folders twice (count, then run) and holds no list of jobs: both walks give the same jobs,
clash suffixes included, and a streamed batch reports the same as a listed one."""

from __future__ import annotations

import openpyxl

from perfscore.recalc.batch import Job, Survey, discover, run_local
from perfscore.recalc.report import TaskOptions


def _book(path, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    wb.active["A1"] = value
    wb.active["A2"] = "=A1*2"
    wb.save(path)


def test_survey_counts_and_streams_the_same_jobs_as_discover(tmp_path):
    a, b = tmp_path / "甲", tmp_path / "乙"
    for i in range(3):
        _book(a / f"单位{i}" / "自评表.xlsx", i)
    _book(b / "单位0" / "自评表.xlsx", 10)  # the same relative path under a second input: gets a suffix
    (a / "旧表.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (a / "~$自评表.xlsx").write_bytes(b"lock")
    jobs, early = discover([a, b], tmp_path / "out")
    survey = Survey.of([a, b], tmp_path / "out")
    assert survey.count == len(jobs) == 4
    assert list(survey.jobs()) == jobs
    assert sorted(r.file for r in survey.early) == sorted(r.file for r in early) and len(early) == 2
    assert survey.overwrites == []
    assert jobs[-1].output.endswith("自评表-2.xlsx")
    assert isinstance(survey.jobs(), type(x for x in ()))  # a generator, not a list


def test_streamed_jobs_give_the_same_reports(tmp_path):
    for i in range(4):
        _book(tmp_path / "in" / f"{i}.xlsx", i)
    jobs, _ = discover([tmp_path / "in"], tmp_path / "out1")
    listed = {r.file: (r.ok, r.formulas) for r in run_local(jobs, TaskOptions(), 1)}
    survey = Survey.of([tmp_path / "in"], tmp_path / "out2")
    streamed = {r.file: (r.ok, r.formulas) for r in run_local(survey.jobs(), TaskOptions(), 2, count=survey.count)}
    assert streamed == listed and len(listed) == 4 and all(ok and n == 1 for ok, n in listed.values())


def test_survey_names_a_job_that_would_overwrite_its_input(tmp_path):
    _book(tmp_path / "x.xlsx", 1)
    survey = Survey.of([tmp_path / "x.xlsx"], tmp_path)
    assert survey.overwrites == [str(tmp_path / "x.xlsx")]
    assert isinstance(next(survey.jobs()), Job)
