"""The dashboard's start-up: the queries begun before the screen, the period it opens on, and the
garbage collector held off meanwhile."""

from __future__ import annotations

import datetime as dt
import gc

import duckdb
import pyarrow as pa
import pytest

from fazhi_tui.config import Config
from fazhi_tui.period import Period, opening_period
from fazhi_tui.store import Column, Store, TableSpec
from fazhi_tui.testing import settle
from fazhi_tui.ui.startup import GcHold, Startup, opening_year, start_runtime, startup_info

from .shell_fixtures import EXAMPLES, SHIFTS, open_store, shift

TODAY = dt.date(2026, 11, 26)

EVENTS = TableSpec(
    name="events",
    label="事件",
    key="event_id",
    period_column="at",
    columns=(
        Column("event_id", pa.string(), "编号", required=True),
        Column("at", pa.timestamp("us", tz="UTC"), "时间"),
    ),
)
DAYS = TableSpec(
    name="days",
    label="日",
    key="day_id",
    period_column="day",
    columns=(Column("day_id", pa.string(), "编号", required=True), Column("day", pa.date32(), "日期")),
)


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "s", [EVENTS, DAYS], create=True)
    yield store
    store.close()


def local(text: str) -> dt.datetime:
    """A moment in the local time zone (the zone calendar days are counted in)."""
    return dt.datetime.fromisoformat(text).astimezone()


def test_opening_year_answers_as_opening_period(store):
    def same() -> Period:
        found = opening_year(store, TODAY)
        assert found == opening_period(store, TODAY)
        return found

    assert same() == Period.year(2026)  # nothing anywhere
    store.append(
        "events",
        [{"event_id": "1", "at": local("2024-03-01T12:00")}, {"event_id": "2", "at": local("2027-01-01T00:00")}],
    )
    assert same() == Period.year(2024)  # the first moment of next year is not this year
    store.append("days", [{"day_id": "d", "day": dt.date(2025, 12, 31)}])
    assert same() == Period.year(2025)  # any table counts
    store.append("events", [{"event_id": "3", "at": local("2026-01-01T00:00")}])
    assert same() == Period.year(2026)  # this year's first moment is this year
    version = store.get("events", "3")["_rev"]
    store.delete("events", "3", expected_rev=version)
    assert same() == Period.year(2025)  # a deleted record does not keep the year open
    store.append("days", [{"day_id": "e", "day": dt.date(2026, 12, 31)}])
    assert same() == Period.year(2026)


def test_startup_runs_in_a_thread_and_hands_over_its_answer(tmp_path):
    host, store = open_store(tmp_path / "store")
    try:
        startup = Startup(store, TODAY)
        info = startup.result()
        assert info == startup_info(store, TODAY)
        assert info.period == Period.year(2026)
        assert [g.name for g in info.grids] == ["赵庄村网格", "大黄村网格", "周营村网格"]
        startup.wait()
    finally:
        store.close()


def test_startup_failure_reaches_whoever_waits(tmp_path):
    host, store = open_store(tmp_path / "store")
    store.close()  # every query now fails
    startup = Startup(store, TODAY)
    with pytest.raises(duckdb.Error):  # the closed connection's error, as the store raised it
        startup.result()
    startup.wait()


def test_gc_hold_turns_the_collector_back_on_once():
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    hold = GcHold()
    try:
        assert not gc.isenabled()
        hold.release()
        assert gc.isenabled()
        gc.disable()  # someone else's choice afterwards is not undone by a second release
        hold.release(settle=True)
        assert not gc.isenabled() and gc.get_freeze_count() == frozen
    finally:
        gc.enable()
    hold = GcHold()
    try:
        hold.release(settle=True)
        assert gc.isenabled() and gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()
        gc.enable()


def test_gc_hold_leaves_a_disabled_collector_disabled():
    gc.disable()
    try:
        GcHold().release(settle=True)
        assert not gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


async def test_dashboard_uses_the_startup_begun_before_it(tmp_path, monkeypatch):
    from fazhi_tui.ui import app as app_module
    from fazhi_tui.ui.app import FazhiApp

    monkeypatch.setattr(app_module, "SETTLE_AFTER_S", 0.001)  # not a second after the first panel
    monkeypatch.setenv("FAZHI_TODAY", TODAY.isoformat())
    host, store = open_store(
        tmp_path / "store", shifts=[s for s in SHIFTS if s["day"].year < 2026] + [shift("2027-01-05")]
    )
    store.close()
    config = Config(plugins=["fazhi_overview", "duty_roster"], plugins_dirs=[EXAMPLES])
    started = start_runtime(config, tmp_path / "store", TODAY)
    try:
        assert not gc.isenabled()  # held off until the first panel has shown
        rt = started.runtime
        app = FazhiApp(rt.config, rt.plugins, rt.store, startup=started.startup)
        async with app.run_test() as pilot:
            await settle(pilot)
            assert app.period == Period.year(2025)  # the startup's answer: 2026 has no shift
            assert [g.name for g in app.grids] == ["赵庄村网格", "大黄村网格", "周营村网格"]
            assert app.visible_panel().context.period == Period.year(2025)
            await pilot.pause(0.2)  # for the timer, which fires after the first panel shows
            assert gc.isenabled()  # the first panel has shown: start-up has settled
    finally:
        started.close()
        gc.unfreeze()
        gc.enable()
    assert gc.isenabled()


