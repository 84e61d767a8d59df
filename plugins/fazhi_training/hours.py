"""Person-hours (学时) for a year: what the inspector asks first. For every person in post
during the year who has a target or attended anything: 学时 from the sessions they attended
(出席; an empty 出勤 counts as 出席), sessions missed (缺席) and on leave (请假), the latest
学法考试 score, and the target by role. Separate from the sessions (``sessions``): it reads
every attendance record of the year and is cached per state of the files. No Textual here.

Names of staff are public; phones are never read here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fazhi_tui.api import Context, TableCache

from .kinds import kind_names
from .people import hour_target, in_post_condition, in_post_params
from .sessions import expected_by, id_bounds
from .settings import TrainingSettings, settings_of
from .tables import ATTENDANCE, EXAM, TRAININGS

BEHIND, ON_TRACK, DONE = "落后", "进度内", "达标"


@dataclass(frozen=True)
class PersonHours:
    person_id: str
    name: str
    unit: str | None
    roles: tuple[str, ...]
    grid: str | None
    hours: float
    attended: int
    missed: int  # 缺席
    on_leave: int  # 请假
    last_attended: dt.date | None
    exam_score: float | None  # the latest 学法考试 of the year with a score
    exam_date: dt.date | None
    target: float | None
    expected: float | None  # the target pro rata for the time of year (floored)

    @property
    def status(self) -> str:
        if self.target is None:
            return ""
        if self.hours >= self.target:
            return DONE
        if self.expected is not None and self.hours < self.expected:
            return BEHIND
        return ON_TRACK

    @property
    def shortfall(self) -> float:
        return max(0.0, (self.target or 0.0) - self.hours)


HOURS_SQL = (
    "WITH s AS (SELECT training_id, date, kind, coalesce(hours, 0) AS hours FROM trainings "
    "  WHERE date >= ? AND date < ?), "
    "a AS (SELECT a.person, s.date, s.kind, s.hours, coalesce(a.status, '出席') AS status, a.score "
    "  FROM training_attendance AS a JOIN s USING (training_id) WHERE a.training_id BETWEEN ? AND ?), "
    "agg AS (SELECT person, sum(hours) FILTER (WHERE status = '出席') AS hours, "
    "  count_if(status = '出席') AS attended, count_if(status = '缺席') AS missed, "
    "  count_if(status = '请假') AS on_leave, max(date) FILTER (WHERE status = '出席') AS last_attended, "
    "  arg_max(score, date) FILTER (WHERE list_contains(?::VARCHAR[], kind) AND score IS NOT NULL) AS exam_score, "
    "  max(date) FILTER (WHERE list_contains(?::VARCHAR[], kind) AND score IS NOT NULL) AS exam_date "
    "  FROM a GROUP BY person) "
    "SELECT p.person_id, p.name, p.unit, p.roles, p.grid, p.start_date, p.end_date, coalesce(agg.hours, 0) AS hours, "
    "coalesce(agg.attended, 0) AS attended, coalesce(agg.missed, 0) AS missed, "
    "coalesce(agg.on_leave, 0) AS on_leave, agg.last_attended, agg.exam_score, agg.exam_date, "
    "agg.person IS NOT NULL AS has_records "
    "FROM people AS p LEFT JOIN agg ON agg.person = p.person_id "
    "WHERE (" + in_post_condition("p") + " OR agg.person IS NOT NULL) "
    "ORDER BY p.person_id"
)

# Results per state of the three tables' files and (year, settings, today, town), for the whole
# town: a period change inside the year and a grid change (a filter by the person's 网格) reuse
# them. A few entries: a user steps between a handful of years.
_CACHE: TableCache[list[PersonHours]] = TableCache(TRAININGS, ATTENDANCE, "people", size=8)


def person_hours(ctx: Context, year: int | None = None, settings: TrainingSettings | None = None) -> list[PersonHours]:
    """Everyone with a 学时 target or an attendance record in ``year`` (default the year of the
    period's last day), in the context's grid (by the person's 网格) when one is selected;
    behind for the time of year first (most behind first), then below target, then the rest."""
    settings = settings or settings_of(ctx)
    year = year or ctx.period.last.year
    key = (year, repr(settings), ctx.today, ctx.town)
    town = _CACHE.get(ctx.store, key, lambda: _compute(ctx, year, settings))
    if ctx.grid is None:
        return town
    return [p for p in town if p.grid == ctx.grid.code]


def _compute(ctx: Context, year: int, settings: TrainingSettings) -> list[PersonHours]:
    first, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    exams = list(kind_names(ctx, EXAM, settings))
    # The year's lowest and highest 编号 bound the attendance read (``sessions.id_bounds``).
    bounds = id_bounds(ctx, "t.date >= ? AND t.date < ?", [first, end])
    params: list[Any] = [first, end, *bounds, exams, exams, *in_post_params(first, end)]
    rows = ctx.query(HOURS_SQL, params).to_pylist()
    out: list[PersonHours] = []
    targets: dict[tuple, float | None] = {}  # by (roles, unit): thousands of people share a few
    shares: dict[tuple, tuple[float, float]] = {}
    for r in rows:
        who = (tuple(r["roles"] or ()), r["unit"])
        if who not in targets:
            targets[who] = hour_target(r, ctx.town, settings)
        target = targets[who]
        if target is None and not r["has_records"]:
            continue
        expected = None
        if target is not None:
            # Someone in post for part of the year owes that part of the target (worked out once
            # per target and dates in post: most people share them).
            due = (target, r["start_date"], r["end_date"])
            if due not in shares:
                shares[due] = _pro_rata(target, year, r["start_date"], r["end_date"], ctx.today)
            target, expected = shares[due]
        out.append(
            PersonHours(
                r["person_id"],
                r["name"],
                r["unit"],
                tuple(r["roles"] or ()),
                r["grid"],
                float(r["hours"] or 0),
                int(r["attended"]),
                int(r["missed"]),
                int(r["on_leave"]),
                r["last_attended"],
                r["exam_score"],
                r["exam_date"],
                target,
                expected,
            )
        )
    out.sort(key=_order)
    return out


def _pro_rata(
    target: float, year: int, start: dt.date | None, end: dt.date | None, today: dt.date
) -> tuple[float, float]:
    """The target for the part of ``year`` a person is in post (to one decimal), and what of it
    is due by ``today`` (floored to a whole 学时). ``end`` is the first day out of post."""
    first, stop = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    days = (stop - first).days
    lo = max(first, start or first)
    hi = min(stop, end or stop)
    served = max(0, (hi - lo).days)
    by_today = max(0, (min(hi, today + dt.timedelta(days=1)) - lo).days)
    if served >= days:
        return target, float(expected_by(target, year, today))
    return round(target * served / days, 1), float(int(target * by_today / days + 1e-9))


def _order(p: PersonHours) -> tuple:
    rank = {BEHIND: 0, ON_TRACK: 1, DONE: 2, "": 3}[p.status]
    behind_by = (p.expected or 0) - p.hours if p.status == BEHIND else p.shortfall
    return (rank, -behind_by, p.person_id)
