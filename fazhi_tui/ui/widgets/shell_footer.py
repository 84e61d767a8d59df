"""The bottom line: the keys of the screen that fit, each whole.

Textual's footer lays every shown binding side by side and lets the terminal's edge cut the
last ones ("g 网格  i ▏^p   令" at 80 columns). This one keeps what fits, whole, in the order
the screen lists them (the focused widget's and the panel's keys first, then the shell's),
always keeps ``? 帮助`` (help lists every key, and the palette runs every action), and leaves
the rest out. The width is measured again when the terminal is resized.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# FooterKey draws " key " then "description ": two cells around the key, one after the text.
KEY_PAD = 3
# The palette key is docked right with a border on its left and padding on its right.
PALETTE_EXTRA = 2
# Kept whatever the width: help names every binding the footer leaves out.
ALWAYS = frozenset({"help", "app.help"})


class ShellFooter(Footer):
    """A footer that shows the bindings that fit the width, whole, and always the help key."""

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
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return None
        found = active.get(self.app.COMMAND_PALETTE_BINDING)
        return None if found is None else (found.binding, found.enabled)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        width = self.size.width or self.app.size.width
        yield from self._keys(width)

    def _keys(self, width: int) -> Iterator[FooterKey]:
        for binding, enabled, tooltip in self.fitting(width):
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            ).data_bind(compact=Footer.compact)
        palette = self._palette(self.screen.active_bindings)
        if palette is not None:
            binding, enabled = palette
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=binding.tooltip or binding.description,
            )

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and event.size.width != getattr(self, "_laid_for", None):
            self._laid_for = event.size.width
            self.call_after_refresh(self.recompose)
