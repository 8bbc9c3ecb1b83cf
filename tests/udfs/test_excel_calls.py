"""Each UDF called the way Excel calls it: through xlwings' own call_udf (xlwings/udfs.py), with the
arguments pywin32 hands over (float, str, None for a blank cell, int scodes for error values, the
"missing" marker for an omitted optional argument), and a fake calling cell for PERFSCORE_PROFILE.

A refusal is checked the way the add-in's VBA sees it: the exception's description (Err.Description)
parsed as perfscore_errors.PerfscoreFailed does - it must be an error code, never a number.
"""

from __future__ import annotations

import pytest

from perfscore.rules import grade, score_exec_rate, score_indicator
from perfscore.xlsx.grid import EXCEL_ERROR_CODES
from perfscore_addin.winemu import MISSING_ARG, windows_xlwings
from perfscore_udfs._bridge import parse_refusal_text

from .fakecom import XlRange, caller_cell

NA = -2146826246  # #N/A as pywin32 hands over a VT_ERROR
DIV0 = -2146826281


@pytest.fixture(scope="module")
def win():
    with windows_xlwings("perfscore_udfs") as w:
        yield w


def excel(win, name, *args, caller=None):
    """=NAME(args) in a cell: VBA passes Array(declared args..., Nothing) to XLPy.CallUDF.

    Returns what the cell shows: the value (unwrapped as com_server.XLPython.CallUDF does), or the
    error code the VBA failed: handler produces from the exception's description.
    """
    module = win.modules["perfscore_udfs"]
    declared = [a for a in getattr(module, name).__xlfunc__["args"] if a["name"] != "caller"]
    vba_args = list(args) + [MISSING_ARG] * (len(declared) - len(args)) + [None]  # None = VBA Nothing
    try:
        res = win.udfs.call_udf("perfscore_udfs", name, tuple(vba_args), None, caller or caller_cell())
    except module.UdfRefusal as exc:
        code, reason = parse_refusal_text(exc.description)
        return code, reason
    assert len(res) == 1 and len(res[0]) == 1
    return res[0][0]


def test_published_exec_rate(win):
    assert excel(win, "SCORE_EXEC_RATE", 3000.0, 932.92, 10.0) == score_exec_rate(3000, 932.92, 10) == 3.11
    # the same through cell references (VBA passes Range objects; xlwings reads .Value)
    assert excel(win, "SCORE_EXEC_RATE", XlRange(3000.0), XlRange(932.92), XlRange(10.0)) == 3.11


@pytest.mark.parametrize("target, actual, expected", [(19.0, 17.0, 1.79), (242.0, 189.0, 1.56)])
def test_published_indicators(win, target, actual, expected):
    got = excel(win, "SCORE_INDICATOR", "正向", "≥", target, actual, 2.0)
    assert got == expected == score_indicator("正向", "≥", target, actual, 2)
    assert excel(win, "SCORE_INDICATOR", XlRange("正向"), XlRange("≥"), XlRange(target), XlRange(actual),
                 XlRange(2.0)) == expected


def test_satisfaction_published_share(win):
    counts = (70.0, 9.0, 8.0, 0.0, 4.0)
    weighted = counts[0] + 0.75 * counts[1] + 0.5 * counts[2] + 0.25 * counts[3]
    assert (weighted, sum(counts)) == (80.75, 91.0)  # the published 80.75 / 91
    assert excel(win, "SCORE_SATISFACTION", *counts, 10.0) == 8.87
    # blank cells count as 0 people
    assert excel(win, "SCORE_SATISFACTION", 70.0, 9.0, 8.0, XlRange(None), 4.0, 10.0) == 8.87


def test_cost_saving_full_marks(win):
    planned, actual = 100.0, 92.84
    assert round((planned - actual) / planned, 4) == 0.0716
    assert excel(win, "SCORE_COST_SAVING", planned, actual, 10.0) == 10.0


def test_grade_of_a_total_of_five_two_decimal_scores(win):
    scores = [18.11, 19.9, 18.73, 15.02, 18.24]
    total = sum(scores)
    assert total < 90  # binary floats say 89.99999999999999; Excel (15 digits) says 90
    assert excel(win, "GRADE", total) == "优" == grade(total)
    assert excel(win, "GRADE", 89.99) == "良"


