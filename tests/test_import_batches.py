"""Importing a file batch by batch: rows named in errors are the file's rows whichever batch they
came in, nothing is written if any batch is bad, and a file of many batches imports exactly.

Batches of a few rows (``batch_rows``) and CSV blocks of a few hundred bytes stand in for the
100-thousand-row batches and 256 KiB blocks of a real import.
"""

from __future__ import annotations

import csv
import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fazhi_tui.host_tables import HOST_TABLES
from fazhi_tui.store import Column, Store, TableSpec, ValidationError
from fazhi_tui.transfer import read
from fazhi_tui.transfer.importer import plan_import, run_import

VISITS = TableSpec(
    name="visits",
    label="走访",
    key="visit_no",
    period_column="visited_at",
    grid_column="grid",
    columns=(
        Column("visit_no", pa.string(), "走访编号", required=True),
        Column("visited_at", pa.timestamp("us"), "走访时间", required=True),
        Column("grid", pa.string(), "网格", ref="grids"),
        Column("kind", pa.string(), "类型", codes="kind"),
        Column("households", pa.int32(), "户数"),
        Column("note", pa.string(), "情况"),
    ),
    code_tables={"kind": ("矛盾调解", "法律咨询", "政策宣传")},
)
HEADER = ["走访编号", "走访时间", "网格", "类型", "户数", "情况"]
BATCH = 3  # rows per batch in these tests


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "store", [*HOST_TABLES, VISITS], create=True, user="测试员")
    s.append(
        "grids",
        [
            {"code": "G01", "name": "赵庄村网格", "kind": "综合", "village": "赵庄村"},
            {"code": "G02", "name": "大黄村网格", "kind": "综合", "village": "大黄村"},
        ],
    )
    yield s
    s.close()


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """CSV parsed in blocks of a few rows, so that a batch spans several blocks."""
    monkeypatch.setattr(read, "STREAM_BLOCK_BYTES", 256)


def row(no, when="2023-05-06 08:30", grid="G01", kind="法律咨询", households="3", note="好"):
    return [no, when, grid, kind, households, note]


def write_csv(path, rows, header=HEADER):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def log_files(store) -> list:
    folder = store.root / "visits"
    return list(folder.glob("**/*.parquet")) if folder.exists() else []


def test_a_file_of_many_batches_imports_exactly(store, tmp_path):
    rows = [
        row(
            f"V{i:02d}",
            when=f"2023-05-{i + 1:02d} 08:30",
            grid=["G01", "大黄村网格", ""][i % 3],
            households=str(i),
            note=f'第{i}条，含"引号"与逗号,',
        )
        for i in range(11)
    ]
    path = write_csv(tmp_path / "v.csv", rows)
    plan = plan_import(store, "visits", path, batch_rows=BATCH)
    assert plan.rows == 11 and plan.new == 11
    assert plan.file_rows.to_pylist() == list(range(2, 13))
    assert plan.preview(4).column("visit_no").to_pylist() == ["V00", "V01", "V02", "V03"]
    assert plan.filled_columns == ["visit_no", "visited_at", "grid", "kind", "households", "note"]
    run_import(store, plan)
    got = store.query("SELECT visit_no, visited_at, grid, households, note FROM visits ORDER BY visit_no").to_pylist()
    assert [r["visit_no"] for r in got] == [f"V{i:02d}" for i in range(11)]
    assert [r["grid"] for r in got] == [["G01", "G02", None][i % 3] for i in range(11)]
    assert [r["households"] for r in got] == list(range(11))
    assert [r["visited_at"].day for r in got] == list(range(1, 12))
    assert got[7]["note"] == '第7条，含"引号"与逗号,'
    # One write, whatever the batches read: into the empty table, its first generation (the
    # month's one file, which is also its history), no log file.
    tf = store.files("visits")
    assert tf.gen == 1 and len(tf.current_files) == 1 and not tf.delta_files


