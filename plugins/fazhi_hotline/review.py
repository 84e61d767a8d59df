"""What the hotline needs today (the daily review): tickets due within one working day, tickets
past 办理时限, and recent 不满意 callbacks. No Textual here; no caller's name or phone in an item.

Open tickets of any period count (an old ticket still open needs work); the town and grid of the
context apply. Each check lists at most ``MAX_ITEMS`` and then says how many more there are.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi_tui.api import Context, ReviewItem

from .conditions import scope_condition
from .deadlines import working_days_between
from .open_list import due_soon_until, open_condition, open_with_deadline
from .settings import settings_of
from .tables import CLOSED, HOTLINE, UNSATISFIED

MAX_ITEMS = 100


def _items(ctx: Context, where: str, params: list[Any], order: str, make) -> list[ReviewItem]:
    # The first MAX_ITEMS, their grids' names joined after the cut, then a count only when there
    # may be more: a count(*) OVER () or a join beside the LIMIT made DuckDB read every matching
    # row's columns (the texts too) before cutting, 4x the time at 10M tickets.
    rows = ctx.query(
        f"SELECT h.*, g.name AS grid_name FROM ("
        f"SELECT h.ticket_no, h.source, h.status, h.deadline, h.received_at, h.closed_at, h.category2, "
        f"h.appeal_type, h.content, h.unsatisfied_reason, h.grid "
        f"FROM hotline AS h WHERE {where} ORDER BY {order} LIMIT ?"
        f") AS h LEFT JOIN grids AS g ON g.code = h.grid ORDER BY {order}",
        [*params, MAX_ITEMS],
    ).to_pylist()
    total = len(rows)
    if total == MAX_ITEMS:
        total = ctx.query(f"SELECT count(*) AS n FROM hotline AS h WHERE {where}", params).column("n")[0].as_py()
    return _listed(rows, total, make)


def _listed(rows: list[dict], total: int, make) -> list[ReviewItem]:
    items = [make(r) for r in rows]
    if total > len(rows):
        items.append(ReviewItem(f"另有 {total - len(rows)} 件未列出", "请在12345热线面板中查看", table=HOTLINE))
    return items


def _open_items(ctx: Context, first: dt.date | None, last: dt.date | None, make) -> list[ReviewItem] | None:
    """As ``_items`` for open tickets with 办理时限 in ``[first, last]``, from the open list's
    cached rows (already in the order deadline, received, number); None when it keeps none."""
    rows = open_with_deadline(ctx, first, last)
    if rows is None:
        return None
    # The list's grid name falls back to the code; the review says 未指定网格 only without a grid.
    return _listed(rows.slice(0, MAX_ITEMS).to_pylist(), rows.num_rows, make)


def _what(r: dict) -> str:
    content = (r["content"] or "").strip()
    if len(content) > 30:
        content = content[:30] + "…"
    where = r["grid_name"] or "未指定网格"
    kind = r["category2"] or r["appeal_type"]
    return f"{where}；{kind}：{content}" if content else f"{where}；{kind}"


def due_soon(ctx: Context) -> list[ReviewItem]:
    """Open tickets whose 办理时限 is today or the next working day."""
    soon = due_soon_until(ctx.today).day
    cond, params = open_condition(ctx, in_period=False, alias="h")
    where = f"{cond} AND h.deadline >= ? AND h.deadline <= ?"
    params += [ctx.today, soon]

    def make(r: dict) -> ReviewItem:
        when = "今日" if r["deadline"] == ctx.today else f"{r['deadline']:%m月%d日}"
        return ReviewItem(
            f"12345{r['source']} {r['ticket_no']} {when}到期（{r['status']}）",
            _what(r),
            due=r["deadline"],
            grid=r["grid"],
            table=HOTLINE,
            record_id=r["ticket_no"],
            overdue=False,
        )

    cached = _open_items(ctx, ctx.today, soon, make)
    if cached is not None:
        return cached
    return _items(ctx, where, params, "h.deadline, h.received_at, h.ticket_no", make)


def overdue(ctx: Context) -> list[ReviewItem]:
    """Open tickets past their 办理时限."""
    cond, params = open_condition(ctx, in_period=False, alias="h")
    where = f"{cond} AND h.deadline < ?"
    params += [ctx.today]

    def make(r: dict) -> ReviewItem:
        late = working_days_between(r["deadline"], ctx.today)
        late_text = f"超期 {late} 个工作日" if late > 0 else "已过办理时限"
        return ReviewItem(
            f"12345{r['source']} {r['ticket_no']} {late_text}（时限 {r['deadline']:%Y-%m-%d}）",
            _what(r),
            due=r["deadline"],
            grid=r["grid"],
            table=HOTLINE,
            record_id=r["ticket_no"],
            overdue=True,
        )

    cached = _open_items(ctx, None, ctx.today - dt.timedelta(days=1), make)
    if cached is not None:
        return cached
    return _items(ctx, where, params, "h.deadline, h.received_at, h.ticket_no", make)


def unsatisfied(ctx: Context) -> list[ReviewItem]:
    """Tickets closed in the last ``unsatisfied_days`` (30 by default) whose callback was 不满意."""
    days = settings_of(ctx).unsatisfied_days
    since = dt.datetime.combine(ctx.today - dt.timedelta(days=days), dt.time())
    until = dt.datetime.combine(ctx.today + dt.timedelta(days=1), dt.time())
    scope, scope_params = scope_condition(ctx, alias="h")
    where = f"h.status = ? AND h.callback = ? AND h.closed_at >= ? AND h.closed_at < ? AND {scope}"
    params: list[Any] = [CLOSED, UNSATISFIED, since, until, *scope_params]

    def make(r: dict) -> ReviewItem:
        reason = r["unsatisfied_reason"] or "未填原因"
        return ReviewItem(
            f"12345{r['source']} {r['ticket_no']} 回访不满意：{reason}",
            _what(r),
            due=None,
            grid=r["grid"],
            table=HOTLINE,
            record_id=r["ticket_no"],
            overdue=False,
        )

    return _items(ctx, where, params, "h.closed_at DESC, h.ticket_no", make)
