"""A plugin that fails anywhere costs only itself: the app runs and shows each error."""

from __future__ import annotations

import sys

from textual.widgets import Static

from fazhi_tui.period import Period
from fazhi_tui.testing import assert_panel_failed, settle, text_of
from fazhi_tui.ui.panel import Panel, PanelBody
from fazhi_tui.ui.screens.plugin_status import PluginStatusScreen
from fazhi_tui.ui.widgets.error_box import ErrorBox
from fazhi_tui.ui.widgets.panel_list import PanelList
from fazhi_tui.ui.widgets.panel_slot import PanelSlot

from .shell_fixtures import EXAMPLES, make_app, write_plugin

# A panel whose behaviour each test picks by the name it registers under.
PANEL_PLUGIN = """
    import threading
    from textual.widgets import Static
    from fazhi_tui.api import Panel, PanelSpec, hookimpl

    GATE = threading.Event()
    MODE = "{mode}"

    class TestPanel(Panel):
        def compose_body(self):
            if MODE == "compose":
                raise RuntimeError("界面坏了")
            yield Static("", id="text")

        def load(self, ctx):
            if MODE == "query" or (MODE == "query_2025" and ctx.period.start.year == 2025):
                raise ValueError("查询坏了")
            if MODE == "slow":
                GATE.wait(10)
            return ctx.period.label

        def show(self, data):
            if MODE == "render":
                raise KeyError("显示坏了")
            self.query_one("#text", Static).update("期间 " + data)

    def make():
        if MODE == "factory":
            raise OSError("工厂坏了")
        return TestPanel()

    @hookimpl
    def fazhi_panels():
        return [PanelSpec("{name}", "测试面板", make, order=1)]
"""


def panel_plugin(folder, name: str, mode: str):
    return write_plugin(folder, name, PANEL_PLUGIN.format(mode=mode, name=name))


def error_text(slot: PanelSlot) -> str:
    return str(slot.query_one(ErrorBox).render())


async def shows_failure(tmp_path, mode: str, stage: str, error: str) -> None:
    folder = panel_plugin(tmp_path / "plugins", f"broken_{mode}", mode)
    app = make_app(tmp_path, plugin_dirs=[EXAMPLES, folder])
    async with app.run_test() as pilot:
        await settle(pilot)
        slot = app.query_one(f"#slot-broken_{mode}", PanelSlot)
        assert app.query_one("ContentSwitcher").current == slot.id
        assert_panel_failed(pilot, f"broken_{mode}", f"插件 broken_{mode} 的面板「测试面板」出错", stage, error)
        recorded = app.host.infos[f"broken_{mode}"].errors
        assert any(stage in e and error in e for e in recorded), recorded
        assert "✗" in str(app.query_one(PanelList).get_option_at_index(0).prompt)
        # Everything else works: the next panel shows its data.
        await pilot.press("2")
        await settle(pilot)
        assert app.query_one("#slot-duty_roster", PanelSlot).panel.context is not None


async def test_panel_that_raises_in_its_query_shows_an_error_box(tmp_path):
    await shows_failure(tmp_path, "query", "查询出错", "ValueError: 查询坏了")


async def test_panel_that_raises_in_render_shows_an_error_box(tmp_path):
    await shows_failure(tmp_path, "render", "显示出错", "KeyError")


async def test_panel_that_raises_in_compose_shows_an_error_box(tmp_path):
    await shows_failure(tmp_path, "compose", "界面构建出错", "RuntimeError: 界面坏了")


async def test_panel_factory_that_raises_shows_an_error_box(tmp_path):
    await shows_failure(tmp_path, "factory", "创建出错", "OSError: 工厂坏了")


async def test_a_failure_for_another_period_clears_the_content_and_the_next_good_one_shows(tmp_path):
    # (A failed reload of the same period keeps its content: test_plugin_guide_gaps.)
    folder = panel_plugin(tmp_path / "plugins", "flaky", "query_2025")
    app = make_app(tmp_path, plugin_dirs=[EXAMPLES, folder])
    async with app.run_test() as pilot:
        await settle(pilot)
        panel = app.query_one("#slot-flaky", PanelSlot).panel
        assert str(panel.query_one("#text", Static).render()) == "期间 2026年"
        await pilot.press("left_square_bracket")
        await settle(pilot)
        box = panel.query_one(ErrorBox)
        assert panel.has_class("-failed") and not box.has_class("-bar") and box.display
        assert not panel.query_one(PanelBody).display  # 2026's content is not left under 2025
        assert panel.context is None
        assert "查询坏了" in str(box.render()) and "仍显示上次成功加载的内容" not in str(box.render())
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert panel.query_one(PanelBody).display and panel.context.period == Period.year(2026)
        assert not panel.has_class("-failed")
        assert "✗" not in str(app.query_one(PanelList).get_option_at_index(0).prompt)