def test_the_same_file_in_one_batch_or_many_gives_the_same_plan(store, tmp_path):
    rows = [row(f"V{i:02d}", kind=["矛盾调解", "法律咨询", ""][i % 3], note=f"n{i}") for i in range(10)]
    path = write_csv(tmp_path / "v.csv", rows)
    whole = plan_import(store, "visits", path, batch_rows=1000)
    batched = plan_import(store, "visits", path, batch_rows=BATCH)
    assert batched.data.equals(whole.data)
    assert batched.file_rows.to_pylist() == whole.file_rows.to_pylist()
    assert (batched.new, batched.filled_columns) == (whole.new, whole.filled_columns)


def test_problems_in_later_batches_name_the_file_rows_and_nothing_is_written(store, tmp_path):
    path = write_csv(
        tmp_path / "bad.csv",
        [
            row("V1"),
            row("V2"),
            row("V3", grid="无此网格"),  # rows 2-4: batch 1
            row("V4"),
            row("V5"),
            row("V6"),  # rows 5-7: batch 2
            row("V7", when="2023-02-30"),
            row("V8", kind="闲聊"),  # rows 8-9
            row("V9", grid="无此网格"),  # row 10: same unknown name
            row("V10", households="三户"),
            row("V2"),
            row("", when=""),  # rows 11-13
        ],
    )
    with pytest.raises(ValidationError) as exc:
        plan_import(store, "visits", path, batch_rows=BATCH)
    text = str(exc.value)
    assert text.startswith("表 visits：7 处错误，未写入任何数据。")
    assert "bad.csv，第 4 行，“网格”列：网格“无此网格”不存在" in text
    assert "第 10 行，“网格”" not in text  # a wrong name is named once, at its first row
    assert "bad.csv，第 8 行，“走访时间”列：“2023-02-30”不是日期时间" in text
    assert "bad.csv，第 9 行，“类型”列：“闲聊”不在代码表“kind”中" in text
    assert "bad.csv，第 11 行，“户数”列：“三户”不是整数" in text
    assert "bad.csv，第 12 行，“走访编号”列：“V2”与第 3 行重复" in text
    assert "bad.csv，第 13 行，“走访编号”列：必填，不能为空" in text
    assert "bad.csv，第 13 行，“走访时间”列：必填，不能为空" in text
    assert [p.row for p in exc.value.problems] == sorted(p.row for p in exc.value.problems)
    assert store.count("visits") == 0 and not log_files(store)


def test_a_bad_row_in_the_last_batch_writes_nothing(store, tmp_path):
    rows = [row(f"V{i:02d}") for i in range(20)] + [row("LAST", when="昨天")]
    with pytest.raises(ValidationError) as exc:
        plan_import(store, "visits", write_csv(tmp_path / "big.csv", rows), batch_rows=BATCH)
    assert [str(p) for p in exc.value.problems] == [
        "big.csv，第 22 行，“走访时间”列：“昨天”不是日期时间（如 2023-05-06 08:30）"
    ]
    assert store.count("visits") == 0 and not log_files(store)


def test_duplicates_across_batches_name_the_first_row(store, tmp_path):
    rows = [row(f"V{i}") for i in range(8)] + [row("V1"), row("V6"), row("V1")]
    with pytest.raises(ValidationError) as exc:
        plan_import(store, "visits", write_csv(tmp_path / "d.csv", rows), batch_rows=BATCH)
    assert [str(p) for p in exc.value.problems] == [
        "d.csv，第 10 行，“走访编号”列：“V1”与第 3 行重复",
        "d.csv，第 11 行，“走访编号”列：“V6”与第 8 行重复",
        "d.csv，第 12 行，“走访编号”列：“V1”与第 3 行重复",
    ]


def test_a_malformed_row_in_a_later_batch_is_named(store, tmp_path):
    path = tmp_path / "m.csv"
    lines = [",".join(HEADER)] + [",".join(row(f"V{i}")) for i in range(9)]
    lines.insert(8, ",".join(row("X")) + ",多余")  # row 9 of the file
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(ValidationError) as exc:
        plan_import(store, "visits", path, batch_rows=BATCH)
    assert [str(p) for p in exc.value.problems] == [
        "m.csv，第 9 行：应有 6 列，实有 7 列（常见原因：引号不匹配、分隔符不一致或多余的逗号）"
    ]
    assert store.count("visits") == 0


