"""The hotline's figures on a small hand-made store, every answer worked out by hand below;
masking; the report's rank sentence both ways; the open-ticket list's paging and flags; a
ticket's history after sign, close and callback."""

from __future__ import annotations

import datetime as dt
import weakref

import pytest

from fazhi_hotline import masking, queries, report, review, tables, tickets
from fazhi_tui.access import VIEWER, Access
from fazhi_tui.api import ROLE_ADMIN, ROLE_VIEWER, Context, Grid, Period
from fazhi_tui.host_tables import GRIDS, PEOPLE
from fazhi_tui.report.phrasing import approx as host_approx
from fazhi_tui.store import Store

T = dt.datetime
D = dt.date
TODAY = D(2024, 1, 10)  # a Wednesday; the next working day is Thursday 1-11
Q4 = Period.quarter(2023, 4)
G1 = Grid("G1", "甲网格", "甲庄村")
G2 = Grid("G2", "乙网格", "乙庄村")


def ticket(
    no,
    source,
    received,
    deadline,
    status,
    grid=None,
    *,
    closed=None,
    callback=None,
    reason=None,
    c1=None,
    c2=None,
    repeat=False,
    town="赵庄镇",
    appeal="投诉举报",
    caller="张三",
    phone="13812345678",
):
    return {
        "ticket_no": no,
        "source": source,
        "received_at": received,
        "appeal_type": appeal,
        "category1": c1,
        "category2": c2,
        "content": f"{no} 的诉求",
        "caller": caller,
        "phone": phone,
        "grid": grid,
        "urgency": "一般",
        "signed_at": received + dt.timedelta(hours=1) if status != "待签收" else None,
        "deadline": deadline,
        "closed_at": closed,
        "status": status,
        "callback": callback,
        "unsatisfied_reason": reason,
        "repeat_call": repeat,
        "town": town,
    }


# 2023Q4 (the period under test) and 2023Q3 (the previous period), 赵庄镇 unless said otherwise.
ROWS = [
    # T1 on time (closed 10-12 ≤ 10-16), 满意
    ticket(
        "T1",
        "工单",
        T(2023, 10, 9, 9),
        D(2023, 10, 16),
        "已办结",
        "G1",
        closed=T(2023, 10, 12, 15),
        callback="满意",
        c1="城市管理",
        c2="市容市政",
    ),
    # T2 late (closed 10-30 > 10-27), 不满意
    ticket(
        "T2",
        "工单",
        T(2023, 10, 20, 9),
        D(2023, 10, 27),
        "已办结",
        "G1",
        closed=T(2023, 10, 30, 10),
        callback="不满意",
        reason="问题未解决",
        c1="城市管理",
        c2="环境卫生",
    ),
    # T3 closed at 18:00 on its last day: on time; 基本满意
    ticket(
        "T3",
        "电话单",
        T(2023, 11, 1, 9),
        D(2023, 11, 8),
        "已办结",
        "G2",
        closed=T(2023, 11, 8, 18),
        callback="基本满意",
        c1="城市管理",
        c2="市容市政",
    ),
    # T4 退单
    ticket("T4", "电话单", T(2023, 11, 15, 9), D(2023, 11, 22), "退单", "G2", c1="农业农村", c2="惠农补贴"),
    # T5 on time, never called back, repeat call, no town recorded (counts as the town's), no class
    ticket(
        "T5",
        "工单",
        T(2023, 12, 1, 9),
        D(2023, 12, 8),
        "已办结",
        "G1",
        closed=T(2023, 12, 5, 9),
        repeat=True,
        town=None,
    ),
    # T6 still open, deadline 12-27 before today: overdue
    ticket("T6", "工单", T(2023, 12, 20, 9), D(2023, 12, 27), "办理中", "G2", c1="农业农村", c2="土地流转"),
    # T7 extended to 1-12: open, neither overdue nor due within one working day
    ticket(
        "T7",
        "电话单",
        T(2023, 12, 28, 9),
        D(2024, 1, 12),
        "延期",
        "G1",
        c1="生态环境",
        c2="秸秆焚烧",
        caller="欧阳娜娜",
        phone="0375-6123456",
    ),
    # T8 received in the quarter's last minutes, no grid, due today: due within one working day
    ticket("T8", "工单", T(2023, 12, 31, 23, 30), D(2024, 1, 10), "待签收", None, c1="城市管理", c2="路灯照明"),
    # T9 the first minute of 2024: next period; due 1-11, the next working day
    ticket("T9", "工单", T(2024, 1, 1, 0, 0), D(2024, 1, 11), "办理中", "G1"),
    # Previous quarter: P1, and P2 in the quarter's last minute (closed 10-10 ≤ 10-13), repeat call
    ticket("P1", "工单", T(2023, 7, 3, 9), D(2023, 7, 10), "已办结", "G1", closed=T(2023, 7, 5, 9), callback="满意"),
    ticket(
        "P2",
        "电话单",
        T(2023, 9, 30, 23, 59),
        D(2023, 10, 13),
        "已办结",
        "G2",
        closed=T(2023, 10, 10, 9),
        callback="满意",
        repeat=True,
    ),
    # Another township's tickets (a county store): not 赵庄镇's, but ranked against it
    ticket(
        "O1",
        "工单",
        T(2023, 11, 11, 9),
        D(2023, 11, 17),
        "已办结",
        None,
        closed=T(2023, 11, 13, 9),
        callback="满意",
        town="甲镇",
    ),
    ticket("O2", "工单", T(2023, 12, 29, 9), D(2024, 1, 5), "办理中", None, town="甲镇"),
]


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "s", [GRIDS, PEOPLE, tables.HOTLINE_SPEC, tables.RANKS_SPEC], create=True, user="测试员")
    s.append(
        "grids",
        [
            {"code": "G1", "name": "甲网格", "kind": "综合", "village": "甲庄村"},
            {"code": "G2", "name": "乙网格", "kind": "综合", "village": "乙庄村"},
        ],
    )
    s.append("hotline", ROWS)
    yield s
    s.close()


