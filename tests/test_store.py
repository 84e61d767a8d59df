"""The store: versions, history, refusals, corrupt files, compaction, concurrency."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fazhi_tui.store import NotAStoreError, StaleRevisionError, Store, ValidationError, layout
from fazhi_tui.store.check import check_store, quarantine
from fazhi_tui.store.compact import compact

from .store_specs import SPECS
from .store_worker import AGGREGATE, rows

WORKER = str(Path(__file__).with_name("store_worker.py"))


def run_worker(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, WORKER, *map(str, args)], **kw)


def case(no: str, **kw) -> dict:
    row = {"case_no": no, "found_on": dt.date(2023, 5, 6), "grid": "G01", "action": "劝阻", "amount": 1}
    row.update(kw)
    return row


# -- versions and history ------------------------------------------------------------------------
def test_append_then_query_sees_rows_with_version_columns(store):
    store.append("cases", [case("A1"), case("A2", amount=5)])
    t = store.query("SELECT case_no, amount, _rev, _op, _by FROM cases ORDER BY case_no")
    assert t.to_pylist() == [
        {"case_no": "A1", "amount": 1, "_rev": 1, "_op": "put", "_by": "测试员"},
        {"case_no": "A2", "amount": 5, "_rev": 1, "_op": "put", "_by": "测试员"},
    ]


def test_edit_and_delete_append_versions_and_history_keeps_them(store):
    store.append("cases", [case("A1"), case("A2")])
    assert store.update("cases", "A1", {"amount": 7}, expected_rev=1) == 2
    store.delete("cases", "A2", expected_rev=1)
    assert store.query("SELECT case_no, amount, _rev FROM cases").to_pylist() == [
        {"case_no": "A1", "amount": 7, "_rev": 2}
    ]
    h1 = store.history("cases", "A1").to_pylist()
    assert [(v["_rev"], v["_op"], v["amount"]) for v in h1] == [(1, "put", 1), (2, "put", 7)]
    h2 = store.history("cases", "A2").to_pylist()
    assert [(v["_rev"], v["_op"]) for v in h2] == [(1, "put"), (2, "delete")]
    # A deleted key may be used again; its history continues.
    store.append("cases", [case("A2", amount=9)])
    assert store.get("cases", "A2")["_rev"] == 3


def test_stale_save_is_refused_naming_who_and_when(store):
    store.append("cases", [case("A1")])
    other = Store.open(store.root, SPECS, user="李四")
    other.update("cases", "A1", {"amount": 2}, expected_rev=1)
    with pytest.raises(StaleRevisionError) as err:
        store.update("cases", "A1", {"amount": 3}, expected_rev=1)
    msg = str(err.value)
    assert "李四" in msg and "第 2 版" in msg and "第 1 版" in msg
    assert store.get("cases", "A1")["amount"] == 2  # nothing overwritten
    other.close()


def test_a_blank_cell_is_what_trimming_would_leave_empty_for_every_character():
    """Required text is checked blank without trimming every cell: the same answer as trimming
    for each code point alone, for runs of whitespace, and for text around it."""
    import pyarrow.compute as pc

    from fazhi_tui.store.validate import blank_text

    one = pa.array([chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000])
    more = pa.array(["", "  ", "\u3000\u3000", "\t\n\r", "\u00a0 ", " a ", "\u3000张三", "\ufeff", None])
    for arr in (one, more, pa.chunked_array([more[:4], more[4:]])):
        trimmed = pc.equal(pc.utf8_trim_whitespace(arr), "")
        assert blank_text(arr).to_pylist() == trimmed.to_pylist()
    assert blank_text(more).to_pylist()[:6] == [True] * 5 + [False]


def test_validation_names_row_column_and_reason_and_writes_nothing(store):
    store.append("cases", [case("A1")])
    with pytest.raises(ValidationError) as err:
        store.append(
            "cases", [case("B1"), case("B2", action="罚款"), case("B3", found_on=None), case("B1"), case("A1")]
        )
    msg = str(err.value)
    assert "第 2 行，“处理方式”列：“罚款”不在代码表" in msg
    assert "第 3 行，“发现日期”列：必填" in msg
    assert "第 4 行，“案件编号”列：“B1”与第 1 行重复" in msg
    with pytest.raises(ValidationError) as err:
        store.append("cases", [case("B9"), case("A1")])
    assert "第 2 行，“案件编号”列：“A1”已存在" in str(err.value)
    with pytest.raises(ValidationError) as err:
        store.append("cases", [case("C1", amount="很多")])
    assert "“金额”列：值 '很多' 不是整数" in str(err.value)
    with pytest.raises(ValidationError, match="未知的列 colour"):
        store.append("cases", [case("C1", colour="red")])
    assert store.count("cases") == 1


def test_opening_a_folder_that_is_not_a_store_is_refused(tmp_path):
    with pytest.raises(NotAStoreError, match="不存在"):
        Store.open(tmp_path / "nowhere", SPECS)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("x")
    with pytest.raises(NotAStoreError, match="不是 fazhi-tui 数据目录"):
        Store.open(tmp_path / "docs", SPECS)
    with pytest.raises(NotAStoreError, match="不是空目录"):
        Store.open(tmp_path / "docs", SPECS, create=True)


# -- damaged and foreign files -------------------------------------------------------------------
def test_corrupt_file_in_one_table_breaks_no_other_and_check_names_it(store):
    store.append("cases", [case("A1")])
    store.append("notes", [{"note_id": "N1", "text": "好"}])
    bad = layout.log_dir(store.root, "notes") / layout.new_log_name()
    bad.write_bytes(b"PAR1 this is not parquet at all")
    fresh = Store.open(store.root, SPECS)
    assert fresh.count("cases") == 1  # the other table is untouched
    assert fresh.count("notes") == 1  # and the damaged table still reads its good files
    report = check_store(fresh)
    assert not report.ok
    assert any(p.path == bad and "不是可读的 Parquet" in p.message for p in report.errors)
    quarantine(fresh, report)
    assert not bad.exists()
    moved = [dest for src, dest in report.moved if src == bad]
    assert moved and moved[0].exists() and layout.QUARANTINE_DIR in moved[0].parts
    assert check_store(fresh).ok
    fresh.close()


def test_foreign_files_and_schema_drift_are_reported(store):
    store.append("cases", [case("A1")])
    (layout.log_dir(store.root, "cases") / "readme.txt").write_text("hi")
    drift = pa.table(
        {
            "_id": ["X"],
            "_rev": pa.array([1], pa.int32()),
            "_op": ["put"],
            "_at": pa.array([dt.datetime(2023, 1, 1, tzinfo=dt.UTC)], pa.timestamp("us", tz="UTC")),
            "_by": ["x"],
            "case_no": ["X"],
            "found_on": ["not a date"],
        }
    )
    drift_path = layout.log_dir(store.root, "cases") / layout.new_log_name()
    pq.write_table(drift, drift_path)
    no_meta = layout.log_dir(store.root, "cases") / layout.new_log_name()
    pq.write_table(pa.table({"case_no": ["Y"]}), no_meta)
    report = check_store(store)
    messages = {p.path: p.message for p in report.errors}
    assert "不属于本程序" in messages[layout.log_dir(store.root, "cases") / "readme.txt"]
    assert "发现日期" in messages[drift_path] and "应为 date32" in messages[drift_path]
    assert "缺少版本列" in messages[no_meta]
    assert store.count("cases") == 1


def test_dangling_references_are_reported(tmp_path, all_specs):
    s = Store.open(tmp_path / "s", all_specs, create=True)
    s.append("grids", [{"code": "G1", "name": "一网格", "kind": "综合", "village": "甲庄村", "head": "P9"}])
    s.append("people", [{"person_id": "P1", "name": "张三", "roles": ["网格员"], "grid": "G7"}])
    messages = [p.message for p in check_store(s).errors]
    assert any("“网格长”引用的 人员“P9”不存在" in m for m in messages)
    assert any("“网格”引用的 网格“G7”不存在" in m for m in messages)
    s.close()


# -- compaction ----------------------------------------------------------------------------------
def _snapshot(store) -> tuple:
    cur = store.query("SELECT * EXCLUDE (_at) FROM cases ORDER BY case_no").to_pylist()
    hist = store.query("SELECT * EXCLUDE (_at) FROM cases_history ORDER BY _id, _rev").to_pylist()
    return cur, hist


def test_compaction_folds_versions_and_keeps_answers_and_history(store):
    for b in range(5):
        store.append("cases", rows(f"B{b}", 40))
    store.update("cases", "B0-000003", {"amount": 1000}, expected_rev=1)
    store.delete("cases", "B1-000004", expected_rev=1)
    before = _snapshot(store)
    results = compact(store, ["cases"])
    assert results[0].gen == 1 and results[0].folded_files == 7
    assert _snapshot(store) == before
    tf = store.files("cases")
    assert tf.delta_files == [] and tf.current_files and tf.history_files
    # Hive-style partitions by the period column's year, readable by other engines as-is.
    assert all("year=" in str(p) for p in tf.current_files)
    # Edits after compaction are a delta over the base.
    store.update("cases", "B0-000003", {"amount": 1001}, expected_rev=2)
    store.delete("cases", "B2-000001", expected_rev=1)
    store.append("cases", [case("NEW")])
    after_edit = _snapshot(store)
    assert len(after_edit[0]) == len(before[0]) - 1 + 1
    compact(store, ["cases"])
    assert _snapshot(store) == after_edit
    # The second compaction removed the log files the first one folded.
    assert len(os.listdir(layout.log_dir(store.root, "cases"))) == 3
    assert check_store(store).ok
    assert compact(store, ["cases"])[0].skipped == "无需整理"


def test_compaction_while_another_process_reads_gives_identical_answers(store, tmp_path):
    for b in range(6):
        store.append("cases", rows(f"B{b}", 500))
    store.update("cases", "B0-000001", {"amount": 99}, expected_rev=1)
    expected = store.query(AGGREGATE).to_pylist()[0]
    out, stop = tmp_path / "answers.jsonl", tmp_path / "stop"
    reader = run_worker(store.root, "read", out, stop)
    # Wait until the reader has answered at least once, so compaction overlaps its reads; it then
    # reads until told to stop, however long the compactions take on a busy machine.
    while not out.exists() or not out.read_text().strip():
        assert reader.poll() is None, "the reader ended before its first answer"
        time.sleep(0.02)  # polling for the file, not a timing assumption
    first = compact(store, ["cases"])[0]
    for _ in range(3):
        # New versions that change no value: the current state stays the same while each
        # compaction publishes a generation and removes files an earlier one superseded.
        same = store.query("SELECT * EXCLUDE (_id, _rev, _op, _at, _by) FROM cases WHERE amount < 20").to_pylist()
        expected_revs = {
            r["_id"]: r["_rev"] for r in store.query("SELECT _id, _rev FROM cases WHERE amount < 20").to_pylist()
        }
        store.save("cases", same, expected_revs)
        compact(store, ["cases"])
    assert reader.poll() is None, "the reader should still be reading while compaction ran"
    assert first.gen == 1 and store.files("cases").gen == 4
    stop.touch()
    assert reader.wait(timeout=120) == 0
    answers = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(answers) >= 2
    assert all(a == expected for a in answers), {json.dumps(a) for a in answers}
    assert store.query(AGGREGATE).to_pylist()[0] == expected


# -- concurrency ---------------------------------------------------------------------------------
def test_eight_processes_appending_at_once_lose_nothing(store):
    procs = [run_worker(store.root, "append", w, 10, 50) for w in range(8)]
    # A safety net, not a timing: on a busy two-core machine eight interpreters starting at once
    # took over two minutes.
    assert [p.wait(timeout=900) for p in procs] == [0] * 8
    assert store.count("cases") == 8 * 10 * 50
    assert store.query("SELECT count(DISTINCT case_no) FROM cases").column(0)[0].as_py() == 4000
    assert check_store(store).ok


def test_concurrent_edits_of_one_record_are_never_lost(store):
    store.append("cases", [case("HOT", amount=0)])
    procs = [run_worker(store.root, "bump", "HOT", 10) for _ in range(4)]
    assert [p.wait(timeout=900) for p in procs] == [0] * 4
    rec = store.get("cases", "HOT")
    assert rec["amount"] == 40 and rec["_rev"] == 41
    assert store.history("cases", "HOT").num_rows == 41


def test_writer_killed_mid_write_leaves_nothing_partial(store):
    proc = run_worker(store.root, "churn", 20000, stdout=subprocess.PIPE)
    assert proc.stdout.readline().strip() == b"started"
    # Let it land a few batches and be in the middle of another.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if len(list(layout.log_dir(store.root, "cases").glob("v-*.parquet"))) >= 2:
            break
        time.sleep(0.02)
    time.sleep(0.15)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    n = store.count("cases")
    assert n > 0 and n % 20000 == 0  # whole batches only
    report = check_store(store)
    assert report.ok, [p.describe() for p in report.errors]


def test_a_query_makes_the_views_of_the_tables_it_names_and_no_others(tmp_path):
    """At start the first panel's queries wait for their own tables' views only; a table's
    views are made the first time a query names the table or one of its views."""
    path = tmp_path / "store"
    with Store.open(path, SPECS, create=True, user="测试员") as s:
        s.append("cases", [case("A1")])
        s.append("notes", [{"note_id": "N1", "text": "甲"}])
    with Store.open(path, SPECS, user="测试员") as s:

        def views() -> set[str]:
            found = s.cursor().execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
            return {name for (name,) in found}

        assert s.tables_in('SELECT count(*) FROM "cases" JOIN notes_history USING (x)') == ["cases", "notes"]
        assert s.tables_in("SELECT 1 AS case_count") == []
        assert s.query("SELECT count(*) AS n FROM cases").column(0)[0].as_py() == 1
        assert "cases" in views() and not {"notes", "notes_history"} & views()
        assert s.query("SELECT text FROM notes_history").column(0).to_pylist() == ["甲"]
        assert {"notes", "notes_history", "notes__latest"} <= views()
