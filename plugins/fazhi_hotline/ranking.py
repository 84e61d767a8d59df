"""The quarterly rank: the county's published ranks, else townships ranked on a composite score.

Separate because it compares townships (every town in the store, the grid ignored), keeps its
results in a ``TableCache``, and has settings (the weights) of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fazhi_tui.api import Context, Period, TableCache

from .conditions import aggregates, received_in
from .headline import HotlineFigures, figures_of
from .settings import settings_of
from .tables import HOTLINE, quarter_key

PUBLISHED, COMPUTED = "县公布", "按指标测算"


@dataclass(frozen=True)
class QuarterRank:
    quarter: str  # "2023Q1"
    label: str  # "2023年第一季度"
    rank: int | None
    towns: int | None  # how many townships were ranked that quarter
    score: float | None
    source: str | None  # PUBLISHED, COMPUTED, or None when there is no rank
    complete: bool  # the quarter has ended (by ctx.today)

    @property
    def text(self) -> str:
        if self.rank is None:
            return "暂无排名"
        of = f"/{self.towns}" if self.towns else ""
        return f"第{self.rank}名{of}"


@dataclass(frozen=True)
class TownScore:
    town: str
    figures: HotlineFigures
    score: float  # 0-100
    rank: int  # 1 = best; equal scores share a rank


def quarters_of(period: Period) -> list[Period]:
    """The calendar quarters that overlap the period, in order."""
    out = [Period.containing("quarter", period.start)]
    while out[-1].end < period.end:
        nxt = out[-1].step(1)
        if nxt == out[-1]:  # past the years the program handles
            break
        out.append(nxt)
    return out


def published_ranks(ctx: Context, period: Period | None = None, town: str | None = None) -> dict[str, QuarterRank]:
    """The county's published ranks of ``town`` (default ``ctx.town``) for the quarters of the
    period, by quarter key ("2023Q1"). Quarters without a published rank are absent."""
    town = town if town is not None else ctx.town
    quarters = quarters_of(period or ctx.period)
    if not town or not quarters:
        return {}
    keys = [quarter_key(q.start.year, (q.start.month - 1) // 3 + 1) for q in quarters]
    rows = ctx.query(
        "SELECT r.quarter, r.rank, r.score, (SELECT count(*) FROM hotline_ranks AS o WHERE o.quarter = r.quarter) AS towns "
        "FROM hotline_ranks AS r WHERE r.town = ? AND list_contains(?, r.quarter)",
        [town, keys],
    ).to_pylist()
    by_key = dict(zip(keys, quarters, strict=True))
    return {
        r["quarter"]: QuarterRank(
            r["quarter"],
            by_key[r["quarter"]].label,
            int(r["rank"]),
            int(r["towns"]),
            r["score"],
            PUBLISHED,
            by_key[r["quarter"]].end <= ctx.today,
        )
        for r in rows
    }


def computed_ranking(ctx: Context, period: Period | None = None) -> list[TownScore]:
    """Every township in the store ranked on the composite score (weights from the settings) for
    the period; empty when the store holds fewer than two townships' tickets in it. The grid and
    the town scope are not applied: this compares townships. Tickets without 所属乡镇 count as
    the context's town's."""
    return _rankings(ctx, [period or ctx.period], by_quarter=False).get(0, [])


# Rankings compare every township, so they do not change with the selected grid: keep the last
# few per state of the hotline's files (any write changes it) and the question.
RANKING_CACHE: TableCache[dict[Any, list[TownScore]]] = TableCache(HOTLINE, size=16)


def _rankings(ctx: Context, periods: list[Period], *, by_quarter: bool) -> dict[Any, list[TownScore]]:
    """Rankings over one contiguous span in ONE query: for the whole span (key 0), or for each
    calendar quarter in it (key "2023Q1")."""
    if not periods:
        return {}
    weights = settings_of(ctx).rank_weights
    key = (
        tuple((p.start, p.end) for p in periods),
        by_quarter,
        tuple(sorted(weights.items())),
        ctx.town,
        ctx.today,
    )
    return RANKING_CACHE.get(
        ctx.store, key, lambda: _compute_rankings(ctx, periods, by_quarter=by_quarter, weights=weights)
    )


def _compute_rankings(
    ctx: Context, periods: list[Period], *, by_quarter: bool, weights: Mapping[str, float]
) -> dict[Any, list[TownScore]]:
    span = Period("range", min(p.start for p in periods), max(p.end for p in periods))
    cond, params = received_in(span)
    town = "coalesce(town, ?)"
    own = ctx.town or None
    key = "year(received_at) * 10 + quarter(received_at)" if by_quarter else "0"
    rows = ctx.query(
        f"SELECT {key} AS k, {town} AS town, {aggregates(ctx.today)} FROM hotline "
        f"WHERE {cond} AND {town} IS NOT NULL GROUP BY ALL",
        [own, *params, own],
    ).to_pylist()
    groups: dict[Any, list[tuple[str, HotlineFigures]]] = {}
    for r in rows:
        k = quarter_key(r["k"] // 10, r["k"] % 10) if by_quarter else 0
        groups.setdefault(k, []).append((r["town"], figures_of(r)))
    return {k: rank_towns(v, weights) for k, v in groups.items() if len(v) >= 2}


def composite_score(f: HotlineFigures, weights: Mapping[str, float]) -> float:
    """100 × Σ weight × metric (weights normalised to sum 1); see ``DEFAULT_RANK_WEIGHTS``."""
    metrics = {
        "completion": f.completion.value or 0.0,
        "on_time": f.on_time.value or 0.0,
        "satisfaction": f.satisfaction.value or 0.0,
        "callback": f.callback.value or 0.0,
        "returned": 1.0 - (f.return_rate.value or 0.0),
        "repeat": 1.0 - (f.repeat_calls / f.received if f.received else 0.0),
    }
    total = sum(weights.values())
    return round(100 * sum(weights.get(k, 0.0) * v for k, v in metrics.items()) / total, 2)


def rank_towns(scored: list[tuple[str, HotlineFigures]], weights: Mapping[str, float]) -> list[TownScore]:
    """Rank by composite score, best first; equal scores share a rank (1, 1, 3)."""
    items = sorted(((composite_score(f, weights), town, f) for town, f in scored), key=lambda x: (-x[0], x[1]))
    out: list[TownScore] = []
    for i, (score, town, f) in enumerate(items):
        rank = out[-1].rank if out and out[-1].score == score else i + 1
        out.append(TownScore(town, f, score, rank))
    return out


def quarter_ranks(ctx: Context, period: Period | None = None) -> list[QuarterRank]:
    """The town's rank in each quarter of the period: the county's published rank where there is
    one, else the computed one when the store holds several townships' tickets (one query for
    all such quarters), else none."""
    period = period or ctx.period
    quarters = quarters_of(period)
    published = published_ranks(ctx, period)
    keys = [quarter_key(q.start.year, (q.start.month - 1) // 3 + 1) for q in quarters]
    missing = [q for q, k in zip(quarters, keys, strict=True) if k not in published and q.start <= ctx.today]
    computed = _rankings(ctx, missing, by_quarter=True) if ctx.town and missing else {}
    out = []
    for q, key in zip(quarters, keys, strict=True):
        complete = q.end <= ctx.today
        if key in published:
            out.append(published[key])
            continue
        ranking = computed.get(key, [])
        mine = next((t for t in ranking if t.town == ctx.town), None)
        if mine is not None:
            out.append(QuarterRank(key, q.label, mine.rank, len(ranking), mine.score, COMPUTED, complete))
        else:
            out.append(QuarterRank(key, q.label, None, None, None, None, complete))
    return out
