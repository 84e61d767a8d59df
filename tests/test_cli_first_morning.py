"""The command line as a clerk meets it (issue 20): ``sql`` and ``tables`` at 80 columns, the
default store said on the first line and asked about on a terminal, ``init --town/--county``."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from fazhi_tui.cli import main
from fazhi_tui.config import Config
from fazhi_tui.demo import build_demo
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def hotline_store(tmp_path_factory):
    host = PluginHost.load(only=["fazhi_hotline"])
    root = tmp_path_factory.mktemp("cli-morning") / "store"
    build_demo(root, host, table_specs(host, Config()), dt.date(2026, 11, 26))
    return root


def run(capsys, monkeypatch, *argv, columns=80):
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("FAZHI_PLUGINS", "fazhi_hotline")
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("columns", [80, 120])
def test_sql_leaves_out_middle_columns_whole_with_a_note(hotline_store, capsys, monkeypatch, columns):
    code, out, err = run(
        capsys,
        monkeypatch,
        "sql",
        "SELECT * FROM hotline ORDER BY ticket_no LIMIT 3",
        "--store",
        str(hotline_store),
        columns=columns,
    )
    assert code == 0
    lines = out.splitlines()
    assert all(cell_len(line) <= columns for line in lines), max(map(cell_len, lines))
    header = next(line for line in lines if "_id" in line)
    assert "town" in header and "…" in header  # the first and the last column, the gap marked
    note = "".join(out[out.index("放不下全部") :].split())
    assert "列：省略了中间的" in note and "--formatline" in note
    left_out = note[note.index("（", note.index("省略了")) + 1 : note.index("）")].split("、")
    assert left_out and all(name not in header for name in left_out)
    assert "…" not in header.replace("┃ … ┃", "")  # no header is cut


def test_sql_fits_without_a_note_and_line_shows_every_column(hotline_store, capsys, monkeypatch):
    code, out, _ = run(
        capsys, monkeypatch, "sql", "SELECT ticket_no, status FROM hotline LIMIT 2", "--store", str(hotline_store)
    )
    assert code == 0 and "省略" not in out and "ticket_no" in out
    code, out, _ = run(
        capsys,
        monkeypatch,
        "sql",
        "SELECT * FROM hotline ORDER BY ticket_no LIMIT 2",
        "--format",
        "line",
        "--store",
        str(hotline_store),
    )
    assert code == 0 and out.count("-- 第 ") == 2
    for column in ("ticket_no", "content", "unsatisfied_reason", "result", "town"):
        assert f"\n{column}" in out


def test_tables_cuts_no_name_at_80_columns(hotline_store, capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "tables", "--store", str(hotline_store))
    assert code == 0 and "…" not in out
    assert all(cell_len(line) <= 80 for line in out.splitlines())
    for name in ("hotline_category2", "hotline_appeal_type", "unsatisfied_reason"):
        assert name in out


def test_the_default_store_is_named_first(capsys, monkeypatch):
    # conftest points XDG_DATA_HOME into tmp_path; stdin is not a terminal: the demo is made.
    code, out, err = run(capsys, monkeypatch, "summary")
    assert code == 0
    first = err.splitlines()[0]
    assert first.startswith("数据目录：") and "默认位置" in first and "--store" in first
    code, out, err = run(capsys, monkeypatch, "summary")
    assert err.splitlines()[0] == first  # every time, not only when it is made


def test_a_named_store_is_not_announced(hotline_store, capsys, monkeypatch):
    code, _out, err = run(capsys, monkeypatch, "summary", "--store", str(hotline_store))
    assert code == 0 and "默认位置" not in err


def test_on_a_terminal_the_default_demo_is_asked_for(tmp_path):
    """A real pseudo-terminal as stdin: answering no creates nothing."""
    master, slave = os.openpty()
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "FAZHI_PLUGINS": "fazhi_hotline"}
    env.pop("FAZHI_STORE", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "fazhi_tui", "summary"],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    os.close(slave)
    os.write(master, b"n\n")
    out, err = proc.communicate(timeout=120)
    os.close(master)
    text = (out + err).decode()
    assert proc.returncode == 2, text
    assert "创建演示数据（赵庄镇）吗" in text and "未创建演示数据" in text and "fazhi-tui init" in text
    assert not (tmp_path / "data" / "fazhi-tui" / "store" / "fazhi-store.json").exists()


def test_init_writes_the_town_and_county_used_by_reports(tmp_path, capsys, monkeypatch):
    store = tmp_path / "s"
    code, out, _ = run(capsys, monkeypatch, "init", "--store", str(store), "--town", "李庄镇", "--county", "郏县")
    assert code == 0 and "郏县李庄镇" in out
    marker = json.loads((store / "fazhi-store.json").read_text("utf-8"))
    assert marker["town"] == "李庄镇" and marker["county"] == "郏县" and marker["demo"] is False
    code, out, _ = run(capsys, monkeypatch, "report", "--year", "2025", "--store", str(store))
    assert out.startswith("# 郏县李庄镇人民政府") and "赵庄镇" not in out.splitlines()[0]
    # A config file that names a town still wins over the store's.
    cfg = tmp_path / "c.toml"
    cfg.write_text('town = "王庄镇"\n', "utf-8")
    code, out, _ = run(capsys, monkeypatch, "report", "--year", "2025", "--store", str(store), "--config", str(cfg))
    assert out.splitlines()[0] == "# 郏县王庄镇人民政府"


def test_the_dashboard_header_names_the_stores_town(tmp_path, capsys, monkeypatch):
    from fazhi_tui.runtime import open_runtime

    store = tmp_path / "s"
    run(capsys, monkeypatch, "init", "--store", str(store), "--town", "李庄镇", "--county", "郏县")
    cfg = Config(plugins=["fazhi_hotline"])
    rt = open_runtime(cfg, store)
    try:
        assert rt.config.town == "李庄镇" and rt.config.county == "郏县"
    finally:
        rt.close()
