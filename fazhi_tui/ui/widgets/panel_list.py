"""The sidebar listing every panel by number; Enter or a click switches to one."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class PanelList(OptionList):
    DEFAULT_CSS = """
    PanelList {
        width: 18;
        height: 1fr;
        border: none;
        border-right: solid $panel-lighten-2;
        padding: 0;
        background: $surface;
    }
    PanelList:focus { border: none; border-right: solid $accent; }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._titles: list[str] = []
        self._failed: set[int] = set()
        self._badges: dict[int, int] = {}

    class Chosen(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def set_panels(self, titles: list[str]) -> None:
        self._titles = list(titles)
        self._failed = set()
        self._badges = {}
        self.clear_options()
        self.add_options([Option(self._label(i, t), id=str(i)) for i, t in enumerate(titles)])

    def mark(self, index: int, failed: bool, title: str) -> None:
        """Show a failed panel with a mark, so a broken plugin is seen without opening it."""
        (self._failed.add if failed else self._failed.discard)(index)
        self._redraw(index)

    def set_badge(self, index: int, count: int | None) -> None:
        """A count beside the title (the review's open items); None shows none."""
        if count is None:
            self._badges.pop(index, None)
        else:
            self._badges[index] = count
        self._redraw(index)

    def badge(self, index: int) -> int | None:
        return self._badges.get(index)

    def _redraw(self, index: int) -> None:
        if not 0 <= index < len(self._titles):
            return
        label = self._label(index, self._titles[index])
        if index in self._badges:
            label.append(f" {self._badges[index]}", style="bold" if self._badges[index] else "dim")
        if index in self._failed:
            label.append(" ✗", style="bold red")
        self.replace_option_prompt_at_index(index, label)

    def select_index(self, index: int) -> None:
        if 0 <= index < self.option_count:
            self.highlighted = index

    @staticmethod
    def _label(index: int, title: str) -> Text:
        number = str(index + 1) if index < 9 else ("0" if index == 9 else " ")
        return Text.assemble((number, "bold"), " ", title)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(event.option_index))
