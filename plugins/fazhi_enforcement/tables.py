"""The enforcement ledger's tables: ``enforcement_actions`` (整治行动, one record per outing or joint
operation) and ``enforcement_cases`` (执法案件, one record per violation handled), with their code
tables and the row rules of the 三项制度. No Textual here.

Labels are exactly the headers of the office's Excel 台账 (issue 16), so the office's file imports
as-is. 执法人员 are people (``people``), given by 人员编号 or by name; each officer's 执法证号 must be
the one the person holds in ``people.badge_no`` (a cross-table reference, see ``REFERENCES``).
"""

from __future__ import annotations

import pyarrow as pa

from fazhi_tui.api import Column, RefRule, RowRule, TableSpec

ACTIONS = "enforcement_actions"
CASES = "enforcement_cases"

# -- code tables ----------------------------------------------------------------------------------
# "六乱" has no national list (DOMAIN.md §5): the seed names 乱摆乱卖; offices override the list in
# the config ([code_tables] enforcement_type = [...]).
TYPES = ("乱摆乱卖", "乱搭乱建", "乱堆乱放", "乱贴乱画", "乱扔乱倒", "乱停乱放", "乱拉乱挂", "其他")
STALLS = TYPES[0]
SOURCES = ("巡查", "群众举报", "12345转办", "网格上报", "上级交办")
FROM_HOTLINE = "12345转办"
HANDLINGS = ("劝阻", "责令限期改正", "简易程序处罚", "一般程序立案", "移送")
DISSUADE, ORDER, SUMMARY_PENALTY, FILED, TRANSFER = HANDLINGS
PENALTIES = (SUMMARY_PENALTY, FILED)  # decisions that are 处罚 and so must be published (公示)
LEGAL_REVIEWS = ("已审核", "未审核", "不适用")
REVIEWED, NOT_REVIEWED, NOT_APPLICABLE = LEGAL_REVIEWS
REVIEW_RESULTS = ("已整改", "未整改", "不需复查")
RECTIFIED, NOT_RECTIFIED, NO_REVIEW_NEEDED = REVIEW_RESULTS
STATUSES = ("登记", "处理中", "待复查", "已结案")
REGISTERED, IN_PROGRESS, AWAITING_REVIEW, CLOSED = STATUSES
OPEN_STATUSES = (REGISTERED, IN_PROGRESS, AWAITING_REVIEW)
PARTNERS = ("市场所", "派出所", "交警中队", "自然资源所", "环保所", "供电所")  # suggestions; free text

CODE_TABLES = {
    "enforcement_type": TYPES,
    "enforcement_source": SOURCES,
    "enforcement_handling": HANDLINGS,
    "enforcement_legal_review": LEGAL_REVIEWS,
    "enforcement_review_result": REVIEW_RESULTS,
    "enforcement_status": STATUSES,
}

ACTIONS_SPEC = TableSpec(
    name=ACTIONS,
    label="整治行动",
    key="action_no",
    period_column="day",
    grid_column="grid",
    columns=(
        Column("action_no", pa.string(), "行动编号", required=True, doc="如 XD20230512-01"),
        Column("day", pa.date32(), "日期", required=True),
        Column("action_type", pa.string(), "行动类型", required=True, codes="enforcement_type"),
        Column("grid", pa.string(), "网格", ref="grids", doc="网格编码、网格名称，或只有一个网格的村名"),
        Column("place", pa.string(), "地点"),
        Column("partners", pa.list_(pa.string()), "联合单位", doc="以“、”分隔，如 市场所、派出所"),
        Column("leaders", pa.list_(pa.string()), "带队人员", ref="people", doc="人员编号或姓名，以“、”分隔"),
        Column("turnout", pa.int32(), "出动人次"),
        Column("av_record", pa.string(), "音像记录号"),
        Column("problems_found", pa.int32(), "发现问题数"),
        Column("dissuaded", pa.int32(), "劝阻数"),
        Column("note", pa.string(), "备注"),
    ),
    code_tables={"enforcement_type": TYPES},
    rules=(
        RowRule("turnout_not_negative", "turnout IS NULL OR turnout >= 0", "turnout", "出动人次不能为负数"),
        RowRule(
            "problems_not_negative",
            "problems_found IS NULL OR problems_found >= 0",
            "problems_found",
            "发现问题数不能为负数",
        ),
        RowRule("dissuaded_not_negative", "dissuaded IS NULL OR dissuaded >= 0", "dissuaded", "劝阻数不能为负数"),
    ),
    doc="镇执法队的整治行动（含与市场所、派出所等的联合行动），每次一条记录。",
)

