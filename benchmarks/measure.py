"""The measured work. Each group runs in a process of its own, so that its peak memory is its own:

    python -m benchmarks.measure GROUP --store DIR --out result.json [options]

Groups:

- ``paired``: each hotline panel query through fazhi-tui (the plugin's ``queries`` on a store
  opened as the dashboard opens it) and the floor, timed alternately in one process. The floor is
  raw DuckDB running exactly the SQL the query sent (recorded, with its parameters), with the
  table names replaced by ``read_parquet`` over the compacted ``current`` files (the delta
  ignored), in a bare connection. Also records each figure's result, for ``pandas`` to be
  checked against.
- ``dashboard``: the dashboard's own process: scrolling the largest list, every registered panel's
  refresh on a period or grid change, and the peak memory of it all.
- ``pandas``: the same figures in pandas, from the same files (current-state included: the newest
  version of each record across the compacted files and the log).
- ``store``: the store's current-state view against a plain scan of the compacted files, same
  aggregate, same connection, alternately.
- ``import``: ``plan_import`` + ``run_import`` of a CSV, as ``fazhi-tui import`` does.
- ``gridmap``: the grid map's rasteriser (a slot until ``fazhi_grid.geometry`` exists).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from . import common
from .common import peak_rss_mb, summary, timed, write_json
from .scale_store import TODAY, YEAR

PANEL_QUERIES = ("overview", "figures", "monthly_trend", "category_breakdown", "grid_breakdown", "quarter_ranks")
LISTS = ("open_tickets_town", "open_tickets_county")


# -- dashboard -------------------------------------------------------------------------------------
def panel_work(store) -> dict[str, Any]:
    """The hotline panel's queries for 赵庄镇, 2025, the whole town; and the open list of every
    township (``scope = "all"``), the largest list."""
    from fazhi_hotline import queries as Q
    from fazhi_hotline.open_list import OPEN_CACHE
    from fazhi_hotline.ranking import RANKING_CACHE

    ctx = common.make_context(store)
    county = ctx.replace(settings={"scope": "all"})
    return {
        "figures": lambda: Q.figures(ctx),
        "monthly_trend": lambda: Q.monthly_trend(ctx),
        "category_breakdown": lambda: Q.category_breakdown(ctx),
        "grid_breakdown": lambda: Q.grid_breakdown(ctx),
        # What the panel sends: the four below in one query.
        "overview": lambda: Q.overview(ctx),
        # The plugin keeps computed rankings while the files are unchanged; measured without
        # that, so the row compares a query with a query.
        "quarter_ranks": lambda: (RANKING_CACHE.clear(), Q.quarter_ranks(ctx))[1],
        # The plugin keeps each state's open tickets in memory (a grid change, a period change or
        # the next page is answered from there); opening the list is measured as the first read.
        "open_tickets_town": lambda: (OPEN_CACHE.clear(), Q.open_tickets(ctx))[1],
        "open_tickets_county": lambda: (OPEN_CACHE.clear(), Q.open_tickets(county))[1],
    }


def capture(store, work: dict[str, Any]) -> tuple[dict, dict]:
    """Run each measurement once, recording the SQL it sends to the store (with parameters) and
    its result in plain form. Not timed."""
    captured, canonical = {}, {}
    original = store.query
    for name, fn in work.items():
        log: list[tuple[str, Any]] = []

        def recording(sql, params=None, _log=log):
            _log.append((sql, params))
            return original(sql, params)

        store.query = recording
        try:
            result = fn()
        finally:
            store.query = original
        captured[name] = log
        canonical[name] = common.canonical(name, result)
    return captured, canonical


def paired(a, b, runs: int) -> tuple[list[float], list[float]]:
    """Time ``a`` and ``b`` alternately (ABBA…), after one warm-up each, so that a change in the
    machine's load during the run falls on both alike."""
    a(), b()
    ta, tb = [], []
    for i in range(runs):
        for fn, out in ((a, ta), (b, tb)) if i % 2 == 0 else ((b, tb), (a, ta)):
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
    return ta, tb


