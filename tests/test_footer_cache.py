"""The footers a run read are kept in the user's cache and used by the next run while the files
are the same files (fazhi_tui/store/footer_cache.py)."""

from __future__ import annotations

import datetime as dt
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fazhi_tui.store import Store, footer_cache, scan
from fazhi_tui.store.compact import compact

from .store_specs import SPECS


def case(no: str, day: dt.date) -> dict:
    return {"case_no": no, "found_on": day, "grid": "G01", "action": "劝阻", "amount": 1}


@pytest.fixture
def written(tmp_path):
    """A store with files of two batches and a fold, closed: its footers are in the cache."""
    root = tmp_path / "store"
    store = Store.open(root, SPECS, create=True, user="测试员")
    store.append("cases", [case("A1", dt.date(2023, 5, 6)), case("A2", dt.date(2024, 1, 2))])
    compact(store)  # a generation (month partitions), then a version in the log
    row = store.query("SELECT _id, _rev FROM cases WHERE case_no = 'A1'").to_pylist()[0]
    store.save("cases", [{**case("A1", dt.date(2023, 5, 6)), "amount": 7}], {row["_id"]: row["_rev"]})
    store.close()
    return root


def fresh_footers(root) -> dict:
    """Every Parquet file's footer read from the file itself, by relative path."""
    scan._footer_cache.clear()
    out = {}
    for path in sorted(root.rglob("*.parquet")):
        footer = scan.read_footer(path)
        if isinstance(footer, scan.Footer):
            out[str(path.relative_to(root))] = footer
    scan._footer_cache.clear()
    return out


def test_the_next_open_reads_no_footer_and_gets_the_same_ones(written, monkeypatch):
    path = footer_cache.cache_path(written)
    assert path.exists() and (path.stat().st_mode & 0o777) == 0o600
    assert (path.parent.stat().st_mode & 0o777) == 0o700
    expected = fresh_footers(written)
    assert expected and any(f.ranges for f in expected.values())

    def no_reading(*args, **kwargs):
        raise AssertionError("a footer was read from its file")

    monkeypatch.setattr(scan.pq, "read_metadata", no_reading)
    store = Store.open(written, SPECS, user="测试员")
    try:
        assert store.count("cases") == 2
        assert store.query("SELECT amount FROM cases WHERE case_no = 'A1'").column("amount").to_pylist() == [7]
        for name, footer in expected.items():
            cached = scan.read_footer(written / name)
            assert cached.schema.equals(footer.schema, check_metadata=True), name
            assert (cached.num_rows, cached.supersedes, cached.ranges) == (
                footer.num_rows,
                footer.supersedes,
                footer.ranges,
            ), name
    finally:
        monkeypatch.undo()
        store.close()


def test_a_changed_file_is_read_again(written):
    scan._footer_cache.clear()
    target = next(p for p in sorted(written.rglob("*.parquet")) if isinstance(scan.read_footer(p), scan.Footer))
    rows_before = scan.read_footer(target).num_rows
    table = pq.read_table(target)
    doubled = pa.concat_tables([table, table])
    scan._footer_cache.clear()
    stat = target.stat()
    pq.write_table(doubled, target)
    # Even with the old size and mtime put back, the file is another one (ctime, and here size).
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert footer_cache.load(written) >= 1  # the other files' entries still count
    assert scan.read_footer(target).num_rows == 2 * rows_before
    scan._footer_cache.clear()


@pytest.mark.parametrize("damage", ["garbage", "other_version", "group_writable", "bad_schema"])
def test_a_cache_that_is_not_trustworthy_is_ignored(written, damage):
    path = footer_cache.cache_path(written)
    data = json.loads(path.read_text("utf-8"))
    if damage == "garbage":
        path.write_bytes(b"\x00{not json")
    elif damage == "other_version":
        data["version"] = 99
        path.write_text(json.dumps(data), "utf-8")
    elif damage == "group_writable":
        path.chmod(0o620)
    else:
        for entry in data["files"].values():
            entry["schema"] = "bm90IGEgc2NoZW1h"
        path.write_text(json.dumps(data), "utf-8")
    scan._footer_cache.clear()
    assert footer_cache.load(written) == 0
    store = Store.open(written, SPECS, user="测试员")
    try:
        assert store.count("cases") == 2
    finally:
        store.close()
    scan._footer_cache.clear()
    if damage != "group_writable":  # a cache others may write is left alone, never rewritten
        assert footer_cache.load(written) > 0
