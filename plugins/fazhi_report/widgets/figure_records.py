"""The records behind one figure: the same paged list as the panels, with ``e`` to export it.

The rows come as an Arrow table from the figure's ``records(ctx)``; the list shows them a page
at a time (only what is on screen is drawn) and the export writes them all, with the stored
table's Chinese headings and personal information masked for roles that may not see it.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from fazhi_tui.api import PagedTable, PanelExport, TablePage

PAGE = 200


def page_of(rows: pa.Table, start: int = 0) -> TablePage:
    end = start + PAGE
    more = partial(page_of, rows, end) if end < rows.num_rows else None
    return TablePage(rows.slice(start, PAGE), more)


class FigureRecords(ModalScreen[None]):
    DEFAULT_CSS = """
    FigureRecords { align: center middle; }
    FigureRecords > Vertical {
        width: 96%; height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    FigureRecords #records-what { height: auto; }
    """

    BINDINGS = [
        Binding("escape", "dismiss", "返回", id="report.records.close"),
        Binding("e", "export", "导出", id="report.records.export"),
    ]

    def __init__(self, *, title: str, rows: pa.Table | None, spec: Any, ctx: Any) -> None:
        super().__init__()
        self.title_text = title
        self.rows = rows
        self.spec = spec
        self.ctx = ctx

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "指标的来源记录"
            yield Static(self.title_text, id="records-what", markup=False)
            yield PagedTable(id="records-list", empty_text="该指标没有可列出的记录")

    async def on_mount(self) -> None:
        table = self.query_one(PagedTable)
        if self.rows is None:
            await table.show_page(TablePage(pa.table({})), note="提供该指标的插件未给出来源记录")
            return
        labels = {}
        if self.spec is not None:
            labels = {c.name: c.label for c in self.spec.columns if c.name in self.rows.column_names}
        await table.show_page(page_of(self.rows), labels, total=self.rows.num_rows)
        if table.table is not None:
            table.table.focus()

    def export_view(self) -> PanelExport | None:
        if self.rows is None:
            return None
        return PanelExport(self.title_text, self.rows, spec=self.spec, file_stem=None)

    def action_export(self) -> None:
        from fazhi_tui.api import ExportDialog

        view = self.export_view()
        if view is None or self.ctx is None:
            self.notify("没有可导出的记录", severity="warning")
            return
        pii = self.ctx.sees_pii

        def chosen(answer: tuple[Path, str] | None) -> None:
            if answer is None:
                return
            path, fmt = answer
            self.run_worker(partial(self._write, view, path, fmt, pii), thread=True, exit_on_error=False)

        default = Path.cwd() / f"{view.default_stem(self.ctx)}.xlsx"
        self.app.push_screen(ExportDialog(default, what=view.title, masked=not pii), chosen)

    def _write(self, view: PanelExport, path: Path, fmt: str, pii: bool) -> None:
        from fazhi_tui.api import export_rows

        try:
            rows, spec = view.prepared(view.fetch())
            result = export_rows(rows, spec, path, fmt, may_see_pii=pii)
        except Exception as exc:  # noqa: BLE001  (shown, not raised: the list stays open)
            self.app.call_from_thread(self.notify, str(exc), title="导出失败", severity="error", timeout=15)
            return
        message = f"已导出 {result.rows} 条到 {result.path}"
        if result.masked:
            message += f"\n{'、'.join(result.masked)}已脱敏（个人信息保护）"
        self.app.call_from_thread(self.notify, message, title="导出完成", timeout=10)
