"""Every hotline query under one name, for callers that import them from one place (the
benchmarks, scripts and other plugins' code written before the split).

Nothing is defined here: each function lives in the module of its concern — ``settings``,
``conditions``, ``headline`` (the figures), ``breakdowns``, ``overview``, ``ranking``,
``open_list`` and ``history``. New code imports from those.
"""

from __future__ import annotations

from .breakdowns import (
    CATEGORY_LABELS,
    GRID_LABELS,
    TREND_LABELS,
    category_breakdown,
    grid_breakdown,
    monthly_trend,
    tickets_per_grid,
    trend_period,
)
from .conditions import NO_GRID, UNCATEGORISED, overdue_expr, previous_period, scope_condition, where
from .headline import FigureRow, FiguresComparison, HotlineFigures, Rate, figures, figures_only, year_counts
from .history import FieldChange, TicketDetail, VersionChange, format_value, ticket_detail
from .masking import mask_name, mask_phone, mask_record, mask_table, may_see_pii
from .open_list import (
    DUE_SOON_FLAG,
    OPEN_COLUMNS,
    OPEN_LABELS,
    OVERDUE_FLAG,
    OpenKey,
    OpenPage,
    due_soon_until,
    keep_open_rows,
    open_condition,
    open_counts,
    open_tickets,
)
from .overview import Overview, overview
from .ranking import (
    COMPUTED,
    PUBLISHED,
    QuarterRank,
    TownScore,
    composite_score,
    computed_ranking,
    published_ranks,
    quarter_ranks,
    quarters_of,
    rank_towns,
)
from .settings import DEFAULT_RANK_WEIGHTS, HotlineSettings, settings_of
from .tables import CALLBACKS

__all__ = [
    "CALLBACKS",
    "CATEGORY_LABELS",
    "COMPUTED",
    "DEFAULT_RANK_WEIGHTS",
    "DUE_SOON_FLAG",
    "GRID_LABELS",
    "NO_GRID",
    "OPEN_COLUMNS",
    "OPEN_LABELS",
    "OVERDUE_FLAG",
    "PUBLISHED",
    "TREND_LABELS",
    "UNCATEGORISED",
    "FieldChange",
    "FigureRow",
    "FiguresComparison",
    "HotlineFigures",
    "HotlineSettings",
    "OpenKey",
    "OpenPage",
    "Overview",
    "QuarterRank",
    "Rate",
    "TicketDetail",
    "TownScore",
    "VersionChange",
    "category_breakdown",
    "composite_score",
    "computed_ranking",
    "due_soon_until",
    "figures",
    "figures_only",
    "format_value",
    "grid_breakdown",
    "mask_name",
    "mask_phone",
    "mask_record",
    "mask_table",
    "may_see_pii",
    "monthly_trend",
    "open_condition",
    "keep_open_rows",
    "open_counts",
    "open_tickets",
    "overdue_expr",
    "overview",
    "previous_period",
    "published_ranks",
    "quarter_ranks",
    "quarters_of",
    "rank_towns",
    "scope_condition",
    "settings_of",
    "ticket_detail",
    "tickets_per_grid",
    "trend_period",
    "where",
    "year_counts",
]
