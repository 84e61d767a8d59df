"""A big import of new records goes straight into a new generation (store/bulk.py): the same
records, history and figures as a log file folded afterwards; months it does not fall in keep
their files; a failure leaves nothing behind; the importing and folding processes bound DuckDB."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from benchmarks import scale_store
from fazhi_hotline import queries
from fazhi_hotline.tables import HOTLINE_SPEC
from fazhi_tui.api import ROLE_ADMIN, Context, Period
from fazhi_tui.cli import main
from fazhi_tui.store import Store, ValidationError
from fazhi_tui.store.check import check_store
from fazhi_tui.store.errors import QueryLimitError
from fazhi_tui.store.generations import sort_order
from fazhi_tui.store.limits import QueryLimits
from fazhi_tui.transfer import importer
from fazhi_tui.transfer.importer import plan_import, run_import

USER = scale_store.USER


def tickets(first: dt.date, last: dt.date, n: int, start: int, seed: int) -> pa.Table:
    """``n`` tickets of 13 townships as the platform exports them (Chinese headers, typed)."""
    t = scale_store.generate(start, n, first, last, seed=seed).table
    own = pc.equal(t.column("town"), scale_store.TOWN)
    t = t.set_column(
        t.schema.get_field_index("grid"), "grid", pc.if_else(own, t.column("grid"), pa.scalar(None, pa.string()))
    )
    return pa.table({c.label: t.column(c.name) for c in HOTLINE_SPEC.columns})


def write_csv(table: pa.Table, path: Path) -> Path:
    text = {}
    for name, arr in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_timestamp(arr.type):
            arr = pc.strftime(arr.cast(pa.timestamp("s")), "%Y-%m-%d %H:%M:%S")
        elif pa.types.is_date(arr.type):
            arr = pc.strftime(arr, "%Y-%m-%d")
        elif pa.types.is_boolean(arr.type):
            arr = pc.if_else(arr, pa.scalar("是"), pa.scalar("否"))
        text[name] = arr
    with open(path, "wb") as fh:
        fh.write("\ufeff".encode())
        pacsv.write_csv(pa.table(text), fh)
    return path


def new_store(path: Path, **kw) -> Store:
    store = Store.open(path, scale_store.specs(), create=True, auto_fold=False, **kw)
    scale_store._import_grids(store)
    return store


def current(store: Store) -> list[dict]:
    return store.query("SELECT * EXCLUDE (_at) FROM hotline ORDER BY _id").to_pylist()


def history(store: Store) -> list[dict]:
    return store.query("SELECT * EXCLUDE (_at) FROM hotline_history ORDER BY _id, _rev").to_pylist()


def figures(store: Store, year: int) -> list:
    ctx = Context(store=store, period=Period.year(year), today=scale_store.TODAY, role=ROLE_ADMIN, town="赵庄镇")
    cmp = queries.figures(ctx)
    return [cmp.current, cmp.previous]


def month_files(store: Store, kind: str = "current") -> dict[str, list[Path]]:
    tf = store.files("hotline")
    files = {"current": tf.current_files, "history": tf.history_files}[kind]
    out: dict[str, list[Path]] = {}
    for p in files:
        out.setdefault("/".join(p.relative_to(tf.gen_path / kind).parts[:-1]), []).append(p)
    return out


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def log_files(store: Store) -> list[Path]:
    return sorted((store.root / "hotline" / "log").glob("*.parquet"))


def test_the_first_import_into_an_empty_table_is_its_first_generation_as_a_log_and_fold_would_make_it(tmp_path):
    source = tickets(dt.date(2019, 11, 1), dt.date(2020, 2, 29), 3000, 10**8, seed=7)
    csv = write_csv(source, tmp_path / "工单.csv")
    parquet = tmp_path / "工单.parquet"
    pq.write_table(source, parquet)

    # Before: the checked rows appended as one log file, then folded into a generation.
    before = new_store(tmp_path / "before")
    plan = plan_import(before, "hotline", csv)
    before.upsert_batches("hotline", plan.batches, {}, ids=plan.data.column("ticket_no"), checked=True)
    before.fold("hotline")

    for path in (csv, parquet):
        root = tmp_path / f"direct-{path.suffix[1:]}"
        new_store(root).close()
        assert main(["import", "hotline", str(path), "--store", str(root)]) == 0
        store = Store.open(root, scale_store.specs(), auto_fold=False)
        assert current(store) == current(before)
        assert history(store) == history(before)
        for year in (2019, 2020):
            assert figures(store, year) == figures(before, year)
        tf = store.files("hotline")
        assert tf.gen == 1 and not log_files(store)  # no log file: nothing for a fold to read back
        manifest = json.loads((tf.gen_path / "manifest.json").read_text("utf-8"))
        assert (manifest["kind"], manifest["records"], manifest["versions"]) == ("import", 3000, 3000)
        assert set(month_files(store)) == {"year=2019/month=11", "year=2019/month=12"} | {
            f"year=2020/month={m}" for m in (1, 2)
        }
        # Each month's file is sorted as compaction sorts (town, grid, 受理时间, key), and is also
        # that month's history: the same file, linked.
        for p in tf.current_files:
            con = duckdb.connect()
            order = ", ".join(sort_order(HOTLINE_SPEC))
            in_file = con.sql(f"SELECT _id FROM read_parquet('{p}')").fetchall()
            assert in_file == con.sql(f"SELECT _id FROM read_parquet('{p}') ORDER BY {order}").fetchall()
        assert {os.stat(p).st_ino for p in tf.current_files} == {os.stat(p).st_ino for p in tf.history_files}
        assert not list((root / ".staging").iterdir())
        assert check_store(store).ok  # every file where its manifest says, with its checksum
        store.close()
    before.close()


def test_a_big_import_into_a_populated_table_rewrites_only_the_months_it_falls_in(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "DIRECT_ROWS", 500)  # "big" for a test's few thousand rows
    store = new_store(tmp_path / "store")
    first = tickets(dt.date(2021, 1, 1), dt.date(2021, 6, 30), 2400, 10**8, seed=1)
    run_import(store, plan_import(store, "hotline", write_csv(first, tmp_path / "a.csv")))
    # An edit waiting in the log (a March ticket): it must read the same after the import.
    edited = store.query("SELECT * FROM hotline WHERE month(received_at) = 3 ORDER BY _id LIMIT 1").to_pylist()[0]
    store.update("hotline", edited["ticket_no"], {"content": "已更正"}, expected_rev=1)
    logs = log_files(store)
    assert len(logs) == 1
    files_before = month_files(store)
    digests = {m: [digest(p) for p in ps] for m, ps in files_before.items()}
    inodes = {m: [os.stat(p).st_ino for p in ps] for m, ps in files_before.items()}
    history_before = {os.stat(p).st_ino for p in store.files("hotline").history_files}
    records_before = current(store)

    second = tickets(dt.date(2020, 11, 1), dt.date(2021, 1, 31), 900, 2 * 10**8, seed=2)
    plan = plan_import(store, "hotline", write_csv(second, tmp_path / "b.csv"))
    assert plan.new == 900
    result = run_import(store, plan)
    assert result.rows == 900 and result.file is None

    tf = store.files("hotline")
    manifest = json.loads((tf.gen_path / "manifest.json").read_text("utf-8"))
    assert manifest["kind"] == "import" and manifest["rewritten_months"] == ["2021-01"]
    after = month_files(store)
    assert set(after) == set(files_before) | {"year=2020/month=11", "year=2020/month=12"}
    for m in (2, 3, 4, 5, 6):
        key = f"year=2021/month={m}"
        # Not rewritten: the previous generation's very files, byte for byte.
        assert [os.stat(p).st_ino for p in after[key]] == inodes[key]
        assert [digest(p) for p in after[key]] == digests[key]
    assert [os.stat(p).st_ino for p in after["year=2021/month=1"]] != inodes["year=2021/month=1"]
    assert history_before <= {os.stat(p).st_ino for p in tf.history_files}
    # The edit in the log is still the delta, and still wins over the March file's version.
    assert log_files(store) == logs and tf.delta_files == logs
    assert store.get("hotline", edited["ticket_no"])["content"] == "已更正"
    assert check_store(store).ok
    got = current(store)
    assert len(got) == 2400 + 900
    ids = {r["_id"] for r in got}
    assert {r["_id"] for r in records_before} <= ids
    assert (
        figures(store, 2021)[0].received
        == store.query("SELECT count(*) FROM hotline WHERE year(received_at) = 2021 AND town = '赵庄镇'")
        .column(0)[0]
        .as_py()
    )
    store.close()


def test_an_import_that_fails_while_sorting_leaves_nothing_half_written(tmp_path):
    source = tickets(dt.date(2020, 1, 1), dt.date(2020, 12, 31), 20_000, 10**8, seed=3)
    csv = write_csv(source, tmp_path / "t.csv")
    # A DuckDB that may neither hold the sort in memory nor spill it: the COPY fails midway.
    store = new_store(tmp_path / "store", limits=QueryLimits(spill_size="1MB"))
    store.limit_memory("4MB")
    plan = plan_import(store, "hotline", csv)
    with pytest.raises(QueryLimitError, match="导入所需内存超过上限"):
        run_import(store, plan)
    assert not (store.root / "hotline" / "_gen").exists() or not any((store.root / "hotline" / "_gen").iterdir())
    assert not list((store.root / ".staging").iterdir()) and not log_files(store)
    assert store.count("hotline") == 0
    store.limit_memory("300MB")
    store.close()
    # The same file imports whole afterwards (the keys were not taken by the failed attempt).
    assert main(["import", "hotline", str(csv), "--store", str(store.root)]) == 0
    again = Store.open(store.root, scale_store.specs())
    assert again.count("hotline") == 20_000
    again.close()


def test_a_key_taken_between_the_check_and_the_write_refuses_the_whole_import(tmp_path):
    source = tickets(dt.date(2020, 1, 1), dt.date(2020, 3, 31), 600, 10**8, seed=4)
    store = new_store(tmp_path / "store")
    plan = plan_import(store, "hotline", write_csv(source, tmp_path / "t.csv"))
    taken = plan.data.slice(5, 1)  # a colleague registers the file's sixth ticket meanwhile
    store.append("hotline", taken)
    gens = sorted((store.root / "hotline" / "_gen").glob("*")) if (store.root / "hotline" / "_gen").exists() else []
    with pytest.raises(ValidationError) as exc:
        run_import(store, plan)
    assert f"第 7 行，“工单编号”列：“{taken.column('ticket_no')[0]}”已由" in str(exc.value)
    assert store.count("hotline") == 1 and len(log_files(store)) == 1
    now = sorted((store.root / "hotline" / "_gen").glob("*")) if (store.root / "hotline" / "_gen").exists() else []
    assert now == gens and not list((store.root / ".staging").iterdir())
    store.close()


def test_the_import_and_fold_processes_bound_duckdb_by_the_write_limit(tmp_path, capsys):
    source = tickets(dt.date(2020, 1, 1), dt.date(2020, 12, 31), 20_000, 10**8, seed=5)
    csv = write_csv(source, tmp_path / "t.csv")
    root = tmp_path / "store"
    new_store(root).close()
    config = tmp_path / "tiny.toml"
    # Too little to sort 20,000 tickets, with 1 MB to spill: only a process that applies it fails.
    config.write_text('[limits]\nwrite_memory = "16MB"\nspill_size = "1MB"\n', "utf-8")
    capsys.readouterr()
    assert main(["import", "hotline", str(csv), "--store", str(root), "--config", str(config)]) == 2
    assert "导入所需内存超过上限（内存 16MB" in capsys.readouterr().err
    assert main(["import", "hotline", str(csv), "--store", str(root)]) == 0
    # Every ticket's 办理结果 filled in (--update): 20,000 new versions in the log for a fold.
    store = Store.open(root, scale_store.specs(), auto_fold=False)
    updated = source.set_column(source.schema.get_field_index("办理结果"), "办理结果", pa.repeat("已答复", 20_000))
    plan = plan_import(store, "hotline", write_csv(updated, tmp_path / "u.csv"), update=True)
    assert plan.updates == 20_000
    run_import(store, plan)
    store.close()
    capsys.readouterr()
    config.write_text('[limits]\nwrite_memory = "8MB"\nspill_size = "1MB"\n', "utf-8")
    assert main(["compact", "--fold", "hotline", "--store", str(root), "--config", str(config)]) == 2
    assert "整理所需内存超过上限（内存 8MB" in capsys.readouterr().err
    assert main(["compact", "--fold", "hotline", "--store", str(root)]) == 0
    store = Store.open(root, scale_store.specs(), auto_fold=False)
    assert store.files("hotline").delta_files == []
    assert store.query("SELECT count(*) FROM hotline WHERE result = '已答复'").column(0)[0].as_py() == 20_000
    # And the setting itself, read back from DuckDB.
    store.limit_memory(QueryLimits().write_memory)
    assert store.cursor().sql("SELECT current_setting('memory_limit')").fetchall()[0][0] in ("286.1 MiB", "300.0 MB")
    store.close()
