"""Header labels as real forms write them, mapped to one role each (data, not branches).

Add a synonym here and every reader understands it. Matching is on normalised text: whitespace and line
breaks removed, full-width forms folded (NFKC), bracketed notes such as "（A）" "（万元）" "(分)" dropped.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# role -> labels (normalised form). Order inside a role does not matter; across roles labels must be unique.
ROLE_LABELS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "level3": ("三级指标", "指标名称", "绩效指标名称", "具体指标", "指标内容", "考核内容", "考核项目", "评价内容",
               "考核指标"),
    "nature": ("指标性质", "性质", "指标属性", "指标类型"),
    "operator": ("指标方向", "方向", "运算符号", "指标值方向", "比较方式"),
    "nature_operator": ("指标性质及方向", "指标性质和方向", "性质及方向", "性质和方向", "性质方向", "指标性质/方向", "性质/方向"),
    "target": ("年度指标值", "全年指标值", "指标值", "年度目标值", "全年目标值", "目标值", "预期指标值",
               "计划指标值", "年度计划值", "预期目标值", "标准值"),
    "actual": ("实际完成值", "全年实际值", "实际值", "完成值", "全年完成值", "实际完成指标值", "全年实际完成值",
               "实际完成情况", "年度实际值", "实际完成", "完成情况"),
    "unit": ("计量单位", "单位", "度量单位"),
    "weight": ("分值", "权重", "标准分", "指标分值", "权重分", "权重分值", "满分", "指标权重", "分值权重"),
    "score": ("得分", "自评得分", "自评分", "评价得分", "实际得分", "评分", "考核得分", "评定得分", "指标得分",
              "分数", "评价分", "评审得分", "专家评分"),
    "deviation_reason": ("偏差原因分析及改进措施", "偏差原因分析及整改措施", "偏差原因分析", "偏差原因",
                         "未完成原因分析", "原因分析及改进措施", "偏差原因及改进措施", "未完成原因和改进措施",
                         "偏差原因分析和改进措施", "扣分原因", "扣分说明", "扣分理由", "扣分原因说明",
                         "评分依据及扣分说明", "得分说明", "评分说明", "扣分情况说明"),
    "rule_text": ("评价要点及评分规则", "评价要点", "评分规则", "评分标准", "评分细则", "指标解释及评分标准",
                  "评分办法", "计分方法", "评价标准", "评分依据", "计分标准", "评分要点", "考核标准", "评分方法"),
    "note": ("指标说明", "指标解释", "指标释义", "指标定义"),
}

# Prefix matches for long labels with extra words ("偏差原因分析及改进措施（简述）" is handled by bracket removal,
# "偏差原因分析及下一步改进措施" by prefix). Only labels of ≥ 4 characters take part, to keep 单位 ≠ 实施单位.
_PREFIX_MIN = 4

LABEL_TO_ROLE: dict[str, str] = {lab: role for role, labs in ROLE_LABELS.items() for lab in labs}

# Rows inside the table.
TOTAL_LABELS = ("总分", "总计", "合计", "合计得分", "总得分", "得分合计", "总分值", "综合得分", "自评总分", "总体得分")
SUBTOTAL_LABELS = ("小计",)
GRADE_LABELS = ("绩效等级", "评价等级", "自评等级", "等级", "评价结论", "自评等级结果", "评定等级", "绩效评价等级")
# Sections after the table that end it.
STOP_LABELS = ("主要成效", "存在问题", "整改措施", "改进措施", "主要经验及做法", "填表人", "审核人", "联系电话",
               "单位负责人", "填报人", "财务负责人", "其他需要说明的问题", "备注")

# Header facts above the table.
FACT_LABELS: dict[str, tuple[str, ...]] = {
    "project_name": ("项目名称", "部门名称", "单位名称", "评价对象", "部门（单位）名称", "部门(单位)名称"),
    "department": ("主管部门", "主管单位", "预算部门"),
    "implementer": ("实施单位", "项目实施单位"),
    "reporting_unit": ("填报单位", "填报单位（盖章）", "评价机构"),
    "year": ("年度", "评价年度", "自评年度", "预算年度"),
}

# The 项目资金 block (and the third-party block of 预算资金 / 到位资金 / 实际支出 / 成本 inputs).
FUNDS_COLUMN_LABELS: dict[str, tuple[str, ...]] = {
    "initial_budget": ("年初预算数", "年初预算", "年初预算金额", "年初预算资金"),
    "budget": ("全年预算数", "全年预算", "调整后预算数", "全年预算金额", "预算数", "预算资金", "预算金额",
               "调整后预算", "全年预算资金"),
    "spent": ("全年执行数", "全年执行", "实际执行数", "实际支出数", "执行数", "实际支出", "实际支出资金",
              "实际支出金额", "支出数", "全年支出数"),
    "arrived": ("到位资金", "实际到位资金", "资金到位数", "到位数", "实际到位数", "到位金额"),
    "planned_cost": ("计划成本", "预算成本", "计划成本数"),
    "actual_cost": ("实际成本", "实际成本数"),
    "weight": ("分值", "权重", "分值权重"),
    "exec_rate": ("执行率", "预算执行率", "资金执行率"),
    "score": ("得分", "自评得分", "评分"),
}
# Columns whose presence (two of them) makes a row the header of a funds block.
FUNDS_AMOUNT_ROLES = ("initial_budget", "budget", "spent", "arrived")
FUNDS_ROW_LABELS: dict[str, tuple[str, ...]] = {
    "年度资金总额": ("年度资金总额", "资金总额", "合计", "总计", "小计", "项目资金总额", "年度资金合计"),
    "财政拨款": ("其中：财政拨款", "其中:财政拨款", "财政拨款", "其中：当年财政拨款", "当年财政拨款", "其中财政拨款"),
    "上年结转": ("上年结转资金", "上年结转", "结转资金"),
    "其他资金": ("其他资金", "其他"),
}

# 满意度调查 counts (order = perfscore.forms.model.SURVEY_LEVELS) and the printed number of valid answers.
SURVEY_LEVEL_LABELS: dict[str, tuple[str, ...]] = {
    "非常满意": ("非常满意",),
    "比较满意": ("比较满意", "较满意"),  # a bare 满意 / 基本满意 belongs to 3-level surveys: not these five levels
    "一般满意": ("一般满意", "一般"),
    "不太满意": ("不太满意", "较不满意"),
    "不满意": ("不满意", "非常不满意", "很不满意"),
}
SURVEY_TOTAL_LABELS = ("有效问卷", "有效问卷数", "有效样本", "有效样本数", "调查人数", "有效人数", "合计", "样本数",
                       "问卷数", "有效份数")
SURVEY_BLOCK_LABELS = ("满意度调查", "满意度调查人数", "问卷调查", "满意度问卷", "满意度调查结果")

_BRACKETS = re.compile(r"[（(【\[][^（()）【】\[\]]*[)）】\]]")
_SPACES = re.compile(r"[\s\u3000]+")


def normalize_label(text: object) -> str:
    """'年度指标值\n（A）' -> '年度指标值'; '合  计' -> '合计'; '指标性质/方向' kept."""
    if not isinstance(text, str):
        return ""
    return _normalize(text)


@lru_cache(maxsize=8192)
def _normalize(text: str) -> str:
    t = unicodedata.normalize("NFKC", text)
    t = _SPACES.sub("", t)
    t = _BRACKETS.sub("", t)
    return t.rstrip(":：*").strip()


def role_of(text: object) -> str | None:
    """The column role a header label names, or None."""
    return role_of_text(text) if isinstance(text, str) else None


@lru_cache(maxsize=8192)
def role_of_text(text: str) -> str | None:
    """role_of for a str (memoised; the reader calls it once per text cell of a sheet)."""
    key = normalize_label(text)
    if not key or len(key) > 30:
        return None
    hit = LABEL_TO_ROLE.get(key)
    if hit:
        return hit
    best: tuple[int, str] | None = None
    for lab, role in LABEL_TO_ROLE.items():
        if len(lab) >= _PREFIX_MIN and key.startswith(lab) and (best is None or len(lab) > best[0]):
            best = (len(lab), role)
    return best[1] if best else None


@lru_cache(maxsize=256)
def _normalized_set(labels: tuple[str, ...]) -> frozenset[str]:
    """A label tuple in normalised form; keyed by the tuple itself, so an edited synonym list is seen anew."""
    return frozenset(normalize_label(x) for x in labels)


def matches(text: object, labels: tuple[str, ...]) -> bool:
    key = normalize_label(text)
    return bool(key) and key in _normalized_set(tuple(labels))


def funds_column_role(text: object) -> str | None:
    return _funds_column_role(text) if isinstance(text, str) else None


@lru_cache(maxsize=8192)
def _funds_column_role(text: str) -> str | None:
    key = normalize_label(text)
    for role, labs in FUNDS_COLUMN_LABELS.items():
        if key in labs:
            return role
    return None


def funds_row_label(text: object) -> str | None:
    return _funds_row_label(text) if isinstance(text, str) else None


_FUNDS_ROW_PREFIX = re.compile(r"^(其中|含)[:：]?")


@lru_cache(maxsize=8192)
def _funds_row_label(text: str) -> str | None:
    """'其中：本年财政拨款' -> '财政拨款'; '上年结转资金' -> '上年结转'; '资金总额' -> '年度资金总额'."""
    key = normalize_label(text)
    for label, labs in FUNDS_ROW_LABELS.items():
        if key in _normalized_set(labs):
            return label
    key = _FUNDS_ROW_PREFIX.sub("", key)
    if not key or len(key) > 12:
        return None
    if "资金总额" in key or key.endswith("合计"):
        return "年度资金总额"
    if "财政拨款" in key or key.endswith("财政资金"):
        return "财政拨款"
    if "结转" in key:
        return "上年结转"
    if key.startswith("其他") or key in ("自筹资金", "社会资金"):
        return "其他资金"
    return None


def survey_level(text: object) -> str | None:
    """'非常满意（人）' -> '非常满意'; the survey level a label names, or None."""
    return _survey_level(text) if isinstance(text, str) else None


@lru_cache(maxsize=4096)
def _survey_level(text: str) -> str | None:
    key = normalize_label(text).removesuffix("人数").removesuffix("数")
    for level, labs in SURVEY_LEVEL_LABELS.items():
        if key in labs:
            return level
    return None


def is_survey_total(text: object) -> bool:
    return isinstance(text, str) and normalize_label(text) in SURVEY_TOTAL_LABELS


def is_survey_block(text: object) -> bool:
    return isinstance(text, str) and normalize_label(text) in SURVEY_BLOCK_LABELS


def fact_of(text: object) -> tuple[str, str] | None:
    """'项目名称：政务服务…' -> ('project_name', '政务服务…'); '项目名称' -> ('project_name', '')."""
    return _fact_of(text) if isinstance(text, str) else None


@lru_cache(maxsize=8192)
def _fact_of(text: str) -> tuple[str, str] | None:
    raw = text.strip()
    cut = min((i for i in (raw.find("："), raw.find(":")) if i >= 0), default=-1)
    head, sep, tail = (raw[:cut], raw[cut], raw[cut + 1:]) if cut >= 0 else (raw, "", "")
    key = normalize_label(head)
    for fact, labs in FACT_LABELS.items():
        if key in _normalized_set(labs):
            return fact, tail.strip() if sep else ""
    return None
