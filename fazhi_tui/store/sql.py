"""Read-only SQL for people (``fazhi-tui sql``): one SELECT over the store's tables.

An admin's SQL runs in the store's own DuckDB, confined to the store's folder (admins may read
its files directly). Every other role's SQL runs in a *sealed* store: a DuckDB with no access to
files at all, whose views read pyarrow datasets registered under random names, masked as the
role requires. No name in such a query can become a file read, whatever scope tricks it plays
(a CTE named like a path that refers to itself, RECURSIVE, a subquery's CTE…); on top of that
every table a query names must be one of the store's tables, a ``_history`` view or a CTE of the
query whose name is not that of anything else in the database, and nothing that shows settings
or the catalogue (``SHOW``, ``DESCRIBE``, ``current_setting()``, table functions) is allowed.
"""

from __future__ import annotations

import json
import re
from typing import Any

import duckdb
import pyarrow as pa

from .errors import ReadOnlySQLError

_ALLOWED = {duckdb.StatementType.SELECT}
# Scalar functions that show settings, variables or the environment (paths, internal names).
_SECRET_FUNCTIONS = {"current_setting", "getvariable", "getenv", "current_schemas", "current_schema", "current_query"}
# FROM-clause nodes a non-admin query may use; anything else (SHOW_REF, TABLE_FUNCTION, a node
# type a later DuckDB adds) is refused.
_TABLE_REFS = {"BASE_TABLE", "SUBQUERY", "JOIN", "EMPTY", "EXPRESSION_LIST", "COLUMN_DATA", "DELIM_GET"}


def run_readonly(store, sql: str) -> pa.Table:
    """Run one SELECT over the current-state and ``_history`` views."""
    return run_readonly_rows(store, sql, None)[0]


def run_readonly_rows(store, sql: str, max_rows: int | None) -> tuple[pa.Table, bool]:
    """As ``run_readonly``, fetching at most ``max_rows`` rows (None: all); True when there were more."""
    try:
        statements = store._con.extract_statements(sql)
    except duckdb.Error as exc:
        raise ReadOnlySQLError(f"SQL 语法错误：{_first_line(exc)}") from None
    if len(statements) != 1:
        raise ReadOnlySQLError(f"只能执行一条语句，收到 {len(statements)} 条")
    kind = statements[0].type
    if kind not in _ALLOWED:
        raise ReadOnlySQLError(f"只允许只读查询（SELECT），拒绝执行 {kind.name} 语句")
    if store.access.is_admin:
        return _run_admin(store, sql, max_rows)
    from .core import Store

    sealed = Store(
        store.root, store.specs.values(), access=store.access, auto_fold=False, sealed=True, limits=store.limits
    )
    sealed.missing_note = store.missing_note  # "no such table" names a plugin that failed to load
    try:
        _check_sealed(sealed, sql)
        try:
            return _fetch(sealed, sql, max_rows)
        except duckdb.PermissionException as exc:
            raise ReadOnlySQLError(f"只能查询数据表，拒绝访问：{_first_line(exc)}") from None
        except duckdb.Error as exc:
            raise ReadOnlySQLError(f"查询出错：{_first_line(exc)}") from None
    finally:
        sealed.close()


def _fetch(store, sql: str, max_rows: int | None) -> tuple[pa.Table, bool]:
    if max_rows is None:
        return store.query(sql), False
    return store.query_rows(sql, max_rows=max_rows)


def _run_admin(store, sql: str, max_rows: int | None) -> tuple[pa.Table, bool]:
    tree = _tree(store, sql)
    internal = sorted((t for t in _base_tables(tree) if "__" in t["table_name"]), key=lambda t: t["table_name"])
    if internal:
        names = "、".join(t["table_name"] for t in internal)
        raise ReadOnlySQLError(f"{names} 是内部视图，请查询表名或 <表>_history")
    store.refresh()
    store.confine()
    try:
        return _fetch(store, sql, max_rows)
    except duckdb.PermissionException as exc:
        raise ReadOnlySQLError(f"只能读取数据目录中的表，拒绝访问：{_first_line(exc)}") from None
    except duckdb.CatalogException as exc:
        missing = re.search(r"Table with name (\S+) does not exist", str(exc))
        if missing:
            known = "、".join(sorted([*store.specs, *(f"{t}_history" for t in store.specs)]))
            raise ReadOnlySQLError(f"没有名为 {missing[1]} 的表（可查询：{known}）{_missing(store)}") from None
        raise ReadOnlySQLError(f"查询出错：{_first_line(exc)}{_missing(store)}") from None
    except duckdb.Error as exc:
        raise ReadOnlySQLError(f"查询出错：{_first_line(exc)}") from None


