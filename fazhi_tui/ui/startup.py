"""What the dashboard must know before its first panel can load, found while the screen starts.

Opening the dashboard needs the store's views over the tables it reads first (each table's
files listed and their footers read), the period it opens on and the grid list. None
of it needs the screen, so ``start_runtime`` opens the store and starts those queries in a
thread at once: they run (mostly inside DuckDB, which leaves Python's lock free) while Textual
is imported and the app builds and mounts its widgets, and the shell takes the answer when it
needs it. The app computes the same answer itself when it is not handed one (tests).

Python's cyclic garbage collector is held off meanwhile (``GcHold``): start-up makes a few
hundred thousand long-lived objects (modules, classes, widgets) and little garbage, yet every
full collection walks all of them again: 0.14 s (grid map first) to 0.4 s (hotline first) of
collections before the first panel showed, at 10M tickets. Once it shows, the shell lets one
collection run when the screen is idle and freezes what is left (the program's modules,
classes and app, which live as long as the process), so later collections skip them too.

No Textual here: the CLI imports this before the screen.
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..context import Grid
from ..period import Period, opening_period, period_condition
from ..runtime import Runtime, open_runtime
from ..store import Store
from ..store.views import qident


@dataclass(frozen=True)
class StartupInfo:
    """The shell's context before any panel loads."""

    period: Period  # the period the dashboard opens on
    grids: list[Grid]  # for the picker and the palette


def query_grids(store: Store) -> list[Grid]:
    if "grids" not in store.specs:
        return []
    rows = store.query(f"SELECT code, name, village FROM {qident('grids')} ORDER BY code").to_pylist()
    return [Grid(r["code"], r["name"] or r["code"], r["village"] or "") for r in rows]


def unreadable_files(store: Store) -> dict[str, int]:
    """Table label -> how many of its files the store skips (unreadable, wrong schema).

    Not part of the start-up: it lists and views every table, where the first panel needs only
    its own; the shell asks once that panel is on screen."""
    bad = {}
    for name, spec in store.specs.items():
        count = len(store.files(name).bad)
        if count:
            bad[spec.label] = count
    return bad


def opening_year(store: Store, today: dt.date) -> Period:
    """``opening_period``'s answer, found sooner in the usual case: whether this year holds any
    record at all is a query that stops at the first row it finds, where ``opening_period``
    looks for the latest date below the year's end over every row (0.1–0.2 s against 0.2–0.9 s
    at 10M tickets). Only when this year has none does it look for the latest year."""
    this_year = Period.year(today.year)
    for spec in store.specs.values():
        if spec.period_column is None:
            continue
        # The same bounds as every panel's filter, so "this year has data" means what they show.
        cond, params = period_condition(spec, spec.period_column, this_year.start, this_year.end)
        if store.query(f"SELECT 1 AS hit FROM {qident(spec.name)} WHERE {cond} LIMIT 1", params).num_rows:
            return this_year
    return opening_period(store, today)


def startup_info(store: Store, today: dt.date) -> StartupInfo:
    # The first query makes every table's views (the bulk of the work); the rest reuse them.
    period = opening_year(store, today)
    return StartupInfo(period, query_grids(store))


class GcHold:
    """The cyclic garbage collector off from now until ``release`` (see the module)."""

    def __init__(self) -> None:
        self._enabled = gc.isenabled()
        self._held = True
        gc.disable()

    def release(self, settle: bool = False) -> None:
        """Turn the collector back on (once). ``settle``: first collect the start-up's garbage
        and freeze the survivors (the app is idle then). Frozen objects are never collected
        again: should a few of them (a start-up notice, say) later become garbage cycles, they
        stay, which costs kilobytes, once."""
        if not self._held:
            return
        self._held = False
        if settle:
            gc.collect()
            gc.freeze()
        if self._enabled:
            gc.enable()


class Startup:
    """``startup_info`` in a thread of its own, started at once; ``result()`` waits for it.

    ``hold``: the garbage collector held off for the start-up; ``settle`` ends that."""

    def __init__(self, store: Store, today: dt.date, hold: GcHold | None = None) -> None:
        self._hold = hold
        self._future: Future[StartupInfo] = Future()
        self._thread = threading.Thread(target=self._run, args=(store, today), name="fazhi-startup", daemon=True)
        self._thread.start()

    def _run(self, store: Store, today: dt.date) -> None:
        try:
            self._future.set_result(startup_info(store, today))
        except BaseException as exc:  # handed to whoever waits: the shell shows it as a notice
            self._future.set_exception(exc)

    def result(self) -> StartupInfo:
        return self._future.result()

    def ready(self) -> bool:
        """The answer is in and is not an error: ``result()`` returns it at once."""
        return self._future.done() and self._future.exception() is None

    def settle(self) -> None:
        """The first screen is up and idle: the collector runs again (see ``GcHold``)."""
        if self._hold is not None:
            self._hold.release(settle=True)

    def wait(self) -> None:
        """Until the thread is done (so the store is not closed under its queries); the
        collector runs again whatever happened."""
        self._thread.join()
        if self._hold is not None:
            self._hold.release()


@dataclass
class StartedRuntime:
    """The dashboard's runtime with its start-up queries already running."""

    runtime: Runtime
    startup: Startup

    def close(self) -> None:
        self.startup.wait()
        self.runtime.close()


def start_runtime(cfg: Config, store_path: Path, today: dt.date) -> StartedRuntime:
    """Plugins, tables and the store, then the start-up queries in a thread (see the module)."""
    hold = GcHold()  # before the plugins and the store: their objects are most of start-up's
    try:
        rt = open_runtime(cfg, store_path)
    except BaseException:
        hold.release()
        raise
    try:
        return StartedRuntime(rt, Startup(rt.opened(), today, hold))
    except BaseException:
        hold.release()
        rt.close()
        raise