# Row rules between the columns of a case (DOMAIN.md §5, the 三项制度). Each is SQL over the row,
# true for a good row; NULLs are tested explicitly (a NULL result passes).
_BEYOND_DISSUASION = "handling IS NOT NULL AND handling <> '劝阻'"
CASE_RULES = (
    RowRule(
        "officer1_needed",
        f"NOT ({_BEYOND_DISSUASION}) OR (officer1 IS NOT NULL AND badge1 IS NOT NULL)",
        "officer1",
        "劝阻以外的处理须有执法人员1及其执法证号",
    ),
    RowRule(
        "officer2_needed",
        f"NOT ({_BEYOND_DISSUASION}) OR (officer2 IS NOT NULL AND badge2 IS NOT NULL)",
        "officer2",
        "劝阻以外的处理须有两名执法人员：缺执法人员2或其执法证号",
    ),
    RowRule(
        "officers_differ",
        "officer1 IS NULL OR officer2 IS NULL OR officer1 <> officer2",
        "officer2",
        "执法人员2须与执法人员1为不同的人",
    ),
    RowRule(
        "badges_differ",
        "badge1 IS NULL OR badge2 IS NULL OR badge1 <> badge2",
        "badge2",
        "两名执法人员的执法证号不能相同",
    ),
    RowRule(
        "major_needs_legal_review",
        f"coalesce(major, FALSE) = FALSE OR decided_on IS NULL OR coalesce(legal_review, '') = '{REVIEWED}'",
        "legal_review",
        "重大执法决定须先经法制审核（已审核）才能有决定日期",
    ),
    RowRule(
        "closed_needs_review_result",
        f"coalesce(status, '') <> '{CLOSED}' OR rectify_by IS NULL OR review_result IS NOT NULL",
        "review_result",
        "有整改期限的案件结案前须填写复查结果",
    ),
    RowRule(
        "review_result_needs_date",
        f"review_result IS NULL OR review_result = '{NO_REVIEW_NEEDED}' OR reviewed_on IS NOT NULL",
        "reviewed_on",
        "填写复查结果（已整改/未整改）须有复查日期",
    ),
    RowRule(
        "decided_after_found",
        "decided_on IS NULL OR found_at IS NULL OR decided_on >= CAST(found_at AS DATE)",
        "decided_on",
        "决定日期不能早于发现时间",
    ),
    RowRule(
        "rectify_after_decided",
        "rectify_by IS NULL OR rectify_by >= coalesce(decided_on, CAST(found_at AS DATE))",
        "rectify_by",
        "整改期限不能早于决定日期（无决定日期时不能早于发现时间）",
    ),
    RowRule(
        "reviewed_after_found",
        "reviewed_on IS NULL OR reviewed_on >= coalesce(decided_on, CAST(found_at AS DATE))",
        "reviewed_on",
        "复查日期不能早于决定日期（无决定日期时不能早于发现时间）",
    ),
    RowRule(
        "published_after_decided",
        "published_on IS NULL OR (decided_on IS NOT NULL AND published_on >= decided_on)",
        "published_on",
        "公示日期须有决定日期，且不能早于决定日期",
    ),
    RowRule("fine_not_negative", "fine IS NULL OR fine >= 0", "fine", "罚款金额不能为负数"),
)

