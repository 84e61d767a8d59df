"""The demo's enforcement ledger: 赵庄镇's 整治行动 and 执法案件 from 2022-01-01 to the day before
``today``. Deterministic for ``today`` and ``seed``. No Textual here.

- 2023 has 124 actions of type 乱摆乱卖 (most joint with 市场所 and 派出所) among the other 六乱,
  and exactly 19 cases handled by 劝阻, so the report reads the seed's sentence: "镇执法队联合市场
  所、派出所……整治"乱摆乱卖"120余次，劝阻违法行为19宗". Other years are plausible and different.
- Officers are the demo's 执法队员 in post on the day, with their 执法证号 from ``people``; cases
  handled beyond 劝阻 have two of them. 12345转办 cases refer to the demo's hotline tickets (this
  hook runs after the hotline's, ``trylast``), with the ticket's grid.
- Around today there are open cases past their 整改期限, 复查 due within two working days, 处罚
  决定 due and late for 公示, a case without 音像记录号 and a 重大执法决定 awaiting 法制审核, so the
  daily review has work.
- Parties' names, phones and ID numbers are made up.

Each year's records come from their own ``Random(f"{seed}:enforcement:{year}")``; what happened
to a record is drawn whatever today is, and only what happened before today is written.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from fazhi_tui.api import Store, add_working_days, is_working_day

from .tables import (
    AWAITING_REVIEW,
    CLOSED,
    DISSUADE,
    FILED,
    FROM_HOTLINE,
    IN_PROGRESS,
    NOT_APPLICABLE,
    NOT_REVIEWED,
    ORDER,
    RECTIFIED,
    REVIEWED,
    SOURCES,
    STALLS,
    SUMMARY_PENALTY,
    TRANSFER,
)

DEMO_START = dt.date(2022, 1, 1)
PUBLICITY_DAYS = 7

# Actions per year and type; 2023 is the seed report's (乱摆乱卖 120余次).
STALL_ACTIONS = {2022: 97, 2023: 124, 2024: 133, 2025: 118, 2026: 127}
OTHER_ACTIONS = {
    "乱搭乱建": 14,
    "乱堆乱放": 26,
    "乱贴乱画": 11,
    "乱扔乱倒": 13,
    "乱停乱放": 19,
    "乱拉乱挂": 8,
    "其他": 5,
}
# Cases per year by 处理方式; 2023 is the seed report's (劝阻违法行为19宗).
DISSUADED = {2022: 23, 2023: 19, 2024: 26, 2025: 22, 2026: 24}
OTHER_CASES = {ORDER: 31, SUMMARY_PENALTY: 12, FILED: 5, TRANSFER: 2}
SOURCE_WEIGHTS = (52, 14, 14, 15, 5)  # 巡查 群众举报 12345转办 网格上报 上级交办
PARTNERS_BY_TYPE = {
    "乱摆乱卖": (("市场所", "派出所"), ("市场所",), ("市场所", "派出所")),
    "乱停乱放": (("交警中队", "派出所"), ("派出所",)),
    "乱搭乱建": (("自然资源所",),),
    "乱扔乱倒": (("环保所",),),
    "乱拉乱挂": (("供电所",),),
}
PLACES = ("集贸市场", "主街", "镇政府路口", "学校门口", "汽车站", "文化广场", "村委会门前", "国道沿线")
VIOLATIONS = {
    "乱摆乱卖": ("占道摆摊经营", "《城市市容和环境卫生管理条例》第十四条"),
    "乱搭乱建": ("未经批准搭建彩钢棚", "《中华人民共和国城乡规划法》第六十五条"),
    "乱堆乱放": ("在道路两侧堆放建筑材料", "《城市市容和环境卫生管理条例》第十七条"),
    "乱贴乱画": ("在公共设施上张贴小广告", "《城市市容和环境卫生管理条例》第十七条"),
    "乱扔乱倒": ("随意倾倒建筑垃圾", "《中华人民共和国固体废物污染环境防治法》第一百一十一条"),
    "乱停乱放": ("占用消防通道停放车辆", "《中华人民共和国消防法》第六十条"),
    "乱拉乱挂": ("私拉电线、乱挂横幅", "《城市市容和环境卫生管理条例》第十一条"),
    "其他": ("其他违反市容管理规定的行为", "《城市市容和环境卫生管理条例》第三十四条"),
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林郑宋韩冯曹许邓彭肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
GIVEN = "建国军明华伟红丽强平志文海霞芳燕磊涛鹏杰勇斌超静敏娟亮刚辉峰秀英桂兰玉梅凤春秋东新利学德振永"


def enforcement_demo_rows(store: Store, today: dt.date, seed: int) -> dict[str, list[dict]]:
    grids = store.query("SELECT code, village, population FROM grids ORDER BY code").to_pylist()
    officers = store.query(
        "SELECT person_id, badge_no, start_date, end_date FROM people "
        "WHERE list_contains(roles, '执法队员') AND badge_no IS NOT NULL ORDER BY person_id"
    ).to_pylist()
    tickets: list[dict] = []
    if "hotline" in store.specs:
        tickets = store.query(
            "SELECT ticket_no, grid, received_at FROM hotline WHERE category1 IN ('城市管理', '交通运输', '生态环境') "
            "AND grid IS NOT NULL ORDER BY ticket_no"
        ).to_pylist()
    demo = _Demo(today, seed, grids, officers, tickets)
    actions: list[dict] = []
    cases: list[dict] = []
    for year in range(DEMO_START.year, today.year + 1):
        year_actions = demo.actions(year)
        actions += year_actions
        cases += demo.cases(year, year_actions)
    cases += demo.anchors([c["case_no"] for c in cases])
    return {"enforcement_actions": actions, "enforcement_cases": cases}


def _plan(table: dict[int, int], year: int, seed: int, base: int) -> int:
    if year in table:
        return table[year]
    return base + random.Random(f"{seed}:enforcement-plan:{year}").randint(-8, 8)


class _Demo:
    def __init__(self, today: dt.date, seed: int, grids: list[dict], officers: list[dict], tickets: list[dict]):
        self.today, self.seed = today, seed
        self.grids = grids
        self.officers = officers
        self.tickets = tickets
        self.numbers: dict[str, int] = {}

    # -- helpers -------------------------------------------------------------------------------
    def _no(self, prefix: str, day: dt.date) -> str:
        key = f"{prefix}{day:%Y%m%d}-"
        self.numbers[key] = self.numbers.get(key, 0) + 1
        return f"{key}{self.numbers[key]:02d}"

    def _day(self, rng: random.Random, year: int) -> dt.date:
        first = dt.date(year, 1, 1)
        while True:
            day = first + dt.timedelta(days=rng.randrange((dt.date(year + 1, 1, 1) - first).days))
            if is_working_day(day) or rng.random() < 0.3:
                return day

    def _grid(self, rng: random.Random) -> dict | None:
        return rng.choices(self.grids, [g["population"] or 1 for g in self.grids])[0] if self.grids else None

    def _on_duty(self, day: dt.date) -> list[dict]:
        return [
            o
            for o in self.officers
            if (o["start_date"] is None or o["start_date"] <= day) and (o["end_date"] is None or o["end_date"] > day)
        ]

    def _pair(self, rng: random.Random, day: dt.date) -> list[dict]:
        duty = self._on_duty(day)
        return rng.sample(duty, 2) if len(duty) >= 2 else duty

    def _party(self, rng: random.Random) -> tuple[str, str, str]:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        phone = rng.choice(("138", "139", "151", "158", "186", "187", "199")) + f"{rng.randrange(10**8):08d}"
        born = dt.date(1955, 1, 1) + dt.timedelta(days=rng.randrange(365 * 50))
        body = f"410421{born:%Y%m%d}{rng.randrange(1000):03d}"
        return name, phone, body + _check_digit(body)

    # -- actions -------------------------------------------------------------------------------
    def actions(self, year: int) -> list[dict]:
        rng = random.Random(f"{self.seed}:enforcement:{year}:actions")
        plan = {STALLS: _plan(STALL_ACTIONS, year, self.seed, 125)} | {
            t: max(0, n + rng.randint(-3, 3)) for t, n in OTHER_ACTIONS.items()
        }
        if year == 2023:
            plan[STALLS] = STALL_ACTIONS[2023]  # exact, whatever the draws above
        drafts = []
        for kind, n in plan.items():
            for _ in range(n):
                drafts.append(self._action(rng, year, kind))
        drafts.sort(key=lambda a: (a["day"], a["action_type"]))
        out = []
        for a in drafts:
            a["action_no"] = self._no("XD", a["day"])
            if a["day"] < self.today:
                out.append(a)
        return out

    def _action(self, rng: random.Random, year: int, kind: str) -> dict[str, Any]:
        day = self._day(rng, year)
        grid = self._grid(rng)
        options = PARTNERS_BY_TYPE.get(kind, ((),))
        partners = list(rng.choice(options)) if rng.random() < (0.85 if kind == STALLS else 0.4) else []
        leaders = [o["person_id"] for o in self._pair(rng, day)[: rng.choice((1, 2))]]
        problems = rng.randint(0, 8)
        return {
            "action_no": None,
            "day": day,
            "action_type": kind,
            "grid": grid["code"] if grid else None,
            "place": f"{grid['village'] if grid else ''}{rng.choice(PLACES)}",
            "partners": partners,
            "leaders": leaders,
            "turnout": rng.randint(4, 16) + 3 * len(partners),
            "av_record": f"JL{day:%Y%m%d}{rng.randrange(100):02d}" if rng.random() < 0.9 else None,
            "problems_found": problems,
            "dissuaded": rng.randint(0, problems),
            "note": None,
        }

    # -- cases ---------------------------------------------------------------------------------
    def cases(self, year: int, actions: list[dict]) -> list[dict]:
        rng = random.Random(f"{self.seed}:enforcement:{year}:cases")
        plan = {DISSUADE: _plan(DISSUADED, year, self.seed, 23)} | {
            h: max(0, n + rng.randint(-2, 2)) for h, n in OTHER_CASES.items()
        }
        if year == 2023:
            plan[DISSUADE] = DISSUADED[2023]
        year_tickets = [t for t in self.tickets if t["received_at"].year == year]
        made = [self._case(rng, year, h, actions, year_tickets) for h, n in plan.items() for _ in range(n)]
        drafts = [c for c in made if c is not None]
        drafts.sort(key=lambda c: (c["found_at"], c["handling"]))
        out = []
        for c in drafts:
            c["case_no"] = self._no("AJ", c["found_at"].date())
            out.append(c)
        return out

    def _case(
        self, rng: random.Random, year: int, handling: str, actions: list[dict], tickets: list[dict]
    ) -> dict[str, Any] | None:
        source = rng.choices(SOURCES, SOURCE_WEIGHTS)[0]
        kind = rng.choices((STALLS, *OTHER_ACTIONS), (40, 8, 14, 7, 8, 12, 5, 3))[0]
        hour = dt.time(rng.randint(8, 17), rng.randrange(60))
        day = self._day(rng, year)
        grid = self._grid(rng)
        ticket_ref = action_ref = None
        if source == FROM_HOTLINE and tickets:
            t = rng.choice(tickets)
            ticket_ref, grid_code = t["ticket_no"], t["grid"]
            found = t["received_at"] + dt.timedelta(hours=rng.randint(2, 30))
        else:
            if source == FROM_HOTLINE:
                source = SOURCES[0]  # no hotline in this store: found on patrol instead
            grid_code = grid["code"] if grid else None
            found = dt.datetime.combine(day, hour)
            if source == SOURCES[0] and actions and rng.random() < 0.5:
                a = rng.choice(actions)
                action_ref, grid_code, kind = a["action_no"], a["grid"], a["action_type"]
                found = dt.datetime.combine(a["day"], hour)
        party, phone, id_no = self._party(rng)
        officers = self._pair(rng, found.date())
        if handling == DISSUADE:
            officers = officers[: rng.choice((1, 2))]
        # What happens next, drawn whatever today is; only the past is written below.
        av = rng.random() < (0.96 if handling != DISSUADE else 0.7)
        decided = rectify = published = reviewed = None
        fine = None
        major = False
        if handling == SUMMARY_PENALTY:
            decided = found.date()
            fine = float(rng.choice((50, 100, 100, 150, 200)))
        elif handling == FILED:
            decided = add_working_days(found.date(), rng.randint(5, 25))
            fine = float(rng.choice((500, 1000, 2000, 3000, 5000, 10000, 20000)))
            major = fine >= 10000
        elif handling == ORDER:
            decided = add_working_days(found.date(), rng.randint(0, 2))
            rectify = decided + dt.timedelta(days=rng.choice((3, 7, 7, 10, 15, 30)))
        elif handling == TRANSFER:
            decided = add_working_days(found.date(), rng.randint(1, 5))
        if handling in (SUMMARY_PENALTY, FILED) and decided is not None:
            late = rng.random() < 0.06
            published = add_working_days(decided, rng.randint(8, 12) if late else rng.randint(1, PUBLICITY_DAYS))
        if rectify is not None:
            reviewed = rectify + dt.timedelta(days=rng.randint(-2, 3))
        closing = max(d for d in (found.date(), decided, published, reviewed) if d is not None) + dt.timedelta(
            days=rng.randint(1, 5)
        )
        if found >= dt.datetime.combine(self.today, dt.time()):
            return None
        today = self.today
        past = lambda d: d is not None and d < today  # noqa: E731
        row = {
            "case_no": None,
            "source": source,
            "ticket_ref": ticket_ref,
            "action_ref": action_ref,
            "found_at": found,
            "grid": grid_code,
            "place": f"{rng.choice(PLACES)}",
            "party": party,
            "party_phone": phone,
            "party_id": id_no,
            "violation_type": kind,
            "violation": VIOLATIONS[kind][0],
            "legal_basis": VIOLATIONS[kind][1] if handling != DISSUADE else None,
            "handling": handling,
            "officer1": officers[0]["person_id"] if officers else None,
            "badge1": officers[0]["badge_no"] if officers else None,
            "officer2": officers[1]["person_id"] if len(officers) > 1 else None,
            "badge2": officers[1]["badge_no"] if len(officers) > 1 else None,
            "av_record": f"JL{found:%Y%m%d}{rng.randrange(100, 1000)}" if av else None,
            "major": major,
            "legal_review": (REVIEWED if major else NOT_APPLICABLE) if handling != DISSUADE else None,
            "decided_on": decided if past(decided) else None,
            "fine": fine if past(decided) else None,
            "rectify_by": rectify if past(decided) else None,
            "reviewed_on": reviewed if past(reviewed) and past(decided) else None,
            "review_result": RECTIFIED if past(reviewed) and past(decided) else None,
            "published_on": published if past(published) else None,
            "status": CLOSED if past(closing) else (AWAITING_REVIEW if rectify and past(decided) else IN_PROGRESS),
        }
        if handling == DISSUADE:
            row["status"] = CLOSED
        return row

    # -- the review's work around today ----------------------------------------------------------
    def anchors(self, taken: list[str]) -> list[dict]:
        """Open cases placed so the daily review of ``today`` has something real to show."""
        rng = random.Random(f"{self.seed}:enforcement-anchors:{self.today.isoformat()}")
        today = self.today
        out = []

        def before(n: int) -> dt.date:
            day, count = today, 0
            while count < n:
                day -= dt.timedelta(days=1)
                count += is_working_day(day)
            return day

        plans = [
            # (found, handling, decided, rectify_by, published, av, major, legal_review)
            (before(20), ORDER, before(19), before(3), None, True, False, NOT_APPLICABLE),  # 整改超期
            (before(15), ORDER, before(14), before(1), None, True, False, NOT_APPLICABLE),  # 整改超期
            (
                before(8),
                ORDER,
                before(8),
                today if is_working_day(today) else add_working_days(today, 1),
                None,
                True,
                False,
                NOT_APPLICABLE,
            ),
            (before(6), ORDER, before(6), add_working_days(today, 2), None, True, False, NOT_APPLICABLE),  # 复查 due
            (before(3), SUMMARY_PENALTY, before(3), None, None, True, False, NOT_APPLICABLE),  # 公示 due
            (before(12), SUMMARY_PENALTY, before(12), None, None, True, False, NOT_APPLICABLE),  # 公示 late
            (before(4), ORDER, before(4), add_working_days(today, 8), None, False, False, NOT_APPLICABLE),  # no 音像
            (before(9), FILED, None, None, None, True, True, NOT_REVIEWED),  # 重大, awaiting 法制审核
        ]
        for found_day, handling, decided, rectify, published, av, major, review in plans:
            if found_day < DEMO_START:
                continue
            found = dt.datetime.combine(found_day, dt.time(rng.randint(8, 16), rng.randrange(60)))
            grid = self._grid(rng)
            kind = rng.choice((STALLS, STALLS, "乱堆乱放", "乱停乱放", "乱搭乱建"))
            officers = self._pair(rng, found_day)
            party, phone, id_no = self._party(rng)
            case_no = self._no("AJ", found_day)
            while case_no in taken:
                case_no = self._no("AJ", found_day)
            out.append(
                {
                    "case_no": case_no,
                    "source": rng.choice(("巡查", "网格上报", "群众举报")),
                    "ticket_ref": None,
                    "action_ref": None,
                    "found_at": found,
                    "grid": grid["code"] if grid else None,
                    "place": rng.choice(PLACES),
                    "party": party,
                    "party_phone": phone,
                    "party_id": id_no,
                    "violation_type": kind,
                    "violation": VIOLATIONS[kind][0],
                    "legal_basis": VIOLATIONS[kind][1],
                    "handling": handling,
                    "officer1": officers[0]["person_id"] if officers else None,
                    "badge1": officers[0]["badge_no"] if officers else None,
                    "officer2": officers[1]["person_id"] if len(officers) > 1 else None,
                    "badge2": officers[1]["badge_no"] if len(officers) > 1 else None,
                    "av_record": f"JL{found:%Y%m%d}{rng.randrange(100, 1000)}" if av else None,
                    "major": major,
                    "legal_review": review,
                    "decided_on": decided,
                    "fine": 100.0 if handling == SUMMARY_PENALTY else (20000.0 if major else None),
                    "rectify_by": rectify,
                    "reviewed_on": None,
                    "review_result": None,
                    "published_on": published,
                    "status": AWAITING_REVIEW if rectify else IN_PROGRESS,
                }
            )
        return out


def _check_digit(body: str) -> str:
    """The 18th character of a 居民身份证号码 (GB 11643): ISO 7064 MOD 11-2."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
