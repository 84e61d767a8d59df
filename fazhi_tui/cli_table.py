"""``fazhi-tui sql`` and ``tables`` on a terminal: tables that fit its width, never cut headers.

A result wider than the terminal keeps its first and last columns whole and leaves out the
middle ones, as DuckDB's own shell does, with a line naming what was left out and how to see
it (``--format line``: one record per block, every column). Long values are shortened with "…"
inside their cell; a header never is.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

MAX_CELL = 30  # cells of a long value shown in a table column before it is shortened with …
ELIDED = "…"


def _width(name: str, values: Sequence[str], cap: int | None = MAX_CELL) -> int:
    return max([cell_len(name)] + [cell_len(v) if cap is None else min(cell_len(v), cap) for v in values])


def fitting_columns(names: Sequence[str], cells: Sequence[Sequence[str]], width: int) -> list[int] | None:
    """Which columns fit ``width`` cells: all of them (None), or the first and last ones with
    the middle left out (their indexes in order; at least the first column)."""

    def need(indexes: Sequence[int], elided: bool) -> int:
        # Rich's box: a border before each column and after the last, a space either side of each.
        return 1 + sum(widths[i] + 3 for i in indexes) + (4 if elided else 0)

    widths = [_width(n, [row[i] for row in cells], None) for i, n in enumerate(names)]
    if need(range(len(names)), False) <= width:
        return None  # every value whole
    widths = [_width(n, [row[i] for row in cells]) for i, n in enumerate(names)]
    if need(range(len(names)), False) <= width:
        return list(range(len(names)))  # every column, long values shortened
    left: list[int] = [0]
    right: list[int] = []
    lo, hi = 1, len(names) - 1
    take_left = False  # the last column first: a query's right end is often what was asked for
    while lo <= hi:
        candidate = lo if take_left else hi
        trial = sorted(left + right + [candidate])
        if need(trial, True) > width:
            break
        if take_left:
            left.append(lo)
            lo += 1
        else:
            right.insert(0, hi)
            hi -= 1
        take_left = not take_left
    return left + right


def print_table(console: Console, names: Sequence[str], cells: Sequence[Sequence[str]]) -> list[str]:
    """Print ``cells`` (rows of text) under ``names`` to fit the console; returns the names of
    the columns left out (empty when all fit)."""
    shown = fitting_columns(names, cells, console.width)
    indexes = list(range(len(names))) if shown is None else shown
    elide_at = next((k for k, (a, b) in enumerate(zip(indexes, indexes[1:], strict=False)) if b != a + 1), None)
    if shown is not None and elide_at is None and len(indexes) < len(names):
        elide_at = len(indexes) - 1
    table = Table(show_lines=False)
    order: list[int | None] = list(indexes)
    if elide_at is not None:
        order.insert(elide_at + 1, None)
    for i in order:
        if i is None:
            table.add_column(ELIDED, no_wrap=True, width=1)
        elif shown is None:
            table.add_column(Text(names[i]))  # everything fits: nothing shortened
        else:
            table.add_column(
                Text(names[i]),
                no_wrap=True,
                overflow="ellipsis",
                min_width=cell_len(names[i]),
                max_width=max(MAX_CELL, cell_len(names[i])),
            )
    for row in cells:
        table.add_row(*[Text(ELIDED) if i is None else Text(row[i]) for i in order])
    console.print(table)
    return [n for i, n in enumerate(names) if i not in indexes]


def print_records(console: Console, names: Sequence[str], cells: Sequence[Sequence[str]]) -> None:
    """One record per block, a column per line (``--format line``), every value whole."""
    pad = max((cell_len(n) for n in names), default=0)
    for number, row in enumerate(cells, start=1):
        console.print(Text(f"-- 第 {number} 行 --", style="bold"))
        for name, value in zip(names, row, strict=False):
            console.print(Text(name + " " * (pad - cell_len(name)) + " = " + value), soft_wrap=True)
