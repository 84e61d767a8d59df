"""Imports are bounded: a small file that would expand to gigabytes is refused at once, with a
message naming the file and the limit, and nothing is written."""

from __future__ import annotations

import json
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fazhi_tui.transfer import limits
from fazhi_tui.transfer.geojson import geometry_problem, read_grids_geojson
from fazhi_tui.transfer.read import ImportFileError, open_source, read_file


def test_an_xlsx_zip_bomb_is_refused_before_it_is_unzipped(tmp_path):
    bomb = tmp_path / "台账.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        # 80 MB of one character deflates to ~80 KB: a ratio no real sheet has.
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            chunk = b" " * (1 << 20)
            for _ in range(80):
                fh.write(chunk)
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(ImportFileError) as err:
        read_file(bomb)
    assert "台账.xlsx" in str(err.value) and "压缩比" in str(err.value)


def test_an_xlsx_over_the_cell_limit_is_refused_naming_rows_and_columns(tmp_path, monkeypatch):
    import xlsxwriter

    path = tmp_path / "big.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("明细")
    for r in range(50):
        for c in range(10):
            ws.write(r, c, f"{r}-{c}")
    wb.close()
    monkeypatch.setattr(limits, "MAX_XLSX_CELLS", 400)
    with pytest.raises(ImportFileError) as err:
        read_file(path)
    assert "明细" in str(err.value) and "50 行 × 10 列" in str(err.value)


def test_a_parquet_bomb_of_repeated_long_text_is_refused_before_decoding(tmp_path):
    # 40,000 rows of one 30 KB value: a small file, 1.2 GB of text once decoded.
    n = 40_000
    column = pa.DictionaryArray.from_arrays(pa.array([0] * n, pa.int32()), pa.array(["法" * 10000]))
    path = tmp_path / "bomb.parquet"
    pq.write_table(pa.table({"工单编号": pa.array([str(i) for i in range(n)]), "主要内容": column}), path)
    assert path.stat().st_size < 2 << 20
    with pytest.raises(ImportFileError) as err:
        for _batch in open_source(path):
            pass
    assert "bomb.parquet" in str(err.value) and "MB" in str(err.value)


def test_parquet_dictionary_columns_import_as_their_values(tmp_path):
    # pandas categoricals and Spark write dictionary-encoded columns; they read as plain text.
    path = tmp_path / "cat.parquet"
    kinds = pa.DictionaryArray.from_arrays(pa.array([0, 1, 0], pa.int8()), pa.array(["咨询", "求助"]))
    pq.write_table(pa.table({"诉求类型": kinds, "编号": ["1", "2", "3"]}), path)
    batches = list(open_source(path, batch_rows=2))
    assert [b.num_rows for b in batches] == [2, 1]
    assert batches[0].columns[0].to_pylist() == ["咨询", "求助"] and batches[1].row_numbers.to_pylist() == [4]
    assert read_file(path).columns[0].type == pa.string()


def _ring(n: int) -> list[list[float]]:
    import math

    pts = [
        [113.0 + 0.01 * math.cos(2 * math.pi * i / n), 33.8 + 0.01 * math.sin(2 * math.pi * i / n)] for i in range(n)
    ]
    return pts + [pts[0]]


def test_a_boundary_of_many_points_is_checked_quickly_and_a_crossing_one_refused():
    assert geometry_problem({"type": "Polygon", "coordinates": [_ring(50_000)]}) is None
    bow = [[0, 0], [2, 2], [2, 0], [0, 1], [0, 0]]
    assert "自相交" in geometry_problem({"type": "Polygon", "coordinates": [bow]})
    too_many = {"type": "Polygon", "coordinates": [_ring(limits.MAX_RING_POINTS + 10)]}
    assert "超过上限" in geometry_problem(too_many)


def test_deeply_nested_geojson_gets_a_message_not_a_recursion_error(tmp_path):
    path = tmp_path / "deep.geojson"
    path.write_text("[" * 200_000 + "]" * 200_000, "utf-8")
    with pytest.raises(ImportFileError) as err:
        read_grids_geojson(path)
    assert "deep.geojson" in str(err.value)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}), "utf-8")
    with pytest.raises(ImportFileError):
        read_grids_geojson(path)  # no features: a message too
