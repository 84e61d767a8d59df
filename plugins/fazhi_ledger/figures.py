"""The ledger's figures: for each category's ``FigureDef`` the SQL condition and aggregate that
make its value, ``compute(ctx)`` and ``records(ctx)`` for the report, and every figure of the
panel (period, previous period, year to date) in one scan. Separate because the report, the CLI,
the panel, the review and the map all use the same numbers. No Textual.

How a figure counts (``counts``):
- ``records``: rows of the category dated in the period (日期);
- ``quantity``: the sum of 数量 over those rows, an empty 数量 counting 1;
- ``closed``: rows of the category whose 状态 is 已销号 and whose 完成日期 is in the period;
- ``level``: rows of one 级别; ``kind``: rows whose 事项 contains one of the kind's words;
- ``cumulative``: every row dated before the period's end (“目前已创成……”), not only the period's.

A figure is ``None`` (a gap in the report, never a made-up 0) when the category has no record
dated before the period's end anywhere in the town: the office does not keep it in this ledger.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import pyarrow as pa

from fazhi_tui.api import Context, Figure, Period, TableCache

from .categories import CLOSED, KIND, LEVEL, QUANTITY, Categories, FigureDef, current
from .tables import CLOSED as CLOSED_STATUS
from .tables import WORK_ITEMS

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# The summaries the figures are read from, per state of the table, period, grid and categories.
_SUMMARIES: TableCache[Summary] = TableCache(WORK_ITEMS, size=16)


def run(ctx: Context, sql: str, params: Mapping[str, Any]) -> pa.Table:
    """``ctx.query`` with only the named parameters the SQL uses (DuckDB refuses extra ones, and
    which bounds a figure's condition uses depends on how it counts)."""
    used = set(_PARAM.findall(sql))
    return ctx.query(sql, {k: v for k, v in params.items() if k in used})


def _condition(f: FigureDef, p: str, params: dict[str, Any], start: str, end: str) -> str:
    """The figure's row condition in SQL with its parameters named ``{p}…`` added to ``params``;
    ``start``/``end`` name the period's bound parameters."""
    params[f"{p}c"] = f.category
    parts = [f"category = ${p}c"]
    if f.counts == CLOSED:
        params[f"{p}s"] = CLOSED_STATUS
        parts.append(f"status = ${p}s AND done_date >= ${start} AND done_date < ${end}")
    elif f.cumulative:
        parts.append(f'"date" < ${end}')
    else:
        parts.append(f'"date" >= ${start} AND "date" < ${end}')
    if f.counts == LEVEL:
        params[f"{p}l"] = f.level
        parts.append(f"level = ${p}l")
    if f.counts == KIND:
        words = []
        for i, w in enumerate(f.match):
            params[f"{p}k{i}"] = w
            words.append(f"contains(title, ${p}k{i})")
        parts.append(f"({' OR '.join(words)})")
    return " AND ".join(parts)


def _aggregate(f: FigureDef, cond: str) -> str:
    if f.counts == QUANTITY:
        # CASE rather than FILTER: DuckDB evaluates a hundred FILTER clauses several times slower.
        return f"CAST(coalesce(sum(CASE WHEN {cond} THEN coalesce(quantity, 1) ELSE 0 END), 0) AS BIGINT)"
    return f"CAST(coalesce(count_if({cond}), 0) AS BIGINT)"


def _grid(ctx: Context, params: dict[str, Any]) -> str:
    if ctx.grid is None:
        return "TRUE"
    params["grid"] = ctx.grid.code
    return "grid = $grid"


def _kept(ctx: Context, category: str, end: dt.date) -> bool:
    """Whether the town keeps this category here: any record of it dated before ``end``."""
    rows = ctx.query(
        f'SELECT 1 FROM {WORK_ITEMS} WHERE category = $c AND "date" < $end LIMIT 1', {"c": category, "end": end}
    )
    return rows.num_rows > 0


def compute(f: FigureDef, ctx: Context, categories: Categories | None = None) -> int | None:
    """The figure's value for ``ctx.period`` and ``ctx.grid``, or None when the category is not kept.

    Read from the panel's one-query ``summary`` of every category, kept per state of the table:
    the report quotes some thirty of these figures, and one query for each cost it most of its
    time (a query has a cost of its own however few rows it reads)."""
    cats = categories or current()
    if cats.figure(f.name) is None:  # a figure of categories no longer in force
        return compute_alone(f, ctx)
    key = (ctx.period, ctx.grid.code if ctx.grid else None, ctx.today, cats)
    found = _SUMMARIES.get(ctx.store, key, lambda: summary(ctx, cats))
    for c in found.categories:
        for row in c.figures:
            if row.figure.name == f.name:
                return row.current
    return compute_alone(f, ctx)


def compute_alone(f: FigureDef, ctx: Context) -> int | None:
    """``compute`` by a query of the figure's own (its records' filter): what ``summary`` must
    agree with, and the path for a figure outside the categories in force."""
    if not _kept(ctx, f.category, ctx.period.end):
        return None
    params: dict[str, Any] = {"start": ctx.period.start, "end": ctx.period.end}
    cond = _condition(f, "f", params, "start", "end")
    sql = f"SELECT {_aggregate(f, 'TRUE')} FROM {WORK_ITEMS} WHERE {cond} AND {_grid(ctx, params)}"
    return int(run(ctx, sql, params).column(0)[0].as_py())


RECORD_COLUMNS = (
    "item_no",
    "date",
    "category",
    "title",
    "quantity",
    "grid",
    "level",
    "person",
    "due",
    "done_date",
    "status",
    "note",
)


def records(f: FigureDef, ctx: Context) -> pa.Table:
    """The rows behind the figure's value (same filter), by 日期."""
    params: dict[str, Any] = {"start": ctx.period.start, "end": ctx.period.end}
    cond = _condition(f, "f", params, "start", "end")
    cols = ", ".join(f'"{c}"' for c in RECORD_COLUMNS)
    sql = f'SELECT {cols} FROM {WORK_ITEMS} WHERE {cond} AND {_grid(ctx, params)} ORDER BY "date", item_no'
    return run(ctx, sql, params)


def value_of(f: FigureDef, table: pa.Table) -> int:
    """What a figure's records add up to (the check that ``records`` matches ``compute``)."""
    if f.counts == QUANTITY:
        return sum(1 if q is None else q for q in table.column("quantity").to_pylist())
    return table.num_rows


def report_figures(categories: Categories | None = None) -> list[Figure]:
    """One ``Figure`` per category and meaning, named as the categories say."""
    out = []
    for f in (categories or current()).figures:
        out.append(
            Figure(
                f.name,
                f.label,
                f.unit,
                partial(compute, f, categories=categories),
                records=partial(records, f),
                table=WORK_ITEMS,
                approx=f.approx,
                description=f.description or f"工作台账“{f.category}”类的{_meaning(f)}",
            )
        )
    return out


def _meaning(f: FigureDef) -> str:
    if f.counts == QUANTITY:
        what = "数量之和（数量为空按 1 计）"
    elif f.counts == CLOSED:
        what = "已销号条数（按完成日期）"
    elif f.counts == LEVEL:
        what = f"{f.level}记录条数"
    elif f.counts == KIND:
        what = f"事项含“{'/'.join(f.match)}”的记录条数"
    else:
        what = "记录条数"
    return what + ("，计至期间末" if f.cumulative else "")


# -- the panel's figures: every figure for the period, the previous period and the year, one scan ---
@dataclass(frozen=True)
class FigureRow:
    figure: FigureDef
    current: int | None
    previous: int | None
    year_to_date: int | None  # for figures with a target: the period's year up to its end (or today)

    @property
    def target(self) -> float | None:
        return self.figure.target


@dataclass(frozen=True)
class CategoryRow:
    name: str
    unit: str
    records: int  # the category's records in the period (and grid)
    figures: tuple[FigureRow, ...]


@dataclass(frozen=True)
class Summary:
    period: Period
    previous_period: Period
    year_period: Period  # the period's year, up to the end of the period (or today, if sooner)
    categories: tuple[CategoryRow, ...]
    total: int  # records of every category in the period


def year_to_date(period: Period, today: dt.date) -> Period:
    year = period.start.year
    end = min(period.end, today + dt.timedelta(days=1), dt.date(year + 1, 1, 1))
    end = max(end, dt.date(year, 1, 2))
    return Period.between(dt.date(year, 1, 1), end - dt.timedelta(days=1))


def summary_query(ctx: Context, cats: Categories) -> tuple[str, dict[str, Any]]:
    """The panel's one query (see ``summary``) and its parameters; the benchmark runs the same
    SQL on the raw files as its floor.

    One row per (类别, 级别) with a few generic counts per slot (0 the period, 1 the previous
    period, 2 the year to date when some figure has a target): records, sum of 数量, closed,
    and cumulative records and 数量; a ``kind`` figure (its words in 事项) has a column of its own.
    A few grouped aggregates instead of one column per figure: a hundred aggregates over every
    row cost several times more than the scan."""
    period, previous = ctx.period, ctx.period.step(-1)
    ytd = year_to_date(period, ctx.today)
    slots = (0, 1, 2) if any(f.target is not None for f in cats.figures) else (0, 1)
    params: dict[str, Any] = {"s0": period.start, "e0": period.end, "s1": previous.start, "e1": previous.end}
    if 2 in slots:
        params |= {"s2": ytd.start, "e2": ytd.end}
    params["closed"] = CLOSED_STATUS
    cols = [
        'CAST(count_if("date" < $e0) AS BIGINT) AS kept0',
        'CAST(count_if("date" < $e1) AS BIGINT) AS kept1',
    ]
    for slot in slots:
        inside = f'in_grid AND "date" >= $s{slot} AND "date" < $e{slot}'
        cols += [
            f"CAST(count_if({inside}) AS BIGINT) AS n{slot}",
            f"CAST(coalesce(sum(CASE WHEN {inside} THEN coalesce(quantity, 1) ELSE 0 END), 0) AS BIGINT) AS q{slot}",
            f"CAST(count_if(in_grid AND status = $closed AND done_date >= $s{slot} AND done_date < $e{slot}) AS BIGINT)"
            f" AS c{slot}",
            f'CAST(count_if(in_grid AND "date" < $e{slot}) AS BIGINT) AS r{slot}',
            f'CAST(coalesce(sum(CASE WHEN in_grid AND "date" < $e{slot} THEN coalesce(quantity, 1) ELSE 0 END), 0)'
            f" AS BIGINT) AS p{slot}",
        ]
    for fi, f in enumerate(cats.figures):
        if f.counts == KIND:
            for slot in slots:
                cond = _condition(f, f"f{fi}s{slot}", params, f"s{slot}", f"e{slot}")
                cols.append(f"{_aggregate(f, 'in_grid AND ' + cond)} AS k{fi}_{slot}")
    in_grid = _grid(ctx, params)
    params["end"] = max(period.end, ytd.end)
    names = []
    for ci, c in enumerate(cats.items):
        params[f"cat{ci}"] = c.name
        names.append(f"$cat{ci}")
    sql = (
        f'WITH rows AS (SELECT category, level, quantity, status, done_date, title, "date", {in_grid} AS in_grid '
        f'FROM {WORK_ITEMS} WHERE "date" < $end AND category IN ({", ".join(names)})) '
        f"SELECT category, level, {', '.join(cols)} FROM rows GROUP BY category, level"
    )
    return sql, params


def _figure_value(f: FigureDef, fi: int, groups: list[dict[str, Any]], slot: int) -> int:
    if f.counts == KIND:
        return sum(g[f"k{fi}_{slot}"] for g in groups)
    if f.counts == LEVEL:
        groups = [g for g in groups if g["level"] == f.level]
    if f.counts == CLOSED:
        key = "c"
    elif f.counts == QUANTITY:
        key = "p" if f.cumulative else "q"
    else:
        key = "r" if f.cumulative else "n"
    return sum(g[f"{key}{slot}"] for g in groups)


def summary(ctx: Context, categories: Categories | None = None) -> Summary:
    """Every category's figures for ``ctx.period``, the previous period and the year to date, in
    the grid, from one query over the rows dated before the period's end."""
    cats = categories or current()
    period, previous = ctx.period, ctx.period.step(-1)
    ytd = year_to_date(period, ctx.today)
    sql, params = summary_query(ctx, cats)
    by_category: dict[str, list[dict[str, Any]]] = {}
    for g in run(ctx, sql, params).to_pylist():
        # count_if is NULL, not 0, for a group in which its condition is never true.
        counts = {k: (v or 0) for k, v in g.items() if k not in ("category", "level")}
        by_category.setdefault(g["category"], []).append({**g, **counts})
    index = {f.name: i for i, f in enumerate(cats.figures)}
    out = []
    total = 0
    for c in cats.items:
        groups = by_category.get(c.name, [])
        # Kept: any record dated before the period's end, town-wide (see the module's docstring).
        kept = sum(g["kept0"] for g in groups) > 0
        kept_prev = sum(g["kept1"] for g in groups) > 0
        n = sum(g["n0"] for g in groups)
        total += n
        frows = []
        for f in c.figures:
            fi = index[f.name]
            frows.append(
                FigureRow(
                    f,
                    _figure_value(f, fi, groups, 0) if kept else None,
                    _figure_value(f, fi, groups, 1) if kept_prev else None,
                    _figure_value(f, fi, groups, 2) if f.target is not None and kept else None,
                )
            )
        out.append(CategoryRow(c.name, c.unit, n, tuple(frows)))
    return Summary(period, previous, ytd, tuple(out), total)


def grid_values(f: FigureDef, ctx: Context) -> dict[str, float]:
    """``{grid code: value}`` of one figure for ``ctx.period`` over every grid (the map)."""
    params: dict[str, Any] = {"start": ctx.period.start, "end": ctx.period.end}
    cond = _condition(f, "f", params, "start", "end")
    sql = f"SELECT grid, {_aggregate(f, 'TRUE')} AS v FROM {WORK_ITEMS} WHERE {cond} AND grid IS NOT NULL GROUP BY grid"
    return {r["grid"]: r["v"] for r in run(ctx, sql, params).to_pylist()}
