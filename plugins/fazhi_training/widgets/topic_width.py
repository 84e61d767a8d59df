"""Which columns the session list shows and how wide its 主题 may be: what the other columns leave
of the panel's width, a long topic cut with "…" (at 120x40 a 24-character topic had pushed 学时 and
网格 off screen), and at 80 columns the least needed columns left out whole, by priority, before
the topic is cut to a stub (issue 17). Separate from the panel because it is arithmetic on cells,
tested on its own."""

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
# Fewer cells than this and a topic says nothing ("行政复…"): leave out a column instead.
_TOPIC_MIN = 16
# The columns left out first when the panel is narrow, least needed first: the grid and the hours
# are in the record (and the export); the number is for Enter and `s`, which use the row, not the
# cell. The date, the 类型 and the 主题 are what a clerk reads the list by: never left out.
DROP_ORDER = ("grid_name", "hours", "training_id", "roster", "participants")


def _widest(column: str, labels: dict[str, str], rows: list[dict]) -> int:
    return max([cell_len(labels[column])] + [cell_len(r[column]) for r in rows])


def fit_columns(
    columns: tuple[str, ...], labels: dict[str, str], rows: list[dict], width: int
) -> tuple[tuple[str, ...], int]:
    """The columns to show (in ``columns``' order) and the cells 主题 may take in a panel
    ``width`` cells wide: every column whole, the topic at least ``_TOPIC_MIN`` cells wide,
    columns of ``DROP_ORDER`` left out one by one until that holds."""
    shown = list(columns)
    if width > 0:
        for column in DROP_ORDER:
            others = sum(_widest(c, labels, rows) + _CELL_PADDING for c in shown if c != "topic")
            if width - others - _CELL_PADDING - _SCROLLBAR >= _TOPIC_MIN:
                break
            if column in shown:
                shown.remove(column)
    kept = tuple(shown)
    return kept, topic_width(kept, labels, rows, width)


def topic_width(columns: tuple[str, ...], labels: dict[str, str], rows: list[dict], width: int) -> int:
    """The cells the 主题 column may take so that every column fits the panel's ``width`` (the
    others as wide as their longest value): a long topic is cut, the 学时 and 网格 stay on screen."""
    longest = max([cell_len(labels["topic"])] + [cell_len(r["topic"]) for r in rows])
    if width <= 0:
        return longest
    others = sum(_widest(c, labels, rows) + _CELL_PADDING for c in columns if c != "topic")
    room = width - others - _CELL_PADDING - _SCROLLBAR
    return min(longest, max(_TOPIC_MIN, room))
