"""The work ledger (工作台账) without a screen: each category's figure on hand-worked rows (count
vs sum of 数量, 级别 breakdown, closed, 事项 kind, cumulative), records behind each figure, an
office's own category and targets from the config, the config's checks, import with the
ledger's Chinese headers (CSV in GB18030, XLSX), the review checks, and the demo's 2023 against
the seed report. Real stores in tmp_path."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from fazhi_tui.config import Config
from fazhi_tui.context import Context, Grid
from fazhi_tui.demo import build_demo
from fazhi_tui.period import Period
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store
from fazhi_tui.transfer.importer import plan_import, run_import

from .shell_fixtures import GRIDS, USER

TODAY = dt.date(2026, 11, 26)
ZHAO, DAHUANG, ZHOUYING = (g["code"] for g in GRIDS)
ZHOUYING_GRID = Grid(ZHOUYING, "周营村网格", "周营村")
Y2023 = Period.year(2023)

OFFICE = {
    "categories": {
        "信访接待": {"figure": "ledger_petitions", "unit": "次", "label": "信访接待次数", "grids": True, "target": 40},
        "党委会": {"target": 30},
    },
    "targets": {"ledger_volunteer_visits": 800},
}


def item(no, day, category, title="事项", **more):
    return {"item_no": no, "date": dt.date.fromisoformat(day), "category": category, "title": title, **more}


# Hand-worked: what each figure should be for 2023 is written beside the rows.
ROWS = [
    # 党委会: 3 meetings in 2023 (one in 2022), 大事项 2 + 3 + (empty = 1) = 6.
    item("A1", "2023-01-10", "党委会", quantity=2),
    item("A2", "2023-05-10", "党委会", quantity=3),
    item("A3", "2023-12-31", "党委会"),
    item("A0", "2022-12-31", "党委会", quantity=9),
    # 志愿服务: 数量 40 + 25 in 2023, 周营村 has 25.
    item("V1", "2023-03-01", "志愿服务", quantity=40, grid=ZHAO),
    item("V2", "2023-03-02", "志愿服务", quantity=25, grid=ZHOUYING),
    # 整改问题: 3 found in 2023; closed in 2023: P0 (found 2022) and P1; P2 closed 2024; P3 open.
    item("P0", "2022-11-01", "整改问题", status="已销号", done_date=dt.date(2023, 1, 5), due=dt.date(2022, 12, 1)),
    item("P1", "2023-02-01", "整改问题", status="已销号", done_date=dt.date(2023, 3, 1), due=dt.date(2023, 3, 1)),
    item("P2", "2023-10-01", "整改问题", status="已销号", done_date=dt.date(2024, 1, 9), due=dt.date(2023, 12, 1)),
    item("P3", "2023-11-01", "整改问题", status="进行中", due=dt.date(2026, 11, 20), grid=DAHUANG),
    item("P4", "2026-11-20", "整改问题", status="进行中", due=dt.date(2026, 12, 20)),
    # 示范村 by 级别, cumulative: by end 2023 county 2, city 1 (the 2024 one not yet).
    item("M1", "2019-05-01", "示范村", grid=ZHAO, level="县级"),
    item("M2", "2023-06-01", "示范村", grid=DAHUANG, level="县级"),
    item("M3", "2021-06-01", "示范村", grid=ZHAO, level="市级"),
    item("M4", "2024-06-01", "示范村", grid=ZHOUYING, level="省级"),
    # 荣誉 by 级别 in the period: 2023 one 省级, one 国家级.
    item("H1", "2023-04-01", "荣誉", level="省级"),
    item("H2", "2023-09-01", "荣誉", level="国家级"),
    item("H3", "2022-09-01", "荣誉", level="省级"),
    # 制度建设 by 事项 kind.
    item("S1", "2023-02-01", "制度建设", "普法用法制度：普法责任清单"),
    item("S2", "2023-02-02", "制度建设", "工作制度：值班制度"),
    item("S3", "2023-02-03", "制度建设", "工作制度：信息报送制度"),
    # 政务公开: 2 times, 7 items.
    item("G1", "2023-07-01", "政务公开", quantity=4),
    item("G2", "2023-07-02", "政务公开", quantity=3),
]
EXPECTED_2023 = {
    "ledger_party_meetings": 3,
    "ledger_party_matters": 6,
    "ledger_volunteer_visits": 65,
    "ledger_problems_found": 3,
    "ledger_issues_closed": 2,
    "ledger_model_villages_county": 2,
    "ledger_model_villages_city": 1,
    "ledger_model_villages_provincial": 0,
    "ledger_model_villages_national": 0,
    "ledger_honours": 2,
    "ledger_honours_provincial": 1,
    "ledger_honours_national": 1,
    "ledger_honours_city": 0,
    "ledger_publicity_systems": 1,
    "ledger_work_systems": 2,
    "ledger_disclosure_times": 2,
    "ledger_disclosure_items": 7,
    # Categories this office does not keep here: gaps, not zeros.
    "ledger_surveys": None,
    "ledger_demands_resolved": None,
    "ledger_firsts": None,
}


def ledger_store(tmp_path, config: Config | None = None, rows=ROWS):
    config = config or Config()
    host = PluginHost.load(only=["fazhi_ledger"], settings=config.plugin)
    store = Store.open(tmp_path / "store", table_specs(host, config), create=True, user=USER)
    store.append("grids", GRIDS)
    if rows:
        store.append("work_items", rows)
    return host, store


def ctx_of(store, period=Y2023, grid=None, settings=None) -> Context:
    return Context(store=store, period=period, today=TODAY, grid=grid, settings=settings or {})


def ledger_figures(host):
    return {c.value.name: c.value for c in host.contributions("fazhi_figures") if c.plugin == "fazhi_ledger"}


@pytest.fixture
def ledger(tmp_path):
    host, store = ledger_store(tmp_path)
    yield host, store
    store.close()


def test_each_kind_of_figure_on_hand_worked_rows(ledger):
    host, store = ledger
    figs = ledger_figures(host)
    ctx = ctx_of(store)
    got = {name: figs[name].compute(ctx) for name in EXPECTED_2023}
    assert got == EXPECTED_2023
    # Every figure's records add up to its value (same filter), and name the work_items table.
    from fazhi_ledger.categories import current
    from fazhi_ledger.figures import value_of

    for f in current().figures:
        value = figs[f.name].compute(ctx)
        if value is not None:
            assert value_of(f, figs[f.name].records(ctx)) == value, f.name
        assert figs[f.name].table == "work_items"
    assert sorted(figs["ledger_issues_closed"].records(ctx).column("item_no").to_pylist()) == ["P0", "P1"]


def test_figures_follow_the_grid_and_the_period(ledger):
    host, store = ledger
    figs = ledger_figures(host)
    assert figs["ledger_volunteer_visits"].compute(ctx_of(store, grid=ZHOUYING_GRID)) == 25
    # The grid has no record of this kept category in 2023: zero, not a gap.
    assert figs["ledger_party_meetings"].compute(ctx_of(store, grid=ZHOUYING_GRID)) == 0
    assert figs["ledger_party_meetings"].compute(ctx_of(store, Period.quarter(2023, 2))) == 1
    assert figs["ledger_party_meetings"].compute(ctx_of(store, Period.year(2022))) == 1
    assert figs["ledger_party_matters"].compute(ctx_of(store, Period.year(2022))) == 9
    # Before the office kept a category at all: a gap.
    assert figs["ledger_volunteer_visits"].compute(ctx_of(store, Period.year(2022))) is None
    assert figs["ledger_model_villages_provincial"].compute(ctx_of(store, Period.year(2024))) == 1
    assert figs["ledger_issues_closed"].compute(ctx_of(store, Period.year(2024))) == 1


def test_the_panel_summary_agrees_with_each_figure(ledger):
    """The summary (one query, which the figures are read from) against each figure's own query."""
    from fazhi_ledger.figures import compute_alone, summary

    host, store = ledger
    figs = ledger_figures(host)
    for period, grid in ((Y2023, None), (Period.year(2024), None), (Y2023, ZHOUYING_GRID)):
        ctx = ctx_of(store, period, grid)
        s = summary(ctx)
        prev = ctx.replace(period=period.step(-1))
        for c in s.categories:
            for row in c.figures:
                alone = compute_alone(row.figure, ctx)
                assert row.current == alone == figs[row.figure.name].compute(ctx), (row.figure.name, period)
                assert row.previous == compute_alone(row.figure, prev), (row.figure.name, period)
                assert row.previous == figs[row.figure.name].compute(prev), (row.figure.name, period)


