"""The 网格 tab: every grid of the town (those without tickets too) with its counts."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from ..breakdowns import GRID_LABELS
from ..view import HotlineView

COUNTS = ("received", "closed", "overdue", "unsatisfied")


class GridsTab(Vertical):
    DEFAULT_CSS = """
    GridsTab #grids-title { height: auto; }
    GridsTab DataTable { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="grids-title", classes="breakdown-title")
        yield DataTable(id="grids", cursor_type="row", zebra_stripes=True)

    def show(self, view: HotlineView) -> None:
        table = self.query_one("#grids", DataTable)
        table.clear(columns=True)
        table.add_column("网格", key="grid_name")
        for key in COUNTS:
            table.add_column(Text(GRID_LABELS[key], justify="right"), key=key)
        for i, r in enumerate(view.grids.to_pylist()):
            table.add_row(Text(str(r["grid_name"])), *(Text(str(r[k]), justify="right") for k in COUNTS), key=str(i))
        self.query_one("#grids-title", Static).update(
            Text.assemble((f"{view.ctx.period.label} · {view.ctx.grid_label}", "bold"), "　按网格（含无工单的网格）")
        )
