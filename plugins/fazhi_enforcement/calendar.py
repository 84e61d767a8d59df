"""公示期限 (the day a 处罚决定 must be published by) as SQL: the N-th working day after 决定日期,
by the official holiday calendar with its 调休 (``fazhi_tui.api.add_working_days``).

Separate because the calendar is Python and the figures are SQL over up to a million cases: the
due date of every day in a span of years is computed once, bound as one list parameter and
turned into a small table (day, due) in a CTE that the query joins on 决定日期 (a hash join of a
few thousand days: milliseconds, where indexing the list per row cost half a second at 1M rows).
A day outside the span (before 2000, or years ahead) has no row: the query estimates it by weeks.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from fazhi_tui.api import add_working_days, is_working_day

FIRST_YEAR = 2000


@cache
def _dues(n: int, last_year: int) -> tuple[dt.date, list[dt.date]]:
    """Every day from 2000-01-01 to the end of ``last_year`` with its N-th working day after it,
    in one pass over the calendar (the working days ahead of each day, by a moving index)."""
    start = dt.date(FIRST_YEAR, 1, 1)
    days = (dt.date(last_year + 1, 1, 1) - start).days
    ahead = [start + dt.timedelta(days=i) for i in range(days + 3 * n + 60)]
    working = [d for d in ahead[1:] if is_working_day(d)]
    dues, j = [], 0  # working[j] is the first working day after the current day
    for i in range(days):
        day = ahead[i]
        while working[j] <= day:
            j += 1
        dues.append(working[j + n - 1] if n else day)
    return start, dues


def due_date(decided: dt.date, n: int) -> dt.date:
    """The 公示 deadline of a decision made on ``decided``."""
    return add_working_days(decided, n)


def due_cte(name: str, n: int, today: dt.date) -> tuple[str, list]:
    """``name AS (SELECT day, due …)`` for a WITH clause, and its parameters in order."""
    start, dues = _dues(n, max(today.year, dt.date.today().year) + 2)
    sql = (
        f"{name} AS (SELECT CAST(? AS DATE) + CAST(i - 1 AS INTEGER) AS day, l[i] AS due "
        f"FROM (SELECT CAST(? AS DATE[]) AS l), range(1, ? + 1) AS r(i))"
    )
    return sql, [start, dues, len(dues)]


def estimate_sql(column: str, n: int) -> str:
    """The due date of a day outside the calendar's span: whole weeks per five working days."""
    return f"CAST({column} + INTERVAL {7 * (n // 5) + n % 5} DAY AS DATE)"
