"""How wide the session list's 主题 may be: what the other columns leave of the panel's width, a
long topic cut with "…" (at 120x40 a 24-character topic had pushed 学时 and 网格 off screen).
Separate from the panel because it is arithmetic on cells, tested on its own."""

from __future__ import annotations

from rich.cells import cell_len


def cut(text: str, cells: int) -> str:
    """``text`` in at most ``cells`` terminal cells (a CJK character takes two), "…" where cut."""
    if cell_len(text) <= cells:
        return text
    out, used = "", 0
    for ch in text:
        w = cell_len(ch)
        if used + w > cells - 1:
            break
        out, used = out + ch, used + w
    return out + "…"


# Cells a DataTable adds to each column (padding on both sides), and its vertical scrollbar.
_CELL_PADDING, _SCROLLBAR = 2, 2
_TOPIC_MIN = 8


def topic_width(columns: tuple[str, ...], labels: dict[str, str], rows: list[dict], width: int) -> int:
    """The cells the 主题 column may take so that every column fits the panel's ``width`` (the
    others as wide as their longest value): a long topic is cut, the 学时 and 网格 stay on screen."""
    longest = max([cell_len(labels["topic"])] + [cell_len(r["topic"]) for r in rows])
    if width <= 0:
        return longest
    others = sum(
        max([cell_len(labels[c])] + [cell_len(r[c]) for r in rows]) + _CELL_PADDING for c in columns if c != "topic"
    )
    room = width - others - _CELL_PADDING - _SCROLLBAR
    return min(longest, max(_TOPIC_MIN, room))
