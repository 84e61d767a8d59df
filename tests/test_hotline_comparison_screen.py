"""The hotline's comparison table at 120x40 (issue 20): in the quarter view, a custom range and
with a grid picked, every label and number is whole (wrapped onto two lines where needed, never
cut with "…"); an unfinished period says up to which day it counts."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from fazhi_tui.config import Config
from fazhi_tui.demo import build_demo
from fazhi_tui.period import Period
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store
from fazhi_tui.testing import set_view, settle, text_of
from fazhi_tui.ui.app import FazhiApp

LABELS = ("受理量", "工单", "电话单", "办结率", "按期办结率", "超期件数", "满意率", "回访率", "退单率", "重复来电")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    host = PluginHost.load(only=["fazhi_hotline"])
    root = tmp_path_factory.mktemp("comparison") / "store"
    build_demo(root, host, table_specs(host, Config()), dt.date(2026, 11, 26))
    return root


def make_app(demo_store, tmp_path) -> FazhiApp:
    shutil.copytree(demo_store, tmp_path / "store")
    host = PluginHost.load(only=["fazhi_hotline"])
    return FazhiApp(Config(), host, Store.open(tmp_path / "store", table_specs(host, Config()), user="测试员"))


@pytest.mark.parametrize(
    ("period", "grid", "words"),
    [
        (Period.quarter(2025, 1), None, ("2025年", "第一季度", "2024年", "第四季度")),
        (Period.between(dt.date(2025, 3, 1), dt.date(2025, 5, 31)), None, ("2025-03-01", "至2025-05-31")),
        (Period.quarter(2025, 3), "周营村网格", ("第三季度", "第二季度")),
        (Period.year(2026), None, ("2026年", "2025年", "截至11月26日")),
    ],
)
async def test_the_comparison_is_never_cut(demo_store, tmp_path, period, grid, words):
    app = make_app(demo_store, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await set_view(pilot, period=period, grid=grid)
        await pilot.pause()
        panel = app.query_one("HotlinePanel")
        text = text_of(panel.query_one("#figures"))
        assert "…" not in text, text
        lines = text.splitlines()
        for label in LABELS:
            assert any(line.lstrip("　 ").startswith(label) for line in lines), (label, text)
        for word in words:
            assert word in text, (word, text)
        changes = [r.change for r in panel.view.figures.rows() if r.change]
        flat = text.replace("\n", "").replace(" ", "")
        for change in changes:
            assert change.replace(" ", "") in flat  # whole, perhaps on two lines
        if period.end <= dt.date(2026, 11, 26):
            assert "截至" not in text  # a finished period says nothing of the kind
