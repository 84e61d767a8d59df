"""数据概览: how many records each table holds in the period and grid.

The smallest built-in panel: it proves the plugin contract end to end, and staff use it to
see at a glance what the store holds. Registered through the ``fazhi_tui`` entry-point group
like any third-party plugin.
"""

from fazhi_tui.api import LazyPanel, PanelSpec, hookimpl

__version__ = "0.1.0"


@hookimpl
def fazhi_panels():
    # The panel's module (Textual) is imported when the panel is first shown (LazyPanel).
    panel = LazyPanel(f"{__name__}.panel", "OverviewPanel")
    return [PanelSpec("overview", "数据概览", panel, order=900, description="各表在本期、本网格的记录数")]
