"""The public plugin API: everything a plugin needs, and the only host module a plugin imports.

    from fazhi_tui.api import hookimpl, PanelSpec, Panel, Context, TableSpec, Column

``Panel`` and the other screen pieces (``RecordTable``, ``PagedTable``, ``BarChart``,
``RecordForm`` …) are Textual widgets and are imported on first use, so a plugin's
``queries.py`` can import this module without importing Textual (the CLI and the report run
its queries without a screen). See ``plugins/README.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .access import Access, AccessError
from .config import Config
from .context import ROLE_ADMIN, ROLE_CLERK, ROLE_VIEWER, WHOLE_TOWN, Context, Grid
from .contrib import (
    REPORT_PARTS,
    Command,
    Figure,
    GridFigure,
    LazyPanel,
    PanelSpec,
    PluginCheck,
    ReportSection,
    ReviewCheck,
    ReviewItem,
)
from .hookspecs import hookimpl
from .period import Period, day_expr, parse_date, period_condition
from .pii import mask_name, mask_phone, mask_table, mask_value
from .plugins import PluginHost
from .record_detail import RecordDetail, RecordVersion, record_detail
from .report.phrasing import approx, exact, phrase
from .store import (
    AT,
    BY,
    ID,
    OP,
    PII_KINDS,
    REV,
    Column,
    ComputedColumn,
    ImportNote,
    RecordNotFoundError,
    RefRule,
    RowRule,
    StaleRevisionError,
    Store,
    StoreError,
    TableCache,
    TableSpec,
    ValidationError,
)

# The store before ``access``: ``access`` imports the store's errors, whose package imports
# ``access`` back; starting from the store resolves that cycle when this module is imported first.
from .store import Store as _Store  # noqa: F401,I001
from .store.refs import resolve_reference
from .store.rules import PHONE_HINT, is_phone
from .store.views import qident
from .workdays import (
    add_working_days,
    calendar_note,
    calendar_years,
    is_official,
    is_working_day,
    working_days_between,
)

if TYPE_CHECKING:
    from .report import document as report_document
    from .report.assemble import Report, write_atomic
    from .report.assemble import assemble as assemble_report
    from .report.docx import write_docx as write_report_docx
    from .report.figures import FigureBook, FigureValue, phrase_value
    from .report.template import Block as ReportBlock
    from .report.template import known_figures
    from .transfer.exporter import export_rows
    from .ui.panel import Panel, PanelAction, PanelExport, requires_write
    from .ui.screens.export_dialog import ExportDialog
    from .ui.screens.record_form import CHECK, CHOICE, TEXT, FormDone, FormError, FormFailed, FormField, RecordForm
    from .ui.widgets.bar_chart import BarChart
    from .ui.widgets.paged_table import PagedTable, TablePage
    from .ui.widgets.record_table import RecordTable
    from .ui.widgets.record_view import RecordView

__all__ = [
    "AT",
    "BY",
    "ID",
    "OP",
    "REV",
    "REPORT_PARTS",
    "ROLE_ADMIN",
    "ROLE_CLERK",
    "ROLE_VIEWER",
    "WHOLE_TOWN",
    "Access",
    "AccessError",
    "approx",
    "assemble_report",
    "exact",
    "Config",
    "ExportDialog",
    "FigureBook",
    "FigureValue",
    "PluginHost",
    "Report",
    "ReportBlock",
    "export_rows",
    "known_figures",
    "phrase_value",
    "report_document",
    "write_atomic",
    "write_report_docx",
    "mask_name",
    "mask_phone",
    "mask_table",
    "mask_value",
    "period_condition",
    "phrase",
    "Column",
    "ComputedColumn",
    "PII_KINDS",
    "is_phone",
    "PHONE_HINT",
    "resolve_reference",
    "Command",
    "Context",
    "Grid",
    "Figure",
    "GridFigure",
    "Panel",
    "LazyPanel",
    "PanelSpec",
    "PluginCheck",
    "Period",
    "RecordNotFoundError",
    "RefRule",
    "ImportNote",
    "RowRule",
    "RecordTable",
    "RecordDetail",
    "RecordVersion",
    "RecordView",
    "record_detail",
    "ReportSection",
    "ReviewCheck",
    "ReviewItem",
    "BarChart",
    "CHECK",
    "CHOICE",
    "TEXT",
    "FormDone",
    "FormError",
    "FormFailed",
    "FormField",
    "PagedTable",
    "PanelAction",
    "PanelExport",
    "RecordForm",
    "TablePage",
    "requires_write",
    "StaleRevisionError",
    "Store",
    "StoreError",
    "TableCache",
    "TableSpec",
    "ValidationError",
    "day_expr",
    "hookimpl",
    "parse_date",
    "qident",
    "add_working_days",
    "calendar_note",
    "calendar_years",
    "is_official",
    "is_working_day",
    "working_days_between",
]

# Imported on first use: the screen pieces (Textual), and the report's machinery, which only the
# report and its preview need (every start would pay for importing it with the plugins).
_LAZY = {
    "report_document": "fazhi_tui.report.document",
    "Report": "fazhi_tui.report.assemble",
    "write_atomic": "fazhi_tui.report.assemble",
    "assemble_report": "fazhi_tui.report.assemble",
    "FigureBook": "fazhi_tui.report.figures",
    "FigureValue": "fazhi_tui.report.figures",
    "phrase_value": "fazhi_tui.report.figures",
    "ReportBlock": "fazhi_tui.report.template",
    "known_figures": "fazhi_tui.report.template",
    "ExportDialog": "fazhi_tui.ui.screens.export_dialog",
    "export_rows": "fazhi_tui.transfer.exporter",
    "write_report_docx": "fazhi_tui.report.docx",
    "Panel": "fazhi_tui.ui.panel",
    "PanelAction": "fazhi_tui.ui.panel",
    "PanelExport": "fazhi_tui.ui.panel",
    "requires_write": "fazhi_tui.ui.panel",
    "RecordTable": "fazhi_tui.ui.widgets.record_table",
    "RecordView": "fazhi_tui.ui.widgets.record_view",
    "PagedTable": "fazhi_tui.ui.widgets.paged_table",
    "TablePage": "fazhi_tui.ui.widgets.paged_table",
    "BarChart": "fazhi_tui.ui.widgets.bar_chart",
    **{
        name: "fazhi_tui.ui.screens.record_form"
        for name in ("RecordForm", "FormField", "FormError", "FormDone", "FormFailed", "TEXT", "CHOICE", "CHECK")
    },
}


def __getattr__(name: str) -> Any:
    # PEP 562: the widgets (and with them Textual) load only when a panel module asks for them.
    if name in _LAZY:
        import importlib

        module = importlib.import_module(_LAZY[name])
        if name == "report_document":
            return module
        renamed = {"write_report_docx": "write_docx", "assemble_report": "assemble", "ReportBlock": "Block"}
        return getattr(module, renamed.get(name, name))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
