"""每日待办 (the daily review): one keyboard-driven list of what every plugin's checks find for
today and the selected grid, with marks (handled, snoozed, assigned) kept in the store.

The hooks only. The queue is built in ``queue`` (no Textual), marks are written in ``marks``,
``digest`` prints the queue for ``fazhi-tui review``; the panel (``panel.py``, ``widgets/``) shows it.
"""

from fazhi_tui.api import LazyPanel, PanelSpec, hookimpl

__version__ = "0.1.0"


@hookimpl
def fazhi_tables():
    from .tables import MARKS_SPEC

    return [MARKS_SPEC]


@hookimpl
def fazhi_panels():
    # The panel's module (Textual) is imported when the panel is first shown (LazyPanel).
    from .queue import open_count

    return [
        PanelSpec(
            "review",
            "每日待办",
            LazyPanel(f"{__name__}.panel", "ReviewPanel"),
            order=950,
            key="h",
            description="各插件的今日待办：超期与到期工单、待回访、待整改……；处理、暂缓、指派",
            badge=open_count,
        )
    ]
