"""The 工作台账 panel: each category's figures for the period and grid beside the previous period
and the year's target; a category's records (Enter); the open rectification items by 期限 with
the overdue ones marked, closed (销号) with a note; one item with its history. Every query runs
in ``load`` or a worker; numbers come from ``figures``, rows and writes from ``lists``.

About 430 lines in one module: the category and rectification actions share the panel's state (the
chosen category, the open item); the tables are widgets of their own in ``widgets/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import pyarrow as pa
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from fazhi_tui.api import (
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
    TablePage,
    ValidationError,
    requires_write,
)

from . import figures, lists
from .categories import LEVELS, Category, current
from .lists import LIST_COLUMNS, LIST_LABELS, OPEN_LABELS, ItemDetail, ItemError, OpenItems, Page
from .tables import LABELS, STATUSES, WORK_ITEMS
from .widgets.item_view import ItemView
from .widgets.summary_table import SummaryTable

EXPORT_PAGE = 5_000
FORM_ORDER = ("date", "title", "quantity", "grid", "level", "person", "due", "done_date", "status", "note")


@dataclass(frozen=True)
class LedgerView:
    ctx: Context
    summary: figures.Summary
    open_items: OpenItems
    category: str | None
    records: Page | None
    grid_choices: list[tuple[str, str]]
    person_choices: list[tuple[str, str]]
    detail: ItemDetail | None


def _more(ctx: Context, category: str, page: Page):
    if not page.has_more:
        return None

    def fetch() -> TablePage:
        nxt = lists.category_records(ctx, category, offset=page.offset + page.rows.num_rows)
        return TablePage(nxt.rows, _more(ctx, category, nxt))

    return fetch


def _more_open(ctx: Context, page: OpenItems):
    """The rectification list's next page, fetched in the table's worker when the cursor nears
    the end of what is loaded; None after the last."""
    if not page.has_more:
        return None

    def fetch() -> TablePage:
        nxt = lists.open_items(ctx, offset=page.offset + page.rows.num_rows)
        return TablePage(nxt.rows, _more_open(ctx, nxt))

    return fetch


def all_records(ctx: Context, category: str) -> pa.Table:
    pages, offset = [], 0
    while True:
        page = lists.category_records(ctx, category, offset=offset, limit=EXPORT_PAGE)
        pages.append(page.rows)
        offset += page.rows.num_rows
        if not page.has_more:
            return pa.concat_tables(pages)


class LedgerPanel(Panel):
    LOAD_BEFORE_MOUNT = True  # its load reads only the context and what __init__ sets
    DEFAULT_CSS = """
    LedgerPanel TabbedContent { height: 1fr; }
    LedgerPanel TabPane { padding: 0; height: 1fr; }
    LedgerPanel .ledger-title { height: auto; }
    LedgerPanel #summary { height: 1fr; }
    LedgerPanel #records, LedgerPanel #rectify { height: 1fr; }
    LedgerPanel #detail-scroll { height: 1fr; }
    LedgerPanel #detail { height: auto; }
    """

    BINDINGS = [
        Binding("n", "new_item", "新增记录", id="ledger.new"),
        Binding("c", "close_item", "销号", id="ledger.close"),
        Binding("t", "next_tab", "下一页签", show=False, id="ledger.next_tab"),
        Binding("T", "next_tab(-1)", "上一页签", show=False, id="ledger.previous_tab"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.view: LedgerView | None = None
        self.category: str | None = None  # the category the 记录 tab lists
        self.detail_no: str | None = None
        self.detail: ItemDetail | None = None

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="ledger-tabs"):
            with TabPane("概况", id="tab-summary"):
                yield Static("", id="summary-title", classes="ledger-title")
                yield SummaryTable(id="summary")
            with TabPane("记录", id="tab-records"):
                yield Static(
                    "在“概况”中选中一个类别按回车，在此列出它本期的记录。", id="records-title", classes="ledger-title"
                )
                yield PagedTable(id="records", empty_text="本期没有此类记录")
            with TabPane("整改问题", id="tab-rectify"):
                yield Static("", id="rectify-title", classes="ledger-title")
                yield PagedTable(
                    id="rectify",
                    empty_text="没有未销号的整改问题",
                    style_column="flag",
                    row_styles={lists.OVERDUE_MARK: "bold red"},
                )
            with TabPane("详情", id="tab-detail"):
                with VerticalScroll(id="detail-scroll"):
                    yield ItemView("", id="detail")

    # -- data --------------------------------------------------------------------------------
    def load(self, ctx: Context) -> LedgerView:
        category, detail_no = self.category, self.detail_no
        grids = ctx.query("SELECT code, name, village FROM grids ORDER BY code").to_pylist()
        people = ctx.query(
            "SELECT person_id, name FROM people WHERE end_date IS NULL OR end_date >= $today ORDER BY person_id",
            {"today": ctx.today},
        ).to_pylist()
        return LedgerView(
            ctx=ctx,
            summary=figures.summary(ctx),
            open_items=lists.open_items(ctx),
            category=category,
            records=lists.category_records(ctx, category) if category else None,
            grid_choices=[(f"{g['name']}（{g['village']}）" if g["village"] else g["name"], g["code"]) for g in grids],
            person_choices=[(f"{p['name']}（{p['person_id']}）", p["person_id"]) for p in people],
            detail=lists.item_detail(ctx, detail_no) if detail_no else None,
        )

    async def show(self, view: LedgerView) -> None:
        self.view = view
        s = view.summary
        title = Text(f"{s.period.label} · {view.ctx.grid_label}", style="bold")
        title.append(f"　{s.total} 条记录 · 比{s.previous_period.label} · 回车看记录", style="dim")
        self.query_one("#summary-title", Static).update(title)
        self.query_one(SummaryTable).show(s, self.size.width or 100)
        await self._show_rectify(view)
        await self._show_records(view)
        self.detail = view.detail
        self.query_one(ItemView).show_item(view.detail, view.ctx.today)

    async def _show_rectify(self, view: LedgerView) -> None:
        o = view.open_items
        text = Text("未销号的整改问题", style="bold")
        text.append(f"（{view.ctx.grid_label}，不分期间，按期限排序）")
        text.append("\n")  # how many in all: the list says, with how many are loaded
        text.append(f"超过期限 {o.overdue} 条", style="bold red" if o.overdue else "")
        text.append(f"（标 {lists.OVERDUE_MARK}）；c 销号，回车看修改记录", style="dim")
        self.query_one("#rectify-title", Static).update(text)
        await self.query_one("#rectify", PagedTable).show_page(
            TablePage(o.rows, _more_open(view.ctx, o)), OPEN_LABELS, total=o.total
        )

    async def _show_records(self, view: LedgerView) -> None:
        if view.category is None or view.records is None:
            return
        page = view.records
        title = Text(f"{view.category}", style="bold")
        title.append(
            f"　{view.ctx.period.label} · {view.ctx.grid_label}，{page.total} 条；n 新增，回车看详情", style="dim"
        )
        self.query_one("#records-title", Static).update(title)
        await self.query_one("#records", PagedTable).show_page(
            TablePage(page.rows, _more(view.ctx, view.category, page)), LIST_LABELS, total=page.total
        )

    @property
    def active_tab(self) -> str:
        return self.query_one("#ledger-tabs", TabbedContent).active

    # -- navigation --------------------------------------------------------------------------
    @on(DataTable.RowSelected, "#summary")
    def _category_chosen(self) -> None:
        name = self.query_one(SummaryTable).selected_category
        if name is None:
            return
        self.category = name
        self.query_one("#ledger-tabs", TabbedContent).active = "tab-records"
        self.query_one("#records-title", Static).update(Text(f"正在载入“{name}”的记录……"))
        self.reload()

    @on(PagedTable.RowChosen, "#records")
    def _item_chosen(self, event: PagedTable.RowChosen) -> None:
        self.open_detail(event.record["item_no"])

    @on(PagedTable.RowChosen, "#rectify")
    def _open_item_chosen(self, event: PagedTable.RowChosen) -> None:
        self.open_detail(event.record["item_no"])

    # The shell's "open this record" (the daily review's Enter): an item in 详情; the table as a
    # whole (a figure behind its target) in 概况.
    RECORD_TABS = {WORK_ITEMS: "tab-summary"}

    def open_one(self, table: str, record_id: str) -> None:
        self.open_detail(record_id)

    def open_detail(self, item_no: str) -> None:
        def done(detail: ItemDetail | None) -> None:
            self.detail = detail
            if self.context is not None:  # it had one when the fetch started
                self.query_one(ItemView).show_item(detail, self.context.today, f"没有编号为 {item_no} 的事项")
            self.refresh_bindings()

        fetch = partial(lists.item_detail, item_no=item_no)
        if self.show_in_tab("tab-detail", fetch, done, focus=self.query_one("#detail-scroll"), group="detail"):
            self.detail_no = item_no

    # t / T (action_next_tab), where the focus goes after a tab change and when the shell opens
    # the panel (the shown tab's list): the Panel base.
    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()

    # -- writes ------------------------------------------------------------------------------
    def _form_category(self) -> Category | None:
        cats = current()
        if self.active_tab == "tab-summary":
            name = self.query_one(SummaryTable).selected_category
        elif self.active_tab == "tab-rectify":
            name = next((c.name for c in cats.items if c.closes), None)
        else:
            name = self.category or self.query_one(SummaryTable).selected_category
        return cats.get(name) if name else None

    @requires_write(WORK_ITEMS)
    def action_new_item(self) -> None:
        view, ctx = self.view, self.context
        category = self._form_category()
        if view is None or ctx is None or category is None:
            self.notify("请先在“概况”中选中一个类别", severity="warning")
            return
        order = [*category.fields, *(n for n in FORM_ORDER if n not in category.fields)]
        fields = [self._field(n, category, view, ctx) for n in order]
        intro = f"类别：{category.name}（{category.doc or '单位：' + category.unit}）。先列出本类别的字段。"
        self.app.push_screen(
            RecordForm(f"新增“{category.name}”记录", fields, partial(_add, ctx, category), intro=intro),
            self._added,
        )

    def _field(self, name: str, category: Category, view: LedgerView, ctx: Context) -> FormField:
        label = LABELS[name]
        if name == "grid":
            return FormField(name, label, CHOICE, view.grid_choices, value=ctx.grid.code if ctx.grid else None)
        if name == "person":
            return FormField(name, label, CHOICE, view.person_choices)
        if name == "level":
            return FormField(name, label, CHOICE, tuple(LEVELS))
        if name == "status":
            return FormField(name, label, CHOICE, STATUSES, value=STATUSES[0] if category.closes else STATUSES[1])
        if name == "date":
            return FormField(name, label, value=f"{ctx.today:%Y-%m-%d}", required=True, placeholder="如 2026-11-26")
        if name == "title":
            return FormField(name, label, required=True)
        if name == "quantity":
            return FormField(name, f"{label}（{category.unit}）", value="1", aliases=(label,))
        if name in ("due", "done_date"):
            return FormField(name, label, placeholder="如 2026-12-31")
        return FormField(name, label)

    def _added(self, answer: FormDone | FormFailed | None) -> None:
        if isinstance(answer, FormFailed):
            self.report_write_error(answer.error)
        elif isinstance(answer, FormDone):
            row = answer.result
            self.notify(f"已保存{row['category']}记录 {row['item_no']}", title="已保存")
            self.reload()

    def _close_target(self) -> tuple[str, int | None] | None:
        if self.active_tab == "tab-rectify":
            record = self.query_one("#rectify", PagedTable).highlighted_record()
            if record is not None:
                return record["item_no"], None
        if self.active_tab == "tab-detail" and self.detail is not None and self.detail.record is not None:
            return self.detail.record["item_no"], self.detail.record.get(REV)
        return None

    @requires_write(WORK_ITEMS)
    def action_close_item(self) -> None:
        ctx, target = self.context, self._close_target()
        if ctx is None:
            return
        if target is None:
            self.notify("请先在“整改问题”中选中一条", severity="warning")
            return
        item_no, rev = target

        def close(values: dict) -> int:
            try:
                return lists.close_item(ctx, item_no, values.get("note") or "", expected_rev=rev)
            except StaleRevisionError:
                raise
            except ValueError as exc:
                raise FormError([("整改情况", str(exc))]) from exc

        def answered(answer: FormDone | FormFailed | None) -> None:
            if isinstance(answer, FormFailed):
                self.report_write_error(answer.error)
            elif isinstance(answer, FormDone):
                self.notify(f"{item_no} 已销号（第 {answer.result} 版）", title="已保存")
                self.detail_no = item_no
                self.reload()

        self.app.push_screen(
            RecordForm(
                f"销号：{item_no}",
                [FormField("note", "整改情况", required=True, placeholder="如 已补齐台账，经复查整改到位")],
                close,
                intro=f"状态改为已销号，完成日期 {ctx.today:%Y-%m-%d}，整改情况记入备注。",
            ),
            answered,
        )

    # -- export ------------------------------------------------------------------------------
    def export_view(self) -> PanelExport | None:
        view, ctx = self.view, self.context
        if view is None or ctx is None:
            return None
        tab = self.active_tab
        if tab == "tab-records" and view.category:
            return PanelExport(
                f"工作台账-{view.category}", partial(all_records, ctx, view.category), labels=LIST_LABELS
            )
        if tab == "tab-rectify":
            grid = [ctx.grid.name] if ctx.grid is not None else []
            return PanelExport(
                "整改问题",
                partial(lists.all_open_items, ctx),
                labels=OPEN_LABELS,
                file_stem="-".join(["未销号整改问题", *grid, f"截至{ctx.today:%Y-%m-%d}"]),
            )
        if tab == "tab-detail":
            if self.detail is None:
                return None
            no = (self.detail.record or {}).get("item_no", self.detail_no)
            rows = pa.table(
                {
                    "rev": [v.rev for v in self.detail.versions],
                    "at": [v.at.astimezone().strftime("%Y-%m-%d %H:%M") for v in self.detail.versions],
                    "by": [v.by for v in self.detail.versions],
                    "changes": ["；".join(f"{lb}：{o} → {n}" for lb, o, n in v.changes) for v in self.detail.versions],
                }
            )
            return PanelExport(
                f"事项{no}修改记录",
                rows,
                labels={"rev": "版本", "at": "时间", "by": "操作人", "changes": "改动"},
                file_stem=f"工作台账-{no}-修改记录",
            )
        s = view.summary
        rows = [(c.name, f) for c in s.categories for f in c.figures]
        table = pa.table(
            {
                "category": [c for c, _ in rows],
                "figure": [f.figure.label for _, f in rows],
                "name": [f.figure.name for _, f in rows],
                "current": pa.array([f.current for _, f in rows], pa.int64()),
                "previous": pa.array([f.previous for _, f in rows], pa.int64()),
                "unit": [f.figure.unit for _, f in rows],
                "target": pa.array([f.target for _, f in rows], pa.float64()),
            }
        )
        return PanelExport(
            "工作台账指标",
            table,
            labels={
                "category": "类别",
                "figure": "指标",
                "name": "指标名",
                "current": s.period.label,
                "previous": s.previous_period.label,
                "unit": "单位",
                "target": "全年目标",
            },
        )


def _add(ctx: Context, category: Category, values: dict[str, Any]) -> dict[str, Any]:
    try:
        return lists.add_item(ctx, category, values)
    except ItemError as exc:
        raise FormError(exc.problems) from exc
    except ValidationError as exc:
        raise FormError([(p.column or "", p.reason) for p in exc.problems]) from exc


__all__ = ["LedgerPanel", "LIST_COLUMNS"]
