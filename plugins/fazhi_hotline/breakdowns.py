"""The period's tickets broken down: by month (the trend), by 分类 (two levels) and by 网格.

Separate from the headline figures because these are tables of rows, each with its own labels
for the panel and the export, and the map's per-grid figure is one of them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from fazhi_tui.api import Context, Period

from .conditions import NO_GRID, UNCATEGORISED, lit, overdue_expr, received_in, scope_condition
from .tables import CLOSED, PHONE_ORDER, UNSATISFIED, WORK_ORDER

TREND_LABELS = {
    "month": "月份",
    "work_orders": "工单",
    "phone_orders": "电话单",
    "received": "受理量",
    "closed": "已办结",
}
CATEGORY_LABELS = {"level": "层级", "category1": "一级分类", "category2": "二级分类", "count": "件数", "share": "占比"}
GRID_LABELS = {
    "grid": "网格编码",
    "grid_name": "网格",
    "received": "受理量",
    "closed": "已办结",
    "overdue": "超期",
    "unsatisfied": "不满意",
}


# -- the trend --------------------------------------------------------------------------------------
def trend_period(period: Period) -> Period:
    """The months the trend shows: the period's own, or the 12 months ending with the period's
    last month when it spans fewer than three (a month's trend would be a single point)."""
    first = dt.date(period.start.year, period.start.month, 1)
    months = (period.last.year - first.year) * 12 + period.last.month - first.month + 1
    last_month = dt.date(period.last.year, period.last.month, 1)
    end = Period.month(last_month.year, last_month.month).end
    if months >= 3:
        return Period(period.kind, first, end)
    index = last_month.year * 12 + last_month.month - 1 - 11
    return Period("range", dt.date(index // 12, index % 12 + 1, 1), end)


TREND_AGGREGATES = (
    f"CAST(count_if(source = {lit(WORK_ORDER)}) AS BIGINT) AS work_orders, "
    f"CAST(count_if(source = {lit(PHONE_ORDER)}) AS BIGINT) AS phone_orders, "
    f"count(*) AS received, CAST(count_if(status = {lit(CLOSED)}) AS BIGINT) AS closed"
)


def monthly_trend(ctx: Context, period: Period | None = None) -> pa.Table:
    """One row per month of ``trend_period``, months without tickets included: month (date, the
    first), work_orders, phone_orders, received, closed. Labels in ``TREND_LABELS``."""
    window = trend_period(period or ctx.period)
    cond, params = received_in(window)
    scope, scope_params = scope_condition(ctx)
    rows = ctx.query(
        f"SELECT CAST(date_trunc('month', received_at) AS DATE) AS month, {TREND_AGGREGATES} "
        f"FROM hotline WHERE {cond} AND {scope} GROUP BY ALL",
        [*params, *scope_params],
    ).to_pylist()
    return trend_table(window, rows)


def trend_table(window: Period, rows: list[dict]) -> pa.Table:
    """The trend's table from per-month rows (months without a row read zero)."""
    found = {r["month"]: r for r in rows}
    months, day = [], window.start
    while day < window.end:
        months.append(day)
        day = Period.month(day.year, day.month).end
    cols: dict[str, list] = {k: [] for k in TREND_LABELS}
    for m in months:
        r = found.get(m, {})
        cols["month"].append(m)
        for k in ("work_orders", "phone_orders", "received", "closed"):
            cols[k].append(int(r.get(k) or 0))
    return pa.table(
        {
            "month": pa.array(cols["month"], pa.date32()),
            **{k: pa.array(v, pa.int64()) for k, v in cols.items() if k != "month"},
        }
    )


# -- by 分类 ----------------------------------------------------------------------------------------
CATEGORY_COUNTS = (
    f"coalesce(category1, {lit(UNCATEGORISED)}) AS c1, coalesce(category2, {lit(UNCATEGORISED)}) AS c2, count(*) AS n"
)


def category_breakdown(ctx: Context, period: Period | None = None) -> pa.Table:
    """Tickets by 分类, two levels: each first level (level 1, category2 null) followed by its
    second levels (level 2), both by count descending; share is of the period's 受理量.
    Missing classes read 未分类. Labels in ``CATEGORY_LABELS``."""
    cond, params = received_in(period or ctx.period)
    scope, scope_params = scope_condition(ctx)
    rows = ctx.query(
        f"SELECT {CATEGORY_COUNTS} FROM hotline WHERE {cond} AND {scope} GROUP BY ALL", [*params, *scope_params]
    ).to_pylist()
    return category_table(rows)


def category_table(rows: list[dict]) -> pa.Table:
    """The two-level table from (c1, c2, n) rows."""
    total = sum(r["n"] for r in rows)
    level1: dict[str, int] = {}
    for r in rows:
        level1[r["c1"]] = level1.get(r["c1"], 0) + r["n"]
    out: dict[str, list] = {k: [] for k in CATEGORY_LABELS}

    def add(level: int, c1: str, c2: str | None, n: int) -> None:
        out["level"].append(level)
        out["category1"].append(c1)
        out["category2"].append(c2)
        out["count"].append(n)
        out["share"].append(n / total if total else 0.0)

    for c1, n1 in sorted(level1.items(), key=lambda kv: (-kv[1], kv[0])):
        add(1, c1, None, n1)
        for r in sorted((r for r in rows if r["c1"] == c1), key=lambda r: (-r["n"], r["c2"])):
            add(2, c1, r["c2"], r["n"])
    return pa.table(
        {
            "level": pa.array(out["level"], pa.int8()),
            "category1": pa.array(out["category1"], pa.string()),
            "category2": pa.array(out["category2"], pa.string()),
            "count": pa.array(out["count"], pa.int64()),
            "share": pa.array(out["share"], pa.float64()),
        }
    )


# -- by 网格 ----------------------------------------------------------------------------------------
def grid_aggregates(today: dt.date) -> str:
    return (
        f"count(*) AS received, CAST(count_if(status = {lit(CLOSED)}) AS BIGINT) AS closed, "
        f"CAST(count_if({overdue_expr(today)}) AS BIGINT) AS overdue, "
        f"CAST(count_if(callback = {lit(UNSATISFIED)}) AS BIGINT) AS unsatisfied"
    )


def grid_breakdown(ctx: Context, period: Period | None = None) -> pa.Table:
    """Tickets per grid in the period: every grid of the town (zeros included, or only the
    selected grid), then tickets with no or an unknown grid as 未指定网格; by 受理量 descending.
    Columns grid, grid_name, received, closed, overdue, unsatisfied (labels ``GRID_LABELS``)."""
    cond, params = received_in(period or ctx.period)
    scope, scope_params = scope_condition(ctx)
    counts = f"SELECT grid, {grid_aggregates(ctx.today)} FROM hotline WHERE {cond} AND {scope} GROUP BY grid"
    sql, grid_params = grid_join_sql(ctx, counts)
    return grid_table(ctx.query(sql, [*params, *scope_params, *grid_params]))


def grid_join_sql(ctx: Context, counts_sql: str) -> tuple[str, list[Any]]:
    """Per-grid counts (``counts_sql``: grid, received, closed, overdue, unsatisfied) joined with
    the town's grids, so grids without tickets show zeros and unknown codes fall to 未指定网格.
    The parameters returned come after those of ``counts_sql``."""
    grid_filter, params = "", []
    if ctx.grid is not None:
        grid_filter, params = "WHERE g.code = ?", [ctx.grid.code]
    return (
        f"""
        WITH t AS ({counts_sql}), g AS (SELECT code, name FROM grids AS g {grid_filter})
        SELECT * FROM (
            SELECT g.code AS grid_code, coalesce(g.name, {lit(NO_GRID)}) AS grid_name,
                   coalesce(sum(t.received), 0) AS received, coalesce(sum(t.closed), 0) AS closed,
                   coalesce(sum(t.overdue), 0) AS overdue, coalesce(sum(t.unsatisfied), 0) AS unsatisfied
            FROM t FULL OUTER JOIN g ON t.grid = g.code
            GROUP BY g.code, g.name
        ) AS x
        ORDER BY (x.grid_code IS NULL), x.received DESC, x.grid_code
    """,
        params,
    )


def grid_table(table: pa.Table) -> pa.Table:
    """The grid breakdown's columns, named and typed."""
    table = table.rename_columns(["grid", "grid_name", "received", "closed", "overdue", "unsatisfied"])
    return table.cast(
        pa.schema(
            [
                ("grid", pa.string()),
                ("grid_name", pa.string()),
                ("received", pa.int64()),
                ("closed", pa.int64()),
                ("overdue", pa.int64()),
                ("unsatisfied", pa.int64()),
            ]
        )
    )


def tickets_per_grid(ctx: Context) -> dict[str, float]:
    """The map's figure: tickets received per grid in the period (every grid of the town, zeros
    included; ``ctx.grid`` is ignored)."""
    table = grid_breakdown(ctx.replace(grid=None))
    return {r["grid"]: float(r["received"]) for r in table.to_pylist() if r["grid"] is not None}
