"""Finding out why a measurement misses: DuckDB's EXPLAIN ANALYZE and pyinstrument.

    python -m benchmarks.explain --size 10m --variant recent figures open_tickets_town …
    python -m benchmarks.explain --size 10m --variant recent --profile panel_hotline
    python -m benchmarks.explain --size 10m --profile import

For each named panel query: the SQL fazhi-tui sent (with its parameters), its EXPLAIN ANALYZE on
the store's views, and the same for the floor's SQL on the raw files. ``--profile`` runs a
measurement under pyinstrument (``pip install pyinstrument``) and prints where the time went:
``panel_<name>`` (that panel's refresh), ``import`` (the CSV import into a copy of the store),
``open_period`` (what the shell runs before the first panel loads), or a query name.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import common, measure, scale_store


def explain(con, sql: str, params) -> str:
    """EXPLAIN ANALYZE as a compact tree: operator, rows out, time, and for scans the row groups
    read of those there were, and the filters pushed into them."""
    import json

    plan = json.loads(con.sql("EXPLAIN (ANALYZE, FORMAT json) " + sql, params=params).fetchall()[0][1])
    lines = [
        f"total {plan.get('latency', 0) * 1000:.1f} ms, read {plan.get('io', {}).get('total_bytes_read', 0) / 2**20:.1f} MiB"
    ]

    def walk(node, depth):
        name = node.get("name", "?")
        extra = node.get("extra_info", {}) or {}
        bits = [f"{node.get('intermediate_rows', 0):,} rows", f"{node.get('timing', 0) * 1000:.1f} ms"]
        if "total_row_groups_to_scan" in node and node.get("total_row_groups_to_scan"):
            bits.append(f"row groups {node.get('row_groups_scanned')}/{node.get('total_row_groups_to_scan')}")
        for key in ("Filters", "Join Type", "Conditions", "Function", "Total Files Read"):
            if key in extra:
                val = extra[key]
                val = " ".join(val) if isinstance(val, list) else str(val)
                bits.append(f"{key}: {val[:140]}")
        if name not in ("RESULT_COLLECTOR", "EXPLAIN_ANALYZE"):
            lines.append("  " * depth + f"{name}  " + " | ".join(bits))
        for child in node.get("children", []):
            walk(child, depth + (0 if name in ("RESULT_COLLECTOR", "EXPLAIN_ANALYZE") else 1))

    for op in plan.get("operator", plan.get("children", [])):
        walk(op, 0)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.explain")
    p.add_argument("--size", default="10m")
    p.add_argument("--variant", default="recent")
    p.add_argument("--profile", help="panel_<name>, import, open_period, or a query name")
    p.add_argument("--no-floor", action="store_true")
    p.add_argument("queries", nargs="*")
    args = p.parse_args(argv)
    path = scale_store.store_dir(args.size, args.variant)
    if args.profile == "import":
        return profile_import(args)
    rt = common.open_dashboard_store(path)
    store = rt.store
    work = measure.panel_work(store)
    if args.profile:
        return profile(args, rt, work)
    names = args.queries or list(work)
    captured, _ = measure.capture(store, {n: work[n] for n in names})
    current = {t: [str(x) for x in store.files(t).current_files] for t in ("hotline", "grids", "hotline_ranks")}
    con, sources = measure.floor_connection(current)
    for name in names:
        for sql, params in captured[name]:
            print(f"==== {name} ====\n{sql}\n{params}\n---- fazhi-tui (store views) ----")
            print(explain(store.cursor(), sql, params))
            if not args.no_floor:
                print("---- floor (raw files) ----")
                print(explain(con, measure.floor_sql(sql, sources), params))
    return 0


def _profiler():
    try:
        from pyinstrument import Profiler
    except ImportError:
        sys.exit("pyinstrument is not installed: pip install pyinstrument")
    return Profiler(interval=0.0005)


def profile(args, rt, work) -> int:
    name = args.profile
    store = rt.store
    if name.startswith("panel_"):
        loads = {n: load for n, _plugin, load in common.dashboard_panels(rt)}
        ctx = common.make_context(store)
        fn = lambda: loads[name[6:]](ctx)  # noqa: E731
    elif name == "open_period":
        from fazhi_tui.period import opening_period

        fn = lambda: opening_period(store, scale_store.TODAY)  # noqa: E731
    else:
        fn = work[name]
    fn()
    prof = _profiler()
    t = time.perf_counter()
    with prof:
        fn()
    print(f"{name}: {time.perf_counter() - t:.3f} s")
    print(prof.output_text(unicode=True, color=False, show_all=False))
    return 0


def profile_import(args) -> int:
    from fazhi_tui.transfer.importer import plan_import, run_import

    csv = scale_store.ensure_import_csv(args.size)
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "store"
        subprocess.run(["cp", "-al", str(scale_store.store_dir(args.size, args.variant)), str(scratch)], check=True)
        rt = common.open_dashboard_store(scratch)
        prof = _profiler()
        t = time.perf_counter()
        with prof:
            plan = plan_import(rt.store, "hotline", csv)
            run_import(rt.store, plan)
        print(f"import: {time.perf_counter() - t:.3f} s, peak {common.peak_rss_mb():.0f} MB")
        print(prof.output_text(unicode=True, color=False, show_all=False))
        rt.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
