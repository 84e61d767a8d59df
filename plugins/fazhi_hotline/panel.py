"""The 12345热线 panel: the period's figures beside the previous period's, the monthly trend, the
quarterly rank, breakdowns by 分类 and by 网格, the open tickets by 办理时限, and one ticket with
its history; new tickets, 签收, 办结 and 回访 as new versions.

Five tabs, so it works in 80×24 and uses the room of a large terminal (the overview's sections
sit side by side when the panel is wide). Every query runs in ``load`` or in a worker
(``run_in_thread``); every figure comes from ``queries``, every write from ``tickets``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Static, TabbedContent, TabPane, Tabs

from fazhi_tui.api import (
    AT,
    BY,
    CHECK,
    CHOICE,
    REV,
    BarChart,
    Context,
    FormDone,
    FormError,
    FormFailed,
    FormField,
    PagedTable,
    Panel,
    PanelExport,
    RecordForm,
    StaleRevisionError,
    TablePage,
    ValidationError,
    requires_write,
)

from . import queries, tickets
from .queries import (
    CATEGORY_LABELS,
    DUE_SOON_FLAG,
    GRID_LABELS,
    OPEN_LABELS,
    OVERDUE_FLAG,
    FiguresComparison,
    OpenPage,
    QuarterRank,
    TicketDetail,
    format_value,
)
from .tables import (
    APPEAL_TYPES,
    CALLBACKS,
    HOTLINE,
    HOTLINE_SPEC,
    PHONE_ORDER,
    SOURCES,
    UNSATISFIED,
    URGENCIES,
    category_pairs,
)

DUE_SOON_SHORT = "即将到期"  # the list's 提示 column; the summary line says what it means
OPEN_SHOWN = [c for c in queries.OPEN_COLUMNS if c != "grid"]  # the code is in 网格's name already
EXPORT_PAGE = 5_000  # rows per keyset page when exporting the whole open list
VOLUME_FIGURES = {"received", "work_orders", "phone_orders"}  # more is neither better nor worse
TOP = 5  # categories and grids listed beside the trend
TABS = ("tab-overview", "tab-categories", "tab-grids", "tab-open", "tab-detail")


@dataclass(frozen=True)
class HotlineView:
    """Everything the panel shows for one context (``load``'s result)."""

    ctx: Context
    figures: FiguresComparison
    trend: pa.Table
    categories: pa.Table
    grids: pa.Table
    ranks: list[QuarterRank]
    open_page: OpenPage
    grid_choices: list[tuple[str, str]]  # (shown, code) for the new-ticket form
    detail: TicketDetail | None


def now_text() -> str:
    return tickets.now().strftime("%Y-%m-%d %H:%M")


def _display_rows(rows: pa.Table) -> pa.Table:
    """The open list as shown: a short word for "due within one working day", times to the minute."""
    flag = rows.column("flag")
    short = pc.if_else(pc.equal(flag, DUE_SOON_FLAG), pa.scalar(DUE_SOON_SHORT), flag)
    rows = rows.set_column(rows.schema.get_field_index("flag"), "flag", short)
    received = pc.strftime(rows.column("received_at"), format="%Y-%m-%d %H:%M")
    rows = rows.set_column(rows.schema.get_field_index("received_at"), "received_at", received)
    return rows.select(OPEN_SHOWN)


def _more_after(ctx: Context, page: OpenPage) -> Callable[[], TablePage] | None:
    """The next page of the open list (keyset: the rows after this page's last), or None."""
    if not page.has_more:
        return None

    def fetch() -> TablePage:
        nxt = queries.open_tickets(
            ctx, offset=page.offset + page.rows.num_rows, limit=page.limit, after=page.next_after, counts=False
        )
        return TablePage(_display_rows(nxt.rows), _more_after(ctx, nxt))

    return fetch


def all_open_tickets(ctx: Context) -> pa.Table:
    """Every open ticket of the list, in its order, page by page (for the export)."""
    pages, after, offset = [], None, 0
    while True:
        page = queries.open_tickets(ctx, offset=offset, limit=EXPORT_PAGE, after=after, counts=False)
        pages.append(page.rows)
        offset += page.rows.num_rows
        if not page.has_more:
            break
        after = page.next_after
    return pa.concat_tables(pages).select(OPEN_SHOWN)


def _local(at: dt.datetime) -> str:
    if at.tzinfo is not None:
        at = at.astimezone()
    return at.strftime("%Y-%m-%d %H:%M")


def _shown_value(value: Any) -> str:
    text = format_value(value)
    return text if text else "（空）"


QUERY_THREADS = 4  # a few at once: DuckDB already uses every core inside each query


class HotlinePanel(Panel):
    DEFAULT_CSS = """
    HotlinePanel TabbedContent { height: 1fr; }
    HotlinePanel TabPane { padding: 0; height: 1fr; }
    HotlinePanel #overview-scroll { height: 1fr; }
    HotlinePanel #overview-top { height: auto; layout: vertical; }
    HotlinePanel.-wide #overview-top { layout: horizontal; }
    HotlinePanel #overview-left { height: auto; width: 1fr; }
    HotlinePanel.-wide #overview-left { width: 52; margin-right: 2; }
    HotlinePanel #overview-right { height: auto; width: 1fr; }
    HotlinePanel #figures { height: auto; }
    HotlinePanel #open-brief { height: auto; margin-top: 1; }
    HotlinePanel #ranks { height: auto; margin-top: 1; }
    HotlinePanel #trend-title { height: auto; margin-top: 1; }
    HotlinePanel.-wide #trend-title { margin-top: 0; }
    HotlinePanel #trend { height: 8; }
    HotlinePanel #trend-note { height: auto; color: $text-muted; }
    HotlinePanel #overview-tops { height: auto; margin-top: 1; }
    HotlinePanel #top-categories, HotlinePanel #top-grids { width: 1fr; height: auto; }
    HotlinePanel #top-categories { margin-right: 2; }
    HotlinePanel .breakdown-title { height: auto; }
    HotlinePanel DataTable { height: 1fr; }
    HotlinePanel #open-summary { height: auto; }
    HotlinePanel #open-list { height: 1fr; }
    HotlinePanel #detail-scroll { height: 1fr; }
    HotlinePanel #detail-status { height: auto; color: $warning; text-style: bold; }
    HotlinePanel #detail-status.-hidden { display: none; }
    HotlinePanel #detail-head, HotlinePanel #detail-fields, HotlinePanel #detail-history { height: auto; }
    HotlinePanel #detail-fields, HotlinePanel #detail-history { margin-top: 1; }
    """

    BINDINGS = [
        Binding("n", "new_ticket", "新建工单", id="hotline.new"),
        Binding("s", "sign", "签收", id="hotline.sign"),
        Binding("c", "close_ticket", "办结", id="hotline.close"),
        Binding("v", "callback", "回访", id="hotline.callback"),
        Binding("o", "open_ticket", "按编号打开工单", show=False, id="hotline.open"),
        Binding("t", "next_tab", "下一页签", show=False, id="hotline.next_tab"),
        Binding("T", "next_tab(-1)", "上一页签", show=False, id="hotline.previous_tab"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.view: HotlineView | None = None
        self.detail: TicketDetail | None = None
        self.detail_no: str | None = None  # the ticket the 工单详情 tab shows (reloaded with the panel)
        self.detail_message = ""

    # -- widgets -----------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="hotline-tabs"):
            with TabPane("概况", id="tab-overview"):
                with VerticalScroll(id="overview-scroll"):
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
            with TabPane("分类", id="tab-categories"):
                yield Static("", id="categories-title", classes="breakdown-title")
                yield DataTable(id="categories", cursor_type="row", zebra_stripes=True)
            with TabPane("网格", id="tab-grids"):
                yield Static("", id="grids-title", classes="breakdown-title")
                yield DataTable(id="grids", cursor_type="row", zebra_stripes=True)
            with TabPane("未办结工单", id="tab-open"):
                yield Static("", id="open-summary")
                yield PagedTable(id="open-list", empty_text="没有未办结的工单")
            with TabPane("工单详情", id="tab-detail"):
                with VerticalScroll(id="detail-scroll"):
                    yield Static("", id="detail-status", classes="-hidden", markup=False)
                    yield Static(
                        "在“未办结工单”中选中一件按回车，或按 o 输入工单编号，在此查看详情与修改记录。",
                        id="detail-head",
                    )
                    yield Static("", id="detail-fields")
                    yield Static("", id="detail-history")

    def on_resize(self) -> None:
        self.set_class(self.size.width >= 100, "-wide")
        # The trend grows with the room: 8 rows in 80×24, up to 20 in a tall terminal.
        for chart in self.query("#trend").results(BarChart):
            chart.styles.height = max(8, min(20, (self.size.height - 20) // 2))

    # -- data --------------------------------------------------------------------------------
    def load(self, ctx: Context) -> HotlineView:
        detail_no = self.detail_no  # a str set on the UI thread; read once
        # The figures are independent queries, each too small to keep both cores busy alone: run
        # them side by side (the store gives each thread its own DuckDB cursor).
        jobs = {
            # The figures, the trend and both breakdowns read the same rows: one query.
            "overview": lambda: queries.overview(ctx),
            "ranks": lambda: queries.quarter_ranks(ctx),
            # Served from the town's open tickets, read once per state of the files (queries.py).
            "open_page": lambda: queries.open_tickets(ctx),
            "grid_list": lambda: ctx.query("SELECT code, name, village FROM grids ORDER BY code").to_pylist(),
            "detail": lambda: queries.ticket_detail(ctx, detail_no) if detail_no else None,
        }
        with ThreadPoolExecutor(max_workers=QUERY_THREADS, thread_name_prefix="hotline") as pool:
            futures = {name: pool.submit(job) for name, job in jobs.items()}
            done = {name: f.result() for name, f in futures.items()}
        grids = done.pop("grid_list")
        ov: queries.Overview = done.pop("overview")
        return HotlineView(
            ctx=ctx,
            figures=ov.figures,
            trend=ov.trend,
            categories=ov.categories,
            grids=ov.grids,
            grid_choices=[
                (f"{g['name'] or g['code']}（{g['village']}）" if g["village"] else (g["name"] or g["code"]), g["code"])
                for g in grids
            ],
            **done,
        )

    async def show(self, view: HotlineView) -> None:
        self.view = view
        self._show_figures(view)
        self._show_ranks(view)
        self._show_trend(view)
        self._show_tops(view)
        self._show_categories(view)
        self._show_grids(view)
        await self._show_open(view)
        self._show_detail(view.detail)
        # The tabs were laid out while the loading cover hid them, so their underline may sit at
        # width zero; place it again now that they are on screen (Textual offers no public call).
        tabs = self.query_one("#hotline-tabs", TabbedContent).query_one(Tabs)
        self.call_after_refresh(tabs._highlight_active, False)

    @property
    def active_tab(self) -> str:
        return self.query_one("#hotline-tabs", TabbedContent).active

    # -- the overview ------------------------------------------------------------------------
    def _show_figures(self, view: HotlineView) -> None:
        fc = view.figures
        prev_label = fc.previous_period.label if fc.previous_period is not None else "上期"
        table = Table(box=None, pad_edge=False, padding=(0, 1), show_edge=False, header_style="bold")
        table.add_column("指标", no_wrap=True)
        table.add_column(fc.period.label, justify="right", no_wrap=True)
        table.add_column(prev_label, justify="right", no_wrap=True)
        table.add_column("变化", no_wrap=True)
        for row in fc.rows():
            change = Text(row.change)
            if row.key not in VOLUME_FIGURES and row.change and row.change != "持平":
                better = row.change.startswith("+") == row.higher_is_better
                change.append(" 向好" if better else " 变差", style="green" if better else "bold red")
            label_style = "" if row.label.startswith("　") else "bold"
            table.add_row(Text(row.label, style=label_style), row.current, row.previous or "—", change)
        title = Text(f"{fc.period.label} · {view.ctx.grid_label}", style="bold")
        title.append(f"　与{prev_label}比较", style="dim")
        self.query_one("#figures", Static).update(Group(title, table))

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
                table.add_row(r[name], f"{n}件", f"{n / total * 100:.0f}%" if total else "")
            if not rows:
                table.add_row(Text("本期没有工单", style="dim"), "", "")
            self.query_one(target, Static).update(table)

    # -- breakdowns --------------------------------------------------------------------------
    def _show_categories(self, view: HotlineView) -> None:
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

    def _show_grids(self, view: HotlineView) -> None:
        table = self.query_one("#grids", DataTable)
        table.clear(columns=True)
        table.add_column("网格", key="grid_name")
        for key in ("received", "closed", "overdue", "unsatisfied"):
            table.add_column(Text(GRID_LABELS[key], justify="right"), key=key)
        for i, r in enumerate(view.grids.to_pylist()):
            table.add_row(
                r["grid_name"],
                *(Text(str(r[k]), justify="right") for k in ("received", "closed", "overdue", "unsatisfied")),
                key=str(i),
            )
        self.query_one("#grids-title", Static).update(
            Text.assemble((f"{view.ctx.period.label} · {view.ctx.grid_label}", "bold"), "　按网格（含无工单的网格）")
        )

    # -- the open list -----------------------------------------------------------------------
    async def _show_open(self, view: HotlineView) -> None:
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
        brief = Text.assemble(("未办结 ", "bold"), f"{page.total} 件：")
        brief.append(f"超期 {page.overdue}", style="bold red" if page.overdue else "")
        brief.append(" · ")
        brief.append(f"{DUE_SOON_SHORT} {page.due_soon}", style="bold yellow" if page.due_soon else "")
        self.query_one("#open-brief", Static).update(brief)
        labels = {**OPEN_LABELS, "flag": "提示"}
        await self.query_one("#open-list", PagedTable).show_page(
            TablePage(_display_rows(page.rows), _more_after(view.ctx, page)), labels, total=page.total
        )

    @on(PagedTable.RowChosen, "#open-list")
    def _row_chosen(self, event: PagedTable.RowChosen) -> None:
        self.open_detail(event.record["ticket_no"])

    # -- one ticket --------------------------------------------------------------------------
    def show_record(self, table: str, record_id: str | None) -> bool:
        """The shell's "open this record" (the daily review's Enter): a ticket in 工单详情."""
        if table != HOTLINE:
            return False
        if record_id is None:
            self.query_one("#hotline-tabs", TabbedContent).active = "tab-open"
        else:
            self.open_detail(record_id)
        return True

    def open_detail(self, ticket_no: str) -> None:
        """Show one ticket and its history in the 工单详情 tab (queried in a worker)."""
        ctx = self.context
        if ctx is None:
            return
        self.detail_no = ticket_no
        self.detail_message = ""
        self.query_one("#hotline-tabs", TabbedContent).active = "tab-detail"
        self.query_one("#detail-scroll").focus()
        self.query_one("#detail-head", Static).update(f"正在载入工单 {ticket_no}……")
        self.run_in_thread(partial(queries.ticket_detail, ctx, ticket_no), done=self._show_detail, group="detail")

    def _show_detail(self, detail: TicketDetail | None) -> None:
        self.detail = detail
        status = self.query_one("#detail-status", Static)
        status.update(self.detail_message)
        status.set_class(not self.detail_message, "-hidden")
        head = self.query_one("#detail-head", Static)
        fields = self.query_one("#detail-fields", Static)
        history = self.query_one("#detail-history", Static)
        if detail is None:
            if self.detail_no:
                head.update(f"没有工单 {self.detail_no}")
            fields.update("")
            history.update("")
            return
        rec = detail.record
        text = Text()
        text.append(f"工单 {rec['ticket_no']}", style="bold")
        text.append(f"　{rec['status']}")
        if detail.flag == OVERDUE_FLAG:
            text.append("　【超期】", style="bold red")
        elif detail.flag == DUE_SOON_FLAG:
            text.append("　【一个工作日内到期】", style="bold yellow")
        if rec.get(REV) is not None:
            text.append(f"\n当前第 {rec[REV]} 版，{rec[BY]} 于 {_local(rec[AT])} 保存", style="dim")
        if detail.note:
            text.append(f"\n{detail.note}", style="dim")
        head.update(text)
        grid = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
        grid.add_column(style="dim", justify="right", no_wrap=True)
        grid.add_column(overflow="fold")
        for label, value in detail.fields:
            grid.add_row(label, value)
        fields.update(grid)
        log = Table(
            box=None,
            pad_edge=False,
            padding=(0, 1),
            header_style="bold",
            title="修改记录（谁、何时、改了什么）",
            title_justify="left",
            title_style="bold",
        )
        log.add_column("版本", no_wrap=True, justify="right")
        log.add_column("时间", no_wrap=True)
        log.add_column("操作人", no_wrap=True)
        log.add_column("改动", overflow="fold")
        for v in detail.versions:
            if v.rev == 1 or v.op == "delete":
                what = Text(v.summary)
            else:
                what = Text(
                    "\n".join(f"{c.label}：{_shown_value(c.old)} → {_shown_value(c.new)}" for c in v.changes)
                    or v.summary
                )
            log.add_row(f"第{v.rev}版", _local(v.at), v.by, what)
        history.update(log)
        if self.active_tab == "tab-detail":
            self.refresh_bindings()  # `e` exports this ticket's history now

    # -- actions -----------------------------------------------------------------------------
    def action_next_tab(self, step: int = 1) -> None:
        tabs = self.query_one("#hotline-tabs", TabbedContent)
        tabs.active = TABS[(TABS.index(tabs.active) + step) % len(TABS)]

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()  # `e` exports what the tab shows
        self.call_after_refresh(self._keep_focus)

    def _keep_focus(self) -> None:
        """A widget in the tab just hidden loses the focus, and with it the panel's keys go
        from the footer: give it to the tab bar."""
        focused = self.app.focused
        if focused is None or self not in focused.ancestors_with_self:
            self.query_one("#hotline-tabs", TabbedContent).query_one(Tabs).focus()

    def _target(self) -> tuple[str, int | None, dict] | None:
        """The ticket an action applies to: the highlighted row of the open list when that tab
        is shown (its revision is read when saving), else the ticket in 工单详情 at the revision
        shown (a newer one saved meanwhile by someone else refuses the save)."""
        if self.active_tab == "tab-open":
            record = self.query_one("#open-list", PagedTable).highlighted_record()
            if record is not None:
                return record["ticket_no"], None, record
        if self.detail is not None:
            return self.detail.record["ticket_no"], self.detail.record.get(REV), self.detail.record
        return None

    def _no_target(self) -> None:
        self.notify("请先在“未办结工单”中选中一件工单，或按 o 输入工单编号打开", severity="warning")

    @requires_write(HOTLINE)
    def action_new_ticket(self) -> None:
        view, ctx = self.view, self.context
        if view is None or ctx is None:
            return
        pairs = category_pairs(ctx.settings)
        fields = [
            FormField("ticket_no", "工单编号", placeholder="留空自动编号，如 DH20261126001"),
            FormField("source", "来源", CHOICE, SOURCES, value=PHONE_ORDER, required=True),
            FormField("received_at", "受理时间", value=now_text(), required=True, placeholder="如 2026-11-26 09:30"),
            FormField("appeal_type", "诉求类型", CHOICE, APPEAL_TYPES, required=True),
            FormField(
                "category",
                "分类",
                CHOICE,
                [(f"{c1} / {c2}", f"{c1}/{c2}") for c1, c2s in pairs.items() for c2 in c2s],
                aliases=("一级分类", "二级分类"),
            ),
            FormField("content", "主要内容"),
            FormField("caller", "来电人"),
            FormField("phone", "联系电话", placeholder="如 13812345678 或 0375-6123456"),
            FormField("grid", "网格", CHOICE, view.grid_choices, value=ctx.grid.code if ctx.grid else None),
            FormField("urgency", "紧急程度", CHOICE, URGENCIES, value=URGENCIES[0]),
            FormField("deadline", "办理时限", placeholder="留空则按工作日时限自动计算"),
            FormField("repeat_call", "重复来电", CHECK, value=False),
        ]
        self.app.push_screen(
            RecordForm(
                "新建12345工单", fields, partial(_add_ticket, ctx), intro=f"登记到{ctx.town or '本镇'}；状态为待签收。"
            ),
            self._ticket_added,
        )

    def _ticket_added(self, answer: FormDone | FormFailed | None) -> None:
        if isinstance(answer, FormFailed):
            self.report_write_error(answer.error)
        elif isinstance(answer, FormDone):
            intake: tickets.Intake = answer.result
            row = intake.row
            message = f"已登记工单 {row['ticket_no']}，办理时限 {row['deadline']:%Y-%m-%d}"
            if intake.deadline is not None and intake.deadline.note:
                message += f"\n{intake.deadline.note}"
            self.notify(message, title="已保存")
            self.detail_no = row["ticket_no"]
            self.reload()

    def _step_form(
        self, title: str, fields: list[FormField], step: Callable[[Context, str, int, dict], int], done: str
    ) -> None:
        target, ctx = self._target(), self.context
        if ctx is None:
            return
        if target is None:
            self._no_target()
            return
        ticket_no, rev, record = target
        intro = (
            f"工单 {ticket_no}：{record.get('status')}，受理 {format_value(record.get('received_at'))}，"
            f"办理时限 {format_value(record.get('deadline')) or '未定'}"
        )

        def answered(answer: FormDone | FormFailed | None) -> None:
            if isinstance(answer, FormFailed):
                if isinstance(answer.error, StaleRevisionError):
                    self.detail_message = f"未保存：{answer.error}"
                    self.detail_no = ticket_no
                self.report_write_error(answer.error)
            elif isinstance(answer, FormDone):
                self.notify(f"工单 {ticket_no} {done}（第 {answer.result} 版）", title="已保存")
                self.detail_no = ticket_no
                self.detail_message = ""
                self.reload()

        self.app.push_screen(
            RecordForm(title, fields, partial(_run_step, ctx, ticket_no, rev, step), intro=intro), answered
        )

    @requires_write(HOTLINE)
    def action_sign(self) -> None:
        self._step_form(
            "签收工单", [FormField("signed_at", "签收时间", value=now_text(), required=True)], _sign, "已签收"
        )

    @requires_write(HOTLINE)
    def action_close_ticket(self) -> None:
        self._step_form(
            "办结工单", [FormField("closed_at", "办结时间", value=now_text(), required=True)], _close, "已办结"
        )

    @requires_write(HOTLINE)
    def action_callback(self) -> None:
        fields = [
            FormField("callback", "回访结果", CHOICE, CALLBACKS, required=True),
            FormField("unsatisfied_reason", "不满意原因", placeholder="回访结果为不满意时必填"),
        ]
        self._step_form("记录回访", fields, _callback, "已记录回访")

    def action_open_ticket(self) -> None:
        ctx = self.context
        if ctx is None:
            return

        def find(values: dict) -> TicketDetail:
            no = (values.get("ticket_no") or "").strip()
            if not no:
                raise FormError([("工单编号", "请填写工单编号")])
            detail = queries.ticket_detail(ctx, no)
            if detail is None:
                raise FormError([("工单编号", f"没有工单 {no}")])
            return detail

        def found(answer: FormDone | FormFailed | None) -> None:
            if isinstance(answer, FormDone):
                self.detail_no = answer.result.record["ticket_no"]
                self.detail_message = ""
                self._show_detail(answer.result)
                self.query_one("#hotline-tabs", TabbedContent).active = "tab-detail"
            elif isinstance(answer, FormFailed):
                self.report_write_error(answer.error, reload=False)

        self.app.push_screen(
            RecordForm("打开工单", [FormField("ticket_no", "工单编号", required=True)], find, submit_label="打开"),
            found,
        )

    # -- export ------------------------------------------------------------------------------
    def export_view(self) -> PanelExport | None:
        view, ctx = self.view, self.context
        if view is None or ctx is None:
            return None
        tab = self.active_tab
        grid = [ctx.grid.name] if ctx.grid is not None else []
        if tab == "tab-open":
            return PanelExport(
                "热线未办结工单",
                partial(all_open_tickets, ctx),
                spec=HOTLINE_SPEC,
                labels=OPEN_LABELS,
                file_stem="-".join(["热线未办结工单", *grid, f"截至{ctx.today:%Y-%m-%d}"]),
            )
        if tab == "tab-categories":
            return PanelExport("热线分类统计", view.categories, labels=CATEGORY_LABELS)
        if tab == "tab-grids":
            return PanelExport("热线网格统计", view.grids, labels=GRID_LABELS)
        if tab == "tab-detail":
            if self.detail is None:
                return None
            no = self.detail.record["ticket_no"]
            rows = pa.table(
                {
                    "rev": [v.rev for v in self.detail.versions],
                    "at": [_local(v.at) for v in self.detail.versions],
                    "by": [v.by for v in self.detail.versions],
                    "changes": [
                        "；".join(f"{c.label}：{_shown_value(c.old)} → {_shown_value(c.new)}" for c in v.changes)
                        or v.summary
                        for v in self.detail.versions
                    ],
                }
            )
            return PanelExport(
                f"工单{no}修改记录",
                rows,
                labels={"rev": "版本", "at": "时间", "by": "操作人", "changes": "改动"},
                file_stem=f"热线工单-{no}-修改记录",
            )
        rows = view.figures.rows()
        fc = view.figures
        table = pa.table(
            {
                "figure": [r.label.strip("　") for r in rows],
                "current": [r.current for r in rows],
                "previous": [r.previous for r in rows],
                "change": [r.change for r in rows],
            }
        )
        return PanelExport(
            "热线指标",
            table,
            labels={
                "figure": "指标",
                "current": fc.period.label,
                "previous": fc.previous_period.label if fc.previous_period else "上期",
                "change": "变化",
            },
        )


def _month_end(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


# -- the writes, run in the form's worker thread ----------------------------------------------------
def _add_ticket(ctx: Context, values: dict) -> tickets.Intake:
    values = dict(values)
    category = values.pop("category", None)
    if category:
        values["category1"], values["category2"] = category.split("/", 1)
    try:
        return tickets.add_ticket(ctx, values)
    except tickets.TicketError as exc:
        raise FormError(exc.problems) from exc
    except ValidationError as exc:
        raise FormError([(p.column or "", p.reason) for p in exc.problems]) from exc


def _run_step(
    ctx: Context, ticket_no: str, rev: int | None, step: Callable[[Context, str, int, dict], int], values: dict
) -> int:
    """One step of a ticket's life from the revision the user saw (``rev``; None: the current one)."""
    current = ctx.store.get(HOTLINE, ticket_no)
    if current is None:
        raise FormError([("", f"没有工单 {ticket_no}")])
    if rev is not None and current[REV] != rev:
        raise StaleRevisionError(HOTLINE, ticket_no, rev, current[REV], current[BY], current[AT])
    try:
        return step(ctx, ticket_no, current[REV], values)
    except tickets.TicketError as exc:
        raise FormError(exc.problems) from exc


def _when(values: dict, name: str, label: str) -> dt.datetime | None:
    try:
        return tickets.parse_datetime(values.get(name))
    except ValueError as exc:
        raise FormError([(label, str(exc))]) from exc


def _sign(ctx: Context, ticket_no: str, rev: int, values: dict) -> int:
    return tickets.sign_ticket(ctx, ticket_no, expected_rev=rev, at=_when(values, "signed_at", "签收时间"))


def _close(ctx: Context, ticket_no: str, rev: int, values: dict) -> int:
    return tickets.close_ticket(ctx, ticket_no, expected_rev=rev, at=_when(values, "closed_at", "办结时间"))


def _callback(ctx: Context, ticket_no: str, rev: int, values: dict) -> int:
    result = values.get("callback")
    if not result:
        raise FormError([("回访结果", "请选择回访结果")])
    reason = values.get("unsatisfied_reason")
    if result == UNSATISFIED and not (reason or "").strip():
        raise FormError([("不满意原因", "回访不满意时须填写原因")])
    return tickets.record_callback(ctx, ticket_no, result, reason, expected_rev=rev)
