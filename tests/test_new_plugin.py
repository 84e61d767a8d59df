"""``fazhi-tui new-plugin``: the package it writes installs with pip and its own tests pass, in an
environment of its own (a temporary venv over this one's packages), as on a fresh clone."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig

import pytest

from fazhi_tui.cli import main


@pytest.mark.parametrize(
    "name, why",
    [
        ("Petitions", "须为小写英文标识符"),
        ("1petitions", "须为小写英文标识符"),
        ("my-plugin", "须为小写英文标识符"),
        ("class", "须为小写英文标识符"),
        ("fazhi_hotline", "已被已安装的插件使用"),
        ("grids", "已被本程序使用"),
        ("json", "与已有的 Python 模块重名"),
    ],
)
def test_a_bad_or_taken_name_is_refused(tmp_path, capsys, name, why):
    assert main(["new-plugin", name, "--dir", str(tmp_path / "p")]) == 2
    assert why in capsys.readouterr().err
    assert not (tmp_path / "p").exists()


def test_a_folder_that_is_not_empty_is_refused(tmp_path, capsys):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "notes.txt").write_text("mine", "utf-8")
    assert main(["new-plugin", "petitions", "--dir", str(tmp_path / "p")]) == 2
    assert "不是空目录" in capsys.readouterr().err
    assert [f.name for f in (tmp_path / "p").iterdir()] == ["notes.txt"]


def _venv(tmp_path):
    """A venv that sees this environment's packages (fazhi-tui and its test extra) through a
    .pth file, and installs into its own site-packages."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = next((venv / "lib").glob("python*/site-packages"))
    parent = sysconfig.get_paths()["purelib"]
    (site / "_fazhi_parent.pth").write_text(f"import site; site.addsitedir({parent!r})\n", "utf-8")
    return venv / "bin" / "python"


def test_the_generated_plugin_installs_and_its_tests_pass(tmp_path, capsys):
    target = tmp_path / "petitions"
    assert main(["new-plugin", "petitions", "--dir", str(target), "--label", "信访台账"]) == 0
    out = capsys.readouterr().out
    assert "已生成插件 petitions" in out and "pip install -e" in out
    files = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert files == [
        "README.md",
        "petitions/__init__.py",
        "petitions/panel.py",
        "petitions/queries.py",
        "pyproject.toml",
        "tests/test_petitions.py",
    ]
    python = _venv(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "FAZHI_", "PYTHONPATH"))}
    env["HOME"] = os.environ.get("HOME", str(tmp_path))
    pip = subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "-e", str(target)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert pip.returncode == 0, pip.stdout + pip.stderr
    tests = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=target,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "4 passed" in tests.stdout and "failed" not in tests.stdout, tests.stdout + tests.stderr
    # Installed, the program finds it by its entry point: the demo has its rows, `plugins` lists it.
    env["FAZHI_PLUGINS"] = "petitions"
    store = tmp_path / "store"
    demo = subprocess.run(
        [python, "-m", "fazhi_tui", "demo", "--store", str(store), "--today", "2026-11-26"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert demo.returncode == 0 and "petitions:" in demo.stdout, demo.stdout + demo.stderr
    listed = subprocess.run(
        [python, "-m", "fazhi_tui", "plugins", "--store", str(store)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    line = next(x for x in listed.stdout.splitlines() if x.startswith("petitions"))
    assert "[入口点]" in line and "正常" in line, listed.stdout
