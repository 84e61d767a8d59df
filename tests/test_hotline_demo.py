"""The demo's hotline: the seed report's 2023 figures (104 工单, 96 电话单, every quarter in the top
two), and work for the daily review around today."""

from __future__ import annotations

import datetime as dt

import pytest

import fazhi_hotline as plugin
from fazhi_hotline import demo, queries, report, review
from fazhi_tui.api import Context, Grid, Period
from fazhi_tui.config import Config
from fazhi_tui.demo import build_demo
from fazhi_tui.demo_people import host_demo_rows
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store
from fazhi_tui.store.check import check_store

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    host = PluginHost.load(only=[], entry_points=False)  # the host's grids and people, then ours
    host.pm.register(plugin, name="fazhi_hotline")
    specs = table_specs(host, Config())
    path = tmp_path_factory.mktemp("hotline-demo") / "store"
    build_demo(path, host, specs, TODAY)
    store = Store.open(path, specs)
    yield store
    store.close()


def ctx_of(store, period=Period.year(2023), today=TODAY) -> Context:
    return Context(store=store, period=period, today=today, town="赵庄镇")


def test_2023_is_the_seed_reports(demo_store):
    ctx = ctx_of(demo_store)
    f = queries.figures_only(ctx)
    assert (f.work_orders, f.phone_orders) == (104, 96)
    ranks = queries.quarter_ranks(ctx)
    assert [(r.quarter, r.source, r.towns) for r in ranks] == [
        (f"2023Q{q}", queries.PUBLISHED, 13) for q in (1, 2, 3, 4)
    ]
    assert {r.rank for r in ranks} <= {1, 2}
    assert report.report_paragraphs(ctx) == [
        "积极回应12345民呼必应，处理工单100余件、电话单90余件，每季度保持乡镇前两名。"
    ]


def test_other_years_are_plausible_and_not_all_top_two(demo_store):
    for year in (2022, 2024, 2025):
        ctx = ctx_of(demo_store, Period.year(year))
        ranks = [r.rank for r in queries.quarter_ranks(ctx)]
        assert len(ranks) == 4 and None not in ranks and max(ranks) > 2
        f = queries.figures_only(ctx)
        assert 60 <= f.work_orders <= 160 and 60 <= f.phone_orders <= 160
        assert "每季度保持" not in report.report_paragraphs(ctx)[0]
    # Ranks up to the last quarter that ended by today (2026Q3), thirteen townships each.
    quarters = demo_store.query(
        "SELECT quarter, count(*) AS n FROM hotline_ranks GROUP BY ALL ORDER BY quarter"
    ).to_pylist()
    assert quarters[0]["quarter"] == "2022Q1" and quarters[-1]["quarter"] == "2026Q3" and len(quarters) == 19
    assert {q["n"] for q in quarters} == {13}
    towns = demo_store.query("SELECT DISTINCT town FROM hotline_ranks").column(0).to_pylist()
    assert "赵庄镇" in towns and set(towns) - {"赵庄镇"} == set(demo.OTHER_TOWNS)


def test_the_review_has_work_around_today(demo_store):
    from fazhi_tui.access import VIEWER, Access
    from fazhi_tui.store import Store

    viewer = Store.open(demo_store.root, list(demo_store.specs.values()), access=Access("查看员", VIEWER))
    ctx = ctx_of(viewer, Period.year(2026))
    page = queries.open_tickets(ctx, 0, 20)
    assert page.overdue >= 2 and page.due_soon >= 2 and page.total >= page.overdue + page.due_soon
    flags = page.rows.column("flag").to_pylist()
    assert queries.OVERDUE_FLAG in flags and queries.DUE_SOON_FLAG in flags
    assert all("*" in name for name in page.rows.column("caller").to_pylist())  # masked for a viewer
    assert len(review.overdue(ctx)) >= 2
    assert len(review.due_soon(ctx)) >= 2
    assert len(review.unsatisfied(ctx)) >= 1
    # Every ticket received before today, in a real grid; the store checks clean.
    last = demo_store.query("SELECT max(received_at) AS m FROM hotline").column(0)[0].as_py()
    assert last < dt.datetime(2026, 11, 26)
    assert check_store(demo_store).ok


def test_demo_is_deterministic_and_2023_holds_for_any_later_today():
    grids = host_demo_rows(TODAY, 2023)["grids"]
    assert demo.demo_tickets(grids, TODAY, 2023) == demo.demo_tickets(grids, TODAY, 2023)
    # Early January: the review's tickets placed around today fall in December 2023, and 2023
    # still has exactly 104 and 96.
    for today in (dt.date(2024, 1, 3), dt.date(2024, 1, 15), dt.date(2025, 6, 30)):
        rows = demo.demo_tickets(grids, today, 2023)
        in_2023 = [r["source"] for r in rows if r["received_at"].year == 2023]
        assert (in_2023.count("工单"), in_2023.count("电话单")) == (104, 96)
        assert len({r["ticket_no"] for r in rows}) == len(rows)


