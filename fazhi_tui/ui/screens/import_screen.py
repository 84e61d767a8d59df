"""`i`: import a file into a table from the dashboard: choose, check, look, then write.

Slightly over 400 lines: the three steps of one screen share its plan and worker.

The same steps as ``fazhi-tui import``. ``plan_import`` reads and validates every row in a
thread worker (with progress for a large file); the preview shows the counts, ignored columns,
notes and the first rows that would be written; only 确认写入 writes, as one batch
(``run_import``, also in a thread). Cancelling at any step, or any error, writes nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Checkbox, ContentSwitcher, Input, Label, Select, Static
from textual.worker import Worker, WorkerState, get_current_worker

from ...pii import mask_table
from ...plugins import describe_exception
from ...store import Store, StoreError, TableSpec, ValidationError
from ...transfer.importer import ImportPlan, plan_import, run_import
from ...transfer.read import ImportFileError, encoding_name
from ..gates import writable_tables
from ..widgets.path_input import Completion, PathInput
from ..widgets.record_table import RecordTable
from ..widgets.shell_footer import ShellFooter

PREVIEW_ROWS = 200  # the preview's table holds this many rows (it draws only those on screen)
MAX_LISTED = ValidationError.MAX_LISTED  # problems listed before "另有 N 处", as the CLI does
SPREADSHEET = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass(frozen=True)
class ImportDone:
    """What the screen answers after a successful write (cancelling answers None)."""

    table: str
    message: str


def problem_text(exc: ValidationError, source: str) -> Group:
    """The problems as the CLI lists them: the first 50 with row, column and reason, then a count.
    Where (row and column) stays on one line; a long reason wraps beside it."""
    problems = exc.problems
    table = Table(box=None, show_header=False, show_edge=False, pad_edge=False, expand=True)
    table.add_column(no_wrap=True, style="bold")
    table.add_column(ratio=1, overflow="fold")
    for p in problems[:MAX_LISTED]:
        where = []
        if p.source and p.source != source:
            where.append(p.source)
        if p.row is not None:
            where.append(f"第 {p.row} 行")
        if p.column:
            where.append(f"“{p.column}”列")
        table.add_row("，".join(where), p.reason)
    tail = Text()
    if len(problems) > MAX_LISTED:
        tail.append(f"……另有 {len(problems) - MAX_LISTED} 处错误未列出\n", style="bold")
    tail.append("改好文件后按 Enter 重新校验。", style="dim")
    head = Text(f"{source} 校验未通过：{len(problems)} 处错误，未写入任何数据。", style="bold")
    return Group(head, table, tail)


def readable(rows: pa.Table) -> pa.Table:
    """Cells as people write them: 2026-03-02 08:30 rather than ISO with microseconds, and a
    list as 班子成员、网格员 rather than Python's ['班子成员', '网格员']."""
    if not rows.num_rows:
        return rows
    for i, column in enumerate(rows.columns):
        if pa.types.is_timestamp(column.type):
            seconds = pc.second(column)
            fmt = "%Y-%m-%d %H:%M" if not pc.any(pc.not_equal(seconds, 0)).as_py() else "%Y-%m-%d %H:%M:%S"
            rows = rows.set_column(i, rows.field(i).name, pc.strftime(column, format=fmt))
        elif pa.types.is_list(column.type) and pa.types.is_string(column.type.value_type):
            rows = rows.set_column(i, rows.field(i).name, pc.binary_join(column, "、"))
    return rows


class ImportCancelled(Exception):
    """Raised from the progress callback when the user cancelled: stops reading early."""


