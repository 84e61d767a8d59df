"""The ledger's figures for a period and grid: 整治行动 by 行动类型, 出动人次, cases by 处理方式 and
状态, 罚款, and the 三项制度 compliance rates, with the previous period beside. No Textual here.

Definitions (actions are placed in a period by 日期, cases by 发现时间; both in a grid by 网格):

- 联合行动: an action with at least one 联合单位.
- 立案: a case handled by 一般程序立案; 罚款: the sum of 罚款金额.
- 全过程记录（音像）= cases handled beyond 劝阻 with an 音像记录号 ÷ cases handled beyond 劝阻.
- 两名执法人员 = cases handled beyond 劝阻 with two different officers and both 执法证号 ÷ the same.
- 法制审核 = 重大执法决定 with 法制审核 已审核 ÷ 重大执法决定.
- 公示及时 = 处罚 (简易程序处罚, 一般程序立案) with a 决定日期 published on or before 公示期限 (N
  working days after 决定日期, N = ``publicity_days``) ÷ those published or past their 公示期限
  (a decision still within its 公示期限 and not yet published is not counted either way).

A rate with nothing to divide is None (shown as —), never 0 or 100%.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from fazhi_tui.api import Context, Period, TableCache

from .settings import settings_of
from .sql import (
    BEYOND_DISSUASION,
    HAS_AV,
    LEGALLY_REVIEWED,
    MAJOR,
    PUBLICITY_COUNTED,
    PUBLICITY_ON_TIME,
    TWO_OFFICERS,
    cases_cte,
    previous_period,
    run,
    scope,
)
from .tables import ACTIONS, CASES, FILED, HANDLINGS, STALLS, STATUSES


@dataclass(frozen=True)
class Rate:
    num: int
    den: int

    @property
    def value(self) -> float | None:
        return self.num / self.den if self.den else None

    @property
    def failing(self) -> int:
        return self.den - self.num

    def text(self) -> str:
        v = self.value
        return "—" if v is None else f"{v * 100:.1f}%"


# The compliance rates, in the order the panel shows them: (key, label, numerator, denominator).
COMPLIANCE = (
    ("av", "全过程记录（音像）", f"{BEYOND_DISSUASION} AND {HAS_AV}", BEYOND_DISSUASION),
    ("officers", "两名执法人员持证", f"{BEYOND_DISSUASION} AND {TWO_OFFICERS}", BEYOND_DISSUASION),
    ("legal_review", "重大决定法制审核", f"{MAJOR} AND {LEGALLY_REVIEWED}", MAJOR),
    ("publicity", "处罚决定按时公示", PUBLICITY_ON_TIME, PUBLICITY_COUNTED),
)
COMPLIANCE_LABELS = {key: label for key, label, _n, _d in COMPLIANCE}


@dataclass(frozen=True)
class Figures:
    """One period's figures."""

    period: Period
    actions: int = 0
    joint_actions: int = 0
    turnout: int = 0
    problems_found: int = 0
    dissuaded_on_actions: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    cases: int = 0
    by_handling: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    fines: float = 0.0
    compliance: dict[str, Rate] = field(default_factory=dict)

    @property
    def filed(self) -> int:
        return self.by_handling.get(FILED, 0)


@dataclass(frozen=True)
class Comparison:
    current: Figures
    previous: Figures | None

    @property
    def period(self) -> Period:
        return self.current.period


def _spans(ctx: Context, table: str, params: dict, periods: tuple[Period, ...], alias: str | None = None) -> str:
    """The condition for rows of any of ``periods`` (and the grid) over one scan: the span from
    the first period's start to the last one's end (prunable), narrowed when they do not touch."""
    lo, hi = min(p.start for p in periods), max(p.last for p in periods)
    cond = scope(ctx, table, params, alias=alias, period=Period.between(lo, hi), prefix="s")
    ordered = sorted(periods, key=lambda p: p.start)
    if any(a.end != b.start for a, b in zip(ordered, ordered[1:], strict=False)):
        parts = [scope(ctx, table, params, alias=alias, period=p, prefix=f"p{i}_") for i, p in enumerate(periods)]
        cond += " AND (" + " OR ".join(parts) + ")"
    return cond


