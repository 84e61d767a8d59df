"""Issue 13: the attacks of a hostile viewer, clerk or outsider, each reproduced and refused.

Attacks about the program's logic use plain ``Access`` objects; those about OS identity run the
real thing: OS users made for the test (the suite runs as root), the CLI run as them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fazhi_tui.host_tables import HOST_TABLES
from fazhi_tui.store import Store
from fazhi_tui.store.access import ADMIN, CLERK, VIEWER, Access, Policy
from fazhi_tui.store.errors import ReadOnlySQLError, StoreError
from fazhi_tui.store.sql import run_readonly

from .test_access import CALLS, ROW

REAL = {"欧阳娜娜", "13812345678", "41042119800101123X", "大黄村三组18号"}


@pytest.fixture
def store_root(tmp_path):
    """A store with one record folded into a generation and one in the delta (both paths read)."""
    s = Store.open(tmp_path / "s", [*HOST_TABLES, CALLS], create=True)
    s.append("calls", [ROW])
    s.fold("calls")
    s.append("calls", [{**ROW, "call_no": "C2", "day": dt.date(2023, 6, 1)}])
    s.close()
    return tmp_path / "s"


def as_role(root, role, **policy) -> Store:
    return Store.open(root, [*HOST_TABLES, CALLS], access=Access("张三", role, Policy(**policy)))


def leaked(table) -> set[str]:
    return {str(v) for col in table.columns for v in col.to_pylist()} & REAL


# -- a viewer reads unmasked PII through ``sql`` ----------------------------------------------
def sql_attacks(root) -> list[str]:
    glob = f"{root}/calls/**/*.parquet"
    log = f"{root}/calls/log/*.parquet"
    return [
        f'WITH "{glob}" AS (SELECT caller, phone FROM "{glob}") SELECT * FROM "{glob}"',
        f'WITH RECURSIVE "{log}" AS (SELECT caller, phone FROM "{log}") SELECT * FROM "{log}"',
        f'WITH "{log}" AS MATERIALIZED (SELECT caller, phone FROM "{log}") SELECT * FROM "{log}"',
        f'SELECT * FROM (WITH "{log}" AS (SELECT caller, phone FROM "{log}") SELECT * FROM "{log}")',
        f'WITH "{log}" AS (SELECT caller, phone FROM "{log}") SELECT c.staff, x.* FROM calls c JOIN "{log}" x ON true',
        "WITH calls__delta AS (SELECT caller, phone FROM calls__delta) SELECT * FROM calls__delta",
        'WITH "CALLS__DELTA" AS (SELECT * FROM calls__delta) SELECT * FROM "CALLS__DELTA"',
        "WITH __delta_latest__calls AS (SELECT * FROM __delta_latest__calls) SELECT * FROM __delta_latest__calls",
        "WITH x AS (SELECT * FROM calls__latest) SELECT * FROM x",
        "SELECT * FROM memory.main.calls__delta",
        f"SELECT * FROM read_parquet('{log}')",
        f"SELECT * FROM '{log}'",
        "SELECT * FROM query_table('calls__delta')",
    ]


def test_a_viewers_sql_never_returns_real_pii_whatever_names_it_plays_with(store_root):
    s = as_role(store_root, VIEWER)
    for attack in sql_attacks(store_root):
        try:
            result = run_readonly(s, attack)
        except ReadOnlySQLError:
            continue
        assert not leaked(result), attack
    # What a viewer may do still works, masked.
    assert run_readonly(s, "WITH c AS (SELECT caller FROM calls) SELECT * FROM c ORDER BY 1").column(0).to_pylist() == [
        "欧**",
        "欧**",
    ]
    assert run_readonly(s, "SELECT count(*) FROM calls_history JOIN calls USING (call_no)").column(0)[0].as_py() == 2
    s.close()


def test_a_viewers_sql_refuses_what_shows_settings_paths_or_internal_names(store_root):
    s = as_role(store_root, VIEWER)
    for attack in [
        "SELECT current_setting('allowed_directories')",
        "SELECT current_setting('temp_directory')",
        "SHOW ALL TABLES",
        "SHOW TABLES",
        "DESCRIBE calls",
        "SELECT * FROM duckdb_views()",
        "SELECT * FROM information_schema.tables",
        "SELECT * FROM pg_catalog.pg_views",
        "WITH pg_views AS (SELECT * FROM pg_views) SELECT * FROM pg_views",
        "SELECT getvariable('x')",
    ]:
        with pytest.raises(ReadOnlySQLError):
            run_readonly(s, attack)
    s.close()


def test_a_clerk_who_sees_pii_still_reads_no_file_directly(store_root):
    s = as_role(store_root, CLERK, clerk_tables=frozenset({"calls"}))
    assert run_readonly(s, "SELECT phone FROM calls ORDER BY call_no").column(0).to_pylist() == ["13812345678"] * 2
    with pytest.raises(ReadOnlySQLError):
        run_readonly(s, f"SELECT * FROM '{store_root}/access.toml'")
    with pytest.raises(ReadOnlySQLError):
        run_readonly(s, sql_attacks(store_root)[0].replace("calls/**/*.parquet", "fazhi-store.json"))
    s.close()


def test_an_admin_still_reads_files_of_the_store(store_root):
    s = as_role(store_root, ADMIN)
    got = run_readonly(s, f"SELECT count(*) FROM read_parquet('{store_root}/calls/log/*.parquet')")
    assert got.column(0)[0].as_py() >= 1
    s.close()


# -- editing with masked values destroys the real ones -----------------------------------------
def clerk_without_pii(root) -> Store:
    return as_role(root, CLERK, clerk_tables=frozenset({"calls"}), pii_roles=frozenset({ADMIN}))


def real_pii(root, record="C1") -> dict:
    s = as_role(root, ADMIN)
    row = s.get("calls", record) or {}
    history = s.history("calls", record).to_pylist()
    s.close()
    return {"now": {k: row.get(k) for k in ("caller", "phone", "id_no", "address")}, "history": history}


def test_a_clerk_without_pii_who_edits_a_record_keeps_its_real_pii(store_root):
    s = clerk_without_pii(store_root)
    assert s.get("calls", "C1")["caller"] == "欧**"  # what this clerk sees
    rev = s.update("calls", "C1", {"staff": "李四"}, expected_rev=1)
    # Even passing values for the hidden columns does not replace them (the form never offers them).
    row = {k: v for k, v in s.get("calls", "C1").items() if not k.startswith("_")}
    s.save("calls", [{**row, "caller": "欧**", "phone": "0"}], {"C1": rev})
    s.upsert("calls", [{**ROW, "call_no": "C2", "caller": "欧**", "staff": "赵六"}], {"C2": 1})
    s.delete("calls", "C2", expected_rev=2)
    s.close()
    for record in ("C1", "C2"):
        got = real_pii(store_root, record)
        if record == "C1":
            assert got["now"] == {k: ROW[k] for k in got["now"]}
        for version in got["history"]:
            assert version["caller"] == "欧阳娜娜" and version["phone"] == "13812345678", version
    # A new record keeps what its clerk typed.
    s = clerk_without_pii(store_root)
    s.append("calls", [{**ROW, "call_no": "C9", "caller": "袁亮新"}])
    s.close()
    assert real_pii(store_root, "C9")["now"]["caller"] == "袁亮新"


def test_an_import_update_by_a_clerk_without_pii_keeps_the_real_pii(store_root, tmp_path):
    from fazhi_tui.transfer.importer import plan_import, run_import

    csv = tmp_path / "calls.csv"
    csv.write_text("来电编号,日期,来电人,承办人\nC1,2023-05-06,欧**,李四\n", "utf-8")  # as exported, masked
    s = clerk_without_pii(store_root)
    plan = plan_import(s, "calls", csv, update=True)
    assert plan.updates == 1
    run_import(s, plan)
    s.close()
    got = real_pii(store_root)
    assert got["now"]["caller"] == "欧阳娜娜" and got["now"]["phone"] == "13812345678"
    assert real_pii(store_root)["history"][-1]["staff"] == "李四"


# -- a viewer tests guesses against real PII ---------------------------------------------------
def test_a_dry_run_checks_the_role_as_the_real_run_does(store_root, tmp_path, capsys):
    from fazhi_tui.cli import main
    from fazhi_tui.store.access import AccessError
    from fazhi_tui.transfer.importer import plan_import

    csv = tmp_path / "guess.csv"
    csv.write_text("来电编号,日期,来电人,联系电话,承办人\nC1,2023-05-06,欧阳娜娜,13812345678,王建国\n", "utf-8")
    s = as_role(store_root, VIEWER)
    with pytest.raises(AccessError, match="需要办事员或管理员角色"):
        plan_import(s, "calls", csv, update=True)
    s.close()
    (store_root / "access.toml").write_text('admin = ["somebody-else"]\n', "utf-8")
    grids = tmp_path / "g.csv"
    grids.write_text("网格编码,名称,类型,所属村\nG1,一号网格,综合,甲庄村\n", "utf-8")
    assert main(["import", "grids", str(grids), "--update", "--dry-run", "--store", str(store_root)]) == 2
    out = capsys.readouterr()
    assert "需要办事员或管理员角色" in out.err and "未变" not in out.out


def test_a_dry_run_compares_only_what_the_user_may_see(store_root, tmp_path):
    from fazhi_tui.transfer.importer import plan_import

    s = clerk_without_pii(store_root)
    counts = []
    for phone in ("13812345678", "13812340000"):  # the right guess, a wrong one
        csv = tmp_path / f"{phone}.csv"
        csv.write_text(f"来电编号,日期,来电人,联系电话,承办人\nC1,2023-05-06,欧阳娜娜,{phone},王建国\n", "utf-8")
        plan = plan_import(s, "calls", csv, update=True)
        counts.append((plan.new, plan.updates, plan.unchanged))
    s.close()
    assert counts[0] == counts[1] == (0, 0, 1)


# -- the API is the boundary too --------------------------------------------------------------
def test_a_caller_cannot_open_the_store_with_more_than_its_role(store_root):
    from fazhi_tui.store.access import UNRESTRICTED, AccessError

    (store_root / "access.toml").write_text('admin = ["somebody-else"]\n', "utf-8")  # this account: viewer
    with pytest.raises(AccessError, match="access.toml"):
        Store.open(store_root, [*HOST_TABLES, CALLS], access=UNRESTRICTED)
    with pytest.raises(AccessError, match="access.toml"):
        Store.open(store_root, [*HOST_TABLES, CALLS], access=Access("x", CLERK, Policy(clerk_tables=frozenset({"*"}))))
    s = Store.open(store_root, [*HOST_TABLES, CALLS], access=Access("x", VIEWER))  # less is fine
    s.close()


def test_a_second_declaration_of_a_table_is_refused_even_with_tryfirst(tmp_path):
    from fazhi_tui.plugins import PluginHost

    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "unmask.py").write_text(
        "import pyarrow as pa\n"
        "from fazhi_tui.api import Column, TableSpec, hookimpl\n"
        "@hookimpl(tryfirst=True)\n"
        "def fazhi_tables():\n"
        "    return [TableSpec(name='hotline', label='工单', key='ticket_no', columns=(\n"
        "        Column('ticket_no', pa.string(), '工单编号', required=True), Column('caller', pa.string(), '来电人'),\n"
        "        Column('phone', pa.string(), '联系电话')))]\n",
        "utf-8",
    )
    host = PluginHost.load(only=["fazhi_hotline", "unmask"], plugin_dirs=[folder])
    hotline = [s for s in host.table_specs() if s.name == "hotline"]
    assert len(hotline) == 1 and hotline[0].column("caller").pii == "name"
    assert host.table_owner["hotline"] == "fazhi_hotline"
    assert any("已由 fazhi_hotline 使用" in e for e in host.infos["unmask"].errors)


def test_os_identity_decides_role_author_and_time(store_root, os_users):
    """A viewer (a real OS account in the store's group) passes access=UNRESTRICTED and
    user="root"; a clerk passes append(by=, at=)."""
    import grp
    import os
    import shutil

    root = os_users.base / "store"
    shutil.copytree(store_root, root)
    gid = grp.getgrnam(os_users.group).gr_gid
    for p in [root, *root.rglob("*")]:
        os.chown(p, 0, gid)
        p.chmod(0o2770 if p.is_dir() else 0o660)
    (root / "access.toml").write_text(f'clerk = ["{os_users.clerk}"]\nclerk_tables = ["calls"]\n', "utf-8")
    (root / "access.toml").chmod(0o640)
    os.chown(root / "access.toml", 0, gid)
    prelude = (
        "from fazhi_tui.host_tables import HOST_TABLES\n"
        "from tests.test_access import CALLS, ROW\n"
        "from fazhi_tui.store import Store\n"
        "from fazhi_tui.store.access import UNRESTRICTED\n"
        "import datetime as dt\n"
        f"root = {str(root)!r}\n"
    )
    viewer = os_users.python(
        os_users.viewer,
        prelude + "try:\n    Store.open(root, [*HOST_TABLES, CALLS], access=UNRESTRICTED, user='root')\n"
        "except Exception as e:\n    print('REFUSED', e)\n"
        "else:\n    print('OPENED')\n",
    )
    assert "REFUSED" in viewer.stdout, viewer.stdout + viewer.stderr
    clerk = os_users.python(
        os_users.clerk,
        prelude
        + "try:\n    Store.open(root, [*HOST_TABLES, CALLS], user='root')\nexcept Exception as e:\n    print('USER REFUSED', e)\n"
        "s = Store.open(root, [*HOST_TABLES, CALLS])\n"
        "try:\n    s.append('calls', [{**ROW, 'call_no': 'F1'}], by='王镇长', at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))\n"
        "except Exception as e:\n    print('STAMP REFUSED', e)\n"
        "s.append('calls', [{**ROW, 'call_no': 'F2'}])\n"
        "print('BY', s.get('calls', 'F2')['_by'])\n"
        "s.close()\n",
    )
    assert "USER REFUSED" in clerk.stdout and "STAMP REFUSED" in clerk.stdout, clerk.stdout + clerk.stderr
    assert f"BY {os_users.clerk}" in clerk.stdout
    s = Store.open(root, [*HOST_TABLES, CALLS])
    assert s.get("calls", "F1") is None
    assert s.get("calls", "F2")["_at"].year >= 2026
    s.close()


# -- a group member runs code as the admin ----------------------------------------------------
PLANTED_PLUGIN = "from pathlib import Path\nPath({flag!r}).write_text('ran')\n"


def shared_store(os_users, name="shared") -> Path:
    """A store made as ``init --group`` makes it, by root, for the test users' group."""
    from fazhi_tui.cli import main

    root = os_users.base / name
    assert main(["init", "--group", os_users.group, "--store", str(root)]) == 0
    (root / "access.toml").write_text(f'clerk = ["{os_users.clerk}"]\nclerk_tables = ["*"]\n', "utf-8")
    return root


def test_a_members_config_and_plugin_in_a_shared_folder_do_not_run_as_the_admin(os_users, capsys):
    import subprocess
    import sys

    root = shared_store(os_users)
    capsys.readouterr()
    flag = os_users.base / "planted-ran"
    # The clerk plants a plugin inside the store and a config beside it that loads it.
    planted = os_users.python(
        os_users.clerk,
        "from pathlib import Path\n"
        f"root = Path({str(root)!r})\n"
        "(root / 'p').mkdir()\n"
        f"(root / 'p' / 'evil.py').write_text({PLANTED_PLUGIN.format(flag=str(flag))!r})\n"
        "(root / 'fazhi-tui.toml').write_text('plugins_dirs = [\"p\"]\\n')\n",
    )
    assert planted.returncode == 0, planted.stderr
    # The admin (root) runs a command in that folder.
    run = subprocess.run(
        [sys.executable, "-m", "fazhi_tui", "plugins", "--store", str(root)],
        cwd=root,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "PYTHONPATH": str(os_users.base.parent)},
    )
    assert not flag.exists(), "a member's plugin ran as the admin"
    assert "配置文件" in run.stderr and "fazhi-tui.toml" in run.stderr and "未使用" in run.stderr, run.stderr


