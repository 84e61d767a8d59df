"""``fazhi-tui snapshot``: each table's live records as Hive-partitioned Parquet outside the store,
for an engine that is not ours. The log is folded first (versions not yet folded would be missed),
files are hard links checked against the generation's manifest, and the snapshot stays whole when
the store moves on (new writes, a compaction that removes the old generation's files)."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest

from fazhi_tui.access import VIEWER, Access
from fazhi_tui.cli import main
from fazhi_tui.store import Store, StoreError
from fazhi_tui.store.compact import compact
from fazhi_tui.store.snapshot import MANIFEST_NAME, make_snapshot

from .store_specs import SPECS


def case(no: str, day: dt.date, **kw) -> dict:
    return {"case_no": no, "found_on": day, "grid": "G01", "action": "劝阻", "party": "张三", **kw}


@pytest.fixture
def cases(tmp_path):
    s = Store.open(tmp_path / "store", SPECS, create=True, user="测试员", auto_fold=False)
    s.append("cases", [case(f"A{i:03d}", dt.date(2023, 1 + i % 12, 1 + i % 28)) for i in range(60)])
    compact(s, ["cases"])
    s.save("cases", [case("A000", dt.date(2023, 1, 1), action="立案")], {"A000": 1})  # a new version, in the log
    s.append("cases", [case("B001", dt.date(2024, 2, 3))])  # a new record, in the log
    yield s
    s.close()


def read(folder, table="cases"):
    return duckdb.sql(
        f"SELECT * FROM read_parquet('{folder}/{table}/**/*.parquet', hive_partitioning = true) ORDER BY case_no"
    ).to_arrow_table()


def test_a_snapshot_folds_the_log_first_and_holds_the_current_state(cases, tmp_path):
    dest = tmp_path / "snap"
    results = {r.table: r for r in make_snapshot(cases, dest)}
    assert results["cases"].folded and results["cases"].linked and results["cases"].records == 61
    assert results["notes"].records == 0 and results["notes"].files == {}
    t = read(dest)
    assert t.num_rows == 61 and t.column("case_no").to_pylist()[-1] == "B001"
    assert dict(zip(t.column("case_no").to_pylist(), t.column("action").to_pylist(), strict=True))["A000"] == "立案"
    manifest = json.loads((dest / MANIFEST_NAME).read_text("utf-8"))
    table = manifest["tables"]["cases"]
    assert table["records"] == 61 and table["partitioned_by"] == ["year", "month"]
    assert sum(f["rows"] for f in table["files"].values()) == 61
    assert {c["name"] for c in table["columns"]} >= {"case_no", "found_on", "party"}
    for rel, info in table["files"].items():
        assert (dest / rel).stat().st_size == info["bytes"]


def test_the_snapshot_stays_whole_when_the_store_moves_on(cases, tmp_path):
    dest = tmp_path / "snap"
    make_snapshot(cases, dest, ["cases"])
    before = read(dest)
    cases.append("cases", [case("C001", dt.date(2023, 5, 5))])
    compact(cases, ["cases"])
    compact(cases, ["cases"])  # the snapshot's generation is superseded twice: its files are removed
    assert read(dest).equals(before)
    assert cases.count("cases") == 62


def test_refused_inside_the_store_into_a_folder_in_use_and_for_a_role_without_personal_data(cases, tmp_path):
    with pytest.raises(StoreError, match="之内"):
        make_snapshot(cases, cases.root / "snap")
    used = tmp_path / "used"
    used.mkdir()
    (used / "x.txt").write_text("别人的文件", "utf-8")
    with pytest.raises(StoreError, match="不是空目录"):
        make_snapshot(cases, used)
    viewer = Store.open(cases.root, SPECS, user="访客", access=Access("访客", VIEWER))
    with pytest.raises(StoreError, match="个人信息"):
        make_snapshot(viewer, tmp_path / "v")
    viewer.close()
    assert not (tmp_path / "v").exists() and list(used.iterdir()) == [used / "x.txt"]


def test_the_cli_writes_a_snapshot_of_the_demo(tmp_path, capsys):
    store, dest = tmp_path / "demo", tmp_path / "snap"
    assert main(["demo", "--store", str(store)]) == 0
    capsys.readouterr()
    assert main(["snapshot", str(dest), "hotline", "grids", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "hotline：" in out and "快照已写入" in out
    manifest = json.loads((dest / MANIFEST_NAME).read_text("utf-8"))
    assert set(manifest["tables"]) == {"hotline", "grids"}
    n = duckdb.sql(f"SELECT count(*) FROM read_parquet('{dest}/hotline/**/*.parquet', hive_partitioning = true)")
    assert n.fetchall()[0][0] == manifest["tables"]["hotline"]["records"] > 0
