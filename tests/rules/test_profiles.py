import tomllib

import pytest

from perfscore.rules import (
    ProfileError,
    assess_indicator,
    dump_profile,
    grade,
    list_profiles,
    load_profile,
    profile_from_dict,
    score_exec_rate,
    score_indicator,
)

SHIPPED = {"central", "qual-80-50", "exec-20", "vendor-linear", "grade-80-70-60", "seed002-strict", "no-exec-40-40-20"}


def test_every_shipped_profile_loads_and_names_its_source():
    profiles = {p.name: p for p in list_profiles()}
    assert SHIPPED <= set(profiles)
    for p in profiles.values():
        assert p.title and p.source, p.name


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_profile_round_trip(name):
    p = load_profile(name)
    assert profile_from_dict(tomllib.loads(dump_profile(p))) == p


def test_variants_differ_where_documented():
    # 80/50 bands: 1.5 of 3 (50%) is 部分达成 there, 未达成 under the central 80/60 bands
    from perfscore.rules import level_of_fraction

    assert level_of_fraction(0.5, "central") == "未达成"
    assert level_of_fraction(0.5, "qual-80-50") == "部分达成"
    assert load_profile("exec-20").first_level_weights == {"预算执行率": 20}
    assert score_indicator("反向", "≤", 10, 15, 4, "vendor-linear") == 2.0  # (2×10−15)/10 × 4
    assert score_indicator("反向", "≤", 10, 15, 4, "central") == 2.67  # 10/15 × 4
    assert score_indicator("反向", "≤", 10, 15, 4, "seed002-strict") == 0.0
    assert score_indicator("反向", "≤", 10, 0, 4, "seed002-strict") == 2.0
    assert score_exec_rate(100, 120, 10, "vendor-linear") == 10  # uncapped rate, still capped at 分值
    assert grade(75, "grade-80-70-60") == "良" and grade(75) == "中"
    deducted = assess_indicator("正向", "≥", 100, 300, 5, "seed002-strict")
    assert deducted.score == 4.5 and deducted.warnings


def test_user_profile_file_without_code_changes(tmp_path, monkeypatch):
    (tmp_path / "my-city.toml").write_text(
        'name = "my-city"\nextends = "central"\ntitle = "本市口径"\nsource = "市财政局文件"\n[grade]\nbands = [["优", 85], ["良", 75], ["中", 60], ["差", 0]]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("PERFSCORE_PROFILE_PATH", str(tmp_path))
    assert grade(86, "my-city") == "优"
    assert "my-city" in {p.name for p in list_profiles()}
    assert grade(86, str(tmp_path / "my-city.toml")) == "优"  # by path too


@pytest.mark.parametrize(
    "body, message",
    [
        ('name = "x"\ncolour = "red"\n', "未知的键"),
        ('name = "x"\n[indicator]\nnegative_overrun = "gentle"\n', "无效"),
        ('name = "x"\n[indicator]\nover_target_warn = 2\n', "未知的键"),
        ('name = "x"\n[grade]\nbands = [["优", 60], ["良", 80], ["差", 0]]\n', "从高到低"),
        ('name = "x"\n[qualitative]\nbands = { "达成" = [0.8, 1.0], "部分达成" = [0.5, 0.7], "未达成" = [0.0, 0.5] }\n', "首尾相接"),
        ('name = "x"\ndecimals = "two"\n', "decimals"),
        ("title = \"no name\"\n", "缺少「name」"),
        ("name = [\n", "格式错误"),
    ],
)
def test_bad_profiles_are_refused(tmp_path, body, message):
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        load_profile(str(path))
    assert message in str(err.value)


def test_unknown_profile_lists_known_ones():
    with pytest.raises(ProfileError, match="central"):
        load_profile("no-such-profile")
