"""A list of records loaded a page at a time, for lists too long to fetch at once.

The first page comes with the panel's data; each further page is fetched in a thread worker when
the cursor comes near the end of what is loaded, by a function the page itself carries (a
keyset query: "the rows after this one"). Rows are drawn from Arrow buffers by
textual-fastdatatable, only those on screen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from rich.style import Style
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker, WorkerState
from textual_fastdatatable import ArrowBackend
from textual_fastdatatable import DataTable as FastDataTable


class _MarkedRows(FastDataTable):
    """The table with some rows in a colour of their own (an overdue item in red, say). The
    colour is never the only sign: the caller's ``style_column`` holds the word it stands for."""

    def __init__(self, *args, row_styles: list[Style | None], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.row_styles = row_styles

    # textual-fastdatatable offers no public per-row style; this is the method its renderer asks.
    def _get_row_style(self, row_index: int, base_style: Style) -> Style:
        style = super()._get_row_style(row_index, base_style)
        extra = self.row_styles[row_index] if 0 <= row_index < len(self.row_styles) else None
        return style + extra if extra is not None else style


@dataclass(frozen=True)
class TablePage:
    """Rows, and how to get the rows after them (``None`` at the end). ``more`` runs in a
    thread worker and returns the next ``TablePage``."""

    rows: pa.Table
    more: Callable[[], TablePage] | None = None


class PagedTable(Vertical):
    DEFAULT_CSS = """
    PagedTable { height: 1fr; }
    PagedTable > #paged-note { height: auto; color: $text-muted; }
    PagedTable > #paged-data { height: 1fr; }
    """

    class RowChosen(Message):
        """Enter (or a click) on a row: ``record`` is the row as a dict."""

        def __init__(self, table: PagedTable, index: int, record: dict) -> None:
            super().__init__()
            self.paged_table = table
            self.index = index
            self.record = record

        @property
        def control(self) -> PagedTable:
            return self.paged_table

    def __init__(
        self,
        *,
        empty_text: str = "没有记录",
        prefetch: int = 20,
        max_column_width: int | None = 40,
        style_column: str | None = None,
        row_styles: Mapping[str, str] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """``style_column`` and ``row_styles``: rows whose value in that column is a key of
        ``row_styles`` are drawn in its Rich style (``{"超期": "bold red"}``); the column itself
        should say in words what the colour means."""
        super().__init__(id=id, classes=classes)
        self.style_column = style_column
        self.row_styles = {k: Style.parse(v) for k, v in (row_styles or {}).items()}
        self.empty_text = empty_text
        self.prefetch = prefetch  # fetch more when the cursor is this close to the end
        self.max_column_width = max_column_width
        self.table: FastDataTable | None = None
        self.rows: pa.Table = pa.table({})
        self.labels: dict[str, str] = {}
        self.total: int | None = None
        self.note = ""
        self._more: Callable[[], TablePage] | None = None
        self._fetching: Worker | None = None
        self._generation = 0  # bumped by each new list; a fetch for an older one is dropped
        self._fetching_generation = 0
        self._fetch_error = ""
        self.pages = 0  # pages shown of the current list (the first, then each fetched one)

    def compose(self) -> ComposeResult:
        yield Static("", id="paged-note", markup=False)

    # -- showing -----------------------------------------------------------------------------
    async def show_page(
        self, page: TablePage, labels: Mapping[str, str] | None = None, *, total: int | None = None, note: str = ""
    ) -> None:
        """Show the first page (replacing what was shown). ``total``: how many rows match in
        all, when known; ``note``: a line to show above the count."""
        self._generation += 1
        self._fetching = None
        self._fetch_error = ""
        self.rows = page.rows
        self.labels = dict(labels or {})
        self.total = total
        self.note = note
        self._more = page.more
        self.pages = 1
        await self._replace_table(cursor_row=0)

    @property
    def loaded(self) -> int:
        return self.rows.num_rows

    @property
    def has_more(self) -> bool:
        return self._more is not None

    @property
    def cursor_row(self) -> int | None:
        if self.table is None or self.loaded == 0:
            return None
        return self.table.cursor_row

    def record_at(self, index: int) -> dict | None:
        if not 0 <= index < self.loaded:
            return None
        return self.rows.slice(index, 1).to_pylist()[0]

    def highlighted_record(self) -> dict | None:
        row = self.cursor_row
        return None if row is None else self.record_at(row)

    def load_more(self) -> bool:
        """Fetch the next page now (if there is one and no fetch is running)."""
        if self._more is None or (
            self._fetching is not None and self._fetching.state in (WorkerState.PENDING, WorkerState.RUNNING)
        ):
            return False
        self._fetching = self.run_worker(self._more, thread=True, exit_on_error=False, group="paged-table")
        self._fetching_generation = self._generation
        self._update_note()
        return True

    async def _replace_table(self, cursor_row: int) -> None:
        had_focus = self.table is not None and self.table.has_focus
        if self.table is not None:
            await self.table.remove()
            self.table = None
        self._update_note()
        if self.loaded == 0:
            return
        options: dict[str, Any] = dict(
            backend=ArrowBackend(self.rows),
            column_labels=[self.labels.get(name, name) for name in self.rows.column_names],
            cursor_type="row",
            show_row_labels=False,
            null_rep="",
            render_markup=False,
            max_column_content_width=self.max_column_width,
            id="paged-data",
        )
        if self.style_column is not None and self.style_column in self.rows.column_names:
            marks = self.rows.column(self.style_column).to_pylist()  # a page or a few: small
            styles = [self.row_styles.get(m) if m is not None else None for m in marks]
            self.table = _MarkedRows(row_styles=styles, **options)
        else:
            self.table = FastDataTable(**options)
        await self.mount(self.table)
        if cursor_row:
            self.table.move_cursor(row=min(cursor_row, self.loaded - 1), animate=False)
        if had_focus:
            self.table.focus()

    def _update_note(self) -> None:
        lines = [self.note] if self.note else []
        if self.loaded == 0:
            lines.append(self.empty_text)
        elif self.total is not None and self.total > self.loaded:
            lines.append(f"共 {self.total} 条，已载入 {self.loaded} 条（光标移近末尾时自动载入更多）")
        elif self._more is not None:
            lines.append(f"已载入 {self.loaded} 条（光标移近末尾时自动载入更多）")
        else:
            lines.append(f"共 {self.loaded} 条")
        if self._fetching is not None and self._fetching.state in (WorkerState.PENDING, WorkerState.RUNNING):
            lines[-1] += " · 正在载入……"
        if self._fetch_error:
            lines.append(f"载入更多时出错：{self._fetch_error}")
        self.query_one("#paged-note", Static).update("\n".join(lines))

    # -- events ------------------------------------------------------------------------------
    def on_data_table_row_highlighted(self, event: FastDataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.loaded - self.prefetch:
            self.load_more()

    def on_data_table_row_selected(self, event: FastDataTable.RowSelected) -> None:
        event.stop()
        record = self.record_at(event.cursor_row)
        if record is not None:
            self.post_message(self.RowChosen(self, event.cursor_row, record))

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._fetching:
            return
        event.stop()
        if self._fetching_generation != self._generation:
            return  # a fetch for a list that has since been replaced
        if event.state == WorkerState.SUCCESS:
            page = event.worker.result
            if not isinstance(page, TablePage):
                raise TypeError(f"a page fetch returned {page!r:.80}, not a TablePage")
            cursor = self.cursor_row or 0
            self._fetching = None
            self._more = page.more
            self.pages += 1
            if page.rows.num_rows:
                self.rows = pa.concat_tables([self.rows, page.rows.cast(self.rows.schema)])
                await self._replace_table(cursor_row=cursor)
            else:
                self._update_note()
        elif event.state == WorkerState.ERROR:
            self._fetching = None
            self._fetch_error = str(event.worker.error)
            self._update_note()