def group_paired(args) -> dict:
    """Each panel query through fazhi-tui and the same SQL on the raw files (the floor), timed
    alternately in one process: the ratio is what the 1.3x target is about, and alternating keeps
    it honest on a machine that others share. The floor is a second, bare DuckDB connection."""
    rt = common.open_dashboard_store(args.store, role=args.role)
    store = rt.store
    work = panel_work(store)
    captured, canonical = capture(store, work)
    current = {t: [str(p) for p in store.files(t).current_files] for t in ("hotline", "grids", "hotline_ranks")}
    con, sources = floor_connection(current)
    out: dict[str, Any] = {"results": {}, "canonical": canonical, "sql": {}}
    for name, fn in work.items():
        rewritten = [(floor_sql(sql, sources), params) for sql, params in captured[name]]
        out["sql"][name] = [sql for sql, _ in rewritten]

        def floor(rewritten=rewritten):
            for sql, params in rewritten:
                con.sql(sql, params=params).to_arrow_table()

        tf, tr = paired(fn, floor, args.runs)
        out["results"][name] = {"fazhi": summary(tf), "floor": summary(tr)}
    out["results"]["review_queue"] = review_paired(rt, con, sources, args.runs)
    hot = store.files("hotline")
    grids = store.files("grids")
    from fazhi_hotline.queries import due_soon_until

    out["pandas_files"] = {
        "current": [str(p) for p in hot.current_files],
        "delta": [str(p) for p in hot.delta_files],
        "grids": [str(p) for p in grids.current_files + grids.delta_files],
        "soon": due_soon_until(TODAY).day.isoformat(),
    }
    out["rss_mb"] = {"peak": peak_rss_mb()}
    rt.close()
    return out


SQL_AGGREGATE = (
    "SELECT category1, count(*) AS n, count_if(status = '已办结') AS closed FROM hotline "
    "WHERE town = '{town}' AND year(received_at) = {year} GROUP BY category1 ORDER BY n DESC"
)


def group_sql(args) -> dict:
    """``fazhi-tui sql`` per role: an admin's SQL runs in the store's DuckDB, every other role's in
    a sealed one over pyarrow datasets (store/sql.py). Each against the same SQL on the raw files."""
    from fazhi_tui.store.sql import run_readonly

    sql = SQL_AGGREGATE.format(town=common.TOWN, year=YEAR)
    out: dict[str, Any] = {"results": {}, "sql": sql}
    for role in ("admin", "clerk", "viewer"):
        rt = common.open_dashboard_store(args.store, role=role)
        current = {"hotline": [str(p) for p in rt.store.files("hotline").current_files]}
        con, sources = floor_connection(current)
        floor = floor_sql(sql, sources)
        store = rt.store

        def fazhi(store=store):
            run_readonly(store, sql)

        tf, tr = paired(fazhi, lambda floor=floor, con=con: con.sql(floor).to_arrow_table(), args.runs)
        out["results"][role] = {"fazhi": summary(tf), "floor": summary(tr)}
        rt.close()
    return out


