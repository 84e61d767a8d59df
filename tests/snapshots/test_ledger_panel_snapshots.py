"""What the 工作台账 panel looks like on hand-made rows with an office's own category (today
2026-11-26): the figures of 2023 at 80x24, the rectification list of 2026 at 120x40
(`pytest --snapshot-update` rewrites them after a change has been looked at)."""

from __future__ import annotations

from fazhi_tui.testing import settle

from ..test_ledger_panel import make_app


async def _ledger_2023(pilot):
    await settle(pilot)
    await pilot.press("l")
    await settle(pilot)
    for _ in range(3):
        await pilot.press("left_square_bracket")
        await settle(pilot)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def test_ledger_figures_80x24(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(80, 24), run_before=_ledger_2023)


def test_ledger_rectification_120x40(snap_compare, tmp_path):
    async def rectify(pilot):
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("t", "t")
        await settle(pilot)
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()

    assert snap_compare(make_app(tmp_path), terminal_size=(120, 40), run_before=rectify)
