"""The 12345热线 panel: the period's figures beside the previous period's, the monthly trend, the
quarterly rank, breakdowns by 分类 and by 网格, the open tickets by 办理时限, and one ticket with
its history; new tickets, 签收, 办结 and 回访 as new versions.

Slightly over 400 lines: the actions read the panel's selection and their forms' answers reload
it, so they stay beside it.

Five tabs, one widget each (``widgets/``), so it works in 80×24 and uses the room of a large
terminal. Here: the tabs composed, ``load`` (the queries, side by side in the shell's workers),
the actions and their forms, and the export. Every figure comes from the data modules
(``overview``, ``ranking``, ``open_list``, ``history``), every write from ``tickets``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pyarrow as pa
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import TabbedContent, TabPane

from fazhi_tui.api import (
    AT,
    BY,
    CHECK,
    CHOICE,
    REV,
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
    ValidationError,
    requires_write,
)

from . import tickets
from .breakdowns import CATEGORY_LABELS, GRID_LABELS
from .history import HISTORY_LABELS, TicketDetail, format_value, history_rows, ticket_detail
from .open_list import OPEN_LABELS, all_open_tickets, keep_open_rows, open_tickets
from .overview import overview
from .ranking import quarter_ranks
from .tables import (
    APPEAL_TYPES,
    CALLBACKS,
    HOTLINE,
    HOTLINE_SPEC,
    PHONE_ORDER,
    SOURCES,
    URGENCIES,
    category_pairs,
)
from .view import HotlineView
from .widgets import CategoriesTab, DetailTab, GridsTab, OpenTab, OverviewTab


def now_text() -> str:
    return tickets.now().strftime("%Y-%m-%d %H:%M")


class HotlinePanel(Panel):
    LOAD_BEFORE_MOUNT = True  # its load reads only the context and what __init__ sets
    DEFAULT_CSS = """
    HotlinePanel TabbedContent { height: 1fr; }
    HotlinePanel TabPane { padding: 0; height: 1fr; }
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
                yield OverviewTab(id="overview-scroll")
            with TabPane("分类", id="tab-categories"):
                yield CategoriesTab()
            with TabPane("网格", id="tab-grids"):
                yield GridsTab()
            with TabPane("未办结工单", id="tab-open"):
                yield OpenTab()
            with TabPane("工单详情", id="tab-detail"):
                yield DetailTab(id="detail-scroll")

    def on_resize(self) -> None:
        for tab in self.query(OverviewTab).results(OverviewTab):
            tab.fit(self.size)

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one("#hotline-tabs", TabbedContent)

    # -- data --------------------------------------------------------------------------------
    def load(self, ctx: Context) -> HotlineView:
        detail_no = self.detail_no  # a str set on the UI thread; read once
        # Independent queries, each too small to keep both cores busy alone: side by side.
        done = self.side_by_side(
            {
                # The figures, the trend and both breakdowns read the same rows: one query.
                "overview": lambda: overview(ctx),
                "ranks": lambda: quarter_ranks(ctx),
                # Served from the town's open tickets, read once per state of the files (open_list.py).
                "open_page": lambda: open_tickets(ctx),
                "grid_choices": lambda: tickets.grid_choices(ctx),
                "detail": lambda: ticket_detail(ctx, detail_no) if detail_no else None,
            }
        )
        ov = done.pop("overview")
        return HotlineView(
            ctx=ctx, figures=ov.figures, trend=ov.trend, categories=ov.categories, grids=ov.grids, **done
        )

    async def show(self, view: HotlineView) -> None:
        self.view = view
        self.query_one(OverviewTab).show(view)
        self.query_one(CategoriesTab).show(view)
        self.query_one(GridsTab).show(view)
        await self.query_one(OpenTab).show(view)
        self._show_detail(view.detail)
        # The town's open tickets, kept for the next pages and grid and period changes, are
        # read once this screen is drawn, not for it (open_list.py).
        self.call_after_refresh(self._keep_open_rows, view.ctx)

    def _keep_open_rows(self, ctx: Context) -> None:
        if self.is_attached:
            # A failure costs only the memory: every page and count is read from the files then.
            self.run_in_thread(
                partial(keep_open_rows, ctx), done=lambda _kept: None, failed=lambda _error: None, group="open-rows"
            )

    @property
    def active_tab(self) -> str:
        return self.tabs.active

    @on(PagedTable.RowChosen, "#open-list")
    def _row_chosen(self, event: PagedTable.RowChosen) -> None:
        self.open_detail(event.record["ticket_no"])

    # -- one ticket --------------------------------------------------------------------------
    # The shell's "open this record" (the daily review's Enter): a ticket in 工单详情, the open
    # list for the table as a whole.
    RECORD_TABS = {HOTLINE: "tab-open"}

    def open_one(self, table: str, record_id: str) -> None:
        self.open_detail(record_id)

    def open_detail(self, ticket_no: str) -> None:
        """Show one ticket and its history in the 工单详情 tab (queried in a worker)."""
        tab = self.query_one(DetailTab)
        fetch = partial(ticket_detail, ticket_no=ticket_no)
        if self.show_in_tab("tab-detail", fetch, self._show_detail, focus=tab, group="detail"):
            self.detail_no = ticket_no
            self.detail_message = ""
            tab.show_loading(ticket_no)

    def _show_detail(self, detail: TicketDetail | None) -> None:
        self.detail = detail
        self.query_one(DetailTab).show(detail, wanted=self.detail_no, message=self.detail_message)
        if detail is not None and self.active_tab == "tab-detail":
            self.refresh_bindings()  # `e` exports this ticket's history now

    # -- actions -----------------------------------------------------------------------------
    # t / T (action_next_tab) and where the focus goes after a tab change: the Panel base.
    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()  # `e` exports what the tab shows

    def _target(self) -> tuple[str, int | None, dict] | None:
        """The ticket an action applies to: the highlighted row of the open list when that tab
        is shown (its revision is read when saving), else the ticket in 工单详情 at the revision
        shown (a newer one saved meanwhile by someone else refuses the save)."""
        if self.active_tab == "tab-open":
            record = self.query_one(OpenTab).highlighted_record()
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
                "新建12345工单",
                fields,
                partial(_add_ticket, ctx),
                intro=f"新建的工单属于{ctx.town or '本镇'}，状态为待签收。",
            ),
            self._ticket_added,
        )

    def _ticket_added(self, answer: FormDone | FormFailed | None) -> None:
        if isinstance(answer, FormFailed):
            self.report_write_error(answer.error)
        elif isinstance(answer, FormDone):
            intake: tickets.Intake = answer.result
            row = intake.row
            message = f"已新建工单 {row['ticket_no']}，办理时限 {row['deadline']:%Y-%m-%d}"
            if intake.deadline is not None and intake.deadline.note:
                message += f"\n{intake.deadline.note}"
            self.notify(message, title="已保存")
            self.detail_no = row["ticket_no"]
            self.reload()

    def _step_form(
        self, title: str, fields: list[FormField], step: Callable[[Context, str, int, dict], Any], done: str
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
                closed = answer.result if isinstance(answer.result, Closed) else None
                rev = closed.rev if closed is not None else answer.result
                message = f"工单 {ticket_no} {done}（第 {rev} 版）"
                if closed is not None and closed.late is not None:
                    late = f"超过办理时限 {closed.late} 个工作日" if closed.late else "已过办理时限"
                    message += f"；{late}（时限 {closed.deadline:%Y-%m-%d}），计入超期件数"
                self.notify(
                    message, title="已保存", severity="warning" if closed and closed.late is not None else "information"
                )
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
        fields = [
            FormField("closed_at", "办结时间", value=now_text(), required=True),
            FormField("result", "办理结果", required=True, placeholder="如何办理、结果如何"),
        ]
        self._step_form("办结工单", fields, _close, "已办结")

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
            detail = ticket_detail(ctx, no)
            if detail is None:
                raise FormError([("工单编号", f"没有工单 {no}")])
            return detail

        def found(answer: FormDone | FormFailed | None) -> None:
            if isinstance(answer, FormDone):
                self.detail_no = answer.result.record["ticket_no"]
                self.detail_message = ""
                self._show_detail(answer.result)
                self.tabs.active = "tab-detail"
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
            return PanelExport(
                f"工单{no}修改记录",
                history_rows(self.detail),
                labels=HISTORY_LABELS,
                file_stem=f"热线工单-{no}-修改记录",
            )
        rows = view.figures.rows()
        fc = view.figures
        return PanelExport(
            "热线指标",
            pa.table(
                {
                    "figure": [r.label.strip("　") for r in rows],
                    "current": [r.current for r in rows],
                    "previous": [r.previous for r in rows],
                    "change": [r.change for r in rows],
                }
            ),
            labels={
                "figure": "指标",
                "current": fc.period.label,
                "previous": fc.previous_period.label if fc.previous_period else "上期",
                "change": "变化",
            },
        )


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
    ctx: Context, ticket_no: str, rev: int | None, step: Callable[[Context, str, int, dict], Any], values: dict
) -> Any:
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


@dataclass(frozen=True)
class Closed:
    """A ticket just closed: its new revision, and how late (``tickets.late_by``)."""

    rev: int
    deadline: dt.date | None
    late: int | None


def _close(ctx: Context, ticket_no: str, rev: int, values: dict) -> Closed:
    result = (values.get("result") or "").strip()
    if not result:
        raise FormError([("办理结果", "请写明办理结果：如何办理、结果如何")])
    at = _when(values, "closed_at", "办结时间") or tickets.now()
    new_rev = tickets.close_ticket(ctx, ticket_no, expected_rev=rev, at=at, result=result)
    closed = ctx.store.get(HOTLINE, ticket_no) or {}
    deadline = closed.get("deadline")
    return Closed(new_rev, deadline, tickets.late_by(deadline, at))


def _callback(ctx: Context, ticket_no: str, rev: int, values: dict) -> int:
    result = values.get("callback")
    if not result:
        raise FormError([("回访结果", "请选择回访结果")])
    # 不满意 needs its reason: tickets.record_callback says so (the form shows its message).
    return tickets.record_callback(ctx, ticket_no, result, values.get("unsatisfied_reason"), expected_rev=rev)
