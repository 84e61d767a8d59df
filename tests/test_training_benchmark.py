"""The training ledger's benchmark rows at the smoke size, so they cannot rot: every row is
produced with a value and a status (timings are not asserted here; see benchmarks/training.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_training_benchmark_rows_at_smoke_size(tmp_path):
    out = tmp_path / "training.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.training",
            "--size",
            "smoke",
            "--runs",
            "1",
            "--store",
            str(tmp_path / "store"),
            "--out",
            str(out),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = json.loads(out.read_text("utf-8"))["rows"]
    names = [r["name"] for r in rows]
    for prefix in (
        "training panel figures",
        "training person-hours for the year",
        "training panel: period change",
        "peak memory: training process",
    ):
        assert any(n.startswith(prefix) for n in names), names
    assert all(r["status"] in ("PASS", "MISS") and r["value"] > 0 for r in rows), rows
    assert rows[0]["floor"] > 0 and "40,000 attendance" in rows[0]["name"]
