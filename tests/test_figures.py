"""Figures: every plugin's named numbers, ``fazhi-tui figures``, and the built-ins' counts on real stores."""

from __future__ import annotations

import datetime as dt
import json
import textwrap

import pytest

from fazhi_tui.api import Context, Grid, Period
from fazhi_tui.cli import main
from fazhi_tui.config import Config
from fazhi_tui.host_figures import host_figures
from fazhi_tui.plugins import PluginHost
from fazhi_tui.report.figures import FigureBook, phrase_value
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store

# The seed report's figures that the built-ins own, as the demo's 2023 gives them (DOMAIN.md §1).
SEED_2023 = {
    "grid_count": 23,
    "grid_heads": 23,
    "grid_workers": 69,
    "people_leaders": 15,
    "people_legal_helpers": 46,
    "people_social_grid_workers": 21,
    "people_enforcement_team": 16,
    "people_village_counsels": 22,
    "hotline_work_orders": 104,
    "hotline_phone_orders": 96,
    "hotline_worst_rank": 2,
}

BROKEN = """
    from fazhi_tui.api import Figure, hookimpl

    @hookimpl
    def fazhi_figures():
        return [
            Figure("ledger_broken", "坏指标", "次", lambda ctx: 1 / 0),
            Figure("ledger_text", "返回文字", "次", lambda ctx: "三次"),
            Figure("ledger_none", "无数据指标", "次", lambda ctx: None),
        ]
"""


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("figures-demo") / "store"
    assert main(["demo", "--store", str(path), "--today", "2024-03-01"]) == 0
    return path


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("FAZHI_TODAY", "2024-03-01")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_demo_2023_figures_are_the_seeds(demo_store, capsys):
    code, out, err = run(capsys, "figures", "--store", demo_store, "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["year"] == 2023 and data["problems"] == []
    values = {f["name"]: f["value"] for f in data["figures"]}
    assert {k: values.get(k) for k in SEED_2023} == SEED_2023
    plugins = {f["name"]: f["plugin"] for f in data["figures"]}
    assert plugins["grid_count"] == "fazhi_grid" and plugins["hotline_work_orders"] == "fazhi_hotline"
    assert plugins["people_leaders"] == "fazhi_tui.host"
    code, out, _ = run(capsys, "figures", "--store", demo_store)
    line = next(ln for ln in out.splitlines() if ln.startswith("hotline_work_orders"))
    assert "104件" in line and "12345处理工单数" in line and "fazhi_hotline" in line and "约写作 100余件" in line


def test_an_earlier_year_and_a_figure_without_data(demo_store, capsys):
    code, out, _ = run(capsys, "figures", "--store", demo_store, "--year", "2018", "--json")
    assert code == 0
    values = {f["name"]: f["value"] for f in json.loads(out)["figures"]}
    assert values["hotline_work_orders"] is None and values["hotline_worst_rank"] is None
    code, out, _ = run(capsys, "figures", "--store", demo_store, "--year", "2018")
    assert "无数据" in out


def test_a_failing_figure_costs_only_itself(demo_store, tmp_path, capsys):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "broken_figures.py").write_text(textwrap.dedent(BROKEN), "utf-8")
    code, out, err = run(capsys, "figures", "--store", demo_store, "--plugins-dir", folder, "--json")
    assert code == 1
    figures = {f["name"]: f for f in json.loads(out)["figures"]}
    assert figures["grid_workers"]["value"] == 69
    assert "ZeroDivisionError" in figures["ledger_broken"]["error"]
    assert "compute 应返回数字" in figures["ledger_text"]["error"]
    assert figures["ledger_none"]["value"] is None and figures["ledger_none"]["error"] is None


@pytest.mark.parametrize(
    ("value", "unit", "approximate", "text"),
    [
        (104, "件", True, "100余件"),
        (120, "次", True, "120次"),
        (104, "件", False, "104件"),
        (87.5, "分", True, "87.5分"),
    ],
)
def test_phrase_value(value, unit, approximate, text):
    assert phrase_value(value, unit, approximate=approximate) == text


# -- the host's people figures on a store of our own ------------------------------------------------
def person(pid, roles, grid=None, start="2020-01-01", end=None):
    return {
        "person_id": pid,
        "name": f"人{pid}",
        "roles": roles,
        "grid": grid,
        "start_date": dt.date.fromisoformat(start) if start else None,
        "end_date": dt.date.fromisoformat(end) if end else None,
    }


def grid(code, village):
    return {"code": code, "name": f"{village}网格", "kind": "综合", "village": village}


@pytest.fixture
def people_store(tmp_path):
    host = PluginHost.load(only=[])
    store = Store.open(tmp_path / "s", table_specs(host, Config()), create=True, user="测试员")
    store.append(
        "grids",
        [
            grid("41000000000101", "甲社区"),  # a 居委会: number 001
            grid("41000000020101", "东村"),
            grid("41000000020102", "东村"),  # a second grid of the same village
            grid("41000000020201", "西庄"),  # a village by its code, not its name
        ],
    )
    store.append(
        "people",
        [
            person("p1", ["法律明白人", "人民调解员"]),  # two of the three roles: counted once
            person("p2", ["法律联络员"], end="2023-06-30"),  # left during the year
            person("p3", ["人民调解员"], start="2024-02-01"),  # came after the year
            person("p4", ["法律明白人"], end="2024-01-05"),  # in post on 31 December
            person("c1", ["法律顾问"], grid="41000000000101"),  # a 居委会's counsel: not a village
            person("c2", ["法律顾问"], grid="41000000020101"),
            person("c3", ["法律顾问"], grid="41000000020102"),  # same village as c2
            person("c4", ["法律顾问"], grid="41000000020201", start=None),  # start unknown: in post
            person("l1", ["班子成员"]),
        ],
    )
    yield store
    store.close()


def ctx_of(store, year=2023, grid_=None):
    return Context(store=store, period=Period.year(year), today=dt.date(2024, 3, 1), grid=grid_)


def test_people_figures_count_each_person_once_in_post_on_the_last_day(people_store):
    figures = {f.name: f for f in host_figures()}
    ctx = ctx_of(people_store)
    assert figures["people_legal_helpers"].compute(ctx) == 2  # p1 and p4
    assert sorted(figures["people_legal_helpers"].records(ctx).column("person_id").to_pylist()) == ["p1", "p4"]
    assert figures["people_village_counsels"].compute(ctx) == 2  # 东村 and 西庄
    assert figures["people_village_counsels"].records(ctx).num_rows == 3
    assert figures["people_leaders"].compute(ctx) == 1
    assert figures["people_enforcement_team"].compute(ctx) == 0
    # 2024 (today 2024-03-01): p3 has come, p4 has gone.
    ids = figures["people_legal_helpers"].records(ctx_of(people_store, 2024)).column("person_id").to_pylist()
    assert sorted(ids) == ["p1", "p3"]
    one = ctx_of(people_store, grid_=Grid("41000000020101", "东村网格"))
    assert figures["people_village_counsels"].compute(one) == 1


def test_figure_book_computes_each_figure_once(people_store):
    host = PluginHost.load(only=[])
    calls = []
    book = FigureBook.load(host, people_store, Config(), 2023, dt.date(2024, 3, 1))
    plugin, fig = book.figures["people_leaders"]
    book.figures["people_leaders"] = (plugin, type(fig)(fig.name, fig.label, fig.unit, lambda c: calls.append(1) or 7))
    assert book.value("people_leaders").value == 7 and book.value("people_leaders").value == 7
    assert calls == [1]
    assert book.value("no_such_figure") is None