@pytest.mark.parametrize(
    "args, code",
    [
        ((3000.0, 932.92, XlRange(None)), "#VALUE!"),  # blank 分值
        ((XlRange(None), 932.92, 10.0), "#VALUE!"),  # blank 全年预算数
        (("abc", 932.92, 10.0), "#VALUE!"),
        ((0.0, 932.92, 10.0), "#VALUE!"),  # budget 0
        ((3000.0, -1.0, 10.0), "#VALUE!"),
        ((XlRange(NA), 932.92, 10.0), "#N/A"),  # an error cell passes its error on
        ((3000.0, DIV0, 10.0), "#DIV/0!"),  # an error value computed in the formula
        ((True, 932.92, 10.0), "#VALUE!"),
    ],
)
def test_invalid_input_is_an_error_never_a_number(win, args, code):
    got = excel(win, "SCORE_EXEC_RATE", *args)
    assert isinstance(got, tuple), f"a number or text came back: {got!r}"
    assert got[0] == code and got[0] in EXCEL_ERROR_CODES
    assert got[1] and any("\u4e00" <= ch <= "\u9fff" for ch in got[1])  # a Chinese reason


def test_blank_target_names_the_quantity(win):
    code, reason = excel(win, "SCORE_INDICATOR", "正向", "≥", XlRange(None), 17.0, 2.0)
    assert code == "#VALUE!" and "年度指标值" in reason


def test_workbook_profile_from_defined_name(win):
    args = ("反向", "≤", 10.0, 15.0, 2.0)
    central = score_indicator(*args)
    vendor = score_indicator(*args, "vendor-linear")
    assert central != vendor  # the case distinguishes the profiles
    assert excel(win, "SCORE_INDICATOR", *args) == central
    assert excel(win, "SCORE_INDICATOR", *args, caller=caller_cell('="vendor-linear"')) == vendor
    by_cell = caller_cell("=Sheet1!$B$2", target=XlRange("vendor-linear"))
    assert excel(win, "SCORE_INDICATOR", *args, caller=by_cell) == vendor
    # an explicit 规则 argument wins over the workbook's
    assert excel(win, "SCORE_INDICATOR", *args, "central", caller=caller_cell('="vendor-linear"')) == central


def test_unknown_profile_is_an_error_with_its_name(win):
    code, reason = excel(win, "GRADE", 95.0, "no-such-profile")
    assert code == "#VALUE!" and "no-such-profile" in reason


def test_function_wizard_docs_are_chinese_for_every_argument(win):
    module = win.modules["perfscore_udfs"]
    for name in module.FUNCTIONS:
        info = getattr(module, name).__xlfunc__
        assert info["category"] == "绩效评分"
        assert info["ret"]["doc"] and len(info["ret"]["doc"]) <= 255
        for arg in info["args"]:
            if arg["name"] == "caller":  # xlwings' reserved argument: not in the VBA signature
                continue
            assert arg["doc"] != f"Positional argument {arg['pos'] + 1}"
            assert any("\u4e00" <= ch <= "\u9fff" for ch in arg["doc"]) and len(arg["doc"]) <= 255
            assert arg["options"].get("err_to_str") is True


@pytest.mark.parametrize(
    "args, expected",
    [
        (("定性", "", "有效降低", "有所降低", 4.0), 2.8),  # issue 9: 部分达成 → 70% of 4
        (("定性", "", "有效降低", "未降低", 4.0), 1.2),
        (("定性", "", "群众满意度提升", "良好", 3.0), 3.0),
        (("定性", XlRange(None), "是", "否", 2.0), 0.6),
        (("定性", "", "9月前", "7月", 2.0), 2.0),  # issue 14: achieved-early deadline
        ((XlRange(None), XlRange(None), "9月底前完成", "提前完成", 2.0), 2.0),
    ],
)
def test_real_phrasing_scores_in_a_cell(win, args, expected):
    assert excel(win, "SCORE_INDICATOR", *args) == expected == score_indicator(*(None if isinstance(a, XlRange) else a for a in args))


def test_unknown_phrasing_is_an_error_saying_what_to_write(win):
    code, reason = excel(win, "SCORE_INDICATOR", "定性", "", "有效降低", "有所提高", 4.0)
    assert code == "#VALUE!" and "有所提高" in reason and "达成/部分达成/未达成" in reason


def test_issue_14_classes_give_numbers(win):
    assert excel(win, "SCORE_EXEC_RATE", 0.0, 0.0, 10.0) == 0.0 == score_exec_rate(0, 0, 10)  # published 0
    assert excel(win, "GRADE", 110.0) == "优" == grade(110)  # weights adding up to 110 with 加分项
    code, reason = excel(win, "GRADE", 130.0)
    assert code == "#VALUE!" and "120" in reason
