"""12345热线 (民呼必应): tickets, working-day deadlines, the township's figures and quarterly rank,
the report's hotline sentence and the daily review's hotline items.

The hooks only. One module per concern, none of which imports Textual: ``settings``,
``conditions`` (which tickets a query reads), ``headline`` (the figures), ``breakdowns``,
``overview``, ``ranking``, ``open_list``, ``history`` (one ticket), ``deadlines``, ``tickets``
(the writes), ``report``, ``review``, ``demo``; ``queries`` re-exports the read side under one
name. The screen is ``panel.py`` with one widget per tab in ``widgets/``.
"""

from fazhi_tui.api import Command, GridFigure, LazyPanel, PanelSpec, ReviewCheck, hookimpl

__version__ = "0.1.0"


@hookimpl
def fazhi_tables():
    from .tables import HOTLINE_SPEC, RANKS_SPEC

    return [HOTLINE_SPEC, RANKS_SPEC]


@hookimpl
def fazhi_panels():
    # The panel's module (Textual) is imported when the panel is first shown (LazyPanel).
    return [
        PanelSpec(
            "hotline",
            "12345热线",
            LazyPanel(f"{__name__}.panel", "HotlinePanel"),
            order=400,
            description="受理量、办结率、满意率等与上期比较，月度趋势，分类与网格，季度排名，未办结工单",
            record_tables=("hotline",),
        )
    ]


@hookimpl
def fazhi_review_checks():
    from . import review

    return [
        ReviewCheck("hotline_overdue", "12345工单超期", review.overdue, order=300),
        ReviewCheck("hotline_due_soon", "12345工单即将到期（一个工作日内）", review.due_soon, order=301),
        ReviewCheck("hotline_unsatisfied", "12345回访不满意", review.unsatisfied, order=302),
    ]


@hookimpl
def fazhi_commands():
    from .open_list import open_summary

    return [
        Command(
            "hotline_open_summary",
            "12345未办结工单概况",
            open_summary,
            description="未办结工单件数，其中超期、即将到期（一个工作日内）各几件（不分受理期间）",
        )
    ]


@hookimpl
def fazhi_grid_figures():
    from .breakdowns import tickets_per_grid

    # Every grid is in the breakdown (zeros too); per 1,000 residents compares grids of different sizes.
    return [GridFigure("hotline_tickets", "12345工单", tickets_per_grid, unit="件", missing="zero", per_1000=True)]


@hookimpl
def fazhi_figures():
    from .figures import hotline_figures

    return hotline_figures()


@hookimpl
def fazhi_demo_rows(store, today, seed):
    from .demo import hotline_demo_rows

    return hotline_demo_rows(store, today, seed)
