"""工作台账: the general work ledger. One table of typed categories (meetings, legal counsel,
disclosure, publicity, volunteers, inspections and rectification, integrity education, citizens'
demands, model villages, honours, systems) that feeds about twenty figures of the annual report;
an office adds a category in its config (``[plugin.fazhi_ledger.categories]``).

The hooks only: categories in ``categories``, the table in ``tables``, figures in ``figures``,
lists and writes in ``lists``, review checks in ``review``, demo rows in ``demo`` (none imports
Textual); the screen in ``panel`` and ``widgets``.
"""

from functools import partial

from fazhi_tui.api import GridFigure, LazyPanel, PanelSpec, ReviewCheck, hookimpl

__version__ = "0.1.0"


@hookimpl
def fazhi_configure(settings):
    from . import categories

    categories.configure(settings)


@hookimpl
def fazhi_tables():
    from .categories import current
    from .tables import work_items_spec

    return [work_items_spec(current())]


@hookimpl
def fazhi_panels():
    # The panel's module (Textual) is imported when the panel is first shown (LazyPanel).
    return [
        PanelSpec(
            "ledger",
            "工作台账",
            LazyPanel(f"{__name__}.panel", "LedgerPanel"),
            order=500,
            key="l",
            description="各类工作的次数、数量与上期、全年目标比较；整改问题的期限与销号",
            record_tables=("work_items",),
        )
    ]


@hookimpl
def fazhi_figures():
    from .figures import report_figures

    return report_figures()


@hookimpl
def fazhi_grid_figures():
    from .categories import current
    from .figures import grid_values

    return [
        GridFigure(f.name, f"{f.label}（{c.name}）", partial(grid_values, f), unit=f.unit)
        for c in current().items
        if c.grids and (f := c.primary) is not None
    ]


@hookimpl
def fazhi_review_checks():
    from . import review

    return [
        ReviewCheck("ledger_rectify_overdue", "整改问题超过期限", review.rectify_overdue, order=500),
        ReviewCheck("ledger_behind_target", "工作进度落后于全年目标", review.behind_target, order=501),
    ]


@hookimpl
def fazhi_demo_rows(store, today, seed):
    from .demo import ledger_demo_rows

    return ledger_demo_rows(store, today, seed)
