"""The open tickets (待签收/办理中/延期) by 办理时限, a page at a time, with their counts.

Separate because it is a list, not a figure: it has two paging paths (from memory for a
township, from the files for a county or a period) that must give the same pages, a
``TableCache`` of the town's open tickets, and the flags 超期 / 即将到期 (一个工作日内).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from fazhi_tui.api import Context, TableCache

from .conditions import lit, received_in, scope_condition
from .deadlines import Deadline, calendar_note, next_working_day
from .masking import mask_table
from .settings import settings_of
from .tables import CLOSED, HOTLINE, HOTLINE_SPEC, LABELS, RETURNED

# One word each, on screen and in the export; what 即将到期 means (by the next working day) is said
# beside the counts.
OVERDUE_FLAG, DUE_SOON_FLAG = "超期", "即将到期"
OPEN_COLUMNS = (
    "flag",
    "deadline",
    "ticket_no",
    "status",
    "source",
    "received_at",
    "appeal_type",
    "urgency",
    "category1",
    "category2",
    "grid_name",
    "caller",
    "phone",
    "content",
    "grid",
)
OPEN_LABELS = {**LABELS, "flag": "提示", "grid_name": "网格", "grid": "网格编码"}


@dataclass(frozen=True)
class OpenKey:
    """Where a page of open tickets ended, in the list's order: the keyset to continue from."""

    deadline: dt.date | None
    received_at: dt.datetime
    ticket_no: str


@dataclass(frozen=True)
class OpenPage:
    """A page of the open tickets (待签收/办理中/延期), by 办理时限 (earliest first, none last)."""

    rows: pa.Table  # OPEN_COLUMNS; caller/phone masked unless the user may see them
    total: int | None  # open tickets in all (None when not counted)
    overdue: int | None  # of which past 办理时限
    due_soon: int | None  # of which due today or by the next working day
    offset: int  # rows before this page
    limit: int
    today: dt.date
    due_soon_until: dt.date  # the next working day after today
    note: str | None = None  # the calendar's note when a date shown lies beyond its data
    labels: Mapping[str, str] = field(default_factory=lambda: dict(OPEN_LABELS))

    @property
    def has_more(self) -> bool:
        if self.rows.num_rows < self.limit:
            return False
        return self.total is None or self.offset + self.rows.num_rows < self.total

    @property
    def next_after(self) -> OpenKey | None:
        """Pass as ``after`` to get the next page."""
        if self.rows.num_rows == 0:
            return None
        last = self.rows.slice(self.rows.num_rows - 1).to_pylist()[0]
        return OpenKey(last["deadline"], last["received_at"], last["ticket_no"])


def due_soon_until(today: dt.date) -> Deadline:
    """A ticket is due within one working day when its 办理时限 is today or up to the next working day."""
    return next_working_day(today)


def deadline_flag(deadline: dt.date | None, today: dt.date) -> str | None:
    """OVERDUE_FLAG, DUE_SOON_FLAG or None for an open ticket's 办理时限."""
    if deadline is None:
        return None
    if deadline < today:
        return OVERDUE_FLAG
    return DUE_SOON_FLAG if deadline <= due_soon_until(today).day else None


def open_condition(ctx: Context, *, in_period: bool, alias: str | None = None) -> tuple[str, list[Any]]:
    """Open tickets (待签收/办理中/延期) in the town and grid (and the period when ``in_period``)."""
    a = f"{alias}." if alias else ""
    # "Not closed and not returned" selects the same rows as status IN (open ones), but DuckDB
    # pushes two inequalities into the scan as a real filter, while an IN list is only an
    # optional one: measured 284 ms -> 54 ms for the first page at 10M tickets.
    scope, params = scope_condition(ctx, alias=alias)
    cond = f"{a}status IS NOT NULL AND {a}status <> {lit(CLOSED)} AND {a}status <> {lit(RETURNED)} AND {scope}"
    if in_period:
        period, period_params = received_in(ctx.period, alias)
        cond += f" AND {period}"
        params = params + period_params
    return cond, params


