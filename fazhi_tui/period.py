"""Periods the panels share: a year, a quarter, a month, or a custom range of days.

A period is half-open, ``start <= day < end``, so SQL filters are ``col >= ? AND col < ?`` with
both ends bound as parameters and no "last day of the month" arithmetic.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from .store.spec import TableSpec
from .store.views import qident

YEAR, QUARTER, MONTH, RANGE = "year", "quarter", "month", "range"
KINDS = (YEAR, QUARTER, MONTH, RANGE)
# The granularity key cycles through these; a custom range is typed in, never cycled into.
CYCLE = (YEAR, QUARTER, MONTH)
KIND_LABELS = {YEAR: "年", QUARTER: "季度", MONTH: "月", RANGE: "自定义"}

_QUARTER_NAMES = "一二三四"
_MIN_YEAR, _MAX_YEAR = 1900, 2999  # beyond these a step is refused rather than overflowing


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date  # the day after the last day

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"未知的期间类型 {self.kind!r}")
        if self.end <= self.start:
            raise ValueError("期间的结束日期须晚于开始日期")

    # -- making ------------------------------------------------------------------------------
    @classmethod
    def year(cls, year: int) -> Period:
        return cls(YEAR, dt.date(year, 1, 1), dt.date(year + 1, 1, 1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise ValueError(f"季度应为 1 至 4，实为 {quarter}")
        start = dt.date(year, 3 * quarter - 2, 1)
        return cls(QUARTER, start, _add_months(start, 3))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = dt.date(year, month, 1)
        return cls(MONTH, start, _add_months(start, 1))

    @classmethod
    def between(cls, first: dt.date, last: dt.date) -> Period:
        """A custom range from ``first`` to ``last``, both included (as people type them)."""
        if last < first:
            raise ValueError(f"结束日期 {last} 早于开始日期 {first}")
        return cls(RANGE, first, last + dt.timedelta(days=1))

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> Period:
        if kind == YEAR:
            return cls.year(day.year)
        if kind == QUARTER:
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        if kind == MONTH:
            return cls.month(day.year, day.month)
        raise ValueError(f"无法按“{KIND_LABELS.get(kind, kind)}”取含某日的期间")

    # -- reading -----------------------------------------------------------------------------
    @property
    def last(self) -> dt.date:
        """The last day included."""
        return self.end - dt.timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def contains(self, day: dt.date) -> bool:
        return self.start <= day < self.end

    @property
    def label(self) -> str:
        """How the header shows it: 2026年, 2026年第四季度, 2026年11月, 2026-03-01至2026-05-31."""
        if self.kind == YEAR:
            return f"{self.start.year}年"
        if self.kind == QUARTER:
            return f"{self.start.year}年第{_QUARTER_NAMES[(self.start.month - 1) // 3]}季度"
        if self.kind == MONTH:
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start.isoformat()}至{self.last.isoformat()}"

    # -- moving ------------------------------------------------------------------------------
    def step(self, n: int) -> Period:
        """The period ``n`` steps later (earlier when negative), of the same kind and length.

        A step past the years this program handles returns the period unchanged.
        """
        try:
            if self.kind == YEAR:
                moved = Period.year(self.start.year + n)
            elif self.kind == QUARTER:
                start = _add_months(self.start, 3 * n)
                moved = Period(QUARTER, start, _add_months(start, 3))
            elif self.kind == MONTH:
                start = _add_months(self.start, n)
                moved = Period(MONTH, start, _add_months(start, 1))
            else:
                shift = dt.timedelta(days=self.days * n)
                moved = Period(RANGE, self.start + shift, self.end + shift)
        except (ValueError, OverflowError):
            return self
        if not (_MIN_YEAR <= moved.start.year and moved.last.year <= _MAX_YEAR):
            return self
        return moved

    def with_kind(self, kind: str, today: dt.date) -> Period:
        """This period seen at another granularity, anchored on today when it lies inside,
        else on the period's first day (year 2025 -> its first quarter; this year -> this quarter)."""
        anchor = today if self.contains(today) else self.start
        return Period.containing(kind, anchor)

    def cycled(self, today: dt.date) -> Period:
        """The next granularity: year -> quarter -> month -> year (a custom range -> year)."""
        if self.kind not in CYCLE:
            return self.with_kind(YEAR, today)
        return self.with_kind(CYCLE[(CYCLE.index(self.kind) + 1) % len(CYCLE)], today)


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` after ``day``'s month (``day`` is always a first here)."""
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_COMPACT_RE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")


def parse_date(text: str) -> dt.date:
    """A date as staff type it: 2026-03-01, 2026/3/1, 2026.3.1, 20260301 or 2026年3月1日."""
    m = _DATE_RE.match(text) or _COMPACT_RE.match(text)
    if not m:
        raise ValueError(f"“{text.strip()}”不是日期，请按 2026-03-01 的格式输入")
    year, month, day = (int(g) for g in m.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"没有 {year}年{month}月{day}日 这一天") from None


_YEAR_RE = re.compile(r"^\s*(\d{4})\s*年?\s*$")
_QUARTER_RE = re.compile(r"^\s*(\d{4})\s*(?:年\s*第?\s*([一二三四1-4])\s*季度?|[-\s]?[Qq]\s*([1-4]))\s*$")
_MONTH_RE = re.compile(r"^\s*(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*月?\s*$")


def parse_period(text: str) -> Period | None:
    """A period as staff type it in the palette, or None: 2023 / 2023年 (a year), 2025年第三季度
    / 2025年三季度 / 2025年第3季度 / 2025Q3 (a quarter), 2025年11月 / 2025-11 (a month)."""
    if m := _YEAR_RE.match(text):
        year = int(m.group(1))
        return Period.year(year) if _MIN_YEAR <= year <= _MAX_YEAR else None
    if m := _QUARTER_RE.match(text):
        year, name = int(m.group(1)), m.group(2) or m.group(3)
        quarter = _QUARTER_NAMES.index(name) + 1 if name in _QUARTER_NAMES else int(name)
        return Period.quarter(year, quarter) if _MIN_YEAR <= year <= _MAX_YEAR else None
    if m := _MONTH_RE.match(text):
        year, month = int(m.group(1)), int(m.group(2))
        return Period.month(year, month) if _MIN_YEAR <= year <= _MAX_YEAR and 1 <= month <= 12 else None
    return None


def opening_period(store, today: dt.date) -> Period:
    """The year the dashboard opens on: the current one, or the latest year with data when the
    current year has none yet (a new year's first days, or a store of past years).

    Looks at every table with a ``period_column``; rows dated after this year are ignored.
    """
    this_year = Period.year(today.year)
    latest: dt.date | None = None
    for spec in store.specs.values():
        if spec.period_column is None:
            continue
        # The raw column against a bound of its own type: a max that DuckDB answers from row-group
        # statistics where it can, instead of casting every row (658 ms -> milliseconds at 10M).
        _cond, bounds = period_condition(spec, spec.period_column, this_year.start, this_year.end)
        column = qident(spec.period_column)
        row = store.query(
            f"SELECT max({column}) AS last FROM {qident(spec.name)} WHERE {column} < ?", [bounds[1]]
        ).to_pylist()[0]
        last = row["last"]
        if last is None:
            continue
        if isinstance(last, dt.datetime):
            last = (last.astimezone() if last.tzinfo else last).date()
        if this_year.contains(last):
            return this_year
        latest = last if latest is None or last > latest else latest
    return Period.year(latest.year) if latest is not None else this_year


def period_condition(
    spec: TableSpec, column: str, start: dt.date, end: dt.date, alias: str | None = None
) -> tuple[str, list]:
    """``column`` in [start, end), with bounds of the column's own type, so DuckDB compares the
    raw values and prunes row groups by their statistics (a CAST of the column would not)."""
    quoted = qident(column) if alias is None else f"{qident(alias)}.{qident(column)}"
    ctype = spec.column(column).type
    lo: Any = start
    hi: Any = end
    if pa.types.is_timestamp(ctype):
        # Calendar days are local days; naive timestamps are local time already.
        tz = dt.datetime.now().astimezone().tzinfo if ctype.tz else None
        lo = dt.datetime.combine(start, dt.time(), tzinfo=tz)
        hi = dt.datetime.combine(end, dt.time(), tzinfo=tz)
    return f"{quoted} >= ? AND {quoted} < ?", [lo, hi]


def day_expr(spec: TableSpec, column: str, alias: str | None = None) -> str:
    """The column as a DATE in SQL (timestamps are compared by their local calendar day)."""
    quoted = qident(column) if alias is None else f"{qident(alias)}.{qident(column)}"
    if pa.types.is_timestamp(spec.column(column).type):
        return f"CAST({quoted} AS DATE)"
    return quoted