# What a per-row rule cannot say: values that must match another table's records. Checked by the
# store against its current records on every write (a table whose plugin is not loaded is skipped).
CASE_REFERENCES = (
    RefRule("officer1_known", ("officer1",), "people", ("person_id",), "officer1", "执法人员1不在人员表中"),
    RefRule("officer2_known", ("officer2",), "people", ("person_id",), "officer2", "执法人员2不在人员表中"),
    RefRule(
        "badge1_matches",
        ("officer1", "badge1"),
        "people",
        ("person_id", "badge_no"),
        "badge1",
        "执法证号1与执法人员1在人员表中登记的执法证号不符",
    ),
    RefRule(
        "badge2_matches",
        ("officer2", "badge2"),
        "people",
        ("person_id", "badge_no"),
        "badge2",
        "执法证号2与执法人员2在人员表中登记的执法证号不符",
    ),
    RefRule("ticket_exists", ("ticket_ref",), "hotline", ("ticket_no",), "ticket_ref", "关联工单不在12345热线工单中"),
    RefRule("action_exists", ("action_ref",), ACTIONS, ("action_no",), "action_ref", "行动编号不在整治行动中"),
)

CASES_SPEC = TableSpec(
    name=CASES,
    label="执法案件",
    key="case_no",
    period_column="found_at",
    grid_column="grid",
    columns=(
        Column("case_no", pa.string(), "案件编号", required=True, doc="如 AJ20230512-01"),
        Column("source", pa.string(), "来源", required=True, codes="enforcement_source"),
        Column("ticket_ref", pa.string(), "关联工单", doc="12345工单编号（须在热线工单中）"),
        Column("action_ref", pa.string(), "行动编号", doc="所属整治行动（可空；须在整治行动中）"),
        Column("found_at", pa.timestamp("us"), "发现时间", required=True),
        Column("grid", pa.string(), "网格", ref="grids", doc="网格编码、网格名称，或只有一个网格的村名"),
        Column("place", pa.string(), "地点"),
        Column("party", pa.string(), "当事人", pii="name"),
        Column("party_phone", pa.string(), "当事人电话", pii="phone"),
        Column("party_id", pa.string(), "身份证号", pii="id_number"),
        Column("violation_type", pa.string(), "违法类型", required=True, codes="enforcement_type"),
        Column("violation", pa.string(), "违法行为"),
        Column("legal_basis", pa.string(), "依据条款"),
        Column("handling", pa.string(), "处理方式", codes="enforcement_handling"),
        Column("officer1", pa.string(), "执法人员1", ref="people", doc="人员编号或姓名"),
        Column("badge1", pa.string(), "执法证号1", doc="须为执法人员1在人员表中的执法证号"),
        Column("officer2", pa.string(), "执法人员2", ref="people", doc="人员编号或姓名"),
        Column("badge2", pa.string(), "执法证号2", doc="须为执法人员2在人员表中的执法证号"),
        Column("av_record", pa.string(), "音像记录号", doc="执法记录仪等音像记录的编号（全过程记录）"),
        Column("major", pa.bool_(), "是否重大执法决定"),
        Column("legal_review", pa.string(), "法制审核", codes="enforcement_legal_review"),
        Column("decided_on", pa.date32(), "决定日期"),
        Column("fine", pa.float64(), "罚款金额", doc="元"),
        Column("rectify_by", pa.date32(), "整改期限"),
        Column("reviewed_on", pa.date32(), "复查日期"),
        Column("review_result", pa.string(), "复查结果", codes="enforcement_review_result"),
        Column("published_on", pa.date32(), "公示日期"),
        Column("status", pa.string(), "状态", required=True, codes="enforcement_status"),
    ),
    code_tables=dict(CODE_TABLES),
    rules=CASE_RULES,
    references=CASE_REFERENCES,
    doc="执法案件台账（三项制度：公示、全过程记录、重大执法决定法制审核），每宗一条记录。",
)

ACTION_LABELS: dict[str, str] = {c.name: c.label for c in ACTIONS_SPEC.columns}
CASE_LABELS: dict[str, str] = {c.name: c.label for c in CASES_SPEC.columns}


def type_codes(store, table: str = CASES) -> tuple[str, ...]:
    """The 六乱 code table as this store has it (the config may override it)."""
    return tuple(store.spec(table).code_tables["enforcement_type"])
