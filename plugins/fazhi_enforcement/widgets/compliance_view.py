"""三项制度 compliance rates for the period, the previous period beside, and how many cases fail
each (the key that lists them is named under the table)."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from ..figures import COMPLIANCE, Comparison


class ComplianceView(Static):
    DEFAULT_CSS = "ComplianceView { height: auto; }"

    def show_comparison(self, comparison: Comparison, key_hint: str) -> None:
        cur = comparison.current.compliance
        prev = comparison.previous.compliance if comparison.previous is not None else {}
        table = Table(box=None, pad_edge=False, padding=(0, 1), show_edge=False, header_style="bold")
        table.add_column("三项制度", no_wrap=True)
        table.add_column("本期", justify="right", no_wrap=True)
        table.add_column("上期", justify="right", no_wrap=True)
        table.add_column("未落实", justify="right", no_wrap=True)
        for key, label, _num, _den in COMPLIANCE:
            rate = cur[key]
            failing = Text(f"{rate.failing}宗", style="bold red" if rate.failing else "")
            before = prev.get(key)
            table.add_row(label, f"{rate.text()}（{rate.num}/{rate.den}）", before.text() if before else "—", failing)
        note = Text(f"按 {key_hint} 查看未落实的案件（再按切换下一项）", style="dim")
        self.update(Group(table, note))
