"""How a qualitative 实际完成值 is understood: the lexicon (data: profiles/_lexicon.toml + the profile's [lexicon]) and the
one reader over it. The reading order and every word's source are documented in profiles/_lexicon.toml.

`read_qualitative(actual, target, lexicon)` returns a QualReading (level, optional degree fraction, how it was
read) or a _Refusal whose Chinese message says what to write instead. It is pure and memoised per text: a batch
repeats the same phrases on every form.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Callable

from perfscore.rules.errors import NotApplicable, ProfileError, RuleInputError
from perfscore.rules.values import _NUMBER_RE, _Refusal, is_blank, is_not_applicable, normalize_text

LEVELS = ("达成", "部分达成", "未达成")  # best first; index = how far from achieved
ANSWERS = ("是", "否")
REMOVE = "不识别"  # a profile maps a shipped word to this to remove it
_RANK = {level: i for i, level in enumerate(LEVELS)}

# The tables of a [lexicon] section: key -> allowed values (words map to a level or an answer).
_TABLES: dict[str, tuple[str, ...]] = {
    "statements": LEVELS, "evaluations": LEVELS, "degrees": LEVELS, "answers": ANSWERS,
}
_LISTS = ("not_degrees", "percent_words", "absences", "not_absences")
KEYS = ("bare_verb", *_LISTS, "synonyms", *_TABLES)

_EDGE_PUNCT = "。.,，;；!！、:：\"'“”‘’「」()（）"


@dataclass(frozen=True)
class Lexicon:
    """Words as (word, meaning) pairs in file order; words are normalised (NFKC, no spaces)."""

    statements: tuple[tuple[str, str], ...] = ()
    evaluations: tuple[tuple[str, str], ...] = ()
    degrees: tuple[tuple[str, str], ...] = ()
    answers: tuple[tuple[str, str], ...] = ()
    not_degrees: tuple[str, ...] = ()
    percent_words: tuple[str, ...] = ()
    absences: tuple[str, ...] = ()
    not_absences: tuple[str, ...] = ()
    synonyms: tuple[tuple[str, ...], ...] = ()
    bare_verb: str = "达成"


@dataclass(frozen=True)
class QualReading:
    level: str | None  # 达成 | 部分达成 | 未达成; None for a written degree (its band is the profile's)
    fraction: float | None = None  # a degree the filler wrote ("85%"); None = the band's default fraction
    how: str = ""  # Chinese: what in the text decided it


# ---------------------------------------------------------------- loading and validation


@lru_cache(maxsize=1)
def base_lexicon_data() -> dict:
    """profiles/_lexicon.toml as parsed TOML (the base every profile's [lexicon] is merged into)."""
    text = (resources.files("perfscore.rules") / "profiles" / "_lexicon.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return lexicon_from_dict(base_lexicon_data(), "perfscore/rules/profiles/_lexicon.toml")


def merge_lexicon_data(base: dict, override: dict) -> dict:
    """A profile's [lexicon] over its parent's: tables merge word by word, lists add up (no duplicates)."""
    merged = dict(base)
    for key, value in override.items():
        old = merged.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            merged[key] = {**old, **value}
        elif isinstance(value, list) and isinstance(old, list):
            merged[key] = old + [v for v in value if v not in old]
        else:
            merged[key] = value
    return merged


def _fail(message: str, origin: str) -> None:
    raise ProfileError(f"评分规则文件 {origin}：{message}")


def _word(raw: object, label: str, origin: str) -> str:
    if not isinstance(raw, str) or not normalize_text(raw):
        _fail(f"「{label}」中的词应为非空文字，实际为 {raw!r}", origin)
    return normalize_text(raw)


def lexicon_from_dict(data: object, origin: str) -> Lexicon:
    """Validate a complete [lexicon] section (already merged over _lexicon.toml) into a Lexicon."""
    if not isinstance(data, dict):
        _fail("「lexicon」应为表 (table)", origin)
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        _fail(f"「lexicon」中未知的键 {unknown}；允许的键：{list(KEYS)}", origin)
    kwargs: dict = {}
    for key, allowed in _TABLES.items():
        table = data.get(key, {})
        if not isinstance(table, dict):
            _fail(f"「lexicon.{key}」应为表，如 \"有所\" = \"部分达成\"", origin)
        pairs: dict[str, str] = {}
        for raw_word, meaning in table.items():
            word = _word(raw_word, f"lexicon.{key}", origin)
            if meaning == REMOVE:
                pairs.pop(word, None)
                continue
            if meaning not in allowed:
                _fail(f"「lexicon.{key}.{raw_word}」的值 {meaning!r} 无效；可选：{'、'.join(allowed)}，"
                      f"或“{REMOVE}”（删除该词）", origin)
            pairs[word] = meaning
        kwargs[key] = tuple(pairs.items())
    for key in _LISTS:
        values = data.get(key, [])
        if not isinstance(values, list):
            _fail(f"「lexicon.{key}」应为文字列表", origin)
        kwargs[key] = tuple(dict.fromkeys(_word(v, f"lexicon.{key}", origin) for v in values))
    groups = data.get("synonyms", [])
    if not isinstance(groups, list) or not all(isinstance(g, list) and len(g) >= 2 for g in groups):
        _fail("「lexicon.synonyms」应为词组列表，每组至少两个词，如 [[\"提升\", \"提高\"]]", origin)
    kwargs["synonyms"] = tuple(tuple(_word(w, "lexicon.synonyms", origin) for w in g) for g in groups)
    seen: dict[str, int] = {}
    for i, group in enumerate(kwargs["synonyms"]):
        for word in group:
            if word in seen and seen[word] != i:
                _fail(f"「lexicon.synonyms」中“{word}”出现在两组同义词里", origin)
            seen[word] = i
    bare = data.get("bare_verb", "达成")
    if bare not in LEVELS:
        _fail(f"「lexicon.bare_verb」的值 {bare!r} 无效；可选：{'、'.join(LEVELS)}", origin)
    kwargs["bare_verb"] = bare
    return Lexicon(**kwargs)


def lexicon_to_toml(lex: Lexicon) -> list[str]:
    """TOML lines of the [lexicon] section; shipped words the profile removed are written as 不识别 so the
    text loads back to the same lexicon."""

    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    base = default_lexicon()
    lines = ["[lexicon]", f"bare_verb = {q(lex.bare_verb)}"]
    for key in _LISTS:
        lines.append(f"{key} = [" + ", ".join(q(w) for w in getattr(lex, key)) + "]")
    lines.append("synonyms = [" + ", ".join("[" + ", ".join(q(w) for w in g) + "]" for g in lex.synonyms) + "]")
    for key in _TABLES:
        pairs = dict(getattr(lex, key))
        removed = [w for w, _ in getattr(base, key) if w not in pairs]
        lines += ["", f"[lexicon.{key}]"] + [f"{q(w)} = {q(m)}" for w, m in pairs.items()]
        lines += [f"{q(w)} = {q(REMOVE)}" for w in removed]
    return lines


# ---------------------------------------------------------------- reading


def reads_as_absence(actual: object, lex: Lexicon) -> bool:
    """"无上访", "未发生安全事故": a text without digits that starts with an absence word says none happened
    (read as 0 only against an upper bound of a count: scoring.assess_indicator)."""
    if not isinstance(actual, str):
        return False
    text = normalize_text(actual).strip(_EDGE_PUNCT)
    if not text or any(ch.isdigit() for ch in text):
        return False
    if any(text.startswith(w) for w in (*lex.not_absences, *lex.not_degrees)):
        return False
    return any(text.startswith(w) and len(text) > len(w) for w in lex.absences)


@dataclass(frozen=True)
class _Compiled:
    statements: tuple[tuple[str, str], ...]  # longest first
    evaluations: tuple[tuple[str, str], ...]
    degrees: tuple[tuple[str, str], ...]
    answers: dict[str, str]
    not_degrees: tuple[str, ...]
    percent_re: re.Pattern
    canon: Callable[[str], str] = field(compare=False)  # synonyms -> the group's first word


@lru_cache(maxsize=16)
def _compile(lex: Lexicon) -> _Compiled:
    def longest(pairs):
        return tuple(sorted(pairs, key=lambda p: -len(p[0])))

    words = sorted(lex.percent_words, key=len, reverse=True)
    around = "(?:" + "|".join(re.escape(w) for w in words) + ")*" if words else ""
    percent_re = re.compile(f"^{around}({_NUMBER_RE.pattern})([%‰]){around}$")
    table = {w: g[0] for g in lex.synonyms for w in g}
    syn_re = re.compile("|".join(re.escape(w) for w in sorted(table, key=len, reverse=True))) if table else None

    def canon(text: str) -> str:
        return syn_re.sub(lambda m: table[m.group()], text) if syn_re else text

    return _Compiled(longest(lex.statements), longest(lex.evaluations), longest(lex.degrees), dict(lex.answers),
                     tuple(sorted(lex.not_degrees, key=len, reverse=True)), percent_re, canon)


def clean(text: str) -> str:
    """normalize_text plus the punctuation people put around a short answer ("良好。", "“是”")."""
    return normalize_text(text).strip(_EDGE_PUNCT)


_WHAT_TO_WRITE = "应写 达成/部分达成/未达成、与年度指标值相同的文字、程度词加目标用语（如 有所降低）或完成百分比（如 85%）"


def read_qualitative(actual: object, target: object, lex: Lexicon) -> QualReading | _Refusal:
    """The level of a qualitative actual read against its target (see profiles/_lexicon.toml for the order)."""
    if is_blank(actual):
        return _Refusal(RuleInputError, "实际完成值为空，无法判断定性指标完成程度")
    if is_not_applicable(actual):
        return _Refusal(NotApplicable, "实际完成值标为「不适用」")
    t = clean(str(actual))
    g = "" if is_blank(target) else clean(str(target))
    return _read(t, g, str(actual), lex)


@lru_cache(maxsize=8192)
def _read(t: str, g: str, raw: str, lex: Lexicon) -> QualReading | _Refusal:
    c = _compile(lex)
    if g and t == g:
        return QualReading("达成", None, "与年度指标值相同")
    pct = c.percent_re.match(t)
    if pct:
        degree = float(pct.group(1)) / (1000 if pct.group(2) == "‰" else 100)
        if not 0 <= degree <= 1:
            return _Refusal(RuleInputError, f"定性指标完成程度应在 0%–100% 之间：{raw}（或写 达成/部分达成/未达成）")
        return QualReading(None, degree, f"完成程度 {degree:.0%}")  # its band: the profile's (caller)
    if "%" in t or "‰" in t:
        return _Refusal(RuleInputError, f"定性指标完成情况「{raw}」含有百分数和其他文字，无法判断；"
                                        f"只写完成百分比（如 85%），或写 达成/部分达成/未达成")
    if t in c.answers:
        return _answer(t, g, c)
    found: list[tuple[str, str]] = []  # (level, evidence)
    stmt = _statement(t, c)
    if isinstance(stmt, _Refusal):
        return stmt
    if stmt:
        found.append(stmt)
    ev = _evaluation(t, c, raw)
    if isinstance(ev, _Refusal):
        return ev
    if ev:
        found.append(ev)
    deg = _degree(t, g, c, lex)
    if deg and deg[0] is not None:
        found.append((deg[0], deg[1]))
    if not found:
        if not deg and _abbreviates(t, g, c):
            return QualReading("达成", None, "与年度指标值的用语相同（简写）")
        if deg:  # a degree word was there but the rest does not say what the target says
            return _Refusal(RuleInputError, deg[1])
        return _Refusal(RuleInputError, f"无法判断定性指标完成程度「{raw}」（{_WHAT_TO_WRITE}）")
    levels = {level for level, _ in found}
    if len(levels) > 1:
        said = "；".join(f"{how} → {level}" for level, how in found)
        return _Refusal(RuleInputError, f"定性指标完成情况「{raw}」前后矛盾（{said}），无法判断；"
                                        f"请直接写 达成/部分达成/未达成")
    level = found[0][0]
    return QualReading(level, None, "，".join(how for _, how in found))


def _answer(t: str, g: str, c: _Compiled) -> QualReading:
    said = c.answers[t]
    if g in c.answers:
        wanted = c.answers[g]
    else:
        wanted = "否" if _negated(g, c) else "是"
    if said == wanted:
        return QualReading("达成", None, f"回答“{t}”与目标一致")
    return QualReading("未达成", None, f"回答“{t}”与目标“{g or '是'}”相反")


def _negated(g: str, c: _Compiled) -> bool:
    """The target states an absence (无重大安全事故, 未发生, 不超标)."""
    hit = _degree_at(g, 0, c) if g else None
    return hit is not None and hit[1] == "未达成"


def _masked(text: str, c: _Compiled) -> list[bool]:
    """Positions inside a not_degree word (不断, 未来 …), where no degree word may start."""
    mask = [False] * len(text)
    for word in c.not_degrees:
        start = text.find(word)
        while start >= 0:
            for i in range(start, start + len(word)):
                mask[i] = True
            start = text.find(word, start + 1)
    return mask


def _degree_at(text: str, i: int, c: _Compiled, mask: list[bool] | None = None) -> tuple[str, str] | None:
    """The longest degree word starting at i, as (word, level)."""
    if mask is None:
        mask = _masked(text, c)
    if i < len(mask) and mask[i]:
        return None
    for word, level in c.degrees:
        if text.startswith(word, i):
            return word, level
    return None


def _degree_before(text: str, end: int, c: _Compiled) -> tuple[str, str] | None:
    """The longest degree word ending just before position end."""
    mask = _masked(text, c)
    for word, level in c.degrees:
        start = end - len(word)
        if start >= 0 and text.startswith(word, start) and not mask[start]:
            return word, level
    return None


def _statement(t: str, c: _Compiled) -> tuple[str, str] | _Refusal | None:
    for phrase, level in c.statements:
        pos = t.find(phrase)
        if pos < 0:
            continue
        before = _degree_before(t, pos, c)
        if before and _RANK[before[1]] > _RANK[level]:  # 基本完成, 未按时完成: the degree word lowers it
            return before[1], f"“{before[0]}{phrase}”"
        if level != "未达成" and any(lv == "未达成" for _, _, lv in _degree_hits(t[:pos], c)):
            return _Refusal(RuleInputError, f"定性指标完成情况「{t}」在“{phrase}”前有否定词，无法判断；"
                                            f"请直接写 达成/部分达成/未达成")
        return level, f"“{phrase}”"
    return None


def _evaluation(t: str, c: _Compiled, raw: str) -> tuple[str, str] | _Refusal | None:
    """An evaluation word that is the whole text, or (two characters or more) ends it: 效果良好. A one-character
    word (好, 优, 中, 差) only as the whole text: 推进中 is not an evaluation."""
    for word, level in c.evaluations:
        if not (t == word or (len(word) >= 2 and t.endswith(word))):
            continue
        head = t[: -len(word)]
        before = _degree_before(t, len(head), c)
        if before:  # 基本良好, 不够好: the degree word right before qualifies the evaluation
            return _worse(level, before[1]), f"“{before[0]}{word}”"
        mask = _masked(head, c)
        if any((hit := _degree_at(head, i, c, mask)) and hit[1] == "未达成" for i in range(len(head))):
            if level != "未达成":
                return _Refusal(RuleInputError, f"定性指标完成情况「{raw}」在“{word}”前有否定词，无法判断；"
                                                f"请直接写 达成/部分达成/未达成")
        return level, f"评价“{word}”"
    return None


def _worse(a: str, b: str) -> str:
    return a if _RANK[a] >= _RANK[b] else b


def _degree_hits(text: str, c: _Compiled) -> list[tuple[int, str, str]]:
    """Every degree word in the text as (position, word, level), longest at each position, left to right."""
    mask = _masked(text, c)
    hits = []
    for i in range(len(text)):
        hit = _degree_at(text, i, c, mask)
        if hit:
            hits.append((i, hit[0], hit[1]))
    return hits


def _degree(t: str, g: str, c: _Compiled, lex: Lexicon) -> tuple[str | None, str] | None:
    """(level, evidence) from a degree word read against the target; (None, refusal text) when a degree word
    is there but the rest of the text says something else than the target; None without degree words.

    The target is tried as written and without each of its degree words (有效降低 → 降低), the actual without
    each of its degree words in turn, so 服务质量有所提升 reads against 服务质量有效提升."""
    variants: list[tuple[str, str | None]] = [(c.canon(g), None)]  # (wording, level of the removed word)
    variants += [(c.canon(g[:j] + g[j + len(w):]), lv) for j, w, lv in _degree_hits(g, c)]
    hits = _degree_hits(t, c)
    if not hits:
        for wording, removed in variants[1:]:
            if wording and c.canon(t) == wording:  # 降低 against 有效降低
                return lex.bare_verb, f"与目标用语“{wording}”相同（未写程度）"
        return None
    for k, (i, word, level) in enumerate(hits):
        rest = c.canon(t[:i] + t[i + len(word):])
        inner = t[:i]  # 没有明显提升: the later degree words removed too, read against 显著提升 without 显著
        last = i + len(word)
        for j, w, _ in hits[k + 1:]:
            if j >= last:
                inner, last = inner + t[last:j], j + len(w)
        inner = c.canon(inner + t[last:])
        for wording, removed in variants:
            if not g or not wording:
                # Nothing to read the rest against (target blank or a degree word only): only a degree word of
                # two characters or more opening the text counts, so 无人机巡查 is never 无 + 人机巡查.
                if rest and (i > 0 or len(word) < 2):
                    continue
            elif not (not rest or _same_thing(rest, wording) or _same_thing(inner, wording)):
                continue
            if removed == "未达成":  # the target states an absence: 无 against 无重大安全事故
                if level == "未达成":
                    return "达成", f"“{word}”与目标“{g}”一致"
                return None, (f"定性指标完成情况「{t}」与目标「{g}」（否定说法）无法对照；"
                              f"请直接写 达成/部分达成/未达成")
            return level, f"程度词“{word}”"
    i, word, _ = hits[0]
    plain = [wording for wording, removed in variants[1:] if removed != "未达成"]
    example = f"（如 有所{plain[0]}）" if plain else ""
    return None, (f"定性指标完成情况「{t}」的程度词“{word}”之后说的“{t[:i] + t[i + len(word):]}”与年度指标值"
                  f"「{g}」不一致，无法判断；请写与目标相同的用语{example}，或写 达成/部分达成/未达成")


def _same_thing(rest: str, target: str) -> bool:
    """The actual without its degree word says what the target says: equal, a shorter form at the target's
    start or end (有所促进 against 促进产业发展), or the target's wording followed by detail (降低，降幅5%)."""
    return rest == target or target.startswith(rest) or target.endswith(rest) or rest.startswith(target)


def _abbreviates(t: str, g: str, c: _Compiled) -> bool:
    """The actual is the target's own wording, shortened: 全天候 against 全天候可用, 按时 against 按时完成. Two
    characters at least, at the target's start or end, and no negation of its own (未… never abbreviates)."""
    return bool(g) and len(t) >= 2 and t != g and (g.startswith(t) or g.endswith(t)) and not (
        _negated(t, c) and not _negated(g, c))
