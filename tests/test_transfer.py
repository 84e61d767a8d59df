"""Import and export: every error class with its message, encodings, Excel, all-or-nothing, round trip."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fazhi_tui.cli import main
from fazhi_tui.host_tables import HOST_TABLES
from fazhi_tui.store import Column, Store, TableSpec, ValidationError
from fazhi_tui.transfer.exporter import export_rows, select_rows
from fazhi_tui.transfer.importer import plan_import, run_import
from fazhi_tui.transfer.read import ImportFileError

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
        Column("resolved", pa.bool_(), "已化解"),
        Column("note", pa.string(), "情况"),
        Column("caller", pa.string(), "来访人", pii="name"),
        Column("phone", pa.string(), "联系电话", pii="phone"),
    ),
    code_tables={"kind": ("矛盾调解", "法律咨询", "政策宣传")},
)

HEADER = ["走访编号", "走访时间", "网格", "类型", "户数", "已化解", "情况", "来访人", "联系电话"]


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "store", [*HOST_TABLES, VISITS], create=True, user="测试员")
    s.append(
        "grids",
        [
            {"code": "G01", "name": "赵庄村网格", "kind": "综合", "village": "赵庄村"},
            {"code": "G02", "name": "大黄村网格", "kind": "综合", "village": "大黄村"},
            {"code": "G03", "name": "重名网格", "kind": "综合", "village": "甲庄村"},
            {"code": "G04", "name": "重名网格", "kind": "综合", "village": "乙庄村"},
        ],
    )
    yield s
    s.close()


def write_csv(path, rows, header=HEADER, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def row(
    no="V1",
    when="2023-05-06 08:30",
    grid="G01",
    kind="法律咨询",
    households="3",
    resolved="是",
    note="好",
    caller="张三",
    phone="13812345678",
):
    return [no, when, grid, kind, households, resolved, note, caller, phone]


def problems(exc) -> str:
    return str(exc.value)


# -- encodings and forms -------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_in_every_encoding_excel_writes(store, tmp_path, encoding):
    path = write_csv(tmp_path / "v.csv", [row(note="邻里纠纷已调解"), row("V2", note="咨询宅基地")], encoding=encoding)
    plan = plan_import(store, "visits", path)
    run_import(store, plan)
    assert store.query("SELECT note FROM visits ORDER BY visit_no").column(0).to_pylist() == [
        "邻里纠纷已调解",
        "咨询宅基地",
    ]
    assert plan.encoding in ({"gbk": "gb18030"}.get(encoding, encoding),)


def test_dates_in_the_forms_offices_write_and_excel_serials(store, tmp_path):
    forms = [
        "2023-05-06",
        "2023/5/6",
        "2023年5月6日",
        "2023.5.6",
        "2023-05-06 08:30",
        "2023/5/6 8:30:15",
        "45052",
        "45052.5",
    ]
    path = write_csv(tmp_path / "v.csv", [row(f"V{i}", when=w) for i, w in enumerate(forms)])
    run_import(store, plan_import(store, "visits", path))
    got = store.query("SELECT visited_at FROM visits ORDER BY visit_no").column(0).to_pylist()
    d = dt.datetime(2023, 5, 6)
    assert got == [
        d,
        d,
        d,
        d,
        d.replace(hour=8, minute=30),
        d.replace(hour=8, minute=30, second=15),
        d,
        d.replace(hour=12),
    ]


def test_headers_by_label_or_name_in_any_order_and_unknown_ones_reported(store, tmp_path):
    header = ["note", "走访时间", "visit_no", "备注二", "网格"]
    path = write_csv(tmp_path / "v.csv", [["x", "2023-01-02", "V1", "?", "赵庄村网格"]], header=header)
    plan = plan_import(store, "visits", path)
    assert plan.unknown_headers == ["备注二"]
    run_import(store, plan)
    assert store.get("visits", "V1")["grid"] == "G01"  # a grid given by name


# -- errors name file, row, column and reason ---------------------------------------------------
def test_row_level_errors_are_all_listed_and_nothing_is_written(store, tmp_path):
    path = write_csv(
        tmp_path / "bad.csv",
        [
            row("V1"),
            row("V2", when="2023-02-30"),
            row("V3", grid="无此网格"),
            row("V4", grid="重名网格"),
            row("V5", kind="闲聊"),
            row("V6", households="三户"),
            row("V7", resolved="也许"),
            row("V1"),
            row("", when=""),
        ],
    )
    with pytest.raises(ValidationError) as exc:
        plan_import(store, "visits", path)
    text = problems(exc)
    assert "bad.csv，第 3 行，“走访时间”列：“2023-02-30”不是日期时间" in text
    assert "bad.csv，第 7 行，“户数”列：“三户”不是整数" in text
    assert "bad.csv，第 8 行，“已化解”列：“也许”不是是/否" in text
    assert "bad.csv，第 4 行，“网格”列：网格“无此网格”不存在" in text
    assert "bad.csv，第 5 行，“网格”列：“重名网格”对应多个网格（G03、G04），请改用编码" in text
    assert "bad.csv，第 6 行，“类型”列：“闲聊”不在代码表“kind”中" in text
    assert "bad.csv，第 9 行，“走访编号”列：“V1”与第 2 行重复" in text
    assert "bad.csv，第 10 行，“走访编号”列：必填，不能为空" in text
    assert "bad.csv，第 10 行，“走访时间”列：必填，不能为空" in text
    assert text.startswith("表 visits：9 处错误，未写入任何数据。")
    assert store.count("visits") == 0


def test_missing_required_columns_and_masked_columns_are_refused(store, tmp_path):
    with pytest.raises(ValidationError, match="缺少必填列：走访时间"):
        plan_import(store, "visits", write_csv(tmp_path / "a.csv", [["V1"]], header=["走访编号"]))
    with pytest.raises(ValidationError, match="脱敏导出的列"):
        plan_import(
            store,
            "visits",
            write_csv(
                tmp_path / "b.csv", [["V1", "2023-01-01", "张*"]], header=["走访编号", "走访时间", "来访人（已脱敏）"]
            ),
        )


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "文件为空"),
        (b"\x00\x01\x02binary\x00junk" * 100, "不是文本"),
        (b"PK\x03\x04" + b"\x00" * 200, "不是文本"),
        ('走访编号,走访时间\nV1,"2023-01-01\nV2,2023-01-02\n'.encode(), "第 2 行.*引号不匹配"),
        ("走访编号,走访时间\nV1,2023-01-01,多余\n".encode(), "第 2 行.*应有 2 列，实有 3 列"),
        ("走访编号,走访时间\n".encode(), "没有数据行"),
    ],
    ids=["empty", "binary", "xlsx-renamed", "mismatched-quotes", "extra-column", "header-only"],
)
def test_hostile_files_get_a_message_not_a_crash(store, tmp_path, content, message):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises((ImportFileError, ValidationError), match=message):
        plan_import(store, "visits", path)
    assert store.count("visits") == 0


def test_a_100mb_field_is_refused_quickly(store, tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as fh:
        fh.write('走访编号,走访时间,情况\nV1,2023-01-01,"'.encode())
        chunk = b"x" * (1 << 20)
        for _ in range(100):
            fh.write(chunk)
        fh.write(b'"\n')
    with pytest.raises(ImportFileError, match="字段过长"):
        plan_import(store, "visits", path)


def test_missing_file_and_folder(store, tmp_path):
    with pytest.raises(ImportFileError, match="文件不存在"):
        plan_import(store, "visits", tmp_path / "nope.csv")
    with pytest.raises(ImportFileError, match="目录"):
        plan_import(store, "visits", tmp_path)


def test_formula_cells_are_stored_as_text_and_neutralised_on_export(store, tmp_path):
    path = write_csv(
        tmp_path / "v.csv",
        [
            row("V1", note='=HYPERLINK("http://x")'),
            row("V2", note="+1"),
            row("V3", note="-2"),
            row("V4", note="@SUM(A1)"),
        ],
    )
    run_import(store, plan_import(store, "visits", path))
    assert store.get("visits", "V1")["note"] == '=HYPERLINK("http://x")'
    out = tmp_path / "out.csv"
    export_rows(select_rows(store, VISITS), VISITS, out, "csv", may_see_pii=True)
    lines = out.read_text("utf-8-sig").splitlines()
    assert lines[1].split(",")[6].startswith("\"'=HYPERLINK")
    assert [ln.split(",")[6] for ln in lines[2:]] == ["'+1", "'-2", "'@SUM(A1)"]
    xlsx = tmp_path / "out.xlsx"
    export_rows(select_rows(store, VISITS), VISITS, xlsx, "xlsx", may_see_pii=True)
    import openpyxl

    ws = openpyxl.load_workbook(xlsx).active
    assert ws["G2"].data_type == "s" and ws["G2"].value == '\'=HYPERLINK("http://x")'
    # Re-importing our own export gives the original text back.
    fresh = Store.open(tmp_path / "fresh", [*HOST_TABLES, VISITS], create=True)
    fresh.append("grids", [{"code": "G01", "name": "赵庄村网格", "kind": "综合", "village": "赵庄村"}])
    run_import(fresh, plan_import(fresh, "visits", out))
    assert fresh.get("visits", "V1")["note"] == '=HYPERLINK("http://x")'
    fresh.close()


# -- all or nothing, updates ---------------------------------------------------------------------
def test_a_bad_row_at_the_end_of_a_large_file_writes_nothing(store, tmp_path):
    rows = [row(f"V{i:06d}", grid="G02") for i in range(200_000)]
    rows.append(row("LAST", when="昨天"))
    path = write_csv(tmp_path / "big.csv", rows)
    with pytest.raises(ValidationError) as exc:
        plan_import(store, "visits", path)
    assert "第 200002 行，“走访时间”列：“昨天”不是日期时间" in problems(exc)
    assert store.count("visits") == 0
    assert not list((store.root / "visits").glob("**/*.parquet")) if (store.root / "visits").exists() else True


def test_reimport_is_refused_and_update_makes_edits_with_history(store, tmp_path):
    path = write_csv(tmp_path / "v.csv", [row("V1"), row("V2")])
    run_import(store, plan_import(store, "visits", path))
    with pytest.raises(ValidationError, match="已存在.*--update"):
        plan_import(store, "visits", path)
    path2 = write_csv(tmp_path / "v2.csv", [row("V1", note="已回访"), row("V2"), row("V3")])
    plan = plan_import(store, "visits", path2, update=True)
    assert (plan.new, plan.updates, plan.unchanged) == (1, 1, 1)
    run_import(store, plan)
    assert [v["note"] for v in store.history("visits", "V1").to_pylist()] == ["好", "已回访"]
    assert store.get("visits", "V2")["_rev"] == 1
    # A file with only some columns changes only those; the others keep their values.
    partial = write_csv(
        tmp_path / "v3.csv", [["V1", "2023-05-06 08:30", "再次回访"]], header=["走访编号", "走访时间", "情况"]
    )
    plan = plan_import(store, "visits", partial, update=True)
    assert (plan.new, plan.updates) == (0, 1)
    run_import(store, plan)
    v1 = store.get("visits", "V1")
    assert (v1["note"], v1["caller"], v1["phone"], v1["kind"]) == ("再次回访", "张三", "13812345678", "法律咨询")


def test_100k_row_xlsx_with_excel_dates_and_numbers(store, tmp_path):
    import xlsxwriter

    path = tmp_path / "big.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("走访台账")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for j, h in enumerate(HEADER[:5]):
        ws.write_string(0, j, h)
    base = dt.datetime(2023, 1, 1)
    for i in range(100_000):
        ws.write_string(i + 1, 0, f"X{i:06d}")
        ws.write_datetime(i + 1, 1, base + dt.timedelta(minutes=i), date_fmt)
        ws.write_string(i + 1, 2, "G01")
        ws.write_string(i + 1, 3, "政策宣传")
        ws.write_number(i + 1, 4, i % 7)
    wb.close()
    plan = plan_import(store, "visits", path)
    assert plan.sheet == "走访台账" and plan.rows == 100_000
    run_import(store, plan)
    assert store.query("SELECT max(visited_at), sum(households) FROM visits").to_pylist()[0] == {
        "max(visited_at)": base + dt.timedelta(minutes=99_999),
        "sum(households)": sum(i % 7 for i in range(100_000)),
    }


# -- export --------------------------------------------------------------------------------------
def test_export_csv_has_bom_and_chinese_headers_and_xlsx_freezes_header(store, tmp_path):
    run_import(
        store, plan_import(store, "visits", write_csv(tmp_path / "v.csv", [row("V1"), row("V2", when="2024-01-01")]))
    )
    out = tmp_path / "o.csv"
    res = export_rows(select_rows(store, VISITS, year=2023), VISITS, out, "csv", may_see_pii=True)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and res.rows == 1
    assert raw.decode("utf-8-sig").splitlines()[0] == ",".join(HEADER)
    import openpyxl

    xlsx = tmp_path / "o.xlsx"
    export_rows(select_rows(store, VISITS), VISITS, xlsx, "xlsx", may_see_pii=True)
    ws = openpyxl.load_workbook(xlsx).active
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == HEADER
    assert ws.column_dimensions["G"].width >= 4


def test_a_viewers_export_has_no_unmasked_pii_and_says_so(store, tmp_path):
    run_import(
        store,
        plan_import(
            store, "visits", write_csv(tmp_path / "v.csv", [row("V1", caller="欧阳娜娜", phone="13812345678")])
        ),
    )
    for fmt in ("csv", "xlsx", "parquet"):
        out = tmp_path / f"masked.{fmt}"
        res = export_rows(select_rows(store, VISITS), VISITS, out, fmt, may_see_pii=False)
        assert res.masked == ["来访人", "联系电话"]
        if fmt == "csv":
            text = out.read_text("utf-8-sig")
            assert "来访人（已脱敏）" in text and "欧*" in text and "138****5678" in text
        elif fmt == "xlsx":
            import openpyxl

            wb = openpyxl.load_workbook(out)
            cells = [str(c.value) for r in wb.worksheets[0].iter_rows() for c in r]
            text = " ".join(cells)
            assert "说明" in wb.sheetnames
        else:
            text = json.dumps(pq.read_table(out).to_pylist(), ensure_ascii=False, default=str)
        assert "欧阳娜娜" not in text and "13812345678" not in text
        with pytest.raises(ValidationError, match="脱敏"):
            plan_import(store, "visits", out, update=True)


def test_round_trip_through_every_format_gives_the_same_records(store, tmp_path):
    rows = [
        row(
            f"V{i}",
            when=f"2023-0{1 + i % 9}-1{i % 9} 0{i % 9}:15",
            kind=["矛盾调解", "法律咨询"][i % 2],
            households=str(i),
            resolved=["是", "否"][i % 2],
            note=f'第{i}条，含"引号"与逗号,',
            phone=f"1381234{i:04d}",
        )
        for i in range(30)
    ]
    run_import(store, plan_import(store, "visits", write_csv(tmp_path / "v.csv", rows)))
    want = store.query("SELECT * EXCLUDE (_at, _by) FROM visits ORDER BY visit_no")
    for fmt in ("csv", "xlsx", "parquet"):
        out = tmp_path / f"rt.{fmt}"
        export_rows(select_rows(store, VISITS), VISITS, out, fmt, may_see_pii=True)
        other = Store.open(tmp_path / f"rt-{fmt}", [*HOST_TABLES, VISITS], create=True)
        other.append("grids", [{"code": "G01", "name": "赵庄村网格", "kind": "综合", "village": "赵庄村"}])
        run_import(other, plan_import(other, "visits", out))
        assert other.query("SELECT * EXCLUDE (_at, _by) FROM visits ORDER BY visit_no").equals(want), fmt
        other.close()


# -- GeoJSON grids and the CLI ------------------------------------------------------------------
def test_geojson_grids_import_and_invalid_geometry_named(tmp_path, capsys):
    from fazhi_tui.resources import data_path

    store = tmp_path / "s"
    assert main(["init", "--store", str(store)]) == 0
    assert main(["import", "grids", str(data_path("grids.geojson")), "--store", str(store)]) == 0
    assert "新增 23 条" in capsys.readouterr().out
    doc = json.loads(data_path("grids.geojson").read_text("utf-8"))
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[113.0, 33.9], [113.2, 34.0], [113.2, 33.9], [113.0, 34.05], [113.0, 33.9]]],
    }
    doc["features"][4]["geometry"] = bowtie
    doc["features"][6]["geometry"]["coordinates"][0] = doc["features"][6]["geometry"]["coordinates"][0][:-1]
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    assert main(["import", "grids", str(bad), "--store", str(store), "--update"]) == 2
    err = capsys.readouterr().err
    code5 = doc["features"][4]["properties"]["code"]
    assert f"第 5 个要素（{code5}）：第 1 个多边形的外环自相交" in err
    assert "第 7 个要素" in err and "未闭合" in err


def test_cli_import_dry_run_and_export(tmp_path, capsys):
    store = tmp_path / "s"
    main(["init", "--store", str(store)])
    path = tmp_path / "g.csv"
    path.write_text("网格编码,名称,类型,所属村\nG1,一号网格,综合,甲庄村\n", "gb18030")
    assert main(["import", "grids", str(path), "--dry-run", "--store", str(store)]) == 0
    assert "将新增 1 条" in capsys.readouterr().out
    assert main(["sql", "SELECT count(*) AS n FROM grids", "--format", "csv", "--store", str(store)]) == 0
    assert capsys.readouterr().out.split() == ["n", "0"]
    assert main(["import", "grids", str(path), "--store", str(store)]) == 0
    assert "编码 GB18030" in capsys.readouterr().out
    out = tmp_path / "g.xlsx"
    assert main(["export", "grids", "-o", str(out), "--where", "名称=一号网格", "--store", str(store)]) == 0
    assert "已导出 1 条" in capsys.readouterr().out
    assert main(["export", "grids", "-o", str(tmp_path / "g.txt"), "--store", str(store)]) == 2
    assert "--format" in capsys.readouterr().err


def test_a_key_made_from_other_columns_when_the_file_has_none(tmp_path, capsys):
    """A county's published ranking has 季度 and 乡镇 but no key: the key is made from them."""
    store = tmp_path / "s"
    assert main(["init", "--store", str(store)]) == 0
    ranks = tmp_path / "ranks.csv"
    ranks.write_text("季度,乡镇,得分,名次\n2023Q1,赵庄镇,96.5,1\n2023Q1,甲镇,95.1,2\n2023Q1,甲镇,90,3\n", "gb18030")
    assert main(["import", "hotline_ranks", str(ranks), "--store", str(store)]) == 2
    assert "第 4 行，“排名编号”列：“2023Q1/甲镇”与第 3 行重复" in capsys.readouterr().err
    ranks.write_text("季度,乡镇,得分,名次\n2023Q1,赵庄镇,96.5,1\n2023Q1,甲镇,95.1,2\n", "gb18030")
    assert main(["import", "hotline_ranks", str(ranks), "--store", str(store)]) == 0
    capsys.readouterr()
    assert (
        main(["sql", "SELECT rank_id, rank FROM hotline_ranks ORDER BY rank", "--format", "csv", "--store", str(store)])
        == 0
    )
    assert capsys.readouterr().out.split() == ["rank_id,rank", "2023Q1/赵庄镇,1", "2023Q1/甲镇,2"]