_as_viewer: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def ctx_of(store, period=Q4, grid=None, role=ROLE_VIEWER, settings=None, today=TODAY) -> Context:
    """A context for a role: viewers read the same store through a store opened as a viewer
    (masked views, no writes), as another user's session would."""
    if role == ROLE_VIEWER:
        if store not in _as_viewer:
            _as_viewer[store] = Store.open(store.root, list(store.specs.values()), access=Access("查看员", VIEWER))
        store = _as_viewer[store]
    return Context(
        store=store, period=period, today=today, grid=grid, role=role, town="赵庄镇", settings=settings or {}
    )


def test_figures_for_the_period_and_the_previous_one(store):
    cmp = queries.figures(ctx_of(store))
    assert cmp.previous_period == Period.quarter(2023, 3)
    c = cmp.current
    # Received in Q4 for 赵庄镇: T1…T8 = 8 (T9 is 2024; O1/O2 are 甲镇's); 工单 T1 T2 T5 T6 T8 = 5,
    # 电话单 T3 T4 T7 = 3.
    assert (c.received, c.work_orders, c.phone_orders) == (8, 5, 3)
    # 退单 T4; 已办结 T1 T2 T3 T5; on time T1 T3 T5 (T3 closed on its deadline day);
    # 超期 T2 (closed late) + T6 (open past 12-27); T7 (1-12) and T8 (1-10, today) are not.
    assert (c.returned, c.closed, c.closed_on_time, c.overdue) == (1, 4, 3, 2)
    # Called back T1 T2 T3; 满意 T1 + 基本满意 T3 = 2; 不满意 T2; repeat T5; open T6 T7 T8.
    assert (c.called_back, c.satisfied, c.unsatisfied, c.repeat_calls, c.open) == (3, 2, 1, 1, 3)
    # 办结率 4 / (8 − 1) = 57.1%; 按期 3/4 = 75.0%; 满意率 2/3 = 66.7%; 回访率 3/4; 退单率 1/8 = 12.5%.
    assert (c.completion.num, c.completion.den, c.completion.text) == (4, 7, "57.1%")
    assert c.on_time.text == "75.0%" and c.satisfaction.text == "66.7%"
    assert c.callback.text == "75.0%" and c.return_rate.text == "12.5%"
    p = cmp.previous
    # Q3: P1 and P2 (23:59 on 9-30), both closed on time and 满意; P2 a repeat call.
    assert (p.received, p.work_orders, p.phone_orders, p.closed, p.closed_on_time, p.overdue) == (2, 1, 1, 2, 2, 0)
    assert (p.completion.text, p.satisfaction.text, p.repeat_calls) == ("100.0%", "100.0%", 1)
    rows = {r.key: r for r in cmp.rows()}
    assert [r.label.strip("\u3000") for r in cmp.rows()] == [
        "受理量",
        "工单",
        "电话单",
        "办结率",
        "按期办结率",
        "超期件数",
        "满意率",
        "回访率",
        "退单率",
        "重复来电",
    ]
    assert (rows["received"].current, rows["received"].previous, rows["received"].change) == ("8件", "2件", "+6")
    # 57.1% against 100.0%: down 42.9 points.
    assert rows["completion"].change == "−42.9个百分点"
    assert rows["repeat_calls"].change == "持平"


