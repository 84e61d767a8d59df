"""Read-only SQL for people (``fazhi-tui sql``): one SELECT, confined to the store's files."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from .errors import ReadOnlySQLError

_ALLOWED = {duckdb.StatementType.SELECT}


def run_readonly(store, sql: str) -> pa.Table:
    """Run one SELECT over the current-state and ``_history`` views.

    Two gates: the statement must be a single SELECT (no INSERT, COPY, ATTACH, INSTALL, SET…),
    and DuckDB itself is confined to the store folder, so a SELECT cannot read other files.
    """
    try:
        statements = store._con.extract_statements(sql)
    except duckdb.Error as exc:
        raise ReadOnlySQLError(f"SQL 语法错误：{_first_line(exc)}") from None
    if len(statements) != 1:
        raise ReadOnlySQLError(f"只能执行一条语句，收到 {len(statements)} 条")
    kind = statements[0].type
    if kind not in _ALLOWED:
        raise ReadOnlySQLError(f"只允许只读查询（SELECT），拒绝执行 {kind.name} 语句")
    store.refresh()
    store.confine()
    try:
        return store.query(sql)
    except duckdb.PermissionException as exc:
        raise ReadOnlySQLError(f"只能读取数据目录中的表，拒绝访问：{_first_line(exc)}") from None
    except duckdb.Error as exc:
        raise ReadOnlySQLError(f"查询出错：{_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:300]