def _current(ctx: Context, table: str, params: dict, period: Period, alias: str | None = None) -> str:
    """True for the rows of ``period`` (the others of the scan belong to the previous period)."""
    return scope(ctx, table, params, alias=alias, period=period, prefix="k")


def _action_rows(ctx: Context, period: Period, previous: Period | None = None) -> list[dict]:
    """Actions by 行动类型 for ``period`` (``cur`` true) and, in the same scan, ``previous``."""
    params: dict = {}
    periods = (period,) if previous is None else (period, previous)
    cond = _spans(ctx, ACTIONS, params, periods)
    return run(
        ctx,
        f"SELECT {_current(ctx, ACTIONS, params, period)} AS cur, action_type, count(*) AS n, "
        "CAST(coalesce(count_if(len(partners) > 0), 0) AS BIGINT) AS joint, "
        "CAST(coalesce(sum(turnout), 0) AS BIGINT) AS turnout, "
        "CAST(coalesce(sum(problems_found), 0) AS BIGINT) AS problems, "
        "CAST(coalesce(sum(dissuaded), 0) AS BIGINT) AS dissuaded "
        f"FROM {ACTIONS} WHERE {cond} GROUP BY ALL",
        params,
    ).to_pylist()


def _case_rows(ctx: Context, period: Period, previous: Period | None = None) -> list[dict]:
    """Cases by 处理方式 and 状态 with the 三项制度 counts for ``period`` (``cur`` true) and, in
    the same scan, ``previous``."""
    params: dict = {}
    periods = (period,) if previous is None else (period, previous)
    first = min(periods, key=lambda p: p.start)
    span = Period.between(first.start, max(p.last for p in periods))
    cte = cases_cte(ctx, _spans(ctx, CASES, params, periods, alias="e"), params, period=span)
    rates = ", ".join(
        f"CAST(coalesce(count_if({num}), 0) AS BIGINT) AS {key}_num, CAST(coalesce(count_if({den}), 0) AS BIGINT) AS {key}_den"
        for key, _label, num, den in COMPLIANCE
    )
    return run(
        ctx,
        f"{cte} SELECT {_current(ctx, CASES, params, period, alias='c')} AS cur, c.handling, c.status, "
        f"count(*) AS n, coalesce(sum(c.fine), 0) AS fines, {rates} FROM c GROUP BY ALL",
        params,
    ).to_pylist()


def _figures(period: Period, actions: list[dict], cases: list[dict]) -> Figures:
    by_type: dict[str, int] = {}
    for r in actions:
        by_type[r["action_type"]] = by_type.get(r["action_type"], 0) + r["n"]
    by_handling: dict[str, int] = {}
    by_status: dict[str, int] = {}
    for r in cases:
        h = r["handling"] or "未处理"
        by_handling[h] = by_handling.get(h, 0) + r["n"]
        by_status[r["status"]] = by_status.get(r["status"], 0) + r["n"]
    compliance = {
        key: Rate(sum(r[f"{key}_num"] for r in cases), sum(r[f"{key}_den"] for r in cases))
        for key, _l, _n, _d in COMPLIANCE
    }
    return Figures(
        period=period,
        actions=sum(r["n"] for r in actions),
        joint_actions=sum(r["joint"] for r in actions),
        turnout=sum(r["turnout"] for r in actions),
        problems_found=sum(r["problems"] for r in actions),
        dissuaded_on_actions=sum(r["dissuaded"] for r in actions),
        by_type=by_type,
        cases=sum(r["n"] for r in cases),
        by_handling=dict(sorted(by_handling.items(), key=lambda kv: _order(HANDLINGS, kv[0]))),
        by_status={s: by_status[s] for s in STATUSES if s in by_status},
        fines=float(sum(r["fines"] for r in cases)),
        compliance=compliance,
    )


