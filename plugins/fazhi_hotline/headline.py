"""The headline figures — 受理量, 办结率, 按期办结率, 超期件数, 满意率, 回访率, 退单率, 重复来电 — and
their comparison with the previous period.

Separate because they are the hotline's definitions (the report, the review, the ranking and
the panel all read them); the breakdowns, the ranking and the lists only build on them.

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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fazhi_tui.api import Context, Period

from .conditions import aggregates, previous_period, received_from, received_in, scope_condition


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


_FIGURE_FIELDS = tuple(HotlineFigures.__dataclass_fields__)


def figures_of(row: Mapping[str, Any] | None) -> HotlineFigures:
    """``HotlineFigures`` from a row of ``aggregates`` (zeros for no row)."""
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
    span = Period(period.kind, prev.start, period.end) if prev is not None and prev.end == period.start else period
    cond, params = received_in(span)
    scope, scope_params = scope_condition(ctx)
    rows = ctx.query(
        f"SELECT received_at >= ? AS cur, {aggregates(ctx.today)} FROM hotline WHERE {cond} AND {scope} GROUP BY ALL",
        [received_from(period), *params, *scope_params],
    ).to_pylist()
    by = {r["cur"]: r for r in rows}
    previous = None
    if prev is not None:
        previous = figures_of(by.get(False)) if span is not period else figures_only(ctx, prev)
    return FiguresComparison(period, prev, figures_of(by.get(True)), previous)


def figures_only(ctx: Context, period: Period | None = None, *, town: str | None = None) -> HotlineFigures:
    """The figures of one period (no comparison); ``town`` picks another township of the store."""
    if town is not None:
        scope, scope_params = "town = ?", [town]
        if ctx.grid is not None:
            scope += " AND grid = ?"
            scope_params.append(ctx.grid.code)
    else:
        scope, scope_params = scope_condition(ctx)
    cond, params = received_in(period or ctx.period)
    rows = ctx.query(
        f"SELECT {aggregates(ctx.today)} FROM hotline WHERE {cond} AND {scope}", [*params, *scope_params]
    ).to_pylist()
    return figures_of(rows[0] if rows else None)


def year_counts(ctx: Context, year: int) -> tuple[int, int]:
    """(工单, 电话单) received in the year, for the town (the grid is not applied)."""
    f = figures_only(ctx.replace(grid=None), Period.year(year))
    return f.work_orders, f.phone_orders
