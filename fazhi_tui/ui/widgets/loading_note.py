"""What a panel shows while its query runs, without animation unless animations are on."""

from __future__ import annotations

from textual.widgets import LoadingIndicator, Static


class LoadingNote(Static):
    """A still "正在加载……" line: over SSH a spinner would repaint many times a second."""

    DEFAULT_CSS = """
    LoadingNote {
        width: 100%;
        height: 100%;
        content-align: center middle;
        color: $text-muted;
        background: $background 60%;
    }
    """

    def __init__(self) -> None:
        super().__init__("正在加载……")


def loading_widget(animated: bool) -> Static | LoadingIndicator:
    return LoadingIndicator() if animated else LoadingNote()
