"""The training ledger's tables: ``trainings`` (one record per session or outreach event) and
``training_attendance`` (one record per person and session). No Textual here.

The labels are the headers of the office's Excel 台账 (学法台账), so its sheets import as they
are: 编号, 日期, 类型, 主题, 主讲人, 领学人, 对象, 地点, 场所类型, 网格, 学时, 参加人数, 备注; and
编号, 人员, 出勤, 成绩. Offices may rename or extend the code tables in ``[code_tables]``.
"""

from __future__ import annotations

import pyarrow as pa

from fazhi_tui.api import Column, ImportNote, RowRule, TableSpec

TRAININGS = "trainings"
ATTENDANCE = "training_attendance"

# -- code tables ----------------------------------------------------------------------------------
KINDS = ("中心组学习", "专题研讨", "法治培训", "学法考试", "普法宣讲", "法律服务活动", "普法宣传活动")
CENTRAL_STUDY, SEMINAR, TRAINING, EXAM, LECTURE, LEGAL_SERVICE, PUBLICITY = KINDS
# Outreach: events for the public, with a head count and no roster of staff.
OUTREACH_KINDS = (LECTURE, LEGAL_SERVICE, PUBLICITY)
AUDIENCES = ("班子成员", "机关干部", "村干部", "网格员", "群众", "学生", "企业")
VENUE_KINDS = ("学校", "企业", "村", "机关", "社区", "其他")
# Where the seed's "法制进校园、企业、各村宣讲" and "法律服务进企业、进校园、进村" happen.
OUTREACH_VENUES = ("学校", "企业", "村")
STATUSES = ("出席", "请假", "缺席")
PRESENT, LEAVE, ABSENT = STATUSES

TRAININGS_SPEC = TableSpec(
    name=TRAININGS,
    label="学法培训与普法活动",
    key="training_id",
    period_column="date",
    grid_column="grid",
    columns=(
        Column("training_id", pa.string(), "编号", required=True, doc="如 XF2023-001"),
        Column("date", pa.date32(), "日期", required=True),
        Column("kind", pa.string(), "类型", required=True, codes="training_kind"),
        Column("topic", pa.string(), "主题"),
        Column("speaker", pa.string(), "主讲人", doc="人员编号或姓名；外请讲师写姓名与单位"),
        Column(
            "leaders",
            pa.list_(pa.string()),
            "领学人",
            ref="people",
            doc="中心组学习的领学人（人员编号或姓名，多人以、分隔）",
        ),
        Column("audience", pa.list_(pa.string()), "对象", codes="training_audience", doc="多项以、分隔"),
        Column("venue", pa.string(), "地点"),
        Column(
            "venue_kind",
            pa.string(),
            "场所类型",
            codes="training_venue_kind",
            doc="普法宣讲、法律服务活动：学校、企业或村",
        ),
        Column("grid", pa.string(), "网格", ref="grids", doc="网格编码、网格名称或只有一个网格的村名"),
        Column("hours", pa.float64(), "学时"),
        Column("participants", pa.int32(), "参加人数", doc="有参学记录时以名单的出席人数为准"),
        Column("note", pa.string(), "备注"),
    ),
    code_tables={
        "training_kind": KINDS,
        "training_audience": AUDIENCES,
        "training_venue_kind": VENUE_KINDS,
    },
    rules=(
        RowRule("training_hours", "hours >= 0 AND hours <= 100", "hours", "学时应为 0 至 100 之间的数"),
        RowRule("training_participants", "participants >= 0", "participants", "参加人数不能为负数"),
    ),
    import_notes=(
        # A file whose 参加人数 disagrees with the roster already in the store: a warning, since
        # the count on paper may be right and the roster incomplete; the figures use the roster.
        ImportNote(
            "training_participants_vs_roster",
            "SELECT i._row, i.training_id, i.participants, r.present "
            "FROM incoming AS i JOIN (SELECT training_id, count_if(coalesce(status, '出席') = '出席') AS present "
            "FROM training_attendance GROUP BY training_id) AS r USING (training_id) "
            "WHERE i.participants IS NOT NULL AND i.participants <> r.present ORDER BY i._row",
            "第 {_row} 行（编号 {training_id}）：参加人数 {participants} 与已有参学名单的出席人数 {present} 不符；"
            "统计以名单为准",
        ),
    ),
    doc="中心组学习、专题研讨、法治培训、学法考试、普法宣讲、法律服务活动、普法宣传活动，每次一条记录。",
)

ATTENDANCE_SPEC = TableSpec(
    name=ATTENDANCE,
    label="参学记录",
    key="attendance_id",
    key_from=("training_id", "person"),  # the office's sheet has 编号 and 人员, not our key
    columns=(
        Column(
            "attendance_id",
            pa.string(),
            "记录编号",
            required=True,
            doc="编号/人员编号，如 XF2023-001/P0012（导入时自动生成）",
        ),
        Column("training_id", pa.string(), "编号", required=True, ref=TRAININGS, doc="活动编号"),
        Column("person", pa.string(), "人员", required=True, ref="people", doc="人员编号或姓名（重名时须写编号）"),
        Column("status", pa.string(), "出勤", codes="training_status", doc="出席、请假或缺席；空白按出席计"),
        Column("score", pa.float64(), "成绩", doc="学法考试成绩，0 至 100"),
    ),
    code_tables={"training_status": STATUSES},
    rules=(RowRule("training_score", "score >= 0 AND score <= 100", "score", "成绩应为 0 至 100 之间的数"),),
    import_notes=(
        # The roster after the import (the file's rows over the stored ones) against the
        # session's 参加人数: a warning in the preview, not a refusal.
        ImportNote(
            "training_roster_vs_participants",
            "WITH roster AS ("
            "  SELECT training_id, status FROM incoming"
            "  UNION ALL SELECT a.training_id, a.status FROM training_attendance AS a"
            "  WHERE a.training_id IN (SELECT training_id FROM incoming)"
            "    AND a.attendance_id NOT IN (SELECT attendance_id FROM incoming)"
            "), counted AS (SELECT training_id, count_if(coalesce(status, '出席') = '出席') AS present"
            "  FROM roster GROUP BY training_id), first_rows AS (SELECT training_id, min(_row) AS _row"
            "  FROM incoming GROUP BY training_id) "
            "SELECT f._row, c.training_id, c.present, t.participants FROM counted AS c "
            "JOIN first_rows AS f USING (training_id) JOIN trainings AS t USING (training_id) "
            "WHERE t.participants IS NOT NULL AND t.participants <> c.present ORDER BY f._row",
            "第 {_row} 行起（编号 {training_id}）：名单出席 {present} 人，与该次活动的参加人数 {participants} 不符；"
            "统计以名单为准",
        ),
    ),
    doc="每人每次的参学记录：出勤与考试成绩。学时按活动的学时计入出席者。",
)

TABLES = (TRAININGS_SPEC, ATTENDANCE_SPEC)
LABELS: dict[str, str] = {c.name: c.label for c in TRAININGS_SPEC.columns}
ATTENDANCE_LABELS: dict[str, str] = {c.name: c.label for c in ATTENDANCE_SPEC.columns}


def attendance_id(training_id: str, person: str) -> str:
    """The key of one person's record of one session, as ``key_from`` derives it."""
    return f"{training_id.strip()}/{person.strip()}"
