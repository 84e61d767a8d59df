"""What can go wrong in the store, each with a message a clerk can act on (in Chinese)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class StoreError(Exception):
    """Base class: ``str(exc)`` is the message shown to the user."""


class NotAStoreError(StoreError):
    pass


class UnknownTableError(StoreError):
    pass


class ReadOnlySQLError(StoreError):
    pass


class QueryLimitError(StoreError):
    """A query stopped at a limit of memory or time (store/limits.py); the message says which."""


class TableDamagedError(StoreError):
    """A table whose files on disk are not all there (or not as written): it is not read, so no
    screen or report shows part of it as if it were whole. ``fazhi-tui check`` says what."""


@dataclass(frozen=True)
class RowProblem:
    row: int | None  # as the user counts it (1 = first data row for the API; import adds the header)
    column: str | None  # Chinese label
    reason: str
    source: str | None = None  # file name, when the rows came from a file

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"“{self.column}”列")
        prefix = "，".join(where)
        return f"{prefix}：{self.reason}" if prefix else self.reason


class ValidationError(StoreError):
    """Rows that cannot be written. Nothing of the batch was written."""

    MAX_LISTED = 50

    def __init__(self, table: str, problems: list[RowProblem]):
        self.table = table
        self.problems = problems
        lines = [f"表 {table}：{len(problems)} 处错误，未写入任何数据。"]
        lines += [f"  {p}" for p in problems[: self.MAX_LISTED]]
        if len(problems) > self.MAX_LISTED:
            lines.append(f"  ……另有 {len(problems) - self.MAX_LISTED} 处错误未列出")
        super().__init__("\n".join(lines))


class StaleRevisionError(StoreError):
    """A save made from an older revision than the record's current one."""

    def __init__(self, table: str, record_id: str, expected: int | None, current: int, by: str, at: datetime):
        self.table, self.record_id = table, record_id
        self.expected, self.current, self.by, self.at = expected, current, by, at
        when = at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        super().__init__(
            f"记录 {record_id}（表 {table}）已被 {by} 于 {when} 修改为第 {current} 版，"
            f"而本次保存基于第 {expected} 版。为免覆盖他人的修改，本次保存未写入；请重新打开记录后再改。"
        )


class RecordNotFoundError(StoreError):
    pass
