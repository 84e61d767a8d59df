"""The training ledger without a screen: person-hours on hand-worked rosters, the plan and
"behind for the time of year", the report's figures, the review's checks, roster saves as
versions, and the demo's 2023 (the seed report's figures)."""

from __future__ import annotations

import datetime as dt

import pytest

from fazhi_training import figures, hours, review, roster, sessions
from fazhi_training.settings import parse_settings
from fazhi_tui.api import Grid, Period, StaleRevisionError, ValidationError

from .shell_fixtures import GRIDS
from .training_fixtures import TODAY, context, mark, training_store


@pytest.fixture
def tstore(tmp_path):
    s = training_store(tmp_path / "s")
    yield s
    s.close()


def test_hours_per_person_on_hand_worked_rosters(tstore):
    people = hours.person_hours(context(tstore))
    got = {p.person_id: p for p in people}
    # P07 left in 2024 and has no record in 2025: not listed. P06 has no target but attended.
    assert set(got) == {"P01", "P02", "P03", "P04", "P05", "P06"}
    assert {k: p.hours for k, p in got.items()} == {"P01": 9, "P02": 8, "P03": 8, "P04": 3, "P05": 0, "P06": 3}
    assert (got["P02"].missed, got["P02"].on_leave, got["P03"].on_leave, got["P04"].missed) == (1, 0, 1, 1)
    assert got["P04"].attended == 1  # an empty 出勤 counts as 出席
    assert (got["P02"].exam_score, got["P03"].exam_score, got["P01"].exam_score) == (90, 80, None)
    # 40 学时 for 机关干部; half the year gone on 2 July: 20 due. P05 came in post on 1 July.
    assert got["P01"].target == 40 and got["P01"].expected == 20
    assert got["P05"].target == round(40 * 184 / 365, 1) and got["P05"].expected == 0
    assert got["P06"].target is None and got["P06"].status == ""
    assert [p.status for p in people[:4]] == ["落后"] * 4
    # Behind for the time of year first, most behind first; then on track; then no target.
    assert [p.person_id for p in people] == ["P04", "P02", "P03", "P01", "P05", "P06"]


def test_hours_targets_by_role_and_for_a_grid(tstore):
    settings = {"hour_targets": {"网格长": 12, "班子成员": 50}, "cadre_units": ["赵庄镇人民政府"]}
    got = {p.person_id: p for p in hours.person_hours(context(tstore, settings=settings))}
    assert got["P06"].target == 12 and got["P01"].target == 50 and got["P04"].target is None
    grid = Grid(GRIDS[0]["code"], GRIDS[0]["name"], GRIDS[0]["village"])
    assert [p.person_id for p in hours.person_hours(context(tstore, grid=grid))] == ["P06"]
    with pytest.raises(ValueError, match="hour_targets.网格长"):
        parse_settings({"hour_targets": {"网格长": "十二"}})
    with pytest.raises(ValueError, match="不认识的设置"):
        parse_settings({"target": {}})


def test_hours_follow_a_new_save(tstore):
    ctx = context(tstore)
    before = {p.person_id: p.hours for p in hours.person_hours(ctx)}
    r = roster.load_roster(ctx, "S3")
    next(e for e in r.entries if e.person_id == "P04").status = "缺席"
    roster.save_roster(ctx, r)
    after = {p.person_id: p.hours for p in hours.person_hours(ctx)}
    assert before["P04"] == 3 and after["P04"] == 0