class ImportScreen(ModalScreen[ImportDone | None]):
    DEFAULT_CSS = """
    ImportScreen { background: $background; }
    ImportScreen > #import-box {
        height: 1fr;
        border: round $accent;
        border-title-color: $accent;
        padding: 0 1;
    }
    ImportScreen #import-steps { height: 1fr; }
    ImportScreen #import-form, ImportScreen #import-preview { height: 1fr; }
    ImportScreen .import-row { height: auto; margin-bottom: 1; }
    ImportScreen .import-label { width: 8; color: $text-muted; }
    ImportScreen Select, ImportScreen Input { width: 1fr; }
    ImportScreen #import-sheet-row.-hidden { display: none; }
    ImportScreen .import-hint { color: $text-muted; height: auto; }
    ImportScreen #import-status { height: auto; }
    ImportScreen #import-status.-error { color: $error; }
    ImportScreen #import-messages { height: 1fr; min-height: 3; }
    ImportScreen #import-listing { color: $text-muted; }
    ImportScreen #import-summary { height: auto; max-height: 50%; }
    ImportScreen #import-rows { height: 1fr; }
    ImportScreen .import-buttons { height: auto; align-horizontal: left; }
    ImportScreen .import-buttons Button { margin-right: 2; }
    """

    AUTO_FOCUS = "#import-path"
    BINDINGS = [
        Binding("escape", "back", "取消", id="import.cancel"),
        Binding("y", "confirm", "确认写入", id="import.confirm"),
    ]

    def __init__(self, store: Store, *, table: str | None = None, cwd: Path | None = None) -> None:
        super().__init__()
        self.store = store
        self.tables = writable_tables(store)
        names = [spec.name for spec in self.tables]
        self.first_table = table if table in names else (names[0] if names else None)
        self.cwd = cwd or Path.cwd()
        self.step = "form"  # form, planning, preview, writing
        self.plan: ImportPlan | None = None
        self._worker: Worker | None = None
        self._progress: tuple[str, int] | None = None  # set by the worker thread, shown by a timer
        self._timer: Timer | None = None
        self._source = ""  # the file's name, for messages

    # -- building ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="import-box") as box:
            box.border_title = "导入文件"
            with ContentSwitcher(initial="import-form", id="import-steps"):
                with Vertical(id="import-form"):
                    with Horizontal(classes="import-row"):
                        yield Label("导入到", classes="import-label")
                        yield Select(
                            [(f"{spec.label}（{spec.name}）", spec.name) for spec in self.tables],
                            value=self.first_table if self.first_table is not None else Select.NULL,
                            allow_blank=not self.tables,  # (a Select may not be empty otherwise)
                            compact=True,
                            id="import-table",
                        )
                    with Horizontal(classes="import-row"):
                        yield Label("文件", classes="import-label")
                        yield PathInput(
                            placeholder="CSV、XLSX、Parquet 或 GeoJSON 文件的路径",
                            cwd=self.cwd,
                            compact=True,
                            id="import-path",
                        )
                    with Horizontal(classes="import-row -hidden", id="import-sheet-row"):
                        yield Label("工作表", classes="import-label")
                        yield Input(placeholder="留空则读第一个工作表", compact=True, id="import-sheet")
                    with Horizontal(classes="import-row"):
                        yield Label("", classes="import-label")
                        yield Checkbox(self._update_label(False), compact=True, id="import-update")
                    yield Static(
                        f"Ctrl+T 补全路径，Tab 到下一项；相对路径从 {self.cwd} 算起。Enter 校验并预览。",
                        classes="import-hint",
                        markup=False,
                    )
                    yield Static("", id="import-status", markup=False)
                    with VerticalScroll(id="import-messages"):
                        yield Static("", id="import-listing", markup=False)
                    with Horizontal(classes="import-buttons"):
                        yield Button("校验并预览", variant="primary", compact=True, id="import-check")
                        yield Button("取消", compact=True, id="import-cancel")
                with Vertical(id="import-preview"):
                    yield Static("", id="import-summary")
                    yield RecordTable(empty_text="没有要写入的记录", id="import-rows")
                    with Horizontal(classes="import-buttons"):
                        yield Button("确认写入", variant="success", compact=True, id="import-confirm")
                        yield Button("返回修改", compact=True, id="import-back")
        yield ShellFooter()

    def on_mount(self) -> None:
        if self.app.animation_level == "none":
            for field in self.query(Input):
                field.cursor_blink = False  # over SSH every blink is a repaint

    # -- the form ----------------------------------------------------------------------------
    @staticmethod
    def _update_label(on: bool) -> str:
        # Said in words: without colour (NO_COLOR) the box looks the same ticked or not.
        return f"已有的记录按文件内容更新（--update，保留历史）：{'是' if on else '否'}"

    @on(Checkbox.Changed, "#import-update")
    def _update_changed(self, event: Checkbox.Changed) -> None:
        event.checkbox.label = self._update_label(event.value)

    @on(Input.Changed, "#import-path")
    def _path_changed(self, event: Input.Changed) -> None:
        spreadsheet = event.value.strip().lower().endswith(SPREADSHEET)
        self.query_one("#import-sheet-row").set_class(not spreadsheet, "-hidden")

    @on(PathInput.Completed)
    def _list_candidates(self, event: PathInput.Completed) -> None:
        self._set_messages(self._listing(event.completion))

    @staticmethod
    def _listing(completion: Completion) -> Text:
        text = Text()
        if completion.error:
            text.append(completion.error)
        elif not completion.candidates:
            text.append(f"{completion.folder} 中没有匹配的文件夹或可导入的文件")
        else:
            text.append(f"{completion.folder}：", style="bold")
            for name in completion.candidates[:200]:
                text.append("\n")
                text.append(name, style="bold" if name.endswith("/") else "")
            if len(completion.candidates) > 200:
                text.append(f"\n……另有 {len(completion.candidates) - 200} 项，请多输入几个字")
        if completion.more:
            text.append("\n（文件夹太大，只看了一部分）")
        return text

    def _set_messages(self, text: Group | Text | str) -> None:
        self.query_one("#import-listing", Static).update(text)
        self.query_one("#import-messages", VerticalScroll).scroll_home(animate=False)

    def _set_status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#import-status", Static)
        status.update(text)
        status.set_class(error, "-error")

    @on(Input.Submitted, "#import-path, #import-sheet")
    @on(Button.Pressed, "#import-check")
    def _check(self) -> None:
        if self.step != "form":
            return
        table = self.query_one("#import-table", Select).value
        typed = self.query_one("#import-path", PathInput).value.strip()
        if table is Select.NULL or not isinstance(table, str):
            self._set_status("没有可导入的表", error=True)
            return
        if not typed:
            self._set_status("请输入要导入的文件路径", error=True)
            self.query_one("#import-path").focus()
            return
        path = Path(os.path.expanduser(typed))
        if not path.is_absolute():
            path = self.cwd / path
        sheet = self.query_one("#import-sheet", Input).value.strip() or None
        if not path.name.lower().endswith(SPREADSHEET):
            sheet = None
        update = self.query_one("#import-update", Checkbox).value
        self._source = path.name
        self.step = "planning"
        self._progress = None
        self._set_status(f"正在读取并校验 {path.name}……")
        self._set_messages("")
        self._timer = self.set_interval(0.25, self._show_progress)
        self.refresh_bindings()
        self._worker = self._plan(table, path, sheet, update)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _plan(self, table: str, path: Path, sheet: str | None, update: bool) -> ImportPlan:
        worker = get_current_worker()

        def progress(stage: str, rows: int) -> None:
            if worker.is_cancelled:
                raise ImportCancelled()
            self._progress = (stage, rows)

        return plan_import(self.store, table, path, sheet=sheet, update=update, progress=progress)

    def _show_progress(self) -> None:
        if self.step == "planning" and self._progress is not None:
            stage, rows = self._progress
            done = "已读" if stage == "读取" else "已校验"
            self._set_status(f"正在{stage} {self._source}……{done} {rows:,} 行")

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    # -- results of the workers --------------------------------------------------------------
    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._worker or event.state in (WorkerState.PENDING, WorkerState.RUNNING):
            return
        self._stop_timer()
        if event.state == WorkerState.CANCELLED:
            return
        if self.step == "planning":
            if event.state == WorkerState.SUCCESS:
                planned = event.worker.result
                assert isinstance(planned, ImportPlan)  # the planning worker returns the plan
                await self._show_preview(planned)
            else:
                self._back_to_form(event.worker.error)
        elif self.step == "writing":
            if event.state == WorkerState.SUCCESS:
                plan = self.plan
                assert plan is not None  # writing starts from a shown plan
                self.dismiss(ImportDone(plan.table, self._done_message(plan)))
            else:
                self._back_to_form(event.worker.error, writing=True)

    def _back_to_form(self, error: BaseException | None, writing: bool = False) -> None:
        self.step = "form"
        self.query_one(ContentSwitcher).current = "import-form"
        self.refresh_bindings()
        if isinstance(error, ValidationError):
            self._set_status("" if not writing else "写入时校验未通过（可能他人刚写入了同样的记录）。", error=True)
            self._set_messages(problem_text(error, self._source))
        elif isinstance(error, (ImportFileError, StoreError)):
            self._set_status("未写入任何数据。", error=True)
            self._set_messages(Text(str(error)))
        else:
            what = "写入" if writing else "读取"
            self._set_status("未写入任何数据。", error=True)
            self._set_messages(
                Text(f"{what} {self._source} 时出错：{describe_exception(error) if error else '未知错误'}")
            )
        self.query_one("#import-path").focus()

    async def _show_preview(self, plan: ImportPlan) -> None:
        self.plan = plan
        self.step = "preview"
        spec = self.store.spec(plan.table)
        self.query_one(ContentSwitcher).current = "import-preview"
        self.query_one("#import-summary", Static).update(self._summary(plan, spec))
        # Columns the file left empty are left out of the preview (they are written empty). Only
        # the first rows are read back from the plan's temporary file: the rest stay on disk
        # (a million rows would be ~250 MB in this process).
        filled = set(plan.filled_columns)
        shown = [c for c in spec.columns if plan.rows and c.name in filled]
        rows = plan.preview(PREVIEW_ROWS).select([c.name for c in shown])
        if not self.store.access.sees_pii:
            rows = mask_table(rows, {c.name: c.pii for c in shown if c.pii})
        rows = readable(rows)
        table = self.query_one(RecordTable)
        table.display = plan.rows > 0  # nothing to write: the summary says so
        await table.show_arrow(rows, {c.name: c.label for c in shown}, total=plan.rows)
        confirm = self.query_one("#import-confirm", Button)
        confirm.disabled = plan.rows == 0
        (confirm if plan.rows else self.query_one("#import-back", Button)).focus()
        self.refresh_bindings()

    def _summary(self, plan: ImportPlan, spec: TableSpec) -> Text:
        text = Text()
        text.append("校验通过：", style="bold")
        text.append(f"{plan.path.name} → {spec.label}（{spec.name}）")
        if plan.encoding:
            text.append(f"，编码 {encoding_name(plan.encoding)}", style="dim")
        if plan.sheet:
            text.append(f"，工作表 {plan.sheet}", style="dim")
        text.append("\n")
        for label, count in (("新增", plan.new), ("更新", plan.updates), ("未变", plan.unchanged)):
            text.append(f"{label} ")
            text.append(str(count), style="bold")
            text.append(" 条   ")
        if plan.rows == 0:
            text.append("\n与现有数据相同，无需写入。", style="bold")
        elif plan.unchanged:
            text.append("（未变的不写入）", style="dim")
        if plan.unknown_headers:
            text.append("\n注意：", style="bold")
            text.append(f"这些列不属于{spec.label}表，将忽略：{'、'.join(plan.unknown_headers)}")
        for note in plan.notes:
            text.append("\n注意：", style="bold")
            text.append(note)
        if plan.rows:
            text.append("\n按 y 或“确认写入”一次写入全部；Esc 返回修改，不写入。", style="dim")
        return text

    def _done_message(self, plan: ImportPlan) -> str:
        detail = (
            f"（编码 {encoding_name(plan.encoding)}）"
            if plan.encoding
            else (f"（工作表 {plan.sheet}）" if plan.sheet else "")
        )
        return f"已导入{detail}：{plan.path.name} → {self.store.spec(plan.table).label}，{plan.describe()}"

    # -- actions -----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm":
            return self.step == "preview" and self.plan is not None and self.plan.rows > 0
        if action == "back":
            return None if self.step == "writing" else True  # a batch being written cannot be stopped
        return True

    @on(Button.Pressed, "#import-confirm")
    def action_confirm(self) -> None:
        if self.step != "preview" or self.plan is None or self.plan.rows == 0:
            return
        self.step = "writing"
        self.query_one("#import-confirm", Button).disabled = True
        self.query_one("#import-summary", Static).update(
            Text(f"正在写入 {self.plan.path.name}（{self.plan.describe()}）……", style="bold")
        )
        self.refresh_bindings()
        self._worker = self._write(self.plan)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _write(self, plan: ImportPlan):
        return run_import(self.store, plan)

    @on(Button.Pressed, "#import-cancel, #import-back")
    def action_back(self) -> None:
        if self.step == "writing":
            self.notify("正在写入，请稍候", severity="warning")
        elif self.step == "planning":
            if self._worker is not None:
                self._worker.cancel()  # the read stops at its next progress report
            self._stop_timer()
            self.step = "form"
            self.refresh_bindings()
            self._set_status("已取消校验，未写入任何数据。")
        elif self.step == "preview":
            self.plan = None
            self.step = "form"
            self.query_one(ContentSwitcher).current = "import-form"
            self._set_status("未写入。可修改后重新校验，或按 Esc 关闭。")
            self.refresh_bindings()
            self.query_one("#import-path").focus()
        else:
            self.dismiss(None)
