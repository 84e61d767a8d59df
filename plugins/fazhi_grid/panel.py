"""网格地图: the map widget and the panel around it (the legend and the selected grid's details).

Long (about 560 lines): the map widget's drawing, cursor and cache belong together; the
geometry is ``geometry.py``, the data ``queries.py``.

The map draws two pixels per cell with half blocks (▀ ▄), each grid in its legend bin's colour.
Colour is never the only cue: inside each grid a sparse pattern glyph tells the bins apart (in 16
colours, or none), and the grid's name or number is written where it fits. The grid under the
cursor is outlined; arrows move the cursor to the neighbouring grid, Enter makes it the shell's
grid, Esc returns to the whole town, ``m`` cycles the metric.

The raster is cached per size, so a resize redraws at once from the cache or a fresh raster
(a few milliseconds) in the same frame: nothing blank in between.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.color import Color
from rich.console import Group
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from fazhi_tui.api import Context, Grid, Panel

from . import geometry
from .geometry import EMPTY, Label, Raster, Shape
from .queries import FigureSource, GridInfo, MapData, Metric, grid_table, map_data

# Sequential colours per number of bins (ColorBrewer YlOrRd): light is few, dark is many.
PALETTES = {
    1: ("#fd8d3c",),
    2: ("#ffeda0", "#f03b20"),
    3: ("#ffeda0", "#feb24c", "#f03b20"),
    4: ("#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"),
    5: ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
    6: ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"),
}
# Pattern glyphs by bin, denser for more: in 16 colours two bins may share a colour, never a glyph.
GLYPHS = ("", "·", ":", "+", "x", "#")
NO_DATA = ("#8a8a8a", "?")
BORDER = "#262626"  # between two grids
CURSOR = "#00afff"  # the grid under the cursor (no bin colour is blue, in 256 colours or 16)
SELECTED = "#d700d7"  # the shell's grid, when the cursor has moved off it
WIDE = 90  # panel columns from which the details sit beside the map
LAYOUTS_KEPT = 4  # sizes whose raster is cached (a resize back and forth redraws from cache)


@dataclass(frozen=True)
class Fill:
    colour: str  # "#rrggbb"
    glyph: str  # the bin's pattern ("" for none)


def fills_for(metric: Metric | None, grids: Sequence[GridInfo]) -> list[Fill]:
    """Each grid's colour and pattern under ``metric``."""
    if metric is None or not metric.bins:
        return [Fill(*NO_DATA) for _ in grids]
    palette = PALETTES[min(len(metric.bins), 6)]
    out = []
    for g in grids:
        i = metric.bin_of(g.code)
        out.append(Fill(*NO_DATA) if i is None else Fill(palette[min(i, 5)], GLYPHS[min(i, 5)]))
    return out


def bin_swatches(metric: Metric | None) -> list[tuple[Fill, str]]:
    if metric is None or not metric.bins:
        return []
    palette = PALETTES[min(len(metric.bins), 6)]
    return [(Fill(palette[min(i, 5)], GLYPHS[min(i, 5)]), b.label) for i, b in enumerate(metric.bins)]


