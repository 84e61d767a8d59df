"""What the Panel base gives every panel: `e` export of what it shows, role-gated actions (hidden
from the footer, help and palette, refused with the role needed when forced, refused by the
store too), work off the UI thread with ``run_in_thread``, and an action that raises costing
only its panel. A small panel over the example plugin's ``duty_shifts`` shows it."""

from __future__ import annotations

import csv
from pathlib import Path

from textual.widgets import Input

from fazhi_tui.access import VIEWER, Access
from fazhi_tui.config import Config
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store
from fazhi_tui.testing import settle, text_of
from fazhi_tui.ui.app import FazhiApp
from fazhi_tui.ui.screens.export_dialog import ExportDialog, check_target
from fazhi_tui.ui.screens.help import HelpScreen

from .shell_fixtures import EXAMPLES, USER, open_store, write_plugin

SHIFTS_PANEL = """
import datetime as dt

from textual.binding import Binding
from textual.widgets import DataTable

from fazhi_tui.api import Panel, PanelExport, PanelSpec, hookimpl, requires_write

NEW = {"shift_id": "2026-11-30-1", "day": dt.date(2026, 11, 30), "kind": "工作日值班", "person": "王五"}


class Shifts(Panel):
    BINDINGS = [
        Binding("n", "add", "新增值班", id="shifts.add"),
        Binding("u", "add_unmarked", "新增（未标注）", id="shifts.add_unmarked"),
        Binding("x", "boom", "出错的按钮", id="shifts.boom"),
    ]

    def compose_body(self):
        yield DataTable(id="shifts-table")

    def load(self, ctx):
        return ctx.query("SELECT * FROM duty_shifts ORDER BY shift_id")

    def show(self, rows):
        self.rows = rows
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns("班次", "值班人员")
        for r in rows.to_pylist():
            table.add_row(r["shift_id"], r["person"])

    def export_view(self):
        return PanelExport("值班记录", self.rows, spec=self.context.store.spec("duty_shifts"))

    def _append(self):
        ctx = self.context
        self.run_in_thread(lambda: ctx.store.append("duty_shifts", [NEW]),
                           done=lambda result: self.reload(), failed=self.report_write_error)

    @requires_write("duty_shifts")
    def action_add(self):
        self._append()

    def action_add_unmarked(self):  # a write its author forgot to mark: the store still refuses
        self._append()

    def action_boom(self):
        raise RuntimeError("按钮坏了")


@hookimpl
def fazhi_panels():
    return [PanelSpec("shifts", "值班记录", Shifts, order=1)]
"""


def shifts_app(tmp_path: Path, *, access: Access | None = None, config: Config | None = None) -> FazhiApp:
    folder = write_plugin(tmp_path / "plugins", "shifts_panel", SHIFTS_PANEL)
    config = config or Config()
    host, store = open_store(
        tmp_path / "store", plugin_dirs=[EXAMPLES, folder], only=["duty_roster", "shifts_panel"], config=config
    )
    if access is not None:  # the same store, opened again in another role
        root = store.root
        store.close()
        store = Store.open(root, table_specs(host, config), user=USER, access=access)
    return FazhiApp(config, host, store)


def notices(app) -> str:
    return "\n".join(n.message for n in app._notifications)


def test_export_targets_are_checked():
    here = Path.cwd()
    assert check_target("a.xlsx", here) == (here / "a.xlsx", "xlsx")
    assert check_target(" b.CSV ", here) == (here / "b.CSV", "csv")
    for text, message in [
        ("", "请填写"),
        ("a.txt", ".xlsx、.csv 或 .parquet"),
        ("/没有的目录/a.csv", "不存在"),
        (str(here), "文件夹"),
    ]:
        try:
            check_target(text, here)
        except ValueError as exc:
            assert message in str(exc)
        else:
            raise AssertionError(text)


