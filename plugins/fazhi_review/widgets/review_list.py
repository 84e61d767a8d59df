"""The queue as a list: a heading per check, then its items, one line each."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..digest import when_label
from ..queue import Entry, groups

HEADING = "h:"  # option ids of check headings; items use their entry key


class ReviewList(OptionList):
    DEFAULT_CSS = """
    ReviewList { height: 1fr; border: none; padding: 0; text-wrap: nowrap; text-overflow: ellipsis; }
    ReviewList:focus { border: none; }
    ReviewList > .option-list--option-disabled { color: $text; text-style: bold; }
    """

    BINDINGS = [
        Binding("enter", "select", "打开记录", id="review.open"),
        Binding("j", "cursor_down", "下一项", show=False, id="review.down"),
        Binding("k", "cursor_up", "上一项", show=False, id="review.up"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: dict[str, Entry] = {}

    def show_entries(self, entries: list[Entry], today: dt.date, keep: str | None, empty: str) -> None:
        """Replace the list, keeping the highlight on ``keep`` when it is still listed (else on
        the row that took its place)."""
        old = self.highlighted
        self.clear_options()
        self.entries = {e.key: e for e in entries}
        options: list[Option] = []
        for g in groups(entries):
            heading = Text(no_wrap=True, overflow="ellipsis")
            heading.append(g.check_title, style="bold red" if g.failed else "bold")
            heading.append(f"  {len(g.entries)} 项" if not g.failed else "  出错", style="bold")
            heading.append(f"  {g.plugin}", style="dim")
            options.append(Option(heading, id=f"{HEADING}{g.check}", disabled=True))
            options += [Option(self._line(e, today), id=e.key) for e in g.entries]
        if not options:
            options.append(Option(Text(empty, style="dim"), id=f"{HEADING}empty", disabled=True))
        self.add_options(options)
        target = None
        if keep is not None and keep in self.entries:
            target = self.get_option_index(keep)
        elif old is not None:
            target = min(old, self.option_count - 1)
        self._highlight_item(target)

    def _highlight_item(self, index: int | None) -> None:
        """Highlight ``index`` or the nearest item after it (headings are not items)."""
        count = self.option_count
        if not count:
            return
        start = 0 if index is None else max(0, index)
        order = list(range(start, count)) + list(range(start - 1, -1, -1))
        for i in order:
            if not self.get_option_at_index(i).disabled:
                self.highlighted = i
                return
        self.highlighted = None

    @staticmethod
    def _line(e: Entry, today: dt.date) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        when = when_label(e, today)
        style = "bold red" if e.item.overdue else ("bold yellow" if when in ("今日", "明日") else "")
        # Two CJK characters or a 5-column date: the same width for each.
        line.append(f"  {when:<{6 - sum(1 for ch in when if ord(ch) > 0x2E80)}}", style=style)
        if e.status == "检查出错":
            line.append(e.error or "", style="red")
            return line
        line.append(e.item.title)
        tail = [t for t in (e.grid_name or e.item.grid, f"→{e.assignee}" if e.assignee else None) if t]
        if e.reappeared:
            tail.append("记录已更新")
        if tail:
            line.append("  " + " · ".join(tail), style="dim")
        return line

    def highlighted_entry(self) -> Entry | None:
        if self.highlighted is None:
            return None
        option = self.get_option_at_index(self.highlighted)
        return self.entries.get(option.id or "")

    def key_after(self, key: str) -> str | None:
        """The next item's key after ``key`` (or the one before, at the end): where the cursor
        goes when ``key`` leaves the list."""
        keys = list(self.entries)
        if key not in keys:
            return None
        i = keys.index(key)
        rest = keys[i + 1 :] or keys[:i][-1:]
        return rest[0] if rest else None
