"""Issue 13: the attacks of a hostile viewer, clerk or outsider, each reproduced and refused.

Attacks about the program's logic use plain ``Access`` objects; those about OS identity run the
real thing: OS users made for the test (the suite runs as root), the CLI run as them.
"""

from __future__ import annotations

import datetime as dt

import pytest

from fazhi_tui.host_tables import HOST_TABLES
from fazhi_tui.store import Store
from fazhi_tui.store.access import ADMIN, CLERK, VIEWER, Access, Policy
from fazhi_tui.store.errors import ReadOnlySQLError
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
