"""The office's Excel 台账 imports as it is (its Chinese headers, GB18030 CSV and XLSX), the
roster/参加人数 warning shows in the import's notes (not a refusal), and the inspector's 学法台账
and sign-in sheet read back cell by cell with openpyxl."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from fazhi_training import inspector
from fazhi_tui.api import Period, ValidationError
from fazhi_tui.transfer.importer import plan_import, run_import

from .shell_fixtures import GRIDS
from .training_fixtures import context, training_store

SESSION_HEADERS = "编号,日期,类型,主题,主讲人,领学人,对象,地点,场所类型,网格,学时,参加人数,备注"


@pytest.fixture
def empty(tmp_path):
    s = training_store(tmp_path / "s", rows=False)
    yield s
    s.close()


def write_xlsx(path, rows):
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("参学记录")
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v is not None:
                ws.write(i, j, v)
    wb.close()


def test_trainings_import_from_a_gb18030_csv_with_the_office_headers(empty, tmp_path):
    csv = tmp_path / "学法台账.csv"
    csv.write_text(
        "\n".join(
            [
                SESSION_HEADERS,
                "XF2025-001,2025/1/10,中心组学习,学习宪法,王书记,王书记,班子成员,镇政府会议室,机关,赵庄村网格,2,,",
                "XF2025-002,2025-03-05,法治培训,行政处罚法,县司法局讲师,,机关干部、村干部,镇政府,机关,,3,40,外请",
                # 网格 by village name (the grid's village), 领学人 by id and by name.
                f"XF2025-003,2025-03-06,中心组学习,民法典,,P02、王书记,,,,{GRIDS[2]['village']},2,,",
                "XF2025-004,2025-05-12,普法宣讲,预防校园欺凌,,,学生,赵庄小学,学校,大黄村网格,,120,",
            ]
        )
        + "\n",
        encoding="gb18030",
    )
    plan = plan_import(empty, "trainings", csv)
    assert plan.encoding == "gb18030" and plan.unknown_headers == [] and plan.rows == 4
    run_import(empty, plan)
    rows = {r["training_id"]: r for r in empty.query("SELECT * FROM trainings").to_pylist()}
    assert rows["XF2025-001"]["date"] == dt.date(2025, 1, 10)
    assert rows["XF2025-001"]["leaders"] == ["P01"] and rows["XF2025-001"]["grid"] == GRIDS[0]["code"]
    assert rows["XF2025-002"]["audience"] == ["机关干部", "村干部"] and rows["XF2025-002"]["participants"] == 40
    assert rows["XF2025-003"]["leaders"] == ["P02", "P01"] and rows["XF2025-003"]["grid"] == GRIDS[2]["code"]
    assert rows["XF2025-004"]["venue_kind"] == "学校" and rows["XF2025-004"]["hours"] is None


def test_a_bad_sessions_file_names_file_row_and_column(empty, tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text(
        SESSION_HEADERS + "\nXF1,2025-01-10,座谈会,,,张伟,,,,,2,,\nXF2,2025-13-01,法治培训,,,,,,,,二,,\n",
        encoding="gb18030",
    )
    with pytest.raises(ValidationError) as err:
        plan_import(empty, "trainings", csv)
    text = str(err.value)
    assert "bad.csv" in text and "第 2 行" in text and "类型" in text and "座谈会" in text
    # An ambiguous name names the candidates; nothing is written.
    assert "“张伟”对应多个人员（P03、P05）" in text
    assert "第 3 行" in text and "日期" in text and "学时" in text
    assert empty.count("trainings") == 0


def test_attendance_imports_from_xlsx_with_keys_from_the_pair(tmp_path):
    store = training_store(tmp_path / "s")
    xlsx = tmp_path / "参学记录.xlsx"
    store.append("trainings", [{"training_id": "T9", "date": dt.date(2025, 6, 20), "kind": "学法考试", "hours": 1}])
    write_xlsx(
        xlsx,
        [
            ["编号", "人员", "出勤", "成绩"],
            ["T9", "王书记", "出席", 95],
            ["T9", "P02", "出席", 88.5],
            ["T9", "P03", "请假", None],
            ["T9", "赵敏", None, 70],  # empty 出勤 counts as 出席
        ],
    )
    plan = plan_import(store, "training_attendance", xlsx)
    assert plan.rows == 4 and plan.notes == []  # T9 has no 参加人数 written: nothing to disagree with
    run_import(store, plan)
    got = store.query(
        "SELECT attendance_id, person, status, score FROM training_attendance WHERE training_id = 'T9' "
        "ORDER BY attendance_id"
    ).to_pylist()
    assert [r["attendance_id"] for r in got] == ["T9/P01", "T9/P02", "T9/P03", "T9/P04"]
    assert [r["score"] for r in got] == [95, 88.5, None, 70]
    # The same person by name and by id is the same record: a second file updates, not duplicates.
    write_xlsx(xlsx, [["编号", "人员", "出勤", "成绩"], ["T9", "P01", "出席", 96]])
    with pytest.raises(ValidationError, match="已存在"):
        plan_import(store, "training_attendance", xlsx)
    plan = plan_import(store, "training_attendance", xlsx, update=True)
    assert plan.updates == 1
    # A session that does not exist, and a person who is two people, are refused.
    write_xlsx(xlsx, [["编号", "人员", "出勤", "成绩"], ["NOPE", "P01", "出席", None], ["T9", "张伟", "出席", None]])
    with pytest.raises(ValidationError) as err:
        plan_import(store, "training_attendance", xlsx)
    assert "NOPE" in str(err.value) and "P03、P05" in str(err.value)
    store.close()


def test_a_roster_that_disagrees_with_participants_warns_in_the_preview(tmp_path):
    store = training_store(tmp_path / "s")  # S3: 参加人数 5, roster of 5 present
    csv = tmp_path / "名单.csv"
    # Two more present at S3 (P05 by name is ambiguous, so by id), one marked absent: 6 present.
    csv.write_text("编号,人员,出勤\nS3,P05,出席\nS3,P07,出席\nS3,P06,缺席\nS1,P04,出席\n", encoding="gb18030")
    plan = plan_import(store, "training_attendance", csv, update=True)
    assert plan.notes == ["第 2 行起（编号 S3）：名单出席 6 人，与该次活动的参加人数 5 不符；统计以名单为准"]
    run_import(store, plan)  # a warning, not a refusal
    assert store.count("training_attendance") == 22
    # The other way round: a sessions file whose 参加人数 disagrees with the stored roster.
    sessions = tmp_path / "活动.csv"
    sessions.write_text(SESSION_HEADERS + "\nS3,2025-03-05,法治培训,行政处罚法,,,,,,,3,7,\n", encoding="gb18030")
    plan = plan_import(store, "trainings", sessions, update=True)
    assert plan.notes == ["第 2 行（编号 S3）：参加人数 7 与已有参学名单的出席人数 6 不符；统计以名单为准"]
    listing = {
        r["training_id"]: r
        for r in __import__("fazhi_training.sessions").sessions.session_list(context(store)).rows.to_pylist()
    }
    assert listing["S3"]["participants"] == 6  # the roster's count
    store.close()


def test_the_inspectors_ledger_cell_by_cell(tmp_path):
    store = training_store(tmp_path / "s")
    ctx = context(store, Period.year(2025))
    out = inspector.write_ledger(ctx, 2025, tmp_path / "学法台账-2025.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["学习培训活动", "个人学时"]
    ws = wb["学习培训活动"]
    assert ws["A1"].value == "赵庄镇2025年学法培训与普法活动台账"
    assert [c.value for c in ws[2]] == list(inspector.SESSION_HEADERS) and ws.freeze_panes == "A3"
    assert ws.max_row == 2 + 9  # the nine sessions of 2025 (S10 is 2024's)
    first = [c.value for c in ws[3]]
    assert first[:3] == ["S1", dt.datetime(2025, 1, 10), "中心组学习"]
    assert first[3:] == ["学习宪法", None, "王书记", None, None, None, None, 2, 2, None]
    s3 = [c.value for c in ws[5]]
    assert s3[0] == "S3" and s3[10:12] == [3, 5]
    s5 = [c.value for c in ws[7]]
    assert s5[0] == "S5" and s5[7] == "赵庄小学" and s5[9] == GRIDS[0]["name"] and s5[11] == 120
    s9 = [c.value for c in ws[11]]
    assert s9[0] == "S9" and s9[5] == "李镇长、张伟"
    wh = wb["个人学时"]
    assert wh["A1"].value.startswith("赵庄镇2025年个人学法学时统计")
    assert [c.value for c in wh[2]] == list(inspector.HOURS_HEADERS) and wh.freeze_panes == "A3"
    rows = [[c.value for c in r] for r in wh.iter_rows(min_row=3)]
    assert [r[1] for r in rows] == ["P04", "P02", "P03", "P01", "P05", "P06"]
    assert rows[0] == [1, "P04", "赵敏", "赵庄镇人民政府", "网格指导员", 3, 40, "落后", 1, 1, 0, None]
    assert rows[1] == [2, "P02", "李镇长", "赵庄镇人民政府", "班子成员、镇长", 8, 40, "落后", 4, 1, 0, 90]
    assert rows[5][5:8] == [3, None, "无目标"]
    every = " ".join(str(c.value) for sheet in wb for row in sheet.iter_rows() for c in row if c.value is not None)
    assert "13812345678" not in every  # phones never leave the store
    store.close()


def test_the_sign_in_sheet_of_one_session(tmp_path):
    store = training_store(tmp_path / "s")
    out = inspector.write_sign_in(context(store), "S4", tmp_path / "签到表.xlsx")
    ws = openpyxl.load_workbook(out)["签到表"]
    assert ws["A1"].value == "学法考试签到表"
    info = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(2, 7)}
    assert info == {"编号": "S4", "主题": "上半年考试", "日期": "2025年04月01日", "学时": 1, None: None}
    head = next(r for r in range(1, 12) if ws.cell(r, 1).value == "序号")
    assert [ws.cell(head, c).value for c in range(1, 7)] == ["序号", "姓名", "单位", "出勤", "签名", "成绩"]
    assert ws.freeze_panes == f"A{head + 1}"
    body = [[ws.cell(r, c).value for c in range(1, 7)] for r in range(head + 1, head + 4)]
    assert body == [
        [1, "李镇长", "赵庄镇人民政府", "出席", None, 90],
        [2, "张伟", "赵庄镇人民政府", "出席", None, 80],
        [3, "赵敏", "赵庄镇人民政府", "缺席", None, None],
    ]
    assert ws.cell(head + 5, 1).value == "应到 3 人，实到 2 人"
    with pytest.raises(ValueError, match="没有编号为 NOPE 的活动"):
        inspector.write_sign_in(context(store), "NOPE", tmp_path / "x.xlsx")
    store.close()
