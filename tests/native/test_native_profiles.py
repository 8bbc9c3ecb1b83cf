"""Every profile key that changes a score changes the native formula; keys that cannot change it do not."""

from __future__ import annotations

import dataclasses

import pytest

from perfscore.native.formulas import native_call
from perfscore.native.freeze import freeze_formula
from perfscore.rules import list_profiles, load_profile

BASE = load_profile("central")
ARGS = {"SCORE_INDICATOR": ["D13", "E13", "F13", "G13", "I13"], "SCORE_EXEC_RATE": ["F6", "G6", "H6"],
        "SCORE_COST_SAVING": ["A1", "B1", "C1"], "SCORE_SATISFACTION": ["A1", "B1", "C1", "D1", "E1", "F1"],
        "GRADE": ["J30"]}


def _vary(section: str | None, key: str, value):
    if section is None:
        return dataclasses.replace(BASE, **{key: value})
    return dataclasses.replace(BASE, **{section: dataclasses.replace(getattr(BASE, section), **{key: value})})


SCORING_KEYS = [
    (None, "decimals", 1, "SCORE_INDICATOR"), (None, "score_cap_at_weight", False, "SCORE_INDICATOR"),
    (None, "grade_bands", (("优", 85.0), ("良", 75.0), ("中", 60.0), ("差", 0.0)), "GRADE"),
    (None, "grade_max_total", 110.0, "GRADE"),
    ("exec_rate", "cap_at_full", False, "SCORE_EXEC_RATE"), ("exec_rate", "zero_budget", "full", "SCORE_EXEC_RATE"),
    ("indicator", "negative_overrun", "linear", "SCORE_INDICATOR"),
    ("indicator", "negative_overrun", "zero", "SCORE_INDICATOR"),
    ("indicator", "negative_zero_actual", "half", "SCORE_INDICATOR"),
    ("indicator", "equal_over", "two_sided", "SCORE_INDICATOR"),
    ("indicator", "over_target_policy", "deduct", "SCORE_INDICATOR"),
    ("indicator", "percent_plain_number", "strict", "SCORE_INDICATOR"),
    ("qualitative", "default_fraction", {"达成": 0.9, "部分达成": 0.7, "未达成": 0.3}, "SCORE_INDICATOR"),
    ("satisfaction", "method", "satisfied_share", "SCORE_SATISFACTION"),
    ("satisfaction", "level_weights", (1.0, 0.8, 0.6, 0.2, 0.0), "SCORE_SATISFACTION"),
]


@pytest.mark.parametrize("section,key,value,function", SCORING_KEYS)
def test_each_scoring_key_changes_the_formula(section, key, value, function):
    varied = _vary(section, key, value)
    assert native_call(function, ARGS[function], varied) != native_call(function, ARGS[function], BASE)


def test_deduction_keys_change_the_formula_when_deducting():
    deduct = _vary("indicator", "over_target_policy", "deduct")
    f = lambda p: native_call("SCORE_INDICATOR", ARGS["SCORE_INDICATOR"], p)  # noqa: E731
    for key, value in (("over_target_warn_ratio", 2.0), ("over_target_deduct_points", 1.0)):
        assert f(dataclasses.replace(deduct, indicator=dataclasses.replace(deduct.indicator, **{key: value}))) != f(deduct)


def test_satisfied_levels_changes_the_share_formula():
    share = _vary("satisfaction", "method", "satisfied_share")
    other = dataclasses.replace(share, satisfaction=dataclasses.replace(share.satisfaction, satisfied_levels=3))
    assert native_call("SCORE_SATISFACTION", ARGS["SCORE_SATISFACTION"], other) != \
        native_call("SCORE_SATISFACTION", ARGS["SCORE_SATISFACTION"], share)


@pytest.mark.parametrize("section,key,value", [
    (None, "first_level_weights", {"产出指标": 40}), ("exec_rate", "reason_threshold", 0.8),
    ("indicator", "over_target_warn_ratio", 3.0),  # only a warning while the policy is "none"
    ("total", "tolerance", 0.5),
])
def test_keys_that_only_warn_or_check_leave_the_formulas_alone(section, key, value):
    varied = _vary(section, key, value)
    for function, args in ARGS.items():
        assert native_call(function, args, varied) == native_call(function, args, BASE)


def test_shipped_profiles_without_own_corpus_generate_a_tested_formula():
    """The LibreOffice corpus runs central, seed002-strict, vendor-linear (and grade-80-70-60 for GRADE):
    every other shipped profile gives exactly one of those texts."""
    tested = {f: {native_call(f, a, p) for p in ("central", "seed002-strict", "vendor-linear", "grade-80-70-60")}
              for f, a in ARGS.items()}
    for profile in list_profiles():
        for function, args in ARGS.items():
            assert native_call(function, args, profile) in tested[function], (profile.name, function)


def test_formulas_fit_excel_limits():
    for profile in list_profiles():
        for function, args in ARGS.items():
            text = native_call(function, args, profile)
            depth = peak = 0
            for ch in text:
                depth += ch == "("
                depth -= ch == ")"
                peak = max(peak, depth)
            assert len(text) < 8192 and peak < 64, (profile.name, function, len(text), peak)


def test_freeze_rewrites_calls_in_place_and_keeps_the_rest():
    f = freeze_formula('=IF(I13="","",SCORE_INDICATOR(D13,E13,F13,G13,I13))', "central")
    assert f.calls == 1 and f.text.startswith('=IF(I13="","",(') and "SCORE_INDICATOR" not in f.text
    assert f.text == '=IF(I13="","",(' + native_call("SCORE_INDICATOR", ARGS["SCORE_INDICATOR"], "central") + "))"
    # a literal 规则 argument chooses the profile; Excel's add-in prefix is understood; strings are not calls
    g = freeze_formula('=[1]!GRADE(J30,"grade-80-70-60")&"GRADE(1)"')
    assert g.text == "=(" + native_call("GRADE", ["J30"], "grade-80-70-60") + ')&"GRADE(1)"'
    kept = freeze_formula("=GRADE(J30,K1)")
    assert kept.calls == 0 and kept.kept and kept.text == "=GRADE(J30,K1)"
