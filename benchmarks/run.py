"""The benchmark suite: one command, a table on the terminal, the same as JSON.

    python -m benchmarks.run --size smoke|1m|10m [--runs N] [--variants recent,uniform] [--only NAME]

Builds (once, then cached in ``benchmarks/.stores/``) the scale stores of ``scale_store``, then
runs each measurement in a process of its own and prints every result beside its target (issue
7) with PASS or MISS. JSON and a Markdown copy of the table go to ``benchmarks/out/<date>-<size>``.
Every time is the median of several runs after a warm-up run.

The measurements are the functions in ``BENCHES``, in order. The report's rows run on a store
of every ledger (``benchmarks.report_store``), built from the scale stores once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import import_floor, scale_store
from .scale_store import SIZES, TODAY, TOWN, UNFOLDED, VARIANTS, YEAR

REPO = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"

# Targets of issue 7 (2 cores, 10M tickets).
FIRST_DATA_S = 1.0
CONTEXT_CHANGE_S = 0.150
FLOOR_RATIO = 1.3
LIST_OPEN_S = 0.300
REPORT_S = 2.0
PREVIEW_S = 1.0  # issue 15: the report panel's first screen
IMPORT_S = 5.0
PEAK_MB = 500
PANDAS_SPEEDUP = 10
CURRENT_STATE_RATIO = 1.5  # issue 2
GRID_MAP_S = 0.050
REVIEW_S = 0.500  # issue 19: every plugin's checks together
HOURS_S = 0.300  # issue 17: person-hours for the year


# -- results -------------------------------------------------------------------------------------
@dataclass
class Check:
    target: str
    ok: bool


@dataclass
class Row:
    section: str
    name: str
    value: float | None = None  # the measured value: seconds, or MB for memory rows
    unit: str = "s"
    floor: float | None = None  # raw DuckDB, seconds
    pandas: float | None = None  # pandas from the files, seconds
    checks: list[Check] = field(default_factory=list)
    status: str = ""  # PASS, MISS, INFO, NOT BUILT, ERROR
    note: str = ""
    data: dict = field(default_factory=dict)

    def finish(self) -> Row:
        if not self.status:
            self.status = ("PASS" if all(c.ok for c in self.checks) else "MISS") if self.checks else "INFO"
        return self


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


# -- running measuring processes -------------------------------------------------------------------
class WorkerError(RuntimeError):
    pass


def precompile() -> None:
    """Write the bytecode of the program and the harness, as ``pip install .`` does at install.

    Every measured process imports them from this checkout, and where PYTHONDONTWRITEBYTECODE
    is set (it is on some machines here) Python would compile every module again in every
    process: 0.05–0.1 s of each cold start and CLI run that no installed copy pays. compileall
    writes the files whatever that variable says; Python still reads them under it."""
    import compileall

    for folder in ("fazhi_tui", "plugins", "benchmarks"):
        compileall.compile_dir(REPO / folder, quiet=1)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["FAZHI_TODAY"] = TODAY.isoformat()
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("FAZHI_PLUGINS", None)
    return env


def run_process(argv: list[str], *, timeout: float = 1800, env: dict | None = None) -> tuple[float, float, str, str]:
    """Run ``argv``; (wall seconds, ru_maxrss MB from wait4 (an upper bound: see
    ``common.peak_rss_mb``), stdout, stderr). Raises on failure."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            argv, cwd=REPO, env=env or child_env(), stdout=out, stderr=err, stdin=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise WorkerError(f"timed out after {timeout:.0f} s: {' '.join(argv)}")
            time.sleep(0.005)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        tail = "\n".join(stderr.strip().splitlines()[-12:])
        raise WorkerError(f"exit {proc.returncode}: {' '.join(argv[:4])}…\n{tail}")
    return wall, usage.ru_maxrss / 1024, stdout, stderr


class Env:
    """What the measurements share: the stores, the options, and each worker's result (a worker
    runs once per store and its result serves several rows)."""

    def __init__(self, args, stores: dict[str, Path], csv: Path, work: Path):
        self.args = args
        self.size = SIZES[args.size]
        self.runs = args.runs or self.size.runs
        self.stores = stores
        self.csv = csv
        self.work = work
        self.variants = [v for v in args.variants.split(",") if v]
        self._cache: dict[tuple, Any] = {}

    def log(self, msg: str) -> None:
        if not self.args.quiet:
            print(f"  {msg}", flush=True)

    def worker(self, group: str, variant: str, **extra) -> dict:
        key = (group, variant, *sorted(extra.items()))
        if key in self._cache:
            result = self._cache[key]
            if isinstance(result, Exception):
                raise result
            return result
        out = self.work / ("-".join([group, variant, *(str(v) for _k, v in sorted(extra.items()))]) + ".json")
        argv = [sys.executable, "-m", "benchmarks.measure", group, "--out", str(out), "--runs", str(self.runs)]
        if variant in self.stores:
            argv += ["--store", str(self.stores[variant])]
        argv += [f"--{k.replace('_', '-')}={v}" for k, v in extra.items()]
        self.log(f"{group} ({variant}) …")
        try:
            if group == "pandas":
                self.worker("paired", variant)
                argv += ["--paired", str(self.work / f"paired-{variant}.json")]
            wall, rss, _, _ = run_process(argv)
            result = json.loads(out.read_text("utf-8"))
            result["wall_s"], result["process_rss_mb"] = wall, rss
        except Exception as exc:  # noqa: BLE001  (reported as an ERROR row, the suite goes on)
            self._cache[key] = exc
            raise
        self._cache[key] = result
        return result


def section(variant: str) -> str:
    return {"recent": "recent edits", "uniform": "uniform edits", UNFOLDED: "uniform edits, before the fold"}.get(
        variant, variant
    )


def error_row(sec: str, name: str, exc: Exception) -> Row:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    note = lines[0][:100] + (f" … {lines[-1][:160]}" if len(lines) > 1 else "")
    return Row(sec, name, status="ERROR", note=note, data={"error": str(exc)}).finish()


# -- the measurements --------------------------------------------------------------------------------
QUERY_LABELS = {
    "overview": "the panel's overview: figures, trend, breakdowns (one query)",
    "figures": "figures: this year and last (one query)",
    "monthly_trend": "monthly trend",
    "category_breakdown": "breakdown by 分类",
    "grid_breakdown": "breakdown by grid",
    "quarter_ranks": "quarterly rank (computed, 13 towns)",
}


