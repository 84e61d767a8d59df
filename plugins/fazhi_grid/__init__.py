"""网格地图 (grid map): the town's grids drawn in the terminal, coloured by a figure per grid.

The hooks only. ``queries`` (grids, people, metrics, legend bins), ``figures`` (the report's
counts: grids, grid heads, grid workers) and ``geometry`` (projection, rasterising, neighbours, labels) import no Textual; ``panel`` is the
screen and is imported inside ``fazhi_panels`` so the CLI never loads Textual for this plugin.
"""

from fazhi_tui.api import LazyPanel, PanelSpec, hookimpl

__version__ = "0.1.0"


@hookimpl
def fazhi_panels():
    # The panel's module (Textual) is imported when the panel is first shown (LazyPanel).
    return [
        PanelSpec(
            "grid_map",
            "网格地图",
            LazyPanel(f"{__name__}.panel", "GridMapPanel"),
            order=100,
            key="w",
            description="各网格的边界与指标；方向键选网格，Enter 设为当前网格，Esc 回到全镇",
        )
    ]


@hookimpl
def fazhi_figures():
    from .figures import grid_figures

    return grid_figures()
