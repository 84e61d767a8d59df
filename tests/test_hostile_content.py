"""Hostile content in the data: a value is text, never markup, never an escape sequence.

A caller named ``[/]`` once ended the dashboard from the ticket detail, a grid named ``[/]…``
broke the map for every user, ``[link=…]`` became a hidden hyperlink, and ``history`` and ``sql``
printed raw escape sequences (clear screen, window title) from stored values."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from fazhi_tui.cli import main
from fazhi_tui.config import Config
from fazhi_tui.demo import build_demo
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store, ValidationError
from fazhi_tui.testing import settle, text_of
from fazhi_tui.textsafe import visible

from .shell_fixtures import USER

TODAY = dt.date(2026, 11, 26)
PLUGINS = ["fazhi_hotline", "fazhi_grid"]
MARKUP_GRID = "[/]坏[link=http://evil.example]网格[/link]"
MARKUP_TEXT = "[bold red]x[/] [link=http://evil.example]点我[/link] [/]"


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory) -> Path:
    host = PluginHost.load(only=PLUGINS)
    root = tmp_path_factory.mktemp("hostile") / "store"
    build_demo(root, host, table_specs(host, Config()), TODAY)
    store = Store.open(root, table_specs(host, Config()), user=USER)
    grid = store.query("SELECT code, _rev FROM grids ORDER BY code LIMIT 1").to_pylist()[0]
    store.update("grids", grid["code"], {"name": MARKUP_GRID}, expected_rev=grid["_rev"])
    ticket = store.query(
        "SELECT ticket_no, _rev FROM hotline WHERE status <> '已办结' ORDER BY received_at DESC LIMIT 1"
    ).to_pylist()[0]
    store.update("hotline", ticket["ticket_no"], {"caller": "[/]", "content": MARKUP_TEXT}, expected_rev=ticket["_rev"])
    (root / "ticket.txt").write_text(ticket["ticket_no"], "utf-8")
    store.close()
    return root


def test_control_characters_are_refused_on_every_write_and_shown_escaped():
    assert visible("a\x1b]0;pwned\x07b\u202ec") == "a\\x1b]0;pwned\\x07b\\u202ec"
    assert visible("第一行\n第二行\t！") == "第一行\n第二行\t！"
    assert visible("a\nb", one_line=True) == "a\\x0ab"


def test_import_refuses_control_characters_nul_bytes_negative_counts_and_far_dates(tmp_path, capsys):
    store = tmp_path / "store"
    assert main(["init", "--store", str(store)]) == 0
    rows = [
        "网格编码,名称,类型,所属村,户数,设立日期",
        "41042110820101,赵庄村网格,综合,赵庄村,120,2020-01-01",
        "41042110820201,大黄村\x1b[2J网格,综合,大黄村,80,2020-01-01",
        "41042110820301,周营村网格,综合,周营村,-5,2020-01-01",
        "41042110820401,李庄村网格,综合,李庄村,10,9999-12-31",
    ]
    body = ("\n".join(rows) + "\n").encode("utf-8")
    # A NUL byte well after the first 8 KB that the binary sniff looks at.
    filler = "".join(f"4104211083{i:04d}01,填充{i}网格,综合,填充村{i},1,2020-01-01\n" for i in range(400))
    body += filler.encode("utf-8") + "4104211089999901,尾\x00网格,综合,尾村,1,2020-01-01\n".encode()
    assert len(body) > 9000
    path = tmp_path / "grids.csv"
    path.write_bytes(body)
    capsys.readouterr()
    code = main(["import", "--store", str(store), "grids", str(path)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert code == 2, text
    assert "第 3 行" in text and "控制字符" in text
    assert "第 4 行" in text and "户数" in text and "-5" in text
    assert "第 5 行" in text and "9999-12-31" in text
    assert "第 406 行" in text  # the NUL byte's row
    assert main(["sql", "--store", str(store), "SELECT count(*) AS n FROM grids", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "0"  # nothing was written


def test_sql_and_history_show_stored_markup_and_escapes_as_text(hostile_store, tmp_path, capsys, monkeypatch):
    root = tmp_path / "store"
    shutil.copytree(hostile_store, root)
    # A value written before control characters were refused (or by another tool).
    import fazhi_tui.store.validate as validate

    monkeypatch.setattr(validate, "content_problems", lambda *a, **k: [])
    host = PluginHost.load(only=PLUGINS)
    store = Store.open(root, table_specs(host, Config()), user=USER)
    grid = store.query("SELECT code, _rev FROM grids ORDER BY code LIMIT 1").to_pylist()[0]
    store.update("grids", grid["code"], {"name": MARKUP_GRID + "\x1b]0;pwned\x07\x1b[2J"}, expected_rev=grid["_rev"])
    store.close()
    monkeypatch.undo()
    capsys.readouterr()
    assert main(["sql", "--store", str(root), "SELECT name FROM grids ORDER BY code LIMIT 1"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b]0;pwned\\x07" in out and "[link=http://evil.example]" in out
    assert main(["history", "--store", str(root), "grids", grid["code"]]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[2J" in out


def test_a_control_character_is_refused_through_the_api_too(tmp_path):
    host = PluginHost.load(only=PLUGINS)
    store = Store.open(tmp_path / "s", table_specs(host, Config()), create=True, user=USER)
    with pytest.raises(ValidationError) as err:
        store.append("grids", [{"code": "1", "name": "a\x07", "kind": "综合", "village": "v"}])
    assert "控制字符" in str(err.value)
    store.close()


def test_the_csv_export_guards_formulas_in_list_columns_too(tmp_path, capsys):
    import csv as csvmod

    store = tmp_path / "store"
    assert main(["init", "--store", str(store)]) == 0
    host = PluginHost.load(only=PLUGINS)
    s = Store.open(store, table_specs(host, Config()), user=USER)
    s.append("people", [{"person_id": "P1", "name": '=HYPERLINK("http://evil")', "roles": ["网格员"]}])
    s.append("grids", [{"code": "G1", "name": "+网格", "kind": "综合", "village": "村", "workers": ["P1"]}])
    s.close()
    # A list column whose element looks like a formula: the joined cell gets the apostrophe.
    out = tmp_path / "grids.csv"
    capsys.readouterr()
    assert main(["export", "--store", str(store), "grids", "-o", str(out)]) == 0
    rows = list(csvmod.reader(out.open(encoding="utf-8-sig")))
    header = rows[0]
    assert rows[1][header.index("名称")] == "'+网格"
    assert rows[1][header.index("网格员")] == "P1"
    s = Store.open(store, table_specs(host, Config()), user=USER)
    grid = s.get("grids", "G1")
    s.update("grids", "G1", {"workers": ["=cmd|' /C calc'!A0", "P1"]}, expected_rev=grid["_rev"])
    s.close()
    assert main(["export", "--store", str(store), "grids", "-o", str(out)]) == 0
    rows = list(csvmod.reader(out.open(encoding="utf-8-sig")))
    assert rows[1][header.index("网格员")].startswith("'=cmd")


async def test_the_dashboard_shows_markup_in_names_and_tickets_as_text(hostile_store, tmp_path):
    from fazhi_tui.ui.app import FazhiApp

    root = tmp_path / "store"
    shutil.copytree(hostile_store, root)
    ticket_no = (root / "ticket.txt").read_text("utf-8")
    host = PluginHost.load(only=PLUGINS)
    store = Store.open(root, table_specs(host, Config()), user=USER)
    app = FazhiApp(Config(), host, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key in ("1", "2"):  # the map and the hotline, with the grid's name on both
            await pilot.press(key)
            await settle(pilot)
            assert app.is_running
            assert not [w for w in app.query("ErrorBox") if w.display], f"panel {key} failed"
        await pilot.press("g", *"坏", "enter")  # pick the grid by its hostile name
        await settle(pilot)
        assert app.is_running and app.grid is not None and app.grid.name == MARKUP_GRID
        assert MARKUP_GRID in text_of(app.query_one("ShellHeader"))  # as typed, not as markup
        await pilot.press("o")
        await pilot.pause()
        from textual.widgets import Input

        app.screen.query_one(Input).value = ticket_no
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running
        assert not [w for w in app.query("ErrorBox") if w.display]
        assert "[link=http://evil.example]点我[/link]" in "\n".join(text_of(w) for w in app.query("Static"))
    assert app.return_code in (None, 0)


@pytest.mark.parametrize(
    ("codes", "reason"),
    [
        (("劝阻", "立案"), "不在代码表"),  # the code check refuses it; the control check need not ask
        (("劝阻", "立案\x1b[2J"), "控制字符"),  # a code table that holds one itself: asked all the same
    ],
)
def test_a_code_column_never_keeps_a_control_character(tmp_path, codes, reason):
    import dataclasses

    from .store_specs import CASES

    spec = dataclasses.replace(CASES, code_tables={"action": codes})
    store = Store.open(tmp_path / "s", [spec], create=True, user=USER)
    row = {"case_no": "A1", "found_on": dt.date(2026, 1, 5), "action": "立案\x1b[2J"}
    with pytest.raises(ValidationError) as err:
        store.append("cases", [row])
    assert "第 1 行，“处理方式”列" in str(err.value) and reason in str(err.value)
    assert store.count("cases") == 0
    store.close()
