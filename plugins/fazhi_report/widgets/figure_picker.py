"""Pick a figure by its Chinese label (type to filter); answers the placeholder to insert, or None."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option


class FigurePicker(ModalScreen[str | None]):
    DEFAULT_CSS = """
    FigurePicker { align: center middle; }
    FigurePicker > Vertical {
        width: 76; max-width: 95%; height: 80%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    FigurePicker OptionList { height: 1fr; }
    FigurePicker #picker-hint { color: $text-muted; height: auto; }
    """

    AUTO_FOCUS = "#picker-filter"
    BINDINGS = [
        Binding("escape", "dismiss", "取消", id="report.picker.cancel"),
        Binding("down", "focus_list", "列表", show=False, id="report.picker.list"),
    ]

    def __init__(self, known: dict[str, str], approx: dict[str, bool]) -> None:
        super().__init__()
        self.known = known
        self.approx = approx

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "插入指标"
            yield Input(placeholder="按中文名称或英文名筛选，如 网格、工单", id="picker-filter")
            yield OptionList(id="picker-list")
            yield Static(
                "回车插入；约数（如“100余件”）的指标插入为 {名称~}。Esc 取消。", id="picker-hint", markup=False
            )

    def on_mount(self) -> None:
        self._fill("")

    def _fill(self, needle: str) -> None:
        options = self.query_one("#picker-list", OptionList)
        options.clear_options()
        needle = needle.strip().lower()
        for name, label in self.known.items():
            if needle and needle not in label.lower() and needle not in name:
                continue
            line = Text(label)
            line.append(f"  {name}", style="dim")
            options.add_option(Option(line, id=name))
        if options.option_count:
            options.highlighted = 0

    @on(Input.Changed, "#picker-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#picker-filter")
    def _submit_first(self) -> None:
        options = self.query_one("#picker-list", OptionList)
        if options.highlighted is not None:
            self._choose(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#picker-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)

    def action_focus_list(self) -> None:
        self.query_one("#picker-list", OptionList).focus()

    def _choose(self, name: str | None) -> None:
        if name is None:
            return
        self.dismiss("{" + name + ("~" if self.approx.get(name) else "") + "}")
