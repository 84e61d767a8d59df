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

from fazhi_tui.api import Context

from .figures import COMPLIANCE
from .settings import settings_of
from .sql import FLAG_SQL, FLAGS, cases_cte, run, scope
from .tables import ACTIONS, CASES, CLOSED, PENALTIES

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


def _join_names(select_officers: bool) -> str:
    joins = "LEFT JOIN grids AS g ON g.code = c.grid"
    if select_officers:
        joins += (
            " LEFT JOIN people AS p1 ON p1.person_id = c.officer1 LEFT JOIN people AS p2 ON p2.person_id = c.officer2"
        )
    return joins


def actions_page(ctx: Context, after: tuple[Any, Any] | None = None, limit: int | None = None) -> Page:
    """The period's actions, newest first."""
    limit = limit or settings_of(ctx).page_size
    params: dict[str, Any] = {"limit": limit}
    cond = scope(ctx, ACTIONS, params, alias="c")
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
        more = lambda: actions_page(ctx, key, limit)  # noqa: E731
    return Page(rows, total, more)


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
    urgent first, any period). ``failing``: only the cases that fail that compliance rate."""
    limit = limit or settings_of(ctx).page_size
    params: dict[str, Any] = {"limit": limit}
    where = scope(ctx, CASES, params, alias="e", in_period=mode == PERIOD_CASES)
    if mode == TODO_CASES:
        # Only open cases and unpublished 处罚 can carry a flag: said on the stored columns, the
        # scan drops the rest (most of a million) before any 公示期限 or flag is worked out.
        where += f" AND (e.status <> '{CLOSED}' OR (e.handling IN ({PENALTY_LIST}) AND e.published_on IS NULL))"
    cte = cases_cte(ctx, where, params, period=ctx.period if mode == PERIOD_CASES else None)
    filters = ["TRUE"]
    if mode == TODO_CASES:
        filters.append(f"({FLAG_SQL}) IS NOT NULL")
    if failing is not None:
        _key, _label, num, den = next(c for c in COMPLIANCE if c[0] == failing)
        filters.append(f"({den}) AND NOT ({num})")
    cond = " AND ".join(filters)
    # Flags over the matching cases; the page picked by them; names joined for the page only.
    base = (
        f"{cte}, flagged AS (SELECT c.*, {FLAG_SQL} AS flag FROM c WHERE {cond}), "
        f"ranked AS (SELECT *, coalesce(list_position({_FLAG_LIST}, flag), {len(FLAGS) + 1}) AS urgency FROM flagged)"
    )
    first = after is None
    keyset = ""
    if mode == TODO_CASES:
        order = "urgency, found_at DESC, case_no DESC"
        if after is not None:
            params["a0"], params["a1"], params["a2"] = after
            keyset = "WHERE urgency > $a0 OR (urgency = $a0 AND (found_at < $a1 OR (found_at = $a1 AND case_no < $a2)))"
    else:
        order = "found_at DESC, case_no DESC"
        if after is not None:
            params["a1"], params["a2"] = after[1:]
            keyset = "WHERE found_at < $a1 OR (found_at = $a1 AND case_no < $a2)"
    page = f"page AS (SELECT * FROM ranked {keyset} ORDER BY {order} LIMIT $limit)"
    rows = run(
        ctx,
        f"{base}, {page} {_case_select()}, c.urgency FROM page AS c {_join_names(True)} "
        f"ORDER BY {', '.join('c.' + o for o in order.split(', '))}",
        params,
    )
    total, counts = 0, None
    if first:
        agg = run(ctx, f"{base} SELECT flag, count(*) AS n FROM flagged GROUP BY flag", params).to_pylist()
        total = sum(r["n"] for r in agg)
        counts = {f: 0 for f in FLAGS} | {r["flag"]: r["n"] for r in agg if r["flag"] is not None}
    more = None
    if rows.num_rows == limit:
        last = rows.slice(limit - 1, 1).to_pylist()[0]
        key = (last["urgency"], last["found_at"], last["case_no"])
        more = lambda: cases_page(ctx, mode, key, limit, failing)  # noqa: E731
    return Page(rows.drop_columns(["found_at", "urgency"]), total, more, counts)


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
