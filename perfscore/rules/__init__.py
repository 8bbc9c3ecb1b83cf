"""The rule core: pure functions over plain values. Only this package knows the scoring rules."""

from perfscore.rules.errors import DirectionMissing, NotApplicable, PerfscoreError, ProfileError, RuleInputError
from perfscore.rules.excelmath import compare15, excel_round, round15, sum15
from perfscore.rules.profiles import DEFAULT_PROFILE, Profile, dump_profile, list_profiles, load_profile, profile_from_dict
from perfscore.rules.scoring import (
    Assessment,
    assess_cost_saving,
    assess_exec_rate,
    assess_indicator,
    assess_satisfaction,
    grade,
    is_absence_row,
    level_of_fraction,
    qual_band,
    rescaled_total,
    resolve_kind,
    score_cost_saving,
    score_exec_rate,
    score_indicator,
    score_satisfaction,
    total_score,
)
from perfscore.rules.values import (
    Quantity,
    is_blank,
    is_not_applicable,
    normalize_text,
    parse_nature,
    parse_number,
    parse_operator,
    parse_qual_level,
    parse_quantity,
)

__all__ = [name for name in dir() if not name.startswith("_")]
