"""What the shell's workers report back: one message type per result, handled by the app.

Separate from ``app.py`` so the app's handlers (``@on(StartupRead)`` …) can name them at class
definition, and a reader finds every worker's outcome in one place instead of in a branch on
group strings. Posted from the worker's thread (``post_message`` is thread-safe).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from ..context import Grid
    from ..plugins import Contribution
    from ..store.generations import CompactionResult
    from .startup import StartupInfo


class StartupRead(Message):
    """The opening period and the grids."""

    def __init__(self, info: StartupInfo) -> None:
        super().__init__()
        self.info = info


class StartupFailed(Message):
    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


class UnreadableRead(Message):
    """Table label -> how many of its files the store skips (read once the first panel is up)."""

    def __init__(self, unreadable: dict[str, int]) -> None:
        super().__init__()
        self.unreadable = unreadable


class GridsRead(Message):
    """The grids, read again (after an import of the grids table)."""

    def __init__(self, grids: list[Grid]) -> None:
        super().__init__()
        self.grids = grids


class CompactionDone(Message):
    def __init__(self, results: list[CompactionResult]) -> None:
        super().__init__()
        self.results = results


class CompactionFailed(Message):
    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


class CommandDone(Message):
    """A plugin command ran; ``text`` is what it said (or None)."""

    def __init__(self, contrib: Contribution, text: str | None) -> None:
        super().__init__()
        self.contrib = contrib
        self.text = text


class CommandFailed(Message):
    """A plugin command raised: which one, for the notice and the plugin's record."""

    def __init__(self, contrib: Contribution, error: BaseException) -> None:
        super().__init__()
        self.contrib = contrib
        self.error = error


class SignatureRead(Message):
    """The store's state on disk (``Store.state_signature``): a change means a write landed."""

    def __init__(self, signature: tuple) -> None:
        super().__init__()
        self.signature = signature


class BadgesRead(Message):
    """Each panel's count beside its title: (index, contribution, count or the error it raised)."""

    def __init__(self, results: list[tuple[int, Contribution, object]]) -> None:
        super().__init__()
        self.results = results
