"""The duty roster's table and figures. Imports nothing from Textual."""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa

from fazhi_tui.api import Column, Context, ReviewItem, Store, TableSpec, qident

DUTY_KINDS = ("工作日值班", "周末值班")

DUTY_SHIFTS = TableSpec(
    name="duty_shifts",
    label="值班班次",
    key="shift_id",
    period_column="day",
    grid_column="grid",
    columns=(
        Column("shift_id", pa.string(), "班次编号", required=True, doc="日期 + 序号，如 2026-11-26-1"),
        Column("day", pa.date32(), "值班日期", required=True),
        Column("kind", pa.string(), "类型", required=True, codes="duty_kind"),
        Column("person", pa.string(), "值班人员", required=True, doc="工作人员姓名按规定公开"),
        Column("leader", pa.string(), "带班领导"),
        Column("grid", pa.string(), "值守网格", ref="grids", doc="空：镇机关"),
        Column("note", pa.string(), "备注"),
    ),
    code_tables={"duty_kind": DUTY_KINDS},
    doc="镇机关与各网格的值班安排。",
)

LIST_LIMIT = 2000  # a year of shifts fits; the panel says when there are more
LIST_COLUMNS = ("day", "kind", "person", "leader", "grid", "note")


def shifts(ctx: Context) -> tuple[pa.Table, int]:
    """The shifts in the period and grid, newest first, with grid names; and how many match."""
    where, params = ctx.where("duty_shifts", alias="d")
    total = ctx.query(f"SELECT count(*) AS n FROM duty_shifts AS d WHERE {where}", params).column(0)[0].as_py()
    columns = ", ".join(f"d.{qident(c)}" for c in LIST_COLUMNS if c != "grid")
    table = ctx.query(
        f"SELECT {columns}, coalesce(g.name, '镇机关') AS grid FROM duty_shifts AS d "
        f"LEFT JOIN grids AS g ON g.code = d.grid WHERE {where} ORDER BY d.day DESC, d.shift_id LIMIT ?",
        [*params, LIST_LIMIT],
    )
    return table.select(list(LIST_COLUMNS)), total


def shift_rows(ctx: Context) -> pa.Table:
    """The shifts behind ``shift_count``: the same period and grid, every column."""
    where, params = ctx.where("duty_shifts")
    return ctx.query(f"SELECT * FROM duty_shifts WHERE {where} ORDER BY day, shift_id", params)


def shift_count(ctx: Context) -> int | None:
    """Shifts in the period and grid; None when the roster is empty for it (no data, not 0)."""
    where, params = ctx.where("duty_shifts")
    n = ctx.query(f"SELECT count(*) FROM duty_shifts WHERE {where}", params).column(0)[0].as_py()
    return n or None


def on_duty(store: Store, day: dt.date) -> list[dict]:
    return store.query(
        "SELECT person, leader, grid FROM duty_shifts WHERE day = ? ORDER BY shift_id", [day]
    ).to_pylist()


def on_duty_message(ctx: Context) -> str:
    rows = on_duty(ctx.store, ctx.today)
    if not rows:
        return f"{ctx.today} 没有安排值班"
    people = "、".join(r["person"] for r in rows)
    leaders = "、".join(sorted({r["leader"] for r in rows if r["leader"]}))
    return f"{ctx.today} 值班：{people}" + (f"；带班领导：{leaders}" if leaders else "")


def unassigned_days(ctx: Context) -> list[ReviewItem]:
    """Today and tomorrow must each have someone on duty at the office."""
    items = []
    for day in (ctx.today, ctx.today + dt.timedelta(days=1)):
        if not ctx.query("SELECT 1 FROM duty_shifts WHERE day = ? AND grid IS NULL LIMIT 1", [day]).num_rows:
            when = "今日" if day == ctx.today else "明日"
            items.append(
                ReviewItem(f"{when}（{day}）镇机关未安排值班", due=day, table="duty_shifts", overdue=day == ctx.today)
            )
    return items


def report_paragraphs(ctx: Context) -> list[str]:
    where, params = ctx.where("duty_shifts")
    row = ctx.query(
        f"SELECT count(*) AS n, count(*) FILTER (WHERE kind = '周末值班') AS weekend, "
        f"count(DISTINCT person) AS people FROM duty_shifts WHERE {where}",
        params,
    ).to_pylist()[0]
    if not row["n"]:
        return []
    return [
        f"坚持全天候值班值守，全年安排值班{row['n']}班次，其中周末值班{row['weekend']}班次，{row['people']}名干部参与轮值。"
    ]


def shifts_per_grid(ctx: Context) -> dict[str, float]:
    where, params = ctx.replace(grid=None).where("duty_shifts")
    rows = ctx.query(
        f"SELECT grid, count(*) AS n FROM duty_shifts WHERE {where} AND grid IS NOT NULL GROUP BY grid", params
    ).to_pylist()
    return {r["grid"]: r["n"] for r in rows}


DEMO_START = dt.date(2022, 1, 1)


def demo_shifts(store: Store, today: dt.date, seed: int) -> list[dict]:
    """One office shift a day from 2022 to a week past today (rosters are planned ahead), and on
    weekends one in a grid. Staff names come from the demo's people when there are any."""
    rng = random.Random(seed)
    names = [r["name"] for r in store.query("SELECT name FROM people ORDER BY person_id").to_pylist()]
    names = names or [f"值班员{i:02d}" for i in range(1, 13)]
    leaders = names[:4]
    grids = [r["code"] for r in store.query("SELECT code FROM grids ORDER BY code").to_pylist()]
    rows = []
    day = DEMO_START
    while day <= today + dt.timedelta(days=7):
        weekend = day.weekday() >= 5
        kind = DUTY_KINDS[1] if weekend else DUTY_KINDS[0]
        rows.append(
            {
                "shift_id": f"{day}-1",
                "day": day,
                "kind": kind,
                "person": rng.choice(names),
                "leader": rng.choice(leaders),
            }
        )
        if weekend and grids:
            rows.append(
                {
                    "shift_id": f"{day}-2",
                    "day": day,
                    "kind": kind,
                    "person": rng.choice(names),
                    "grid": rng.choice(grids),
                }
            )
        day += dt.timedelta(days=1)
    return rows
