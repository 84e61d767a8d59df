"""The SQL every query module shares: named parameters, the period/grid condition, the facts of
a case (what the 三项制度 ask of it and whether it was done) and its 提示 flag. No Textual here.

Separate because the figures, the lists, the review and the report must agree on what "公示 on
time" or "整改超期" means: each condition is written once, here, and used by all of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from fazhi_tui.api import Context, Period

from .calendar import due_cte, estimate_sql
from .settings import settings_of
from .tables import CLOSED, DISSUADE, PENALTIES, REVIEWED

_PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def run(ctx: Context, sql: str, params: Mapping[str, Any]) -> pa.Table:
    """``ctx.query`` with named parameters (``$name``); those the SQL does not use are dropped
    (DuckDB refuses extra ones), so conditions can be built up in one dict."""
    used = set(_PARAM_RE.findall(sql))
    return ctx.query(sql, {k: v for k, v in params.items() if k in used})


def scope(
    ctx: Context,
    table: str,
    params: dict[str, Any],
    *,
    alias: str | None = None,
    period: Period | None = None,
    prefix: str = "s",
    in_period: bool = True,
) -> str:
    """The host's period and grid condition (``ctx.where``: prunable bounds of the column's own
    type) with its positional parameters renamed ``$<prefix>0``, ``$<prefix>1`` … into ``params``."""
    c = ctx if period is None else ctx.replace(period=period)
    if not in_period:
        if c.grid is None:
            return "TRUE"
        column = f"{alias}.grid" if alias else "grid"
        params[f"{prefix}g"] = c.grid.code
        return f"{column} = ${prefix}g"
    cond, values = c.where(table, alias)
    parts = cond.split("?")
    out = parts[0]
    for i, (value, rest) in enumerate(zip(values, parts[1:], strict=True)):
        params[f"{prefix}{i}"] = value
        out += f"${prefix}{i}{rest}"
    return out


def previous_period(period: Period) -> Period | None:
    prev = period.step(-1)
    return None if prev == period else prev


# -- the facts of a case (alias c) ------------------------------------------------------------------
BEYOND_DISSUASION = f"(c.handling IS NOT NULL AND c.handling <> '{DISSUADE}')"
# Not blank: a first character other than a space decides most rows without trimming a copy of
# every string (trim over a million 音像记录号 was the costliest part of the figures' query).
HAS_AV = "(c.av_record IS NOT NULL AND c.av_record <> '' AND (ascii(c.av_record) <> 32 OR trim(c.av_record) <> ''))"
TWO_OFFICERS = (
    "(c.officer1 IS NOT NULL AND c.officer2 IS NOT NULL AND c.officer1 <> c.officer2 "
    "AND c.badge1 IS NOT NULL AND c.badge2 IS NOT NULL)"
)
MAJOR = "coalesce(c.major, FALSE)"
LEGALLY_REVIEWED = f"(c.legal_review = '{REVIEWED}')"
_PENALTY_LIST = ", ".join(f"'{p}'" for p in PENALTIES)
PENALTY_DECIDED = f"(c.handling IN ({_PENALTY_LIST}) AND c.decided_on IS NOT NULL)"
OPEN = f"(c.status <> '{CLOSED}')"
# 公示 counted once it happened or its deadline has passed; on time when on or before the deadline.
PUBLICITY_COUNTED = f"({PENALTY_DECIDED} AND (c.published_on IS NOT NULL OR c.publicity_due < $today))"
PUBLICITY_ON_TIME = f"({PENALTY_DECIDED} AND c.published_on IS NOT NULL AND c.published_on <= c.publicity_due)"
PUBLICITY_LATE = f"({PENALTY_DECIDED} AND c.published_on IS NULL AND c.publicity_due < $today)"
PUBLICITY_DUE = f"({PENALTY_DECIDED} AND c.published_on IS NULL AND c.publicity_due >= $today)"
RECTIFY_PENDING = f"({OPEN} AND c.rectify_by IS NOT NULL AND c.reviewed_on IS NULL)"
RECTIFY_OVERDUE = f"({RECTIFY_PENDING} AND c.rectify_by < $today)"

# The list's 提示 column: a word, so the state is never told by colour alone.
FLAG_RECTIFY_OVERDUE = "整改超期"
FLAG_PUBLICITY_LATE = "公示超期"
FLAG_PUBLICITY_DUE = "公示待办"
FLAG_AWAITING_REVIEW = "待复查"
FLAGS = (FLAG_RECTIFY_OVERDUE, FLAG_PUBLICITY_LATE, FLAG_PUBLICITY_DUE, FLAG_AWAITING_REVIEW)
FLAG_SQL = (
    f"CASE WHEN {RECTIFY_OVERDUE} THEN '{FLAG_RECTIFY_OVERDUE}' "
    f"WHEN {PUBLICITY_LATE} THEN '{FLAG_PUBLICITY_LATE}' "
    f"WHEN {PUBLICITY_DUE} THEN '{FLAG_PUBLICITY_DUE}' "
    f"WHEN {RECTIFY_PENDING} OR c.status = '待复查' THEN '{FLAG_AWAITING_REVIEW}' END"
)


LOOKBACK_YEARS = 10  # lists of every period: decisions older than this get an estimated 公示期限


def cases_cte(
    ctx: Context,
    where: str,
    params: dict[str, Any],
    name: str = "c",
    period: Period | None = None,
    branches: tuple[str, ...] = (),
) -> str:
    """``WITH`` clauses giving ``name``: the cases that match ``where`` (over alias ``e``), each
    with its ``publicity_due`` (公示期限, in working days after 决定日期). Adds ``$today``.
    ``period``: the period ``where`` keeps the cases to (None: any period). ``branches``: disjoint
    conditions (over ``e``), each ANDed to ``where`` and scanned on its own (UNION ALL): DuckDB
    pushes a plain conjunction into the Parquet scan but not an OR across columns, which would read
    every column of every case."""
    n = settings_of(ctx).publicity_days
    # A decision follows the case's 发现时间: the period's first year is the earliest needed.
    first = ctx.today.year - LOOKBACK_YEARS if period is None else min(period.start.year, ctx.today.year)
    last = max(ctx.today.year, period.last.year if period is not None else ctx.today.year) + 1
    cal, values = due_cte("pub_cal", n, first, last)
    for i, v in enumerate(values):
        cal = cal.replace("?", f"$cal{i}", 1)
        params[f"cal{i}"] = v
    params["today"] = ctx.today
    return (
        f"WITH {cal}, {name} AS (SELECT e.*, coalesce(pc.due, {estimate_sql('e.decided_on', n)}) AS publicity_due "
        f"FROM {_source(where, branches)} LEFT JOIN pub_cal AS pc ON pc.day = e.decided_on)"
    )


def _source(where: str, branches: tuple[str, ...]) -> str:
    if not branches:
        return f"(SELECT * FROM enforcement_cases AS e WHERE {where}) AS e"
    parts = " UNION ALL ".join(f"SELECT * FROM enforcement_cases AS e WHERE {where} AND ({b})" for b in branches)
    return f"({parts}) AS e"


# The cases that can carry a 提示 flag, as disjoint conditions on stored columns (``branches`` of
# ``cases_cte``): open ones, and closed 处罚 not yet published.
TODO_BRANCHES = (f"e.status <> '{CLOSED}'",) + tuple(
    f"e.status = '{CLOSED}' AND e.published_on IS NULL AND e.handling = '{p}'" for p in PENALTIES
)