def test_a_column_written_mostly_in_one_date_form_reads_its_other_forms_too(store, tmp_path):
    # The form of the first cell is tried first on every cell, the others only on the cells left.
    forms = {7: "2023/5/6", 90: "2023年5月6日 08:30", 150: "45052", 151: "2023.5.6", 199: "20230506"}
    rows = [row(f"V{i:03d}", when=forms.get(i, "2023-05-06 08:30:15")) for i in range(200)]
    run_import(store, plan_import(store, "visits", write_csv(tmp_path / "v.csv", rows), batch_rows=64))
    got = {r["visit_no"]: r["visited_at"] for r in store.query("SELECT visit_no, visited_at FROM visits").to_pylist()}
    d = dt.datetime(2023, 5, 6)
    assert got["V007"] == got["V150"] == got["V151"] == got["V199"] == d
    assert got["V090"] == d.replace(hour=8, minute=30)
    assert got["V000"] == got["V198"] == d.replace(hour=8, minute=30, second=15)
    bad = [row(f"W{i:03d}", when="2023-05-06 08:30:15") for i in range(100)]
    bad[60] = row("W060", when="2023-02-30 08:00:00")  # strptime rolls it over to 2023-03-02
    bad[61] = row("W061", when="2023/5/6 25:00")
    with pytest.raises(ValidationError) as exc:
        plan_import(store, "visits", write_csv(tmp_path / "bad.csv", bad))
    assert "第 62 行，“走访时间”列：“2023-02-30 08:00:00”不是日期时间" in problems(exc)
    assert "第 63 行，“走访时间”列：“2023/5/6 25:00”不是日期时间" in problems(exc)


