"""One ticket as it is now, with every version of it: who changed what, and when.

Separate because it reads one record and its history (``store.get`` / ``store.history``), not
the period's tickets; the panel's 工单详情 tab and its export show it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from fazhi_tui.api import Context

from .deadlines import calendar_note
from .masking import mask_record, mask_table
from .open_list import deadline_flag
from .tables import HOTLINE, HOTLINE_SPEC, OPEN_STATUSES


@dataclass(frozen=True)
class FieldChange:
    column: str
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class VersionChange:
    rev: int
    op: str  # "put" or "delete"
    at: dt.datetime
    by: str
    changes: tuple[FieldChange, ...]  # for the first version: every field given

    @property
    def summary(self) -> str:
        if self.op == "delete":
            return "删除"
        if self.rev == 1:
            return "新建"  # as `fazhi-tui history` says it (store.audit)
        return "修改 " + "、".join(c.label for c in self.changes) if self.changes else "保存（无改动）"


@dataclass(frozen=True)
class TicketDetail:
    record: dict  # the current version, PII masked unless the user may see it
    fields: tuple[tuple[str, str], ...]  # (label, text) in the table's column order
    grid_name: str | None
    flag: str | None  # OVERDUE_FLAG, DUE_SOON_FLAG or None
    history: pa.Table  # every version, oldest first (_rev, _op, _at, _by and the columns), masked
    versions: tuple[VersionChange, ...]
    note: str | None  # the calendar's note when the 办理时限 lies beyond its data


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def ticket_detail(ctx: Context, ticket_no: str) -> TicketDetail | None:
    """One ticket as it is now, with its version history (``store.history``); None if unknown."""
    store = ctx.store
    record = store.get(HOTLINE, ticket_no)
    history = store.history(HOTLINE, ticket_no)
    if record is None and history.num_rows == 0:
        return None
    spec = HOTLINE_SPEC
    versions: list[VersionChange] = []
    prev: dict | None = None
    for row in history.to_pylist():
        shown = mask_record(ctx, spec, row)
        changes = []
        for c in spec.columns:
            old = None if prev is None else prev.get(c.name)
            new = shown.get(c.name)
            if (prev is None and new is not None) or (prev is not None and old != new):
                changes.append(FieldChange(c.name, c.label, old, new))
        versions.append(VersionChange(row["_rev"], row["_op"], row["_at"], row["_by"], tuple(changes)))
        prev = shown
    current = mask_record(ctx, spec, record) if record is not None else mask_record(ctx, spec, history.to_pylist()[-1])
    grid_name = None
    if current.get("grid"):
        names = ctx.query("SELECT name FROM grids WHERE code = ?", [current["grid"]]).to_pylist()
        grid_name = names[0]["name"] if names else None
    deadline = current.get("deadline")
    flag = deadline_flag(deadline, ctx.today) if record is not None and current.get("status") in OPEN_STATUSES else None
    fields = tuple(
        (
            c.label,
            (
                f"{grid_name}（{current['grid']}）"
                if c.name == "grid" and grid_name
                else format_value(current.get(c.name))
            ),
        )
        for c in spec.columns
    )
    return TicketDetail(
        current,
        fields,
        grid_name,
        flag,
        mask_table(ctx, spec, history),
        tuple(versions),
        calendar_note(deadline) if deadline is not None else None,
    )


# -- the history as the panel shows and exports it ---------------------------------------------------
HISTORY_LABELS = {"rev": "版本", "at": "时间", "by": "操作人", "changes": "改动"}


def local_time(at: dt.datetime) -> str:
    """A version's time in the office's local time, to the minute."""
    if at.tzinfo is not None:
        at = at.astimezone()
    return at.strftime("%Y-%m-%d %H:%M")


def shown_value(value: Any) -> str:
    """A field's value in a change line; an empty one says so."""
    text = format_value(value)
    return text if text else "（空）"


def change_lines(version: VersionChange) -> list[str]:
    """ "label：old → new" for each field a version changed."""
    return [f"{c.label}：{shown_value(c.old)} → {shown_value(c.new)}" for c in version.changes]


def history_rows(detail: TicketDetail) -> pa.Table:
    """The ticket's versions as a table (labels ``HISTORY_LABELS``), for the export."""
    return pa.table(
        {
            "rev": [v.rev for v in detail.versions],
            "at": [local_time(v.at) for v in detail.versions],
            "by": [v.by for v in detail.versions],
            "changes": ["；".join(change_lines(v)) or v.summary for v in detail.versions],
        }
    )
