"""Ledgers as another township's clerk exports them from Excel or WPS: a title row above the
header, blank rows saved as ",,,,,", phone numbers typed with full-width digits."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from fazhi_tui.host_tables import HOST_TABLES
from fazhi_tui.store import Store, ValidationError
from fazhi_tui.transfer.importer import plan_import, run_import


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "store", list(HOST_TABLES), create=True, user="测试员")
    s.append("grids", [{"code": "LJ01", "name": "东街网格", "kind": "综合", "village": "李家村"}])
    yield s
    s.close()


def people(store) -> list[dict]:
    return store.query("SELECT person_id, name, phone FROM people ORDER BY person_id").to_pylist()


def write_sheet(path, rows):
    """An Excel file of one sheet holding ``rows``, as a clerk's ledger would be saved."""
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def test_an_excel_title_row_merged_above_the_header_is_skipped(store, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["李家镇人员台账（2024年）"])
    ws.merge_cells("A1:E1")  # narrower than the header, as clerks merge it
    ws.append([])
    ws.append(["人员编号", "姓名", "角色", "网格", "任职日期"])
    ws.append(["P001", "李大山", "网格长", "LJ01", dt.datetime(2024, 3, 5)])
    ws.append(["P002", "王小红", "网格员", "LJ01", "2024年3月5日"])
    path = tmp_path / "人员.xlsx"
    wb.save(path)
    run_import(store, plan_import(store, "people", path))
    assert [r["name"] for r in people(store)] == ["李大山", "王小红"]


def test_rows_under_a_title_keep_their_sheet_row_numbers(store, tmp_path):
    path = write_sheet(
        tmp_path / "人员.xlsx",
        [
            ["李家镇人员台账"],
            ["人员编号", "姓名", "角色"],
            ["P001", "李大山", "不存在的角色"],
        ],
    )
    with pytest.raises(ValidationError) as info:
        plan_import(store, "people", path)
    assert [(p.row, p.column) for p in info.value.problems] == [(3, "角色")]
    assert "人员.xlsx" in str(info.value)


def test_a_one_cell_sheet_is_not_taken_for_a_title(store, tmp_path):
    path = write_sheet(
        tmp_path / "人员.xlsx",
        [
            ["人员编号"],
            ["P001"],
        ],
    )
    with pytest.raises(ValidationError) as info:
        plan_import(store, "people", path)
    assert "缺少必填列：姓名、角色" in str(info.value)


def test_blank_rows_of_empty_cells_in_a_csv_are_left_out(store, tmp_path):
    path = tmp_path / "人员.csv"
    text = "人员编号,姓名,角色,网格\r\nP001,李大山,网格长,LJ01\r\n,,,\r\n,,,\r\nP002,王小红,网格员,LJ01\r\nP003,,网格员,\r\n"
    path.write_bytes(text.encode("gbk"))
    with pytest.raises(ValidationError) as info:
        plan_import(store, "people", path)
    # only the real bad row, named by its row in the file (the blank rows still count)
    assert [(p.row, p.column) for p in info.value.problems] == [(6, "姓名")]
    assert people(store) == []
    path.write_bytes(text.replace("P003,,", "P003,张三,").encode("gbk"))
    plan = plan_import(store, "people", path)
    assert plan.new == 3
    run_import(store, plan)
    assert [r["person_id"] for r in people(store)] == ["P001", "P002", "P003"]


def test_full_width_digits_of_a_phone_are_stored_as_ascii(store, tmp_path):
    path = tmp_path / "人员.csv"
    path.write_text("人员编号,姓名,角色,联系电话\nP001,李大山,网格长,１３８００００００01\n", encoding="utf-8-sig")
    run_import(store, plan_import(store, "people", path))
    assert people(store) == [{"person_id": "P001", "name": "李大山", "phone": "13800000001"}]


def test_a_unit_in_brackets_after_a_header_names_the_same_column(store, tmp_path):
    path = tmp_path / "网格.csv"
    text = "网格编码,名称,类型,所属村,户数（户）,人口(人),设立日期【年月日】\r\nLJ02,西街网格,综合,李家村,１２0,350,2024/3/5\r\n"
    path.write_bytes(text.encode("gbk"))
    plan = plan_import(store, "grids", path)
    assert plan.unknown_headers == []
    run_import(store, plan)
    row = store.query("SELECT households, population, established FROM grids WHERE code = 'LJ02'").to_pylist()
    assert row == [{"households": 120, "population": 350, "established": dt.date(2024, 3, 5)}]


