"""The training benchmark (benchmarks/training.py, a row group of benchmarks.run) at smoke size,
so it cannot rot: the store builds through the program's write path, every measurement runs in
its own process and becomes a row beside its target, and the floor runs the plugin's own SQL on
the raw files. Timings are never asserted here."""

from __future__ import annotations

from types import SimpleNamespace

from benchmarks import run, scale_store


def test_training_rows_at_smoke_size(tmp_path, monkeypatch):
    monkeypatch.setattr(scale_store, "STORES", tmp_path)
    env = SimpleNamespace(args=SimpleNamespace(size="smoke", only=["training"]), runs=1)
    rows = run.bench_training(env)
    names = [r.name for r in rows]
    for prefix in (
        "training panel figures",
        "training person-hours for the year",
        "training panel: period change",
        "training panel: grid change",
        "peak memory: training measuring process",
    ):
        assert any(n.startswith(prefix) for n in names), (prefix, names)
    assert all(r.status in ("PASS", "MISS") for r in rows), [(r.name, r.status, r.note) for r in rows]
    assert all(isinstance(r.value, float) and r.value > 0 for r in rows)
    figures = rows[0]
    assert "2,000 sessions, 40,000 attendance" in figures.name and figures.floor and figures.floor > 0
    # The floor ran the panel's queries, every table read from its raw files.
    floor_sql = figures.data["floor_sql"]
    assert len(floor_sql) >= 2 and all("read_parquet" in q for q in floor_sql)
    assert any("/trainings/" in q for q in floor_sql) and any("/training_attendance/" in q for q in floor_sql)
    assert not any(f" {t} " in q.replace("\n", " ") for q in floor_sql for t in ("FROM trainings", "JOIN people"))
