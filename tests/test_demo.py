"""`./dev demo` = `perfscore demo`: the main job on the bundled example workbooks, end to end."""

import pandas as pd
from typer.testing import CliRunner

from perfscore.cli.main import app


def test_demo_checks_and_recalculates_the_bundled_examples(tmp_path):
    result = CliRunner().invoke(app, ["demo", "-o", str(tmp_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.output
    # the published inconsistencies and the planted typical mistakes are reported at their cells
    assert "自评表!F14  RULE_TEXT_MISMATCH" in out  # examples/001: 预算执行率 row says 资金到位率×分值
    assert "附件1!E32  RULE_TEXT_MISMATCH" in out  # examples/004: 得4分 on an item weighted 5
    assert "J13  SCORE_DIFFERS_FROM_RULE" in out and "J26  TOTAL_MISMATCH" in out and "I27  GRADE_MISMATCH" in out
    assert "FILE_UNREADABLE" in out and "check 退出码 1" in out
    summary = pd.read_excel(tmp_path / "重算结果" / "重算汇总.xlsx", sheet_name="表单汇总", engine="calamine")
    by_file = {name.split("/")[-1]: row for name, row in zip(summary["文件"], summary.to_dict("records"))}
    assert by_file["001-江苏-政务服务信息系统-项目自评表.xlsx"]["重算总分"] == 98.5
    assert by_file["004-南京市数据局-部门整体自评表.xlsx"]["重算总分"] == 98.5
    applied = by_file["中央样式-项目自评表-评分公式.xlsx"]
    assert applied["重算总分"] == 90.06 and applied["重算等级"] == "优"
    assert isinstance(by_file["损坏的文件.xlsx"]["失败原因"], str)
    # inputs are never touched: the recalculated copies are separate files
    assert (tmp_path / "重算结果" / "中央样式-项目自评表-评分公式.xlsx").exists()
