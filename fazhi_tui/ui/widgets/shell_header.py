"""The top line: town, panel, period, grid, user and role."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


@dataclass(frozen=True)
class HeaderInfo:
    town: str
    panel: str
    period: str
    grid: str
    user: str
    role: str


class ShellHeader(Widget):
    DEFAULT_CSS = """
    ShellHeader {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    info: reactive[HeaderInfo | None] = reactive(None)

    def render(self) -> Text:
        info = self.info
        if info is None:
            return Text("")
        text = Text(" ")
        text.append(info.town, style="bold")
        if info.panel:
            text.append(f"  {info.panel}", style="bold")
        text.append("  │ 期间 ", style="dim")
        text.append(info.period, style="bold")
        text.append("  │ 网格 ", style="dim")
        text.append(info.grid, style="bold")
        # Who and in which role stays in sight on a narrow screen: the rest gives way to it.
        who = Text.assemble(("  │ ", "dim"), f"{info.user}（{info.role}）")
        room = self.size.width - who.cell_len
        if 1 < room < text.cell_len:
            text.truncate(room - 1)
            text.append("…")
        return text + who