def test_plugin_folders_inside_a_store_or_writable_by_others_are_not_loaded(store_root, tmp_path):
    from fazhi_tui.plugins import PluginHost

    flag = tmp_path / "ran"
    inside = store_root / "plugins"
    inside.mkdir()
    (inside / "evil.py").write_text(PLANTED_PLUGIN.format(flag=str(flag)), "utf-8")
    open_folder = tmp_path / "open"
    open_folder.mkdir()
    (open_folder / "evil2.py").write_text(PLANTED_PLUGIN.format(flag=str(flag)), "utf-8")
    open_folder.chmod(0o777)
    host = PluginHost.load(only=["evil", "evil2"], plugin_dirs=[inside, open_folder], entry_points=False)
    assert not flag.exists()
    assert any("位于数据目录" in w and str(inside) in w for w in host.warnings)
    assert any("允许他人修改" in w and str(open_folder) in w for w in host.warnings)


def test_a_config_file_someone_else_owns_is_passed_over_with_a_warning(os_users, tmp_path, monkeypatch):
    import os
    import pwd

    from fazhi_tui.config import ConfigError, load_config

    folder = tmp_path / "work"
    folder.mkdir()
    cfg = folder / "fazhi-tui.toml"
    cfg.write_text('town = "别处"\n', "utf-8")
    os.chown(cfg, pwd.getpwnam(os_users.clerk).pw_uid, -1)
    monkeypatch.chdir(folder)
    got = load_config()
    assert got.town != "别处" and any(str(cfg) in w and "其他用户" in w for w in got.warnings)
    with pytest.raises(ConfigError, match="属于其他用户"):
        load_config(cfg)


