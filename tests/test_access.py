"""Roles, refusals at the store API and the CLI, PII masks everywhere, the audit trail, file modes."""

from __future__ import annotations

import datetime as dt
import grp
import os
import stat

import pyarrow as pa
import pytest

from fazhi_tui.access import ADMIN, CLERK, VIEWER, Access, AccessError, Policy, load_policy, resolve_access, role_for
from fazhi_tui.cli import main
from fazhi_tui.host_tables import HOST_TABLES
from fazhi_tui.pii import MASKS, mask_sql
from fazhi_tui.store import Column, Store, TableSpec
from fazhi_tui.store.audit import history_diff
from fazhi_tui.store.check import check_store, quarantine
from fazhi_tui.store.compact import compact
from fazhi_tui.store.errors import ReadOnlySQLError
from fazhi_tui.store.sql import run_readonly

CALLS = TableSpec(
    name="calls",
    label="来电",
    key="call_no",
    period_column="day",
    columns=(
        Column("call_no", pa.string(), "来电编号", required=True),
        Column("day", pa.date32(), "日期"),
        Column("caller", pa.string(), "来电人", pii="name"),
        Column("phone", pa.string(), "联系电话", pii="phone"),
        Column("id_no", pa.string(), "身份证号", pii="id_number"),
        Column("address", pa.string(), "住址", pii="address"),
        Column("staff", pa.string(), "承办人"),
    ),
)
ROW = {
    "call_no": "C1",
    "day": dt.date(2023, 5, 6),
    "caller": "欧阳娜娜",
    "phone": "13812345678",
    "id_no": "41042119800101123X",
    "address": "大黄村三组18号",
    "staff": "王建国",
}


@pytest.fixture
def root(tmp_path):
    s = Store.open(tmp_path / "s", [*HOST_TABLES, CALLS], create=True)
    s.append("calls", [ROW])
    s.close()
    return tmp_path / "s"


def open_as(root, role, **policy):
    return Store.open(root, [*HOST_TABLES, CALLS], access=Access("张三", role, Policy(**policy)))


# -- roles ---------------------------------------------------------------------------------------
def test_role_resolution_from_the_store_access_file(tmp_path):
    (tmp_path / "access.toml").write_text(
        'admin = ["wang", "@leaders"]\nclerk = ["li", "@staff"]\nclerk_tables = ["calls"]\n', "utf-8"
    )
    p = load_policy(tmp_path)
    assert role_for(p, "wang", set(), 1000) == ADMIN
    assert role_for(p, "zhao", {"leaders"}, 1001) == ADMIN
    assert role_for(p, "li", set(), 1002) == CLERK
    assert role_for(p, "qian", {"staff"}, 1003) == CLERK
    assert role_for(p, "sun", {"other"}, os.getuid()) == VIEWER  # admins named: owning the folder is not enough
    (tmp_path / "access.toml").write_text('admins = ["wang"]\n', "utf-8")
    with pytest.raises(Exception, match="未知的设置项 “admins”"):
        load_policy(tmp_path)


def test_without_an_access_file_the_owner_is_admin_and_others_view(tmp_path):
    p = load_policy(tmp_path)
    assert role_for(p, "me", set(), os.getuid()) == ADMIN
    assert role_for(p, "someone", set(), os.getuid() + 1) == VIEWER
    assert resolve_access(tmp_path).role == ADMIN


# -- refusals at the store API ------------------------------------------------------------------
def test_a_viewer_can_read_but_not_write_and_is_told_the_role_needed(root):
    s = open_as(root, VIEWER)
    assert s.count("calls") == 1
    for attempt in (
        lambda: s.append("calls", [{**ROW, "call_no": "C2"}]),
        lambda: s.update("calls", "C1", {"staff": "李四"}, expected_rev=1),
        lambda: s.delete("calls", "C1", expected_rev=1),
        lambda: s.upsert("calls", [ROW], {"C1": 1}),
    ):
        with pytest.raises(AccessError, match="张三（查看）不能修改“来电”：需要办事员或管理员角色"):
            attempt()
    with pytest.raises(AccessError, match="不能整理数据：需要管理员角色"):
        compact(s)
    with pytest.raises(AccessError, match="不能隔离文件：需要管理员角色"):
        quarantine(s, check_store(s))
    s.close()


