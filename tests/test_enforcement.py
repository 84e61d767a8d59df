"""The enforcement ledger (fazhi_enforcement) without a screen: its row rules and cross-table
references, the office's Excel 台账 imported as-is (GB18030 CSV and XLSX), the 公示 working-day
deadline across a holiday with 调休, the 三项制度 rates on hand-worked rows, the review checks,
the figures and the demo's 2023. Real stores in tmp_path."""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
import pytest

from fazhi_tui.config import Config
from fazhi_tui.context import Context
from fazhi_tui.period import Period
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store, ValidationError
from fazhi_tui.transfer.importer import plan_import, run_import
from fazhi_tui.workdays import add_working_days

from .shell_fixtures import GRIDS, USER

fe = pytest.importorskip("fazhi_enforcement")
from fazhi_enforcement import figures, lists, records, review  # noqa: E402
from fazhi_enforcement.calendar import due_date  # noqa: E402
from fazhi_enforcement.settings import settings_from  # noqa: E402
from fazhi_enforcement.tables import ACTIONS_SPEC, CASE_RULES, CASES_SPEC  # noqa: E402

TODAY = dt.date(2023, 11, 20)  # a Monday
ZHAO, DAHUANG, ZHOU = (g["code"] for g in GRIDS)
PEOPLE = [
    {"person_id": "P1", "name": "王执法", "roles": ["执法队员"], "badge_no": "豫平执04210001"},
    {"person_id": "P2", "name": "李执法", "roles": ["执法队员"], "badge_no": "豫平执04210002"},
    {"person_id": "P3", "name": "张执法", "roles": ["执法队员"], "badge_no": "豫平执04210003"},
    {"person_id": "P4", "name": "赵网格", "roles": ["网格员"], "grid": ZHAO},
]


def case(no: str, handling: str | None, **kw) -> dict:
    two = handling not in (None, "劝阻")
    row = {
        "case_no": no,
        "source": "巡查",
        "found_at": dt.datetime(2023, 9, 20, 9, 30),
        "grid": ZHAO,
        "violation_type": "乱摆乱卖",
        "handling": handling,
        "officer1": "P1" if two else None,
        "badge1": "豫平执04210001" if two else None,
        "officer2": "P2" if two else None,
        "badge2": "豫平执04210002" if two else None,
        "av_record": "JL001",
        "party": "张三丰",
        "party_phone": "13812345678",
        "legal_review": "不适用",
        "status": "已结案",
    }
    row.update(kw)
    return row


# Hand-worked cases for 2023 with today 2023-11-20 (see each rate's expected value below).
CASES = [
    case("A1", "劝阻", av_record=None),  # not counted in 音像 or officers (劝阻)
    case("A2", "责令限期改正", decided_on=dt.date(2023, 11, 3), rectify_by=dt.date(2023, 11, 10), status="待复查"),
    # 2023-09-28 + 7 working days across 中秋/国庆 with 调休 (10-7, 10-8 worked): due 10-13.
    case(
        "A3",
        "简易程序处罚",
        av_record=None,
        decided_on=dt.date(2023, 9, 28),
        published_on=dt.date(2023, 10, 13),
        fine=100.0,
    ),
    case("A4", "简易程序处罚", decided_on=dt.date(2023, 9, 28), published_on=dt.date(2023, 10, 16), fine=200.0),
    # decided Friday 10-20: due 10-31; not published by today: late.
    case(
        "A5",
        "一般程序立案",
        major=True,
        legal_review="已审核",
        decided_on=dt.date(2023, 10, 20),
        fine=20000.0,
        status="处理中",
        grid=DAHUANG,
    ),
    case("A6", "一般程序立案", major=True, legal_review="未审核", av_record=None, status="处理中", grid=DAHUANG),
    # decided Thursday 11-16: due 11-27, not yet published: due, not counted in the rate.
    case("A7", "简易程序处罚", decided_on=dt.date(2023, 11, 16), fine=50.0, status="处理中"),
    # 整改期限 Wednesday 11-22: within two working days of Monday 11-20.
    case("A8", "责令限期改正", decided_on=dt.date(2023, 11, 15), rectify_by=dt.date(2023, 11, 22), status="待复查"),
    case("B1", "劝阻", found_at=dt.datetime(2022, 5, 1, 10, 0)),  # the previous year
]
ACTIONS = [
    {
        "action_no": "X1",
        "day": dt.date(2023, 3, 1),
        "action_type": "乱摆乱卖",
        "grid": ZHAO,
        "partners": ["市场所", "派出所"],
        "turnout": 8,
    },
    {
        "action_no": "X2",
        "day": dt.date(2023, 3, 8),
        "action_type": "乱摆乱卖",
        "grid": ZHAO,
        "partners": [],
        "turnout": 5,
    },
    {"action_no": "X3", "day": dt.date(2023, 4, 2), "action_type": "乱堆乱放", "grid": DAHUANG, "turnout": 4},
    {"action_no": "X4", "day": dt.date(2022, 4, 2), "action_type": "乱摆乱卖", "grid": DAHUANG, "turnout": 6},
]


