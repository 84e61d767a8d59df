"""The base class of every panel: the one place that runs a panel's queries and shows failures.

Long (about 750 lines) so that a plugin author reads everything a panel gets in one class:
loading, workers, export, role gates and the error box, with the records they use.

A panel author writes three methods:

- ``compose_body()``  the panel's widgets (like Textual's ``compose``)
- ``load(ctx)``       fetch what to show; runs in a thread worker, never on the UI thread, so
                      query the store here and touch no widget
- ``show(data)``      put ``load``'s result into the widgets; runs on the UI thread (it may be
                      ``async def``, to await mounting widgets)

The shell calls ``request(ctx)`` when the panel is shown and whenever the period or grid
changes while it is visible. Only the newest request's result is shown.

What every panel gets besides (see plugins/README.md, "Panels"):

- ``e`` exports what the panel shows: a panel that overrides ``export_view()`` gets the binding;
  the base asks for a file name, writes it with the exporter in a worker (PII masked for roles
  that may not see it) and says where it went.
- Role-gated actions: an ``action_*`` method decorated with ``@requires_write("table")`` is
  hidden from the footer, help and palette for a role that may not write that table, and is
  refused with the store's message (naming the role needed) when it is invoked anyway.
- ``run_in_thread(job, done=...)`` for a panel's further queries and writes (a ticket's detail,
  a save), off the UI thread; ``report_write_error(exc)`` shows a refused write the same way
  everywhere and reloads.
- ``side_by_side({name: job})`` from ``load``: independent queries run at once, each in a thread
  worker of the shell's, their results returned by name (no pool of the panel's own).
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import pyarrow as pa
from textual import events, on, work
from textual.actions import parse as parse_action
from textual.app import ComposeResult
from textual.binding import Binding
from textual.compose import compose
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static, TabbedContent, Tabs
from textual.worker import Worker, WorkerFailed, WorkerState

from ..access import AccessError
from ..context import Context
from ..plugins import describe_exception
from ..store import StaleRevisionError, StoreError, ValidationError
from ..store.spec import META_NAMES, Column, TableSpec
from .keys import action_name
from .widgets.error_box import ErrorBox
from .widgets.loading_note import loading_widget

T = TypeVar("T")

# The attribute ``requires_write`` leaves on an action method: the table it writes.
WRITE_MARK = "_fazhi_requires_write"


def requires_write(table: str) -> Callable[[Callable[..., T]], Callable[..., T | None]]:
    """Mark a panel's ``action_*`` method as one that writes ``table``.

    For a role that may not write it (``ctx.may_write(table)`` is false) the action is hidden
    from the footer, the help screen and the palette (``Panel.check_action``), its key tells the
    user why instead of doing nothing, and calling it anyway shows the store's refusal, which
    names the role needed. The store refuses the write too: this only keeps the screen honest.

        @requires_write("hotline")
        def action_new_ticket(self) -> None: ...
    """

    def mark(method: Callable[..., T]) -> Callable[..., T | None]:
        @functools.wraps(method)
        def guarded(self: Panel, *args: Any, **kwargs: Any) -> T | None:
            if not self.may_write(table):
                self.refuse_write(table)
                return None
            return method(self, *args, **kwargs)

        setattr(guarded, WRITE_MARK, table)
        return guarded

    return mark


_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\s]+')


class PanelExportError(ValueError):
    """A panel's ``PanelExport`` that cannot be written (its rows are not an Arrow table)."""


