"""A viewer's (and a clerk's) ``fazhi-tui sql`` cannot write, attach, load or change anything:
each statement below is refused, and the store and the folder around it are as they were."""

from __future__ import annotations

import pytest

from fazhi_tui.store.access import CLERK, VIEWER
from fazhi_tui.store.errors import ReadOnlySQLError
from fazhi_tui.store.sql import run_readonly

from .test_security import as_role, leaked, store_root  # noqa: F401  (store_root is a fixture)


def attacks(root, out) -> list[str]:
    return [
        f"ATTACH '{out}/x.duckdb' AS x",
        f"ATTACH '{root}/calls' AS x (TYPE parquet)",
        f"COPY (SELECT * FROM calls) TO '{out}/leak.csv'",
        f"COPY calls TO '{out}/leak.parquet' (FORMAT parquet)",
        f"EXPORT DATABASE '{out}/dump'",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "RESET enable_external_access",
        "PRAGMA enable_profiling",
        "CALL pragma_version()",
        "CREATE TABLE t AS SELECT * FROM calls",
        "CREATE VIEW calls2 AS SELECT * FROM calls__delta",
        "CREATE MACRO m() AS 1",
        "INSERT INTO calls SELECT * FROM calls",
        "DROP VIEW calls",
        "DETACH memory",
        "USE system",
        f"SELECT 1; COPY (SELECT 1) TO '{out}/second.csv'",
        f"SELECT * FROM read_csv('{root}/access.toml')",
        f"SELECT * FROM read_blob('{root}/fazhi-store.json')",
        "SELECT * FROM glob('/etc/*')",
    ]


@pytest.mark.parametrize("role", [VIEWER, CLERK])
def test_sql_that_writes_attaches_or_loads_is_refused(store_root, tmp_path, role):  # noqa: F811
    out = tmp_path / "out"
    out.mkdir()
    before = sorted(p.relative_to(store_root) for p in store_root.rglob("*"))
    s = as_role(store_root, role)
    for attack in attacks(store_root, out):
        try:
            result = run_readonly(s, attack)
        except ReadOnlySQLError:
            continue
        pytest.fail(f"not refused: {attack} -> {result}")
    # What the role may do still works afterwards, masked for a viewer.
    names = run_readonly(s, "SELECT caller FROM calls ORDER BY call_no")
    assert names.num_rows == 2 and (role != VIEWER or not leaked(names))
    s.close()
    assert list(out.iterdir()) == []
    assert sorted(p.relative_to(store_root) for p in store_root.rglob("*")) == before