# -- the store's own files ----------------------------------------------------------------------
def test_init_refuses_an_existing_store_and_keeps_its_roles(tmp_path, capsys):
    from fazhi_tui.cli import main

    store = tmp_path / "s"
    assert main(["init", "--store", str(store)]) == 0
    (store / "access.toml").write_text('admin = ["wang"]\n', "utf-8")
    capsys.readouterr()
    assert main(["init", "--store", str(store)]) == 2
    assert "已是数据目录" in capsys.readouterr().err
    assert (store / "access.toml").read_text("utf-8") == 'admin = ["wang"]\n'


def test_an_access_file_a_member_planted_is_refused_not_obeyed(os_users):
    root = shared_store(os_users, "planted")
    (root / "access.toml").unlink()  # a store without one: its owner is admin, others view
    planted = os_users.python(
        os_users.viewer,
        f"open({str(root / 'access.toml')!r}, 'w').write('admin = [\"{os_users.viewer}\"]\\n')\n",
    )
    assert planted.returncode == 0, planted.stderr
    who = os_users.cli(os_users.viewer, "whoami", "--store", str(root))
    assert "角色：管理员" not in who.stdout
    assert who.returncode == 2 and "不是数据目录的所有者" in who.stderr, who.stdout + who.stderr
    check = os_users.cli(os_users.viewer, "check", "--store", str(root))
    assert "access.toml" in check.stderr and check.returncode == 2


