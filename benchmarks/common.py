"""What the measuring processes share: timing, peak memory, the dashboard's context, and the
results of each figure in a plain form that the pandas implementation is checked against."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import resource
import statistics
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .scale_store import TODAY, TOWN, YEAR

os.environ.setdefault("FAZHI_TODAY", TODAY.isoformat())

# The grid the "grid change" measurements pick: the town seat's (镇区网格).
GRID_CODE = "41042110800101"


def peak_rss_mb() -> float:
    """This process's peak resident set so far, in MB.

    From ``VmHWM`` in /proc/self/status: the high-water mark of this program's own memory. Not
    ``getrusage``'s ``ru_maxrss``, which on Linux carries the parent's peak into a child that
    Python starts with vfork+exec (the old address space at exec is the parent's), so every
    measured process would report at least the peak of the process that started it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], Any], runs: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def paired(a: Callable[[], Any], b: Callable[[], Any], runs: int) -> tuple[list[float], list[float]]:
    """``a`` and ``b`` timed alternately (ABBA: a b, b a, a b …) after one warm-up of each, so a
    change in the machine's load falls on both; (a's times, b's times)."""
    a(), b()
    ta: list[float] = []
    tb: list[float] = []
    for i in range(runs):
        for fn, out in ((a, ta), (b, tb)) if i % 2 == 0 else ((b, tb), (a, ta)):
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
    return ta, tb


@contextlib.contextmanager
def recording(store: Any) -> Iterator[list[tuple[str, Any]]]:
    """Within the block, every ``store.query`` (SQL and parameters) is appended to the list
    yielded: the SQL a plugin sent, for the floor to run on the raw files."""
    log: list[tuple[str, Any]] = []
    original = store.query

    def query(sql: str, params: Any = None) -> Any:
        log.append((sql, params))
        return original(sql, params)

    store.query = query
    try:
        yield log
    finally:
        store.query = original


def floor_sources(store: Any, tables: Iterable[str]) -> dict[str, str]:
    """``read_parquet([...])`` over each table's compacted ``current`` files (the delta ignored)."""
    out = {}
    for t in tables:
        files = [str(p) for p in store.files(t).current_files]
        out[t] = "read_parquet([" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "])"
    return out


def rewrite_for_floor(log: list[tuple[str, Any]], sources: dict[str, str]) -> list[tuple[str, Any]]:
    """The recorded SQL with each table's name after FROM or JOIN replaced by its raw files."""
    names = "|".join(re.escape(t) for t in sources)
    pattern = re.compile(rf"\b(FROM|JOIN)\s+(\"?)({names})\2(?![\w])", re.I)
    return [(pattern.sub(lambda m: f"{m.group(1)} {sources[m.group(3).lower()]}", q), p) for q, p in log]


def summary(times: list[float]) -> dict:
    return {
        "median": statistics.median(times) if times else None,
        "min": min(times) if times else None,
        "max": max(times) if times else None,
        "runs": [round(t, 6) for t in times],
    }


def open_dashboard_store(store_path: Path, role: str | None = None):
    """The store as ``fazhi-tui`` opens it: the config's plugins, their tables, the OS user;
    with ``role``, opened as a user of that role would open it (a viewer's views are masked)."""
    from fazhi_tui.config import Config
    from fazhi_tui.runtime import open_runtime
    from fazhi_tui.store import Store
    from fazhi_tui.store.access import Access, Policy

    rt = open_runtime(Config(town=TOWN), Path(store_path))
    if role:
        user = rt.store.user
        rt.store.close()
        access = Access(user, role, Policy(clerk_tables=frozenset({"*"})))
        rt.store = Store.open(Path(store_path), rt.specs, access=access)
    return rt


def make_context(store, *, year: int = YEAR, grid=None, settings: dict | None = None, review_checks: tuple = ()):
    from fazhi_tui.api import Context, Period

    return Context(
        store=store,
        period=Period.year(year),
        today=TODAY,
        grid=grid,
        user=store.user,
        role=store.access.role_label,
        town=TOWN,
        settings=settings or {},
        review_checks=review_checks,
    )


