"""The demo's work ledger: 赵庄镇's records from 2022-01-01 to the day before ``today``.
Deterministic for ``today`` and ``seed``. No Textual here.

2023 reproduces every figure of the seed report (DOMAIN §1) that the ledger owns: 党委会 24 times
deciding 34 大事项 ("20余次""30余个"), 专题会议 3, 调研 3, 法律顾问 3/5/2, 宣传品 304 条, 志愿服务
806 次, 民生话题 12, 政务公开 314 次 925 条, 专项督查 2, 整改问题 9 found and 3 closed, 廉政教育 2,
诉求 153 条, 制度 6 + 6, model villages (22 county-level, 1 national, 2 provincial, 3 city) and the
seed's two honours and one first. Other years vary around these. Around ``today`` some
rectification items are open, a few past their 期限, so the review and the panel have work.

Each year's rows come from their own ``Random(f"{seed}:ledger:{year}")``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from fazhi_tui.api import Store

from .tables import CLOSED, DONE, IN_PROGRESS, WORK_ITEMS

DEMO_FIRST_YEAR = 2022

# 2023 exactly (the seed); other years scale these by a factor near 1.
SEED_YEAR = 2023
RECORDS_2023 = {
    "专题会议": 3,
    "法治调研": 3,
    "法律顾问参与决策": 3,
    "法律顾问参与合同谈判": 5,
    "法律顾问应诉意见": 2,
    "民生话题发布": 12,
    "专项督查": 2,
    "廉政教育": 2,
}
TITLES = {
    "专题会议": [
        "法治建设专题会议：传达上级法治政府建设部署",
        "法治建设专题会议：法治政府建设规划方案起草",
        "法治建设专题会议：年度任务分解",
    ],
    "法治调研": ["赴各村开展法治建设调研", "基层法律服务需求调研", "综合执法运行情况调研"],
    "法律顾问参与决策": ["法律顾问列席讨论重大行政决策", "法律顾问审查重大决策合法性"],
    "法律顾问参与合同谈判": ["法律顾问参与重要合同谈判", "法律顾问参与政府重大活动集中讨论"],
    "法律顾问应诉意见": ["民事应诉案件法律意见"],
    "民生话题发布": [
        "发布热点民生话题：医保缴费",
        "发布热点民生话题：秸秆禁烧",
        "发布热点民生话题：防汛避险",
        "发布热点民生话题：养老认证",
    ],
    "专项督查": ["普法宣传工作专项督查", "“谁执法谁普法”责任落实专项督查"],
    "廉政教育": ["廉政警示教育活动", "观看警示教育片"],
}
PARTY_TOPICS = ["项目建设", "资金使用", "人事调整", "案件处置", "人居环境整治", "防汛工作", "“三资”管理"]
PUBLICITY = ["民法典宣传月横幅标语", "宪法宣传周宣传牌", "八五普法宣传标语", "反诈宣传横幅", "禁毒宣传牌"]
DISCLOSURE = ["财务公开", "低保名单公示", "项目招标公示", "惠农补贴公示", "政策解读", "工作动态"]
PROBLEMS = [
    "普法台账不完整",
    "宣传栏内容未及时更新",
    "执法记录仪使用不规范",
    "村级法律顾问服务记录缺失",
    "“三资”台账账实不符",
    "公示信息不全",
    "学法考勤不全",
    "调解卷宗归档不及时",
    "值班记录不规范",
]
DEMANDS = ["邻里纠纷化解", "土地边界纠纷调处", "拖欠工资协调", "道路维修诉求办理", "家庭矛盾调解"]
PUBLICITY_SYSTEMS = [
    "普法用法制度：普法宣传年度计划",
    "普法用法制度：普法目标责任制",
    "普法用法制度：“谁执法谁普法”责任清单",
    "普法用法制度：领导干部学法制度",
    "普法用法制度：法律顾问工作规则",
    "普法用法制度：以案释法制度",
]
WORK_SYSTEMS = [
    "工作制度：值班制度",
    "工作制度：信息报送制度",
    "工作制度：单周例会制度",
    "工作制度：双周研判制度",
    "工作制度：队员业务提升制度",
    "工作制度：学法考试制度",
]
HONOURS_2023 = [("省级守法普法示范乡镇", "省级"), ("镇司法所获评省五星规范化司法所", "省级")]
OTHER_HONOURS = [
    ("市级平安建设先进乡镇", "市级"),
    ("县级法治宣传教育先进集体", "县级"),
    ("市级人民调解工作先进集体", "市级"),
]
# Model villages by level: (level, how many, the year named). 2023: 22 county, 1 national, 2 provincial, 3 city.
MODEL_VILLAGES = [
    ("县级", 14, 2019),
    ("县级", 5, 2021),
    ("县级", 3, 2023),
    ("国家级", 1, 2020),
    ("省级", 1, 2021),
    ("省级", 1, 2023),
    ("市级", 2, 2022),
    ("市级", 1, 2023),
    ("市级", 1, 2025),
]


def _days(rng: random.Random, year: int, last: dt.date, n: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    span = (last - first).days + 1
    return sorted(first + dt.timedelta(days=rng.randrange(span)) for _ in range(n))


def _split(rng: random.Random, total: int, parts: int, lo: int = 1) -> list[int]:
    """``parts`` positive integers (each ≥ ``lo``) adding up to ``total``."""
    parts = max(1, min(parts, total // lo))
    cuts = sorted(rng.sample(range(1, total - lo * parts + parts), parts - 1)) if parts > 1 else []
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, total - lo * parts + parts], strict=True)]
    return [s - 1 + lo for s in sizes]


def ledger_demo_rows(store: Store, today: dt.date, seed: int) -> dict[str, list[dict]]:
    grids = store.query("SELECT code, name, village FROM grids ORDER BY code").to_pylist()
    people = store.query(
        "SELECT person_id, list_contains(roles, '班子成员') AS leader FROM people WHERE end_date IS NULL ORDER BY person_id"
    ).to_pylist()
    leaders = [p["person_id"] for p in people if p["leader"]] or [p["person_id"] for p in people] or [None]
    rows: list[dict[str, Any]] = []
    last_day = today - dt.timedelta(days=1)
    for year in range(DEMO_FIRST_YEAR, last_day.year + 1):
        rows += _year(
            random.Random(f"{seed}:ledger:{year}"), year, min(dt.date(year, 12, 31), last_day), today, grids, leaders
        )
    rows += _model_villages(random.Random(f"{seed}:ledger:villages"), grids, last_day)
    by_day: dict[dt.date, int] = defaultdict(int)
    rows.sort(key=lambda r: (r["date"], r["category"], r["title"]))
    for r in rows:
        by_day[r["date"]] += 1
        r["item_no"] = f"TZ{r['date']:%Y%m%d}{by_day[r['date']]:03d}"
        r.setdefault("quantity", 1)
        r.setdefault("status", DONE)
    return {WORK_ITEMS: rows}


def _year(
    rng: random.Random, year: int, last: dt.date, today: dt.date, grids: list[dict], leaders: list[str | None]
) -> list[dict]:
    """One year's records up to ``last``; a partial year has its share of the counts."""
    share = ((last - dt.date(year, 1, 1)).days + 1) / ((dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days)
    seed_year = year == SEED_YEAR

    def n(base: int) -> int:
        if seed_year:
            return base
        return max(0, round(base * rng.uniform(0.8, 1.25) * share))

    out: list[dict] = []

    def add(category: str, day: dt.date, title: str, **more: Any) -> None:
        out.append({"category": category, "date": day, "title": title, "person": rng.choice(leaders), **more})

    # 党委会: meetings, and the 大事项 each decided (2023: 24 meetings, 34 matters).
    meetings = n(24)
    matters = 34 if seed_year else max(meetings, round(meetings * rng.uniform(1.3, 1.5)))
    for day, k in zip(
        _days(rng, year, last, meetings), _split(rng, matters, meetings) if meetings else [], strict=False
    ):
        add("党委会", day, f"党委会：研究{'、'.join(rng.sample(PARTY_TOPICS, min(k, 3)))}等事项", quantity=k)
    for category, base in RECORDS_2023.items():
        for i, day in enumerate(_days(rng, year, last, n(base))):
            add(category, day, TITLES[category][i % len(TITLES[category])])
    # Quantities: 宣传品 304 条, 志愿服务 806 次 (by grid), 政务公开 314 次 925 条, 诉求 153 条 (by grid).
    publicity = n(304)
    for day, k in zip(
        _days(rng, year, last, max(1, publicity // 15)), _split(rng, publicity, max(1, publicity // 15)), strict=False
    ):
        add("普法宣传品", day, rng.choice(PUBLICITY), quantity=k, grid=rng.choice(grids)["code"] if grids else None)
    for category, base, per, titles in (("志愿服务", 806, 9, ["“平安来敲门”入户走访"]), ("诉求化解", 153, 2, DEMANDS)):
        total = n(base)
        count = max(1, total // per)
        for day, k in zip(_days(rng, year, last, count), _split(rng, total, count), strict=False):
            add(category, day, rng.choice(titles), quantity=k, grid=rng.choice(grids)["code"] if grids else None)
    times = n(314)
    items = 925 if seed_year else round(times * rng.uniform(2.7, 3.1))
    for day, k in zip(_days(rng, year, last, times), _split(rng, items, times) if times else [], strict=False):
        add("政务公开", day, rng.choice(DISCLOSURE), quantity=k)
    # 制度建设: 6 普法用法 and 6 工作 systems in 2023; a few revised in other years.
    for titles, base in ((PUBLICITY_SYSTEMS, 6), (WORK_SYSTEMS, 6)):
        count = base if seed_year else min(len(titles), max(1, round(base * rng.uniform(0.3, 0.7) * share)))
        for day, title in zip(_days(rng, year, last, count), rng.sample(titles, count), strict=False):
            add("制度建设", day, title if seed_year else title + "（修订）")
    out += _problems(rng, year, last, today, grids, leaders)
    honours = HONOURS_2023 if seed_year else rng.sample(OTHER_HONOURS, rng.randint(0, 1 if share < 1 else 2))
    for day, (title, level) in zip(_days(rng, year, last, len(honours)), honours, strict=True):
        add("荣誉", day, title, level=level)
    if seed_year:
        dahuang = next((g["code"] for g in grids if g["village"] == "大黄村"), None)
        add("首创", dt.date(2023, 9, 15), "全县首家基层法律监督联络站在大黄村揭牌成立", grid=dahuang)
    return [r for r in out if r["date"] <= last]


def _problems(
    rng: random.Random, year: int, last: dt.date, today: dt.date, grids: list[dict], leaders: list[str | None]
) -> list[dict]:
    """整改问题 found in the year (2023: 9), each with a 期限; 2023 closed 3 that year (the rest the
    next), older years close theirs within the year or the next, and this year's are partly open,
    some past 期限."""
    count = 9 if year == SEED_YEAR else rng.randint(6, 10)
    if last < dt.date(year, 12, 31):
        count = max(4, round(count * ((last - dt.date(year, 1, 1)).days + 1) / 365))
    days = _days(rng, year, min(last, dt.date(year, 11, 30)) if year == SEED_YEAR else last, count)
    out = []
    closed_in_year = 3 if year == SEED_YEAR else None
    for i, day in enumerate(days):
        due = day + dt.timedelta(days=rng.choice((15, 30, 45, 60)))
        row: dict[str, Any] = {
            "category": "整改问题",
            "date": day,
            "title": PROBLEMS[(i + year) % len(PROBLEMS)],
            "due": due,
            "person": rng.choice(leaders),
            "grid": rng.choice(grids)["code"] if grids and rng.random() < 0.5 else None,
            "status": IN_PROGRESS,
        }
        if closed_in_year is not None:
            # 2023: the first three closed in 2023, the others in the first months of 2024.
            done = (
                min(due, dt.date(2023, 12, 20))
                if i < closed_in_year
                else dt.date(2024, 1, 10) + dt.timedelta(days=7 * i)
            )
        else:
            done = due - dt.timedelta(days=rng.randint(0, 10))
            if rng.random() < 0.3:
                done = due + dt.timedelta(days=rng.randint(1, 20))
            if year < SEED_YEAR:
                done = min(done, dt.date(year, 12, 31))  # 2023's closures are exactly the seed's three
        if done < today - dt.timedelta(days=1) and (today - day).days > 75:
            row |= {"status": CLOSED, "done_date": max(done, day), "note": "整改到位，验收销号"}
        elif done < today and rng.random() < 0.5:
            row |= {"status": CLOSED, "done_date": max(done, day), "note": "整改到位，验收销号"}
        out.append(row)
    if last >= today - dt.timedelta(days=1):
        # This year: four items still open near today, two of them past 期限 (the review's work).
        for back, ahead in ((40, -8), (26, -2), (12, 20), (4, 27)):
            out.append(
                {
                    "category": "整改问题",
                    "date": today - dt.timedelta(days=back),
                    "title": PROBLEMS[(back + year) % len(PROBLEMS)],
                    "due": today + dt.timedelta(days=ahead),
                    "person": rng.choice(leaders),
                    "grid": rng.choice(grids)["code"] if grids else None,
                    "status": IN_PROGRESS,
                }
            )
    return out


def _model_villages(rng: random.Random, grids: list[dict], last: dt.date) -> list[dict]:
    """民主法治示范村, one record per village and level, each village once per level."""
    villages: dict[str, str] = {}
    for g in grids:
        villages.setdefault(g["village"], g["code"])
    names = list(villages)
    out = []
    county = iter(rng.sample(names, len(names)))
    upper = rng.sample(names, min(len(names), 7))
    for level, count, year in MODEL_VILLAGES:
        for _ in range(count):
            village = next(county, None) if level == "县级" else (upper.pop() if upper else None)
            if village is None:
                continue
            day = dt.date(year, rng.randint(3, 11), rng.randint(1, 28))
            if day > last:
                continue
            out.append(
                {
                    "category": "示范村",
                    "date": day,
                    "title": f"{village}获评{level}民主法治示范村",
                    "grid": villages[village],
                    "level": level,
                    "person": None,
                }
            )
    return out
