"""报告预览 panel, driven with the pilot over a real demo store: figures, records, gaps, edits."""

from __future__ import annotations

import datetime as dt

import pytest

from fazhi_tui.config import Config
from fazhi_tui.demo import build_demo
from fazhi_tui.plugins import PluginHost
from fazhi_tui.report.document import TABLE, block_history, load_document, save_block
from fazhi_tui.report.figures import FigureBook
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store

from .shell_fixtures import USER, async_test, settle, text_of

PLUGINS = ["fazhi_grid", "fazhi_hotline", "fazhi_report"]
TODAY = dt.date(2024, 3, 1)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("FAZHI_TODAY", TODAY.isoformat())


def report_app(tmp_path):
    from fazhi_tui.ui.app import FazhiApp

    config = Config()
    host = PluginHost.load(only=PLUGINS)
    specs = table_specs(host, config)
    build_demo(tmp_path / "store", host, specs, TODAY)
    return FazhiApp(config, host, Store.open(tmp_path / "store", specs, user=USER))


async def open_2023(pilot):
    await settle(pilot)
    await pilot.press("y", "left_square_bracket")
    await settle(pilot)
    from fazhi_report.panel import ReportPanel

    panel = pilot.app.query_one(ReportPanel)
    assert panel.preview is not None and panel.preview.year == 2023
    return panel


def status(pilot) -> str:
    return text_of(pilot.app.query_one("#report-status"))


@async_test
async def test_figures_move_and_their_records_open(tmp_path):
    app = report_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await open_2023(pilot)
        blocks = [b.text for b in panel.preview.blocks]
        assert blocks[0] == "宝丰县赵庄镇人民政府" and any("处理工单100余件、电话单90余件" in b for b in blocks)
        assert "镇村两级网格数：23个 · 上年 23个" in status(pilot)
        await pilot.press("right")
        assert "网格长人数：23个" in status(pilot)
        gaps = text_of(app.query_one("#report-gaps"))
        assert "缺" in gaps and "法治建设调研次数" in gaps  # the ledgers are not installed here
        await pilot.press("enter")
        await settle(pilot)
        from fazhi_report.widgets.figure_records import FigureRecords

        assert isinstance(app.screen, FigureRecords)
        table = app.screen.query_one("#records-list")
        assert table.total == 23 and "网格长" in str(table.record_at(0)["roles"])
        await pilot.press("escape")
        # m goes to the next gap; Enter there says why instead of listing records.
        await pilot.press("m")
        assert "缺（提供该指标的插件未安装）" in status(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, FigureRecords)


@async_test
async def test_an_edit_is_saved_as_a_version_and_a_stale_one_is_refused(tmp_path):
    app = report_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await open_2023(pilot)
        # To the first paragraph of part 三 (no figures there): a narrative the staff write.
        target = next(i for i, b in enumerate(panel.preview.blocks) if b.text.startswith("一是法治理念"))
        while panel.cursor_block < target:
            await pilot.press("down")
        await pilot.press("e")
        await settle(pilot)
        from fazhi_report.widgets.paragraph_editor import ParagraphEditor
        from textual.widgets import TextArea

        editor = app.screen
        assert isinstance(editor, ParagraphEditor)
        area = editor.query_one(TextArea)
        area.text = "一是学法用法仍有差距。全镇{grid_cuont}。"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is editor and "未知的指标：grid_cuont" in text_of(editor.query_one("#editor-error"))
        area.text = "一是学法用法仍有差距。全镇设网格{grid_count}。"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ParagraphEditor)
        store = app.store
        position = panel.preview.blocks[panel.cursor_block].position
        assert [h["_rev"] for h in block_history(store, 2023, position).to_pylist()] == [1, 2]
        assert panel.preview.blocks[panel.cursor_block].text == "一是学法用法仍有差距。全镇设网格23个。"
        # A colleague saves the same paragraph while this editor is open: this save is refused.
        await pilot.press("e")
        await settle(pilot)
        editor = app.screen
        book = FigureBook.load(app.host, store, app.config, 2023, TODAY)
        save_block(store, load_document(store, 2023), position, text="一是同事的修改。", expected_rev=2, book=book)
        editor.query_one(TextArea).text = "一是我的修改。"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is editor and "他人已修改" in text_of(editor.query_one("#editor-error"))
        assert load_document(store, 2023).block_at(position).text == "一是同事的修改。"
        assert store.count(TABLE) > 0


@async_test
async def test_o_writes_the_report_as_docx(tmp_path):
    import zipfile

    from textual.widgets import Input

    app = report_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_2023(pilot)
        await pilot.press("o")
        await settle(pilot)
        target = tmp_path / "报告.docx"
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert zipfile.is_zipfile(target)
        import docx

        assert docx.Document(str(target)).paragraphs[1].text == "关于2023年法治政府建设情况的报告"
