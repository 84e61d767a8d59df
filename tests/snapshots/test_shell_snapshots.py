"""What the shell looks like at 80x24 and 120x40 (SVG snapshots; `pytest --snapshot-update`
rewrites them after a change has been looked at)."""

from __future__ import annotations

from fazhi_tui.testing import settle

from ..shell_fixtures import make_app, write_plugin


async def settled(pilot) -> None:
    await settle(pilot)


def test_dashboard_80x24(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(80, 24), run_before=settled)


def test_overview_120x40(snap_compare, tmp_path):
    async def overview_of_2025_in_a_grid(pilot):
        await settle(pilot)
        await pilot.press("2", "left_square_bracket", "g", *"周营", "enter")
        await settle(pilot)

    assert snap_compare(make_app(tmp_path), terminal_size=(120, 40), run_before=overview_of_2025_in_a_grid)


def test_help_80x24(snap_compare, tmp_path):
    async def help(pilot):
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(tmp_path), terminal_size=(80, 24), run_before=help)


def test_failed_panel_120x40(snap_compare, tmp_path):
    folder = write_plugin(
        tmp_path / "plugins",
        "broken",
        """
        from fazhi_tui.api import Panel, PanelSpec, hookimpl

        class Broken(Panel):
            def load(self, ctx):
                raise ValueError("统计口径未配置")

        @hookimpl
        def fazhi_panels():
            return [PanelSpec("broken", "坏面板", Broken, order=1)]
        """,
    )
    from ..shell_fixtures import EXAMPLES

    assert snap_compare(make_app(tmp_path, plugin_dirs=[EXAMPLES, folder]), terminal_size=(120, 40), run_before=settled)
