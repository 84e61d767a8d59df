"""每日待办's screen: a summary line, a filter, the queue grouped by check, the highlighted item.

Keys: j/k or arrows move, Enter opens the item's record in the panel that owns its table,
x 已处理 (with a note), z 暂缓 (to a day; the next working day by default), a 指派 (to a colleague
named in access.toml), u undoes this session's last mark, / filters. The marks are written in a
worker; the shell reloads the panel when the write lands (``RELOAD_ON_WRITE``), as it does for a
colleague's marks.
"""

from __future__ import annotations

import pyarrow as pa
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, OptionList, Static

from fazhi_tui.api import (
    CHOICE,
    WHOLE_TOWN,
    Context,
    FormDone,
    FormError,
    FormFailed,
    FormField,
    Panel,
    PanelExport,
    RecordForm,
    add_working_days,
    requires_write,
)

from . import marks
from .digest import day_label
from .queue import FAILED, Entry, Queue
from .tables import HANDLED, MARKS, SNOOZED
from .widgets.entry_detail import EntryDetail
from .widgets.review_list import ReviewList

EXPORT_LABELS = {
    "check": "检查项",
    "plugin": "插件",
    "title": "事项",
    "detail": "说明",
    "due": "时限",
    "overdue": "超期",
    "grid": "网格",
    "assignee": "指派给",
    "record_table": "记录所在表",
    "record_id": "记录编号",
}


