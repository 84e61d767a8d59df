"""The 执法台账 panel: the period's figures beside the previous period's and the 三项制度 rates
(概况), the actions, the cases with their 提示 (整改超期, 公示超期, 公示待办, 待复查: a word and a
colour), the cases that fail a rate one key (c) away, and one case or action with its history
(详情: Enter on a list, or the daily review's Enter); forms for a new action, a new case (or one
from a 12345 ticket), 复查, 结案 and 公示, each saved as a new version.

Every query runs in ``load`` or in a worker (``run_in_thread``); figures come from ``figures``,
lists from ``lists``, writes from ``records``. About 520 lines in one module: the panel's key actions and their forms share its state (the shown
case, the open tab), so they stay beside it; the tabs themselves are in ``widgets/``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import pyarrow as pa
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static, TabbedContent, TabPane

from fazhi_tui.api import (
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
    RecordDetail,
    RecordForm,
    RecordView,
    TableCache,
    TablePage,
    ValidationError,
    record_detail,
    requires_write,
)

from . import figures, lists, records
from .figures import COMPLIANCE, COMPLIANCE_LABELS, Comparison, Rate
from .sql import FLAG_AWAITING_REVIEW, FLAG_PUBLICITY_DUE, FLAG_PUBLICITY_LATE, FLAG_RECTIFY_OVERDUE
from .tables import (
    ACTIONS,
    CASES,
    HANDLINGS,
    LEGAL_REVIEWS,
    NOT_APPLICABLE,
    REVIEW_RESULTS,
    SOURCES,
    type_codes,
)
from .widgets.compliance_view import ComplianceView
from .widgets.figures_view import FiguresView

TABS = ("tab-overview", "tab-actions", "tab-cases", "tab-failing", "tab-detail")
FLAG_STYLES = {
    FLAG_RECTIFY_OVERDUE: "bold red",
    FLAG_PUBLICITY_LATE: "bold red",
    FLAG_PUBLICITY_DUE: "yellow",
    FLAG_AWAITING_REVIEW: "cyan",
}
MODE_LABELS = {lists.PERIOD_CASES: "本期案件", lists.TODO_CASES: "待办案件（不分期间）"}


@dataclass(frozen=True)
class EnforcementView:
    """What the panel shows for one context and one state of the files (``load``'s result). A
    load fetches only what its tab shows (the others stay None until their tab is opened): a
    period change on the 概况 costs the figures' two queries, not every list's."""

    ctx: Context
    state: tuple  # the signatures of the files the data was read from
    grid_choices: list[tuple[str, str]]
    types: tuple[str, ...]
    mode: str
    failing_key: str
    comparison: Comparison | None = None  # 概况
    action_figures: figures.Figures | None = None  # 整治行动: the period's line above the list
    actions: lists.Page | None = None
    cases: lists.Page | None = None  # 执法案件, in ``mode``
    failing: lists.Page | None = None  # 未落实, for ``failing_key``

    def has(self, tab: str) -> bool:
        """Whether the data ``tab`` shows is here (the 详情 tab fetches its record itself)."""
        return tab not in TAB_DATA or getattr(self, TAB_DATA[tab]) is not None


TAB_DATA = {"tab-overview": "comparison", "tab-actions": "actions", "tab-cases": "cases", "tab-failing": "failing"}
TAB_FIELDS = ("comparison", "action_figures", "actions", "cases", "failing")
GRID_CACHE: TableCache[list[tuple[str, str]]] = TableCache("grids", size=2)


def _grid_choices(ctx: Context) -> list[tuple[str, str]]:
    def read() -> list[tuple[str, str]]:
        grids = ctx.query("SELECT code, name, village FROM grids ORDER BY code").to_pylist()
        return [(f"{g['name']}（{g['village']}）" if g["village"] else g["name"], g["code"]) for g in grids]

    return GRID_CACHE.get(ctx.store, "choices", read)


def _state(ctx: Context) -> tuple:
    return tuple(ctx.store.files(t).signature for t in (ACTIONS, CASES, "grids", "people"))


def _paged(page: lists.Page) -> TablePage:
    more = page.more
    return TablePage(page.rows, (lambda: _paged(more())) if more is not None else None)


def _now_text() -> str:
    return dt.datetime.now().strftime("%Y-%m-%d %H:%M")


class EnforcementPanel(Panel):
    LOAD_BEFORE_MOUNT = True  # its load reads only the context and what __init__ sets
    DEFAULT_CSS = """
    EnforcementPanel TabbedContent { height: 1fr; }
    EnforcementPanel TabPane { padding: 0; height: 1fr; }
    EnforcementPanel #overview-scroll { height: 1fr; }
    EnforcementPanel #overview-top { height: auto; layout: vertical; }
    EnforcementPanel.-wide #overview-top { layout: horizontal; }
    EnforcementPanel #compliance { width: 1fr; margin-bottom: 1; }
    EnforcementPanel.-wide #compliance { width: 62; margin-right: 2; }
    EnforcementPanel #figures { width: 1fr; }
    EnforcementPanel .list-summary { height: auto; }
    EnforcementPanel PagedTable { height: 1fr; }
    EnforcementPanel #detail-scroll { height: 1fr; }
    EnforcementPanel #detail { height: auto; }
    """

    BINDINGS = [
        Binding("n", "new_case", "新建案件", id="enforcement.new_case"),
        Binding("a", "new_action", "新建行动", id="enforcement.new_action"),
        Binding("o", "case_from_ticket", "按工单立案", id="enforcement.from_ticket"),
        Binding("v", "review_case", "复查", id="enforcement.review"),
        Binding("x", "close_case", "结案", id="enforcement.close"),
        Binding("u", "publish_case", "公示", id="enforcement.publish"),
        Binding("c", "failing", "未落实案件", id="enforcement.failing"),
        Binding("m", "toggle_mode", "本期/待办", id="enforcement.mode"),
        Binding("t", "next_tab", "下一页签", show=False, id="enforcement.next_tab"),
        Binding("T", "next_tab(-1)", "上一页签", show=False, id="enforcement.previous_tab"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.view: EnforcementView | None = None
        self.mode = lists.PERIOD_CASES  # read in load (a str set on the UI thread)
        self.failing_key = COMPLIANCE[0][0]
        self.pick_failing = True  # the first load picks the first rate that has failing cases
        self.tab = TABS[0]  # the open tab: ``load`` fetches what it shows

    # -- widgets -----------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="enforcement-tabs"):
            with TabPane("概况", id="tab-overview"):
                with VerticalScroll(id="overview-scroll"):
                    # The 三项制度 first: at 80×24 they are what shows without scrolling; side by
                    # side with the figures in a wide terminal.
                    with Horizontal(id="overview-top"):
                        yield ComplianceView(id="compliance")
                        yield FiguresView(id="figures")
            with TabPane("整治行动", id="tab-actions"):
                yield Static("", id="actions-summary", classes="list-summary")
                yield PagedTable(id="actions-list", empty_text="本期没有整治行动")
            with TabPane("执法案件", id="tab-cases"):
                yield Static("", id="cases-summary", classes="list-summary")
                yield PagedTable(id="cases-list", empty_text="没有案件", style_column="flag", row_styles=FLAG_STYLES)
            with TabPane("未落实", id="tab-failing"):
                yield Static("", id="failing-summary", classes="list-summary")
                yield PagedTable(
                    id="failing-list", empty_text="没有未落实的案件", style_column="flag", row_styles=FLAG_STYLES
                )
            with TabPane("详情", id="tab-detail"):
                with VerticalScroll(id="detail-scroll"):
                    yield RecordView("在“执法案件”或“未落实”中选中一宗按回车，在此查看详情与修改记录。", id="detail")

    def on_resize(self) -> None:
        self.set_class(self.size.width >= 96, "-wide")

    # -- data --------------------------------------------------------------------------------
    def load(self, ctx: Context) -> EnforcementView:
        tab, mode, failing_key, pick = self.tab, self.mode, self.failing_key, self.pick_failing
        base: dict[str, Any] = dict(
            ctx=ctx,
            state=_state(ctx),
            grid_choices=_grid_choices(ctx),
            types=type_codes(ctx.store),
            mode=mode,
            failing_key=failing_key,
        )
        if tab not in TAB_DATA:  # 详情: one record, fetched when it is opened
            return EnforcementView(**base)
        if tab == "tab-actions":
            f = figures.action_figures(ctx)
            return EnforcementView(**base, action_figures=f, actions=lists.actions_page(ctx, total=f.actions))
        if tab == "tab-cases":
            return EnforcementView(**base, cases=lists.cases_page(ctx, mode))
        if tab == "tab-failing":
            if pick:
                rates = figures.figures(ctx).compliance
                base["failing_key"] = next((k for k, *_ in COMPLIANCE if rates[k].failing), failing_key)
            return EnforcementView(**base, failing=lists.cases_page(ctx, failing=base["failing_key"]))
        comparison = figures.comparison(ctx)
        if pick:
            rates = comparison.current.compliance
            base["failing_key"] = next((k for k, *_ in COMPLIANCE if rates[k].failing), failing_key)
        return EnforcementView(**base, comparison=comparison)

    async def show(self, view: EnforcementView) -> None:
        old = self.view
        if old is not None and old.ctx is view.ctx and old.state == view.state:
            # Another tab's data for what is on screen: keep what the other tabs had.
            kept = {f: getattr(old, f) for f in TAB_FIELDS if getattr(view, f) is None}
            if old.mode != view.mode:
                kept.pop("cases", None)
            if old.failing_key != view.failing_key:
                kept.pop("failing", None)
            view = replace(view, **kept)
        self.view = view
        self.failing_key = view.failing_key
        self.pick_failing = False
        if view.comparison is not None:
            self.query_one("#figures", FiguresView).show_comparison(view.comparison, view.ctx.grid_label, view.types)
            self.query_one("#compliance", ComplianceView).show_comparison(view.comparison, "c")
        if view.actions is not None:
            await self._show_actions(view)
        if view.cases is not None:
            await self._show_cases(view)
        if view.failing is not None:
            await self._show_failing(view)

    async def _show_actions(self, view: EnforcementView) -> None:
        assert view.actions is not None
        f = view.action_figures or (view.comparison.current if view.comparison is not None else None)
        summary = Text.assemble((f"{view.ctx.period.label} · {view.ctx.grid_label}", "bold"))
        if f is not None:
            summary.append(f"　整治行动 {f.actions} 次，联合行动 {f.joint_actions} 次，出动 {f.turnout} 人次")
        self.query_one("#actions-summary", Static).update(summary)
        await self.query_one("#actions-list", PagedTable).show_page(
            _paged(view.actions), lists.ACTION_COLUMNS, total=view.actions.total
        )

    async def _show_cases(self, view: EnforcementView) -> None:
        page = view.cases
        assert page is not None
        counts = page.counts or {}
        scope = view.ctx.period.label if view.mode == lists.PERIOD_CASES else "不分期间"
        summary = Text.assemble((f"{MODE_LABELS[view.mode]} · {scope} · {view.ctx.grid_label}", "bold"))
        summary.append("　按 m 切换本期/待办\n", style="dim")
        for i, (flag, style) in enumerate(FLAG_STYLES.items()):
            if i:
                summary.append(" · ")
            n = counts.get(flag, 0)
            summary.append(f"{flag} {n} 宗", style=style if n else "")
        self.query_one("#cases-summary", Static).update(summary)
        await self.query_one("#cases-list", PagedTable).show_page(_paged(page), lists.CASE_COLUMNS, total=page.total)

    async def _show_failing(self, view: EnforcementView) -> None:
        page = view.failing
        assert page is not None
        label = COMPLIANCE_LABELS[view.failing_key]
        rate = Rate(*page.rate) if page.rate is not None else Rate(0, page.total)
        summary = Text.assemble((f"未落实：{label}", "bold"), f"　{view.ctx.period.label} · {view.ctx.grid_label}")
        summary.append(f"　{rate.failing} 宗（落实率 {rate.text()}）", style="bold red" if rate.failing else "")
        summary.append("\n按 c 切换下一项：" + "、".join(COMPLIANCE_LABELS.values()), style="dim")
        self.query_one("#failing-summary", Static).update(summary)
        await self.query_one("#failing-list", PagedTable).show_page(_paged(page), lists.CASE_COLUMNS, total=page.total)

    @property
    def active_tab(self) -> str:
        return self.query_one("#enforcement-tabs", TabbedContent).active

    # -- navigation --------------------------------------------------------------------------
    # t / T (action_next_tab) and where the focus goes after a tab change: the Panel base; a
    # list fetched for the new tab takes the focus when it is shown.
    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.tab = self.active_tab  # read by ``load`` (a str set on the UI thread)
        self.refresh_bindings()  # `e` exports what the tab shows
        view = self.view
        if view is not None and not view.has(self.tab):
            self.reload()  # the tab's data was not fetched for what is on screen

    # -- one case or action: the shell's "open this record" (the daily review's Enter), or Enter
    # on a case in a list -------------------------------------------------------------------------
    RECORD_TABS = {CASES: "tab-cases", ACTIONS: "tab-actions"}

    def open_one(self, table: str, record_id: str) -> None:
        view = self.query_one("#detail", RecordView)

        def done(detail: RecordDetail | None) -> None:
            view.show_detail(detail, f"没有编号为 {record_id} 的记录")

        fetch = partial(record_detail, table=table, record_id=record_id)
        if self.show_in_tab("tab-detail", fetch, done, focus=self.query_one("#detail-scroll"), group="detail"):
            view.show_loading(record_id)

    @on(PagedTable.RowChosen, "#cases-list, #failing-list")
    def _case_chosen(self, event: PagedTable.RowChosen) -> None:
        self.open_one(CASES, event.record["case_no"])

    @on(PagedTable.RowChosen, "#actions-list")
    def _action_chosen(self, event: PagedTable.RowChosen) -> None:
        self.open_one(ACTIONS, event.record["action_no"])

    def action_failing(self) -> None:
        """The cases failing a 三项制度 rate; pressed again on that tab, the next rate."""
        tabs = self.query_one("#enforcement-tabs", TabbedContent)
        if tabs.active == "tab-failing":
            keys = [k for k, *_ in COMPLIANCE]
            self.failing_key = keys[(keys.index(self.failing_key) + 1) % len(keys)]
            ctx = self.context
            if ctx is not None:
                key = self.failing_key
                self.run_in_thread(
                    partial(lists.cases_page, ctx, failing=key),
                    done=partial(self._failing_loaded, key),
                    group="failing",
                )
        tabs.active = "tab-failing"
        self.query_one("#failing-list", PagedTable).focus()

    async def _failing_loaded(self, key: str, page: lists.Page) -> None:
        if self.view is None or key != self.failing_key:
            return
        self.view = replace(self.view, failing=page, failing_key=key)
        await self._show_failing(self.view)

    def action_toggle_mode(self) -> None:
        self.mode = lists.TODO_CASES if self.mode == lists.PERIOD_CASES else lists.PERIOD_CASES
        self.query_one("#enforcement-tabs", TabbedContent).active = "tab-cases"
        self.reload()

    # -- the case an action applies to ------------------------------------------------------------
    def _target(self) -> str | None:
        tab = self.active_tab
        table = {"tab-cases": "#cases-list", "tab-failing": "#failing-list"}.get(tab)
        if table is None:
            return None
        record = self.query_one(table, PagedTable).highlighted_record()
        return record["case_no"] if record else None

    def _step(
        self,
        title: str,
        fields: list[FormField],
        step: Callable[[Context, str, int, dict], int],
        done: str,
    ) -> None:
        ctx, case_no = self.context, self._target()
        if ctx is None:
            return
        if case_no is None:
            self.notify("请先在“执法案件”或“未落实”中选中一宗案件", severity="warning")
            return

        def submit(values: dict) -> int:
            current = ctx.store.get(CASES, case_no)
            if current is None:
                raise FormError([("", f"没有案件 {case_no}")])
            try:
                return step(ctx, case_no, current[REV], values)
            except records.EntryError as exc:
                raise FormError(exc.problems) from exc
            except ValidationError as exc:
                raise FormError([(p.column or "", p.reason) for p in exc.problems]) from exc

        def answered(answer: FormDone | FormFailed | None) -> None:
            if isinstance(answer, FormFailed):
                self.report_write_error(answer.error)
            elif isinstance(answer, FormDone):
                self.notify(f"案件 {case_no} {done}（第 {answer.result} 版）", title="已保存")
                self.reload()

        self.app.push_screen(RecordForm(title, fields, submit, intro=f"案件 {case_no}"), answered)

    # -- forms -------------------------------------------------------------------------------
    def _case_fields(self, ctx: Context, view: EnforcementView, values: dict[str, Any]) -> list[FormField]:
        officers = lists.officers(ctx)
        choices = [(f"{o['name']}（{o['badge_no']}）", o["person_id"]) for o in officers]

        def v(name: str, default: Any = None) -> Any:
            return values.get(name, default)

        return [
            FormField("case_no", "案件编号", value=v("case_no"), placeholder="留空自动编号，如 AJ20261126-01"),
            FormField("source", "来源", CHOICE, SOURCES, value=v("source", SOURCES[0]), required=True),
            FormField("ticket_ref", "关联工单", value=v("ticket_ref"), placeholder="12345工单编号（可空）"),
            FormField("action_ref", "行动编号", value=v("action_ref"), placeholder="所属整治行动（可空）"),
            FormField("found_at", "发现时间", value=v("found_at", _now_text()), required=True),
            FormField("grid", "网格", CHOICE, view.grid_choices, value=v("grid", ctx.grid.code if ctx.grid else None)),
            FormField("place", "地点", value=v("place")),
            FormField("party", "当事人", value=v("party")),
            FormField("party_phone", "当事人电话", value=v("party_phone")),
            FormField("party_id", "身份证号", value=v("party_id")),
            FormField("violation_type", "违法类型", CHOICE, view.types, value=v("violation_type"), required=True),
            FormField("violation", "违法行为", value=v("violation")),
            FormField("legal_basis", "依据条款", value=v("legal_basis")),
            FormField("handling", "处理方式", CHOICE, HANDLINGS, value=v("handling")),
            FormField("officer1", "执法人员1", CHOICE, choices, value=v("officer1"), aliases=("执法证号1",)),
            FormField("officer2", "执法人员2", CHOICE, choices, value=v("officer2"), aliases=("执法证号2",)),
            FormField("av_record", "音像记录号", value=v("av_record")),
            FormField("major", "重大执法决定", CHECK, value=bool(v("major", False)), aliases=("是否重大执法决定",)),
            FormField("legal_review", "法制审核", CHOICE, LEGAL_REVIEWS, value=v("legal_review", NOT_APPLICABLE)),
            FormField("decided_on", "决定日期", value=v("decided_on"), placeholder="如 2026-11-26"),
            FormField("fine", "罚款金额", value=v("fine"), placeholder="元"),
            FormField("rectify_by", "整改期限", value=v("rectify_by"), placeholder="责令限期改正时填写"),
        ]

    def _open_case_form(self, values: dict[str, Any], title: str = "新建执法案件") -> None:
        ctx, view = self.context, self.view
        if ctx is None or view is None:
            return

        def submit(form_values: dict) -> dict:
            try:
                return records.add_case(ctx, form_values)
            except records.EntryError as exc:
                raise FormError(exc.problems) from exc
            except ValidationError as exc:
                raise FormError([(p.column or "", p.reason) for p in exc.problems]) from exc

        def answered(answer: FormDone | FormFailed | None) -> None:
            if isinstance(answer, FormFailed):
                self.report_write_error(answer.error)
            elif isinstance(answer, FormDone):
                row = answer.result
                self.notify(f"已登记案件 {row['case_no']}（{row['status']}）", title="已保存")
                self.reload()

        intro = "执法人员从人员表中选择，执法证号自动填入；劝阻以外的处理须有两名执法人员。"
        self.run_in_thread(
            partial(self._case_fields, ctx, view, values),
            done=lambda fields: self.app.push_screen(RecordForm(title, fields, submit, intro=intro), answered),
            group="case-form",
        )

    @requires_write(CASES)
    def action_new_case(self) -> None:
        self._open_case_form({})

    @requires_write(CASES)
    def action_case_from_ticket(self) -> None:
        ctx = self.context
        if ctx is None:
            return

        def find(values: dict) -> dict:
            no = (values.get("ticket_no") or "").strip()
            if not no:
                raise FormError([("工单编号", "请填写工单编号")])
            try:
                return records.from_ticket(ctx, no)
            except records.EntryError as exc:
                raise FormError([("工单编号", msg) for _label, msg in exc.problems]) from exc

        def found(answer: FormDone | FormFailed | None) -> None:
            if isinstance(answer, FormDone):
                self._open_case_form(answer.result, title=f"由12345工单 {answer.result['ticket_ref']} 新建案件")
            elif isinstance(answer, FormFailed):
                self.report_write_error(answer.error, reload=False)

        self.app.push_screen(
            RecordForm(
                "按12345工单立案", [FormField("ticket_no", "工单编号", required=True)], find, submit_label="下一步"
            ),
            found,
        )

    @requires_write(ACTIONS)
    def action_new_action(self) -> None:
        ctx, view = self.context, self.view
        if ctx is None or view is None:
            return
        fields = [
            FormField("action_no", "行动编号", placeholder="留空自动编号，如 XD20261126-01"),
            FormField("day", "日期", value=ctx.today.isoformat(), required=True),
            FormField("action_type", "行动类型", CHOICE, view.types, required=True),
            FormField("grid", "网格", CHOICE, view.grid_choices, value=ctx.grid.code if ctx.grid else None),
            FormField("place", "地点"),
            FormField("partners", "联合单位", placeholder="以“、”分隔，如 市场所、派出所"),
            FormField("leaders", "带队人员", placeholder="姓名或人员编号，以“、”分隔"),
            FormField("turnout", "出动人次"),
            FormField("av_record", "音像记录号"),
            FormField("problems_found", "发现问题数"),
            FormField("dissuaded", "劝阻数"),
            FormField("note", "备注"),
        ]

        def submit(values: dict) -> dict:
            try:
                return records.add_action(ctx, values)
            except records.EntryError as exc:
                raise FormError(exc.problems) from exc
            except ValidationError as exc:
                raise FormError([(p.column or "", p.reason) for p in exc.problems]) from exc

        def answered(answer: FormDone | FormFailed | None) -> None:
            if isinstance(answer, FormFailed):
                self.report_write_error(answer.error)
            elif isinstance(answer, FormDone):
                self.notify(f"已登记整治行动 {answer.result['action_no']}", title="已保存")
                self.reload()

        self.app.push_screen(RecordForm("新建整治行动", fields, submit), answered)

    @requires_write(CASES)
    def action_review_case(self) -> None:
        fields = [
            FormField("reviewed_on", "复查日期", value=self._today(), required=True),
            FormField("review_result", "复查结果", CHOICE, REVIEW_RESULTS, required=True),
            FormField("rectify_by", "新整改期限", placeholder="未整改时可给出新的整改期限"),
        ]
        self._step("复查", fields, records.record_review, "已记录复查")

    @requires_write(CASES)
    def action_close_case(self) -> None:
        self._step("结案", [], records.close_case, "已结案")

    @requires_write(CASES)
    def action_publish_case(self) -> None:
        fields = [FormField("published_on", "公示日期", value=self._today(), required=True)]
        self._step("处罚决定公示", fields, records.record_publicity, "已记录公示")

    def _today(self) -> str:
        ctx = self.context
        return (ctx.today if ctx is not None else dt.date.today()).isoformat()

    # -- export ------------------------------------------------------------------------------
    def export_view(self) -> PanelExport | None:
        view, ctx = self.view, self.context
        if view is None or ctx is None:
            return None
        tab = self.active_tab
        case_labels = {**lists.CASE_COLUMNS}
        pii = {"party": "name"}
        if not view.has(tab):
            return None  # its data is on its way
        if tab == "tab-actions" and view.actions is not None:
            return PanelExport("整治行动", partial(lists.every_page, view.actions), labels=lists.ACTION_COLUMNS)
        if tab == "tab-cases" and view.cases is not None:
            title = "执法案件" if view.mode == lists.PERIOD_CASES else "执法待办案件"
            stem = None if view.mode == lists.PERIOD_CASES else f"{title}-截至{ctx.today:%Y-%m-%d}"
            return PanelExport(
                title, partial(lists.every_page, view.cases), labels=case_labels, pii=pii, file_stem=stem
            )
        if tab == "tab-detail":
            return None
        if tab == "tab-failing" and view.failing is not None:
            title = f"未落实-{COMPLIANCE_LABELS[view.failing_key]}"
            return PanelExport(title, partial(lists.every_page, view.failing), labels=case_labels, pii=pii)
        if view.comparison is None:
            return None
        return PanelExport("执法台账指标", _figures_table(view.comparison), labels=FIGURE_LABELS)


FIGURE_LABELS = {"figure": "指标", "current": "本期", "previous": "上期"}


def _figures_table(comparison: Comparison) -> pa.Table:
    types = tuple(comparison.current.by_type)
    cur = figures.figure_rows(comparison.current, types)
    prev = dict(figures.figure_rows(comparison.previous, types))
    rates = [
        (
            label,
            comparison.current.compliance[k].text(),
            comparison.previous.compliance[k].text() if comparison.previous else "",
        )
        for k, label, _n, _d in COMPLIANCE
    ]
    rows = [(label.strip("　"), value, prev.get(label, "")) for label, value in cur] + rates
    return pa.table({"figure": [r[0] for r in rows], "current": [r[1] for r in rows], "previous": [r[2] for r in rows]})
