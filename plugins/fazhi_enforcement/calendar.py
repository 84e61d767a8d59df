"""公示期限 (the day a 处罚决定 must be published by) as SQL: the N-th working day after 决定日期,
by the official holiday calendar with its 调休 (``fazhi_tui.api.add_working_days``).

Separate because the calendar is Python and the figures are SQL over up to a million cases: the
due date of every day in a span of years is computed once, bound as one list parameter and
turned into a small table (day, due) in a CTE that the query joins on 决定日期 (a hash join of a
few thousand days: milliseconds, where indexing the list per row cost half a second at 1M rows).
The span is what the query can need: the period's years up to today's (or ten years back for
lists of every period); a day outside it has no row and is estimated by weeks.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from fazhi_tui.api import add_working_days, is_working_day


@cache
def _offsets(n: int, first_year: int, last_year: int) -> tuple[dt.date, str]:
    """Every day of ``first_year``..``last_year`` with how many days after it its N-th working day
    falls, as one comma-separated text (a few kilobytes: cheap to bind, unlike a list of dates),
    computed in one pass over the calendar (the working days ahead of each day, by a moving index)."""
    start = dt.date(first_year, 1, 1)
    days = (dt.date(last_year + 1, 1, 1) - start).days
    ahead = [start + dt.timedelta(days=i) for i in range(days + 3 * n + 60)]
    working = [d for d in ahead[1:] if is_working_day(d)]
    out, j = [], 0  # working[j] is the first working day after the current day
    for i in range(days):
        day = ahead[i]
        while working[j] <= day:
            j += 1
        out.append(str(((working[j + n - 1] if n else day) - day).days))
    return start, ",".join(out)


def due_date(decided: dt.date, n: int) -> dt.date:
    """The 公示 deadline of a decision made on ``decided``."""
    return add_working_days(decided, n)


def due_cte(name: str, n: int, first_year: int, last_year: int) -> tuple[str, list]:
    """``name AS (SELECT day, due …)`` for a WITH clause, covering ``first_year``..``last_year``,
    and its parameters in order."""
    start, offsets = _offsets(n, first_year, last_year)
    sql = (
        f"{name} AS (SELECT CAST(? AS DATE) + CAST(i - 1 AS INTEGER) AS day, "
        f"CAST(? AS DATE) + CAST(i - 1 + CAST(o AS INTEGER) AS INTEGER) AS due "
        f"FROM (SELECT unnest(l) AS o, generate_subscripts(l, 1) AS i FROM (SELECT string_split(?, ',') AS l)))"
    )
    return sql, [start, start, offsets]


def estimate_sql(column: str, n: int) -> str:
    """The due date of a day outside the calendar's span: whole weeks per five working days."""
    return f"CAST({column} + INTERVAL {7 * (n // 5) + n % 5} DAY AS DATE)"