def test_cells_spanning_lines_count_as_one_row_across_batches(store, tmp_path):
    rows = [row(f"V{i}", note=f"第一行\n第二行{i}") for i in range(7)] + [row("V7", households="1.5")]
    with pytest.raises(ValidationError) as exc:
        plan_import(store, "visits", write_csv(tmp_path / "n.csv", rows), batch_rows=BATCH)
    assert [str(p) for p in exc.value.problems] == ["n.csv，第 9 行，“户数”列：“1.5”不是整数"]


def test_a_record_longer_than_a_block_is_read_again_with_large_blocks(store, tmp_path):
    long_note = "很长的情况说明" * 200  # ~4 KB: far more than a 256-byte block
    rows = [row(f"V{i}") for i in range(7)] + [row("V7", note=long_note)] + [row(f"V{i}") for i in range(8, 12)]
    path = write_csv(tmp_path / "long.csv", rows)
    plan = plan_import(store, "visits", path, batch_rows=BATCH)
    assert plan.file_rows.to_pylist() == list(range(2, 14))
    run_import(store, plan)
    assert store.get("visits", "V7")["note"] == long_note
    assert store.query("SELECT count(*) AS n FROM visits").column(0)[0].as_py() == 12
    # An error after the long record still names its own row.
    rows[10] = row("V10", when="2023-13-01")
    with pytest.raises(ValidationError) as exc:
        plan_import(store, "visits", write_csv(tmp_path / "long2.csv", rows), batch_rows=BATCH, update=True)
    assert [str(p) for p in exc.value.problems] == [
        "long2.csv，第 12 行，“走访时间”列：“2023-13-01”不是日期时间（如 2023-05-06 08:30）"
    ]


def test_a_field_beyond_the_limit_is_still_refused(store, tmp_path, monkeypatch):
    monkeypatch.setattr(read, "MAX_FIELD_BYTES", 2048)
    monkeypatch.setattr(read, "LARGE_BLOCK_BYTES", 4096)
    rows = [row(f"V{i}") for i in range(5)] + [row("V5", note="x" * 10_000)]
    with pytest.raises(read.ImportFileError, match="字段过长"):
        plan_import(store, "visits", write_csv(tmp_path / "huge.csv", rows), batch_rows=BATCH)


def test_keys_already_stored_are_named_in_later_batches(store, tmp_path):
    run_import(store, plan_import(store, "visits", write_csv(tmp_path / "a.csv", [row("V2"), row("V8")])))
    rows = [row(f"V{i}") for i in range(3, 10)] + [row("V2")]
    with pytest.raises(ValidationError) as exc:
        plan_import(store, "visits", write_csv(tmp_path / "b.csv", rows), batch_rows=BATCH)
    assert [str(p) for p in exc.value.problems] == [
        "b.csv，“走访编号”列：2 行已存在，如需更新请加 --update（第 7 行“V8”、第 9 行“V2”）",
    ]


def test_a_file_with_problems_is_also_told_which_keys_are_stored(store, tmp_path):
    """Every problem at once: a file with a bad cell and a repeated key was refused for those,
    and only once they were fixed for the keys the store already had."""
    run_import(store, plan_import(store, "visits", write_csv(tmp_path / "a.csv", [row("V2"), row("V8")])))
    rows = [row(f"V{i}") for i in range(3, 10)] + [row("V3"), row("V11", when="2023-13-01")]
    with pytest.raises(ValidationError) as exc:
        plan_import(store, "visits", write_csv(tmp_path / "b.csv", rows), batch_rows=BATCH)
    assert [str(p) for p in exc.value.problems] == [
        "b.csv，“走访编号”列：1 行已存在，如需更新请加 --update（第 7 行“V8”）",
        "b.csv，第 9 行，“走访编号”列：“V3”与第 2 行重复",
        "b.csv，第 10 行，“走访时间”列：“2023-13-01”不是日期时间（如 2023-05-06 08:30）",
    ]
    with pytest.raises(ValidationError) as exc:  # --update: a stored key is not a problem
        plan_import(store, "visits", write_csv(tmp_path / "c.csv", rows), batch_rows=BATCH, update=True)
    assert not any("已存在" in str(p) for p in exc.value.problems)
    assert store.count("visits") == 2


