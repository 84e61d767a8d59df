"""Roles in the shell: what a role lacks is absent from the footer, help and palette, refused
with the role needed when forced, and the header shows who is working in which role."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList

from fazhi_tui.access import CLERK, VIEWER, Access, Policy
from fazhi_tui.config import Config
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store, layout
from fazhi_tui.testing import settle, text_of
from fazhi_tui.ui.app import FazhiApp
from fazhi_tui.ui.commands import available_entries
from fazhi_tui.ui.screens.help import HelpScreen
from fazhi_tui.ui.screens.import_screen import ImportScreen
from fazhi_tui.ui.widgets.shell_footer import ShellFooter
from fazhi_tui.ui.widgets.shell_header import ShellHeader

from .shell_fixtures import EXAMPLES, USER, make_app, open_store, write_plugin

# A panel with an action some roles lack (hidden: False) and one that is off for now (None).
GATED_PANEL = """
from textual.binding import Binding
from textual.widgets import DataTable

from fazhi_tui.api import Panel, PanelSpec, hookimpl


class Gated(Panel):
    BINDINGS = [
        Binding("n", "new", "新建值班", id="gated.new"),
        Binding("x", "remove", "删除值班", id="gated.remove"),
        Binding("v", "view", "查看值班", id="gated.view"),
    ]

    def compose_body(self):
        yield DataTable(id="gated-table")

    def check_action(self, action, parameters):
        if action == "new":
            return self.app.store.access.may_write("duty_shifts")
        if action == "remove":
            return None  # nothing selected
        return True

    def action_view(self):
        self.notify("看过了")


@hookimpl
def fazhi_panels():
    return [PanelSpec("gated", "受控面板", Gated, order=1)]
