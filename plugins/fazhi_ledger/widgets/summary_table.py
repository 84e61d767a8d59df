"""The ledger's figures as a table: one row per figure of each category, the period beside the
previous period, and the year's target with its progress where the config sets one."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from ..figures import Summary


def _n(value: int | None) -> Text:
    return Text("—" if value is None else str(value), justify="right")


def _target_text(row) -> Text:
    target = row.target
    if target is None:
        return Text("")
    shown = int(target) if float(target).is_integer() else target
    text = Text(f"{shown}")
    if row.year_to_date is not None:
        text.append(f" 已{row.year_to_date / target * 100:.0f}%", style="bold" if row.year_to_date >= target else "dim")
    return text


class SummaryTable(DataTable):
    """Rows keyed ``category/figure``; the highlighted row's category is ``selected_category``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.categories: list[str] = []

    def show(self, summary: Summary, width: int = 100) -> None:
        """``width``: the room the panel has; the name column takes what the numbers leave
        (CJK labels are cut with … rather than pushing the numbers off an 80-column screen)."""
        keep = self.cursor_row
        self.clear(columns=True)
        name_width = max(14, min(48, width - 40))
        self.add_column("类别 · 指标", key="figure", width=name_width)
        self.add_column(Text(summary.period.label, justify="right"), key="current")
        self.add_column(Text(summary.previous_period.label, justify="right"), key="previous")
        self.add_column("单位", key="unit")
        self.add_column("全年目标", key="target")
        self.categories = []
        for c in summary.categories:
            for i, f in enumerate(c.figures):
                self.categories.append(c.name)
                if i == 0:
                    name = Text(c.name, style="bold")
                    if f.figure.label != c.name:
                        name.append(f" {f.figure.label}", style="dim")
                else:
                    name = Text(f"　└ {f.figure.label}")
                name.truncate(name_width, overflow="ellipsis")
                self.add_row(
                    name,
                    _n(f.current),
                    _n(f.previous),
                    Text(f.figure.unit),
                    _target_text(f),
                    key=f"{c.name}/{f.figure.name}",
                )
        if self.categories:
            self.move_cursor(row=min(keep, len(self.categories) - 1))

    @property
    def selected_category(self) -> str | None:
        if not self.categories or self.cursor_row is None or self.cursor_row >= len(self.categories):
            return None
        return self.categories[self.cursor_row]