@pytest.mark.parametrize(
    "period",
    [
        Period.year(2023),
        Period.quarter(2024, 1),
        Period.month(2023, 10),
        Period.month(2024, 1),
        Period("range", dt.date(2023, 3, 5), dt.date(2023, 9, 17)),
    ],
    ids=lambda p: p.label,
)
@pytest.mark.parametrize("grid_code", [None, "first"])
def test_the_overview_query_agrees_with_the_four_queries(demo_store, period, grid_code):
    """The panel's one query (``overview``) gives what the separate queries give."""
    ctx = ctx_of(demo_store, period)
    if grid_code:
        row = demo_store.query("SELECT code, name FROM grids ORDER BY code LIMIT 1").to_pylist()[0]
        ctx = ctx.replace(grid=Grid(row["code"], row["name"]))
    ov = queries.overview(ctx)
    assert ov.figures == queries.figures(ctx)
    assert ov.figures.current.received > 0 or grid_code  # one grid in one month may have none
    assert ov.trend.equals(queries.monthly_trend(ctx))
    assert ov.categories.equals(queries.category_breakdown(ctx))
    assert ov.grids.equals(queries.grid_breakdown(ctx)), (
        ov.grids.to_pylist()[:3],
        queries.grid_breakdown(ctx).to_pylist()[:3],
    )


@pytest.mark.parametrize("scope", ["town", "all"])
@pytest.mark.parametrize("grid_code", [None, "first"])
def test_the_open_list_from_memory_is_the_list_from_the_files(demo_store, scope, grid_code):
    """Pages and counts served from the kept open tickets equal the same read from the files
    (the SQL path, which ``in_period`` lists still take), page after page by keyset and offset."""
    from fazhi_hotline.open_list import OPEN_CACHE, _open_page_sql, due_soon_until

    ctx = ctx_of(demo_store).replace(settings={"scope": scope})
    if grid_code:
        row = demo_store.query(
            "SELECT grid FROM hotline WHERE status = '办理中' GROUP BY grid ORDER BY count(*) DESC LIMIT 1"
        ).to_pylist()[0]
        code = row["grid"]
        ctx = ctx.replace(grid=Grid(code, code))
    soon = due_soon_until(ctx.today)
    cols = list(queries.OPEN_COLUMNS)
    size = 1 if grid_code else 7  # a grid has a couple of open tickets: pages of one
    OPEN_CACHE.clear()
    from_files = queries.open_tickets(ctx, limit=size)  # nothing kept yet: the first page from the files
    assert OPEN_CACHE.peek(demo_store, ctx.town) is None
    assert queries.keep_open_rows(ctx) == (scope == "town")  # a town's list keeps its open tickets
    first = queries.open_tickets(ctx, limit=size)
    assert first.rows.equals(from_files.rows)
    assert (first.total, first.overdue, first.due_soon) == (from_files.total, from_files.overdue, from_files.due_soon)
    assert (
        first.total
        == demo_store.query(
            "SELECT count(*) FROM hotline WHERE status IN ('待签收', '办理中', '延期')"
            + (" AND (town = '赵庄镇' OR town IS NULL)" if scope == "town" else "")
            + (f" AND grid = '{ctx.grid.code}'" if ctx.grid else "")
        )
        .column(0)[0]
        .as_py()
        > size
    )
    assert (first.total, first.overdue, first.due_soon) == queries.open_counts(ctx)
    page, seen = first, 0
    while True:
        assert page.rows.equals(_open_page_sql(ctx, soon, size, seen, None, False).select(cols)), seen
        by_offset = queries.open_tickets(ctx, offset=seen, limit=size, counts=False)
        assert by_offset.rows.equals(page.rows)
        seen += page.rows.num_rows
        if not page.has_more:
            break
        page = queries.open_tickets(ctx, offset=seen, limit=size, after=page.next_after, counts=False)
    assert seen == first.total


def test_the_open_list_follows_a_write_at_once(tmp_path):
    """The kept open tickets belong to a state of the files: a write is seen by the next read."""
    host = PluginHost.load(only=[], entry_points=False)
    host.pm.register(plugin, name="fazhi_hotline")
    specs = table_specs(host, Config())
    store = Store.open(tmp_path / "s", specs, create=True)
    ctx = Context(store=store, period=Period.year(2025), today=dt.date(2025, 6, 2), town="赵庄镇")
    row = {
        "ticket_no": "GD1",
        "source": "工单",
        "received_at": dt.datetime(2025, 6, 1, 9),
        "appeal_type": "咨询",
        "status": "待签收",
        "town": "赵庄镇",
        "deadline": dt.date(2025, 6, 5),
    }
    store.append("hotline", [row])
    assert queries.open_tickets(ctx).total == 1
    assert queries.keep_open_rows(ctx) and queries.open_tickets(ctx).total == 1  # from the kept rows
    store.update("hotline", "GD1", {"status": "已办结", "closed_at": dt.datetime(2025, 6, 2, 10)}, expected_rev=1)
    assert queries.open_tickets(ctx).total == 0 and queries.open_counts(ctx) == (0, 0, 0)  # from the files
    assert queries.keep_open_rows(ctx) and queries.open_counts(ctx) == (0, 0, 0)  # kept again, for this state
    store.close()
