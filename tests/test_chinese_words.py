"""What a clerk reads is Chinese and aligned (issue 20): the help screen's rows, the palette's
"nothing found", and argparse's headings, ``-h`` line, errors and help columns."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from rich.cells import cell_len
from textual.command import CommandList
from textual.widgets import DataTable

from fazhi_tui import cli
from fazhi_tui.cli_help import wrap_cells
from fazhi_tui.config import Config
from fazhi_tui.demo import build_demo
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store
from fazhi_tui.testing import settle
from fazhi_tui.ui.app import FazhiApp
from fazhi_tui.ui.screens.help import HelpScreen
from fazhi_tui.ui.screens.palette import NO_MATCHES, ShellPalette

ENGLISH = re.compile(r"[A-Za-z]{3,} [A-Za-z]{2,}")  # a phrase, not a key name like "super+c"


@pytest.fixture(scope="module")
def hotline_store(tmp_path_factory):
    host = PluginHost.load(only=["fazhi_hotline"])
    root = tmp_path_factory.mktemp("words") / "store"
    build_demo(root, host, table_specs(host, Config()), dt.date(2026, 11, 26))
    return root


def make_app(hotline_store, tmp_path) -> FazhiApp:
    root = tmp_path / "store"
    shutil.copytree(hotline_store, root)
    host = PluginHost.load(only=["fazhi_hotline"])
    return FazhiApp(Config(), host, Store.open(root, table_specs(host, Config()), user="测试员"))


async def test_help_on_a_tabbed_panel_is_chinese_and_cuts_no_key(hotline_store, tmp_path):
    app = make_app(hotline_store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.query_one("HotlinePanel").query_one("Tabs").focus()  # the tabs' own ← → bindings
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        descriptions = [r.description for r in app.screen.rows]
        assert "上一页签" in descriptions and "下一页签" in descriptions
        assert not [d for d in descriptions if ENGLISH.search(d)]
        table = app.screen.query_one(DataTable)
        keys_width = table.ordered_columns[0].width
        for row in app.screen.rows:
            for key in row.keys.split("、"):
                assert cell_len(key) <= keys_width, f"{row.keys} does not fit"
        copy = next(r for r in app.screen.rows if "super+c" in r.keys)
        index = app.screen.rows.index(copy)
        cell = str(table.get_row_at(index)[0])
        assert "^c" in cell and "super+c" in cell  # on two lines of its row, not cut


async def test_the_palette_says_nothing_matched_in_chinese(hotline_store, tmp_path, monkeypatch):
    monkeypatch.setattr(ShellPalette, "_NO_MATCHES_COUNTDOWN", 0.01)
    app = make_app(hotline_store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, ShellPalette)
        await pilot.press(*"qqzzxx")
        command_list = app.screen.query_one(CommandList)
        for _ in range(2000):
            await pilot.pause()
            if command_list.option_count and command_list.get_option_at_index(0).id == app.screen._NO_MATCHES:
                break
        option = command_list.get_option_at_index(0)
        assert option.id == app.screen._NO_MATCHES
        text = str(option.prompt.renderable)
        assert text == NO_MATCHES and "No matches" not in text


def help_of(argv, capsys, monkeypatch) -> str:
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit):
        cli.main(argv)
    out = capsys.readouterr()
    return out.out + out.err


@pytest.mark.parametrize("argv", [["--help"], *[[name, "--help"] for name in ["sql", "import", "export", "report"]]])
def test_argparse_speaks_chinese_and_fits_80_columns(argv, capsys, monkeypatch):
    text = help_of(argv, capsys, monkeypatch)
    for english in ("usage:", "positional arguments", "options:", "show this help", "show program's"):
        assert english not in text
    assert text.startswith("用法：") and "显示本帮助并退出" in text
    for line in text.splitlines():
        assert cell_len(line) <= 80, line
        assert not line.lstrip().startswith(("）", "，", "。")), line


def test_the_subcommand_column_is_aligned_by_display_width(capsys, monkeypatch):
    text = help_of(["--help"], capsys, monkeypatch)
    starts = set()
    for line in text.splitlines():
        match = re.match(r"^    ([a-z-]+) +(\S.*)$", line)
        if match:
            starts.add(cell_len(line) - cell_len(match.group(2)))
    assert len(starts) == 1  # every subcommand's help starts in the same column
    options = [line for line in text.splitlines() if re.match(r"^  --(store|config|plugins-dir) ", line)]
    helps = {cell_len(re.match(r"^(  \S+ \S+ +)", line).group(1)) for line in options}
    assert len(helps) == 1, options


def test_an_argparse_error_is_chinese(capsys, monkeypatch):
    text = help_of(["export"], capsys, monkeypatch)
    assert "错误：缺少必需的参数" in text and "error" not in text


def test_wrapping_breaks_between_chinese_characters_and_keeps_marks_on_their_line():
    lines = wrap_cells("只读 SQL 查询（每表一个现状视图，<表>_history 为全部版本）", 20)
    assert all(cell_len(line) <= 20 for line in lines)
    assert not any(line.startswith("）") for line in lines)
    assert "".join(lines).replace(" ", "") == "只读SQL查询（每表一个现状视图，<表>_history为全部版本）"
