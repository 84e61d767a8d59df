"""The ledger's benchmark rows run end to end at the smoke size (timings are not asserted: they
mean nothing at this size or on a busy machine), and the floor runs the panel's own SQL."""

from __future__ import annotations


def test_ledger_benchmark_rows_at_smoke_size(tmp_path):
    from benchmarks.ledger import SIZES, measure

    rows = measure("smoke", runs=1, root=tmp_path / "ledger-smoke")
    assert [r["name"] for r in rows] == [
        f"ledger panel: figures ({SIZES['smoke']:,} work items)",
        "ledger panel: period change",
        "peak memory: ledger process",
    ]
    assert rows[0]["floor"] > 0 and rows[0]["value"] > 0 and rows[1]["value"] > 0 and rows[2]["value"] > 0