def test_figures_for_a_grid_and_for_every_town(store):
    c = queries.figures(ctx_of(store, grid=G1)).current
    # G1 in Q4: T1 T2 T5 T7 → 工单 3, 电话单 1; closed T1 T2 T5, on time T1 T5; overdue T2.
    assert (c.received, c.work_orders, c.phone_orders, c.closed, c.closed_on_time, c.overdue) == (4, 3, 1, 3, 2, 1)
    # scope = "all": 甲镇's O1 and O2 join the 8: 10 received, 工单 7.
    every = queries.figures(ctx_of(store, settings={"scope": "all"})).current
    assert (every.received, every.work_orders) == (10, 7)
    with pytest.raises(ValueError, match="scope"):
        queries.figures(ctx_of(store, settings={"scope": "county"}))
    with pytest.raises(ValueError, match="不认识的设置"):
        queries.settings_of(ctx_of(store, settings={"deadline": 3}))


def test_monthly_trend_and_breakdowns(store):
    ctx = ctx_of(store)
    trend = queries.monthly_trend(ctx).to_pylist()
    # Oct: T1 T2 (工单); Nov: T3 T4 (电话单); Dec: T5 T6 T8 (工单) and T7 (电话单).
    assert [(r["month"], r["work_orders"], r["phone_orders"], r["received"]) for r in trend] == [
        (D(2023, 10, 1), 2, 0, 2),
        (D(2023, 11, 1), 0, 2, 2),
        (D(2023, 12, 1), 3, 1, 4),
    ]
    # A month's trend shows the twelve months up to it, empty months included.
    month = queries.monthly_trend(ctx_of(store, period=Period.month(2023, 12))).to_pylist()
    assert len(month) == 12 and month[0]["month"] == D(2023, 1, 1) and month[-1]["received"] == 4
    assert month[6]["received"] == 1  # July: P1 (P2 is 9-30, in September)

    cats = [
        (r["level"], r["category1"], r["category2"], r["count"]) for r in queries.category_breakdown(ctx).to_pylist()
    ]
    # 城市管理 4 (市容市政 T1 T3; 环境卫生 T2; 路灯照明 T8), 农业农村 2 (土地流转 T6, 惠农补贴 T4),
    # then the ones at 1: 未分类 (T5), 生态环境 (T7). Equal counts go by name in code-point order
    # (环 U+73AF < 路 U+8DEF, 土 U+571F < 惠 U+60E0, 未 U+672A < 生 U+751F).
    assert cats == [
        (1, "城市管理", None, 4),
        (2, "城市管理", "市容市政", 2),
        (2, "城市管理", "环境卫生", 1),
        (2, "城市管理", "路灯照明", 1),
        (1, "农业农村", None, 2),
        (2, "农业农村", "土地流转", 1),
        (2, "农业农村", "惠农补贴", 1),
        (1, "未分类", None, 1),
        (2, "未分类", "未分类", 1),
        (1, "生态环境", None, 1),
        (2, "生态环境", "秸秆焚烧", 1),
    ]
    assert queries.category_breakdown(ctx).column("share")[0].as_py() == 0.5  # 4 of 8

    grids = [
        (r["grid"], r["grid_name"], r["received"], r["closed"], r["overdue"], r["unsatisfied"])
        for r in queries.grid_breakdown(ctx).to_pylist()
    ]
    # G1: T1 T2 T5 T7 (closed T1 T2 T5; overdue T2; 不满意 T2); G2: T3 T4 T6 (closed T3; overdue T6);
    # no grid: T8.
    assert grids == [("G1", "甲网格", 4, 3, 1, 1), ("G2", "乙网格", 3, 1, 1, 0), (None, "未指定网格", 1, 0, 0, 0)]
    assert queries.tickets_per_grid(ctx_of(store, grid=G2)) == {"G1": 4.0, "G2": 3.0}  # the map ignores the grid
    assert [r["grid"] for r in queries.grid_breakdown(ctx_of(store, grid=G2)).to_pylist()] == ["G2"]