def figures(ctx: Context, period: Period | None = None) -> Figures:
    period = period or ctx.period
    return _figures(period, _action_rows(ctx, period), _case_rows(ctx, period))


def action_figures(ctx: Context) -> Figures:
    """The period's figures of actions only (the 整治行动 tab's line): one query, no cases."""
    return _figures(ctx.period, _action_rows(ctx, ctx.period), [])


def _order(known: tuple[str, ...], value: str) -> int:
    return known.index(value) if value in known else len(known)


def comparison(ctx: Context) -> Comparison:
    """The period's figures and the previous period's: one scan of the actions and one of the
    cases over both periods (a period change costs two queries, not four)."""
    period, prev = ctx.period, previous_period(ctx.period)
    actions, cases = _action_rows(ctx, period, prev), _case_rows(ctx, period, prev)

    def of(cur: bool, rows: list[dict]) -> list[dict]:
        return [r for r in rows if bool(r["cur"]) is cur]

    current = _figures(period, of(True, actions), of(True, cases))
    previous = _figures(prev, of(False, actions), of(False, cases)) if prev is not None else None
    return Comparison(current, previous)


def figure_rows(f: Figures | None, types: tuple[str, ...]) -> list[tuple[str, str]]:
    """The figures as (label, value) lines, sub-items indented with a full-width space."""
    if f is None:
        return []
    out = [("整治行动（次）", str(f.actions))]
    out += [(f"　{t}", str(f.by_type.get(t, 0))) for t in types]
    out += [(f"　{t}", str(n)) for t, n in f.by_type.items() if t not in types]
    out += [
        ("联合行动（次）", str(f.joint_actions)),
        ("出动人次", str(f.turnout)),
        ("发现问题（个）", str(f.problems_found)),
        ("执法案件（宗）", str(f.cases)),
    ]
    out += [(f"　{h}", str(n)) for h, n in f.by_handling.items()]
    out += [("按状态", "")] + [(f"　{s}", str(n)) for s, n in f.by_status.items()]
    out += [("罚款（元）", f"{f.fines:,.0f}")]
    return out


# -- single figures, for the report (each with the rows behind it) ---------------------------------
def _count(ctx: Context, table: str, extra: str = "TRUE", alias: str = "t") -> int | None:
    """Rows matching ``extra`` in the period and grid, or None when the table has none at all
    in them (no data is a gap in the report, not a 0)."""
    params: dict = {}
    cond = scope(ctx, table, params, alias=alias)
    row = run(
        ctx,
        f"SELECT count(*) AS n, CAST(coalesce(count_if({extra}), 0) AS BIGINT) AS k FROM {table} AS {alias} WHERE {cond}",
        params,
    ).to_pylist()[0]
    return row["k"] if row["n"] else None


def _rows(ctx: Context, table: str, extra: str = "TRUE", alias: str = "t", order: str = "") -> pa.Table:
    params: dict = {}
    cond = scope(ctx, table, params, alias=alias)
    key = "action_no" if table == ACTIONS else "case_no"
    return run(ctx, f"SELECT * FROM {table} AS {alias} WHERE {cond} AND ({extra}) ORDER BY {order or key}", params)


def stall_actions(ctx: Context) -> int | None:
    return _count(ctx, ACTIONS, f"t.action_type = '{STALLS}'")


def stall_action_rows(ctx: Context) -> pa.Table:
    return _rows(ctx, ACTIONS, f"t.action_type = '{STALLS}'", order="t.day, t.action_no")


def joint_actions(ctx: Context) -> int | None:
    return _count(ctx, ACTIONS, "len(t.partners) > 0")


def joint_action_rows(ctx: Context) -> pa.Table:
    return _rows(ctx, ACTIONS, "len(t.partners) > 0", order="t.day, t.action_no")


def action_count(ctx: Context) -> int | None:
    return _count(ctx, ACTIONS)


