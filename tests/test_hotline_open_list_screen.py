"""The open-ticket list as a clerk sees it (issue 20): overdue and due-soon rows in colour and
named in words, 网格 and 主要内容 on screen at 120 columns, and at 80 columns whole columns
left out by importance instead of the table running past the edge."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from rich.cells import cell_len
from textual.widgets import TabbedContent

from fazhi_hotline.widgets.open_tab import ON_SCREEN
from fazhi_tui.config import Config
from fazhi_tui.demo import build_demo
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store
from fazhi_tui.testing import settle
from fazhi_tui.ui.app import FazhiApp
from fazhi_tui.ui.widgets.paged_table import PagedTable


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    host = PluginHost.load(only=["fazhi_hotline"])
    root = tmp_path_factory.mktemp("open-list") / "store"
    build_demo(root, host, table_specs(host, Config()), dt.date(2026, 11, 26))
    return root


async def open_list(pilot) -> PagedTable:
    await settle(pilot)
    panel = pilot.app.query_one("HotlinePanel")
    panel.query_one(TabbedContent).active = "tab-open"
    await settle(pilot)
    await pilot.pause()
    return panel.query_one("#open-list", PagedTable)


def make_app(demo_store, tmp_path) -> FazhiApp:
    shutil.copytree(demo_store, tmp_path / "store")
    host = PluginHost.load(only=["fazhi_hotline"])
    return FazhiApp(Config(), host, Store.open(tmp_path / "store", table_specs(host, Config()), user="测试员"))


def row_text(listing: PagedTable, index: int) -> str:
    strip = listing.table.render_line(index + 1)  # below the header
    return "".join(segment.text for segment in strip)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_columns_fit_and_late_rows_are_marked_in_words_and_colour(demo_store, tmp_path, size):
    app = make_app(demo_store, tmp_path)
    async with app.run_test(size=size) as pilot:
        listing = await open_list(pilot)
        table = listing.table
        assert table is not None
        shown = listing.shown_columns
        # Whole columns, the most important ones, and no wider than the table.
        assert shown[:4] == ["flag", "deadline", "ticket_no", "grid_name"]
        assert shown == [c for c in ON_SCREEN if c in shown]  # in the order of importance
        assert sum(c.render_width for c in table.ordered_columns) <= table.size.width
        if size == (120, 40):
            assert {"grid_name", "content"} <= set(shown)
        else:
            assert len(shown) < len(ON_SCREEN)
        flags = listing.rows.column("flag").to_pylist()
        overdue, soon = flags.index("超期"), flags.index("即将到期")
        plain = flags.index(None)
        for index, word in ((overdue, "超期"), (soon, "即将到期")):
            assert row_text(listing, index).lstrip().startswith(word)  # the word, not colour alone
        styles = table.row_styles
        assert styles[overdue] is not None and styles[overdue].color.name == "red"
        assert styles[soon] is not None and styles[soon].color.name == "yellow"
        assert styles[plain] is None
        # Enter still opens the highlighted ticket, whatever columns are on screen.
        assert listing.highlighted_record()["ticket_no"] == listing.rows.column("ticket_no")[0].as_py()


async def test_resizing_brings_the_left_out_columns_back(demo_store, tmp_path):
    app = make_app(demo_store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        listing = await open_list(pilot)
        narrow = list(listing.shown_columns)
        await pilot.resize_terminal(160, 40)
        await settle(pilot)
        await pilot.pause()
        await pilot.pause()
        assert len(listing.shown_columns) > len(narrow) and "content" in listing.shown_columns
        labels = [str(c.label) for c in listing.table.ordered_columns]
        assert "主要内容" in labels and all(cell_len(label) > 0 for label in labels)


async def test_t_puts_the_arrows_and_enter_on_the_new_tabs_list(demo_store, tmp_path):
    """Issue 20: after ``t`` changed the tab, the arrows moved the old tab's (hidden) list."""
    app = make_app(demo_store, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = app.query_one("HotlinePanel")
        tabs = panel.query_one(TabbedContent)
        while tabs.active != "tab-open":
            await pilot.press("t")
            await settle(pilot)
        await pilot.pause()
        listing = panel.query_one("#open-list", PagedTable)
        assert app.focused is listing.table
        await pilot.press("down")
        assert listing.cursor_row == 1
        second = listing.rows.column("ticket_no")[1].as_py()
        await pilot.press("enter")
        await settle(pilot)
        assert tabs.active == "tab-detail" and panel.detail.record["ticket_no"] == second
