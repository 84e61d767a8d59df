"""The report's figures (training_*) and the map's outreach figure per grid, each traceable to
its sessions: ``compute(ctx)`` counts, ``records(ctx)`` returns the same rows. Separate from the
panel's queries because the report and ``fazhi-tui figures`` use them without a screen.

A figure is None (a gap in the report, not a made-up 0) when the period has no session of any
类型 at all: a ledger that was not kept says nothing; and when the office has no 类型 of that
meaning (``kinds``: an office that renamed its types maps them in the config). The average exam
score is None without any score.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa

from fazhi_tui.api import Context, Figure, GridFigure, TableCache

from .kinds import kind_names
from .people import leader_ids
from .sessions import scope
from .settings import settings_of
from .tables import (
    ATTENDANCE,
    CENTRAL_STUDY,
    EXAM,
    LECTURE,
    LEGAL_SERVICE,
    OUTREACH_VENUES,
    SEMINAR,
    TRAINING,
    TRAININGS,
)

RECORD_COLUMNS = "t.training_id, t.date, t.kind, t.topic, t.speaker, t.leaders, t.venue, t.venue_kind, t.grid, t.hours"

# Where an outreach event was held: its 场所类型, or, when that is empty, what its 地点 names
# (赵庄小学 → 学校, …公司 → 企业, 大黄村 → 村). Offices' sheets often have only 地点.
VENUE_KIND_SQL = (
    "coalesce(t.venue_kind, CASE "
    "WHEN regexp_matches(t.venue, '学校|小学|中学|学院|幼儿园|校') THEN '学校' "
    "WHEN regexp_matches(t.venue, '公司|企业|工厂|厂|合作社') THEN '企业' "
    "WHEN regexp_matches(t.venue, '村') THEN '村' END)"
)


# A figure's condition over ``t`` and its parameters, or None when the office has no 类型 of
# that meaning (then the figure is a gap).
Where = Callable[[Context], tuple[str, list[Any]] | None]
KIND_SQL = "list_contains(?::VARCHAR[], t.kind)"


def _kind(meaning: str) -> Where:
    def where(ctx: Context) -> tuple[str, list[Any]] | None:
        names = kind_names(ctx, meaning)
        return (KIND_SQL, [list(names)]) if names else None

    return where


def _led_study(ctx: Context) -> tuple[str, list[Any]] | None:
    names = kind_names(ctx, CENTRAL_STUDY)
    if not names:
        return None
    leaders = leader_ids(ctx, settings_of(ctx))
    return f"{KIND_SQL} AND list_has_any(t.leaders, ?::VARCHAR[])", [list(names), leaders]


def _lectures(ctx: Context) -> tuple[str, list[Any]] | None:
    names = kind_names(ctx, LECTURE)
    if not names:
        return None
    return f"{KIND_SQL} AND {VENUE_KIND_SQL} IN (SELECT unnest(?::VARCHAR[]))", [list(names), list(OUTREACH_VENUES)]


def _counter(name: str, where: Where) -> tuple[Callable, Callable]:
    def compute(ctx: Context) -> int | None:
        return _value(summary(ctx)[name])

    def records(ctx: Context) -> pa.Table:
        cond, params = scope(ctx)
        extra, more = where(ctx) or ("FALSE", [])
        return ctx.query(
            f"SELECT {RECORD_COLUMNS} FROM trainings AS t WHERE {cond} AND {extra} ORDER BY t.date, t.training_id",
            [*params, *more],
        )

    return compute, records


def exam_avg_score(ctx: Context) -> float | None:
    """The mean score of every scored 学法考试 record of the period (one person, one exam)."""
    return _value(summary(ctx)["training_exam_avg_score"])


def _value(v: Any) -> Any:
    if isinstance(v, ValueError):  # this figure's settings are wrong (a leader's name, a type): say so
        raise v
    return v


# Every figure of a period and grid comes from one query (a count per figure over the period's
# sessions, the exam average beside), kept per state of the files: the report and its preview ask
# for each figure on its own, and the figures CLI for all of them. Keyed by what else they
# depend on: the period, the grid and the settings (leaders, what the types mean).
SUMMARY_CACHE: TableCache[dict[str, Any]] = TableCache(TRAININGS, ATTENDANCE, "people", size=16)


def summary(ctx: Context) -> dict[str, Any]:
    """Each report figure's value for the context (None: a gap) by name."""
    key = (ctx.period, ctx.grid.code if ctx.grid else None, repr(settings_of(ctx)))
    return SUMMARY_CACHE.get(ctx.store, key, lambda: _read_summary(ctx))


