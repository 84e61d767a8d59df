"""What the hotline panel shows for one context: the result of its ``load``, handed to each tab.

Separate so the panel and its tab widgets share the type without importing one another; no
Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from fazhi_tui.api import Context

from .headline import FiguresComparison
from .history import TicketDetail
from .open_list import OpenPage
from .ranking import QuarterRank


@dataclass(frozen=True)
class HotlineView:
    """Everything the panel shows for one context (``load``'s result)."""

    ctx: Context
    figures: FiguresComparison
    trend: pa.Table
    categories: pa.Table
    grids: pa.Table
    ranks: list[QuarterRank]
    open_page: OpenPage
    grid_choices: list[tuple[str, str]]  # (shown, code) for the new-ticket form
    detail: TicketDetail | None
