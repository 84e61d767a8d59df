"""The SQL of a table's views over its files.

For table ``t`` there are four views:

- ``t__delta``   versions in log files that no generation has folded yet (small, recent)
- ``t__latest``  the newest version of every record, deletions included: the generation's
                 ``current`` files anti-joined with the delta, plus the delta's newest versions.
                 This keeps current-state reads close to a plain scan (DESIGN.md, "The store").
- ``t``          the records as they are now (``t__latest`` without deletions)
- ``t_history``  every version ever written

File paths are the only text formatted into SQL (DuckDB cannot bind parameters in a view);
they are quoted here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pyarrow as pa

from .scan import TableFiles, read_footer, read_footer_schema
from .spec import ID, META_NAMES, OP, REV, TableSpec


def qident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def qstr(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def empty_table_name(table: str) -> str:
    return f"__empty__{table}"


# Where a group of files is read from: None reads them with ``read_parquet``; a sealed store
# (``Store(sealed=True)``, see sql.py) passes a function that registers them as a pyarrow
# dataset and returns the registered name, so that its DuckDB needs no access to files at all.
Source = Callable[[Sequence[Path], Sequence[pa.Schema]], str] | None


def group_select(spec: TableSpec, files: Sequence[Path], duck_types: Mapping[str, str], source: Source = None) -> str:
    """SELECT of every stored column from a group of files, typed as the spec says."""
    columns = list(META_NAMES) + list(spec.column_names)
    if not files:
        return f"SELECT {', '.join(qident(c) for c in columns)} FROM {qident(empty_table_name(spec.name))}"
    present: dict[str, set[pa.DataType]] = {}
    schemas: list[pa.Schema] = []
    for path in files:
        schema = read_footer_schema(path)
        if isinstance(schema, pa.Schema):
            schemas.append(schema)
            for f in schema:
                present.setdefault(f.name, set()).add(f.type)
    wanted = spec.schema
    aliased = spec.aliased_columns
    parts = []
    for c in columns:
        dtype = duck_types[c]
        if c not in present:
            parts.append(f"CAST(NULL AS {dtype}) AS {qident(c)}")
            continue
        value = qident(c) if present[c] == {wanted.field(c).type} else f"CAST({qident(c)} AS {dtype})"
        if c in aliased:
            # A code value renamed since these files were written reads as it is called now
            # (TableSpec.code_aliases_of): every query, figure and export counts both as one.
            whens = " ".join(f"WHEN {qstr(old)} THEN {qstr(new)}" for old, new in aliased[c].items())
            value = f"CASE {value} {whens} ELSE {value} END"
        parts.append(value if value == qident(c) else f"{value} AS {qident(c)}")
    if source is not None:
        return f"SELECT {', '.join(parts)} FROM {qident(source(files, schemas))}"
    file_list = "[" + ", ".join(qstr(str(p)) for p in files) + "]"
    # union_by_name reconciles files written before a column was added; it also costs every
    # query a bind over each file's schema (~30 ms at 60 files), so only when they differ.
    same = len(schemas) == len(files) and all(sc.equals(schemas[0]) for sc in schemas[1:])
    options = "hive_partitioning = false" if same else "union_by_name = true, hive_partitioning = false"
    return f"SELECT {', '.join(parts)} FROM read_parquet({file_list}, {options})"


def delta_latest_name(table: str) -> str:
    return f"__delta_latest__{table}"


# Small deltas are materialised at refresh (once per change on disk), so each query does not
# redo the window that picks the newest version per record. Large ones stay a view.
MATERIALISE_DELTA_ROWS = 500_000


def month_ranges(months: frozenset[str | None]) -> list[tuple[str, str]]:
    """Contiguous months merged into [start, end) ranges of ISO dates, widened a day each side
    so a timestamp's time zone cannot put a row on the wrong side of a boundary."""
    import datetime as dt

    firsts = sorted(dt.date(int(m[:4]), int(m[5:7]), 1) for m in months if m and m != "*")
    ranges: list[list[dt.date]] = []
    for first in firsts:
        nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        if ranges and ranges[-1][1] >= first:
            ranges[-1][1] = max(ranges[-1][1], nxt)
        else:
            ranges.append([first, nxt])
    one = dt.timedelta(days=1)
    merged: list[list[dt.date]] = []
    for a, b in ranges:
        a, b = a - one, b + one
        if merged and merged[-1][1] >= a:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    return [(a.isoformat(), b.isoformat()) for a, b in merged]


