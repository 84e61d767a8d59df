"""Checks across the columns of a row, and defaults computed from them, on every write path.

Separate from ``validate`` (which converts rows and checks each value alone) because these need
DuckDB (a ``RowRule`` is SQL over the row) or the owning plugin's settings (a ``ComputedColumn``).
Both run on whole Arrow batches: an import checks a million rows 25,000 at a time.

- ``fill_computed``: each ``ComputedColumn`` fills the rows that arrived without a value.
- ``rule_problems``: each ``RowRule`` evaluated over the batch in one DuckDB query; a row for
  which a check is false is refused, naming the row and the rule's column.
- ``phone_problems``: every ``pii="phone"`` column holds a mobile or landline number.
- ``rule_errors``: a spec's rules compiled against an empty table at load, so a typo in a
  plugin's SQL is the plugin's load error, not every later write's.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from functools import partial
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from .errors import RowProblem, StoreError
from .spec import TableSpec
from .views import duck_type, qident

MAX_PROBLEMS = 1000

# A mobile (11 digits from 13x to 19x, optionally +86 and dashes: 138-1234-5678) or a landline:
# an optional area code (0 and 2-3 digits, optionally in brackets or before a dash), a local
# number of 7-8 digits not starting with 0 or 1, an optional extension (-801, 转801). Spaces and
# brackets are dropped before matching. Several numbers in one cell are allowed, separated by
# / , ， 、 ; ；.
_ONE_PHONE = r"(?:(?:\+|00)?86-?)?(?:1[3-9]\d(?:-?\d{4}){2}|(?:0\d{2,3}-?)?[2-9]\d{6,7}(?:(?:-|转|#|ext\.?)\d{1,6})?)"
PHONE_PATTERN = rf"^{_ONE_PHONE}(?:[/,，、;；]{_ONE_PHONE})*$"
PHONE_RE = re.compile(PHONE_PATTERN, re.IGNORECASE)
_PHONE_NOISE = r"[\s()（）]"
PHONE_HINT = "应为手机号（11 位，如 13812345678）或固定电话（如 0375-6123456、6123456）"

_local = threading.local()


def is_phone(text: str) -> bool:
    """Whether ``text`` is a phone number as ``phone_problems`` accepts it (for forms)."""
    return bool(PHONE_RE.match(re.sub(_PHONE_NOISE, "", str(text))))


def fill_computed(spec: TableSpec, table: pa.Table, settings: Mapping[str, Any] | None = None) -> pa.Table:
    """The batch with each computed column's null cells filled by its ``compute``."""
    for comp in spec.computed:
        i = table.schema.get_field_index(comp.column)
        current = table.column(i)
        if current.null_count == 0 or table.num_rows == 0:
            continue
        try:
            values = comp.compute(table, settings or {})
        except Exception as exc:
            raise StoreError(f"表 {spec.label} 的“{spec.label_of(comp.column)}”无法计算：{exc}") from exc
        if len(values) != table.num_rows:
            raise StoreError(
                f"表 {spec.label} 的“{spec.label_of(comp.column)}”计算结果有 {len(values)} 个值，应为 {table.num_rows} 个"
            )
        values = values.cast(current.type)
        table = table.set_column(i, table.schema.field(i), pc.coalesce(current, values))
    return table


def _connection() -> duckdb.DuckDBPyConnection:
    # One in-memory DuckDB per thread (a connection is not for two threads at once); rules read
    # only the batch registered on it, never the store's files.
    con = getattr(_local, "con", None)
    if con is None:
        con = _local.con = duckdb.connect(":memory:", config={"threads": 1})
    return con


def _failures(spec: TableSpec, table: pa.Table) -> pa.Table:
    """One boolean column per rule: true where the row breaks it (false or NULL pass)."""
    con = _connection()
    cols = ", ".join(
        f"(({rule.check}) IS NOT DISTINCT FROM FALSE) AS {qident(f'r{i}')}" for i, rule in enumerate(spec.rules)
    )
    name = "__fazhi_rule_rows"
    con.register(name, table)
    try:
        return con.sql(f"SELECT {cols} FROM {qident(name)}").to_arrow_table()
    finally:
        con.unregister(name)


def rule_problems(spec: TableSpec, table: pa.Table, first_row: int = 1) -> list[RowProblem]:
    """Every row that breaks one of the spec's rules: the row, the rule's column and message."""
    if not spec.rules or table.num_rows == 0:
        return []
    try:
        failed = _failures(spec, table)
    except duckdb.Error as exc:
        raise StoreError(f"表 {spec.label} 的行规则无法执行：{exc}") from exc
    problems: list[RowProblem] = []
    for i, rule in enumerate(spec.rules):
        mask = failed.column(i)
        if not pc.any(mask).as_py():
            continue
        label = spec.label_of(rule.column)
        for at in pc.indices_nonzero(mask).to_pylist()[:MAX_PROBLEMS]:
            problems.append(RowProblem(at + first_row, label, rule.message))
    return problems


