"""Edit one paragraph of the report: a text area holding the text with its placeholders, a figure
picker (``ctrl+f``) that inserts one by Chinese label, and ``ctrl+s`` to save a new version.

The save itself runs in the panel (a thread): the screen hands back the text and stays open
until the panel says it was written, or shows why not (an unknown figure, someone else's newer
version: a stale save is refused, never merged).
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static, TextArea

from .figure_picker import FigurePicker


class ParagraphEditor(ModalScreen[bool]):
    DEFAULT_CSS = """
    ParagraphEditor { align: center middle; }
    ParagraphEditor > Vertical {
        width: 100; max-width: 98%; height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    ParagraphEditor #editor-what, ParagraphEditor #editor-hint { height: auto; color: $text-muted; }
    ParagraphEditor #editor-lead { margin: 0; }
    ParagraphEditor TextArea { height: 1fr; }
    ParagraphEditor #editor-error { height: auto; color: $error; }
    """

    AUTO_FOCUS = "#editor-text"
    BINDINGS = [
        Binding("ctrl+s", "save", "保存", id="report.editor.save", priority=True),
        Binding("ctrl+f", "pick", "插入指标", id="report.editor.pick", priority=True),
        Binding("escape", "cancel", "取消", id="report.editor.cancel"),
    ]

    def __init__(
        self,
        *,
        what: str,
        text: str,
        lead: str | None,
        known: dict[str, str],
        approx: dict[str, bool],
        save: Callable[[str, str | None, ParagraphEditor], None],
    ) -> None:
        super().__init__()
        self.what = what
        self.text = text
        self.lead = lead
        self.known = known
        self.approx = approx
        self._save = save
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "修改段落"
            yield Static(self.what, id="editor-what", markup=False)
            if self.lead is not None:
                yield Input(self.lead, id="editor-lead", placeholder="段首小标题（可空），如 （一）高度重视……。")
            yield TextArea(self.text, id="editor-text", soft_wrap=True, show_line_numbers=False)
            yield Static("", id="editor-error", markup=False)
            yield Static(
                "{指标名} 写出数字，{指标名~} 写约数（100余件）。ctrl+f 按中文名插入指标，ctrl+s 保存为新版本，Esc 放弃。",
                id="editor-hint",
                markup=False,
            )

    def action_pick(self) -> None:
        def chosen(placeholder: str | None) -> None:
            area = self.query_one("#editor-text", TextArea)
            if placeholder:
                area.insert(placeholder)
            area.focus()

        self.app.push_screen(FigurePicker(self.known, self.approx), chosen)

    def action_save(self) -> None:
        if self.saving:
            return
        self.saving = True
        self.show_error("正在保存……")
        lead = self.query_one("#editor-lead", Input).value if self.lead is not None else None
        self._save(self.query_one("#editor-text", TextArea).text, lead, self)

    def action_cancel(self) -> None:
        self.dismiss(False)

    def show_error(self, message: str) -> None:
        self.query_one("#editor-error", Static).update(message)

    def refused(self, message: str) -> None:
        """The panel could not save: say why and keep the text, so nothing typed is lost."""
        self.saving = False
        self.show_error(message)
