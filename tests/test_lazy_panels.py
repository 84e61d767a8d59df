"""``LazyPanel``: a panel's module is imported when the panel is first shown, not at start-up."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from fazhi_tui.config import Config
from fazhi_tui.contrib import LazyPanel
from fazhi_tui.testing import settle
from fazhi_tui.ui.widgets.panel_slot import PanelSlot

from .shell_fixtures import EXAMPLES, make_app, write_plugin

BUILT_IN_PANELS = [
    "fazhi_grid.panel",
    "fazhi_enforcement.panel",
    "fazhi_training.panel",
    "fazhi_hotline.panel",
    "fazhi_ledger.panel",
    "fazhi_report.panel",
    "fazhi_overview.panel",
    "fazhi_review.panel",
]


def test_built_in_panels_are_listed_without_importing_them():
    # A fresh interpreter: this process's modules are whatever earlier tests imported.
    code = textwrap.dedent(
        """
        import json, sys
        from fazhi_tui.config import Config
        from fazhi_tui.runtime import load_plugins
        host = load_plugins(Config())
        panels = [c.value.name for c in host.panels()]
        loaded = sorted(m for m in sys.modules if m.startswith("fazhi_") and m.endswith(".panel"))
        print(json.dumps({"panels": panels, "loaded": loaded, "textual": "textual" in sys.modules}))
        """
    )
    out = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert {"grid_map", "enforcement", "training", "hotline", "ledger", "report_preview", "overview", "review"} <= set(
        out["panels"]
    )
    assert out["loaded"] == [], "panel modules imported at start-up"
    assert out["textual"] is False


def test_every_built_in_panel_names_an_importable_panel_class():
    from fazhi_tui.runtime import load_plugins
    from fazhi_tui.ui.panel import Panel

    host = load_plugins(Config())
    lazy = [c.value.factory for c in host.panels() if isinstance(c.value.factory, LazyPanel)]
    assert sorted(f.module for f in lazy) == sorted(BUILT_IN_PANELS)
    for factory in lazy:
        assert issubclass(factory.load(), Panel), factory


LAZY_PLUGIN_INIT = """
    from fazhi_tui.api import LazyPanel, PanelSpec, hookimpl

    @hookimpl
    def fazhi_panels():
        return [
            PanelSpec("lazy_one", "懒加载面板", LazyPanel(f"{__name__}.screen", "LazyOne"), order=1),
            PanelSpec("lazy_gone", "缺模块面板", LazyPanel(f"{__name__}.missing", "Nothing"), order=2),
        ]
"""

LAZY_PLUGIN_SCREEN = """
    from textual.binding import Binding
    from textual.widgets import Static
    from fazhi_tui.api import Panel

    class LazyOne(Panel):
        BINDINGS = [Binding("n", "noop", "无操作", id="lazy_one.noop")]

        def compose_body(self):
            yield Static("", id="lazy-text")

        def load(self, ctx):
            return ctx.period.label

        def show(self, data):
            self.query_one("#lazy-text", Static).update("期间 " + data)
"""


async def test_a_lazy_panel_is_made_when_shown_and_a_missing_module_is_an_error_box(tmp_path):
    folder = write_plugin(
        tmp_path / "plugins",
        "lazy_demo",
        "",
        files={"__init__.py": LAZY_PLUGIN_INIT, "screen.py": LAZY_PLUGIN_SCREEN},
    )
    config = Config()
    config.keys = {"lazy_one.noop": "m"}  # a [keys] entry for a binding of a panel not yet imported
    app = make_app(tmp_path, plugin_dirs=[EXAMPLES, folder], config=config)
    async with app.run_test() as pilot:
        await settle(pilot)
        # The binding id of the lazily named class is known (no "unknown key" notice for it).
        assert "lazy_one.noop" in app.known_binding_ids()
        slot = app.query_one("#slot-lazy_one", PanelSlot)
        assert slot.panel is not None and type(slot.panel).__name__ == "LazyOne"
        assert "期间" in str(slot.panel.query_one("#lazy-text").render())
        await pilot.press("2")
        await settle(pilot)
        gone = app.query_one("#slot-lazy_gone", PanelSlot)
        assert gone.panel is None and gone.error is not None
        assert "missing" in gone.error
        assert any("lazy_gone" in e and "无法导入" in e for e in app.host.infos["lazy_demo"].errors)
