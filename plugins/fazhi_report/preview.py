"""What the report panel shows, computed off the UI thread: the year's report, its figures in reading
order, each with the previous year's value. Separate from the panel so tests and benchmarks
build it without a screen. No Textual here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from fazhi_tui.api import (
    Config,
    Context,
    FigureBook,
    FigureValue,
    PluginHost,
    Report,
    known_figures,
    phrase_value,
)
from fazhi_tui.api import assemble_report as assemble


@dataclass(frozen=True)
class FigureSpot:
    """One figure (or gap) in the report, in reading order."""

    block: int  # index in ``Report.blocks()``
    span: int  # index of the span in its block
    name: str
    label: str
    text: str  # as printed: "100余件", or the gap
    gap: str | None  # why it is a gap, or None
    previous: str | None  # the previous year's value as printed, or None without data


@dataclass
class Preview:
    year: int
    report: Report
    blocks: list[Any]  # RenderedBlock
    spots: list[FigureSpot] = field(default_factory=list)
    known: dict[str, str] = field(default_factory=dict)  # every figure a paragraph may use: name -> label
    approx: dict[str, bool] = field(default_factory=dict)  # each figure's default phrasing

    @property
    def gaps(self) -> list[FigureSpot]:
        return [s for s in self.spots if s.gap is not None]


def report_year(ctx: Context) -> int:
    """The report of the year the shell's period falls in (a quarter or a month: its year)."""
    return ctx.period.start.year


def _previous(value: FigureValue | None, approximate: bool) -> str | None:
    if value is None or value.value is None:
        return None
    return phrase_value(value.value, value.unit, approximate=approximate)


def build_preview(ctx: Context, host: PluginHost, cfg: Config, today: dt.date | None = None) -> Preview:
    """The report for the context's year (the whole town: a report is the town's) and, beside each
    figure, the previous year's value phrased the same way."""
    year = report_year(ctx)
    today = today or ctx.today
    book = FigureBook.load(host, ctx.store, cfg, year, today)
    report = assemble(host, ctx.store, cfg, year, today, book)
    before = book.for_year(year - 1)
    blocks = report.blocks()
    preview = Preview(year, report, blocks, known=known_figures(book))
    preview.approx = {name: fig.approx for name, (_p, fig) in book.figures.items()}
    for b, block in enumerate(blocks):
        for s, span in enumerate(block.spans):
            if span.figure is None:
                continue
            previous = _previous(before.value(span.figure), span.approx) if span.figure in book.figures else None
            preview.spots.append(FigureSpot(b, s, span.figure, span.label, span.text, span.gap, previous))
    return preview


def figure_records(ctx: Context, host: PluginHost, cfg: Config, name: str) -> Any:
    """The rows behind a figure for the context's year (a pyarrow Table), or None."""
    book = FigureBook.load(host, ctx.store, cfg, report_year(ctx), ctx.today)
    if name not in book.figures:
        return None
    return book.records(name)
