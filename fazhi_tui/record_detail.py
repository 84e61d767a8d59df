"""One record of any table as it is now, with every version of it (who changed what, when), its
personal information masked for a role that may not see it: what a panel shows when asked to open
a record (``Panel.show_record``) and has no view of its own for it. No screen library here; the
widget is ``fazhi_tui.ui.widgets.record_view``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .context import Context
from .pii import mask_value
from .store.spec import AT, BY, OP, REV


@dataclass(frozen=True)
class RecordVersion:
    rev: int
    op: str  # "put" or "delete"
    at: dt.datetime
    by: str
    changes: tuple[tuple[str, Any, Any], ...]  # (label, old, new); the first version: every value set


@dataclass(frozen=True)
class RecordDetail:
    table: str
    label: str  # the table's label
    record_id: str
    record: dict[str, Any] | None  # None: deleted (the last version is in ``fields``)
    fields: tuple[tuple[str, Any], ...]  # (label, value) of every column, as now
    versions: tuple[RecordVersion, ...]


def record_detail(ctx: Context, table: str, record_id: str) -> RecordDetail | None:
    """``record_id`` of ``table`` now and every version of it; None when it never existed."""
    store = ctx.store
    spec = store.spec(table)
    record = store.get(table, record_id)
    history = store.history(table, record_id).to_pylist()
    if record is None and not history:
        return None
    pii = {} if ctx.sees_pii else {c.name: c.pii for c in spec.columns if c.pii}

    def shown(row: dict[str, Any]) -> dict[str, Any]:
        out = dict(row)
        for name, kind in pii.items():
            if isinstance(out.get(name), str):
                out[name] = mask_value(kind, out[name])
        return out

    versions, prev = [], None
    for row in map(shown, history):
        changes = tuple(
            (c.label, None if prev is None else prev.get(c.name), row.get(c.name))
            for c in spec.columns
            if (prev is None and row.get(c.name) is not None)
            or (prev is not None and prev.get(c.name) != row.get(c.name))
        )
        versions.append(RecordVersion(row[REV], row[OP], row[AT], row[BY], changes))
        prev = row
    now = shown(record) if record is not None else (prev or {})
    return RecordDetail(
        table,
        spec.label,
        str(record_id),
        shown(record) if record is not None else None,
        tuple((c.label, now.get(c.name)) for c in spec.columns),
        tuple(versions),
    )
