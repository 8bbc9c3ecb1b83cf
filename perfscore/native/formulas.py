"""Native formula text for each perfscore function, generated from a rule profile.

The output uses only built-ins that Excel 2010+, WPS and LibreOffice share (IF, AND, OR, MIN, MAX, ROUND, VALUE,
SUBSTITUTE, MID, LEFT, RIGHT, FIND, EXACT, ISNUMBER, ISTEXT, ISERROR, SUMPRODUCT) and refers to the argument
expressions it is given (the form's own cells). No LET and no helper cells exist in Excel 2010, so an argument
is repeated where the rule needs it several times; texts are recognised only by exact tokens (vocab.py) and one
number grammar, `数字[.数字][%]`. Anything else shows MARKER (#NAME?, "needs the add-in"): the formula never guesses.

The arithmetic is written in the core's order (b/a*w, a/b*w, min(b/a,1)*w ...) so the binary results are the
same; scores are ROUND(MAX(x,0), decimals) capped at 分值 (the spreadsheets' ROUND works on the 15-digit value
and rounds half away from zero, as perfscore.rules.excelmath does).
Formula texts carry no leading "=" (as CellPlan.formula).
"""

from __future__ import annotations

from perfscore.rules.profiles import Profile, load_profile

from . import vocab

MARKER_TEXT = "需加载项"  # what `check` says about such a cell
# The marker is an error, not a text: SUM and GRADE pass it on, so a total never silently leaves a row out; it is
# the error the same cell shows when the add-in's function is missing, and no perfscore function returns it.
MARKER_CODE = "#NAME?"
MARKER = MARKER_CODE
VAL = "#VALUE!"
NA = "#N/A"
MAX_TEXT = 30  # longer texts are not parsed natively


