"""First-level weights that differ from the profile's template are a note (other provinces use other splits);
the form's own inconsistent weights stay WEIGHT_SUM 错误. On real published rows."""

from __future__ import annotations

import pytest

from perfscore.checks.files import check_file
from perfscore.checks.findings import ERROR, NOTE
from perfscore.samples import build_example_001
from realforms.layouts import load_tables, planted, write_form

YONGDE = "p-yongde-2022-yingyang-gaishan"  # 预算执行率 10 / 产出 40 / 效益 30 / 满意度 20, published 96 优


@pytest.fixture(scope="module")
def yongde():
    return load_tables()[YONGDE]


def _weight_sum(findings):
    return [f for f in findings if f.code == "WEIGHT_SUM"]


@pytest.mark.parametrize("layout", ["merged", "repeated", "first_row"])
def test_another_provinces_split_is_a_note_naming_the_profile(yongde, layout, tmp_path):
    found = _weight_sum(check_file(write_form(yongde, layout, tmp_path / "f.xlsx")))
    by_group = {f.message.split("”")[0].split("“")[1]: f for f in found}
    assert set(by_group) == {"产出指标", "满意度指标"}  # 效益 30 and 执行率 10 agree with central
    assert all(f.severity == NOTE for f in found)
    assert "分值合计 40" in by_group["产出指标"].message and "中的 50" in by_group["产出指标"].message
    assert "方案 central" in by_group["满意度指标"].message and "自洽" in by_group["满意度指标"].message
    assert not any(f.severity == ERROR for f in check_file(tmp_path / "f.xlsx") if f.code == "WEIGHT_SUM")


def test_inconsistent_weights_stay_errors(yongde, tmp_path):
    """One row's weight +1: Σ = 101 against the printed 100 is the error; the template notes say to look there."""
    found = _weight_sum(check_file(write_form(planted(yongde, "weight_sum"), "merged", tmp_path / "bad.xlsx")))
    errors = [f for f in found if f.severity == ERROR]
    assert len(errors) == 1 and "之和为 101" in errors[0].message and "写为 100" in errors[0].message
    notes = [f for f in found if f.severity == NOTE]
    assert notes and all("另有错误" in f.message for f in notes)
    assert any("分值合计 41" in f.message for f in notes)


def test_a_matching_profile_is_named(yongde, tmp_path, monkeypatch):
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "yunnan-40-30-20.toml").write_text(
        'name = "yunnan-40-30-20"\nextends = "central"\ntitle = "t"\nsource = "test"\n\n[first_level_weights]\n'
        '"预算执行率" = 10\n"产出指标" = 40\n"效益指标" = 30\n"满意度指标" = 20\n', encoding="utf-8")
    monkeypatch.setenv("PERFSCORE_PROFILE_PATH", str(folder))
    path = write_form(yongde, "merged", tmp_path / "f.xlsx")
    notes = _weight_sum(check_file(path))
    assert notes and all("--profile yunnan-40-30-20" in f.message for f in notes)
    assert _weight_sum(check_file(path, "yunnan-40-30-20")) == []  # with its own template: nothing to say


def test_published_example_001_has_no_weight_error(tmp_path):
    found = check_file(build_example_001(tmp_path / "001.xlsx"))
    assert [f for f in found if f.code == "WEIGHT_SUM" and f.severity == ERROR] == []
