"""The dashboard: a header, the panel list, one panel at a time, and the footer.

Long (about 650 lines): one App whose parts (layout, keys, period and grid, panels, palette,
the workers' results) all act on the shared context; screens, widgets, key maps, the palette's
commands, start-up and the workers' messages are modules of their own.

The app owns the context every panel shares (the period and the selected grid). Changing it
refreshes the visible panel; a hidden panel catches up when it is shown. The app knows no
panel by name: they come from plugins through ``fazhi_panels``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, Static
from textual.worker import get_current_worker

from ..config import Config, today
from ..context import WHOLE_TOWN, Context, Grid
from ..contrib import Command, LazyPanel
from ..period import MONTH, QUARTER, YEAR, Period, parse_period
from ..plugins import Contribution, PluginHost, describe_exception
from ..runtime import review_checks
from ..store import Store
from ..store.access import AccessError
from ..store.child_folds import ChildFolds
from .commands import PaletteEntry, ShellCommands
from .gates import import_refusal
from .keys import action_name, binding_rows, describe
from .panel import Panel
from .startup import StartedRuntime, Startup, StartupInfo, query_grids, start_runtime, startup_info, unreadable_files
from .widgets.panel_list import PanelList
from .widgets.panel_slot import PanelSlot
from .widgets.shell_footer import ShellFooter
from .widgets.shell_header import HeaderInfo, ShellHeader
from .worker_messages import (
    BadgesRead,
    CommandDone,
    CommandFailed,
    CompactionDone,
    CompactionFailed,
    GridsRead,
    SignatureRead,
    StartupFailed,
    StartupRead,
    UnreadableRead,
)

if TYPE_CHECKING:
    from .screens.import_screen import ImportDone

# The modal screens (help, grid picker, import, range, plugin status) are imported when first
# opened, not here: the first screen shows none of them, and importing them (the import
# screen brings the file readers and a table widget) would delay the first panel.

MAX_NUMBERED = 10  # keys 1…9 and 0
# Text in the palette that may be a record's key (GD20261118001, A1023): looked up in the tables
# the panels show. Plain words and short numbers are not (they are periods or titles).
RECORD_KEY = re.compile(r"^[A-Za-z]{0,6}[-_]?\d{4,}[A-Za-z0-9_-]*$")
# Seconds after the first panel shows before the start-up's garbage is collected (see
# ``Startup.settle``): by then that frame is on screen and the user is reading it.
SETTLE_AFTER_S = 1.0
# How often the shell looks for writes of other processes (a colleague's save): a few stats per
# table in a worker. This process's own writes are told at once (``Store.write_listeners``).
WRITE_POLL_S = 5.0
# Actions some roles lack. ``FazhiApp.refusal`` says why; ``check_action`` hides them.
GATED_ACTIONS = frozenset({"import_data", "compact_store"})


def _number_key(n: int) -> str:
    return str(n % 10)


class FazhiApp(App[int], inherit_bindings=False):
    TITLE = "法治政府建设工作台"
    AUTO_FOCUS = None  # the shell focuses the visible panel once it has something to focus
    COMMANDS = {ShellCommands}
    CSS = """
    #main { height: 1fr; }
    #panels { width: 1fr; height: 1fr; padding: 0 1; }
    #no-panels { padding: 1 2; color: $text-muted; }
    """

    # Every binding has an id: the config's [keys] table rebinds by id (App.set_keymap).
    BINDINGS = [
        Binding("q", "quit", "退出", id="app.quit"),
        Binding("ctrl+q", "quit", "退出", show=False, priority=True, id="app.quit_now"),
        Binding("ctrl+c", "help_quit", "提示如何退出", show=False, system=True, id="app.help_quit"),
        Binding("question_mark", "help", "帮助", id="app.help"),
        Binding("ctrl+p", "command_palette", "命令", show=False, priority=True, id="app.command_palette"),
        Binding("left_square_bracket", "step_period(-1)", "上一期", id="period.prev"),
        Binding("right_square_bracket", "step_period(1)", "下一期", id="period.next"),
        Binding("p", "cycle_granularity", "年/季/月", id="period.cycle"),
        Binding("d", "pick_range", "自定义日期范围", show=False, id="period.range"),
        Binding("g", "pick_grid", "网格", id="grid.pick"),
        Binding("r", "reload_panel", "刷新当前面板", show=False, id="panel.reload"),
        Binding("b", "toggle_sidebar", "显示/隐藏面板列表", show=False, id="sidebar.toggle"),
        Binding("i", "import_data", "导入", id="data.import"),
        *(
            Binding(_number_key(n), f"show_panel({n})", f"第 {n} 个面板", show=False, id=f"panel.{n}")
            for n in range(1, MAX_NUMBERED + 1)
        ),
    ]

    period: reactive[Period] = reactive(lambda: Period.year(today().year), init=False)
    grid: reactive[Grid | None] = reactive(None, init=False)

    def __init__(self, config: Config, host: PluginHost, store: Store, startup: Startup | None = None) -> None:
        """``startup``: the start-up queries already running (``start_runtime``); without it the
        app runs them itself once mounted."""
        super().__init__()
        self.config = config
        self.host = host
        self.store = store
        self._early_startup = startup
        self._first_screen_up = False
        self.role = store.access.role_label
        self.animation_level = "full" if config.animations else "none"
        self.panels: list[Contribution] = host.panels()
        self.commands: list[Contribution] = host.contributions("fazhi_commands")
        self.grid_figures = tuple(c.value for c in host.contributions("fazhi_grid_figures"))
        self.review_checks = review_checks(host, config)
        self._store_signature: tuple | None = None  # the files as last seen: a change means a write
        self._stale: set[int] = set()  # RELOAD_ON_WRITE panels that missed a write while hidden
        self.grids: list[Grid] = []
        self.current_panel = 0
        self._context_known = False  # the opening period and the grid list are known
        self._period_chosen = False  # the user moved the period before the opening one arrived
        self._focus_wanted: PanelSlot | None = None  # a shown panel that should take the focus
        self._clashes_told: set[frozenset[str]] = set()
        self._bind_panel_keys()
        self.set_keymap(config.keys)

    # -- building ----------------------------------------------------------------------------
    def _bind_panel_keys(self) -> None:
        """A panel's own letter, when it has one that no shell binding uses."""
        taken = {key for b in self._own_bindings() for key in self._keys_after_keymap(b)}
        for index, contrib in enumerate(self.panels):
            spec = contrib.value
            if spec.key is None:
                continue
            if spec.key in taken:
                self.host.record_error(
                    contrib.plugin, f"面板 {spec.name} 的按键 {spec.key} 已被占用，未绑定（仍可用数字键切换）"
                )
                continue
            taken.add(spec.key)
            # BindingsMap has no public way to add a Binding with an id after start-up.
            self._bindings._add_binding(
                Binding(
                    spec.key, f"show_panel({index + 1})", f"面板：{spec.title}", show=False, id=f"panel.{spec.name}"
                )
            )

    def _own_bindings(self) -> Iterable[Binding]:
        return (b for b in self.BINDINGS if isinstance(b, Binding))

    def _keys_after_keymap(self, binding: Binding) -> list[str]:
        keys = self.config.keys.get(binding.id, binding.key) if binding.id else binding.key
        return [k.strip() for k in keys.split(",")]

    def known_binding_ids(self) -> set[str]:
        """Every binding id the config's [keys] table may name."""
        from .screens.grid_picker import GridPicker
        from .screens.help import HelpScreen
        from .screens.import_screen import ImportScreen
        from .screens.plugin_status import PluginStatusScreen
        from .screens.range_dialog import RangeDialog
        from .widgets.path_input import PathInput

        ids = {b.id for b in self._own_bindings() if b.id}
        ids |= {f"panel.{c.value.name}" for c in self.panels if c.value.key}
        classes: list[type] = [HelpScreen, GridPicker, RangeDialog, PluginStatusScreen, ImportScreen, PathInput]
        for contrib in self.panels:
            factory = contrib.value.factory
            if isinstance(factory, LazyPanel):
                # Only a config with [keys] asks, at mount: importing the panel then is its cost.
                try:
                    factory = factory.load()
                except Exception as exc:  # the panel's own slot shows the error when opened
                    self.host.record_error(
                        contrib.plugin, f"面板 {contrib.value.name} 无法导入：{describe_exception(exc)}"
                    )
                    continue
            if isinstance(factory, type):
                classes.append(factory)
        for cls in classes:
            for klass in cls.__mro__:
                ids |= {b.id for b in klass.__dict__.get("BINDINGS", []) if isinstance(b, Binding) and b.id}
        return ids

    def compose(self) -> ComposeResult:
        yield ShellHeader()
        with Horizontal(id="main"):
            yield PanelList(id="panel-list")
            with ContentSwitcher(id="panels"):
                for index, contrib in enumerate(self.panels):
                    yield PanelSlot(contrib.value, contrib.plugin, index + 1)
                if not self.panels:
                    yield Static(
                        "没有可显示的面板：未加载任何提供面板的插件。\n"
                        "检查环境变量 FAZHI_PLUGINS 与配置文件中的 plugins；fazhi-tui plugins 列出各插件的状态。",
                        id="no-panels",
                    )
        yield ShellFooter()

    def on_mount(self) -> None:
        if self.config.theme:
            try:
                self.theme = self.config.theme
            except Exception:
                self.notify(f"配置中的主题 {self.config.theme} 不存在，使用默认主题", severity="warning")
        # Only a config that rebinds keys needs every screen's binding ids (which imports them).
        unknown = sorted(set(self.config.keys) - self.known_binding_ids()) if self.config.keys else []
        if unknown:
            self.notify(
                f"配置 [keys] 中这些编号不是已知的按键绑定：{'、'.join(unknown)}（按 ? 查看编号）",
                severity="warning",
                timeout=10,
            )
        failed = [i.name for i in self.host.infos.values() if i.status == "failed" or i.errors]
        if failed:
            self.notify(
                f"有插件出错：{'、'.join(failed)}。命令面板中“插件状态”列出详情。", severity="warning", timeout=10
            )
        panel_list = self.query_one(PanelList)
        panel_list.set_panels([c.value.title for c in self.panels])
        self.store.write_listeners.append(self._write_landed)
        self.set_interval(WRITE_POLL_S, self._watch_writes)
        # Usually the start-up queries are done by now (they ran while Textual was imported):
        # then the context is known before the first panel is made, and its load starts at
        # once, while its widgets are composed and mounted, instead of after a worker's round
        # trip and the mount (~0.1 s at 10M tickets).
        early = self._early_startup
        known_now = early is not None and early.ready()
        if self.panels:
            self.show_panel_index(self._start_index())
        else:
            self.query_one(ContentSwitcher).current = "no-panels"
            panel_list.display = False
            self._start_up_done()
        self._update_header()
        if early is not None and known_now:
            # Once this handler is done: a panel shown in it after the first (``show_panel_index``
            # by whoever handles the mount next) is the one that loads; the first is not loaded
            # for nothing then.
            self.call_next(self._take_startup, early.result())
        else:
            self._startup()

    def _start_index(self) -> int:
        """The panel ``[ui] start_panel`` names, else the first; a name no panel has is told."""
        wanted = self.config.start_panel
        if wanted is None:
            return 0
        for index, contrib in enumerate(self.panels):
            if contrib.value.name == wanted:
                return index
        names = "、".join(c.value.name for c in self.panels)
        self.notify(
            f"配置 [ui] start_panel = “{wanted}”：没有这个面板（可用：{names}），显示第一个面板",
            severity="warning",
            timeout=10,
        )
        return 0

    def on_unmount(self) -> None:
        if self._write_landed in self.store.write_listeners:
            self.store.write_listeners.remove(self._write_landed)

    # -- noticing writes ---------------------------------------------------------------------
    class WritesLanded(Message):
        """A write of this process landed (posted from the writing thread)."""

    def _write_landed(self, table: str) -> None:
        self.post_message(self.WritesLanded())  # thread-safe: the store calls this on its writer's thread

    def on_fazhi_app_writes_landed(self, message: WritesLanded) -> None:
        self._watch_writes()

    def _watch_writes(self) -> None:
        if self._context_known:
            self._read_signature()
        folds = self.store.fold_runner
        if isinstance(folds, ChildFolds):
            folds.running()  # collects finished folds (and starts one left due)
            while folds.failures:
                self.notify(folds.failures.pop(0), title="后台整理", severity="warning", timeout=15)

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def _read_signature(self) -> None:
        _post_unless_replaced(self, SignatureRead(self.store.state_signature()))

    @on(SignatureRead)
    def _signature_read(self, message: SignatureRead) -> None:
        signature = message.signature
        before, self._store_signature = self._store_signature, signature
        if before is None or before == signature:
            return
        # Something was written (here or by a colleague): counts beside the titles, and the
        # panels that sum up others' data, catch up.
        self._refresh_badges()
        visible = self.current_panel if self.panels else None
        for index, slot in enumerate(self.query(PanelSlot)):
            panel = slot.panel
            if panel is None or not panel.RELOAD_ON_WRITE:
                continue
            if index == visible:
                self._refresh_visible(force=True)
            else:
                self._stale.add(index)

    def _refresh_badges(self) -> None:
        if not self._context_known:
            return
        jobs = [
            (index, contrib, self.context_for(contrib.plugin))
            for index, contrib in enumerate(self.panels)
            if contrib.value.badge is not None
        ]
        if jobs:
            self._compute_badges(jobs)

    @work(thread=True, exclusive=True, group="badges", exit_on_error=False)
    def _compute_badges(self, jobs: list[tuple[int, Contribution, Context]]) -> None:
        out: list[tuple[int, Contribution, object]] = []
        for index, contrib, ctx in jobs:
            try:
                out.append((index, contrib, contrib.value.badge(ctx)))
            except Exception as exc:  # one plugin's count costs only its badge
                out.append((index, contrib, exc))
        _post_unless_replaced(self, BadgesRead(out))

    @on(BadgesRead)
    def _badges_done(self, message: BadgesRead) -> None:
        panel_list = self.query_one(PanelList)
        for index, contrib, value in message.results:
            if isinstance(value, BaseException):
                self.host.record_error(
                    contrib.plugin, f"面板「{contrib.value.title}」的计数出错：{describe_exception(value)}"
                )
                panel_list.set_badge(index, None)
            else:
                panel_list.set_badge(index, value if isinstance(value, int) else None)

    # The app's workers report back with the messages below (posted from their thread; a worker
    # that a newer one of its group replaced posts nothing), one handler each.
    @work(thread=True, exclusive=True, group="startup", exit_on_error=False)
    def _startup(self) -> None:
        """The opening period, the grids and the files the store skipped: off the UI thread
        (waiting for the queries ``start_runtime`` began before the app, when it did)."""
        try:
            info = (
                self._early_startup.result() if self._early_startup is not None else startup_info(self.store, today())
            )
        except Exception as exc:
            _post_unless_replaced(self, StartupFailed(exc))
            return
        _post_unless_replaced(self, StartupRead(info))

    @work(thread=True, exclusive=True, group="grids", exit_on_error=False)
    def _reload_grids(self) -> None:
        _post_unless_replaced(self, GridsRead(query_grids(self.store)))

    @on(StartupRead)
    def _startup_read(self, message: StartupRead) -> None:
        self._take_startup(message.info)

    def _take_startup(self, info: StartupInfo) -> None:
        self.grids = info.grids
        if not self._period_chosen:
            self.set_reactive(FazhiApp.period, info.period)
        self._context_known_now()

    @work(thread=True, exclusive=True, group="unreadable", exit_on_error=False)
    def _check_unreadable(self) -> None:
        _post_unless_replaced(self, UnreadableRead(unreadable_files(self.store)))

    @on(UnreadableRead)
    def _unreadable_read(self, message: UnreadableRead) -> None:
        unreadable = message.unreadable
        if unreadable:
            self.notify(
                f"{sum(unreadable.values())} 个数据文件无法读取，已跳过（{'、'.join(unreadable)}），"
                "数据可能不全；请运行 fazhi-tui check",
                title="数据文件有误",
                severity="warning",
                timeout=20,
            )

    @on(StartupFailed)
    def _startup_failed(self, message: StartupFailed) -> None:
        self.notify(f"读取数据目录出错：{describe_exception(message.error)}", severity="error", timeout=15)
        self._context_known_now()

    def _context_known_now(self) -> None:
        self._context_known = True
        self._update_header()
        self._refresh_visible()
        if self._first_screen_up:
            self._refresh_badges()
        # else the counts wait for the first panel (``_start_up_done``): the review's count runs
        # every plugin's checks, which on two cores slowed the first panel's own queries.
        self._read_signature()

    @on(GridsRead)
    def _grids_read(self, message: GridsRead) -> None:
        self.grids = message.grids

    # -- the shared context ------------------------------------------------------------------
    def context_for(self, plugin: str) -> Context:
        return Context(
            store=self.store,
            period=self.period,
            today=today(),
            grid=self.grid,
            user=self.store.user,
            role=self.role,
            town=self.config.town,
            settings=self.config.plugin_settings(plugin),
            grid_figures=self.grid_figures,
            review_checks=self.review_checks,
        )

    def watch_period(self) -> None:
        self._update_header()
        self._refresh_visible()

    def watch_grid(self) -> None:
        self._update_header()
        self._refresh_visible()
        self._refresh_badges()  # a count is for the selected grid

    def _visible_slot(self) -> PanelSlot | None:
        current = self.query_one(ContentSwitcher).current
        if current is None or not self.panels:
            return None
        return self.query_one(f"#{current}", PanelSlot)

    def visible_panel(self) -> Panel | None:
        """The panel on screen (None before it is made, or when its factory failed)."""
        slot = self._visible_slot()
        return slot.panel if slot is not None else None

    def _refresh_visible(self, force: bool = False) -> None:
        slot = self._visible_slot()
        if slot is not None and self._context_known:
            if slot.number - 1 in self._stale:
                self._stale.discard(slot.number - 1)
                force = True
            slot.show_context(self.context_for(slot.plugin), force=force)

    def _update_header(self) -> None:
        panel = ""
        if self.panels:
            panel = f"{self.current_panel + 1} {self.panels[self.current_panel].value.title}"
        self.query_one(ShellHeader).info = HeaderInfo(
            town=self.config.town,
            panel=panel,
            period=self.period.label,
            grid=self.grid.name if self.grid is not None else WHOLE_TOWN,
            user=self.store.user,
            role=self.role,
        )

    def show_panel_index(self, index: int, focus: bool = True) -> None:
        if not 0 <= index < len(self.panels):
            self.bell()
            return
        self.current_panel = index
        slot = self.query(PanelSlot)[index]
        self.query_one(ContentSwitcher).current = slot.id
        self.query_one(PanelList).select_index(index)
        self._update_header()
        slot.ensure_panel()  # before the opening period is known it waits, showing that it loads
        # The panel's widgets may appear only with its data: focus them once it is shown.
        self._focus_wanted = slot if focus else None
        self._refresh_visible()
        if focus:
            self.call_after_refresh(self._focus_in, slot)

    def on_panel_list_chosen(self, message: PanelList.Chosen) -> None:
        self.show_panel_index(message.index, focus=False)  # keep the focus in the list

    def _focus_in(self, slot: PanelSlot) -> None:
        # A panel says where its focus goes (the shown tab's list: Panel.focus_content).
        if slot.panel is not None and slot.panel.is_mounted and slot.panel.focus_content():
            self._focus_wanted = None
            return
        for widget in self.screen.focus_chain:
            if slot in widget.ancestors:
                widget.focus()
                self._focus_wanted = None
                return

    # -- actions -----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # False hides a binding from the footer, help and palette and stops its key; the
        # actions a role lacks are among them (see ``refusal``).
        if action in GATED_ACTIONS:
            return self.refusal(action) is None
        if action == "show_panel":
            return bool(parameters) and isinstance(parameters[0], int) and parameters[0] <= len(self.panels)
        if action in ("reload_panel", "toggle_sidebar"):
            return bool(self.panels)
        return True

    def refusal(self, action: str) -> str | None:
        """Why the user's role may not run ``action`` (a message naming the role needed), or None."""
        if action == "import_data":
            return import_refusal(self.store)
        if action == "compact_store":
            try:
                self.store.access.require_admin("整理数据")  # what compact() itself would say
            except AccessError as exc:
                return str(exc)
        return None

    def _refuse(self, action: str) -> bool:
        """Tell the user why not, when their role lacks ``action`` (the store would refuse too)."""
        message = self.refusal(action)
        if message is not None:
            self.notify(message, title="无权操作", severity="error", timeout=8)
        return message is not None

    async def on_key(self, event: events.Key) -> None:
        """A key bound to an action the role lacks: the binding is hidden (``check_action``),
        so the key would do nothing at all; say which role it needs instead. Runs before the
        bindings are tried (a subclass's handler comes first), so leave any key another
        binding uses alone."""
        if len(self.screen_stack) > 1:
            return
        typed = {event.key, event.character}
        for binding in self._own_bindings():
            name = action_name(binding.action)
            if name in GATED_ACTIONS and typed & set(self._keys_after_keymap(binding)):
                if self.refusal(name) is not None and event.key not in self.screen.active_bindings:
                    event.stop()
                    event.prevent_default()
                    self._refuse(name)
                return

    def action_import_data(self, table: str | None = None) -> None:
        if self._refuse("import_data"):
            return
        from .screens.import_screen import ImportScreen

        self.push_screen(ImportScreen(self.store, table=table or self._panel_table()), self._imported)

    def _panel_table(self) -> str | None:
        """The table the current panel imports into: its ``import_table``, else the first table
        its plugin declares (None for a panel of a plugin without tables: the dialog's first)."""
        slots = list(self.query(PanelSlot))
        if not 0 <= self.current_panel < len(slots):
            return None
        slot = slots[self.current_panel]
        chosen = getattr(slot.panel, "import_table", None)
        if chosen:
            return chosen
        return next((table for table, plugin in self.host.table_owner.items() if plugin == slot.plugin), None)

    def _imported(self, done: ImportDone | None) -> None:
        if done is None:
            return
        self.notify(done.message, title="导入完成", timeout=10)
        if done.table == "grids":
            self._reload_grids()
        self._refresh_visible(force=True)

    def action_compact_store(self) -> None:
        if self._refuse("compact_store"):
            return
        self.notify("正在整理数据（合并版本文件）……", timeout=5)
        self._compact()

    @work(thread=True, exclusive=True, group="compact", exit_on_error=False)
    def _compact(self) -> None:
        from ..store.compact import compact

        try:
            results = compact(self.store)
        except Exception as exc:
            _post_unless_replaced(self, CompactionFailed(exc))
            return
        _post_unless_replaced(self, CompactionDone(results))

    @on(CompactionDone)
    def _compaction_done(self, message: CompactionDone) -> None:
        done = [r for r in message.results if not r.skipped]
        files = sum(r.folded_files for r in done)
        self.notify(
            f"已整理 {len(done)} 张表，合并 {files} 个文件；其余 {len(message.results) - len(done)} 张表无需整理",
            title="整理完成",
        )
        self._refresh_visible(force=True)

    @on(CompactionFailed)
    def _compaction_failed(self, message: CompactionFailed) -> None:
        self.notify(f"整理数据出错：{describe_exception(message.error)}", severity="error", timeout=15)

    def action_show_panel(self, number: int) -> None:
        self.show_panel_index(number - 1)

    def action_step_period(self, steps: int) -> None:
        moved = self.period.step(steps)
        if moved == self.period:
            self.bell()
            return
        self._set_period(moved)

    def action_cycle_granularity(self) -> None:
        self._set_period(self.period.cycled(today()))

    def _set_period(self, period: Period) -> None:
        self._period_chosen = True
        self.period = period

    def action_pick_range(self) -> None:
        from .screens.range_dialog import RangeDialog

        self.push_screen(RangeDialog(self.period), self._range_picked)

    def _range_picked(self, period: Period | None) -> None:
        if period is not None:
            self._set_period(period)

    def action_pick_grid(self) -> None:
        from .screens.grid_picker import TOWN, GridPicker

        def chosen(grid: Grid | None) -> None:
            if grid is not None:
                self.grid = None if grid == TOWN else grid

        self.push_screen(GridPicker(self.grids, self.grid), chosen)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        # active_bindings leaves out what check_action forbids (False); what it disables for
        # now (None) is listed, marked as unavailable, as the footer dims it.
        active = self.screen.active_bindings
        disabled = {a.binding.id for a in active.values() if not a.enabled and a.binding.id}
        self.push_screen(HelpScreen(binding_rows(self, active), unavailable=disabled))

    def action_reload_panel(self) -> None:
        self._refresh_visible(force=True)

    def action_toggle_sidebar(self) -> None:
        """Show the panel list and put the focus in it, or hide it and return to the panel
        (a table in a panel may keep tab for itself, so tab alone cannot reach the list)."""
        panel_list = self.query_one(PanelList)
        panel_list.display = not panel_list.display
        if panel_list.display:
            self._focus_wanted = None
            panel_list.focus()
        else:
            slot = self._visible_slot()
            if slot is not None:
                self._focus_in(slot)

    def action_plugin_status(self) -> None:
        from .screens.plugin_status import PluginStatusScreen

        self.push_screen(PluginStatusScreen(list(self.host.infos.values())))

    def action_help_quit(self) -> None:
        for _key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(f"按 {self.get_key_display(active.binding)} 退出", title="要退出吗？")
                return

    def action_command_palette(self) -> None:
        if not self.screen.has_class("--textual-command-palette"):  # CommandPalette.is_open, for an App[int]
            from .screens.palette import ShellPalette

            self.push_screen(
                ShellPalette(
                    placeholder="搜索面板、期间（如 2025年第三季度）、网格、编号或命令……", id="--command-palette"
                )
            )

    def handle_bindings_clash(self, clashed_bindings: set[Binding], node) -> None:
        ids = frozenset(b.id or b.action for b in clashed_bindings)
        if ids not in self._clashes_told:
            self._clashes_told.add(ids)
            self.notify(f"按键冲突：{'、'.join(sorted(ids))} 绑定到同一按键，请检查配置 [keys]", severity="warning")

    def describe_binding(self, binding: Binding) -> str:
        """What a binding does, in Chinese (the help screen's 功能 column)."""
        if action_name(binding.action) == "show_panel":
            match = re.search(r"\((\d+)\)", binding.action)
            if match and int(match.group(1)) <= len(self.panels):
                return f"面板：{self.panels[int(match.group(1)) - 1].value.title}"
        return describe(binding)

    # -- panels report failures --------------------------------------------------------------
    def on_panel_grid_selected(self, message: Panel.GridSelected) -> None:
        self.grid = message.grid

    async def on_panel_record_wanted(self, message: Panel.RecordWanted) -> None:
        await self.open_record(message.table, message.record_id)

    def panel_for_table(self, table: str) -> int | None:
        """The index of the panel that shows ``table``'s records: the first whose spec lists the
        table in ``record_tables``, else the first panel of the plugin that owns the table."""
        for index, contrib in enumerate(self.panels):
            if table in contrib.value.record_tables:
                return index
        owner = getattr(self.host, "table_owner", {}).get(table)
        for index, contrib in enumerate(self.panels):
            if owner is not None and contrib.plugin == owner:
                return index
        return None

    async def open_record(self, table: str, record_id: str | None) -> bool:
        """Switch to the panel that shows ``table`` and have it show ``record_id``
        (``Panel.show_record``). False, with a notice, when no panel can."""
        index = self.panel_for_table(table)
        if index is None:
            label = self.store.specs[table].label if table in self.store.specs else table
            self.notify(f"没有面板可显示“{label}”的记录", severity="warning")
            return False
        self.show_panel_index(index)
        slot = self.query(PanelSlot)[index]
        if slot.panel is None:
            return False  # its factory failed: the slot shows why
        if slot.mounting is not None:
            await slot.mounting
        slot.panel.want_record(table, record_id)
        return True

    def on_panel_failed(self, message: Panel.Failed) -> None:
        self.host.record_error(message.plugin, f"面板「{message.title}」{message.message}")
        self._mark_panel(message.name, failed=True)
        self._start_up_done()

    def on_panel_shown(self, message: Panel.Shown) -> None:
        self._mark_panel(message.name, failed=False)
        self._start_up_done()
        slot = self._visible_slot()
        if self._focus_wanted is not None and slot is self._focus_wanted and slot.spec.name == message.name:
            self._focus_in(slot)

    def _start_up_done(self) -> None:
        """The first panel is on screen (or could not be): let the start-up settle, later."""
        if self._first_screen_up:
            return
        self._first_screen_up = True
        # Held back until now (``_context_known_now``), and until the frame with the panel's
        # data is drawn: the counts' threads (the review runs every plugin's checks) take
        # Python's lock from the UI thread, which delayed that frame by 0.05–0.1 s.
        self.call_after_refresh(self._refresh_badges)
        self.call_after_refresh(self._check_unreadable)
        if self._early_startup is not None:
            self.set_timer(SETTLE_AFTER_S, self._early_startup.settle)

    def _mark_panel(self, name: str, failed: bool) -> None:
        # The panel list is on the main screen, which a form or dialog may cover when a panel's
        # load finishes (``self.query_one`` would look in the form and fail).
        try:
            main = self.screen_stack[0]
        except (IndexError, KeyError):
            return  # the app is shutting down: its screens are gone
        for index, contrib in enumerate(self.panels):
            if contrib.value.name == name:
                for panel_list in main.query(PanelList):
                    panel_list.mark(index, failed, contrib.value.title)

    # -- the palette and plugin commands -----------------------------------------------------
    def palette_entries(self) -> list[PaletteEntry]:
        entries = [
            PaletteEntry(f"面板：{c.value.title}", partial(self.show_panel_index, i), c.value.description)
            for i, c in enumerate(self.panels)
        ]
        day = today()
        entries += [
            PaletteEntry("期间：上一期", partial(self.action_step_period, -1), f"当前：{self.period.label}"),
            PaletteEntry("期间：下一期", partial(self.action_step_period, 1), f"当前：{self.period.label}"),
            PaletteEntry("期间：按年", lambda: self._set_period(self.period.with_kind(YEAR, day))),
            PaletteEntry("期间：按季度", lambda: self._set_period(self.period.with_kind(QUARTER, day))),
            PaletteEntry("期间：按月", lambda: self._set_period(self.period.with_kind(MONTH, day))),
            PaletteEntry("期间：自定义日期范围……", self.action_pick_range),
            PaletteEntry("期间：回到今年", lambda: self._set_period(Period.year(day.year))),
            PaletteEntry(
                "网格：选择网格……", self.action_pick_grid, f"当前：{self.grid.name if self.grid else WHOLE_TOWN}"
            ),
            PaletteEntry("网格：全镇", partial(setattr, self, "grid", None)),
        ]
        entries += [
            PaletteEntry(
                f"网格：{g.name}",
                partial(setattr, self, "grid", g),
                " ".join(filter(None, (g.village, g.code))),
                discoverable=False,
            )
            for g in self.grids
        ]
        entries += [
            PaletteEntry(c.value.title, partial(self.run_command, c), c.value.description or f"插件 {c.plugin} 的命令")
            for c in self.commands
        ]
        entries += [
            PaletteEntry(
                "数据：导入文件……",
                self.action_import_data,
                "CSV、XLSX、Parquet 或 GeoJSON，先校验预览再写入",
                action="import_data",
            ),
            PaletteEntry(
                "数据：整理（合并版本文件）",
                self.action_compact_store,
                "同 fazhi-tui compact；可与他人读写同时进行",
                action="compact_store",
            ),
            PaletteEntry("帮助：按键一览", self.action_help),
            PaletteEntry("插件状态", self.action_plugin_status, "各插件的版本、来源、钩子与错误"),
            PaletteEntry("退出", self.exit),
        ]
        return entries

    def typed_entries(self, query: str) -> list[PaletteEntry]:
        """What the palette offers for the text itself: a period typed as staff write it
        (2023, 2025年第三季度, 2025年11月) to go to."""
        period = parse_period(query)
        if period is None:
            return []
        return [
            PaletteEntry(f"期间：转到{period.label}", partial(self._set_period, period), f"当前：{self.period.label}")
        ]

    def record_entries(self, query: str) -> list[PaletteEntry]:
        """A record whose key is the text (a ticket number, say) in a table a panel shows:
        open it there. Reads the store: the palette calls it off the UI thread."""
        key = query.strip()
        if not RECORD_KEY.match(key):
            return []
        entries = []
        tables = dict.fromkeys(t for c in self.panels for t in c.value.record_tables if t in self.store.specs)
        for table in tables:
            for candidate in dict.fromkeys((key, key.upper())):
                try:
                    found = self.store.get(table, candidate)
                except Exception:
                    found = None  # a table that cannot be read now is not offered
                if found is not None:
                    label = self.store.specs[table].label
                    entries.append(
                        PaletteEntry(
                            f"打开：{label} {candidate}",
                            partial(self.call_later, self.open_record, table, candidate),
                            "在显示它的面板中打开这条记录",
                        )
                    )
                    break
        return entries

    def run_command(self, contrib: Contribution) -> None:
        """Run a plugin's command off the UI thread; its message (or error) becomes a notice."""
        self._run_command(contrib, self.context_for(contrib.plugin))

    @work(thread=True, group="plugin-command", exit_on_error=False)
    def _run_command(self, contrib: Contribution, ctx: Context) -> None:
        try:
            text = contrib.value.run(ctx)
        except Exception as exc:
            self.post_message(CommandFailed(contrib, exc))
            return
        self.post_message(CommandDone(contrib, text))

    @on(CommandDone)
    def _command_done(self, message: CommandDone) -> None:
        command: Command = message.contrib.value
        self.notify(str(message.text) if message.text else "已完成", title=command.title)

    @on(CommandFailed)
    def _command_failed(self, message: CommandFailed) -> None:
        text = f"命令「{message.contrib.value.title}」出错：{describe_exception(message.error)}"
        self.host.record_error(message.contrib.plugin, text)
        self.notify(f"插件 {message.contrib.plugin} 的{text}", severity="error", timeout=10)