def contrast(colour: str) -> str:
    """Black or white, whichever reads on ``colour``."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#ffffff"


def pattern_cells(cells: list[list[int]], labels: dict[int, Label]) -> set[tuple[int, int]]:
    """Where the pattern glyphs go: every fourth inner cell, staggered row by row, off the
    labels; a grid too small for the lattice still gets one glyph, so its bin never rests on
    colour alone."""
    taken = {(lb.row, x) for lb in labels.values() for x in range(lb.x - 1, lb.x + lb.width + 1)}
    out: set[tuple[int, int]] = set()
    seen: set[int] = set()
    spare: dict[int, tuple[int, int]] = {}
    for r, row in enumerate(cells):
        for x, v in enumerate(row):
            if v == EMPTY or (r, x) in taken:
                continue
            if (x + 2 * (r % 2)) % 4 == 0:
                out.add((r, x))
                seen.add(v)
            else:
                spare.setdefault(v, (r, x))
    out.update(cell for v, cell in spare.items() if v not in seen)
    return out


@dataclass
class _Layout:
    """What depends on the size only: computed once per size and kept."""

    raster: Raster
    borders: list[list[bool]]
    outline: list[list[bool]]
    cells: list[list[int]]
    labels: dict[int, dict[int, Label]]  # row -> first cell -> label
    glyphs: set[tuple[int, int]]  # (row, x) of the cells that show their bin's pattern glyph


class GridMap(Widget, can_focus=True):
    """The map itself. The panel gives it shapes, fills, labels and who is under the cursor."""

    DEFAULT_CSS = """
    GridMap { width: 1fr; height: 1fr; }
    """

    class Clicked(Message):
        """A grid was clicked: the cursor goes there (the mouse works, though it is never needed)."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shapes: tuple[Shape | None, ...] = ()
        self.label_options: tuple[tuple[tuple[str, int], ...], ...] = ()
        self.fills: tuple[Fill, ...] = ()
        self.cursor: int | None = None
        self.selected: int | None = None
        self._layouts: OrderedDict[tuple[int, int], _Layout] = OrderedDict()
        self._lines: tuple[tuple, list[Strip]] | None = None
        self._styles: dict[tuple, Style] = {}
        self._version = 0

    def update_map(
        self,
        shapes: tuple[Shape | None, ...],
        label_options: tuple[tuple[tuple[str, int], ...], ...],
        fills: Sequence[Fill],
        cursor: int | None,
        selected: int | None,
    ) -> None:
        if shapes != self.shapes or label_options != self.label_options:
            self._layouts.clear()
        self.shapes, self.label_options = shapes, label_options
        self.fills, self.cursor, self.selected = tuple(fills), cursor, selected
        self._version += 1
        self.refresh()

    def layout_for(self, width: int, height: int) -> _Layout:
        key = (width, height)
        layout = self._layouts.get(key)
        if layout is None:
            raster = geometry.rasterise(self.shapes, width, height)
            outline = geometry.outline_mask(raster)
            cells = geometry.inner_cells(raster, outline)
            labels = geometry.place_labels(cells, self.label_options)
            by_row: dict[int, dict[int, Label]] = {}
            for label in labels.values():
                by_row.setdefault(label.row, {})[label.x] = label
            layout = _Layout(
                raster, geometry.border_pixels(raster), outline, cells, by_row, pattern_cells(cells, labels)
            )
            self._layouts[key] = layout
            while len(self._layouts) > LAYOUTS_KEPT:
                self._layouts.popitem(last=False)
        else:
            self._layouts.move_to_end(key)
        return layout

    # -- drawing -------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width, height = self.size
        key = (width, height, self._version, self.rich_style)
        if self._lines is None or self._lines[0] != key:
            self._lines = (key, self._draw(width, height))
        lines = self._lines[1]
        return lines[y] if 0 <= y < len(lines) else Strip.blank(width, self.rich_style)

    def _style(self, fg: str | None, bg: str | None, bold: bool = False) -> Style:
        key = (fg, bg, bold)
        style = self._styles.get(key)
        if style is None:
            style = self.rich_style + Style(
                color=Color.parse(fg) if fg else None, bgcolor=Color.parse(bg) if bg else None, bold=bold or None
            )
            self._styles[key] = style
        return style

    def _draw(self, width: int, height: int) -> list[Strip]:
        self._styles.clear()  # the base style may have changed with the theme
        if width <= 0 or height <= 0:
            return []
        if not self.shapes:
            return [Strip.blank(width, self.rich_style) for _ in range(height)]
        lay = self.layout_for(width, height)
        owner, borders, outline = lay.raster.owner, lay.borders, lay.outline
        fills, cursor, selected = self.fills, self.cursor, self.selected

        def colour(x: int, y: int) -> str | None:
            v = owner[y][x]
            if v == EMPTY:
                return None
            if outline[y][x] and v == cursor:
                return CURSOR
            if outline[y][x] and v == selected:
                return SELECTED
            if borders[y][x]:
                return BORDER
            return fills[v].colour if v < len(fills) else NO_DATA[0]

        lines = []
        for r in range(height):
            cells = lay.cells[r] if r < len(lay.cells) else []
            labels = lay.labels.get(r, {})
            segments: list[Segment] = []
            text, style = "", None
            x = 0
            while x < width:
                if 2 * r + 1 >= lay.raster.height:
                    part, part_style, step = " ", self._style(None, None), 1
                elif x in labels:
                    label = labels[x]
                    label_fill = fills[cells[x]].colour
                    part, part_style, step = (
                        label.text,
                        self._style(contrast(label_fill), label_fill, True),
                        label.width,
                    )
                elif cells[x] != EMPTY:
                    fill = fills[cells[x]]
                    glyph = fill.glyph if fill.glyph and (r, x) in lay.glyphs else " "
                    part, part_style, step = glyph, self._style(contrast(fill.colour), fill.colour), 1
                else:
                    top, bottom = colour(x, 2 * r), colour(x, 2 * r + 1)
                    if top == bottom:
                        part, part_style = " ", self._style(None, top)
                    elif top is None:
                        part, part_style = "▄", self._style(bottom, None)
                    else:
                        part, part_style = "▀", self._style(top, bottom)
                    step = 1
                if part_style is style:
                    text += part
                else:
                    if text:
                        segments.append(Segment(text, style))
                    text, style = part, part_style
                x += step
            if text:
                segments.append(Segment(text, style))
            lines.append(Strip(segments, width))
        return lines

    def on_click(self, event: events.Click) -> None:
        if not self.shapes:
            return
        lay = self.layout_for(*self.size)
        index = geometry.shape_at_cell(lay.raster, event.x, event.y)
        if index != EMPTY:
            self.post_message(self.Clicked(index))


