"""The import preview at 80x24 and 120x40 (SVG snapshots; `pytest --snapshot-update` rewrites
them after a change has been looked at)."""

from __future__ import annotations

from textual.widgets import Select

from fazhi_tui.testing import settle

from ..shell_fixtures import make_app

CSV = (
    "班次编号,值班日期,类型,值班人员,带班领导,值守网格,备注,备用\n"
    "2026-12-01-1,2026-12-01,工作日值班,王五,李镇长,周营村网格,,x\n"
    "2026-12-05-1,2026年12月5日,周末值班,赵六,,,节前加强巡查,\n"
    "2026-12-06-1,2026/12/6,周末值班,钱七,李镇长,赵庄村网格,,\n"
)


def preview_of(tmp_path):
    path = tmp_path / "值班安排.csv"
    path.write_text(CSV, "utf-8")

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        pilot.app.screen.query_one("#import-table", Select).value = "duty_shifts"
        pilot.app.screen.query_one("#import-path").value = str(path)
        await pilot.press("enter")
        await settle(pilot)

    return run_before


def test_import_preview_80x24(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(80, 24), run_before=preview_of(tmp_path))


def test_import_preview_120x40(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(120, 40), run_before=preview_of(tmp_path))
