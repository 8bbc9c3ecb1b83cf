"""The real published forms of shared/examples/ (001 Jiangsu 2022 project form, 004 Nanjing 2024 department
table), transcribed row by row, plus the central layout of DOMAIN.md §1 filled with published numbers, and builders
that write each as a real .xlsx the way such forms look.

Used by `perfscore demo` (the bundled example workbooks) and by the tests (published figures).

`build_example_001(path)` writes the Jiangsu 2022 project form as published (typed scores, no formulas): title,
year, 填报单位/项目名称 as "label：value" cells, a two-row merged header with 评价要点及评分规则 between 分值 and
实际完成值, first/second-level names merged down their blocks, 总计 100 / 98.5 and 绩效等级 优.
`build_example_004(path)` writes the Nanjing 2024 department table (指标说明/评价要点/分值/自评分, group weights in
the first/second-level names, 加减分项 with a blank weight, 合计 100 / 98.5).
The PDF text lost merged first-level cells on four rows of 001 (成本指标 and the last two 满意度 rows); they are
restored here to their columns, which the published sums confirm (Σ分值 = 100, Σ得分 = 98.5).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import openpyxl
from openpyxl.styles import Alignment, Border, Font, Side


class Row001(NamedTuple):
    level1: str | None
    level2: str | None
    level3: str | None
    target: str | None  # 全年指标值
    weight: float | None  # 分值
    rule_text: str | None  # 评价要点及评分规则
    actual: str | None  # 实际完成值
    score: float | None  # 得分


class Row004(NamedTuple):
    level1: str | None
    level2: str | None
    level3: str
    note: str | None  # 指标说明
    rule_text: str | None  # 评价要点
    weight: float | None  # 分值
    score: float | None  # 自评分


EXAMPLE_001_ROWS: tuple[Row001, ...] = (
    Row001('决策', '项目立项', '立项依据充分性', '充分', 2.0, '评价要点：①项目立项是否符合国家法律法规、国民经济发展规划和相关政策；②项目立项是否符合行业发展规划和政策要求；③项目立项是否与部门职责范围相符，属于部门履职所需；④项目是否属于公共财政支持范围，是否符合中央、地方事权支出责任划分原则；⑤项目是否与相关部门同类项目或部门内部相关项目重复。评分规则：以上评价要点各占20%权重，每个要点执行情况分达成、部分达成、未达成三档，按100%-80%（含）、80%-60%（含）、60%-0%评分。', '达成预期目标', 2.0),
    Row001(None, None, '立项程序规范性', '规范', 2.0, '评价要点：①项目是否按照规定的程序申请设立；②审批文件、材料是否符合相关要求；③事前是否已经过必要的可行性研究、专家论证、风险评估、绩效评估、集体决策。评分规则：以上评价要点各占1/3权重，每个要点执行情况分达成、部分达成、未达成三档，按100%-80%（含）、80%-60%（含）、60%-0%评分。', '达成预期目标', 2.0),
    Row001(None, '绩效目标', '绩效指标明确性', '明确', 2.0, '“评价要点：①是否将项目绩效目标细化分解为具体的绩效指标；②是否通过清晰、可衡量的指标值予以体现；③是否与项目目标任务数或计划数相对应。评分规则：以上评价要点各占1/3权重，每个要点执行情况分达成、部分达成、未达成三档，按100%-80%（含）、80%-60%（含）、60%-0%评分。”', '达成预期目标', 2.0),
    Row001(None, None, '绩效目标合理性', '合理', 2.0, '评价要点：（如未设定预算绩效目标，也可考核其他工作任务目标）①项目是否有绩效目标；②项目绩效目标与实际工作内容是否具有相关性；③项目预期产出效益和效果是否符合正常的业绩水平；④是否与预算确定的项目投资额或资金量相匹配。评分规则：以上评价要点各占25%权重，每个要点执行情况分达成、部分达成、未达成三档，按100%-80%（含）、80%-60%（含）、60%-0%评分。', '达成预期目标', 2.0),
    Row001(None, '资金投入', '资金分配合理性', '合理', 2.0, '评价要点：①预算资金分配依据是否充分；②资金分配额度是否合理，与项目单位或地方实际是否相适应。评分规则：以上评价要点各占50%权重，每个要点执行情况分达成、部分达成、未达成三档，按100%-80%（含）、80%-60%（含）、60%-0%评分。', '达成预期目标', 2.0),
    Row001(None, None, '预算编制科学性', '科学', 2.0, '评价要点：①预算编制是否经过科学论证；②预算内容与项目内容是否匹配；③预算额度测算依据是否充分，是否按照标准编制；④预算确定的项目投资额或资金量是否与工作任务相匹配。评分规则：以上评价要点各占25%权重，每个要点执行情况分达成、部分达成、未达成三档，按100%-80%（含）、80%-60%（含）、60%-0%评分。', '达成预期目标', 2.0),
    Row001('过程', '资金管理', '预算执行率', '按照招标决定%', 3.0, '预算执行率=（实际支出资金/实际到位资金）×100%。实际支出资金：一定时期（本年度或项目期）内项目实际拨付的资金。评分规则：得分=资金到位率×分值。', '部分达成并具有一定效果', 1.5),
    Row001(None, None, '资金到位率', '100%', 3.0, '资金到位率=（实际到位资金/预算资金）×100%。实际到位资金：一定时期（本年度或项目期）内落实到具体项目的资金。预算资金：一定时期（本年度或项目期）内预算安排到具体项目的资金。评分规则：得分=资金到位率×分值。', '达成预期目标', 3.0),
    Row001(None, None, '资金使用合规性', '合规', 4.0, '评价要点：①是否符合国家财经法规和财务管理制度以及有关专项资金管理办法的规定；②资金的拨付是否有完整的审批程序和手续；③是否符合项目预算批复或合同规定的用途；④是否存在截留、挤占、挪用、虚列支出等情况。评分规则：以上评价要点各占25%权重，每个要点执行情况分达成、部分达成、未达成三档，按100%-80%（含）、80%-60%（含）、60%-0%评分。', '达成预期目标', 4.0),
    Row001(None, '组织实施', '制度执行有效性', '有效', 6.0, '评价要点：①项目是否制定合理的实施计划，实施过程中是否遵守相关法律法规和相关管理规定，并按照规定程序实施项目，进度是否符合计划；②项目调整及支出调整手续是否完备，资产管理是否规范，是否开展监督检查、绩效监控和评价；③项目合同书、验收报告、技术鉴定、监督检查、绩效管理资料是否齐全并及时归档；④项目实施的组织机构、人员条件、场地设备、信息支撑等是否落实到位；评分规则：以上评价要点各占25%权重，每个要点执行情况分达成、部分达成、未达成三档，按100%-80%（含）、80%-60%（含）、60%-0%评分。', '达成预期目标', 6.0),
    Row001(None, None, '管理制度健全性', '健全', 2.0, '评价要点：①是否已制定或具有相应的财务和业务管理等制度；②财务和业务管理等制度是否合法、合规、完整。评分规则：以上评价要点各占50%权重，每个要点执行情况分达成、部分达成、未达成三档，按100%-80%（含）、80%-60%（含）、60%-0%评分。', '达成预期目标', 2.0),
    Row001('产出', '数量指标', '保障全省13个设区市政务服务子站点稳定运行', '正常', 3.0, None, '达成预期目标', 3.0),
    Row001(None, None, '保障23个省级部门旗舰店的稳定运行', '正常', 2.0, None, '达成预期目标', 2.0),
    Row001(None, '质量指标', '支撑厅局接入应用稳定运行', '正常', 2.0, None, '达成预期目标', 2.0),
    Row001(None, None, '全省视频会议系统省级平台安全测评', '完成', 2.0, None, '达成预期目标', 2.0),
    Row001(None, None, '全省视频会议系统省级平台全年稳定运行', '正常', 2.0, None, '达成预期目标', 2.0),
    Row001(None, None, '省级AK数据中心安全测评', '完成', 3.0, None, '达成预期目标', 3.0),
    Row001(None, None, '江苏省政务服务网（移动端）全年稳定运行', '正常', 3.0, None, '达成预期目标', 3.0),
    Row001(None, '时效指标', '全省视频会议系统省级平台运行维护时效性', '及时', 3.0, None, '达成预期目标', 3.0),
    Row001(None, None, '安全保障及时性', '及时', 2.0, None, '达成预期目标', 2.0),
    Row001(None, None, '运行维护时效性', '及时', 2.0, None, '达成预期目标', 2.0),
    Row001(None, '成本指标', '集约化建设，节省财政支出', '正常', 3.0, None, '达成预期目标', 3.0),
    Row001(None, None, '统一运维，节省运维成本', '正常', 3.0, None, '达成预期目标', 3.0),
    Row001('效益', '经济效益', '为一体化政务服务平台、“互联网+监管”提供统一网络与基础支撑，提升整体运行效能', '满足', 10.0, None, '达成预期目标', 10.0),
    Row001(None, '社会效益', '实现全国一体化在线政务服务平台整体效益发挥', '满足', 10.0, None, '达成预期目标', 10.0),
    Row001(None, None, '为数字政府高效运行赋能', '满足', 10.0, None, '达成预期目标', 10.0),
    Row001(None, '生态效益', None, None, None, None, None, None),
    Row001(None, '可持续影响', None, None, None, None, None, None),
    Row001('满意度', '服务对象满意度', '安全处置服务能力', '及时', 2.0, None, '达成预期目标', 2.0),
    Row001(None, None, '故障处理及时性', '及时', 2.0, None, '达成预期目标', 2.0),
    Row001(None, None, '全省视频会议系统省级平台用户满意度', '满意', 3.0, None, '达成预期目标', 3.0),
    Row001(None, None, '网络运行保障服务能力', '正常', 3.0, None, '达成预期目标', 3.0),
)

EXAMPLE_001 = {
    "title": "省级项目支出绩效自我评价表",
    "year": 2022,
    "reporting_unit": "江苏省政务服务管理办公室（机关）",
    "project_name": "政务服务信息系统建设维护和迭代升级",
    "overview": "主要用于江苏政务服务平台迭代升级改造和运维、“互联网+监管”系统运维、省级政府一体化政务服务能力运行监测服务、"
                "江苏一体化政务服务平台和省“互联网+监管”系统安全服务及网络攻防演练等。",
    "rows": EXAMPLE_001_ROWS,
    "total_weight": 100.0,
    "total": 98.5,
    "grade": "优",
}

_R4 = Row004
EXAMPLE_004_ROWS: tuple[Row004, ...] = (
    _R4("部门决策 (15分)", "决策机制 (4分)", "决策制度的规范性", "单位决策机制、议事规则是否合理清晰", "部门决策机制、议事规则合理清晰的得2分,否则不得分", 2, 2),
    _R4(None, None, "决策流程的科学性", "决策程序是否科学合理", "决策程序科学合理的得2分, 否则不得分", 2, 2),
    _R4(None, "中长期规划(4分)", "中长期规划明确性", "单位中长期规划是否围绕市委市政府的中心工作要求,是否清晰、目标明确、具有可实现性", "单位中长期规划围绕市委市政府的中心工作要求,并且清晰、目标明确、具有可实现性得2分,否则不得分", 2, 2),
    _R4(None, None, "中长期规划与部门职能的匹配性", "中长期规划是否和部门三定职责紧密结合", "中长期规划和部门三定职责紧密结合得2分,否则不得分", 2, 2),
    _R4(None, "年度工作计划 (4分)", "年度工作计划明确性", "年度工作计划是否围绕市委市政府的中心工作要求,是否清晰、目标明确、具有可实现性", "年度工作计划围绕市委市政府的中心工作要求,并且清晰、目标明确、具有可实现性得2分,否则不得分", 2, 2),
    _R4(None, None, "年度工作计划与部门职能的匹配性", "年度工作计划是否和部门三定职责紧密结合", "年度工作计划和部门三定职责紧密结合的得2分,否则不得分", 2, 2),
    _R4(None, "部门预算编制 (3分)", "预算编制科学规范", "年末预算执行率是否合理", "年度预算执行率大于90%的得2分,小于90%得1分", 2, 1),
    _R4(None, None, "预算编制与重点工作任务的匹配性", "部门预算与部门年度重点工作任务紧密结合", "部门项目预算紧紧围绕保障部门重点工作任务的得1分", 1, 1),
    _R4("部门管理 (20 分)", "预算执行 (4分)", "部门预算执行率", "部门预算执行百分比", "年末预算执行率达到财政考核要求的得1分", 1, 0.5),
    _R4(None, None, "专项资金执行率", "部门专项资金执行百分比", "年末预算执行率达到财政考核要求的得1分", 1, 0.5),
    _R4(None, None, "“三公”经费控制率", "“三公”经费使用超支扣分,若不超支则不扣分", "“三公”经费使用超支扣分,若不超支则不扣分", 1, 1),
    _R4(None, None, "预决算信息公开情况", "预决算是否在“双平台”进行公开,内容和时间是否符合要求", "预决算公开的时效和质量符合市财政要求的得1分", 1, 1),
    _R4(None, "收支管理 (2分)", "收支管理制度健全性", "是否结合财政要求和单位实际制定收支管理制度", "结合财政要求和单位实际制定收支管理制度的得1分", 1, 1),
    _R4(None, None, "收支管理是否按制度执行", "是否按照制度开展单位收支管理有关工作", "按照制度开展单位收支管理有关工作的得1分", 1, 1),
    _R4(None, "资产管理 (2分)", "资产管理制度健全性", "是否结合财政要求和单位实际制定资产管理制度", "结合财政要求和单位实际制定资产管理制度的得1分", 1, 1),
    _R4(None, None, "资产管理是否按制度执行", "是否按照制度开展单位资产管理有关工作", "按照制度开展单位资产管理有关工作的得1分", 1, 1),
    _R4(None, "政府采购管理(2分)", "政府采购管理制度健全性", "是否按照财政要求和单位实际制定政府采购管理制度", "按照财政要求和单位实际制定政府采购管理制度的得1分", 1, 1),
    _R4(None, None, "政府采购管理是否按制度执行", "是否按照制度开展单位政府采购有关工作", "按照制度开展单位政府采购有关工作的得1分", 1, 1),
    _R4(None, "内部控制管理(7分)", "内部控制建设情况", "是否结合市级行政事业单位内控建设工作要求及单位实际开展单位内部控制建设", "有内部控制制度落实在手册等文本上的得3分", 3, 3),
    _R4(None, None, "内部控制执行情况", "内控建设完成后,是否按照内控手册开展内控有关工作", "按照内控手册开展内控有关工作的得2分", 2, 2),
    _R4(None, None, "内部控制监督评价", "是否按照财政要求对内部控制工作开展内部监督与评价,确保内控工作落在实处", "按照内控要求,开展内控评价的得2分", 2, 2),
    _R4(None, "预算绩效管理 (3分)", "组织管理情况", "主要包含制度建设、职能配置", "建立预算绩效管理制度,配备人员开展绩效管理工作的得1分", 1, 1),
    _R4(None, None, "工作开展情况", "包含事前评估、目标管理、跟踪评价、自评价和整改落实", "组织实施事前评估、目标管理、跟踪评价、自评价和整改落实的得1分", 1, 0.5),
    _R4(None, None, "绩效信息公开", "绩效信息是否按照规定的内容和时限在“双平台”进行公开", "按照规定的内容和时限在“双平台”进行公开的得1分", 1, 1),
    _R4("部门履职 (40分)", "重点工作完成情况 (40分)", "党建工作", "党建工作是否抓实党员干部教育管理,以一流党建支撑引领一流政务服务,并取得良好质效", "党建工作抓实党员干部教育管理,以一流党建支撑引领一流政务服务,并取得良好质效得4分", 4, 4),
    _R4(None, None, "综合管理全市政务服务", "是否以“三融五跨”为着力点和突破点,提升跨层级、跨地域、跨系统、跨部门、跨业务的协同管理和服务水平,并取得良好质效", "以“三融五跨”为着力点和突破点,提升跨层级、跨地域、跨系统、跨部门、跨业务的协同管理和服务水平,并取得良好质效得4分", 4, 4),
    _R4(None, None, "统筹协调和组织实施全市“放管服”改革工作", "是否持续加大“放管服”改革力度,推进政府职能转变,优化营商环境,并取得良好质效", "持续加大“放管服”改革力度,推进政府职能转变,优化营商环境,并取得良好质效得4分", 4, 4),
    _R4(None, None, "集中受理办理市级行政审批服务事项", "是否统筹线上线下政务服务资源,逐步实现线上线下无差别受理、同标准办理、同质量服务,并取得良好质效", "统筹线上线下政务服务资源,逐步实现线上线下无差别受理、同标准办理、同质量服务,并取得良好质效得4分", 4, 4),
    _R4(None, None, "统筹推进全市网上政务服务能力建设", "是否整合各类政务服务资源,深入推进“网络通、系统通、数据通、业务通、制度通”一体化“五通”建设,并取得良好质效", "整合各类政务服务资源,深入推进“网络通、系统通、数据通、业务通、制度通”一体化“五通”建设,并取得良好质效得4分", 4, 4),
    _R4(None, None, "归集应用全市政务数据", "……共享、统一电子证照等方面公共支……（原文此格不全）", "持续强化统一身份认证、统一数据共享、统一电子证照等方面公共支撑能力,夯实南京政务服务“一网通办”发展根基,并取得良好质效得4分", 5, 5),
    _R4(None, None, "管理监督全市公共资源交易管理", None, "持续深化公共资源交易平台整合共享,优化交易市场营商环境,并取得良好质效得4分", 5, 5),
    _R4(None, None, "管理协调督办“12345”政务热线工作", None, "聚焦“诉来速办”,切实推进企业群众诉求解决,提升政务热线服务水平,并取得良好质效得4分", 5, 5),
    _R4(None, None, "组织协调督办全市重大项目代办服务工作", None, "突出重大项目服务,不断提升服务成效,完善帮办代办服务渠道,并取得良好质效得4分", 5, 5),
    _R4("履职绩效 (20分)", "社会效益 (10分)", "在高水平全面建设小康社会,推动高质量发展,优化营商环境中发挥的作用", None, "在高水平全面建设小康社会,推动高质量发展,优化营商环境中发挥了应有的作用得满分", 10, 10),
    _R4(None, "满意度 (10分)", "服务对象、管理对象对部门工作的满意度", "包含服务对象、管理对象等", "服务对象、管理对象的满意度超过90%得满分", 10, 10),
    _R4("可持续发展能力(5分)", "信息化建设情况 (3 分)", "建设“宁企通”惠企综合服务平台", "建设“宁企通”惠企综合服务平台是否按照年初工作目标有序推进,并取得良好质效", "建设“宁企通”惠企综合服务平台按照年初工作目标有序推进,并取得良好质效得1分", 1, 1),
    _R4(None, None, "建设“宁满意”工程系统", "建设“宁满意”工程系统是否按照年初工作目标有序推进,并取得良好质效", "建设“宁满意”工程系统按照年初工作目标有序推进,并取得良好质效得1分", 1, 1),
    _R4(None, None, "建设政务服务平台统一电子印章系统", "建设政务服务平台统一电子印章系统是否按照年初工作目标有序推进,并取得良好质效", "建设政务服务平台统一电子印章系统按照年初工作目标有序推进,并取得良好质效得1分", 1, 1),
    _R4(None, "部门创新情况 (2分)", "工作制度创新、方法创新", "包含制度创新、方法创新等", "创新案例被官方媒体报道的得2分", 2, 2),
    _R4("加减分项 (≤5分)", "加分项", "受嘉奖情况", "部门受到国务院、省级、市级嘉奖", "受到国务院嘉奖加3分,受到省级嘉奖加2分,得到市级考核一等奖加1分,得到市级考核二等奖加0.5分;同一项目工作不累计加分", None, 1),
    _R4(None, "减分项", "部门或工作人员违法违纪情况", "部门或工作人员违法违纪", "酌情扣分", None, None),
)

EXAMPLE_004 = {
    "title": "2024年度南京市数据局整体预算绩效自评价指标体系得分情况",
    "year": 2024,
    "department": "南京市数据局",
    "rows": EXAMPLE_004_ROWS,
    "total_weight": 100.0,
    "total": 98.5,
    "report_total": 97.5,  # the report text says 97.5: the published inconsistency checks must find
    "level1_declared": {"部门决策": (15, 14), "部门管理": (20, 18.5), "部门履职": (40, 40), "履职绩效": (20, 20),
                        "可持续发展能力": (5, 5), "加减分项": (5, 1)},
}


# -- writing them as workbooks ---------------------------------------------------------------------------------

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")


def _merge_blocks(ws, col: int, first_row: int, values: list[str | None]) -> None:
    """Merge each run that starts with a value and continues over None cells (the published look)."""
    start = None
    for i, v in enumerate(values + ["<end>"]):
        if v is not None:
            if start is not None and i - 1 > start:
                ws.merge_cells(start_row=first_row + start, start_column=col, end_row=first_row + i - 1, end_column=col)
            start = i


def _box(ws, r1: int, c1: int, r2: int, c2: int) -> None:
    for row in ws.iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2):
        for cell in row:
            cell.border = _BORDER
            cell.alignment = _WRAP


def _write_rows(ws, first: int, rows, values) -> int:
    """Write one table row per transcribed row (values(row) gives its cells from column A), merge the
    first/second-level blocks as published, and return the row after the table (the total row)."""
    for i, row in enumerate(rows):
        for c, v in enumerate(values(row), start=1):
            if v is not None:
                ws.cell(first + i, c, v)
    _merge_blocks(ws, 1, first, [r.level1 for r in rows])
    _merge_blocks(ws, 2, first, [r.level2 for r in rows])
    return first + len(rows)


def build_example_001(path: str | Path, *, sheet_title: str = "自评表", scores: bool = True) -> Path:
    """Write examples/001 as published. scores=False leaves 得分/总计 blank (a form to apply formulas to)."""
    ex = EXAMPLE_001
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet_title
    ws["A1"] = ex["title"]
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    ws.merge_cells("A1:H1")
    ws["A2"] = f"{ex['year']}年度"
    ws.merge_cells("A2:H2")
    ws["A3"] = f"填报单位：{ex['reporting_unit']}"
    ws.merge_cells("A3:H3")
    ws["A4"] = f"项目名称：{ex['project_name']}"
    ws.merge_cells("A4:H4")
    ws["A5"] = "项目概况"
    ws.merge_cells("A5:C5")
    ws["D5"] = ex["overview"]
    ws.merge_cells("D5:H5")
    ws["A6"] = "评价指标"
    ws.merge_cells("A6:C6")
    for col, label in zip("DEFGH", ("全年指标值", "分值", "评价要点及评分规则", "实际完成值", "得分")):
        ws[f"{col}6"] = label
        ws.merge_cells(f"{col}6:{col}7")
    ws["A7"], ws["B7"], ws["C7"] = "一级指标", "二级指标", "三级指标"
    first = 8
    rows = ex["rows"]
    total_row = _write_rows(ws, first, rows, lambda row: (
        row.level1, row.level2, row.level3, row.target, row.weight, row.rule_text, row.actual,
        row.score if scores else None))
    ws.cell(total_row, 1, "总计")
    ws.merge_cells(start_row=total_row, start_column=1, end_row=total_row, end_column=4)
    ws.cell(total_row, 5, ex["total_weight"])
    if scores:
        ws.cell(total_row, 8, ex["total"])
    ws.cell(total_row + 1, 1, "绩效等级")
    ws.merge_cells(start_row=total_row + 1, start_column=1, end_row=total_row + 1, end_column=3)
    if scores:
        ws.cell(total_row + 1, 4, ex["grade"])
    ws.merge_cells(start_row=total_row + 1, start_column=4, end_row=total_row + 1, end_column=8)
    for k, (label, text) in enumerate((("主要成效", "通过自评发现，项目实施取得预期绩效。"), ("存在问题", "无。"),
                                       ("整改措施", "无。"))):
        r = total_row + 2 + k
        ws.cell(r, 1, label)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
        ws.cell(r, 4, text)
        ws.merge_cells(start_row=r, start_column=4, end_row=r, end_column=8)
    _box(ws, 5, 1, total_row + 4, 8)
    for col, width in zip("ABCDEFGH", (8, 12, 28, 12, 6, 50, 16, 6)):
        ws.column_dimensions[col].width = width
    out = Path(path)
    wb.save(out)
    return out


EXAMPLE_001_LAYOUT = {"first_row": 8, "score_col": 8, "weight_col": 5, "total_row": 8 + len(EXAMPLE_001_ROWS)}


def build_example_004(path: str | Path, *, sheet_title: str = "附件1", scores: bool = True) -> Path:
    """Write the examples/004 table (附件1) as published. scores=False leaves 自评分/合计 blank."""
    ex = EXAMPLE_004
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet_title
    ws["A1"] = ex["title"]
    ws["A1"].font = Font(name="宋体", size=14, bold=True)
    ws.merge_cells("A1:G1")
    for c, label in enumerate(("一级指标", "二级指标", "三级指标", "指标说明", "评价要点", "分值", "自评分"), start=1):
        ws.cell(2, c, label)
    first = 3
    rows = ex["rows"]
    total_row = _write_rows(ws, first, rows, lambda row: (
        row.level1, row.level2, row.level3, row.note, row.rule_text, row.weight, row.score if scores else None))
    ws.cell(total_row, 1, "合 计")
    ws.merge_cells(start_row=total_row, start_column=1, end_row=total_row, end_column=5)
    ws.cell(total_row, 6, ex["total_weight"])
    if scores:
        ws.cell(total_row, 7, ex["total"])
    _box(ws, 2, 1, total_row, 7)
    for col, width in zip("ABCDEFG", (12, 14, 26, 30, 36, 6, 7)):
        ws.column_dimensions[col].width = width
    out = Path(path)
    wb.save(out)
    return out


EXAMPLE_004_LAYOUT = {"first_row": 3, "score_col": 7, "weight_col": 6, "total_row": 3 + len(EXAMPLE_004_ROWS)}


# -- the central layout of DOMAIN.md §1 (财预〔2020〕10号 annex), filled with published example numbers ----------

class RowCentral(NamedTuple):
    level1: str | None
    level2: str | None
    level3: str
    nature: str | None  # 指标性质
    operator: str | None  # 指标方向
    target: object  # 年度指标值
    actual: object  # 实际完成值
    unit: str | None  # 计量单位
    weight: float  # 分值
    score: float  # 得分 (what the rules give; DOMAIN.md §2 evidence numbers)
    reason: str | None = None  # 偏差原因分析及改进措施


_RC = RowCentral
CENTRAL_ROWS: tuple[RowCentral, ...] = (
    _RC("产出指标", "数量指标", "培训人次", "正向", "≥", 19, 17, "人次", 2, 1.79, "部分学员因疫情未能参训"),
    _RC(None, None, "新增数据条数", "正向", "≥", 242, 189, "万条", 2, 1.56, "数据源接入延后"),
    _RC(None, None, "归集数据量", "正向", "≥", "2900条", "2910条", None, 6, 6),
    _RC(None, "质量指标", "验收合格率", "正向", "=", "100%", "80%", "%", 3, 2.4, "两个标段整改后复验"),
    _RC(None, None, "系统可用率", "正向", "≥", "98%", "99.5%", "%", 10, 10),
    _RC(None, None, "故障率", "反向", "≤", "5%", "3%", "%", 7, 7),
    _RC(None, "时效指标", "按时完成率", "正向", "≥", "95%", "100%", "%", 10, 10),
    _RC(None, "成本指标", "运维成本", "反向", "≤", 300, 280, "万元", 10, 10),
    _RC("效益指标", "社会效益指标", "政务服务保障能力", "定性", None, "有效保障", "有效保障", None, 6, 6),
    _RC(None, None, "群众办事便利度", "定性", None, "明显提升", "部分达成预期目标并具有一定效果", None, 6, 4.2, "部分事项仍需线下办理"),
    _RC(None, "经济效益指标", "节约财政支出", "正向", "≥", 50, 60, "万元", 8, 8),
    _RC(None, "可持续影响指标", "长效运维机制", "定性", None, "健全", "健全", None, 10, 10),
    _RC("满意度指标", "服务对象满意度指标", "用户满意度", "正向", "≥", "90%", "95%", "%", 10, 10),
)

CENTRAL = {
    "title": "项目支出绩效自评表",
    "year": 2023,
    "project_name": "政务数据共享平台运维",
    "department": "某市数据局",
    "implementer": "某市大数据中心",
    # (label, 年初预算数, 全年预算数, 全年执行数, 分值, 执行率, 得分); None = a cell the form leaves blank
    "funds": (
        ("年度资金总额", 3000, 3000, 932.92, 10, 0.311, 3.11),
        ("其中：当年财政拨款", 3000, 3000, 932.92, None, 0.311, None),
        ("上年结转资金", 0, 0, 0, None, None, None),
        ("其他资金", 0, 0, 0, None, None, None),
    ),
    "goal": ("完成平台运维与数据归集", "平台稳定运行，数据归集完成率 78%"),
    "rows": CENTRAL_ROWS,
    "total_weight": 100,
    "total": 90.06,  # 3.11 + 48.75 + 28.2 + 10
    "grade": "优",
}

CENTRAL_COLUMNS = ("一级指标", "二级指标", "三级指标", "指标性质", "指标方向", "年度指标值（A）", "实际完成值（B）",
                   "计量单位", "分值", "得分", "偏差原因分析及改进措施")


def build_central(path: str | Path, *, sheet_title: str = "项目支出绩效自评表", scores: bool = True) -> Path:
    """Write the central layout (DOMAIN.md §1) with CENTRAL's numbers: header facts, 项目资金 block with the
    execution-rate score, 年度总体目标, an 11-column indicator table, 总分 and 评价等级 rows."""
    ex = CENTRAL
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet_title
    ws["A1"] = ex["title"]
    ws.merge_cells("A1:K1")
    ws["A2"] = f"（{ex['year']}年度）"
    ws.merge_cells("A2:K2")
    ws["A3"] = "项目名称"
    ws.merge_cells("A3:B3")
    ws["C3"] = ex["project_name"]
    ws.merge_cells("C3:K3")
    ws["A4"], ws["C4"], ws["G4"], ws["I4"] = "主管部门", ex["department"], "实施单位", ex["implementer"]
    ws.merge_cells("A4:B4")
    ws.merge_cells("C4:F4")
    ws.merge_cells("G4:H4")
    ws.merge_cells("I4:K4")
    ws["A5"] = "项目资金（万元）"
    ws.merge_cells("A5:B9")
    for col, label in zip("EFGHIJ", ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")):
        ws[f"{col}5"] = label
    for i, (label, *vals) in enumerate(ex["funds"]):
        r = 6 + i
        ws.cell(r, 3, label)
        ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=4)
        for c, v in zip(range(5, 11), vals):
            if v is not None and (scores or c != 10):
                ws.cell(r, c, v)
        ws.cell(r, 9).number_format = "0.00%"
    ws["A10"], ws["C10"], ws["H10"] = "年度总体目标", "预期目标", "实际完成情况"
    ws.merge_cells("A10:B11")
    ws.merge_cells("C10:G10")
    ws.merge_cells("H10:K10")
    ws["C11"], ws["H11"] = ex["goal"]
    ws.merge_cells("C11:G11")
    ws.merge_cells("H11:K11")
    for c, label in enumerate(CENTRAL_COLUMNS, start=1):
        ws.cell(12, c, label)
    first = 13
    rows = ex["rows"]
    total_row = _write_rows(ws, first, rows, lambda row: (
        row.level1, row.level2, row.level3, row.nature, row.operator, row.target, row.actual, row.unit,
        row.weight, row.score if scores else None, row.reason))
    ws.cell(total_row, 1, "总分")
    ws.merge_cells(start_row=total_row, start_column=1, end_row=total_row, end_column=8)
    ws.cell(total_row, 9, ex["total_weight"])
    if scores:
        ws.cell(total_row, 10, ex["total"])
    ws.cell(total_row + 1, 1, "评价等级")
    ws.merge_cells(start_row=total_row + 1, start_column=1, end_row=total_row + 1, end_column=8)
    if scores:
        ws.cell(total_row + 1, 9, ex["grade"])
    ws.merge_cells(start_row=total_row + 1, start_column=9, end_row=total_row + 1, end_column=11)
    _box(ws, 3, 1, total_row + 1, 11)
    out = Path(path)
    wb.save(out)
    return out


CENTRAL_LAYOUT = {"first_row": 13, "score_col": 10, "weight_col": 9, "total_row": 13 + len(CENTRAL_ROWS),
                  "exec_score": "J6"}
