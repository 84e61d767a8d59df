"""Bounded work: every query runs under a memory limit (spilling to the user's cache first), a
time limit and, for ``fazhi-tui sql`` on a terminal, a row limit; each says so in Chinese."""

from __future__ import annotations

import datetime as dt

import pytest

from fazhi_tui.cli import main
from fazhi_tui.config import ConfigError, parse_config
from fazhi_tui.store import Store
from fazhi_tui.store.access import VIEWER, Access, Policy
from fazhi_tui.store.errors import QueryLimitError
from fazhi_tui.store.limits import QueryLimits
from fazhi_tui.store.sql import run_readonly

from .store_specs import SPECS

CROSS = "SELECT count(*) FROM range(200000000) a, range(1000) b WHERE (a.range + b.range) % 97 = 0"
HUNGRY = "SELECT list(range) AS l FROM range(60000000) GROUP BY range % 4"


def _store(tmp_path, **limits) -> Store:
    s = Store.open(
        tmp_path / "s", SPECS, create=True, user="测试员", limits=QueryLimits(spill=str(tmp_path / "spill"), **limits)
    )
    s.append("cases", [{"case_no": "1", "found_on": dt.date(2023, 1, 1), "amount": 1}])
    return s


def test_a_query_past_the_time_limit_is_interrupted_with_a_message(tmp_path):
    s = _store(tmp_path, seconds=0.3)
    with pytest.raises(QueryLimitError) as err:
        s.query(CROSS)
    assert "0.3 秒" in str(err.value) and "query_seconds" in str(err.value)
    assert s.count("cases") == 1  # the store goes on
    s.close()


def test_a_query_past_the_memory_limit_fails_with_a_message_not_the_oom_killer(tmp_path):
    s = _store(tmp_path, memory="64MB", spill_size="64MB")
    with pytest.raises(QueryLimitError) as err:
        s.query(HUNGRY)
    assert "内存" in str(err.value) and "[limits]" in str(err.value)
    assert s.count("cases") == 1
    s.close()
    assert not (tmp_path / "spill").exists() or not any((tmp_path / "spill").iterdir())


def test_a_viewers_sql_runs_under_the_same_limits(tmp_path):
    s = _store(tmp_path, seconds=0.3)
    s.append(
        "cases", [{"case_no": f"K{i}", "found_on": dt.date(2023, 1, 1), "amount": i, "grid": "G"} for i in range(3000)]
    )
    viewer = Store.open(s.root, SPECS, access=Access("赵六", VIEWER, Policy()), limits=s.limits)
    # The attack as it was: the table joined with itself three times (27 billion rows).
    with pytest.raises(QueryLimitError):
        run_readonly(viewer, "SELECT sum(a.amount * b.amount - c.amount) FROM cases a, cases b, cases c")
    viewer.close()
    s.close()


def test_sql_on_a_terminal_shows_a_bounded_number_of_rows_and_says_so(tmp_path, capsys, monkeypatch):
    store = tmp_path / "store"
    assert main(["init", "--store", str(store)]) == 0
    cfg = tmp_path / "fazhi-tui.toml"
    cfg.write_text("[limits]\nsql_rows = 5\nquery_seconds = 30\n", "utf-8")
    capsys.readouterr()
    assert main(["--config", str(cfg), "sql", "--store", str(store), "SELECT range AS n FROM range(100)"]) == 0
    out = capsys.readouterr()
    assert "共 5 行" in out.out and "只显示前 5 行" in out.err
    # csv to a file or a pipe: every row.
    assert (
        main(
            ["--config", str(cfg), "sql", "--store", str(store), "SELECT range AS n FROM range(100)", "--format", "csv"]
        )
        == 0
    )
    assert len(capsys.readouterr().out.splitlines()) == 101


def test_limits_in_the_config_are_checked(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[limits]\nmemory = "1GB"\nquery_seconds = 10\n', "utf-8")
    cfg = parse_config(path)
    assert (cfg.limits.memory, cfg.limits.seconds) == ("1GB", 10.0)
    path.write_text("[limits]\nquery_seconds = -1\n", "utf-8")
    with pytest.raises(ConfigError):
        parse_config(path)
    path.write_text("[limits]\nrows = 5\n", "utf-8")
    with pytest.raises(ConfigError) as err:
        parse_config(path)
    assert "limits.rows" in str(err.value)