"""


def reopen(app_store: Store, host, access: Access | None = None) -> Store:
    """The same store opened again in another role."""
    root = app_store.root
    app_store.close()
    return Store.open(root, table_specs(host, Config()), user=USER, access=access)


def app_as(tmp_path: Path, access: Access | None, *, config: Config | None = None, plugin_dirs=(EXAMPLES,)) -> FazhiApp:
    config = config or Config()
    host, store = open_store(tmp_path / "store", plugin_dirs=list(plugin_dirs), config=config)
    return FazhiApp(config, host, reopen(store, host, access))


def viewer_by_access_file(tmp_path: Path, **kwargs) -> FazhiApp:
    """A viewer the way an office makes one: access.toml names someone else as admin."""
    config = kwargs.pop("config", None) or Config()
    host, store = open_store(tmp_path / "store", config=config, **kwargs)
    (store.root / "access.toml").write_text('admin = ["somebody-else"]\n', "utf-8")
    return FazhiApp(config, host, reopen(store, host))


def footer_actions(app) -> set[str]:
    """The actions the footer shows (it is built from the same active bindings as help)."""
    return {key.action for footer in app.screen.query(ShellFooter) for key in footer.items()}


def palette_titles(app) -> set[str]:
    return {e.title for e in available_entries(app, app.screen)}


async def test_viewer_has_no_import_in_footer_help_or_palette(tmp_path):
    app = viewer_by_access_file(tmp_path)
    assert app.store.access.role == VIEWER
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "import_data" not in footer_actions(app) and "pick_grid" in footer_actions(app)
        assert "数据：导入文件……" not in palette_titles(app)
        assert "数据：整理（合并版本文件）" not in palette_titles(app)
        await pilot.press("ctrl+p", *"导入")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        assert not any("导入" in str(options.get_option_at_index(i).prompt) for i in range(options.option_count))
        await pilot.press("escape")
        await pilot.press("question_mark")
        await pilot.pause()
        ids = {row.binding_id for row in app.screen.rows}
        assert "data.import" not in ids and "grid.pick" in ids
        await pilot.press("escape")
        info = app.query_one(ShellHeader).info
        assert (info.user, info.role) == (USER, "查看")
        assert f"{USER}（查看）" in text_of(app.query_one(ShellHeader))


async def test_viewer_forcing_import_by_key_or_rebinding_is_refused_with_the_role_needed(tmp_path):
    app = viewer_by_access_file(tmp_path, config=Config(keys={"data.import": "x"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        assert not isinstance(app.screen, ImportScreen)
        refusals = [n.message for n in app._notifications if "不能导入数据" in n.message]
        assert refusals and "需要办事员或管理员角色" in refusals[-1]
        app.action_import_data()  # any other way in is refused the same way
        await pilot.pause()
        assert not isinstance(app.screen, ImportScreen)
        assert len([n for n in app._notifications if "不能导入数据" in n.message]) == 2
    assert app.store.count("duty_shifts") == 7


async def test_the_default_key_refuses_too_and_leaves_other_keys_alone(tmp_path):
    app = app_as(tmp_path, Access(USER, VIEWER))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        assert any("需要办事员或管理员角色" in n.message for n in app._notifications)
        await pilot.press("left_square_bracket")  # other keys still work
        await settle(pilot)
        assert app.period.label == "2025年"


async def test_clerk_imports_only_into_the_tables_clerks_may_edit(tmp_path):
    clerk = Access(USER, CLERK, Policy(clerk_tables=frozenset({"duty_shifts"})))
    app = app_as(tmp_path, clerk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.query_one(ShellHeader).info.role == "办事员"
        assert "import_data" in footer_actions(app)
        titles = palette_titles(app)
        assert "数据：导入文件……" in titles and "数据：整理（合并版本文件）" not in titles  # admin only
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ImportScreen)
        assert [spec.name for spec in app.screen.tables] == ["duty_shifts"]


async def test_clerk_without_tables_is_told_what_is_needed(tmp_path):
    app = app_as(tmp_path, Access(USER, CLERK))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "import_data" not in footer_actions(app)
        await pilot.press("i")
        await pilot.pause()
        assert any("clerk_tables" in n.message for n in app._notifications)


async def test_admin_has_import_and_compaction(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.query_one(ShellHeader).info.role == "管理员"
        titles = palette_titles(app)
        assert {"数据：导入文件……", "数据：整理（合并版本文件）"} <= titles
        entry = next(e for e in available_entries(app, app.screen) if e.title == "数据：整理（合并版本文件）")
        app.call_later(entry.run)
        await settle(pilot)
        assert any("已整理" in n.message for n in app._notifications)
        assert app.store.count("duty_shifts") == 7


async def test_help_and_palette_follow_each_panel_binding_check_action(tmp_path):
    """The rule: hidden (False) is absent from help and palette; disabled (None) is listed in
    help, marked, and not offered by the palette; allowed (True) is in both."""
    folder = write_plugin(tmp_path / "plugins", "gated", GATED_PANEL)
    for access, may_write in ((Access(USER, VIEWER), False), (None, True)):
        app = app_as(tmp_path / str(may_write), access, plugin_dirs=(EXAMPLES, folder))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.query_one("#slot-gated").panel is not None
            titles = palette_titles(app)
            assert ("受控面板：新建值班" in titles) is may_write
            assert "受控面板：查看值班" in titles and "受控面板：删除值班" not in titles
            assert ("new" in footer_actions(app)) is may_write and "view" in footer_actions(app)
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            rows = {row.binding_id: row for row in app.screen.rows}
            assert ("gated.new" in rows) is may_write
            assert rows["gated.view"].scope == "受控面板"
            assert "gated.remove" in rows and "gated.remove" in app.screen.unavailable
            table = app.screen.query_one("DataTable")
            cells = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
            assert "删除值班（不可用）" in cells and "查看值班" in cells
            await pilot.press("escape")
            entry = next(e for e in available_entries(app, app.screen) if e.title == "受控面板：查看值班")
            app.call_later(entry.run)  # as the palette runs it
            await settle(pilot)
            assert any(n.message == "看过了" for n in app._notifications)


async def test_a_corrupt_file_is_skipped_and_the_user_told_to_run_check(tmp_path):
    host, store = open_store(tmp_path / "store")
    bad = layout.log_dir(store.root, "duty_shifts") / layout.new_log_name()
    bad.write_bytes(b"PAR1 this is not parquet at all")
    app = FazhiApp(Config(), host, store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        warnings = [n.message for n in app._notifications if "fazhi-tui check" in n.message]
        assert len(warnings) == 1 and warnings[0].startswith("1 个数据文件无法读取，已跳过（值班班次）")
        assert app.query_one("#slot-duty_roster").panel.query_one("#record-table-data").row_count == 4


async def test_the_preview_masks_personal_information_for_a_role_that_may_not_see_it(tmp_path):
    clerk = Access(USER, CLERK, Policy(clerk_tables=frozenset({"people"}), pii_roles=frozenset({"admin"})))
    app = app_as(tmp_path, clerk)
    path = tmp_path / "人员.csv"
    path.write_text("人员编号,姓名,角色,联系电话\nP9001,王小五,网格员,13812345678\n", "utf-8")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#import-path").value = str(path)
        await pilot.press("enter")
        await settle(pilot)
        data = app.screen.query_one("#import-rows").table.backend.data
        assert data.column("phone").to_pylist() == ["138****5678"]
        assert data.column("roles").to_pylist() == ["网格员"]
        await pilot.press("y")
        await settle(pilot)
    assert app.store.count("people") == 1


async def test_the_role_stays_in_the_header_at_80_columns(tmp_path):
    import datetime as dt

    from fazhi_tui.period import Period

    app = app_as(tmp_path, Access(USER, VIEWER))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("g", *"周营", "enter")
        app.period = Period.between(dt.date(2026, 3, 1), dt.date(2026, 11, 27))
        await settle(pilot)
        line = text_of(app.query_one(ShellHeader))
        assert line.rstrip().endswith(f"{USER}（查看）") and "…" in line