def test_a_figure_read_from_the_summary_follows_a_write(ledger):
    """The summaries are kept per state of the table: a record added changes the figure at once."""
    host, store = ledger
    figs = ledger_figures(host)
    ctx = ctx_of(store, Y2023)
    assert figs["ledger_party_meetings"].compute(ctx) == 3
    assert figs["ledger_inspections"].compute(ctx) is None  # not kept here: a gap
    store.append("work_items", [item("T1", "2023-06-01", "党委会"), item("T2", "2023-06-02", "专项督查")])
    assert figs["ledger_party_meetings"].compute(ctx) == 4
    assert figs["ledger_inspections"].compute(ctx) == 1


def test_a_change_of_period_reads_no_table_and_a_write_is_seen(ledger):
    """The panel's figures are sums over groups read once per state of the table and grid: the
    next period (and its open 整改问题) cost no query; a write is seen at once, the year to date too."""
    from fazhi_ledger import lists
    from fazhi_ledger.figures import summary

    host, store = ledger
    ctx = ctx_of(store, Y2023)
    summary(ctx), lists.open_items(ctx)
    sent: list[str] = []
    query = store.query

    def recording(sql, params=None):
        sent.append(sql)
        return query(sql, params)

    store.query = recording
    try:
        for year in (2022, 2024, 2023):
            other = ctx.replace(period=Period.year(year))
            summary(other), lists.open_items(other)
        assert not [q for q in sent if "work_items" in q]
        store.append("work_items", [item("T1", "2023-06-01", "党委会")])
        meetings = next(c for c in summary(ctx).categories if c.name == "党委会")
        assert (meetings.records, meetings.figures[0].current) == (4, 4)
        assert [q for q in sent if "work_items" in q]
    finally:
        store.query = query


