"""The host's figures, on its ``people`` table: who holds which role, as the report counts them.

People are counted as in post on the period's last day (31 December for a year), or today when
the period has not ended: ``start_date <= day`` (unknown counts as in post) and ``end_date`` unset
or after it. A person holding several of a figure's roles counts once. With a grid selected, only
the people placed in it count. No Textual here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pyarrow as pa

from .context import Context
from .contrib import Figure
from .store.views import qident

LEGAL_HELPER_ROLES = ("法律联络员", "法律明白人", "人民调解员")
LEADER, SOCIAL_GRID_WORKER, ENFORCEMENT_MEMBER, COUNSEL = "班子成员", "社会综合治理网格员", "执法队员", "法律顾问"

IN_POST = "coalesce(p.start_date <= ?, TRUE) AND (p.end_date IS NULL OR p.end_date > ?)"
# A grid belongs to a 村 (not a 居委会 or 社区): its village's name ends with 村, or the village's
# statistical code (the grid code's first 12 digits) has a 村民委员会 number, 200–399 in the last
# three digits (统计用区划代码编制规则).
VILLAGE_GRID = (
    "(g.village LIKE '%村' OR (length(g.code) >= 12 AND regexp_matches(substr(g.code, 10, 3), '^[23][0-9][0-9]$')))"
)
PEOPLE_COLUMNS = "p.person_id, p.name, p.roles, p.grid, p.unit, p.start_date, p.end_date"


def as_of(ctx: Context) -> dt.date:
    return min(ctx.period.last, ctx.today)


def _in_post(ctx: Context, roles: Sequence[str]) -> tuple[str, list]:
    day = as_of(ctx)
    cond = f"len(list_intersect(p.roles, ?)) > 0 AND {IN_POST}"
    params: list = [list(roles), day, day]
    if ctx.grid is not None:
        cond += " AND p.grid = ?"
        params.append(ctx.grid.code)
    return cond, params


def people_count(ctx: Context, roles: Sequence[str]) -> int | None:
    if "people" not in ctx.store.specs:
        return None
    cond, params = _in_post(ctx, roles)
    return ctx.query(f"SELECT count(*) FROM {qident('people')} AS p WHERE {cond}", params).column(0)[0].as_py()


def people_rows(ctx: Context, roles: Sequence[str]) -> pa.Table:
    cond, params = _in_post(ctx, roles)
    return ctx.query(
        f"SELECT {PEOPLE_COLUMNS} FROM {qident('people')} AS p WHERE {cond} ORDER BY p.grid NULLS LAST, p.person_id",
        params,
    )


def _counsel_join(ctx: Context) -> tuple[str, list]:
    cond, params = _in_post(ctx, (COUNSEL,))
    return (
        f"FROM {qident('people')} AS p JOIN {qident('grids')} AS g ON g.code = p.grid WHERE {cond} AND {VILLAGE_GRID}",
        params,
    )


def village_counsels(ctx: Context) -> int | None:
    """Villages with a 法律顾问 in post (the seed's 22个村法律顾问): each village once."""
    if "people" not in ctx.store.specs or "grids" not in ctx.store.specs:
        return None
    sql, params = _counsel_join(ctx)
    return ctx.query(f"SELECT count(DISTINCT g.village) {sql}", params).column(0)[0].as_py()


def village_counsel_rows(ctx: Context) -> pa.Table:
    sql, params = _counsel_join(ctx)
    return ctx.query(f"SELECT g.village, {PEOPLE_COLUMNS} {sql} ORDER BY g.village, p.person_id", params)


def _role_figure(name: str, label: str, unit: str, roles: Sequence[str], description: str) -> Figure:
    return Figure(
        name,
        label,
        unit,
        lambda ctx: people_count(ctx, roles),
        records=lambda ctx: people_rows(ctx, roles),
        table="people",
        description=description,
    )


def host_figures() -> list[Figure]:
    return [
        _role_figure("people_leaders", "班子成员人数", "名", (LEADER,), "角色为班子成员、年末在任的人数"),
        _role_figure(
            "people_legal_helpers",
            "法律联络员、法律明白人、人民调解员人数",
            "名",
            LEGAL_HELPER_ROLES,
            "担任三者之一（或多项）的在任人数，每人计一次",
        ),
        _role_figure("people_social_grid_workers", "社会综合治理网格员人数", "名", (SOCIAL_GRID_WORKER,), "在任人数"),
        _role_figure("people_enforcement_team", "镇行政综合执法大队队员人数", "名", (ENFORCEMENT_MEMBER,), "在任人数"),
        Figure(
            "people_village_counsels",
            "有法律顾问的村数",
            "个",
            village_counsels,
            records=village_counsel_rows,
            table="people",
            description="年末有在任法律顾问的行政村（按网格所属村，每村计一次；居委会、社区不计）",
        ),
    ]