def file_touched(path: Path, column: str, ranges: list[tuple[str, str]], null_touched: bool) -> bool:
    """Whether a compacted file may hold a row in one of the replaced ranges (by its statistics)."""
    import datetime as dt

    footer = read_footer(path)
    if isinstance(footer, str) or column not in footer.ranges:
        return True
    lo, hi, nulls = footer.ranges[column]
    if nulls and null_touched:
        return True
    if lo is None:
        return False
    as_date = lambda v: v.date() if isinstance(v, dt.datetime) else v  # noqa: E731
    lo, hi = as_date(lo), as_date(hi)
    return any(lo < dt.date.fromisoformat(b) and hi >= dt.date.fromisoformat(a) for a, b in ranges)


def _current_sql(
    spec: TableSpec, tf: TableFiles, delta_latest: str, duck_types: Mapping[str, str], source: Source = None
) -> str:
    """Live records: compacted ``current`` minus what the delta replaced, plus the delta's puts.

    Only rows of ``current`` in periods the delta's files say they replaced are anti-joined.
    Files whose statistics keep them clear of those periods are read as a plain scan; touched
    files are split by range filters that DuckDB prunes with row-group statistics.
    """
    delta_puts = f"SELECT * FROM {qident(delta_latest)} WHERE {qident(OP)} = 'put'"
    anti = f"ANTI JOIN {qident(delta_latest)} AS d USING ({qident(ID)})"
    months = tf.superseded_months()
    if months is not None and not months:
        return f"{group_select(spec, tf.current_files, duck_types, source)} UNION ALL {delta_puts}"  # only new records
    if months is None or "*" in months or spec.period_column is None:
        current = group_select(spec, tf.current_files, duck_types, source)
        return f"SELECT c.* FROM ({current}) AS c {anti} UNION ALL {delta_puts}"
    column = spec.period_column
    ranges = month_ranges(months)
    null_touched = None in months
    touched_files = [f for f in tf.current_files if file_touched(f, column, ranges, null_touched)]
    clear_files = [f for f in tf.current_files if f not in touched_files]
    parts = []
    if clear_files:
        parts.append(group_select(spec, clear_files, duck_types, source))
    if touched_files:
        current = group_select(spec, touched_files, duck_types, source)
        p = qident(column)
        ptype = duck_types[column]
        lit = lambda d: f"CAST({qstr(d)} AS {ptype})"  # noqa: E731
        lower = None
        for a, b in ranges:
            cond = f"{p} < {lit(a)}" if lower is None else f"{p} >= {lit(lower)} AND {p} < {lit(a)}"
            parts.append(f"SELECT * FROM ({current}) WHERE {cond}")
            lower = b
        parts.append(f"SELECT * FROM ({current}) WHERE {p} >= {lit(lower)}")
        touched = " OR ".join(f"({p} >= {lit(a)} AND {p} < {lit(b)})" for a, b in ranges)
        if null_touched:
            touched += f" OR {p} IS NULL"
        elif column not in spec.required_columns:
            # Row-group statistics rarely prune IS NULL; a required period column needs no branch.
            parts.append(f"SELECT * FROM ({current}) WHERE {p} IS NULL")
        parts.append(f"SELECT c.* FROM ({current}) AS c {anti} WHERE {touched}")
    parts.append(delta_puts)
    return " UNION ALL ".join(parts)


