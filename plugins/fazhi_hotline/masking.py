"""De-identifying callers' names and phones on screens and in printed lists (DOMAIN.md §6).

``may_see_pii`` is the one place that decides who sees them unmasked; everything else asks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from fazhi_tui.api import ROLE_ADMIN, Context, TableSpec


def may_see_pii(ctx: Context) -> bool:
    """Whether this user may see callers' names and phones unmasked. For now: administrators."""
    return ctx.role == ROLE_ADMIN


def mask_name(name: str | None) -> str | None:
    """``张三`` → ``张*``, ``欧阳娜娜`` → ``欧***``: the first character stays."""
    if name is None:
        return None
    s = name.strip()
    if not s:
        return name
    return s[0] + "*" * max(1, len(s) - 1)


def mask_phone(phone: str | None) -> str | None:
    """``13812345678`` → ``138****5678``; ``0375-6123456`` → ``037*****3456``; ``6123456`` → ``***3456``."""
    if phone is None:
        return None
    s = phone.strip()
    if not s:
        return phone
    if len(s) >= 11:  # a mobile, or a landline with its area code
        return s[:3] + "*" * (len(s) - 7) + s[-4:]
    if len(s) > 4:  # a local number: its last four stay
        return "*" * (len(s) - 4) + s[-4:]
    return "*" * len(s)


def mask_id_number(number: str | None) -> str | None:
    """``41042119800101123X`` → ``410421********123X``."""
    if number is None:
        return None
    s = number.strip()
    if len(s) <= 10:
        return "*" * len(s)
    return s[:6] + "*" * (len(s) - 10) + s[-4:]


def mask_address(address: str | None) -> str | None:
    """The first six characters (county, township) stay; the rest is hidden."""
    if address is None:
        return None
    s = address.strip()
    return s if len(s) <= 6 else s[:6] + "****"


MASKS = {"name": mask_name, "phone": mask_phone, "id_number": mask_id_number, "address": mask_address}


def mask_value(kind: str | None, value: Any) -> Any:
    if kind is None or value is None or not isinstance(value, str):
        return value
    return MASKS[kind](value)


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
    """``table`` with the PII columns it holds masked, unless the user may see them. Meant for a
    page of rows (a bounded query), not a whole table."""
    if may_see_pii(ctx):
        return table
    for name in spec.pii_columns:
        if name not in table.column_names:
            continue
        kind = spec.column(name).pii
        i = table.column_names.index(name)
        masked = pa.array([mask_value(kind, v) for v in table.column(i).to_pylist()], type=pa.string())
        table = table.set_column(i, table.field(i).name, masked)
    return table
