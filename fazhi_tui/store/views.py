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

from collections.abc import Mapping, Sequence
from pathlib import Path

import pyarrow as pa

from .scan import TableFiles, read_footer_schema
from .spec import ID, META_NAMES, OP, REV, TableSpec


def qident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def qstr(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def empty_table_name(table: str) -> str:
    return f"__empty__{table}"


def _group_select(
    spec: TableSpec, files: Sequence[Path], duck_types: Mapping[str, str]
) -> str:
    """SELECT of every stored column from a group of files, typed as the spec says."""
    columns = list(META_NAMES) + list(spec.column_names)
    if not files:
        return f"SELECT {', '.join(qident(c) for c in columns)} FROM {qident(empty_table_name(spec.name))}"
    present: dict[str, set[pa.DataType]] = {}
    for path in files:
        schema = read_footer_schema(path)
        if isinstance(schema, pa.Schema):
            for f in schema:
                present.setdefault(f.name, set()).add(f.type)
    wanted = spec.schema
    parts = []
    for c in columns:
        dtype = duck_types[c]
        if c not in present:
            parts.append(f"CAST(NULL AS {dtype}) AS {qident(c)}")
        elif present[c] == {wanted.field(c).type}:
            parts.append(qident(c))
        else:
            parts.append(f"CAST({qident(c)} AS {dtype}) AS {qident(c)}")
    file_list = "[" + ", ".join(qstr(str(p)) for p in files) + "]"
    return (
        f"SELECT {', '.join(parts)} FROM read_parquet({file_list}, "
        f"union_by_name = true, hive_partitioning = false)"
    )


def view_statements(spec: TableSpec, tf: TableFiles, duck_types: Mapping[str, str]) -> list[str]:
    t = spec.name
    delta = _group_select(spec, tf.delta_files, duck_types)
    current = _group_select(spec, tf.current_files, duck_types)
    history = _group_select(spec, tf.history_files, duck_types)
    newest_delta = (
        f"SELECT * FROM {qident(t + '__delta')} "
        f"QUALIFY row_number() OVER (PARTITION BY {qident(ID)} ORDER BY {qident(REV)} DESC) = 1"
    )
    if tf.delta_files and tf.current_files:
        latest = (
            f"SELECT c.* FROM ({current}) AS c ANTI JOIN {qident(t + '__delta')} AS d USING ({qident(ID)}) "
            f"UNION ALL {newest_delta}"
        )
    elif tf.delta_files:
        latest = newest_delta
    else:
        latest = current
    if tf.history_files and tf.delta_files:
        hist = f"{history} UNION ALL SELECT * FROM {qident(t + '__delta')}"
    elif tf.delta_files:
        hist = f"SELECT * FROM {qident(t + '__delta')}"
    else:
        hist = history
    return [
        f"CREATE OR REPLACE VIEW {qident(t + '__delta')} AS {delta}",
        f"CREATE OR REPLACE VIEW {qident(t + '__latest')} AS {latest}",
        f"CREATE OR REPLACE VIEW {qident(t)} AS SELECT * FROM {qident(t + '__latest')} WHERE {qident(OP)} = 'put'",
        f"CREATE OR REPLACE VIEW {qident(t + '_history')} AS {hist}",
    ]