def view_statements(
    spec: TableSpec, tf: TableFiles, duck_types: Mapping[str, str], mask_pii: bool = False, source: Source = None
) -> list[str]:
    t = spec.name
    if tf.damage:
        return damaged_view_statements(spec, tf)
    delta = group_select(spec, tf.delta_files, duck_types, source)
    compacted = group_select(spec, tf.current_files + tf.tombstone_files, duck_types, source)
    history = group_select(spec, tf.history_files, duck_types, source)
    newest_delta = (
        f"SELECT * FROM {qident(t + '__delta')} "
        f"QUALIFY row_number() OVER (PARTITION BY {qident(ID)} ORDER BY {qident(REV)} DESC) = 1"
    )
    dl = delta_latest_name(t)
    statements = [f"CREATE OR REPLACE VIEW {qident(t + '__delta')} AS {delta}"]
    held = qident(dl + "__table")
    if tf.delta_files and tf.delta_rows <= MATERIALISE_DELTA_ROWS:
        statements += [
            f"CREATE OR REPLACE TABLE {held} AS {newest_delta}",
            f"CREATE OR REPLACE VIEW {qident(dl)} AS SELECT * FROM {held}",
        ]
    elif tf.delta_files:
        statements += [f"CREATE OR REPLACE VIEW {qident(dl)} AS {newest_delta}", f"DROP TABLE IF EXISTS {held}"]
    else:
        statements.append(f"DROP TABLE IF EXISTS {held}")
    if tf.delta_files and (tf.current_files or tf.tombstone_files):
        # Newest version of every record, deletions included: what writers check revisions against.
        latest = (
            f"SELECT c.* FROM ({compacted}) AS c ANTI JOIN {qident(dl)} AS d USING ({qident(ID)}) "
            f"UNION ALL SELECT * FROM {qident(dl)}"
        )
        live = _current_sql(spec, tf, dl, duck_types, source)
    elif tf.delta_files:
        latest = f"SELECT * FROM {qident(dl)}"
        live = f"SELECT * FROM {qident(dl)} WHERE {qident(OP)} = 'put'"
    else:
        latest = compacted
        live = group_select(spec, tf.current_files, duck_types, source)  # compaction keeps only puts here
    if tf.history_files and tf.delta_files:
        hist = f"{history} UNION ALL SELECT * FROM {qident(t + '__delta')}"
    elif tf.delta_files:
        hist = f"SELECT * FROM {qident(t + '__delta')}"
    else:
        hist = history
    if mask_pii:
        live, hist = _masked(spec, live), _masked(spec, hist)
    return statements + [
        f"CREATE OR REPLACE VIEW {qident(t + '__latest')} AS {latest}",
        f"CREATE OR REPLACE VIEW {qident(t)} AS {live}",
        f"CREATE OR REPLACE VIEW {qident(t + '_history')} AS {hist}",
    ]


DAMAGE_MARK = "数据不完整"


def damage_message(spec: TableSpec, tf: TableFiles) -> str:
    more = f"等 {len(tf.damage)} 处" if len(tf.damage) > 1 else ""
    return (
        f"表“{spec.label}”的第 {tf.gen} 代{DAMAGE_MARK}：{tf.damage[0]}{more}。为免显示残缺的数据，暂不读取此表；"
        f"请运行 fazhi-tui check 查看，管理员可用 fazhi-tui check --repair 退回上一代完好的数据"
    )


def damaged_view_statements(spec: TableSpec, tf: TableFiles) -> list[str]:
    """Views that refuse to be read: a table whose generation lost or changed files would
    otherwise show fewer (or doubled) records as if they were all. DuckDB's ``error()`` in an
    uncorrelated subquery raises as soon as any query touches the view."""
    t = spec.name
    raising = (
        f"SELECT * FROM {qident(empty_table_name(t))} WHERE (SELECT error({qstr(damage_message(spec, tf))})) IS NULL"
    )
    return [
        f"DROP TABLE IF EXISTS {qident(delta_latest_name(t) + '__table')}",
        f"CREATE OR REPLACE VIEW {qident(delta_latest_name(t))} AS {raising}",
        f"CREATE OR REPLACE VIEW {qident(t + '__delta')} AS {raising}",
        f"CREATE OR REPLACE VIEW {qident(t + '__latest')} AS {raising}",
        f"CREATE OR REPLACE VIEW {qident(t)} AS {raising}",
        f"CREATE OR REPLACE VIEW {qident(t + '_history')} AS {raising}",
    ]


def _masked(spec: TableSpec, sql: str) -> str:
    """The public views for a role without PII access: masked in SQL, so no query can unmask."""
    from ..pii import mask_sql

    cols = []
    for name in list(META_NAMES) + list(spec.column_names):
        col = spec.column(name) if name in spec.column_names else None
        if col is not None and col.pii:
            cols.append(f"{mask_sql(col.pii, qident(name))} AS {qident(name)}")
        else:
            cols.append(qident(name))
    return f"SELECT {', '.join(cols)} FROM ({sql})"


def duck_type(t: pa.DataType) -> str | None:
    """DuckDB's name for the Arrow types table specs use (None: let DuckDB convert it)."""
    if pa.types.is_list(t):
        inner = duck_type(t.value_type)
        return None if inner is None else f"{inner}[]"
    if pa.types.is_timestamp(t):
        if t.unit != "us":
            return None
        return "TIMESTAMP WITH TIME ZONE" if t.tz else "TIMESTAMP"
    simple = {
        pa.string(): "VARCHAR",
        pa.large_string(): "VARCHAR",
        pa.bool_(): "BOOLEAN",
        pa.int8(): "TINYINT",
        pa.int16(): "SMALLINT",
        pa.int32(): "INTEGER",
        pa.int64(): "BIGINT",
        pa.float32(): "FLOAT",
        pa.float64(): "DOUBLE",
        pa.date32(): "DATE",
    }
    return simple.get(t)
