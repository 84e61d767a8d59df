"""A table of records straight from an Arrow table, for lists too long for Textual's DataTable.

textual-fastdatatable renders only the rows on screen from the Arrow buffers, never a Python
list of every row. The caller still bounds its query (``LIMIT``): ``show_arrow`` says when the
rows shown are fewer than the rows that match.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_fastdatatable import ArrowBackend
from textual_fastdatatable import DataTable as FastDataTable

MAX_ROWS = 10_000  # what a panel should LIMIT its query to; more is never useful on a screen


class RecordTable(Vertical):
    DEFAULT_CSS = """
    RecordTable { height: 1fr; }
    RecordTable > #record-table-note { height: auto; color: $text-muted; }
    RecordTable > #record-table-note.-hidden { display: none; }
    RecordTable > #record-table-data { height: 1fr; }
    """

    def __init__(self, *, empty_text: str = "没有记录", id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.empty_text = empty_text
        self.table: FastDataTable | None = None
        self.data: pa.Table | None = None  # what ``show_arrow`` was last given

    def compose(self) -> ComposeResult:
        yield Static("", id="record-table-note", classes="-hidden")

    async def show_arrow(
        self, data: pa.Table, labels: Mapping[str, str] | None = None, *, total: int | None = None
    ) -> None:
        """Show ``data``, headed by ``labels`` (column name -> 中文名) where given; await it
        (from an ``async def show``) so the table is in place when the panel counts as shown.

        ``total``: how many records match in all, when ``data`` was cut off by a LIMIT.
        """
        labels = labels or {}
        self.data = data
        note = self.query_one("#record-table-note", Static)
        if data.num_rows == 0:
            note.update(self.empty_text)
        elif total is not None and total > data.num_rows:
            note.update(f"共 {total} 条，显示前 {data.num_rows} 条")
        else:
            note.update(f"共 {data.num_rows} 条")
        note.remove_class("-hidden")
        # The backend holds its data for good: a new result is a new table widget.
        if self.table is not None:
            await self.table.remove()
        self.table = FastDataTable(
            backend=ArrowBackend(data),
            column_labels=[labels.get(name, name) for name in data.column_names],
            cursor_type="row",
            show_row_labels=False,
            null_rep="",
            render_markup=False,
            id="record-table-data",
        )
        await self.mount(self.table)

    def selected_row(self) -> dict | None:
        """The row under the cursor, as ``{column name: value}`` of the table ``show_arrow`` was
        given (every column, shown or not); None when there are no rows."""
        if self.table is None or self.data is None or self.data.num_rows == 0:
            return None
        row = self.table.cursor_coordinate.row
        if not 0 <= row < self.data.num_rows:
            return None
        return self.data.slice(row, 1).to_pylist()[0]