def bench_panel_queries(env: Env) -> list[Row]:
    """A year's hotline figures for the town through plugins/fazhi_hotline/queries, against the
    same SQL on the raw files (the floor) and against pandas."""
    rows = []
    for v in env.variants:
        sec = section(v)
        try:
            pair = env.worker("paired", v)
        except Exception as exc:  # noqa: BLE001
            rows += [error_row(sec, label, exc) for label in QUERY_LABELS.values()]
            continue
        try:
            pandas = env.worker("pandas", v)
        except Exception as exc:  # noqa: BLE001
            pandas = {"error": str(exc)}
        for q, label in QUERY_LABELS.items():
            rows.append(_compared(sec, label, q, pair, pandas, figure=True))
    return rows


def _compared(
    sec: str, label: str, q: str, pair: dict, pandas: dict, *, figure: bool, limit: float | None = None
) -> Row:
    t = pair["results"][q]["fazhi"]["median"]
    f = pair["results"][q]["floor"]["median"]
    p = pandas.get("results", {}).get(q, {}).get("median")
    row = Row(
        sec,
        label,
        t,
        floor=f,
        pandas=p,
        data={
            "fazhi": pair["results"][q]["fazhi"],
            "floor": pair["results"][q]["floor"],
            "floor_sql": pair.get("sql", {}).get(q),
            "pandas": pandas.get("results", {}).get(q),
            "pandas_compute_only": pandas.get("compute_only", {}).get(q),
            "pandas_agrees": pandas.get("agrees", {}).get(q),
            "pandas_difference": pandas.get("differences", {}).get(q),
        },
    )
    if limit is not None:
        row.checks.append(Check(f"≤ {limit * 1000:.0f} ms", t <= limit))
    row.checks.append(Check(f"≤ {FLOOR_RATIO}x floor", ratio(t, f) <= FLOOR_RATIO))
    if figure and p is not None:
        row.checks.append(Check(f"≥ {PANDAS_SPEEDUP}x pandas", ratio(p, t) >= PANDAS_SPEEDUP))
    notes = []
    if "missing" in pandas:
        notes.append(pandas["missing"])
    elif "error" in pandas:
        notes.append("pandas failed: " + pandas["error"].splitlines()[0][:80])
    elif pandas.get("agrees", {}).get(q) is False:
        notes.append("pandas DISAGREES: " + str(pandas["differences"].get(q))[:100])
        row.status = "MISMATCH"
    co = pandas.get("compute_only", {}).get(q, {}).get("median") if "error" not in pandas else None
    if co is not None:
        notes.append(f"pandas in memory {_fmt(co)} = {_x(ratio(co, t))} fazhi-tui's time")
    row.note = "; ".join(notes)
    return row.finish()


ROLE_QUERIES = {**QUERY_LABELS, "open_tickets_town": "open list opens: town (callers and phones)"}


def bench_roles(env: Env) -> list[Row]:
    """The panels' queries for each role: a viewer's views mask personal information in SQL (a
    clerk's and an admin's do not: those are the rows above), against the same floor. And ``fazhi-tui sql`` per
    role (every role but admin runs in a sealed DuckDB over pyarrow datasets: store/sql.py)."""
    rows = []
    v = env.variants[0]
    # A clerk's views are the admin's (PII unmasked): the admin's rows above stand for them.
    for role in ("viewer",):
        sec = f"as {role} ({section(v)})"
        try:
            pair = env.worker("paired", v, role=role)
        except Exception as exc:  # noqa: BLE001
            rows += [error_row(sec, label, exc) for label in ROLE_QUERIES.values()]
            continue
        for q, label in ROLE_QUERIES.items():
            row = _compared(sec, label, q, pair, {}, figure=False)
            row.data = {k: v for k, v in row.data.items() if not k.startswith("pandas")}  # not compared here
            rows.append(row)
    sec = f"fazhi-tui sql ({section(v)})"
    try:
        res = env.worker("sql", v)
    except Exception as exc:  # noqa: BLE001
        return rows + [
            error_row(sec, f"sql as {r}: a year's town aggregate", exc) for r in ("admin", "clerk", "viewer")
        ]
    for role in ("admin", "clerk", "viewer"):
        t, f = res["results"][role]["fazhi"]["median"], res["results"][role]["floor"]["median"]
        note = (
            "sealed DuckDB over pyarrow datasets" if role != "admin" else "the store's DuckDB, confined to its folder"
        )
        rows.append(
            Row(
                sec, f"sql as {role}: a year's town aggregate", t, floor=f, note=note, data=res["results"][role]
            ).finish()
        )
    return rows


def bench_open_list(env: Env) -> list[Row]:
    """Opening the open-ticket list (first page + counts), for the town and for every township
    (the largest list), and scrolling it by keyset pages."""
    rows = []
    for v in env.variants:
        sec = section(v)
        try:
            dash, pair = env.worker("dashboard", v, scroll_rows=env.size.scroll_rows), env.worker("paired", v)
        except Exception as exc:  # noqa: BLE001
            rows += [error_row(sec, n, exc) for n in ("open list opens (town)", "open list opens (county)", "scroll")]
            continue
        try:
            pandas = env.worker("pandas", v)
        except Exception as exc:  # noqa: BLE001
            pandas = {"error": str(exc)}
        town_total = dash.get("list_total_town")
        county_total = dash["results"]["scroll"].get("list_total")
        rows.append(
            _compared(
                sec,
                f"open list opens: town ({town_total} open)",
                "open_tickets_town",
                pair,
                pandas,
                figure=False,
                limit=LIST_OPEN_S,
            )
        )
        rows.append(
            _compared(
                sec,
                f"open list opens: county ({county_total} open)",
                "open_tickets_county",
                pair,
                pandas,
                figure=False,
                limit=LIST_OPEN_S,
            )
        )
        s = dash["results"]["scroll"]
        rows.append(
            Row(
                sec,
                f"scroll {s['rows']} rows ({s['pages']} keyset pages of {s['page_rows']})",
                s["median"],
                note=f"per page: median {_fmt(s['page_median'])}, p95 {_fmt(s['page_p95'])}, max {_fmt(s['page_max'])}; "
                "no target in issue 7",
                data=s,
            ).finish()
        )
    return rows