def test_a_clerk_edits_only_the_tables_named(root):
    s = open_as(root, CLERK, clerk_tables=frozenset({"calls"}))
    s.update("calls", "C1", {"staff": "李四"}, expected_rev=1)
    with pytest.raises(AccessError, match="不在办事员可编辑的范围内"):
        s.append("grids", [{"code": "G1", "name": "一", "kind": "综合", "village": "甲庄村"}])
    with pytest.raises(AccessError, match="需要管理员角色"):
        compact(s)
    s.close()


# -- masks ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kind, value, masked",
    [
        ("name", "欧阳娜娜", "欧**"),
        ("name", "张三", "张*"),
        ("name", "李", "李*"),
        ("phone", "13812345678", "138****5678"),
        ("phone", "12345", "*2345"),
        ("phone", "6123456", "***3456"),
        ("phone", "0375-6123456", "037*****3456"),
        ("phone", "1234", "****"),
        ("id_number", "41042119800101123X", "410421********123X"),
        ("address", "大黄村三组18号", "大黄村三****"),
    ],
)
def test_masks_match_domain_rules_in_python_and_in_sql(kind, value, masked):
    import duckdb

    assert MASKS[kind](value) == masked
    assert duckdb.sql(f"SELECT {mask_sql(kind, 'v')} FROM (SELECT ? AS v)", params=[value]).fetchall()[0][0] == masked
    assert MASKS[kind](masked) == masked  # masking twice changes nothing


def test_a_viewer_sees_only_masked_pii_in_every_view_and_in_sql(root):
    s = open_as(root, VIEWER)
    row = s.query("SELECT caller, phone, id_no, address, staff FROM calls").to_pylist()[0]
    assert row == {
        "caller": "欧**",
        "phone": "138****5678",
        "id_no": "410421********123X",
        "address": "大黄村三****",
        "staff": "王建国",
    }
    assert s.query("SELECT phone FROM calls_history").column(0).to_pylist() == ["138****5678"]
    # No expression over the views can get the original back.
    assert run_readonly(s, "SELECT upper(phone) || caller AS x FROM calls").column(0).to_pylist() == ["138****5678欧**"]
    for sql, why in [
        (f"SELECT * FROM read_parquet('{root}/calls/**/*.parquet')", "表函数"),
        (f"SELECT * FROM '{root}/calls/log/x.parquet'", "没有名为"),
        ("SELECT * FROM calls__delta", "内部视图"),
        ("SELECT * FROM calls__latest", "内部视图"),
    ]:
        with pytest.raises(ReadOnlySQLError, match=why):
            run_readonly(s, sql)
    s.close()
    admin = open_as(root, ADMIN)
    assert admin.query("SELECT phone FROM calls").column(0).to_pylist() == ["13812345678"]
    admin.close()


def test_cli_refuses_and_masks_for_a_user_who_is_not_listed(root, tmp_path, capsys):
    (root / "access.toml").write_text('admin = ["somebody-else"]\n', "utf-8")
    assert main(["whoami", "--store", str(root)]) == 0
    assert "角色：查看" in capsys.readouterr().out
    assert main(["compact", "--store", str(root)]) == 2
    assert "需要管理员角色" in capsys.readouterr().err
    assert main(["check", "--quarantine", "--store", str(root)]) == 2
    assert "需要管理员角色" in capsys.readouterr().err
    csv_file = tmp_path / "g.csv"
    csv_file.write_text("网格编码,名称,类型,所属村\nG1,一号网格,综合,甲庄村\n", "utf-8")
    assert main(["import", "grids", str(csv_file), "--store", str(root)]) == 2
    assert "需要办事员或管理员角色" in capsys.readouterr().err


