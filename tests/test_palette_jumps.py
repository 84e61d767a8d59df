"""The command palette goes where the text says (issue 20): a year or quarter typed as staff
write it, a ticket by its number, and the report and review panels by name."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from textual.command import CommandList

from fazhi_tui.config import Config
from fazhi_tui.demo import build_demo
from fazhi_tui.period import Period, parse_period
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store
from fazhi_tui.testing import settle
from fazhi_tui.ui.app import FazhiApp

PLUGINS = ["fazhi_hotline", "fazhi_report", "fazhi_review"]


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    host = PluginHost.load(only=PLUGINS)
    root = tmp_path_factory.mktemp("palette") / "store"
    build_demo(root, host, table_specs(host, Config()), dt.date(2026, 11, 26))
    return root


def make_app(demo_store, tmp_path) -> FazhiApp:
    shutil.copytree(demo_store, tmp_path / "store")
    host = PluginHost.load(only=PLUGINS)
    return FazhiApp(Config(), host, Store.open(tmp_path / "store", table_specs(host, Config()), user="测试员"))


async def choose(pilot, text: str, expected: str) -> None:
    """Type ``text`` in the palette and choose the first hit, which must read ``expected``."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    pilot.app.screen.query_one("#--input Input").value = text
    command_list = pilot.app.screen.query_one(CommandList)
    for _ in range(500):
        await pilot.pause()
        if command_list.option_count and expected in str(command_list.get_option_at_index(0).prompt):
            break
    assert expected in str(command_list.get_option_at_index(0).prompt)
    await pilot.press("enter")
    await settle(pilot)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2023", Period.year(2023)),
        ("2025年第三季度", Period.quarter(2025, 3)),
        ("2025Q1", Period.quarter(2025, 1)),
        ("2024年11月", Period.month(2024, 11)),
    ],
)
async def test_a_typed_period_is_gone_to(demo_store, tmp_path, text, period):
    app = make_app(demo_store, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await choose(pilot, text, f"期间：转到{period.label}")
        assert app.period == period


async def test_a_ticket_number_opens_the_ticket(demo_store, tmp_path):
    app = make_app(demo_store, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await choose(pilot, "gd20261118001", "打开：12345热线工单 GD20261118001")
        await settle(pilot)
        panel = app.query_one("HotlinePanel")
        assert panel.active_tab == "tab-detail" and panel.detail.record["ticket_no"] == "GD20261118001"


@pytest.mark.parametrize(("text", "title"), [("报告", "报告预览"), ("待办", "每日待办")])
async def test_the_report_and_the_review_are_reached(demo_store, tmp_path, text, title):
    app = make_app(demo_store, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await choose(pilot, text, f"面板：{title}")
        assert app.panels[app.current_panel].value.title == title


def test_what_is_not_a_period():
    for text in ("乱摆乱卖", "GD2026", "2025-13", "20251", "第三季度"):
        assert parse_period(text) is None
