"""The plugin contract. Each hook is a plain function; the docstring's first line says what it is for.

Every hook but ``fazhi_configure`` and ``fazhi_demo_rows`` takes nothing and returns a list of records (see ``contrib``);
the records carry the callables that do the work, given a ``Context``. Keeping the hooks
argument-free keeps them stable: a record type may grow fields with defaults without breaking
anyone's ``hookimpl``.

Plugin authors: see ``plugins/README.md`` for every hook with its exact signature and an example.
A test fails when a hook here is missing from that guide or documented with another signature.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from .contrib import Command, Figure, GridFigure, PanelSpec, ReportSection, ReviewCheck
    from .store import Store, TableSpec

hookspec = pluggy.HookspecMarker("fazhi_tui")
hookimpl = pluggy.HookimplMarker("fazhi_tui")


@hookspec
def fazhi_configure(settings: Mapping[str, Any]) -> None:
    """Receive this plugin's own ``[plugin.<name>]`` config before any other hook; raise ``ValueError`` to refuse it.

    Called again whenever the program loads a config (each call replaces the last), so what the
    other hooks return may depend on it (an office's own ledger categories, say). The message of
    the ``ValueError`` (Chinese, naming the key) is what the user sees; the plugin is then not loaded.
    """


@hookspec
def fazhi_tables() -> list[TableSpec]:
    """Tables this plugin owns: a list of ``TableSpec``."""
    raise NotImplementedError  # a specification: pluggy calls the plugins' implementations


@hookspec
def fazhi_panels() -> list[PanelSpec]:
    """Panels this plugin adds to the dashboard: a list of ``PanelSpec``."""
    raise NotImplementedError  # a specification: pluggy calls the plugins' implementations


@hookspec
def fazhi_report_sections() -> list[ReportSection]:
    """Sections of the annual report this plugin writes: a list of ``ReportSection``."""
    raise NotImplementedError  # a specification: pluggy calls the plugins' implementations


@hookspec
def fazhi_review_checks() -> list[ReviewCheck]:
    """Checks that find what needs attention today: a list of ``ReviewCheck``."""
    raise NotImplementedError  # a specification: pluggy calls the plugins' implementations


@hookspec
def fazhi_commands() -> list[Command]:
    """Commands for the palette and the CLI: a list of ``Command``."""
    raise NotImplementedError  # a specification: pluggy calls the plugins' implementations


@hookspec
def fazhi_grid_figures() -> list[GridFigure]:
    """Figures per grid for the map: a list of ``GridFigure``."""
    raise NotImplementedError  # a specification: pluggy calls the plugins' implementations


@hookspec
def fazhi_figures() -> list[Figure]:
    """Named figures for the report, each traceable to its records: a list of ``Figure``."""
    raise NotImplementedError  # a specification: pluggy calls the plugins' implementations


@hookspec
def fazhi_demo_rows(store: Store, today: date, seed: int) -> dict[str, list[dict]]:
    """Demo records for this plugin's tables as ``{table: [row, ...]}``, deterministic for ``today`` and ``seed``.

    ``store`` already holds the demo's grids and people (query them for codes to refer to).
    """
    raise NotImplementedError  # a specification: pluggy calls the plugins' implementations