def bench_context_changes(env: Env) -> list[Row]:
    """Period change (2025 → 2024 and back) and grid change (全镇 ↔ 镇区网格), for every panel
    the dashboard registers: the panel's whole ``load``, as its worker runs it."""
    rows = []
    for v in env.variants:
        sec = section(v)
        try:
            dash = env.worker("dashboard", v, scroll_rows=env.size.scroll_rows)
        except Exception as exc:  # noqa: BLE001
            rows.append(error_row(sec, "panels: period and grid change", exc))
            continue
        for panel in dash["panels"]:
            for change in ("period", "grid"):
                r = dash["results"][f"panel_{panel}_{change}"]
                rows.append(
                    Row(
                        sec,
                        f"{panel} panel: {change} change",
                        r["median"],
                        checks=[Check(f"≤ {CONTEXT_CHANGE_S * 1000:.0f} ms", r["median"] <= CONTEXT_CHANGE_S)],
                        note="" if r.get("source") == "Panel.load" else f"through {r.get('source')}",
                        data=r,
                    ).finish()
                )
    return rows


def bench_review(env: Env) -> list[Row]:
    """The daily review (每日待办): every plugin's checks run, merged and matched with the marks,
    as its panel, its count and ``fazhi-tui review`` build it; against the checks' SQL on the raw
    files (issue 19: ≤ 500 ms on the 10M-ticket store)."""
    rows = []
    for v in env.variants:
        sec = section(v)
        name = "daily review: all checks"
        try:
            r = env.worker("paired", v)["results"]["review_queue"]
        except Exception as exc:  # noqa: BLE001
            rows.append(error_row(sec, name, exc))
            continue
        t, f = r["fazhi"]["median"], r["floor"]["median"]
        rows.append(
            Row(
                sec,
                f"{name} ({r['checks']} checks, {r['items']} items)",
                t,
                floor=f,
                checks=[Check(f"≤ {REVIEW_S * 1000:.0f} ms", t <= REVIEW_S)],
                note=f"{_x(ratio(t, f))} the checks' SQL on the raw files",
                data=r,
            ).finish()
        )
    return rows


def bench_current_state(env: Env) -> list[Row]:
    """The store's current-state view against a plain scan of its compacted files (issue 2)."""
    rows = []
    labels = {"year": f"current state vs plain scan: {YEAR}, all towns", "all": "current state vs plain scan: 5 years"}
    variants = list(env.variants) + ([UNFOLDED] if UNFOLDED in env.stores else [])
    for v in variants:
        sec = section(v)
        try:
            st = env.worker("store", v)
        except Exception as exc:  # noqa: BLE001
            rows += [error_row(sec, n, exc) for n in labels.values()]
            continue
        for key, label in labels.items():
            r = st["results"][key]
            view, scan = r["view"]["median"], r["scan"]["median"]
            if v == UNFOLDED:
                # Not a state the store stays in: it folds such a delta as soon as it is written.
                rows.append(
                    Row(
                        sec,
                        label,
                        view,
                        floor=scan,
                        status="INFO",
                        note=f"{ratio(view, scan):.2f}x: the uniform edits before the store folds them "
                        f"(written with auto_fold=False); floor column = the plain scan",
                        data=r,
                    ).finish()
                )
                continue
            rows.append(
                Row(
                    sec,
                    label,
                    view,
                    floor=scan,
                    checks=[Check(f"≤ {CURRENT_STATE_RATIO}x plain scan", ratio(view, scan) <= CURRENT_STATE_RATIO)],
                    note="floor column = the plain scan",
                    data=r,
                ).finish()
            )
    return rows


def bench_memory(env: Env) -> list[Row]:
    """Peak RSS of the processes that ran the dashboard's queries (and, for reference, of the
    raw DuckDB and pandas processes)."""
    rows = []
    for v in env.variants:
        sec = section(v)
        for group, label, target in (
            ("dashboard", "peak memory: dashboard queries process", True),
            ("pandas", "peak memory: pandas process", False),
        ):
            try:
                r = env.worker(group, v, **({"scroll_rows": env.size.scroll_rows} if group == "dashboard" else {}))
            except Exception as exc:  # noqa: BLE001
                rows.append(error_row(sec, label, exc))
                continue
            mb = r["rss_mb"]["peak"]
            checks = [Check(f"≤ {PEAK_MB} MB", mb <= PEAK_MB)] if target else []
            if "missing" in r:
                rows.append(Row(sec, label, status="SKIPPED", note=r["missing"]).finish())
                continue
            rows.append(Row(sec, label, mb, unit="MB", checks=checks, data=r["rss_mb"]).finish())
    return rows


PANELS = ("grid_map", "enforcement", "training", "hotline", "ledger", "report_preview", "overview", "review")
MINIMAL_MARGIN_S = 0.5  # issue 22: within this of a minimal Textual app's first frame


def bench_cold_start(env: Env) -> list[Row]:
    """``fazhi-tui --store DIR`` in a new process (headless) until a panel shows its data, with
    every built-in panel as the first keystroke, on the report store (every ledger, the 10M-ticket
    hotline, 1M enforcement cases), beside a minimal Textual app's first frame timed alternately
    in the same run (issue 22: ≤ 1.0 s, and within 0.5 s of the minimal app); and the first panel
    the dashboard opens on, on each hotline store."""
    rows = []
    try:
        store = report_store(env)
    except Exception as exc:  # noqa: BLE001
        return [error_row("cold start", "cold start: the report store", exc)]
    runs = env.runs if env.args.size == "smoke" else max(3, min(env.runs, 5))
    minimal: list[float] = []
    by_panel: dict[str, list[dict]] = {p: [] for p in PANELS}
    try:
        for _ in range(runs):
            # Interleaved, so that a change in the machine's load falls on all of them.
            minimal.append(minimal_app(env)["wall_s"])
            for panel in PANELS:
                by_panel[panel].append(cold_start(env, store, panel))
    except Exception as exc:  # noqa: BLE001
        return [error_row("cold start", "cold start: every panel", exc)]
    floor = statistics.median(minimal)
    rows.append(
        Row(
            "cold start",
            "minimal Textual app: first frame",
            floor,
            status="INFO",
            note="a Header, a Static and a Footer, headless at 120x40: the floor the panels are held to",
        ).finish()
    )
    for panel, results in by_panel.items():
        med = statistics.median(r["wall_s"] for r in results)
        mb = max(r["rss_mb"] for r in results)
        shown = results[0].get("panel")
        row = Row(
            "cold start",
            f"cold start to the {panel} panel's data",
            med,
            floor=floor,
            checks=[
                Check(f"≤ {FIRST_DATA_S:.1f} s", med <= FIRST_DATA_S),
                Check(f"≤ minimal + {MINIMAL_MARGIN_S:.1f} s", med <= floor + MINIMAL_MARGIN_S),
            ],
            note=f"{med - floor:+.2f} s beside the minimal app; peak memory {mb:.0f} MB"
            + ("" if shown == panel else f"; shown: {shown}"),
            data={"runs": results},
        )
        bad = [r for r in results if not r.get("ok")] or [r for r in results if r.get("wanted_missing")]
        if bad:
            row.status, row.note = "ERROR", f"panel failed or missing: {bad[0].get('error') or bad[0].get('panel')}"
        rows.append(row.finish())
    mb = max(r["rss_mb"] for results in by_panel.values() for r in results)
    rows.append(
        Row(
            "cold start",
            "peak memory: cold start processes (every panel)",
            mb,
            unit="MB",
            checks=[Check(f"≤ {PEAK_MB} MB", mb <= PEAK_MB)],
        ).finish()
    )
    for v in env.variants:
        sec = section(v)
        try:
            results = [cold_start(env, env.stores[v], "-") for _ in range(env.runs)]
        except Exception as exc:  # noqa: BLE001
            rows.append(error_row(sec, "cold start (first panel)", exc))
            continue
        med = statistics.median(r["wall_s"] for r in results)
        rows.append(
            Row(
                sec,
                f"cold start to the first panel's data ({results[0].get('panel')})",
                med,
                checks=[Check(f"≤ {FIRST_DATA_S:.1f} s", med <= FIRST_DATA_S)],
                note=f"process's own clock {_fmt(statistics.median(r['since_start_s'] for r in results))}; "
                f"peak memory {max(r['rss_mb'] for r in results):.0f} MB",
                data={"runs": results},
            ).finish()
        )
    return rows


