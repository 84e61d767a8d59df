"""Focus after a tab change (issue 20), one rule for every built-in panel with tabs (the Panel
base): after ``t`` / ``T`` the arrows and Enter act on the new tab's list at once — also when
that list is fetched only for the new tab — and opening a panel focuses its shown tab's list."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, TabbedContent, Tabs

from fazhi_tui.testing import make_env, open_panel, run_app, settle
from fazhi_tui.ui.widgets.paged_table import PagedTable

PLUGINS = ["fazhi_hotline", "fazhi_enforcement", "fazhi_ledger", "fazhi_training"]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    env = make_env(tmp_path_factory.mktemp("tab-focus") / "store", PLUGINS)
    yield env
    env.close()


def first_focusable(app, tabbed: TabbedContent):
    """What the focus should be on: the shown tab's first focusable widget, else the tab bar."""
    pane = tabbed.active_pane
    inside = [w for w in app.screen.focus_chain if pane is not None and pane in w.ancestors]
    return inside[0] if inside else tabbed.query_one(Tabs)


async def press(pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)
    await pilot.pause()


# (panel, the tab whose list is tried, that list, what Enter does)
LISTS = [
    ("hotline", "tab-open", "#open-list", "tab-detail"),
    # 整治行动's list is fetched only when its tab is shown: empty when `t` lands on it.
    ("enforcement", "tab-actions", "#actions-list", "tab-detail"),
    ("ledger", "tab-rectify", "#rectify", "tab-detail"),
    ("training", "tab-sessions", "#sessions", "roster"),
]


@pytest.mark.parametrize(("name", "tab", "selector", "enter"), LISTS, ids=[n for n, *_ in LISTS])
async def test_t_puts_the_arrows_and_enter_on_the_new_tabs_list(env, name, tab, selector, enter):
    async with run_app(env, size=(80, 24), period=2023) as pilot:
        panel = await open_panel(pilot, name)
        await pilot.pause()
        app = pilot.app
        tabbed = panel.query_one(TabbedContent)
        assert app.focused is first_focusable(app, tabbed), (tabbed.active, app.focused)
        for _ in range(tabbed.tab_count):
            if tabbed.active == tab:
                break
            await press(pilot, "t")
            assert app.focused is first_focusable(app, tabbed), (tabbed.active, app.focused)
        assert tabbed.active == tab
        listing = panel.query_one(selector)
        paged = isinstance(listing, PagedTable)
        table = listing.table if paged else listing
        assert app.focused is table
        assert (listing.loaded if paged else table.row_count) >= 2
        await press(pilot, "down")
        assert listing.cursor_row == 1
        if enter == "roster":
            assert isinstance(table, DataTable)
            chosen = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
            await press(pilot, "enter")
            assert type(app.screen).__name__ == "RosterScreen" and app.screen.training_id == chosen
        else:
            await press(pilot, "enter")
            assert tabbed.active == enter
            assert app.focused is not None and tabbed.active_pane in app.focused.ancestors


@pytest.mark.parametrize("name", [n for n, *_ in LISTS])
async def test_t_and_T_go_round_every_tab_with_the_focus_on_its_list(env, name):
    async with run_app(env, size=(120, 40), period=2023) as pilot:
        panel = await open_panel(pilot, name)
        app = pilot.app
        tabbed = panel.query_one(TabbedContent)
        first = tabbed.active
        seen = []
        for _ in range(tabbed.tab_count):
            await press(pilot, "t")
            seen.append(tabbed.active)
            assert app.focused is first_focusable(app, tabbed), (tabbed.active, app.focused)
        assert seen[-1] == first and len(set(seen)) == tabbed.tab_count  # round once, back to the start
        await press(pilot, "T")
        assert tabbed.active == seen[-2] and app.focused is first_focusable(app, tabbed)
        # A click on a tab (the focus on the tab bar) lands on the list the same way.
        tabbed.query_one(Tabs).focus()
        tabbed.active = first
        await settle(pilot)
        await pilot.pause()
        assert app.focused is first_focusable(app, tabbed)
