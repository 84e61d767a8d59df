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
import pyarrow.compute as pc

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

    Counts per (类别, 级别, 日期, 完成日期 of a closed row, in the grid or not): records, the sum of
    数量, and for each ``kind`` figure (its words in 事项) the records that match. Every figure of
    every period is a sum over these groups (a few tens of thousands for a million records), so a
    change of period sums them again instead of reading the table again."""
    params: dict[str, Any] = {"closed": CLOSED_STATUS}
    cols = []
    for fi, f in enumerate(cats.figures):
        if f.counts == KIND:
            params[f"f{fi}c"] = f.category
            words = []
            for i, w in enumerate(f.match):
                params[f"f{fi}k{i}"] = w
                words.append(f"contains(title, $f{fi}k{i})")
            cols.append(f"CAST(count_if(category = $f{fi}c AND ({' OR '.join(words)})) AS BIGINT) AS k{fi}")
    in_grid = _grid(ctx, params)
    names = []
    for ci, c in enumerate(cats.items):
        params[f"cat{ci}"] = c.name
        names.append(f"$cat{ci}")
    sql = (
        f'SELECT category, level, "date" AS day, CASE WHEN status = $closed THEN done_date END AS done, '
        f"coalesce({in_grid}, FALSE) AS in_grid, CAST(count(*) AS BIGINT) AS n, "
        f"CAST(sum(coalesce(quantity, 1)) AS BIGINT) AS q{''.join(', ' + c for c in cols)} "
        f'FROM {WORK_ITEMS} WHERE category IN ({", ".join(names)}) AND "date" IS NOT NULL GROUP BY ALL'
    )
    return sql, params


@dataclass(frozen=True)
class _Groups:
    """``summary_query``'s groups of one category (pyarrow arrays): 日期, the 完成日期 of closed
    rows (null: not closed), whether in the grid, 级别, the counts, a kind figure's counts."""

    day: pa.Array
    done: pa.Array
    in_grid: pa.Array
    level: pa.Array
    n: pa.Array
    q: pa.Array
    kind: dict[int, pa.Array]


def _groups(ctx: Context, cats: Categories) -> dict[str, _Groups]:
    sql, params = summary_query(ctx, cats)
    table = run(ctx, sql, params)
    category = table.column("category")
    kinds = [c for c in table.column_names if c.startswith("k")]
    out: dict[str, _Groups] = {}
    for c in cats.items:
        part = table.filter(pc.equal(category, c.name))
        if part.num_rows:
            col = {n: part.column(n).combine_chunks() for n in part.column_names if n != "category"}
            out[c.name] = _Groups(
                col["day"],
                col["done"],
                col["in_grid"],
                col["level"],
                col["n"],
                col["q"],
                {int(k[1:]): col[k] for k in kinds},
            )
    return out


# The groups, per state of the table, grid and categories: a change of period needs no query.
_GROUPS: TableCache[dict[str, _Groups]] = TableCache(WORK_ITEMS, size=8)


def _sum(values: pa.Array, mask: pa.Array) -> int:
    return int(pc.sum(pc.filter(values, mask)).as_py() or 0)


def _value(f: FigureDef, fi: int, g: _Groups, start: dt.date, end: dt.date) -> int:
    """The figure over the groups for ``[start, end)``, in the grid."""
    if f.counts == CLOSED:
        mask = pc.and_(pc.greater_equal(g.done, start), pc.less(g.done, end))
    elif f.cumulative:
        mask = pc.less(g.day, end)
    else:
        mask = pc.and_(pc.greater_equal(g.day, start), pc.less(g.day, end))
    mask = pc.and_(mask, g.in_grid)
    if f.counts == LEVEL:
        mask = pc.and_(mask, pc.equal(g.level, f.level))
    # A null (no 完成日期, no 级别) is no match.
    mask = pc.fill_null(mask, False)
    if f.counts == KIND:
        return _sum(g.kind[fi], mask)
    return _sum(g.q if f.counts == QUANTITY else g.n, mask)


def summary(ctx: Context, categories: Categories | None = None, *, cached: bool = True) -> Summary:
    """Every category's figures for ``ctx.period``, the previous period and the year to date, in
    the grid: sums over ``summary_query``'s groups, read once per state of the table and grid
    (``cached=False`` reads them afresh, as a first visit does)."""
    cats = categories or current()
    period, previous = ctx.period, ctx.period.step(-1)
    ytd = year_to_date(period, ctx.today)
    key = (ctx.grid.code if ctx.grid else None, cats)
    groups = _GROUPS.get(ctx.store, key, partial(_groups, ctx, cats)) if cached else _groups(ctx, cats)
    slots = [(p.start, p.end) for p in (period, previous, ytd)]
    index = {f.name: i for i, f in enumerate(cats.figures)}
    out = []
    total = 0
    for c in cats.items:
        g = groups.get(c.name)
        if g is None:  # not kept: no record of it at all
            out.append(CategoryRow(c.name, c.unit, 0, tuple(FigureRow(f, None, None, None) for f in c.figures)))
            continue
        # Kept: any record dated before the period's end, town-wide (see the module's docstring).
        first = pc.min(g.day).as_py()
        kept, kept_prev = first < slots[0][1], first < slots[1][1]
        window = pc.and_(pc.and_(pc.greater_equal(g.day, slots[0][0]), pc.less(g.day, slots[0][1])), g.in_grid)
        n = _sum(g.n, window) if kept else 0
        total += n
        frows = []
        for f in c.figures:
            fi = index[f.name]
            frows.append(
                FigureRow(
                    f,
                    _value(f, fi, g, *slots[0]) if kept else None,
                    _value(f, fi, g, *slots[1]) if kept_prev else None,
                    _value(f, fi, g, *slots[2]) if f.target is not None and kept else None,
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