def _after_condition(after: OpenKey, alias: str) -> tuple[str, list[Any]]:
    """Rows after ``after`` in the order 办理时限 (nulls last), 受理时间, 工单编号."""
    a = f"{alias}."
    rest = f"({a}received_at > ? OR ({a}received_at = ? AND {a}ticket_no > ?))"
    rest_params = [after.received_at, after.received_at, after.ticket_no]
    if after.deadline is None:
        return f"{a}deadline IS NULL AND {rest}", rest_params
    return (
        f"({a}deadline > ? OR {a}deadline IS NULL OR ({a}deadline = ? AND {rest}))",
        [after.deadline, after.deadline, *rest_params],
    )


def open_counts(ctx: Context, *, in_period: bool = False) -> tuple[int, int, int]:
    """(open tickets, of them overdue, of them due within one working day), as ``open_tickets``
    counts them."""
    soon = due_soon_until(ctx.today)
    rows = None if in_period else _kept_in_grid(ctx)
    if rows is not None:
        deadline = rows.column("deadline")
        overdue = pc.sum(pc.less(deadline, pa.scalar(ctx.today))).as_py() or 0
        due_soon = (
            pc.sum(
                pc.and_(pc.greater_equal(deadline, pa.scalar(ctx.today)), pc.less_equal(deadline, pa.scalar(soon.day)))
            ).as_py()
            or 0
        )
        return rows.num_rows, int(overdue), int(due_soon)
    cond, params = open_condition(ctx, in_period=in_period)
    c = ctx.query(
        "SELECT count(*) AS total, CAST(count_if(deadline < ?) AS BIGINT) AS overdue, "
        f"CAST(count_if(deadline >= ? AND deadline <= ?) AS BIGINT) AS due_soon FROM hotline WHERE {cond}",
        [ctx.today, ctx.today, soon.day, *params],
    ).to_pylist()[0]
    # count_if over no rows is NULL, not 0.
    return c["total"], c["overdue"] or 0, c["due_soon"] or 0


def open_tickets(
    ctx: Context,
    offset: int = 0,
    limit: int | None = None,
    *,
    after: OpenKey | None = None,
    counts: bool = True,
    in_period: bool = False,
) -> OpenPage:
    """The open tickets in the grid (and town), soonest 办理时限 first (then 受理时间, 工单编号: a
    stable order), ``limit`` rows (default the ``page_size`` setting, 50).

    Page with ``after=previous_page.next_after`` (keyset: every page as fast as the first); or with
    ``offset`` (LIMIT/OFFSET: simple, but DuckDB's cost grows with the depth — measured on 10M
    tickets, offset 5000 several times the first page). With ``after``, ``offset`` only says how
    many rows came before (for ``has_more``). ``counts=False`` skips the totals (one scan fewer),
    for pages after the first. Open tickets of any period are listed unless ``in_period``: an old
    ticket still open needs work all the same."""
    limit = settings_of(ctx).page_size if limit is None else max(0, int(limit))
    offset = max(0, int(offset))
    soon = due_soon_until(ctx.today)
    total = overdue = due_soon = None
    kept = None if in_period else _kept_in_grid(ctx)
    if counts:
        total, overdue, due_soon = open_counts(ctx, in_period=in_period)
    if kept is not None:
        rows = kept
        start = offset if after is None else _first_after(rows, after)
        rows = rows.slice(start, limit)
        deadline = rows.column("deadline")
        flag = pc.if_else(
            pc.less(deadline, pa.scalar(ctx.today)),
            pa.scalar(OVERDUE_FLAG),
            pc.if_else(
                pc.less_equal(deadline, pa.scalar(soon.day)), pa.scalar(DUE_SOON_FLAG), pa.scalar(None, pa.string())
            ),
        )
        rows = rows.append_column("flag", flag)
    else:
        rows = _open_page_sql(ctx, soon, limit, offset, after, in_period)
    rows = mask_table(ctx, HOTLINE_SPEC, rows.select(list(OPEN_COLUMNS)))
    deadlines = [d for d in rows.column("deadline").to_pylist() if d is not None]
    note = calendar_note(soon.day, *deadlines[-1:])
    return OpenPage(rows, total, overdue, due_soon, offset, limit, ctx.today, soon.day, note)