def test_computed_ranking_across_townships(store):
    ctx = ctx_of(store)
    ranking = queries.computed_ranking(ctx)
    # 甲镇 in Q4: O1 closed on time, 满意; O2 open (deadline 1-5 < today: overdue).
    #   办结率 1/2, 按期 1/1, 满意 1/1, 回访 1/1, 退单 0, 重复 0:
    #   100 × (0.2×0.5 + 0.25 + 0.3 + 0.1 + 0.1×1 + 0.05×1) = 90.0
    # 赵庄镇 (T5's missing town counts as the context's): 办结率 4/7, 按期 3/4, 满意 2/3, 回访 3/4,
    #   1 − 退单率 = 7/8, 1 − 重复 = 7/8:
    #   100 × (0.2×4/7 + 0.25×0.75 + 0.3×2/3 + 0.1×0.75 + 0.1×0.875 + 0.05×0.875) = 70.80
    assert [(t.town, t.score, t.rank) for t in ranking] == [("甲镇", 90.0, 1), ("赵庄镇", 70.8, 2)]
    # Weights from the config: satisfaction alone → 甲镇 100, 赵庄镇 66.67.
    weights = {"completion": 0, "on_time": 0, "satisfaction": 1, "callback": 0, "returned": 0, "repeat": 0}
    alone = queries.computed_ranking(ctx_of(store, settings={"rank_weights": weights}))
    assert [(t.town, t.score) for t in alone] == [("甲镇", 100.0), ("赵庄镇", 66.67)]
    with pytest.raises(ValueError, match="rank_weights.speed"):
        queries.computed_ranking(ctx_of(store, settings={"rank_weights": {"speed": 1}}))
    # Only one township's tickets in Q3: nothing to rank.
    assert queries.computed_ranking(ctx_of(store, period=Period.quarter(2023, 3))) == []
    # Rankings are kept between calls, but any write to the tickets is seen at once: a 乙镇
    # ticket in Q3 makes two townships there.
    store.append(
        "hotline",
        [
            ticket(
                "Y1",
                "工单",
                T(2023, 8, 1, 9),
                D(2023, 8, 8),
                "已办结",
                None,
                closed=T(2023, 8, 2, 9),
                callback="满意",
                town="乙镇",
            )
        ],
    )
    q3 = queries.computed_ranking(ctx_of(store, period=Period.quarter(2023, 3)))
    assert [t.town for t in q3] == ["乙镇", "赵庄镇"]
    store.delete("hotline", "Y1", expected_rev=1)
    # Without a published rank the quarter shows the computed one; a published rank wins.
    [q4] = queries.quarter_ranks(ctx)
    assert (q4.quarter, q4.rank, q4.towns, q4.source, q4.text) == ("2023Q4", 2, 2, queries.COMPUTED, "第2名/2")
    store.append(
        "hotline_ranks", [tables.rank_row("2023Q4", "赵庄镇", 1, 98.5), tables.rank_row("2023Q4", "甲镇", 2, 97.0)]
    )
    [q4] = queries.quarter_ranks(ctx)
    assert (q4.rank, q4.towns, q4.score, q4.source, q4.complete) == (1, 2, 98.5, queries.PUBLISHED, True)


