"""The plugins as `fazhi-tui plugins` lists them, with the failures of this session."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from ...plugins import PluginInfo
from .dialog import Dialog

SOURCES = {"host": "宿主", "built-in": "内置", "entry point": "入口点", "folder": "插件目录", "unknown": "未知"}


def status_label(info: PluginInfo) -> Text:
    if info.status == "failed":
        return Text("失败", style="bold red")
    if info.status == "skipped":
        return Text("未加载（重名）", style="yellow")
    if info.errors:
        return Text("有错误", style="bold yellow")
    return Text("正常", style="green")


class PluginStatusScreen(Dialog[None]):
    DEFAULT_CSS = """
    PluginStatusScreen > Vertical { width: 95%; max-width: 120; height: 90%; }
    """

    AUTO_FOCUS = "VerticalScroll"  # the arrow keys scroll a long list
    BINDINGS = [Binding("escape", "dismiss", "关闭", id="plugins.close")]

    def __init__(self, infos: list[PluginInfo]) -> None:
        super().__init__()
        self.infos = infos

    def compose(self) -> ComposeResult:
        table = Table(expand=True, box=None, show_edge=False, pad_edge=False)
        for head in ("插件", "版本", "来源", "状态", "钩子与错误"):
            table.add_column(head, no_wrap=head != "钩子与错误")
        for info in self.infos:
            detail = Text(", ".join(info.hooks), style="dim")
            for error in info.errors:
                detail.append(f"\n{error}", style="red")
            table.add_row(info.name, info.version, SOURCES.get(info.source, info.source), status_label(info), detail)
        with Vertical() as box:
            box.border_title = "插件状态（Esc 关闭）"
            with VerticalScroll():
                yield Static(table)