class ReviewPanel(Panel):
    LOAD_BEFORE_MOUNT = True  # its load reads only the context and what __init__ sets
    RELOAD_ON_WRITE = True  # a colleague's mark, or a ticket closed in its panel, changes the queue

    DEFAULT_CSS = """
    ReviewPanel #review-summary { height: auto; }
    ReviewPanel #review-filter { display: none; height: 3; }
    ReviewPanel.-filtering #review-filter { display: block; }
    """

    BINDINGS = [
        Binding("x", "handle", "已处理", id="review.handle"),
        Binding("z", "snooze", "暂缓", id="review.snooze"),
        Binding("a", "assign", "指派", id="review.assign"),
        Binding("u", "undo", "撤销", id="review.undo"),
        Binding("slash", "filter", "筛选", id="review.filter"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.queue: Queue | None = None
        self.colleagues: list[str] = []
        self.filter_text = ""
        self._keep: str | None = None  # the item to highlight after the next reload
        self._undo: list[tuple[str, int]] = []  # (item key, mark revision written), this session

    def compose_body(self) -> ComposeResult:
        yield Static("", id="review-summary")
        yield Input(placeholder="筛选：标题、网格、检查项、指派人……（Esc 清除）", id="review-filter")
        yield ReviewList(id="review-list")
        yield EntryDetail(id="review-detail")

    # -- data --------------------------------------------------------------------------------
    def load(self, ctx: Context) -> tuple[Queue, list[str]]:
        from .queue import build_queue

        return build_queue(ctx), ctx.access.colleagues()

    def show(self, data: tuple[Queue, list[str]]) -> None:
        self.queue, self.colleagues = data
        self.refresh_bindings()  # `e` exports the queue once there is one
        listing = self.query_one(ReviewList)
        current = listing.highlighted_entry()
        keep = self._keep or (current.key if current is not None else None)
        self._keep = None
        self._show_list(keep)

    def _show_list(self, keep: str | None) -> None:
        queue = self.queue
        if queue is None:
            return
        entries = queue.open_entries(text=self.filter_text)
        empty = f"没有与“{self.filter_text}”相符的待办" if self.filter_text else "今日没有待办事项。"
        self.query_one(ReviewList).show_entries(entries, queue.today, keep, empty)
        self._show_summary(len(entries))
        self._show_detail()

    def _show_summary(self, shown: int) -> None:
        queue = self.queue
        assert queue is not None
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{day_label(queue.today)} {queue.grid_label}  ", style="bold")
        n, late = queue.open_count(), queue.overdue_count()
        text.append(f"待办 {n} 项")
        if late:
            text.append(f"，超期 {late} 项", style="bold red")
        for status in (HANDLED, SNOOZED):
            if queue.count(status):
                text.append(f" · {status} {queue.count(status)}", style="dim")
        if self.filter_text:
            text.append(f" · 筛选“{self.filter_text}”：{shown} 项", style="yellow")
        for err in queue.errors:
            text.append(f"\n{err}", style="red")
        self.query_one("#review-summary", Static).update(text)

    def _show_detail(self) -> None:
        self.query_one(EntryDetail).show_entry(self.query_one(ReviewList).highlighted_entry())

    @on(OptionList.OptionHighlighted, "#review-list")
    def _highlighted(self) -> None:
        self._show_detail()

    # -- opening the record ------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#review-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        entry = self.query_one(ReviewList).highlighted_entry()
        if entry is None:
            return
        if not entry.opens_record or entry.item.table is None:
            self.notify("此事项没有对应的记录", severity="warning")
            return
        self.open_record(entry.item.table, entry.item.record_id)

    # -- marks -------------------------------------------------------------------------------
    def _target(self) -> Entry | None:
        entry = self.query_one(ReviewList).highlighted_entry()
        if entry is None or entry.status == FAILED:
            self.notify("请先选中一项待办", severity="warning")
            return None
        return entry

    def _mark_form(self, title: str, fields: list[FormField], write, done_text: str) -> None:
        """Ask, write in the form's worker, then note the revision for `u` and move on."""
        entry, ctx = self._target(), self.context
        if entry is None or ctx is None:
            return
        after = self.query_one(ReviewList).key_after(entry.key)

        def answered(answer: FormDone | FormFailed | None) -> None:
            if isinstance(answer, FormDone):
                self._undo.append((entry.key, answer.result))
                if done_text != "已指派":
                    self._keep = after  # the item leaves the list: the cursor takes the next
                self.notify(f"{done_text}：{entry.item.title}", timeout=4)
            elif isinstance(answer, FormFailed):
                self.report_write_error(answer.error)

        def submit(values: dict) -> int:
            try:
                return write(ctx, entry, values)
            except marks.MarkError as exc:
                raise FormError([("", str(exc))]) from exc

        self.app.push_screen(RecordForm(title, fields, submit, intro=entry.item.title, submit_label="确定"), answered)

    @requires_write(MARKS)
    def action_handle(self) -> None:
        self._mark_form(
            "标记为已处理",
            [FormField("note", "备注", placeholder="可不填：如何处理的")],
            lambda ctx, e, v: marks.handle(ctx, e, v.get("note")),
            "已处理",
        )

    @requires_write(MARKS)
    def action_snooze(self) -> None:
        ctx = self.context
        if ctx is None:
            return
        default = add_working_days(ctx.today, 1)  # the next working day, by the official calendar

        def write(ctx: Context, e: Entry, values: dict) -> int:
            try:
                day = marks.parse_day(values.get("until") or "", ctx.today)
            except marks.MarkError as exc:
                raise FormError([("暂缓至", str(exc))]) from exc
            return marks.snooze(ctx, e, day, values.get("note"))

        self._mark_form(
            "暂缓",
            [
                FormField("until", "暂缓至", value=default.isoformat(), required=True, placeholder="如 11-30 或 +3"),
                FormField("note", "备注", placeholder="可不填"),
            ],
            write,
            "已暂缓",
        )

    @requires_write(MARKS)
    def action_assign(self) -> None:
        entry = self._target()
        if entry is None:
            return
        if not self.colleagues:
            self.notify(
                "数据目录的 access.toml 未列出管理员或办事员，无人可指派（见 fazhi-tui whoami）", severity="warning"
            )
            return
        choices = [("（不指派）", "")] + [(name, name) for name in self.colleagues]
        self._mark_form(
            "指派给同事",
            [
                FormField("assignee", "指派给", CHOICE, choices, value=entry.assignee or "", required=False),
                FormField("note", "备注", placeholder="可不填：请谁做什么"),
            ],
            lambda ctx, e, v: marks.assign(ctx, e, v.get("assignee") or None, v.get("note")),
            "已指派",
        )

    @requires_write(MARKS)
    def action_undo(self) -> None:
        ctx, queue = self.context, self.queue
        if ctx is None or queue is None:
            return
        if not self._undo:
            self.notify("本次没有可撤销的标记", severity="warning")
            return
        key, rev = self._undo[-1]
        entry = queue.entry(key)
        if entry is None:
            self._undo.pop()
            self.notify("该事项今日已不在检查结果中，无法撤销", severity="warning")
            return

        def undone(_rev: int) -> None:
            self._undo.pop()
            self._keep = key
            self.notify(f"已撤销：{entry.item.title}", timeout=4)

        self.run_in_thread(lambda: marks.undo(ctx, entry, rev), done=undone, failed=self.report_write_error)

    # -- export ------------------------------------------------------------------------------
    def export_view(self) -> PanelExport | None:
        queue = self.queue
        if queue is None:
            return None
        entries = queue.open_entries(text=self.filter_text)
        rows = pa.table(
            {
                "check": [e.check_title for e in entries],
                "plugin": [e.plugin for e in entries],
                "title": [e.item.title for e in entries],
                "detail": [e.error if e.status == FAILED else e.item.detail for e in entries],
                "due": pa.array([e.item.due for e in entries], pa.date32()),
                "overdue": [("是" if e.item.overdue else "") for e in entries],
                "grid": [e.grid_name or e.item.grid for e in entries],
                "assignee": [e.assignee for e in entries],
                "record_table": [e.item.table for e in entries],
                "record_id": [e.item.record_id for e in entries],
            }
        )
        grid = "" if queue.grid_label == WHOLE_TOWN else f"-{queue.grid_label}"
        return PanelExport("每日待办", rows, labels=EXPORT_LABELS, file_stem=f"每日待办-{queue.today:%Y-%m-%d}{grid}")

    # -- filter ------------------------------------------------------------------------------
    def action_filter(self) -> None:
        self.add_class("-filtering")
        self.query_one("#review-filter", Input).focus()

    @on(Input.Changed, "#review-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        entry = self.query_one(ReviewList).highlighted_entry()
        self._show_list(entry.key if entry else None)

    @on(Input.Submitted, "#review-filter")
    def _filter_done(self) -> None:
        self.query_one(ReviewList).focus()

    def on_key(self, event) -> None:
        if event.key == "escape" and self.has_class("-filtering"):
            event.stop()
            self.query_one("#review-filter", Input).value = ""
            self.remove_class("-filtering")
            self.query_one(ReviewList).focus()
