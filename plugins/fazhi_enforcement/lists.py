"""The panel's lists, a page at a time (keyset: "the rows after this one", never OFFSET): the
period's actions, the period's cases with their 提示 flag, the open to-dos of any period, and
the cases that fail one 三项制度 rate. No Textual here.

Separate from ``figures`` because lists are paged and joined for display (officers' and grids'
names), while figures aggregate. Every list is bounded by ``LIMIT`` and counted once, so a
million cases cost one top-N per page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from fazhi_tui.api import Context, TableCache

from .figures import COMPLIANCE
from .settings import settings_of
from .sql import FLAG_SQL, FLAGS, TODO_BRANCHES, cases_cte, run, scope
from .tables import ACTIONS, CASES, PENALTIES

PENALTY_LIST = ", ".join(f"'{p}'" for p in PENALTIES)

ACTION_COLUMNS = {
    "action_no": "行动编号",
    "day": "日期",
    "action_type": "行动类型",
    "grid_name": "网格",
    "place": "地点",
    "partners": "联合单位",
    "leaders": "带队人员",
    "turnout": "出动人次",
    "problems_found": "发现问题数",
    "dissuaded": "劝阻数",
    "av_record": "音像记录号",
}
CASE_COLUMNS = {
    "flag": "提示",
    "case_no": "案件编号",
    "found_day": "发现日期",
    "source": "来源",
    "grid_name": "网格",
    "violation_type": "违法类型",
    "handling": "处理方式",
    "status": "状态",
    "officers": "执法人员",
    "rectify_by": "整改期限",
    "publicity_due": "公示期限",
    "published_on": "公示日期",
    "party": "当事人",
    "ticket_ref": "关联工单",
}
# Modes of the case list.
PERIOD_CASES = "period"  # the period's cases, newest first
TODO_CASES = "todo"  # flagged cases of any period, most urgent first


@dataclass(frozen=True)
class Page:
    rows: pa.Table
    total: int
    more: Callable[[], Page] | None = None
    counts: dict[str, int] | None = None  # per flag, for the case lists
    rate: tuple[int, int] | None = None  # a failing list's rate: (complied, counted), first page only


def _join_names(select_officers: bool) -> str:
    joins = "LEFT JOIN grids AS g ON g.code = c.grid"
    if select_officers:
        joins += (
            " LEFT JOIN people AS p1 ON p1.person_id = c.officer1 LEFT JOIN people AS p2 ON p2.person_id = c.officer2"
        )
    return joins


def actions_page(
    ctx: Context, after: tuple[Any, Any] | None = None, limit: int | None = None, total: int | None = None
) -> Page:
    """The period's actions, newest first. ``total``: how many the period has, when the caller
    knows it already (the panel's figures count them): saves a query."""
    limit = limit or settings_of(ctx).page_size
    params: dict[str, Any] = {"limit": limit}
    cond = scope(ctx, ACTIONS, params, alias="c")
    if total is None:
        total = run(ctx, f"SELECT count(*) AS n FROM {ACTIONS} AS c WHERE {cond}", params).column(0)[0].as_py()
    keyset = ""
    if after is not None:
        params["after_day"], params["after_no"] = after
        keyset = " AND (c.day < $after_day OR (c.day = $after_day AND c.action_no < $after_no))"
    # The page first, then its names: joined before the LIMIT, the names of every action of the
    # year would be looked up to show fifty.
    rows = run(
        ctx,
        f"WITH page AS (SELECT * FROM {ACTIONS} AS c WHERE {cond}{keyset} "
        "ORDER BY c.day DESC, c.action_no DESC LIMIT $limit) "
        "SELECT c.action_no, c.day, c.action_type, coalesce(g.name, c.grid) AS grid_name, c.place, "
        "array_to_string(c.partners, '、') AS partners, "
        "(SELECT string_agg(coalesce(p.name, l), '、') FROM unnest(c.leaders) AS u(l) "
        " LEFT JOIN people AS p ON p.person_id = u.l) AS leaders, "
        "c.turnout, c.problems_found, c.dissuaded, c.av_record "
        f"FROM page AS c {_join_names(False)} ORDER BY c.day DESC, c.action_no DESC",
        params,
    )
    more = None
    if rows.num_rows == limit:
        last = rows.slice(limit - 1, 1).to_pylist()[0]
        key = (last["day"], last["action_no"])
        more = lambda: actions_page(ctx, key, limit, total)  # noqa: E731
    return Page(rows, int(total or 0), more)


def _case_select() -> str:
    return (
        "SELECT c.flag, c.case_no, CAST(c.found_at AS DATE) AS found_day, c.source, "
        "coalesce(g.name, c.grid) AS grid_name, c.violation_type, c.handling, c.status, "
        "concat_ws('、', coalesce(p1.name, c.officer1), coalesce(p2.name, c.officer2)) AS officers, "
        "c.rectify_by, CASE WHEN c.handling IN ('简易程序处罚', '一般程序立案') AND c.decided_on IS NOT NULL "
        "THEN c.publicity_due END AS publicity_due, c.published_on, c.party, c.ticket_ref, c.found_at "
    )


_FLAG_LIST = "[" + ", ".join(f"'{f}'" for f in FLAGS) + "]"


def cases_page(
    ctx: Context,
    mode: str = PERIOD_CASES,
    after: tuple[Any, ...] | None = None,
    limit: int | None = None,
    failing: str | None = None,
) -> Page:
    """Cases with their 提示. ``mode``: the period's (newest first) or every open to-do (most
    urgent first, any period). ``failing``: only the cases that fail that compliance rate (the
    first page then carries the rate: complied and counted)."""
    limit = limit or settings_of(ctx).page_size
    if mode == TODO_CASES and failing is None:
        return _todo_page(ctx, after, limit)
    params: dict[str, Any] = {"limit": limit}
    where = scope(ctx, CASES, params, alias="e", in_period=mode == PERIOD_CASES)
    branches = TODO_BRANCHES if mode == TODO_CASES else ()
    cte = cases_cte(ctx, where, params, period=ctx.period if mode == PERIOD_CASES else None, branches=branches)
    listed = ["TRUE"]
    num = den = "TRUE"
    if failing is not None:
        _key, _label, num, den = next(c for c in COMPLIANCE if c[0] == failing)
        listed += [f"({den})", f"NOT ({num})"]
    flagged = f"SELECT c.*, {FLAG_SQL} AS flag, coalesce(list_position({_FLAG_LIST}, {FLAG_SQL}), {len(FLAGS) + 1}) AS urgency"
    first = after is None
    if mode == TODO_CASES:
        # Ordered by the flag: worked out for every listed case before the page is picked.
        order = "urgency, found_at DESC, case_no DESC"
        keyset = ""
        if after is not None:
            params["a0"], params["a1"], params["a2"] = after
            keyset = "WHERE urgency > $a0 OR (urgency = $a0 AND (found_at < $a1 OR (found_at = $a1 AND case_no < $a2)))"
        listed.append(f"({FLAG_SQL}) IS NOT NULL")
        page = (
            f"ranked AS ({flagged} FROM c WHERE {' AND '.join(listed)}), "
            f"page AS (SELECT * FROM ranked {keyset} ORDER BY {order} LIMIT $limit)"
        )
    else:
        # Newest first: the page picked by 发现时间 alone, its flags worked out for its rows only.
        order = "found_at DESC, case_no DESC"
        keyset = ""
        if after is not None:
            params["a1"], params["a2"] = after[1:]
            keyset = " AND (c.found_at < $a1 OR (c.found_at = $a1 AND c.case_no < $a2))"
        page = (
            f"picked AS (SELECT * FROM c WHERE {' AND '.join(listed)}{keyset} ORDER BY {order} LIMIT $limit), "
            f"page AS ({flagged} FROM picked AS c)"
        )
    plain = mode == PERIOD_CASES and failing is None
    counted = f", (SELECT count(*) FROM enforcement_cases AS e WHERE {where}) AS total" if first and plain else ""
    rows = run(
        ctx,
        f"{cte}, {page} {_case_select()}, c.urgency{counted} FROM page AS c {_join_names(True)} "
        f"ORDER BY {', '.join('c.' + o for o in order.split(', '))}",
        params,
    )
    total, counts, rate = 0, None, None
    if first:
        if plain:
            total = rows.column("total")[0].as_py() if rows.num_rows else 0
            rows = rows.drop_columns(["total"])
            # The flags of the period's cases are the to-dos found in it (every flagged case is one).
            counts = _flag_counts(_todo_rows(ctx), ctx)
        else:
            agg = run(
                ctx,
                f"{cte} SELECT CAST(count_if({den}) AS BIGINT) AS counted, "
                f"CAST(count_if({' AND '.join(listed)}) AS BIGINT) AS n FROM c",
                params,
            ).to_pylist()[0]
            total = int(agg["n"])
            if failing is not None:
                rate = (int(agg["counted"]) - total, int(agg["counted"]))
    more = None
    if rows.num_rows == limit:
        last = rows.slice(limit - 1, 1).to_pylist()[0]
        key = (last["urgency"], last["found_at"], last["case_no"])
        more = lambda: cases_page(ctx, mode, key, limit, failing)  # noqa: E731
    return Page(rows.drop_columns(["found_at", "urgency"]), int(total or 0), more, counts, rate)


def _flag_counts(todos: pa.Table, ctx: Context) -> dict[str, int]:
    """Per flag, the to-dos found in the context's period and grid."""
    lo = pa.scalar(dt.datetime.combine(ctx.period.start, dt.time()), todos.column("found_at").type)
    hi = pa.scalar(dt.datetime.combine(ctx.period.end, dt.time()), todos.column("found_at").type)
    found = todos.column("found_at")
    keep = pc.and_(pc.greater_equal(found, lo), pc.less(found, hi))
    if ctx.grid is not None:
        keep = pc.and_(keep, pc.equal(todos.column("grid"), pa.scalar(ctx.grid.code)))
    flags = todos.filter(pc.fill_null(keep, False)).column("flag")
    return {f: 0 for f in FLAGS} | {v["values"]: v["counts"] for v in pc.value_counts(flags).to_pylist()}


# Every to-do of the office (the flagged cases of any period), read once per state of the files
# and kept, in the list's order: few (thousands of a million cases), so a grid change, a period
# change (the list has none) and every later page come from memory instead of two scans of every
# case. Keyed by what flags depend on besides the files: today and the 公示 deadline.
TODO_CACHE: TableCache[pa.Table] = TableCache(CASES, "grids", "people", size=4)


def _todo_rows(ctx: Context) -> pa.Table:
    key = (ctx.town, ctx.today, settings_of(ctx).publicity_days)
    return TODO_CACHE.get(ctx.store, key, lambda: _read_todo_rows(ctx.replace(grid=None)))


def _read_todo_rows(ctx: Context) -> pa.Table:
    params: dict[str, Any] = {}
    cte = cases_cte(ctx, "TRUE", params, branches=TODO_BRANCHES)
    return run(
        ctx,
        f"{cte}, flagged AS (SELECT c.*, {FLAG_SQL} AS flag FROM c), "
        f"ranked AS (SELECT *, list_position({_FLAG_LIST}, flag) AS urgency FROM flagged WHERE flag IS NOT NULL) "
        f"{_case_select()}, c.urgency, c.grid FROM ranked AS c {_join_names(True)} "
        "ORDER BY c.urgency, c.found_at DESC, c.case_no DESC",
        params,
    )


def _todo_page(ctx: Context, after: tuple[Any, ...] | None, limit: int) -> Page:
    rows = _todo_rows(ctx)
    if ctx.grid is not None:
        rows = rows.filter(pc.equal(rows.column("grid"), pa.scalar(ctx.grid.code)))
    start = 0 if after is None else _first_after(rows, after)
    page = rows.slice(start, limit)
    total, counts = 0, None
    if after is None:
        flags = pc.value_counts(rows.column("flag")).to_pylist() if rows.num_rows else []
        counts = {f: 0 for f in FLAGS} | {v["values"]: v["counts"] for v in flags}
        total = rows.num_rows
    more = None
    if start + limit < rows.num_rows:
        last = page.slice(limit - 1, 1).to_pylist()[0]
        key = (last["urgency"], last["found_at"], last["case_no"])
        more = lambda: _todo_page(ctx, key, limit)  # noqa: E731
    return Page(page.drop_columns(["found_at", "urgency", "grid"]), total, more, counts)


def _first_after(rows: pa.Table, after: tuple[Any, ...]) -> int:
    """Index of the first row after ``after`` (urgency, 发现时间, 案件编号) in the to-do order."""
    urgency, found, no = rows.column("urgency"), rows.column("found_at"), rows.column("case_no")
    u = pa.scalar(after[0], urgency.type)
    f = pa.scalar(after[1], found.type)
    later = pc.or_(
        pc.greater(urgency, u),
        pc.and_(
            pc.equal(urgency, u),
            pc.or_(pc.less(found, f), pc.and_(pc.equal(found, f), pc.less(no, pa.scalar(after[2])))),
        ),
    )
    index = pc.index(pc.fill_null(later, False), True).as_py()
    return rows.num_rows if index < 0 else index


def every_page(first: Page) -> pa.Table:
    """Every row of a list, page after page (for the export)."""
    pages, page = [first.rows], first
    while page.more is not None:
        page = page.more()
        pages.append(page.rows)
    return pa.concat_tables(pages)


def officers(ctx: Context, on: dt.date | None = None) -> list[dict]:
    """执法队员 with a 执法证号, in post on ``on`` (default today), for the officer pickers."""
    day = on or ctx.today
    return ctx.query(
        "SELECT person_id, name, badge_no FROM people WHERE list_contains(roles, '执法队员') "
        "AND badge_no IS NOT NULL AND (start_date IS NULL OR start_date <= ?) "
        "AND (end_date IS NULL OR end_date > ?) ORDER BY name, person_id",
        [day, day],
    ).to_pylist()