@dataclass(frozen=True)
class PanelExport:
    """What ``e`` writes for a panel: the rows it shows and how to head them.

    ``rows`` is a ``pyarrow.Table``, or a function returning one that runs in a worker thread
    (for a list shown a page at a time: fetch every row there); anything else (a list of dicts,
    a DataFrame) is refused with a message naming the plugin. Column headings come from
    ``labels``, else from ``spec`` (the stored table the rows come from), else the column
    name; PII columns (``spec``'s marks, plus ``pii``) are masked for roles that may not see
    personal information, and the file says so.
    """

    title: str  # what it is (热线未办结工单): the sheet's name and the start of the file name
    rows: pa.Table | Callable[[], pa.Table]
    spec: TableSpec | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    pii: Mapping[str, str] = field(default_factory=dict)  # column -> kind ("name", "phone", …)
    file_stem: str | None = None  # the file name offered, without extension

    def default_stem(self, ctx: Context) -> str:
        stem = self.file_stem or "-".join(
            [self.title, ctx.period.label] + ([ctx.grid.name] if ctx.grid is not None else [])
        )
        return _UNSAFE_IN_NAMES.sub("-", stem).strip("-.") or "导出"

    def fetch(self) -> pa.Table:
        return self.rows() if callable(self.rows) else self.rows

    def prepared(self, rows: pa.Table) -> tuple[pa.Table, TableSpec]:
        """The rows (columns renamed where a name is not an identifier) and a spec heading them."""
        # The version columns (_rev, _at, _by …) stay out unless labelled, as in a table's export.
        rows = rows.select([n for n in rows.column_names if n not in META_NAMES or n in self.labels])
        names, columns = [], []
        for i, name in enumerate(rows.column_names):
            stored = self.spec.column(name) if self.spec is not None and name in self.spec.column_names else None
            if name in self.labels:
                label = self.labels[name]
            elif stored is not None:
                label = stored.label
            else:
                label = name
            kind = self.pii.get(name) or (stored.pii if stored is not None else None)
            safe = name if re.fullmatch(r"[a-z][a-z0-9_]*", name) else f"c{i}"
            names.append(safe)
            columns.append(Column(safe, rows.schema.field(i).type, label, pii=kind))
        if not columns:
            raise ValueError("没有可导出的列")
        spec = TableSpec(
            name="panel_export", label=self.title[:31] or "导出", columns=tuple(columns), key=columns[0].name
        )
        return rows.rename_columns(names), spec


@dataclass(frozen=True)
class PanelAction:
    """One of a panel's actions as the command palette lists it (see ``Panel.palette_actions``)."""

    title: str  # the binding's description: 新建工单
    key: str  # the key that runs it, as shown to people (after the keymap)
    binding_id: str
    run: Callable[[], object]


class PanelBody(Vertical):
    """Holds the panel's own widgets; covered by a loading note while a query runs."""

    DEFAULT_CSS = """
    PanelBody { height: 1fr; }
    """

    def get_loading_widget(self) -> Widget:
        return loading_widget(self.app.animation_level != "none")


def _guard_action(method: Callable[..., Any]) -> Callable[..., Any]:
    """An action that raises costs only its panel: the error shows above the panel's content."""

    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def guarded_async(self: Panel, *args: Any, **kwargs: Any) -> Any:
            try:
                return await method(self, *args, **kwargs)
            except Exception as exc:
                self._fail(f"操作出错：{describe_exception(exc)}")
                return None

        return guarded_async

    @functools.wraps(method)
    def guarded(self: Panel, *args: Any, **kwargs: Any) -> Any:
        try:
            result = method(self, *args, **kwargs)
        except Exception as exc:
            self._fail(f"操作出错：{describe_exception(exc)}")
            return None
        if inspect.isawaitable(result):  # an async action behind requires_write

            async def awaited() -> Any:
                try:
                    return await result
                except Exception as exc:
                    self._fail(f"操作出错：{describe_exception(exc)}")
                    return None

            return awaited()
        return result

    return guarded