def test_plan_and_behind_for_the_time_of_year(tstore):
    assert sessions.year_fraction(2025, dt.date(2025, 7, 2)) == 183 / 365
    assert sessions.expected_by(12, 2025, dt.date(2025, 7, 2)) == 6
    assert sessions.expected_by(12, 2025, dt.date(2024, 12, 31)) == 0
    assert sessions.expected_by(12, 2025, dt.date(2026, 1, 5)) == 12
    rows = {r.kind: r for r in sessions.plan(context(tstore))}
    assert (rows["中心组学习"].held, rows["中心组学习"].expected, rows["中心组学习"].behind) == (3, 6, True)
    assert (rows["学法考试"].held, rows["学法考试"].expected, rows["学法考试"].behind) == (1, 1, False)
    assert rows["中心组学习"].status == "落后" and rows["学法考试"].status == "进度正常"
    custom = sessions.plan(context(tstore, settings={"targets": {"法治培训": 2}}))
    assert [(r.kind, r.target, r.held, r.expected, r.behind) for r in custom] == [("法治培训", 2, 1, 1, False)]
    # The year over: what is short is 未完成, what reached its target 已完成.
    late = {r.kind: r for r in sessions.plan(context(tstore, today=dt.date(2026, 2, 1)))}
    assert late["中心组学习"].status == "未完成" and late["中心组学习"].expected == 12
    items = review.behind_plan(context(tstore))
    assert any(i.title.startswith("中心组学习进度落后：2025年已开展 3 次") for i in items)
    assert not any(i.title.startswith("学法考试") for i in items)


def test_sessions_by_kind_with_the_previous_period(tstore):
    q2 = context(tstore, Period.quarter(2025, 2))
    got = {k.kind: k for k in sessions.by_kind(q2)}
    assert (got["普法宣讲"].count, got["普法宣讲"].previous) == (3, 0)
    assert (got["中心组学习"].count, got["中心组学习"].previous, got["中心组学习"].hours) == (1, 2, 2)
    assert (got["学法考试"].count, got["学法考试"].previous) == (1, 0)
    year = {k.kind: k for k in sessions.by_kind(context(tstore))}
    assert (year["法治培训"].count, year["法治培训"].previous) == (1, 1)  # S10 in 2024
    listing = sessions.session_list(context(tstore))
    assert listing.total == 9
    s3 = next(r for r in listing.rows.to_pylist() if r["training_id"] == "S3")
    assert (s3["participants"], s3["roster"]) == (5, "5人")
    s5 = next(r for r in listing.rows.to_pylist() if r["training_id"] == "S5")
    assert (s5["participants"], s5["roster"]) == (120, "")


def test_report_figures_and_their_records(tstore):
    ctx = context(tstore)
    by_name = {f.name: f for f in figures.report_figures()}
    values = {n: f.compute(ctx) for n, f in by_name.items()}
    assert values == {
        "training_led_study": 2,  # S1 (书记) and S9 (镇长); S2 was led by another member
        "training_seminars": 0,
        "training_lectures": 2,  # S5 (赵庄小学: a school by its 地点) and S6 (村); not S7
        "training_sessions": 1,
        "training_legal_services": 1,
        "training_exams": 1,
        "training_exam_avg_score": 85.0,
    }
    for name, f in by_name.items():
        rows = f.records(ctx)
        if name == "training_exam_avg_score":
            assert sorted(rows.column("score").to_pylist()) == [80, 90]
        else:
            assert rows.num_rows == values[name], name
    assert by_name["training_led_study"].records(ctx).column("training_id").to_pylist() == ["S1", "S9"]
    assert by_name["training_sessions"].approx is True
    # No session at all in the year: a gap, not a 0.
    empty = context(tstore, Period.year(2023))
    assert all(f.compute(empty) is None for f in by_name.values())
    # The office names its leaders itself.
    named = context(tstore, settings={"leader_roles": [], "leaders": ["张伟"]})
    with pytest.raises(ValueError, match="“张伟”对应多人（P03、P05）"):
        by_name["training_led_study"].compute(named)
    named = context(tstore, settings={"leader_roles": [], "leaders": ["P03"]})
    assert by_name["training_led_study"].compute(named) == 2
    grid = context(tstore, grid=Grid(GRIDS[1]["code"], GRIDS[1]["name"]))
    assert by_name["training_lectures"].compute(grid) == 1
    assert figures.outreach_per_grid(ctx) == {GRIDS[0]["code"]: 1.0, GRIDS[1]["code"]: 2.0}


