"""What a plugin author new to fazhi-tui ran into (issue 14), each point a test: what the guide
promises, and a failed plugin named wherever its absence shows."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from fazhi_tui.cli import main
from fazhi_tui.plugins import PluginHost
from fazhi_tui.store import PII_KINDS
from fazhi_tui.testing import assert_panel_failed, open_panel, set_view, settle
from fazhi_tui.ui.panel import PanelBody
from fazhi_tui.ui.widgets.error_box import ErrorBox
from fazhi_tui.ui.widgets.panel_slot import PanelSlot
from fazhi_tui.ui.widgets.record_table import RecordTable

from .shell_fixtures import EXAMPLES, make_app, write_plugin

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "plugins" / "README.md").read_text("utf-8")

PANEL = """
    from textual.widgets import Static
    from fazhi_tui.api import Panel, PanelExport, PanelSpec, hookimpl

    SEEN = []
    MODE = "{mode}"

    class Probe(Panel):
        def compose_body(self):
            yield Static("", id="text")

        def load(self, ctx):
            if MODE == "fail_2025" and ctx.period.start.year == 2025:
                raise ValueError("查询坏了")
            if MODE == "fail_reload" and len(SEEN) >= 1:
                raise ValueError("刷新坏了")
            return ctx.period.label

        def show(self, data):
            SEEN.append(self.context)
            self.query_one("#text", Static).update("期间 " + data)

        def export_view(self):
            if MODE == "export_list":
                return PanelExport("名单", [{{"a": 1}}])
            if MODE == "export_wrong":
                return ["不是 PanelExport"]
            return None

    @hookimpl
    def fazhi_panels():
        return [PanelSpec("{name}", "探针", Probe, order=1)]
"""


def probe_app(tmp_path, name: str, mode: str):
    folder = write_plugin(tmp_path / "plugins", name, PANEL.format(mode=mode, name=name))
    return make_app(tmp_path, plugin_dirs=[EXAMPLES, folder])


# -- panels --------------------------------------------------------------------------------------
async def test_context_is_the_shown_one_already_in_the_first_show(tmp_path):
    app = probe_app(tmp_path, "probe_ctx", "ok")
    async with app.run_test() as pilot:
        await settle(pilot)
        seen = sys.modules["fazhi_tui_plugins.probe_ctx"].SEEN
        assert seen and seen[0] is not None and seen[0].period.label == "2026年"
        await set_view(pilot, period="2025")
        assert seen[-1].period.label == "2025年"


async def test_a_failure_for_a_new_period_clears_the_old_content(tmp_path):
    app = probe_app(tmp_path, "probe_new", "fail_2025")
    async with app.run_test() as pilot:
        await settle(pilot)
        panel = app.query_one("#slot-probe_new", PanelSlot).panel
        await pilot.press("left_square_bracket")  # to 2025, where the query fails
        await settle(pilot)
        assert panel.has_class("-empty") and not panel.query_one(PanelBody).display
        assert panel.context is None  # 2026's content is not on screen under 2025's header
        text = assert_panel_failed(pilot, "probe_new", "查询坏了")
        assert "仍显示上次" not in text and "插件状态" in text and "fazhi-tui plugins" in text


async def test_a_failed_reload_of_the_same_period_keeps_its_content(tmp_path):
    app = probe_app(tmp_path, "probe_reload", "fail_reload")
    async with app.run_test() as pilot:
        await settle(pilot)
        panel = app.query_one("#slot-probe_reload", PanelSlot).panel
        await pilot.press("r")
        await settle(pilot)
        box = panel.query_one(ErrorBox)
        assert box.has_class("-bar") and panel.query_one(PanelBody).display
        assert str(panel.query_one("#text", Static).render()) == "期间 2026年"
        assert "仍显示上次成功加载的内容" in str(box.render())


async def test_export_rows_that_are_not_an_arrow_table_are_refused_naming_the_plugin(tmp_path):
    app = probe_app(tmp_path, "probe_export", "export_list")
    async with app.run_test() as pilot:
        await settle(pilot)
        app.query_one("#slot-probe_export", PanelSlot).panel.action_export()  # `e`, from the panel
        await pilot.pause()
        app.screen.query_one(Input).value = str(tmp_path / "out.xlsx")
        await pilot.press("enter")
        await settle(pilot)
        failed = [n.message for n in app._notifications if n.title == "导出失败"]
        assert failed and "插件 probe_export 的导出「名单」" in failed[0] and "pyarrow.Table" in failed[0]
        assert not re.search(r"\w+\.py:\d+", failed[0])  # no traceback line of the host's
        assert not (tmp_path / "out.xlsx").exists()


async def test_export_view_that_returns_something_else_is_the_plugins_error(tmp_path):
    app = probe_app(tmp_path, "probe_wrong", "export_wrong")
    async with app.run_test() as pilot:
        await settle(pilot)
        panel = app.query_one("#slot-probe_wrong", PanelSlot).panel
        panel.action_export()
        await settle(pilot)
        assert_panel_failed(pilot, "probe_wrong", "export_view() 应返回 PanelExport 或 None，实为 list")


async def test_record_table_gives_the_selected_row(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await open_panel(pilot, "duty_roster")
        table = panel.query_one(RecordTable)
        assert table.selected_row() == table.data.slice(0, 1).to_pylist()[0]
        table.table.focus()
        await pilot.press("down")
        assert table.selected_row() == table.data.slice(1, 1).to_pylist()[0]


async def test_the_import_dialog_opened_from_a_panel_offers_its_table(tmp_path):
    from fazhi_tui.ui.screens.import_screen import ImportScreen

    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_panel(pilot, "duty_roster")
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ImportScreen) and app.screen.first_table == "duty_shifts"
        await pilot.press("escape")
        await open_panel(pilot, "overview")  # a plugin without tables: the dialog's first
        await pilot.press("i")
        await pilot.pause()
        assert app.screen.first_table == app.screen.tables[0].name


# -- tables --------------------------------------------------------------------------------------
def test_the_guide_lists_the_pii_kinds_and_the_api_the_author_needed():
    for kind in PII_KINDS:
        assert f'`"{kind}"`' in GUIDE
    for needed in (
        "ctx.query(sql, params)",
        "ctx.replace(",
        "RecordTable(empty_text=",
        "selected_row()",
        "BarChart(empty_text=",
        "PagedTable(empty_text=",
        "fazhi_tui_plugins.<name>",
        "import_table",
        "missing=",
        "per_1000=",
        "pyarrow.Table",
        "fazhi_tui.testing",
        "fazhi-tui new-plugin",
    ):
        assert needed in GUIDE, needed


def test_a_pii_column_in_the_key_fails_the_plugin_at_load(tmp_path):
    folder = write_plugin(
        tmp_path / "plugins",
        "pii_key",
        """
        import pyarrow as pa
        from fazhi_tui.api import Column, TableSpec, hookimpl

        PETITIONS = TableSpec(name="petitions", label="信访", key="petitioner",
                              columns=(Column("petitioner", pa.string(), "信访人", pii="name"),))

        @hookimpl
        def fazhi_tables():
            return [PETITIONS]
        """,
    )
    host = PluginHost.load(only=["pii_key"], plugin_dirs=[folder])
    info = host.infos["pii_key"]
    assert info.status == "failed" and "不能含个人信息列：petitioner" in info.errors[0]


# -- a plugin installed and in a folder -----------------------------------------------------------
def test_an_installed_plugin_also_in_a_folder_keeps_the_installed_copy_and_names_both(tmp_path, capsys):
    folder = write_plugin(tmp_path / "plugins", "fazhi_overview", "raise RuntimeError('不应导入到此')")
    folder = write_plugin(
        tmp_path / "plugins2", "fazhi_overview", "from fazhi_tui.api import hookimpl\n__version__ = '9.9'\n"
    )
    host = PluginHost.load(only=["fazhi_overview"], plugin_dirs=[folder])
    loaded = host.infos["fazhi_overview"]
    assert loaded.status == "loaded" and not loaded.errors and loaded.source == "built-in"
    copy = next(i for k, i in host.infos.items() if k != "fazhi_overview" and i.name == "fazhi_overview")
    assert copy.status == "skipped" and copy.location == str(folder / "fazhi_overview.py")
    assert loaded.location in copy.errors[0] and "此处的副本未加载" in copy.errors[0]
    assert main(["plugins", "--plugins-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "未加载（重名）" in out and str(folder / "fazhi_overview.py") in out and loaded.location in out


# -- a failed plugin is named everywhere ------------------------------------------------------------
BROKEN = """
    import pyarrow as pa
    from fazhi_tui.api import Column, TableSpec, hookimpl

    raise ImportError("缺少依赖 petition_sdk")