# Every open ticket of the town, read once per state of the files and kept: a township has few
# (thousands of a county's 10M), so a grid change, a period change and each page after the first
# are answered from memory instead of scanning every month's file again (a grid's first page
# read 62 row groups at 10M tickets, ~110 ms; from here ~2 ms).
# Reading them in full costs more than the first page and the counts do from the files (every
# open ticket's text columns decoded: ~200 ms against ~90 ms at 10M tickets, and more while the
# dashboard starts), so they are not read for the first page: the panel asks for them
# (``keep_open_rows``) once its first screen is drawn, and until they are kept every page and
# count comes from the files, which give the same rows.
# A whole county's open tickets (``scope = "all"``: 38-61k at 10M) cost ~600 ms to read in full,
# more than paging them from the files: that list keeps reading each page from the files.
OPEN_CACHE: TableCache[pa.Table] = TableCache(HOTLINE, "grids", size=4)


def _keeps_open_rows(ctx: Context) -> bool:
    return bool(ctx.town) and settings_of(ctx).scope == "town"


def keep_open_rows(ctx: Context) -> bool:
    """Read the town's open tickets and keep them for the current state of the files, unless
    they are kept already (the panel, after its first screen: later pages, grid and period
    changes are answered from memory then). False when this list does not keep rows (a
    county-wide scope, no town)."""
    if not _keeps_open_rows(ctx):
        return False
    _open_rows(ctx)
    return True


def _open_rows(ctx: Context) -> pa.Table:
    """The open tickets of the town (grid ignored), in the list's order."""
    return OPEN_CACHE.get(ctx.store, ctx.town, lambda: _read_open_rows(ctx))


def _kept_in_grid(ctx: Context) -> pa.Table | None:
    """The kept open tickets of the town in the context's grid, in the list's order; None when
    none are kept for the files as they are now (then the caller reads from the files)."""
    if not _keeps_open_rows(ctx):
        return None
    rows = OPEN_CACHE.peek(ctx.store, ctx.town)
    if rows is not None and ctx.grid is not None:
        rows = rows.filter(pc.equal(rows.column("grid"), pa.scalar(ctx.grid.code)))
    return rows


def _read_open_rows(ctx: Context) -> pa.Table:
    cond, params = open_condition(ctx.replace(grid=None), in_period=False, alias="h")
    return ctx.query(
        f"""
        SELECT h.deadline, h.ticket_no, h.status, h.source, h.received_at, h.appeal_type, h.urgency,
               h.category1, h.category2, coalesce(g.name, h.grid) AS grid_name, h.caller, h.phone,
               h.content, h.grid
        FROM hotline AS h LEFT JOIN grids AS g ON g.code = h.grid
        WHERE {cond}
        ORDER BY h.deadline ASC NULLS LAST, h.received_at, h.ticket_no
        """,
        params,
    )


def open_with_deadline(ctx: Context, first: dt.date | None, last: dt.date | None) -> pa.Table | None:
    """The open tickets in the context's town and grid whose 办理时限 is in ``[first, last]``
    (either end open), in the list's order, from the rows the open list keeps; None when it
    keeps none now (not read since the last write, a county-wide scope, no town), and the
    caller queries instead.

    The review's 超期 and 即将到期 checks take these when the list was opened: nothing to read
    then. They do not fill it themselves: reading every open ticket's columns costs about four
    times what their own first-100 queries do at 10M tickets (every month holds a few old open
    tickets, so every month's text columns are decoded)."""
    rows = _kept_in_grid(ctx)
    if rows is None:
        return None
    deadline = rows.column("deadline")
    keep = pc.is_valid(deadline)
    if first is not None:
        keep = pc.and_(keep, pc.greater_equal(deadline, pa.scalar(first, deadline.type)))
    if last is not None:
        keep = pc.and_(keep, pc.less_equal(deadline, pa.scalar(last, deadline.type)))
    return rows.filter(pc.fill_null(keep, False))


