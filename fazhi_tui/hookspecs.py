"""The plugin contract. Each hook is a plain function; the docstring's first line says what it is for.

Plugin authors: see ``plugins/README.md`` for every hook with its exact signature and an example.
A test fails when a hook here is missing from that guide.
"""

from __future__ import annotations

import datetime as _dt

import pluggy

hookspec = pluggy.HookspecMarker("fazhi_tui")
hookimpl = pluggy.HookimplMarker("fazhi_tui")


@hookspec
def fazhi_tables():  # -> list[TableSpec]
    """Tables this plugin owns: a list of ``TableSpec``."""


@hookspec
def fazhi_demo_rows(store, today: _dt.date, seed: int):  # -> dict[str, list[dict]]
    """Demo records for this plugin's tables as ``{table: [row, ...]}``, deterministic for ``today`` and ``seed``.

    ``store`` already holds the demo's grids and people (query them for codes to refer to).
    """
