"""`g`: choose the grid every panel shows, typing part of its name, village or code to narrow."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ...context import WHOLE_TOWN, Grid
from .dialog import Dialog

# The picker's answer for "the whole town" (cancelling answers None).
TOWN = Grid("", WHOLE_TOWN)


def match_grids(grids: Sequence[Grid], text: str) -> list[Grid]:
    """The grids whose name, village or code contains every word typed, in the order given."""
    words = text.casefold().split()
    return [g for g in grids if all(w in f"{g.name} {g.village} {g.code}".casefold() for w in words)]


class GridPicker(Dialog[Grid | None]):
    DEFAULT_CSS = """
    GridPicker > Vertical { width: 60; height: 80%; }
    GridPicker OptionList { height: 1fr; border: none; }
    GridPicker #grid-count { color: $text-muted; height: 1; }
    """

    BINDINGS = [
        Binding("escape", "dismiss", "取消", id="grid_picker.cancel"),
        Binding("down", "move(1)", "下一项", show=False, id="grid_picker.down"),
        Binding("up", "move(-1)", "上一项", show=False, id="grid_picker.up"),
        Binding("pagedown", "move(10)", "下翻", show=False, id="grid_picker.page_down"),
        Binding("pageup", "move(-10)", "上翻", show=False, id="grid_picker.page_up"),
    ]

    def __init__(self, grids: Sequence[Grid], current: Grid | None) -> None:
        super().__init__()
        self.grids = list(grids)
        self.current = current
        self.shown: list[Grid] = []

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "选择网格"
            yield Input(placeholder="输入网格名称、所属村或编码筛选", id="grid-filter")
            yield Static("", id="grid-count")
            yield OptionList(id="grid-options")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    @on(Input.Changed, "#grid-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, text: str) -> None:
        options = self.query_one(OptionList)
        self.shown = ([TOWN] if not text.strip() else []) + match_grids(self.grids, text)
        options.clear_options()
        options.add_options([Option(self._label(g)) for g in self.shown])
        count = self.query_one("#grid-count", Static)
        count.update(f"共 {len(self.grids)} 个网格" if not text.strip() else f"找到 {len(self.shown)} 个")
        if self.shown:
            current = self.current or TOWN
            options.highlighted = next((i for i, g in enumerate(self.shown) if g == current), 0)

    def _label(self, grid: Grid) -> Text:
        text = Text(grid.name, style="bold" if grid == (self.current or TOWN) else "")
        if grid.village and grid.village != grid.name:
            text.append(f"  {grid.village}", style="dim")
        if grid.code:
            text.append(f"  {grid.code}", style="dim")
        return text

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if not self.shown:
            return
        index = (options.highlighted or 0) + step
        options.highlighted = max(0, min(len(self.shown) - 1, index))

    @on(Input.Submitted, "#grid-filter")
    def _submit(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None and index < len(self.shown):
            self.dismiss(self.shown[index])

    @on(OptionList.OptionSelected, "#grid-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.shown[event.option_index])
