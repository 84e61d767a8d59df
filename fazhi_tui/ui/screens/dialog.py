"""The base of the shell's dialogs: a box in the middle of the screen, over the dashboard.

One place for the box's look (border, title colour, background, padding, centred), so the
export, range, grid picker, help, plugin status and record form dialogs differ only in their
size and their content. A dialog composes one ``Vertical`` (its box) and sets the box's
``border_title``.
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


class Dialog(ModalScreen[ResultType]):
    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > Vertical {
        width: 60;
        max-width: 95%;
        height: auto;
        border: round $accent;
        border-title-color: $accent;
        background: $surface;
        padding: 0 1;
    }
    """
