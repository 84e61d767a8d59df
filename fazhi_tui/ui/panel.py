"""The base class of every panel: the one place that runs a panel's queries and shows failures.

A panel author writes three methods:

- ``compose_body()``  the panel's widgets (like Textual's ``compose``)
- ``load(ctx)``       fetch what to show; runs in a thread worker, never on the UI thread, so
                      query the store here and touch no widget
- ``show(data)``      put ``load``'s result into the widgets; runs on the UI thread (it may be
                      ``async def``, to await mounting widgets)

The shell calls ``request(ctx)`` when the panel is shown and whenever the period or grid
changes while it is visible. Only the newest request's result is shown.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.compose import compose
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from ..context import Context
from ..plugins import describe_exception
from .widgets.error_box import ErrorBox
from .widgets.loading_note import loading_widget


class PanelBody(Vertical):
    """Holds the panel's own widgets; covered by a loading note while a query runs."""

    DEFAULT_CSS = """
    PanelBody { height: 1fr; }
    """

    def get_loading_widget(self) -> Widget:
        return loading_widget(self.app.animation_level != "none")


class Panel(Widget):
    """Subclass this for a dashboard panel and register it with a ``PanelSpec``."""

    DEFAULT_CSS = """
    Panel { height: 1fr; width: 1fr; }
    Panel > #panel-error { display: none; }
    Panel.-failed > #panel-error { display: block; }
    Panel.-failed.-empty > PanelBody { display: none; }
    Panel.-failed.-empty > #panel-error { height: 1fr; }
    """

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

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._shown: Context | None = None  # the context of the content on screen
        self._wanted: Context | None = None  # the newest context asked for
        self._worker: Worker | None = None
        self._broken: str | None = None  # why the panel cannot work at all (compose failed)

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

    @property
    def context(self) -> Context | None:
        """The context of what is on screen (None before the first successful load)."""
        return self._shown

    def reload(self) -> None:
        """Run ``load`` again for the current context (after the panel changed data, say)."""
        ctx = self._wanted or self._shown
        if ctx is not None:
            self.request(ctx, force=True)

    # -- for the shell -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield ErrorBox(id="panel-error")
        try:
            children = compose(self, self.compose_body())
        except Exception as exc:
            self._broken = f"界面构建出错：{describe_exception(exc)}"
            children = []
        yield PanelBody(*children)

    def on_mount(self) -> None:
        if self._broken is not None:
            self._fail(self._broken)
        elif self._wanted is not None:
            self._start(self._wanted)
        else:
            self.query_one(PanelBody).loading = True  # the shell asks once the context is known

    def request(self, ctx: Context, force: bool = False) -> None:
        """Show the data for ``ctx``: load it unless it is already shown or on its way."""
        if self._broken is not None:
            return
        if not force:
            pending = self._worker is not None and self._worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
            if ctx.same_view(self._wanted) and (pending or ctx.same_view(self._shown)):
                return
        self._wanted = ctx
        if self.is_mounted:
            self._start(ctx)

    def _start(self, ctx: Context) -> None:
        self.query_one(PanelBody).loading = True
        self._worker = self._load_in_thread(ctx)

    @work(thread=True, exclusive=True, group="panel-load", exit_on_error=False)
    def _load_in_thread(self, ctx: Context) -> tuple[Context, Any]:
        return ctx, self.load(ctx)

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._worker:
            return  # an older request that a newer one replaced, or a worker of the subclass
        if event.state == WorkerState.SUCCESS:
            ctx, data = event.worker.result
            self.query_one(PanelBody).loading = False
            try:
                shown = self.show(data)
                if inspect.isawaitable(shown):
                    await shown
            except Exception as exc:
                self._fail(f"显示出错：{describe_exception(exc)}")
                return
            self._shown = ctx
            self.remove_class("-failed", "-empty")
            self.post_message(self.Shown(self.panel_name))
        elif event.state == WorkerState.ERROR:
            self.query_one(PanelBody).loading = False
            error = event.worker.error
            self._fail(f"查询出错：{describe_exception(error) if error else '未知错误'}")

    def _fail(self, message: str) -> None:
        # With good content on screen, keep it and show the error above it; else the error
        # box takes the body's place.
        box = self.query_one("#panel-error", ErrorBox)
        has_content = self._shown is not None
        box.set_class(has_content, "-bar")
        self.set_class(not has_content, "-empty")
        self.add_class("-failed")
        subject = f"面板「{self.panel_title}」" if self.panel_title else "面板"
        hint = "仍显示上次成功加载的内容。" if has_content else "其余面板不受影响；fazhi-tui plugins 列出各插件的状态。"
        box.show_error(self.plugin_name or "（未知）", subject, message, hint)
        self.post_message(self.Failed(self.plugin_name, self.panel_name, self.panel_title, message))
