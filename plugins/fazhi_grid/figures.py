"""The grid plugin's figures for the report: grids, grid heads and grid workers (一(一) of the seed).

Separate from ``queries`` (the map's data) because these are counted the report's way: as of the
period's last day (or today, when it has not ended), each person once, and with a grid selected
only that grid. No Textual here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from fazhi_tui.api import Context, Figure, qident

from .queries import HEAD, IN_POST, WORKER

GRID_COLUMNS = "code, name, kind, village, head, workers, households, population, established"


def as_of(ctx: Context) -> dt.date:
    return min(ctx.period.last, ctx.today)


def _grid_where(ctx: Context) -> tuple[str, list]:
    cond = "coalesce(established <= ?, TRUE)"
    params: list[Any] = [as_of(ctx)]
    if ctx.grid is not None:
        cond += " AND code = ?"
        params.append(ctx.grid.code)
    return cond, params


def grid_count(ctx: Context) -> int | None:
    cond, params = _grid_where(ctx)
    n = ctx.query(f"SELECT count(*) FROM {qident('grids')} WHERE {cond}", params).column(0)[0].as_py()
    return n or None  # a town without grids has nothing to report, not "0个网格"


def grid_rows(ctx: Context) -> pa.Table:
    cond, params = _grid_where(ctx)
    return ctx.query(f"SELECT {GRID_COLUMNS} FROM {qident('grids')} WHERE {cond} ORDER BY code", params)


def _role_where(ctx: Context, role: str) -> tuple[str, list]:
    day = as_of(ctx)
    cond = f"list_contains(roles, ?) AND {IN_POST}"
    params: list[Any] = [role, day, day]
    if ctx.grid is not None:
        cond += " AND grid = ?"
        params.append(ctx.grid.code)
    return cond, params


def role_count(ctx: Context, role: str) -> int | None:
    if "people" not in ctx.store.specs:
        return None
    cond, params = _role_where(ctx, role)
    return ctx.query(f"SELECT count(*) FROM {qident('people')} WHERE {cond}", params).column(0)[0].as_py()


def role_rows(ctx: Context, role: str) -> pa.Table:
    cond, params = _role_where(ctx, role)
    return ctx.query(
        f"SELECT person_id, name, roles, grid, unit, start_date, end_date FROM {qident('people')} "
        f"WHERE {cond} ORDER BY grid NULLS LAST, person_id",
        params,
    )


def grid_figures() -> list[Figure]:
    return [
        Figure(
            "grid_count",
            "镇村两级网格数",
            "个",
            grid_count,
            records=grid_rows,
            table="grids",
            description="年末已设立的网格（设立日期不详的计入）",
        ),
        Figure(
            "grid_heads",
            "网格长人数",
            "个",  # the seed's word: 设网格长23个
            lambda ctx: role_count(ctx, HEAD),
            records=lambda ctx: role_rows(ctx, HEAD),
            table="people",
            description="年末在任的网格长",
        ),
        Figure(
            "grid_workers",
            "网格员人数",
            "名",
            lambda ctx: role_count(ctx, WORKER),
            records=lambda ctx: role_rows(ctx, WORKER),
            table="people",
            description="年末在任的网格员",
        ),
    ]
