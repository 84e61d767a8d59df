"""What 每日待办 looks like over the demo store (hotline, today 2026-11-26), opened by
``[ui] start_panel = "review"``: the queue at 80x24, and at 120x40 with the cursor on an overdue
ticket and its detail below (`pytest --snapshot-update` rewrites them after a change has been looked at)."""

from __future__ import annotations

import datetime as dt

from fazhi_tui.config import Config
from fazhi_tui.demo import build_demo
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store
from fazhi_tui.testing import settle

from ..shell_fixtures import USER


def review_app(tmp_path):
    from fazhi_tui.ui.app import FazhiApp

    config = Config(start_panel="review")
    host = PluginHost.load(only=["fazhi_hotline", "fazhi_review"])
    specs = table_specs(host, config)
    build_demo(tmp_path / "store", host, specs, dt.date(2026, 11, 26))
    return FazhiApp(config, host, Store.open(tmp_path / "store", specs, user=USER))


def test_review_80x24(snap_compare, tmp_path):
    assert snap_compare(review_app(tmp_path), terminal_size=(80, 24), run_before=settle)


def test_review_120x40(snap_compare, tmp_path):
    async def second_item(pilot):
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)

    assert snap_compare(review_app(tmp_path), terminal_size=(120, 40), run_before=second_item)
