"""The sessions of a period: how many of each 类型 beside the previous period, the year's plan
against what was held ("behind for the time of year"), and the list of sessions with their
roster counts. Separate from the person-hours (``hours``) and the report's figures
(``figures``): these are what the panel's first page shows. No Textual here.

A session's 参加人数 is its roster's count of 出席 when it has a roster (any 参学记录), else the
number written on the session.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from fazhi_tui.api import Context, Period

from .settings import TrainingSettings, settings_of
from .tables import KINDS

# The roster counts of the sessions in ``s`` (a CTE of sessions with ``training_id``).
ROSTER_SQL = (
    # count_if answers HUGEINT (a Decimal in Python): cast back to BIGINT.
    "SELECT a.training_id, count(*) AS roster, "
    "CAST(count_if(coalesce(a.status, '出席') = '出席') AS BIGINT) AS present, "
    "CAST(count_if(a.status = '请假') AS BIGINT) AS on_leave, CAST(count_if(a.status = '缺席') AS BIGINT) AS absent, "
    "count(a.score) AS scored "
    "FROM training_attendance AS a SEMI JOIN s USING (training_id) GROUP BY a.training_id"
)
# The same, over attendance whose 编号 lies between two bounds (two parameters, after those of
# ``s``): the bounds of the sessions wanted, pushed into the scan, so that it reads only the row
# groups that can hold them (a join alone makes DuckDB read every attendance record of every year;
# an office numbers its sessions in date order, so a period's lie close together).
BOUNDED_ROSTER_SQL = ROSTER_SQL.replace(" GROUP BY", " WHERE a.training_id BETWEEN ? AND ? GROUP BY")


def id_bounds(ctx: Context, cond: str, params: list[Any]) -> list[Any]:
    """[lowest, highest] 编号 of the sessions matching ``cond`` (over ``t``); [None, None] when none
    (a BETWEEN on them then matches nothing)."""
    row = ctx.query(f"SELECT min(t.training_id), max(t.training_id) FROM trainings AS t WHERE {cond}", params)
    return [row.column(0)[0].as_py(), row.column(1)[0].as_py()]


def scope(ctx: Context, period: Period | None = None, alias: str = "t") -> tuple[str, list[Any]]:
    """Sessions in ``period`` (default the context's) and the context's grid."""
    period = period or ctx.period
    cond = f"{alias}.date >= ? AND {alias}.date < ?"
    params: list[Any] = [period.start, period.end]
    if ctx.grid is not None:
        cond += f" AND {alias}.grid = ?"
        params.append(ctx.grid.code)
    return cond, params


def previous_period(period: Period) -> Period | None:
    prev = period.step(-1)
    return None if prev == period else prev


@dataclass(frozen=True)
class KindCount:
    kind: str
    count: int
    previous: int | None
    hours: float  # 学时 of the period's sessions of this kind (each session once)


def kinds_of(ctx: Context) -> tuple[str, ...]:
    """The 类型 code table as the office set it (``[code_tables] training_kind``)."""
    return tuple(ctx.store.spec("trainings").code_tables.get("training_kind", KINDS))


def by_kind(ctx: Context) -> list[KindCount]:
    """Sessions of each 类型 in the period and the previous one, for the context's grid."""
    return overview(ctx)[0]


def overview(
    ctx: Context, year: int | None = None, settings: TrainingSettings | None = None
) -> tuple[list[KindCount], list[PlanRow]]:
    """``by_kind`` and ``plan`` (for ``year``, default the period's) from one scan of the
    sessions: what the panel's 概况 shows on every period or grid change."""
    settings = settings or settings_of(ctx)
    year = year or plan_year(ctx)
    period, prev = ctx.period, previous_period(ctx.period)
    plan_first, plan_end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    lo = min(prev.start if prev is not None else period.start, period.start, plan_first)
    hi = max(period.end, plan_end)
    grid, grid_params = ("", []) if ctx.grid is None else (" AND t.grid = ?", [ctx.grid.code])
    in_prev = f"t.date >= ? AND t.date < ?{grid}" if prev is not None else "FALSE"
    prev_params = [prev.start, prev.end, *grid_params] if prev is not None else []
    cur = [period.start, period.end, *grid_params]
    rows = ctx.query(
        f"SELECT t.kind, CAST(count_if(t.date >= ? AND t.date < ?{grid}) AS BIGINT) AS n, "
        f"CAST(count_if({in_prev}) AS BIGINT) AS prev, "
        f"coalesce(sum(t.hours) FILTER (WHERE t.date >= ? AND t.date < ?{grid}), 0) AS hours, "
        "CAST(count_if(t.date >= ? AND t.date < ? AND t.date <= ?) AS BIGINT) AS held "
        "FROM trainings AS t WHERE t.date >= ? AND t.date < ? GROUP BY t.kind",
        [*cur, *prev_params, *cur, plan_first, plan_end, ctx.today, lo, hi],
    ).to_pylist()
    found = {r["kind"]: r for r in rows}
    codes = kinds_of(ctx)
    kinds = list(codes) + sorted(k for k in found if k not in codes and (found[k]["n"] or found[k]["prev"]))
    counts = [
        KindCount(
            k,
            int(found[k]["n"]) if k in found else 0,
            (int(found[k]["prev"]) if k in found else 0) if prev is not None else None,
            float(found[k]["hours"]) if k in found else 0.0,
        )
        for k in kinds
    ]
    held = {k: int(r["held"]) for k, r in found.items()}
    over = ctx.today >= dt.date(year, 12, 31)
    plan_rows = [
        PlanRow(kind, target, held.get(kind, 0), expected_by(target, year, ctx.today), over)
        for kind, target in settings.targets.items()
    ]
    return counts, plan_rows


# -- the plan ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanRow:
    kind: str
    target: int  # sessions a year
    held: int  # this year up to today (or the whole year, once it is over)
    expected: int  # sessions that should have been held by now: the target pro rata, floored
    year_over: bool

    @property
    def behind(self) -> bool:
        """Behind for the time of year: fewer held than the target pro rata (floored)."""
        return self.held < self.expected

    @property
    def status(self) -> str:
        if self.held >= self.target:
            return "已完成"
        if self.behind:
            return "未完成" if self.year_over else "落后"
        return "未完成" if self.year_over else "进度正常"


def year_fraction(year: int, today: dt.date) -> float:
    """How much of ``year`` has passed by the end of ``today``: 0 before it, 1 after it."""
    first, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    if today < first:
        return 0.0
    if today >= end:
        return 1.0
    return ((today - first).days + 1) / (end - first).days


def expected_by(target: float, year: int, today: dt.date) -> int:
    """The sessions (or 学时) due by today for a yearly target: pro rata, floored."""
    return math.floor(target * year_fraction(year, today) + 1e-9)


def plan_year(ctx: Context) -> int:
    """The year of the plan the panel shows: the year of the period's last day."""
    return ctx.period.last.year


def plan(ctx: Context, year: int | None = None, settings: TrainingSettings | None = None) -> list[PlanRow]:
    """The year's targets per 类型 against the sessions held in it (the whole town: a plan is
    the town's, whatever grid is selected)."""
    settings = settings or settings_of(ctx)
    if not settings.targets:
        return []
    return overview(ctx, year, settings)[1]


# -- the list ------------------------------------------------------------------------------------
SESSION_COLUMNS = ("training_id", "date", "kind", "topic", "participants", "roster", "hours", "grid_name")
SESSION_LABELS = {
    "training_id": "编号",
    "date": "日期",
    "kind": "类型",
    "topic": "主题",
    "participants": "参加人数",
    "roster": "名单",
    "hours": "学时",
    "grid_name": "网格",
    "venue": "地点",
    "speaker": "主讲人",
}
LIST_LIMIT = 500


@dataclass(frozen=True)
class SessionList:
    rows: pa.Table
    total: int


def session_list(ctx: Context, limit: int = LIST_LIMIT, total: int | None = None) -> SessionList:
    """The period's sessions, newest first, with their 参加人数 (the roster's when there is one).
    ``total``: how many the period has, when the caller counted them already (the panel's 概况
    does): saves a scan."""
    cond, params = scope(ctx)
    count = "" if total is not None else f", (SELECT count(*) FROM trainings AS t WHERE {cond}) AS total"
    page = ctx.query(
        f"WITH s AS (SELECT t.* FROM trainings AS t WHERE {cond} ORDER BY t.date DESC, t.training_id DESC LIMIT ?) "
        "SELECT s.training_id, s.date, s.kind, s.topic, s.participants, s.hours, "
        f"coalesce(g.name, s.grid) AS grid_name, s.venue, s.speaker{count} "
        "FROM s LEFT JOIN grids AS g ON g.code = s.grid ORDER BY s.date DESC, s.training_id DESC",
        [*params, limit, *(params if total is None else [])],
    )
    if total is None:
        total = page.column("total")[0].as_py() if page.num_rows else 0
        page = page.drop_columns(["total"])
    # The page's rosters: bounded by its lowest and highest 编号, then matched to its rows.
    ids = page.column("training_id").to_pylist()
    counted: dict[str, dict] = {}
    if ids:
        rows = ctx.query(
            "WITH s AS (SELECT unnest(?::VARCHAR[]) AS training_id) " + BOUNDED_ROSTER_SQL, [ids, min(ids), max(ids)]
        ).to_pylist()
        counted = {r["training_id"]: r for r in rows}
    present = [counted[i]["present"] if i in counted else None for i in ids]
    written = page.column("participants").to_pylist()
    participants = pa.array([p if p is not None else w for p, w in zip(present, written, strict=True)], pa.int32())
    roster = pa.array([f"{counted[i]['roster']}人" if i in counted else "" for i in ids], pa.string())
    at = page.column_names.index("participants")
    page = page.set_column(at, "participants", participants).add_column(at + 1, "roster", roster)
    return SessionList(page, int(total or 0))


@dataclass(frozen=True)
class Session:
    """One session with its roster counts, for the roster screen and the sign-in sheet."""

    record: dict[str, Any]
    present: int
    roster: int
    on_leave: int
    absent: int
    scored: int

    @property
    def participants(self) -> int | None:
        """参加人数: the roster's 出席 when there is a roster, else the number written down."""
        return self.present if self.roster else self.record.get("participants")


def session(ctx: Context, training_id: str) -> Session | None:
    rows = ctx.query(
        f"WITH s AS (SELECT * FROM trainings WHERE training_id = ?), r AS ({BOUNDED_ROSTER_SQL}) "
        "SELECT s.*, coalesce(r.present, 0) AS present, coalesce(r.roster, 0) AS roster, "
        "coalesce(r.on_leave, 0) AS on_leave, coalesce(r.absent, 0) AS absent, coalesce(r.scored, 0) AS scored "
        "FROM s LEFT JOIN r USING (training_id)",
        [training_id, training_id, training_id],
    ).to_pylist()
    if not rows:
        return None
    r = rows[0]
    counts = {k: int(r.pop(k)) for k in ("present", "roster", "on_leave", "absent", "scored")}
    return Session(r, **counts)


def effective_participants(ctx: Context, cond: str, params: list[Any]) -> int:
    """Sum of 参加人数 (the roster's when there is one) over the sessions matching ``cond``."""
    return int(
        ctx.query(
            f"WITH s AS (SELECT t.training_id, t.participants FROM trainings AS t WHERE {cond}), r AS ({ROSTER_SQL}) "
            "SELECT coalesce(sum(coalesce(r.present, s.participants)), 0) FROM s LEFT JOIN r USING (training_id)",
            params,
        )
        .column(0)[0]
        .as_py()
    )
