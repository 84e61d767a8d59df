"""A small hand-made training ledger (people, sessions, rosters) whose figures are worked out by
hand in the tests, so a change in the demo never changes what they check."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fazhi_tui.api import Context, Grid, Period
from fazhi_tui.config import Config
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store

from .shell_fixtures import GRIDS, USER

TODAY = dt.date(2025, 7, 2)  # day 183 of 365: half of a yearly target is due
TOWN = "赵庄镇"
GOV = "赵庄镇人民政府"

PEOPLE = [
    {
        "person_id": "P01",
        "name": "王书记",
        "roles": ["班子成员", "党委书记"],
        "unit": "中共赵庄镇委员会",
        "start_date": dt.date(2020, 1, 1),
    },
    {
        "person_id": "P02",
        "name": "李镇长",
        "roles": ["班子成员", "镇长"],
        "unit": GOV,
        "start_date": dt.date(2020, 1, 1),
    },
    {"person_id": "P03", "name": "张伟", "roles": ["班子成员"], "unit": GOV, "start_date": dt.date(2020, 1, 1)},
    {
        "person_id": "P04",
        "name": "赵敏",
        "roles": ["网格指导员"],
        "unit": GOV,
        "start_date": dt.date(2020, 1, 1),
        "phone": "13812345678",
    },
    # Came in post on 1 July 2025: owes the target for 184 of 365 days.
    {
        "person_id": "P05",
        "name": "张伟",
        "roles": ["执法队员"],
        "unit": "赵庄镇综合行政执法大队",
        "start_date": dt.date(2025, 7, 1),
    },
    {
        "person_id": "P06",
        "name": "周村长",
        "roles": ["网格长"],
        "unit": "赵庄村村民委员会",
        "grid": GRIDS[0]["code"],
        "start_date": dt.date(2020, 1, 1),
    },
    # Left before 2025: not listed for 2025.
    {
        "person_id": "P07",
        "name": "钱离任",
        "roles": ["网格指导员"],
        "unit": GOV,
        "start_date": dt.date(2019, 1, 1),
        "end_date": dt.date(2024, 6, 30),
    },
]


def session(tid: str, day: str, kind: str, hours: float | None = None, **extra) -> dict:
    row = {"training_id": tid, "date": dt.date.fromisoformat(day), "kind": kind, "hours": hours}
    row.update(extra)
    return row


SESSIONS = [
    session("S1", "2025-01-10", "中心组学习", 2, leaders=["P01"], topic="学习宪法"),
    session("S2", "2025-02-20", "中心组学习", 2, leaders=["P03"], topic="学习民法典"),
    session("S3", "2025-03-05", "法治培训", 3, topic="行政处罚法", participants=5),
    session("S4", "2025-04-01", "学法考试", 1, topic="上半年考试"),
    session("S5", "2025-05-12", "普法宣讲", venue="赵庄小学", participants=120, grid=GRIDS[0]["code"]),
    session(
        "S6", "2025-05-20", "普法宣讲", venue="大黄村村委会", venue_kind="村", participants=60, grid=GRIDS[1]["code"]
    ),
    session("S7", "2025-06-01", "普法宣讲", venue="镇政府广场", participants=200),
    session("S8", "2025-06-10", "法律服务活动", venue_kind="企业", participants=30, grid=GRIDS[1]["code"]),
    session("S9", "2025-06-15", "中心组学习", 2, leaders=["P02", "P03"]),
    session("S10", "2024-11-01", "法治培训", 3, participants=4),
]


def mark(tid: str, person: str, status: str | None = "出席", score: float | None = None) -> dict:
    return {"attendance_id": f"{tid}/{person}", "training_id": tid, "person": person, "status": status, "score": score}


ROSTERS = [
    mark("S1", "P01"),
    mark("S1", "P02"),
    mark("S1", "P03", "请假"),
    mark("S2", "P01"),
    mark("S2", "P02", "缺席"),
    mark("S2", "P03"),
    mark("S3", "P01"),
    mark("S3", "P02"),
    mark("S3", "P03"),
    mark("S3", "P04", None),
    mark("S3", "P06"),
    mark("S4", "P02", score=90),
    mark("S4", "P03", score=80),
    mark("S4", "P04", "缺席"),
    mark("S9", "P01"),
    mark("S9", "P02"),
    mark("S9", "P03"),
    mark("S10", "P04"),
    mark("S10", "P07"),
]


def training_store(root: Path, *, rows: bool = True, config: Config | None = None) -> Store:
    host = PluginHost.load(only=["fazhi_training"])
    store = Store.open(root, table_specs(host, config or Config()), create=True, user=USER)
    store.append("grids", GRIDS)
    store.append("people", PEOPLE)
    if rows:
        store.append("trainings", SESSIONS)
        store.append("training_attendance", ROSTERS)
    return store


def context(
    store: Store,
    period: Period | None = None,
    *,
    grid: Grid | None = None,
    today: dt.date = TODAY,
    settings: dict | None = None,
) -> Context:
    return Context(
        store=store,
        period=period or Period.year(2025),
        today=today,
        grid=grid,
        user=USER,
        town=TOWN,
        settings=settings or {},
    )
