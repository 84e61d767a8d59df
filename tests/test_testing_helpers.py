"""The public test helpers (``fazhi_tui.testing``), used as a plugin's tests use them: the
example plugin loaded from its folder into a demo store, its queries under a context, its panel
in the running app, a failing panel asserted, ``async def`` tests without a decorator."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fazhi_tui.period import Period
from fazhi_tui.testing import TODAY, assert_panel_failed, make_env, open_panel, parse_period, run_app

from .shell_fixtures import EXAMPLES, write_plugin


@pytest.fixture
def fazhi_plugins():
    return ["duty_roster"]


@pytest.fixture
def fazhi_plugin_dirs():
    return [EXAMPLES]


def duty_queries():
    # A folder plugin is imported as ``fazhi_tui_plugins.<folder name>``.
    return sys.modules["fazhi_tui_plugins.duty_roster.queries"]


def test_env_is_a_demo_store_with_only_the_plugin_loaded(fazhi_env, fazhi_store):
    assert fazhi_env.failures == {}
    assert fazhi_env.host.infos["duty_roster"].source == "folder"
    assert fazhi_store.count("duty_shifts") > 0 and fazhi_store.count("grids") == 23
    assert "hotline" not in fazhi_store.specs


def test_context_for_a_period_and_a_grid(fazhi_context, fazhi_store):
    ctx = fazhi_context("2026Q4", grid="大黄村网格")
    assert ctx.period == Period.quarter(2026, 4) and ctx.today == TODAY
    assert (ctx.grid.code, ctx.grid.village) == ("41042110820201", "大黄村")
    by_hand = fazhi_store.query(
        "SELECT count(*) AS n FROM duty_shifts WHERE day >= DATE '2026-10-01' AND day < DATE '2027-01-01' "
        "AND grid = '41042110820201'"
    ).to_pylist()[0]["n"]
    assert duty_queries().shift_count(ctx) == (by_hand or None)
    whole_town = fazhi_context(2026)
    assert whole_town.grid is None and whole_town.period == Period.year(2026)
    with pytest.raises(ValueError, match="0 grids"):
        fazhi_context(2026, grid="无此网格")


@pytest.mark.parametrize(
    "text, period",
    [
        ("2026", Period.year(2026)),
        (2025, Period.year(2025)),
        ("2026Q3", Period.quarter(2026, 3)),
        ("2026-03", Period.month(2026, 3)),
        ("2026-03-01..2026-05-31", Period.between(Period.month(2026, 3).start, Period.month(2026, 5).last)),
    ],
)
def test_parse_period(text, period):
    assert parse_period(text) == period


async def test_an_async_test_runs_the_panel_under_the_app(fazhi_env):
    async with run_app(fazhi_env, period="2026Q4") as pilot:
        panel = await open_panel(pilot, "duty_roster")
        assert panel is not None and panel.context is not None
        assert panel.context.period == Period.quarter(2026, 4)
        with pytest.raises(AssertionError, match="shows no error box"):
            assert_panel_failed(pilot, "duty_roster")


async def test_assert_panel_failed_names_the_plugin(tmp_path):
    folder = write_plugin(
        tmp_path / "plugins",
        "broken_panel",
        """
        from textual.widgets import Static
        from fazhi_tui.api import Panel, PanelSpec, hookimpl

        class Broken(Panel):
            def compose_body(self):
                yield Static("")

            def load(self, ctx):
                raise ValueError("查询坏了")

        @hookimpl
        def fazhi_panels():
            return [PanelSpec("broken_panel", "坏面板", Broken, order=1)]
        """,
    )
    env = make_env(tmp_path / "store", ["broken_panel"], [folder], demo=False)
    try:
        async with run_app(env) as pilot:
            await open_panel(pilot, "broken_panel")
            text = assert_panel_failed(pilot, "broken_panel", "查询出错", "ValueError: 查询坏了")
            assert "插件 broken_panel 的面板「坏面板」出错" in text
    finally:
        env.close()


def test_a_plugins_own_tests_get_the_fixtures_and_async_runner_from_the_entry_point(tmp_path):
    """In a fresh pytest process, with nothing of this repository's tests: the plugin loads
    through the ``pytest11`` entry point, configured by the ini options."""
    (tmp_path / "pytest.ini").write_text(
        f"[pytest]\nfazhi_plugins = duty_roster\nfazhi_plugin_dirs = {EXAMPLES}\n", "utf-8"
    )
    (tmp_path / "test_plugin.py").write_text(
        textwrap.dedent(
            """
            import asyncio

            def test_env(fazhi_env, fazhi_context):
                assert fazhi_env.store.count("duty_shifts") > 0
                assert fazhi_context(2026).period.label == "2026年"

            async def test_async_runs():
                await asyncio.sleep(0)

            async def test_async_failure_is_reported():
                await asyncio.sleep(0)
                assert False, "ran"
            """
        ),
        "utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "1 failed, 2 passed" in run.stdout, run.stdout + run.stderr
    assert "AssertionError: ran" in run.stdout
    assert Path(tmp_path / "store").exists() is False  # the store lives in pytest's tmp_path
