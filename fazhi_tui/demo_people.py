"""Demo rows for the host's reference tables: grids (网格) and people (人员).

Grids come from ``data/grids.geojson`` (illustrative boundaries, see data/README.md). People are
generated as *posts* (a seat such as "the head of 赵庄村网格") held by a sequence of fictional
people over time. A person is counted in a role for year Y when in post on 31 December of Y:
``start_date <= Y-12-31 and (end_date is null or end_date > Y-12-31)``.

The post structure is fixed so that the 2023 figures of the seed report (DOMAIN.md §1) come out
exactly for every seed; the seed chooses names, dates and who comes and goes. Turnover for year
Y draws from its own ``Random(f"{seed}:{Y}")``, so moving ``today`` forward only adds history and
never rewrites it.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

from .resources import data_path

GRIDS_FILE = "grids.geojson"
TOWN = "赵庄镇"
SEAT_VILLAGE = "镇区"

# The seed report's year: these counts are exact on this day (DOMAIN.md §1).
REPORT_DAY = date(2023, 12, 31)
FIRST_YEAR = 2016  # earliest start date of any post
ELECTION_YEARS = (2021, 2026)  # 换届 of village committees and the town: many heads change

UNIT_GOVERNMENT = "赵庄镇人民政府"
UNIT_PARTY = "中共赵庄镇委员会"
UNIT_ENFORCEMENT = "赵庄镇综合行政执法大队"
UNIT_ZONGZHI = "赵庄镇综治中心"
# Fictional firms (demo placeholders, like the village names).
LAW_FIRMS = ("甲律师事务所", "乙律师事务所", "丙律师事务所", "丁律师事务所")

# Common surnames, the most frequent repeated so they come up more often.
SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨赵赵黄周吴徐孙马朱胡郭何高林郑宋韩冯曹许邓彭"
    "肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石贾夏付方白邹孟秦"
    "尹薛闫段雷侯史陶贺顾毛郝龚邵万严武孔汤牛樊葛常耿"
)
GIVEN_CHARS = (
    "建国军明华伟红丽强平志文海霞芳燕磊涛鹏杰勇斌超静敏娟亮刚辉峰秀英桂兰玉梅凤春秋东"
    "新利学德振永长松宏晓艳婷雪洁帅浩宇俊阳金银福庆发彦卫晨会琳鑫凯佳慧冬梦瑞广书"
)
PHONE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "176",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "199",
)


@dataclass
class Tenure:
    name: str
    phone: str
    badge_no: str | None
    start: date
    end: date | None = None


@dataclass
class Post:
    """A seat held by one person at a time."""

    roles: tuple[str, ...]
    grid: str | None
    unit: str
    opened: date
    closed: date | None = None
    turnover: float = 0.05  # yearly chance the holder changes
    max_gap_days: int = 0  # longest vacancy between holders (0: handed over the same day)
    holders: list[Tenure] = field(default_factory=list)


class People:
    """Fictional names, phones and badge numbers, never repeated."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.phones: set[str] = set()
        self.badges: set[str] = set()

    def name(self, rng: random.Random) -> str:
        while True:
            given = "".join(rng.choice(GIVEN_CHARS) for _ in range(1 if rng.random() < 0.3 else 2))
            name = rng.choice(SURNAMES) + given
            if name not in self.names:
                self.names.add(name)
                return name

    def phone(self, rng: random.Random) -> str:
        while True:
            phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def badge(self, rng: random.Random) -> str:
        # 执法证号: province + city (豫平) + 执 + digits; public by rule (公示).
        while True:
            badge = f"豫平执0421{rng.randrange(10**4):04d}"
            if badge not in self.badges:
                self.badges.add(badge)
                return badge

    def tenure(self, rng: random.Random, post: Post, start: date) -> Tenure:
        badge = self.badge(rng) if "执法队员" in post.roles else None
        return Tenure(self.name(rng), self.phone(rng), badge, start)


@cache
def _grid_features() -> tuple[dict, ...]:
    with open(data_path(GRIDS_FILE), encoding="utf-8") as fh:
        return tuple(json.load(fh)["features"])


def host_demo_rows(today: date, seed: int) -> dict[str, list[dict]]:
    """Rows for the ``grids`` and ``people`` tables as of ``today``: nobody starts after today,
    and end dates after today are not known yet."""
    rng = random.Random(seed)
    features = sorted(_grid_features(), key=lambda f: f["properties"]["code"])
    # Grids were set up in spring 2019; every grid-bound post opens after that.
    established = {f["properties"]["code"]: _random_date(rng, date(2019, 3, 1), date(2019, 6, 30)) for f in features}
    registry = People()
    posts = _build_posts(rng, features, established)
    for post in posts:
        post.holders.append(registry.tenure(rng, post, post.opened))
    for year in range(FIRST_YEAR, max(today.year, REPORT_DAY.year + 1) + 1):
        _turnover(random.Random(f"{seed}:{year}"), year, posts, registry)
    for post in posts:
        if post.closed is not None:
            post.holders[-1].end = post.closed

    people = _people_rows(posts, today)
    grids = _grid_rows(features, established, people, today)
    return {"grids": grids, "people": people}


