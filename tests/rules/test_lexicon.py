"""Qualitative actuals as people write them (issue 9 item 2), read with the profile's lexicon.

Each case names where the phrasing was seen: [I9]/[I14] the issues' real forms, [S] examples/, [C] the real-forms
corpus (tests/realforms), [D] a documented default of profiles/_lexicon.toml.
"""

import tomllib

import pytest

from perfscore.rules import (
    NotApplicable,
    ProfileError,
    RuleInputError,
    assess_indicator,
    dump_profile,
    list_profiles,
    load_profile,
    parse_qual_level,
    profile_from_dict,
)
from perfscore.rules.lexicon import default_lexicon, read_qualitative


@pytest.mark.parametrize(
    "target, actual, level, source",
    [
        # degree words read against the target's verb
        ("有效降低", "有所降低", "部分达成", "[I9] 有所降低 against 有效降低"),
        ("有效降低", "未降低", "未达成", "[I9] 未降低"),
        ("有效降低", "有效降低", "达成", "actual = target"),
        ("有效降低", "显著降低", "达成", "a stronger degree word"),
        ("有效降低", "降低", "达成", "[D] bare_verb: the target's verb without its degree"),
        ("有效降低", "有所减少", "部分达成", "[D] synonyms 降低 = 减少"),
        ("显著提升", "有所提升", "部分达成", "[I9] 有所提升 ([C] target 显著提升)"),
        ("显著提升", "有所提高", "部分达成", "[D] synonyms 提升 = 提高"),
        ("显著提升", "没有明显提升", "未达成", "negation before a degree word"),
        ("促进产业发展", "有所促进", "部分达成", "[I9] 有所促进: the target's verb, shorter"),
        ("服务质量有效提升", "服务质量有所提升", "部分达成", "degree word inside the sentence"),
        ("有效", "略有提升", "部分达成", "a target that is a degree word only"),
        ("正常", "基本正常", "部分达成", "[C] target 正常"),
        ("及时", "不及时", "未达成", "[C] target 及时"),
        ("及时", "尚未", "未达成", "a degree word alone"),
        (None, "一定程度上提升", "部分达成", "no target: the degree word says it"),
        ("有效降低", "逐步降低", "部分达成", "[I9] 逐步"),
        # official phrases and short forms
        ("充分", "达成预期目标", "达成", "[S] examples/001"),
        ("正常", "部分达成预期目标并具有一定效果", "部分达成", "[S] official phrase"),
        ("正常", "未达成预期目标且效果较差", "未达成", "[S] official phrase"),
        ("按照招标决定%", "部分达成并具有一定效果", "部分达成", "[C] q-jiangsu-2022"),
        ("正常", "基本达成", "部分达成", "[I9] 基本达成"),
        ("正常", "完成", "达成", "[I9] 完成"),
        ("正常", "已完成", "达成", "[I9] 已完成"),
        ("正常", "按时完成", "达成", "[I9] 按时完成"),
        ("正常", "未完成", "未达成", "[I9] 未完成"),
        ("按时", "未按时完成", "未达成", "negation before a statement"),
        ("正常", "基本完成", "部分达成", "degree word before a statement lowers it"),
        # evaluation words
        ("有效", "优", "达成", "[I9][I14] 优"),
        ("有效", "好", "达成", "[I9][I14] 好"),
        ("有效", "良好", "达成", "[I9] 良好"),
        ("有效", "较好", "达成", "[I9] 较好"),
        ("有效", "一般", "部分达成", "[I9] 一般"),
        ("有效", "较差", "未达成", "[I9] 较差"),
        ("良好运行", "运行良好", "达成", "an evaluation ending the text"),
        ("有效", "效果一般", "部分达成", "an evaluation ending the text"),
        ("有效", "基本良好", "部分达成", "a degree word right before an evaluation"),
        ("有效", "良好。", "达成", "punctuation around a short answer"),
        # 是/否 against the target
        ("是", "是", "达成", "[I9] 是 against 是"),
        ("是", "否", "未达成", "[I9] 否 against 是"),
        ("有效", "是", "达成", "是 against a descriptive target"),
        ("无重大安全事故", "无", "达成", "[D] 无 against a target stating an absence"),
        ("无重大安全事故", "是", "未达成", "是 against a target stating an absence"),
        ("否", "无", "达成", "two no-answers agree"),
        # completion percentages (band from the profile)
        ("合规", "85%", "达成", "[I9] percentages"),
        ("合规", "已完成70%", "部分达成", "[D] percent_words"),
        ("合规", "完成率 50%", "未达成", "[D] percent_words, spaces"),
        # full-width text
        ("有效降低", "有所降低　", "部分达成", "full-width space"),
    ],
)
def test_real_phrasing_is_understood(target, actual, level, source):
    assert parse_qual_level(actual, target) == level, source


