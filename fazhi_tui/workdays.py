"""Working days (工作日) by China's official holiday calendar, with its make-up working weekends
(调休), for any plugin's deadlines (a 公示 within 7 working days, a 12345 ticket's 办理时限 …).

The calendar is the maintained ``chinesecalendar`` package (import name ``chinese_calendar``),
which knows the State Council's notices up to some year. A day beyond its data is counted by
weekends alone; ``calendar_note`` says so in Chinese, so a screen can tell the user.

Counting rule: the N-th working day *after* a day D, D itself not counted. 7 working days from
Thursday 2023-09-28: 9-29 … 10-6 are the 中秋/国庆 holiday, Saturday 10-7 and Sunday 10-8 are
make-up working days, so 10-7, 10-8, 10-9, 10-10, 10-11, 10-12, 10-13: the 7th is 2023-10-13.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

try:  # a missing package costs the holidays, not the program: weekends alone then decide
    import chinese_calendar as _cc
except ImportError:  # pragma: no cover - the package is a dependency
    _cc = None


@cache
def calendar_years() -> tuple[int, int] | None:
    """The first and last year of the official calendar's data, or None without the package."""
    if _cc is None:
        return None
    years = {d.year for d in _cc.holidays} | {d.year for d in _cc.workdays}
    return (min(years), max(years)) if years else None


def is_official(day: dt.date) -> bool:
    """Whether the official calendar covers ``day`` (else weekends alone decide)."""
    span = calendar_years()
    return span is not None and span[0] <= day.year <= span[1]


@cache
def is_working_day(day: dt.date) -> bool:
    if is_official(day):
        # The package's own tables, looked up directly: its is_workday() costs ~0.1 ms a call,
        # and a year of deadlines asks for thousands of days.
        if day in _cc.holidays:
            return False
        if day in _cc.workdays:
            return True
    return day.weekday() < 5


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``start`` (``start`` not counted); ``n == 0`` is ``start``."""
    if n < 0:
        raise ValueError(f"工作日数不能为负：{n}")
    day, counted = start, 0
    while counted < n:
        day += dt.timedelta(days=1)
        counted += is_working_day(day)
    return day


def working_days_between(first: dt.date, last: dt.date) -> int:
    """Working days in ``(first, last]``; negative when ``last`` is before ``first``.

    By each year's running count, not day by day: the review asks it for every overdue ticket,
    some of them years past their deadline (100 tickets took 2 s counted day by day)."""
    if last < first:
        return -working_days_between(last, first)
    years = sum(_year_running_count(y)[-1] for y in range(first.year, last.year))
    return years + _worked_by(last) - _worked_by(first)


def _worked_by(day: dt.date) -> int:
    """Working days from 1 January of ``day``'s year up to ``day``, inclusive."""
    return _year_running_count(day.year)[day.timetuple().tm_yday - 1]


@cache
def _year_running_count(year: int) -> tuple[int, ...]:
    """For each day of ``year``, the working days from 1 January up to it (the last is the year's total)."""
    out, n, day = [], 0, dt.date(year, 1, 1)
    while day.year == year:
        n += is_working_day(day)
        out.append(n)
        day += dt.timedelta(days=1)
    return tuple(out)


def calendar_note(*days: dt.date | None) -> str | None:
    """What to tell the user when some of ``days`` lie beyond the official calendar, else None."""
    beyond = sorted({d.year for d in days if d is not None and not is_official(d)})
    if not beyond:
        return None
    years = "、".join(f"{y}年" for y in beyond)
    span = calendar_years()
    if span is None:
        return f"未安装节假日日历（chinesecalendar），{years}的工作日仅按周末估算"
    return f"节假日日历仅收录 {span[0]}—{span[1]} 年，{years}的法定节假日与调休尚未收录，工作日仅按周末估算"
