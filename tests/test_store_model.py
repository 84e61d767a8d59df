"""The current-state views against a plain Python model, through edits, deletions, moves between
periods, NULL periods and compactions: whatever shortcut the views take, the answer is the same."""

from __future__ import annotations

import datetime as dt
import random

import pyarrow.parquet as pq

from fazhi_tui.store import layout
from fazhi_tui.store.compact import compact


def _view_sql(store, name):
    return store.query("SELECT sql FROM duckdb_views() WHERE view_name = ?", [name]).column(0)[0].as_py()


def test_random_operations_match_a_model(store):
    rng = random.Random(20231231)
    model: dict[str, dict] = {}
    revs: dict[str, int] = {}
    next_no = 0

    def some_date():
        if rng.random() < 0.05:
            return None
        return dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(0, 4 * 365))

    for step in range(250):
        op = rng.random()
        if op < 0.45 or not model:
            batch = []
            for _ in range(rng.randint(1, 8)):
                no = f"C{next_no:05d}"
                next_no += 1
                row = {
                    "case_no": no,
                    "found_on": some_date() or dt.date(2023, 1, 1),
                    "grid": f"G{rng.randrange(5)}",
                    "action": "劝阻",
                    "amount": rng.randrange(100),
                }
                batch.append(row)
            store.append("cases", batch)
            for row in batch:
                model[row["case_no"]] = row
                revs[row["case_no"]] = revs.get(row["case_no"], 0) + 1
        elif op < 0.8:
            no = rng.choice(sorted(model))
            changes = {"amount": rng.randrange(100)}
            if rng.random() < 0.3:
                changes["found_on"] = some_date() or dt.date(2025, 12, 31)  # moves to another period
            store.update("cases", no, changes, expected_rev=revs[no])
            model[no] = {**model[no], **changes}
            revs[no] += 1
        elif op < 0.95:
            no = rng.choice(sorted(model))
            store.delete("cases", no, expected_rev=revs[no])
            del model[no]
            revs[no] += 1
        else:
            compact(store, ["cases"])
        if step % 25 == 0 or step == 249:
            got = {
                r["case_no"]: r
                for r in store.query("SELECT case_no, found_on, grid, action, amount FROM cases").to_pylist()
            }
            want = {k: {c: v[c] for c in ("case_no", "found_on", "grid", "action", "amount")} for k, v in model.items()}
            assert got == want, f"step {step}"
            assert store.query(
                "SELECT count(*) FROM cases WHERE found_on >= DATE '2023-01-01' AND found_on < DATE '2024-01-01'"
            ).column(0)[0].as_py() == sum(1 for v in model.values() if v["found_on"] and v["found_on"].year == 2023)


def test_new_records_after_compaction_need_no_join(store):
    store.append("cases", [{"case_no": f"A{i}", "found_on": dt.date(2023, 1 + i % 12, 1)} for i in range(24)])
    compact(store, ["cases"])
    store.append("cases", [{"case_no": "NEW", "found_on": dt.date(2026, 1, 2)}])
    assert "ANTI JOIN" not in _view_sql(store, "cases")
    assert store.count("cases") == 25
    store.update("cases", "A3", {"amount": 5}, expected_rev=1)  # found_on 2023-04
    sql = _view_sql(store, "cases")
    assert "ANTI JOIN" in sql and "2023-03-31" in sql and "2023-05-02" in sql
    assert store.count("cases") == 25 and store.get("cases", "A3")["amount"] == 5


def test_a_delta_file_without_the_note_is_joined_everywhere(store):
    store.append("cases", [{"case_no": "A1", "found_on": dt.date(2023, 5, 1), "amount": 1}])
    compact(store, ["cases"])
    store.update("cases", "A1", {"amount": 2}, expected_rev=1)
    # Strip the note, as a file from another writer would lack it.
    ldir = layout.log_dir(store.root, "cases")
    newest = max(p for p in ldir.iterdir() if p.name not in store.files("cases").folded)
    table = pq.read_table(newest).replace_schema_metadata(None)
    stripped = ldir / layout.new_log_name()
    pq.write_table(table, stripped)
    newest.unlink()
    store.refresh(force=True)
    sql = _view_sql(store, "cases")
    assert "ANTI JOIN" in sql and "CAST(" not in sql
    assert store.query("SELECT amount FROM cases").to_pylist() == [{"amount": 2}]
