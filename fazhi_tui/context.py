"""What every panel, command, review check and report section works within.

A ``Context`` is a frozen snapshot: the store, the period, the selected grid, today, the user.
A query started with one context keeps it even if the user steps the period meanwhile, so a
late result can be recognised as stale and dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pyarrow as pa

from .access import ADMIN, CLERK, ROLE_LABELS, VIEWER, Access
from .period import Period, period_condition
from .store import Store
from .store.views import qident

ROLE_ADMIN = ROLE_LABELS[ADMIN]
ROLE_CLERK = ROLE_LABELS[CLERK]
ROLE_VIEWER = ROLE_LABELS[VIEWER]
WHOLE_TOWN = "全镇"


@dataclass(frozen=True)
class Grid:
    """A grid (网格) as the picker and the header show it."""

    code: str
    name: str
    village: str = ""


@dataclass(frozen=True, eq=False)
class Context:
    store: Store
    period: Period
    today: dt.date
    grid: Grid | None = None  # None: the whole town
    user: str = ""
    role: str = ROLE_VIEWER
    town: str = ""
    settings: Mapping[str, Any] = field(default_factory=dict)  # this plugin's [plugin.<name>] config
    # Every plugin's per-grid figures (GridFigure records), so the map can colour by them
    # without importing the plugins that compute them.
    grid_figures: tuple = ()
    # Every plugin's review checks (``PluginCheck``: plugin, check, its settings) in load order, so
    # the daily review can merge them without importing the plugins that wrote them.
    review_checks: tuple = ()

    @property
    def access(self) -> Access:
        """The user's role in the store and what it allows (see ``fazhi_tui.access``)."""
        return self.store.access

    @property
    def sees_pii(self) -> bool:
        """Whether personal information may be shown unmasked to this user."""
        return self.store.access.sees_pii

    def may_write(self, table: str) -> bool:
        return self.store.access.may_write(table)

    @property
    def grid_label(self) -> str:
        return self.grid.name if self.grid is not None else WHOLE_TOWN

    def same_view(self, other: Context | None) -> bool:
        """Whether two contexts select the same data (same store, period and grid)."""
        return (
            other is not None
            and other.store is self.store
            and other.period == self.period
            and other.grid == self.grid
            and other.today == self.today
        )

    def replace(self, **changes: Any) -> Context:
        return replace(self, **changes)

    def where(self, table: str, alias: str | None = None) -> tuple[str, list[Any]]:
        """The SQL condition that keeps ``table``'s rows in this period and grid, and its
        parameters. A table without a ``period_column`` (or ``grid_column``) is not filtered by
        it. Use as ``cond, params = ctx.where("t"); ctx.query(f"... WHERE {cond}", params)``."""
        spec = self.store.spec(table)
        conditions: list[str] = []
        params: list[Any] = []
        if spec.period_column is not None:
            cond, bounds = period_condition(spec, spec.period_column, self.period.start, self.period.end, alias)
            conditions.append(cond)
            params += bounds
        if self.grid is not None and spec.grid_column is not None:
            column = qident(spec.grid_column) if alias is None else f"{qident(alias)}.{qident(spec.grid_column)}"
            conditions.append(f"{column} = ?")
            params.append(self.grid.code)
        return (" AND ".join(conditions) or "TRUE"), params

    def query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> pa.Table:
        """``store.query``: read-only SQL over the tables' current-state views, params bound."""
        return self.store.query(sql, params)
