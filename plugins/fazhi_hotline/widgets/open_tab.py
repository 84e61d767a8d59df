"""The 未办结工单 tab: the open tickets by 办理时限, a page at a time, with how many are late or due."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from fazhi_tui.api import Context, PagedTable, TablePage

from ..open_list import DUE_SOON_SHORT, OPEN_LABELS, OVERDUE_FLAG, OpenPage, display_rows, next_page
from ..view import HotlineView


def _more_after(ctx: Context, page: OpenPage) -> Callable[[], TablePage] | None:
    """The list's next page (the rows after this page's last), fetched in the table's worker; or None."""
    if not page.has_more:
        return None

    def fetch() -> TablePage:
        nxt = next_page(ctx, page)
        return TablePage(on_screen(display_rows(nxt.rows)), _more_after(ctx, nxt))

    return fetch


# On screen by importance: what is late and when, which ticket, where and about what; at 80
# columns the later ones are left out, whole (PagedTable ``priority``), 主要内容 takes what is left.
ON_SCREEN = (
    "flag",
    "deadline",
    "ticket_no",
    "grid_name",
    "content",
    "status",
    "appeal_type",
    "category1",
    "received_at",
    "source",
    "urgency",
    "category2",
    "caller",
    "phone",
)
# The flag's word is the mark; the colour repeats it for the eye (never colour alone).
ROW_STYLES = {OVERDUE_FLAG: "bold red", DUE_SOON_SHORT: "bold yellow"}


def on_screen(rows: pa.Table) -> pa.Table:
    return rows.select([c for c in ON_SCREEN if c in rows.column_names])


class OpenTab(Vertical):
    DEFAULT_CSS = """
    OpenTab #open-summary { height: auto; }
    OpenTab #open-list { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="open-summary")
        yield PagedTable(
            id="open-list",
            empty_text="没有未办结的工单",
            style_column="flag",
            row_styles=ROW_STYLES,
            priority=ON_SCREEN,
            flexible="content",
        )

    async def show(self, view: HotlineView) -> None:
        page = view.open_page
        summary = Text()
        summary.append("未办结工单", style="bold")
        summary.append(f"（{view.ctx.grid_label}，不分受理期间，按办理时限排序）\n")
        summary.append(f"超期 {page.overdue} 件", style="bold red" if page.overdue else "")
        summary.append(" · ")
        summary.append(f"{DUE_SOON_SHORT} {page.due_soon} 件", style="bold yellow" if page.due_soon else "")
        summary.append(f"（一个工作日内，时限不晚于 {page.due_soon_until:%m-%d}）", style="dim")
        if page.note:
            summary.append(f"\n{page.note}", style="dim")
        self.query_one("#open-summary", Static).update(summary)
        labels = {**OPEN_LABELS, "flag": "提示"}
        await self.query_one("#open-list", PagedTable).show_page(
            TablePage(on_screen(display_rows(page.rows)), _more_after(view.ctx, page)), labels, total=page.total
        )

    def highlighted_record(self) -> dict | None:
        return self.query_one("#open-list", PagedTable).highlighted_record()