# -- posts ---------------------------------------------------------------------------------------
def _build_posts(rng: random.Random, features, established: dict[str, date]) -> list[Post]:
    """Every post ever held. The counts here are what makes the 2023 figures exact."""
    grids = [(f["properties"]["code"], f["properties"]["village"]) for f in features]
    villages = [(code, v) for code, v in grids if v != SEAT_VILLAGE]
    seat_code = next(code for code, v in grids if v == SEAT_VILLAGE)
    posts: list[Post] = []

    def committee(village: str) -> str:
        return f"{TOWN}镇区居民委员会" if village == SEAT_VILLAGE else f"{village}村民委员会"

    def after_grids(year_from: int, year_to: int) -> date:
        return _random_date(rng, max(date(year_from, 1, 1), date(2019, 7, 1)), date(year_to, 12, 31))

    # 网格长: one per grid, always filled. Village heads of 9 grids also chair mediation.
    mediating = set(rng.sample([code for code, _ in villages], 9))
    for code, village in grids:
        roles = ("网格长", "人民调解员") if code in mediating else ("网格长",)
        posts.append(Post(roles, code, committee(village), established[code], turnover=0.04))

    # 网格员: three per grid in 2023; five grids got their third worker during 2023.
    late_third = set(rng.sample([code for code, _ in grids], 5))
    worker_posts = []
    for code, village in grids:
        for n in range(3):
            opened = established[code]
            if n == 2 and code in late_third:
                opened = _random_date(rng, date(2023, 2, 1), date(2023, 11, 30))
            worker_posts.append(Post(("网格员",), code, committee(village), opened, turnover=0.08, max_gap_days=45))
    # Six village grid workers are also 法律明白人.
    for post in rng.sample([p for p in worker_posts if p.grid != seat_code], 6):
        post.roles = ("网格员", "法律明白人")
    posts += worker_posts

    # 网格指导员: a town cadre per grid (not a figure of the report).
    for code, _village in grids:
        posts.append(Post(("网格指导员",), code, UNIT_GOVERNMENT, established[code], turnover=0.15, max_gap_days=20))

    # 法律明白人 / 人民调解员 / 法律联络员: with the 9 heads and 6 workers above, 46 people in 2023.
    spread = _village_cycle(rng, villages)

    def legal(roles: tuple[str, ...], opened: date, closed: date | None = None) -> None:
        code, village = next(spread)
        unit = f"{village}人民调解委员会" if roles == ("人民调解员",) else committee(village)
        posts.append(Post(roles, code, unit, opened, closed, turnover=0.05, max_gap_days=60))

    for n in range(14):
        opened = _random_date(rng, date(2023, 2, 1), date(2023, 11, 30)) if n < 5 else after_grids(2019, 2022)
        legal(("法律明白人",), opened)
    for _ in range(4):
        legal(("法律明白人", "人民调解员"), after_grids(2019, 2021))
    for _ in range(6):
        legal(("人民调解员",), after_grids(2019, 2022))
    for _ in range(7):
        legal(("法律联络员",), after_grids(2020, 2022))
    # A mediator post dropped in 2022, and a few 法律明白人 added in 2024: not in the 2023 figure.
    legal(("人民调解员",), after_grids(2019, 2020), _random_date(rng, date(2022, 3, 1), date(2022, 10, 31)))
    for _ in range(4):
        legal(("法律明白人",), _random_date(rng, date(2024, 3, 1), date(2024, 10, 31)))

    # 社会综合治理网格员: 21 in 2023, one post dropped in 2024.
    zongzhi = [
        Post(("社会综合治理网格员",), code, UNIT_ZONGZHI, after_grids(2020, 2021), turnover=0.08, max_gap_days=45)
        for code, _village in sorted(rng.sample(villages, 21))
    ]
    rng.choice(zongzhi).closed = _random_date(rng, date(2024, 4, 1), date(2024, 10, 31))
    posts += zongzhi

    # 执法队员: 16 posts from before 2022 of which one was dropped in 2022, one added in 2023
    # (16 in 2023), one more in 2024.
    def enforcement_post(first: date, last: date) -> Post:
        opened = _random_date(rng, first, last)
        return Post(("执法队员",), None, UNIT_ENFORCEMENT, opened, turnover=0.04, max_gap_days=30)

    enforcement = [enforcement_post(date(2019, 1, 1), date(2021, 12, 31)) for _ in range(16)]
    rng.choice(enforcement).closed = _random_date(rng, date(2022, 3, 1), date(2022, 10, 31))
    enforcement.append(enforcement_post(date(2023, 3, 1), date(2023, 9, 30)))
    enforcement.append(enforcement_post(date(2024, 3, 1), date(2024, 9, 30)))
    posts += enforcement

    # 班子成员: 14 seats since the 2016 换届 and one new in 2023 (15 in 2023).
    for n in range(15):
        if n == 14:
            opened = _random_date(rng, date(2023, 2, 1), date(2023, 10, 31))
        else:
            opened = _random_date(rng, date(FIRST_YEAR, 1, 1), date(FIRST_YEAR, 12, 31))
        unit = UNIT_PARTY if n < 7 else UNIT_GOVERNMENT
        # The first party seat is the secretary's, the first government seat the head's (党政
        # 主要负责人); given without a draw, so every other demo value stays as it was.
        roles = ("班子成员", "党委书记") if n == 0 else ("班子成员", "镇长") if n == 7 else ("班子成员",)
        posts.append(Post(roles, None, unit, opened, turnover=0.12, max_gap_days=40))

    # 法律顾问: one per village (22 in 2023, four of them new that year) and one for the town.
    late_counsel = set(rng.sample([code for code, _ in villages], 4))
    for code, _village in villages:
        if code in late_counsel:
            opened = _random_date(rng, date(2023, 1, 1), date(2023, 9, 30))
        else:
            opened = after_grids(2019, 2022)
        posts.append(Post(("法律顾问",), code, rng.choice(LAW_FIRMS), opened, turnover=0.08, max_gap_days=30))
    posts.append(Post(("法律顾问",), seat_code, LAW_FIRMS[0], after_grids(2019, 2019), turnover=0.1))
    return posts