async def test_a_waiting_panel_shows_that_it_is_loading(tmp_path):
    folder = panel_plugin(tmp_path / "plugins", "slow", "slow")
    app = make_app(tmp_path, plugin_dirs=[EXAMPLES, folder])
    async with app.run_test() as pilot:
        gate = sys.modules["fazhi_tui_plugins.slow"].GATE
        try:
            for _ in range(50):  # until the panel's query is waiting at the gate
                await pilot.pause()
                if any(w.group == "panel-load" for w in app.workers):
                    break
            body = app.query_one("#slot-slow", PanelSlot).panel.query_one(PanelBody)
            assert body.loading
            await pilot.press("left_square_bracket", "g")  # the UI still answers
            await pilot.pause()
            assert app.period == Period.year(2025) and app.screen.__class__.__name__ == "GridPicker"
            await pilot.press("escape")
        finally:
            gate.set()
        await settle(pilot)
        assert not body.loading
        assert app.query_one("#slot-slow", PanelSlot).panel.context.period == Period.year(2025)


async def test_plugins_that_raise_at_import_or_in_a_hook_leave_the_app_running(tmp_path):
    folder = tmp_path / "plugins"
    write_plugin(folder, "bad_import", "raise RuntimeError('导入坏了')")
    write_plugin(
        folder,
        "bad_hook",
        """
        from fazhi_tui.api import hookimpl

        @hookimpl
        def fazhi_panels():
            raise ZeroDivisionError("钩子坏了")

        @hookimpl
        def fazhi_commands():
            return "不是列表"
        """,
    )
    app = make_app(tmp_path, plugin_dirs=[EXAMPLES, folder])
    async with app.run_test() as pilot:
        await settle(pilot)
        infos = app.host.infos
        assert infos["bad_import"].status == "failed" and "导入坏了" in infos["bad_import"].errors[0]
        assert any("fazhi_panels 出错：ZeroDivisionError: 钩子坏了" in e for e in infos["bad_hook"].errors)
        assert any("fazhi_commands 应返回列表" in e for e in infos["bad_hook"].errors)
        assert [c.value.name for c in app.panels] == ["duty_roster", "overview"]
        assert any("bad_import" in n.message and "bad_hook" in n.message for n in app._notifications)
        app.action_plugin_status()
        await pilot.pause()
        assert isinstance(app.screen, PluginStatusScreen)
        assert "导入坏了" in text_of(app.screen.query_one(Static))


async def test_duplicate_names_are_refused_and_the_app_runs(tmp_path):
    twin = """
        import pyarrow as pa
        from fazhi_tui.api import Column, PanelSpec, TableSpec, hookimpl
        from fazhi_overview.panel import OverviewPanel

        @hookimpl
        def fazhi_tables():
            return [TableSpec("duty_shifts", "重名表", (Column("k", pa.string(), "键"),), key="k"),
                    TableSpec("{table}", "新表", (Column("k", pa.string(), "键"),), key="k")]

        @hookimpl
        def fazhi_panels():
            return [PanelSpec("overview", "重名面板", OverviewPanel), PanelSpec("{panel}", "{title}", OverviewPanel)]
    """
    folder = tmp_path / "plugins"
    write_plugin(folder, "twin_a", twin.format(table="twin_table", panel="twin", title="甲"))
    write_plugin(folder, "twin_b", twin.format(table="twin_table", panel="twin", title="乙"))
    app = make_app(tmp_path, plugin_dirs=[EXAMPLES, folder])
    async with app.run_test() as pilot:
        await settle(pilot)
        panels = [(c.plugin, c.value.name, c.value.title) for c in app.panels]
        assert panels == [
            ("twin_a", "twin", "甲"),
            ("duty_roster", "duty_roster", "值班安排"),
            ("fazhi_overview", "overview", "数据概览"),
        ]
        errors_a, errors_b = app.host.infos["twin_a"].errors, app.host.infos["twin_b"].errors
        assert "面板名 overview 已由 fazhi_overview 使用，本插件的同名面板未加载" in errors_a
        assert "表名 duty_shifts 已由 duty_roster 使用，本插件的同名表未加载" in errors_a
        assert "面板名 twin 已由 twin_a 使用，本插件的同名面板未加载" in errors_b
        assert "表名 twin_table 已由 twin_a 使用，本插件的同名表未加载" in errors_b
        assert app.store.spec("twin_table").label == "新表"
        assert app.store.spec("duty_shifts").label == "值班班次"
        assert app.query_one("#slot-twin", PanelSlot).panel.context is not None


def test_panel_subclass_must_not_replace_compose():
    try:

        class Wrong(Panel):
            def compose(self):
                yield from ()

    except TypeError as exc:
        assert "compose_body" in str(exc)
    else:
        raise AssertionError("a Panel that overrides compose() was accepted")


async def test_a_plugin_command_that_raises_is_shown_and_recorded(tmp_path):
    folder = write_plugin(
        tmp_path / "plugins",
        "bad_command",
        """
        from fazhi_tui.api import Command, hookimpl

        def run(ctx):
            raise LookupError("没有这个网格")

        @hookimpl
        def fazhi_commands():
            return [Command("bad", "坏命令", run)]
        """,
    )
    app = make_app(tmp_path, plugin_dirs=[EXAMPLES, folder])
    async with app.run_test() as pilot:
        await settle(pilot)
        entry = next(e for e in app.palette_entries() if e.title == "坏命令")
        entry.run()
        await settle(pilot)
        assert any(
            "插件 bad_command 的命令「坏命令」出错：LookupError: 没有这个网格" in n.message for n in app._notifications
        )
        assert any("LookupError" in e for e in app.host.infos["bad_command"].errors)
        assert app.is_running
