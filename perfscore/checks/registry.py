"""Every check code with its default severity and a Chinese description (data, not branches).

The README table and `perfscore check --list` are generated from this registry.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfscore.checks.findings import ERROR, NOTE, WARNING


@dataclass(frozen=True)
class CheckSpec:
    code: str
    severity: str  # default; a check may lower or raise it for one finding (stated in the description)
    title: str  # short Chinese name
    description: str  # what is wrong and what is expected
    excel_flag: str | None = None  # Excel's <ignoredError> attribute that silences it, when there is one


_SPECS = (
    # --- form checks (need the form model) ---
    CheckSpec("TOTAL_MISMATCH", ERROR, "合计与明细不符",
              "小计或总分不等于其所属各行得分（或分值）之和，超出方案允许的误差。"),
    CheckSpec("WEIGHT_SUM", ERROR, "分值合计不符",
              "各指标分值之和不等于100或合计行，或不等于所属上级指标的分值；一级指标分值与方案模板不同"
              "只作提示（其他地区、年度的模板各不相同），注明方案。"),
    CheckSpec("RANGE_OMITS_ROWS", ERROR, "合计公式漏行或重复",
              "总分/小计公式的求和区域漏掉了指标行，或把小计行与其明细行重复计入。", "formulaRange"),
    CheckSpec("SCORE_OVER_WEIGHT", ERROR, "得分越界",
              "得分大于分值、小于0，或分值大于0而得分为空。"),
    CheckSpec("SCORE_DIFFERS_FROM_RULE", ERROR, "得分与评分规则不符",
              "填报得分与按评分规则（注明规则与方案）计算的得分不同，多打或少打分都报告；"
              "规则本身带有提醒（如反向指标实际值为0）时降为警告。"),
    CheckSpec("QUAL_SCORE_OUT_OF_BAND", WARNING, "定性得分不在档次内",
              "定性指标的完成档次（达成/部分达成/未达成）与得分占分值的比例不符。"),
    CheckSpec("EXEC_RATE_MISMATCH", ERROR, "预算执行率有误",
              "填报的执行率不等于全年执行数/全年预算数；执行数超过预算数（警告）；"
              "执行率低于90%未说明原因（警告）。"),
    CheckSpec("GRADE_MISMATCH", ERROR, "评价等级与总分不符",
              "评价等级不是总分所在档次（默认 优≥90、良≥80、中≥60、差<60）。"),
    CheckSpec("OVER_TARGET", NOTE, "大幅超额完成",
              "实际完成值达到年度指标值的倍数超过方案阈值（默认1.5倍），指标值设置可能偏低。"),
    CheckSpec("MISSING_DEVIATION_REASON", WARNING, "缺少偏差原因",
              "扣了分或未完成年度指标值，但偏差原因分析为空或仅写“无/暂无”。"),
    CheckSpec("UNIT_MISMATCH", WARNING, "单位不一致",
              "年度指标值与实际完成值单位不一致（百分数与小数、万元与元等）。"),
    CheckSpec("TEXT_NUMBER", WARNING, "以文本存储的数字或无法识别的值",
              "应为数字的单元格以文本存储，或其内容无法识别为数值。", "numberStoredAsText"),
    CheckSpec("DIRECTION_MISSING", WARNING, "指标方向未填",
              "指标性质和指标方向都没有填，实际完成值与年度指标值不同，无法判断按正向还是反向计分（填报得分与某一方向"
              "一致时，或本表根本没有指标性质/方向列时，为提示：得分未核验）。"),
    CheckSpec("FUNDS_ROWS_MISMATCH", ERROR, "资金合计不符",
              "年度资金总额不等于财政拨款、上年结转、其他资金之和（包括总额为0而分项有数）。"),
    CheckSpec("RULE_TEXT_MISMATCH", NOTE, "评分规则文字与本行不符",
              "评价要点/评分规则中写的满分与本行分值不同，或写的是另一指标的计算口径。"),
    # --- generic formula checks (any sheet) ---
    CheckSpec("TYPED_OVER_FORMULA", WARNING, "公式被常数覆盖",
              "同列（或同行）公式块中出现手工录入的数值，原公式可能被覆盖。", "calculatedColumn"),
    CheckSpec("INCONSISTENT_FORMULA", WARNING, "公式与相邻公式不一致",
              "公式的相对引用形状（R1C1）与同一公式块中的相邻公式不同，包括块的首尾单元格。", "formula"),
    CheckSpec("HARDCODED_CONSTANT", NOTE, "公式中写死的常数",
              "评分公式中直接写入了数字（如分值），应引用单元格；ROUND位数与0/1/100等惯用常数除外。"),
    CheckSpec("FORMULA_ERROR", ERROR, "公式结果为错误值",
              "单元格的计算结果为 #DIV/0!、#VALUE!、#REF! 等错误值（只报告源头单元格）。", "evalError"),
    CheckSpec("STALE_VALUE", WARNING, "缓存值未更新",
              "文件中保存的计算结果与重新计算的结果不同，文件保存前未重算。"),
    # --- file level ---
    CheckSpec("FILE_UNREADABLE", ERROR, "文件无法读取",
              "文件损坏、加密、格式不受支持（如 .xls）或不是 Excel 工作簿，未能检查。"),
    CheckSpec("CHECK_FAILED", ERROR, "检查中断",
              "检查这个文件时出现了意外错误（程序缺陷），该文件的检查结果不完整；请把文件与消息反馈给开发者。"),
    CheckSpec("NO_FORM_FOUND", NOTE, "未识别出自评表",
              "工作簿中没有识别出绩效自评表，只做了通用公式检查。"),
    CheckSpec("IGNORE_LIST_INVALID", WARNING, "忽略清单有误",
              "工作簿的忽略清单（_perfscore 工作表或名称 PERFSCORE_IGNORE）中有无法理解的条目。"),
)

CHECKS: dict[str, CheckSpec] = {spec.code: spec for spec in _SPECS}


def spec(code: str) -> CheckSpec:
    try:
        return CHECKS[code]
    except KeyError:
        raise KeyError(f"未登记的检查代码 (unregistered check code): {code}") from None
