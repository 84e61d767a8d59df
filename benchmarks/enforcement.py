"""The enforcement ledger at scale: a store of ``cases`` 执法案件 and ``actions`` 整治行动 (1M and 200k
at size ``1m``) over 2021–2025 in the demo town's 23 grids, built through the program's own write
path (row rules and references checked), compacted, then measured in a process of its own:

    python -m benchmarks.enforcement --size smoke|1m [--stores DIR] [--runs N] [--out result.json]

- the panel's figures (this period and the previous, with the 三项制度 rates: ``figures.comparison``)
  against the same SQL on the raw compacted files in a bare DuckDB (the floor), timed alternately;
- the panel's whole ``load`` on a period change (2025 → 2024 and back) and a grid change;
- opening the case list (the period's, and the to-dos of every period) and the action list;
- the measuring process's peak memory.

``benchmarks.run`` runs this as one of its measurements (rows in the suite's table); the test
suite runs it at ``smoke`` size so it cannot rot. Every value is drawn from numpy's generator with
fixed seeds: the same size gives the same store.
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
from .scale_store import GRIDS_GEOJSON, STORES, TODAY, TOWN, USER, YEAR

GENERATOR_VERSION = 1
FIRST_DAY = dt.date(2021, 1, 1)
OFFICERS = 16
GRID_CODE = "41042110800101"  # 镇区网格, as in benchmarks.common


@dataclass(frozen=True)
class Size:
    cases: int
    actions: int
    runs: int


SIZES = {"smoke": Size(3_000, 600, 2), "1m": Size(1_000_000, 200_000, 5)}
TYPES = ("乱摆乱卖", "乱搭乱建", "乱堆乱放", "乱贴乱画", "乱扔乱倒", "乱停乱放", "乱拉乱挂", "其他")
HANDLINGS = ("劝阻", "责令限期改正", "简易程序处罚", "一般程序立案", "移送")
SOURCES = ("巡查", "群众举报", "12345转办", "网格上报", "上级交办")


# The panel's tabs as the measurements name them: (tab id, case list mode).
PANEL_TABS = {
    "概况": ("tab-overview", "period"),
    "整治行动": ("tab-actions", "period"),
    "执法案件（本期）": ("tab-cases", "period"),
    "执法案件（待办）": ("tab-cases", "todo"),
    "未落实": ("tab-failing", "period"),
}


def store_dir(size: str, stores: Path) -> Path:
    return stores / f"enforcement-{size}-v{GENERATOR_VERSION}"


def _specs():
    from fazhi_enforcement.tables import ACTIONS_SPEC, CASES_SPEC
    from fazhi_tui.host_tables import HOST_TABLES

    return [*HOST_TABLES, ACTIONS_SPEC, CASES_SPEC]


def _choice(rng, values, n, p=None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=object)[rng.choice(len(values), n, p=p)], pa.string())


def _days(rng, n: int) -> np.ndarray:
    span = (TODAY - FIRST_DAY).days
    return np.datetime64(FIRST_DAY) + rng.integers(0, span, n).astype("timedelta64[D]")


def actions_table(n: int, grids: list[str], officers: list[tuple[str, str]]) -> pa.Table:
    rng = np.random.default_rng(160)
    days = np.sort(_days(rng, n))
    partners = [["市场所", "派出所"], ["市场所"], [], []]
    leaders = rng.integers(0, len(officers), n)
    return pa.table(
        {
            "action_no": pa.array([f"XD{i:08d}" for i in range(n)]),
            "day": pa.array(days, pa.date32()),
            "action_type": _choice(rng, TYPES, n, p=[0.5, 0.06, 0.12, 0.05, 0.06, 0.12, 0.05, 0.04]),
            "grid": _choice(rng, grids, n),
            "place": _choice(rng, ("集贸市场", "主街", "学校门口"), n),
            "partners": pa.array([partners[k] for k in rng.integers(0, 4, n)], pa.list_(pa.string())),
            "leaders": pa.array([[officers[k][0]] for k in leaders], pa.list_(pa.string())),
            "turnout": pa.array(rng.integers(3, 20, n), pa.int32()),
            "av_record": pa.array([f"JL{i}" for i in range(n)]),
            "problems_found": pa.array(rng.integers(0, 8, n), pa.int32()),
            "dissuaded": pa.array(rng.integers(0, 4, n), pa.int32()),
        }
    )


def cases_table(n: int, grids: list[str], officers: list[tuple[str, str]]) -> pa.Table:
    """Cases that keep every row rule: two different officers with their badges beyond 劝阻, 重大
    decisions reviewed, dates in order; some 公示 late, some 音像 missing, some 整改 open."""
    rng = np.random.default_rng(161)
    found_day = np.sort(_days(rng, n))
    minutes = rng.integers(8 * 60, 18 * 60, n).astype("timedelta64[m]")
    found = found_day.astype("datetime64[m]") + minutes
    h = rng.choice(len(HANDLINGS), n, p=[0.3, 0.4, 0.2, 0.07, 0.03])
    beyond = h > 0
    o1 = rng.integers(0, len(officers), n)
    o2 = (o1 + rng.integers(1, len(officers), n)) % len(officers)
    ids = np.asarray([o[0] for o in officers], dtype=object)
    badges = np.asarray([o[1] for o in officers], dtype=object)
    decided = found_day + rng.integers(0, 5, n).astype("timedelta64[D]")
    has_decision = h > 0
    rectify = decided + rng.integers(3, 30, n).astype("timedelta64[D]")
    has_rectify = h == 1
    penalty = (h == 2) | (h == 3)
    published = decided + rng.integers(1, 14, n).astype("timedelta64[D]")
    today = np.datetime64(TODAY)
    reviewed = rectify + rng.integers(-2, 3, n).astype("timedelta64[D]")
    reviewed = np.maximum(reviewed, decided)
    done_review = has_rectify & (reviewed < today)
    major = (h == 3) & (rng.random(n) < 0.3)
    status = np.where(
        has_rectify & ~done_review, "待复查", np.where(penalty & (published >= today), "处理中", "已结案")
    )

    def masked(values, mask, type_):
        return pa.array(values, type_, mask=~mask)

    return pa.table(
        {
            "case_no": pa.array([f"AJ{i:08d}" for i in range(n)]),
            "source": _choice(rng, SOURCES, n, p=[0.5, 0.15, 0.05, 0.2, 0.1]),
            "found_at": pa.array(found.astype("datetime64[us]"), pa.timestamp("us")),
            "grid": _choice(rng, grids, n),
            "party": _choice(rng, ("张三", "李四", "王五"), n),
            "party_phone": _choice(rng, ("13812345678", "13987654321"), n),
            "violation_type": _choice(rng, TYPES, n),
            "handling": pa.array(np.asarray(HANDLINGS, dtype=object)[h], pa.string()),
            "officer1": masked(ids[o1], beyond, pa.string()),
            "badge1": masked(badges[o1], beyond, pa.string()),
            "officer2": masked(ids[o2], beyond, pa.string()),
            "badge2": masked(badges[o2], beyond, pa.string()),
            "av_record": masked(
                np.asarray([f"JL{i}" for i in range(n)], dtype=object), rng.random(n) < 0.93, pa.string()
            ),
            "major": pa.array(major),
            "legal_review": pa.array(np.where(major, "已审核", "不适用"), pa.string()),
            "decided_on": masked(decided, has_decision, pa.date32()),
            "fine": masked(rng.choice([50.0, 100.0, 200.0, 2000.0], n), penalty, pa.float64()),
            "rectify_by": masked(rectify, has_rectify, pa.date32()),
            "reviewed_on": masked(reviewed, done_review, pa.date32()),
            "review_result": masked(np.full(n, "已整改", dtype=object), done_review, pa.string()),
            "published_on": masked(published, penalty & (published < today), pa.date32()),
            "status": pa.array(status, pa.string()),
        }
    )


def build(size: str, stores: Path = STORES) -> Path:
    """The scale store (cached: rebuilt only when missing or the generator changed)."""
    from fazhi_tui.store import Store
    from fazhi_tui.store.compact import compact
    from fazhi_tui.transfer.importer import plan_import, run_import

    root = store_dir(size, stores)
    if (root / ".built").is_file():
        return root
    shutil.rmtree(root, ignore_errors=True)
    root.parent.mkdir(parents=True, exist_ok=True)
    s = SIZES[size]
    store = Store.open(root, _specs(), create=True, user=USER, auto_fold=False)
    run_import(store, plan_import(store, "grids", GRIDS_GEOJSON))
    grids = store.query("SELECT code FROM grids ORDER BY code").column("code").to_pylist()
    officers = [(f"E{i:03d}", f"豫平执0421{i:04d}") for i in range(1, OFFICERS + 1)]
    store.append(
        "people",
        [{"person_id": p, "name": f"队员{p}", "roles": ["执法队员"], "badge_no": b} for p, b in officers],
    )
    actions = actions_table(s.actions, grids, officers)
    cases = cases_table(s.cases, grids, officers)
    step = 100_000
    for table, data in (("enforcement_actions", actions), ("enforcement_cases", cases)):
        for start in range(0, data.num_rows, step):
            store.append(table, data.slice(start, step))
    del actions, cases
    compact(store)
    store.close()
    (root / ".built").write_text(dt.datetime.now().isoformat(), "utf-8")
    return root


# -- measuring (in its own process) -----------------------------------------------------------------
def measure(root: Path, runs: int) -> dict[str, Any]:
    os.environ["FAZHI_TODAY"] = TODAY.isoformat()
    import duckdb

    from fazhi_enforcement import figures, lists
    from fazhi_enforcement.panel import EnforcementPanel
    from fazhi_tui.api import Context, Grid, Period
    from fazhi_tui.store import Store

    store = Store.open(root, _specs(), user=USER)
    ctx = Context(store, Period.year(YEAR), TODAY, town=TOWN)
    out: dict[str, Any] = {"results": {}}

    # The figures against the floor: the SQL the plugin sent, on read_parquet of the same files.
    with recording(store) as log:
        figures.comparison(ctx)
    con = duckdb.connect(":memory:", config={"threads": max(1, os.cpu_count() or 1)})
    con.execute("SET parquet_metadata_cache = true")
    tables = ("enforcement_cases", "enforcement_actions", "grids", "people")
    rewritten = rewrite_for_floor(log, floor_sources(store, tables))
    out["floor_sql"] = [q for q, _ in rewritten]

    def floor():
        for q, p in rewritten:
            con.sql(q, params=p).to_arrow_table()

    tf, tr = paired(lambda: figures.comparison(ctx), floor, runs)
    out["results"]["figures"] = {"fazhi": summary(tf), "floor": summary(tr)}

    # The panel's whole load on a period change and a grid change, with each tab open (a load
    # fetches what its tab shows): the row is the slowest tab, the note has each.
    row = store.query("SELECT code, name, village FROM grids WHERE code = ?", [GRID_CODE]).to_pylist()[0]
    grid = Grid(row["code"], row["name"], row["village"] or "")
    ctxs = {
        "period": (ctx, ctx.replace(period=Period.year(YEAR - 1))),
        "grid": (ctx, ctx.replace(grid=grid)),
    }
    for change, (a, b) in ctxs.items():
        per_tab = {}
        for tab, mode in PANEL_TABS.values():
            panel = EnforcementPanel()
            panel.tab, panel.mode, panel.pick_failing = tab, mode, False  # as after its first show
            state = {"at": a}

            def switch(a=a, b=b, state=state, load=panel.load):
                state["at"] = b if state["at"] is a else a
                load(state["at"])

            per_tab[tab if mode == lists.PERIOD_CASES else f"{tab}:{mode}"] = summary(timed(switch, runs))
        out["results"][f"panel_{change}"] = per_tab

    # Opening a list: what its tab's load fetches, cold (the to-dos, kept per state of the files
    # once read, are cleared before each run).
    def open_todo():
        lists.TODO_CACHE.clear()
        lists.cases_page(ctx, lists.TODO_CASES)

    def open_actions():
        lists.actions_page(ctx, total=figures.action_figures(ctx).actions)

    def open_cases():
        lists.TODO_CACHE.clear()  # its flags' counts come from the to-dos: read them too
        lists.cases_page(ctx)

    out["results"]["list_cases"] = summary(timed(open_cases, runs))
    out["results"]["list_todo"] = summary(timed(open_todo, runs))
    out["results"]["list_actions"] = summary(timed(open_actions, runs))
    out["results"]["list_failing"] = summary(timed(lambda: lists.cases_page(ctx, failing="av"), runs))
    out["rows"] = {t: store.count(t) for t in ("enforcement_cases", "enforcement_actions")}
    out["peak_rss_mb"] = peak_rss_mb()
    store.close()
    return out


def run(size: str, stores: Path = STORES, runs: int | None = None) -> dict[str, Any]:
    """Build (or reuse) the store, then measure it in a fresh process; returns the results."""
    root = build(size, stores)
    return measure_in_process(
        "benchmarks.enforcement", root, runs or SIZES[size].runs, Path(stores) / f"enforcement-{size}-result.json"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.enforcement", description=__doc__.split("\n\n")[0])
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
    print(f"enforcement {args.size}: {res['rows']}")
    print(f"  figures {fz * 1000:.1f} ms, floor {fl * 1000:.1f} ms, ratio {fz / fl:.2f}x (target ≤ 1.3x)")
    for k in ("panel_period", "panel_grid"):
        print(f"  {k} " + ", ".join(f"{t} {v['median'] * 1000:.1f} ms" for t, v in r[k].items()))
    for k in ("list_cases", "list_todo", "list_actions", "list_failing"):
        print(f"  {k} {r[k]['median'] * 1000:.1f} ms")
    print(f"  peak memory {res['peak_rss_mb']:.0f} MB (target ≤ 500 MB)")
    if args.out:
        write_json(Path(args.out), res)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