def first_line(module: str, args: list[str], env: dict[str, str], what: str) -> dict:
    """``python -m MODULE FD ARGS…`` in a new process, timed from just before it starts until it
    writes its JSON line to FD (``coldstart``, ``minimal_textual``): the line, with ``wall_s``."""
    r, w = os.pipe()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", module, str(w), *args],
        cwd=REPO,
        env=env,
        pass_fds=(w,),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    os.close(w)
    with os.fdopen(r, "rb") as fh:
        line = fh.readline()
    wall = time.perf_counter() - t0
    try:
        _, stderr = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, stderr = proc.communicate()
    if not line:
        raise WorkerError(f"{what}\n" + stderr.decode("utf-8", "replace")[-1500:])
    data = json.loads(line)
    data["wall_s"] = wall
    return data


def minimal_app(env: Env) -> dict:
    """``benchmarks.minimal_textual``, timed as ``cold_start`` times the program."""
    return first_line("benchmarks.minimal_textual", [], child_env(), "minimal Textual app: no first frame")


def cold_start(env: Env, store: Path, panel: str) -> dict:
    cfg = env.work / "coldstart.toml"
    cfg.write_text(f'town = "{TOWN}"\n[ui]\nanimations = false\n', "utf-8")
    e = child_env()
    e["FAZHI_CONFIG"] = str(cfg)
    return first_line("benchmarks.coldstart", [panel, "--store", str(store)], e, "cold start: no panel showed data")


def bench_import(env: Env) -> list[Row]:
    """Importing the CSV (1M tickets at 1m/10m) as ``fazhi-tui import hotline FILE`` does:
    into an empty store (with its grids) and into the recent-edits scale store (its keys checked
    against every record there). Each run on a fresh copy (hard links: the files are immutable)."""
    rows = []
    n = env.size.import_rows
    targets = [("empty store", None)]
    if "recent" in env.stores:
        targets.append((f"{env.size.rows:,}-ticket store", env.stores["recent"]))
    for label, source in targets:
        name = f"import {n:,} rows from CSV into the {label}"
        try:
            runs = []
            for _ in range(max(1, min(3, env.runs))):
                scratch = env.work / "import-store"
                shutil.rmtree(scratch, ignore_errors=True)
                if source is None:
                    empty_store(scratch)
                else:
                    subprocess.run(["cp", "-al", str(source), str(scratch)], check=True)
                out = env.work / "import.json"
                wall, rss, _, _ = run_process(
                    [
                        sys.executable,
                        "-m",
                        "benchmarks.measure",
                        "import",
                        "--store",
                        str(scratch),
                        "--csv",
                        str(env.csv),
                        "--out",
                        str(out),
                    ]
                )
                r = json.loads(out.read_text("utf-8"))
                r.update(wall_s=wall, process_rss_mb=rss)
                # What `fazhi-tui import` then runs when the new rows make a fold due.
                fold_wall, fold_mb = cli_process(["compact", "--fold", "hotline", "--store", str(scratch)])
                r.update(fold_s=fold_wall, fold_rss_mb=fold_mb)
                runs.append(r)
                shutil.rmtree(scratch, ignore_errors=True)
        except Exception as exc:  # noqa: BLE001
            rows += [error_row("import", name, exc), error_row("import", f"peak memory: import into the {label}", exc)]
            continue
        med = statistics.median(r["import_s"] for r in runs)
        rows.append(
            Row(
                "import",
                name,
                med,
                checks=[Check(f"≤ {IMPORT_S:.0f} s", med <= IMPORT_S)],
                note=f"read+check {_fmt(statistics.median(r['plan_s'] for r in runs))}, "
                f"write {_fmt(statistics.median(r['write_s'] for r in runs))}; whole process "
                f"{_fmt(statistics.median(r['wall_s'] for r in runs))}",
                data={"runs": runs},
            ).finish()
        )
        mb = max(r["rss_mb"]["peak"] for r in runs)
        rows.append(
            Row(
                "import",
                f"peak memory: import into the {label}",
                mb,
                unit="MB",
                checks=[Check(f"≤ {PEAK_MB} MB", mb <= PEAK_MB)],
            ).finish()
        )
        fold_med = statistics.median(r["fold_s"] for r in runs)
        rows.append(
            Row(
                "import",
                f"then the fold of those rows (its own process), {label}",
                fold_med,
                note="`fazhi-tui compact --fold hotline`, as `fazhi-tui import` runs it after a big import; "
                "whole process",
            ).finish()
        )
        fold_mb = max(r["fold_rss_mb"] for r in runs)
        rows.append(
            Row(
                "import",
                f"peak memory: the fold process, {label}",
                fold_mb,
                unit="MB",
                checks=[Check(f"≤ {PEAK_MB} MB", fold_mb <= PEAK_MB)],
            ).finish()
        )
    return rows


BIG_IMPORT_RATIO = 1.5  # issue 22: the 10M import within 1.5x the memory-bounded DuckDB floor
BIG_IMPORT_MB = 600  # issue 22: every process of it


