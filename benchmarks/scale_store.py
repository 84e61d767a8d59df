"""Building scale stores through the program's own write path, deterministically.

Hotline-like tickets over 13 townships and 5 years, with 1% of records edited after the fact.
Used by the benchmark suite; not imported by the program.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa

from fazhi_tui.store import Column, Store, TableSpec
from fazhi_tui.store.compact import compact

TOWNS = 13
YEARS = (2021, 2022, 2023, 2024, 2025)
STATUSES = ("待签收", "办理中", "已办结", "退单", "延期")

TICKETS = TableSpec(
    name="tickets",
    label="工单",
    key="ticket_no",
    period_column="received_at",
    grid_column="grid",
    columns=(
        Column("ticket_no", pa.string(), "工单编号", required=True),
        Column("received_at", pa.timestamp("us"), "受理时间", required=True),
        Column("town", pa.string(), "所属乡镇"),
        Column("grid", pa.string(), "网格"),
        Column("status", pa.string(), "状态"),
        Column("satisfied", pa.bool_(), "满意"),
        Column("hours", pa.int32(), "办理时长"),
    ),
)


def ticket_batch(start: int, n: int, seed: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    idx = np.arange(start, start + n)
    epoch = np.datetime64(f"{YEARS[0]}-01-01T00:00:00", "us")
    span_us = int((np.datetime64(f"{YEARS[-1] + 1}-01-01", "us") - epoch).astype(np.int64))
    # Ticket numbers rise with time, as a platform issues them.
    received = epoch + (idx.astype(np.int64) * (span_us // (start + n if start == 0 else 10_000_000))).astype("timedelta64[us]")
    town = rng.integers(0, TOWNS, n)
    return pa.table({
        "ticket_no": pa.array(np.char.add("T", idx.astype(str))),
        "received_at": pa.array(received),
        "town": pa.array(np.char.add("乡镇", town.astype(str))),
        "grid": pa.array(np.char.add(np.char.add("G", town.astype(str)), np.char.add("-", rng.integers(0, 23, n).astype(str)))),
        "status": pa.array(np.array(STATUSES)[rng.choice(5, n, p=[0.02, 0.05, 0.88, 0.03, 0.02])]),
        "satisfied": pa.array(rng.random(n) < 0.93),
        "hours": pa.array(rng.integers(1, 240, n).astype(np.int32)),
    })


def build(
    root: Path, rows: int, *, edited: float = 0.01, recent: bool = True, batch: int = 1_000_000, seed: int = 7
) -> Store:
    """A store of ``rows`` tickets, compacted, then ``edited`` of them edited (left as a delta).

    ``recent``: the edits fall on the newest tenth of tickets, as on a real platform, where a
    ticket is signed, closed and called back within weeks of intake; otherwise anywhere.
    """
    store = Store.open(root, [TICKETS], create=True, user="bench")
    for start in range(0, rows, batch):
        store.append("tickets", ticket_batch(start, min(batch, rows - start), seed + start))
    compact(store)
    n_edit = int(rows * edited)
    if n_edit:
        rng = np.random.default_rng(seed)
        lo = int(rows * 0.9) if recent else 0
        ids = np.sort(rng.choice(np.arange(lo, rows), n_edit, replace=False))
        keys = pa.array(np.char.add("T", ids.astype(str)))
        cur = store.cursor()
        cur.register("edit_ids", pa.table({"k": keys}))
        current = cur.sql("SELECT * FROM tickets WHERE ticket_no IN (SELECT k FROM edit_ids)").to_arrow_table()
        cur.unregister("edit_ids")
        expected = dict(zip(current.column("_id").to_pylist(), current.column("_rev").to_pylist()))
        data = current.drop_columns(["_id", "_rev", "_op", "_at", "_by"])
        data = data.set_column(data.schema.get_field_index("status"), "status", pa.array(["已办结"] * data.num_rows))
        store.save("tickets", data, expected)
    return store
