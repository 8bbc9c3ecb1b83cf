"""`perfscore demo`: the main job on the bundled example workbooks (the published forms of shared/examples)."""

from __future__ import annotations

import typer
from rich.console import Console

from perfscore.rules import assess_indicator, grade, total_score
from perfscore.samples import published_forms

console = Console()


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo() -> None:
        """在自带示例（已公开的真实自评表）上运行规则，列出发现的问题。"""
        for name, form in published_forms().items():
            rows = form["rows"]
            console.rule(f"{form['title']}（{form.get('unit', '')}）")
            declared = [r[-1] for r in rows if r[-1] != ""]
            total = total_score(declared)
            console.print(f"{name}: 逐项加总 {total:g}，公布总分 {form['published_total']:g}，等级 {grade(total)}")
            if "report_text_total" in form and form["report_text_total"] != total:
                console.print(f"[red]散总不符[/red]：报告正文写 {form['report_text_total']:g} 分，表内合计 {total:g} 分")
            if name == "example_001":
                for r in rows:
                    a = assess_indicator("定性", "", r[3], r[6], r[4])
                    if a.score != r[7]:
                        console.print(f"[yellow]评分与规则不符[/yellow]：{r[2]} 申报 {r[7]:g}，{a.rule_text}")