@pytest.mark.parametrize(
    "target, actual, words",
    [
        ("有效降低", "有所提高", "不一致"),  # the opposite verb must never score as partial
        ("有效", "还行吧", "无法判断定性指标完成程度"),
        ("有效", "推进中", "无法判断"),  # a one-character evaluation word only as the whole text
        ("有效", "部分完成，效果良好", "前后矛盾"),
        ("有效", "不太好", "无法判断"),  # 好 only as the whole text; 不太 is no degree word
        ("合规", "完成率80%以上", "百分数"),
        ("合规", "120%", "0%–100%"),
        ("无重大安全事故", "有所减少", "不一致"),
        ("有效提升", "不断提升", "无法判断"),  # 不断 is not 不 + 断提升
        ("有效", "未能按要求完成", "否定词"),
        ("有效", "无人机巡查", "无法判断"),  # 无 + 人机巡查 against nothing to compare: refused
        (None, "不太理想", "无法判断"),
    ],
)
def test_unknown_or_contradictory_phrasing_is_refused_naming_the_cell(target, actual, words):
    with pytest.raises(RuleInputError) as err:
        assess_indicator("定性", "", target, actual, 4, cell="自评表!H12")
    assert words in err.value.message
    assert str(err.value).startswith("自评表!H12：")
    assert "达成" in err.value.message  # says what to write


def test_blank_and_not_applicable_stay_typed():
    with pytest.raises(RuleInputError, match="实际完成值为空"):
        parse_qual_level(None, "有效", cell="A1")
    with pytest.raises(NotApplicable):
        parse_qual_level("不适用", "有效")


@pytest.mark.parametrize(
    "target, actual, weight, expected, source",
    [
        ("有效降低", "有所降低", 4, 2.8, "[I9] 部分达成 → default 70%"),
        ("有效降低", "未降低", 4, 1.2, "[I9] 未达成 → default 30%"),
        ("有效保障", "有效保障", 6, 6.0, "[S] DOMAIN §2 6/6"),
        ("有效", "良好", 5, 5.0, "[I9] 良好"),
        ("有效", "一般", 5, 3.5, "[I9] 一般"),
        ("合规", "85%", 4, 3.4, "a written degree is the share of 分值"),
    ],
)
def test_scores_keep_the_band_fractions(target, actual, weight, expected, source):
    a = assess_indicator("定性", "", target, actual, weight)
    assert a.score == expected, source
    assert a.rule_id == "qualitative" and a.band in ("达成", "部分达成", "未达成")


def test_band_fractions_come_from_the_profile():
    # qual-80-50: 部分达成 is [50%, 80%) — still the default 70%; 50% written is 部分达成 there, 未达成 centrally
    assert parse_qual_level("50%", "合规", profile="qual-80-50") == "部分达成"
    assert parse_qual_level("50%", "合规") == "未达成"


def test_text_actual_against_a_numeric_target_scores_with_a_warning():
    # [C] q-jiangsu-2022: 性质/方向 blank, target 100%, actual 达成预期目标, published 3 of 3
    a = assess_indicator(None, None, "100%", "达成预期目标", 3)
    assert a.score == 3.0 and any("请核实" in w for w in a.warnings)
    b = assess_indicator("正向", "≥", "95%", "已完成90%", 5)  # the number in the text, by the 正向 rule
    assert b.score == 4.74 and b.rule_id == "positive"
    with pytest.raises(RuleInputError, match="不是数值"):
        assess_indicator("正向", "≥", "95%", "有所提高", 5)
    with pytest.raises(RuleInputError, match="无法判断按正向还是反向计分"):
        assess_indicator(None, None, 8755, 8676, 15)  # numbers with no direction stay refused


# ---------------------------------------------------------------- the lexicon is profile data


def _write(tmp_path, name, body):
    path = tmp_path / f"{name}.toml"
    path.write_text(f'name = "{name}"\ntitle = "t"\nsource = "s"\n' + body, encoding="utf-8")
    return path