def _village_cycle(rng: random.Random, villages: list[tuple[str, str]]):
    """Villages in shuffled rounds, so legal posts spread over all of them."""
    while True:
        order = list(villages)
        rng.shuffle(order)
        yield from order


def _turnover(rng: random.Random, year: int, posts: list[Post], registry: People) -> None:
    """People leaving and their successors arriving during ``year``."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    for post in posts:
        chance = post.turnover
        if year in ELECTION_YEARS and ("网格长" in post.roles or "班子成员" in post.roles):
            chance = 0.3
        # Draw before any test, so the draws of later posts do not depend on this post's state.
        roll, when, gap = rng.random(), rng.random(), rng.random()
        if roll >= chance:
            continue
        current = post.holders[-1]
        lo = max(first, current.start + timedelta(days=90))
        hi = min(last, post.closed - timedelta(days=1)) if post.closed else last
        if lo > hi:
            continue
        leave = lo + timedelta(days=int(when * ((hi - lo).days + 1)))
        arrive = leave + timedelta(days=int(gap * (post.max_gap_days + 1)))
        if leave <= REPORT_DAY < arrive:
            arrive = leave  # a vacancy over the report day would change the 2023 figures
        if post.closed and arrive >= post.closed:
            current.end = post.closed
            continue
        current.end = leave
        post.holders.append(registry.tenure(rng, post, arrive))


def _random_date(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


# -- rows ----------------------------------------------------------------------------------------
def _people_rows(posts: list[Post], today: date) -> list[dict[str, Any]]:
    tenures = [(t.start, p, h, post, t) for p, post in enumerate(posts) for h, t in enumerate(post.holders)]
    # Ordered by start date, so ids stay the same when a later ``today`` adds people.
    tenures.sort(key=lambda x: x[:3])
    rows: list[dict[str, Any]] = []
    for start, _p, _h, post, t in tenures:
        if start > today:
            continue
        rows.append(
            {
                "person_id": f"P{len(rows) + 1:04d}",
                "name": t.name,
                "roles": list(post.roles),
                "grid": post.grid,
                "unit": post.unit,
                "badge_no": t.badge_no,
                "phone": t.phone,
                "start_date": t.start,
                "end_date": t.end if t.end is not None and t.end <= today else None,
            }
        )
    return rows


def _grid_rows(features, established: dict[str, date], people: list[dict], today: date) -> list[dict[str, Any]]:
    serving = [p for p in people if p["end_date"] is None and p["grid"] is not None]
    rows = []
    for feature in features:
        props = feature["properties"]
        code = props["code"]
        if established[code] > today:
            continue
        heads = [p["person_id"] for p in serving if p["grid"] == code and "网格长" in p["roles"]]
        workers = [p["person_id"] for p in serving if p["grid"] == code and "网格员" in p["roles"]]
        rows.append(
            {
                "code": code,
                "name": props["name"],
                "kind": props["kind"],
                "village": props["village"],
                "head": heads[0] if heads else None,
                "workers": workers,
                "households": props["households"],
                "population": props["population"],
                "boundary": json.dumps(feature["geometry"], ensure_ascii=False, separators=(",", ":")),
                "established": established[code],
            }
        )
    return rows
