"""De-identifying callers' names and phones on screens and in printed lists (DOMAIN.md §6).

The masks and the rule of who may see what belong to the host (``fazhi_tui.pii`` and the store's
roles): views already mask PII for roles without access, and these helpers mask again for pages
built in Python, which changes nothing for a value already masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, overload

import pyarrow as pa

from fazhi_tui.api import Context, TableSpec, mask_name, mask_phone  # noqa: F401  (re-exported)
from fazhi_tui.api import mask_table as _mask_table
from fazhi_tui.api import mask_value as _mask_value


def may_see_pii(ctx: Context) -> bool:
    """Whether this user may see callers' names and phones unmasked (the store's roles decide)."""
    return ctx.sees_pii


def mask_value(kind: str | None, value: Any) -> Any:
    if kind is None or value is None or not isinstance(value, str):
        return value
    return _mask_value(kind, value)


@overload
def mask_record(ctx: Context, spec: TableSpec, record: Mapping[str, Any]) -> dict: ...
@overload
def mask_record(ctx: Context, spec: TableSpec, record: None) -> None: ...
def mask_record(ctx: Context, spec: TableSpec, record: Mapping[str, Any] | None) -> dict | None:
    """A copy of ``record`` with its PII columns masked, unless the user may see them."""
    if record is None:
        return None
    out = dict(record)
    if may_see_pii(ctx):
        return out
    for name in spec.pii_columns:
        if name in out:
            out[name] = mask_value(spec.column(name).pii, out[name])
    return out


def mask_table(ctx: Context, spec: TableSpec, table: pa.Table) -> pa.Table:
    """``table`` with the PII columns it holds masked, unless the user may see them."""
    if may_see_pii(ctx):
        return table
    return _mask_table(table, {n: kind for n in spec.pii_columns if (kind := spec.column(n).pii)})
