"""Reading an office's file into columns of text (or typed cells), whatever it was saved as.

CSV: UTF-8 (with or without BOM) or GB18030/GBK as Excel on Chinese Windows writes it, told
apart without being told. XLSX: through calamine (fast). Parquet: as stored. Everything that
goes wrong becomes an ``ImportFileError`` whose message names the file and, where it can, the row.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

MAX_FIELD_BYTES = 1 << 20  # a field longer than this is not a ledger cell (and small blocks parse faster)
SNIFF_BYTES = 1 << 20


class ImportFileError(Exception):
    """A file that cannot be read at all (nothing was written)."""


@dataclass
class RawTable:
    """A file's cells, one Arrow array per column, in file order; ``row_numbers[i]`` is the row
    of data row i as the user counts it in the file (header = row 1)."""

    path: Path
    headers: list[str]
    columns: list[pa.Array | pa.ChunkedArray]
    row_numbers: pa.Array
    encoding: str | None = None
    sheet: str | None = None

    @property
    def num_rows(self) -> int:
        return len(self.row_numbers)


def read_file(path: Path, *, sheet: str | None = None, progress=None) -> RawTable:
    path = Path(path)
    if not path.exists():
        raise ImportFileError(f"{path}：文件不存在")
    if path.is_dir():
        raise ImportFileError(f"{path}：这是一个目录，不是文件")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFileError(f"{path}：无法读取（{exc.strerror}）") from None
    if size == 0:
        raise ImportFileError(f"{path}：文件为空")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        return _read_xlsx(path, sheet)
    if suffix == ".parquet":
        return _read_parquet(path)
    if suffix in (".geojson", ".json"):
        raise ImportFileError(f"{path}：GeoJSON 只能导入网格表（fazhi-tui import grids {path.name}）")
    return _read_csv(path, progress)


def detect_encoding(head: bytes) -> str:
    """UTF-8 (BOM or not) if the bytes decode as UTF-8, else GB18030 (a superset of GBK/GB2312)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # A multi-byte character may be cut at the end of the sample: decode incrementally.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise ImportFileError("既不是 UTF-8 也不是 GB18030/GBK 编码的文本") from None


def _looks_binary(head: bytes) -> bool:
    return b"\x00" in head[:8192] and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def _read_csv(path: Path, progress=None) -> RawTable:
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if _looks_binary(head) or head[:4] in (b"PK\x03\x04", b"PAR1", b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(f"{path}：不是文本（CSV）文件；若是 Excel 文件，请使用 .xlsx 扩展名")
    try:
        encoding = detect_encoding(head)
    except ImportFileError as exc:
        raise ImportFileError(f"{path}：{exc}") from None
    delimiter = _sniff_delimiter(head.decode(encoding if encoding != "utf-8-sig" else "utf-8", errors="ignore"))
    read_opts = pacsv.ReadOptions(
        encoding="utf8" if encoding in ("utf-8", "utf-8-sig") else encoding,
        block_size=MAX_FIELD_BYTES * 2,
        use_threads=True,
    )
    parse_opts = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, invalid_row_handler=lambda _row: "skip")
    try:
        first = pacsv.open_csv(path, read_options=read_opts, parse_options=parse_opts,
                               convert_options=pacsv.ConvertOptions(column_types={}, strings_can_be_null=False))
        names = first.schema.names
        first.close()
    except pa.ArrowInvalid as exc:
        raise ImportFileError(f"{path}：{_csv_error(exc)}") from None
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{path}：编码错误（按 {encoding} 读取失败：{exc.reason}）") from None
    # Every cell as text: conversion to the table's types happens later, with row-level errors.
    convert = pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=True,
                                   null_values=[""], quoted_strings_can_be_null=True)
    bad_rows: list = []

    def on_bad_row(row) -> str:
        bad_rows.append(row)
        return "skip"  # keep reading, to list every bad row at once

    parse_opts = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_bad_row)
    try:
        reader = pacsv.open_csv(path, read_options=read_opts, parse_options=parse_opts, convert_options=convert)
        batches = []
        rows = 0
        for batch in reader:
            batches.append(batch)
            rows += batch.num_rows
            if progress:
                progress("读取", rows)
        table = pa.Table.from_batches(batches, schema=reader.schema)
    except pa.ArrowInvalid as exc:
        raise ImportFileError(f"{path}：{_csv_error(exc)}") from None
    if bad_rows:
        _raise_bad_rows(path, read_opts, delimiter, convert)
    headers = [h.lstrip("\ufeff").strip() for h in table.column_names]
    if not any(headers):
        raise ImportFileError(f"{path}：第 1 行（表头）为空")
    # Columns stay chunked as read: combining a million rows of text would copy it all again.
    columns = list(table.columns)
    # Rows are counted as records, as Excel shows the file (a quoted field may span lines).
    row_numbers = pa.array(range(2, table.num_rows + 2), type=pa.int64())
    return RawTable(path, headers, columns, row_numbers, encoding=encoding)


