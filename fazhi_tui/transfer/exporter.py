"""Exporting a table (or what a panel shows) to CSV, XLSX or Parquet.

CSV is UTF-8 with a BOM so Excel on Chinese Windows opens it correctly; XLSX has Chinese headers,
column widths and a frozen header row; Parquet is as stored. Text Excel would run as a formula
gets an apostrophe in front. PII columns are masked for roles that may not see them, and the
file says so (in the header, and in XLSX a 说明 sheet).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..pii import MASK_NOTE, mask_table
from ..store.spec import META_NAMES, TableSpec
from ..store.views import qident


def cell_len(text: str) -> int:
    """Columns ``text`` takes in a spreadsheet: two for a wide (CJK) character, none for a
    combining mark, as a terminal and Excel show them."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


FORMATS = ("csv", "xlsx", "parquet")
FORMULA_START = r"^[=+\-@\t\r]"
MASKED_KEY = b"fazhi.masked"


class ExportError(Exception):
    pass


@dataclass
class ExportResult:
    path: Path
    rows: int
    format: str
    masked: list[str] = field(default_factory=list)  # Chinese labels of masked columns


def guess_format(path: Path, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = path.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise ExportError(f"无法从文件名 {path.name} 判断格式，请用 --format 指定（{'、'.join(FORMATS)}）")


def select_rows(store, spec: TableSpec, *, year: int | None = None, where: Sequence[tuple[str, str]] = ()) -> pa.Table:
    """The table's current records, filtered by year (of its period column) and column = value."""
    conditions: list[str] = []
    params: list[Any] = []
    if year is not None:
        if spec.period_column is None:
            raise ExportError(f"表 {spec.label} 没有日期列，不能按年份筛选")
        col = spec.column(spec.period_column)
        start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        if pa.types.is_timestamp(col.type):
            start, end = dt.datetime.combine(start, dt.time()), dt.datetime.combine(end, dt.time())
        conditions.append(f"{qident(col.name)} >= ? AND {qident(col.name)} < ?")
        params += [start, end]
    for name, value in where:
        col = _column_by_name_or_label(spec, name)
        conditions.append(f"CAST({qident(col.name)} AS VARCHAR) = ?")
        params.append(value)
    cond = " AND ".join(conditions) or "TRUE"
    order = qident(spec.period_column) + ", " if spec.period_column else ""
    return store.query(f"SELECT * FROM {qident(spec.name)} WHERE {cond} ORDER BY {order}{qident(spec.key)}", params)


def _column_by_name_or_label(spec: TableSpec, name: str):
    for c in spec.columns:
        if name in (c.name, c.label):
            return c
    raise ExportError(f"表 {spec.label} 没有“{name}”列")


def export_rows(table: pa.Table, spec: TableSpec, out: Path, fmt: str, *, may_see_pii: bool) -> ExportResult:
    """Write rows (a query result over ``spec``'s columns) to ``out``, atomically."""
    out = Path(out)
    from ..trust import output_inside_store

    inside = output_inside_store(out)
    if inside:
        raise ExportError(inside)
    if out.is_dir():
        raise ExportError(f"{out} 是目录，请给出文件名")
    if not out.parent.is_dir():
        raise ExportError(f"目录 {out.parent} 不存在")
    pii = {c.name: c.pii for c in spec.columns if c.pii and c.name in table.column_names}
    masked = [] if may_see_pii else [spec.label_of(n) for n in pii]
    if not may_see_pii and pii:
        table = mask_table(table, pii)
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        if fmt == "parquet":
            _write_parquet(table, tmp, list(pii) if not may_see_pii else [])
        else:
            data_cols = [n for n in table.column_names if n not in META_NAMES]
            headers = [spec.label_of(n) + (MASK_NOTE if (n in pii and not may_see_pii) else "") for n in data_cols]
            data = table.select(data_cols)
            if fmt == "csv":
                _write_csv(data, headers, tmp)
            else:
                _write_xlsx(data, headers, tmp, spec, masked)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return ExportResult(out, table.num_rows, fmt, masked)


def _guard(col: pa.Array) -> pa.Array:
    """Text that Excel would run as a formula gets a leading apostrophe (CSV injection)."""
    risky = pc.match_substring_regex(col, FORMULA_START)
    if not pc.any(risky).as_py():
        return col
    return pc.if_else(risky, pc.binary_join_element_wise("'", col, ""), col)


def _as_text(col: pa.ChunkedArray | pa.Array) -> list:
    t = col.type
    if pa.types.is_string(t):
        return _guard(col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col).to_pylist()
    values = col.to_pylist()
    if pa.types.is_boolean(t):
        return [None if v is None else ("是" if v else "否") for v in values]
    if pa.types.is_list(t):
        # Joined list cells are text too: a first element "=HYPERLINK(…)" is guarded like any cell.
        joined = pa.array([None if v is None else "、".join(str(x) for x in v) for v in values], pa.string())
        return _guard(joined).to_pylist()
    if pa.types.is_timestamp(t):
        return [None if v is None else v.strftime("%Y-%m-%d %H:%M:%S") for v in values]
    return values


def _write_csv(data: pa.Table, headers: list[str], path: Path) -> None:
    columns = [_as_text(c) for c in data.columns]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        w.writerows(zip(*columns, strict=False) if columns else [])


def _write_xlsx(data: pa.Table, headers: list[str], path: Path, spec: TableSpec, masked: list[str]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    try:
        ws = wb.add_worksheet(spec.label[:31])
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        ts_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        for j, h in enumerate(headers):
            ws.write_string(0, j, h, head)
        ws.freeze_panes(1, 0)
        columns = []
        for col in data.columns:
            t = col.type
            if pa.types.is_date(t) or pa.types.is_timestamp(t) or pa.types.is_integer(t) or pa.types.is_floating(t):
                values = col.to_pylist()
                if pa.types.is_timestamp(t):
                    values = [None if v is None else v.replace(tzinfo=None) for v in values]
                columns.append((values, t))
            else:
                columns.append((_as_text(col), t))
        widths = [cell_len(h) + 2 for h in headers]
        for i in range(data.num_rows):
            for j, (values, t) in enumerate(columns):
                v = values[i]
                if v is None:
                    continue
                if pa.types.is_date(t):
                    ws.write_datetime(i + 1, j, dt.datetime.combine(v, dt.time()), date_fmt)
                    w = 10
                elif pa.types.is_timestamp(t):
                    ws.write_datetime(i + 1, j, v, ts_fmt)
                    w = 16
                elif isinstance(v, (int, float)):
                    ws.write_number(i + 1, j, v)
                    w = len(str(v))
                else:
                    ws.write_string(i + 1, j, str(v))
                    w = cell_len(str(v)) if i < 1000 else 0  # widths from the first rows suffice
                if w + 2 > widths[j]:
                    widths[j] = min(w + 2, 60)
        # constant_memory writes rows as they come, so widths are set on a note sheet's order:
        # xlsxwriter accepts set_column after rows in constant_memory mode.
        for j, w in enumerate(widths):
            ws.set_column(j, j, w)
        if masked:
            note = wb.add_worksheet("说明")
            note.write_string(0, 0, f"以下列已按个人信息保护要求脱敏：{'、'.join(masked)}。")
            note.write_string(1, 0, "脱敏导出的文件不能作为原始数据重新导入。")
            note.set_column(0, 0, 80)
    finally:
        wb.close()


def _write_parquet(table: pa.Table, path: Path, masked_cols: list[str]) -> None:
    meta = dict(table.schema.metadata or {})
    if masked_cols:
        meta[MASKED_KEY] = ",".join(masked_cols).encode()
    pq.write_table(table.replace_schema_metadata(meta), path, compression="zstd")
