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
    deadline_days = { "咨询" = 2, "求助" = 5, "投诉举报" = 5, "建议" = 10, "其他" = 5 }
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

from fazhi_tui.api import calendar_years, is_official, is_working_day
from fazhi_tui.api import working_days_between as working_days_between  # re-exported (review, tests)

DEFAULT_DEADLINE_DAYS: dict[str, int] = {"咨询": 2, "求助": 5, "投诉举报": 5, "建议": 10, "其他": 5}
# 诉求类型 spelt as before issue 20 -> as now (the hotline table's code_aliases): an office's
# config written with the old spelling means the same 诉求类型.
APPEAL_ALIASES: dict[str, str] = {"其它": "其他"}
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
        n = self.days.get(APPEAL_ALIASES.get(appeal_type or "", appeal_type or ""), self.default)
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
            out[APPEAL_ALIASES.get(str(name), str(name))] = n
        return out

    return DeadlineRules(
        table("deadline_days", DEFAULT_DEADLINE_DAYS), table("urgent_deadline_days", DEFAULT_URGENT_DAYS)
    )


# -- the calendar -----------------------------------------------------------------------------------
# The official calendar (working days, 调休, how far its data reaches) is the host's
# (``fazhi_tui.workdays`` through the API); a deadline here only adds whether it was estimated.
@cache
def day_kind(day: dt.date) -> tuple[bool, bool]:
    """``(is a working day, decided by the official calendar)``."""
    return is_working_day(day), is_official(day)


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


@cache
def _deadline_day(day: dt.date, n: int) -> dt.date:
    return add_working_days(day, n).day


def deadline_defaults(batch: pa.Table, settings: Mapping[str, Any] | None = None) -> pa.Array:
    """办理时限 for each row of a batch of tickets (the hotline table's ``ComputedColumn``):
    from 受理时间, 诉求类型 and 紧急程度 by the configured working days; None without 受理时间.

    Vectorised: a batch of 25,000 tickets has a few (诉求类型, 紧急程度) pairs, so a few numbers
    of working days, and at most a few years of distinct days; each (day, number) is counted
    once (and cached across batches), then taken for every row."""
    rules = rules_from_settings(settings)
    received = batch.column("received_at")
    if received.null_count == len(received):
        return pa.nulls(batch.num_rows, pa.date32())
    days = received.cast(pa.date32()).combine_chunks()
    appeal = pc.fill_null(batch.column("appeal_type"), "").combine_chunks()
    urgency = pc.fill_null(batch.column("urgency"), "").combine_chunks()
    pairs = pc.binary_join_element_wise(appeal, urgency, "\x1f")
    distinct_pairs = pc.unique(pairs)
    n_of_pair = pa.array([rules.days_for(*p.split("\x1f")) for p in distinct_pairs.to_pylist()], pa.int32())
    n = n_of_pair.take(pc.index_in(pairs, value_set=distinct_pairs))
    distinct_days = pc.unique(days).drop_null()
    day_at = pc.index_in(days, value_set=distinct_days)
    out = pa.nulls(batch.num_rows, pa.date32())
    for k in pc.unique(n).to_pylist():
        deadlines = pa.array([_deadline_day(d, k) for d in distinct_days.to_pylist()], pa.date32())
        out = pc.if_else(pc.equal(n, k), deadlines.take(day_at), out)
    return out