def test_the_default_figures_are_the_agreed_names():
    from fazhi_ledger.categories import build

    names = {f.name for f in build().figures}
    agreed = {
        "ledger_surveys", "ledger_special_meetings", "ledger_party_meetings", "ledger_party_matters",
        "ledger_publicity_systems", "ledger_inspections", "ledger_issues_closed", "ledger_publicity_items",
        "ledger_volunteer_visits", "ledger_counsel_decisions", "ledger_counsel_contracts",
        "ledger_counsel_litigation", "ledger_livelihood_topics", "ledger_disclosure_times",
        "ledger_disclosure_items", "ledger_integrity_education", "ledger_problems_found", "ledger_work_systems",
        "ledger_demands_resolved", "ledger_model_villages_county", "ledger_model_villages_national",
        "ledger_model_villages_provincial", "ledger_model_villages_city", "ledger_honours", "ledger_firsts",
    }  # fmt: skip
    assert agreed <= names
    # Beside them only the honours by 级别 (the issue: 荣誉 "records, by 级别").
    assert names - agreed == {f"ledger_honours_{s}" for s in ("national", "provincial", "city", "county")}
    approx = {f.name for f in build().figures if f.approx}
    assert approx == {
        "ledger_party_meetings", "ledger_party_matters", "ledger_publicity_items", "ledger_volunteer_visits",
        "ledger_disclosure_times", "ledger_disclosure_items", "ledger_demands_resolved",
    }  # fmt: skip


