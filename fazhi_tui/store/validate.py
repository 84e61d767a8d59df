"""Turning rows into a typed Arrow batch, naming every row and column that does not fit."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .content import content_problems
from .errors import RowProblem, ValidationError
from .rules import fill_computed, phone_problems, rule_problems
from .spec import TableSpec

MAX_PROBLEMS = 1000  # enough to list, without building a million-line message


def rows_to_table(
    spec: TableSpec,
    rows: Sequence[Mapping[str, Any]] | pa.Table,
    first_row: int = 1,
    *,
    settings: Mapping[str, Any] | None = None,
    rules: bool = True,
    resolve: Callable[[pa.Table], pa.Table] | None = None,
) -> pa.Table:
    """Rows (dicts or an Arrow table) as a table with exactly the spec's data schema, computed
    defaults filled (``settings``: the owning plugin's) and every check passed. ``rules=False``
    skips the row rules and phone checks (a deletion writes the row as it was). ``resolve``
    turns references given by name into codes before the defaults and checks (the store's)."""
    if isinstance(rows, pa.Table):
        return _from_arrow(spec, rows, first_row, settings, rules, resolve)
    problems: list[RowProblem] = []
    known = set(spec.column_names)
    for i, row in enumerate(rows):
        unknown = [k for k in row if k not in known]
        if unknown:
            problems.append(RowProblem(i + first_row, None, f"未知的列 {', '.join(map(str, unknown))}"))
            if len(problems) >= MAX_PROBLEMS:
                break
    if problems:
        raise ValidationError(spec.name, problems)
    arrays = []
    for col in spec.columns:
        values = [row.get(col.name) for row in rows]
        try:
            arrays.append(pa.array(values, type=col.type))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
            for i, v in enumerate(values):
                try:
                    pa.array([v], type=col.type)
                except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
                    problems.append(RowProblem(i + first_row, col.label, f"值 {v!r} 不是{_type_name(col.type)}"))
                    if len(problems) >= MAX_PROBLEMS:
                        break
    if problems:
        raise ValidationError(spec.name, problems)
    table = renamed_codes(spec, derive_keys(spec, pa.Table.from_arrays(arrays, schema=spec.data_schema)))
    if resolve is not None:
        table = resolve(table)
    table = fill_computed(spec, table, settings)
    check_values(spec, table, first_row, rules=rules)
    return table


def _from_arrow(
    spec: TableSpec,
    data: pa.Table,
    first_row: int,
    settings: Mapping[str, Any] | None,
    rules: bool,
    resolve: Callable[[pa.Table], pa.Table] | None,
) -> pa.Table:
    unknown = [n for n in data.column_names if n not in spec.column_names]
    if unknown:
        raise ValidationError(spec.name, [RowProblem(None, None, f"未知的列 {', '.join(unknown)}")])
    arrays = []
    problems: list[RowProblem] = []
    for col in spec.columns:
        if col.name not in data.column_names:
            arrays.append(pa.nulls(data.num_rows, type=col.type))
            continue
        arr = data.column(col.name)
        if arr.type != col.type:
            try:
                arr = arr.cast(col.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
                problems.append(RowProblem(None, col.label, f"无法转换为{_type_name(col.type)}：{exc}"))
                continue
        arrays.append(arr)
    if problems:
        raise ValidationError(spec.name, problems)
    table = renamed_codes(spec, derive_keys(spec, pa.Table.from_arrays(arrays, schema=spec.data_schema)))
    if resolve is not None:
        table = resolve(table)
    table = fill_computed(spec, table, settings)
    check_values(spec, table, first_row, rules=rules)
    return table


def derive_keys(spec: TableSpec, table: pa.Table) -> pa.Table:
    """Fill an empty key from the spec's ``key_from`` columns ("2023Q1/赵庄镇")."""
    if not spec.key_from:
        return table
    key = table.column(spec.key)
    parts = [pc.utf8_trim_whitespace(table.column(c).cast(pa.string())) for c in spec.key_from]
    joined = pc.binary_join_element_wise(*parts, "/")
    empty = pc.or_kleene(pc.is_null(key), pc.fill_null(blank_text(key), False))
    if not pc.any(empty).as_py():
        return table
    i = table.schema.get_field_index(spec.key)
    return table.set_column(i, spec.key, pc.if_else(empty, joined, key))


def renamed_codes(spec: TableSpec, table: pa.Table) -> pa.Table:
    """Old spellings of code values given as the value now (其它 -> 其他; ``TableSpec.code_aliases_of``),
    before the defaults computed from them and the code-table check."""
    for name, aliases in spec.aliased_columns.items():
        arr = table.column(name)
        for old, new in aliases.items():
            # Null where the value is null: if_else keeps it null.
            arr = pc.if_else(pc.equal(arr, old), pa.scalar(new, pa.string()), arr)
        table = table.set_column(table.schema.get_field_index(name), name, arr)
    return table


def check_values(
    spec: TableSpec, table: pa.Table, first_row: int = 1, *, rules: bool = True, keys: bool = True
) -> None:
    """Required values present, code-table values known, keys unique within the batch (unless
    ``keys`` is false: an import checks them across the whole file); with ``rules``, phone
    columns hold phone numbers and the spec's row rules hold."""
    problems: list[RowProblem] = []
    for name in spec.required_columns:
        col = spec.column(name)
        arr = table.column(name)
        missing = pc.is_null(arr)
        if pa.types.is_string(col.type):
            missing = pc.or_kleene(missing, pc.fill_null(blank_text(arr), False))
        _collect(problems, missing, first_row, col.label, lambda _i: "必填，不能为空")
    for col in spec.columns:
        if col.codes is None:
            continue
        allowed = pa.array(spec.code_tables[col.codes], type=pa.string())
        arr = table.column(col.name)
        if pa.types.is_list(col.type):
            # List columns (e.g. a person's roles) check each element.
            for i, values in enumerate(arr.to_pylist()):
                bad = [v for v in (values or []) if v not in spec.code_tables[col.codes]]
                if bad:
                    problems.append(RowProblem(i + first_row, col.label, f"{'、'.join(bad)} 不在代码表“{col.codes}”中"))
            continue
        unknown = pc.and_(pc.is_valid(arr), pc.invert(pc.is_in(arr, value_set=allowed)))
        values = arr
        _collect(
            problems,
            unknown,
            first_row,
            col.label,
            lambda i, values=values, col=col: (
                f"“{values[i].as_py()}”不在代码表“{col.codes}”中（可选：{'、'.join(spec.code_tables[col.codes])}）"
            ),
        )
    key_values = table.column(spec.key)
    dup_values = set(duplicate_values(key_values).to_pylist()) if keys else set()
    if dup_values:
        seen: dict[Any, int] = {}
        for i, v in enumerate(key_values.to_pylist()):
            if v in dup_values:
                if v in seen:
                    problems.append(RowProblem(i + first_row, spec.label_of(spec.key), f"“{v}”与第 {seen[v]} 行重复"))
                else:
                    seen[v] = i + first_row
    if rules:
        problems += phone_problems(spec, table, first_row)
        problems += rule_problems(spec, table, first_row)
        # Not for a deletion either: a record stored before these checks must still be deletable.
        problems += content_problems(spec, table, first_row)
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise ValidationError(spec.name, problems)


def blank_text(arr: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """True where a text cell is empty or only whitespace (null stays null): what trimming it
    would leave empty, asked without making the trimmed copy of every cell (a third of the
    time of this check on an import)."""
    return pc.or_(pc.equal(pc.binary_length(arr), 0), pc.utf8_is_space(arr))


def duplicate_values(keys: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Values that occur more than once (nulls aside), computed without a Python loop."""
    counts = pc.value_counts(keys.drop_null())
    return pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))


def _collect(problems, mask, first_row, label, reason) -> None:
    if not pc.any(mask).as_py():
        return
    idx = pc.indices_nonzero(mask) if hasattr(pc, "indices_nonzero") else None
    positions = idx.to_pylist() if idx is not None else [i for i, m in enumerate(mask.to_pylist()) if m]
    for i in positions[:MAX_PROBLEMS]:
        problems.append(RowProblem(i + first_row, label, reason(i)))


def _type_name(t: pa.DataType) -> str:
    if pa.types.is_integer(t):
        return "整数"
    if pa.types.is_floating(t):
        return "数字"
    if pa.types.is_date(t):
        return "日期"
    if pa.types.is_timestamp(t):
        return "日期时间"
    if pa.types.is_boolean(t):
        return "是/否"
    if pa.types.is_list(t):
        return "列表"
    return "文本"