def test_a_group_writable_access_file_is_refused(os_users):
    from fazhi_tui.store.access import AccessConfigError

    root = shared_store(os_users, "gw")
    (root / "access.toml").chmod(0o660)  # the group has members besides the owner
    with pytest.raises(AccessConfigError, match="允许他人修改"):
        Store.open(root, HOST_TABLES)


def test_the_marker_is_the_owners_and_demo_force_keeps_real_records(tmp_path, os_users):
    import stat

    from fazhi_tui.demo import build_demo
    from fazhi_tui.plugins import PluginHost
    from fazhi_tui.store import write_marker

    root = shared_store(os_users, "marked")
    assert stat.S_IMODE((root / "fazhi-store.json").stat().st_mode) == 0o640
    tamper = os_users.python(os_users.clerk, f"open({str(root / 'fazhi-store.json')!r}, 'w').write('{{}}')\n")
    assert tamper.returncode != 0 and "Permission" in tamper.stderr
    # The owner's own marker says demo (an old demo store), but a clerk has written a record.
    write_marker(root, demo=True, today="2026-01-01")
    wrote = os_users.python(
        os_users.clerk,
        "from fazhi_tui.host_tables import HOST_TABLES\nfrom fazhi_tui.store import Store\n"
        f"s = Store.open({str(root)!r}, HOST_TABLES)\n"
        "s.append('grids', [{'code': 'G1', 'name': '一号网格', 'kind': '综合', 'village': '甲庄村'}])\ns.close()\n",
    )
    assert wrote.returncode == 0, wrote.stderr
    host = PluginHost.load(only=[])
    with pytest.raises(StoreError, match=f"{os_users.clerk} 写入的记录"):
        build_demo(root, host, host.table_specs(), dt.date(2026, 11, 27), force=True)
    s = Store.open(root, HOST_TABLES)
    assert s.count("grids") == 1
    s.close()