def _q(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _arr(items) -> str:
    return "{" + ",".join(_q(i) if isinstance(i, str) else f"{i:g}" for i in items) + "}"


def _num(x: float) -> str:
    return repr(float(x)).removesuffix(".0") if float(x) == int(x) else repr(float(x))


def _in(expr: str, items) -> str:
    return f"OR({expr}={_arr(items)})"


def _lookup(expr: str, pairs) -> str:
    """The class of expr among exact tokens (0 when none)."""
    return f"SUMPRODUCT(({expr}={_arr([t for t, _ in pairs])})*{_arr([c for _, c in pairs])})"


def _if(cond: str, a: str, b: str) -> str:
    return f"IF({cond},{a},{b})"


class Arg:
    """One argument expression and the pieces of native parsing built on it."""

    def __init__(self, expr: str):
        self.x = expr if _simple(expr) else f"({expr})"

    @property
    def s(self) -> str:  # text without ASCII spaces
        return f'SUBSTITUTE({self.x}," ","")'

    @property
    def blank(self) -> str:
        return _in(self.s, vocab.BLANK_TEXTS)

    @property
    def not_applicable(self) -> str:
        return _in(self.s, vocab.NOT_APPLICABLE_TEXTS)

    @property
    def text_ok(self) -> str:
        """A text in the number grammar digits[.digits][%]: only those characters (no spaces), at most one '.',
        '%' only at the end, and VALUE reads it ("95%" -> 0.95)."""
        x = self.x
        chars = _arr(list("0123456789.%"))
        return (f"AND(LEN({x})<={MAX_TEXT},SUMPRODUCT(LEN({x})-LEN(SUBSTITUTE({x},{chars},\"\")))=LEN({x}),"
                f"LEN({x})-LEN(SUBSTITUTE({x},\".\",\"\"))<2,ISERROR(FIND(\"%\",LEFT({x},LEN({x})-1))),"
                f"ISNUMBER(VALUE({x})))")

    @property
    def value(self) -> str:
        """The number (meaningful only where status says ok): the cell's number, or the parsed text."""
        return _if(f"ISNUMBER({self.x})", self.x, f"VALUE({self.x})")

    @property
    def is_percent(self) -> str:
        return f'ISNUMBER(FIND("%",{self.x}))'

    @property
    def has_digit(self) -> str:
        return f'MIN(FIND({{0,1,2,3,4,5,6,7,8,9}},{self.s}&"0123456789"))<=LEN({self.s})'

    def status(self, then: str) -> str:
        """`then` when the argument is a usable number; #VALUE! for blank or logical, #N/A for 不适用, else MARKER."""
        usable = f"OR(ISNUMBER({self.x}),AND(ISTEXT({self.x}),{self.text_ok}))"
        return _if(self.blank, VAL, _if(self.not_applicable, NA, _if(
            usable, then, _if(f"ISTEXT({self.x})", MARKER, VAL))))


def _simple(expr: str) -> bool:
    import re

    return re.fullmatch(r"(?:'[^']+'|[A-Za-z_][\w.]*)?!?\$?[A-Za-z]{1,3}\$?\d+|-?\d+(?:\.\d+)?|\"[^\"]*\"", expr) is not None


def _errors_first(args: list[Arg], body: str) -> str:
    """An error argument is passed on unchanged, the first one first (as the Excel functions do)."""
    for a in reversed(args):
        body = _if(f"ISERROR({a.x})", a.x, body)
    return body


def _weight_then(w: Arg, body: str) -> str:
    # 分值 must be a number cell here (a text weight goes to the add-in); blank or logical -> #VALUE!, < 0 -> #VALUE!
    return _if(w.blank, VAL, _if(f"ISNUMBER({w.x})", _if(f"{w.x}<0", VAL, body), _if(f"ISTEXT({w.x})", MARKER, VAL)))


def _finish(raw: str, w: Arg, p: Profile) -> str:
    score = f"ROUND(MAX({raw},0),{p.decimals})"
    return f"MIN({score},{w.x})" if p.score_cap_at_weight else score


# ---------------------------------------------------------------- SCORE_INDICATOR

# kind by (nature class, operator class): 1 正向, 2 反向, 3 等于, 4 定性, 5 contradiction (#VALUE!), 6 undecided
_KIND_TABLE = "{6,1,2,3;1,1,5,3;2,5,2,3;4,4,4,4}"


def indicator(nature: str, operator: str, target: str, actual: str, weight: str, profile=None) -> str:
    p = load_profile(profile)
    n, o, a, b, w = (Arg(x) for x in (nature, operator, target, actual, weight))
    ncls = _lookup(n.s, vocab.nature_tokens())
    ocls = _lookup(o.s, vocab.operator_tokens())
    n_ok = f"OR({n.blank},{_in(n.s, [t for t, _ in vocab.nature_tokens()])})"
    o_ok = f"OR({o.blank},{_in(o.s, [t for t, _ in vocab.operator_tokens()])})"
    # (an operator written inside the target, "≥95%", is outside the number grammar: the add-in reads it)
    kind = f"INDEX({_KIND_TABLE},{ncls}+1,{ocls}+1)"
    qual = _qualitative(a, b, w, p)
    # no nature and no operator: a number target is refused (unless the actual is a text the core's lexicon may
    # read as a degree of achievement: the add-in), a text target means 定性
    refused = _if(f"OR(ISNUMBER({b.x}),{b.blank})", VAL, MARKER)
    if getattr(p.indicator, "blank_direction_met", "refuse") != "refuse":  # equal numbers may score: the add-in
        refused = _if(b.blank, VAL, MARKER)
    undecided = _if(f"ISNUMBER({a.x})", refused, _if(a.blank, qual, _if(f"ISTEXT({a.x})", _if(
        a.text_ok, refused, _if(a.has_digit, MARKER, qual)), MARKER)))
    numeric = _numeric(kind, a, b, w, p)
    scored = _if(f"{kind}>3", f"CHOOSE({kind}-3,{qual},{VAL},{undecided})", numeric)
    body = _weight_then(w, _if(n_ok, _if(o_ok, scored, MARKER), MARKER))
    return _errors_first([n, o, a, b, w], body)


def _numeric(kind: str, a: Arg, b: Arg, w: Arg, p: Profile) -> str:
    A, B, W = a.value, b.value, w.x
    ind = p.indicator
    fin = lambda raw: _finish(raw, w, p)  # noqa: E731
    full = fin(W)
    if ind.over_target_policy == "deduct":
        full = _if(f"{A}=0", fin(W), _if(f"{B}/{A}>={_num(ind.over_target_warn_ratio)}",
                                         fin(f"{W}-{_num(ind.over_target_deduct_points)}"), fin(W)))
    pos = _if(f"{A}<0", VAL, _if(f"{B}>={A}", full, fin(f"{B}/{A}*{W}")))
    zero = fin(f"{W}/2") if ind.negative_zero_actual == "half" else fin(W)
    if ind.negative_overrun == "zero":
        over = fin("0")
    elif ind.negative_overrun == "linear":
        over = _if(f"{A}=0", fin("0"), fin(f"MAX(0,(2*{A}-{B})/{A})*{W}"))
    else:
        over = fin(f"{A}/{B}*{W}")
    neg = _if(f"OR({A}<0,{B}<0)", VAL, _if(f"{B}=0", zero, _if(f"{B}<={A}", fin(W), over)))
    if ind.equal_over == "two_sided":
        e_over = _if(f"{A}>0", fin(f"MAX(0,1-({B}-{A})/{A})*{W}"), fin(W))
    else:
        e_over = fin(W)
    eq = _if(f"{B}={A}", fin(W), _if(f"{B}<{A}", _if(f"{A}<=0", VAL, fin(f"{B}/{A}*{W}")), e_over))
    # 96 against "95%": the core reads the plain number as a percentage (auto, with a warning) or refuses (strict)
    mixed = (f"AND({a.is_percent}<>{b.is_percent},"
             f"IF({a.is_percent},AND({B}>1.5,{A}<=1.5),AND({A}>1.5,{B}<=1.5)))")
    mixed_result = VAL if ind.percent_plain_number == "strict" else MARKER
    guarded = _if(mixed, mixed_result, f"CHOOSE({kind},{pos},{neg},{eq})")
    # blank target, blank actual, then each parsed (不适用 -> #N/A), as the core checks them
    return _if(a.blank, VAL, _if(b.blank, VAL, a.status(b.status(guarded))))


def _qualitative(a: Arg, b: Arg, w: Arg, p: Profile) -> str:
    fin = lambda raw: _finish(raw, w, p)  # noqa: E731
    frac = p.qualitative.default_fraction
    # an actual like "85%" is the filler's degree of achievement
    degree = b.value
    by_degree = _if(b.text_ok, _if(f"OR({degree}<0,{degree}>1)", VAL, fin(f"{degree}*{w.x}")), MARKER)
    level = MARKER  # a phrasing the formula cannot read: the add-in parses it
    for lv, phrases in reversed(vocab.qual_groups()):
        level = _if(f"SUMPRODUCT(--ISNUMBER(FIND({_arr(phrases)},{b.s})))>0", fin(f"{_num(frac[lv])}*{w.x}"), level)
    exact = _if(f"AND(NOT({a.blank}),EXACT({b.s},{a.s}))", fin(f"{_num(frac['达成'])}*{w.x}"), level)
    by_text = _if(b.not_applicable, NA, exact)
    # number cells in a 定性 row: the core compares their Python text ("5.0"), which a formula cannot mirror
    # a target with digits may be a deadline ("9月前"), which the core scores as a time comparison: the add-in
    target_ok = f"OR({a.blank},AND(ISTEXT({a.x}),NOT({a.has_digit})))"
    return _if(b.blank, VAL, _if(f"ISTEXT({b.x})", _if(
        f'ISNUMBER(FIND("%",{b.s}))', by_degree, _if(target_ok, by_text, MARKER)), MARKER))


# ---------------------------------------------------------------- the other functions

def exec_rate(budget: str, spent: str, weight: str, profile=None) -> str:
    p = load_profile(profile)
    a, b, w = Arg(budget), Arg(spent), Arg(weight)
    A, B, W = a.value, b.value, w.x
    used = f"MIN({B}/{A},1)" if p.exec_rate.cap_at_full else f"{B}/{A}"
    score = _if(f"{A}<=0", VAL, _if(f"{B}<0", VAL, _finish(f"{used}*{W}", w, p)))
    zero = {"zero": _finish("0", w, p), "full": _finish(W, w, p), "not_applicable": NA}.get(p.exec_rate.zero_budget)
    if zero is not None:  # 全年预算数 0 and 全年执行数 0: by profile (refuse: the #VALUE! above)
        score = _if(f"AND({A}=0,{B}=0)", zero, score)
    return _errors_first([a, b, w], _weight_then(w, a.status(b.status(score))))


def cost_saving(planned: str, actual: str, weight: str, profile=None) -> str:
    p = load_profile(profile)
    a, b, w = Arg(planned), Arg(actual), Arg(weight)
    A, B, W = a.value, b.value, w.x
    rate = f"({A}-{B})/{A}"
    score = _if(f"{A}<=0", VAL, _if(f"{B}<0", VAL, _if(f"{rate}>=0", _finish(W, w, p), _finish(f"(1+{rate})*{W}", w, p))))
    return _errors_first([a, b, w], _weight_then(w, a.status(b.status(score))))


def satisfaction(very: str, fairly: str, neutral: str, unhappy: str, very_unhappy: str, weight: str, profile=None) -> str:
    p = load_profile(profile)
    counts = [Arg(x) for x in (very, fairly, neutral, unhappy, very_unhappy)]
    w = Arg(weight)
    vals = [_if(c.blank, "0", c.x) for c in counts]
    total = "+".join(vals)
    if p.satisfaction.method == "satisfied_share":
        share = f"({'+'.join(vals[: p.satisfaction.satisfied_levels])})/({total})"
    else:
        share = f"({'+'.join(f'{v}*{_num(lw)}' for v, lw in zip(vals, p.satisfaction.level_weights))})/({total})"
    score = _if(f"({total})<=0", VAL, _finish(f"{share}*{w.x}", w, p))
    # counts: numbers or blank here (a text count goes to the add-in); negative -> #VALUE!
    for c in reversed(counts):
        ok = f"OR({c.blank},AND(ISNUMBER({c.x}),{c.x}>=0))"
        fail = _if(f"ISNUMBER({c.x})", VAL, _if(c.not_applicable, NA, _if(f"ISTEXT({c.x})", MARKER, VAL)))
        score = _if(ok, score, fail)
    return _errors_first([*counts, w], _weight_then(w, score))


def grade(total: str, profile=None) -> str:
    p = load_profile(profile)
    t = Arg(total)
    T = t.value
    bands = p.grade_bands
    pick = _q(bands[-1][0])
    for name, low in reversed(bands[:-1]):
        pick = _if(f"{T}>={_num(low)}", _q(name), pick)
    body = _if(f"OR({T}<0,{T}>{_num(p.grade_max_total)})", VAL, pick)
    return _errors_first([t], t.status(body))


GENERATORS = {
    "SCORE_INDICATOR": (indicator, 5),
    "SCORE_EXEC_RATE": (exec_rate, 3),
    "SCORE_COST_SAVING": (cost_saving, 3),
    "SCORE_SATISFACTION": (satisfaction, 6),
    "GRADE": (grade, 1),
}


def native_call(name: str, args: list[str], profile: "Profile | str | None" = None) -> str:
    """The native formula text that replaces `NAME(args...)` (args are formula texts)."""
    gen, n = GENERATORS[name.upper()]
    if len(args) != n:
        raise ValueError(f"{name} expects {n} arguments, got {len(args)}")
    return gen(*args, profile=profile)
