"""One test per hook (test_hooks_documented checks that each has one), through the example
plugin that implements them all, on a real store."""

from __future__ import annotations

import datetime as dt

import pytest

from fazhi_tui.config import Config
from fazhi_tui.context import Context, Grid
from fazhi_tui.contrib import ReviewItem
from fazhi_tui.demo import build_demo
from fazhi_tui.period import Period
from fazhi_tui.runtime import table_specs

from .shell_fixtures import EXAMPLES, open_store

TODAY = dt.date(2026, 11, 26)
ZHOUYING = Grid("41042110820301", "周营村网格", "周营村")


@pytest.fixture
def roster(tmp_path):
    host, store = open_store(tmp_path / "store", only=["duty_roster"])
    yield host, store
    store.close()


YEAR_2026 = Period.year(2026)


def context(store, period=YEAR_2026, grid=None) -> Context:
    return Context(store=store, period=period, today=TODAY, grid=grid)


def only(host, hook):
    # The host contributes through the same hooks (its tables, its figures on ``people``).
    found = [c for c in host.contributions(hook) if c.plugin != "fazhi_tui.host"]
    assert [c.plugin for c in found] == ["duty_roster"]
    return found[0].value


def test_fazhi_tables(roster):
    host, store = roster
    spec = store.spec("duty_shifts")
    assert host.table_owner["duty_shifts"] == "duty_roster"
    assert (spec.period_column, spec.grid_column, spec.label_of("person")) == ("day", "grid", "值班人员")
    assert store.count("duty_shifts") == 7


def test_fazhi_panels(roster):
    host, _store = roster
    spec = only(host, "fazhi_panels")
    assert (spec.name, spec.title, spec.key) == ("duty_roster", "值班安排", "z")
    from fazhi_tui.ui.panel import Panel

    assert isinstance(spec.factory(), Panel)


def test_fazhi_report_sections(roster):
    host, store = roster
    section = only(host, "fazhi_report_sections")
    assert section.part == "二"
    assert section.build(context(store, Period.year(2025))) == [
        "坚持全天候值班值守，全年安排值班2班次，其中周末值班1班次，1名干部参与轮值。"
    ]
    assert section.build(context(store, Period.year(2023))) == []


def test_fazhi_review_checks(roster):
    host, store = roster
    check = only(host, "fazhi_review_checks")
    items = check.find(context(store))
    assert items == [ReviewItem("明日（2026-11-27）镇机关未安排值班", due=dt.date(2026, 11, 27), table="duty_shifts")]


def test_fazhi_commands(roster):
    host, store = roster
    command = only(host, "fazhi_commands")
    assert command.run(context(store)) == "2026-11-26 值班：李四"
    assert command.run(context(store).replace(today=dt.date(2026, 1, 1))) == "2026-01-01 没有安排值班"


def test_fazhi_grid_figures(roster):
    host, store = roster
    figure = only(host, "fazhi_grid_figures")
    assert figure.unit == "班次"
    # Every grid, whatever grid is selected.
    assert figure.compute(context(store, grid=ZHOUYING)) == {"41042110820301": 2}
    assert figure.compute(context(store, Period.quarter(2026, 1))) == {"41042110820301": 1}


def test_fazhi_figures(roster):
    host, store = roster
    figure = only(host, "fazhi_figures")
    assert (figure.label, figure.unit, figure.table) == ("值班班次", "班次", "duty_shifts")
    ctx = context(store, Period.quarter(2026, 1))
    value = figure.compute(ctx)
    assert value == figure.records(ctx).num_rows == 1
    assert figure.compute(context(store, Period.year(2020))) is None


def test_fazhi_demo_rows(tmp_path):
    from fazhi_tui.plugins import PluginHost

    host = PluginHost.load(only=["duty_roster"], plugin_dirs=[EXAMPLES])
    result = build_demo(tmp_path / "demo", host, table_specs(host, Config()), TODAY)
    assert result.rows["duty_shifts"] > 1700
    _host, store = open_store(tmp_path / "again", only=["duty_roster"], shifts=[])
    first = host.collect("fazhi_demo_rows", store=store, today=TODAY, seed=7)
    second = host.collect("fazhi_demo_rows", store=store, today=TODAY, seed=7)
    roster_rows = [c.value for c in first if c.plugin == "duty_roster"]
    assert roster_rows == [c.value for c in second if c.plugin == "duty_roster"]
    assert roster_rows[0]["duty_shifts"][-1]["day"] == TODAY + dt.timedelta(days=7)


def test_fazhi_configure(tmp_path):
    from fazhi_tui.plugins import PluginHost

    from .shell_fixtures import write_plugin

    folder = write_plugin(
        tmp_path / "plugins",
        "kinds_plugin",
        """
        from fazhi_tui.api import Command, hookimpl

        KINDS = []


        @hookimpl
        def fazhi_configure(settings):
            kinds = settings.get("kinds", ["默认"])
            if not isinstance(kinds, list):
                raise ValueError("[plugin.kinds_plugin] kinds 应为列表")
            KINDS[:] = kinds


        @hookimpl
        def fazhi_commands():
            return [Command(f"kind_{i}", k, lambda ctx: None) for i, k in enumerate(KINDS)]
        """,
    )
    host = PluginHost.load(only=["kinds_plugin"], plugin_dirs=[folder])
    assert [c.value.title for c in host.contributions("fazhi_commands")] == ["默认"]
    # The config's own table, given again when a config is applied (the newest wins).
    table_specs(host, Config(plugin={"kinds_plugin": {"kinds": ["甲", "乙"]}}))
    assert [c.value.title for c in host.contributions("fazhi_commands")] == ["甲", "乙"]
    # Settings refused: the plugin is not loaded, and says why.
    refused = PluginHost.load(only=["kinds_plugin"], plugin_dirs=[folder], settings={"kinds_plugin": {"kinds": "甲"}})
    assert refused.contributions("fazhi_commands") == []
    info = refused.infos["kinds_plugin"]
    assert info.status == "failed"
    assert any("[plugin.kinds_plugin] kinds 应为列表" in e for e in info.errors)
