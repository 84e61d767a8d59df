"""What the 学法台账 panel looks like over the demo store (today 2026-11-26): the overview at
80x24, the person-hours at 120x40, the session list at both sizes and a session's roster at
80x24 (`pytest --snapshot-update` rewrites them after a change has been looked at)."""

from __future__ import annotations

import datetime as dt

from fazhi_tui.config import Config
from fazhi_tui.demo import build_demo
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store

from ..shell_fixtures import USER, settle


def training_app(tmp_path):
    from fazhi_tui.ui.app import FazhiApp

    config = Config()
    host = PluginHost.load(only=["fazhi_training"])
    specs = table_specs(host, config)
    build_demo(tmp_path / "store", host, specs, dt.date(2026, 11, 26))
    return FazhiApp(config, host, Store.open(tmp_path / "store", specs, user=USER))


async def settled(pilot):
    await settle(pilot)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def test_training_overview_80x24(snap_compare, tmp_path):
    async def run(pilot):
        await settle(pilot)
        await pilot.press("x")
        await settled(pilot)

    assert snap_compare(training_app(tmp_path), terminal_size=(80, 24), run_before=run)


def test_training_people_120x40(snap_compare, tmp_path):
    async def run(pilot):
        await settle(pilot)
        await pilot.press("x", "t", "t")
        await settled(pilot)

    assert snap_compare(training_app(tmp_path), terminal_size=(120, 40), run_before=run)


def test_training_roster_80x24(snap_compare, tmp_path):
    async def run(pilot):
        await settle(pilot)
        await pilot.press("x", "t")
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
        await pilot.press("王", "l")
        await settled(pilot)

    assert snap_compare(training_app(tmp_path), terminal_size=(80, 24), run_before=run)


def test_training_sessions_120x40(snap_compare, tmp_path):
    async def run(pilot):
        await settle(pilot)
        await pilot.press("x", "t")
        await settled(pilot)

    assert snap_compare(training_app(tmp_path), terminal_size=(120, 40), run_before=run)


def test_training_sessions_80x24(snap_compare, tmp_path):
    """At 80 columns: 网格, 学时 and 编号 left out whole, 主题 readable (issue 17)."""

    async def run(pilot):
        await settle(pilot)
        await pilot.press("x", "t")
        await settled(pilot)

    assert snap_compare(training_app(tmp_path), terminal_size=(80, 24), run_before=run)