@pytest.fixture
def host():
    return PluginHost.load(only=["fazhi_enforcement", "fazhi_hotline"])


@pytest.fixture
def estore(tmp_path, host):
    s = Store.open(tmp_path / "s", table_specs(host, Config()), create=True, user=USER)
    s.append("grids", GRIDS)
    s.append("people", PEOPLE)
    yield s
    s.close()


@pytest.fixture
def filled(estore):
    estore.append("enforcement_actions", ACTIONS)
    estore.append("enforcement_cases", CASES)
    return estore


def ctx_of(store, year=2023, today=TODAY, grid=None, settings=None) -> Context:
    return Context(store, Period.year(year), today, grid=grid, settings=settings or {})


# -- row rules --------------------------------------------------------------------------------------
def broken_rules(row: dict) -> list[str]:
    """The names of the case rules a row breaks, each rule's SQL run by DuckDB over the row as
    the store holds it (the check the store applies on every write)."""
    from fazhi_tui.store.validate import rows_to_table

    table = rows_to_table(CASES_SPEC, [row], rules=False)
    con = duckdb.connect()
    con.register("t", table)
    out = []
    for rule in CASE_RULES:
        ok = con.execute(f"SELECT ({rule.check}) FROM t").fetchone()[0]
        if ok is False:
            out.append(rule.name)
    return out


GOOD = case("G1", "责令限期改正", decided_on=dt.date(2023, 9, 21), rectify_by=dt.date(2023, 9, 30), status="处理中")


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"officer1": None}, "officer1_needed"),
        ({"badge1": None}, "officer1_needed"),
        ({"officer2": None, "badge2": None}, "officer2_needed"),
        ({"officer2": "P1", "badge2": "豫平执04210003"}, "officers_differ"),
        ({"badge2": "豫平执04210001"}, "badges_differ"),
        ({"major": True, "legal_review": "未审核"}, "major_needs_legal_review"),
        ({"status": "已结案"}, "closed_needs_review_result"),
        ({"review_result": "已整改"}, "review_result_needs_date"),
        ({"decided_on": dt.date(2023, 9, 19)}, "decided_after_found"),
        ({"rectify_by": dt.date(2023, 9, 20)}, "rectify_after_decided"),
        ({"reviewed_on": dt.date(2023, 9, 20), "review_result": "已整改"}, "reviewed_after_found"),
        ({"published_on": dt.date(2023, 9, 20)}, "published_after_decided"),
        ({"fine": -5.0}, "fine_not_negative"),
    ],
)
def test_each_case_rule_refuses_what_it_names(estore, changes, rule):
    # The rule alone breaks (its SQL over the row), and the store's API refuses the row with its
    # message under its column, writing nothing.
    assert broken_rules(GOOD) == []
    assert broken_rules({**GOOD, **changes}) == [rule]
    declared = next(r for r in CASE_RULES if r.name == rule)
    with pytest.raises(ValidationError) as err:
        estore.append("enforcement_cases", [{**GOOD, **changes}])
    assert [(p.row, p.column, p.reason) for p in err.value.problems] == [
        (1, CASES_SPEC.label_of(declared.column), declared.message)
    ]
    assert estore.count("enforcement_cases") == 0
    estore.append("enforcement_cases", [GOOD])
    assert estore.count("enforcement_cases") == 1


def test_rules_let_through_what_they_do_not_concern():
    # 劝阻 needs no officer; a 重大 decision not yet decided needs no review yet; a closed case
    # without 整改期限 needs no 复查结果; 不需复查 needs no date.
    assert broken_rules(case("D1", "劝阻")) == []
    assert broken_rules({**GOOD, "major": True, "legal_review": "未审核", "decided_on": None, "rectify_by": None}) == []
    assert broken_rules({**GOOD, "rectify_by": None, "status": "已结案"}) == []
    assert broken_rules({**GOOD, "status": "已结案", "review_result": "不需复查"}) == []


