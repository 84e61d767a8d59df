"""A record's history as people read it: who changed which fields, from what to what, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .spec import AT, BY, OP, REV, TableSpec


@dataclass(frozen=True)
class FieldChange:
    column: str
    label: str
    before: object
    after: object


@dataclass(frozen=True)
class VersionChange:
    rev: int
    op: str  # "put" or "delete"
    at: datetime
    by: str
    changes: tuple[FieldChange, ...]

    created: bool = False  # the first version, or the first after a deletion

    @property
    def action(self) -> str:
        if self.op == "delete":
            return "删除"
        return "新建" if self.created else "修改"

    def describe(self) -> str:
        when = self.at.astimezone().strftime("%Y-%m-%d %H:%M")
        head = f"第 {self.rev} 版  {when}  {self.by}  {self.action}"
        if self.op == "delete" or self.created:
            return head
        if not self.changes:
            return head + "（内容未变）"
        lines = [head] + [f"    {c.label}：{_show(c.before)} → {_show(c.after)}" for c in self.changes]
        return "\n".join(lines)


def _show(v) -> str:
    if v is None or v == "":
        return "（空）"
    if isinstance(v, list):
        return "、".join(map(str, v)) or "（空）"
    return str(v)


def history_diff(store, table: str, record_id) -> list[VersionChange]:
    """Each version of one record with the fields it changed, oldest first."""
    spec: TableSpec = store.spec(table)
    versions = store.history(table, record_id).to_pylist()
    out: list[VersionChange] = []
    previous: dict | None = None
    for v in versions:
        changes = []
        created = v[OP] == "put" and (previous is None or previous.get(OP) != "put")
        if previous is not None and v[OP] == "put" and previous.get(OP) == "put":
            for col in spec.columns:
                if v.get(col.name) != previous.get(col.name):
                    changes.append(FieldChange(col.name, col.label, previous.get(col.name), v.get(col.name)))
        elif previous is None or previous.get(OP) != "put":
            # First version, or re-created after deletion: every given field is "new".
            changes = [
                FieldChange(c.name, c.label, None, v.get(c.name))
                for c in spec.columns
                if v.get(c.name) not in (None, "", [])
            ]
        out.append(VersionChange(v[REV], v[OP], v[AT], v[BY], tuple(changes), created))
        previous = v
    return out
