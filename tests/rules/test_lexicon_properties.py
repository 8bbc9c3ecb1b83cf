"""Invariants of the qualitative and deadline readings: 0 ≤ score ≤ 分值, a refusal is typed, and the same
inputs always give the same answer (the readings are memoised: a cold cache must agree with a warm one)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from perfscore.rules import NotApplicable, RuleInputError, assess_indicator, list_profiles
from perfscore.rules import deadlines, lexicon
from perfscore.rules.lexicon import default_lexicon

LEX = default_lexicon()
WORDS = sorted({w for table in (LEX.statements, LEX.evaluations, LEX.degrees, LEX.answers) for w, _ in table}
               | set(LEX.not_degrees) | {w for g in LEX.synonyms for w in g})
PIECES = st.sampled_from(WORDS + ["降低", "提升", "成本", "服务", "，", "效果", "9月", "7月", "前", "85%", "完成", "x"])
texts = st.lists(PIECES, min_size=1, max_size=4).map("".join)
targets = st.one_of(st.none(), texts, st.sampled_from(["有效降低", "显著提升", "正常", "是", "无重大安全事故",
                                                       "9月前", "2024年9月30日前", "年底前", "100%"]))
natures = st.sampled_from([("定性", ""), ("", ""), ("反向", "≤"), ("正向", "≥"), (None, None)])
weights = st.sampled_from([0.5, 1, 2, 3, 4, 5, 6, 10, 1.125])
PROFILES = [p.name for p in list_profiles()]


def _outcome(kind, target, actual, weight, profile):
    try:
        a = assess_indicator(*kind, target, actual, weight, profile)
    except (RuleInputError, NotApplicable) as err:
        assert err.message and any("\u4e00" <= ch <= "\u9fff" for ch in err.message)
        return ("refused", type(err).__name__, err.message)
    assert 0 <= a.score <= weight, (target, actual, a.score)
    return ("scored", a.score, a.rule_id, a.band, a.warnings)


@settings(max_examples=400)
@given(kind=natures, target=targets, actual=texts, weight=weights, profile=st.sampled_from(PROFILES))
def test_text_readings_bounded_and_deterministic(kind, target, actual, weight, profile):
    warm = _outcome(kind, target, actual, weight, profile)
    assert _outcome(kind, target, actual, weight, profile) == warm
    lexicon._read.cache_clear()
    deadlines._deadline_of_text.cache_clear()
    deadlines._actual_of_text.cache_clear()
    assert _outcome(kind, target, actual, weight, profile) == warm


@given(
    d_month=st.integers(1, 12), a_month=st.integers(1, 12), before=st.booleans(), weight=weights,
    profile=st.sampled_from(PROFILES),
)
def test_deadline_on_time_is_full_and_later_is_never_more(d_month, a_month, before, weight, profile):
    target = f"{d_month}月{'前' if before else '底前完成'}"
    score = assess_indicator("", "", target, f"{a_month}月", weight, profile).score
    assert 0 <= score <= weight
    if a_month <= d_month:
        assert score == min(weight, assess_indicator("", "", target, "提前完成", weight, profile).score)
    if a_month < 12:
        assert assess_indicator("", "", target, f"{a_month + 1}月", weight, profile).score <= score
