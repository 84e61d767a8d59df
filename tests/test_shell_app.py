"""The dashboard driven as a user would: panels, period, grid, help, keys, palette."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

from textual.widgets import ContentSwitcher, DataTable, Input, OptionList

from fazhi_tui.config import Config, load_config
from fazhi_tui.period import Period
from fazhi_tui.testing import settle
from fazhi_tui.ui.panel import PanelBody
from fazhi_tui.ui.screens.grid_picker import GridPicker
from fazhi_tui.ui.screens.help import HelpScreen
from fazhi_tui.ui.widgets.panel_list import PanelList
from fazhi_tui.ui.widgets.panel_slot import PanelSlot
from fazhi_tui.ui.widgets.shell_header import ShellHeader

from .shell_fixtures import EXAMPLES, SHIFTS, make_app, shift


def overview_counts(app) -> dict[str, str]:
    table = app.query_one("#overview-table", DataTable)
    return {str(key.value): str(table.get_row(key)[1]) for key in table.rows}


def visible_slot(app) -> PanelSlot:
    return app.query_one(f"#{app.query_one(ContentSwitcher).current}", PanelSlot)


async def test_opens_on_current_year_with_first_panel(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.period == Period.year(2026)
        assert visible_slot(app).spec.name == "duty_roster"  # order 500 before the overview's 900
        info = app.query_one(ShellHeader).info
        assert (info.town, info.period, info.grid, info.user, info.role) == (
            "赵庄镇",
            "2026年",
            "全镇",
            "测试员",
            "管理员",
        )
        panel = visible_slot(app).panel
        assert panel.context.period == Period.year(2026)
        assert not panel.query_one(PanelBody).loading
        assert panel.query_one("#record-table-data").row_count == 4  # the Arrow-backed table
        assert app.focused is panel.query_one("#record-table-data")


async def test_opens_on_latest_year_with_data_when_current_year_has_none(tmp_path):
    app = make_app(tmp_path, shifts=[s for s in SHIFTS if s["day"].year < 2026] + [shift("2027-01-05")])
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.period == Period.year(2025)  # a shift planned in 2027 does not count


async def test_opens_on_current_year_without_data(tmp_path):
    app = make_app(tmp_path, shifts=[])
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.period == Period.year(2026)


async def test_number_keys_panel_list_and_letter_switch_panels(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert visible_slot(app).spec.name == "overview"
        assert app.query_one(ShellHeader).info.panel == "2 数据概览"
        assert overview_counts(app)["duty_shifts"] == "4"
        await pilot.press("z")  # the duty roster's own letter
        await settle(pilot)
        assert visible_slot(app).spec.name == "duty_roster"
        panel_list = app.query_one(PanelList)
        panel_list.focus()
        await pilot.pause()
        panel_list.highlighted = 1
        await pilot.press("enter")
        await settle(pilot)
        assert visible_slot(app).spec.name == "overview"
        await pilot.press("9")  # no ninth panel: nothing happens
        assert visible_slot(app).spec.name == "overview"


async def test_palette_switches_panels_and_runs_plugin_commands(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test() as pilot:
        await settle(pilot)
        titles = [e.title for e in app.palette_entries()]
        assert {"面板：数据概览", "期间：上一期", "网格：选择网格……", "网格：周营村网格", "今日值班"} <= set(titles)
        await pilot.press("ctrl+p")
        await pilot.press(*"数据概览")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert visible_slot(app).spec.name == "overview"
        await pilot.press("ctrl+p")
        await pilot.press(*"今日值班")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert "2026-11-26 值班：李四" in messages


async def test_stepping_and_cycling_the_period_refreshes_the_panel(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.period == Period.year(2025)
        assert app.query_one(ShellHeader).info.period == "2025年"
        assert overview_counts(app)["duty_shifts"] == "2"
        await pilot.press("right_square_bracket", "p")
        await settle(pilot)
        assert app.period == Period.quarter(2026, 4)  # the quarter of today
        assert overview_counts(app)["duty_shifts"] == "3"
        await pilot.press("p")
        await settle(pilot)
        assert app.period == Period.month(2026, 11)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.period == Period.month(2026, 10)
        assert overview_counts(app)["duty_shifts"] == "0"
        await pilot.press("p")
        await settle(pilot)
        assert app.period == Period.year(2026)


async def test_custom_range(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("2", "d")
        await pilot.pause()
        first = app.screen.query_one("#range-first", Input)
        first.value = "2026-03-01"
        last = app.screen.query_one("#range-last", Input)
        last.value = "2026年2月1日"
        last.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "早于" in str(app.screen.query_one("#range-error").render())  # told, still open
        last.value = "2026/11/27"
        await pilot.press("enter")
        await settle(pilot)
        assert app.period == Period.between(dt.date(2026, 3, 1), dt.date(2026, 11, 27))
        assert overview_counts(app)["duty_shifts"] == "2"
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.period.start == dt.date(2026, 11, 28)


async def test_choosing_a_grid_by_typing(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("2", "g")
        await pilot.pause()
        assert isinstance(app.screen, GridPicker)
        options = app.screen.query_one(OptionList)
        assert options.option_count == 4  # 全镇 and three grids
        await pilot.press(*"周营")
        await pilot.pause()
        assert options.option_count == 1
        await pilot.press("enter")
        await settle(pilot)
        assert app.grid.code == "41042110820301"
        assert app.query_one(ShellHeader).info.grid == "周营村网格"
        assert overview_counts(app)["duty_shifts"] == "2"
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("up", "up", "up", "enter")  # from 周营村网格 up to the top: 全镇
        await settle(pilot)
        assert app.grid is None
        assert overview_counts(app)["duty_shifts"] == "4"


async def test_hidden_panel_refreshes_when_shown(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("1", "left_square_bracket")
        await settle(pilot)
        overview = app.query_one("#slot-overview", PanelSlot).panel
        assert overview.context.period == Period.year(2026)  # hidden: not refreshed yet
        await pilot.press("2")
        await settle(pilot)
        assert overview.context.period == Period.year(2025)
        assert overview_counts(app)["duty_shifts"] == "2"


async def test_help_lists_every_binding_of_the_screen(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test() as pilot:
        await settle(pilot)
        expected = {b.binding.id for b in app.screen.active_bindings.values() if b.binding.id}
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = {r.binding_id: r for r in app.screen.rows}
        assert expected <= set(rows)
        assert rows["period.prev"].keys == "[" and rows["period.prev"].description == "上一期"
        assert rows["panel.1"].description == "面板：值班安排"
        assert rows["panel.duty_roster"].keys == "z"
        assert "panel.3" not in rows  # only two panels
        assert app.screen.query_one(DataTable).row_count == len(app.screen.rows)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_keys_table_of_the_config_rebinds(tmp_path):
    config = Config(keys={"period.next": "n", "period.prev": "N", "app.quit": "x", "nonsense.id": "k"})
    app = make_app(tmp_path, config=config)
    async with app.run_test() as pilot:
        await settle(pilot)
        # Checked first: the notice lasts 10 s, which a loaded machine could spend on the keys below.
        assert any("nonsense.id" in n.message for n in app._notifications)
        await pilot.press("n")
        await settle(pilot)
        assert app.period == Period.year(2027)
        await pilot.press("right_square_bracket")  # the old key does nothing now
        assert app.period == Period.year(2027)
        await pilot.press("N", "N")
        await settle(pilot)
        assert app.period == Period.year(2025)
        await pilot.press("question_mark")
        await pilot.pause()
        rows = {r.binding_id: r for r in app.screen.rows}
        assert rows["period.next"].keys == "n"
        await pilot.press("escape", "q")  # q is free now: nothing quits
        await pilot.pause()
        assert app.is_running
        await pilot.press("x")
        await pilot.pause()
    assert app.return_code == 0


async def test_q_quits(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_fazhi_plugins_restricts_what_loads(tmp_path, monkeypatch):
    monkeypatch.setenv("FAZHI_PLUGINS", "duty_roster")
    config = load_config()
    app = make_app(tmp_path / "one", config=config, only=config.plugins)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert [c.value.name for c in app.panels] == ["duty_roster"]
    monkeypatch.setenv("FAZHI_PLUGINS", "")
    config = load_config()
    assert config.plugins == []
    app = make_app(tmp_path / "none", config=config, only=config.plugins, plugin_dirs=[EXAMPLES])
    async with app.run_test() as pilot:
        await settle(pilot)
        assert set(app.host.infos) == {"fazhi_tui.host"}
        assert app.query_one(ContentSwitcher).current == "no-panels"
        assert "没有可显示的面板" in str(app.query_one("#no-panels").render())
        await pilot.press("left_square_bracket")  # the period still steps: nothing to refresh
        assert app.period == Period.year(2025)


async def test_animations_off_by_default_and_on_from_config(tmp_path):
    assert make_app(tmp_path / "a").animation_level == "none"
    assert make_app(tmp_path / "b", config=Config(animations=True)).animation_level == "full"


def test_frame_rate_is_modest_unless_the_user_chose_one():
    code = "import fazhi_tui.ui.app; from textual import constants; print(constants.MAX_FPS)"
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_FPS"}

    def run(env):
        return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)

    assert run(env).stdout.strip() == "20"
    assert run({**env, "TEXTUAL_FPS": "60"}).stdout.strip() == "60"