def phone_problems(spec: TableSpec, table: pa.Table, first_row: int = 1) -> list[RowProblem]:
    """Cells of ``pii="phone"`` text columns that are not a phone number."""
    problems: list[RowProblem] = []
    for col in spec.columns:
        if col.pii != "phone" or not pa.types.is_string(col.type):
            continue
        arr = table.column(col.name)
        if arr.null_count == len(arr):
            continue
        for at in _not_phones(arr).to_pylist()[:MAX_PROBLEMS]:
            problems.append(RowProblem(at + first_row, col.label, f"“{arr[at].as_py()}”不是电话号码，{PHONE_HINT}"))
    return problems


def _not_phones(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The rows whose cell is given but is not a phone number once spaces and brackets are
    taken out. A cell that matches as typed holds neither (the pattern has none), so only the
    cells that do not are stripped and matched again: stripping every cell was most of this
    check's time on an import (10M rows: 1.8 s against 0.8 s)."""
    ok = pc.fill_null(pc.match_substring_regex(arr, PHONE_PATTERN, ignore_case=True), True)  # null: not given
    if isinstance(ok, pa.ChunkedArray):
        ok = ok.combine_chunks()
    rest = pc.indices_nonzero(pc.invert(ok))
    if not len(rest):
        return rest
    text = pc.replace_substring_regex(pc.take(arr, rest), _PHONE_NOISE, "")
    given = pc.fill_null(pc.not_equal(text, ""), False)
    bad = pc.and_(
        given, pc.invert(pc.fill_null(pc.match_substring_regex(text, PHONE_PATTERN, ignore_case=True), False))
    )
    if isinstance(bad, pa.ChunkedArray):
        bad = bad.combine_chunks()
    return pc.filter(rest, bad)


def rule_errors(spec: TableSpec) -> list[str]:
    """What is wrong with the spec's rules as SQL (an unknown column, a syntax error, not a
    boolean), found by running them over an empty batch."""
    out: list[str] = []
    if not spec.rules:
        return out
    con = _connection()
    name = "__fazhi_rule_check"
    columns = [(f.name, duck_type(f.type)) for f in spec.data_schema]
    if all(t is not None for _n, t in columns):
        # A typed empty table made by DDL, as the store makes its own: registering an empty Arrow
        # table instead made DuckDB import pandas wherever it is installed, at the start of every
        # command and of the dashboard (~0.2 s), and set up its Arrow scan (~20 ms) for nothing.
        cols = ", ".join(f"{qident(n)} {t}" for n, t in columns)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {qident(name)} ({cols})")
        done = partial(con.execute, f"DROP TABLE IF EXISTS {qident(name)}")
    else:
        con.register(name, spec.data_schema.empty_table())
        done = partial(con.unregister, name)
    try:
        # All the table's rules bound in one statement first: every CLI command and the
        # dashboard pay for this at start, and each bind costs milliseconds (26 rules: ~0.1–0.4 s
        # one by one). Only when that fails is each rule bound alone, to say which one is wrong.
        together = ", ".join(f"({rule.check}) AS r{i}" for i, rule in enumerate(spec.rules))
        try:
            kinds = [str(t) for t in con.sql(f"SELECT {together} FROM {qident(name)}").types]
        except duckdb.Error:
            kinds = None
        if kinds is not None:
            for rule, kind in zip(spec.rules, kinds, strict=True):
                if kind not in ("BOOLEAN", '"NULL"', "NULL"):
                    out.append(f"表 {spec.name} 的规则 {rule.name} 应为真/假条件，实为 {kind}")
            return out
        for rule in spec.rules:
            try:
                # Binding is enough to find an unknown column or a syntax error and to know the
                # type; running the query would add nothing (the batch is empty) and every CLI
                # command pays for this at start.
                kind = str(con.sql(f"SELECT ({rule.check}) AS ok FROM {qident(name)}").types[0])
            except duckdb.Error as exc:
                out.append(f"表 {spec.name} 的规则 {rule.name} 不是可用的 SQL 条件：{str(exc).splitlines()[0]}")
                continue
            if kind not in ("BOOLEAN", '"NULL"', "NULL"):
                out.append(f"表 {spec.name} 的规则 {rule.name} 应为真/假条件，实为 {kind}")
    finally:
        done()
    return out