class Legend(Widget):
    """The legend: its items flow onto as many lines as the width needs, never split inside."""

    DEFAULT_CSS = """
    Legend { height: auto; width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: list[Text] = []
        self.notes: list[Text] = []  # whole lines after the items (grids not drawn, errors)

    def update(self, items: list[Text], notes: list[Text] | None = None) -> None:
        self.items, self.notes = items, notes or []
        self.refresh(layout=True)

    def lines(self, width: int) -> list[Text]:
        lines: list[Text] = []
        line = Text()
        for item in self.items:
            if line.cell_len and line.cell_len + 2 + item.cell_len > width:
                lines.append(line)
                line = Text()
            if line.cell_len:
                line.append("  ")
            line.append_text(item)
        if line.cell_len:
            lines.append(line)
        return lines + self.notes

    def get_content_height(self, container, viewport, width: int) -> int:
        return (
            sum(max(1, len(t.wrap(self.app.console, max(1, width)))) for t in self.lines(width))
            if self.items or self.notes
            else 0
        )

    def render(self) -> Text:
        return Text("\n").join(self.lines(self.size.width))


class GridMapPanel(Panel):
    """网格地图. ``figures``: the per-grid figures to offer (a list, or a function of the context);
    by default those the host hands over in the context, and 户数 without any."""

    LOAD_BEFORE_MOUNT = True  # its load reads only the context and what __init__ sets

    DEFAULT_CSS = """
    GridMapPanel #grid-title { height: auto; max-height: 2; }
    GridMapPanel #grid-main { height: 1fr; }
    GridMapPanel #grid-left { width: 1fr; height: 1fr; }
    GridMapPanel #grid-legend { max-height: 5; }
    GridMapPanel #grid-side { width: 36; height: 1fr; padding: 0 0 0 1; }
    GridMapPanel.-narrow #grid-side { display: none; }
    GridMapPanel.-narrow.-details #grid-side { display: block; width: 30; }
    """

    BINDINGS = [
        Binding("up", "move('up')", "向北", show=False, id="grid_map.up"),
        Binding("down", "move('down')", "向南", show=False, id="grid_map.down"),
        Binding("left", "move('left')", "向西", show=False, id="grid_map.left"),
        Binding("right", "move('right')", "向东", show=False, id="grid_map.right"),
        Binding("enter", "choose", "设为当前网格", id="grid_map.choose"),
        Binding("escape", "whole_town", "全镇", id="grid_map.town"),
        Binding("m", "next_metric", "换指标", id="grid_map.metric"),
        Binding("v", "toggle_details", "详情", id="grid_map.details"),
    ]

    def __init__(
        self, figures: FigureSource | None = None, *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.figures = figures
        self.data: MapData | None = None
        self.metric_name: str | None = None  # kept across reloads (period steps, grid changes)
        self.cursor_code: str | None = None
        self._drawn: tuple[GridInfo, ...] = ()
        self._centres: list[geometry.Point | None] = []
        self._adjacent: dict[int, set[int]] = {}

    def compose_body(self) -> ComposeResult:
        yield Static("", id="grid-title")
        with Horizontal(id="grid-main"):
            with Vertical(id="grid-left"):
                yield GridMap(id="grid-map")
                yield Legend(id="grid-legend")
            with VerticalScroll(id="grid-side", can_focus=False):
                yield Static("", id="grid-details")

    def load(self, ctx: Context) -> MapData:
        return map_data(ctx, self.figures)

    def show(self, data: MapData) -> None:
        first = self.data is None or data.grids != self.data.grids
        self.data = data
        self._drawn = data.drawn
        if first:
            shapes = [g.shape for g in self._drawn]
            self._centres = geometry.centres(shapes)
            # Who touches whom, at a fine size once, so the arrows do not depend on the window.
            self._adjacent = geometry.adjacency(geometry.rasterise(shapes, 200, 100))
        names = [m.name for m in data.metrics]
        if self.metric_name not in names:
            self.metric_name = names[0] if names else None
        codes = [g.code for g in data.grids]
        if data.ctx.grid is not None and data.ctx.grid.code in codes:
            self.cursor_code = data.ctx.grid.code
        elif self.cursor_code not in codes:
            self.cursor_code = self._drawn[0].code if self._drawn else (codes[0] if codes else None)
        self._redraw()

    def export_view(self):
        """``e``: the grids with every metric of the map, as a table."""
        if self.data is None:
            return None
        from fazhi_tui.api import PanelExport

        rows, labels = grid_table(self.data)
        return PanelExport("网格指标", rows, labels=labels)

    # -- state -----------------------------------------------------------------------------------
    @property
    def metric(self) -> Metric | None:
        if self.data is None:
            return None
        return next((m for m in self.data.metrics if m.name == self.metric_name), None)

    @property
    def cursor(self) -> GridInfo | None:
        if self.data is None:
            return None
        return next((g for g in self.data.grids if g.code == self.cursor_code), None)

    def _index_of(self, code: str | None) -> int | None:
        return next((i for i, g in enumerate(self._drawn) if g.code == code), None)

    def _redraw(self) -> None:
        data = self.data
        if data is None:
            return
        metric = self.metric
        shapes = tuple(g.shape for g in self._drawn)
        options = tuple(
            ((g.short_name, cell_len(g.short_name)), (str(g.number), len(str(g.number)))) for g in self._drawn
        )
        selected = data.ctx.grid.code if data.ctx.grid is not None else None
        self.query_one(GridMap).update_map(
            shapes,
            options,
            fills_for(metric, self._drawn),
            self._index_of(self.cursor_code),
            self._index_of(selected) if selected != self.cursor_code else None,
        )
        self.query_one("#grid-title", Static).update(self._title())
        self.query_one(Legend).update(*self._legend())
        self.query_one("#grid-details", Static).update(self._details())

    def _title(self) -> Text:
        data, metric, grid = self.data, self.metric, self.cursor
        assert data is not None
        text = Text()
        if metric is None or not data.grids:
            return Text(
                f"没有网格：按 {self._import_key()} 导入网格边界（GeoJSON），或 fazhi-tui import grids", style="dim"
            )
        n = len(data.metrics)
        text.append(f"着色：{metric.label}", style="bold")
        if metric.unit:
            text.append(f"（{metric.unit}）")
        if metric.by_period:
            text.append(f" · {data.ctx.period.label}")
        text.append(f"（{data.metrics.index(metric) + 1}/{n}）", style="dim")
        if grid is not None:
            value = metric.text(metric.value(grid.code)) if not metric.error else "出错"
            text.append("  光标：")
            text.append(grid.name, style="bold")
            text.append(f" {value}")
        return text

    def _import_key(self) -> str:
        """The key of the dashboard's import (``i`` unless the config's [keys] rebinds it)."""
        config = getattr(self.app, "config", None)
        keys = getattr(config, "keys", None) or {}
        return str(keys.get("data.import", "i")).split(",")[0].strip()

    def _key(self) -> Table:
        """图中编号: number → name of every grid drawn (the map shows the number where the name
        does not fit), two to a line."""
        table = Table.grid(padding=(0, 1))
        for _ in range(2):
            table.add_column(justify="right", style="dim", no_wrap=True)
            table.add_column(no_wrap=True, overflow="ellipsis")
        drawn = list(self._drawn)
        for i in range(0, len(drawn), 2):
            cells: list[Text | str] = []
            for g in drawn[i : i + 2]:
                cells += [str(g.number), Text(g.short_name)]
            table.add_row(*cells)
        return table

    def _legend(self) -> tuple[list[Text], list[Text]]:
        data, metric = self.data, self.metric
        assert data is not None
        items: list[Text] = []
        notes: list[Text] = []
        if metric is not None and metric.error:
            notes.append(Text(f"指标「{metric.label}」计算出错：{metric.error}", style="bold red"))
        elif metric is not None:
            if not metric.bins and data.grids:
                items.append(Text("本期没有数据" if metric.by_period else "没有数据", style="dim"))
            for fill, label in bin_swatches(metric):
                items.append(self._swatch(fill, label))
            if any(metric.value(g.code) is None for g in self._drawn):
                items.append(self._swatch(Fill(*NO_DATA), "无数据"))
            items.append(Text.assemble(("▀▀", CURSOR), " 光标"))
            if data.ctx.grid is not None and data.ctx.grid.code != self.cursor_code:
                items.append(Text.assemble(("▀▀", SELECTED), " 当前网格"))
        if data.not_drawn:
            notes.append(Text(f"未绘制（无边界）：{'、'.join(g.name for g in data.not_drawn)}", style="dim"))
        if self._drawn and self.has_class("-narrow") and not self.has_class("-details"):
            notes.append(Text("图中数字为网格编号，按 v 查看编号对照与光标所在网格", style="dim"))
        return items, notes

    @staticmethod
    def _swatch(fill: Fill, label: str) -> Text:
        return Text.assemble(
            (f"{fill.glyph or ' '} ", Style(color=contrast(fill.colour), bgcolor=fill.colour)), f" {label}"
        )

    def _details(self) -> Group | Table | Text:
        data, grid = self.data, self.cursor
        if data is None or grid is None:
            return Text("")
        if not self._drawn:
            return self._grid_details(data, grid)
        # Beside a narrow map the key comes first: it is what ``v`` is pressed for there.
        if self.has_class("-narrow"):
            return Group(Text("图中编号", style="bold"), self._key(), Text(""), self._grid_details(data, grid))
        return Group(self._grid_details(data, grid), Text("\n图中编号", style="bold"), self._key())

    def _grid_details(self, data: MapData, grid: GridInfo) -> Table:
        table = Table.grid(padding=(0, 1))
        # A long figure label wraps rather than pushing its value out of the narrow side pane.
        table.add_column(style="dim", max_width=14)
        table.add_column(min_width=6)
        # Values from the store go in as Text, never as strings a Rich table would parse as markup.
        table.add_row("编号", Text(str(grid.number) + ("" if grid.shape is not None else "（无边界，未绘制）")))
        table.add_row("网格编码", Text(grid.code))
        table.add_row("名称", Text(grid.name, style="bold"))
        table.add_row("类型", Text(grid.kind or "—"))
        table.add_row("所属村", Text(grid.village or "—"))
        table.add_row("网格长", _people(grid.head))
        table.add_row("网格员", _people(grid.workers))
        table.add_row("户数", "—" if grid.households is None else f"{grid.households}")
        table.add_row("人口", "—" if grid.population is None else f"{grid.population}")
        figures = [m for m in data.metrics if m.by_period]
        if figures:
            table.add_row("", Text(data.ctx.period.label, style="bold"))
            for m in figures:
                value = Text(f"出错：{m.error}", style="red") if m.error else Text(m.text(m.value(grid.code)))
                table.add_row(m.label, value)
        if data.not_drawn:
            table.add_row("", "")
            table.add_row("未绘制", Text("、".join(g.name for g in data.not_drawn)))
        return table

    # -- actions ---------------------------------------------------------------------------------
    def action_move(self, direction: str) -> None:
        if not self._drawn:
            return
        here = self._index_of(self.cursor_code)
        if here is None:
            there: int | None = 0
        else:
            there = geometry.neighbour(self._centres, here, direction, self._adjacent)
        if there is None:
            self.app.bell()
            return
        self.cursor_code = self._drawn[there].code
        self._redraw()

    def on_grid_map_clicked(self, message: GridMap.Clicked) -> None:
        if 0 <= message.index < len(self._drawn):
            self.cursor_code = self._drawn[message.index].code
            self._redraw()

    def action_choose(self) -> None:
        grid = self.cursor
        if grid is not None:
            self.select_shell_grid(Grid(grid.code, grid.name, grid.village))

    def action_whole_town(self) -> None:
        self.select_shell_grid(None)

    def select_shell_grid(self, grid: Grid | None) -> None:
        """Make ``grid`` (None: the whole town) the grid every panel shows."""
        self.select_grid(grid)

    def action_next_metric(self) -> None:
        if self.data is None or not self.data.metrics:
            return
        names = [m.name for m in self.data.metrics]
        i = names.index(self.metric_name) if self.metric_name in names else -1
        self.metric_name = names[(i + 1) % len(names)]
        self._redraw()

    def action_toggle_details(self) -> None:
        self.toggle_class("-details")
        self._redraw()  # the legend's hint about the key goes or comes back

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # ``v`` shows the details only where they are hidden: beside a wide map they always show.
        if action == "toggle_details":
            return self.has_class("-narrow")
        return super().check_action(action, parameters)

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < WIDE
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            self.refresh_bindings()
            self._redraw()


def _people(people: Sequence) -> Text:
    if not people:
        return Text("未设", style="dim")
    text = Text()
    for i, p in enumerate(people):
        if i:
            text.append("\n")
        text.append(p.name)
        if p.phone:
            text.append(f" {p.phone}", style="dim")
    return text
