"""Folds in child processes (what the dashboard does after its saves): the real ``fazhi-tui
compact --fold`` runs beside the writer, which does not wait for it and starts no fold thread of
its own; a failed fold is reported and loses nothing; a write during a fold folds again after it."""

from __future__ import annotations

import datetime as dt
import sys

from fazhi_tui import cli
from fazhi_tui.config import Config
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store
from fazhi_tui.store import fold as fold_mod
from fazhi_tui.store.child_folds import ChildFolds


def person(i: int) -> dict:
    return {"person_id": f"p{i}", "name": f"人员{i}", "roles": ["网格员"], "start_date": dt.date(2024, 1, 1)}


def open_people(tmp_path):
    host = PluginHost.load(only=[])
    return Store.open(tmp_path / "store", table_specs(host, Config()), create=True, user="测试员")


class Args:  # what argparse gives cmd_dashboard: no config file, no extra plugin folders
    config = None
    plugins_dir: list[str] = []


def test_a_due_fold_runs_in_a_child_process_and_the_writer_reads_its_generation(tmp_path, monkeypatch):
    monkeypatch.setattr(fold_mod, "FOLD_DELTA_FILES", 3)
    store = open_people(tmp_path)
    started: list[str] = []
    folds = ChildFolds(lambda table: started.append(table) or cli.fold_command(Args(), store.root, table))
    store.fold_runner = folds
    for i in range(2):
        store.append("people", [person(i)])
    assert started == []  # not due yet
    store.append("people", [person(2)])  # the third log file: due
    assert started == ["people"]
    assert store._fold_threads == {}  # nothing folds in this process
    assert folds.wait(timeout=120), "the child fold did not finish"
    assert folds.failures == []
    files = store.files("people")
    assert files.gen is not None and files.delta_files == []
    assert store.count("people") == 3
    store.close()


def test_a_failed_child_fold_is_reported_and_loses_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(fold_mod, "FOLD_DELTA_FILES", 1)
    store = open_people(tmp_path)
    failing = [sys.executable, "-c", "import sys; print('磁盘已满', file=sys.stderr); sys.exit(2)"]
    folds = ChildFolds(lambda table: failing)
    store.fold_runner = folds
    store.append("people", [person(1)])
    assert folds.wait(timeout=60)
    assert folds.failures == ["表 people 的后台整理未完成（磁盘已满），数据不受影响"]
    assert store.count("people") == 1 and len(store.files("people").delta_files) == 1
    store.close()


def test_a_write_during_a_child_fold_is_folded_once_that_fold_ends(tmp_path, monkeypatch):
    monkeypatch.setattr(fold_mod, "FOLD_DELTA_FILES", 1)
    store = open_people(tmp_path)
    gate = tmp_path / "go"
    runs: list[str] = []

    def argv(table: str) -> list[str]:
        runs.append(table)
        if len(runs) == 1:  # the first fold waits until the test lets it go, then folds
            wait = f"import pathlib, time\nwhile not pathlib.Path({str(gate)!r}).exists(): time.sleep(0.01)"
            return [sys.executable, "-c", wait]
        return cli.fold_command(Args(), store.root, table)

    folds = ChildFolds(argv)
    store.fold_runner = folds
    store.append("people", [person(1)])
    store.append("people", [person(2)])  # while the first runs: remembered, not started
    assert runs == ["people"] and folds.running() == ["people"]
    gate.touch()
    assert folds.wait(timeout=120)
    assert runs == ["people", "people"] and folds.failures == []
    assert store.files("people").delta_files == [] and store.count("people") == 2
    store.close()
