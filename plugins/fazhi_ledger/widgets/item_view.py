"""One ledger item as it is now, with every version of it (who changed what, when)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from ..lists import OVERDUE_MARK, ItemDetail
from ..tables import CLOSED, LABELS


def shown(value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, dt.datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M") if value.tzinfo else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


class ItemView(Static):
    def show_item(self, detail: ItemDetail | None, today: dt.date, missing: str = "") -> None:
        if detail is None:
            self.update(Text(missing or "在“记录”或“整改问题”中选中一条按回车，在此查看详情与修改记录。"))
            return
        rec = detail.record or {}
        head = Text(f"{rec.get('category', '')} {rec.get('item_no', '')}", style="bold")
        if rec.get("status") != CLOSED and rec.get("due") is not None and rec["due"] < today:
            head.append(f"　{OVERDUE_MARK}", style="bold red")
        if detail.record is None:
            head.append("　（已删除）", style="dim")
        fields = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
        fields.add_column(style="dim", justify="right", no_wrap=True)
        fields.add_column(overflow="fold")
        for name, label in LABELS.items():
            fields.add_row(label, Text(shown(rec.get(name))))
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
            log.add_row(f"第{v.rev}版", shown(v.at), Text(v.by), what)
        self.update(Group(head, fields, Text(""), log))