def test_rule_messages_name_the_column_a_person_fixes():
    by_name = {r.name: r for r in CASE_RULES}
    assert by_name["officer2_needed"].message == "劝阻以外的处理须有两名执法人员：缺执法人员2或其执法证号"
    assert CASES_SPEC.label_of(by_name["officer2_needed"].column) == "执法人员2"
    assert by_name["major_needs_legal_review"].message == "重大执法决定须先经法制审核（已审核）才能有决定日期"
    assert CASES_SPEC.label_of(by_name["closed_needs_review_result"].column) == "复查结果"
    assert by_name["decided_after_found"].message == "决定日期不能早于发现时间"


# -- references across tables (every write path) -----------------------------------------------------
def test_a_badge_that_is_not_the_officers_is_refused_by_the_api(estore):
    with pytest.raises(ValidationError) as err:
        estore.append("enforcement_cases", [case("R1", "简易程序处罚", badge2="豫平执04210003")])
    [p] = err.value.problems
    assert (p.row, p.column, p.reason) == (1, "执法证号2", "执法证号2与执法人员2在人员表中登记的执法证号不符")
    assert estore.count("enforcement_cases") == 0


def test_unknown_ticket_action_and_officer_are_refused_with_row_and_column(estore):
    rows = [
        case("R1", "劝阻"),
        case("R2", "劝阻", ticket_ref="GD20230101001"),
        case("R3", "劝阻", action_ref="X9"),
        case("R4", "劝阻", officer1="P9"),
    ]
    with pytest.raises(ValidationError) as err:
        estore.append("enforcement_cases", rows)
    got = sorted((p.row, p.column, p.reason) for p in err.value.problems)
    assert got == [
        (2, "关联工单", "关联工单不在12345热线工单中"),
        (3, "行动编号", "行动编号不在整治行动中"),
        (4, "执法人员1", "执法人员1不在人员表中"),
    ]
    assert estore.count("enforcement_cases") == 0  # all or nothing


def test_references_that_exist_are_accepted_and_an_edit_is_checked_too(filled):
    filled.append(
        "hotline",
        [
            {
                "ticket_no": "GD20230101001",
                "source": "工单",
                "received_at": dt.datetime(2023, 1, 1, 9),
                "appeal_type": "投诉举报",
                "status": "办理中",
            }
        ],
    )
    filled.append("enforcement_cases", [case("R2", "劝阻", ticket_ref="GD20230101001", action_ref="X1")])
    rev = filled.get("enforcement_cases", "R2")["_rev"]
    with pytest.raises(ValidationError, match="执法证号1与执法人员1"):
        filled.update("enforcement_cases", "R2", {"officer1": "P1", "badge1": "豫平执04210002"}, expected_rev=rev)


def test_a_reference_rule_must_name_columns_the_table_has():
    from fazhi_tui.api import Column, RefRule, TableSpec
    from fazhi_tui.store import SpecError

    cols = (Column("k", pa.string(), "编号"), Column("who", pa.string(), "人员"))
    bad = RefRule("who_known", ("who",), "people", ("person_id",), "whom", "人员不在人员表中")
    with pytest.raises(SpecError, match="whom"):
        TableSpec("t", "表", cols, key="k", references=(bad,))
    with pytest.raises(SpecError, match="一一对应"):
        TableSpec("t", "表", cols, key="k", references=(RefRule("x", ("who",), "people", (), "who", "…"),))


def test_a_case_refers_to_tickets_only_when_the_hotline_is_loaded(tmp_path):
    host = PluginHost.load(only=["fazhi_enforcement"])
    store = Store.open(tmp_path / "s", table_specs(host, Config()), create=True, user=USER)
    store.append("people", PEOPLE)
    store.append("enforcement_cases", [case("R2", "劝阻", ticket_ref="GD20230101001")])
    assert store.count("enforcement_cases") == 1


# -- the office's Excel 台账, as-is -----------------------------------------------------------------
CASE_HEADERS = [c.label for c in CASES_SPEC.columns]
ACTION_HEADERS = [c.label for c in ACTIONS_SPEC.columns]