async def test_e_exports_what_the_panel_shows_and_actions_run_off_the_ui_thread(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = shifts_app(tmp_path)
    async with app.run_test() as pilot:
        await settle(pilot)
        panel = app.query_one("Shifts")
        assert {"e", "n", "u", "x"} <= set(app.screen.active_bindings)
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        path = dialog.query_one(Input)
        assert path.value == "值班记录-2026年.xlsx"  # title, period (and grid), in the current folder
        path.value = "shifts.txt"
        await pilot.press("enter")
        assert "扩展名" in text_of(dialog.query_one("#export-error"))
        (tmp_path / "shifts.csv").write_text("old", "utf-8")
        path.value = "shifts.csv"
        await pilot.press("enter")
        assert "已存在" in text_of(dialog.query_one("#export-error"))  # told once, then overwritten
        await pilot.press("enter")
        await settle(pilot)
        with open(tmp_path / "shifts.csv", encoding="utf-8-sig") as fh:
            table = list(csv.reader(fh))
        assert table[0][:3] == ["班次编号", "值班日期", "类型"] and len(table) == 1 + 7
        assert f"已导出 7 条到 {tmp_path / 'shifts.csv'}" in notices(app)

        await pilot.press("n")  # a write in a worker, then the panel reloads
        await settle(pilot)
        assert panel.rows.num_rows == 8, notices(app)

        await pilot.press("x")  # an action that raises: the panel says so, the program runs on
        await settle(pilot)
        assert app.is_running and panel.has_class("-failed")
        assert "按钮坏了" in text_of(panel.query_one("#panel-error"))


async def test_role_gated_actions_are_hidden_refused_when_forced_and_refused_by_the_store(tmp_path):
    config = Config(keys={"shifts.add": "a"})  # rebound: the forced key is the keymap's
    app = shifts_app(tmp_path, access=Access("查看员", VIEWER), config=config)
    async with app.run_test() as pilot:
        await settle(pilot)
        panel = app.query_one("Shifts")
        keys = set(app.screen.active_bindings)
        assert "a" not in keys and "n" not in keys
        assert {"e", "u", "x"} <= keys  # export and the unmarked action stay
        assert [a.title for a in panel.palette_actions()] == ["导出", "新增（未标注）", "出错的按钮"]
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "shifts.add" not in {r.binding_id for r in app.screen.rows}
        await pilot.press("escape")

        await pilot.press("a")
        await pilot.pause()
        assert "查看员（查看）不能修改“值班班次”：需要办事员或管理员角色" in notices(app)
        app._notifications.clear()
        await pilot.press("n")  # the old key does nothing now
        await pilot.pause()
        assert not notices(app)

        await pilot.press("u")  # not marked: the store refuses, and the panel shows its message
        await settle(pilot)
        assert "需要办事员或管理员角色" in notices(app)
        assert panel.rows.num_rows == 7


TABS_PANEL = """
from textual.widgets import Static, TabbedContent, TabPane

from fazhi_tui.api import Panel, PanelSpec, hookimpl


class Tabbed(Panel):
    def compose_body(self):
        with TabbedContent(id="tabbed"):
            with TabPane("第一页", id="one"):
                yield Static("一")
            with TabPane("第二页", id="two"):
                yield Static("二")

    def load(self, ctx):
        return ctx.query("SELECT count(*) AS n FROM duty_shifts")

    def show(self, rows):
        self.query_one("#one Static", Static).update(str(rows.column("n")[0].as_py()))


@hookimpl
def fazhi_panels():
    return [PanelSpec("tabbed", "分页", Tabbed, order=1)]
"""


async def test_a_panels_tab_bar_is_underlined_once_its_loading_cover_goes(tmp_path):
    """Tabs laid out under the loading cover had their underline at width zero until something
    resized them; the base places every tab bar's underline again when the data is shown."""
    folder = write_plugin(tmp_path / "plugins", "tabbed_panel", TABS_PANEL)
    host, store = open_store(tmp_path / "store", plugin_dirs=[EXAMPLES, folder], only=["duty_roster", "tabbed_panel"])
    app = FazhiApp(Config(), host, store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        panel = app.query_one("Tabbed")
        assert panel.context is not None and not panel.query_one("PanelBody").loading
        underline = panel.query_one("Underline")
        tab = panel.query_one("#tabbed Tab.-active")
        start, end = tab.virtual_region.shrink(tab.styles.gutter).column_span
        assert end > start
        assert (underline.highlight_start, underline.highlight_end) == (start, end)