def bench_big_import(env: Env) -> list[Row]:
    """Issue 22: ``fazhi-tui import hotline FILE`` of a county's five years (``big_import_rows``:
    10M tickets at 10m, 13 townships, the platform's Chinese headers) from Parquet and from CSV,
    into an empty store (its grids only) and into the scale store, fold included (the command
    waits for it), each timed beside DuckDB alone on the same file in the same run
    (``benchmarks.import_floor``: read, sort by township and grid, write month partitions under
    memory_limit 400MB), floor and import alternately. Whole processes; peak RSS of the import
    and of any fold it started."""
    n = env.size.big_import_rows
    try:
        files = scale_store.ensure_big_import(env.args.size, quiet=env.args.quiet)
    except Exception as exc:  # noqa: BLE001
        return [error_row("import", f"import {n:,} rows", exc)]
    targets = [("empty store", None)]
    if "recent" in env.stores:
        targets.append((f"{env.size.rows:,}-ticket store", env.stores["recent"]))
    runs = 1 if env.args.size == "10m" else max(1, min(2, env.runs))
    rows: list[Row] = []
    for fmt, path in files.items():
        for label, source in targets:
            name = f"import {n:,} rows from {fmt} into the {label}, fold included"
            try:
                measured = []
                for _ in range(runs):
                    floor_out = env.work / "floor"
                    env.log(f"floor: DuckDB alone on {path.name} …")
                    _, _, out, _ = run_process(
                        [sys.executable, "-m", "benchmarks.import_floor", str(path), str(floor_out)]
                    )
                    floor = json.loads(out.strip().splitlines()[-1])
                    scratch = env.work / "big-import-store"
                    shutil.rmtree(scratch, ignore_errors=True)
                    if source is None:
                        empty_store(scratch)
                    else:
                        subprocess.run(["cp", "-al", str(source), str(scratch)], check=True)
                    before = scale_store.latest_manifest(scratch, "hotline")
                    env.log(f"{name} …")
                    wall, rss, children = cli_process_peaks(
                        ["import", "hotline", str(path), "--store", str(scratch)], timeout=3600
                    )
                    gen = scale_store.latest_manifest(scratch, "hotline")
                    if gen is not None and before is not None and gen.get("gen") == before.get("gen"):
                        gen = {"kind": "none (a log file)"}
                    measured.append(
                        {
                            "import_s": wall,
                            "rss_mb": rss,
                            "children_rss_mb": children,
                            "floor_s": floor["floor_s"],
                            "floor_rss_mb": floor["rss_mb"],
                            "generation": gen,
                        }
                    )
                    shutil.rmtree(scratch, ignore_errors=True)
            except Exception as exc:  # noqa: BLE001
                rows += [error_row("import", name, exc), error_row("import", f"peak memory: {name}", exc)]
                continue
            med = statistics.median(r["import_s"] for r in measured)
            floor_med = statistics.median(r["floor_s"] for r in measured)
            x = ratio(med, floor_med)
            kinds = sorted({str((r["generation"] or {}).get("kind", "compaction")) for r in measured})
            rewritten = sorted({m for r in measured for m in (r["generation"] or {}).get("rewritten_months", [])})
            rows.append(
                Row(
                    "import",
                    name,
                    med,
                    floor=floor_med,
                    checks=[Check(f"≤ {BIG_IMPORT_RATIO}x floor", x is not None and x <= BIG_IMPORT_RATIO)],
                    note=f"{_x(x)} the floor (DuckDB alone, memory_limit {import_floor.MEMORY_LIMIT}); whole process; the new "
                    f"generation: {', '.join(kinds)}, months rewritten: {len(rewritten)}",
                    data={"runs": measured},
                ).finish()
            )
            mb = max(max(r["rss_mb"], r["children_rss_mb"] or 0) for r in measured)
            fold_mb = max((r["children_rss_mb"] or 0) for r in measured)
            rows.append(
                Row(
                    "import",
                    f"peak memory: {name}",
                    mb,
                    unit="MB",
                    checks=[Check(f"≤ {BIG_IMPORT_MB} MB", mb <= BIG_IMPORT_MB)],
                    note=f"import process {max(r['rss_mb'] for r in measured):.0f} MB"
                    + (f", a fold it started ≤ {fold_mb:.0f} MB" if fold_mb else ", no fold")
                    + f"; the floor's {max(r['floor_rss_mb'] for r in measured):.0f} MB",
                ).finish()
            )
    return rows


def empty_store(path: Path) -> None:
    """A new store holding only the town's grids, made by the program's own write path."""
    from fazhi_tui.store import Store

    store = Store.open(path, scale_store.specs(), create=True, user=scale_store.USER)
    scale_store._import_grids(store)
    store.close()


def report_store(env: Env) -> Path:
    """The store with every ledger (``benchmarks.report_store``): the demo's tables with the scale
    stores' hotline (10M at size 10m) and enforcement ledger (1M cases) in place of its own."""
    from . import report_store as rs

    if "report" not in env.stores:
        env.log("report store (demo ledgers + the scale hotline and enforcement) …")
        env.stores["report"] = rs.build(env.args.size, scale_store.STORES)
    return env.stores["report"]


def bench_report(env: Env) -> list[Row]:
    """The year's report from the CLI (``fazhi-tui report``) with every figure of every plugin, on
    the report store: the 10M-ticket hotline and 1M enforcement cases beside the demo's other
    ledgers (issue 15: ≤ 2 s)."""
    name = f"the {YEAR} report from the CLI, every figure"
    try:
        store = report_store(env)
    except Exception as exc:  # noqa: BLE001
        return [error_row("report", name, exc)]
    out = env.work / f"report-{YEAR}.md"
    cli_args = ["report", "--store", str(store), "--year", str(YEAR), "-o", str(out)]
    try:
        # Exit 1 is a report written with its gaps marked; the row says how many there were.
        runs = [cli_process(cli_args, ok=(0, 1)) for _ in range(max(1, min(3, env.runs)))]
    except Exception as exc:  # noqa: BLE001
        return [error_row("report", name, exc)]
    text = out.read_text("utf-8") if out.is_file() else ""
    gaps = text.count("【缺：")
    med = statistics.median(r[0] for r in runs)
    mb = max(r[1] for r in runs)
    return [
        Row(
            "report",
            name,
            med,
            checks=[Check(f"≤ {REPORT_S:.0f} s", med <= REPORT_S)],
            note=f"whole process (fazhi-tui report --year {YEAR} -o FILE.md), {gaps} gaps; "
            "10M tickets + 1M enforcement cases + the demo's other ledgers",
            data={"argv": cli_args, "runs": [r[0] for r in runs], "gaps": gaps},
        ).finish(),
        Row(
            "report", "peak memory: report process", mb, unit="MB", checks=[Check(f"≤ {PEAK_MB} MB", mb <= PEAK_MB)]
        ).finish(),
    ]