def test_the_headers_are_the_issues():
    assert (
        CASE_HEADERS
        == (
            "案件编号 来源 关联工单 行动编号 发现时间 网格 地点 当事人 当事人电话 身份证号 违法类型 违法行为 依据条款 "
            "处理方式 执法人员1 执法证号1 执法人员2 执法证号2 音像记录号 是否重大执法决定 法制审核 决定日期 罚款金额 "
            "整改期限 复查日期 复查结果 公示日期 状态"
        ).split()
    )
    assert (
        ACTION_HEADERS
        == "行动编号 日期 行动类型 网格 地点 联合单位 带队人员 出动人次 音像记录号 发现问题数 劝阻数 备注".split()
    )


CASE_LINES = [
    # officers by name (the office's sheet), grid by its name, 是/否, dates as the office writes them
    "AJ001,巡查,,X1,2023/3/1 09:30,赵庄村网格,集贸市场,张三,13812345678,410421199001011234,乱摆乱卖,占道经营,"
    "《城市市容和环境卫生管理条例》第十四条,简易程序处罚,王执法,豫平执04210001,李执法,豫平执04210002,JL01,否,不适用,"
    "2023年3月1日,100,,,,2023-03-03,已结案",
    "AJ002,网格上报,,,2023-03-02,大黄村网格,村口,李四,,,乱堆乱放,堆放杂物,,劝阻,张执法,豫平执04210003,,,,否,,,,,,,,已结案",
]
ACTION_LINES = [
    "X1,2023-03-01,乱摆乱卖,赵庄村网格,集贸市场,市场所、派出所,王执法、李执法,12,JL00,5,4,联合行动",
    "X2,2023/3/8,乱摆乱卖,大黄村网格,主街,市场所,张执法,6,,2,2,",
]


def _write_csv(path, headers, lines):
    path.write_text(",".join(headers) + "\n" + "\n".join(lines) + "\n", encoding="gb18030")
    return path


def test_gb18030_csv_with_the_issues_headers_imports_as_is(estore, tmp_path):
    run_import(
        estore,
        plan_import(estore, "enforcement_actions", _write_csv(tmp_path / "行动.csv", ACTION_HEADERS, ACTION_LINES)),
    )
    plan = plan_import(estore, "enforcement_cases", _write_csv(tmp_path / "案件.csv", CASE_HEADERS, CASE_LINES))
    run_import(estore, plan)
    a = estore.get("enforcement_actions", "X1")
    assert a["partners"] == ["市场所", "派出所"] and a["leaders"] == ["P1", "P2"] and a["grid"] == ZHAO
    c = estore.get("enforcement_cases", "AJ001")
    assert (c["officer1"], c["badge1"], c["officer2"], c["grid"]) == ("P1", "豫平执04210001", "P2", ZHAO)
    assert c["decided_on"] == dt.date(2023, 3, 1) and c["fine"] == 100.0 and c["major"] is False
    assert c["found_at"] == dt.datetime(2023, 3, 1, 9, 30) and c["action_ref"] == "X1"
    assert estore.get("enforcement_cases", "AJ002")["officer1"] == "P3"