def _post_unless_replaced(app: App, message: Message) -> None:
    """From a worker's thread: post ``message`` unless a newer worker of the group replaced this one."""
    if not get_current_worker().is_cancelled:
        app.post_message(message)


def run_dashboard(
    cfg: Config,
    store_path: Path,
    started: StartedRuntime | None = None,
    *,
    fold_argv: Callable[[str], list[str]] | None = None,
) -> int:
    """Open the store and run the dashboard until the user quits (``fazhi-tui`` with no subcommand).

    ``started``: the runtime ``start_runtime`` opened (the CLI does so before importing Textual).
    ``fold_argv(table)``: the command that folds a table; given, folds run in child processes."""
    if started is None:
        started = start_runtime(cfg, store_path, today())
    folds = None
    try:
        rt = started.runtime
        store = rt.opened()
        if fold_argv is not None:
            folds = store.fold_runner = ChildFolds(fold_argv)
        app = FazhiApp(rt.config, rt.plugins, store, startup=started.startup)
        app.run()
    finally:
        if folds is not None and folds.running():
            # The dashboard is gone from the screen: say so on the terminal, and do not wait.
            tables = "、".join(folds.running())
            print(
                f"后台仍在整理数据（{tables}，进程 {', '.join(map(str, folds.pids()))}），完成后自行退出；数据不受影响。",
                file=sys.stderr,
            )
        started.close()
    return app.return_code or 0