def test_rank_rows_and_quarters():
    assert tables.rank_row("2023-q1", "赵庄镇", 2, 97.5) == {
        "rank_id": "2023Q1/赵庄镇",
        "quarter": "2023Q1",
        "town": "赵庄镇",
        "score": 97.5,
        "rank": 2,
    }
    assert tables.parse_quarter("2023年第四季度") == (2023, 4)
    with pytest.raises(ValueError):
        tables.parse_quarter("2023Q5")
    assert [q.label for q in queries.quarters_of(Period.month(2023, 5))] == ["2023年第二季度"]
    assert len(queries.quarters_of(Period.year(2023))) == 4


def _ranks(store, ranks: dict[str, int]) -> None:
    store.append(
        "hotline_ranks",
        [tables.rank_row(q, "赵庄镇", r) for q, r in ranks.items()]
        + [tables.rank_row(q, "甲镇", 3 if r != 3 else 1) for q, r in ranks.items()],
    )


def test_report_sentence_with_every_quarter_in_the_top_two(store):
    _ranks(store, {"2023Q1": 1, "2023Q2": 2, "2023Q3": 2, "2023Q4": 1})
    ctx = ctx_of(store, period=Period.year(2023))
    # 2023 for 赵庄镇: 工单 T1 T2 T5 T6 T8 P1 = 6, 电话单 T3 T4 T7 P2 = 4 (exact below ten).
    assert report.report_paragraphs(ctx) == ["积极回应12345民呼必应，处理工单6件、电话单4件，每季度保持乡镇前两名。"]


def test_report_sentence_otherwise_is_honest(store):
    ctx = ctx_of(store, period=Period.year(2023))
    # No published rank: the clause is left out (a computed rank is not the county's word).
    assert report.report_paragraphs(ctx) == ["积极回应12345民呼必应，处理工单6件、电话单4件。"]
    _ranks(store, {"2023Q1": 1, "2023Q2": 2, "2023Q3": 3})
    # A third place, and no rank for the fourth quarter: listed as they are.
    assert report.report_paragraphs(ctx) == [
        "积极回应12345民呼必应，处理工单6件、电话单4件，季度排名依次为第一季度第1名、第二季度第2名、第三季度第3名。"
    ]
    # All in the top two but a quarter missing is not "每季度".
    assert report.rank_clause({"2023Q1": 1, "2023Q2": 2}, ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]) == (
        "季度排名依次为第一季度第1名、第二季度第2名"
    )
    assert report.rank_clause({}, ["2023Q1"]) is None
    # A year without tickets says nothing.
    assert report.report_paragraphs(ctx_of(store, period=Period.year(2021))) == []


def test_report_counts_follow_the_host_phrasing():
    for n in (7, 10, 14, 96, 104, 120, 123, 317, 925, 1234):
        assert report.approx(n, "件") == host_approx(n, "件")
    assert report.approx(104, "件") == "100余件" and report.approx(96, "件") == "90余件"


def test_masking():
    assert masking.mask_name("张三") == "张*"
    assert masking.mask_name("欧阳娜娜") == "欧**"
    assert masking.mask_phone("13812345678") == "138****5678"
    assert masking.mask_phone("0375-6123456") == "037*****3456"
    assert masking.mask_phone("6123456") == "***3456"
    assert masking.mask_value("id_number", "41042119800101123X") == "410421********123X"
    assert masking.mask_name(None) is None and masking.mask_phone("") == ""


