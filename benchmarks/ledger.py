"""The work ledger at scale (issue 18): a store of ``n`` work items (1M at size ``1m``) over five
years, 23 grids and every default category, written through the store and compacted, then measured
in a process of its own:

    python -m benchmarks.ledger --size smoke|100k|1m [--stores DIR] [--runs N] [--out result.json]

- the panel's figures on a first visit (``fazhi_ledger.figures.summary``: this period, the
  previous one and the year to date, its groups read afresh) against the same SQL on the raw
  compacted files in a bare DuckDB (the floor), timed alternately (≤ 1.3×);
- the panel's whole ``load`` on a period change (2025 → 2024 and back, after both were shown
  once, as in the dashboard: the groups and the open list are kept per state of the table; ≤ 150 ms);
- opening the 整改问题 list (its first page with the counts of all open items, read afresh);
- the measuring process's peak memory (≤ 500 MB).

``benchmarks.run`` runs this as one of its measurements (``bench_ledger``: rows in the suite's
table); the test suite runs it at ``smoke`` size so it cannot rot. Values come from a seeded
generator: the same size gives the same store.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow as pa

from .common import measure_in_process, peak_rss_mb, summary, write_json
from .scale_store import STORES, TODAY, USER

GENERATOR_VERSION = 2  # 2: 整改问题 have a 期限, so the list has overdue items
SIZES = {"smoke": 5_000, "100k": 100_000, "1m": 1_000_000}
RUNS = {"smoke": 2, "100k": 5, "1m": 5}
YEAR = 2025
BATCH = 200_000


def store_dir(size: str, stores: Path) -> Path:
    return Path(stores) / f"ledger-{size}"


def _specs():
    from fazhi_tui.config import Config
    from fazhi_tui.plugins import PluginHost
    from fazhi_tui.runtime import table_specs

    return table_specs(PluginHost.load(only=["fazhi_ledger"]), Config())


def build(size: str, stores: Path = STORES) -> Path:
    """The store of ``SIZES[size]`` work items (built once; rebuilt when the generator changed)."""
    from fazhi_ledger.categories import current
    from fazhi_tui.store import Store
    from fazhi_tui.store.compact import compact

    root = store_dir(size, stores)
    done = root / "done"
    if done.is_file() and done.read_text("utf-8").strip() == f"v{GENERATOR_VERSION}":
        return root
    if root.exists():
        import shutil

        shutil.rmtree(root)
    n = SIZES[size]
    store = Store.open(root, _specs(), create=True, user=USER)
    grids = [f"4104211082{i:02d}01" for i in range(1, 24)]
    store.append(
        "grids", [{"code": g, "name": f"网格{i}", "kind": "综合", "village": f"村{i}"} for i, g in enumerate(grids)]
    )
    cats = current().names
    rng = random.Random(18)
    first = dt.date(2022, 1, 1)
    span = (TODAY - first).days
    for start in range(0, n, BATCH):
        k = min(BATCH, n - start)
        days = [first + dt.timedelta(days=rng.randrange(span)) for _ in range(k)]
        cat = [rng.choice(cats) for _ in range(k)]
        rectify = [c == "整改问题" for c in cat]
        closed = [r and i % 2 == 1 for i, r in enumerate(rectify)]
        store.append(
            "work_items",
            pa.table(
                {
                    "item_no": [f"B{start + i:08d}" for i in range(k)],
                    "date": pa.array(days, pa.date32()),
                    "category": cat,
                    "title": [("工作制度：值班" if c == "制度建设" and i % 2 else "事项") for i, c in enumerate(cat)],
                    "quantity": pa.array([rng.randint(1, 9) for _ in range(k)], pa.int32()),
                    "grid": [rng.choice(grids) if i % 3 else None for i in range(k)],
                    "level": [("省级" if c in ("荣誉", "示范村") else None) for c in cat],
                    "due": pa.array(
                        [d + dt.timedelta(days=30) if r else None for d, r in zip(days, rectify, strict=True)],
                        pa.date32(),
                    ),
                    "status": [("已销号" if c else "进行中") for c in closed],
                    "done_date": pa.array(
                        [d + dt.timedelta(days=20) if c else None for d, c in zip(days, closed, strict=True)],
                        pa.date32(),
                    ),
                }
            ),
        )
    compact(store, ["work_items"])
    store.close()
    done.write_text(f"v{GENERATOR_VERSION}", "utf-8")
    return root


def _paired(a, b, runs: int) -> tuple[list[float], list[float]]:
    """``a`` and ``b`` alternately (ABBA…) after a warm-up each: a change in the machine's load
    during the run falls on both alike."""
    a(), b()
    ta, tb = [], []
    for i in range(runs):
        for fn, out in ((a, ta), (b, tb)) if i % 2 == 0 else ((b, tb), (a, ta)):
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
    return ta, tb


def _timed(fn, runs: int) -> list[float]:
    fn()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def measure(root: Path, runs: int) -> dict[str, Any]:
    os.environ["FAZHI_TODAY"] = TODAY.isoformat()
    import duckdb

    from fazhi_ledger import lists
    from fazhi_ledger.categories import current
    from fazhi_ledger.figures import summary as ledger_summary
    from fazhi_ledger.figures import summary_query
    from fazhi_ledger.panel import LedgerPanel
    from fazhi_tui.api import Context, Period
    from fazhi_tui.store import Store

    store = Store.open(root, _specs(), user=USER)
    ctx = Context(store=store, period=Period.year(YEAR), today=TODAY)
    out: dict[str, Any] = {"results": {}}

    # The figures against the floor: the panel's SQL on read_parquet of the same files (the folded
    # base and any newer delta; no record has two versions here, so a plain scan is the floor).
    tf = store.files("work_items")
    files = [str(p) for p in [*tf.current_files, *tf.delta_files]]
    sql, params = summary_query(ctx, current())
    floor_sql = sql.replace(" FROM work_items ", " FROM read_parquet($files) ", 1)
    used = {k: v for k, v in params.items() if f"${k}" in floor_sql} | {"files": files}
    con = duckdb.connect(":memory:", config={"threads": max(1, os.cpu_count() or 1)})
    con.execute("SET parquet_metadata_cache = true")
    out["floor_sql"] = [floor_sql]

    def floor() -> None:
        con.sql(floor_sql, params=used).to_arrow_table()

    # A first visit: the groups the figures are summed from read afresh each time (not the ones
    # kept per state of the table), against the same SQL on the files.
    a, b = _paired(lambda: ledger_summary(ctx, cached=False), floor, runs)
    out["results"]["figures"] = {"fazhi": summary(a), "floor": summary(b)}

    # The panel's whole load (figures, the open 整改问题, the form's choices) on a period change,
    # after the panel has shown both years once (what it keeps per state of the table is used, as
    # in the dashboard).
    load = LedgerPanel().load
    other = ctx.replace(period=Period.year(YEAR - 1))
    load(ctx), load(other)
    state = {"at": ctx}

    def switch() -> None:
        state["at"] = other if state["at"] is ctx else ctx
        load(state["at"])

    out["results"]["panel_period"] = summary(_timed(switch, runs))
    out["results"]["list_rectify"] = summary(_timed(lambda: lists.open_items(ctx, cached=False), runs))
    first = lists.open_items(ctx)
    out["open_items"] = {"total": first.total, "overdue": first.overdue, "page": first.rows.num_rows}
    out["rows"] = {"work_items": store.count("work_items")}
    out["peak_rss_mb"] = peak_rss_mb()
    store.close()
    return out


def run(size: str, stores: Path = STORES, runs: int | None = None) -> dict[str, Any]:
    """Build (or reuse) the store, then measure it in a fresh process; returns the results."""
    root = build(size, stores)
    return measure_in_process(
        "benchmarks.ledger", root, runs or RUNS[size], Path(stores) / f"ledger-{size}-result.json"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.ledger", description=__doc__.split("\n\n")[0])
    p.add_argument("--size", choices=sorted(SIZES), default="smoke")
    p.add_argument("--stores", default=str(STORES))
    p.add_argument("--runs", type=int, default=0)
    p.add_argument("--out")
    p.add_argument("--measure", help=argparse.SUPPRESS)  # the measuring process: a built store's path
    args = p.parse_args(argv)
    if args.measure:
        write_json(Path(args.out), measure(Path(args.measure), args.runs or 2))
        return 0
    res = run(args.size, Path(args.stores), args.runs or None)
    r = res["results"]
    fz, fl = r["figures"]["fazhi"]["median"], r["figures"]["floor"]["median"]
    print(f"ledger {args.size}: {res['rows']}, open 整改问题 {res['open_items']}")
    print(f"  figures {fz * 1000:.1f} ms, floor {fl * 1000:.1f} ms, ratio {fz / fl:.2f}x (target ≤ 1.3x)")
    print(f"  panel_period {r['panel_period']['median'] * 1000:.1f} ms (target ≤ 150 ms)")
    print(f"  list_rectify {r['list_rectify']['median'] * 1000:.1f} ms (target ≤ 300 ms)")
    print(f"  peak memory {res['peak_rss_mb']:.0f} MB (target ≤ 500 MB)")
    if args.out:
        write_json(Path(args.out), res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
