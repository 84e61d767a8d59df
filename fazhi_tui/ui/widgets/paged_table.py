"""A list of records loaded a page at a time, for lists too long to fetch at once.

The first page comes with the panel's data; each further page is fetched in a thread worker when
the cursor comes near the end of what is loaded, by a function the page itself carries (a
keyset query: "the rows after this one"). Rows are drawn from Arrow buffers by
textual-fastdatatable, only those on screen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from rich.cells import cell_len
from rich.style import Style
from textual import events
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


CELL_PADDING = 2  # a cell's space either side (textual-fastdatatable's CELL_X_PADDING)
SCROLLBAR_CELLS = 2  # the table's vertical scrollbar
MIN_FLEXIBLE = 12  # the fewest cells worth showing of a flexible column


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
        priority: Sequence[str] | None = None,
        flexible: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """``style_column`` and ``row_styles``: rows whose value in that column is a key of
        ``row_styles`` are drawn in its Rich style (``{"超期": "bold red"}``); the column itself
        should say in words what the colour means.

        ``priority``: the columns by importance, most important first (columns it does not
        name come last). When the rows are wider than the table, the least important columns
        are left out, whole, rather than the table running past its edge; ``flexible`` (a long
        text such as 主要内容) then takes the room that is left, cut with an ellipsis, and is
        left out only when not even ``MIN_FLEXIBLE`` cells remain."""
        super().__init__(id=id, classes=classes)
        self.priority = list(priority or ())
        self.flexible = flexible
        self.shown_columns: list[str] = []  # the columns on screen, after leaving some out
        self._shown_widths: list[int | None] = []
        self._laid_for = 0
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
        old = self.table
        if old is not None:
            await old.remove()
            self.table = None
            # Focused while it was being removed (the focus moved to the list as its tab came up).
            had_focus = had_focus or self.screen.focused is old
        self._update_note()
        if self.loaded == 0:
            return
        shown, widths = self._columns_for(self.size.width)
        self.shown_columns, self._shown_widths = shown, widths
        self._laid_for = self.size.width
        rows = self.rows.select(shown) if shown != self.rows.column_names else self.rows
        options: dict[str, Any] = dict(
            backend=ArrowBackend(rows),
            column_labels=[self.labels.get(name, name) for name in shown],
            column_widths=widths,
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

    def _columns_for(self, width: int) -> tuple[list[str], list[int | None]]:
        """The columns that fit ``width`` cells (all of them when it is not known yet or no
        ``priority`` is given), in the rows' order, and their widths (None: as wide as the data)."""
        names = self.rows.column_names
        if not self.priority or width <= 0:
            return names, [None] * len(names)
        room = width - SCROLLBAR_CELLS
        need = {name: self._width_of(name) + CELL_PADDING for name in names}
        ranked = [n for n in self.priority if n in need] + [n for n in names if n not in self.priority]
        keep: set[str] = set()
        widths: dict[str, int | None] = {}
        for name in ranked:
            if name == self.flexible:
                # As wide as its text, or what is left when that is less (but not too little).
                if room >= MIN_FLEXIBLE + CELL_PADDING:
                    keep.add(name)
                    if need[name] > room:
                        widths[name] = room - CELL_PADDING
                    room -= min(need[name], room)
            elif need[name] <= room:
                keep.add(name)
                room -= need[name]
        shown = [n for n in names if n in keep]
        return shown, [widths.get(n) for n in shown]

    def _width_of(self, name: str) -> int:
        label = cell_len(self.labels.get(name, name))
        values = self.rows.column(name).to_pylist()  # the loaded pages: a few hundred rows at most
        widest = max((cell_len(str(v)) for v in values if v is not None), default=0)
        cap = self.max_column_width or widest
        return max(label, min(widest, cap))

    def on_resize(self, event: events.Resize) -> None:
        if self.priority and self.table is not None and event.size.width != self._laid_for:
            self._laid_for = event.size.width
            if self._columns_for(event.size.width) != (self.shown_columns, self._shown_widths):
                self.call_after_refresh(self._relayout)

    async def _relayout(self) -> None:
        await self._replace_table(cursor_row=self.cursor_row or 0)

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
