"""What a value may hold, beyond its type: no control characters in text, numbers and dates in
a plausible range. Checked on every write (import, forms, API) like required values and codes.

A 户数 of -5 or a date of 9999-12-31 is a typing or export mistake, not a fact; an escape
sequence in a name is an attack on whoever prints it (``fazhi_tui.textsafe``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .errors import RowProblem
from .spec import TableSpec

# Dates outside this range are refused unless the column declares ``bounds`` of its own.
DEFAULT_DATE_BOUNDS = (dt.date(1900, 1, 1), dt.date(2099, 12, 31))
MAX_LISTED = 50
_CONTROL_PATTERN = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\x{202a}-\\x{202e}\\x{2066}-\\x{2069}]"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # the same, for Python


def content_problems(spec: TableSpec, table: pa.Table, first_row: int = 1) -> list[RowProblem]:
    problems: list[RowProblem] = []
    for col in spec.columns:
        if col.name not in table.column_names:
            continue
        arr = table.column(col.name)
        t = col.type
        if (pa.types.is_string(t) or pa.types.is_large_string(t)) and not _held_to_codes(spec, col.codes):
            _flag(problems, _has_control(arr), first_row, col.label, "含有控制字符（如换页、转义序列），不能保存")
        elif pa.types.is_list(t) and pa.types.is_string(t.value_type):
            flat = pc.list_flatten(arr)
            if len(flat) and pc.any(_has_control(flat)).as_py():
                parents = pc.list_parent_indices(arr)
                bad = pc.unique(pc.filter(parents, _has_control(flat)))
                mask = pc.is_in(pa.array(range(len(arr)), pa.int64()), value_set=bad.cast(pa.int64()))
                _flag(problems, mask, first_row, col.label, "含有控制字符（如换页、转义序列），不能保存")
        bounds = col.bounds
        if bounds is None and (pa.types.is_date(t) or pa.types.is_timestamp(t)):
            bounds = DEFAULT_DATE_BOUNDS
        if bounds is not None and (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_temporal(t)):
            low, high = (_scalar(b, t) for b in bounds)
            for limit, cmp, word in ((low, pc.less, "小于"), (high, pc.greater, "大于")):
                if limit is None:
                    continue
                mask = pc.fill_null(cmp(arr, limit), False)
                shown = bounds[0] if word == "小于" else bounds[1]
                _flag(problems, mask, first_row, col.label, _range_reason(arr, word, shown))
    return problems


def _held_to_codes(spec: TableSpec, codes: str | None) -> bool:
    """Whether a text column's values are already held to a code table with no control
    character in it: the code check (check_values, before this one) refuses any other value, so
    asking its cells again would only repeat it. On an import of the hotline, the seven code
    columns were over half of this check's time (10M rows: 4.4 s of 7.9 s)."""
    if codes is None:
        return False
    values = spec.code_tables.get(codes)
    return values is not None and not any(_CONTROL_RE.search(v) for v in values)


def _has_control(arr) -> Any:
    if not _may_have_control(arr):
        return pa.repeat(pa.scalar(False), len(arr))
    return pc.fill_null(pc.match_substring_regex(arr, _CONTROL_PATTERN), False)


# _CONTROL_PATTERN as UTF-8 bytes: C0 controls and DEL are single bytes, C1 controls
# (U+0080-U+009F) are C2 80-9F, the bidi overrides (U+202A-U+202E, U+2066-U+2069) E2 80 AA-AE
# and E2 81 A6-A9.
_CONTROL_BYTES = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]"


def _may_have_control(arr) -> bool:
    """Whether a text column's bytes hold any of those sequences, asked of each chunk's data
    buffer as one binary value (one regex search over the bytes): the regex over every cell
    cost ~0.4 s per text column of a million rows, most of an import's checking time, and ledger
    text almost never holds one. Bytes under null cells can only say "maybe": then the regex
    decides, cell by cell."""
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    for chunk in chunks:
        if len(chunk) == 0 or chunk.null_count == len(chunk):
            continue
        if not pa.types.is_string(chunk.type):
            return True  # large_string: not worth a second path; the cell-by-cell regex decides
        _validity, offsets_buf, data = chunk.buffers()
        if data is None:
            continue
        offsets = pa.Array.from_buffers(pa.int32(), len(chunk) + 1, [None, offsets_buf], offset=chunk.offset)
        start, end = offsets[0].as_py(), offsets[-1].as_py()
        whole = pa.Array.from_buffers(
            pa.binary(), 1, [None, pa.array([0, end - start], pa.int32()).buffers()[1], data.slice(start, end - start)]
        )
        if pc.match_substring_regex(whole, _CONTROL_BYTES).to_pylist()[0]:
            return True
    return False


def _scalar(value: Any, t: pa.DataType) -> pa.Scalar | None:
    if value is None:
        return None
    if pa.types.is_timestamp(t) and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
        if t.tz:
            value = value.replace(tzinfo=dt.UTC)
    return pa.scalar(value, type=t)


def _range_reason(arr, word: str, bound: Any):
    def reason(i: int) -> str:
        return f"{arr[i].as_py()} {word}允许的{'最小' if word == '小于' else '最大'}值 {bound}"

    return reason


def _flag(problems: list[RowProblem], mask, first_row: int, label: str, reason) -> None:
    if not pc.any(mask).as_py():
        return
    for i in pc.indices_nonzero(mask).to_pylist()[:MAX_LISTED]:
        problems.append(RowProblem(i + first_row, label, reason(i) if callable(reason) else reason))