def test_open_tickets_paging_flags_and_masking(store):
    ctx = ctx_of(store, period=Period.year(2021))  # the open list ignores the period by default
    first = queries.open_tickets(ctx, 0, 3)
    # Open for 赵庄镇: T6 (12-27, overdue), T8 (1-10 = today), T9 (1-11 = next working day), T7 (1-12).
    assert (first.total, first.overdue, first.due_soon, first.due_soon_until) == (4, 1, 2, D(2024, 1, 11))
    rows = first.rows.to_pylist()
    assert [(r["ticket_no"], r["flag"]) for r in rows] == [
        ("T6", queries.OVERDUE_FLAG),
        ("T8", queries.DUE_SOON_FLAG),
        ("T9", queries.DUE_SOON_FLAG),
    ]
    assert first.has_more and list(first.rows.column_names) == list(queries.OPEN_COLUMNS)
    assert (rows[0]["caller"], rows[0]["phone"], rows[0]["grid_name"]) == ("张*", "138****5678", "乙网格")
    second = queries.open_tickets(ctx, 3, 3)
    assert [(r["ticket_no"], r["flag"], r["caller"], r["phone"]) for r in second.rows.to_pylist()] == [
        ("T7", None, "欧**", "037*****3456")
    ]
    assert not second.has_more and second.note is None
    # Keyset paging gives the same pages; later pages may skip the counts.
    by_key = queries.open_tickets(ctx, 3, 3, after=first.next_after, counts=False)
    assert by_key.rows.equals(second.rows) and by_key.total is None and not by_key.has_more
    pages, after = [], None
    while True:
        page = queries.open_tickets(ctx, limit=1, after=after, counts=False)
        if not page.rows.num_rows:
            break
        pages.append(page.rows.column("ticket_no")[0].as_py())
        after = page.next_after
    assert pages == ["T6", "T8", "T9", "T7"]
    admin = queries.open_tickets(ctx_of(store, role=ROLE_ADMIN), 3, 3).rows.to_pylist()
    assert (admin[0]["caller"], admin[0]["phone"]) == ("欧阳娜娜", "0375-6123456")
    # In a grid, and only the period's when asked.
    assert [r["ticket_no"] for r in queries.open_tickets(ctx_of(store, grid=G1)).rows.to_pylist()] == ["T9", "T7"]
    in_q4 = queries.open_tickets(ctx_of(store), in_period=True)
    assert [r["ticket_no"] for r in in_q4.rows.to_pylist()] == ["T6", "T8", "T7"]


def test_review_checks(store):
    ctx = ctx_of(store)
    overdue = review.overdue(ctx)
    # T6: deadline Wed 12-27; working days after it up to Wed 1-10: 12-28, 12-29, (12-30, 12-31 the
    # weekend, 1-1 元旦), 1-2, 1-3, 1-4, 1-5, 1-8, 1-9, 1-10 = 9.
    assert [(i.record_id, i.overdue, i.due) for i in overdue] == [("T6", True, D(2023, 12, 27))]
    assert "超期 9 个工作日" in overdue[0].title and "张" not in overdue[0].title + overdue[0].detail
    assert [(i.record_id, i.overdue) for i in review.due_soon(ctx)] == [("T8", False), ("T9", False)]
    assert "今日到期" in review.due_soon(ctx)[0].title
    # 不满意 T2 was closed 10-30: within 30 days of 11-15, not of today.
    assert review.unsatisfied(ctx) == []
    items = review.unsatisfied(ctx_of(store, today=D(2023, 11, 15)))
    assert [(i.record_id, i.grid) for i in items] == [("T2", "G1")] and "问题未解决" in items[0].title
    assert review.unsatisfied(ctx_of(store, settings={"unsatisfied_days": 90})) != []