def test_users_extend_the_lexicon_in_their_own_profile(tmp_path, monkeypatch):
    _write(tmp_path, "city", 'extends = "central"\n[lexicon]\nnot_degrees = ["不定期"]\n'
                             '[lexicon.degrees]\n"较为" = "达成"\n"逐步" = "不识别"\n'
                             '[lexicon.evaluations]\n"一般" = "未达成"\n')
    _write(tmp_path, "town", 'extends = "city"\n[lexicon.statements]\n"已办结" = "达成"\n')
    monkeypatch.setenv("PERFSCORE_PROFILE_PATH", str(tmp_path))
    with pytest.raises(RuleInputError):
        parse_qual_level("较为及时", "及时")  # unknown to the shipped lexicon
    assert parse_qual_level("较为及时", "及时", profile="city") == "达成"
    assert parse_qual_level("一般", "有效", profile="city") == "未达成"  # a level changed
    with pytest.raises(RuleInputError):
        parse_qual_level("逐步降低", "有效降低", profile="city")  # a shipped word removed
    town = load_profile("town")
    assert parse_qual_level("已办结", "按时办结", profile=town) == "达成"
    assert parse_qual_level("较为及时", "及时", profile=town) == "达成"  # inherited through extends
    assert "不定期" in town.lexicon.not_degrees and "不断" in town.lexicon.not_degrees  # lists add up
    assert assess_indicator("定性", "", "及时", "较为及时", 2, "town").score == 2.0
    assert profile_from_dict(tomllib.loads(dump_profile(town))) == town  # removed words round-trip too


def test_a_profile_without_extends_still_has_the_shipped_lexicon():
    p = profile_from_dict({"name": "bare"})
    assert p.lexicon == default_lexicon() == load_profile("central").lexicon
    assert parse_qual_level("有所降低", "有效降低", profile=p) == "部分达成"


@pytest.mark.parametrize(
    "lexicon, words",
    [
        ({"degrees": {"有所": "一半"}}, "lexicon.degrees.有所"),
        ({"answers": {"对": "达成"}}, "可选：是、否"),
        ({"degree": {}}, "未知的键"),
        ({"statements": ["完成"]}, "应为表"),
        ({"not_degrees": "不断"}, "应为文字列表"),
        ({"synonyms": [["提升"]]}, "每组至少两个词"),
        ({"synonyms": [["提升", "提高"], ["提高", "增加"]]}, "两组同义词"),
        ({"bare_verb": "满分"}, "bare_verb"),
        ({"degrees": {" ": "达成"}}, "非空文字"),
    ],
)
def test_lexicon_mistakes_are_refused_in_chinese(lexicon, words):
    with pytest.raises(ProfileError) as err:
        profile_from_dict({"name": "bad", "lexicon": lexicon}, origin="bad.toml")
    assert words in str(err.value) and "bad.toml" in str(err.value)


def test_the_base_lexicon_is_not_a_profile():
    assert "_lexicon" not in {p.name for p in list_profiles()}
    with pytest.raises(ProfileError):
        load_profile("_lexicon")


def test_shipped_lexicon_covers_the_issue_words():
    lex = default_lexicon()
    degrees, evaluations = dict(lex.degrees), dict(lex.evaluations)
    for word in ("有效", "显著", "明显", "大幅", "全面"):
        assert degrees[word] == "达成"
    for word in ("有所", "基本", "略有", "一定程度", "部分", "逐步"):
        assert degrees[word] == "部分达成"
    for word in ("未", "没有", "无", "尚未", "不"):
        assert degrees[word] == "未达成"
    assert [evaluations[w] for w in ("优", "好", "良好", "较好", "一般", "基本", "较差", "差")] == \
        ["达成"] * 4 + ["部分达成"] * 2 + ["未达成"] * 2


def test_reading_is_memoised_and_deterministic():
    lex = default_lexicon()
    first = read_qualitative("有所降低", "有效降低", lex)
    assert read_qualitative("有所降低", "有效降低", lex) == first
    assert first.level == "部分达成" and "有所" in first.how


# The target's own wording, shortened (黄石市图书馆 2022: 可保证读者使用时长, 目标 全天候可用, 实际 全天候, 10 of 10).
import pytest as _pytest  # noqa: E402

from perfscore.rules.lexicon import default_lexicon as _default_lexicon, read_qualitative as _read_q  # noqa: E402


@_pytest.mark.parametrize("actual,target,level", [
    ("全天候", "全天候可用", "达成"),
    ("按时", "按时完成", "达成"),
    ("未完成", "按时完成", "未达成"),  # a negation is never a shortening
    ("未", "未发生", "未达成"),  # one character says nothing
])
def test_shortened_target_wording(actual, target, level):
    assert _read_q(actual, target, _default_lexicon()).level == level


def test_shortening_needs_the_targets_start_or_end():
    from perfscore.rules.errors import RuleInputError

    reading = _read_q("读者", "全天候可用", _default_lexicon())
    assert not hasattr(reading, "level") or reading.level is None
    with _pytest.raises(RuleInputError):
        from perfscore.rules import assess_indicator

        assess_indicator("定性", None, "全天候可用", "读者", 10)
