"""`perfscore demo`: the main job on the bundled example workbooks (the published forms of shared/examples)."""

from __future__ import annotations

import typer
from rich.console import Console

from perfscore.rules import assess_indicator, grade, total_score
from perfscore.samples import EXAMPLE_001, EXAMPLE_004

console = Console()


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo() -> None:
        """在自带示例（已公开的真实自评表）上运行规则，列出发现的问题。"""
        for form in (EXAMPLE_001, EXAMPLE_004):
            console.rule(form["title"])
            total = total_score([r.score for r in form["rows"] if r.score is not None])
            console.print(f"逐项加总 {total:g}，公布总分 {form['total']:g}，等级 {grade(total)}")
            if form.get("report_total") not in (None, total):
                console.print(f"[red]散总不符[/red]：报告正文写 {form['report_total']:g} 分，表内合计 {total:g} 分")
        for r in EXAMPLE_001["rows"]:
            if r.weight is not None:
                a = assess_indicator("定性", "", r.target, r.actual, r.weight)
                if a.score != r.score:
                    console.print(f"[yellow]评分与规则不符[/yellow]：{r.level3} 申报 {r.score:g}，{a.rule_text}")
