"""One word for one thing (issue 20): what the screen, the export, the CLI and the history call
the same thing is spelled the same."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pyarrow.parquet as pq

from fazhi_hotline import open_list, tables, tickets
from fazhi_hotline.deadlines import DEFAULT_DEADLINE_DAYS, rules_from_settings
from fazhi_hotline.history import VersionChange as HotlineVersion
from fazhi_tui import cli
from fazhi_tui.config import Config
from fazhi_tui.context import Context
from fazhi_tui.demo import build_demo
from fazhi_tui.host_tables import GRIDS, PEOPLE
from fazhi_tui.period import Period
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store
from fazhi_tui.store.audit import VersionChange as AuditVersion
from fazhi_tui.store.validate import rows_to_table
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
    # The daily review's check calls them the same.
    checks = {c.value.name: c.value for c in host.contributions("fazhi_review_checks")}
    assert checks["hotline_due_soon"].title == f"12345工单{open_list.DUE_SOON_FLAG}（一个工作日内）"
    assert checks["hotline_overdue"].title == f"12345工单{open_list.OVERDUE_FLAG}"


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


# -- 其他, not 其它 -------------------------------------------------------------------------------
# Stores made before issue 20 hold the 诉求类型 其它. One written so here: the hotline table as it
# was then (其它 in its code table, no old spelling), through the real store.
OLD_APPEALS = ("咨询", "求助", "投诉举报", "建议", "其它")
OLD_HOTLINE = dataclasses.replace(
    tables.HOTLINE_SPEC,
    code_tables={**tables.HOTLINE_SPEC.code_tables, "hotline_appeal_type": OLD_APPEALS},
    code_aliases={},
)


def _ticket(no: str, appeal: str, status: str = "办理中") -> dict:
    received = dt.datetime(2026, 11, 2, 9)
    return {
        "ticket_no": no,
        "source": "工单",
        "received_at": received,
        "appeal_type": appeal,
        "content": f"{no} 的诉求",
        "urgency": "一般",
        "signed_at": received + dt.timedelta(hours=1),
        "deadline": dt.date(2026, 11, 30),
        "closed_at": received + dt.timedelta(days=2) if status == "已办结" else None,
        "status": status,
    }


def _raw_appeals(root=None, files=None) -> set[str]:
    """诉求类型 as the hotline's Parquet files hold them (all of them, or ``files``), read without the store."""
    files = files if files is not None else list((root / "hotline").rglob("*.parquet"))
    assert files
    return {v for f in files for v in pq.read_table(f, columns=["appeal_type"]).column(0).to_pylist()}


def _old_store(root) -> None:
    with Store.open(root, [GRIDS, PEOPLE, OLD_HOTLINE], create=True, user="旧版本", auto_fold=False) as old:
        old.append(tables.HOTLINE, [_ticket("T1", "其它"), _ticket("T2", "其它", "已办结"), _ticket("T3", "投诉举报")])
    assert _raw_appeals(root) == {"其它", "投诉举报"}


def test_a_store_holding_其它_reads_it_as_其他_in_figures_filters_lists_and_history(tmp_path):
    root = tmp_path / "s"
    _old_store(root)
    store = Store.open(root, [GRIDS, PEOPLE, tables.HOTLINE_SPEC], user="测试员", auto_fold=False)
    store.append(tables.HOTLINE, [_ticket("T4", "其他")])  # a ticket of today's program
    counts = {
        r["appeal_type"]: r["n"]
        for r in store.query("SELECT appeal_type, count(*) AS n FROM hotline GROUP BY 1").to_pylist()
    }
    assert counts == {"其他": 3, "投诉举报": 1}
    assert store.query("SELECT count(*) FROM hotline WHERE appeal_type = '其它'").column(0)[0].as_py() == 0
    assert store.get(tables.HOTLINE, "T1")["appeal_type"] == "其他"
    assert set(store.history(tables.HOTLINE, "T1").column("appeal_type").to_pylist()) == {"其他"}
    ctx = Context(store=store, period=Period.year(2026), grid=None, today=dt.date(2026, 11, 26), town="赵庄镇")
    listed = {r["ticket_no"]: r["appeal_type"] for r in open_list.open_tickets(ctx, limit=100).rows.to_pylist()}
    assert listed == {"T1": "其他", "T3": "投诉举报", "T4": "其他"}
    exported = open_list.all_open_tickets(ctx)
    assert set(exported.column("appeal_type").to_pylist()) == {"其他", "投诉举报"}
    # An old ticket is edited as any other: 办结 writes a version that passes today's code table.
    rev = store.get(tables.HOTLINE, "T1")["_rev"]
    tickets.close_ticket(ctx, "T1", expected_rev=rev, at=dt.datetime(2026, 11, 26, 10), result="已答复")
    assert store.get(tables.HOTLINE, "T1")["status"] == "已办结"
    # Compaction reads through the same views: the files it writes hold 其他 only.
    store.fold(tables.HOTLINE)
    assert _raw_appeals(files=store.files(tables.HOTLINE).current_files) == {"其他", "投诉举报"}
    store.close()


def test_a_file_that_says_其它_is_accepted_and_stored_as_其他(tmp_path, capsys):
    store = tmp_path / "s"
    assert cli.main(["init", "--store", str(store)]) == 0
    path = tmp_path / "tickets.csv"
    path.write_text(
        "工单编号,来源,受理时间,诉求类型,主要内容,状态\n"
        "GD1,工单,2026-11-02 09:00,其它,路灯不亮,办理中\n"
        "GD2,工单,2026-11-03 09:00,其他,占道经营,办理中\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert cli.main(["import", "hotline", str(path), "--store", str(store)]) == 0
    assert _raw_appeals(store) == {"其他"}
    # The same file again: the same rows, nothing to write (其它 in the file is the stored 其他).
    capsys.readouterr()
    assert cli.main(["import", "hotline", str(path), "--store", str(store), "--update"]) == 0
    assert "无需写入" in capsys.readouterr().out
    assert cli.main(["tables", "--store", str(store)]) == 0
    assert "旧写法 其它 视同 其他" in capsys.readouterr().out


def test_an_office_config_with_其它_means_其他():
    rules = rules_from_settings({"deadline_days": {"其它": 3}})
    assert rules.days_for("其他") == rules.days_for("其它") == 3
    assert rules_from_settings(None).days_for("其他") == DEFAULT_DEADLINE_DAYS["其他"]


def test_an_office_that_lists_其它_in_its_own_code_table_keeps_it():
    host = PluginHost.load(only=["fazhi_hotline"])
    cfg = Config(code_tables={"hotline_appeal_type": list(OLD_APPEALS)})
    spec = next(s for s in table_specs(host, cfg) if s.name == tables.HOTLINE)
    assert spec.aliased_columns == {}
    kept = rows_to_table(spec, [_ticket("T1", "其它")]).column("appeal_type").to_pylist()
    assert kept == ["其它"]
    default = next(s for s in table_specs(host, Config()) if s.name == tables.HOTLINE)
    assert default.aliased_columns == {"appeal_type": {"其它": "其他"}}
    assert rows_to_table(default, [_ticket("T1", "其它")]).column("appeal_type").to_pylist() == ["其他"]
