"""Importing a file into a table: every row validated first, then one atomic batch or nothing.

``plan_import`` reads, maps headers, converts, resolves grid and person references, and checks
keys against the file and the store; it raises ``ValidationError`` naming file, row, column and
reason. ``run_import`` writes the plan as one batch.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.compute as pc

from ..pii import MASK_NOTE
from ..store import RowProblem, ValidationError, WriteResult
from ..store.spec import META_NAMES, TableSpec
from ..store.views import qident
from .convert import convert
from .read import ImportFileError, RawTable, read_file

MAX_PROBLEMS = 1000
Progress = Callable[[str, int], None]


@dataclass
class ImportPlan:
    table: str
    path: Path
    data: pa.Table
    file_rows: pa.Array
    expected: dict[str, int] = field(default_factory=dict)
    new: int = 0
    updates: int = 0
    unchanged: int = 0
    unknown_headers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # things the user should know, not errors
    encoding: str | None = None
    sheet: str | None = None

    @property
    def rows(self) -> int:
        return self.data.num_rows

    def describe(self) -> str:
        parts = [f"新增 {self.new} 条"]
        if self.updates:
            parts.append(f"更新 {self.updates} 条")
        if self.unchanged:
            parts.append(f"未变 {self.unchanged} 条（不写入）")
        return "，".join(parts)


def _norm(text: str) -> str:
    """Header matching ignores width, case, spaces and an asterisk marking required columns."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"[\s*＊]", "", text)


def map_headers(spec: TableSpec, raw: RawTable) -> tuple[dict[str, int], list[str], list[RowProblem]]:
    """Column name -> index in the file; unknown headers; problems (masked or doubled columns)."""
    lookup: dict[str, str] = {}
    for c in spec.columns:
        lookup[_norm(c.name)] = c.name
        lookup[_norm(c.label)] = c.name
    meta = {_norm(m) for m in META_NAMES}
    found: dict[str, int] = {}
    unknown: list[str] = []
    problems: list[RowProblem] = []
    src = raw.path.name
    for i, header in enumerate(raw.headers):
        if not header:
            if raw.columns[i].null_count < len(raw.columns[i]):
                problems.append(RowProblem(1, f"第 {i + 1} 列", "表头为空，但该列有数据", src))
            continue
        key = _norm(header)
        if key in meta:
            continue  # version columns of an export: the store writes its own
        if MASK_NOTE in header or _norm(MASK_NOTE) in key:
            problems.append(RowProblem(1, header, "这是脱敏导出的列，不能作为原始数据导入", src))
            continue
        name = lookup.get(key)
        if name is None:
            unknown.append(header)
            continue
        if name in found:
            problems.append(RowProblem(1, header, f"与第 {found[name] + 1} 列重复（都对应“{spec.label_of(name)}”）", src))
            continue
        found[name] = i
    derivable = {spec.key} if spec.key_from and all(c in found for c in spec.key_from) else set()
    missing = [spec.label_of(n) for n in spec.required_columns if n not in found and n not in derivable]
    if missing:
        problems.append(RowProblem(1, None, f"缺少必填列：{'、'.join(missing)}", src))
    return found, unknown, problems


