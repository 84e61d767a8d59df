"""The duty roster's screen: today's duty, then the shifts of the period in a record table."""

from __future__ import annotations

import pyarrow as pa
from textual.app import ComposeResult
from textual.widgets import Static

from fazhi_tui.api import Context, Panel, RecordTable

from . import queries


class DutyPanel(Panel):
    DEFAULT_CSS = """
    DutyPanel #duty-today { height: auto; margin-bottom: 1; }
    """

    def compose_body(self) -> ComposeResult:
        yield Static("", id="duty-today")
        yield RecordTable(empty_text="本期没有值班记录")

    def load(self, ctx: Context) -> tuple[str, pa.Table, int]:
        table, total = queries.shifts(ctx)
        return queries.on_duty_message(ctx), table, total

    async def show(self, data: tuple[str, pa.Table, int]) -> None:
        today, table, total = data
        self.query_one("#duty-today", Static).update(today)
        labels = {c.name: c.label for c in queries.DUTY_SHIFTS.columns}
        await self.query_one(RecordTable).show_arrow(table, labels, total=total)
