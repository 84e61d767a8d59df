"""A failure shown where the failed thing would be: which plugin, what went wrong."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class ErrorBox(Static):
    """Red-bordered text naming the plugin and the error.

    As a box (default) it stands in for a panel that has nothing good to show; with the
    ``-bar`` class it sits above a panel's last good content after a failed refresh.
    """

    DEFAULT_CSS = """
    ErrorBox {
        border: round $error;
        border-title-color: $error;
        padding: 0 1;
        height: auto;
        max-height: 100%;
        color: $text;
    }
    ErrorBox.-bar {
        border: none;
        border-left: thick $error;
        max-height: 3;
        margin-bottom: 1;
    }
    """

    def show_error(self, plugin: str, subject: str, error: str, hint: str = "") -> None:
        self.border_title = "错误"
        text = Text()
        text.append(f"插件 {plugin} 的{subject}出错", style="bold")
        text.append(f"\n{error}")
        if hint:
            text.append(f"\n{hint}", style="dim")
        self.update(text)