"""


def test_demo_names_the_plugin_whose_tables_were_skipped_and_fails(tmp_path, capsys):
    folder = write_plugin(tmp_path / "plugins", "petitions", BROKEN)
    rc = main(["demo", "--store", str(tmp_path / "s"), "--plugins-dir", str(folder), "--today", "2026-11-26"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "插件 petitions 未能加载，其表与演示数据已跳过" in err and "缺少依赖 petition_sdk" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["sql", "SELECT count(*) FROM petitions"],
        ["export", "petitions", "-o", "{tmp}/out.csv"],
        ["import", "petitions", "{tmp}/in.csv"],
    ],
)
def test_sql_import_export_name_the_plugin_that_failed(tmp_path, capsys, argv):
    store = tmp_path / "s"
    assert main(["init", "--store", str(store)]) == 0
    (tmp_path / "in.csv").write_text("编号\n1\n", "utf-8")
    folder = write_plugin(tmp_path / "plugins", "petitions", BROKEN)
    capsys.readouterr()
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main([*argv, "--store", str(store), "--plugins-dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "没有名为 petitions 的表" in err
    assert "插件 petitions（导入失败：ImportError: 缺少依赖 petition_sdk" in err and "fazhi-tui plugins" in err


def test_plugins_lists_failures_of_its_queries_too(tmp_path, capsys):
    store = tmp_path / "s"
    folder = write_plugin(
        tmp_path / "plugins",
        "late_fail",
        """
        from fazhi_tui.api import Figure, GridFigure, ReviewCheck, hookimpl

        def boom(ctx):
            raise ZeroDivisionError("指标坏了")

        @hookimpl
        def fazhi_figures():
            return [Figure("late_fail_count", "坏指标", "件", boom)]

        @hookimpl
        def fazhi_review_checks():
            return [ReviewCheck("late_fail_check", "坏检查", boom)]
        """,
    )
    assert main(["demo", "--store", str(store), "--plugins-dir", str(folder), "--today", "2026-11-26"]) == 0
    capsys.readouterr()
    # 1, as `figures` exits for the same failure: a script can tell.
    assert main(["plugins", "--store", str(store), "--plugins-dir", str(folder)]) == 1
    out = capsys.readouterr().out
    block = out[out.index("late_fail") :]
    assert "有错误" in block.splitlines()[0]
    assert "报告指标 late_fail_count（坏指标）计算出错：ZeroDivisionError: 指标坏了" in block
    assert "检查项 late_fail_check（坏检查）出错：ZeroDivisionError: 指标坏了" in block
