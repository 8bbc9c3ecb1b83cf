"""The pure bridge the cells and the headless engine share: same digits, same refusals."""

from __future__ import annotations

import inspect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfscore_udfs
from perfscore.rules import excel_round, parse_quantity, score_cost_saving, score_exec_rate, score_indicator, score_satisfaction
from perfscore.xlsx.grid import ExcelError
from perfscore_udfs._bridge import (
    FUNCTIONS,
    SPECS,
    call,
    evaluate,
    explain,
    parse_refusal_text,
    profile_from_refers_to,
    refusal_text,
)


def test_registry_keys_are_the_excel_names():
    assert set(FUNCTIONS) == {"SCORE_EXEC_RATE", "SCORE_INDICATOR", "GRADE", "SCORE_SATISFACTION", "SCORE_COST_SAVING"}
    assert perfscore_udfs.FUNCTIONS is FUNCTIONS


@pytest.mark.parametrize("name", sorted(SPECS))
def test_udf_signature_matches_spec(name):
    params = list(inspect.signature(getattr(perfscore_udfs, name)).parameters)
    assert params == [p.name for p in SPECS[name].params] + ["rule", "caller"]
    assert all(p.name.isascii() for p in SPECS[name].params)  # they become VBA parameter names


def test_published_numbers_through_the_registry():
    assert FUNCTIONS["SCORE_EXEC_RATE"](3000, 932.92, 10) == 3.11
    assert FUNCTIONS["SCORE_INDICATOR"]("正向", "≥", 19, 17, 2) == 1.79
    assert FUNCTIONS["SCORE_INDICATOR"]("正向", "≥", 242, 189, 2) == 1.56
    assert FUNCTIONS["SCORE_SATISFACTION"](70, 9, 8, 0, 4, 10) == 8.87
    assert FUNCTIONS["GRADE"](90) == "优"


def test_bridge_equals_the_rule_core():
    assert call("SCORE_EXEC_RATE", (3000, 932.92, 10)) == score_exec_rate(3000, 932.92, 10)
    assert call("score_indicator", ("反向", "≤", 10, 15, 2, "vendor-linear")) == score_indicator("反向", "≤", 10, 15, 2, "vendor-linear")
    assert call("SCORE_SATISFACTION", (1, 2, 3, 4, 5, 10)) == score_satisfaction(1, 2, 3, 4, 5, 10)
    assert call("SCORE_COST_SAVING", (100, 120, 10)) == score_cost_saving(100, 120, 10)


def test_rule_argument_wins_over_workbook_profile():
    args = ("反向", "≤", 10, 15, 2)
    assert call("SCORE_INDICATOR", args, "vendor-linear") == score_indicator(*args, "vendor-linear")
    assert call("SCORE_INDICATOR", (*args, "central"), "vendor-linear") == score_indicator(*args)
    assert call("SCORE_INDICATOR", (*args, None), "vendor-linear") == score_indicator(*args, "vendor-linear")


@pytest.mark.parametrize(
    "name, args, code, words",
    [
        ("SCORE_EXEC_RATE", (3000, ExcelError("#DIV/0!"), 10), "#DIV/0!", "全年执行数"),
        ("SCORE_EXEC_RATE", ("#N/A", 1, 10), "#N/A", "全年预算数"),
        ("SCORE_EXEC_RATE", (3000, 1), "#VALUE!", "3 个参数"),
        ("SCORE_INDICATOR", ("正向", "≥", None, 17, 2), "#VALUE!", "年度指标值"),
        ("GRADE", (121,), "#VALUE!", "总分"),  # above grade.max_total (120)
        ("GRADE", (90, 5.0), "#VALUE!", "规则"),
        ("NO_SUCH", (1,), "#NAME?", "NO_SUCH"),
    ],
)
def test_refusals_carry_code_and_reason(name, args, code, words):
    out = evaluate(name, args)
    assert out.is_error and out.value == ExcelError(code)
    assert words in out.reason
    assert explain(name, args) == out.reason


def test_valid_call_has_no_reason():
    assert explain("GRADE", (95,)) == ""


def test_refusal_text_round_trip_and_pywin32_prefix():
    out = evaluate("SCORE_INDICATOR", ("正向", "≥", None, 17, 2))
    text = refusal_text(out)
    assert parse_refusal_text(text) == ("#VALUE!", out.reason)
    # pywin32's generic path prefixes "Unexpected Python Error: <type>: " - still parsed
    assert parse_refusal_text("Unexpected Python Error: UdfRefusal: " + text) == ("#VALUE!", out.reason)
    assert parse_refusal_text("[#N/A] 缺少数据") == ("#N/A", "缺少数据")
    assert parse_refusal_text("Could not load xlwings64-0.37.8.dll") == ("#VALUE!", "Could not load xlwings64-0.37.8.dll")


@pytest.mark.parametrize(
    "text, expected",
    [('="vendor-linear"', ("literal", "vendor-linear")), ("=Sheet1!$B$2", ("reference", None)),
     ('=""', ("none", None)), (None, ("none", None)), ('= "central" ', ("literal", "central"))],
)
def test_profile_from_refers_to(text, expected):
    assert profile_from_refers_to(text) == expected


excel_values = st.one_of(
    st.none(), st.booleans(), st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
    st.sampled_from(["", "abc", "95%", "≥95%", "2910条", "#N/A", "#VALUE!", "-", "达成", "不适用"]),
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(SPECS)), st.lists(excel_values, min_size=1, max_size=7))
def test_any_input_gives_a_valid_score_or_an_error(name, args):
    """Never a number outside [0, 分值], never None or some other type."""
    out = evaluate(name, args)
    if out.is_error:
        assert out.reason
        return
    if name == "GRADE":
        assert out.value in ("优", "良", "中", "差")
    else:
        n = len(SPECS[name].params)
        weight = parse_quantity(args[n - 1]).value  # as the rule read it
        assert isinstance(out.value, float)
        assert 0 <= out.value <= weight  # also for weights with more decimals than the profile keeps
