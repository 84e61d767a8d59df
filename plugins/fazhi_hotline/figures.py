"""The hotline's figures for the report: work orders, phone orders and the worst published rank.

Separate from ``queries`` (the panel's numbers) because a figure is a single number with the rows
behind it, in the report's terms: the seed's "处理工单100余件、电话单90余件，每季度保持乡镇前两名".
No Textual here.
"""

from __future__ import annotations

import pyarrow as pa

from fazhi_tui.api import Context, Figure, TableCache, qident

from .headline import HotlineFigures
from .queries import figures_only, published_ranks, quarters_of, where
from .settings import settings_of
from .tables import HOTLINE, PHONE_ORDER, WORK_ORDER, quarter_key

# Work orders and phone orders come from one scan of the period's tickets: the report and its
# preview ask for both (and for two years), so the scan is kept per state of the table.
_FIGURES: TableCache[HotlineFigures] = TableCache(HOTLINE, size=8)


def _period_figures(ctx: Context) -> HotlineFigures:
    key = (ctx.period, ctx.grid.code if ctx.grid else None, ctx.today, ctx.town, settings_of(ctx).scope)
    return _FIGURES.get(ctx.store, key, lambda: figures_only(ctx))


TICKET_COLUMNS = (
    "ticket_no, source, received_at, appeal_type, category1, category2, grid, urgency, status, closed_at, callback"
)


def work_orders(ctx: Context) -> int | None:
    return _period_figures(ctx).work_orders or None


def phone_orders(ctx: Context) -> int | None:
    return _period_figures(ctx).phone_orders or None


def ticket_rows(ctx: Context, source: str) -> pa.Table:
    cond, params = where(ctx)
    return ctx.query(
        f"SELECT {TICKET_COLUMNS} FROM {qident('hotline')} WHERE {cond} AND source = ? ORDER BY received_at",
        [*params, source],
    )


def ended_quarters(ctx: Context) -> list[str]:
    """The quarters inside the period that have ended by today ("2023Q1", …)."""
    return [
        quarter_key(q.start.year, (q.start.month - 1) // 3 + 1)
        for q in quarters_of(ctx.period)
        if q.start >= ctx.period.start and q.end <= ctx.period.end and q.end <= ctx.today
    ]


def worst_rank(ctx: Context) -> int | None:
    """The lowest of the county's published quarterly ranks of the period, when every ended
    quarter has one (only then can the report say "每季度保持乡镇前N名"); a grid has no rank."""
    if ctx.grid is not None:
        return None
    quarters = ended_quarters(ctx)
    ranks = {k: r.rank for k, r in published_ranks(ctx).items() if r.rank is not None}
    if not quarters or any(q not in ranks for q in quarters):
        return None
    return max(ranks[q] for q in quarters)


def rank_rows(ctx: Context) -> pa.Table:
    return ctx.query(
        f"SELECT quarter, town, score, rank FROM {qident('hotline_ranks')} "
        f"WHERE town = ? AND list_contains(?, quarter) ORDER BY quarter",
        [ctx.town, ended_quarters(ctx)],
    )


def hotline_figures() -> list[Figure]:
    return [
        Figure(
            "hotline_work_orders",
            "12345处理工单数",
            "件",
            work_orders,
            records=lambda ctx: ticket_rows(ctx, WORK_ORDER),
            table="hotline",
            approx=True,
            description="受理时间在本期内、来源为工单的件数",
        ),
        Figure(
            "hotline_phone_orders",
            "12345电话单数",
            "件",
            phone_orders,
            records=lambda ctx: ticket_rows(ctx, PHONE_ORDER),
            table="hotline",
            approx=True,
            description="受理时间在本期内、来源为电话单的件数",
        ),
        Figure(
            "hotline_worst_rank",
            "12345季度排名（最差名次）",
            "名",
            worst_rank,
            records=rank_rows,
            table="hotline_ranks",
            description="县公布的本期各季度名次中最靠后的一次；有季度未公布时无数据",
        ),
    ]