def the_grid(store):
    from fazhi_tui.api import Grid

    row = store.query("SELECT code, name, village FROM grids WHERE code = ?", [GRID_CODE]).to_pylist()[0]
    return Grid(row["code"], row["name"], row["village"] or "")


# -- what a panel runs on a refresh -----------------------------------------------------------------
def dashboard_panels(rt) -> list[tuple[str, str, Callable[[Any], Any]]]:
    """(panel name, plugin, load) of every panel the dashboard shows, in its order, each made by
    its factory as the shell makes it. ``Panel.load(ctx)`` is exactly what the panel's worker
    runs on a period or grid change (off the UI thread, touching no widget), so it can be
    called on a panel that is not mounted. A plugin that registers no panel (the hotline's, before
    its ``panel.py`` landed) is measured through the queries its panel would run."""
    out = []
    for contrib in rt.plugins.panels():
        spec = contrib.value
        try:
            load = spec.factory().load
        except Exception as exc:  # noqa: BLE001

            def load(ctx, exc=exc, name=spec.name):
                raise RuntimeError(f"panel {name} cannot be made: {exc}")

        out.append((spec.name, contrib.plugin, load))
    if not any(plugin == "fazhi_hotline" for _, plugin, _ in out):
        out.append(("hotline", "fazhi_hotline", hotline_queries))
    return out


def hotline_queries(ctx) -> Any:
    """What issue 5's panel shows, in one thread: figures, trend, both breakdowns, the quarterly
    rank, the open list's first page with its counts."""
    from fazhi_hotline import queries as Q

    return (
        Q.figures(ctx),
        Q.monthly_trend(ctx),
        Q.category_breakdown(ctx),
        Q.grid_breakdown(ctx),
        Q.quarter_ranks(ctx),
        Q.open_tickets(ctx),
    )


# -- results in plain form --------------------------------------------------------------------------
def _plain(v: Any) -> Any:
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    if isinstance(v, float):
        return round(v, 6)
    return v


def canonical(name: str, result: Any) -> Any:
    """The result of a figure as JSON-able data, to compare implementations."""
    if name == "figures":
        import dataclasses

        return {
            "current": dataclasses.asdict(result.current),
            "previous": dataclasses.asdict(result.previous) if result.previous is not None else None,
        }
    if name == "overview":
        return {
            "figures": canonical("figures", result.figures),
            "monthly_trend": canonical("monthly_trend", result.trend),
            "category_breakdown": canonical("category_breakdown", result.categories),
            "grid_breakdown": canonical("grid_breakdown", result.grids),
        }
    if name in ("monthly_trend", "category_breakdown", "grid_breakdown"):
        return [{k: _plain(v) for k, v in r.items()} for r in result.to_pylist()]
    if name == "quarter_ranks":
        return [{"quarter": r.quarter, "rank": r.rank, "towns": r.towns, "score": _plain(r.score)} for r in result]
    if name.startswith("open_tickets"):
        return {
            "total": result.total,
            "overdue": result.overdue,
            "due_soon": result.due_soon,
            "first_page": result.rows.column("ticket_no").to_pylist(),
        }
    if name == "review":  # the daily review's queue (fazhi_review.queue.Queue)
        return {"open": result.open_count(), "keys": [e.key for e in result.entries]}
    raise KeyError(name)


def write_json(path: Path, data: Any) -> None:
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), "utf-8")


def measure_in_process(module: str, root: Path, runs: int, result: Path) -> dict:
    """``python -m MODULE --measure ROOT``: a ledger benchmark's measuring process, fresh, so
    that the building process's memory is not in its peak; returns the JSON it writes."""
    import json
    import subprocess
    import sys

    subprocess.run(
        [sys.executable, "-m", module, "--measure", str(root), "--runs", str(runs), "--out", str(result)],
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return json.loads(result.read_text("utf-8"))