def test_xlsx_with_the_issues_headers_imports_as_is(estore, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(ACTION_HEADERS)
    ws.append(
        [
            "X1",
            dt.datetime(2023, 3, 1),
            "乱摆乱卖",
            "赵庄村网格",
            "集贸市场",
            "市场所、派出所",
            "王执法",
            12,
            None,
            5,
            4,
            None,
        ]
    )
    ws2 = wb.create_sheet("案件")
    ws2.append(CASE_HEADERS)
    ws2.append(
        ["AJ001", "巡查", None, "X1", dt.datetime(2023, 3, 1, 9, 30), "赵庄村网格", "集贸市场", "张三", "13812345678"]
        + ["410421199001011234", "乱摆乱卖", "占道经营", None, "简易程序处罚", "王执法", "豫平执04210001", "李执法"]
        + ["豫平执04210002", "JL01", "否", "不适用", dt.datetime(2023, 3, 1), 100, None, None, None]
        + [dt.datetime(2023, 3, 3), "已结案"]
    )
    path = tmp_path / "执法台账.xlsx"
    wb.save(path)
    run_import(estore, plan_import(estore, "enforcement_actions", path))
    run_import(estore, plan_import(estore, "enforcement_cases", path, sheet="案件"))
    c = estore.get("enforcement_cases", "AJ001")
    assert (c["officer2"], c["badge2"], c["published_on"]) == ("P2", "豫平执04210002", dt.date(2023, 3, 3))


def test_an_import_breaking_a_row_rule_is_refused_whole_naming_file_row_and_column(estore, tmp_path):
    run_import(
        estore,
        plan_import(estore, "enforcement_actions", _write_csv(tmp_path / "行动.csv", ACTION_HEADERS, ACTION_LINES)),
    )
    one_officer = CASE_LINES[0].replace("李执法,豫平执04210002", ",")
    with pytest.raises(ValidationError) as err:
        plan_import(
            estore, "enforcement_cases", _write_csv(tmp_path / "案件.csv", CASE_HEADERS, [CASE_LINES[1], one_officer])
        )
    assert [(p.row, p.column, p.reason) for p in err.value.problems] == [
        (3, "执法人员2", "劝阻以外的处理须有两名执法人员：缺执法人员2或其执法证号")
    ]
    assert estore.count("enforcement_cases") == 0


def test_an_import_with_a_wrong_badge_is_refused_whole_naming_file_row_and_column(estore, tmp_path):
    run_import(
        estore,
        plan_import(estore, "enforcement_actions", _write_csv(tmp_path / "行动.csv", ACTION_HEADERS, ACTION_LINES)),
    )
    bad = [CASE_LINES[0], CASE_LINES[1].replace("张执法,豫平执04210003", "张执法,豫平执04210001")]
    with pytest.raises(ValidationError) as err:
        plan_import(estore, "enforcement_cases", _write_csv(tmp_path / "案件.csv", CASE_HEADERS, bad))
    [p] = err.value.problems
    assert (p.row, p.column, p.reason) == (3, "执法证号1", "执法证号1与执法人员1在人员表中登记的执法证号不符")
    assert "案件.csv" in str(err.value)
    assert estore.count("enforcement_cases") == 0


# -- the 公示 deadline in working days ----------------------------------------------------------------
def test_publicity_deadline_counts_working_days_across_a_holiday_with_make_up_days():
    # 2023-09-29 … 10-06 中秋/国庆; Saturday 10-07 and Sunday 10-08 are worked (调休).
    assert due_date(dt.date(2023, 9, 28), 7) == dt.date(2023, 10, 13)
    # Counted by weekends alone it would be 10-09; the holiday alone (no 调休) would give 10-17.
    assert due_date(dt.date(2023, 9, 28), 7) != dt.date(2023, 10, 9)
    # 春节 2024: 2-10 … 2-17 off, Sunday 2-4 and Saturday 2-18 worked.
    assert due_date(dt.date(2024, 2, 8), 7) == dt.date(2024, 2, 23)
    assert add_working_days(dt.date(2024, 2, 3), 1) == dt.date(2024, 2, 4)


def test_publicity_days_is_configurable_and_checked(filled):
    lax = ctx_of(filled, settings={"publicity_days": 20})
    assert figures.figures(lax).compliance["publicity"].num == 2  # A4 (10-16) is on time with 20 days
    with pytest.raises(ValueError, match="publicity_days"):
        settings_from({"publicity_days": 0})
    with pytest.raises(ValueError, match="不认识的设置"):
        settings_from({"publicity": 7})


# -- figures on hand-worked rows ------------------------------------------------------------------------
def test_compliance_rates_on_hand_worked_rows(filled):
    f = figures.figures(ctx_of(filled))
    got = {k: (r.num, r.den) for k, r in f.compliance.items()}
    # 音像: A2–A8 are beyond 劝阻 (7), A3 and A6 lack a record. Officers: all seven have two.
    # 法制审核: A5, A6 are 重大; A5 reviewed. 公示: A3 on time (10-13), A4 late (10-16), A5 past its
    # due 10-31 unpublished; A7 still within its 公示期限 is not counted.
    assert got == {"av": (5, 7), "officers": (7, 7), "legal_review": (1, 2), "publicity": (1, 3)}
    assert f.compliance["publicity"].text() == "33.3%"


def test_the_four_rates_of_the_report_come_from_one_scan_until_the_cases_change(filled, host, monkeypatch):
    """The report and its preview ask for the four 三项制度 figures one after another: one scan of
    the cases answers them all; a write to the cases is seen at once."""
    ctx = ctx_of(filled)
    rates = {c.value.name: c.value for c in host.contributions("fazhi_figures") if "compliance" in c.value.name}
    scans = []
    case_rows = figures._case_rows
    monkeypatch.setattr(figures, "_case_rows", lambda *a, **k: scans.append(1) or case_rows(*a, **k))
    assert [
        rates[f"enforcement_compliance_{k}"].compute(ctx) for k in ("av", "officers", "legal_review", "publicity")
    ] == [
        71.4,
        100.0,
        50.0,
        33.3,
    ]
    assert len(scans) == 1
    late = next(c for c in CASES if c["case_no"] == "A4")
    rev = filled.query("SELECT _rev FROM enforcement_cases WHERE case_no = 'A4'").column(0)[0].as_py()
    filled.save("enforcement_cases", [late | {"published_on": dt.date(2023, 10, 9)}], {"A4": rev})
    assert rates["enforcement_compliance_publicity"].compute(ctx) == 66.7  # A4 now on time
    assert len(scans) == 2


def test_figures_for_the_period_and_grid_with_the_previous_period(filled):
    comp = figures.comparison(ctx_of(filled))
    cur, prev = comp.current, comp.previous
    assert (cur.actions, cur.joint_actions, cur.turnout, cur.by_type) == (3, 1, 17, {"乱摆乱卖": 2, "乱堆乱放": 1})
    assert (cur.cases, cur.filed, cur.fines) == (8, 2, 20350.0)
    assert cur.by_handling == {"劝阻": 1, "责令限期改正": 2, "简易程序处罚": 3, "一般程序立案": 2}
    assert cur.by_status == {"处理中": 3, "待复查": 2, "已结案": 3}
    assert prev is not None and (prev.period, prev.actions, prev.cases) == (Period.year(2022), 1, 1)
    from fazhi_tui.context import Grid

    dahuang = figures.figures(ctx_of(filled, grid=Grid(DAHUANG, "大黄村网格")))
    assert (dahuang.actions, dahuang.cases, dahuang.compliance["legal_review"].den) == (1, 2, 2)


def test_report_figures_are_traceable_to_their_rows(filled, host):
    ctx = ctx_of(filled)
    by_name = {f.name: f for c in host.contributions("fazhi_figures") for f in [c.value]}
    assert by_name["enforcement_stall_actions"].compute(ctx) == 2
    assert by_name["enforcement_stall_actions"].records(ctx).column("action_no").to_pylist() == ["X1", "X2"]
    assert by_name["enforcement_dissuaded"].compute(ctx) == 1
    assert by_name["enforcement_dissuaded"].records(ctx).column("case_no").to_pylist() == ["A1"]
    assert by_name["enforcement_joint_actions"].compute(ctx) == 1
    assert by_name["enforcement_cases_filed"].compute(ctx) == 2
    assert by_name["enforcement_fines"].compute(ctx) == 20350.0
    assert by_name["enforcement_compliance_publicity"].compute(ctx) == 33.3
    rows = by_name["enforcement_compliance_publicity"].records(ctx)
    assert dict(zip(rows.column("case_no").to_pylist(), rows.column("ok").to_pylist(), strict=True)) == {
        "A3": True,
        "A4": False,
        "A5": False,
    }
    # No data in a year is a gap, not a 0.
    assert by_name["enforcement_stall_actions"].compute(ctx_of(filled, year=2020)) is None
    assert by_name["enforcement_compliance_av"].compute(ctx_of(filled, year=2020)) is None


def test_grid_figures_count_actions_and_cases_per_grid(filled, host):
    ctx = ctx_of(filled)
    by_name = {c.value.name: c.value for c in host.contributions("fazhi_grid_figures")}
    assert by_name["enforcement_actions"].compute(ctx) == {ZHAO: 2, DAHUANG: 1}
    assert by_name["enforcement_cases"].compute(ctx) == {ZHAO: 6, DAHUANG: 2}


# -- lists and review ---------------------------------------------------------------------------------
def test_case_list_marks_each_case_in_words(filled):
    page = lists.cases_page(ctx_of(filled), lists.TODO_CASES)
    flags = dict(zip(page.rows.column("case_no").to_pylist(), page.rows.column("flag").to_pylist(), strict=True))
    assert flags == {"A2": "整改超期", "A5": "公示超期", "A7": "公示待办", "A8": "待复查"}
    assert page.counts == {"整改超期": 1, "公示超期": 1, "公示待办": 1, "待复查": 1}
    period = lists.cases_page(ctx_of(filled), limit=3)
    assert period.total == 8 and period.rows.num_rows == 3
    rest = period.more()
    assert rest.rows.num_rows == 3 and set(rest.rows.column("case_no").to_pylist()).isdisjoint(
        period.rows.column("case_no").to_pylist()
    )
    failing = lists.cases_page(ctx_of(filled), failing="av")
    assert sorted(failing.rows.column("case_no").to_pylist()) == ["A3", "A6"]


def test_review_checks_on_hand_worked_rows(filled):
    ctx = ctx_of(filled)
    overdue = review.rectify_overdue(ctx)
    assert [(i.record_id, i.overdue) for i in overdue] == [("A2", True)]
    assert overdue[0].title == "执法案件 A2 整改超期 6 个工作日（期限 2023-11-10），尚未复查"
    assert [i.record_id for i in review.review_due_soon(ctx)] == ["A8"]
    pub = review.publicity(ctx)
    assert [(i.record_id, i.overdue, i.due) for i in pub] == [
        ("A5", True, dt.date(2023, 10, 31)),
        ("A7", False, dt.date(2023, 11, 27)),
    ]
    assert [(i.record_id, i.title) for i in review.record_missing(ctx)] == [
        ("A6", "执法案件 A6 缺音像记录号（全过程记录）")
    ]
    assert [i.record_id for i in review.legal_review_missing(ctx)] == ["A6"]
    assert all("张" not in i.title + i.detail for i in pub)  # no party in an item


def test_review_follows_the_grid(filled):
    from fazhi_tui.context import Grid

    ctx = ctx_of(filled, grid=Grid(DAHUANG, "大黄村网格"))
    assert [i.record_id for i in review.publicity(ctx)] == ["A5"]
    assert review.rectify_overdue(ctx) == []


# -- writes from the forms -----------------------------------------------------------------------------
def test_a_new_case_fills_badges_from_people_and_numbers_itself(filled):
    ctx = ctx_of(filled)
    row = records.add_case(
        ctx,
        {
            "source": "巡查",
            "found_at": "2023-11-20 09:15",
            "grid": ZHOU,
            "violation_type": "乱摆乱卖",
            "handling": "责令限期改正",
            "officer1": "P1",
            "officer2": "P3",
            "decided_on": "2023-11-20",
            "rectify_by": "2023-11-27",
        },
    )
    stored = filled.get("enforcement_cases", row["case_no"])
    assert row["case_no"] == "AJ20231120-01"
    assert (stored["badge1"], stored["badge2"], stored["status"]) == ("豫平执04210001", "豫平执04210003", "待复查")
    with pytest.raises(records.EntryError, match="没有执法证号"):
        records.add_case(ctx, {"source": "巡查", "found_at": "2023-11-20", "violation_type": "其他", "officer1": "P4"})


def test_case_from_a_ticket_carries_its_number_and_grid(filled):
    filled.append(
        "hotline",
        [
            {
                "ticket_no": "GD20231101001",
                "source": "工单",
                "received_at": dt.datetime(2023, 11, 1, 9, 5),
                "appeal_type": "投诉举报",
                "status": "办理中",
                "grid": ZHOU,
                "content": "周营村集市摊贩占道经营",
            }
        ],
    )
    ctx = ctx_of(filled)
    values = records.from_ticket(ctx, "GD20231101001")
    assert values == {
        "source": "12345转办",
        "ticket_ref": "GD20231101001",
        "grid": ZHOU,
        "found_at": "2023-11-01 09:05",
        "violation": "周营村集市摊贩占道经营",
    }
    row = records.add_case(ctx, {**values, "violation_type": "乱摆乱卖", "handling": "劝阻"})
    assert filled.get("enforcement_cases", row["case_no"])["ticket_ref"] == "GD20231101001"
    with pytest.raises(records.EntryError, match="没有12345工单"):
        records.from_ticket(ctx, "GD0")


def test_review_close_and_publish_are_versions_with_history(filled):
    ctx = ctx_of(filled)
    rev = filled.get("enforcement_cases", "A8")["_rev"]
    rev = records.record_review(ctx, "A8", rev, {"reviewed_on": "2023-11-20", "review_result": "已整改"})
    rev = records.close_case(ctx, "A8", rev)
    history = filled.history("enforcement_cases", "A8").to_pylist()
    assert [h["status"] for h in history] == ["待复查", "处理中", "已结案"]
    assert history[-1]["review_result"] == "已整改"
    rev7 = filled.get("enforcement_cases", "A7")["_rev"]
    records.record_publicity(ctx, "A7", rev7, {"published_on": "2023-11-21"})
    assert filled.get("enforcement_cases", "A7")["published_on"] == dt.date(2023, 11, 21)
    with pytest.raises(records.EntryError, match="不是日期"):
        records.record_publicity(ctx, "A7", rev7 + 1, {"published_on": "明天"})


def test_a_new_action_resolves_leaders_by_name(filled):
    row = records.add_action(
        ctx_of(filled),
        {
            "day": "2023-11-20",
            "action_type": "乱摆乱卖",
            "partners": "市场所、派出所",
            "leaders": "王执法、P2",
            "turnout": "9",
        },
    )
    stored = filled.get("enforcement_actions", row["action_no"])
    assert (stored["leaders"], stored["partners"], stored["turnout"]) == (["P1", "P2"], ["市场所", "派出所"], 9)
    with pytest.raises(records.EntryError, match="人员表中没有“钱七”"):
        records.add_action(ctx_of(filled), {"day": "2023-11-20", "action_type": "其他", "leaders": "钱七"})


def test_code_table_is_configurable(tmp_path):
    host = PluginHost.load(only=["fazhi_enforcement"])
    config = Config(code_tables={"enforcement_type": ["乱摆乱卖", "违规广告"]})
    store = Store.open(tmp_path / "s", table_specs(host, config), create=True, user=USER)
    store.append("enforcement_actions", [{"action_no": "X1", "day": dt.date(2023, 1, 2), "action_type": "违规广告"}])
    with pytest.raises(ValidationError, match="不在代码表"):
        store.append(
            "enforcement_actions", [{"action_no": "X2", "day": dt.date(2023, 1, 2), "action_type": "乱堆乱放"}]
        )


# -- the demo ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    from fazhi_tui.demo import build_demo

    host = PluginHost.load(only=["fazhi_enforcement", "fazhi_hotline"])
    specs = table_specs(host, Config())
    path = tmp_path_factory.mktemp("demo") / "store"
    build_demo(path, host, specs, dt.date(2026, 11, 26))
    store = Store.open(path, specs, user=USER)
    yield store
    store.close()


def test_demo_2023_gives_the_seeds_sentence(demo_store):
    ctx = ctx_of(demo_store, 2023, dt.date(2026, 11, 26))
    assert 120 <= figures.stall_actions(ctx) <= 129
    assert figures.dissuaded(ctx) == 19
    partners = (
        demo_store.query(
            "SELECT DISTINCT unnest(partners) AS p FROM enforcement_actions WHERE action_type = '乱摆乱卖' "
            "AND year(day) = 2023"
        )
        .column("p")
        .to_pylist()
    )
    assert {"市场所", "派出所"} <= set(partners)
    assert len(figures.figures(ctx).by_type) >= 5  # other 六乱 besides


def test_demo_other_years_differ_and_today_has_review_work(demo_store):
    today = dt.date(2026, 11, 26)
    counts = {
        y: (figures.stall_actions(ctx_of(demo_store, y, today)), figures.dissuaded(ctx_of(demo_store, y, today)))
        for y in (2022, 2024, 2025)
    }
    assert len(set(counts.values())) == 3 and all(a and d for a, d in counts.values())
    ctx = ctx_of(demo_store, 2026, today)
    for check in (
        review.rectify_overdue,
        review.review_due_soon,
        review.publicity,
        review.record_missing,
        review.legal_review_missing,
    ):
        assert check(ctx), check.__name__
    officers = (
        demo_store.query(
            "SELECT count(*) AS n FROM enforcement_cases c JOIN people p ON p.person_id = c.officer1 "
            "WHERE NOT list_contains(p.roles, '执法队员') OR p.badge_no <> c.badge1"
        )
        .column("n")[0]
        .as_py()
    )
    assert officers == 0
    from_hotline = (
        demo_store.query(
            "SELECT count(*) AS n FROM enforcement_cases c JOIN hotline h ON h.ticket_no = c.ticket_ref "
            "WHERE c.source = '12345转办' AND c.grid = h.grid"
        )
        .column("n")[0]
        .as_py()
    )
    assert from_hotline > 0


def test_demo_rows_keep_every_case_rule(demo_store):
    rows = demo_store.query("SELECT * EXCLUDE (_id, _rev, _op, _at, _by) FROM enforcement_cases")
    con = duckdb.connect()
    con.register("t", rows)
    for rule in CASE_RULES:
        bad = con.execute(f"SELECT count(*) FROM t WHERE ({rule.check}) IS NOT DISTINCT FROM FALSE").fetchone()[0]
        assert bad == 0, rule.name
    assert isinstance(rows, pa.Table)
