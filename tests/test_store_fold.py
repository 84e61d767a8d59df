"""Folding (store/fold.py): a partial compaction that rewrites only the months a delta touches,
and the store's own policy that folds after writes."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import time

import pytest

from fazhi_tui.store import Store
from fazhi_tui.store import fold as fold_mod
from fazhi_tui.store.check import check_store
from fazhi_tui.store.compact import compact
from fazhi_tui.store.fold import fold_due

from .store_specs import SPECS
from .store_worker import AGGREGATE
from .test_store import run_worker


def case(no: str, day: dt.date, amount: int = 1, **kw) -> dict:
    row = {"case_no": no, "found_on": day, "grid": "G01", "action": "劝阻", "amount": amount}
    row.update(kw)
    return row


def year_of_cases(store: Store, year: int, n: int = 120) -> None:
    """n cases spread over the twelve months of ``year``, compacted into a base."""
    store.append("cases", [case(f"{year}-{i:04d}", dt.date(year, 1 + i % 12, 1 + i % 28), amount=i) for i in range(n)])


def snapshot(store: Store) -> tuple:
    cur = store.query("SELECT * EXCLUDE (_at) FROM cases ORDER BY case_no").to_pylist()
    hist = store.query("SELECT * EXCLUDE (_at) FROM cases_history ORDER BY _id, _rev").to_pylist()
    return cur, hist


def inode_by_month(store: Store) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    tf = store.files("cases")
    for p in tf.current_files:
        month = "/".join(part for part in p.relative_to(tf.gen_path / "current").parts[:-1])
        out.setdefault(month, set()).add(os.stat(p).st_ino)
    return out


@pytest.fixture
def base(tmp_path):
    s = Store.open(tmp_path / "store", SPECS, create=True, user="测试员", auto_fold=False)
    year_of_cases(s, 2022)
    year_of_cases(s, 2023)
    compact(s, ["cases"])
    yield s
    s.close()


def test_fold_rewrites_only_touched_months_and_keeps_every_answer(base):
    before_inodes = inode_by_month(base)
    assert len(before_inodes) == 24  # year=…/month=… partitions
    # An edit of a March 2022 case, a deletion in July 2023, a new case in a month with no data
    # yet, and a case moved from January to December 2023.
    base.update("cases", "2022-0002", {"amount": 5000}, expected_rev=1)
    base.delete("cases", "2023-0006", expected_rev=1)
    base.append("cases", [case("NEW-1", dt.date(2024, 2, 2), amount=7)])
    base.update("cases", "2023-0000", {"found_on": dt.date(2023, 12, 30)}, expected_rev=1)
    expected = snapshot(base)

    result = base.fold("cases")

    assert result.gen == 2 and result.folded_files == 4 and not result.skipped
    assert snapshot(base) == expected
    tf = base.files("cases")
    assert tf.delta_files == []
    after = inode_by_month(base)
    touched = {"year=2022/month=3", "year=2023/month=7", "year=2023/month=1", "year=2023/month=12", "year=2024/month=2"}
    assert set(after) == set(before_inodes) | {"year=2024/month=2"}
    for month, inodes in after.items():
        if month in touched:
            assert not inodes & before_inodes.get(month, set()), f"{month} should be rewritten"
        else:
            assert inodes == before_inodes[month], f"{month} should be shared, not rewritten"
    manifest = json.loads((tf.gen_path / "manifest.json").read_text("utf-8"))
    assert manifest["kind"] == "fold" and manifest["records"] == base.count("cases") == 240
    assert manifest["versions"] == 240 + 4
    assert "4 个版本文件" in result.describe() and "重写 4 个基础文件，沿用 20 个" in result.describe()
    assert check_store(base).ok
    # The deleted case is a tombstone now, and history kept all four new versions.
    assert base.get("cases", "2023-0006") is None
    assert base.history("cases", "2023-0006").column("_op").to_pylist() == ["put", "delete"]


def test_edits_after_a_fold_and_a_full_compaction_still_agree(base):
    base.update("cases", "2022-0004", {"amount": 1}, expected_rev=1)
    base.fold("cases")
    base.update("cases", "2022-0004", {"amount": 2}, expected_rev=2)
    base.delete("cases", "2022-0005", expected_rev=1)
    base.append("cases", [case("2022-0005", dt.date(2022, 6, 1))])  # added again after its deletion
    expected = snapshot(base)
    base.fold("cases")
    assert snapshot(base) == expected
    compact(base, ["cases"])
    assert snapshot(base) == expected
    assert check_store(base).ok


def test_fold_of_a_table_without_generation_or_period_is_a_full_compaction(tmp_path):
    s = Store.open(tmp_path / "s", SPECS, create=True, user="测试员", auto_fold=False)
    s.append("notes", [{"note_id": "1", "text": "甲"}])
    s.update("notes", "1", {"text": "乙"}, expected_rev=1)
    r = s.fold("notes")
    assert r.gen == 1 and r.rewritten is None
    assert s.get("notes", "1")["text"] == "乙" and s.files("notes").delta_files == []
    s.close()


def test_policy_folds_when_the_delta_touches_many_rows_or_files(base, monkeypatch):
    spec = base.spec("cases")
    base.update("cases", "2022-0002", {"amount": 9}, expected_rev=1)
    assert fold_due(spec, base.files("cases")) is None  # one month of a small store: not worth it
    monkeypatch.setattr(fold_mod, "FOLD_TOUCHED_MIN", 10)
    plan = fold_due(spec, base.files("cases"))
    assert plan is not None and plan.touched_rows == 10 and "10 条需比对" in plan.reason
    monkeypatch.setattr(fold_mod, "FOLD_TOUCHED_MIN", 10_000)
    monkeypatch.setattr(fold_mod, "FOLD_DELTA_FILES", 3)
    base.append("cases", [case("X1", dt.date(2024, 1, 1))])
    assert fold_due(spec, base.files("cases")) is None
    base.append("cases", [case("X2", dt.date(2024, 1, 2))])
    assert "文件较多" in fold_due(spec, base.files("cases")).reason
    monkeypatch.setattr(fold_mod, "FOLD_DELTA_FILES", 100)
    monkeypatch.setattr(fold_mod, "FOLD_DELTA_ROWS", 3)
    assert "版本较多" in fold_due(spec, base.files("cases")).reason


def test_store_folds_by_itself_after_a_write_that_makes_it_due(tmp_path, monkeypatch):
    monkeypatch.setattr(fold_mod, "FOLD_DELTA_FILES", 4)
    s = Store.open(tmp_path / "store", SPECS, create=True, user="测试员")
    year_of_cases(s, 2023)
    compact(s, ["cases"])
    for i in range(3):
        s.append("cases", [case(f"N{i}", dt.date(2024, 1, 1 + i))])
    s.settle()
    assert s.folds == [] and len(s.files("cases").delta_files) == 3
    s.append("cases", [case("N3", dt.date(2024, 1, 9))])
    s.settle()
    assert len(s.folds) == 1 and s.folds[0].gen == 2 and s.fold_errors == []
    assert s.files("cases").delta_files == [] and s.count("cases") == 124
    s.close()


def test_a_reader_gets_identical_answers_while_folds_run(tmp_path, monkeypatch):
    s = Store.open(tmp_path / "store", SPECS, create=True, user="测试员", auto_fold=False)
    for y in (2021, 2022, 2023):
        year_of_cases(s, y, 400)
    compact(s, ["cases"])
    s.update("cases", "2021-0001", {"amount": 99}, expected_rev=1)
    expected = s.query(AGGREGATE).to_pylist()[0]
    out, stop = tmp_path / "answers.jsonl", tmp_path / "stop"
    reader = run_worker(s.root, "read", out, stop, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    # Wait for the reader's first answer on its output, not on a clock.
    while not out.exists() or not out.read_text().strip():
        assert reader.poll() is None, reader.stdout.read().decode()
        time.sleep(0.02)  # polling for the file, not a timing assumption
    for k in range(4):
        # New versions that change no value, in a different month each time.
        ids = [f"{2021 + k % 3}-{i:04d}" for i in range(k, 400, 12)]
        same = s.query(
            "SELECT * EXCLUDE (_id, _rev, _op, _at, _by) FROM cases WHERE case_no IN (SELECT unnest(?))", [ids]
        ).to_pylist()
        revs = {r["case_no"]: s.get("cases", r["case_no"])["_rev"] for r in same}
        s.save("cases", same, revs)
        s.fold("cases")
    assert reader.poll() is None, "the reader should still be reading while folds ran"
    stop.touch()
    assert reader.wait(timeout=120) == 0
    answers = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(answers) >= 2 and all(a == expected for a in answers)
    assert s.files("cases").gen == 5
    s.close()


def test_a_clerk_may_fold_a_table_they_may_write_and_a_viewer_may_not(base):
    from fazhi_tui.access import CLERK, VIEWER, Access, AccessError, Policy

    base.update("cases", "2022-0003", {"amount": 3}, expected_rev=1)
    clerk = Store.open(base.root, SPECS, access=Access("李四", CLERK, Policy(clerk_tables=frozenset({"cases"}))))
    assert clerk.fold("cases").gen == 2
    clerk.close()
    base.update("cases", "2022-0003", {"amount": 4}, expected_rev=2)
    viewer = Store.open(base.root, SPECS, access=Access("赵六", VIEWER, Policy()))
    with pytest.raises(AccessError):
        viewer.fold("cases")
    viewer.close()
    assert base.files("cases").gen == 2 and len(base.files("cases").delta_files) == 1


def test_the_first_fold_of_a_table_makes_its_first_generation_month_by_month(tmp_path):
    s = Store.open(tmp_path / "store", SPECS, create=True, user="测试员", auto_fold=False)
    year_of_cases(s, 2023, 60)
    s.append("cases", [case("X", dt.date(2024, 2, 29))])
    s.delete("cases", "2023-0001", expected_rev=1)
    expected = snapshot(s)
    r = s.fold("cases")
    assert r.gen == 1 and r.rewritten == 0 and not r.skipped
    assert snapshot(s) == expected
    tf = s.files("cases")
    months = sorted(str(p.relative_to(tf.gen_path / "current").parent) for p in tf.current_files)
    assert months[0] == "year=2023/month=1" and "year=2024/month=2" in months and len(months) == 13
    # History keeps year folders, a file per month of versions.
    assert sorted({str(p.relative_to(tf.gen_path / "history").parent) for p in tf.history_files}) == [
        "year=2023",
        "year=2024",
    ]
    assert len(tf.history_files) == 13
    assert check_store(s).ok
    s.close()