def test_an_office_category_from_the_config_is_a_figure_a_code_and_a_grid_figure(tmp_path):
    config = Config(plugin={"fazhi_ledger": OFFICE})
    host, store = ledger_store(
        tmp_path,
        config,
        rows=[
            *ROWS,
            item("X1", "2023-03-03", "信访接待", grid=ZHOUYING),
            item("X2", "2023-04-03", "信访接待", grid=ZHOUYING),
            item("X3", "2023-05-03", "信访接待", grid=ZHAO),
        ],
    )
    figs = ledger_figures(host)
    assert (figs["ledger_petitions"].label, figs["ledger_petitions"].unit) == ("信访接待次数", "次")
    assert figs["ledger_petitions"].compute(ctx_of(store)) == 3
    assert "信访接待" in store.spec("work_items").code_tables["ledger_category"]
    grid_figs = {c.value.name: c.value for c in host.contributions("fazhi_grid_figures")}
    assert grid_figs["ledger_petitions"].compute(ctx_of(store)) == {ZHOUYING: 2, ZHAO: 1}
    assert set(grid_figs) == {"ledger_petitions", "ledger_volunteer_visits", "ledger_demands_resolved"}
    # Without the config, the category is unknown to the store and to the figures.
    plain = PluginHost.load(only=["fazhi_ledger"])
    assert "ledger_petitions" not in ledger_figures(plain)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"categories": {"信访": {"unit": "次"}}}, "[plugin.fazhi_ledger.categories.信访]：缺少 figure"),
        ({"categories": {"信访": {"figure": "Petitions"}}}, "指标名 “Petitions” 须为 ledger_ 开头"),
        ({"categories": {"信访": {"figure": "ledger_p", "counts": "sum"}}}, "counts “sum” 未知"),
        ({"categories": {"信访": {"figure": "ledger_p", "colour": "红"}}}, "未知的设置项 “colour”"),
        ({"categories": {"信访": {"figure": "ledger_surveys"}}}, "指标名 ledger_surveys 已由类别“法治调研”使用"),
        ({"categories": {"信访": {"figure": "ledger_p", "fields": ["地点"]}}}, "“地点” 不是工作台账的字段"),
        ({"categories": {"党委会": {"target": "三十"}}}, "[plugin.fazhi_ledger.categories.党委会] 的 target 应为数字"),
        ({"targets": {"ledger_nothing": 3}}, "targets：没有名为 ledger_nothing 的指标"),
        ({"categorys": {}}, "[plugin.fazhi_ledger]：未知的设置项 “categorys”"),
    ],
)
def test_the_config_is_checked_with_messages_naming_the_key(settings, message):
    host = PluginHost.load(only=["fazhi_ledger"], settings={"fazhi_ledger": settings})
    info = host.infos["fazhi_ledger"]
    assert info.status == "failed"
    assert any(message in e for e in info.errors), info.errors
    assert [c for c in host.contributions("fazhi_figures") if c.plugin == "fazhi_ledger"] == []


def test_a_default_category_can_be_switched_off_or_given_new_figures():
    from fazhi_ledger.categories import build

    cats = build({"categories": {"首创": {"enabled": False}, "廉政教育": {"figure": "ledger_integrity", "unit": "场"}}})
    assert "首创" not in cats.names
    assert [(f.name, f.unit) for f in cats.get("廉政教育").figures] == [("ledger_integrity", "场")]


HEADERS = ["编号", "日期", "类别", "事项", "数量", "网格", "级别", "责任人", "期限", "完成日期", "状态", "备注"]
FILE_ROWS = [
    ["", "2023-03-01", "志愿服务", "“平安来敲门”入户走访", "35", "周营村网格", "", "", "", "", "已完成", ""],
    ["TZ2", "2023/3/5", "党委会", "党委会：研究项目建设", "", "", "", "", "", "", "", ""],
    ["TZ3", "2023-06-01", "示范村", "大黄村获评市级民主法治示范村", "", DAHUANG, "市级", "", "", "", "", ""],
    ["TZ4", "2023-06-02", "整改问题", "宣传栏未更新", "", "", "", "", "2023-07-01", "2023-06-20", "已销号", "已更新"],
]