def test_a_file_imported_again_is_told_once_with_the_first_keys(store, tmp_path):
    """Issue 20: re-importing a file said one line per row (50, then a count)."""
    path = write_csv(tmp_path / "all.csv", [row(f"V{i}") for i in range(12)])
    run_import(store, plan_import(store, "visits", path))
    with pytest.raises(ValidationError) as exc:
        plan_import(store, "visits", path, batch_rows=BATCH)
    assert [str(p) for p in exc.value.problems] == [
        "all.csv，“走访编号”列：12 行已存在，如需更新请加 --update"
        "（第 2 行“V0”、第 3 行“V1”、第 4 行“V2”、第 5 行“V3”、第 6 行“V4”等）"
    ]
    assert str(exc.value).count("\n") == 1  # the heading and that one line


def test_update_across_batches_merges_keeps_order_and_skips_unchanged_rows(store, tmp_path):
    run_import(store, plan_import(store, "visits", write_csv(tmp_path / "a.csv", [row(f"V{i}") for i in range(6)])))
    rows = [
        row("V0", note="已回访"),
        row("N1"),
        row("V1"),
        row("N2"),
        row("V2", households="9"),
        row("V3"),
        row("N3"),
        row("V4"),
        row("V5", note="再次回访"),
    ]
    plan = plan_import(store, "visits", write_csv(tmp_path / "u.csv", rows), batch_rows=BATCH, update=True)
    assert (plan.new, plan.updates, plan.unchanged) == (3, 3, 3)
    assert plan.data.column("visit_no").to_pylist() == ["V0", "N1", "N2", "V2", "N3", "V5"]
    assert plan.file_rows.to_pylist() == [2, 3, 5, 6, 8, 10]
    assert plan.expected == {"V0": 1, "V2": 1, "V5": 1}
    run_import(store, plan)
    assert [v["note"] for v in store.history("visits", "V0").to_pylist()] == ["好", "已回访"]
    assert store.get("visits", "V2")["households"] == 9 and store.get("visits", "V2")["_rev"] == 2
    assert store.get("visits", "V1")["_rev"] == 1  # unchanged: no new version
    assert store.count("visits") == 9


def test_a_key_added_by_someone_else_before_the_write_names_the_file_row(store, tmp_path):
    rows = [row(f"V{i}") for i in range(8)]
    plan = plan_import(store, "visits", write_csv(tmp_path / "v.csv", rows), batch_rows=BATCH)
    other = Store.open(store.root, [*HOST_TABLES, VISITS], user="其他人")
    other.append("visits", [{"visit_no": "V6", "visited_at": dt.datetime(2023, 5, 6)}])
    other.close()
    with pytest.raises(ValidationError) as exc:
        run_import(store, plan)
    assert [str(p) for p in exc.value.problems] == [
        "v.csv，第 8 行，“走访编号”列：“V6”已由 其他人 新增（第 1 版），请重新核对后再导入"
    ]
    assert store.count("visits") == 1  # only the other writer's record


def test_an_empty_header_over_data_in_a_later_batch_is_refused(store, tmp_path):
    header = ["走访编号", "走访时间", ""]
    rows = [
        ["V1", "2023-01-01", ""],
        ["V2", "2023-01-01", ""],
        ["V3", "2023-01-01", ""],
        ["V4", "2023-01-01", ""],
        ["V5", "2023-01-01", "有数据"],
    ]
    with pytest.raises(ValidationError) as exc:
        plan_import(store, "visits", write_csv(tmp_path / "h.csv", rows, header=header), batch_rows=BATCH)
    assert [str(p) for p in exc.value.problems] == ["h.csv，第 1 行，“第 3 列”列：表头为空，但该列有数据"]


def test_conversion_problems_are_capped_per_column_across_batches(store, tmp_path):
    rows = [row(f"V{i}", households="x") for i in range(1200)]
    with pytest.raises(ValidationError) as exc:
        plan_import(store, "visits", write_csv(tmp_path / "c.csv", rows), batch_rows=500)
    assert len(exc.value.problems) == 1000
    assert exc.value.problems[-1].row == 1001