def test_review_checks_take_the_open_lists_rows_when_kept_and_agree_with_their_own_query(store, monkeypatch):
    """超期 and 即将到期 come from the rows the open list keeps when it was read since the last
    write (nothing to read then), else from their own first-100 queries: the same items."""
    from fazhi_hotline import open_list

    def items(ctx):
        return [
            (i.title, i.detail, i.due, i.grid, i.record_id) for f in (review.overdue, review.due_soon) for i in f(ctx)
        ]

    for grid in (None, G1):
        open_list.OPEN_CACHE.clear()
        ctx = ctx_of(store, grid=grid)
        assert open_list.open_with_deadline(ctx, None, None) is None  # nothing kept: the checks query
        queried = items(ctx)
        assert open_list.open_with_deadline(ctx, None, None) is None  # and they do not fill it
        queries.open_tickets(ctx)  # the list's first page: from the files, nothing kept
        assert open_list.open_with_deadline(ctx, None, None) is None
        assert queries.keep_open_rows(ctx)  # what the panel asks for once its screen is drawn
        assert open_list.open_with_deadline(ctx, None, None) is not None
        assert items(ctx) == queried and queried
    # More than MAX_ITEMS: the rest are counted in one line, on both paths.
    monkeypatch.setattr(review, "MAX_ITEMS", 1)
    ctx = ctx_of(store)
    kept = review.due_soon(ctx)
    assert [i.record_id for i in kept] == ["T8", None] and kept[1].title == "另有 1 件未列出"
    open_list.OPEN_CACHE.clear()
    assert [(i.record_id, i.title) for i in review.due_soon(ctx)] == [(i.record_id, i.title) for i in kept]


def test_new_ticket_and_its_history_after_sign_close_and_callback(store):
    ctx = ctx_of(store, role=ROLE_ADMIN)  # the clerk at intake
    form = {
        "source": "电话单",
        "received_at": "2023-09-28 10:30",
        "appeal_type": "投诉举报",
        "category2": "噪声扰民",
        "content": "夜间施工噪声扰民",
        "caller": "李四",
        "phone": "13912345678",
        "grid": "G2",
    }
    saved = tickets.add_ticket(ctx, form)
    no = saved.row["ticket_no"]
    # Numbered for its day; 5 working days across 国庆 2023 (see test_hotline_deadlines) → 10-11;
    # the first level filled in from the second; the town from the context.
    assert no == "DH20230928001" and saved.deadline.day == D(2023, 10, 11)
    assert (saved.row["category1"], saved.row["status"], saved.row["town"]) == ("生态环境", "待签收", "赵庄镇")
    assert tickets.add_ticket(ctx, form).row["ticket_no"] == "DH20230928002"

    assert tickets.sign_ticket(ctx, no, expected_rev=1, at=T(2023, 9, 28, 11)) == 2
    with pytest.raises(tickets.TicketError, match="只有待签收"):
        tickets.sign_ticket(ctx, no, expected_rev=2)
    with pytest.raises(tickets.TicketError, match="办结后才能回访"):
        tickets.record_callback(ctx, no, "满意", expected_rev=2)
    assert tickets.close_ticket(ctx, no, expected_rev=2, at=T(2023, 10, 9, 16)) == 3
    with pytest.raises(tickets.TicketError, match="须填写原因"):
        tickets.record_callback(ctx, no, "不满意", expected_rev=3)
    assert tickets.record_callback(ctx, no, "不满意", "噪声仍在", expected_rev=3) == 4

    detail = queries.ticket_detail(ctx_of(store, role=ROLE_VIEWER), no)
    assert [v.rev for v in detail.versions] == [1, 2, 3, 4]
    assert [v.summary for v in detail.versions] == [
        "新建",
        "修改 签收时间、状态",
        "修改 办结时间、状态",
        "修改 回访结果、不满意原因",
    ]
    assert detail.history.num_rows == 4 and set(detail.history.column("_by").to_pylist()) == {"测试员"}
    assert detail.history.column("status").to_pylist() == ["待签收", "办理中", "已办结", "已办结"]
    # Masked for a viewer everywhere: the record, the fields, the history.
    assert detail.record["caller"] == "李*" and ("联系电话", "139****5678") in detail.fields
    assert set(detail.history.column("phone").to_pylist()) == {"139****5678"}
    assert ("网格", "乙网格（G2）") in detail.fields and detail.flag is None
    admin = queries.ticket_detail(ctx_of(store, role=ROLE_ADMIN), no)
    assert admin.record["phone"] == "13912345678"
    assert queries.ticket_detail(ctx, "NOPE") is None
    # It counts: closed 10-9 ≤ 10-11 on time, received in Q3.
    q3 = queries.figures(ctx_of(store, period=Period.quarter(2023, 3))).current
    assert (q3.received, q3.closed_on_time, q3.unsatisfied) == (4, 3, 1)