def test_review_inactive_people_and_exams_without_scores(tstore):
    ctx = context(tstore)
    names = [i.title for i in review.inactive_people(ctx)]
    assert names == ["赵敏（赵庄镇人民政府）90 天内未参加学法"]  # P05 is new in post; P06 has no target
    assert all("138" not in i.title + i.detail for i in review.inactive_people(ctx))
    assert review.exams_without_scores(ctx) == []
    tstore.append("trainings", [{"training_id": "S11", "date": dt.date(2025, 6, 30), "kind": "学法考试", "hours": 1}])
    tstore.append("training_attendance", [roster_row("S11", "P01"), roster_row("S11", "P02", "请假")])
    items = review.exams_without_scores(ctx)
    assert [i.record_id for i in items] == ["S11"] and "出席 1 人" in items[0].detail


def roster_row(tid, person, status="出席"):
    return {"attendance_id": f"{tid}/{person}", "training_id": tid, "person": person, "status": status}


def test_roster_saves_are_versions_and_refuse_stale_saves(tstore):
    ctx = context(tstore)
    r = roster.load_roster(ctx, "S3")
    on = [e.person_id for e in r.entries if e.status]
    assert sorted(on) == ["P01", "P02", "P03", "P04", "P06"]  # the roster first
    # Everyone in post on 3 March is on it (P05 came in July, P07 left in 2024).
    assert r.counts() == {"出席": 5, "请假": 0, "缺席": 0, "未登记": 0}
    assert sorted(e.person_id for e in roster.load_roster(ctx, "S9").entries if e.status is None) == ["P04", "P06"]
    p01 = next(e for e in r.entries if e.person_id == "P01")
    p01.status = "请假"
    p06 = next(e for e in r.entries if e.person_id == "P06")
    p06.status = None  # taken off the roster
    result = roster.save_roster(ctx, r)
    assert (result.written, result.removed, result.present) == (1, 1, 3)
    assert tstore.get("trainings", "S3")["participants"] == 3
    hist = tstore.history("training_attendance", "S3/P01").to_pylist()
    assert [(h["_rev"], h["status"]) for h in hist] == [(1, "出席"), (2, "请假")]
    assert tstore.get("training_attendance", "S3/P06") is None
    # Someone else saves P02's mark meanwhile: this screen's save is refused, naming them.
    stale = roster.load_roster(ctx, "S3")
    tstore.update("training_attendance", "S3/P02", {"status": "缺席"}, expected_rev=1)
    next(e for e in stale.entries if e.person_id == "P02").status = "请假"
    with pytest.raises(StaleRevisionError):
        roster.save_roster(ctx, stale)


def test_rules_refuse_bad_hours_and_scores(tstore):
    with pytest.raises(ValidationError, match="成绩应为 0 至 100"):
        tstore.append("training_attendance", [{**roster_row("S4", "P01"), "score": 120}])
    with pytest.raises(ValidationError, match="学时应为 0 至 100"):
        tstore.append("trainings", [{"training_id": "X", "date": dt.date(2025, 1, 1), "kind": "法治培训", "hours": -1}])


def test_the_demo_2023_gives_the_seed_report_figures(tmp_path):
    from fazhi_tui.config import Config
    from fazhi_tui.demo import build_demo
    from fazhi_tui.plugins import PluginHost
    from fazhi_tui.runtime import table_specs
    from fazhi_tui.store import Store

    from .training_fixtures import TOWN

    host = PluginHost.load(only=["fazhi_training"])
    specs = table_specs(host, Config())
    build_demo(tmp_path / "demo", host, specs, dt.date(2026, 11, 26))
    store = Store.open(tmp_path / "demo", specs, user="t")
    ctx = context(store, Period.year(2023), today=dt.date(2026, 11, 26))
    values = {f.name: f.compute(ctx) for f in figures.report_figures()}
    assert values["training_led_study"] == 16
    assert values["training_seminars"] == 2
    assert values["training_lectures"] == 12
    assert 10 <= values["training_sessions"] <= 19
    assert values["training_legal_services"] == 6
    assert values["training_exams"] >= 1 and 60 <= values["training_exam_avg_score"] <= 100
    study = ctx.query("SELECT count(*) FROM trainings WHERE kind = '中心组学习' AND year(date) = 2023").column(0)
    assert study[0].as_py() == 16  # every one of them led by the secretary or the head
    # Rosters are the demo's people; a few are behind their 40 学时.
    orphans = ctx.query("SELECT count(*) FROM training_attendance WHERE person NOT IN (SELECT person_id FROM people)")
    assert orphans.column(0)[0].as_py() == 0
    people = hours.person_hours(ctx)
    behind = [p for p in people if p.target and p.hours < p.target]
    assert 1 <= len(behind) <= 10 and len([p for p in people if p.target]) > 50
    assert ctx.town == TOWN
    # Other years are there too, and the current year gives the review work.
    now = context(store, Period.year(2026), today=dt.date(2026, 11, 26))
    assert review.behind_plan(now) and review.exams_without_scores(now) and review.inactive_people(now)
    store.close()