async def test_the_first_panel_loads_while_it_is_mounted_when_the_startup_is_done(tmp_path, monkeypatch):
    """The start-up's answer in before the app mounts (the usual case): the first panel's load
    begins as the panel is made, not after its mount, and what it loaded is shown all the same."""
    from fazhi_tui.api import RecordTable
    from fazhi_tui.testing import text_of
    from fazhi_tui.ui.app import FazhiApp

    monkeypatch.setenv("FAZHI_TODAY", TODAY.isoformat())
    host, store = open_store(tmp_path / "store", shifts=SHIFTS)
    store.close()
    config = Config(plugins=["fazhi_overview", "duty_roster"], plugins_dirs=[EXAMPLES], start_panel="duty_roster")
    started = start_runtime(config, tmp_path / "store", TODAY)
    try:
        started.startup.result()  # done before the app exists
        rt = started.runtime
        duty = next(c.value.factory for c in rt.plugins.panels() if c.value.name == "duty_roster")
        mounted_at_load: list[bool] = []
        load = duty.load

        def recording_load(self, ctx):
            mounted_at_load.append(self.is_mounted)
            return load(self, ctx)

        monkeypatch.setattr(duty, "load", recording_load)
        monkeypatch.setattr(duty, "LOAD_BEFORE_MOUNT", True)
        app = FazhiApp(rt.config, rt.plugins, rt.store, startup=started.startup)
        async with app.run_test() as pilot:
            await settle(pilot)
            panel = app.visible_panel()
            assert isinstance(panel, duty)
            assert mounted_at_load == [False]  # one load, begun before the mount
            assert panel.context.period == Period.year(2026)
            # What it loaded is shown once mounted: today's duty (李四, 2026-11-26) and 2026's shifts.
            assert "李四" in text_of(panel.query_one("#duty-today"))
            assert panel.query_one(RecordTable).data.num_rows == 4
    finally:
        started.close()
        gc.unfreeze()
        gc.enable()


async def test_a_panel_asked_twice_before_its_mount_shows_the_last_request(tmp_path, monkeypatch):
    """A load begun before the mount is replaced by a newer request (the period moved meanwhile):
    the panel shows what was asked last, never the older answer that may arrive after it."""
    import dataclasses

    from fazhi_tui.ui.app import FazhiApp

    monkeypatch.setenv("FAZHI_TODAY", TODAY.isoformat())
    host, store = open_store(tmp_path / "store", shifts=SHIFTS)
    duty = next(c.value.factory for c in host.panels() if c.value.name == "duty_roster")
    loaded: list[tuple[object, int]] = []
    load = duty.load

    def recording_load(self, ctx):
        loaded.append((self, ctx.period.start.year))
        return load(self, ctx)

    monkeypatch.setattr(duty, "load", recording_load)
    monkeypatch.setattr(duty, "LOAD_BEFORE_MOUNT", True)
    try:
        app = FazhiApp(Config(plugins=["fazhi_overview", "duty_roster"], plugins_dirs=[EXAMPLES]), host, store)
        async with app.run_test() as pilot:
            await settle(pilot)
            ctx = app.context_for("duty_roster")
            panel = duty()
            panel.request(dataclasses.replace(ctx, period=Period.year(2024)))
            panel.request(dataclasses.replace(ctx, period=Period.year(2025)))
            await app.screen.mount(panel)
            await settle(pilot)
            assert panel.context.period == Period.year(2025)
            assert [year for who, year in loaded if who is panel][-1] == 2025  # 2024's was replaced
            # 2025's two shifts, not 2024's one.
            assert panel.query_one("RecordTable").data.num_rows == 2
    finally:
        store.close()


async def test_a_panel_that_does_not_say_so_loads_only_once_mounted(tmp_path, monkeypatch):
    """``LOAD_BEFORE_MOUNT`` is a panel's own promise (its ``load`` needs nothing ``on_mount`` sets
    up): a panel that does not make it is loaded after its mount, as before."""
    from fazhi_tui.ui.app import FazhiApp

    monkeypatch.setenv("FAZHI_TODAY", TODAY.isoformat())
    host, store = open_store(tmp_path / "store", shifts=SHIFTS)
    store.close()
    config = Config(plugins=["fazhi_overview", "duty_roster"], plugins_dirs=[EXAMPLES], start_panel="duty_roster")
    started = start_runtime(config, tmp_path / "store", TODAY)
    try:
        started.startup.result()
        rt = started.runtime
        duty = next(c.value.factory for c in rt.plugins.panels() if c.value.name == "duty_roster")
        assert duty.LOAD_BEFORE_MOUNT is False
        mounted_at_load: list[bool] = []
        load = duty.load
        monkeypatch.setattr(duty, "load", lambda self, ctx: mounted_at_load.append(self.is_mounted) or load(self, ctx))
        app = FazhiApp(rt.config, rt.plugins, rt.store, startup=started.startup)
        async with app.run_test() as pilot:
            await settle(pilot)
            assert mounted_at_load == [True]
            assert app.visible_panel().context.period == Period.year(2026)
    finally:
        started.close()
        gc.unfreeze()
        gc.enable()