def cli_process(cli_args: list[str], timeout: float = 600, ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """``fazhi-tui CLI_ARGS`` in a new process: (wall seconds, its peak RSS in MB)."""
    wall, rss, _children = cli_process_peaks(cli_args, timeout, ok)
    return wall, rss


def cli_process_peaks(
    cli_args: list[str], timeout: float = 600, ok: tuple[int, ...] = (0,)
) -> tuple[float, float, float | None]:
    """``cli_process``, with the largest peak of the processes it waited for (an upper bound;
    None when it started none)."""
    r, w = os.pipe()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.cli_peak", str(w), *cli_args],
        cwd=REPO,
        env=child_env(),
        pass_fds=(w,),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    os.close(w)
    try:
        _, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise WorkerError(f"timed out: fazhi-tui {' '.join(cli_args)}") from None
    wall = time.perf_counter() - t0
    with os.fdopen(r, "rb") as fh:
        line = fh.readline()
    if proc.returncode not in ok:
        raise WorkerError(
            f"fazhi-tui {' '.join(cli_args)}: exit {proc.returncode}\n" + stderr.decode("utf-8", "replace")[-1500:]
        )
    peaks = json.loads(line) if line else {}
    return wall, peaks.get("rss_mb", float("nan")), peaks.get("children_rss_mb")


def bench_report_preview(env: Env) -> list[Row]:
    """The report panel's first screen: the year's report with every figure and last year's beside
    each (plugins/fazhi_report/preview.py, what the panel's ``load`` runs), after the store is open."""
    name = f"report preview: first screen of {YEAR}"
    try:
        report_store(env)
        r = env.worker("report_preview", "report")
    except Exception as exc:  # noqa: BLE001
        return [error_row("report", name, exc)]
    if not r.get("built"):
        return [
            Row(
                "report",
                name,
                status="NOT BUILT",
                note=f"not built yet ({r.get('why')})",
                checks=[Check(f"≤ {PREVIEW_S:.0f} s", False)],
            ).finish()
        ]
    first = r["first_s"]
    return [
        Row(
            "report",
            name,
            first,
            checks=[Check(f"≤ {PREVIEW_S:.0f} s", first <= PREVIEW_S)],
            note=f"{r['figures']} figures, {r['gaps']} gaps (10M tickets + 1M enforcement cases); "
            f"again, warm: {_fmt(r['result']['median'])}",
            data=r,
        ).finish()
    ]


def bench_grid_map(env: Env) -> list[Row]:
    """Slot: rasterising the town's 23 grids at 200×60 cells (plugins/fazhi_grid/geometry.py)."""
    name = "grid map: rasterise 23 grids at 200x60"
    store = next(iter(env.stores))
    try:
        r = env.worker("gridmap", store)
    except Exception as exc:  # noqa: BLE001
        return [error_row("grid map", name, exc)]
    if not r.get("built"):
        return [
            Row(
                "grid map",
                name,
                status="NOT BUILT",
                note=f"not built yet ({r.get('why')})",
                checks=[Check(f"≤ {GRID_MAP_S * 1000:.0f} ms", False)],
            ).finish()
        ]
    med = r["result"]["median"]
    return [
        Row(
            "grid map",
            name.replace("23", str(r["grids"])),
            med,
            checks=[Check(f"≤ {GRID_MAP_S * 1000:.0f} ms", med <= GRID_MAP_S)],
            note=f"parsing the boundaries once: {_fmt(r['parse_s'])}",
            data=r,
        ).finish()
    ]


def ledger_rows(
    sec: str,
    res: dict[str, Any],
    figures_label: str,
    timed: list[tuple[str, str, float]],
    memory_label: str,
) -> list[Row]:
    """The rows of a ledger plugin's measuring process (``benchmarks.enforcement``,
    ``benchmarks.training``, …), which all answer in one shape: ``results["figures"]`` (fazhi
    and floor, timed ABBA) becomes the ≤ 1.3x floor row; each ``(key, label, limit)`` of ``timed``
    a row against its limit (a result per tab is judged by its slowest tab, each named in the
    note); ``peak_rss_mb`` the memory row."""
    r = res["results"]
    fz, fl = r["figures"]["fazhi"]["median"], r["figures"]["floor"]["median"]
    rows = [
        Row(
            sec,
            figures_label,
            fz,
            floor=fl,
            checks=[Check(f"≤ {FLOOR_RATIO}x floor", (ratio(fz, fl) or 0) <= FLOOR_RATIO)],
            data={"fazhi": r["figures"]["fazhi"], "floor": r["figures"]["floor"], "floor_sql": res.get("floor_sql")},
        ).finish()
    ]
    for key, label, limit in timed:
        result, note = r[key], ""
        if "median" in result:
            t = result["median"]
        else:  # one result per tab of the panel: the slowest decides
            t = max(v["median"] for v in result.values())
            note = "each tab: " + ", ".join(f"{tab} {_fmt_ms(v['median'])}" for tab, v in result.items())
        rows.append(
            Row(sec, label, t, checks=[Check(f"≤ {limit * 1000:.0f} ms", t <= limit)], note=note, data=result).finish()
        )
    mb = res["peak_rss_mb"]
    rows.append(Row(sec, memory_label, mb, unit="MB", checks=[Check(f"≤ {PEAK_MB} MB", mb <= PEAK_MB)]).finish())
    return rows


def bench_enforcement(env: Env) -> list[Row]:
    """The enforcement ledger (issue 16) on a store of its own: 1M cases and 200k actions at size
    ``1m`` (``benchmarks.enforcement``), the panel's figures against the raw DuckDB floor, its
    period and grid change with each tab open, its lists opening, and the measuring process's
    memory."""
    from . import enforcement

    sec = "enforcement"
    if env.args.size == "smoke" and not env.args.only:
        # The test suite runs this measurement at smoke size in a test of its own
        # (tests/test_benchmarks_enforcement.py), so the whole suite's smoke run stays in its time.
        return []
    size = env.args.size if env.args.size in enforcement.SIZES else "1m"  # 10m: the same 1M cases
    try:
        res = enforcement.run(size, scale_store.STORES, env.runs)
    except Exception as exc:  # noqa: BLE001
        return [error_row(sec, "enforcement: build or measure", exc)]
    n = res["rows"]
    what = f"{n['enforcement_cases']:,} cases, {n['enforcement_actions']:,} actions"
    return ledger_rows(
        sec,
        res,
        f"enforcement figures: this year and last, 三项制度 ({what})",
        [
            ("panel_period", "enforcement panel: period change (slowest tab)", CONTEXT_CHANGE_S),
            ("panel_grid", "enforcement panel: grid change (slowest tab)", CONTEXT_CHANGE_S),
            ("list_cases", "enforcement list opens: the year's cases", LIST_OPEN_S),
            ("list_todo", "enforcement list opens: to-dos of every period", LIST_OPEN_S),
            ("list_actions", "enforcement list opens: the year's actions", LIST_OPEN_S),
            ("list_failing", "enforcement list opens: cases failing a 三项制度 rate", LIST_OPEN_S),
        ],
        "peak memory: enforcement measuring process",
    )


def bench_training(env: Env) -> list[Row]:
    """The training ledger (issue 17) on a store of its own: 100k sessions and 2M attendance
    records at size ``1m`` (``benchmarks.training``), the panel's figures against the raw DuckDB
    floor, person-hours for the year, the panel's period and grid change, and the memory."""
    from . import training

    sec = "training"
    if env.args.size == "smoke" and not env.args.only:
        # Run at smoke size by tests/test_training_benchmark.py, as the enforcement rows are.
        return []
    size = env.args.size if env.args.size in training.SIZES else "1m"  # 10m: the same 100k sessions
    try:
        res = training.run(size, scale_store.STORES, env.runs)
    except Exception as exc:  # noqa: BLE001
        return [error_row(sec, "training: build or measure", exc)]
    n = res["rows"]
    what = f"{n['trainings']:,} sessions, {n['training_attendance']:,} attendance"
    return ledger_rows(
        sec,
        res,
        f"training panel figures: by 类型 with the previous year, the plan, the report's ({what})",
        [
            ("person_hours", "training person-hours for the year (read afresh)", HOURS_S),
            ("panel_period", "training panel: period change", CONTEXT_CHANGE_S),
            ("panel_grid", "training panel: grid change", CONTEXT_CHANGE_S),
        ],
        "peak memory: training measuring process",
    )


def bench_ledger(env: Env) -> list[Row]:
    """The work ledger (issue 18) on a store of its own: 1M work items at size ``1m``
    (``benchmarks.ledger``), the panel's figures against the raw DuckDB floor, its whole load on
    a period change, the 整改问题 list opening, and the measuring process's memory."""
    from . import ledger

    sec = "ledger"
    if env.args.size == "smoke" and not env.args.only:
        # The test suite runs this measurement at smoke size in a test of its own
        # (tests/test_ledger_bench.py), so the whole suite's smoke run stays in its time.
        return []
    size = env.args.size if env.args.size in ledger.SIZES else "1m"  # 10m: the same 1M work items
    try:
        res = ledger.run(size, scale_store.STORES, env.runs)
    except Exception as exc:  # noqa: BLE001
        return [error_row(sec, "ledger: build or measure", exc)]
    o = res["open_items"]
    return ledger_rows(
        sec,
        res,
        f"ledger figures: period, previous, year to date ({res['rows']['work_items']:,} work items)",
        [
            ("panel_period", "ledger panel: period change", CONTEXT_CHANGE_S),
            (
                "list_rectify",
                f"ledger list opens: 整改问题 ({o['total']:,} open, {o['overdue']:,} overdue)",
                LIST_OPEN_S,
            ),
        ],
        "peak memory: ledger measuring process",
    )


# Measurements on stores of their own (built by their module): run alone (``--only``), they
# need no hotline scale store, so none is built.
OWN_STORES = {"bench_enforcement", "bench_training", "bench_ledger"}

# The suite, in order. A new measurement is a function here (Env -> rows).
BENCHES: list[Callable[[Env], list[Row]]] = [
    bench_panel_queries,
    bench_roles,
    bench_open_list,
    bench_context_changes,
    bench_review,
    bench_current_state,
    bench_memory,
    bench_cold_start,
    bench_import,
    bench_big_import,
    bench_report,
    bench_report_preview,
    bench_grid_map,
    bench_enforcement,
    bench_ledger,
    bench_training,
]


# -- output ------------------------------------------------------------------------------------------
def _fmt(v: float | None, unit: str = "s") -> str:
    if v is None:
        return ""
    if unit == "MB":
        return f"{v:.0f} MB"
    return f"{v * 1000:.0f} ms" if v < 1 else f"{v:.2f} s"


def _fmt_ms(v: float | None, unit: str = "s") -> str:
    if v is None:
        return ""
    if unit == "MB":
        return f"{v:.0f} MB"
    if v < 0.1:
        return f"{v * 1000:.1f} ms"
    return f"{v * 1000:.0f} ms" if v < 1 else f"{v:.2f} s"


def _x(v: float | None) -> str:
    return "" if v is None else (f"{v:.2f}x" if v < 10 else f"{v:.0f}x")


HEAD = ("measurement", "fazhi-tui", "floor", "×floor", "pandas", "pandas÷", "target", "status")


def table_rows(rows: list[Row]) -> list[tuple[str, ...]]:
    out = []
    for r in rows:
        out.append(
            (
                r.name,
                _fmt_ms(r.value, r.unit),
                _fmt_ms(r.floor),
                _x(ratio(r.value, r.floor)),
                _fmt_ms(r.pandas),
                _x(ratio(r.pandas, r.value)),
                ", ".join(c.target for c in r.checks),
                r.status,
            )
        )
    return out


def render_text(rows: list[Row], header: str) -> str:
    from rich.cells import cell_len

    cells = table_rows(rows)
    widths = [max([cell_len(h)] + [cell_len(c[i]) for c in cells]) for i, h in enumerate(HEAD)]

    def line(values) -> str:
        parts = []
        for i, v in enumerate(values):
            pad = " " * (widths[i] - cell_len(v))
            parts.append(v + pad if i in (0, 6, 7) else pad + v)
        return "  ".join(parts).rstrip()

    text = [header, "", line(HEAD), "  ".join("-" * w for w in widths)]
    current = None
    for r, c in zip(rows, cells, strict=False):
        if r.section != current:
            current = r.section
            text.append(f"[{current}]")
        text.append(line(c))
        if r.note:
            text.append(" " * 4 + r.note)
    return "\n".join(text)


def render_markdown(rows: list[Row], header: str) -> str:
    cells = table_rows(rows)
    lines = [header, "", "| " + " | ".join(HEAD + ("note",)) + " |", "|" + "---|" * (len(HEAD) + 1)]
    current = None
    for r, c in zip(rows, cells, strict=False):
        if r.section != current:
            current = r.section
            lines.append(f"| **{current}** |" + " |" * len(HEAD))
        vals = [v.replace("|", "\\|") for v in c + (r.note,)]
        lines.append("| " + " | ".join(vals) + " |")
    return "\n".join(lines)


class LoadMonitor:
    """Samples the 1-minute load average every 2 s while the suite runs: the machine may be
    shared (other sessions' tests), and a reader should know how quiet it was."""

    def __init__(self) -> None:
        import threading

        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(2.0):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def describe(self) -> dict:
        s = sorted(self.samples) or [os.getloadavg()[0]]
        return {
            "median": statistics.median(s),
            "max": s[-1],
            "samples": len(s),
            "text": f"median {statistics.median(s):.1f}, max {s[-1]:.1f}",
        }


def machine() -> dict:
    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        info["nproc"] = int(subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip())
    except (OSError, ValueError):
        pass
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        free = subprocess.run(["free", "-g"], capture_output=True, text=True).stdout.splitlines()
        info["mem_total_gib"] = int(free[1].split()[1])
        info["free_g"] = free[1]
    except (OSError, IndexError, ValueError):
        pass
    for mod in ("duckdb", "pyarrow", "pandas", "textual"):
        try:
            info[mod] = __import__(mod).__version__
        except ImportError:
            info[mod] = None
    return info


# -- main -----------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    p.add_argument("--size", choices=sorted(SIZES), default="smoke")
    p.add_argument("--runs", type=int, default=0, help="timed runs per measurement (default: by size)")
    p.add_argument("--variants", default=",".join(VARIANTS), help="recent,uniform (the edited 1%%: recent or spread)")
    p.add_argument("--only", action="append", default=[], help="run only the BENCHES whose name contains this")
    p.add_argument("--out", help="JSON output path (default benchmarks/out/<date>-<size>.json)")
    p.add_argument("--stores", help="where scale stores are built and cached (default benchmarks/.stores)")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    if args.stores:
        scale_store.STORES = Path(args.stores).resolve()
    started = dt.datetime.now()
    t0 = time.perf_counter()
    selected = [b for b in BENCHES if not args.only or any(o in b.__name__ for o in args.only)]
    own_only = all(b.__name__ in OWN_STORES for b in selected)
    stores: dict[str, Path] = {}
    csv = Path()
    if not own_only:
        if not args.quiet:
            print(f"building or reusing the {args.size} stores in {scale_store.STORES} …", flush=True)
        # Built in a process of its own: the builder's memory must not be this process's, which
        # starts every measured process.
        build = subprocess.run(
            [sys.executable, "-m", "benchmarks.scale_store", "--size", args.size, "--stores", str(scale_store.STORES)]
            + (["--quiet"] if args.quiet else []),
            cwd=REPO,
            env=child_env(),
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        built = json.loads(build.stdout.strip().splitlines()[-1])
        if not args.quiet:
            print("\n".join(build.stdout.strip().splitlines()[:-1]), flush=True)
        variants = [v for v in args.variants.split(",") if v]
        stores = {v: Path(built["stores"][v]) for v in variants}
        if "uniform" in variants and UNFOLDED in built["stores"]:
            stores[UNFOLDED] = Path(built["stores"][UNFOLDED])
        csv = Path(built["csv"])
    precompile()
    rows: list[Row] = []
    monitor = LoadMonitor()
    with tempfile.TemporaryDirectory(prefix="fazhi-bench-") as tmp:
        env = Env(args, stores, csv, Path(tmp))
        for bench in selected:
            try:
                rows += bench(env)
            except Exception as exc:  # noqa: BLE001  (a broken measurement is a row, not a crash)
                rows.append(error_row(bench.__name__, bench.__name__, exc))
    monitor.stop()
    info = machine()
    info["load_average_1min"] = monitor.describe()
    size = SIZES[args.size]
    info_stores = {v: scale_store.store_info(stores[v]) for v in stores if v != "report"}
    what = (
        f"{', '.join(b.__name__.removeprefix('bench_') for b in selected)} on stores of their own (no hotline store)"
        if own_only
        else f"{size.rows:,} hotline tickets, 13 townships, {scale_store.FIRST_DAY}..{TODAY}, 1% edited (recent: the "
        f"last six weeks' tickets; uniform: anywhere); figures for {TOWN}, {YEAR}"
    )
    header = (
        f"fazhi-tui benchmarks, size {args.size}: {what}; median of {args.runs or size.runs} runs\n"
        f"{started:%Y-%m-%d %H:%M}, {info.get('nproc')} cores ({info.get('cpu', '?')}), {info.get('mem_total_gib', '?')} GiB RAM, "
        f"Python {info['python']}, DuckDB {info.get('duckdb')}, pandas {info.get('pandas')}; suite took "
        f"{time.perf_counter() - t0:.0f} s; 1-min load average during the run {info['load_average_1min']['text']} "
        f"(the suite alone keeps it near 1-2; more means other work shared the cores)"
    )
    print()
    print(render_text(rows, header))
    print(
        f"\n{sum(r.status == 'PASS' for r in rows)} PASS, {sum(r.status == 'MISS' for r in rows)} MISS, "
        f"{sum(r.status == 'NOT BUILT' for r in rows)} NOT BUILT, {sum(r.status in ('ERROR', 'MISMATCH') for r in rows)} ERROR"
    )
    out = Path(args.out) if args.out else OUT / f"{started:%Y-%m-%d}-{args.size}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "size": args.size,
        "rows_in_store": size.rows,
        "started": started.isoformat(timespec="seconds"),
        "today": TODAY.isoformat(),
        "town": TOWN,
        "year": YEAR,
        "machine": info,
        "stores": info_stores,
        "elapsed_s": time.perf_counter() - t0,
        "results": [asdict(r) for r in rows],
    }
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str), "utf-8")
    out.with_suffix(".md").write_text(render_markdown(rows, header.replace("\n", "  \n")) + "\n", "utf-8")
    print(f"JSON: {out}")
    return 1 if any(r.status in ("ERROR", "MISMATCH") for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
