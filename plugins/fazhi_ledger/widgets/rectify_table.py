"""The open rectification items by 期限: overdue ones in red AND marked 【超期】 (legible without
colour). A township has tens of open items, so a plain DataTable of them is enough."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from rich.text import Text
from textual.widgets import DataTable

from ..lists import OPEN_COLUMNS, OPEN_LABELS, OVERDUE_MARK

OVERDUE_STYLE = "bold red"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return str(value)


class RectifyTable(DataTable):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.records: list[dict] = []

    def show_items(self, rows: pa.Table) -> None:
        keep = self.cursor_row
        self.clear(columns=True)
        for name in OPEN_COLUMNS:
            self.add_column(OPEN_LABELS[name], key=name)
        self.records = rows.to_pylist()
        for i, r in enumerate(self.records):
            style = OVERDUE_STYLE if r["flag"] == OVERDUE_MARK else ""
            self.add_row(*(Text(_cell(r[c]), style=style) for c in OPEN_COLUMNS), key=str(i))
        if self.records:
            self.move_cursor(row=min(keep, len(self.records) - 1))

    def highlighted_record(self) -> dict | None:
        if not self.records or self.cursor_row is None or self.cursor_row >= len(self.records):
            return None
        return self.records[self.cursor_row]