def test_a_bracketed_note_that_is_no_unit_stays_an_unknown_header(store, tmp_path):
    path = tmp_path / "人员.csv"
    path.write_text("人员编号,姓名,角色,备注（内部）\nP001,李大山,网格长,x\n", encoding="utf-8")
    assert plan_import(store, "people", path).unknown_headers == ["备注（内部）"]


@pytest.mark.parametrize(
    ("title", "encoding"),
    [
        ("李家镇人员台账（2024年）,,,,", "utf-8-sig"),  # Excel: the merged title, then empty cells
        ("李家镇人员台账（2024年）", "gb18030"),  # WPS, GBK: one cell
    ],
    ids=["excel-utf8-bom", "wps-gb18030"],
)
def test_a_csv_title_row_above_the_header_is_skipped(store, tmp_path, title, encoding):
    path = tmp_path / "人员.csv"
    text = f"{title}\r\n,,,,\r\n人员编号,姓名,角色,网格,任职日期\r\nP001,李大山,网格长,LJ01,2024/3/5\r\nP002,王小红,网格员,LJ01,2024/3/5\r\n"
    path.write_bytes(text.encode(encoding))
    plan = plan_import(store, "people", path)
    assert plan.unknown_headers == []
    run_import(store, plan)
    assert [r["name"] for r in people(store)] == ["李大山", "王小红"]


def test_rows_under_a_csv_title_keep_their_line_numbers(store, tmp_path):
    path = tmp_path / "人员.csv"
    text = "李家镇人员台账\r\n\r\n人员编号,姓名,角色\r\nP001,李大山,网格长\r\nP002,王小红,不存在的角色\r\nP003,张三\r\n"
    path.write_bytes(text.encode("gb18030"))
    with pytest.raises(ValidationError) as info:
        plan_import(store, "people", path)
    assert [(p.row, p.column) for p in info.value.problems] == [(6, None)]  # the row with a cell missing
    path.write_bytes(text.replace("P003,张三", "P003,张三,网格员").encode("gb18030"))
    with pytest.raises(ValidationError) as info:
        plan_import(store, "people", path)
    assert [(p.row, p.column) for p in info.value.problems] == [(5, "角色")]
    assert "人员.csv" in str(info.value)
    assert people(store) == []


def test_a_header_problem_under_a_csv_title_names_the_header_row(store, tmp_path):
    path = tmp_path / "人员.csv"
    path.write_text("李家镇人员台账\t\t\n人员编号\t姓名\t网格\nP001\t李大山\tLJ01\n", encoding="utf-8")  # tab-separated
    with pytest.raises(ValidationError) as info:
        plan_import(store, "people", path)
    assert [(p.row, p.reason) for p in info.value.problems] == [(2, "缺少必填列：角色")]