def group_dashboard(args) -> dict:
    """The dashboard's own process: the open list scrolled, every panel's refresh on a period or
    grid change, and the peak memory of doing all that."""
    from fazhi_hotline import queries as Q
    from fazhi_tui.runtime import review_checks

    rt = common.open_dashboard_store(args.store)
    store = rt.store
    checks = review_checks(rt.plugins, rt.config)  # what the shell hands the daily review
    ctx = common.make_context(store, review_checks=checks)
    county = ctx.replace(settings={"scope": "all"})
    grid = common.the_grid(store)
    out: dict[str, Any] = {"results": {}, "rss_mb": {}}
    for _name, fn in panel_work(store).items():  # what a session does first: every query once
        fn()
    out["rss_mb"]["after panel queries"] = peak_rss_mb()

    # Scrolling the largest list (every township's open tickets) by keyset pages, as a table
    # widget asks for the next page when the cursor nears the end of what it holds.
    first = Q.open_tickets(county)
    page_rows = first.limit
    wanted = min(args.scroll_rows, first.total or 0)
    per_page: list[float] = []
    totals: list[float] = []
    rows_seen = 0
    for _ in range(2 if args.runs > 1 else 1):
        page, seen, t_all = first, first.rows.num_rows, time.perf_counter()
        while seen < wanted and page.has_more:
            t = time.perf_counter()
            page = Q.open_tickets(county, offset=seen, after=page.next_after, counts=False)
            per_page.append(time.perf_counter() - t)
            seen += page.rows.num_rows
        totals.append(time.perf_counter() - t_all)
        rows_seen = seen
    per_page.sort()
    out["results"]["scroll"] = {
        **summary(totals),
        "rows": rows_seen,
        "page_rows": page_rows,
        "pages": len(per_page) // len(totals),
        "page_median": statistics.median(per_page) if per_page else None,
        "page_p95": per_page[max(0, -(-95 * len(per_page) // 100) - 1)] if per_page else None,
        "page_max": per_page[-1] if per_page else None,
        "list_total": first.total,
    }
    out["rss_mb"]["after scroll"] = peak_rss_mb()

    # Context changes, per panel: each run switches the period (2025 <-> 2024, the `[` key) or
    # the grid (全镇 <-> 镇区网格), so every run is a change to data not shown before it. Every
    # panel the dashboard registers, through its own ``load``.
    previous = common.make_context(store, year=YEAR - 1, review_checks=checks)
    with_grid = ctx.replace(grid=grid)
    # As the hotline panel does once its first screen is drawn: the town's open tickets kept.
    Q.keep_open_rows(ctx)
    out["panels"] = []
    for panel, plugin, load in common.dashboard_panels(rt):
        out["panels"].append(panel)
        for change, a, b in (("period", ctx, previous), ("grid", ctx, with_grid)):
            state = {"i": 0}

            def switch(load=load, a=a, b=b, state=state):
                state["i"] += 1
                return load(b if state["i"] % 2 else a)

            out["results"][f"panel_{panel}_{change}"] = {
                **summary(timed(switch, args.runs)),
                "plugin": plugin,
                "source": "its queries (no panel registered)" if load is common.hotline_queries else "Panel.load",
            }
    out["rss_mb"]["peak"] = peak_rss_mb()
    out["list_total_town"] = Q.open_tickets(ctx, limit=0).total
    rt.close()
    return out


def review_paired(rt, con, sources: dict[str, str], runs: int) -> dict:
    """The daily review's queue (fazhi_review: every plugin's checks, merged, with the marks),
    built afresh each time (its cache and the hotline's open-ticket cache off), against the
    checks' own SQL on the raw files: the review's work beyond the checks (marks, grid names,
    ordering) is in its time, not the floor's."""
    from fazhi_review.queue import build_queue
    from fazhi_tui.runtime import review_checks

    store = rt.store
    ctx = common.make_context(store).replace(review_checks=review_checks(rt.plugins, rt.config))
    captured, _ = capture(store, {"review": lambda: build_queue(ctx, cached=False)})
    known = [(floor_sql(sql, sources), params) for sql, params in captured["review"] if _TABLE_RE.search(sql)]
    known = [(sql, params) for sql, params in known if "review_marks" not in sql]
    # The scale store is a county's hotline: the other ledgers' checks (enforcement, training, the
    # work ledger) run on their empty tables in fazhi-tui's time, and have no files for the floor.
    absent = [t for t in store.specs if t not in sources and t != "review_marks"]
    known = [(sql, params) for sql, params in known if not any(re.search(rf"\b{t}\b", sql) for t in absent)]

    def floor() -> None:
        for sql, params in known:
            con.sql(sql, params=params).to_arrow_table()

    from fazhi_hotline.open_list import OPEN_CACHE

    def fresh_queue():
        # A morning's first look: the checks' caches (the hotline's open tickets) start empty too.
        OPEN_CACHE.clear()
        return build_queue(ctx, cached=False)

    queue = fresh_queue()
    tf, tr = paired(fresh_queue, floor, runs)
    return {
        "fazhi": summary(tf),
        "floor": summary(tr),
        "checks": queue.checks,
        "items": len(queue.entries),
        "floor_sql": [sql for sql, _ in known],
    }


# -- the floor: raw DuckDB on the same files ------------------------------------------------------
_TABLE_RE = re.compile(r"\b(FROM|JOIN)\s+(\"?)(hotline_ranks|hotline|grids)\2(?![\w])", re.IGNORECASE)


def floor_sql(sql: str, sources: dict[str, str]) -> str:
    return _TABLE_RE.sub(lambda m: f"{m.group(1)} {sources[m.group(3).lower()]}", sql)


def floor_connection(current: dict[str, list[str]]):
    """A bare in-memory DuckDB with the program's two settings (threads, Parquet metadata cache),
    and each table as ``read_parquet`` over its compacted files."""
    import os

    import duckdb

    from fazhi_hotline.tables import RANKS_SPEC

    con = duckdb.connect(":memory:", config={"threads": max(1, os.cpu_count() or 1)})
    con.execute("SET parquet_metadata_cache = true")
    sources = {}
    for table, files in current.items():
        if files:
            sources[table] = "read_parquet([" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "])"
        else:  # a table with no files yet (hotline_ranks): an empty table of its schema
            empty = RANKS_SPEC.schema.empty_table() if table == "hotline_ranks" else None
            con.register(f"__empty_{table}", empty)
            sources[table] = f"__empty_{table}"
    return con, sources


# -- the store: current state against a plain scan --------------------------------------------------
CURRENT_VS_SCAN = {
    "year": (
        "SELECT town, count(*) AS n, count(*) FILTER (WHERE status = '已办结') AS closed, "
        "count(*) FILTER (WHERE callback = '不满意') AS unsatisfied FROM {t} "
        "WHERE received_at >= $a AND received_at < $b GROUP BY town"
    ),
    "all": (
        "SELECT town, count(*) AS n, count(*) FILTER (WHERE status = '已办结') AS closed, "
        "count(*) FILTER (WHERE callback = '不满意') AS unsatisfied FROM {t} GROUP BY town"
    ),
}


def group_store(args) -> dict:
    import datetime as dt

    rt = common.open_dashboard_store(args.store)
    store = rt.store
    files = [str(p) for p in store.files("hotline").current_files]
    scan = "read_parquet([" + ", ".join("'" + f + "'" for f in files) + "])"
    cur = store.cursor()
    out: dict[str, Any] = {"results": {}, "explain": {}}
    for name, sql in CURRENT_VS_SCAN.items():
        params = {"a": dt.datetime(YEAR, 1, 1), "b": dt.datetime(YEAR + 1, 1, 1)} if "$a" in sql else None
        view_sql, scan_sql = sql.format(t="hotline"), sql.format(t=scan)
        view, plain = paired(
            lambda view_sql=view_sql, params=params: store.query(view_sql, params),
            lambda scan_sql=scan_sql, params=params: cur.sql(scan_sql, params=params).to_arrow_table(),
            args.runs,
        )
        out["results"][name] = {"view": summary(view), "scan": summary(plain)}
    out["rss_mb"] = {"peak": peak_rss_mb()}
    rt.close()
    return out


# -- import ----------------------------------------------------------------------------------------
def group_import(args) -> dict:
    t0 = time.perf_counter()
    from fazhi_tui.transfer.importer import plan_import, run_import

    rt = common.open_dashboard_store(args.store)
    rt.store.auto_fold = False  # as `fazhi-tui import` does: the fold runs in a process of its own
    # and its write memory and allocator, as the command sets them (cli._bounded_writer)
    from fazhi_tui.store.limits import use_returning_allocator

    use_returning_allocator()
    rt.store.limit_memory(rt.config.limits.write_memory)
    t1 = time.perf_counter()
    plan = plan_import(rt.store, "hotline", args.csv)
    t2 = time.perf_counter()
    result = run_import(rt.store, plan)
    t3 = time.perf_counter()
    rt.close()
    return {
        "rows": result.rows,
        "open_s": t1 - t0,
        "plan_s": t2 - t1,
        "write_s": t3 - t2,
        "import_s": t3 - t1,
        "rss_mb": {"peak": peak_rss_mb()},
    }


# -- pandas ------------------------------------------------------------------------------------------
def group_pandas(args) -> dict:
    try:
        import pandas  # noqa: F401
    except ImportError:
        return {
            "missing": "pandas is not installed (pip install pandas: the bench extra)",
            "rss_mb": {"peak": peak_rss_mb()},
        }
    from . import pandas_figures as P

    paired_result = json.loads(Path(args.paired).read_text("utf-8"))
    files = P.Files(**paired_result["pandas_files"])
    expected = paired_result["canonical"]
    out: dict[str, Any] = {"results": {}, "compute_only": {}, "agrees": {}, "differences": {}}
    runs = max(1, args.runs // 2 + 1)  # pandas is slow; fewer runs
    for name, fn in P.FIGURES.items():
        result = fn(files)
        got = P.canonical(name, result)
        ok, diff = P.compare(got, expected[name])
        out["agrees"][name] = ok
        if not ok:
            out["differences"][name] = diff
        out["results"][name] = summary(timed(lambda fn=fn: fn(files), runs))
    # An analyst in a notebook: load once, then compute each figure from memory.
    t = time.perf_counter()
    frames = P.load_frames(files)
    out["load_s"] = time.perf_counter() - t
    for name, fn in P.in_memory(files).items():
        out["compute_only"][name] = summary(timed(lambda fn=fn: fn(frames), runs))
    out["rss_mb"] = {"peak": peak_rss_mb()}
    return out


# -- the grid map (a slot: measured once plugins/fazhi_grid/geometry.py has its rasteriser) ---------
def group_gridmap(args) -> dict:
    import importlib

    try:
        geometry = importlib.import_module("fazhi_grid.geometry")
    except ImportError as exc:
        return {"built": False, "why": f"fazhi_grid.geometry: {exc}"}
    rasterise = getattr(geometry, "rasterise", None) or getattr(geometry, "rasterize", None)
    parse = getattr(geometry, "parse_boundary", None)
    if rasterise is None or parse is None:
        return {"built": False, "why": "fazhi_grid.geometry has no rasterise/parse_boundary"}
    rt = common.open_dashboard_store(args.store)
    boundaries = rt.store.query("SELECT code, boundary FROM grids ORDER BY code").column("boundary").to_pylist()
    rt.close()
    t = time.perf_counter()
    shapes = [parse(b) for b in boundaries]
    parse_s = time.perf_counter() - t
    raster = rasterise(shapes, 200, 60)
    times = timed(lambda: rasterise(shapes, 200, 60), max(10, args.runs * 4))
    return {
        "built": True,
        "grids": len(shapes),
        "cells": "200x60",
        "parse_s": parse_s,
        "overlaps": getattr(raster, "overlaps", None),
        "result": summary(times),
        "rss_mb": {"peak": peak_rss_mb()},
    }


# -- the report preview panel's first screen (plugins/fazhi_report: what its ``load`` does) ---------
def group_report_preview(args) -> dict:
    import importlib

    try:
        preview = importlib.import_module("fazhi_report.preview")
    except ImportError as exc:
        return {"built": False, "why": f"fazhi_report.preview: {exc}"}
    rt = common.open_dashboard_store(args.store)
    ctx = common.make_context(rt.store)
    # The first opening: a new figure book each time, as the panel's load makes one.
    first = time.perf_counter()
    shown = preview.build_preview(ctx, rt.plugins, rt.config)
    first_s = time.perf_counter() - first
    times = timed(lambda: preview.build_preview(ctx, rt.plugins, rt.config), max(1, args.runs))
    out = {
        "built": True,
        "first_s": first_s,
        "figures": len(shown.spots),
        "gaps": len(shown.gaps),
        "result": summary(times),
        "rss_mb": {"peak": peak_rss_mb()},
    }
    rt.close()
    return out


GROUPS = {
    "gridmap": group_gridmap,
    "report_preview": group_report_preview,
    "dashboard": group_dashboard,
    "paired": group_paired,
    "store": group_store,
    "import": group_import,
    "pandas": group_pandas,
    "sql": group_sql,
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("group", choices=sorted(GROUPS))
    p.add_argument("--store")
    p.add_argument("--out", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--scroll-rows", type=int, default=10_000)
    p.add_argument("--paired", help="the paired group's JSON (pandas reads its file lists and results)")
    p.add_argument("--csv")
    p.add_argument(
        "--role", default="", help="open the store with this role (admin, clerk, viewer) instead of the OS's"
    )
    args = p.parse_args(argv)
    result = GROUPS[args.group](args)
    write_json(Path(args.out), result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
