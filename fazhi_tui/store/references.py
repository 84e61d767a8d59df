"""References across tables (``RefRule``), checked against the store's current records.

Separate from ``validate`` (which checks a batch alone, without the store) because these read
another table's view: the batch's referring columns are registered on the store's cursor and
anti-joined with the referenced table, one query per rule, so a 25,000-row import batch costs
one join per rule, not a lookup per row.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pyarrow as pa

from .errors import RowProblem
from .spec import TableSpec
from .views import qident

if TYPE_CHECKING:
    from .core import Store

MAX_PROBLEMS = 1000


def reference_problems(store: Store, spec: TableSpec, table: pa.Table, first_row: int = 1) -> list[RowProblem]:
    """Every row whose referring values are not found together in the referenced table."""
    problems: list[RowProblem] = []
    if not spec.references or table.num_rows == 0:
        return problems
    rows = pa.array(range(table.num_rows), pa.int64())
    for ref in spec.references:
        if ref.table not in store.specs:
            continue  # the referenced table's plugin is not loaded: nothing to check against
        batch = pa.table(
            {"__row": rows, **{f"c{i}": table.column(c).cast(pa.string()) for i, c in enumerate(ref.columns)}}
        )
        given = " AND ".join(f"b.c{i} IS NOT NULL" for i in range(len(ref.columns)))
        # Compared as text: the referring columns are text, a key may be of another type.
        match = " AND ".join(f"CAST(r.{qident(key)} AS VARCHAR) = b.c{i}" for i, key in enumerate(ref.keys))
        store.refresh([ref.table])
        cur = store.cursor()
        name = f"__refs_{uuid.uuid4().hex}"
        cur.register(name, batch)
        try:
            bad = cur.sql(
                f"SELECT b.__row FROM {qident(name)} AS b WHERE {given} AND NOT EXISTS "
                f"(SELECT 1 FROM {qident(ref.table)} AS r WHERE {match}) ORDER BY 1 LIMIT {MAX_PROBLEMS}"
            ).fetchall()
        finally:
            cur.unregister(name)
        label = spec.label_of(ref.column)
        problems += [RowProblem(r[0] + first_row, label, ref.message) for r in bad]
    return problems