def test_a_viewers_cli_export_and_sql_contain_no_unmasked_pii(tmp_path, capsys):
    store = tmp_path / "demo"
    assert main(["demo", "--store", str(store), "--today", "2026-11-26"]) == 0
    capsys.readouterr()
    phones = run_admin_phones(store)
    assert phones
    (store / "access.toml").write_text('admin = ["somebody-else"]\n', "utf-8")
    for fmt in ("csv", "xlsx", "parquet"):
        target = tmp_path / f"people.{fmt}"
        assert main(["export", "people", "-o", str(target), "--store", str(store)]) == 0
        assert "已脱敏：联系电话" in capsys.readouterr().out
        data = target.read_bytes()
        if fmt == "xlsx":
            import zipfile

            with zipfile.ZipFile(target) as z:
                data = b"".join(z.read(n) for n in z.namelist())
        assert not any(p.encode() in data for p in phones[:50])
    assert main(["sql", "SELECT phone FROM people", "--format", "csv", "--store", str(store)]) == 0
    text = capsys.readouterr().out
    assert "****" in text and not any(p in text for p in phones)


def run_admin_phones(store) -> list[str]:
    from fazhi_tui.config import Config
    from fazhi_tui.runtime import open_runtime

    rt = open_runtime(Config(), store)
    try:
        return [p for p in rt.store.query("SELECT phone FROM people WHERE phone IS NOT NULL").column(0).to_pylist()]
    finally:
        rt.close()


# -- audit ---------------------------------------------------------------------------------------
def test_history_shows_who_changed_which_fields_from_what_to_what(root, capsys):
    s = Store.open(root, [*HOST_TABLES, CALLS], user="李四")
    s.update("calls", "C1", {"staff": "赵六", "address": "大黄村四组"}, expected_rev=1)
    s.delete("calls", "C1", expected_rev=2)
    versions = history_diff(s, "calls", "C1")
    assert [(v.rev, v.action, v.by) for v in versions] == [
        (1, "新建", versions[0].by),
        (2, "修改", "李四"),
        (3, "删除", "李四"),
    ]
    assert [(c.label, c.before, c.after) for c in versions[1].changes] == [
        ("住址", "大黄村三组18号", "大黄村四组"),
        ("承办人", "王建国", "赵六"),
    ]
    s.close()


def test_cli_history_lists_versions_with_changes(tmp_path, capsys):
    s = Store.open(tmp_path / "s", HOST_TABLES, create=True, user="王五")
    s.append("grids", [{"code": "G1", "name": "一号网格", "kind": "综合", "village": "甲庄村", "households": 300}])
    s.update("grids", "G1", {"households": 320}, expected_rev=1)
    s.close()
    assert main(["history", "grids", "G1", "--store", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    assert "网格 G1：共 2 个版本" in out and "王五  新建" in out and "户数：300 → 320" in out
    assert main(["history", "grids", "G9", "--store", str(tmp_path / "s")]) == 2
    assert "没有编号为 G9 的记录" in capsys.readouterr().err


# -- files and modes -----------------------------------------------------------------------------
def test_init_with_a_group_makes_files_for_the_group_only(tmp_path, capsys):
    group = grp.getgrgid(os.getgid()).gr_name
    store = tmp_path / "s"
    assert main(["init", "--group", group, "--store", str(store)]) == 0
    capsys.readouterr()
    mode = store.stat().st_mode
    assert mode & stat.S_ISGID and mode & stat.S_ISVTX and not mode & 0o007
    assert (store / "access.toml").stat().st_mode & 0o777 == 0o640
    csv_file = tmp_path / "g.csv"
    csv_file.write_text("网格编码,名称,类型,所属村\nG1,一号网格,综合,甲庄村\n", "utf-8")
    assert main(["import", "grids", str(csv_file), "--store", str(store)]) == 0
    written = list((store / "grids" / "log").iterdir())
    assert written and all(
        p.stat().st_mode & 0o777 == 0o640 for p in written
    )  # written once: only its writer may change it
    assert main(["check", "--store", str(store)]) == 0
    assert "文件权限" not in capsys.readouterr().out
    written[0].chmod(0o666)
    (store / "access.toml").chmod(0o664)
    assert main(["check", "--store", str(store)]) == 0  # a warning, not an error
    out = capsys.readouterr().out
    assert "文件权限：其他用户可写" in out and "其他用户可读" in out
    assert "access.toml 可被他人修改" in out
