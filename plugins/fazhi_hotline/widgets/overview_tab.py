"""The 概况 tab: the figures beside the previous period's, the open tickets in brief, the quarterly
rank, the monthly trend and the five largest 分类 and grids. Side by side when the panel is wide."""

from __future__ import annotations

import datetime as dt

from rich.cells import cell_len
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.widgets import Static

from fazhi_tui.api import BarChart, Period

from ..open_list import DUE_SOON_SHORT
from ..view import HotlineView

VOLUME_FIGURES = {"received", "work_orders", "phone_orders"}  # more is neither better nor worse
TOP = 5  # categories and grids listed beside the trend
WIDE = 100  # from this many columns the sections sit side by side


class OverviewTab(VerticalScroll):
    DEFAULT_CSS = """
    OverviewTab { height: 1fr; }
    OverviewTab #overview-top { height: auto; layout: vertical; }
    OverviewTab.-wide #overview-top { layout: horizontal; }
    OverviewTab #overview-left { height: auto; width: 1fr; }
    OverviewTab.-wide #overview-left { width: 52; margin-right: 2; }
    OverviewTab #overview-right { height: auto; width: 1fr; }
    OverviewTab #figures { height: auto; }
    OverviewTab #open-brief { height: auto; margin-top: 1; }
    OverviewTab #ranks { height: auto; margin-top: 1; }
    OverviewTab #trend-title { height: auto; margin-top: 1; }
    OverviewTab.-wide #trend-title { margin-top: 0; }
    OverviewTab #trend { height: 8; }
    OverviewTab #trend-note { height: auto; color: $text-muted; }
    OverviewTab #overview-tops { height: auto; margin-top: 1; }
    OverviewTab #top-categories, OverviewTab #top-grids { width: 1fr; height: auto; }
    OverviewTab #top-categories { margin-right: 2; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal(id="overview-top"):
            with Vertical(id="overview-left"):
                yield Static("", id="figures")
                yield Static("", id="open-brief")
                yield Static("", id="ranks")
            with Vertical(id="overview-right"):
                yield Static("", id="trend-title")
                yield BarChart(id="trend")
                yield Static("", id="trend-note")
                with Horizontal(id="overview-tops"):
                    yield Static("", id="top-categories")
                    yield Static("", id="top-grids")

    def fit(self, panel: Size) -> None:
        """Lay out for the panel's size: side by side when wide; the trend grows with the room
        (8 rows in 80×24, up to 20 in a tall terminal)."""
        self.set_class(panel.width >= WIDE, "-wide")
        self.query_one("#trend", BarChart).styles.height = max(8, min(20, (panel.height - 20) // 2))

    def show(self, view: HotlineView) -> None:
        self._show_figures(view)
        self._show_open_brief(view)
        self._show_ranks(view)
        self._show_trend(view)
        self._show_tops(view)

    def _show_figures(self, view: HotlineView) -> None:
        fc = view.figures
        today = view.ctx.today
        prev_label = fc.previous_period.label if fc.previous_period is not None else "上期"
        # Headers on two lines (2026年 / 第三季度, 2026-03-01 / 至2026-05-31), labels and numbers
        # never cut: in the 52 columns of the wide layout a column too narrow wraps instead.
        table = Table(box=None, pad_edge=False, padding=(0, 1), show_edge=False, header_style="bold")
        table.add_column("指标", no_wrap=True, min_width=max(cell_len(r.label) for r in fc.rows()))
        table.add_column(column_header(fc.period), justify="right", no_wrap=True)
        table.add_column(column_header(fc.previous_period) if fc.previous_period else "上期", justify="right")
        table.add_column("变化", overflow="fold")
        for row in fc.rows():
            change = Text(row.change)
            if row.key not in VOLUME_FIGURES and row.change and row.change != "持平":
                better = row.change.startswith("+") == row.higher_is_better
                change.append(" 向好" if better else " 变差", style="green" if better else "bold red")
            label_style = "" if row.label.startswith("　") else "bold"
            table.add_row(Text(row.label, style=label_style), row.current, row.previous or "—", change)
        title = Text(f"{fc.period.label}{until_today(fc.period, today)} · {view.ctx.grid_label}", style="bold")
        title.append(f"　与{prev_label}比较", style="dim")
        self.query_one("#figures", Static).update(Group(title, table))

    def _show_open_brief(self, view: HotlineView) -> None:
        page = view.open_page
        brief = Text.assemble(("未办结 ", "bold"), f"{page.total} 件：")
        brief.append(f"超期 {page.overdue}", style="bold red" if page.overdue else "")
        brief.append(" · ")
        brief.append(f"{DUE_SOON_SHORT} {page.due_soon}", style="bold yellow" if page.due_soon else "")
        self.query_one("#open-brief", Static).update(brief)

    def _show_ranks(self, view: HotlineView) -> None:
        text = Text("季度排名", style="bold")
        if not view.ranks:
            text.append("\n暂无排名", style="dim")
        for q in view.ranks:
            text.append(f"\n{q.label}  ")
            text.append(q.text, style="bold" if q.rank is not None and q.rank <= 2 else "")
            notes = [q.source] if q.source else []
            if not q.complete:
                notes.append("季度未结束")
            if notes:
                text.append(f"（{'，'.join(notes)}）", style="dim")
        if view.ctx.grid is not None:
            text.append("\n排名按全镇计，不分网格", style="dim")
        self.query_one("#ranks", Static).update(text)

    def _show_trend(self, view: HotlineView) -> None:
        rows = view.trend.to_pylist()
        period = view.ctx.period
        months = [r["month"] for r in rows]
        chart = self.query_one("#trend", BarChart)
        chart.set_data(
            [f"{m.month}月" for m in months],
            [r["received"] for r in rows],
            short_labels=[str(m.month) for m in months],
            marked=[period.start <= m < period.end or (m <= period.start < _month_end(m)) for m in months],
        )
        span = f"{months[0]:%Y年%-m月}—{months[-1]:%Y年%-m月}" if months else ""
        title = Text("每月受理量（件）", style="bold")
        title.append(f"　{span}", style="dim")
        self.query_one("#trend-title", Static).update(title)
        work = sum(r["work_orders"] for r in rows)
        phone = sum(r["phone_orders"] for r in rows)
        closed = sum(r["closed"] for r in rows)
        note = f"柱下为件数、月份。合计：工单 {work} · 电话单 {phone} · 已办结 {closed}"
        if len(months) > 3 and not all(period.start <= m < period.end for m in months):
            note += "；粗体月份属于本期"
        self.query_one("#trend-note", Static).update(note)

    def _show_tops(self, view: HotlineView) -> None:
        """The five largest 一级分类 and grids, beside the trend (the tabs have them all)."""
        total = view.figures.current.received
        cats = [r for r in view.categories.to_pylist() if r["level"] == 1][:TOP]
        grids = [r for r in view.grids.to_pylist() if r["received"]][:TOP]
        for target, title, rows, name in (
            ("#top-categories", "分类前五", cats, "category1"),
            ("#top-grids", "网格前五", grids, "grid_name"),
        ):
            table = Table(
                box=None,
                pad_edge=False,
                padding=(0, 1),
                show_header=False,
                title=title,
                title_justify="left",
                title_style="bold",
            )
            table.add_column(no_wrap=True, overflow="ellipsis")
            table.add_column(justify="right", no_wrap=True)
            table.add_column(justify="right", no_wrap=True, style="dim")
            for r in rows:
                n = r["count"] if "count" in r else r["received"]
                # Names from the store (a grid, a category) as text, never as markup.
                table.add_row(Text(str(r[name])), f"{n}件", f"{n / total * 100:.0f}%" if total else "")
            if not rows:
                table.add_row(Text("本期没有工单", style="dim"), "", "")
            self.query_one(target, Static).update(table)


def until_today(period: Period, today: dt.date) -> str:
    """（截至12月1日） for a period that has not ended: its figures count up to today."""
    if period.start <= today < period.last:
        return f"（截至{today.month}月{today.day}日）"
    return ""


def column_header(period: Period) -> Text:
    """A period's label on two lines, to keep the comparison's columns narrow."""
    label = period.label
    for cut in ("年", "至"):
        head, sep, rest = label.partition(cut)
        if sep and rest:
            first, second = (head + sep, rest) if cut == "年" else (head, sep + rest)
            label = f"{first}\n{second}"
            break
    return Text(label, justify="right")


def _month_end(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
