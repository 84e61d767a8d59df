"""The 分类 tab: every 一级分类 with its 二级分类 below, by count, with each one's share."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from ..view import HotlineView


class CategoriesTab(Vertical):
    DEFAULT_CSS = """
    CategoriesTab #categories-title { height: auto; }
    CategoriesTab DataTable { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="categories-title", classes="breakdown-title")
        yield DataTable(id="categories", cursor_type="row", zebra_stripes=True)

    def show(self, view: HotlineView) -> None:
        table = self.query_one("#categories", DataTable)
        table.clear(columns=True)
        table.add_column("分类", key="category")
        table.add_column(Text("件数", justify="right"), key="count")
        table.add_column(Text("占比", justify="right"), key="share")
        for i, r in enumerate(view.categories.to_pylist()):
            name = Text(r["category1"], style="bold") if r["level"] == 1 else Text(f"　└ {r['category2']}")
            table.add_row(
                name,
                Text(str(r["count"]), justify="right"),
                Text(f"{r['share'] * 100:.1f}%", justify="right"),
                key=str(i),
            )
        total = view.figures.current.received
        self.query_one("#categories-title", Static).update(
            Text.assemble((f"{view.ctx.period.label} · {view.ctx.grid_label}", "bold"), f"　按分类，共 {total} 件")
        )
