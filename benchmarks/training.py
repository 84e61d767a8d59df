"""The training ledger at scale (issue 17): a store of ``trainings`` 学法培训与普法活动 and
``training_attendance`` 参学记录 (100k sessions and 2M attendance records at size ``1m``, 2,000 and
40,000 at ``smoke``) over 2016–2025 in 23 grids, written through ``Store.append`` (row rules and
references checked), compacted, then measured in a process of its own:

    python -m benchmarks.training --size smoke|1m [--stores DIR] [--runs N] [--out result.json]

- the panel's figures (sessions by 类型 with the previous period, the year's plan) and every
  report figure, read afresh (the figures' cache emptied before each run), against the same SQL on the raw compacted files in a bare DuckDB (the floor), timed
  alternately (ABBA);
- person-hours for the year, read afresh (the plugin's cache emptied before each run);
- the panel's whole ``load`` on a period change (a quarter of the year to the next and back) and a
  grid change; the person-hours of the year are kept between them, as in the dashboard;
- the measuring process's peak memory.

``benchmarks.run`` runs this as one of its measurements (``bench_training``); the test suite runs
it at ``smoke`` size so it cannot rot. Every value is drawn from seeded generators: the same size
gives the same store.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

import fazhi_tui.store  # noqa: F401  (before fazhi_tui.api: that import order avoids a cycle)

from .common import (
    floor_sources,
    measure_in_process,
    paired,
    peak_rss_mb,
    recording,
    rewrite_for_floor,
    summary,
    timed,
    write_json,
)
from .scale_store import STORES, TOWN, USER

GENERATOR_VERSION = 4
YEAR, TODAY = 2025, dt.date(2025, 11, 26)
FIRST_YEAR = 2016
GRIDS = 23
KINDS = ("中心组学习", "专题研讨", "法治培训", "学法考试", "普法宣讲", "法律服务活动", "普法宣传活动")
UNITS = ("赵庄镇人民政府", "中共赵庄镇委员会", "赵庄镇综治中心", "赵庄村村民委员会")
TABLES = ("trainings", "training_attendance", "people", "grids")


@dataclass(frozen=True)
class Size:
    sessions: int
    per_session: int  # attendance records per session
    people: int
    runs: int


SIZES = {"smoke": Size(2_000, 20, 500, 2), "1m": Size(100_000, 20, 5_000, 5)}


def store_dir(size: str, stores: Path) -> Path:
    return stores / f"training-{size}-v{GENERATOR_VERSION}"


def _open(path: Path, create: bool = False, auto_fold: bool = True):
    from fazhi_tui.config import Config
    from fazhi_tui.plugins import PluginHost
    from fazhi_tui.runtime import table_specs
    from fazhi_tui.store import Store

    host = PluginHost.load(only=["fazhi_training"])
    return Store.open(path, table_specs(host, Config()), create=create, user=USER, auto_fold=auto_fold)


def build(size: str, stores: Path = STORES) -> Path:
    """The scale store (cached: rebuilt only when missing or the generator changed)."""
    from fazhi_tui.store.compact import compact

    path = store_dir(size, stores)
    if (path / ".built").is_file():
        return path
    shutil.rmtree(path, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    s = SIZES[size]
    rng = np.random.default_rng(17)
    # No fold on a thread of its own while appending: the compaction at the end folds everything,
    # so the store is the same every time (a fold racing it had left 400k records in the delta).
    store = _open(path, create=True, auto_fold=False)
    grids = [f"4104211082{i:02d}01" for i in range(GRIDS)]
    store.append(
        "grids", [{"code": g, "name": f"{i}号网格", "kind": "综合", "village": f"{i}号村"} for i, g in enumerate(grids)]
    )
    roles = (["班子成员", "党委书记"], ["班子成员", "镇长"], ["班子成员"], ["网格指导员"], ["网格员"], ["执法队员"])
    store.append(
        "people",
        [
            {
                "person_id": f"P{i:05d}",
                "name": f"人员{i}",
                "roles": roles[min(i, 2 + i % 4)],
                "unit": UNITS[i % len(UNITS)],
                "grid": grids[i % GRIDS],
                "start_date": dt.date(2015, 1, 1),
            }
            for i in range(s.people)
        ],
    )
    span = (dt.date(YEAR, 12, 31) - dt.date(FIRST_YEAR, 1, 1)).days
    person_ids = np.asarray([f"P{i:05d}" for i in range(s.people)], dtype=object)
    # Numbered in date order within each year, as an office numbers its ledger (XF2025-00001 …).
    all_days = np.sort(
        np.datetime64(dt.date(FIRST_YEAR, 1, 1)) + rng.integers(0, span, s.sessions).astype("timedelta64[D]")
    )
    years = all_days.astype("datetime64[Y]").astype(int) + 1970
    firsts = np.searchsorted(years, years, side="left")
    all_ids = np.asarray(
        [f"XF{y}-{i - f + 1:05d}" for i, (y, f) in enumerate(zip(years, firsts, strict=True))], dtype=object
    )
    chunk = 20_000
    for lo in range(0, s.sessions, chunk):
        n = min(chunk, s.sessions - lo)
        ids = all_ids[lo : lo + n]
        kind_ix = rng.integers(0, len(KINDS), n)
        kinds = np.asarray(KINDS, dtype=object)[kind_ix]
        led = (kind_ix == 0) & (rng.random(n) < 0.7)
        store.append(
            "trainings",
            pa.table(
                {
                    "training_id": pa.array(ids, pa.string()),
                    "date": pa.array(all_days[lo : lo + n], pa.date32()),
                    "kind": pa.array(kinds, pa.string()),
                    "topic": pa.array([f"主题{i % 97}" for i in range(n)], pa.string()),
                    "leaders": pa.array([["P00000"] if x else None for x in led], pa.list_(pa.string())),
                    "venue_kind": pa.array(np.asarray(("学校", "企业", "村"), dtype=object)[rng.integers(0, 3, n)]),
                    "grid": pa.array(np.asarray(grids, dtype=object)[rng.integers(0, GRIDS, n)], pa.string()),
                    "hours": pa.array(np.full(n, 2.0)),
                    "participants": pa.array(np.full(n, s.per_session), pa.int32()),
                }
            ),
        )
        # Each session's roster: ``per_session`` different people (a random offset and stride).
        k = s.per_session
        start = rng.integers(0, s.people, n)[:, None]
        stride = rng.integers(1, s.people // k, n)[:, None]
        who = ((start + stride * np.arange(k)[None, :]) % s.people).ravel()
        tids = np.repeat(ids, k)
        persons = person_ids[who]
        exam = np.repeat(kind_ix == KINDS.index("学法考试"), k)
        scores = rng.integers(60, 101, n * k).astype(float)
        store.append(
            "training_attendance",
            pa.table(
                {
                    "attendance_id": pa.array(tids + "/" + persons, pa.string()),
                    "training_id": pa.array(tids, pa.string()),
                    "person": pa.array(persons, pa.string()),
                    "status": pa.array(np.where(rng.random(n * k) < 0.9, "出席", "请假").astype(object), pa.string()),
                    "score": pa.array(scores, pa.float64(), mask=~exam),
                }
            ),
        )
    compact(store)
    store.close()
    (path / ".built").write_text(dt.datetime.now().isoformat(), "utf-8")
    return path


def measure(path: Path, runs: int) -> dict[str, Any]:
    os.environ["FAZHI_TODAY"] = TODAY.isoformat()
    import duckdb

    from fazhi_training import figures, hours, sessions
    from fazhi_training.panel import TrainingPanel
    from fazhi_tui.api import Context, Grid, Period

    store = _open(path)
    ctx = Context(store=store, period=Period.year(YEAR), today=TODAY, user=USER, town=TOWN)
    figs = figures.report_figures()
    out: dict[str, Any] = {"results": {}}

    def panel_figures(c: Context = ctx) -> None:
        # Read afresh each time: the figures are kept per state of the files once read.
        figures.SUMMARY_CACHE.clear()
        sessions.overview(c, YEAR)
        for f in figs:
            f.compute(c)

    with recording(store) as log:
        panel_figures()
    con = duckdb.connect(":memory:", config={"threads": max(1, os.cpu_count() or 1)})
    con.execute("SET parquet_metadata_cache = true")
    rewritten = rewrite_for_floor(log, floor_sources(store, TABLES))
    out["floor_sql"] = [q for q, _ in rewritten]

    def floor() -> None:
        for q, p in rewritten:
            con.sql(q, params=p).to_arrow_table()

    tf, tr = paired(panel_figures, floor, runs)
    out["results"]["figures"] = {"fazhi": summary(tf), "floor": summary(tr)}

    def person_hours() -> None:
        hours._CACHE.clear()
        hours.person_hours(ctx, YEAR)

    out["results"]["person_hours"] = summary(timed(person_hours, runs))

    load = TrainingPanel().load
    row = store.query("SELECT code, name, village FROM grids ORDER BY code LIMIT 1").to_pylist()[0]
    grid = Grid(row["code"], row["name"], row["village"] or "")
    q1 = ctx.replace(period=Period.quarter(YEAR, 1))
    changes = {
        "period": (q1, ctx.replace(period=Period.quarter(YEAR, 2))),
        "grid": (ctx, ctx.replace(grid=grid)),
    }
    for change, (a, b) in changes.items():
        state = {"at": a}

        def switch(a: Context = a, b: Context = b, state: dict = state) -> None:
            state["at"] = b if state["at"] is a else a
            load(state["at"])

        out["results"][f"panel_{change}"] = summary(timed(switch, runs))
    out["rows"] = {t: store.count(t) for t in ("trainings", "training_attendance")}
    out["peak_rss_mb"] = peak_rss_mb()
    store.close()
    return out


def run(size: str, stores: Path = STORES, runs: int | None = None) -> dict[str, Any]:
    """Build (or reuse) the store, then measure it in a fresh process; returns the results."""
    root = build(size, stores)
    return measure_in_process(
        "benchmarks.training", root, runs or SIZES[size].runs, Path(stores) / f"training-{size}-result.json"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.training", description=__doc__.split("\n\n")[0])
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
    print(f"training {args.size}: {res['rows']}")
    print(f"  figures {fz * 1000:.1f} ms, floor {fl * 1000:.1f} ms, ratio {fz / fl:.2f}x (target ≤ 1.3x)")
    for k in ("person_hours", "panel_period", "panel_grid"):
        print(f"  {k} {r[k]['median'] * 1000:.1f} ms")
    print(f"  peak memory {res['peak_rss_mb']:.0f} MB (target ≤ 500 MB)")
    if args.out:
        write_json(Path(args.out), res)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
