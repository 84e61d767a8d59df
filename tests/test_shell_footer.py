"""The footer: what fits stays whole, the rest is left to ``?`` and the palette; ``v 详情`` on the
map only where the details are hidden (issue 20)."""

from __future__ import annotations

import datetime as dt

import pytest
from rich.cells import cell_len, set_cell_size

from fazhi_tui.access import VIEWER, Access
from fazhi_tui.config import Config
from fazhi_tui.demo import build_demo
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store
from fazhi_tui.testing import settle
from fazhi_tui.ui.app import FazhiApp
from fazhi_tui.ui.widgets.shell_footer import FooterItem, ShellFooter


@pytest.fixture(scope="module")
def grid_store(tmp_path_factory):
    host = PluginHost.load(only=["fazhi_grid"])
    path = tmp_path_factory.mktemp("footer") / "store"
    build_demo(path, host, table_specs(host, Config()), dt.date(2026, 11, 26))
    return path


def make_app(path) -> FazhiApp:
    host = PluginHost.load(only=["fazhi_grid", "fazhi_overview"])
    store = Store.open(path, table_specs(host, Config()), user="查看员", access=Access("查看员", VIEWER))
    return FazhiApp(Config(), host, store)


def footer_keys(app) -> list[FooterItem]:
    return app.screen.query_one(ShellFooter).items()


def footer_line(app) -> str:
    """The footer's line as the terminal shows it."""
    footer = app.screen.query_one(ShellFooter)
    return "".join(seg.text for seg in footer.render_line(0))


def set_cells(line: str, start: int, end: int) -> str:
    """Cells ``start``..``end`` of ``line`` (CJK characters take two)."""
    return set_cell_size(chop_cells(line, start), end - start)


def chop_cells(line: str, start: int) -> str:
    """``line`` without its first ``start`` cells."""
    taken = 0
    for i, ch in enumerate(line):
        if taken >= start:
            return line[i:]
        taken += cell_len(ch)
    return ""


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (50, 20)])
async def test_every_key_in_the_footer_is_whole_and_help_always_stays(grid_store, size):
    app = make_app(grid_store)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.pause()
        keys = footer_keys(app)
        width = size[0]
        line = footer_line(app)
        assert keys, "the footer shows keys"
        assert cell_len(line) == width
        for key in keys:
            assert 0 <= key.start < key.end <= width, f"{key.key_display} {key.description} is cut"
            # What the terminal shows in the key's cells is the whole key and its description.
            assert set_cells(line, key.start, key.end).strip() == f"{key.key_display} {key.description}"
        # Nothing overlaps: each key ends before the next starts.
        spans = sorted((k.start, k.end) for k in keys)
        for a, b in zip(spans, spans[1:], strict=False):
            assert a[1] <= b[0]
        descriptions = [k.description for k in keys]
        assert "帮助" in descriptions and "命令" in descriptions


async def test_details_key_only_where_the_details_are_hidden(grid_store):
    app = make_app(grid_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.pause()
        narrow = [k.description for k in footer_keys(app)]
        assert "详情" in narrow
        assert "设为当前网格" in narrow  # the panel's own keys come before the shell's
        await pilot.resize_terminal(140, 40)
        await settle(pilot)
        await pilot.pause()
        await pilot.pause()
        wide = [k.description for k in footer_keys(app)]
        assert "详情" not in wide
        assert "上一期" in wide and "设为当前网格" in wide  # room for the shell's keys too


async def test_a_click_on_a_key_runs_it(grid_store):
    app = make_app(grid_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.pause()
        keys = footer_keys(app)
        help_key = next(k for k in keys if k.action in ("help", "app.help"))
        assert type(app.screen).__name__ != "HelpScreen"
        await pilot.click(ShellFooter, offset=(help_key.start + 1, 0))
        await settle(pilot)
        assert type(app.screen).__name__ == "HelpScreen"