def test_today_is_fixed_for_the_fixture():
    assert TODAY == dt.date(2025, 7, 2)


def test_figures_follow_what_the_office_calls_its_types(tmp_path):
    """An office whose code table calls 中心组学习 理论学习中心组学习, 学法考试 学法测试, and adds a
    干部法治培训 beside 法治培训: [plugin.fazhi_training] kinds says what its names mean."""
    from fazhi_tui.config import Config

    from .training_fixtures import ROSTERS, SESSIONS, session, training_store

    codes = [
        "理论学习中心组学习",
        "专题研讨",
        "法治培训",
        "干部法治培训",
        "学法测试",
        "普法宣讲",
        "法律服务活动",
        "普法宣传活动",
    ]
    store = training_store(tmp_path / "s", rows=False, config=Config(code_tables={"training_kind": codes}))
    renamed = {"中心组学习": "理论学习中心组学习", "学法考试": "学法测试"}
    rows = [dict(s, kind=renamed.get(s["kind"], s["kind"])) for s in SESSIONS]
    store.append("trainings", [*rows, session("S11", "2025-03-20", "干部法治培训", 3)])
    store.append("training_attendance", ROSTERS)
    by_name = {f.name: f for f in figures.report_figures()}
    try:
        # Not said: the renamed types' figures are gaps, never a made-up 0.
        plain = context(store)
        for name in ("training_led_study", "training_exams", "training_exam_avg_score"):
            assert by_name[name].compute(plain) is None, name
        assert by_name["training_sessions"].compute(plain) == 1  # 法治培训 kept its name
        # Said: every figure follows the meaning, and so do the person-hours, the plan and the review.
        settings = {
            "kinds": {
                "中心组学习": "理论学习中心组学习",
                "学法考试": "学法测试",
                "法治培训": ["法治培训", "干部法治培训"],
            }
        }
        ctx = context(store, settings=settings)
        assert by_name["training_led_study"].records(ctx).column("training_id").to_pylist() == ["S1", "S9"]
        assert (by_name["training_exams"].compute(ctx), by_name["training_exam_avg_score"].compute(ctx)) == (1, 85.0)
        assert by_name["training_sessions"].records(ctx).column("training_id").to_pylist() == ["S3", "S11"]
        assert {p.person_id: p.exam_score for p in hours.person_hours(ctx)}["P02"] == 90
        plan = {p.kind: p.target for p in sessions.plan(ctx)}
        assert plan["理论学习中心组学习"] == 12 and plan["学法测试"] == 2 and "中心组学习" not in plan
        store.append("trainings", [session("S12", "2025-06-20", "学法测试", 1)])
        store.append("training_attendance", [mark("S12", "P01")])
        assert [i.title for i in review.exams_without_scores(ctx)] == ["学法考试 S12（2025-06-20）未录入成绩"]
        # A mapped name that is not one of the office's types is refused, named; so is an unknown meaning.
        bad = context(store, settings={"kinds": {"学法考试": "学法考核"}})
        with pytest.raises(ValueError, match="kinds.学法考试 中的“学法考核”不是本单位的活动类型"):
            by_name["training_exams"].compute(bad)
        with pytest.raises(ValueError, match="kinds 的“考试”不是统计所用的类型"):
            parse_settings({"kinds": {"考试": "学法测试"}})
    finally:
        store.close()
