"""The grid map on screen: arrows, Enter and Esc setting the shell's grid, the metric key, the
details at 80x24, resizing from the raster cache, and SVG snapshots at 80x24 and 120x40.

The store is the demo's grids and people (``build_demo`` with only the map plugin), opened as a
viewer so phones show masked; "today" is fixed by conftest (2026-11-26)."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from textual.widgets import ContentSwitcher, Static

from fazhi_grid import geometry
from fazhi_grid.panel import GridMap, GridMapPanel, Legend
from fazhi_tui.access import VIEWER, Access
from fazhi_tui.config import Config
from fazhi_tui.context import Grid
from fazhi_tui.demo import build_demo
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store
from fazhi_tui.testing import settle, text_of
from fazhi_tui.ui.app import FazhiApp

USER = "查看员"


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    host = PluginHost.load(only=["fazhi_grid"])
    path = tmp_path_factory.mktemp("grid-map") / "store"
    build_demo(path, host, table_specs(host, Config()), dt.date(2026, 11, 26))
    return path


def make_app(path, only=("fazhi_grid",), plugin_dirs=()):
    host = PluginHost.load(only=list(only), plugin_dirs=list(plugin_dirs))
    store = Store.open(path, table_specs(host, Config()), user=USER, access=Access(USER, VIEWER))
    return FazhiApp(Config(), host, store)


def the_map(app) -> GridMapPanel:
    slot = app.query_one(f"#{app.query_one(ContentSwitcher).current}")
    assert isinstance(slot.panel, GridMapPanel)
    return slot.panel


def code_of(panel, name):
    return next(g.code for g in panel.data.grids if g.name == name)


async def test_arrows_move_to_the_neighbour_and_enter_esc_set_the_shells_grid(demo_path):
    app = make_app(demo_path, only=("fazhi_grid", "fazhi_overview"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = the_map(app)
        assert app.focused is panel.query_one(GridMap)
        assert panel.cursor.name == "镇区网格" and app.grid is None  # the town seat first
        drawn = list(panel.data.drawn)
        centres = geometry.centres([g.shape for g in drawn])
        for direction, key in (("down", "down"), ("right", "right"), ("up", "up"), ("left", "left")):
            here = drawn.index(panel.cursor)
            want = geometry.neighbour(centres, here, direction, panel._adjacent)
            await pilot.press(key)
            assert panel.cursor is drawn[want], direction
        await pilot.press("down", "right")  # back to 镇区, then east of it
        chosen = panel.cursor
        assert chosen.name != "镇区网格"
        assert chosen.name in text_of(panel.query_one("#grid-title", Static))
        assert chosen.code in text_of(panel.query_one("#grid-details", Static))
        await pilot.press("enter")
        await settle(pilot)
        assert app.grid == Grid(chosen.code, chosen.name, chosen.village)
        assert app.grid in app.grids  # the same Grid the shell's picker offers
        assert panel.context.grid == app.grid and panel.cursor is not None and panel.cursor.code == chosen.code
        # Another panel now shows that grid.
        await pilot.press("2")
        await settle(pilot)
        overview = app.query_one(f"#{app.query_one(ContentSwitcher).current}").panel
        assert overview.context.grid == app.grid
        assert chosen.name in text_of(overview.query_one("#overview-summary", Static))
        # Back on the map, Esc returns to the whole town, for every panel.
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.grid is None and panel.context.grid is None
        assert panel.cursor.code == chosen.code  # the cursor stays where it was
        await pilot.press("2")
        await settle(pilot)
        assert overview.context.grid is None
        assert "全镇" in text_of(overview.query_one("#overview-summary", Static))


async def test_a_grid_picked_in_the_shell_is_outlined_on_the_map(demo_path):
    app = make_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("g", *"周营", "enter")
        await settle(pilot)
        panel = the_map(app)
        assert panel.cursor.name == "周营村网格"
        grid_map = panel.query_one(GridMap)
        assert grid_map.cursor == list(panel.data.drawn).index(panel.cursor)
        grid_map.focus()  # see test_the_map_keeps_the_focus_when_the_grid_changes
        await pilot.pause()
        # The cursor moves off it: the shell's grid keeps its own outline, the legend says so.
        await pilot.press("right")
        assert grid_map.selected == [g.code for g in panel.data.drawn].index(code_of(panel, "周营村网格"))
        assert "当前网格" in text_of(panel.query_one(Legend))


async def test_the_map_keeps_the_focus_when_the_grid_changes(demo_path):
    app = make_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        grid_map = the_map(app).query_one(GridMap)
        for keys in (("down", "enter"), ("escape",), ("g", *"周营", "enter"), ("right", "enter")):
            await pilot.press(*keys)
            await settle(pilot)
            assert app.focused is grid_map, (keys, app.focused)  # so the arrows still work


async def test_the_metric_key_cycles_figures_per_thousand_and_households(demo_path, tmp_path):
    # A plugin that hands the map a figure (until the host passes every plugin's GridFigure in
    # the context, the panel takes them as an argument).
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "visits_map.py").write_text(
        textwrap.dedent(
            """
        from fazhi_tui.api import GridFigure, PanelSpec, hookimpl

        def visits(ctx):
            codes = ctx.query("SELECT code FROM grids ORDER BY code").column(0).to_pylist()
            return {code: (i * 5) % 11 for i, code in enumerate(codes)}

        @hookimpl
        def fazhi_panels():
            from fazhi_grid.panel import GridMapPanel
            figure = GridFigure("visits", "走访", visits, unit="次", per_1000=True)
            return [PanelSpec("visits_map", "走访地图", lambda: GridMapPanel(figures=[figure]), order=1)]
        """
        ),
        "utf-8",
    )
    app = make_app(demo_path, only=("visits_map",), plugin_dirs=[folder])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = the_map(app)
        title = panel.query_one("#grid-title", Static)
        seen = [panel.metric.name]
        assert "走访" in text_of(title) and "2026年" in text_of(title)
        for _ in range(4):
            await pilot.press("m")
            seen.append(panel.metric.name)
        assert seen == ["visits", "visits_per_1000", "households", "population", "visits"]
        # The legend gives each bin's range with its pattern; the details give the figures.
        assert "0" in text_of(panel.query_one(Legend))
        assert "走访（每千人）" in text_of(panel.query_one("#grid-details", Static))
        # The metric is kept when the period changes.
        await pilot.press("m", "left_square_bracket")
        await settle(pilot)
        assert panel.metric.name == "visits_per_1000" and "2025年" in text_of(title)


async def test_80x24_details_behind_a_key_and_resizing_redraws_from_the_cache(demo_path):
    app = make_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        panel = the_map(app)
        side = panel.query_one("#grid-side")
        assert panel.has_class("-narrow") and not side.display
        await pilot.press("v")
        await pilot.pause()
        assert side.display and side.region.width > 0
        assert app.focused is panel.query_one(GridMap)  # arrows still move the cursor
        await pilot.press("v")
        await pilot.pause()
        assert not side.display
        grid_map = panel.query_one(GridMap)
        small = grid_map.size
        layout = grid_map.layout_for(*small)
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert not panel.has_class("-narrow") and side.display
        big = grid_map.size
        assert big.width > small.width and (big.width, big.height) in grid_map._layouts
        assert "网格编码" in text_of(panel.query_one("#grid-details", Static))
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert grid_map.layout_for(*small) is layout  # back to a size seen before: from the cache


async def test_every_cell_of_the_map_is_drawn_with_half_blocks_labels_and_patterns(demo_path):
    app = make_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = the_map(app)
        text = text_of(panel.query_one(GridMap))
        assert "▀" in text or "▄" in text
        labels = [
            lb.text
            for row in panel.query_one(GridMap).layout_for(*panel.query_one(GridMap).size).labels.values()
            for lb in row.values()
        ]
        assert "镇区" in labels and "周营村" in text
        # Every bin's pattern shows on the map, so 16 colours (or none) still tell bins apart.
        legend = text_of(panel.query_one(Legend))
        for glyph in ("·", ":", "+", "x"):
            assert glyph in text and glyph in legend


# -- snapshots ------------------------------------------------------------------------------------
def test_map_80x24(snap_compare, demo_path):
    assert snap_compare(make_app(demo_path), terminal_size=(80, 24), run_before=settle)


def test_map_120x40_with_a_grid_chosen(snap_compare, demo_path):
    async def choose(pilot):
        await settle(pilot)
        await pilot.press("down", "right", "enter")
        await settle(pilot)

    assert snap_compare(make_app(demo_path), terminal_size=(120, 40), run_before=choose)


async def test_e_exports_the_grids_with_their_metrics(demo_path, tmp_path, monkeypatch):
    openpyxl = pytest.importorskip("openpyxl")
    monkeypatch.chdir(tmp_path)
    app = make_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("enter")  # the file name offered, in the current folder
        await settle(pilot)
    out = next(tmp_path.glob("网格指标-2026年*.xlsx"))
    rows = list(openpyxl.load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "网格编码", "名称") and "户数（户）" in rows[0]
    assert len(rows) == 1 + 23 and rows[1][2] == "镇区网格"
    assert not any("****" in str(v) for r in rows for v in r)  # no phones at all


async def test_no_grids_or_no_boundaries_is_said_not_drawn(tmp_path):
    host = PluginHost.load(only=["fazhi_grid"])
    store = Store.open(tmp_path / "s", table_specs(host, Config()), create=True, user=USER)
    app = FazhiApp(Config(), host, store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        panel = the_map(app)
        assert "没有网格" in text_of(panel.query_one("#grid-title", Static))
        await pilot.press("down", "enter", "m", "v")  # nothing to move to, choose or cycle
        await settle(pilot)
        assert app.grid is None and not panel.has_class("-failed")
        store.append("grids", [{"code": "41042110829901", "name": "新设网格", "kind": "综合", "village": "赵庄村"}])
        await pilot.press("r")
        await settle(pilot)
        assert "未绘制（无边界）：新设网格" in text_of(panel.query_one(Legend))
        await pilot.press("enter")  # the grid is listed, and can still be chosen
        await settle(pilot)
        assert app.grid is not None and app.grid.name == "新设网格"


async def test_80x24_the_numbers_on_the_map_have_a_key(demo_path):
    """Issue 20: at 80x24 grids are labelled by number; the legend says so and ``v`` shows the key."""
    app = make_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        panel = the_map(app)
        assert "图中数字为网格编号，按 v 查看编号对照" in text_of(panel.query_one(Legend))
        await pilot.press("v")
        await pilot.pause()
        details = text_of(panel.query_one("#grid-details", Static))
        assert details.startswith("图中编号")
        for grid in panel._drawn:
            assert f"{grid.number} {grid.short_name}" in " ".join(details.split()), grid.name
        assert "图中数字为网格编号" not in text_of(panel.query_one(Legend))  # the key is on screen now
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        wide = text_of(panel.query_one("#grid-details", Static))
        assert (
            "网格编码" in wide and "图中编号" in wide and "图中数字为网格编号" not in text_of(panel.query_one(Legend))
        )


async def test_an_empty_map_names_the_dashboards_import_key(tmp_path):
    host = PluginHost.load(only=["fazhi_grid"])
    store = Store.open(tmp_path / "s", table_specs(host, Config()), create=True, user=USER)
    app = FazhiApp(Config(keys={"data.import": "ctrl+o"}), host, store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        title = "".join(line.strip() for line in text_of(the_map(app).query_one("#grid-title", Static)).splitlines())
        assert "按 ctrl+o 导入网格" in title and "fazhi-tuiimport grids" in title.replace(" import", "import")