def plan_import(
    store,
    table: str,
    path: str | Path,
    *,
    sheet: str | None = None,
    update: bool = False,
    progress: Progress | None = None,
) -> ImportPlan:
    spec = store.spec(table)
    path = Path(path)
    if path.suffix.lower() in (".geojson", ".json") and table == "grids":
        from .geojson import read_grids_geojson

        raw = read_grids_geojson(path)
    else:
        raw = read_file(path, sheet=sheet, progress=progress)
    src = path.name
    found, unknown, problems = map_headers(spec, raw)
    if problems:
        raise ValidationError(spec.name, problems)
    n = raw.num_rows
    if n == 0:
        raise ImportFileError(f"{path}：只有表头，没有数据行")
    rows = raw.row_numbers
    arrays: dict[str, pa.Array] = {}
    for col in spec.columns:
        if col.name not in found:
            arrays[col.name] = pa.nulls(n, col.type)
            continue
        cells = raw.columns[found[col.name]]
        if pa.types.is_string(cells.type):
            cells = _undo_formula_guard(cells)
        result = convert(cells, col.type)
        if pc.any(result.failed).as_py():
            for i in pc.indices_nonzero(result.failed).to_pylist()[:MAX_PROBLEMS]:
                cell = cells[i].as_py()
                reason = f"“{_short(cell)}”不是{result.expected}"
                if isinstance(cell, str) and "\n" in cell:
                    reason += "；该格跨越多行，可能是引号不匹配"
                problems.append(RowProblem(rows[i].as_py(), col.label, reason, src))
        arrays[col.name] = result.values
        if progress:
            progress("校验", n)
    notes: list[str] = []
    for col in spec.columns:
        if col.ref and col.name in found and col.ref in store.specs:
            if store.count(col.ref) == 0:
                # Grids name their heads and people their grids: into an empty store one of the
                # two must come first. Its references are checked by `check` once both are in.
                ref_label = store.spec(col.ref).label
                notes.append(f"{ref_label}表还是空的，“{col.label}”列的引用暂未校验；导入{ref_label}后请运行 fazhi-tui check")
                continue
            arrays[col.name] = _resolve_refs(store, spec, col, arrays[col.name], rows, problems, src)
    from ..store.validate import derive_keys

    data = derive_keys(spec, pa.Table.from_arrays([arrays[c.name] for c in spec.columns], schema=spec.data_schema))
    _duplicates_in_file(spec, data, rows, problems, src)
    from ..store.validate import check_values

    try:
        check_values(spec, data)
    except ValidationError as exc:
        problems += [_at_file_row(p, rows, src) for p in exc.problems]
    if problems:
        # Every kind of problem at once, one per cell (a cell that failed to convert is not
        # also reported as empty).
        raise ValidationError(spec.name, _first_per_cell(problems))
    plan = ImportPlan(spec.name, path, data, rows, unknown_headers=unknown, notes=notes,
                      encoding=raw.encoding, sheet=raw.sheet)
    _against_store(store, spec, plan, update, problems, src, present=set(found))
    if problems:
        raise ValidationError(spec.name, _sorted(problems))
    return plan


def run_import(store, plan: ImportPlan) -> WriteResult:
    try:
        return store.upsert(plan.table, plan.data, plan.expected)
    except ValidationError as exc:
        src = plan.path.name
        raise ValidationError(plan.table, [_at_file_row(p, plan.file_rows, src) for p in exc.problems]) from None


def _against_store(
    store, spec: TableSpec, plan: ImportPlan, update: bool, problems: list[RowProblem], src: str, present: set[str]
) -> None:
    ids = plan.data.column(spec.key).cast(pa.string())
    latest = store.latest_versions(spec.name, ids.to_pylist())
    live = {k: v for k, v in latest.items() if v.op == "put"}
    if not live:
        plan.new = plan.rows
        return
    key_label = spec.label_of(spec.key)
    if not update:
        for i, rid in enumerate(ids.to_pylist()):
            if rid in live:
                v = live[rid]
                problems.append(RowProblem(plan.file_rows[i].as_py(), key_label,
                                           f"“{rid}”已存在（第 {v.rev} 版，{v.by} 写入）；如需以文件内容更新，请加 --update", src))
                if len(problems) >= MAX_PROBLEMS:
                    break
        return
    # --update: existing records become new versions with the file's columns changed (columns the
    # file does not have keep their values), unless nothing in them changed.
    current = _current_rows(store, spec, list(live))
    keep: list[int] = []
    rows = plan.data.to_pylist()
    for i, row in enumerate(rows):
        rid = str(row[spec.key])
        if rid in live:
            merged = {**current[rid], **{c: row[c] for c in present}}
            if merged == current[rid]:
                plan.unchanged += 1
                continue
            rows[i] = merged
            plan.expected[rid] = live[rid].rev
            plan.updates += 1
        else:
            plan.new += 1
        keep.append(i)
    plan.data = pa.Table.from_pylist([rows[i] for i in keep], schema=spec.data_schema)
    plan.file_rows = plan.file_rows.take(pa.array(keep, type=pa.int64()))


def _duplicates_in_file(spec: TableSpec, data: pa.Table, rows: pa.Array, problems: list[RowProblem], src: str) -> None:
    from ..store.validate import duplicate_values

    keys = data.column(spec.key)
    dups = set(duplicate_values(keys).to_pylist())
    if not dups:
        return
    first: dict = {}
    for i, v in enumerate(keys.to_pylist()):
        if v in dups:
            if v in first:
                problems.append(RowProblem(rows[i].as_py(), spec.label_of(spec.key), f"“{v}”与第 {first[v]} 行重复", src))
            else:
                first[v] = rows[i].as_py()


