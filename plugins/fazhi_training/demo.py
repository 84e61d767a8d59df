"""The demo's training ledger: 赵庄镇's study sessions, training, exams and outreach from
2022-01-01 to ``today``, with rosters drawn from the demo's people. Deterministic for ``today``
and ``seed``; each year draws from its own ``Random(f"{seed}:training:{year}")``, so a later
``today`` adds sessions without rewriting earlier years. No Textual here.

- 2023 is the seed report's: 16 中心组学习, each led by the 党委书记 or the 镇长 in post that day
  ("书记、镇长带头领学……16次"), 2 专题研讨, 12 普法宣讲 at schools, firms and villages, 14 法治培训
  ("10余次"), 6 法律服务活动, 2 学法考试.
- Other years are plausible; in the current year 中心组学习 runs behind its target for the time
  of year, the latest exam has its roster but no scores yet, and two cadres on secondment
  (借调) have been on leave for months, so the review has work. A few cadres miss enough
  training to fall below 40 学时.
- Outreach events have a head count and a grid, no roster.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from fazhi_tui.api import Store

from .people import is_cadre
from .settings import parse_settings
from .tables import (
    ABSENT,
    CENTRAL_STUDY,
    EXAM,
    LEAVE,
    LECTURE,
    LEGAL_SERVICE,
    PRESENT,
    PUBLICITY,
    SEMINAR,
    TRAINING,
    attendance_id,
)

DEMO_START = dt.date(2022, 1, 1)
TOWN = "赵庄镇"
SECRETARY, HEAD = "党委书记", "镇长"

# Sessions per year by 类型 (the whole year; only those up to today are written).
YEAR_PLAN: dict[int, dict[str, int]] = {
    2022: {CENTRAL_STUDY: 14, SEMINAR: 2, TRAINING: 12, EXAM: 2, LECTURE: 10, LEGAL_SERVICE: 5, PUBLICITY: 7},
    2023: {CENTRAL_STUDY: 16, SEMINAR: 2, TRAINING: 14, EXAM: 2, LECTURE: 12, LEGAL_SERVICE: 6, PUBLICITY: 8},
    2024: {CENTRAL_STUDY: 15, SEMINAR: 3, TRAINING: 13, EXAM: 2, LECTURE: 13, LEGAL_SERVICE: 7, PUBLICITY: 9},
    2025: {CENTRAL_STUDY: 16, SEMINAR: 2, TRAINING: 15, EXAM: 3, LECTURE: 14, LEGAL_SERVICE: 6, PUBLICITY: 10},
    # Fewer 中心组学习 than the target of 12 would need by late in the year: behind.
    2026: {CENTRAL_STUDY: 9, SEMINAR: 2, TRAINING: 13, EXAM: 2, LECTURE: 12, LEGAL_SERVICE: 6, PUBLICITY: 9},
}
LATER_YEAR = {CENTRAL_STUDY: 14, SEMINAR: 2, TRAINING: 13, EXAM: 2, LECTURE: 12, LEGAL_SERVICE: 6, PUBLICITY: 9}
HOURS = {CENTRAL_STUDY: 2.0, SEMINAR: 2.0, TRAINING: 3.0, EXAM: 1.0}

STUDY_TOPICS = (
    "学习贯彻习近平法治思想",
    "学习《中华人民共和国宪法》",
    "学习《法治政府建设实施纲要（2021—2025年）》",
    "学习《党政主要负责人履行推进法治建设第一责任人职责规定》",
    "学习《中华人民共和国行政复议法》",
    "学习《信访工作条例》",
    "学习《中华人民共和国保守国家秘密法》",
    "学习《中华人民共和国乡村振兴促进法》",
    "学习《中国共产党纪律处分条例》",
    "学习《中华人民共和国安全生产法》",
)
TRAINING_TOPICS = (
    "《中华人民共和国行政处罚法》解读",
    "《中华人民共和国民法典》与基层治理",
    "行政执法“三项制度”实务",
    "《中华人民共和国土地管理法》与宅基地管理",
    "依法化解矛盾纠纷",
    "《中华人民共和国反电信网络诈骗法》",
    "政府信息公开实务",
    "行政复议与行政应诉",
    "《中华人民共和国未成年人保护法》",
    "安全生产执法与应急管理",
)
SEMINAR_TOPICS = ("法治政府建设专题研讨", "依法决策专题研讨", "基层依法治理专题研讨")
LECTURE_TOPICS = {
    "学校": ("法治进校园：预防校园欺凌", "法治进校园：防范电信诈骗", "宪法宣传周进校园"),
    "企业": ("法律进企业：劳动合同与安全生产", "法律进企业：优化营商环境", "民法典进企业"),
    "村": ("民法典进乡村", "法治进村：婚姻家庭与继承", "扫黑除恶与禁毒宣讲"),
}
SERVICE_TOPICS = {"学校": "法律服务进校园", "企业": "法律服务进企业", "村": "法律服务进村：免费法律咨询"}
PUBLICITY_TOPICS = ("宪法宣传日", "民法典宣传月", "全民国家安全教育日", "防范非法集资宣传", "禁毒宣传")
OUTSIDE_SPEAKERS = ("宝丰县司法局讲师", "宝丰县人民法院法官", "宝丰县检察院检察官", "平顶山学院法学教师")


def training_demo_rows(store: Store, today: dt.date, seed: int) -> dict[str, list[dict]]:
    people = store.query(
        "SELECT person_id, name, roles, unit, grid, start_date, end_date FROM people ORDER BY person_id"
    ).to_pylist()
    grids = store.query("SELECT code, village FROM grids ORDER BY code").to_pylist()
    settings = parse_settings({})
    cadres = [p for p in people if is_cadre(p["unit"], TOWN, settings)]
    # Who attends unreliably, and who has been away (借调) since July of the current year.
    pick = random.Random(f"{seed}:training:people")
    cadre_ids = sorted(p["person_id"] for p in cadres)
    unreliable = set(pick.sample(cadre_ids, min(4, len(cadre_ids))))
    away = set(pick.sample(sorted(set(cadre_ids) - unreliable), min(2, max(0, len(cadre_ids) - 4))))
    trainings: list[dict] = []
    attendance: list[dict] = []
    for year in range(DEMO_START.year, today.year + 1):
        rng = random.Random(f"{seed}:training:{year}")
        plan = YEAR_PLAN.get(year, LATER_YEAR)
        sessions = _year_sessions(rng, year, plan, grids)
        sessions = [s for s in sessions if s["date"] <= today]
        sessions.sort(key=lambda s: (s["date"], s["kind"]))
        for n, s in enumerate(sessions, 1):
            s["training_id"] = f"XF{year}-{n:03d}"
        exams = [s for s in sessions if s["kind"] == EXAM]
        unscored = exams[-1]["training_id"] if year == today.year and exams else None
        for s in sessions:
            roster = _roster(rng, s, people, cadres, unreliable, away, today, score=s["training_id"] != unscored)
            if roster:
                s["participants"] = sum(1 for r in roster if r["status"] == PRESENT)
            trainings.append(s)
            attendance += roster
    return {"trainings": trainings, "training_attendance": attendance}


def _spread(rng: random.Random, year: int, n: int) -> list[dt.date]:
    """``n`` dates through the year, one in each of ``n`` equal stretches (weekdays)."""
    first, days = dt.date(year, 1, 1), (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
    out = []
    for i in range(n):
        lo, hi = days * i // n, max(days * (i + 1) // n - 1, days * i // n)
        day = first + dt.timedelta(days=rng.randint(lo, hi))
        if day.weekday() >= 5:  # to the Friday before, or the Monday after at the start of January
            friday = day - dt.timedelta(days=day.weekday() - 4)
            day = friday if friday.year == year else day + dt.timedelta(days=7 - day.weekday())
        out.append(day)
    return out


def _year_sessions(rng: random.Random, year: int, plan: dict[str, int], grids: list[dict]) -> list[dict]:
    villages = [g for g in grids if g["village"] != "镇区"] or grids
    seat = next((g for g in grids if g["village"] == "镇区"), grids[0] if grids else None)
    out: list[dict] = []

    def add(kind: str, day: dt.date, topic: str, **extra: Any) -> None:
        row = {
            "training_id": None,
            "date": day,
            "kind": kind,
            "topic": topic,
            "speaker": None,
            "leaders": None,
            "audience": None,
            "venue": None,
            "venue_kind": None,
            "grid": None,
            "hours": HOURS.get(kind),
            "participants": None,
            "note": None,
        }
        row.update(extra)
        out.append(row)

    for i, day in enumerate(_spread(rng, year, plan.get(CENTRAL_STUDY, 0))):
        add(
            CENTRAL_STUDY,
            day,
            STUDY_TOPICS[(i + year) % len(STUDY_TOPICS)],
            audience=["班子成员"],
            venue="镇政府三楼会议室",
            venue_kind="机关",
            grid=seat["code"] if seat else None,
            note=SECRETARY if i % 2 == 0 else HEAD,
        )
    for i, day in enumerate(_spread(rng, year, plan.get(SEMINAR, 0))):
        add(
            SEMINAR,
            day,
            SEMINAR_TOPICS[(i + year) % len(SEMINAR_TOPICS)],
            audience=["班子成员", "机关干部"],
            venue="镇政府三楼会议室",
            venue_kind="机关",
            grid=seat["code"] if seat else None,
        )
    for i, day in enumerate(_spread(rng, year, plan.get(TRAINING, 0))):
        add(
            TRAINING,
            day,
            TRAINING_TOPICS[(i + year) % len(TRAINING_TOPICS)],
            audience=["机关干部", "村干部"],
            speaker=rng.choice(OUTSIDE_SPEAKERS),
            venue="镇政府大会议室",
            venue_kind="机关",
            grid=seat["code"] if seat else None,
        )
    for day in _spread(rng, year, plan.get(EXAM, 0)):
        add(
            EXAM,
            day,
            f"{year}年度{'上' if day.month <= 6 else '下'}半年学法考试",
            audience=["机关干部"],
            venue="镇政府大会议室",
            venue_kind="机关",
            grid=seat["code"] if seat else None,
        )
    venue_kinds = ("学校", "企业", "村")
    for i, day in enumerate(_spread(rng, year, plan.get(LECTURE, 0))):
        vk = venue_kinds[i % 3]
        g = rng.choice(villages)
        place = {"学校": f"{g['village']}小学", "企业": f"{g['village']}农业专业合作社", "村": f"{g['village']}村委会"}[
            vk
        ]
        audience = {"学校": ["学生"], "企业": ["企业"], "村": ["群众"]}[vk]
        add(
            LECTURE,
            day,
            rng.choice(LECTURE_TOPICS[vk]),
            audience=audience,
            venue=place,
            venue_kind=vk,
            grid=g["code"],
            participants=rng.randint(60, 300) if vk == "学校" else rng.randint(25, 120),
        )
    for i, day in enumerate(_spread(rng, year, plan.get(LEGAL_SERVICE, 0))):
        vk = venue_kinds[(i + 1) % 3]
        g = rng.choice(villages)
        add(
            LEGAL_SERVICE,
            day,
            SERVICE_TOPICS[vk],
            audience={"学校": ["学生"], "企业": ["企业"], "村": ["群众"]}[vk],
            venue=f"{g['village']}村委会"
            if vk == "村"
            else f"{g['village']}{'小学' if vk == '学校' else '农业专业合作社'}",
            venue_kind=vk,
            grid=g["code"],
            participants=rng.randint(20, 90),
        )
    for i, day in enumerate(_spread(rng, year, plan.get(PUBLICITY, 0))):
        g = rng.choice(villages)
        add(
            PUBLICITY,
            day,
            PUBLICITY_TOPICS[(i + year) % len(PUBLICITY_TOPICS)],
            audience=["群众"],
            venue=f"{g['village']}文化广场",
            venue_kind="村",
            grid=g["code"],
            participants=rng.randint(80, 400),
        )
    return out


def _in_post(p: dict, day: dt.date) -> bool:
    return (p["start_date"] is None or p["start_date"] <= day) and (p["end_date"] is None or p["end_date"] > day)


def _roster(
    rng: random.Random,
    s: dict,
    people: list[dict],
    cadres: list[dict],
    unreliable: set[str],
    away: set[str],
    today: dt.date,
    *,
    score: bool,
) -> list[dict]:
    day, kind = s["date"], s["kind"]
    if kind not in HOURS:
        return []  # outreach: a head count, no roster
    leaders = [p for p in people if "班子成员" in (p["roles"] or ()) and _in_post(p, day)]
    if kind == CENTRAL_STUDY:
        who = leaders
        wanted, s["note"] = s["note"], None
        lead = [p for p in leaders if wanted in p["roles"]] or [
            p for p in leaders if {SECRETARY, HEAD} & set(p["roles"])
        ]
        if lead:
            s["leaders"] = [lead[0]["person_id"]]
            s["speaker"] = lead[0]["person_id"]
    elif kind == SEMINAR:
        who = leaders + [p for p in cadres if p not in leaders and rng.random() < 0.2 and _in_post(p, day)]
    elif kind == TRAINING:
        village_heads = [p for p in people if "网格长" in (p["roles"] or ()) and _in_post(p, day)]
        who = [p for p in cadres if _in_post(p, day)] + village_heads
    else:  # EXAM
        who = [p for p in cadres if _in_post(p, day)]
    seen: set[str] = set()
    rows = []
    for p in who:
        pid = p["person_id"]
        if pid in seen:
            continue
        seen.add(pid)
        reliability = 0.55 if pid in unreliable else 0.975
        roll = rng.random()
        if pid in away and day.year == today.year and day.month >= 7:
            status = LEAVE
        elif s.get("leaders") and pid in s["leaders"]:
            status = PRESENT
        elif roll < reliability:
            status = PRESENT
        else:
            status = LEAVE if rng.random() < 0.6 else ABSENT
        mark = rng.uniform(68, 100)
        rows.append(
            {
                "attendance_id": attendance_id(s["training_id"], pid),
                "training_id": s["training_id"],
                "person": pid,
                "status": status,
                "score": round(mark) if kind == EXAM and status == PRESENT and score else None,
            }
        )
    return rows
