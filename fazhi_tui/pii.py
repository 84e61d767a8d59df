"""Masking personal information for display and export (个人信息保护法; GB/T 35273 display limits).

Masks follow DOMAIN.md §6: ``138****5678``, ``410421********123X``, ``张*``. Staff names and
执法证号 are public by rule (公示) and are never marked PII, so never masked.
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

MASK_NOTE = "（已脱敏）"


def mask_name(value: str | None) -> str | None:
    if not value or not value.strip():
        return value
    value = value.strip()
    return value[0] + "*" * max(1, min(len(value) - 1, 2))


def mask_phone(value: str | None) -> str | None:
    if not value or not value.strip():
        return value
    digits = value.strip()
    if len(digits) >= 11:  # a mobile, or a landline with its area code: 138****5678
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) > 4:  # a local number: only its last four stay
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)


def mask_id_number(value: str | None) -> str | None:
    if not value or not value.strip():
        return value
    v = value.strip()
    if len(v) >= 10:
        return v[:6] + "*" * (len(v) - 10) + v[-4:]
    return "*" * len(v)


def mask_address(value: str | None) -> str | None:
    """Keep the first part (村/社区 level) and hide the rest: 大黄村**** ."""
    if not value or not value.strip():
        return value
    v = value.strip()
    keep = max(1, min(6, len(v) // 2))
    return v[:keep] + "****"


MASKS: dict[str, Callable[[str | None], str | None]] = {
    "name": mask_name,
    "phone": mask_phone,
    "id_number": mask_id_number,
    "address": mask_address,
}


def mask_value(kind: str, value):
    return MASKS[kind](None if value is None else str(value))


def mask_array(kind: str, array: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Mask a whole column (distinct values are masked once)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    as_text = array.cast(pa.string()) if not pa.types.is_string(array.type) else array
    encoded = pc.dictionary_encode(as_text)
    masked_dict = pa.array([MASKS[kind](v) for v in encoded.dictionary.to_pylist()], type=pa.string())
    return pc.take(masked_dict, encoded.indices)


def mask_table(table: pa.Table, pii: dict[str, str]) -> pa.Table:
    """``pii`` maps column name to PII kind; those present in ``table`` are masked."""
    for name, kind in pii.items():
        if name in table.column_names:
            i = table.schema.get_field_index(name)
            table = table.set_column(i, name, mask_array(kind, table.column(name)))
    return table


def mask_sql(kind: str, expr: str) -> str:
    """The same masks as SQL, so views can hand out only masked values (``sql`` included)."""
    x = f"trim(CAST({expr} AS VARCHAR))"
    if kind == "name":
        body = f"left({x}, 1) || repeat('*', greatest(1, least(length({x}) - 1, 2)))"
    elif kind == "phone":
        body = (
            f"CASE WHEN length({x}) >= 11 THEN left({x}, 3) || repeat('*', length({x}) - 7) || right({x}, 4) "
            f"WHEN length({x}) > 4 THEN repeat('*', length({x}) - 4) || right({x}, 4) ELSE repeat('*', length({x})) END"
        )
    elif kind == "id_number":
        body = f"CASE WHEN length({x}) >= 10 THEN left({x}, 6) || repeat('*', length({x}) - 10) || right({x}, 4) ELSE repeat('*', length({x})) END"
    elif kind == "address":
        body = f"left({x}, greatest(1, least(6, length({x}) // 2))) || '****'"
    else:
        raise ValueError(kind)
    return f"CASE WHEN {expr} IS NULL OR {x} = '' THEN CAST({expr} AS VARCHAR) ELSE {body} END"
