"""The benchmark suite in its smoke mode, so it cannot rot: it runs end to end on small stores and
produces every row. Timings are never asserted here (they mean nothing at this size or on a
busy CI machine); what is asserted is that every measurement ran, and that the pandas
implementation agrees with the plugin's figures (else its comparison would be meaningless)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.run import PANELS

REPO = Path(__file__).resolve().parent.parent

# Rows every run must produce, per store variant (names start with these).
PER_VARIANT = [
    "figures: this year and last",
    "monthly trend",
    "breakdown by 分类",
    "breakdown by grid",
    "quarterly rank",
    "open list opens: town",
    "open list opens: county",
    "scroll ",
    "hotline panel: period change",
    "hotline panel: grid change",
    "overview panel: period change",
    "overview panel: grid change",
    "daily review: all checks",
    "current state vs plain scan: 2025",
    "current state vs plain scan: 5 years",
    "peak memory: dashboard queries process",
    "peak memory: pandas process",
    "cold start to the first panel's data",
]
PROCESS = [
    ("import", "import 5,000 rows from CSV into the empty store"),
    ("import", "peak memory: import into the empty store"),
    ("import", "import 5,000 rows from CSV into the 20,000-ticket store"),
    ("import", "peak memory: import into the 20,000-ticket store"),
    # Issue 22: a county's five years from each format, each beside DuckDB alone on the file.
    *(
        ("import", f"{what}import 5,000 rows from {fmt} into the {target}, fold included")
        for what in ("", "peak memory: ")
        for fmt in ("Parquet", "CSV")
        for target in ("empty store", "20,000-ticket store")
    ),
    ("report", "the 2025 report from the CLI"),
    ("report", "report preview: first screen of 2025"),
    ("grid map", "grid map: rasterise"),
    ("cold start", "minimal Textual app: first frame"),
    ("cold start", "peak memory: cold start processes"),
    # Every built-in panel as the first keystroke, on the store of every ledger (issue 22).
    *(("cold start", f"cold start to the {panel} panel's data") for panel in PANELS),
]
# The panels' queries per role, and ``fazhi-tui sql`` per role (first variant only).
ROLES = [
    ("as viewer (recent edits)", "figures: this year and last"),
    ("as viewer (recent edits)", "breakdown by grid"),
    ("as viewer (recent edits)", "open list opens: town"),
    ("fazhi-tui sql (recent edits)", "sql as admin"),
    ("fazhi-tui sql (recent edits)", "sql as clerk"),
    ("fazhi-tui sql (recent edits)", "sql as viewer"),
]
ALLOWED = {"PASS", "MISS", "INFO", "NOT BUILT", "SKIPPED"}


@pytest.fixture(scope="module")
def smoke(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "smoke.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--size",
            "smoke",
            "--runs",
            "1",
            "--quiet",
            "--stores",
            str(tmp / "stores"),
            "--out",
            str(out),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,  # every row at smoke size; a busy shared machine (load 30 on 2 cores) took over 600 s
    )
    assert out.is_file(), f"no JSON written\nstdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
    data = json.loads(out.read_text("utf-8"))
    data["_proc"] = proc
    return data


def test_suite_runs_and_prints_its_table(smoke):
    proc = smoke["_proc"]
    assert proc.returncode == 0, f"stdout:\n{proc.stdout[-4000:]}\nstderr:\n{proc.stderr[-3000:]}"
    assert "measurement" in proc.stdout and "target" in proc.stdout
    assert Path(smoke["_proc"].args[-1]).with_suffix(".md").is_file()


def test_every_row_is_produced(smoke):
    rows = smoke["results"]
    for section in ("recent edits", "uniform edits"):
        names = [r["name"] for r in rows if r["section"] == section]
        for prefix in PER_VARIANT:
            assert any(n.startswith(prefix) for n in names), f"[{section}] no row “{prefix}…”; rows: {names}"
    for section, prefix in PROCESS + ROLES:
        assert any(r["section"] == section and r["name"].startswith(prefix) for r in rows), (
            f"no row [{section}] “{prefix}…”"
        )


def test_no_row_failed(smoke):
    bad = [(r["section"], r["name"], r["status"], r["note"]) for r in smoke["results"] if r["status"] not in ALLOWED]
    assert not bad, bad


def test_measured_rows_have_values(smoke):
    for r in smoke["results"]:
        if r["status"] in ("PASS", "MISS", "INFO"):
            assert isinstance(r["value"], (int, float)) and r["value"] >= 0, r
        if r["checks"]:
            assert all(isinstance(c["ok"], bool) for c in r["checks"]), r


def test_pandas_agrees_with_the_plugin(smoke):
    pytest.importorskip("pandas")
    compared = [r for r in smoke["results"] if "pandas_agrees" in r["data"]]
    assert compared
    for r in compared:
        assert r["data"]["pandas_agrees"] is True, (r["section"], r["name"], r["data"].get("pandas_difference"))
