"""Benchmark rows for the training ledger (issue 17): 100k sessions and 2M attendance records
at the ``10m`` size (2,000 / 40,000 at ``smoke``, 10,000 / 200,000 at ``1m``).

    python -m benchmarks.training --size smoke|1m|10m [--runs N] [--out FILE.json] [--store DIR]

Rows, each beside its target:
- the panel's figures (sessions by 类型 with the previous year, the plan, every report figure):
  fazhi-tui against the same SQL on the raw Parquet files (the floor), ≤ 1.3×;
- person-hours for the year (cache emptied before each run) ≤ 300 ms;
- a period change (the panel's queries for the next quarter of the same year) ≤ 150 ms;
- peak memory of this process ≤ 500 MB.
The store is built once per size (plain Arrow batches through ``Store.append``, then compacted)
and cached beside the other scale stores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

import fazhi_tui.store  # noqa: F401  (before fazhi_tui.api: that import order avoids a cycle)

SIZES = {"smoke": (2_000, 20, 500), "1m": (10_000, 20, 2_000), "10m": (100_000, 20, 5_000)}
YEAR, TODAY, TOWN = 2025, dt.date(2025, 11, 26), "赵庄镇"
FIRST_YEAR = 2016
FLOOR_RATIO, HOURS_S, CHANGE_S, PEAK_MB = 1.3, 0.300, 0.150, 500
STORES = Path(__file__).resolve().parent / ".stores"
KINDS = ("中心组学习", "专题研讨", "法治培训", "学法考试", "普法宣讲", "法律服务活动", "普法宣传活动")
UNITS = ("赵庄镇人民政府", "中共赵庄镇委员会", "赵庄镇综治中心", "赵庄村村民委员会")


def _open(path: Path, create: bool = False):
    from fazhi_tui.config import Config
    from fazhi_tui.plugins import PluginHost
    from fazhi_tui.runtime import table_specs
    from fazhi_tui.store import Store

    host = PluginHost.load(only=["fazhi_training"])
    return Store.open(path, table_specs(host, Config()), create=create, user="bench")


def build(path: Path, sessions: int, per_session: int, people: int) -> Path:
    """A store of ``sessions`` sessions over 2016–2025 with ``per_session`` attendance each."""
    import pyarrow as pa

    from fazhi_tui.store.compact import compact

    if (path / ".built").is_file():
        return path
    path.mkdir(parents=True, exist_ok=True)
    rng = random.Random(17)
    store = _open(path, create=True)
    grids = [
        {"code": f"4104211082{i:02d}01", "name": f"{i}号网格", "kind": "综合", "village": f"{i}号村"} for i in range(23)
    ]
    store.append("grids", grids)
    roles = (["班子成员", "党委书记"], ["班子成员", "镇长"], ["班子成员"], ["网格指导员"], ["网格员"], ["执法队员"])
    store.append(
        "people",
        [
            {
                "person_id": f"P{i:05d}",
                "name": f"人员{i}",
                "roles": roles[min(i, 2 + i % 4)],
                "unit": UNITS[i % len(UNITS)],
                "grid": grids[i % 23]["code"],
                "start_date": dt.date(2015, 1, 1),
            }
            for i in range(people)
        ],
    )
    days = (dt.date(YEAR, 12, 31) - dt.date(FIRST_YEAR, 1, 1)).days
    chunk = 20_000
    for lo in range(0, sessions, chunk):
        n = min(chunk, sessions - lo)
        ids = [f"S{i:07d}" for i in range(lo, lo + n)]
        kinds = [KINDS[rng.randrange(len(KINDS))] for _ in range(n)]
        store.append(
            "trainings",
            pa.table(
                {
                    "training_id": ids,
                    "date": pa.array([dt.date(FIRST_YEAR, 1, 1) + dt.timedelta(days=rng.randrange(days)) for _ in ids]),
                    "kind": kinds,
                    "topic": [f"主题{i % 97}" for i in range(n)],
                    "leaders": [["P00000"] if k == "中心组学习" and rng.random() < 0.7 else None for k in kinds],
                    "venue_kind": [("学校", "企业", "村")[rng.randrange(3)] for _ in ids],
                    "grid": [grids[rng.randrange(23)]["code"] for _ in ids],
                    "hours": [2.0] * n,
                    "participants": [per_session] * n,
                }
            ),
        )
        persons, tids, statuses, scores = [], [], [], []
        for tid, kind in zip(ids, kinds, strict=True):
            for p in rng.sample(range(people), per_session):
                persons.append(f"P{p:05d}")
                tids.append(tid)
                statuses.append("出席" if rng.random() < 0.9 else "请假")
                scores.append(float(rng.randint(60, 100)) if kind == "学法考试" else None)
        store.append(
            "training_attendance",
            pa.table(
                {
                    "attendance_id": [f"{t}/{p}" for t, p in zip(tids, persons, strict=True)],
                    "training_id": tids,
                    "person": persons,
                    "status": statuses,
                    "score": pa.array(scores, pa.float64()),
                }
            ),
        )
    compact(store)
    store.close()
    (path / ".built").write_text("ok")
    return path


class _Recording:
    """The store, recording every query (SQL and parameters) for the floor."""

    def __init__(self, store):
        self._store, self.log = store, []

    def query(self, sql, params=None):
        self.log.append((sql, params))
        return self._store.query(sql, params)

    def __getattr__(self, name):
        return getattr(self._store, name)


def _floor_connection(store):
    import duckdb

    con = duckdb.connect()
    con.execute("SET parquet_metadata_cache = true")  # as the store has it: a fair floor
    for t in ("trainings", "training_attendance", "people", "grids"):
        files = [str(p) for p in store.files(t).current_files]
        con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet({files!r}, union_by_name = true)")
    return con


def _timed(fn, runs: int) -> float:
    fn()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(path: Path, runs: int) -> list[dict[str, Any]]:
    from fazhi_training import figures, hours, sessions
    from fazhi_tui.api import Context, Period

    store = _open(path)
    rec = _Recording(store)
    ctx = Context(store=rec, period=Period.year(YEAR), today=TODAY, user="bench", town=TOWN)  # type: ignore[arg-type]
    figs = figures.report_figures()

    def panel_figures(c=ctx):
        sessions.by_kind(c)
        sessions.plan(c, YEAR)
        for f in figs:
            f.compute(c)

    rec.log.clear()
    panel_figures()
    captured = list(rec.log)
    con = _floor_connection(store)

    def floor():
        for sql, params in captured:
            con.sql(sql, params=params).to_arrow_table()

    t_fig, t_floor = _timed(panel_figures, runs), _timed(floor, runs)

    def person_hours():
        hours._CACHE.clear()
        hours.person_hours(ctx, YEAR)

    t_hours = _timed(person_hours, runs)
    quarters = [ctx.replace(period=Period.quarter(YEAR, q)) for q in (1, 2)]
    state = {"i": 0}

    def change():
        state["i"] ^= 1
        c = quarters[state["i"]]
        sessions.by_kind(c)
        sessions.plan(c, YEAR)
        sessions.session_list(c)
        hours.person_hours(c, YEAR)

    t_change = _timed(change, runs)
    rows = store.count("trainings"), store.count("training_attendance")
    store.close()
    peak = _peak_mb()
    size = f"{rows[0]:,} sessions, {rows[1]:,} attendance"
    return [
        _row(
            f"training panel figures ({size})",
            t_fig,
            f"≤ {FLOOR_RATIO}x floor",
            t_fig / t_floor <= FLOOR_RATIO,
            t_floor,
        ),
        _row(f"training person-hours for the year ({size})", t_hours, "≤ 300 ms", t_hours <= HOURS_S),
        _row(f"training panel: period change ({size})", t_change, "≤ 150 ms", t_change <= CHANGE_S),
        _row(f"peak memory: training process ({size})", peak, "≤ 500 MB", peak <= PEAK_MB, unit="MB"),
    ]


def _row(name: str, value: float, target: str, ok: bool, floor: float | None = None, unit: str = "s") -> dict:
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "floor": floor,
        "target": target,
        "status": "PASS" if ok else "MISS",
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.training", description=__doc__.split("\n\n")[0])
    p.add_argument("--size", choices=sorted(SIZES), default="smoke")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--store", help="where the store is built (default benchmarks/.stores/training-SIZE)")
    p.add_argument("--out", help="write the rows as JSON here")
    args = p.parse_args(argv)
    path = Path(args.store) if args.store else STORES / f"training-{args.size}"
    build(path, *SIZES[args.size])
    rows = measure(path, args.runs)
    for r in rows:
        v = f"{r['value']:.0f} MB" if r["unit"] == "MB" else f"{r['value'] * 1000:.1f} ms"
        fl = f"  floor {r['floor'] * 1000:.1f} ms ({r['value'] / r['floor']:.2f}x)" if r["floor"] else ""
        print(f"{r['status']:4}  {r['name']}: {v}{fl}  target {r['target']}")
    if args.out:
        Path(args.out).write_text(json.dumps({"size": args.size, "rows": rows}, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
