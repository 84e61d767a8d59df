"""The 工单详情 tab: one ticket's fields, its flag, and every version (who changed what, and when)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from fazhi_tui.api import AT, BY, REV

from ..history import TicketDetail, change_lines, local_time
from ..open_list import DUE_SOON_FLAG, OVERDUE_FLAG

HINT = "在“未办结工单”中选中一件按回车，或按 o 输入工单编号，在此查看详情与修改记录。"


class DetailTab(VerticalScroll):
    DEFAULT_CSS = """
    DetailTab { height: 1fr; }
    DetailTab #detail-status { height: auto; color: $warning; text-style: bold; }
    DetailTab #detail-status.-hidden { display: none; }
    DetailTab #detail-head, DetailTab #detail-fields, DetailTab #detail-history { height: auto; }
    DetailTab #detail-fields, DetailTab #detail-history { margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="detail-status", classes="-hidden", markup=False)
        yield Static(HINT, id="detail-head")
        yield Static("", id="detail-fields")
        yield Static("", id="detail-history")

    def show_loading(self, ticket_no: str) -> None:
        self.query_one("#detail-head", Static).update(f"正在载入工单 {ticket_no}……")

    def show(self, detail: TicketDetail | None, *, wanted: str | None, message: str = "") -> None:
        """Show ``detail`` (None: the ticket ``wanted`` was not found), under ``message`` (why a
        save was refused) when there is one."""
        status = self.query_one("#detail-status", Static)
        status.update(message)
        status.set_class(not message, "-hidden")
        head = self.query_one("#detail-head", Static)
        fields = self.query_one("#detail-fields", Static)
        history = self.query_one("#detail-history", Static)
        if detail is None:
            if wanted:
                head.update(f"没有工单 {wanted}")
            fields.update("")
            history.update("")
            return
        rec = detail.record
        text = Text()
        text.append(f"工单 {rec['ticket_no']}", style="bold")
        text.append(f"　{rec['status']}")
        if detail.flag == OVERDUE_FLAG:
            text.append("　【超期】", style="bold red")
        elif detail.flag == DUE_SOON_FLAG:
            text.append("　【即将到期（一个工作日内）】", style="bold yellow")
        if rec.get(REV) is not None:
            text.append(f"\n当前第 {rec[REV]} 版，{rec[BY]} 于 {local_time(rec[AT])} 保存", style="dim")
        if detail.note:
            text.append(f"\n{detail.note}", style="dim")
        head.update(text)
        grid = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
        grid.add_column(style="dim", justify="right", no_wrap=True)
        grid.add_column(overflow="fold")
        for label, value in detail.fields:
            # A stored value is text: a caller named "[/]" would otherwise be read as markup.
            grid.add_row(Text(label), value if isinstance(value, Text) else Text(str(value)))
        fields.update(grid)
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
            if v.rev == 1 or v.op == "delete":
                what = Text(v.summary)
            else:
                what = Text("\n".join(change_lines(v)) or v.summary)
            log.add_row(Text(f"第{v.rev}版"), Text(local_time(v.at)), Text(v.by), what)
        history.update(log)
