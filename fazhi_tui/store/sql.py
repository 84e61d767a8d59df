"""Read-only SQL for people (``fazhi-tui sql``): one SELECT, confined to the store's files."""

from __future__ import annotations

import json

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
    tables, functions, ctes = _references(store, sql)
    internal = sorted(t for t in tables if "__" in t)
    if internal:
        raise ReadOnlySQLError(f"{'、'.join(internal)} 是内部视图，请查询表名或 <表>_history")
    if functions and not store.access.is_admin:
        raise ReadOnlySQLError(
            f"{store.access.user}（{store.access.role_label}）不能使用表函数 {'、'.join(sorted(functions))}："
            f"直接读取文件需要管理员角色（查看角色只能看到脱敏后的视图）"
        )
    known = set(store.specs) | {f"{t}_history" for t in store.specs} | ctes
    unknown = sorted(t for t in tables - known)
    if unknown and not store.access.is_admin:
        # A quoted file path in FROM is read as a file: only admins may read files directly.
        raise ReadOnlySQLError(f"没有名为 {'、'.join(unknown)} 的表（可查询：{'、'.join(sorted(known - ctes))}）")
    store.refresh()
    store.confine()
    try:
        return store.query(sql)
    except duckdb.PermissionException as exc:
        raise ReadOnlySQLError(f"只能读取数据目录中的表，拒绝访问：{_first_line(exc)}") from None
    except duckdb.Error as exc:
        raise ReadOnlySQLError(f"查询出错：{_first_line(exc)}") from None


def _references(store, sql: str) -> tuple[set[str], set[str], set[str]]:
    """Names the statement reads from, table functions it calls, and its CTE names, from
    DuckDB's own parse tree."""
    raw = store._con.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0]
    tree = json.loads(raw)
    if tree.get("error"):
        raise ReadOnlySQLError(f"SQL 语法错误：{tree.get('error_message', '')}")
    tables: set[str] = set()
    functions: set[str] = set()
    ctes: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            for entry in (node.get("cte_map") or {}).get("map", []) if isinstance(node.get("cte_map"), dict) else []:
                ctes.add(str(entry.get("key", "")))
            if node.get("type") == "BASE_TABLE":
                tables.add(str(node.get("table_name", "")))
            elif node.get("type") == "TABLE_FUNCTION":
                fn = node.get("function") or {}
                functions.add(str(fn.get("function_name", "?")))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(tree)
    return tables, functions, ctes


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:300]
