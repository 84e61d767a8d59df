"""The ledger's table ``work_items`` (工作台账): one record per meeting, decision, disclosure,
batch of publicity items, volunteer outing, rectification item, honour … of any category. No Textual.

Labels are exactly the headers of the office's Excel 台账 (issue 18), so such a sheet imports as-is.
"""

from __future__ import annotations

import pyarrow as pa

from fazhi_tui.api import Column, RowRule, TableSpec

from .categories import LEVELS, Categories

WORK_ITEMS = "work_items"

STATUSES = ("进行中", "已完成", "已销号")
IN_PROGRESS, DONE, CLOSED = STATUSES
CATEGORY_CODES, LEVEL_CODES, STATUS_CODES = "ledger_category", "ledger_level", "ledger_status"

COLUMNS = (
    Column("item_no", pa.string(), "编号", required=True, doc="导入时可省略：由类别/日期/事项生成"),
    Column("date", pa.date32(), "日期", required=True, doc="会议、活动、发现问题或命名的日期"),
    Column("category", pa.string(), "类别", required=True, codes=CATEGORY_CODES),
    Column("title", pa.string(), "事项", required=True),
    Column("quantity", pa.int32(), "数量", doc="空则按 1 计：大事项数、宣传品条数、服务次数、公开条数……"),
    Column("grid", pa.string(), "网格", ref="grids", doc="网格编码"),
    Column("level", pa.string(), "级别", codes=LEVEL_CODES, doc="荣誉与示范村：国家级/省级/市级/县级"),
    Column("person", pa.string(), "责任人", ref="people", doc="人员编号"),
    Column("due", pa.date32(), "期限", doc="整改期限等"),
    Column("done_date", pa.date32(), "完成日期", doc="完成或销号的日期"),
    Column("status", pa.string(), "状态", codes=STATUS_CODES, doc="进行中/已完成/已销号；空为已完成"),
    Column("note", pa.string(), "备注"),
)

RULES = (
    RowRule("quantity_positive", "quantity IS NULL OR quantity >= 0", "quantity", "数量不能为负数"),
    RowRule(
        "closed_has_date",
        "status IS DISTINCT FROM '已销号' OR done_date IS NOT NULL",
        "done_date",
        "已销号的事项须填写完成日期",
    ),
    RowRule("done_after_date", 'done_date IS NULL OR done_date >= "date"', "done_date", "完成日期不能早于日期"),
)

LABELS: dict[str, str] = {c.name: c.label for c in COLUMNS}


def work_items_spec(categories: Categories) -> TableSpec:
    """The table for the categories in force (the 类别 code table follows the config)."""
    return TableSpec(
        name=WORK_ITEMS,
        label="工作台账",
        key="item_no",
        key_from=("category", "date", "title"),
        period_column="date",
        grid_column="grid",
        columns=COLUMNS,
        code_tables={CATEGORY_CODES: categories.names, LEVEL_CODES: tuple(LEVELS), STATUS_CODES: STATUSES},
        rules=RULES,
        doc="会议与决策、法律顾问、政务公开、普法宣传、志愿服务、督查整改、廉政教育、群众诉求、示范村、荣誉等"
        "工作的记录，每件一条；类别及其统计口径见配置 [plugin.fazhi_ledger.categories]。",
    )
