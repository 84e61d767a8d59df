"""网格地图 (grid map): the town's grids drawn in the terminal, coloured by a figure per grid.

The hooks only. ``queries`` (grids, people, metrics, legend bins, the report's sentences), ``figures``
(the report's counts) and
``geometry`` (projection, rasterising, neighbours, labels) import no Textual; ``panel`` is the
screen and is imported inside ``fazhi_panels`` so the CLI never loads Textual for this plugin.
"""

from fazhi_tui.api import PanelSpec, ReportSection, hookimpl

__version__ = "0.1.0"


@hookimpl
def fazhi_panels():
    from .panel import GridMapPanel

    return [
        PanelSpec(
            "grid_map",
            "网格地图",
            GridMapPanel,
            order=100,
            key="w",
            description="各网格的边界与指标；方向键选网格，Enter 设为当前网格，Esc 回到全镇",
        )
    ]


@hookimpl
def fazhi_report_sections():
    from .queries import grid_paragraphs, people_paragraphs

    return [
        # 一(一): 设置镇村两级网格23个，设网格长23个，网格员69名……
        ReportSection("grid_network", "一", "网格化治理", grid_paragraphs, order=110),
        # 二(三): 培养法律联络员、法律明白人、人民调解员46名……
        ReportSection("grid_people_by_role", "二", "基层法治队伍", people_paragraphs, order=300),
    ]


@hookimpl
def fazhi_figures():
    from .figures import grid_figures

    return grid_figures()
