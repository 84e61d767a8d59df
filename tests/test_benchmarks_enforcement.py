"""The enforcement benchmark (benchmarks/enforcement.py, a row group of benchmarks.run) at smoke
size, so it cannot rot: the store builds through the program's write path, every measurement
runs and becomes a row. Timings are never asserted here."""

from __future__ import annotations

from types import SimpleNamespace

from benchmarks import run, scale_store


def test_enforcement_rows_at_smoke_size(tmp_path, monkeypatch):
    monkeypatch.setattr(scale_store, "STORES", tmp_path)
    env = SimpleNamespace(args=SimpleNamespace(size="smoke", only=["enforcement"]), runs=1)
    rows = run.bench_enforcement(env)
    names = [r.name for r in rows]
    for prefix in (
        "enforcement figures: this year and last",
        "enforcement panel: period change",
        "enforcement panel: grid change",
        "enforcement list opens: the year's cases",
        "enforcement list opens: to-dos of every period",
        "enforcement list opens: the year's actions",
        "enforcement list opens: cases failing a 三项制度 rate",
        "peak memory: enforcement measuring process",
    ):
        assert any(n.startswith(prefix) for n in names), (prefix, names)
    assert all(r.status in ("PASS", "MISS") for r in rows), [(r.name, r.status, r.note) for r in rows]
    assert all(isinstance(r.value, float) and r.value > 0 for r in rows)
    assert "3,000 cases, 600 actions" in rows[0].name
    # A period or grid change is measured with each of the panel's tabs open.
    for row in rows[1:3]:
        assert set(row.data) == {"tab-overview", "tab-actions", "tab-cases", "tab-cases:todo", "tab-failing"}
        assert row.note.startswith("each tab:")