def test_control_characters_are_found_in_any_cell_of_a_large_file_and_quotes_are_not_ones(store, tmp_path):
    # Text columns are searched as a whole buffer first; the rows are found cell by cell.
    rows = [row(f"V{i:05d}", note="群众反映“路灯不亮”……已转办") for i in range(30_000)]
    rows[20_000] = row("V20000", note="左\u202e右")  # a bidi override: file row 20002
    rows[25_000] = row("V25000", caller="张\u0085三")  # a C1 control
    path = write_csv(tmp_path / "v.csv", rows)
    with pytest.raises(ValidationError) as exc:
        plan_import(store, "visits", path)
    text = problems(exc)
    assert "第 20002 行，“情况”列：含有控制字符" in text and "第 25002 行，“来访人”列：含有控制字符" in text
    assert text.count("控制字符") == 2
    ok = write_csv(tmp_path / "ok.csv", [r for i, r in enumerate(rows) if i not in (20_000, 25_000)])
    assert plan_import(store, "visits", ok).rows == 29_998


def test_the_buffer_search_for_control_characters_agrees_with_the_cell_regex():
    import pyarrow.compute as pc

    from fazhi_tui.store import content

    cells = [
        "普通“引号”…",
        "a\x07b",
        "x\u0085y",
        "左\u202e右",
        "z\u2069",
        "ok\t\n\r",
        "é·",
        None,
        "",
        "\u2028",
        "\u00a0",
    ]
    for i, cell in enumerate(cells):
        arr = pa.array(["前", cell, "后"], pa.string())
        # Slices of a longer array (an Excel sheet is handed out so) see only their own cells.
        for part in (arr, arr.slice(1, 1), arr.slice(0, 1), arr.slice(2, 1), pa.chunked_array([arr.slice(0, 2), arr])):
            want = pc.fill_null(pc.match_substring_regex(part, content._CONTROL_PATTERN), False)
            assert content._has_control(part).to_pylist() == want.to_pylist(), (i, cell)
