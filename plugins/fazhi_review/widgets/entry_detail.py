"""The highlighted item in full: its detail, due date, grid, plugin, record, and its mark's history."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.widgets import Static

from ..queue import FAILED, Entry

HISTORY_LINES = 3  # the newest versions of the mark shown (the CLI's history shows all)


def _local(at: dt.datetime) -> str:
    return at.astimezone().strftime("%m-%d %H:%M")


class EntryDetail(Static):
    DEFAULT_CSS = """
    EntryDetail {
        height: auto;
        max-height: 8;
        border-top: solid $panel-lighten-2;
        padding: 0 1;
    }
    """

    def show_entry(self, e: Entry | None) -> None:
        if e is None:
            self.update("")
            return
        text = Text(overflow="fold")
        if e.status == FAILED:
            text.append(f"“{e.check_title}”检查出错（插件 {e.plugin}）\n", style="bold red")
            text.append(e.error or "")
            text.append("\n其余检查照常列出；fazhi-tui plugins 列出各插件的状态。", style="dim")
            self.update(text)
            return
        text.append(e.item.title, style="bold")
        if e.item.detail:
            text.append(f"\n{e.item.detail}")
        facts = []
        if e.item.due is not None:
            facts.append(f"时限 {e.item.due:%Y-%m-%d}")
        if e.grid_name or e.item.grid:
            facts.append(f"网格 {e.grid_name or e.item.grid}")
        facts.append(f"{e.check_title}（插件 {e.plugin}）")
        if e.item.record_id:
            facts.append(f"记录 {e.item.record_id}")
        text.append("\n" + " · ".join(facts), style="dim")
        if e.reappeared and e.record is not None:
            text.append(
                f"\n记录已于 {_local(e.record.at)} 由 {e.record.by} 修改（第 {e.record.rev} 版），重新列出",
                style="yellow",
            )
        if e.mark is not None:
            for v in e.mark.history[-HISTORY_LINES:][::-1]:
                text.append(f"\n{_local(v.at)} {v.by}：{v.describe()}", style="dim")
        self.update(text)
