"""Rule profiles: every number and choice of DOMAIN.md §2 as data (TOML), validated into a frozen dataclass.

A profile file may `extends` another and state only what differs. Unknown keys and values are refused with
a Chinese message, so a typo never silently falls back to a default. Shipped profiles live in
perfscore/rules/profiles/; users add their own by passing a path, or by dropping a file into a folder named
in PERFSCORE_PROFILE_PATH. Files whose name starts with "_" are not profiles (_lexicon.toml is the base lexicon).

Keys beyond DOMAIN.md §2 (each documented with its default in central.toml):
- `exec_rate.zero_budget`: a funds row with 全年预算数 0 and 全年执行数 0 — "zero" (score 0, warning 预算数为 0),
  "full", "not_applicable" (#N/A, the row is dropped), "refuse" (#VALUE!, the old behaviour).
- `grade.max_total`: the highest total GRADE accepts (forms with 加分项 add up to 110); default 120.
- `[deadline]`: completion-time targets ("9月前"): `month_before` ("9月前" = by the end of September, or before
  it starts) and `late` (how a late completion scores).
- `[lexicon]`: the words a qualitative 实际完成值 is read with, merged over perfscore/rules/profiles/_lexicon.toml
  (documented there): tables `statements`, `evaluations`, `degrees`, `answers` (a word mapped to "不识别" is
  removed), lists `not_degrees`, `percent_words`, `absences`, `not_absences`, `synonyms` (added to the parent's), `bare_verb`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from functools import lru_cache
from importlib import resources
from pathlib import Path

from perfscore.rules.errors import ProfileError
from perfscore.rules.lexicon import (
    Lexicon,
    base_lexicon_data,
    default_lexicon,
    lexicon_from_dict,
    lexicon_to_toml,
    merge_lexicon_data,
)

DEFAULT_PROFILE = "central"
QUAL_LEVELS = ("达成", "部分达成", "未达成")


@dataclass(frozen=True)
class ExecRateRules:
    base: str = "adjusted"  # adjusted = 全年预算数 | initial = 年初预算数
    cap_at_full: bool = True  # min(B/A, 1) × 分值
    reason_threshold: float = 0.9  # a reason is required below this rate
    zero_budget: str = "zero"  # budget 0 and spent 0: zero (warning) | full | not_applicable | refuse


@dataclass(frozen=True)
class IndicatorRules:
    negative_overrun: str = "ratio"  # ratio = A/B × 分值 | linear = to 0 at 2A | zero
    negative_zero_actual: str = "full"  # full (with a warning) | half
    equal_over: str = "full"  # full (with a warning) | two_sided
    over_target_warn_ratio: float = 1.5
    over_target_policy: str = "none"  # none | deduct
    over_target_deduct_points: float = 0.0
    percent_plain_number: str = "auto"  # auto: 96 against a 95% target means 96% (with a warning) | strict
    blank_direction_met: str = "refuse"  # 性质/方向 blank, actual = numeric target (100%/100%): refuse | full


@dataclass(frozen=True)
class QualitativeRules:
    bands: dict[str, tuple[float, float]] = field(
        default_factory=lambda: {"达成": (0.8, 1.0), "部分达成": (0.6, 0.8), "未达成": (0.0, 0.6)}
    )
    default_fraction: dict[str, float] = field(default_factory=lambda: {"达成": 1.0, "部分达成": 0.7, "未达成": 0.3})


@dataclass(frozen=True)
class DeadlineRules:
    month_before: str = "end_of_month"  # "9月前": end_of_month = by 30 September | start_of_month = by 31 August
    late: str = "negative"  # negative = the profile's 反向 rule on day positions | partial | zero


@dataclass(frozen=True)
class SatisfactionRules:
    method: str = "weighted"  # weighted = Σ share × level weight | satisfied_share = 满意人数/有效人数
    level_weights: tuple[float, ...] = (1.0, 0.75, 0.5, 0.25, 0.0)
    satisfied_levels: int = 2  # for satisfied_share: how many top levels count as 满意


@dataclass(frozen=True)
class TotalRules:
    tolerance: float = 0.01  # a declared total may differ from Σ items by this much
    not_applicable: str = "rescale"  # rescale = drop the row and rescale the rest to 100 | drop_weight


@dataclass(frozen=True)
class Profile:
    name: str = DEFAULT_PROFILE
    title: str = ""
    source: str = ""
    decimals: int = 2
    score_cap_at_weight: bool = True
    first_level_weights: dict[str, float] = field(default_factory=dict)
    grade_bands: tuple[tuple[str, float], ...] = (("优", 90.0), ("良", 80.0), ("中", 60.0), ("差", 0.0))
    grade_max_total: float = 120.0  # GRADE accepts totals up to this (加分项 forms add up to 110)
    exec_rate: ExecRateRules = field(default_factory=ExecRateRules)
    indicator: IndicatorRules = field(default_factory=IndicatorRules)
    qualitative: QualitativeRules = field(default_factory=QualitativeRules)
    satisfaction: SatisfactionRules = field(default_factory=SatisfactionRules)
    total: TotalRules = field(default_factory=TotalRules)
    deadline: DeadlineRules = field(default_factory=DeadlineRules)
    lexicon: Lexicon = field(default_factory=default_lexicon)

    def to_toml(self) -> str:
        return dump_profile(self)


# Allowed string values per key: validation data, not branches.
_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("exec_rate", "base"): ("adjusted", "initial"),
    ("exec_rate", "zero_budget"): ("zero", "full", "not_applicable", "refuse"),
    ("deadline", "month_before"): ("end_of_month", "start_of_month"),
    ("deadline", "late"): ("negative", "partial", "zero"),
    ("indicator", "negative_overrun"): ("ratio", "linear", "zero"),
    ("indicator", "negative_zero_actual"): ("full", "half"),
    ("indicator", "equal_over"): ("full", "two_sided"),
    ("indicator", "over_target_policy"): ("none", "deduct"),
    ("indicator", "percent_plain_number"): ("auto", "strict"),
    ("indicator", "blank_direction_met"): ("refuse", "full"),
    ("satisfaction", "method"): ("weighted", "satisfied_share"),
    ("total", "not_applicable"): ("rescale", "drop_weight"),
}
_SECTIONS = {
    "exec_rate": ExecRateRules,
    "indicator": IndicatorRules,
    "qualitative": QualitativeRules,
    "satisfaction": SatisfactionRules,
    "total": TotalRules,
    "deadline": DeadlineRules,
}
_TOP_KEYS = {"name", "title", "source", "extends", "decimals", "score_cap_at_weight", "first_level_weights", "grade",
             "lexicon"}


@lru_cache(maxsize=1)
def _shipped_dir() -> Path:
    return Path(str(resources.files("perfscore.rules") / "profiles"))


def _search_dirs() -> list[Path]:
    dirs = [Path(p) for p in os.environ.get("PERFSCORE_PROFILE_PATH", "").split(os.pathsep) if p]
    return dirs + [_shipped_dir()]


def list_profiles() -> list[Profile]:
    """Every profile found (user folders first, then the shipped ones), by name."""
    seen: dict[str, Profile] = {}
    for folder in _search_dirs():
        if folder.is_dir():
            for path in sorted(folder.glob("*.toml")):
                if path.name.startswith("_"):
                    continue  # data files beside the profiles (_lexicon.toml), not profiles
                profile = load_profile(str(path))
                seen.setdefault(profile.name, profile)
    return list(seen.values())


def _locate(name: str) -> Path:
    candidate = Path(name)
    if candidate.suffix == ".toml" and candidate.exists():
        return candidate
    for folder in _search_dirs():
        path = folder / f"{name}.toml"
        if path.exists() and not name.startswith("_"):
            return path
    known = ", ".join(sorted(p.stem for d in _search_dirs() if d.is_dir() for p in d.glob("*.toml")
                             if not p.name.startswith("_")))
    raise ProfileError(f"找不到评分规则「{name}」；可用的规则：{known}")


def load_profile(name: "str | Profile | None" = None) -> Profile:
    """A profile by name (shipped or in PERFSCORE_PROFILE_PATH), by path to a .toml, or the default.

    Called once per rule evaluation, so both steps are cached: where a name resolves to (per name, search
    path and the search folders' modification times, so a file dropped into a folder is seen) and the parsed
    file (per path and the file's modification time and size, so an edited file is re-read)."""
    if isinstance(name, Profile):
        return name
    if name is None or (isinstance(name, str) and not name.strip()):
        name = DEFAULT_PROFILE
    key = name.strip()
    if Path(key).suffix == ".toml":
        path = str(_locate(key).resolve())  # a path: relative to the working folder, resolved every time
    else:
        dirs = tuple(str(d) for d in _search_dirs())
        cwd = os.getcwd() if not all(os.path.isabs(d) for d in dirs) else ""  # relative folders: per cwd
        path = _resolve_cached(key, dirs, tuple(_mtime(d) for d in dirs), cwd)
    return _load_cached(path, _stamp(path))


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None  # gone: loading reports it with the usual Chinese message
    return st.st_mtime_ns, st.st_size


@lru_cache(maxsize=256)
def _resolve_cached(name: str, dirs: tuple[str, ...], stamps: tuple[int | None, ...], cwd: str) -> str:
    """The resolved file for a profile name; `dirs`, `stamps` and `cwd` only key the cache (see load_profile)."""
    return str(_locate(name).resolve())


@lru_cache(maxsize=64)
def _load_cached(path: str, stamp: tuple[int, int] | None = None) -> Profile:
    """The parsed, validated profile at path; `stamp` (mtime, size) only keys the cache."""
    return profile_from_dict(_read_merged(Path(path), ()), origin=path)


def _read_merged(path: Path, chain: tuple[str, ...]) -> dict:
    if str(path) in chain:
        raise ProfileError(f"评分规则文件循环继承：{' → '.join(chain + (str(path),))}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"评分规则文件 {path} 格式错误：{exc}") from exc
    except OSError as exc:
        raise ProfileError(f"无法读取评分规则文件 {path}：{exc}") from exc
    parent = data.pop("extends", None)
    if parent is None:
        return data
    base = _read_merged(_locate(parent).resolve(), chain + (str(path),))
    return _deep_merge(base, data)


def _deep_merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if key == "lexicon" and isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_lexicon_data(merged[key], value)  # word tables merge, word lists add up
        elif isinstance(value, dict) and isinstance(merged.get(key), dict) and key != "first_level_weights":
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _expect(cond: bool, message: str, origin: str) -> None:
    if not cond:
        raise ProfileError(f"评分规则文件 {origin}：{message}")


def _number(value: object, key: str, origin: str, lo: float | None = None, hi: float | None = None) -> float:
    _expect(isinstance(value, (int, float)) and not isinstance(value, bool), f"「{key}」应为数值，实际为 {value!r}", origin)
    if lo is not None:
        _expect(value >= lo, f"「{key}」应不小于 {lo}，实际为 {value}", origin)
    if hi is not None:
        _expect(value <= hi, f"「{key}」应不大于 {hi}，实际为 {value}", origin)
    return float(value)


def profile_from_dict(data: dict, origin: str = "<dict>") -> Profile:
    """Validate a parsed TOML document into a Profile. Unknown keys or values are refused."""
    data = dict(data)
    data.pop("extends", None)
    unknown = set(data) - _TOP_KEYS - set(_SECTIONS)
    _expect(not unknown, f"未知的键 {sorted(unknown)}；允许的键：{sorted(_TOP_KEYS | set(_SECTIONS))}", origin)
    kwargs: dict = {}
    for key in ("name", "title", "source"):
        if key in data:
            _expect(isinstance(data[key], str), f"「{key}」应为文字", origin)
            kwargs[key] = data[key]
    _expect("name" in kwargs, "缺少「name」", origin)
    if "decimals" in data:
        _expect(isinstance(data["decimals"], int) and 0 <= data["decimals"] <= 6, "「decimals」应为 0–6 的整数", origin)
        kwargs["decimals"] = data["decimals"]
    if "score_cap_at_weight" in data:
        _expect(isinstance(data["score_cap_at_weight"], bool), "「score_cap_at_weight」应为 true/false", origin)
        kwargs["score_cap_at_weight"] = data["score_cap_at_weight"]
    if "first_level_weights" in data:
        weights = data["first_level_weights"]
        _expect(isinstance(weights, dict), "「first_level_weights」应为表 (table)", origin)
        kwargs["first_level_weights"] = {
            str(k): _number(v, f"first_level_weights.{k}", origin, 0, 100) for k, v in weights.items()
        }
    if "grade" in data:
        kwargs["grade_bands"], max_total = _grade_bands(data["grade"], origin)
        if max_total is not None:
            kwargs["grade_max_total"] = max_total
    lexicon = data.get("lexicon", {})
    _expect(isinstance(lexicon, dict), "「lexicon」应为表 (table)", origin)
    kwargs["lexicon"] = (lexicon_from_dict(merge_lexicon_data(base_lexicon_data(), lexicon), origin)
                         if lexicon else default_lexicon())
    for section, cls in _SECTIONS.items():
        if section in data:
            kwargs[section] = _section(section, cls, data[section], origin)
    return Profile(**kwargs)


def _grade_bands(grade: object, origin: str) -> tuple[tuple[tuple[str, float], ...], float | None]:
    _expect(isinstance(grade, dict) and set(grade) <= {"bands", "max_total"} and grade,
            "「grade」只允许键「bands」和「max_total」", origin)
    max_total = None
    if "max_total" in grade:
        max_total = _number(grade["max_total"], "grade.max_total", origin, 100, 1000)
    if "bands" not in grade:
        return Profile.grade_bands, max_total
    bands = grade["bands"]
    _expect(isinstance(bands, list) and bands, "「grade.bands」应为非空列表，如 [[\"优\", 90], …]", origin)
    parsed = []
    for item in bands:
        _expect(isinstance(item, list) and len(item) == 2 and isinstance(item[0], str), f"等级项 {item!r} 应为 [名称, 下限]", origin)
        parsed.append((item[0], _number(item[1], f"grade.bands.{item[0]}", origin, 0, 100)))
    lows = [low for _, low in parsed]
    _expect(lows == sorted(lows, reverse=True), "「grade.bands」下限应从高到低排列", origin)
    _expect(lows[-1] == 0, "最低等级的下限应为 0", origin)
    return tuple(parsed), max_total


def _section(section: str, cls: type, values: object, origin: str):
    _expect(isinstance(values, dict), f"「{section}」应为表 (table)", origin)
    allowed = {f.name for f in fields(cls)}
    unknown = set(values) - allowed
    _expect(not unknown, f"「{section}」中未知的键 {sorted(unknown)}；允许的键：{sorted(allowed)}", origin)
    defaults = cls()
    kwargs = {}
    for key, value in values.items():
        label = f"{section}.{key}"
        default = getattr(defaults, key)
        choices = _CHOICES.get((section, key))
        if choices is not None:
            _expect(value in choices, f"「{label}」的值 {value!r} 无效；可选：{', '.join(choices)}", origin)
            kwargs[key] = value
        elif isinstance(default, bool):
            _expect(isinstance(value, bool), f"「{label}」应为 true/false", origin)
            kwargs[key] = value
        elif isinstance(default, int) and not isinstance(default, bool):
            _expect(isinstance(value, int) and not isinstance(value, bool) and value >= 0, f"「{label}」应为非负整数", origin)
            kwargs[key] = value
        elif isinstance(default, float):
            kwargs[key] = _number(value, label, origin, 0)
        elif key == "level_weights":
            _expect(isinstance(value, list) and len(value) == 5, f"「{label}」应为 5 个数值（非常满意…不满意）", origin)
            kwargs[key] = tuple(_number(v, label, origin, 0, 1) for v in value)
        elif key == "bands":
            kwargs[key] = _qual_bands(value, label, origin)
        elif key == "default_fraction":
            _expect(isinstance(value, dict) and set(value) == set(QUAL_LEVELS), f"「{label}」应含 {QUAL_LEVELS}", origin)
            kwargs[key] = {k: _number(v, f"{label}.{k}", origin, 0, 1) for k, v in value.items()}
    result = cls(**{**{f.name: getattr(defaults, f.name) for f in fields(cls)}, **kwargs})
    if cls is QualitativeRules:
        for level in QUAL_LEVELS:
            lo, hi = result.bands[level]
            frac = result.default_fraction[level]
            _expect(lo <= frac <= hi, f"定性默认得分比例 {level}={frac} 不在其档位 [{lo}, {hi}] 内", origin)
    return result


def _qual_bands(value: object, label: str, origin: str) -> dict[str, tuple[float, float]]:
    _expect(isinstance(value, dict) and set(value) == set(QUAL_LEVELS), f"「{label}」应含 {QUAL_LEVELS}", origin)
    bands = {}
    for level in QUAL_LEVELS:
        pair = value[level]
        _expect(isinstance(pair, list) and len(pair) == 2, f"「{label}.{level}」应为 [下限, 上限]", origin)
        lo, hi = (_number(v, f"{label}.{level}", origin, 0, 1) for v in pair)
        _expect(lo < hi, f"「{label}.{level}」下限应小于上限", origin)
        bands[level] = (lo, hi)
    _expect(
        bands["未达成"][1] == bands["部分达成"][0] and bands["部分达成"][1] == bands["达成"][0] and bands["达成"][1] == 1.0
        and bands["未达成"][0] == 0.0,
        f"「{label}」三档应首尾相接并覆盖 0–1",
        origin,
    )
    return bands


def dump_profile(profile: Profile) -> str:
    """The profile as a complete TOML document (round-trips through load)."""

    def fmt(value: object) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(value, (list, tuple)):
            return "[" + ", ".join(fmt(v) for v in value) + "]"
        return repr(value)

    lines = [f"name = {fmt(profile.name)}", f"title = {fmt(profile.title)}", f"source = {fmt(profile.source)}",
             f"decimals = {profile.decimals}", f"score_cap_at_weight = {fmt(profile.score_cap_at_weight)}", ""]
    lines.append("[first_level_weights]")
    lines += [f"{fmt(k)} = {fmt(v)}" for k, v in profile.first_level_weights.items()]
    lines += ["", "[grade]", "bands = [" + ", ".join(f"[{fmt(n)}, {fmt(v)}]" for n, v in profile.grade_bands) + "]",
              f"max_total = {fmt(profile.grade_max_total)}"]
    for section in _SECTIONS:
        obj = getattr(profile, section)
        lines += ["", f"[{section}]"]
        for f in fields(obj):
            value = getattr(obj, f.name)
            if isinstance(value, dict):
                lines.append(f"{f.name} = {{ " + ", ".join(f"{fmt(k)} = {fmt(list(v) if isinstance(v, tuple) else v)}" for k, v in value.items()) + " }")
            else:
                lines.append(f"{f.name} = {fmt(value)}")
    lines += [""] + lexicon_to_toml(profile.lexicon)
    return "\n".join(lines) + "\n"