def test_a_parquet_file_in_batches_names_its_rows(store, tmp_path):
    table = pa.table(
        {
            "走访编号": [f"P{i}" for i in range(7)],
            "走访时间": ["2023-05-06"] * 6 + ["不是日期"],
            "户数": pa.array(range(7), pa.int64()),
        }
    )
    path = tmp_path / "p.parquet"
    pq.write_table(table, path)
    with pytest.raises(ValidationError) as exc:
        plan_import(store, "visits", path, batch_rows=BATCH)
    assert [str(p) for p in exc.value.problems] == [
        "p.parquet，第 8 行，“走访时间”列：“不是日期”不是日期时间（如 2023-05-06 08:30）"
    ]
    table = table.set_column(1, "走访时间", pa.array(["2023-05-06"] * 7))
    pq.write_table(table, path)
    run_import(store, plan_import(store, "visits", path, batch_rows=BATCH))
    assert store.query("SELECT sum(households) AS s FROM visits").column(0)[0].as_py() == 21


def test_without_proc_the_temporary_file_is_read_through_python(store, tmp_path, monkeypatch):
    """Where there is no /proc/self/fd (not Linux), Arrow reads and writes the plan's temporary
    file through the Python file object: the same plan and the same rows written."""
    from fazhi_tui.transfer import importer

    rows = [row(f"V{i:02d}", when=f"2023-0{1 + i % 3}-0{1 + i % 7} 08:30", note=f"n{i}") for i in range(8)]
    path = write_csv(tmp_path / "v.csv", rows)
    native = plan_import(store, "visits", path, batch_rows=BATCH)
    native_data = native.data
    native.discard()
    monkeypatch.setattr(importer, "_fd_path", lambda _fd: None)
    plan = plan_import(store, "visits", path, batch_rows=BATCH)
    assert plan._spill is not None and plan._spill._path is None
    assert plan.preview(2).column("visit_no").to_pylist() == ["V00", "V01"]
    run_import(store, plan)
    got = store.query("SELECT * EXCLUDE (_id, _rev, _op, _at, _by) FROM visits ORDER BY visit_no")
    assert got.select(native_data.column_names).equals(native_data.sort_by("visit_no"))


def test_no_room_for_the_temporary_file_is_a_message_and_writes_nothing(store, tmp_path, monkeypatch):
    import errno
    import tempfile

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "TemporaryFile", full)
    with pytest.raises(read.ImportFileError, match="无法写入临时文件.*TMPDIR"):
        plan_import(store, "visits", write_csv(tmp_path / "v.csv", [row("V1")]), batch_rows=BATCH)
    assert store.count("visits") == 0


def test_update_with_some_columns_across_batches_keeps_the_others(store, tmp_path):
    rows = [row(f"V{i}", kind="矛盾调解", households=str(i), note=["好", ""][i % 2]) for i in range(7)]
    run_import(store, plan_import(store, "visits", write_csv(tmp_path / "a.csv", rows)))
    header = ["走访编号", "走访时间", "情况"]
    partial = [
        ["V0", "2023-05-06 08:30", "好"],  # as stored: unchanged
        ["V1", "2023-05-06 08:30", ""],  # empty as stored (no note): unchanged
        ["V2", "2023-05-06 08:30", ""],  # empties a note: an update
        ["N1", "2023-05-07", "新"],  # new
        ["V3", "2023-05-06 08:30", "改"],  # an update
        ["V5", "2023-05-06 09:00", ""],  # another time: an update
    ]
    plan = plan_import(
        store, "visits", write_csv(tmp_path / "p.csv", partial, header=header), batch_rows=2, update=True
    )
    assert (plan.new, plan.updates, plan.unchanged) == (1, 3, 2)
    assert plan.file_rows.to_pylist() == [4, 5, 6, 7]
    run_import(store, plan)
    v2, v3, v5, n1 = (store.get("visits", k) for k in ("V2", "V3", "V5", "N1"))
    assert (v2["note"], v2["kind"], v2["households"], v2["_rev"]) == (None, "矛盾调解", 2, 2)
    assert (v3["note"], v3["kind"], v3["households"]) == ("改", "矛盾调解", 3)
    assert v5["visited_at"] == dt.datetime(2023, 5, 6, 9, 0) and v5["households"] == 5
    assert (n1["kind"], n1["households"]) == (None, None)
    assert store.get("visits", "V0")["_rev"] == 1 and store.get("visits", "V1")["_rev"] == 1
