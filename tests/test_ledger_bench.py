"""The work ledger's benchmark (benchmarks/ledger.py, a row group of benchmarks.run) at smoke size,
so it cannot rot: the store builds through the program's write path, every measurement runs and
becomes a row, and the floor runs the panel's own SQL. Timings are never asserted here."""

from __future__ import annotations

from types import SimpleNamespace

from benchmarks import run, scale_store


def test_ledger_rows_at_smoke_size(tmp_path, monkeypatch):
    monkeypatch.setattr(scale_store, "STORES", tmp_path)
    env = SimpleNamespace(args=SimpleNamespace(size="smoke", only=["ledger"]), runs=1)
    rows = run.bench_ledger(env)
    names = [r.name for r in rows]
    for prefix in (
        "ledger figures: period, previous, year to date (5,000 work items)",
        "ledger panel: period change",
        "ledger list opens: 整改问题",
        "peak memory: ledger measuring process",
    ):
        assert any(n.startswith(prefix) for n in names), (prefix, names)
    assert all(r.status in ("PASS", "MISS") for r in rows), [(r.name, r.status, r.note) for r in rows]
    assert all(isinstance(r.value, float) and r.value > 0 for r in rows)
    assert rows[0].floor > 0 and "read_parquet($files)" in rows[0].data["floor_sql"][0]
    assert "overdue" in names[2] and "0 open" not in names[2]