def _missing(store) -> str:
    """The note a missing table gets when some plugin failed to load (``Store.missing_note``)."""
    note = getattr(store, "missing_note", None)
    return f"。{note}" if note else ""


def _check_sealed(store, sql: str) -> None:
    """Refuses anything in a non-admin query but the store's tables, their history and its own CTEs."""
    access = store.access
    who = f"{access.user}（{access.role_label}）"
    tables = set(store.specs) | {f"{t}_history" for t in store.specs}
    shown = "、".join(sorted(tables))
    tree = _tree(store, sql)
    ctes: set[str] = set()
    functions: set[str] = set()
    refs: list[dict] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            cte_map = node.get("cte_map")
            if isinstance(cte_map, dict):
                ctes.update(str(e.get("key", "")).lower() for e in cte_map.get("map", []))
            if "function_name" in node:
                functions.add(str(node["function_name"]).lower())
            if (
                "sample" in node
                and "alias" in node
                and (node.get("type") not in _TABLE_REFS or node["type"] == "BASE_TABLE")
            ):
                refs.append(node)  # a FROM-clause node (every table reference has these two keys)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(tree)
    secret = sorted(functions & _SECRET_FUNCTIONS)
    if secret:
        raise ReadOnlySQLError(f"{who}不能使用函数 {'、'.join(secret)}：它们显示程序的设置与内部信息，需要管理员角色")
    # A CTE may not take the name of anything else in the database: a self-reference inside it
    # would then read that thing (an internal view, a registered dataset) instead of the CTE.
    others = {
        r[0].lower()
        for r in store._con.execute(
            "SELECT table_name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views()"
        ).fetchall()
    } - tables
    shadowing = sorted(c for c in ctes if c in others or "__" in c or "/" in c or "." in c)
    if shadowing:
        raise ReadOnlySQLError(f"公用表表达式（WITH）不能命名为 {'、'.join(shadowing)}：请换一个名字")
    for ref in refs:
        kind = ref.get("type")
        if kind == "TABLE_FUNCTION":
            fn = (ref.get("function") or {}).get("function_name", "?")
            raise ReadOnlySQLError(
                f"{who}不能使用表函数 {fn}：直接读取文件或程序内部信息需要管理员角色（只能查询 {shown}）"
            )
        if kind != "BASE_TABLE":
            raise ReadOnlySQLError(f"{who}只能查询数据表（{shown}），不能查看数据库目录或设置（{kind}）")
        name = str(ref.get("table_name", ""))
        if ref.get("schema_name") or ref.get("catalog_name"):
            qualified = ".".join(x for x in (ref.get("catalog_name"), ref.get("schema_name"), name) if x)
            raise ReadOnlySQLError(f"不能查询 {qualified}：只能查询 {shown}")
        if name.lower() not in tables and name.lower() not in ctes:
            if "__" in name:
                raise ReadOnlySQLError(f"{name} 是内部视图，请查询表名或 <表>_history")
            raise ReadOnlySQLError(f"没有名为 {name} 的表（可查询：{shown}）{_missing(store)}")


def _tree(store, sql: str) -> dict:
    raw = store._con.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0]
    tree = json.loads(raw)
    if tree.get("error"):
        raise ReadOnlySQLError(f"SQL 语法错误：{tree.get('error_message', '')}")
    return tree


def _base_tables(tree: Any) -> list[dict]:
    found: list[dict] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "BASE_TABLE":
                found.append(node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(tree)
    return found


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:300]