def _current_rows(store, spec: TableSpec, ids: list[str]) -> dict[str, dict]:
    cur = store.cursor()
    name = "__import_ids"
    cur.register(name, pa.table({"_id": pa.array(ids, pa.string())}))
    try:
        cols = ", ".join(qident(c) for c in spec.column_names)
        # The unmasked newest versions (the public view masks PII for some roles, and an update
        # must keep the stored values of columns the file does not have, not their masks).
        t = cur.sql(
            f"SELECT _id, {cols} FROM {qident(spec.name + '__latest')} "
            f"WHERE _op = 'put' AND _id IN (SELECT _id FROM {name})"
        ).to_arrow_table()
    finally:
        cur.unregister(name)
    out = {}
    for r in t.to_pylist():
        rid = r.pop("_id")
        out[rid] = r
    return out


def _resolve_refs(store, spec, col, values: pa.Array, rows: pa.Array, problems: list[RowProblem], src: str) -> pa.Array:
    """References may be given by code or by name; an unknown or ambiguous name is an error."""
    ref_spec = store.spec(col.ref)
    name_col = "name" if "name" in ref_spec.column_names else None
    t = store.query(
        f"SELECT CAST({qident(ref_spec.key)} AS VARCHAR) AS k"
        + (f", {qident(name_col)} AS n" if name_col else ", NULL AS n")
        + f" FROM {qident(ref_spec.name)}"
    ).to_pylist()
    codes = {r["k"] for r in t}
    by_name: dict[str, list[str]] = {}
    for r in t:
        if r["n"]:
            by_name.setdefault(r["n"], []).append(r["k"])

    def resolve(v: str, i: int) -> str | None:
        if v in codes:
            return v
        hits = by_name.get(v, [])
        if len(hits) == 1:
            return hits[0]
        if len(problems) < MAX_PROBLEMS:
            reason = (f"“{v}”对应多个{ref_spec.label}（{'、'.join(hits[:5])}），请改用编码"
                      if hits else f"{ref_spec.label}“{v}”不存在（可填编码或名称）")
            problems.append(RowProblem(rows[i].as_py(), col.label, reason, src))
        return None

    if pa.types.is_list(col.type):
        out = []
        for i, items in enumerate(values.to_pylist()):
            out.append(None if items is None else [resolve(v, i) for v in items])
        return pa.array(out, type=col.type)
    distinct = pc.unique(values).drop_null().to_pylist()
    unknown = [v for v in distinct if v not in codes]
    if not unknown:
        return values
    first_row = {}
    for i, v in enumerate(values.to_pylist()):
        if v in unknown and v not in first_row:
            first_row[v] = i
    mapping = {v: resolve(v, first_row[v]) for v in unknown}
    return pa.array([mapping.get(v, v) if v is not None else None for v in values.to_pylist()], type=col.type)


_GUARDED = re.compile(r"^'[=+\-@\t\r]")


def _undo_formula_guard(cells: pa.Array) -> pa.Array:
    """Our exports put an apostrophe before text Excel would run as a formula; take it off."""
    guarded = pc.match_substring_regex(cells, _GUARDED.pattern)
    if not pc.any(guarded).as_py():
        return cells
    return pc.if_else(guarded, pc.utf8_slice_codeunits(cells, 1), cells)


def _at_file_row(p: RowProblem, rows: pa.Array, src: str) -> RowProblem:
    row = rows[p.row - 1].as_py() if p.row is not None and 0 < p.row <= len(rows) else None
    return RowProblem(row, p.column, p.reason, src)


def _first_per_cell(problems: list[RowProblem]) -> list[RowProblem]:
    seen: set = set()
    out = []
    for p in problems:
        if (p.row, p.column) in seen:
            continue
        seen.add((p.row, p.column))
        out.append(p)
    return _sorted(out)


def _sorted(problems: list[RowProblem]) -> list[RowProblem]:
    return sorted(problems, key=lambda p: (p.row or 0))


def _short(value, limit: int = 40) -> str:
    text = str(value).replace("\r", "").replace("\n", "⏎")
    return text if len(text) <= limit else text[:limit] + "…"
