"""A small vertical bar chart in text: one column per label (a month, say), its value under it.

Drawn with block characters (▁▂▃▄▅▆▇█), so it reads the same in 16 colours, in 256 and with
NO_COLOR; labels are measured in terminal cells, so Chinese labels (十一月, 1月) stay aligned.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

EIGHTHS = " ▁▂▃▄▅▆▇█"
MAX_CELL = 8  # columns per bar at most, however wide the widget


def _crop(text: str, width: int) -> str:
    while cell_len(text) > width and text:
        text = text[:-1]
    return text


def _fit(text: str, width: int) -> str:
    """``text`` centred in ``width`` cells (cut from the right when too long)."""
    text = _crop(text, width)
    pad = width - cell_len(text)
    return " " * (pad // 2) + text + " " * (pad - pad // 2)


def _value_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


class BarChart(Widget):
    """``set_data(labels, values, marked=..., short_labels=...)``; ``marked`` labels are bold (the
    period's own months among their neighbours); ``short_labels`` are used when ``labels`` do
    not fit (``1`` for ``1月``), and when neither fits, every n-th label is shown. Height: the
    bars take what the two text rows leave."""

    DEFAULT_CSS = """
    BarChart { height: 8; width: 1fr; }
    BarChart > .bar-chart--bar { color: $accent; }
    BarChart > .bar-chart--value { color: $text; }
    BarChart > .bar-chart--label { color: $text-muted; }
    BarChart > .bar-chart--marked { color: $text; text-style: bold; }
    """
    COMPONENT_CLASSES = {"bar-chart--bar", "bar-chart--value", "bar-chart--label", "bar-chart--marked"}

    def __init__(self, *, empty_text: str = "没有数据", id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.labels: list[str] = []
        self.values: list[float] = []
        self.marked: list[bool] = []
        self.short_labels: list[str] | None = None
        self.empty_text = empty_text

    def set_data(
        self,
        labels: Sequence[str],
        values: Sequence[float],
        *,
        marked: Sequence[bool] | None = None,
        short_labels: Sequence[str] | None = None,
    ) -> None:
        if len(labels) != len(values) or (short_labels is not None and len(short_labels) != len(values)):
            raise ValueError("labels 与 values 的个数不同")
        self.labels = [str(x) for x in labels]
        self.short_labels = [str(x) for x in short_labels] if short_labels is not None else None
        self.values = [float(v or 0) for v in values]
        self.marked = list(marked) if marked is not None else [True] * len(self.labels)
        self.refresh()

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"bar-chart--{name}", partial=True)

    def render(self) -> Text:
        width, height = self.size.width, self.size.height
        n = len(self.values)
        if n == 0 or width <= 0 or height <= 0:
            return Text(self.empty_text, style=self._style("label"))
        labels = self.labels
        value_width = max(len(_value_text(v)) for v in self.values)
        widest = max([cell_len(x) for x in labels] + [value_width])
        if self.short_labels is not None and max(widest + 1, 3) * n > width:
            labels = self.short_labels
            widest = max([cell_len(x) for x in labels] + [value_width])
        cell = max(widest + 1, 3, min(width // n, MAX_CELL))  # use the room there is, up to a point
        every = 1  # label every n-th column when they do not all fit
        if cell * n > width:
            cell = max(1, width // n)
            every = -(-(widest + 1) // cell)
        bar = 1 if cell < 3 else 2 if cell < 6 else cell - 2
        show_values = every == 1 and height >= 3
        bar_rows = max(1, height - 1 - (1 if show_values else 0))
        top = max(self.values) or 1.0
        eighths = [round(v / top * bar_rows * 8) if v > 0 else 0 for v in self.values]
        eighths = [
            max(e, 1) if v > 0 else 0 for e, v in zip(eighths, self.values, strict=False)
        ]  # a small value still shows
        text = Text(no_wrap=True, overflow="crop")
        left = (cell - bar) // 2
        bar_style = self._style("bar")
        for row in range(bar_rows):
            level = bar_rows - row  # 1 = the bottom row
            for e in eighths:
                fill = min(8, max(0, e - (level - 1) * 8))
                text.append(" " * left)
                text.append(EIGHTHS[fill] * bar, style=bar_style if fill else None)
                text.append(" " * (cell - bar - left))
            text.append("\n")
        if show_values:
            for v in self.values:
                text.append(_fit(_value_text(v), cell), style=self._style("value"))
            text.append("\n")
        for i in range(0, n, every):
            style = self._style("marked" if self.marked[i] else "label")
            if every == 1:
                text.append(_fit(labels[i], cell), style=style)
            else:  # one label per group of columns, from its left edge
                span = cell * min(every, n - i)
                label = _crop(labels[i], span)
                text.append(label, style=style)
                text.append(" " * (span - cell_len(label)))
        return text
