"""Every figure of the 12345 hotline, as plain functions of a ``Context``. No Textual here: the
panel, the report, the review and the CLI all call these.

Definitions (tickets are placed in a period by 受理时间, in a grid by 网格):

- 受理量: tickets received (工单 + 电话单), 退单 included.
- 办结率 = 已办结 ÷ (受理量 − 退单).
- 按期办结率 = 已办结 on or before 办理时限 ÷ 已办结. A ticket without 办理时限 or 办结时间 counts
  as on time (nothing shows it late).
- 超期件数: tickets not returned that were closed after 办理时限, or are still open with
  办理时限 before today.
- 回访率 = tickets with a 回访结果 ÷ 已办结; 满意率 = (满意 + 基本满意) ÷ tickets called back.
- 退单率 = 退单 ÷ 受理量; 重复来电: tickets marked 重复来电.

Which townships: the store may hold a whole county's tickets (所属乡镇). By default the figures are
the context's town's (``ctx.town``; tickets without a 所属乡镇 count as the town's). Set
``scope = "all"`` under ``[plugin.fazhi_hotline]`` to see every township together.

Period conditions compare ``受理时间`` with timestamp bounds directly (not ``ctx.where``, which
casts the column to DATE), so DuckDB prunes row groups by their statistics.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from fazhi_tui.api import Context, Period

from .deadlines import Deadline, DeadlineRules, calendar_note, next_working_day, rules_from_settings
from .masking import mask_name, mask_phone, mask_record, mask_table, may_see_pii  # noqa: F401  (re-exported for the panel)  # noqa: F401
from .tables import (
    BASICALLY_SATISFIED,
    CALLBACKS,
    CLOSED,
    HOTLINE,
    HOTLINE_SPEC,
    LABELS,
    OPEN_STATUSES,
    PHONE_ORDER,
    RETURNED,
    SATISFIED,
    UNSATISFIED,
    WORK_ORDER,
    quarter_key,
)

UNCATEGORISED = "未分类"
NO_GRID = "未指定网格"

# -- settings ---------------------------------------------------------------------------------------
# Composite score for the computed ranking: 100 × Σ weight × metric, each metric in [0, 1]:
# completion 办结率, on_time 按期办结率, satisfaction 满意率, callback 回访率,
# returned (1 − 退单率), repeat (1 − 重复来电 ÷ 受理量). A rate with nothing to divide by counts 0.
DEFAULT_RANK_WEIGHTS: dict[str, float] = {
    "completion": 0.20,
    "on_time": 0.25,
    "satisfaction": 0.30,
    "callback": 0.10,
    "returned": 0.10,
    "repeat": 0.05,
}
WEIGHT_LABELS = {
    "completion": "办结率",
    "on_time": "按期办结率",
    "satisfaction": "满意率",
    "callback": "回访率",
    "returned": "退单率",
    "repeat": "重复来电",
}
SCOPES = ("town", "all")
DEFAULT_UNSATISFIED_DAYS = 30
DEFAULT_PAGE_SIZE = 50
_SETTING_KEYS = {
    "deadline_days",
    "urgent_deadline_days",
    "scope",
    "rank_weights",
    "unsatisfied_days",
    "categories",
    "page_size",
}


@dataclass(frozen=True)
class HotlineSettings:
    """``[plugin.fazhi_hotline]`` of the config, checked."""

    rules: DeadlineRules
    scope: str = "town"
    rank_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_RANK_WEIGHTS))
    unsatisfied_days: int = DEFAULT_UNSATISFIED_DAYS  # how far back the review lists 不满意 callbacks
    page_size: int = DEFAULT_PAGE_SIZE


def settings_of(ctx: Context) -> HotlineSettings:
    """The plugin's settings; a wrong key or value raises ``ValueError`` naming it."""
    raw = dict(ctx.settings or {})
    unknown = sorted(set(raw) - _SETTING_KEYS)
    if unknown:
        raise ValueError(
            f"[plugin.fazhi_hotline] 不认识的设置：{', '.join(unknown)}（可用：{', '.join(sorted(_SETTING_KEYS))}）"
        )
    scope = raw.get("scope", "town")
    if scope not in SCOPES:
        raise ValueError(f'[plugin.fazhi_hotline] scope 应为 "town"（本镇）或 "all"（全部乡镇），实为 {scope!r}')
    weights = dict(DEFAULT_RANK_WEIGHTS)
    given = raw.get("rank_weights")
    if given is not None:
        if not isinstance(given, Mapping):
            raise ValueError("[plugin.fazhi_hotline] rank_weights 应为表，如 { satisfaction = 0.3 }")
        for k, v in given.items():
            if k not in DEFAULT_RANK_WEIGHTS:
                raise ValueError(
                    f"[plugin.fazhi_hotline] rank_weights.{k} 未知（可用：{', '.join(f'{n}（{WEIGHT_LABELS[n]}）' for n in DEFAULT_RANK_WEIGHTS)}）"
                )
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                raise ValueError(f"[plugin.fazhi_hotline] rank_weights.{k} 应为非负数，实为 {v!r}")
            weights[k] = float(v)
        if sum(weights.values()) <= 0:
            raise ValueError("[plugin.fazhi_hotline] rank_weights 的权重之和须大于 0")
    days = raw.get("unsatisfied_days", DEFAULT_UNSATISFIED_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 366:
        raise ValueError(f"[plugin.fazhi_hotline] unsatisfied_days 应为 1 至 366 的天数，实为 {days!r}")
    page = raw.get("page_size", DEFAULT_PAGE_SIZE)
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= 10_000:
        raise ValueError(f"[plugin.fazhi_hotline] page_size 应为 1 至 10000，实为 {page!r}")
    return HotlineSettings(rules_from_settings(raw), scope, weights, days, page)


# -- conditions -----------------------------------------------------------------------------------
_PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def run(ctx: Context, sql: str, params: Mapping[str, Any]) -> pa.Table:
    """``ctx.query`` with named parameters (``$name``); those the SQL does not use are dropped
    (DuckDB refuses extra ones), so conditions can be built up in one dict."""
    used = set(_PARAM_RE.findall(sql))
    return ctx.query(sql, {k: v for k, v in params.items() if k in used})


def _ts(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def scope_condition(
    ctx: Context, params: dict[str, Any], *, grid: bool = True, town: bool = True, alias: str = ""
) -> str:
    """Town and grid conditions (period apart), adding their parameters to ``params``."""
    a = f"{alias}." if alias else ""
    conds = []
    if town and ctx.town and settings_of(ctx).scope == "town":
        conds.append(f"({a}town = $town OR {a}town IS NULL)")
        params["town"] = ctx.town
    if grid and ctx.grid is not None:
        conds.append(f"{a}grid = $grid")
        params["grid"] = ctx.grid.code
    return " AND ".join(conds) or "TRUE"


def period_condition(period: Period, params: dict[str, Any], prefix: str = "p", alias: str = "") -> str:
    """``受理时间`` in the period, compared as timestamps (prunable), never cast to DATE."""
    a = f"{alias}." if alias else ""
    params[f"{prefix}0"], params[f"{prefix}1"] = _ts(period.start), _ts(period.end)
    return f"{a}received_at >= ${prefix}0 AND {a}received_at < ${prefix}1"


def previous_period(period: Period) -> Period | None:
    """The period of the same kind just before (None past the years the program handles)."""
    prev = period.step(-1)
    return None if prev == period else prev


def where(ctx: Context, period: Period | None = None, alias: str = "") -> tuple[str, dict[str, Any]]:
    """The hotline's condition for ``period`` (default the context's), grid and town, with its
    named parameters: ``cond, params = where(ctx); run(ctx, f"... WHERE {cond}", params)`` (``run`` drops unused ones)."""
    params: dict[str, Any] = {}
    cond = (
        f"{period_condition(period or ctx.period, params, alias=alias)} AND {scope_condition(ctx, params, alias=alias)}"
    )
    return cond, params


# -- the headline figures ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Rate:
    num: int
    den: int

    @property
    def value(self) -> float | None:
        return self.num / self.den if self.den else None

    @property
    def text(self) -> str:
        v = self.value
        return "—" if v is None else f"{v * 100:.1f}%"


@dataclass(frozen=True)
class HotlineFigures:
    received: int = 0  # 受理量
    work_orders: int = 0  # 工单
    phone_orders: int = 0  # 电话单
    returned: int = 0  # 退单
    closed: int = 0  # 已办结
    closed_on_time: int = 0
    overdue: int = 0  # 超期件数
    called_back: int = 0  # 已回访
    satisfied: int = 0  # 满意 + 基本满意
    unsatisfied: int = 0
    repeat_calls: int = 0  # 重复来电
    open: int = 0  # 待签收 + 办理中 + 延期

    @property
    def handled(self) -> int:
        return self.received - self.returned

    @property
    def completion(self) -> Rate:  # 办结率
        return Rate(self.closed, self.handled)

    @property
    def on_time(self) -> Rate:  # 按期办结率
        return Rate(self.closed_on_time, self.closed)

    @property
    def satisfaction(self) -> Rate:  # 满意率
        return Rate(self.satisfied, self.called_back)

    @property
    def callback(self) -> Rate:  # 回访率
        return Rate(self.called_back, self.closed)

    @property
    def return_rate(self) -> Rate:  # 退单率
        return Rate(self.returned, self.received)


def overdue_expr(alias: str = "") -> str:
    """超期: closed after 办理时限, or still open past it (``$closed``, ``$returned``, ``$today``)."""
    a = f"{alias}." if alias else ""
    return (
        f"({a}deadline IS NOT NULL AND CASE WHEN {a}status = $closed THEN CAST({a}closed_at AS DATE) > {a}deadline "
        f"WHEN {a}status = $returned THEN FALSE ELSE {a}deadline < $today END)"
    )


# The aggregates of the figures, shared by the figures and the computed ranking (one scan each).
# count_if(…) rather than count(*) FILTER (WHERE …): same counts (a NULL condition counts as not
# true in both), but DuckDB evaluates FILTER clauses one selection at a time; measured at 10M
# tickets, the ranking's 12 counts over a year took ~180 ms as FILTERs and ~125 ms as count_if.
# count_if returns HUGEINT (a Decimal in Python): cast back to BIGINT.
_AGGREGATES = f"""
    count(*) AS received,
    CAST(count_if(source = $work_order) AS BIGINT) AS work_orders,
    CAST(count_if(source = $phone_order) AS BIGINT) AS phone_orders,
    CAST(count_if(status = $returned) AS BIGINT) AS returned,
    CAST(count_if(status = $closed) AS BIGINT) AS closed,
    CAST(count_if(status = $closed AND (deadline IS NULL OR closed_at IS NULL
                                   OR CAST(closed_at AS DATE) <= deadline)) AS BIGINT) AS closed_on_time,
    CAST(count_if({overdue_expr()}) AS BIGINT) AS overdue,
    count(callback) AS called_back,
    CAST(count_if(callback = $satisfied OR callback = $basically) AS BIGINT) AS satisfied,
    CAST(count_if(callback = $unsatisfied) AS BIGINT) AS unsatisfied,
    CAST(count_if(repeat_call) AS BIGINT) AS repeat_calls,
    CAST(count_if(status <> $closed AND status <> $returned) AS BIGINT) AS open
"""
_FIGURE_FIELDS = tuple(HotlineFigures.__dataclass_fields__)


def _aggregate_params(today: dt.date) -> dict[str, Any]:
    return {
        "work_order": WORK_ORDER,
        "phone_order": PHONE_ORDER,
        "returned": RETURNED,
        "closed": CLOSED,
        "satisfied": SATISFIED,
        "basically": BASICALLY_SATISFIED,
        "unsatisfied": UNSATISFIED,
        "today": today,
    }


def _figures_of(row: Mapping[str, Any] | None) -> HotlineFigures:
    if row is None:
        return HotlineFigures()
    return HotlineFigures(**{k: int(row.get(k) or 0) for k in _FIGURE_FIELDS})


@dataclass(frozen=True)
class FigureRow:
    """One line of the panel's figures: this period beside the previous one."""

    key: str
    label: str
    current: str
    previous: str
    change: str  # "+3", "−1.5个百分点", "" when there is nothing to compare
    higher_is_better: bool


@dataclass(frozen=True)
class FiguresComparison:
    period: Period
    previous_period: Period | None
    current: HotlineFigures
    previous: HotlineFigures | None

    def rows(self) -> list[FigureRow]:
        """The figures in the panel's order, formatted: 受理量 (工单/电话单), 办结率, 按期办结率,
        超期件数, 满意率, 回访率, 退单率, 重复来电."""
        c, p = self.current, self.previous
        out = []

        def count(key: str, label: str, better: bool) -> None:
            a = getattr(c, key)
            b = getattr(p, key) if p is not None else None
            out.append(FigureRow(key, label, f"{a}件", "" if b is None else f"{b}件", _delta(a, b), better))

        def rate(key: str, label: str, better: bool) -> None:
            a: Rate = getattr(c, key)
            b: Rate | None = getattr(p, key) if p is not None else None
            change = ""
            if b is not None and a.value is not None and b.value is not None:
                diff = (a.value - b.value) * 100
                change = "持平" if abs(diff) < 0.05 else f"{'+' if diff > 0 else '−'}{abs(diff):.1f}个百分点"
            out.append(FigureRow(key, label, a.text, "" if b is None else b.text, change, better))

        count("received", "受理量", True)
        count("work_orders", "　工单", True)
        count("phone_orders", "　电话单", True)
        rate("completion", "办结率", True)
        rate("on_time", "按期办结率", True)
        count("overdue", "超期件数", False)
        rate("satisfaction", "满意率", True)
        rate("callback", "回访率", True)
        rate("return_rate", "退单率", False)
        count("repeat_calls", "重复来电", False)
        return out


def _delta(a: int, b: int | None) -> str:
    if b is None:
        return ""
    d = a - b
    return "持平" if d == 0 else f"{'+' if d > 0 else '−'}{abs(d)}"


def figures(ctx: Context, period: Period | None = None) -> FiguresComparison:
    """受理量 (工单/电话单), 办结率, 按期办结率, 超期件数, 满意率, 回访率, 退单率, 重复来电 for the
    period (default the context's) and the previous period of the same kind, in ONE aggregate
    query over one contiguous range of 受理时间."""
    period = period or ctx.period
    prev = previous_period(period)
    params = _aggregate_params(ctx.today)
    scope = scope_condition(ctx, params)
    span = Period(period.kind, prev.start, period.end) if prev is not None and prev.end == period.start else period
    cond = period_condition(span, params)
    params["cur0"] = _ts(period.start)
    rows = run(
        ctx,
        f"SELECT received_at >= $cur0 AS cur, {_AGGREGATES} FROM hotline WHERE {cond} AND {scope} GROUP BY ALL",
        params,
    ).to_pylist()
    by = {r["cur"]: r for r in rows}
    previous = None
    if prev is not None:
        previous = _figures_of(by.get(False)) if span is not period else figures_only(ctx, prev)
    return FiguresComparison(period, prev, _figures_of(by.get(True)), previous)


def figures_only(ctx: Context, period: Period | None = None, *, town: str | None = None) -> HotlineFigures:
    """The figures of one period (no comparison); ``town`` picks another township of the store."""
    params = _aggregate_params(ctx.today)
    if town is not None:
        params["only_town"] = town
        scope = "town = $only_town" + (" AND grid = $grid" if ctx.grid is not None else "")
        if ctx.grid is not None:
            params["grid"] = ctx.grid.code
    else:
        scope = scope_condition(ctx, params)
    cond = period_condition(period or ctx.period, params)
    rows = run(ctx, f"SELECT {_AGGREGATES} FROM hotline WHERE {cond} AND {scope}", params).to_pylist()
    return _figures_of(rows[0] if rows else None)


# -- trend and breakdowns ---------------------------------------------------------------------------
TREND_LABELS = {
    "month": "月份",
    "work_orders": "工单",
    "phone_orders": "电话单",
    "received": "受理量",
    "closed": "已办结",
}


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


_TREND_AGGREGATES = (
    "CAST(count_if(source = $work_order) AS BIGINT) AS work_orders, "
    "CAST(count_if(source = $phone_order) AS BIGINT) AS phone_orders, "
    "count(*) AS received, CAST(count_if(status = $closed) AS BIGINT) AS closed"
)


def monthly_trend(ctx: Context, period: Period | None = None) -> pa.Table:
    """One row per month of ``trend_period``, months without tickets included: month (date, the
    first), work_orders, phone_orders, received, closed. Labels in ``TREND_LABELS``."""
    window = trend_period(period or ctx.period)
    params = {"work_order": WORK_ORDER, "phone_order": PHONE_ORDER, "closed": CLOSED}
    cond = f"{period_condition(window, params)} AND {scope_condition(ctx, params)}"
    rows = run(
        ctx,
        f"SELECT CAST(date_trunc('month', received_at) AS DATE) AS month, {_TREND_AGGREGATES} "
        f"FROM hotline WHERE {cond} GROUP BY ALL",
        params,
    ).to_pylist()
    return _trend_table(window, rows)


def _trend_table(window: Period, rows: list[dict]) -> pa.Table:
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


CATEGORY_LABELS = {"level": "层级", "category1": "一级分类", "category2": "二级分类", "count": "件数", "share": "占比"}


def category_breakdown(ctx: Context, period: Period | None = None) -> pa.Table:
    """Tickets by 分类, two levels: each first level (level 1, category2 null) followed by its
    second levels (level 2), both by count descending; share is of the period's 受理量.
    Missing classes read 未分类. Labels in ``CATEGORY_LABELS``."""
    params: dict[str, Any] = {"none": UNCATEGORISED}
    cond = f"{period_condition(period or ctx.period, params)} AND {scope_condition(ctx, params)}"
    rows = run(
        ctx,
        "SELECT coalesce(category1, $none) AS c1, coalesce(category2, $none) AS c2, "
        f"count(*) AS n FROM hotline WHERE {cond} GROUP BY ALL",
        params,
    ).to_pylist()
    return _category_table(rows)


def _category_table(rows: list[dict]) -> pa.Table:
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


GRID_LABELS = {
    "grid": "网格编码",
    "grid_name": "网格",
    "received": "受理量",
    "closed": "已办结",
    "overdue": "超期",
    "unsatisfied": "不满意",
}


_GRID_AGGREGATES = (
    "count(*) AS received, CAST(count_if(status = $closed) AS BIGINT) AS closed, "
    f"CAST(count_if({overdue_expr()}) AS BIGINT) AS overdue, "
    "CAST(count_if(callback = $unsatisfied) AS BIGINT) AS unsatisfied"
)


def grid_breakdown(ctx: Context, period: Period | None = None) -> pa.Table:
    """Tickets per grid in the period: every grid of the town (zeros included, or only the
    selected grid), then tickets with no or an unknown grid as 未指定网格; by 受理量 descending.
    Columns grid, grid_name, received, closed, overdue, unsatisfied (labels ``GRID_LABELS``)."""
    params = {**_aggregate_params(ctx.today), "no_grid": NO_GRID}
    cond = f"{period_condition(period or ctx.period, params)} AND {scope_condition(ctx, params)}"
    counts = f"SELECT grid, {_GRID_AGGREGATES} FROM hotline WHERE {cond} GROUP BY grid"
    return _grid_table(run(ctx, _grid_join_sql(ctx, counts, params), params))


def _grid_join_sql(ctx: Context, counts_sql: str, params: dict[str, Any]) -> str:
    """Per-grid counts (``counts_sql``: grid, received, closed, overdue, unsatisfied) joined with
    the town's grids, so grids without tickets show zeros and unknown codes fall to 未指定网格."""
    grid_filter = ""
    if ctx.grid is not None:
        grid_filter = "WHERE g.code = $grid"
        params["grid"] = ctx.grid.code
    return f"""
        WITH t AS ({counts_sql}), g AS (SELECT code, name FROM grids AS g {grid_filter})
        SELECT * FROM (
            SELECT g.code AS grid_code, coalesce(g.name, $no_grid) AS grid_name,
                   coalesce(sum(t.received), 0) AS received, coalesce(sum(t.closed), 0) AS closed,
                   coalesce(sum(t.overdue), 0) AS overdue, coalesce(sum(t.unsatisfied), 0) AS unsatisfied
            FROM t FULL OUTER JOIN g ON t.grid = g.code
            GROUP BY g.code, g.name
        ) AS x
        ORDER BY (x.grid_code IS NULL), x.received DESC, x.grid_code
    """


def _grid_table(table: pa.Table) -> pa.Table:
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


@dataclass(frozen=True)
class Overview:
    """The panel's 概况: what ``figures``, ``monthly_trend``, ``category_breakdown`` and
    ``grid_breakdown`` give, from one query."""

    figures: FiguresComparison
    trend: pa.Table
    categories: pa.Table
    grids: pa.Table


def overview(ctx: Context, period: Period | None = None) -> Overview:
    """The figures (with the previous period), the monthly trend and both breakdowns in ONE query.

    The four read the same rows (the town's tickets of a year or two); reading them from the
    files is most of the cost, so the rows are read once into a materialised CTE and the four
    aggregates run on that (at 10M tickets: ~115 ms against ~220 ms for the four queries).
    """
    period = period or ctx.period
    prev = previous_period(period)
    window = trend_period(period)
    contiguous = prev is not None and prev.end == period.start
    start = min(period.start, window.start, prev.start if contiguous else period.start)
    end = max(period.end, window.end)
    params: dict[str, Any] = {**_aggregate_params(ctx.today), "none": UNCATEGORISED, "no_grid": NO_GRID}
    span = period_condition(Period("range", start, end), params, prefix="s")
    scope = scope_condition(ctx, params)
    params.update(c0=_ts(period.start), c1=_ts(period.end), w0=_ts(window.start), w1=_ts(window.end))
    part = "CASE WHEN received_at >= $c0 AND received_at < $c1 THEN 1"
    if contiguous:
        params["q0"] = _ts(prev.start)
        part += " WHEN received_at >= $q0 AND received_at < $c0 THEN 0"
    part += " END"
    grid_counts = f"SELECT grid, {_GRID_AGGREGATES} FROM s WHERE part = 1 GROUP BY grid"
    sql = f"""
        WITH s AS MATERIALIZED (
            SELECT {part} AS part, received_at >= $w0 AND received_at < $w1 AS in_window,
                   CAST(date_trunc('month', received_at) AS DATE) AS month, source, status, deadline,
                   closed_at, callback, repeat_call, category1, category2, grid
            FROM hotline WHERE {span} AND {scope}
        )
        SELECT
            (SELECT list(f) FROM (SELECT part, {_AGGREGATES} FROM s WHERE part IS NOT NULL GROUP BY part) AS f) AS figures,
            (SELECT list(t) FROM (SELECT month, {_TREND_AGGREGATES} FROM s WHERE in_window GROUP BY month) AS t) AS trend,
            (SELECT list(c) FROM (SELECT coalesce(category1, $none) AS c1, coalesce(category2, $none) AS c2,
                                         count(*) AS n FROM s WHERE part = 1 GROUP BY ALL) AS c) AS categories,
            (SELECT list(g) FROM ({_grid_join_sql(ctx, grid_counts, params)}) AS g) AS grids
    """
    row = run(ctx, sql, params).to_pylist()[0]
    figs = {r["part"]: r for r in row["figures"] or []}
    previous = None
    if prev is not None:
        previous = _figures_of(figs.get(0)) if contiguous else figures_only(ctx, prev)
    grid_rows = sorted(row["grids"] or [], key=lambda r: (r["grid_code"] is None, -r["received"], r["grid_code"] or ""))
    names = ["grid_code", "grid_name", "received", "closed", "overdue", "unsatisfied"]
    grids = (
        pa.table({n: [r[n] for r in grid_rows] for n in names})
        if grid_rows
        else pa.table({n: pa.array([], pa.string() if n in ("grid_code", "grid_name") else pa.int64()) for n in names})
    )
    return Overview(
        figures=FiguresComparison(period, prev, _figures_of(figs.get(1)), previous),
        trend=_trend_table(window, row["trend"] or []),
        categories=_category_table(row["categories"] or []),
        grids=_grid_table(grids),
    )


def tickets_per_grid(ctx: Context) -> dict[str, float]:
    """The map's figure: tickets received per grid in the period (every grid of the town, zeros
    included; ``ctx.grid`` is ignored)."""
    table = grid_breakdown(ctx.replace(grid=None))
    return {r["grid"]: float(r["received"]) for r in table.to_pylist() if r["grid"] is not None}


# -- ranks ----------------------------------------------------------------------------------------
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
    rows = run(
        ctx,
        "SELECT r.quarter, r.rank, r.score, (SELECT count(*) FROM hotline_ranks AS o WHERE o.quarter = r.quarter) AS towns "
        "FROM hotline_ranks AS r WHERE r.town = $town AND list_contains($keys, r.quarter)",
        {"town": town, "keys": keys},
    ).to_pylist()
    by_key = {q_key: q for q_key, q in zip(keys, quarters)}
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
# few, keyed by the hotline table's files on disk (any write changes the key) and the question.
_RANKING_CACHE: dict[tuple, dict[Any, list[TownScore]]] = {}
_RANKING_CACHE_SIZE = 16


def _rankings(ctx: Context, periods: list[Period], *, by_quarter: bool) -> dict[Any, list[TownScore]]:
    """Rankings over one contiguous span in ONE query: for the whole span (key 0), or for each
    calendar quarter in it (key "2023Q1")."""
    if not periods:
        return {}
    weights = settings_of(ctx).rank_weights
    key = (
        id(ctx.store),
        ctx.store.files(HOTLINE).signature,
        tuple((p.start, p.end) for p in periods),
        by_quarter,
        tuple(sorted(weights.items())),
        ctx.town,
        ctx.today,
    )
    hit = _RANKING_CACHE.get(key)
    if hit is not None:
        return hit
    result = _compute_rankings(ctx, periods, by_quarter=by_quarter, weights=weights)
    if len(_RANKING_CACHE) >= _RANKING_CACHE_SIZE:
        _RANKING_CACHE.pop(next(iter(_RANKING_CACHE)))
    _RANKING_CACHE[key] = result
    return result


def _compute_rankings(
    ctx: Context, periods: list[Period], *, by_quarter: bool, weights: Mapping[str, float]
) -> dict[Any, list[TownScore]]:
    params = _aggregate_params(ctx.today)
    span = Period("range", min(p.start for p in periods), max(p.end for p in periods))
    cond = period_condition(span, params)
    params["own_town"] = ctx.town or None
    town = "coalesce(town, $own_town)"
    key = "year(received_at) * 10 + quarter(received_at)" if by_quarter else "0"
    rows = run(
        ctx,
        f"SELECT {key} AS k, {town} AS town, {_AGGREGATES} FROM hotline WHERE {cond} AND {town} IS NOT NULL GROUP BY ALL",
        params,
    ).to_pylist()
    groups: dict[Any, list[tuple[str, HotlineFigures]]] = {}
    for r in rows:
        k = quarter_key(r["k"] // 10, r["k"] % 10) if by_quarter else 0
        groups.setdefault(k, []).append((r["town"], _figures_of(r)))
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
    missing = [q for q, k in zip(quarters, keys) if k not in published and q.start <= ctx.today]
    computed = _rankings(ctx, missing, by_quarter=True) if ctx.town and missing else {}
    out = []
    for q, key in zip(quarters, keys):
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


# -- the open tickets ---------------------------------------------------------------------------------
OVERDUE_FLAG, DUE_SOON_FLAG = "超期", "一个工作日内到期"
OPEN_COLUMNS = (
    "flag",
    "deadline",
    "ticket_no",
    "status",
    "source",
    "received_at",
    "appeal_type",
    "urgency",
    "category1",
    "category2",
    "grid_name",
    "caller",
    "phone",
    "content",
    "grid",
)
OPEN_LABELS = {**LABELS, "flag": "提示", "grid_name": "网格", "grid": "网格编码"}


@dataclass(frozen=True)
class OpenKey:
    """Where a page of open tickets ended, in the list's order: the keyset to continue from."""

    deadline: dt.date | None
    received_at: dt.datetime
    ticket_no: str


@dataclass(frozen=True)
class OpenPage:
    """A page of the open tickets (待签收/办理中/延期), by 办理时限 (earliest first, none last)."""

    rows: pa.Table  # OPEN_COLUMNS; caller/phone masked unless the user may see them
    total: int | None  # open tickets in all (None when not counted)
    overdue: int | None  # of which past 办理时限
    due_soon: int | None  # of which due today or by the next working day
    offset: int  # rows before this page
    limit: int
    today: dt.date
    due_soon_until: dt.date  # the next working day after today
    note: str | None = None  # the calendar's note when a date shown lies beyond its data
    labels: Mapping[str, str] = field(default_factory=lambda: dict(OPEN_LABELS))

    @property
    def has_more(self) -> bool:
        if self.rows.num_rows < self.limit:
            return False
        return self.total is None or self.offset + self.rows.num_rows < self.total

    @property
    def next_after(self) -> OpenKey | None:
        """Pass as ``after`` to get the next page."""
        if self.rows.num_rows == 0:
            return None
        last = self.rows.slice(self.rows.num_rows - 1).to_pylist()[0]
        return OpenKey(last["deadline"], last["received_at"], last["ticket_no"])


def due_soon_until(today: dt.date) -> Deadline:
    """A ticket is due within one working day when its 办理时限 is today or up to the next working day."""
    return next_working_day(today)


def open_condition(ctx: Context, params: dict[str, Any], *, in_period: bool, alias: str = "") -> str:
    """Open tickets (待签收/办理中/延期) in the town and grid (and the period when ``in_period``)."""
    a = f"{alias}." if alias else ""
    # "Not closed and not returned" selects the same rows as status IN (open ones), but DuckDB
    # pushes two inequalities into the scan as a real filter, while an IN list is only an
    # optional one: measured 284 ms -> 54 ms for the first page at 10M tickets.
    params.update(not_closed=CLOSED, not_returned=RETURNED)
    cond = (
        f"{a}status IS NOT NULL AND {a}status <> $not_closed AND {a}status <> $not_returned "
        f"AND {scope_condition(ctx, params, alias=alias)}"
    )
    if in_period:
        cond += f" AND {period_condition(ctx.period, params, alias=alias)}"
    return cond


def _after_condition(after: OpenKey, params: dict[str, Any], alias: str) -> str:
    """Rows after ``after`` in the order 办理时限 (nulls last), 受理时间, 工单编号."""
    a = f"{alias}."
    params.update(k_received=after.received_at, k_no=after.ticket_no)
    rest = f"({a}received_at > $k_received OR ({a}received_at = $k_received AND {a}ticket_no > $k_no))"
    if after.deadline is None:
        return f"{a}deadline IS NULL AND {rest}"
    params["k_deadline"] = after.deadline
    return f"({a}deadline > $k_deadline OR {a}deadline IS NULL OR ({a}deadline = $k_deadline AND {rest}))"


def open_counts(ctx: Context, *, in_period: bool = False) -> tuple[int, int, int]:
    """(open tickets, of them overdue, of them due within one working day), as ``open_tickets``
    counts them."""
    soon = due_soon_until(ctx.today)
    if not in_period and _keeps_open_rows(ctx):
        rows = _open_in_grid(ctx)
        deadline = rows.column("deadline")
        overdue = pc.sum(pc.less(deadline, pa.scalar(ctx.today))).as_py() or 0
        due_soon = (
            pc.sum(
                pc.and_(pc.greater_equal(deadline, pa.scalar(ctx.today)), pc.less_equal(deadline, pa.scalar(soon.day)))
            ).as_py()
            or 0
        )
        return rows.num_rows, int(overdue), int(due_soon)
    params: dict[str, Any] = {"today": ctx.today, "soon": soon.day}
    cond = open_condition(ctx, params, in_period=in_period)
    c = run(
        ctx,
        "SELECT count(*) AS total, CAST(count_if(deadline < $today) AS BIGINT) AS overdue, "
        f"CAST(count_if(deadline >= $today AND deadline <= $soon) AS BIGINT) AS due_soon FROM hotline WHERE {cond}",
        params,
    ).to_pylist()[0]
    return c["total"], c["overdue"], c["due_soon"]


def open_tickets(
    ctx: Context,
    offset: int = 0,
    limit: int | None = None,
    *,
    after: OpenKey | None = None,
    counts: bool = True,
    in_period: bool = False,
) -> OpenPage:
    """The open tickets in the grid (and town), soonest 办理时限 first (then 受理时间, 工单编号: a
    stable order), ``limit`` rows (default the ``page_size`` setting, 50).

    Page with ``after=previous_page.next_after`` (keyset: every page as fast as the first); or with
    ``offset`` (LIMIT/OFFSET: simple, but DuckDB's cost grows with the depth — measured on 10M
    tickets, offset 5000 several times the first page). With ``after``, ``offset`` only says how
    many rows came before (for ``has_more``). ``counts=False`` skips the totals (one scan fewer),
    for pages after the first. Open tickets of any period are listed unless ``in_period``: an old
    ticket still open needs work all the same."""
    limit = settings_of(ctx).page_size if limit is None else max(0, int(limit))
    offset = max(0, int(offset))
    soon = due_soon_until(ctx.today)
    total = overdue = due_soon = None
    if counts:
        total, overdue, due_soon = open_counts(ctx, in_period=in_period)
    if not in_period and _keeps_open_rows(ctx):
        rows = _open_in_grid(ctx)
        start = offset if after is None else _first_after(rows, after)
        rows = rows.slice(start, limit)
        deadline = rows.column("deadline")
        flag = pc.if_else(
            pc.less(deadline, pa.scalar(ctx.today)),
            pa.scalar(OVERDUE_FLAG),
            pc.if_else(
                pc.less_equal(deadline, pa.scalar(soon.day)), pa.scalar(DUE_SOON_FLAG), pa.scalar(None, pa.string())
            ),
        )
        rows = rows.append_column("flag", flag)
    else:
        rows = _open_page_sql(ctx, soon, limit, offset, after, in_period)
    rows = mask_table(ctx, HOTLINE_SPEC, rows.select(list(OPEN_COLUMNS)))
    deadlines = [d for d in rows.column("deadline").to_pylist() if d is not None]
    note = calendar_note(soon.day, *deadlines[-1:])
    return OpenPage(rows, total, overdue, due_soon, offset, limit, ctx.today, soon.day, note)


# Every open ticket of the town, read once per state of the files and kept: a township has few
# (thousands of a county's 10M), so a grid change, a period change and each page after the first
# are answered from memory instead of scanning every month's file again (a grid's first page
# read 62 row groups at 10M tickets, ~110 ms; from here ~2 ms). Any write changes the files'
# signature, and so the key. Keyed by the store object too: its role decides what its views mask.
# A whole county's open tickets (``scope = "all"``: 38-61k at 10M) cost ~600 ms to read in full,
# more than paging them from the files: that list keeps reading each page from the files.
_OPEN_CACHE: dict[tuple, pa.Table] = {}
_OPEN_CACHE_SIZE = 4
_OPEN_LOCK = threading.Lock()
_OPEN_INDEX_COLUMNS = (
    "deadline",
    "ticket_no",
    "status",
    "source",
    "received_at",
    "appeal_type",
    "urgency",
    "category1",
    "category2",
    "grid_name",
    "caller",
    "phone",
    "content",
    "grid",
)


def _keeps_open_rows(ctx: Context) -> bool:
    return bool(ctx.town) and settings_of(ctx).scope == "town"


def _open_rows(ctx: Context) -> pa.Table:
    """The open tickets of the town (grid ignored), in the list's order."""
    store = ctx.store
    key = (id(store), store.files(HOTLINE).signature, store.files("grids").signature, ctx.town)
    with _OPEN_LOCK:  # the panel asks for the counts and the page at once: read the files once
        hit = _OPEN_CACHE.get(key)
        if hit is not None:
            return hit
        params: dict[str, Any] = {}
        cond = open_condition(ctx.replace(grid=None), params, in_period=False, alias="h")
        rows = run(
            ctx,
            f"""
            SELECT h.deadline, h.ticket_no, h.status, h.source, h.received_at, h.appeal_type, h.urgency,
                   h.category1, h.category2, coalesce(g.name, h.grid) AS grid_name, h.caller, h.phone,
                   h.content, h.grid
            FROM hotline AS h LEFT JOIN grids AS g ON g.code = h.grid
            WHERE {cond}
            ORDER BY h.deadline ASC NULLS LAST, h.received_at, h.ticket_no
            """,
            params,
        )
        while len(_OPEN_CACHE) >= _OPEN_CACHE_SIZE:
            _OPEN_CACHE.pop(next(iter(_OPEN_CACHE)))
        _OPEN_CACHE[key] = rows
        return rows


def _open_in_grid(ctx: Context) -> pa.Table:
    rows = _open_rows(ctx)
    if ctx.grid is not None:
        rows = rows.filter(pc.equal(rows.column("grid"), pa.scalar(ctx.grid.code)))
    return rows


def _first_after(rows: pa.Table, after: OpenKey) -> int:
    """Index of the first row after ``after`` in the list's order (rows are in that order)."""
    deadline, received, no = rows.column("deadline"), rows.column("received_at"), rows.column("ticket_no")
    rest = pc.or_(
        pc.greater(received, pa.scalar(after.received_at, received.type)),
        pc.and_(
            pc.equal(received, pa.scalar(after.received_at, received.type)), pc.greater(no, pa.scalar(after.ticket_no))
        ),
    )
    if after.deadline is None:
        later = pc.and_(pc.is_null(deadline), rest)
    else:
        d = pa.scalar(after.deadline, deadline.type)
        later = pc.or_kleene(
            pc.or_kleene(pc.greater(deadline, d), pc.is_null(deadline)),
            pc.and_kleene(pc.equal(deadline, d), rest),
        )
    later = pc.fill_null(later, False)
    found = pc.index(later, True).as_py()
    return rows.num_rows if found < 0 else found


def _open_page_sql(
    ctx: Context, soon: Deadline, limit: int, offset: int, after: OpenKey | None, in_period: bool
) -> pa.Table:
    """A page of the open tickets of the period (``in_period``), straight from the files."""
    page_params: dict[str, Any] = {
        "today": ctx.today,
        "soon": soon.day,
        "limit": limit,
        "offset": 0 if after else offset,
        "overdue_flag": OVERDUE_FLAG,
        "soon_flag": DUE_SOON_FLAG,
    }
    page_cond = open_condition(ctx, page_params, in_period=in_period, alias="h")
    if after is not None:
        page_cond += f" AND {_after_condition(after, page_params, 'h')}"
    order = "deadline ASC NULLS LAST, received_at, ticket_no"
    return run(
        ctx,
        f"""
        SELECT CASE WHEN p.deadline < $today THEN $overdue_flag
                    WHEN p.deadline <= $soon THEN $soon_flag END AS flag,
               p.deadline, p.ticket_no, p.status, p.source, p.received_at, p.appeal_type, p.urgency,
               p.category1, p.category2, coalesce(g.name, p.grid) AS grid_name, p.caller, p.phone, p.content, p.grid
        FROM (SELECT h.deadline, h.ticket_no, h.status, h.source, h.received_at, h.appeal_type, h.urgency,
                     h.category1, h.category2, h.caller, h.phone, h.content, h.grid
              FROM hotline AS h WHERE {page_cond}
              ORDER BY {", ".join("h." + o for o in order.split(", "))} LIMIT $limit OFFSET $offset) AS p
        LEFT JOIN grids AS g ON g.code = p.grid
        ORDER BY {", ".join("p." + o for o in order.split(", "))}
        """,
        page_params,
    )


# -- one ticket -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FieldChange:
    column: str
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class VersionChange:
    rev: int
    op: str  # "put" or "delete"
    at: dt.datetime
    by: str
    changes: tuple[FieldChange, ...]  # for the first version: every field given

    @property
    def summary(self) -> str:
        if self.op == "delete":
            return "删除"
        if self.rev == 1:
            return "登记"
        return "修改 " + "、".join(c.label for c in self.changes) if self.changes else "保存（无改动）"


@dataclass(frozen=True)
class TicketDetail:
    record: dict  # the current version, PII masked unless the user may see it
    fields: tuple[tuple[str, str], ...]  # (label, text) in the table's column order
    grid_name: str | None
    flag: str | None  # OVERDUE_FLAG, DUE_SOON_FLAG or None
    history: pa.Table  # every version, oldest first (_rev, _op, _at, _by and the columns), masked
    versions: tuple[VersionChange, ...]
    note: str | None  # the calendar's note when the 办理时限 lies beyond its data


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def ticket_detail(ctx: Context, ticket_no: str) -> TicketDetail | None:
    """One ticket as it is now, with its version history (``store.history``); None if unknown."""
    store = ctx.store
    record = store.get(HOTLINE, ticket_no)
    history = store.history(HOTLINE, ticket_no)
    if record is None and history.num_rows == 0:
        return None
    spec = HOTLINE_SPEC
    versions: list[VersionChange] = []
    prev: dict | None = None
    for row in history.to_pylist():
        shown = mask_record(ctx, spec, row)
        changes = []
        for c in spec.columns:
            old = None if prev is None else prev.get(c.name)
            new = shown.get(c.name)
            if (prev is None and new is not None) or (prev is not None and old != new):
                changes.append(FieldChange(c.name, c.label, old, new))
        versions.append(VersionChange(row["_rev"], row["_op"], row["_at"], row["_by"], tuple(changes)))
        prev = shown
    current = mask_record(ctx, spec, record) if record is not None else mask_record(ctx, spec, history.to_pylist()[-1])
    grid_name = None
    if current.get("grid"):
        names = run(ctx, "SELECT name FROM grids WHERE code = $code", {"code": current["grid"]}).to_pylist()
        grid_name = names[0]["name"] if names else None
    flag = None
    deadline = current.get("deadline")
    if record is not None and current.get("status") in OPEN_STATUSES and deadline is not None:
        flag = (
            OVERDUE_FLAG
            if deadline < ctx.today
            else DUE_SOON_FLAG
            if deadline <= due_soon_until(ctx.today).day
            else None
        )
    fields = tuple(
        (
            c.label,
            (
                f"{grid_name}（{current['grid']}）"
                if c.name == "grid" and grid_name
                else format_value(current.get(c.name))
            ),
        )
        for c in spec.columns
    )
    return TicketDetail(
        current,
        fields,
        grid_name,
        flag,
        mask_table(ctx, spec, history),
        tuple(versions),
        calendar_note(deadline) if deadline is not None else None,
    )


# -- numbers for the report and the review ------------------------------------------------------------
def year_counts(ctx: Context, year: int) -> tuple[int, int]:
    """(工单, 电话单) received in the year, for the town (the grid is not applied)."""
    f = figures_only(ctx.replace(grid=None), Period.year(year))
    return f.work_orders, f.phone_orders


__all__ = [
    "CALLBACKS",
    "DEFAULT_RANK_WEIGHTS",
    "FieldChange",
    "FigureRow",
    "FiguresComparison",
    "HotlineFigures",
    "HotlineSettings",
    "OpenPage",
    "QuarterRank",
    "Rate",
    "TicketDetail",
    "TownScore",
    "VersionChange",
    "category_breakdown",
    "composite_score",
    "computed_ranking",
    "figures",
    "figures_only",
    "grid_breakdown",
    "mask_name",
    "mask_phone",
    "mask_record",
    "mask_table",
    "may_see_pii",
    "monthly_trend",
    "open_tickets",
    "previous_period",
    "published_ranks",
    "quarter_ranks",
    "quarters_of",
    "rank_towns",
    "settings_of",
    "ticket_detail",
    "tickets_per_grid",
    "trend_period",
    "where",
    "year_counts",
]
