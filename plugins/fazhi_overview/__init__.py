"""数据概览: how many records each table holds in the period and grid.

The smallest built-in panel: it proves the plugin contract end to end, and staff use it to
see at a glance what the store holds. Registered through the ``fazhi_tui`` entry-point group
like any third-party plugin.
"""

from fazhi_tui.api import PanelSpec, hookimpl

__version__ = "0.1.0"


@hookimpl
def fazhi_panels():
    # The panel module imports Textual; importing it here, not at the top, keeps the CLI's
    # start-up free of it (the CLI loads every plugin but shows no panel).
    from .panel import OverviewPanel

    return [PanelSpec("overview", "数据概览", OverviewPanel, order=900, description="各表在本期、本网格的记录数")]
