"""Importing a file from the dashboard (`i`): choose, check in a worker, preview, then write."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
from textual.widgets import Checkbox, Select

from fazhi_tui.testing import settle, text_of
from fazhi_tui.ui.screens.import_screen import ImportScreen
from fazhi_tui.ui.widgets.panel_slot import PanelSlot
from fazhi_tui.ui.widgets.path_input import PathInput, complete_path
from fazhi_tui.ui.widgets.record_table import RecordTable

from .shell_fixtures import make_app

GOOD = (
    "班次编号,值班日期,类型,值班人员,值守网格,备用\n"
    "2026-12-01-1,2026-12-01,工作日值班,王五,周营村网格,x\n"
    "2026-12-05-1,2026年12月5日,周末值班,赵六,,\n"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def shifts_in_panel(app) -> int:
    return app.query_one("#slot-duty_roster", PanelSlot).panel.query_one("#record-table-data").row_count


def status(screen: ImportScreen) -> str:
    return str(screen.query_one("#import-status").render())


async def check_file(pilot, path: Path, table: str = "duty_shifts", update: bool = False) -> ImportScreen:
    """Open the import screen with `i`, fill it in, press Enter, wait for the check."""
    await pilot.press("i")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ImportScreen)
    screen.query_one("#import-table", Select).value = table
    screen.query_one("#import-update", Checkbox).value = update
    field = screen.query_one("#import-path", PathInput)
    assert screen.focused is field
    field.value = str(path)
    await pilot.press("enter")
    await settle(pilot)
    return screen


async def test_good_csv_preview_then_confirm_writes_and_refreshes_the_panel(tmp_path):
    app = make_app(tmp_path)
    path = write(tmp_path / "值班.csv", GOOD)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert shifts_in_panel(app) == 4
        screen = await check_file(pilot, path)
        assert screen.step == "preview"
        summary = text_of(screen.query_one("#import-summary"))
        assert "校验通过：值班.csv → 值班班次（duty_shifts）" in summary
        assert "新增 2 条" in summary and "更新 0 条" in summary and "未变 0 条" in summary
        assert "将忽略：备用" in summary
        table = screen.query_one(RecordTable).table
        assert table.row_count == 2
        assert table.backend.data.column("grid").to_pylist() == ["41042110820301", None]  # by name → code
        assert "备注" not in [str(c.label) for c in table.ordered_columns]  # a column left empty
        assert app.store.count("duty_shifts") == 7  # nothing written yet
        await pilot.press("y")
        await settle(pilot)
        assert not isinstance(app.screen, ImportScreen)
        assert app.store.count("duty_shifts") == 9
        assert app.store.get("duty_shifts", "2026-12-05-1")["person"] == "赵六"
        assert any("已导入" in n.message and "新增 2 条" in n.message for n in app._notifications)
        assert shifts_in_panel(app) == 6  # the visible panel refreshed


async def test_a_bad_file_lists_each_problem_and_writes_nothing(tmp_path):
    app = make_app(tmp_path)
    rows = "".join(f"2026-12-{d:02d}-1,2026-12-{d:02d},加班,王五,\n" for d in range(1, 29))  # bad code
    rows += "".join(f"2027-01-{d:02d}-1,不是日期,工作日值班,王五,\n" for d in range(1, 31))  # bad date
    path = write(tmp_path / "坏.csv", "班次编号,值班日期,类型,值班人员,值守网格\n" + rows)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await check_file(pilot, path)
        assert screen.step == "form"
        listing = text_of(screen.query_one("#import-listing"))
        assert "坏.csv 校验未通过：58 处错误，未写入任何数据。" in listing
        assert any(line.startswith("第 2 行，“类型”列") and "加班" in line for line in listing.splitlines())
        assert "……另有 8 处错误未列出" in listing  # the first 50, then a count, as the CLI does
        assert app.store.count("duty_shifts") == 7
        # A file that is not there: the reader's message, nothing written.
        screen.query_one("#import-path", PathInput).value = str(tmp_path / "没有.csv")
        await pilot.press("enter")
        await settle(pilot)
        assert "文件不存在" in text_of(screen.query_one("#import-listing"))
        assert app.store.count("duty_shifts") == 7


async def test_cancel_from_the_preview_writes_nothing(tmp_path):
    app = make_app(tmp_path)
    path = write(tmp_path / "值班.csv", GOOD)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"导入文件")  # the palette opens it too
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ImportScreen)
        await pilot.press("escape")  # nothing chosen yet: closes
        await pilot.pause()
        screen = await check_file(pilot, path)
        assert screen.step == "preview"
        await pilot.press("escape")  # back to the form
        await pilot.pause()
        assert screen.step == "form" and app.screen is screen
        await pilot.press("escape")  # and out
        await settle(pilot)
        assert not isinstance(app.screen, ImportScreen)
        assert app.store.count("duty_shifts") == 7
        assert not any("已导入" in n.message for n in app._notifications)


async def test_gb18030_file_as_excel_writes_it(tmp_path):
    app = make_app(tmp_path)
    path = write(tmp_path / "值班-gbk.csv", GOOD.replace("\n", "\r\n"), encoding="gb18030")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await check_file(pilot, path)
        assert "编码 GB18030" in text_of(screen.query_one("#import-summary"))
        assert screen.query_one(RecordTable).table.backend.data.column("person").to_pylist() == ["王五", "赵六"]
        await pilot.click("#import-confirm")
        await settle(pilot)
        assert app.store.get("duty_shifts", "2026-12-01-1")["person"] == "王五"


async def test_reimport_is_refused_unless_update_is_ticked(tmp_path):
    app = make_app(tmp_path)
    path = write(
        tmp_path / "值班.csv",
        "班次编号,值班日期,类型,值班人员\n2026-11-26-1,2026-11-26,工作日值班,钱七\n"
        "2026-11-28-1,2026-11-28,周末值班,张三\n",
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await check_file(pilot, path)
        assert "已存在" in text_of(screen.query_one("#import-listing"))
        await pilot.press("escape")
        await settle(pilot)
        screen = await check_file(pilot, path, update=True)
        summary = text_of(screen.query_one("#import-summary"))
        assert "新增 0 条" in summary and "更新 1 条" in summary and "未变 1 条" in summary
        await pilot.press("y")
        await settle(pilot)
        assert app.store.get("duty_shifts", "2026-11-26-1")["person"] == "钱七"
        assert app.store.history("duty_shifts", "2026-11-26-1").num_rows == 2


async def test_ctrl_t_completes_the_path_and_tab_moves_on(tmp_path):
    folder = tmp_path / "文件"
    folder.mkdir()
    for name in ("值班-一月.csv", "值班-二月.xlsx", "说明.docx"):
        (folder / name).write_text("x")
    (folder / "存档").mkdir()
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        field = app.screen.query_one("#import-path", PathInput)
        field.cwd = tmp_path
        await pilot.press(*"文", "ctrl+t")
        assert field.value == "文件/"
        await pilot.press("ctrl+t")
        listing = text_of(app.screen.query_one("#import-listing"))
        assert "存档/" in listing and "值班-一月.csv" in listing and "说明.docx" not in listing
        await pilot.press(*"值", "ctrl+t")
        assert field.value == "文件/值班-"  # what the two files share
        await pilot.press(*"一", "ctrl+t")
        assert field.value == "文件/值班-一月.csv"
        assert not app.screen.query_one("#import-sheet-row").display  # a CSV has no sheets
        await pilot.press("tab")  # Tab moves on to the next field at once (issue 20)
        assert app.screen.focused is not field and field.value == "文件/值班-一月.csv"
        await pilot.press("shift+tab")
        assert app.screen.focused is field


def test_complete_path_outside_the_ui(tmp_path):
    (tmp_path / "a.csv").write_text("x")
    (tmp_path / ".hidden.csv").write_text("x")
    assert complete_path("", tmp_path).candidates == ["a.csv"]
    assert complete_path(str(tmp_path) + "/a", Path("/")).value == str(tmp_path / "a.csv")
    assert complete_path("nowhere/x", tmp_path).error.startswith("无法列出")
    assert complete_path("~", tmp_path).value == "~/"


async def test_an_xlsx_sheet_by_name(tmp_path):
    from fazhi_tui.transfer.exporter import export_rows, select_rows

    app = make_app(tmp_path)
    spec = app.store.spec("duty_shifts")
    rows = select_rows(app.store, spec).filter(pc.field("shift_id") == "2026-11-26-1")
    path = tmp_path / "值班.xlsx"
    export_rows(rows, spec, path, "xlsx", may_see_pii=True)
    app.store.delete("duty_shifts", "2026-11-26-1", expected_rev=1)  # so the row is new again
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#import-table", Select).value = "duty_shifts"
        screen.query_one("#import-path", PathInput).value = str(path)
        await pilot.pause()
        assert screen.query_one("#import-sheet-row").display  # asked for a spreadsheet only
        screen.query_one("#import-sheet").value = "第二页"
        screen.query_one("#import-sheet").focus()  # Enter submits the field that has the focus
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        # The message wraps at the screen's width, which depends on the temporary path's length.
        listing = "".join(text_of(screen.query_one("#import-listing")).split())
        assert "没有名为“第二页”的工作表（已有：值班班次" in listing
        screen.query_one("#import-sheet").value = "值班班次"
        screen.query_one("#import-sheet").focus()
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        summary = text_of(screen.query_one("#import-summary"))
        assert "工作表 值班班次" in summary and "新增 1 条" in summary
