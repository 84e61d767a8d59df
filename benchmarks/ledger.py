"""The work ledger's benchmark rows (issue 18): its panel's figures at 1M work items against the
same SQL on the raw Parquet files (the floor, ≤ 1.3×), a period change (≤ 150 ms) and the peak
memory of the process (≤ 500 MB).

    python -m benchmarks.ledger --size smoke|1m [--runs N] [--json]

Builds (once, cached in ``benchmarks/.stores/ledger-<size>``) a store of that many work items over
five years, 23 grids and every default category, written through the store and compacted, then
times the panel's query (``fazhi_ledger.figures.summary``) for 2025 and, warm, for 2024.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa

SIZES = {"smoke": 5_000, "100k": 100_000, "1m": 1_000_000}
STORES = Path(__file__).resolve().parent / ".stores"
TODAY = dt.date(2026, 11, 26)
FLOOR_RATIO = 1.3
CONTEXT_CHANGE_S = 0.150
PEAK_MB = 500
BATCH = 200_000


def build(root: Path, n: int):
    from fazhi_tui.config import Config
    from fazhi_tui.plugins import PluginHost
    from fazhi_tui.runtime import table_specs
    from fazhi_tui.store import Store
    from fazhi_tui.store.compact import compact

    host = PluginHost.load(only=["fazhi_ledger"])
    specs = table_specs(host, Config())
    if (root / "done").is_file():
        return Store.open(root, specs, user="bench")
    store = Store.open(root, specs, create=True, user="bench")
    from fazhi_ledger.categories import current

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
                    "status": [("已销号" if c == "整改问题" and i % 2 else "进行中") for i, c in enumerate(cat)],
                    "done_date": pa.array(
                        [
                            (d + dt.timedelta(days=20)) if c == "整改问题" and i % 2 else None
                            for i, (d, c) in enumerate(zip(days, cat, strict=True))
                        ],
                        pa.date32(),
                    ),
                }
            ),
        )
    compact(store, ["work_items"])
    (root / "done").write_text("ok")
    return store


def timed(fn, runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure(size: str, runs: int = 5, root: Path | None = None) -> list[dict]:
    from fazhi_ledger.categories import current
    from fazhi_ledger.figures import summary, summary_query
    from fazhi_tui.api import Context, Period

    root = root or STORES / f"ledger-{size}"
    store = build(root, SIZES[size])
    ctx = Context(store=store, period=Period.year(2025), today=TODAY)
    tf = store.files("work_items")
    # The raw files holding the current rows: the folded base and any newer delta (no record has
    # two versions here, so a plain scan of both is the floor).
    files = [str(p) for p in [*tf.current_files, *tf.delta_files]]
    sql, params = summary_query(ctx, current())
    raw = duckdb.connect()
    floor_sql = sql.replace(" FROM work_items ", " FROM read_parquet($files) ", 1)
    used = {k: v for k, v in params.items() if f"${k}" in floor_sql} | {"files": files}

    def floor() -> None:
        raw.execute(floor_sql, used).fetchall()

    fazhi = timed(lambda: summary(ctx), runs)
    floor_s = timed(floor, runs)
    other = ctx.replace(period=Period.year(2024))
    summary(other)  # both years warm, as after a first visit
    years = itertools.cycle((2024, 2025))
    change = timed(lambda: summary(ctx.replace(period=Period.year(next(years)))), runs)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = store.query("SELECT count(*) FROM work_items").column(0)[0].as_py()
    store.close()
    return [
        {
            "name": f"ledger panel: figures ({rows:,} work items)",
            "value": fazhi,
            "floor": floor_s,
            "ratio": fazhi / floor_s if floor_s else None,
            "target": f"≤ {FLOOR_RATIO}x floor",
            "ok": floor_s > 0 and fazhi / floor_s <= FLOOR_RATIO,
        },
        {
            "name": "ledger panel: period change",
            "value": change,
            "target": f"≤ {CONTEXT_CHANGE_S * 1000:.0f} ms",
            "ok": change <= CONTEXT_CHANGE_S,
        },
        {
            "name": "peak memory: ledger process",
            "value": peak_mb,
            "unit": "MB",
            "target": f"≤ {PEAK_MB} MB",
            "ok": peak_mb <= PEAK_MB,
        },
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", choices=SIZES, default="smoke")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    rows = measure(args.size, args.runs)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    else:
        for r in rows:
            unit = r.get("unit", "s")
            value = f"{r['value']:.0f} MB" if unit == "MB" else f"{r['value'] * 1000:.1f} ms"
            extra = f"  floor {r['floor'] * 1000:.1f} ms ({r['ratio']:.2f}x)" if "floor" in r else ""
            print(f"{'PASS' if r['ok'] else 'MISS'}  {r['name']}: {value}{extra}  [{r['target']}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
