"""One word for one thing (issue 20): what the screen, the export, the CLI and the history call
the same thing is spelled the same."""

from __future__ import annotations

import datetime as dt

from fazhi_hotline import open_list
from fazhi_hotline.history import VersionChange as HotlineVersion
from fazhi_tui import cli
from fazhi_tui.config import Config
from fazhi_tui.context import Context
from fazhi_tui.demo import build_demo
from fazhi_tui.period import Period
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store
from fazhi_tui.store.audit import VersionChange as AuditVersion
from fazhi_tui.transfer.read import encoding_name
from fazhi_tui.ui.screens import import_screen


def test_due_soon_is_one_word_on_screen_and_in_the_export(tmp_path):
    host = PluginHost.load(only=["fazhi_hotline"])
    build_demo(tmp_path / "s", host, table_specs(host, Config()), dt.date(2026, 11, 26))
    store = Store.open(tmp_path / "s", table_specs(host, Config()), user="测试员")
    ctx = Context(store=store, period=Period.year(2026), grid=None, today=dt.date(2026, 11, 26), town="赵庄镇")
    exported = open_list.all_open_tickets(ctx).column("flag").to_pylist()
    shown = open_list.display_rows(open_list.open_tickets(ctx, limit=100).rows).column("flag").to_pylist()
    assert set(exported) - {None} == set(shown) - {None} == {"超期", "即将到期"}
    assert "即将到期" in open_list.open_summary(ctx) and "一个工作日内到期" not in open_list.open_summary(ctx)


def test_a_new_record_is_新建_in_the_panels_history_and_the_cli():
    at = dt.datetime(2026, 11, 26, 9, tzinfo=dt.UTC)
    panel = HotlineVersion(1, "put", at, "张三", ())
    cli_line = AuditVersion(1, "put", at, "张三", (), created=True)
    assert panel.summary == cli_line.action == "新建"


def test_utf8_with_a_bom_is_named_alike_in_the_cli_and_the_dashboard(tmp_path, capsys):
    assert encoding_name("utf-8-sig") == "UTF-8（带 BOM）"
    assert "ENCODINGS" not in vars(import_screen)  # the dialog names it through encoding_name too
    store = tmp_path / "s"
    assert cli.main(["init", "--store", str(store)]) == 0
    path = tmp_path / "grids.csv"
    path.write_bytes("网格编码,名称,类型,所属村\n41042110829901,新设网格,综合,赵庄村\n".encode("utf-8-sig"))
    capsys.readouterr()
    assert cli.main(["import", "grids", str(path), "--store", str(store), "--dry-run"]) == 0
    out = capsys.readouterr()
    text = out.out + out.err
    assert "UTF-8（带 BOM）" in text and "utf-8-sig" not in text