def test_a_lock_file_swapped_for_a_symlink_is_refused(os_users):
    root = shared_store(os_users, "locks")
    victim = os_users.base / "victim"
    s = Store.open(root, HOST_TABLES)
    s.append("grids", [{"code": "G1", "name": "一", "kind": "综合", "village": "甲庄村"}])  # makes .locks
    # The sticky bit: a member cannot replace the lock file root made …
    swap = os_users.python(
        os_users.clerk,
        "import os\n"
        f"p = {str(root / '.locks' / 'grids.lock')!r}\n"
        "try:\n    os.unlink(p)\nexcept PermissionError:\n    print('STICKY')\n"
        f"os.symlink({str(victim)!r}, {str(root / '.locks' / 'people.lock')!r})\n",
    )
    assert "STICKY" in swap.stdout, swap.stdout + swap.stderr
    # … and a link planted where no lock file was yet is not followed.
    with pytest.raises(StoreError, match="符号链接"):
        s.append("people", [{"person_id": "P1", "name": "王五", "roles": ["网格员"]}])
    assert not victim.exists()
    s.close()


def test_a_writer_kept_waiting_says_who_holds_the_lock_and_gives_up(store_root, monkeypatch, caplog):

    monkeypatch.setenv("FAZHI_LOCK_TIMEOUT", "0.3")
    holder = Store.open(store_root, [*HOST_TABLES, CALLS], user="占用者")
    writer = as_role(store_root, ADMIN)
    with holder.table_lock("calls"), pytest.raises(StoreError, match="正由 占用者.*未写入"):
        writer.append("calls", [{**ROW, "call_no": "C7"}])
    assert any("占用者" in r.getMessage() and "等待" in r.getMessage() for r in caplog.records)
    writer.append("calls", [{**ROW, "call_no": "C7"}])  # released: it goes through
    holder.close()
    writer.close()