def _read_summary(ctx: Context) -> dict[str, Any]:
    cond, params = scope(ctx)
    columns, values = ["count(*) AS sessions"], []
    counted, wrong = [], {}
    for name, *_rest, where in COUNTERS:
        try:
            found = where(ctx)
        except ValueError as exc:
            wrong[name] = exc
            continue
        if found is not None:
            columns.append(f"CAST(count_if({found[0]}) AS BIGINT) AS {name}")
            values += found[1]
            counted.append(name)
    try:
        exams = kind_names(ctx, EXAM)
    except ValueError as exc:
        exams, wrong["training_exam_avg_score"] = (), exc
    if exams:
        columns.append(
            "(SELECT avg(a.score) FROM training_attendance AS a JOIN trainings AS t USING (training_id) "
            f"WHERE {cond} AND {KIND_SQL} AND a.score IS NOT NULL) AS exam_avg"
        )
        values += [*params, list(exams)]
    row = ctx.query(f"SELECT {', '.join(columns)} FROM trainings AS t WHERE {cond}", [*values, *params]).to_pylist()[0]
    # No session of any 类型 in the period: the ledger was not kept, every count is a gap.
    out: dict[str, Any] = {name: (int(row[name]) if row["sessions"] else None) for name in counted}
    out |= {name: None for name, *_rest in COUNTERS if name not in counted}
    avg = row.get("exam_avg")
    out["training_exam_avg_score"] = None if avg is None else round(float(avg), 1)
    return out | wrong


def exam_score_rows(ctx: Context) -> pa.Table:
    cond, params = scope(ctx)
    return ctx.query(
        "SELECT t.training_id, t.date, t.topic, a.person, p.name, a.score FROM training_attendance AS a "
        "JOIN trainings AS t USING (training_id) LEFT JOIN people AS p ON p.person_id = a.person "
        f"WHERE {cond} AND {KIND_SQL} AND a.score IS NOT NULL ORDER BY t.date, t.training_id, a.person",
        [*params, list(kind_names(ctx, EXAM))],
    )


# (name, label, unit, approx, description, where): the counted figures, in the report's order.
COUNTERS: list[tuple[str, str, str, bool, str, Where]] = [
    (
        "training_led_study",
        "书记、镇长带头领学次数",
        "次",
        False,
        "中心组学习中领学人为党委书记或镇长（或配置中指定的领导）的次数",
        _led_study,
    ),
    ("training_seminars", "专题研讨次数", "次", False, "类型为专题研讨的活动", _kind(SEMINAR)),
    (
        "training_lectures",
        "法制进校园、企业、各村宣讲次数",
        "次",
        False,
        "普法宣讲中场所类型为学校、企业或村的次数（场所类型为空时按地点判断）",
        _lectures,
    ),
    ("training_sessions", "法治培训次数", "次", True, "类型为法治培训的活动", _kind(TRAINING)),
    (
        "training_legal_services",
        "法律服务进企业、进校园、进村等活动次数",
        "次",
        False,
        "类型为法律服务活动的次数",
        _kind(LEGAL_SERVICE),
    ),
    ("training_exams", "学法考试次数", "次", False, "类型为学法考试的活动", _kind(EXAM)),
]


def report_figures() -> list[Figure]:
    out = []
    for name, label, unit, approx, description, where in COUNTERS:
        compute, records = _counter(name, where)
        out.append(
            Figure(name, label, unit, compute, records=records, table=TRAININGS, approx=approx, description=description)
        )
    out.append(
        Figure(
            "training_exam_avg_score",
            "学法考试平均成绩",
            "分",
            exam_avg_score,
            records=exam_score_rows,
            table=ATTENDANCE,
            description="学法考试参学记录中有成绩者的平均分（一位小数）",
        )
    )
    return out


def outreach_per_grid(ctx: Context) -> dict[str, float]:
    """普法宣讲 and 法律服务活动 per grid in the period (every grid; ``ctx.grid`` is ignored)."""
    names = [*kind_names(ctx, LECTURE), *kind_names(ctx, LEGAL_SERVICE)]
    rows = ctx.query(
        "SELECT grid, count(*) AS n FROM trainings AS t WHERE date >= ? AND date < ? AND grid IS NOT NULL "
        f"AND {KIND_SQL} GROUP BY grid",
        [ctx.period.start, ctx.period.end, names],
    ).to_pylist()
    return {r["grid"]: float(r["n"]) for r in rows}


def grid_figures() -> list[GridFigure]:
    return [GridFigure("training_outreach", "普法宣讲与法律服务活动", outreach_per_grid, unit="次")]
