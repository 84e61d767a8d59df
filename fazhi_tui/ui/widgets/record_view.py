"""One record of any table with its history (``fazhi_tui.record_detail``): every field by its
label, then each version, who wrote it, when, what changed. Values are text, never markup."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from ...record_detail import RecordDetail


def shown(value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return (value.astimezone() if value.tzinfo else value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


class RecordView(Static):
    """``show_detail(detail)``; ``show_loading(record_id)`` while it is queried."""

    def show_loading(self, record_id: str) -> None:
        self.update(Text(f"正在读取 {record_id}……"))

    def show_detail(self, detail: RecordDetail | None, missing: str = "") -> None:
        if detail is None:
            self.update(Text(missing or "选中一条记录，在此查看详情与修改记录。"))
            return
        head = Text(f"{detail.label} {detail.record_id}", style="bold")
        if detail.record is None:
            head.append("　（已删除）", style="dim")
        fields = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
        fields.add_column(style="dim", justify="right", no_wrap=True)
        fields.add_column(overflow="fold")
        for label, value in detail.fields:
            fields.add_row(Text(label), Text(shown(value)))
        log = Table(
            box=None,
            pad_edge=False,
            padding=(0, 1),
            header_style="bold",
            title="修改记录（谁、何时、改了什么）",
            title_justify="left",
            title_style="bold",
        )
        log.add_column("版本", no_wrap=True, justify="right")
        log.add_column("时间", no_wrap=True)
        log.add_column("操作人", no_wrap=True)
        log.add_column("改动", overflow="fold")
        for v in detail.versions:
            if v.rev == 1:
                what = Text("新建")
            elif v.op == "delete":
                what = Text("删除")
            else:
                what = Text("\n".join(f"{label}：{shown(old)} → {shown(new)}" for label, old, new in v.changes))
            log.add_row(f"第{v.rev}版", shown(v.at), Text(v.by or ""), what)
        self.update(Group(head, fields, Text(""), log))
