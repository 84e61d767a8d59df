"""Where one plugin's panel lives in the shell; it makes the panel the first time it is shown."""

from __future__ import annotations

from textual.containers import Container
from textual.widget import AwaitMount

from ...context import Context
from ...contrib import PanelSpec
from ...plugins import describe_exception
from ..panel import Panel
from .error_box import ErrorBox


class PanelSlot(Container):
    """One per ``PanelSpec``. A factory that raises, or returns something that is not a
    ``Panel``, leaves an error box here and nowhere else."""

    DEFAULT_CSS = """
    PanelSlot { height: 1fr; width: 1fr; }
    """

    def __init__(self, spec: PanelSpec, plugin: str, number: int) -> None:
        super().__init__(id=f"slot-{spec.name}")
        self.spec = spec
        self.plugin = plugin
        self.number = number
        self.panel: Panel | None = None
        self.error: str | None = None
        self.mounting: AwaitMount | None = None  # awaited by whoever needs the panel's widgets

    def show_context(self, ctx: Context, force: bool = False) -> None:
        """The slot is visible (or the context changed while it is): bring it up to date."""
        self.ensure_panel()
        if self.panel is not None:
            self.panel.request(ctx, force=force)

    def ensure_panel(self) -> None:
        """Make the panel, the first time only."""
        if self.panel is not None or self.error is not None:
            return
        try:
            panel = self.spec.factory()
            if not isinstance(panel, Panel):
                raise TypeError(f"factory 返回了 {type(panel).__name__}，不是 Panel")
        except Exception as exc:
            self.error = f"创建出错：{describe_exception(exc)}"
            box = ErrorBox()
            self.mount(box)
            box.show_error(self.plugin, f"面板「{self.spec.title}」", self.error)
            self.post_message(Panel.Failed(self.plugin, self.spec.name, self.spec.title, self.error))
            return
        panel.plugin_name = self.plugin
        panel.panel_name = self.spec.name
        panel.panel_title = self.spec.title
        self.panel = panel
        self.mounting = self.mount(panel)