def test_the_form_validates(store):
    ctx = ctx_of(store)
    _row, problems = tickets.validate_ticket(
        ctx,
        {
            "source": "传真",
            "received_at": "2023-13-01",
            "category1": "教育",
            "category2": "噪声扰民",
            "phone": "12345",
            "callback": "不满意",
        },
    )
    labels = {label for label, _ in problems}
    assert {"来源", "受理时间", "诉求类型", "二级分类", "联系电话", "回访结果", "不满意原因"} <= labels
    with pytest.raises(tickets.TicketError):
        tickets.intake(ctx, {"source": "工单"})
    _row, problems = tickets.validate_ticket(
        ctx,
        {
            "source": "工单",
            "received_at": T(2023, 10, 9, 9),
            "appeal_type": "咨询",
            "grid": "G9",
            "status": "已办结",
        },
    )
    assert {label for label, _ in problems} == {"网格", "办结时间"}


@pytest.mark.parametrize("period", [Q4, Period.month(2023, 12), Period.year(2023)], ids=lambda p: p.label)
@pytest.mark.parametrize("grid", [None, "G2"])
@pytest.mark.parametrize("scope", ["town", "all"])
def test_the_panel_overview_is_the_four_queries_in_one(store, period, grid, scope):
    ctx = ctx_of(store, period=period, grid=G2 if grid else None, settings={"scope": scope})
    ov = queries.overview(ctx)
    assert ov.figures == queries.figures(ctx)
    assert ov.trend.equals(queries.monthly_trend(ctx))
    assert ov.categories.equals(queries.category_breakdown(ctx))
    assert ov.grids.equals(queries.grid_breakdown(ctx))


def test_counts_are_plain_integers(store):
    """DuckDB's count_if gives HUGEINT (a Decimal in Python); every count here is an int."""
    ctx = ctx_of(store)
    page = queries.open_tickets(ctx)
    assert all(type(v) is int for v in (page.total, page.overdue, page.due_soon))
    assert all(type(v) is int for v in queries.open_counts(ctx))
    ov = queries.overview(ctx)
    assert ov.trend.schema.field("closed").type == "int64" and ov.grids.schema.field("overdue").type == "int64"
    assert all(type(getattr(ov.figures.current, f)) is int for f in ("closed", "overdue", "satisfied"))


def test_the_report_figures_share_one_scan_and_follow_a_write(store):
    """工单 and 电话单 come from one scan of the period kept per state of the table: asking for both
    (as the report does) reads it once, and a ticket added is counted at once."""
    from fazhi_hotline.figures import hotline_figures

    figs = {f.name: f for f in hotline_figures()}
    ctx = ctx_of(store)
    assert (figs["hotline_work_orders"].compute(ctx), figs["hotline_phone_orders"].compute(ctx)) == (5, 3)
    assert figs["hotline_work_orders"].compute(ctx_of(store, grid=G1)) == 3  # as in the grid test above
    store.append("hotline", [ticket("T-NEW", "电话单", T(2023, 11, 1, 9), D(2023, 11, 8), "待签收")])
    assert (figs["hotline_work_orders"].compute(ctx), figs["hotline_phone_orders"].compute(ctx)) == (5, 4)
