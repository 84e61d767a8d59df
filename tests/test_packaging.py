"""The wheel: built from this checkout, installed into a fresh environment, run from elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    dist = work / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        cwd=work,
    )
    wheels = list(dist.glob("fazhi_tui-*.whl"))
    assert len(wheels) == 1
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run(pip + [str(wheels[0])], check=True, capture_output=True)
    return venv / "bin" / "fazhi-tui", work


def test_installed_wheel_runs_from_another_directory(installed, tmp_path):
    exe, _work = installed
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_") and k != "PYTHONPATH"}
    env["FAZHI_TODAY"] = "2026-11-26"

    def run(*args):
        return subprocess.run([str(exe), *args], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)

    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("fazhi-tui ")
    r = run("demo", "--store", "s")
    assert r.returncode == 0, r.stderr
    assert "已创建演示数据" in r.stdout
    r = run("tables", "--json")
    assert r.returncode == 0 and '"grids"' in r.stdout
    r = run("check", "--store", "s")
    assert r.returncode == 0, r.stdout + r.stderr
    r = run("sql", "SELECT count(*) AS n FROM grids", "--format", "csv", "--store", "s")
    assert r.returncode == 0 and r.stdout.split() == ["n", "23"], r.stderr
    r = run("plugins", "--json")
    assert r.returncode == 0 and '"status": "failed"' not in r.stdout, r.stdout
    import json

    builtin = {p["name"] for p in json.loads(r.stdout) if p["source"] == "built-in"}
    assert {"fazhi_overview", "fazhi_hotline", "fazhi_grid"} <= builtin
    r = run("sql", "SELECT count(*) AS n FROM hotline", "--format", "csv", "--store", "s")
    assert r.returncode == 0 and int(r.stdout.split()[1]) > 0, r.stderr
