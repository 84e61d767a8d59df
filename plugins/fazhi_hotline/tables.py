"""The hotline's tables: ``hotline`` (one record per 12345 ticket) and ``hotline_ranks`` (the
county's published quarterly ranking of townships). No Textual here.

Labels are exactly the headers of the platform's export (issue 5), so a file exported from the
12345 platform imports as-is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from fazhi_tui.api import Column, ComputedColumn, RowRule, TableSpec

from .deadlines import APPEAL_ALIASES, deadline_defaults

HOTLINE = "hotline"
RANKS = "hotline_ranks"

# -- code tables ----------------------------------------------------------------------------------
SOURCES = ("工单", "电话单")
WORK_ORDER, PHONE_ORDER = SOURCES
APPEAL_TYPES = ("咨询", "求助", "投诉举报", "建议", "其他")
# APPEAL_ALIASES (from deadlines, whose config keys need it too): 其他 was stored as 其它 before
# issue 20, and some platforms' exports still say so. The old spelling is accepted on every write
# and stores made before read as 其他 (TableSpec.code_aliases_of).
URGENCIES = ("一般", "紧急", "特急")
STATUSES = ("待签收", "办理中", "已办结", "退单", "延期")
PENDING, IN_PROGRESS, CLOSED, RETURNED, EXTENDED = STATUSES
OPEN_STATUSES = (PENDING, IN_PROGRESS, EXTENDED)  # not closed and not returned to the platform
CALLBACKS = ("满意", "基本满意", "不满意")
SATISFIED, BASICALLY_SATISFIED, UNSATISFIED = CALLBACKS

# The two-level classification (一级分类 → 二级分类), as the 12345 platforms of Henan use it.
# Second-level names are unique across the table, so ``二级分类`` alone says its first level.
# Offices with another list override both code tables in the config (``[code_tables]``
# hotline_category1 / hotline_category2) and the pairing in ``[plugin.fazhi_hotline] categories``.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "城市管理": ("市容市政", "环境卫生", "违章建筑", "占道经营", "路灯照明"),
    "住房建设": ("房屋质量", "物业管理", "农村危房"),
    "交通运输": ("道路维修", "客运出行", "交通秩序"),
    "生态环境": ("大气污染", "水体污染", "噪声扰民", "秸秆焚烧"),
    "农业农村": ("人居环境", "土地流转", "惠农补贴", "农田水利"),
    "社会保障": ("养老保险", "医疗保险", "最低生活保障", "就业创业"),
    "劳动保障": ("拖欠工资", "劳动合同"),
    "教育": ("学校管理", "招生入学", "校外培训"),
    "卫生健康": ("医疗服务", "公共卫生"),
    "市场监管": ("食品安全", "消费维权", "价格监管"),
    "公共安全": ("治安管理", "消防安全", "矛盾纠纷"),
    "水电气讯": ("供水", "供电", "燃气", "通信网络"),
    "自然资源": ("宅基地", "土地纠纷", "非法采砂"),
    "民政服务": ("殡葬管理", "社会救助", "养老服务"),
    "其他": ("其他事项",),
}
CATEGORY1 = tuple(CATEGORIES)
CATEGORY2 = tuple(c2 for c2s in CATEGORIES.values() for c2 in c2s)

HOTLINE_SPEC = TableSpec(
    name=HOTLINE,
    label="12345热线工单",
    key="ticket_no",
    period_column="received_at",
    grid_column="grid",
    # A county store holds every township and queries are for one, often for one grid: sorted
    # so, a grid's rows sit in a few row groups of each month's file (files are per month, so
    # a period query loses nothing by the grid coming before 受理时间 in the sort).
    cluster_by=("town", "grid"),
    columns=(
        Column("ticket_no", pa.string(), "工单编号", required=True, doc="平台工单号；本地登记的电话单如 DH20231009001"),
        Column("source", pa.string(), "来源", required=True, codes="hotline_source"),
        Column("received_at", pa.timestamp("us"), "受理时间", required=True, doc="北京时间"),
        Column("appeal_type", pa.string(), "诉求类型", required=True, codes="hotline_appeal_type"),
        Column("category1", pa.string(), "一级分类", codes="hotline_category1"),
        Column("category2", pa.string(), "二级分类", codes="hotline_category2"),
        Column("content", pa.string(), "主要内容"),
        Column("caller", pa.string(), "来电人", pii="name"),
        Column("phone", pa.string(), "联系电话", pii="phone"),
        Column("grid", pa.string(), "网格", ref="grids", doc="网格编码"),
        Column("urgency", pa.string(), "紧急程度", codes="hotline_urgency"),
        Column("signed_at", pa.timestamp("us"), "签收时间"),
        Column(
            "deadline",
            pa.date32(),
            "办理时限",
            doc="须办结的最后一天；登记时未给出则按诉求类型的工作日时限计算（法定节假日与调休）",
        ),
        Column("closed_at", pa.timestamp("us"), "办结时间"),
        Column("result", pa.string(), "办理结果", doc="办结时写明如何办理、结果如何"),
        Column("status", pa.string(), "状态", required=True, codes="hotline_status"),
        Column("callback", pa.string(), "回访结果", codes="hotline_callback"),
        Column("unsatisfied_reason", pa.string(), "不满意原因"),
        Column("repeat_call", pa.bool_(), "重复来电"),
        Column("town", pa.string(), "所属乡镇"),
    ),
    code_tables={
        "hotline_source": SOURCES,
        "hotline_appeal_type": APPEAL_TYPES,
        "hotline_category1": CATEGORY1,
        "hotline_category2": CATEGORY2,
        "hotline_urgency": URGENCIES,
        "hotline_status": STATUSES,
        "hotline_callback": CALLBACKS,
    },
    code_aliases={"hotline_appeal_type": APPEAL_ALIASES},
    # Checked on every write (import, the form, the API); a ticket breaking one is refused with
    # the message under the column named.
    rules=(
        RowRule("closed_has_time", "status <> '已办结' OR closed_at IS NOT NULL", "closed_at", "状态为已办结时必填"),
        RowRule("closed_after_received", "closed_at >= received_at", "closed_at", "不能早于受理时间"),
        RowRule("signed_after_received", "signed_at >= received_at", "signed_at", "不能早于受理时间"),
        RowRule("deadline_after_received", "deadline >= CAST(received_at AS DATE)", "deadline", "不能早于受理日期"),
        RowRule(
            "unsatisfied_has_reason",
            "callback IS DISTINCT FROM '不满意' OR trim(coalesce(unsatisfied_reason, '')) <> ''",
            "unsatisfied_reason",
            "回访不满意时须填写原因",
        ),
    ),
    # A ticket that arrives without 办理时限 (typed in, or a platform export that leaves it empty)
    # gets it from 受理时间, 诉求类型 and 紧急程度 in working days, as configured
    # ([plugin.fazhi_hotline] deadline_days, urgent_deadline_days): so every ticket can be overdue.
    computed=(
        ComputedColumn(
            "deadline",
            deadline_defaults,
            inputs=("received_at", "appeal_type", "urgency"),
            doc="按诉求类型与紧急程度的工作日时限（法定节假日与调休）",
        ),
    ),
    doc="12345热线（民呼必应）转办的工单与电话单，每件一条记录；签收、办结、回访各为一个新版本。",
)

# hotline_ranks: one row per (quarter, township). The quarter is text "2023Q1" (year, "Q",
# quarter 1-4), which sorts in time order; the key ``rank_id`` is "2023Q1/赵庄镇" (see rank_id()).
RANKS_SPEC = TableSpec(
    name=RANKS,
    label="12345季度排名",
    key="rank_id",
    key_from=("quarter", "town"),  # the county's list has 季度 and 乡镇, not our key
    columns=(
        Column(
            "rank_id",
            pa.string(),
            "排名编号",
            required=True,
            doc="季度/乡镇，如 2023Q1/赵庄镇（导入时可省略，自动生成）",
        ),
        Column("quarter", pa.string(), "季度", required=True, doc="如 2023Q1"),
        Column("town", pa.string(), "乡镇", required=True),
        Column("score", pa.float64(), "得分"),
        Column("rank", pa.int32(), "名次", required=True),
    ),
    doc="县里公布的各乡镇12345工作季度综合得分与名次。",
)

LABELS: dict[str, str] = {c.name: c.label for c in HOTLINE_SPEC.columns}

_QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")


def quarter_key(year: int, quarter: int) -> str:
    """``quarter_key(2023, 1) == "2023Q1"``."""
    if not 1 <= quarter <= 4:
        raise ValueError(f"季度应为 1 至 4，实为 {quarter}")
    return f"{year:04d}Q{quarter}"


def parse_quarter(text: str) -> tuple[int, int]:
    """``parse_quarter("2023Q1") == (2023, 1)``; also accepts 2023-Q1, 2023q1, 2023年第一季度."""
    t = str(text).strip().upper().replace("-", "").replace(" ", "")
    m = _QUARTER_RE.match(t)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = re.match(r"^(\d{4})年第?([一二三四1-4])季度?$", str(text).strip())
    if m:
        q = m.group(2)
        return int(m.group(1)), ("一二三四".index(q) + 1 if q in "一二三四" else int(q))
    raise ValueError(f"“{text}”不是季度，请写作 2023Q1")


def rank_id(quarter: str, town: str) -> str:
    year, q = parse_quarter(quarter)
    return f"{quarter_key(year, q)}/{town.strip()}"


def rank_row(quarter: str, town: str, rank: int, score: float | None = None) -> dict:
    """A ``hotline_ranks`` row with its key filled in and the quarter normalised."""
    year, q = parse_quarter(quarter)
    key = quarter_key(year, q)
    if int(rank) < 1:
        raise ValueError(f"名次应为正整数，实为 {rank}")
    return {"rank_id": f"{key}/{town.strip()}", "quarter": key, "town": town.strip(), "score": score, "rank": int(rank)}


def category_pairs(settings: Mapping[str, Any] | None = None) -> dict[str, tuple[str, ...]]:
    """The 一级 → 二级 pairing: ``settings["categories"]`` when the office set one, else the default."""
    custom = (settings or {}).get("categories")
    if not custom:
        return CATEGORIES
    if not isinstance(custom, dict):
        raise ValueError("[plugin.fazhi_hotline] categories 应为表：一级分类 = [二级分类, ...]")
    return {str(k): tuple(str(x) for x in v) for k, v in custom.items()}
