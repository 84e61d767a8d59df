"""What the 12345热线 panel looks like over the demo store (today 2026-11-26): the overview at
80x24 and the open-ticket list at 120x40 (`pytest --snapshot-update` rewrites them after a
change has been looked at)."""

from __future__ import annotations

import datetime as dt

from fazhi_tui.config import Config
from fazhi_tui.demo import build_demo
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store
from fazhi_tui.testing import settle

from ..shell_fixtures import USER


def hotline_app(tmp_path):
    from fazhi_tui.ui.app import FazhiApp

    config = Config()
    host = PluginHost.load(only=["fazhi_hotline"])
    specs = table_specs(host, config)
    build_demo(tmp_path / "store", host, specs, dt.date(2026, 11, 26))
    return FazhiApp(config, host, Store.open(tmp_path / "store", specs, user=USER))


async def settled(pilot):
    """Workers done, and the tab underline moved under the active tab (it is placed after a
    refresh, so a loaded machine could otherwise catch it before it moves)."""
    await settle(pilot)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def test_hotline_overview_80x24(snap_compare, tmp_path):
    assert snap_compare(hotline_app(tmp_path), terminal_size=(80, 24), run_before=settled)


def test_hotline_open_list_120x40(snap_compare, tmp_path):
    async def open_list(pilot):
        await settle(pilot)
        await pilot.press("t", "t", "t")
        await settled(pilot)

    assert snap_compare(hotline_app(tmp_path), terminal_size=(120, 40), run_before=open_list)
