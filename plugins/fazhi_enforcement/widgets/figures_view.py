"""The period's figures beside the previous period's: 整治行动 by 行动类型, 出动人次, cases by 处理方式
and 状态, 罚款. Values come from the store as numbers and labels from the code tables; all of it is
put into Rich ``Text``/``Table`` objects, never into markup."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from ..figures import Comparison, figure_rows


class FiguresView(Static):
    DEFAULT_CSS = "FiguresView { height: auto; }"

    def show_comparison(self, comparison: Comparison, grid_label: str, types: tuple[str, ...]) -> None:
        current = figure_rows(comparison.current, types)
        previous = dict(figure_rows(comparison.previous, types))
        prev_label = comparison.previous.period.label if comparison.previous is not None else "上期"
        table = Table(box=None, pad_edge=False, padding=(0, 1), show_edge=False, header_style="bold")
        table.add_column("指标", no_wrap=True)
        table.add_column(comparison.period.label, justify="right", no_wrap=True)
        table.add_column(prev_label, justify="right", no_wrap=True)
        for label, value in current:
            style = "" if label.startswith("　") else "bold"
            missing = "0" if comparison.previous is not None else "—"  # a type or state the previous period lacks
            table.add_row(Text(label, style=style), value, previous.get(label, missing) if value else "")
        title = Text(f"{comparison.period.label} · {grid_label}", style="bold")
        title.append(f"　与{prev_label}比较", style="dim")
        self.update(Group(title, table))
