"""Working-day deadlines (办理时限) for 12345 tickets. No Textual here.

Working days follow China's official holiday calendar with its make-up working weekends (调休),
from the maintained ``chinesecalendar`` package (import name ``chinese_calendar``). The package
knows the State Council's notices up to some year; a day beyond its data is counted by weekends
alone, and every result says whether that happened (``estimated``) so the panel can say so.

Counting rule: a ticket received on day D (at any hour) has until the N-th working day after D,
D itself not counted. 5 working days from Thursday 2023-09-28: 9-29 … 10-6 are the 中秋/国庆
holiday, Saturday 10-7 and Sunday 10-8 are make-up working days, so 10-7, 10-8, 10-9, 10-10, 10-11:
the deadline is 2023-10-11.

How many working days each 诉求类型 gets is configurable (DOMAIN.md §3), in the config:

    [plugin.fazhi_hotline]
    deadline_days = { "咨询" = 2, "求助" = 5, "投诉举报" = 5, "建议" = 10, "其它" = 5 }
    urgent_deadline_days = { "紧急" = 2, "特急" = 1 }   # a cap by 紧急程度
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

try:  # a missing package costs the holidays, not the program: every day is then "estimated"
    import chinese_calendar as _cc
except ImportError:  # pragma: no cover - the package is a dependency
    _cc = None

DEFAULT_DEADLINE_DAYS: dict[str, int] = {"咨询": 2, "求助": 5, "投诉举报": 5, "建议": 10, "其它": 5}
DEFAULT_URGENT_DAYS: dict[str, int] = {"紧急": 2, "特急": 1}
EXTENSION_DAYS = 10  # 延期 at most 10 working days (DOMAIN.md §3)
_MAX_DAYS = 60  # a sanity bound for configured values


@dataclass(frozen=True)
class Deadline:
    day: dt.date  # the last day on which the ticket must be closed
    working_days: int
    estimated: bool = False  # some day counted lies beyond the official calendar's data

    @property
    def note(self) -> str | None:
        return calendar_note(self.day) if self.estimated else None


@dataclass(frozen=True)
class DeadlineRules:
    days: Mapping[str, int]  # working days per 诉求类型
    urgent: Mapping[str, int]  # cap per 紧急程度
    default: int = 5  # a 诉求类型 not in ``days``

    def days_for(self, appeal_type: str | None, urgency: str | None = None) -> int:
        n = self.days.get(appeal_type or "", self.default)
        cap = self.urgent.get(urgency or "")
        return min(n, cap) if cap is not None else n


def rules_from_settings(settings: Mapping[str, Any] | None) -> DeadlineRules:
    """The deadline rules from the plugin's config table; names the key when a value is wrong."""
    settings = settings or {}

    def table(key: str, default: Mapping[str, int]) -> dict[str, int]:
        value = settings.get(key)
        if value is None:
            return dict(default)
        if not isinstance(value, Mapping):
            raise ValueError(f'[plugin.fazhi_hotline] {key} 应为表，如 {{ "咨询" = 2 }}')
        out = dict(default)
        for name, n in value.items():
            if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= _MAX_DAYS:
                raise ValueError(f"[plugin.fazhi_hotline] {key}.{name} 应为 1 至 {_MAX_DAYS} 的工作日数，实为 {n!r}")
            out[str(name)] = n
        return out

    return DeadlineRules(
        table("deadline_days", DEFAULT_DEADLINE_DAYS), table("urgent_deadline_days", DEFAULT_URGENT_DAYS)
    )


# -- the calendar -----------------------------------------------------------------------------------
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
def day_kind(day: dt.date) -> tuple[bool, bool]:
    """``(is a working day, decided by the official calendar)``."""
    if is_official(day):
        try:
            return bool(_cc.is_workday(day)), True
        except NotImplementedError:  # the package's own bound moved; trust it
            pass
    return day.weekday() < 5, False


def is_working_day(day: dt.date) -> bool:
    return day_kind(day)[0]


def add_working_days(start: dt.date, n: int) -> Deadline:
    """The ``n``-th working day after ``start`` (``start`` not counted); ``n == 0`` is ``start``."""
    if n < 0:
        raise ValueError(f"工作日数不能为负：{n}")
    day, counted, estimated = start, 0, False
    while counted < n:
        day += dt.timedelta(days=1)
        working, official = day_kind(day)
        estimated = estimated or not official
        counted += working
    return Deadline(day, n, estimated)


def next_working_day(day: dt.date) -> Deadline:
    return add_working_days(day, 1)


def working_days_between(first: dt.date, last: dt.date) -> int:
    """Working days in ``(first, last]``; negative when ``last`` is before ``first``."""
    if last < first:
        return -working_days_between(last, first)
    n, day = 0, first
    while day < last:
        day += dt.timedelta(days=1)
        n += is_working_day(day)
    return n


def compute_deadline(
    received: dt.datetime | dt.date,
    appeal_type: str | None,
    urgency: str | None = None,
    settings: Mapping[str, Any] | DeadlineRules | None = None,
) -> Deadline:
    """办理时限 of a ticket received at ``received``, by its 诉求类型 and 紧急程度."""
    rules = settings if isinstance(settings, DeadlineRules) else rules_from_settings(settings)
    day = received.date() if isinstance(received, dt.datetime) else received
    return add_working_days(day, rules.days_for(appeal_type, urgency))


def calendar_note(*days: dt.date | None) -> str | None:
    """What to tell the user when some of ``days`` lie beyond the official calendar, else None."""
    beyond = sorted({d.year for d in days if d is not None and not is_official(d)})
    if not beyond:
        return None
    span = calendar_years()
    years = "、".join(f"{y}年" for y in beyond)
    if span is None:
        return f"未安装节假日日历（chinesecalendar），{years}的办理时限仅按周末估算"
    return f"节假日日历仅收录 {span[0]}—{span[1]} 年，{years}的法定节假日与调休尚未收录，办理时限仅按周末估算"


def deadline_defaults(batch: pa.Table, settings: Mapping[str, Any] | None = None) -> pa.Array:
    """办理时限 for each row of a batch of tickets (the hotline table's ``ComputedColumn``):
    from 受理时间, 诉求类型 and 紧急程度 by the configured working days; None without 受理时间.
    Each distinct (day, type, urgency) is counted once: an import's batch of 25,000 tickets
    holds a few hundred."""
    rules = rules_from_settings(settings)
    received = batch.column("received_at")
    if received.null_count == len(received):
        return pa.nulls(batch.num_rows, pa.date32())
    keys = pa.table(
        {
            "day": received.cast(pa.date32()),
            # "" for none: null keys match nothing in a join, and a ticket without 紧急程度 is common.
            "appeal": pc.fill_null(batch.column("appeal_type"), ""),
            "urgency": pc.fill_null(batch.column("urgency"), ""),
            "pos": pa.array(range(batch.num_rows), pa.int64()),
        }
    )
    distinct = keys.group_by(["day", "appeal", "urgency"], use_threads=False).aggregate([]).to_pylist()
    days = [
        None if r["day"] is None else add_working_days(r["day"], rules.days_for(r["appeal"], r["urgency"])).day
        for r in distinct
    ]
    found = pa.Table.from_pylist(distinct, schema=keys.select(["day", "appeal", "urgency"]).schema).append_column(
        "deadline", pa.array(days, pa.date32())
    )
    # A null day matches nothing: rows without 受理时间 stay without a deadline.
    joined = keys.join(found, ["day", "appeal", "urgency"], join_type="left outer", use_threads=False)
    return joined.sort_by("pos").column("deadline").combine_chunks()
