"""值班安排 (duty roster): an example plugin that uses every hook of fazhi-tui.

Who is on duty at the township office each day, and in which grid. Load it with
``fazhi-tui --plugins-dir examples`` (or list the folder in the config's ``plugins_dirs``);
``fazhi-tui demo --plugins-dir examples`` gives it demo data. Read with ``plugins/README.md``.

The layout every plugin follows: hooks here, figures in ``queries.py`` (no Textual, so the CLI
and the report can use them), widgets in ``panel.py``.
"""

from fazhi_tui.api import Command, Figure, GridFigure, PanelSpec, ReportSection, ReviewCheck, hookimpl

from . import queries

__version__ = "0.1.0"


@hookimpl
def fazhi_tables():
    return [queries.DUTY_SHIFTS]


@hookimpl
def fazhi_panels():
    from .panel import DutyPanel  # Textual only when the dashboard asks for panels

    return [PanelSpec("duty_roster", "值班安排", DutyPanel, order=500, key="z", description="本期的值班班次")]


@hookimpl
def fazhi_review_checks():
    return [ReviewCheck("duty_unassigned", "值班未排", queries.unassigned_days)]


@hookimpl
def fazhi_commands():
    return [Command("duty_today", "今日值班", queries.on_duty_message, "显示今日值班人员")]


@hookimpl
def fazhi_report_sections():
    return [ReportSection("duty_summary", "二", "值班值守", queries.report_paragraphs, order=900)]


@hookimpl
def fazhi_grid_figures():
    return [GridFigure("duty_shifts", "值班班次", queries.shifts_per_grid, unit="班次")]


@hookimpl
def fazhi_figures():
    return [
        Figure(
            "duty_shifts_total",
            "值班班次",
            "班次",
            queries.shift_count,
            records=queries.shift_rows,
            table="duty_shifts",
        )
    ]


@hookimpl
def fazhi_demo_rows(store, today, seed):
    return {"duty_shifts": queries.demo_shifts(store, today, seed)}
