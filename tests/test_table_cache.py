"""TableCache (fazhi_tui.api): results kept per state of the tables' files, never served stale."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from fazhi_tui.api import TableCache


def row(no: str) -> dict:
    return {"case_no": no, "found_on": dt.date(2026, 3, 1), "grid": "G1", "action": "劝阻"}


def count_cases(store) -> int:
    return store.count("cases")


def test_a_result_is_kept_until_its_table_is_written(store):
    cache: TableCache[int] = TableCache("cases")
    calls = []

    def compute() -> int:
        calls.append(1)
        return count_cases(store)

    store.append("cases", [row("A1")])
    assert cache.get(store, "n", compute) == 1
    assert cache.get(store, "n", compute) == 1
    assert len(calls) == 1
    store.append("cases", [row("A2")])  # any write changes the files, and so the key
    assert cache.get(store, "n", compute) == 2
    assert len(calls) == 2


def test_a_write_to_another_table_keeps_the_result(store):
    cache: TableCache[int] = TableCache("cases")
    calls = []
    store.append("cases", [row("A1")])
    cache.get(store, "n", lambda: calls.append(1) or 1)
    store.append("notes", [{"note_id": "N1", "text": "无关"}])
    cache.get(store, "n", lambda: calls.append(1) or 1)
    assert len(calls) == 1


def test_keys_and_size(store):
    cache: TableCache[str] = TableCache("cases", size=2)
    for key in ("a", "b", "c"):
        cache.get(store, key, lambda key=key: key.upper())
    assert len(cache) == 2
    calls = []
    assert cache.get(store, "a", lambda: calls.append(1) or "again") == "again"  # the oldest went
    assert cache.get(store, "c", lambda: calls.append(1) or "new") == "C"
    assert len(calls) == 1
    cache.clear()
    assert len(cache) == 0


def test_two_threads_asking_at_once_compute_once(store):
    cache: TableCache[int] = TableCache("cases")
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow() -> int:
        calls.append(1)
        started.set()
        release.wait(timeout=60)
        return 7

    results = []
    first = threading.Thread(target=lambda: results.append(cache.get(store, "k", slow)))
    first.start()
    assert started.wait(timeout=60)
    second = threading.Thread(target=lambda: results.append(cache.get(store, "k", slow)))
    second.start()
    release.set()
    first.join(timeout=60)
    second.join(timeout=60)
    assert results == [7, 7] and len(calls) == 1


def test_a_failed_computation_is_not_kept(store):
    cache: TableCache[int] = TableCache("cases")

    def boom() -> int:
        raise RuntimeError("读不到")

    with pytest.raises(RuntimeError):
        cache.get(store, "k", boom)
    assert cache.get(store, "k", lambda: 3) == 3


def test_it_needs_a_table():
    with pytest.raises(ValueError):
        TableCache()
