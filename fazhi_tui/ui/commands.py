"""The command palette (ctrl+p): panels, period, grid, every plugin command, help and quit.

The app says what can be done right now (``palette_entries``); this provider only matches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider


@dataclass(frozen=True)
class PaletteEntry:
    title: str
    run: Callable[[], Any]
    help: str = ""
    discoverable: bool = True  # listed before anything is typed (the grids are only searched)


class ShellCommands(Provider):
    def _entries(self) -> list[PaletteEntry]:
        return list(self.app.palette_entries())  # type: ignore[attr-defined]

    async def discover(self) -> Hits:
        for entry in self._entries():
            if entry.discoverable:
                yield DiscoveryHit(entry.title, entry.run, help=entry.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._entries():
            score = matcher.match(entry.title)
            if score > 0:
                yield Hit(score, matcher.highlight(entry.title), entry.run, help=entry.help)