def _raise_bad_rows(path: Path, read_opts, delimiter: str, convert) -> None:
    """Rows with the wrong number of fields, with their row numbers (only a single-threaded
    read knows them, so it is done only when something is wrong)."""
    from ..store import RowProblem, ValidationError

    found: list = []

    def collect(row) -> str:
        found.append(row)
        return "skip"

    opts = pacsv.ReadOptions(encoding=read_opts.encoding, block_size=read_opts.block_size, use_threads=False)
    parse = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, invalid_row_handler=collect)
    pacsv.read_csv(path, read_options=opts, parse_options=parse, convert_options=convert)
    problems = [
        RowProblem(r.number, None, f"应有 {r.expected_columns} 列，实有 {r.actual_columns} 列（常见原因：引号不匹配、分隔符不一致或多余的逗号）", path.name)
        for r in found
    ]
    raise ValidationError(path.stem, problems)


_ROW_RE = re.compile(r"[Rr]ow #?(\d+)")


def _csv_error(exc: Exception) -> str:
    text = str(exc)
    if "straddling" in text or "block" in text.lower() and "straddl" in text:
        return f"单个字段过长（超过 {MAX_FIELD_BYTES >> 20} MB）或引号不匹配，无法解析"
    m = re.search(r"Expected (\d+) columns, got (\d+)", text)
    where = ""
    rm = _ROW_RE.search(text)
    if rm:
        where = f"第 {int(rm.group(1)) + 1} 行："
    if m:
        return f"{where}CSV 格式错误：应有 {m.group(1)} 列，实有 {m.group(2)} 列（常见原因：引号不匹配或分隔符不一致）"
    return f"{where}CSV 格式错误：{text.splitlines()[0][:200]}"


def _sniff_delimiter(sample: str) -> str:
    """The header line's most used separator among comma, tab and semicolon (comma if none)."""
    first = sample.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_xlsx(path: Path, sheet: str | None) -> RawTable:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise ImportFileError(f"缺少 python-calamine，无法读取 Excel 文件：{exc}") from None
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise ImportFileError(f"{path}：不是可读的 Excel 文件（{str(exc)[:150]}）") from None
    names = wb.sheet_names
    if not names:
        raise ImportFileError(f"{path}：工作簿中没有工作表")
    if sheet is None:
        sheet = names[0]
    elif sheet not in names:
        raise ImportFileError(f"{path}：没有名为“{sheet}”的工作表（已有：{'、'.join(names)}）")
    try:
        data = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:
        raise ImportFileError(f"{path}：读取工作表“{sheet}”失败（{str(exc)[:150]}）") from None
    # Skip leading empty rows, as offices often leave a title row blank.
    start = 0
    while start < len(data) and all(_blank(c) for c in data[start]):
        start += 1
    if start >= len(data):
        raise ImportFileError(f"{path}：工作表“{sheet}”为空")
    header_row = data[start]
    headers = [str(c).strip() if not _blank(c) else "" for c in header_row]
    body = data[start + 1:]
    width = len(headers)
    keep = [i for i, r in enumerate(body) if not all(_blank(c) for c in r)]
    columns = []
    for j in range(width):
        columns.append(_cells_to_array([body[i][j] if j < len(body[i]) else None for i in keep]))
    row_numbers = pa.array([start + 2 + i for i in keep], type=pa.int64())
    return RawTable(path, headers, columns, row_numbers, sheet=sheet)


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _cells_to_array(cells: list) -> pa.Array:
    """Excel cells keep their kind: dates stay dates, numbers numbers; all else is text."""
    kinds = {type(c) for c in cells if not _blank(c)}
    if kinds and kinds <= {dt.datetime, dt.date}:
        return pa.array([None if _blank(c) else (c if isinstance(c, dt.datetime) else dt.datetime.combine(c, dt.time())) for c in cells],
                        type=pa.timestamp("us"))
    if kinds and kinds <= {int, float}:
        return pa.array([None if _blank(c) else float(c) for c in cells], type=pa.float64())
    return pa.array([None if _blank(c) else _cell_text(c) for c in cells], type=pa.string())


def _cell_text(c) -> str:
    if isinstance(c, float) and c.is_integer():
        return str(int(c))
    if isinstance(c, dt.datetime):
        return c.isoformat(sep=" ")
    if isinstance(c, bool):
        return "是" if c else "否"
    return str(c)


def _read_parquet(path: Path) -> RawTable:
    try:
        table = pq.read_table(path)
    except Exception as exc:
        raise ImportFileError(f"{path}：不是可读的 Parquet 文件（{str(exc)[:150]}）") from None
    columns = [c.combine_chunks() for c in table.columns]
    # Columns a viewer's export masked are marked so the header check refuses them.
    masked = set((table.schema.metadata or {}).get(b"fazhi.masked", b"").decode().split(",")) - {""}
    headers = [n + "（已脱敏）" if n in masked else n for n in table.column_names]
    return RawTable(path, headers, columns, pa.array(range(2, table.num_rows + 2), type=pa.int64()))