def test_a_one_cell_csv_is_not_taken_for_a_title(store, tmp_path):
    path = tmp_path / "人员.csv"
    path.write_text("人员编号\nP001\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        plan_import(store, "people", path)
    assert [(p.row, p.reason) for p in info.value.problems] == [(1, "缺少必填列：姓名、角色")]


def test_a_header_problem_under_an_excel_title_names_the_header_row(store, tmp_path):
    path = write_sheet(
        tmp_path / "人员.xlsx",
        [
            ["李家镇人员台账"],
            ["人员编号", "姓名", "网格"],
            ["P001", "李大山", "LJ01"],
        ],
    )
    with pytest.raises(ValidationError) as info:
        plan_import(store, "people", path)
    assert [(p.row, p.reason) for p in info.value.problems] == [(2, "缺少必填列：角色")]


def grids(store) -> list[dict]:
    return store.query("SELECT code, households, population FROM grids ORDER BY code").to_pylist()


def _grid_sheet(path, population, *, extra=None):
    more = [extra] if extra else []
    write_sheet(
        path,
        [
            ["李家镇网格台账"],
            ["网格编码", "名称", "类型", "所属村", "户数", "人口", *(["合计"] if extra else [])],
            ["LJ02", "西街网格", "综合", "李家村", 120, population, *more],
            ["LJ03", "南街网格", "综合", "李家村", 100, 300, *more],
        ],
    )


def test_an_excel_formula_never_calculated_is_refused_naming_the_cell(store, tmp_path):
    path = tmp_path / "网格.xlsx"
    _grid_sheet(path, "=E3*3")  # openpyxl writes the formula without its value, as scripts do
    with pytest.raises(ValidationError) as info:
        plan_import(store, "grids", path)
    assert [(p.row, p.column) for p in info.value.problems] == [(3, "人口")]
    message = str(info.value)
    assert "网格.xlsx，第 3 行，“人口”列：公式“=E3*3”没有计算结果" in message
    assert "请用 Excel 或 WPS 打开该文件、保存后再导入" in message
    assert grids(store) == [{"code": "LJ01", "households": None, "population": None}]


def test_a_formula_excel_calculated_imports_its_value(store, tmp_path):
    import zipfile

    saved = tmp_path / "saved.xlsx"
    _grid_sheet(saved, "=E3*3")
    path = tmp_path / "网格.xlsx"
    # As Excel saves it: the formula and its result (and an empty text result typed as text).
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b"<f>E3*3</f><v></v>" in data
                data = data.replace(b"<f>E3*3</f><v></v>", b"<f>E3*3</f><v>360</v>")
            out.writestr(item, data)
    run_import(store, plan_import(store, "grids", path))
    assert grids(store)[1] == {"code": "LJ02", "households": 120, "population": 360}


def test_an_uncalculated_formula_in_a_column_not_imported_is_no_problem(store, tmp_path):
    path = tmp_path / "网格.xlsx"
    _grid_sheet(path, 360, extra="=E3+F3")
    plan = plan_import(store, "grids", path)
    assert plan.unknown_headers == ["合计"]
    run_import(store, plan)
    assert [g["code"] for g in grids(store)] == ["LJ01", "LJ02", "LJ03"]


@pytest.mark.parametrize("newline", ["\r\n", "\n"], ids=["crlf", "lf"])
def test_rows_after_an_empty_csv_line_keep_their_line_numbers(store, tmp_path, newline):
    # A line with nothing on it (not even commas), as a clerk leaves when editing the file by
    # hand: no record, yet it is a line the clerk counts, as the editor and Excel show it.
    path = tmp_path / "人员.csv"
    lines = ["人员编号,姓名,角色", "P001,李大山,网格长", "", "P002,王小红,不存在的角色", "", "", "P003,张三"]
    path.write_bytes((newline.join(lines) + newline + newline).encode("utf-8"))  # and one at the end
    with pytest.raises(ValidationError) as info:
        plan_import(store, "people", path)
    assert [(p.row, p.column) for p in info.value.problems] == [(7, None)]  # the row with a cell missing
    lines[-1] = "P003,张三,网格员"
    path.write_bytes((newline.join(lines) + newline).encode("utf-8"))
    with pytest.raises(ValidationError) as info:
        plan_import(store, "people", path)
    assert [(p.row, p.column) for p in info.value.problems] == [(4, "角色")]
    lines[3] = "P002,王小红,网格员"
    lines.insert(1, "")  # under the header too
    path.write_bytes((newline.join(lines) + newline).encode("utf-8"))
    plan = plan_import(store, "people", path)
    assert plan.file_rows.to_pylist() == [3, 5, 8]
    run_import(store, plan)
    assert [r["name"] for r in people(store)] == ["李大山", "王小红", "张三"]


def test_an_empty_line_inside_a_quoted_cell_is_not_counted_twice(store, tmp_path):
    path = tmp_path / "人员.csv"
    path.write_bytes('人员编号,姓名,角色\nP001,"李\n\n大山",网格长\n\nP002,王小红,不存在的角色\n'.encode())
    with pytest.raises(ValidationError) as info:
        plan_import(store, "people", path)
    # Excel counts records: the quoted cell is one row (2), the empty line is row 3.
    assert [(p.row, p.column) for p in info.value.problems] == [(4, "角色")]
