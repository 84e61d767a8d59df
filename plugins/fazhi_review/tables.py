"""The review's own table: marks on items (handled, snoozed, assigned), one record per item.

Separate from the queue so the CLI and the tests name the table without loading the checks.
Every change of a mark is a new version of its record, so the store's history says who handled
what, when and with which note; colleagues' store handles read the same records.
"""

from __future__ import annotations

import pyarrow as pa

from fazhi_tui.api import Column, TableSpec

MARKS = "review_marks"

# States of a mark (状态). An item with no mark, or a mark back at OPEN (undone), is open.
OPEN = "待办"
HANDLED = "已处理"
SNOOZED = "暂缓"
STATES = (OPEN, HANDLED, SNOOZED)

MARKS_SPEC = TableSpec(
    name=MARKS,
    label="每日待办标记",
    key="mark_id",
    columns=(
        Column("mark_id", pa.string(), "标记编号", required=True, doc="检查项:表:记录编号（无记录时为检查项:事项）"),
        Column("check_name", pa.string(), "检查项", required=True),
        Column("record_table", pa.string(), "记录所在表"),
        Column("record_id", pa.string(), "记录编号"),
        Column("item_title", pa.string(), "待办事项", doc="标记时事项的标题"),
        Column("state", pa.string(), "状态", required=True, codes="review_state"),
        Column("note", pa.string(), "备注"),
        Column("snooze_until", pa.date32(), "暂缓至", doc="到这一天重新列出"),
        Column("assignee", pa.string(), "指派给", doc="系统用户名（数据目录 access.toml 中的管理员或办事员）"),
        Column("record_rev", pa.int32(), "标记时记录版本", doc="记录此后再被修改，事项重新列出"),
        Column("record_at", pa.timestamp("us", tz="UTC"), "标记时记录修改时间"),
    ),
    code_tables={"review_state": STATES},
    doc="每日待办中各事项的处理、暂缓与指派；每次修改都留有版本（谁、何时、备注）。",
)
