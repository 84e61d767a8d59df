"""The overview's screen: a table of counts under a one-line summary."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from fazhi_tui.api import Context, Panel

from .queries import TableCount, table_counts


class OverviewPanel(Panel):
    LOAD_BEFORE_MOUNT = True  # its load reads only the context and what __init__ sets
    DEFAULT_CSS = """
    OverviewPanel #overview-summary { height: auto; margin-bottom: 1; }
    OverviewPanel DataTable { height: auto; max-height: 1fr; }
    """

    def compose_body(self) -> ComposeResult:
        yield Static("", id="overview-summary")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="overview-table")

    def load(self, ctx: Context) -> tuple[Context, list[TableCount]]:
        return ctx, table_counts(ctx)

    def show(self, data: tuple[Context, list[TableCount]]) -> None:
        ctx, counts = data
        dated = [c for c in counts if c.by_period]
        summary = Text()
        summary.append(f"{ctx.period.label} · {ctx.grid_label}", style="bold")
        summary.append(f"：按日期统计的 {len(dated)} 张表共 {sum(c.in_view for c in dated)} 条记录")
        self.query_one("#overview-summary", Static).update(summary)
        rows = []
        for c in counts:
            notes = []
            if not c.by_period:
                notes.append("不分期间")
            if ctx.grid is not None and not c.by_grid:
                notes.append("不分网格")
            rows.append((f"{c.label}（{c.table}）", str(c.in_view), str(c.total), "、".join(notes)))
        table = self.query_one(DataTable)
        table.clear(columns=True)
        # Widths from the text itself (CJK counted as two cells), set now rather than measured
        # later by the table, so the columns are right on the first frame.
        heads = ("表", "本期", "全部", "说明")
        widths = [max([cell_len(h)] + [cell_len(r[i]) for r in rows]) for i, h in enumerate(heads)]
        for i, (head, key) in enumerate(zip(heads, ("label", "in_view", "total", "note"), strict=False)):
            table.add_column(Text(head, justify="right" if i in (1, 2) else "left"), key=key, width=widths[i])
        for (label, in_view, total, note), c in zip(rows, counts, strict=False):
            table.add_row(
                label,
                Text(in_view, justify="right"),
                Text(total, justify="right"),
                Text(note, style="dim"),
                key=c.table,
            )
