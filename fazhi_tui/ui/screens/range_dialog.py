"""`d`: a custom range of days as the period (both ends included, as people say them)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from ...period import Period, parse_date
from .dialog import Dialog


class RangeDialog(Dialog[Period | None]):
    DEFAULT_CSS = """
    RangeDialog > Vertical { width: 52; }
    RangeDialog Horizontal { height: auto; }
    RangeDialog Label { width: 10; padding: 1 0; }
    RangeDialog Input { width: 1fr; }
    RangeDialog #range-error { color: $error; height: auto; }
    RangeDialog #range-hint { color: $text-muted; height: auto; }
    """

    AUTO_FOCUS = "#range-first"
    BINDINGS = [Binding("escape", "dismiss", "取消", id="range.cancel")]

    def __init__(self, current: Period) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "自定义日期范围"
            with Horizontal():
                yield Label("开始日期")
                yield Input(self.current.start.isoformat(), id="range-first")
            with Horizontal():
                yield Label("结束日期")
                yield Input(self.current.last.isoformat(), id="range-last")
            yield Static("", id="range-error")
            yield Static("格式如 2026-03-01；回车确定，Esc 取消", id="range-hint")

    @on(Input.Submitted, "#range-first")
    def _next_field(self) -> None:
        self.query_one("#range-last", Input).focus()

    @on(Input.Submitted, "#range-last")
    def _submit(self) -> None:
        error = self.query_one("#range-error", Static)
        try:
            first = parse_date(self.query_one("#range-first", Input).value)
            last = parse_date(self.query_one("#range-last", Input).value)
            period = Period.between(first, last)
        except ValueError as exc:
            error.update(str(exc))
            return
        self.dismiss(period)
