"""The footer: what fits stays whole, the rest is left to ``?`` and the palette; ``v 详情`` on the
map only where the details are hidden (issue 20)."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets._footer import FooterKey

from fazhi_tui.access import VIEWER, Access
from fazhi_tui.config import Config
from fazhi_tui.demo import build_demo
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store
from fazhi_tui.testing import settle
from fazhi_tui.ui.app import FazhiApp
from fazhi_tui.ui.widgets.shell_footer import ShellFooter


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


def footer_keys(app) -> list[FooterKey]:
    return list(app.screen.query_one(ShellFooter).query(FooterKey))


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (50, 20)])
async def test_every_key_in_the_footer_is_whole_and_help_always_stays(grid_store, size):
    app = make_app(grid_store)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.pause()
        keys = footer_keys(app)
        width = size[0]
        assert keys, "the footer shows keys"
        for key in keys:
            region = key.region
            assert region.width > 0 and region.right <= width, f"{key.key_display} {key.description} is cut"
            rendered = str(key.render())
            assert key.description in rendered and key.key_display in rendered
        # Nothing overlaps: the keys left of the palette's end before it starts.
        lefts = sorted((k.region for k in keys), key=lambda r: r.x)
        for a, b in zip(lefts, lefts[1:], strict=False):
            assert a.right <= b.x
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
