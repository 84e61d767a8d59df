"""`?`: every binding of the screen it was opened from, read from the bindings themselves.

The rows come from ``screen.active_bindings``: a binding whose ``check_action`` returns False
(an action the user's role lacks, say) is not there at all; one it returns None for (disabled
for now) is listed and marked, as the footer dims it.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from ..keys import BindingRow
from .dialog import Dialog


class HelpScreen(Dialog[None]):
    DEFAULT_CSS = """
    HelpScreen > Vertical { width: 90%; max-width: 100; height: 90%; }
    HelpScreen DataTable { height: 1fr; }
    HelpScreen #help-hint { color: $text-muted; height: auto; }
    """

    BINDINGS = [
        Binding("escape", "dismiss", "关闭", id="help.close"),
        Binding("q", "dismiss", "关闭", show=False, id="help.close_q"),
        Binding("question_mark", "dismiss", "关闭", show=False, id="help.close_help"),
    ]

    def __init__(self, rows: list[BindingRow], unavailable: set[str] | frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.rows = rows
        self.unavailable = unavailable  # binding ids disabled for now

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "按键一览"
            yield Static(
                "按 Esc 关闭。按键可在配置文件的 [keys] 表中按“编号 = 按键”改绑。", id="help-hint", markup=False
            )
            yield DataTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)

        # Widths set from the text, narrow enough for 80 columns; what is longer wraps onto more
        # lines of its row (a binding on several keys lists one key a line), never cut.
        def width(texts: list[str], cap: int) -> int:
            return min(cap, max([4] + [cell_len(t) for t in texts]))

        key_width = width([k for r in self.rows for k in r.keys.split("、")], 12)
        table.add_column("按键", width=key_width)
        marked = [r.description + ("（不可用）" if r.binding_id in self.unavailable else "") for r in self.rows]
        table.add_column("功能", width=width(marked, 18))
        table.add_column("编号", width=width([r.binding_id for r in self.rows], 24))
        table.add_column("范围", width=width([r.scope for r in self.rows], 10))
        for row in self.rows:
            if row.binding_id and row.binding_id in self.unavailable:
                description = Text(f"{row.description}（不可用）", style="dim")
            else:
                description = Text(row.description)
            keys = row.keys if cell_len(row.keys) <= key_width else row.keys.replace("、", "\n")
            table.add_row(Text(keys), description, Text(row.binding_id or "—"), Text(row.scope), height=None)
        table.focus()
