"""The ledger's lists and writes: a category's records for the period (a page at a time), the
open rectification items by 期限 with their overdue mark, one item with its history, a new
record, and closing (销号) an item with a note. Separate from ``figures`` because these are rows
people read and change, not numbers. No Textual.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from fazhi_tui.api import AT, BY, OP, REV, Context, TableCache

from .categories import Category, current
from .figures import run
from .tables import CLOSED, DONE, LABELS, STATUSES, WORK_ITEMS

PAGE = 200
OVERDUE_MARK = "【超期】"
LIST_COLUMNS = (
    "item_no",
    "date",
    "title",
    "quantity",
    "grid_name",
    "level",
    "person_name",
    "due",
    "done_date",
    "status",
    "note",
)
LIST_LABELS = {**LABELS, "grid_name": "网格", "person_name": "责任人"}
OPEN_COLUMNS = ("flag", "due", "item_no", "date", "category", "title", "grid_name", "person_name", "status")
OPEN_LABELS = {**LIST_LABELS, "flag": "提示"}


def _scope(ctx: Context, params: dict[str, Any], alias: str = "w") -> str:
    if ctx.grid is None:
        return "TRUE"
    params["grid"] = ctx.grid.code
    return f"{alias}.grid = $grid"


_NAMES = "LEFT JOIN grids AS g ON g.code = w.grid LEFT JOIN people AS p ON p.person_id = w.person"


@dataclass(frozen=True)
class Page:
    rows: pa.Table
    total: int
    offset: int

    @property
    def has_more(self) -> bool:
        return self.offset + self.rows.num_rows < self.total


def category_records(ctx: Context, category: str, *, offset: int = 0, limit: int = PAGE) -> Page:
    """A category's records dated in the period (and grid), newest first, a page at a time."""
    params: dict[str, Any] = {"c": category, "start": ctx.period.start, "end": ctx.period.end}
    where = f'w.category = $c AND w."date" >= $start AND w."date" < $end AND {_scope(ctx, params)}'
    total = run(ctx, f"SELECT count(*) FROM {WORK_ITEMS} AS w WHERE {where}", params).column(0)[0].as_py()
    params |= {"limit": limit, "offset": offset}
    rows = run(
        ctx,
        f'SELECT w.item_no, w."date", w.title, coalesce(w.quantity, 1) AS quantity, '
        f"coalesce(g.name, w.grid) AS grid_name, w.level, coalesce(p.name, w.person) AS person_name, "
        f"w.due, w.done_date, coalesce(w.status, '{DONE}') AS status, w.note "
        f'FROM {WORK_ITEMS} AS w {_NAMES} WHERE {where} ORDER BY w."date" DESC, w.item_no DESC '
        "LIMIT $limit OFFSET $offset",
        params,
    )
    return Page(rows, int(total), offset)


@dataclass(frozen=True)
class OpenItems:
    """A page of the open items by 期限, with the counts of them all."""

    rows: pa.Table  # OPEN_COLUMNS, by 期限 (items without one last)
    total: int
    overdue: int
    offset: int = 0  # rows before this page

    @property
    def has_more(self) -> bool:
        return self.offset + self.rows.num_rows < self.total


# The pages read, per state of the files, grid, day and categories: the list is the same for every
# period, so a change of period shows it again without reading the table.
_OPEN: TableCache[OpenItems] = TableCache(WORK_ITEMS, "grids", "people", size=16)


def open_items(
    ctx: Context,
    categories: tuple[str, ...] | None = None,
    *,
    offset: int = 0,
    limit: int = PAGE,
    cached: bool = True,
) -> OpenItems:
    """Items not yet closed (状态 not 已销号) of the categories that close (整改问题), any date, in the
    grid, by 期限, a page at a time (a county's ledgers have thousands); those past it carry
    ``OVERDUE_MARK`` (the mark says it, not only the colour). ``total`` and ``overdue`` count them all.
    ``cached=False`` reads the table even when the page is kept (the benchmark's first visit)."""
    names = categories if categories is not None else tuple(c.name for c in current().items if c.closes)
    if not cached:
        return _read_open(ctx, names, offset, limit)
    key = (ctx.grid.code if ctx.grid else None, ctx.today, names, offset, limit)
    return _OPEN.get(ctx.store, key, lambda: _read_open(ctx, names, offset, limit))


def _read_open(ctx: Context, names: tuple[str, ...], offset: int, limit: int) -> OpenItems:
    if not names:
        return OpenItems(pa.table({c: pa.array([], pa.string()) for c in OPEN_COLUMNS}), 0, 0, offset)
    params: dict[str, Any] = {"today": ctx.today, "closed": CLOSED}
    marks = []
    for i, n in enumerate(names):
        params[f"c{i}"] = n
        marks.append(f"$c{i}")
    where = f"w.category IN ({', '.join(marks)}) AND w.status IS DISTINCT FROM $closed AND {_scope(ctx, params)}"
    counts = run(
        ctx,
        f"SELECT count(*) AS total, CAST(count_if(w.due < $today) AS BIGINT) AS overdue FROM {WORK_ITEMS} AS w "
        f"WHERE {where}",
        params,
    ).to_pylist()[0]
    params |= {"mark": OVERDUE_MARK, "limit": limit, "offset": offset}
    # item_no last in the order: unique, so the pages neither skip nor repeat an item.
    rows = run(
        ctx,
        f"SELECT CASE WHEN w.due < $today THEN $mark ELSE '' END AS flag, w.due, w.item_no, w.\"date\", w.category, "
        f"w.title, coalesce(g.name, w.grid) AS grid_name, coalesce(p.name, w.person) AS person_name, "
        f"coalesce(w.status, '{STATUSES[0]}') AS status "
        f"FROM {WORK_ITEMS} AS w {_NAMES} WHERE {where} "
        f'ORDER BY w.due NULLS LAST, w."date", w.item_no LIMIT $limit OFFSET $offset',
        params,
    )
    return OpenItems(rows.select(list(OPEN_COLUMNS)), int(counts["total"]), int(counts["overdue"] or 0), offset)


