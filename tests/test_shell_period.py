"""Periods, the filter they make, and the period the dashboard opens on."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from fazhi_tui.context import Context, Grid
from fazhi_tui.period import Period, opening_period, parse_date
from fazhi_tui.store import Column, Store, TableSpec

D = dt.date
TODAY = D(2026, 11, 26)


def test_kinds_and_labels():
    assert (Period.year(2026).start, Period.year(2026).end) == (D(2026, 1, 1), D(2027, 1, 1))
    assert Period.year(2026).label == "2026年"
    assert Period.quarter(2026, 4).label == "2026年第四季度"
    assert Period.quarter(2026, 4).last == D(2026, 12, 31)
    assert Period.month(2024, 2).last == D(2024, 2, 29)
    assert Period.month(2026, 11).label == "2026年11月"
    r = Period.between(D(2026, 3, 1), D(2026, 5, 31))
    assert (r.label, r.days, r.contains(D(2026, 5, 31)), r.contains(D(2026, 6, 1))) == (
        "2026-03-01至2026-05-31",
        92,
        True,
        False,
    )
    with pytest.raises(ValueError, match="早于"):
        Period.between(D(2026, 3, 2), D(2026, 3, 1))
    with pytest.raises(ValueError, match="季度"):
        Period.quarter(2026, 5)


def test_step_keeps_kind_and_crosses_years():
    assert Period.year(2026).step(-1) == Period.year(2025)
    assert Period.quarter(2026, 1).step(-1) == Period.quarter(2025, 4)
    assert Period.month(2026, 12).step(1) == Period.month(2027, 1)
    assert Period.month(2026, 1).step(-13) == Period.month(2024, 12)
    r = Period.between(D(2026, 3, 1), D(2026, 3, 10))
    assert r.step(1) == Period.between(D(2026, 3, 11), D(2026, 3, 20))
    assert Period.year(2999).step(1) == Period.year(2999)  # refused, not an overflow


def test_cycling_granularity_anchors_on_today_or_the_periods_start():
    assert Period.year(2026).cycled(TODAY) == Period.quarter(2026, 4)
    assert Period.quarter(2026, 4).cycled(TODAY) == Period.month(2026, 11)
    assert Period.month(2026, 11).cycled(TODAY) == Period.year(2026)
    assert Period.year(2024).cycled(TODAY) == Period.quarter(2024, 1)
    assert Period.between(D(2025, 3, 1), D(2025, 4, 1)).cycled(TODAY) == Period.year(2025)


@pytest.mark.parametrize("text", ["2026-03-01", "2026/3/1", "2026.3.1", "20260301", "2026年3月1日", " 2026-3-1 "])
def test_parse_date_accepts_what_staff_type(text):
    assert parse_date(text) == D(2026, 3, 1)


@pytest.mark.parametrize(("text", "message"), [("三月一日", "不是日期"), ("2026-02-30", "没有 2026年2月30日")])
def test_parse_date_says_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        parse_date(text)


EVENTS = TableSpec(
    name="events",
    label="事件",
    key="event_id",
    period_column="at",
    grid_column="grid",
    columns=(
        Column("event_id", pa.string(), "编号", required=True),
        Column("at", pa.timestamp("us", tz="UTC"), "时间"),
        Column("grid", pa.string(), "网格"),
    ),
)
UNDATED = TableSpec(name="undated", label="无日期", key="k", columns=(Column("k", pa.string(), "键"),))


@pytest.fixture
def events(tmp_path):
    store = Store.open(tmp_path / "s", [EVENTS, UNDATED], create=True)
    yield store
    store.close()


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day + "T12:00:00+00:00")


def test_where_filters_timestamps_by_day_and_grid_with_bound_parameters(events):
    events.append(
        "events",
        [
            {"event_id": "1", "at": at("2026-11-30"), "grid": "g1"},
            {"event_id": "2", "at": at("2026-12-01"), "grid": "g2"},
            {"event_id": "3", "at": at("2026-10-15"), "grid": "g1"},
        ],
    )
    ctx = Context(events, Period.month(2026, 11), TODAY)
    cond, params = ctx.where("events")
    # Bounds in the column's own type (local midnight for a timestamp), so the raw column is
    # compared and DuckDB can prune row groups.
    local = dt.datetime.now().astimezone().tzinfo
    assert "?" in cond and "2026" not in cond and "CAST" not in cond
    assert params == [dt.datetime(2026, 11, 1, tzinfo=local), dt.datetime(2026, 12, 1, tzinfo=local)]

    def count(c):
        return (
            c.query(f"SELECT count(*) FROM events WHERE {c.where('events')[0]}", c.where("events")[1])
            .column(0)[0]
            .as_py()
        )

    assert count(ctx) == 1
    assert count(ctx.replace(period=Period.quarter(2026, 4))) == 3
    assert count(ctx.replace(period=Period.quarter(2026, 4), grid=Grid("g1", "一"))) == 2
    assert ctx.where("undated") == ("TRUE", [])
    assert ctx.replace(grid=Grid("g1", "一")).where("events", alias="e")[0].count('"e".') == 3


def test_opening_period(events):
    assert opening_period(events, TODAY) == Period.year(2026)  # nothing anywhere
    events.append("events", [{"event_id": "1", "at": at("2024-03-01")}, {"event_id": "2", "at": at("2027-01-02")}])
    assert opening_period(events, TODAY) == Period.year(2024)  # 2027 is after this year
    events.append("events", [{"event_id": "3", "at": at("2026-01-02")}])
    assert opening_period(events, TODAY) == Period.year(2026)


def test_same_view_compares_what_a_panel_shows(events):
    ctx = Context(events, Period.year(2026), TODAY)
    assert ctx.same_view(ctx.replace(user="别人", settings={"x": 1}))
    assert not ctx.same_view(ctx.replace(grid=Grid("g", "g")))
    assert not ctx.same_view(None)
