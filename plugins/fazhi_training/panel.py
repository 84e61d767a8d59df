"""The 学法台账 panel: sessions by 类型 beside the previous period and the year's plan against what
was held (概况), the period's sessions (活动; Enter opens a session's roster for entry by
keyboard), and everyone's 学时 for the year against their target (个人学时, behind first).
`k` writes the inspector's 学法台账 (XLSX), `s` the highlighted session's sign-in sheet.

Every query runs in ``load`` or in a worker (``run_in_thread``); every number comes from the
plugin's query modules. Staff names are public; no phone is read for the screen. About 450 lines
in one module: the tabs' tables, the roster and the record the shell opens share the panel's view.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pyarrow as pa
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Static, TabbedContent, TabPane
from textual.widgets.data_table import RowDoesNotExist

from fazhi_tui.api import (
    Context,
    FormDone,
    FormError,
    FormFailed,
    FormField,
    Panel,
    PanelExport,
    RecordForm,
)

from . import hours, inspector, sessions
from .hours import BEHIND, DONE, PersonHours
from .sessions import SESSION_COLUMNS, SESSION_LABELS, KindCount, PlanRow, SessionList
from .tables import ATTENDANCE, TRAININGS
from .widgets.topic_width import cut as _cut
from .widgets.topic_width import fit_columns

PEOPLE = "people"  # the host's table of staff


@dataclass(frozen=True)
class TrainingView:
    ctx: Context
    kinds: list[KindCount]
    plan: list[PlanRow]
    plan_year: int
    sessions: SessionList
    people: list[PersonHours]
    hours_year: int


def _num(v: float | None) -> str:
    if v is None:
        return "—"
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"


def _change(now: int, before: int | None) -> Text:
    if before is None:
        return Text("")
    d = now - before
    # The minus sign (−), as the hotline's 变化 column writes it, not a hyphen.
    return Text("持平" if d == 0 else f"{'+' if d > 0 else '−'}{abs(d)}", style="dim" if d == 0 else "")


class TrainingPanel(Panel):
    LOAD_BEFORE_MOUNT = True  # its load reads only the context and what __init__ sets
    DEFAULT_CSS = """
    TrainingPanel TabbedContent { height: 1fr; }
    TrainingPanel TabPane { padding: 0; height: 1fr; }
    TrainingPanel #overview-scroll { height: 1fr; }
    TrainingPanel #overview-top { height: auto; layout: vertical; }
    TrainingPanel.-wide #overview-top { layout: horizontal; }
    TrainingPanel #kinds { height: auto; width: 1fr; }
    TrainingPanel.-wide #kinds { width: 56; margin-right: 2; }
    TrainingPanel #plan { height: auto; width: 1fr; margin-top: 1; }
    TrainingPanel.-wide #plan { margin-top: 0; }
    TrainingPanel #behind-brief { height: auto; margin-top: 1; }
    TrainingPanel .list-title { height: auto; }
    TrainingPanel DataTable { height: 1fr; }
    """

    BINDINGS = [
        Binding("enter", "open_roster", "参学名单", id="training.roster", show=False),
        Binding("s", "sign_in_sheet", "签到表", id="training.sign_in"),
        Binding("k", "ledger_export", "导出学法台账", id="training.ledger"),
        Binding("t", "next_tab", "下一页签", show=False, id="training.next_tab"),
        Binding("T", "next_tab(-1)", "上一页签", show=False, id="training.previous_tab"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.view: TrainingView | None = None
        self._sessions_width = -1  # the width the session list's columns were fitted to

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="training-tabs"):
            with TabPane("概况", id="tab-overview"):
                with VerticalScroll(id="overview-scroll"):
                    with Horizontal(id="overview-top"):
                        yield Static("", id="kinds")
                        with Vertical(id="plan"):
                            yield Static("", id="plan-table")
                            yield Static("", id="behind-brief")
            with TabPane("活动", id="tab-sessions"):
                yield Static("", id="sessions-title", classes="list-title")
                yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
            with TabPane("个人学时", id="tab-people"):
                yield Static("", id="people-title", classes="list-title")
                yield DataTable(id="people", cursor_type="row", zebra_stripes=True)

    def on_resize(self) -> None:
        wide = self.size.width >= 100
        if wide != self.has_class("-wide"):
            self.set_class(wide, "-wide")
            if self.view is not None:
                self._show_people(self.view)
        if self.view is not None and self.size.width != self._sessions_width:
            self._show_sessions(self.view)  # which columns fit, and the topic's width, follow the width

    # -- data --------------------------------------------------------------------------------
    def load(self, ctx: Context) -> TrainingView:
        year = sessions.plan_year(ctx)
        kinds, plan = sessions.overview(ctx, year)  # one scan for both
        return TrainingView(
            ctx=ctx,
            kinds=kinds,
            plan=plan,
            plan_year=year,
            sessions=sessions.session_list(ctx, total=sum(k.count for k in kinds)),
            # Cached per year, grid and state of the files: a period change inside the year is free.
            people=hours.person_hours(ctx, year),
            hours_year=year,
        )

    def show(self, view: TrainingView) -> None:
        self.view = view
        self._show_kinds(view)
        self._show_plan(view)
        self._show_sessions(view)
        self._show_people(view)

    @property
    def active_tab(self) -> str:
        return self.query_one("#training-tabs", TabbedContent).active

    def _show_kinds(self, view: TrainingView) -> None:
        prev = sessions.previous_period(view.ctx.period)
        table = Table(box=None, pad_edge=False, padding=(0, 1), show_edge=False, header_style="bold")
        table.add_column("类型", no_wrap=True)
        table.add_column(view.ctx.period.label, justify="right", no_wrap=True)
        table.add_column(prev.label if prev else "上期", justify="right", no_wrap=True)
        table.add_column("变化", no_wrap=True)
        table.add_column("学时", justify="right", no_wrap=True)
        for k in view.kinds:
            table.add_row(
                Text(k.kind),
                f"{k.count}次",
                "—" if k.previous is None else f"{k.previous}次",
                _change(k.count, k.previous),
                _num(k.hours) if k.hours else "",
            )
        title = Text(f"{view.ctx.period.label} · {view.ctx.grid_label}", style="bold")
        title.append("　学习培训与普法活动", style="dim")
        self.query_one("#kinds", Static).update(Group(title, table))

    def _show_plan(self, view: TrainingView) -> None:
        table = Table(box=None, pad_edge=False, padding=(0, 1), show_edge=False, header_style="bold")
        for name, justify in (
            ("类型", "left"),
            ("计划", "right"),
            ("已开展", "right"),
            ("应达", "right"),
            ("进度", "left"),
        ):
            table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
        for p in view.plan:
            style = "bold red" if p.behind else ("green" if p.held >= p.target else "")
            table.add_row(Text(p.kind), f"≥{p.target}", str(p.held), str(p.expected), Text(p.status, style=style))
        title = Text(f"{view.plan_year}年计划完成情况", style="bold")
        title.append("（全镇，截至今日）" if view.ctx.grid is None else "（全镇计划，不分网格）", style="dim")
        if not view.plan:
            table.add_row(Text("未设年度计划（[plugin.fazhi_training] targets）", style="dim"), "", "", "", "")
        self.query_one("#plan-table", Static).update(Group(title, table))
        behind = [p for p in view.people if p.status == BEHIND]
        with_target = [p for p in view.people if p.target is not None]
        brief = Text.assemble(("个人学时", "bold"), f"（{view.hours_year}年）：")
        brief.append(f"有目标 {len(with_target)} 人，")
        brief.append(f"进度落后 {len(behind)} 人", style="bold red" if behind else "")
        brief.append(f"，已达标 {sum(p.status == DONE for p in view.people)} 人")
        if behind:
            brief.append("\n" + "、".join(p.name for p in behind[:8]) + ("……" if len(behind) > 8 else ""), style="dim")
        self.query_one("#behind-brief", Static).update(brief)

    def _show_sessions(self, view: TrainingView) -> None:
        table = self.query_one("#sessions", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        # 80×24 leaves the panel ~60 columns: short dates and 人数, and columns left out by
        # priority (fit_columns) so that 主题 stays readable.
        width = self._sessions_width = self.size.width
        wide = width >= 100 or width == 0
        labels = {col: SESSION_LABELS[col] if wide or col != "participants" else "人数" for col in SESSION_COLUMNS}
        rows = []
        for r in view.sessions.rows.to_pylist():
            rows.append(
                {
                    "training_id": r["training_id"],
                    "date": f"{r['date']:%Y-%m-%d}" if wide else f"{r['date']:%y-%m-%d}",
                    "kind": r["kind"],
                    "topic": r["topic"] or "",
                    "participants": _num(r["participants"]) if r["participants"] is not None else "",
                    "roster": r["roster"],
                    "hours": _num(r["hours"]) if r["hours"] is not None else "",
                    "grid_name": r["grid_name"] or "",
                }
            )
        columns, topic_cells = fit_columns(SESSION_COLUMNS, labels, rows, width)
        for col in columns:
            right = col in ("participants", "hours", "roster")
            table.add_column(Text(labels[col], justify="right") if right else labels[col], key=col)
        for r in rows:
            cells = {
                c: Text(r[c], justify="right" if c in ("participants", "hours", "roster") else "left") for c in columns
            }
            cells["topic"] = Text(_cut(r["topic"], topic_cells))
            table.add_row(*(cells[c] for c in columns), key=r["training_id"])
        if view.sessions.rows.num_rows:
            table.move_cursor(row=min(cursor, view.sessions.rows.num_rows - 1))
        title = Text(f"{view.ctx.period.label} · {view.ctx.grid_label}", style="bold")
        shown = view.sessions.rows.num_rows
        more = f"，显示最近 {shown} 次" if shown < view.sessions.total else ""
        title.append(f"　共 {view.sessions.total} 次{more}；回车录入参学名单，s 签到表", style="dim")
        self.query_one("#sessions-title", Static).update(title)

    def _show_people(self, view: TrainingView) -> None:
        table = self.query_one("#people", DataTable)
        table.clear(columns=True)
        wide = self.size.width >= 100 or self.size.width == 0
        numbers = [("hours", "学时"), ("target", "目标")] + ([("expected", "应达")] if wide else [])
        table.add_column("姓名", key="name")
        table.add_column("单位", key="unit")
        for key, label in numbers:
            table.add_column(Text(label, justify="right"), key=key)
        table.add_column("进度", key="status")
        for key, label in (("missed", "缺席"), ("leave", "请假"), ("score", "考试")):
            table.add_column(Text(label, justify="right"), key=key)
        for p in view.people:
            style = {"落后": "bold red", "达标": "green"}.get(p.status, "")
            values = {
                "hours": _num(p.hours),
                "target": _num(p.target) if p.target is not None else "",
                "expected": _num(p.expected) if p.expected is not None else "",
            }
            table.add_row(
                Text(p.name),
                Text((p.unit or "")[: 12 if wide else 5]),
                *(Text(values[k], justify="right") for k, _ in numbers),
                Text(p.status or "无目标", style=style or "dim"),
                Text(str(p.missed) if p.missed else "", justify="right"),
                Text(str(p.on_leave) if p.on_leave else "", justify="right"),
                Text(_num(p.exam_score) if p.exam_score is not None else "", justify="right"),
                key=p.person_id,
            )
        title = Text(f"{view.hours_year}年个人学时 · {view.ctx.grid_label}", style="bold")
        title.append("　进度落后的在前；应达为按时间进度应完成的学时", style="dim")
        self.query_one("#people-title", Static).update(title)

    # -- actions -----------------------------------------------------------------------------
    # t / T (action_next_tab) and where the focus goes after a tab change: the Panel base.
    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()

    def selected_session(self) -> str | None:
        table = self.query_one("#sessions", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return str(key.value) if key.value is not None else None

    @on(DataTable.RowSelected, "#sessions")
    def _session_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_roster()

    def action_open_roster(self) -> None:
        if self.context is None:
            return
        if self.active_tab != "tab-sessions":
            self.query_one("#training-tabs", TabbedContent).active = "tab-sessions"
            return
        tid = self.selected_session()
        if tid is None:
            self.notify("本期没有活动", severity="warning")
            return
        self._open_roster(tid)

    def _open_roster(self, tid: str) -> None:
        ctx = self.context
        if ctx is None:
            return
        from .widgets.roster_screen import RosterScreen

        self.app.push_screen(RosterScreen(ctx, tid, writable=ctx.may_write(ATTENDANCE)), self._roster_closed)

    # -- the shell's "open this record" (the daily review's Enter) ---------------------------------
    # A session opens as its roster (who attended, their scores), over the 活动 tab; a person
    # (学时 behind) in 个人学时; the tables as a whole: the year's plan, everyone's 学时.
    RECORD_TABS = {TRAININGS: "tab-overview", ATTENDANCE: "tab-people", PEOPLE: "tab-people"}

    def open_one(self, table: str, record_id: str) -> None:
        if table == PEOPLE:
            self.query_one("#training-tabs", TabbedContent).active = "tab-people"
            self._move_to("#people", record_id)
            return

        def session_of(ctx: Context) -> str | None:
            if table == TRAININGS:
                return record_id if ctx.store.get(TRAININGS, record_id) is not None else None
            row = ctx.store.get(ATTENDANCE, record_id)
            return row["training_id"] if row is not None else None

        def done(tid: str | None) -> None:
            if tid is None:
                self.notify(f"没有编号为 {record_id} 的记录", severity="warning")
                return
            self._move_to("#sessions", tid)  # when the period shown lists it
            self._open_roster(tid)

        self.show_in_tab("tab-sessions", session_of, done, focus=self.query_one("#sessions", DataTable))

    def _move_to(self, table_id: str, key: str) -> None:
        table = self.query_one(table_id, DataTable)
        try:
            table.move_cursor(row=table.get_row_index(key))
        except RowDoesNotExist:
            pass

    def _roster_closed(self, saved: bool | None) -> None:
        if saved:
            self.reload()

    def _ask_file(self, title: str, default: Path, write) -> None:
        def submit(values: dict) -> Path:
            name = (values.get("path") or "").strip()
            if not name:
                raise FormError([("文件", "请填写文件名")])
            path = Path(name).expanduser()
            if path.suffix.lower() != ".xlsx":
                raise FormError([("文件", "须为 .xlsx 文件")])
            try:
                return write(path)
            except (OSError, ValueError) as exc:
                raise FormError([("文件", str(exc))]) from exc

        def done(answer: FormDone | FormFailed | None) -> None:
            if isinstance(answer, FormDone):
                self.notify(f"已导出到 {answer.result}", title="导出完成", timeout=10)
            elif isinstance(answer, FormFailed):
                self.report_write_error(answer.error, reload=False)

        self.app.push_screen(
            RecordForm(
                title, [FormField("path", "文件", value=str(default), required=True)], submit, submit_label="导出"
            ),
            done,
        )

    def action_ledger_export(self) -> None:
        ctx, view = self.context, self.view
        if ctx is None or view is None:
            return
        year = view.hours_year
        default = Path.cwd() / f"学法台账-{ctx.town or '本镇'}-{year}.xlsx"
        self._ask_file(
            f"导出{year}年学法台账（活动与个人学时两表）", default, partial(inspector.write_ledger, ctx, year)
        )

    def action_sign_in_sheet(self) -> None:
        ctx = self.context
        tid = self.selected_session() if ctx is not None else None
        if ctx is None or tid is None:
            self.notify("请先在“活动”中选中一次活动", severity="warning")
            return
        default = Path.cwd() / f"签到表-{tid}.xlsx"
        self._ask_file(f"导出 {tid} 的签到表", default, partial(inspector.write_sign_in, ctx, tid))

    def export_view(self) -> PanelExport | None:
        view = self.view
        if view is None:
            return None
        tab = self.active_tab
        if tab == "tab-sessions":
            return PanelExport("学法培训与普法活动", view.sessions.rows, labels=SESSION_LABELS)
        if tab == "tab-people":
            rows = pa.table(
                {
                    "name": [p.name for p in view.people],
                    "unit": [p.unit for p in view.people],
                    "hours": [p.hours for p in view.people],
                    "target": [p.target for p in view.people],
                    "status": [p.status for p in view.people],
                    "missed": [p.missed for p in view.people],
                    "on_leave": [p.on_leave for p in view.people],
                    "score": [p.exam_score for p in view.people],
                }
            )
            labels = {
                "name": "姓名",
                "unit": "单位",
                "hours": "学时",
                "target": "目标学时",
                "status": "进度",
                "missed": "缺席",
                "on_leave": "请假",
                "score": "最近考试成绩",
            }
            return PanelExport(f"{view.hours_year}年个人学时", rows, labels=labels)
        prev = sessions.previous_period(view.ctx.period)
        rows = pa.table(
            {
                "kind": [k.kind for k in view.kinds],
                "count": [k.count for k in view.kinds],
                "previous": [k.previous for k in view.kinds],
            }
        )
        return PanelExport(
            "学法培训按类型",
            rows,
            labels={"kind": "类型", "count": view.ctx.period.label, "previous": prev.label if prev else "上期"},
        )
