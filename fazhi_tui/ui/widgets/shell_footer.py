"""The bottom line: the keys of the screen that fit, each whole.

Textual's footer lays every shown binding side by side and lets the terminal's edge cut the
last ones ("g 网格  i ▏^p   令" at 80 columns). This one keeps what fits, whole, in the order
the screen lists them (the focused widget's and the panel's keys first, then the shell's),
always keeps ``? 帮助`` (help lists every key, and the palette runs every action), and leaves
the rest out. The width is measured again when the terminal is resized.

It is one widget that draws one line, not a container of a widget per key as Textual's is:
the bindings change with every focus change (and several times while the dashboard starts),
and Textual's footer then unmounts and mounts a dozen keys, each styled from the stylesheet
again. Here a change only redraws the line. A click runs the key under the pointer, as a
click on Textual's footer key does.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widget import Widget

# A key is drawn " key " then "description ": two cells around the key, one after the text.
KEY_PAD = 3
# The palette key sits at the right end, after a thin rule and with a cell after it.
PALETTE_EXTRA = 2
PALETTE_RULE = "▏"
# Kept whatever the width: help names every binding the footer leaves out.
ALWAYS = frozenset({"help", "app.help"})


@dataclass(frozen=True)
class FooterItem:
    """One key the footer shows, where it is drawn (cells ``start``..``end`` of the line)."""

    key: str  # what a click presses (the binding's first key)
    key_display: str
    description: str
    action: str
    enabled: bool
    tooltip: str
    start: int
    end: int
    palette: bool = False


class ShellFooter(Widget, can_focus=False):
    """A footer that shows the bindings that fit the width, whole, and always the help key."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"footer-key--key", "footer-key--description", "footer-key--hover"}
    DEFAULT_CSS = """
    ShellFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        & > .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .footer-key--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._items: list[FooterItem] = []
        self._hover: int | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen) -> None:
        self.refresh()

    def on_resize(self, _event: events.Resize) -> None:
        self.refresh()

    # -- what fits ---------------------------------------------------------------------------
    def _width_of(self, binding: Binding) -> int:
        return cell_len(self.app.get_key_display(binding)) + cell_len(binding.description) + KEY_PAD

    def fitting(self, width: int) -> list[tuple[Binding, bool, str]]:
        """The shown bindings (one per action, in the screen's order) that fit in ``width`` cells,
        after the command palette's key and the help key."""
        active = self.screen.active_bindings
        seen: set[str] = set()
        shown: list[tuple[Binding, bool, str]] = []
        for _node, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in seen:
                seen.add(binding.action)
                shown.append((binding, enabled, tooltip))
        room = width
        palette = self._palette(active)
        if palette is not None:
            room -= self._width_of(palette[0]) + PALETTE_EXTRA
        keep: set[int] = set()
        for i, (binding, _enabled, _tip) in enumerate(shown):
            if binding.action in ALWAYS:
                keep.add(i)
                room -= self._width_of(binding)
        for i, (binding, _enabled, _tip) in enumerate(shown):
            if i in keep:
                continue
            need = self._width_of(binding)
            if need <= room:
                keep.add(i)
                room -= need
        return [item for i, item in enumerate(shown) if i in keep]

    def _palette(self, active) -> tuple[Binding, bool] | None:
        if not self.app.ENABLE_COMMAND_PALETTE:
            return None
        found = active.get(self.app.COMMAND_PALETTE_BINDING)
        return None if found is None else (found.binding, found.enabled)

    def items(self, width: int | None = None) -> list[FooterItem]:
        """The keys the line shows at ``width`` (the widget's own by default), left to right."""
        width = width if width is not None else (self.size.width or self.app.size.width)
        items: list[FooterItem] = []
        x = 0
        for binding, enabled, tooltip in self.fitting(width):
            shown = self.app.get_key_display(binding)
            end = x + cell_len(shown) + cell_len(binding.description) + KEY_PAD
            items.append(FooterItem(binding.key, shown, binding.description, binding.action, enabled, tooltip, x, end))
            x = end
        palette = self._palette(self.screen.active_bindings)
        if palette is not None:
            binding, enabled = palette
            shown = self.app.get_key_display(binding)
            end = width - 1
            start = end - (cell_len(shown) + cell_len(binding.description) + KEY_PAD)
            tip = binding.tooltip or binding.description
            items.append(
                FooterItem(binding.key, shown, binding.description, binding.action, enabled, tip, start, end, True)
            )
        return items

    # -- drawing -----------------------------------------------------------------------------
    def render(self) -> Text:
        width = self.size.width or self.app.size.width
        self._items = self.items(width)
        key_style = self.get_component_rich_style("footer-key--key", partial=True)
        text_style = self.get_component_rich_style("footer-key--description", partial=True)
        hover_style = self.get_component_rich_style("footer-key--hover", partial=True)
        line = Text(no_wrap=True, overflow="crop", end="")
        for index, item in enumerate(self._items):
            if item.palette:
                gap = item.start - line.cell_len - 1
                if gap < 0:
                    break
                line.append(" " * gap)
                line.append(PALETTE_RULE, style="dim")
            extra = hover_style if index == self._hover else Style()
            dim = Style(dim=True) if not item.enabled else Style()
            # Binding texts come from plugins: appended as plain text, never parsed as markup.
            line.append(f" {item.key_display} ", key_style + extra + dim)
            line.append(f"{item.description} ", text_style + extra + dim)
        line.append(" " * max(0, width - line.cell_len))
        return line

    # -- the mouse ---------------------------------------------------------------------------
    def _item_at(self, x: int) -> int | None:
        for index, item in enumerate(self._items):
            if item.start <= x < item.end:
                return index
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        index = self._item_at(event.x)
        if index != self._hover:
            self._hover = index
            self.tooltip = self._items[index].tooltip or None if index is not None else None
            self.refresh()

    def on_leave(self, _event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        index = self._item_at(event.x)
        if index is None:
            return
        item = self._items[index]
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()
