"""The demo's hotline: 赵庄镇's tickets from 2022-01-01 to the day before ``today``, and the county's
quarterly ranking of its townships. Deterministic for ``today`` and ``seed``. No Textual here.

- 2023 has exactly 104 工单 and 96 电话单 (by 受理时间), so the report reads
  "处理工单100余件、电话单90余件", and 赵庄镇 ranks 1st or 2nd in each quarter of 2023
  ("每季度保持乡镇前两名"). Other years are plausible and not all in the top two.
- The county (宝丰县) ranks 13 townships: 赵庄镇 and twelve placeholders (甲镇, 乙镇, … 丁乡),
  clearly fictional like the demo's villages. Ranks exist for every quarter that ended by today.
- Around today there are open tickets, some past 办理时限 and some due within one working day,
  and recent 不满意 callbacks, so the daily review has work.
- Callers' names and phones are made up (random surnames and digits).

Each year's tickets come from their own ``Random(f"{seed}:hotline:{year}")``, so moving ``today``
forward adds tickets and settles recent ones without rewriting older years.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from fazhi_tui.api import Store

from .deadlines import add_working_days, compute_deadline, is_working_day, rules_from_settings
from .tables import (
    APPEAL_TYPES,
    BASICALLY_SATISFIED,
    CATEGORIES,
    CLOSED,
    EXTENDED,
    IN_PROGRESS,
    PENDING,
    PHONE_ORDER,
    RETURNED,
    SATISFIED,
    UNSATISFIED,
    URGENCIES,
    WORK_ORDER,
    quarter_key,
    rank_row,
)

DEMO_START = dt.date(2022, 1, 1)
TOWN = "赵庄镇"
COUNTY = "宝丰县"
OTHER_TOWNS = ("甲镇", "乙镇", "丙镇", "丁镇", "戊镇", "己镇", "庚镇", "辛镇", "甲乡", "乙乡", "丙乡", "丁乡")

# (工单, 电话单) received per year. 2023 is the seed report's: "处理工单100余件、电话单90余件".
YEAR_PLAN = {2022: (87, 79), 2023: (104, 96), 2024: (116, 103), 2025: (123, 111), 2026: (129, 117)}

APPEAL_WEIGHTS = (25, 20, 35, 10, 10)  # 咨询 求助 投诉举报 建议 其他
URGENCY_WEIGHTS = (90, 8, 2)  # 一般 紧急 特急
CATEGORY_WEIGHTS = {
    "城市管理": 14,
    "住房建设": 5,
    "交通运输": 8,
    "生态环境": 9,
    "农业农村": 12,
    "社会保障": 9,
    "劳动保障": 6,
    "教育": 5,
    "卫生健康": 4,
    "市场监管": 5,
    "公共安全": 6,
    "水电气讯": 9,
    "自然资源": 5,
    "民政服务": 3,
    "其他": 2,
}
# What a caller says, by 二级分类; the village is put in front.
CONTENT = {
    "市容市政": "主街道路面破损、井盖缺失，请求修复",
    "环境卫生": "垃圾池多日未清运，气味难闻",
    "违章建筑": "有人在路边私搭乱建彩钢棚",
    "占道经营": "集市摊贩占道经营，影响通行",
    "路灯照明": "村内路灯不亮，夜间出行不便",
    "房屋质量": "新建安置房墙体开裂",
    "物业管理": "小区物业不作为，楼道杂物无人清理",
    "农村危房": "老人居住的房屋年久失修，申请危房改造",
    "道路维修": "通村道路坑洼积水，请求维修",
    "客运出行": "乡村公交班次减少，出行困难",
    "交通秩序": "学校门口车辆乱停乱放",
    "大气污染": "附近厂房夜间排放刺鼻气味",
    "水体污染": "沟渠水体发黑发臭",
    "噪声扰民": "夜间施工噪声扰民",
    "秸秆焚烧": "田间有人焚烧秸秆",
    "人居环境": "村内坑塘杂草丛生，请求整治",
    "土地流转": "土地流转租金未按时支付",
    "惠农补贴": "咨询耕地地力保护补贴发放时间",
    "农田水利": "灌溉机井损坏无法使用",
    "养老保险": "咨询城乡居民养老保险缴费档次",
    "医疗保险": "咨询城乡居民医保报销比例",
    "最低生活保障": "申请低保，询问办理流程",
    "就业创业": "咨询返乡创业贷款政策",
    "拖欠工资": "在工地务工，工资被拖欠",
    "劳动合同": "用人单位未签订劳动合同",
    "学校管理": "反映学校食堂饭菜质量问题",
    "招生入学": "咨询孩子入学报名所需材料",
    "校外培训": "反映无证校外培训机构招生",
    "医疗服务": "村卫生室开门时间不固定",
    "公共卫生": "反映村内有病死家禽随意丢弃",
    "食品安全": "超市销售过期食品",
    "消费维权": "购买的电动车质量问题，商家拒绝退换",
    "价格监管": "液化气价格上涨，询问是否合规",
    "治安管理": "夜间有人聚集饮酒闹事",
    "消防安全": "村内电动车楼道充电，存在消防隐患",
    "矛盾纠纷": "邻里因排水问题发生纠纷，请求调解",
    "供水": "自来水停水多日，无通知",
    "供电": "频繁停电，影响生产生活",
    "燃气": "天然气入户安装进度慢",
    "通信网络": "村内手机信号差",
    "宅基地": "宅基地审批进度咨询",
    "土地纠纷": "与邻村存在耕地边界纠纷",
    "非法采砂": "河道内有人夜间采砂",
    "殡葬管理": "咨询殡葬惠民政策",
    "社会救助": "家中突发困难，申请临时救助",
    "养老服务": "咨询村级幸福院入住条件",
    "其他事项": "其他问题咨询",
}
UNSATISFIED_REASONS = ("问题未实际解决", "办理时间过长", "对处理结果不认可", "未与来电人联系", "答复内容与诉求不符")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林郑宋韩冯曹许邓彭肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
GIVEN = "建国军明华伟红丽强平志文海霞芳燕磊涛鹏杰勇斌超静敏娟亮刚辉峰秀英桂兰玉梅凤春秋东新利学德振永"
PHONE_PREFIXES = (
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "158",
    "159",
    "166",
    "176",
    "177",
    "180",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "199",
)

_RULES = rules_from_settings(None)


def year_plan(year: int, seed: int) -> tuple[int, int]:
    if year in YEAR_PLAN:
        return YEAR_PLAN[year]
    rng = random.Random(f"{seed}:hotline-plan:{year}")
    return 120 + rng.randint(0, 20), 105 + rng.randint(0, 20)


def hotline_demo_rows(store: Store, today: dt.date, seed: int) -> dict[str, list[dict]]:
    grids = store.query("SELECT code, village, population FROM grids ORDER BY code").to_pylist()
    return {"hotline": demo_tickets(grids, today, seed), "hotline_ranks": demo_ranks(today, seed)}


# -- tickets ----------------------------------------------------------------------------------------
def demo_tickets(grids: list[dict], today: dt.date, seed: int) -> list[dict[str, Any]]:
    """Tickets received from 2022-01-01 up to the end of the day before ``today``."""
    cutoff = dt.datetime.combine(today, dt.time())
    anchors = _anchors(today, seed, grids)
    tickets: list[dict[str, Any]] = []
    for year in range(DEMO_START.year, today.year + 1):
        plan = dict(zip((WORK_ORDER, PHONE_ORDER), year_plan(year, seed), strict=False))
        in_year = [a for a in anchors if a["received_at"].year == year]
        for a in in_year:
            plan[a["source"]] -= 1
        rng = random.Random(f"{seed}:hotline:{year}")
        for source in (WORK_ORDER, PHONE_ORDER):
            for _ in range(max(0, plan[source])):
                t = _random_ticket(rng, year, source, grids, cutoff)
                if t["received_at"] < cutoff:
                    tickets.append(t)
        tickets += in_year
    tickets.sort(key=lambda t: (t["received_at"], t["source"]))
    seqs: dict[str, int] = {}
    for t in tickets:
        prefix = ("GD" if t["source"] == WORK_ORDER else "DH") + t["received_at"].strftime("%Y%m%d")
        seqs[prefix] = seqs.get(prefix, 0) + 1
        t["ticket_no"] = f"{prefix}{seqs[prefix]:03d}"
    return tickets


def _random_day(rng: random.Random, year: int) -> dt.date:
    first = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - first).days
    while True:
        day = first + dt.timedelta(days=rng.randrange(days))
        if is_working_day(day) or rng.random() < 0.4:  # fewer calls on holidays and weekends
            return day


def _person(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10_000):04d}{rng.randrange(10_000):04d}"
    return name, phone


def _at(rng: random.Random, day: dt.date, first_hour: int = 8, last_hour: int = 18) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(first_hour, last_hour - 1), rng.randrange(60)))


def _random_ticket(
    rng: random.Random, year: int, source: str, grids: list[dict], cutoff: dt.datetime
) -> dict[str, Any]:
    # Every draw happens whatever the outcome, so a ticket's attributes do not depend on today.
    day = _random_day(rng, year)
    received = _at(rng, day, 7, 21)
    appeal = rng.choices(APPEAL_TYPES, APPEAL_WEIGHTS)[0]
    urgency = rng.choices(URGENCIES, URGENCY_WEIGHTS)[0]
    c1 = rng.choices(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()))[0]
    c2 = rng.choice(CATEGORIES[c1])
    grid = rng.choices(grids, [g["population"] or 1 for g in grids])[0] if grids else None
    caller, phone = _person(rng)
    repeat = rng.random() < 0.06
    signed = received + dt.timedelta(minutes=rng.randint(20, 900))
    deadline = compute_deadline(received, appeal, urgency, _RULES)
    allowed = deadline.working_days
    fate = rng.random()
    late = rng.random() < 0.05
    close_after = allowed + rng.randint(1, 3) if late else rng.randint(1, allowed)
    extension = rng.randint(3, 10)
    close_time = _at(rng, add_working_days(received.date(), close_after).day, 9, 18)
    called = rng.random() < 0.95
    verdict = rng.choices((SATISFIED, BASICALLY_SATISFIED, UNSATISFIED), (82, 12, 6))[0]
    reason = rng.choice(UNSATISFIED_REASONS)
    callback_day = close_time.date() + dt.timedelta(days=rng.randint(1, 3))

    deadline_day = deadline.day
    if 0.03 <= fate < 0.06:  # extended (延期) before it fell due
        deadline_day = add_working_days(deadline_day, extension).day
        close_time = _at(rng, add_working_days(received.date(), allowed + rng.randint(1, extension)).day, 9, 18)
        callback_day = close_time.date() + dt.timedelta(days=2)
    close_time = max(close_time, signed + dt.timedelta(hours=1))
    row = _row(source, received, appeal, urgency, c1, c2, grid, caller, phone, repeat, deadline_day)
    if fate < 0.03:  # 退单: not the town's to handle, returned the next working day
        returned_at = dt.datetime.combine(add_working_days(received.date(), 1).day, dt.time(10))
        if returned_at < cutoff:
            row.update(status=RETURNED, signed_at=signed)
            return row
    if close_time < cutoff:
        row.update(status=CLOSED, signed_at=signed, closed_at=close_time)
        if called and callback_day < cutoff.date():
            row.update(callback=verdict, unsatisfied_reason=reason if verdict == UNSATISFIED else None)
    elif signed < cutoff:
        row.update(status=EXTENDED if 0.03 <= fate < 0.06 else IN_PROGRESS, signed_at=signed)
    else:
        row.update(status=PENDING)
    return row


def _row(source, received, appeal, urgency, c1, c2, grid, caller, phone, repeat, deadline) -> dict[str, Any]:
    village = grid["village"] if grid and grid["village"] != "镇区" else "镇区"
    return {
        "ticket_no": None,
        "source": source,
        "received_at": received,
        "appeal_type": appeal,
        "category1": c1,
        "category2": c2,
        "content": f"{village}{CONTENT[c2]}",
        "caller": caller,
        "phone": phone,
        "grid": grid["code"] if grid else None,
        "urgency": urgency,
        "signed_at": None,
        "deadline": deadline,
        "closed_at": None,
        "status": PENDING,
        "callback": None,
        "unsatisfied_reason": None,
        "repeat_call": repeat,
        "town": TOWN,
    }


def _working_days_before(day: dt.date, n: int) -> dt.date:
    """The n-th working day before ``day``."""
    count = 0
    while count < n:
        day -= dt.timedelta(days=1)
        count += is_working_day(day)
    return day


def _received_for(deadline: dt.date, appeal: str) -> dt.date | None:
    """The latest day a ticket of this type could be received to fall due on ``deadline``."""
    for back in range(1, 40):
        day = deadline - dt.timedelta(days=back)
        if compute_deadline(day, appeal, None, _RULES).day == deadline:
            return day
    return None


def _anchors(today: dt.date, seed: int, grids: list[dict]) -> list[dict[str, Any]]:
    """Tickets placed so that the daily review of ``today`` has work: three past 办理时限 and still
    open, three due within one working day, two closed recently with a 不满意 callback."""
    rng = random.Random(f"{seed}:hotline-anchors:{today.isoformat()}")
    cutoff = dt.datetime.combine(today, dt.time())
    soon = add_working_days(today, 1).day
    plans = [
        # (deadline, appeal type, state)
        (_working_days_before(today, 1), "投诉举报", "overdue"),
        (_working_days_before(today, 2), "求助", "overdue"),
        (_working_days_before(today, 4), "咨询", "overdue"),
        (today if is_working_day(today) else soon, "咨询", "soon"),
        (soon, "投诉举报", "soon"),
        (soon, "求助", "soon-pending"),
    ]
    out: list[dict[str, Any]] = []
    for i, (deadline, appeal, state) in enumerate(plans):
        day = _received_for(deadline, appeal)
        if day is None or day < DEMO_START:
            continue
        received = _at(rng, day, 8, 17)
        if received >= cutoff:
            continue
        out.append(_anchor_row(rng, i, received, appeal, deadline, state, cutoff, grids))
    for i, back in enumerate((6, 11)):
        day = today - dt.timedelta(days=back)
        if day < DEMO_START:
            continue
        received = _at(rng, day, 8, 17)
        closed = min(received + dt.timedelta(days=2, hours=3), cutoff - dt.timedelta(hours=30))
        if closed <= received:
            continue
        deadline = compute_deadline(received, "投诉举报", None, _RULES).day
        row = _anchor_row(rng, 6 + i, received, "投诉举报", deadline, "closed", cutoff, grids)
        row.update(status=CLOSED, closed_at=closed, callback=UNSATISFIED, unsatisfied_reason=UNSATISFIED_REASONS[i])
        out.append(row)
    return out


def _anchor_row(rng, i, received, appeal, deadline, state, cutoff, grids) -> dict[str, Any]:
    c1 = ("城市管理", "农业农村", "生态环境", "水电气讯", "社会保障", "公共安全", "交通运输", "劳动保障")[i % 8]
    c2 = CATEGORIES[c1][i % len(CATEGORIES[c1])]
    caller, phone = _person(rng)
    source = WORK_ORDER if i % 2 == 0 else PHONE_ORDER
    grid = grids[(7 * i + 3) % len(grids)] if grids else None
    row = _row(source, received, appeal, "一般", c1, c2, grid, caller, phone, False, deadline)
    signed = min(received + dt.timedelta(hours=2), cutoff - dt.timedelta(minutes=1))
    if state == "soon-pending":
        row.update(status=PENDING)
    elif state != "closed":
        row.update(status=IN_PROGRESS, signed_at=signed)
    else:
        row.update(signed_at=signed)
    return row


# -- the county's ranking ---------------------------------------------------------------------------
def demo_ranks(today: dt.date, seed: int) -> list[dict[str, Any]]:
    """13 townships ranked in every quarter from 2022Q1 to the last one that ended by today."""
    rows = []
    for year in range(DEMO_START.year, today.year + 1):
        rng = random.Random(f"{seed}:hotline-ranks:{year}")
        if year == 2023:  # "每季度保持乡镇前两名"
            ranks = [rng.choice((1, 2)) for _ in range(4)]
        else:
            ranks = [rng.choices((1, 2, 3, 4, 5, 6), (3, 3, 2, 1.5, 1, 0.5))[0] for _ in range(4)]
            if all(r <= 2 for r in ranks):
                ranks[rng.randrange(2)] = rng.choice((3, 4))
        for q in range(1, 5):
            end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
            scores = _scores(rng, len(OTHER_TOWNS) + 1)
            others = list(OTHER_TOWNS)
            rng.shuffle(others)
            if end > today:
                continue
            key = quarter_key(year, q)
            mine = ranks[q - 1]
            order = others[: mine - 1] + [TOWN] + others[mine - 1 :]
            rows += [rank_row(key, town, i + 1, scores[i]) for i, town in enumerate(order)]
    return rows


def _scores(rng: random.Random, n: int) -> list[float]:
    score = rng.uniform(96.0, 99.0)
    out = []
    for _ in range(n):
        out.append(round(score, 1))
        score -= rng.uniform(0.3, 2.0)
    return out
