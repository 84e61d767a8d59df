"""The host's own contributions, made through the same hooks as any plugin."""

from __future__ import annotations

from .hookspecs import hookimpl
from .host_tables import HOST_TABLES


@hookimpl
def fazhi_tables():
    from .report.document import REPORT_PARAGRAPHS

    return [*HOST_TABLES, REPORT_PARAGRAPHS]


@hookimpl
def fazhi_demo_rows(store, today, seed):
    from . import demo_people

    return demo_people.host_demo_rows(today, seed)


@hookimpl
def fazhi_figures():
    from .host_figures import host_figures

    return host_figures()
