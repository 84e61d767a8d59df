"""A small table used by the store tests (the store knows no table by name)."""

import pyarrow as pa

from fazhi_tui.store import Column, TableSpec

CASES = TableSpec(
    name="cases",
    label="案件",
    key="case_no",
    period_column="found_on",
    grid_column="grid",
    columns=(
        Column("case_no", pa.string(), "案件编号", required=True),
        Column("found_on", pa.date32(), "发现日期", required=True),
        Column("grid", pa.string(), "网格"),
        Column("action", pa.string(), "处理方式", codes="action"),
        Column("party", pa.string(), "当事人", pii="name"),
        Column("amount", pa.int64(), "金额"),
    ),
    code_tables={"action": ("劝阻", "责令限期改正", "简易处罚", "立案")},
)

NOTES = TableSpec(
    name="notes",
    label="备注",
    key="note_id",
    columns=(Column("note_id", pa.string(), "编号", required=True), Column("text", pa.string(), "内容")),
)

SPECS = [CASES, NOTES]
