"""The 未办结工单 tab: the open tickets by 办理时限, a page at a time, with how many are late or due."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from fazhi_tui.api import Context, PagedTable, TablePage

from ..open_list import DUE_SOON_SHORT, OPEN_LABELS, OpenPage, display_rows, next_page
from ..view import HotlineView


def _more_after(ctx: Context, page: OpenPage) -> Callable[[], TablePage] | None:
    """The list's next page (the rows after this page's last), fetched in the table's worker; or None."""
    if not page.has_more:
        return None

    def fetch() -> TablePage:
        nxt = next_page(ctx, page)
        return TablePage(display_rows(nxt.rows), _more_after(ctx, nxt))

    return fetch


class OpenTab(Vertical):
    DEFAULT_CSS = """
    OpenTab #open-summary { height: auto; }
    OpenTab #open-list { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="open-summary")
        yield PagedTable(id="open-list", empty_text="没有未办结的工单")

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
            TablePage(display_rows(page.rows), _more_after(view.ctx, page)), labels, total=page.total
        )

    def highlighted_record(self) -> dict | None:
        return self.query_one("#open-list", PagedTable).highlighted_record()