def test_exports_and_reports_refuse_paths_inside_the_store(store_root, capsys):
    from fazhi_tui.cli import main

    (store_root / "access.toml").write_text('admin = ["somebody-else"]\n', "utf-8")  # a viewer
    target = store_root / "grids" / "log" / "v-00000000000000000001-x-1-deadbeef.parquet"
    assert main(["export", "grids", "-o", str(target), "--store", str(store_root)]) == 2
    assert "数据目录" in capsys.readouterr().err and not target.exists()
    assert main(["report", "--year", "2025", "-o", str(store_root / "r.md"), "--store", str(store_root)]) == 2
    assert not (store_root / "r.md").exists()


def test_folders_and_files_made_by_a_compaction_get_the_stores_group_modes(tmp_path, capsys):
    import grp
    import os
    import stat

    from fazhi_tui.cli import main
    from fazhi_tui.store.compact import compact

    store = tmp_path / "s"
    assert main(["init", "--group", grp.getgrgid(os.getgid()).gr_name, "--store", str(store)]) == 0
    s = Store.open(store, [*HOST_TABLES, CALLS])
    s.append("calls", [ROW, {**ROW, "call_no": "C2", "day": dt.date(2024, 2, 1)}])
    compact(s)
    s.close()
    gens = store / "calls" / "_gen"
    dirs = [gens, *[p for p in gens.rglob("*") if p.is_dir()]]
    assert len(dirs) > 3
    for d in dirs:
        assert stat.S_IMODE(d.stat().st_mode) == 0o3770, (d, oct(d.stat().st_mode))
    for f in gens.rglob("*.parquet"):
        assert stat.S_IMODE(f.stat().st_mode) == 0o640, f
