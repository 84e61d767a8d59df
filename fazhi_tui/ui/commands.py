"""The command palette (ctrl+p): panels, period, grid, every plugin command, the visible
panel's own actions, help and quit.

The app says what it offers (``palette_entries``); this module keeps only what may run now.
The rule, for the app's entries and the visible panel's alike: an action is offered when the
node that owns it returns True from ``check_action``. False (an action the role lacks, say)
hides it here as in the footer and help; None (disabled for now, dimmed in the footer) is not
offered either, since choosing it would do nothing.

- an app entry that names an ``action`` is checked with ``app.check_action``;
- the visible panel's actions come from ``Panel.palette_actions()`` (its bindings that its
  ``check_action`` allows, wherever the focus is); failing that, from the bindings with an id
  of the panel and its widgets that are enabled in ``screen.active_bindings``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.actions import parse
from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.screen import Screen

from .keys import describe


@dataclass(frozen=True)
class PaletteEntry:
    title: str
    run: Callable[[], Any]
    help: str = ""
    discoverable: bool = True  # listed before anything is typed (the grids are only searched)
    action: str | None = None  # the action it runs, when check_action may forbid it


def allowed(node: DOMNode, action: str) -> bool:
    """Whether ``node`` lets ``action`` run now (its ``check_action`` returns True)."""
    _namespace, name, params = parse(action)
    return node.check_action(name, params) is True


def panel_entries(app: App, screen: Screen) -> list[PaletteEntry]:
    """The visible panel's own actions that may run now."""
    visible = getattr(app, "visible_panel", None)
    panel = visible() if callable(visible) else None
    if panel is None:
        return []
    prefix = f"{panel.panel_title}：" if panel.panel_title else ""
    listed = getattr(panel, "palette_actions", None)
    if callable(listed):
        # The panel's bindings that its check_action allows (Panel.palette_actions).
        return [PaletteEntry(prefix + a.title, a.run, f"按键 {a.key}") for a in listed()]
    # Otherwise the same from the screen: the panel's bindings with an id, enabled there.
    entries: list[PaletteEntry] = []
    seen: set[str] = set()
    for active in screen.active_bindings.values():
        node, binding = active.node, active.binding
        if not active.enabled or not binding.id or binding.id in seen:
            continue
        if node is not panel and not (isinstance(node, DOMNode) and panel in node.ancestors):
            continue
        seen.add(binding.id)
        description = app.describe_binding(binding) if hasattr(app, "describe_binding") else describe(binding)
        entries.append(
            PaletteEntry(
                prefix + description,
                partial(app.run_action, binding.action, node),
                f"按键 {app.get_key_display(binding)}",
                action=binding.action,
            )
        )
    return entries


def available_entries(app: App, screen: Screen) -> list[PaletteEntry]:
    """What the palette offers over ``screen``: the app's entries it allows, then the panel's."""
    entries = [e for e in app.palette_entries() if e.action is None or allowed(app, e.action)]  # type: ignore[attr-defined]
    return panel_entries(app, screen) + entries


class ShellCommands(Provider):
    def _entries(self) -> list[PaletteEntry]:
        return available_entries(self.app, self.screen)

    async def discover(self) -> Hits:
        for entry in self._entries():
            if entry.discoverable:
                yield DiscoveryHit(entry.title, entry.run, help=entry.help)

    async def search(self, query: str) -> Hits:
        # What the text itself names comes first: a period to go to, a record to open (looked
        # up in a thread: it reads the store).
        typed = getattr(self.app, "typed_entries", None)
        for entry in typed(query) if callable(typed) else []:
            yield Hit(1.0, entry.title, entry.run, help=entry.help)
        records = getattr(self.app, "record_entries", None)
        if callable(records):
            for entry in await asyncio.to_thread(records, query):
                yield Hit(1.0, entry.title, entry.run, help=entry.help)
        matcher = self.matcher(query)
        for entry in self._entries():
            score = matcher.match(entry.title)
            if score > 0:
                yield Hit(score, matcher.highlight(entry.title), entry.run, help=entry.help)
