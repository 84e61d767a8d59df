"""What the 执法台账 panel looks like over the demo store (today 2026-11-26): the overview (三项制度
and figures) at 80x24 and the to-do cases, marked in words and colour, at 120x40
(`pytest --snapshot-update` rewrites them after a change has been looked at)."""

from __future__ import annotations

import datetime as dt

import pytest

from fazhi_tui.config import Config
from fazhi_tui.demo import build_demo
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store
from fazhi_tui.testing import settle

from ..shell_fixtures import USER

pytest.importorskip("fazhi_enforcement")


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory):
    host = PluginHost.load(only=["fazhi_enforcement"])
    root = tmp_path_factory.mktemp("enforcement-demo") / "store"
    build_demo(root, host, table_specs(host, Config()), dt.date(2026, 11, 26))
    return root


def enforcement_app(root):
    from fazhi_tui.ui.app import FazhiApp

    config = Config()
    host = PluginHost.load(only=["fazhi_enforcement"])
    return FazhiApp(config, host, Store.open(root, table_specs(host, config), user=USER))


async def opened(pilot, *keys: str) -> None:
    await settle(pilot)
    await pilot.press("f", *keys)
    await settle(pilot)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def test_enforcement_overview_80x24(snap_compare, demo_root):
    assert snap_compare(enforcement_app(demo_root), terminal_size=(80, 24), run_before=opened)


def test_enforcement_todo_cases_120x40(snap_compare, demo_root):
    async def todo(pilot):
        await opened(pilot, "m")

    assert snap_compare(enforcement_app(demo_root), terminal_size=(120, 40), run_before=todo)
