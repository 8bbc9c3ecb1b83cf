import pytest

from perfscore.rules import (
    NotApplicable,
    RuleInputError,
    is_blank,
    parse_nature,
    parse_number,
    parse_operator,
    parse_qual_level,
    parse_quantity,
    resolve_kind,
)


@pytest.mark.parametrize(
    "text, op",
    [
        ("≥", ">="), ("≧", ">="), (">=", ">="), ("大于等于", ">="), ("不低于", ">="), ("不少于", ">="),
        ("≤", "<="), ("≦", "<="), ("<=", "<="), ("小于等于", "<="), ("不高于", "<="), ("不超过", "<="),
        ("=", "="), ("＝", "="), ("═", "="), ("等于", "="), (">", ">"), ("＞", ">"), ("<", "<"), ("小于", "<"),
        (" ≥ ", ">="), ("", None), (None, None),
    ],
)
def test_operators_as_people_type_them(text, op):
    assert parse_operator(text) == op


def test_unknown_operator_names_the_cell():
    with pytest.raises(RuleInputError) as err:
        parse_operator("差不多", cell="Sheet1!E7")
    assert "Sheet1!E7" in str(err.value) and "差不多" in str(err.value)


@pytest.mark.parametrize(
    "raw, value, pct, unit, op",
    [
        ("≥95%", 0.95, True, None, ">="),
        ("98%以上", 0.98, True, None, ">="),
        ("0.95", 0.95, False, None, None),
        ("2910条", 2910, False, "条", None),
        ("１２００万元", 1200, False, "万元", None),
        ("1,200元", 1200, False, "元", None),
        ("100%", 1.0, True, None, None),
        ("＝100", 100, False, None, "="),
        ("≤5天", 5, False, "天", "<="),
        ("3天以内", 3, False, "天", "<="),
        (17, 17, False, None, None),
        (0.5, 0.5, False, None, None),
        ("  19 ", 19, False, None, None),  # number stored as text
    ],
)
def test_quantities_as_people_type_them(raw, value, pct, unit, op):
    q = parse_quantity(raw)
    assert q.value == pytest.approx(value)
    assert (q.is_percent, q.unit, q.operator) == (pct, unit, op)


@pytest.mark.parametrize("raw", ["按照招标决定%", "充分", "95%-100%", True])
def test_unparsable_quantities_are_refused_in_chinese(raw):
    with pytest.raises(RuleInputError) as err:
        parse_quantity(raw, what="年度指标值", cell="表1!F9")
    assert "表1!F9" in str(err.value)
    assert "年度指标值" in str(err.value)


def test_blank_and_not_applicable():
    assert is_blank(None) and is_blank("  ") and is_blank("—") and not is_blank(0)
    assert parse_number(None, allow_blank=True) is None
    with pytest.raises(RuleInputError, match="年度指标值为空"):
        parse_number(None, what="年度指标值")
    with pytest.raises(NotApplicable):
        parse_quantity("不适用")


@pytest.mark.parametrize(
    "text, nature",
    [("正向", "positive"), ("正向指标", "positive"), ("反向", "negative"), ("定性", "qualitative"),
     ("定量", None), (None, None), ("≥", "positive"), ("≤", "negative")],
)
def test_nature(text, nature):
    assert parse_nature(text) == nature


@pytest.mark.parametrize(
    "actual, target, level",
    [
        ("达成预期目标", "充分", "达成"),
        ("部分达成预期目标并具有一定效果", None, "部分达成"),
        ("部分达成并具有一定效果", "按照招标决定%", "部分达成"),
        ("未达成预期目标且效果较差", None, "未达成"),
        ("有效保障", "有效保障", "达成"),  # actual = target text
        ("未完成", "完成", "未达成"),
        ("基本完成", None, "部分达成"),
    ],
)
def test_qualitative_levels(actual, target, level):
    assert parse_qual_level(actual, target) == level


def test_unknown_qualitative_text_refused():
    with pytest.raises(RuleInputError, match="无法判断定性指标完成程度"):
        parse_qual_level("还行吧", "有效")


@pytest.mark.parametrize("call", [
    lambda cell: parse_quantity("九十五", what="实际完成值", cell=cell),
    lambda cell: parse_quantity("不适用", what="实际完成值", cell=cell),
    lambda cell: parse_operator("大概", cell=cell),
    lambda cell: parse_nature("随便", cell=cell),
    lambda cell: resolve_kind("正向", "≤", 95, cell=cell),
])
def test_a_memoised_refusal_names_the_cell_of_each_call(call):
    # the text parsers cache per text; the cell must come from each call, not from the first one cached
    first = second = None
    try:
        call("Sheet1!G12")
    except (RuleInputError, NotApplicable) as err:
        first = err
    try:
        call("Sheet1!G13")
    except (RuleInputError, NotApplicable) as err:
        second = err
    assert first is not None and second is not None and type(first) is type(second)
    assert (first.cell, second.cell) == ("Sheet1!G12", "Sheet1!G13")
    assert first.message == second.message and "G13" in str(second)