class Panel(Widget):
    """Subclass this for a dashboard panel and register it with a ``PanelSpec``."""

    DEFAULT_CSS = """
    Panel { height: 1fr; width: 1fr; layers: base overlay; }
    Panel > #panel-reloading {
        display: none;
        position: absolute;
        layer: overlay;
        width: auto;
        height: 1;
        padding: 0 1;
        color: $text-muted;
        background: $surface;
    }
    Panel.-reloading > #panel-reloading { display: block; }
    Panel > #panel-error { display: none; }
    Panel.-failed > #panel-error { display: block; }
    Panel.-failed.-empty > PanelBody { display: none; }
    Panel.-failed.-empty > #panel-error { height: 1fr; }
    """

    # Shown only when the panel says what it would export (``export_view``).
    BINDINGS = [Binding("e", "export", "导出", id="panel.export")]

    # Reload when any write lands (this process's or a colleague's), also while hidden: for a
    # panel that sums up other panels' data (the daily review). Others reload when the context
    # changes or on `r`.
    RELOAD_ON_WRITE: bool = False
    # True: the first ``load`` may begin before the panel is mounted, while its widgets are
    # composed (the dashboard's first panel then shows sooner). Only for a panel whose ``load``
    # needs nothing its ``on_mount`` sets up; every built-in panel says so.
    LOAD_BEFORE_MOUNT: bool = False

    # Set by the shell when it places the panel: whose it is and what it is called.
    plugin_name: str = ""
    panel_name: str = ""
    panel_title: str = ""

    class Failed(Message):
        """A panel's factory, compose, query or show raised; the shell records it against the plugin."""

        def __init__(self, plugin: str, name: str, title: str, message: str) -> None:
            super().__init__()
            self.plugin = plugin
            self.name = name
            self.title = title
            self.message = message

    class GridSelected(Message):
        """A panel asks the shell to make ``grid`` (None: the whole town) every panel's grid."""

        def __init__(self, grid: Any) -> None:
            super().__init__()
            self.grid = grid

    def select_grid(self, grid: Any) -> None:
        """Make ``grid`` (a ``Grid``, or None for the whole town) the shell's selected grid."""
        self.post_message(self.GridSelected(grid))

    class RecordWanted(Message):
        """A panel asks the shell to open one record in the panel that shows ``table``'s records."""

        def __init__(self, table: str, record_id: str | None) -> None:
            super().__init__()
            self.table = table
            self.record_id = record_id

    def open_record(self, table: str, record_id: str | None) -> None:
        """Ask the shell to switch to the panel that shows ``table``'s records and open
        ``record_id`` there (``show_record``); the shell says so when no panel can."""
        self.post_message(self.RecordWanted(table, record_id))

    #: The tables whose records this panel opens (``show_record``), each with the id of the tab
    #: (a ``TabPane`` of the panel's ``TabbedContent``) that lists them. A panel that names any
    #: implements ``open_one``; one without tabs overrides ``show_record`` instead.
    RECORD_TABS: ClassVar[Mapping[str, str]] = {}

    def show_record(self, table: str, record_id: str | None) -> bool:
        """Show one record of ``table`` (``record_id`` None: the table's list). The shell calls
        it on the UI thread after switching to this panel and once its first ``load`` is shown.
        Return True when the panel handles ``table``. The default: a table of ``RECORD_TABS``,
        its list tab for None, else ``open_one``."""
        tab = self.RECORD_TABS.get(table)
        if tab is None:
            return False
        if record_id is None:
            self.query_one(TabbedContent).active = tab
        else:
            self.open_one(table, record_id)
        return True

    def open_one(self, table: str, record_id: str) -> None:
        """Show ``record_id`` of ``table`` (one of ``RECORD_TABS``); ``show_in_tab`` does the rest."""
        raise NotImplementedError(f"{type(self).__name__} 列出了 RECORD_TABS，须实现 open_one()")

    def show_in_tab(
        self,
        tab: str,
        fetch: Callable[[Context], T],
        done: Callable[[T], Any],
        *,
        focus: Widget | None = None,
        group: str = "record",
    ) -> bool:
        """What opening one record takes in every panel: its tab shown, ``focus`` focused (so
        the panel's keys stay in the footer), ``fetch(ctx)`` in a worker, then ``done(result)``
        on the UI thread. False (nothing done) before the panel has a context."""
        ctx = self.context
        if ctx is None:
            return False
        self.query_one(TabbedContent).active = tab
        if focus is not None:
            focus.focus()
        self.run_in_thread(functools.partial(fetch, ctx), done=done, group=group)
        return True

    class Shown(Message):
        """A panel put fresh data on screen (after a failure too: the shell clears its mark)."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # compose() places the error box and guards the body; a subclass that replaced it
        # would lose both, so say so at once rather than fail obscurely later.
        if "compose" in cls.__dict__:
            raise TypeError(f"Panel 子类 {cls.__name__} 应实现 compose_body() 而不是 compose()")
        for name, value in list(cls.__dict__.items()):
            if name.startswith("action_") and callable(value):
                setattr(cls, name, _guard_action(value))

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._shown: Context | None = None  # the context of the content on screen
        self._wanted: Context | None = None  # the newest context asked for
        self._worker: Worker | None = None
        self._broken: str | None = None  # why the panel cannot work at all (compose failed)
        self._tasks: dict[Worker, tuple[Callable[[Any], Any] | None, Callable[[BaseException], Any] | None]] = {}
        self._refocus: Widget | None = None  # what had the focus when a reload covered the body
        self._record_wanted: tuple[str, str | None] | None = None  # show_record once data is shown
        self._tab_focus_pending: TabbedContent | None = None  # a tab whose list should take the focus

    # -- for panel authors -------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        """The panel's widgets."""
        yield from ()

    def load(self, ctx: Context) -> Any:
        """Fetch what the panel shows for ``ctx`` (runs in a thread: no widget access here)."""
        return None

    def show(self, data: Any) -> Awaitable[None] | None:
        """Put ``load``'s result on screen (runs on the UI thread). May be ``async def``, to
        await mounting new widgets."""

    def export_view(self) -> PanelExport | None:
        """What ``e`` would export now (UI thread; keep it cheap: no queries here — put them in
        ``PanelExport.rows`` as a function). ``None``, the default, hides ``e``."""
        return None

    # The table the import dialog (``i``) offers first when opened from this panel; None: the
    # first table the panel's plugin declares.
    import_table: str | None = None

    @property
    def context(self) -> Context | None:
        """The context of what is on screen: in ``show(data)``, the one ``data`` was loaded for
        (the first time too); None before the first load, and after a failure for a new period
        or grid (the old content is no longer on screen)."""
        return self._shown

    def reload(self) -> None:
        """Run ``load`` again for the current context (after the panel changed data, say)."""
        ctx = self._wanted or self._shown
        if ctx is not None:
            self.request(ctx, force=True)

    def may_write(self, table: str) -> bool:
        """Whether the user's role may add to and edit ``table`` (False before any context)."""
        ctx = self._wanted or self._shown
        return ctx is not None and ctx.may_write(table)

    def refuse_write(self, table: str) -> None:
        """Tell the user that their role may not change ``table``, naming the role needed."""
        ctx = self._wanted or self._shown
        if ctx is None:
            self.notify("数据尚未载入，暂不能修改", title="无法操作", severity="warning")
            return
        label = ctx.store.specs[table].label if table in ctx.store.specs else table
        try:
            ctx.access.require_write(table, label)
        except AccessError as exc:
            self.notify(str(exc), title="无权操作", severity="error", timeout=10)

    def write_table_of(self, action: str) -> str | None:
        """The table an action writes, if it is marked ``@requires_write``."""
        return getattr(getattr(type(self), f"action_{action}", None), WRITE_MARK, None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide ``e`` when there is nothing to export, and role-gated actions from a role that
        may not write their table. A subclass that overrides this should return
        ``super().check_action(...)`` for actions it does not decide itself."""
        if action == "export":
            return self._shown is not None and self._export_view() is not None
        table = self.write_table_of(action)
        if table is not None and not self.may_write(table):
            return False
        return True

    def palette_actions(self) -> list[PanelAction]:
        """The panel's actions the user may run now, for the command palette: every binding of
        the panel (its class and the base's) that ``check_action`` does not hide."""
        keymap = getattr(self.app, "_keymap", {}) or {}
        bindings = self._bindings.copy()
        if keymap:
            bindings.apply_keymap(keymap)
        actions: list[PanelAction] = []
        seen: set[str] = set()
        for _key, binding in bindings:
            group = binding.id or binding.action
            if group in seen or binding.system:
                continue
            seen.add(group)
            _target, name, params = parse_action(binding.action)
            if not self.check_action(name, params):
                continue
            actions.append(
                PanelAction(
                    binding.description,
                    self.app.get_key_display(binding),
                    binding.id or "",
                    functools.partial(self.call_later, self.app.run_action, binding.action, self),
                )
            )
        return actions

    def run_in_thread(
        self,
        job: Callable[[], T],
        *,
        done: Callable[[T], Any] | None = None,
        failed: Callable[[BaseException], Any] | None = None,
        group: str = "panel-task",
        exclusive: bool = True,
    ) -> Worker:
        """Run ``job()`` in a thread worker (a query or a write), then ``done(result)`` on the UI
        thread, or ``failed(error)`` (by default the error becomes a notice). With ``exclusive``,
        a newer job of the same group replaces an older one, whose result is dropped."""
        worker = self.run_worker(
            job, thread=True, group=f"{self.id or 'panel'}:{group}", exclusive=exclusive, exit_on_error=False
        )
        self._tasks[worker] = (done, failed)
        return worker

    def side_by_side(self, jobs: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
        """From ``load`` (a worker thread): run the jobs at once, each in a thread worker of the
        shell's (the store gives each thread its own DuckDB cursor), and return their results
        by name; the first job to fail raises its error. A panel not in a running app (the
        benchmarks call ``load`` as the worker would) runs them side by side in plain threads."""
        if not self.is_attached or not self.app.is_running:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=max(1, len(jobs)), thread_name_prefix="panel-load") as pool:
                futures = {name: pool.submit(job) for name, job in jobs.items()}
                return {name: future.result() for name, future in futures.items()}

        def start() -> dict[str, Worker]:
            return {
                name: self.run_worker(job, thread=True, group="panel-load-part", exclusive=False, exit_on_error=False)
                for name, job in jobs.items()
            }

        workers = self.app.call_from_thread(start)
        results: dict[str, Any] = {}
        for name, worker in workers.items():
            try:
                self.app.call_from_thread(worker.wait)
            except WorkerFailed as failed:
                raise failed.error from None
            results[name] = worker.result
        return results

    def report_write_error(self, error: BaseException, *, reload: bool = True) -> None:
        """Show why a write was refused (role, someone else's newer version, bad data) and,
        by default, reload so the screen shows the record as it now is."""
        if isinstance(error, AccessError):
            title = "无权操作"
        elif isinstance(error, StaleRevisionError):
            title = "他人已修改，本次未保存"
        elif isinstance(error, ValidationError):
            title = "数据有误，未保存"
        elif isinstance(error, StoreError):
            title = "未保存"
        else:
            title = "出错"
        message = str(error) if isinstance(error, StoreError) else describe_exception(error)
        self.notify(message, title=title, severity="error", timeout=15)
        if reload:
            self.reload()

    # -- for the shell -----------------------------------------------------------------------
    def want_record(self, table: str, record_id: str | None) -> None:
        """The shell's "open this record": ``show_record`` now if data is on screen, else right
        after the first load is shown (so ``show_record`` always has ``self.context``)."""
        if self._shown is None:
            self._record_wanted = (table, record_id)
            return
        self._show_wanted_record(table, record_id)

    def _show_wanted_record(self, table: str, record_id: str | None) -> None:
        try:
            handled = self.show_record(table, record_id)
        except Exception as exc:
            self._fail(f"打开记录出错：{describe_exception(exc)}")
            return
        if not handled:
            self.notify(f"面板「{self.panel_title}」不能打开表 {table} 的记录", severity="warning")

    def compose(self) -> ComposeResult:
        yield ErrorBox(id="panel-error")
        yield Static("正在更新……", id="panel-reloading")
        try:
            children = compose(self, self.compose_body())
        except Exception as exc:
            self._broken = f"界面构建出错：{describe_exception(exc)}"
            children = []
        yield PanelBody(*children)

    def on_mount(self) -> None:
        if self._broken is not None:
            self._fail(self._broken)
        elif self._wanted is not None and self._worker is not None:
            # Its load began before the mount (``request``); running or done, its state changes
            # wait in this panel's queue, behind the mount.
            self.query_one(PanelBody).loading = True
        elif self._wanted is not None:
            self._start(self._wanted)
        else:
            self.query_one(PanelBody).loading = True  # the shell asks once the context is known

    def request(self, ctx: Context, force: bool = False) -> None:
        """Show the data for ``ctx``: load it unless it is already shown or on its way."""
        if self._broken is not None:
            return
        if not force and ctx.same_view(self._wanted):
            # Loading, shown, or loaded before the mount and waiting to be shown.
            if self._loading() or ctx.same_view(self._shown) or (self._worker is not None and not self.is_mounted):
                return
        self._wanted = ctx
        if self.is_mounted:
            self._start(ctx)
        elif self.LOAD_BEFORE_MOUNT:
            # Asked before it is mounted (the dashboard's first panel): the load needs none of
            # its widgets, so it runs while they are composed and mounted; its result waits in
            # the panel's queue until the mount is done (Textual composes and mounts first).
            # A newer request replaces it (one worker group: only the last one's is shown).
            self._worker = self._load_in_thread(ctx)

    def _loading(self) -> bool:
        return self._worker is not None and self._worker.state in (WorkerState.PENDING, WorkerState.RUNNING)

    def _start(self, ctx: Context) -> None:
        if self._shown is not None and not self.has_class("-empty"):
            # A reload: the content stays (and keeps the focus, so the panel's keys stay in
            # the footer) with a note in the corner until the new data replaces it.
            self.query_one("#panel-reloading", Static).styles.offset = (max(0, self.size.width - 14), 0)
            self.add_class("-reloading")
        else:
            # Nothing to show yet: a cover says it is loading. It takes the focus from the
            # widget under it; note that widget, to give the focus back with the data.
            focused = self.screen.focused if self.is_attached else None
            if focused is not None and self in focused.ancestors:
                self._refocus = focused
            self.query_one(PanelBody).loading = True
        self._worker = self._load_in_thread(ctx)

    # -- tabs and the focus ------------------------------------------------------------------
    # One rule for every panel with a TabbedContent (built-in or not): whenever the shown tab
    # changes (t / T, a click, a record opened in its tab) and when the shell opens the panel,
    # the arrows and Enter act on the shown tab's list at once, not on the tab bar or on a list
    # in a hidden tab. A list with nothing in it yet cannot take the focus: the tab bar holds it
    # (so the panel's keys stay in the footer) until the data is shown, then the list takes it.

    def action_next_tab(self, step: int = 1) -> None:
        """The next tab (``step`` -1: the previous one), its list focused. A panel with tabs binds
        it under its own ids: ``Binding("t", "next_tab", "下一页签", id="<plugin>.next_tab")``,
        ``Binding("T", "next_tab(-1)", "上一页签", id="<plugin>.previous_tab")``."""
        tabs = self.query_one(TabbedContent).query_one(Tabs)
        if step < 0:
            tabs.action_previous_tab()  # Tabs' own actions: they wrap and skip hidden tabs
        else:
            tabs.action_next_tab()

    def focus_shown_tab(self, tabbed: TabbedContent) -> bool:
        """Give the focus to the first widget that takes it in the tab ``tabbed`` shows (its
        list or table); the tab bar when that tab has nothing to focus yet (False then: the list
        takes the focus when the panel's data is next shown)."""
        pane = tabbed.active_pane
        if pane is not None:
            for widget in self.screen.focus_chain:
                if pane in widget.ancestors:
                    widget.focus()
                    self._tab_focus_pending = None
                    return True
        self._tab_focus_pending = tabbed
        tabbed.query_one(Tabs).focus()
        return False

    def focus_content(self) -> bool:
        """Where the shell puts the focus when it opens the panel: the shown tab's list in a
        panel with tabs, else the first widget of the panel that takes the focus. False when
        nothing of the panel can take it yet (it is loading)."""
        chain = [w for w in self.screen.focus_chain if self in w.ancestors]
        if not chain:
            return False
        tabbed = next(iter(self.query(TabbedContent)), None)
        if tabbed is not None:
            self.focus_shown_tab(tabbed)
        else:
            chain[0].focus()
        return True

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.call_after_refresh(self._focus_after_tab_change, event.tabbed_content)

    def _focus_after_tab_change(self, tabbed: TabbedContent) -> None:
        if not self.is_attached or not tabbed.is_attached:
            return
        chain = self.screen.focus_chain
        if not any(self in w.ancestors for w in chain):
            return  # hidden, or under the loading cover: the shell or the load gives the focus
        focused = self.screen.focused
        pane = tabbed.active_pane
        if focused is not None and pane is not None and pane in focused.ancestors:
            return  # already in the tab shown (a record opened there focused its view)
        self.focus_shown_tab(tabbed)

    def _focus_pending_tab(self) -> None:
        tabbed, self._tab_focus_pending = self._tab_focus_pending, None
        if tabbed is None or not tabbed.is_attached:
            return
        focused = self.screen.focused
        if focused is None or focused is tabbed.query_one(Tabs):
            self.focus_shown_tab(tabbed)

    def _place_tab_underlines(self) -> None:
        # A loading cover replaces the body's layout, so tab bars under it were never arranged
        # and Textual placed their underline at width zero; nothing resizes them when the cover
        # goes. A resize event is how Textual itself asks a tab bar to place its underline again
        # (public API only; every plugin's tabs are mended here, not in each panel).
        for tabs in self.query(Tabs):
            tabs.post_message(events.Resize(tabs.size, tabs.virtual_size, tabs.container_size))

    def _restore_focus(self) -> None:
        target, self._refocus = self._refocus, None
        if target is None or not self.is_attached or self.screen.focused is not None:
            return
        if target.is_attached and target.focusable:
            target.focus()

    @work(thread=True, exclusive=True, group="panel-load", exit_on_error=False)
    def _load_in_thread(self, ctx: Context) -> tuple[Context, Any]:
        return ctx, self.load(ctx)

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker in self._tasks:
            await self._task_changed(event)
            return
        if event.worker is not self._worker:
            return  # an older request that a newer one replaced, or a worker of the subclass
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self.query_one(PanelBody).loading = False
            self.remove_class("-reloading")
        if event.state == WorkerState.SUCCESS:
            result = event.worker.result
            assert result is not None  # _load_in_thread returns (ctx, data)
            ctx, data = result
            # ``self.context`` in show() is what is being shown, already on the first show.
            self._shown = ctx
            try:
                shown = self.show(data)
                if inspect.isawaitable(shown):
                    await shown
            except Exception as exc:
                self._shown = None  # half-shown content is not the last good content
                self._fail(f"显示出错：{describe_exception(exc)}")
                return
            self.remove_class("-failed", "-empty")
            self.refresh_bindings()  # what check_action allows may have changed (export, role)
            self.call_after_refresh(self._restore_focus)
            self.call_after_refresh(self._focus_pending_tab)  # a list filled just now takes the focus
            self.call_after_refresh(self._place_tab_underlines)
            self.post_message(self.Shown(self.panel_name))
            if self._record_wanted is not None:
                wanted, self._record_wanted = self._record_wanted, None
                self._show_wanted_record(*wanted)
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            self._fail(f"查询出错：{describe_exception(error) if error else '未知错误'}")
            self.call_after_refresh(self._restore_focus)

    async def _task_changed(self, event: Worker.StateChanged) -> None:
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        done, failed = self._tasks.pop(event.worker)
        try:
            if event.state == WorkerState.SUCCESS and done is not None:
                result = done(event.worker.result)
                if inspect.isawaitable(result):
                    await result
            elif event.state == WorkerState.ERROR:
                error = event.worker.error or RuntimeError("未知错误")
                if failed is not None:
                    result = failed(error)
                    if inspect.isawaitable(result):
                        await result
                else:
                    self.notify(describe_exception(error), title="出错", severity="error", timeout=10)
        except Exception as exc:
            self._fail(f"显示出错：{describe_exception(exc)}")

    @on(events.Key)
    def _refuse_gated_key(self, event: events.Key) -> None:
        """A key bound to an action the role may not run is hidden, so Textual would ignore it;
        say why instead (unless some other binding uses the key)."""
        if event.key in self.screen.active_bindings:
            return
        for node, bindings in self.screen._modal_binding_chain:  # the bindings after the keymap
            if node is not self:
                continue
            for binding in bindings.key_to_bindings.get(event.key, ()):
                table = self.write_table_of(action_name(binding.action))
                if table is not None and not self.may_write(table):
                    event.stop()
                    event.prevent_default()
                    self.refuse_write(table)
                    return

    def _export_view(self) -> PanelExport | None:
        try:
            return self.export_view()
        except Exception:
            return None  # a broken export_view hides `e`; the action reports the error

    def action_export(self) -> None:
        from .screens.export_dialog import ExportDialog

        ctx = self._shown
        try:
            view = self.export_view()
        except Exception as exc:
            self._fail(f"导出出错：{describe_exception(exc)}")
            return
        if ctx is None or view is None:
            self.notify("此处没有可导出的内容", severity="warning")
            return
        if not isinstance(view, PanelExport):
            self._fail(f"导出出错：export_view() 应返回 PanelExport 或 None，实为 {type(view).__name__}")
            return
        pii = ctx.sees_pii
        plugin = self.plugin_name or "（未知）"

        def chosen(answer: tuple[Path, str] | None) -> None:
            if answer is not None:
                path, fmt = answer
                self.run_in_thread(
                    functools.partial(self._write_export, view, path, fmt, pii, plugin),
                    done=self._exported,
                    failed=lambda exc: self.notify(
                        str(exc) if isinstance(exc, (StoreError, OSError, ValueError)) else describe_exception(exc),
                        title="导出失败",
                        severity="error",
                        timeout=15,
                    ),
                    group="panel-export",
                )

        default = Path.cwd() / f"{view.default_stem(ctx)}.xlsx"
        self.app.push_screen(ExportDialog(default, what=view.title, masked=not pii), chosen)

    @staticmethod
    def _write_export(
        view: PanelExport, path: Path, fmt: str, may_see_pii: bool, plugin: str = ""
    ) -> tuple[Any, list[str]]:
        from ..transfer.exporter import export_rows

        rows = view.fetch()
        if not isinstance(rows, pa.Table):
            # Not a traceback line in this file: the plugin's mistake, named as such.
            raise PanelExportError(
                f"插件 {plugin} 的导出「{view.title}」：PanelExport.rows 应为 pyarrow.Table（或返回它的函数），"
                f"实为 {type(rows).__name__}；可用 pyarrow.Table.from_pylist(rows) 转换"
            )
        rows, spec = view.prepared(rows)
        result = export_rows(rows, spec, path, fmt, may_see_pii=may_see_pii)
        unmasked = [c.label for c in spec.columns if c.pii] if may_see_pii else []
        return result, unmasked

    def _exported(self, outcome: tuple[Any, list[str]]) -> None:
        result, unmasked = outcome
        message = f"已导出 {result.rows} 条到 {result.path}"
        if result.masked:
            message += f"\n{'、'.join(result.masked)}已脱敏（个人信息保护）"
        elif unmasked:
            message += f"\n含未脱敏的个人信息（{'、'.join(unmasked)}），请妥善保管"
        self.notify(message, title="导出完成", timeout=10)

    def _fail(self, message: str) -> None:
        # With good content for the same period and grid on screen (a reload, an action that
        # failed), keep it and show the error above it. Content of another period or grid would
        # sit under the new one in the header: the error box takes the body's place.
        if self._shown is not None and self._wanted is not None and not self._shown.same_view(self._wanted):
            self._shown = None
        box = self.query_one("#panel-error", ErrorBox)
        has_content = self._shown is not None
        box.set_class(has_content, "-bar")
        self.set_class(not has_content, "-empty")
        self.add_class("-failed")
        subject = f"面板「{self.panel_title}」" if self.panel_title else "面板"
        hint = (
            "仍显示上次成功加载的内容。"
            if has_content
            else "其余面板不受影响；命令面板（Ctrl+P）的“插件状态”或 fazhi-tui plugins 列出各插件的错误。"
        )
        box.show_error(self.plugin_name or "（未知）", subject, message, hint)
        self.post_message(self.Failed(self.plugin_name, self.panel_name, self.panel_title, message))
