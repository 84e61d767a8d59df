"""Enter on a daily-review item opens its record in the panel that owns the item's table: an
enforcement case in 执法台账's 详情 (with its history), a training session as its roster in
学法台账, a work item in 工作台账's 详情; an action and a person through the same shell call, and
an item without a record opens its table's list. The demo store (fixed today 2026-11-26) of the
three ledgers is built once and copied for each test."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from textual.widgets import DataTable, TabbedContent

from fazhi_tui.config import Config
from fazhi_tui.demo import build_demo
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store
from fazhi_tui.testing import settle, text_of
from fazhi_tui.ui.app import FazhiApp

TODAY = dt.date(2026, 11, 26)
PLUGINS = ["fazhi_enforcement", "fazhi_training", "fazhi_ledger", "fazhi_review"]


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Path:
    host = PluginHost.load(only=PLUGINS)
    root = tmp_path_factory.mktemp("review-open") / "store"
    build_demo(root, host, table_specs(host, Config()), TODAY)
    return root


@pytest.fixture
def app(demo_store, tmp_path, monkeypatch) -> FazhiApp:
    monkeypatch.setenv("FAZHI_TODAY", TODAY.isoformat())
    root = tmp_path / "store"
    shutil.copytree(demo_store, root)
    config = Config(start_panel="review")
    host = PluginHost.load(only=PLUGINS)
    return FazhiApp(config, host, Store.open(root, table_specs(host, config), user="li"))


def listing(app):
    return app.query_one("ReviewList")


async def enter_on(pilot, table: str, *, with_record: bool = True):
    """Move down the review with j to the first item of ``table`` (with a record or without one),
    press Enter and wait for the panel it opens; the item."""
    await settle(pilot)
    review = listing(pilot.app)
    for _ in range(len(review.entries) + 1):
        entry = review.highlighted_entry()
        if entry is not None and entry.item.table == table and bool(entry.item.record_id) == with_record:
            break
        await pilot.press("j")
    else:
        raise AssertionError(f"no review item of {table}")
    await pilot.press("enter")
    await settle(pilot)
    return entry


def shown_detail(panel) -> str:
    return text_of(panel.query_one("#detail"))


async def test_enter_opens_an_enforcement_case_with_its_history(app):
    async with app.run_test(size=(120, 40)) as pilot:
        entry = await enter_on(pilot, "enforcement_cases")
        panel = app.visible_panel()
        assert panel.panel_name == "enforcement"
        assert panel.query_one("#enforcement-tabs", TabbedContent).active == "tab-detail"
        text = shown_detail(panel)
        assert f"执法案件 {entry.item.record_id}" in text and "修改记录" in text and "第1版" in text
        # An action opens the same way (the shell's call the review's Enter makes).
        action = app.store.query("SELECT min(action_no) FROM enforcement_actions").column(0)[0].as_py()
        assert await app.open_record("enforcement_actions", action)
        await settle(pilot)
        assert f"整治行动 {action}" in shown_detail(panel)


def test_a_record_opened_for_a_viewer_has_its_personal_information_masked(demo_store, tmp_path):
    from fazhi_tui.access import VIEWER, Access, Policy
    from fazhi_tui.api import record_detail
    from fazhi_tui.context import Context
    from fazhi_tui.period import Period

    root = tmp_path / "store"
    shutil.copytree(demo_store, root)
    host = PluginHost.load(only=PLUGINS)
    specs = table_specs(host, Config())
    owner = Store.open(root, specs, user="li")
    case = owner.query(
        "SELECT case_no, party, party_phone FROM enforcement_cases WHERE party_phone IS NOT NULL ORDER BY case_no LIMIT 1"
    ).to_pylist()[0]
    seen = record_detail(
        Context(store=owner, period=Period.year(2026), today=TODAY), "enforcement_cases", case["case_no"]
    )
    assert dict(seen.fields)["当事人电话"] == case["party_phone"]
    viewer = Store.open(root, specs, user="v", access=Access("v", VIEWER, Policy(admins=frozenset({"li"}))))
    ctx = Context(store=viewer, period=Period.year(2026), today=TODAY)
    masked = record_detail(ctx, "enforcement_cases", case["case_no"])
    phone = dict(masked.fields)["当事人电话"]
    assert phone != case["party_phone"] and "*" in phone and phone[-4:] == case["party_phone"][-4:]
    assert all(case["party_phone"] not in str(new) for v in masked.versions for _l, _o, new in v.changes)
    assert record_detail(ctx, "enforcement_cases", "没有这宗") is None


async def test_enter_opens_a_training_session_as_its_roster(app):
    from fazhi_training.widgets.roster_screen import RosterScreen

    async with app.run_test(size=(120, 40)) as pilot:
        entry = await enter_on(pilot, "trainings")
        assert app.visible_panel().panel_name == "training"
        assert isinstance(app.screen, RosterScreen) and app.screen.training_id == entry.item.record_id
        await pilot.press("ctrl+d")
        await settle(pilot)
        panel = app.visible_panel()
        assert panel.query_one("#training-tabs", TabbedContent).active == "tab-sessions"
        # A person (the review lists staff behind on 学时) opens in 个人学时 with the cursor on them.
        person = app.store.query("SELECT max(person_id) FROM people").column(0)[0].as_py()
        assert await app.open_record("people", person)
        await settle(pilot)
        assert panel.query_one("#training-tabs", TabbedContent).active == "tab-people"
        people = panel.query_one("#people", DataTable)
        assert people.coordinate_to_cell_key(people.cursor_coordinate).row_key.value == person


async def test_an_item_without_a_record_opens_its_tables_list(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await enter_on(pilot, "trainings", with_record=False)  # 年度计划 behind: the plan
        panel = app.visible_panel()
        assert panel.panel_name == "training"
        assert panel.query_one("#training-tabs", TabbedContent).active == "tab-overview"


async def test_enter_opens_a_work_item_in_the_ledger(app):
    told: list[str] = []
    shown = app.notify
    app.notify = lambda message, *a, **k: (told.append(str(message)), shown(message, *a, **k))[1]
    async with app.run_test(size=(120, 40)) as pilot:
        entry = await enter_on(pilot, "work_items")
        panel = app.visible_panel()
        assert panel.panel_name == "ledger"
        assert panel.query_one("#ledger-tabs", TabbedContent).active == "tab-detail"
        assert panel.detail is not None and panel.detail.record["item_no"] == entry.item.record_id
        assert entry.item.record_id in shown_detail(panel)
        assert not any("不能打开" in t for t in told)