def _first_after(rows: pa.Table, after: OpenKey) -> int:
    """Index of the first row after ``after`` in the list's order (rows are in that order)."""
    deadline, received, no = rows.column("deadline"), rows.column("received_at"), rows.column("ticket_no")
    rest = pc.or_(
        pc.greater(received, pa.scalar(after.received_at, received.type)),
        pc.and_(
            pc.equal(received, pa.scalar(after.received_at, received.type)), pc.greater(no, pa.scalar(after.ticket_no))
        ),
    )
    if after.deadline is None:
        later = pc.and_(pc.is_null(deadline), rest)
    else:
        d = pa.scalar(after.deadline, deadline.type)
        later = pc.or_kleene(
            pc.or_kleene(pc.greater(deadline, d), pc.is_null(deadline)),
            pc.and_kleene(pc.equal(deadline, d), rest),
        )
    later = pc.fill_null(later, False)
    found = pc.index(later, True).as_py()
    return rows.num_rows if found < 0 else found


def _open_page_sql(
    ctx: Context, soon: Deadline, limit: int, offset: int, after: OpenKey | None, in_period: bool
) -> pa.Table:
    """A page of the open tickets (of the period when ``in_period``), straight from the files."""
    page_cond, params = open_condition(ctx, in_period=in_period, alias="h")
    if after is not None:
        after_cond, after_params = _after_condition(after, "h")
        page_cond += f" AND {after_cond}"
        params = params + after_params
    order = "deadline ASC NULLS LAST, received_at, ticket_no"
    return ctx.query(
        f"""
        SELECT CASE WHEN p.deadline < ? THEN {lit(OVERDUE_FLAG)}
                    WHEN p.deadline <= ? THEN {lit(DUE_SOON_FLAG)} END AS flag,
               p.deadline, p.ticket_no, p.status, p.source, p.received_at, p.appeal_type, p.urgency,
               p.category1, p.category2, coalesce(g.name, p.grid) AS grid_name, p.caller, p.phone, p.content, p.grid
        FROM (SELECT h.deadline, h.ticket_no, h.status, h.source, h.received_at, h.appeal_type, h.urgency,
                     h.category1, h.category2, h.caller, h.phone, h.content, h.grid
              FROM hotline AS h WHERE {page_cond}
              ORDER BY {", ".join("h." + o for o in order.split(", "))} LIMIT ? OFFSET ?) AS p
        LEFT JOIN grids AS g ON g.code = p.grid
        ORDER BY {", ".join("p." + o for o in order.split(", "))}
        """,
        [ctx.today, soon.day, *params, limit, 0 if after else offset],
    )


# -- the list as the panel shows and exports it ----------------------------------------------------
DUE_SOON_SHORT = DUE_SOON_FLAG  # kept for the screens that import it
OPEN_SHOWN = [c for c in OPEN_COLUMNS if c != "grid"]  # the code is in 网格's name already
EXPORT_PAGE = 5_000  # rows per keyset page when exporting the whole open list


def display_rows(rows: pa.Table) -> pa.Table:
    """The open list as shown: times to the minute."""
    received = pc.strftime(rows.column("received_at"), format="%Y-%m-%d %H:%M")
    rows = rows.set_column(rows.schema.get_field_index("received_at"), "received_at", received)
    return rows.select(OPEN_SHOWN)


def next_page(ctx: Context, page: OpenPage) -> OpenPage:
    """The page after ``page`` (keyset: the rows after its last), without the counts."""
    return open_tickets(
        ctx, offset=page.offset + page.rows.num_rows, limit=page.limit, after=page.next_after, counts=False
    )


def all_open_tickets(ctx: Context) -> pa.Table:
    """Every open ticket of the list, in its order, page by page (for the export)."""
    pages, after, offset = [], None, 0
    while True:
        page = open_tickets(ctx, offset=offset, limit=EXPORT_PAGE, after=after, counts=False)
        pages.append(page.rows)
        offset += page.rows.num_rows
        if not page.has_more:
            break
        after = page.next_after
    return pa.concat_tables(pages).select(OPEN_SHOWN)


def open_summary(ctx: Context) -> str:
    """The open list in one line, for the palette and ``fazhi-tui run hotline_open_summary``."""
    total, overdue, due_soon = open_counts(ctx)
    soon = due_soon_until(ctx.today).day
    return (
        f"{ctx.grid_label}未办结工单 {total} 件：超期 {overdue} 件，"
        f"即将到期 {due_soon} 件（一个工作日内，时限不晚于 {soon:%m-%d}）"
    )