def all_open_items(ctx: Context, page: int = 5_000) -> pa.Table:
    """Every open item, as the list pages them (for the export of the list)."""
    pages, offset = [], 0
    while True:
        got = open_items(ctx, offset=offset, limit=page)
        pages.append(got.rows)
        offset += got.rows.num_rows
        if not got.has_more or not got.rows.num_rows:
            return pa.concat_tables(pages)


@dataclass(frozen=True)
class Version:
    rev: int
    op: str
    at: dt.datetime
    by: str
    changes: tuple[tuple[str, Any, Any], ...]  # (label, old, new)


@dataclass(frozen=True)
class ItemDetail:
    record: dict[str, Any] | None
    versions: tuple[Version, ...]


def item_detail(ctx: Context, item_no: str) -> ItemDetail | None:
    """One item as it is now and every version of it (who changed what, when)."""
    store = ctx.store
    record = store.get(WORK_ITEMS, item_no)
    history = store.history(WORK_ITEMS, item_no)
    if record is None and history.num_rows == 0:
        return None
    spec = store.spec(WORK_ITEMS)
    # No PII in this table: 责任人 are staff, public by rule (DOMAIN §6).
    versions, prev = [], None
    for row in history.to_pylist():
        changes = tuple(
            (c.label, None if prev is None else prev.get(c.name), row.get(c.name))
            for c in spec.columns
            if (prev is None and row.get(c.name) is not None)
            or (prev is not None and prev.get(c.name) != row.get(c.name))
        )
        versions.append(Version(row[REV], row[OP], row[AT], row[BY], changes))
        prev = row
    return ItemDetail(record, tuple(versions))


def close_item(
    ctx: Context, item_no: str, note: str, *, expected_rev: int | None = None, on: dt.date | None = None
) -> int:
    """销号: 状态 已销号, 完成日期 today (or ``on``), the note added to 备注; a new version."""
    note = (note or "").strip()
    if not note:
        raise ValueError("销号须写明整改情况")
    record = ctx.store.get(WORK_ITEMS, item_no)
    if record is None:
        raise ValueError(f"没有编号为 {item_no} 的事项")
    if record.get("status") == CLOSED:
        raise ValueError(f"事项 {item_no} 已于 {record.get('done_date')} 销号")
    day = on or ctx.today
    old = (record.get("note") or "").strip()
    text = f"销号（{day:%Y-%m-%d}）：{note}"
    changes = {"status": CLOSED, "done_date": day, "note": f"{old}；{text}" if old else text}
    return ctx.store.update(
        WORK_ITEMS, item_no, changes, expected_rev=expected_rev if expected_rev is not None else record[REV]
    )


def next_item_no(ctx: Context, day: dt.date) -> str:
    """TZ + date + a sequence of that day: TZ20231009003."""
    prefix = f"TZ{day:%Y%m%d}"
    rows = run(
        ctx,
        f"SELECT max(item_no) FROM {WORK_ITEMS} WHERE starts_with(item_no, $p) AND length(item_no) = $n",
        {"p": prefix, "n": len(prefix) + 3},
    )
    last = rows.column(0)[0].as_py()
    seq = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{seq:03d}"


def add_item(ctx: Context, category: Category, values: dict[str, Any]) -> dict[str, Any]:
    """A new record of ``category`` from the form's values (text); returns the row written."""
    row: dict[str, Any] = {"category": category.name}
    for name, value in values.items():
        row[name] = value.strip() if isinstance(value, str) else value
        if row[name] == "":
            row[name] = None
    problems = []
    for name in ("date", "due", "done_date"):
        if isinstance(row.get(name), str):
            try:
                row[name] = dt.date.fromisoformat(row[name])
            except ValueError:
                problems.append((LABELS[name], f"“{row[name]}”不是日期，请写作 2026-11-26"))
    if isinstance(row.get("quantity"), str):
        try:
            row["quantity"] = int(row["quantity"])
        except ValueError:
            problems.append((LABELS["quantity"], f"“{row['quantity']}”不是整数"))
    if row.get("quantity") is None:
        row["quantity"] = 1
    if not row.get("title"):
        problems.append((LABELS["title"], "必填，不能为空"))
    if row.get("date") is None and not problems:
        row["date"] = ctx.today
    if problems:
        raise ItemError(problems)
    if row.get("status") is None:
        row["status"] = STATUSES[0] if category.closes else DONE
    if not row.get("item_no"):
        row["item_no"] = next_item_no(ctx, row["date"])
    ctx.store.append(WORK_ITEMS, [row])
    return row


class ItemError(ValueError):
    """What is wrong with a new item, as (field label, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("；".join(f"{label}：{m}" for label, m in problems))
        self.problems = problems


def flag_column(rows: pa.Table) -> pa.Array:
    return pc.equal(rows.column("flag"), OVERDUE_MARK)
