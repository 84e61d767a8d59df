"""The overview's figures: records per table in the period and grid. No Textual here."""

from __future__ import annotations

from dataclasses import dataclass

from fazhi_tui.api import Context, qident


@dataclass(frozen=True)
class TableCount:
    table: str
    label: str
    in_view: int  # records in the period and the grid
    total: int  # records now, in every period and grid
    by_period: bool  # False: the table has no date to place a record in a period
    by_grid: bool  # False: the table has no grid column (or the whole town is selected)


def table_counts(ctx: Context) -> list[TableCount]:
    """One count per table, in one query; the period and grid are bound parameters."""
    specs = list(ctx.store.specs.values())
    if not specs:
        return []
    selects: list[str] = []
    params: list = []
    for spec in specs:
        condition, condition_params = ctx.where(spec.name)
        selects.append(
            f"SELECT ? AS name, count(*) FILTER (WHERE {condition}) AS in_view, count(*) AS total "
            f"FROM {qident(spec.name)}"
        )
        params += [spec.name, *condition_params]
    rows = {r["name"]: r for r in ctx.query(" UNION ALL ".join(selects), params).to_pylist()}
    return [
        TableCount(
            table=spec.name,
            label=spec.label,
            in_view=rows[spec.name]["in_view"],
            total=rows[spec.name]["total"],
            by_period=spec.period_column is not None,
            by_grid=ctx.grid is not None and spec.grid_column is not None,
        )
        for spec in specs
    ]