def action_rows(ctx: Context) -> pa.Table:
    return _rows(ctx, ACTIONS, order="t.day, t.action_no")


def turnout(ctx: Context) -> int | None:
    params: dict = {}
    cond = scope(ctx, ACTIONS, params)
    row = run(
        ctx, f"SELECT count(*) AS n, CAST(coalesce(sum(turnout), 0) AS BIGINT) AS s FROM {ACTIONS} WHERE {cond}", params
    ).to_pylist()[0]
    return row["s"] if row["n"] else None


def dissuaded(ctx: Context) -> int | None:
    return _count(ctx, CASES, "t.handling = '劝阻'")


def dissuaded_rows(ctx: Context) -> pa.Table:
    return _rows(ctx, CASES, "t.handling = '劝阻'", order="t.found_at, t.case_no")


def case_count(ctx: Context) -> int | None:
    return _count(ctx, CASES)


def case_rows(ctx: Context) -> pa.Table:
    return _rows(ctx, CASES, order="t.found_at, t.case_no")


def cases_filed(ctx: Context) -> int | None:
    return _count(ctx, CASES, f"t.handling = '{FILED}'")


def filed_rows(ctx: Context) -> pa.Table:
    return _rows(ctx, CASES, f"t.handling = '{FILED}'", order="t.found_at, t.case_no")


def fines(ctx: Context) -> float | None:
    params: dict = {}
    cond = scope(ctx, CASES, params)
    row = run(ctx, f"SELECT count(*) AS n, coalesce(sum(fine), 0) AS s FROM {CASES} WHERE {cond}", params).to_pylist()[
        0
    ]
    return float(row["s"]) if row["n"] else None


def fined_rows(ctx: Context) -> pa.Table:
    return _rows(ctx, CASES, "t.fine > 0", order="t.found_at, t.case_no")


# The four 三项制度 rates come from one scan of the period's cases (~0.1 s at 1M cases): the report
# and its preview ask for the four one after another, and for two years, so the rates are kept
# per state of the table (as the hotline keeps its work and phone orders).
_RATES: TableCache[dict[str, Rate]] = TableCache(CASES, size=8)


def _rates(ctx: Context) -> dict[str, Rate]:
    key = (ctx.period, ctx.grid.code if ctx.grid else None, ctx.today, settings_of(ctx))
    return _RATES.get(ctx.store, key, lambda: _figures(ctx.period, [], _case_rows(ctx, ctx.period)).compliance)


def compliance_rate(key: str):
    """``compute`` of the figure ``enforcement_compliance_<key>``: the rate in percent."""

    def compute(ctx: Context) -> float | None:
        rate = _rates(ctx)[key]
        return None if rate.value is None else round(rate.value * 100, 1)

    return compute


def compliance_rows(key: str):
    """The cases counted in the rate's denominator, each with ``ok`` (whether it complied)."""

    def records(ctx: Context) -> pa.Table:
        _key, _label, num, den = next(c for c in COMPLIANCE if c[0] == key)
        params: dict = {}
        cte = cases_cte(ctx, scope(ctx, CASES, params, alias="e"), params, period=ctx.period)
        return run(ctx, f"{cte} SELECT c.*, ({num}) AS ok FROM c WHERE {den} ORDER BY c.found_at, c.case_no", params)

    return records


# -- per grid, for the map ------------------------------------------------------------------------
def _per_grid(ctx: Context, table: str) -> dict[str, float]:
    params: dict = {}
    cond = scope(ctx.replace(grid=None), table, params)
    rows = run(ctx, f"SELECT grid, count(*) AS n FROM {table} WHERE {cond} AND grid IS NOT NULL GROUP BY grid", params)
    return {r["grid"]: r["n"] for r in rows.to_pylist()}


def actions_per_grid(ctx: Context) -> dict[str, float]:
    return _per_grid(ctx, ACTIONS)


def cases_per_grid(ctx: Context) -> dict[str, float]:
    return _per_grid(ctx, CASES)