def _check_imported(store):
    host_figs = {"volunteer": ("志愿服务", 35)}
    rows = store.query('SELECT * FROM work_items ORDER BY "date", item_no').to_pylist()
    assert len(rows) == 4
    volunteer = rows[0]
    assert (volunteer["grid"], volunteer["quantity"], volunteer["category"]) == (
        ZHOUYING,
        35,
        host_figs["volunteer"][0],
    )
    assert volunteer["item_no"] == "志愿服务/2023-03-01/“平安来敲门”入户走访"  # made from 类别/日期/事项
    assert rows[1]["quantity"] is None and rows[1]["date"] == dt.date(2023, 3, 5)
    assert rows[2]["level"] == "市级"
    assert rows[3]["done_date"] == dt.date(2023, 6, 20)


def test_import_a_csv_in_gb18030_with_the_ledger_headers(tmp_path):
    _host, store = ledger_store(tmp_path, rows=[])
    path = tmp_path / "台账.csv"
    with path.open("w", encoding="gb18030", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        w.writerows(FILE_ROWS)
    plan = plan_import(store, "work_items", path)
    run_import(store, plan)
    _check_imported(store)
    ctx = ctx_of(store)
    from fazhi_ledger.categories import current
    from fazhi_ledger.figures import compute

    assert compute(current().figure("ledger_party_matters"), ctx) == 1  # an empty 数量 counts one
    assert compute(current().figure("ledger_issues_closed"), ctx) == 1


def test_import_an_xlsx_with_the_ledger_headers(tmp_path):
    import openpyxl

    _host, store = ledger_store(tmp_path, rows=[])
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in FILE_ROWS:
        ws.append([int(v) if v.isdigit() and len(v) < 5 else (v or None) for v in r])
    path = tmp_path / "台账.xlsx"
    wb.save(path)
    run_import(store, plan_import(store, "work_items", path))
    _check_imported(store)


def test_import_refuses_an_unknown_category_naming_row_and_column(tmp_path):
    from fazhi_tui.store import ValidationError
    from fazhi_tui.transfer.importer import ImportFileError

    _host, store = ledger_store(tmp_path, rows=[])
    path = tmp_path / "台账.csv"
    with path.open("w", encoding="gb18030", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        w.writerow(["T1", "2023-01-01", "信访接待", "接待", "", "", "", "", "", "", "", ""])
    with pytest.raises((ValidationError, ImportFileError)) as exc:
        run_import(store, plan_import(store, "work_items", path))
    text = str(exc.value)
    assert "类别" in text and "信访接待" in text and "2" in text
    assert store.query("SELECT count(*) FROM work_items").column(0)[0].as_py() == 0


def test_review_finds_overdue_rectification_and_figures_behind_target(tmp_path):
    from fazhi_ledger import review

    config = Config(plugin={"fazhi_ledger": OFFICE})
    _host, store = ledger_store(tmp_path, config, rows=[*ROWS, item("A9", "2026-02-01", "党委会")])
    overdue = review.rectify_overdue(ctx_of(store, Period.year(2026)))
    assert [(i.record_id, i.overdue, i.due) for i in overdue] == [("P3", True, dt.date(2026, 11, 20))]
    assert "超过整改期限 6 天" in overdue[0].title
    assert review.rectify_overdue(ctx_of(store, grid=ZHOUYING_GRID)) == []
    behind = {i.title: i.detail for i in review.behind_target(ctx_of(store))}
    # 党委会: 1 of 30 by 26 November (expected 27); 志愿服务 0 of 800; 信访接待 0 of 40.
    assert set(behind) == {
        "党委会：党委会次数进度落后",
        "志愿服务：“平安来敲门”志愿者服务进度落后",
        "信访接待：信访接待次数进度落后",
    }
    assert behind["党委会：党委会次数进度落后"] == "截至 11月26日 1次，全年目标 30次，按时间进度应达 27次"
    assert review.expected_by(365, dt.date(2026, 1, 1)) == 1


def test_closing_an_item_is_a_new_version_with_the_note(ledger):
    from fazhi_ledger import lists

    _host, store = ledger
    ctx = ctx_of(store)
    rev = lists.close_item(ctx, "P3", "宣传栏已更新，复查到位")
    assert rev == 2
    now = store.get("work_items", "P3")
    assert (now["status"], now["done_date"]) == ("已销号", TODAY)
    assert now["note"] == "销号（2026-11-26）：宣传栏已更新，复查到位"
    detail = lists.item_detail(ctx, "P3")
    assert [v.rev for v in detail.versions] == [1, 2]
    assert ("状态", "进行中", "已销号") in detail.versions[1].changes
    with pytest.raises(ValueError, match="已于 2026-11-26 销号"):
        lists.close_item(ctx, "P3", "again")
    with pytest.raises(ValueError, match="须写明整改情况"):
        lists.close_item(ctx, "P4", " ")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    host = PluginHost.load(only=["fazhi_ledger"])
    root = tmp_path_factory.mktemp("ledger-demo") / "store"
    build_demo(root, host, table_specs(host, Config()), TODAY)
    store = Store.open(root, table_specs(host, Config()), user=USER)
    yield host, store
    store.close()


SEED_2023 = {
    "ledger_party_meetings": range(20, 30),
    "ledger_party_matters": range(30, 40),
    "ledger_special_meetings": [3],
    "ledger_surveys": [3],
    "ledger_counsel_decisions": [3],
    "ledger_counsel_contracts": [5],
    "ledger_counsel_litigation": [2],
    "ledger_publicity_items": range(300, 310),
    "ledger_volunteer_visits": range(800, 810),
    "ledger_livelihood_topics": [12],
    "ledger_disclosure_times": range(310, 320),
    "ledger_disclosure_items": range(920, 930),
    "ledger_inspections": [2],
    "ledger_problems_found": [9],
    "ledger_issues_closed": [3],
    "ledger_integrity_education": [2],
    "ledger_demands_resolved": range(150, 160),
    "ledger_publicity_systems": [6],
    "ledger_work_systems": [6],
    "ledger_model_villages_county": [22],
    "ledger_model_villages_national": [1],
    "ledger_model_villages_provincial": [2],
    "ledger_model_villages_city": [3],
    "ledger_honours": [2],
    "ledger_honours_provincial": [2],
    "ledger_firsts": [1],
}


def test_the_demo_2023_reproduces_the_seed_report(demo):
    host, store = demo
    figs = ledger_figures(host)
    got = {name: figs[name].compute(ctx_of(store)) for name in SEED_2023}
    assert {n: v for n, v in got.items() if v not in SEED_2023[n]} == {}
    first = figs["ledger_firsts"].records(ctx_of(store)).to_pylist()[0]
    assert first["title"] == "全县首家基层法律监督联络站在大黄村揭牌成立"


def test_the_demo_other_years_are_plausible_and_today_has_overdue_items(demo):
    from fazhi_ledger import lists

    host, store = demo
    figs = ledger_figures(host)
    for year in (2022, 2024, 2025):
        ctx = ctx_of(store, Period.year(year))
        assert 15 <= figs["ledger_party_meetings"].compute(ctx) <= 35
        assert 500 <= figs["ledger_volunteer_visits"].compute(ctx) <= 1100
    assert figs["ledger_model_villages_county"].compute(ctx_of(store, Period.year(2025))) == 22
    open_now = lists.open_items(ctx_of(store, Period.year(2026)))
    assert open_now.overdue >= 2 and open_now.total > open_now.overdue
    assert all(r["flag"] == lists.OVERDUE_MARK for r in open_now.rows.to_pylist()[: open_now.overdue])


def test_the_ledger_queries_load_no_textual():
    import subprocess
    import sys

    code = (
        "import sys; import fazhi_ledger, fazhi_ledger.categories, fazhi_ledger.tables, fazhi_ledger.figures, "
        "fazhi_ledger.lists, fazhi_ledger.review, fazhi_ledger.demo; "
        "print([m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
