"""What 报告预览 looks like over the demo store (today 2024-03-01, the 2023 report): at 80x24 with
the cursor on a figure of 一(一), and at 120x40 on the hotline's figures in 二(二)
(`pytest --snapshot-update` rewrites them after a change has been looked at)."""

from __future__ import annotations

import pytest

from ..shell_fixtures import settle
from ..test_report_panel import report_app


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("FAZHI_TODAY", "2024-03-01")


def test_report_preview_80x24(snap_compare, tmp_path):
    async def on_grid_workers(pilot):
        await settle(pilot)
        await pilot.press("y", "left_square_bracket")
        await settle(pilot)
        await pilot.press("right", "right")
        await pilot.pause()

    assert snap_compare(report_app(tmp_path), terminal_size=(80, 24), run_before=on_grid_workers)


def test_report_preview_120x40(snap_compare, tmp_path):
    async def on_the_hotline(pilot):
        await settle(pilot)
        await pilot.press("y", "left_square_bracket")
        await settle(pilot)
        from fazhi_report.panel import ReportPanel

        panel = pilot.app.query_one(ReportPanel)
        for _ in range(60):
            if panel.preview.spots[panel.cursor_spot].name == "hotline_work_orders":
                break
            await pilot.press("right")
        assert panel.preview.spots[panel.cursor_spot].name == "hotline_work_orders"
        await pilot.pause()

    assert snap_compare(report_app(tmp_path), terminal_size=(120, 40), run_before=on_the_hotline)
