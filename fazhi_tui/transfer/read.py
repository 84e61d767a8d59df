"""Reading an office's file into columns of text (or typed cells), whatever it was saved as.

Slightly over 400 lines: three formats behind one interface, with the CSV encoding and
separator sniffing that Chinese offices' files need.

CSV: UTF-8 (with or without BOM) or GB18030/GBK as Excel on Chinese Windows writes it, told
apart without being told. XLSX: through calamine (fast). Parquet: as stored. Everything that
goes wrong becomes an ``ImportFileError`` whose message names the file and, where it can, the row.
"""

from __future__ import annotations

import codecs
import csv as pycsv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import limits
from .xlsx_formulas import Uncalculated, uncalculated_formulas

MAX_FIELD_BYTES = 1 << 20  # a field longer than this is not a ledger cell (and small blocks parse faster)
LARGE_BLOCK_BYTES = MAX_FIELD_BYTES * 2  # blocks that hold any record with fields up to that size
STREAM_BLOCK_BYTES = 256 << 10  # blocks a CSV is parsed in first (see _Csv)
SNIFF_BYTES = 1 << 20
# Rows converted and checked at a time: a batch of text and its conversion steps are what is in
# memory besides the keys (~75 MB at 25,000 rows of the hotline; 100,000 rows: ~150 MB, no faster).
BATCH_ROWS = 25_000

# How an encoding is named to people: one name for each, the same in the CLI and the dashboard.
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8（带 BOM）", "gb18030": "GB18030", "utf-16": "UTF-16"}


def encoding_name(encoding: str) -> str:
    return ENCODING_NAMES.get(encoding, encoding.upper())


class ImportFileError(Exception):
    """A file that cannot be read at all (nothing was written)."""


@dataclass
class RawTable:
    """A file's cells, one Arrow array per column, in file order; ``row_numbers[i]`` is the row
    of data row i as the user counts it in the file; ``header_row`` the header's (1 unless a
    title is above it); ``uncalculated`` the Excel formula cells from the header down that have
    no calculated value (read as empty: the importer refuses them where it uses them)."""

    path: Path
    headers: list[str]
    columns: list[pa.Array | pa.ChunkedArray]
    row_numbers: pa.Array
    encoding: str | None = None
    sheet: str | None = None
    header_row: int = 1
    uncalculated: list[Uncalculated] = field(default_factory=list)

    @property
    def num_rows(self) -> int:
        return len(self.row_numbers)


# How many rows above the header an Excel sheet may use for its title and notes.
TITLE_ROWS = 5


def read_file(path: Path, *, sheet: str | None = None, progress=None) -> RawTable:
    """The whole file in memory (the importer streams CSV through ``open_source`` instead)."""
    path = Path(path)
    _check_readable(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        return _read_xlsx(path, sheet)
    if suffix == ".parquet":
        return _read_parquet(path)
    if suffix in (".geojson", ".json"):
        raise ImportFileError(f"{path}：GeoJSON 只能导入网格表（fazhi-tui import grids {path.name}）")
    return _read_csv(path, progress)


def _check_readable(path: Path) -> None:
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
    mixed = _mixed_encoding(head)
    if mixed:
        raise ImportFileError(mixed)
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise ImportFileError("既不是 UTF-8 也不是 GB18030/GBK 编码的文本") from None


def _mixed_encoding(head: bytes) -> str | None:
    """Where a file stops being UTF-8, when lines before it hold Chinese in UTF-8: offices paste
    rows saved as GBK into a UTF-8 file, and reading it all as GBK would garble the first part."""
    seen_utf8_chinese = False
    for number, line in enumerate(head.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            if not seen_utf8_chinese:
                return None
            return (
                f"第 {number} 行起不是 UTF-8 编码（前 {number - 1} 行是 UTF-8，此行像是 GBK）：同一文件混用了两种编码；"
                "请在 Excel 中打开后“另存为 CSV UTF-8”再导入"
            )
        seen_utf8_chinese = seen_utf8_chinese or not line.isascii()
    return None


def _looks_binary(head: bytes) -> bool:
    return b"\x00" in head[:8192] and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def _read_csv(path: Path, progress=None) -> RawTable:
    source = open_csv_source(path, progress=progress)
    batches = list(source)
    if not batches:
        columns = [pa.chunked_array([], pa.string()) for _ in source.headers]
        return RawTable(
            path, source.headers, columns, pa.array([], pa.int64()), source.encoding, header_row=source.header_row
        )
    columns = [
        pa.chunked_array([c for b in batches for c in b.columns[j].chunks], pa.string())
        for j in range(len(source.headers))
    ]
    rows = pa.chunked_array([b.row_numbers for b in batches]).combine_chunks()
    return RawTable(path, source.headers, columns, rows, source.encoding, header_row=source.header_row)


@dataclass
class RawSource:
    """A file opened for reading batch by batch: its headers at once, its cells as ``RawTable``
    batches in file order (each batch's ``row_numbers`` counted in the whole file)."""

    path: Path
    headers: list[str]
    batches: Iterator[RawTable]
    encoding: str | None = None
    sheet: str | None = None
    header_row: int = 1
    uncalculated: list[Uncalculated] = field(default_factory=list)

    def __iter__(self) -> Iterator[RawTable]:
        return self.batches


def open_source(path: Path, *, sheet: str | None = None, progress=None, batch_rows: int | None = None) -> RawSource:
    """The file's headers, then its cells in batches of about ``batch_rows`` rows.

    A CSV is parsed as it is consumed, so only one batch of its text is in memory at a time;
    the other formats are read whole (Excel and GeoJSON files are small) and handed out in slices."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        _check_readable(path)
        return open_parquet_source(path, batch_rows)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods", ".geojson", ".json"):
        return whole_source(read_file(path, sheet=sheet, progress=progress), batch_rows)
    _check_readable(path)
    return open_csv_source(path, progress=progress, batch_rows=batch_rows)


def whole_source(raw: RawTable, batch_rows: int | None = None) -> RawSource:
    """A table already in memory, handed out in zero-copy slices like a streamed file."""
    step = batch_rows or BATCH_ROWS

    def slices() -> Iterator[RawTable]:
        for start in range(0, raw.num_rows, step):
            yield RawTable(
                raw.path,
                raw.headers,
                [c.slice(start, step) for c in raw.columns],
                raw.row_numbers.slice(start, step),
                raw.encoding,
                raw.sheet,
                raw.header_row,
            )

    return RawSource(raw.path, raw.headers, slices(), raw.encoding, raw.sheet, raw.header_row, raw.uncalculated)


def open_csv_source(path: Path, *, progress=None, batch_rows: int | None = None) -> RawSource:
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if _looks_binary(head) or head[:4] in (b"PK\x03\x04", b"PAR1", b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(f"{path}：不是文本（CSV）文件；若是 Excel 文件，请使用 .xlsx 扩展名")
    try:
        encoding = detect_encoding(head)
    except ImportFileError as exc:
        raise ImportFileError(f"{path}：{exc}") from None
    text = head.decode(encoding, errors="ignore")
    delimiter = _sniff_delimiter(text)
    # A title row above the header (and blank rows), as Excel and WPS save a sheet whose title
    # is merged across the columns: skipped, as in an Excel file.
    title_records, title_lines = _title_rows(text, delimiter)
    header_row = title_records + 1
    csv = _Csv(path, "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding, delimiter, title_lines)
    csv.row_shift = title_lines - title_records
    try:
        names = csv.column_names()
    except pa.ArrowInvalid as exc:
        raise ImportFileError(f"{path}：{_csv_error(exc, path)}") from None
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{path}：编码错误（按 {encoding_name(encoding)} 读取失败：{exc.reason}）") from None
    headers = [h.lstrip("\ufeff").strip() for h in names]
    if not any(headers):
        raise ImportFileError(f"{path}：第 {header_row} 行（表头）为空")
    # Every cell as text: conversion to the table's types happens later, with row-level errors.
    convert = pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names},
        strings_can_be_null=True,
        null_values=[""],
        quoted_strings_can_be_null=True,
    )
    step = batch_rows or BATCH_ROWS

    def batches() -> Iterator[RawTable]:
        bad_rows: list = []

        def on_bad_row(row) -> str:
            bad_rows.append(row)
            return "skip"  # keep reading, to list every bad row at once

        # Rows are counted as records, as Excel shows the file (a quoted field may span lines);
        # the header is row 1, or below its title. Counting goes on from batch to batch, so a row
        # named in an error is the file's row whichever batch it came in.
        next_row = header_row + 1
        group: list[pa.RecordBatch] = []
        grouped = 0
        try:
            for batch in csv.records(convert, on_bad_row):
                if bad_rows:
                    break  # the file is refused; its rows are listed by a second, exact read
                group.append(batch)
                grouped += batch.num_rows
                if progress:
                    progress("读取", next_row - 2 + grouped)
                if grouped >= step:
                    ready, first_row = group, next_row
                    next_row += grouped
                    group, grouped = [], 0
                    yield _csv_batch(path, headers, ready, first_row, encoding)
                    del ready  # the consumer is done with it: not held while parsing on
        except pa.ArrowInvalid as exc:
            raise ImportFileError(f"{path}：{_csv_error(exc, path)}") from None
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"{path}：编码错误（按 {encoding_name(encoding)} 读取失败：{exc.reason}）") from None
        if bad_rows:
            _raise_bad_rows(csv, convert)
        if grouped:
            yield _csv_batch(path, headers, group, next_row, encoding)

    return RawSource(path, headers, batches(), encoding=encoding, header_row=header_row)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$")
TITLE_SCAN_RECORDS = 50  # blank rows and titles above a header, at most


def _title_rows(text: str, delimiter: str) -> tuple[int, int]:
    """How many rows above the header are its title and blank rows (by the rule of
    ``_past_title_rows``, as for an Excel sheet), and how many lines of the file they take
    (a quoted cell may span lines). (0, 0) when the first row is the header."""
    reader = pycsv.reader((m.group() for m in _LINE.finditer(text)), delimiter=delimiter)
    records: list[list[str]] = []
    lines: list[int] = []
    try:
        for record in reader:
            records.append(record)
            lines.append(reader.line_num)
            if len(records) >= TITLE_SCAN_RECORDS:
                break
    except pycsv.Error:
        return 0, 0
    start = 0
    while start < len(records) and all(_blank(c) for c in records[start]):
        start += 1
    if start >= len(records):
        return 0, 0
    at = _past_title_rows(records, start)
    return (at, lines[at - 1]) if at else (0, 0)


class _Csv:
    """A CSV file parsed by Arrow's streaming reader.

    The reader keeps a fixed number of blocks (some seventy) parsed ahead of what is consumed,
    so the block size sets how much text is held besides the batch being converted: ~150 MB at
    LARGE_BLOCK_BYTES, ~18 MB at STREAM_BLOCK_BYTES, and parsing is no slower. A record longer
    than a block cannot be parsed in it; then the file is read again with large blocks, which
    hold any field up to MAX_FIELD_BYTES, from after the records already handed out."""

    def __init__(self, path: Path, encoding: str, delimiter: str, skip_lines: int = 0):
        self.path, self.encoding, self.delimiter, self.skip_lines = path, encoding, delimiter, skip_lines
        # Arrow numbers a bad row by the lines it skipped plus the records after them; a title
        # cell spanning lines is one row, as Excel counts it.
        self.row_shift = 0

    def _open(self, block_size: int, convert, on_bad_row, use_threads: bool = True):
        return pacsv.open_csv(
            self.path,
            read_options=pacsv.ReadOptions(
                encoding=self.encoding, block_size=block_size, use_threads=use_threads, skip_rows=self.skip_lines
            ),
            # An empty line is kept as a row of empty cells (left out as a blank row is, by
            # ``_csv_batch``): skipped by the reader, it went uncounted, and every row after it
            # was named one line early.
            parse_options=pacsv.ParseOptions(
                delimiter=self.delimiter,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=on_bad_row,
            ),
            convert_options=convert,
        )

    def column_names(self) -> list[str]:
        untyped = pacsv.ConvertOptions(column_types={}, strings_can_be_null=False)
        try:
            reader = self._open(STREAM_BLOCK_BYTES, untyped, lambda _row: "skip")
        except pa.ArrowInvalid as exc:
            if not _straddles(exc):
                raise
            reader = self._open(LARGE_BLOCK_BYTES, untyped, lambda _row: "skip")
        with reader:
            return reader.schema.names

    def records(self, convert, on_bad_row, use_threads: bool = True) -> Iterator[pa.RecordBatch]:
        """The file's records as parsed, in order (rows with the wrong number of fields go to
        ``on_bad_row``; after a restart with large blocks it may see the same row again)."""
        block_size, given = STREAM_BLOCK_BYTES, 0
        while True:
            skip = given
            try:
                with self._open(block_size, convert, on_bad_row, use_threads) as reader:
                    for batch in reader:
                        if skip:
                            if batch.num_rows <= skip:
                                skip -= batch.num_rows
                                continue
                            batch, skip = batch.slice(skip), 0
                        given += batch.num_rows
                        yield batch
                return
            except pa.ArrowInvalid as exc:
                if block_size >= LARGE_BLOCK_BYTES or not _straddles(exc):
                    raise
                block_size = LARGE_BLOCK_BYTES


def _straddles(exc: Exception) -> bool:
    return "straddl" in str(exc)


def _csv_batch(path: Path, headers: list[str], group: list[pa.RecordBatch], first_row: int, encoding: str) -> RawTable:
    # One array per column and batch: small blocks parse into hundreds of small chunks, and each
    # compute call on a column pays per chunk. The copy is one batch of text, freed at once.
    table = pa.Table.from_batches(group).combine_chunks()
    group.clear()
    rows = pa.array(range(first_row, first_row + table.num_rows), type=pa.int64())
    # A row of empty cells (",,,,," where the sheet had a blank line) is no record: left out,
    # as Excel's blank rows are, and the other rows keep their numbers in the file.
    filled = None
    for col in table.columns:
        given = pc.is_valid(col)
        filled = given if filled is None else pc.or_(filled, given)
    if filled is not None and not pc.all(filled).as_py():
        table, rows = table.filter(filled), rows.filter(filled)
    return RawTable(path, headers, list(table.columns), rows, encoding=encoding)


def _raise_bad_rows(csv: _Csv, convert) -> None:
    """Rows with the wrong number of fields, with their row numbers (only a single-threaded
    read knows them, so it is done only when something is wrong). The cells are not kept."""
    from ..store import RowProblem, ValidationError

    found: dict[int, Any] = {}  # pyarrow's CSV invalid-row records (number, expected_columns, …)

    def collect(row) -> str:
        found.setdefault(row.number, row)  # a restart with large blocks sees a row again
        return "skip"

    try:
        for _batch in csv.records(convert, collect, use_threads=False):
            pass
    except pa.ArrowInvalid as exc:
        raise ImportFileError(f"{csv.path}：{_csv_error(exc, csv.path)}") from None
    problems = [
        RowProblem(
            r.number - csv.row_shift,
            None,
            f"应有 {r.expected_columns} 列，实有 {r.actual_columns} 列（常见原因：引号不匹配、分隔符不一致或多余的逗号）",
            csv.path.name,
        )
        for r in found.values()
    ]
    raise ValidationError("", problems)  # plan_import names the table


_ROW_RE = re.compile(r"[Rr]ow #?(\d+)")


def _first_bad_utf8_line(path: Path) -> int | None:
    """The first line of the file that is not UTF-8 (read as a stream: only on this error path)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    number = 1
    with open(path, "rb") as fh:
        for raw in fh:
            try:
                decoder.decode(raw)
            except UnicodeDecodeError:
                return number
            number += 1
    return None


def _csv_error(exc: Exception, path: Path | None = None) -> str:
    text = str(exc)
    if "invalid UTF8" in text and path is not None:
        line = _first_bad_utf8_line(path)
        if line is not None:
            return (
                f"第 {line} 行起不是 UTF-8 编码（此前各行是 UTF-8）：同一文件混用了两种编码；"
                "请在 Excel 中打开后“另存为 CSV UTF-8”再导入"
            )
    if "straddling" in text or "block" in text.lower() and "straddl" in text:
        return f"单个字段过长（超过 {MAX_FIELD_BYTES >> 20} MB）或引号不匹配，无法解析"
    if "Empty CSV file or block" in text:
        return (
            f"第一行（表头）过长或列数过多（一个读取块 {STREAM_BLOCK_BYTES >> 10} KB 内容不下表头），"
            "不像台账文件；请检查分隔符与换行符"
        )
    m = re.search(r"Expected (\d+) columns, got (\d+)", text)
    where = ""
    rm = _ROW_RE.search(text)
    if rm:
        where = f"第 {int(rm.group(1)) + 1} 行："
    if m:
        return f"{where}CSV 格式错误：应有 {m.group(1)} 列，实有 {m.group(2)} 列（常见原因：引号不匹配或分隔符不一致）"
    return f"{where}CSV 格式错误：{text.splitlines()[0][:200]}"


def _sniff_delimiter(sample: str) -> str:
    """The header line's most used separator among comma, tab and semicolon (comma if none):
    the first line that has one, since a title of one cell above the header has none."""
    for line in (m.group() for _, m in zip(range(TITLE_ROWS + 1), _LINE.finditer(sample), strict=False)):
        counts = {d: line.count(d) for d in (",", "\t", ";")}
        best = max(counts, key=lambda d: counts[d])
        if counts[best]:
            return best
    return ","


def _read_xlsx(path: Path, sheet: str | None) -> RawTable:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise ImportFileError(f"缺少 python-calamine，无法读取 Excel 文件：{exc}") from None
    try:
        limits.check_xlsx(path)
    except limits.FileTooLargeError as exc:
        raise ImportFileError(str(exc)) from None
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
        ws = wb.get_sheet_by_name(sheet)
        limits.check_cells(path, sheet, ws.height, ws.width)
        data = ws.to_python(skip_empty_area=False)
    except limits.FileTooLargeError as exc:
        raise ImportFileError(str(exc)) from None
    except Exception as exc:
        raise ImportFileError(f"{path}：读取工作表“{sheet}”失败（{str(exc)[:150]}）") from None
    # Skip leading empty rows, as offices often leave a title row blank.
    start = 0
    while start < len(data) and all(_blank(c) for c in data[start]):
        start += 1
    if start >= len(data):
        raise ImportFileError(f"{path}：工作表“{sheet}”为空")
    start = _past_title_rows(data, start)
    header_row = data[start]
    headers = [str(c).strip() if not _blank(c) else "" for c in header_row]
    body = data[start + 1 :]
    width = len(headers)
    keep = [i for i, r in enumerate(body) if not all(_blank(c) for c in r)]
    columns = []
    for j in range(width):
        columns.append(_cells_to_array([body[i][j] if j < len(body[i]) else None for i in keep]))
    row_numbers = pa.array([start + 2 + i for i in keep], type=pa.int64())
    uncalculated = []
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        uncalculated = [u for u in uncalculated_formulas(path, sheet) if u.row > start]
    return RawTable(path, headers, columns, row_numbers, sheet=sheet, header_row=start + 1, uncalculated=uncalculated)


def _past_title_rows(data: list[list], start: int) -> int:
    """The header's row: ledgers exported from Excel or WPS often carry a title above it
    ("李家镇12345工单台账（2024年）", merged across the columns, so only its first cell holds
    text) and blank rows between. A row of at most one cell is such a title when a later row
    of the first few holds several cells; every table has several columns, so a one-cell row
    is never its header."""

    def filled(row: list) -> int:
        return sum(1 for c in row if not _blank(c))

    at = start
    while at < len(data) and at < start + TITLE_ROWS and filled(data[at]) <= 1:
        at += 1
    if at < len(data) and filled(data[at]) > 1:
        return at
    return start


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _cells_to_array(cells: list) -> pa.Array:
    """Excel cells keep their kind: dates stay dates, numbers numbers; all else is text."""
    kinds = {type(c) for c in cells if not _blank(c)}
    if kinds and kinds <= {dt.datetime, dt.date}:
        return pa.array(
            [
                None if _blank(c) else (c if isinstance(c, dt.datetime) else dt.datetime.combine(c, dt.time()))
                for c in cells
            ],
            type=pa.timestamp("us"),
        )
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


def _open_parquet(path: Path) -> tuple[pq.ParquetFile, list[str]]:
    """The file opened with its footer checked against the size limits, and its headers."""
    try:
        # Text columns stay dictionary-encoded until each batch's decoded size is checked: a
        # small file of repeated long values (a "bomb") would otherwise decode to gigabytes.
        schema = pq.read_schema(path)
        text = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
        pf = pq.ParquetFile(path, read_dictionary=text)
    except Exception as exc:
        raise ImportFileError(f"{path}：不是可读的 Parquet 文件（{str(exc)[:150]}）") from None
    try:
        limits.check_parquet(path, pf.metadata)
    except limits.FileTooLargeError as exc:
        raise ImportFileError(str(exc)) from None
    schema = pf.schema_arrow
    # Columns a viewer's export masked are marked so the header check refuses them.
    masked = set((schema.metadata or {}).get(b"fazhi.masked", b"").decode().split(",")) - {""}
    return pf, [n + "（已脱敏）" if n in masked else n for n in schema.names]


def _plain(col: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Dictionary-encoded columns (pandas categoricals, Spark output) as their values."""
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    return col.dictionary_decode() if pa.types.is_dictionary(col.type) else col


def _decoded_bytes(path: Path, headers: list[str], columns, first_row: int) -> None:
    """Refuse a batch whose text would decode past the limits, before decoding it."""
    import pyarrow.compute as pc

    total = 0
    for name, col in zip(headers, columns, strict=True):
        if isinstance(col, pa.ChunkedArray):
            col = col.combine_chunks()
        if not pa.types.is_dictionary(col.type):
            total += col.nbytes
            continue
        lengths = pc.binary_length(col.dictionary)
        longest = pc.max(lengths).as_py() or 0
        if longest > MAX_FIELD_BYTES:
            raise ImportFileError(
                f"{path}：“{name}”列有长达 {longest >> 10} KB 的值（上限 {MAX_FIELD_BYTES >> 10} KB），不像台账的单元格"
            )
        total += pc.sum(lengths.take(col.indices)).as_py() or 0
    if total > limits.MAX_DECODED_BATCH_BYTES:
        raise ImportFileError(
            f"{path}：第 {first_row} 行起的 {len(columns[0]) if columns else 0:,} 行解码后达 {total >> 20} MB，"
            f"超过每批 {limits.MAX_DECODED_BATCH_BYTES >> 20} MB 的上限（疑为重复长文本构成的“压缩炸弹”），未导入"
        )


def _read_parquet(path: Path) -> RawTable:
    pf, headers = _open_parquet(path)
    try:
        table = pf.read()
    except Exception as exc:
        raise ImportFileError(f"{path}：读取失败（{str(exc)[:150]}）") from None
    _decoded_bytes(path, headers, table.columns, 2)
    columns = [_plain(c) for c in table.columns]
    return RawTable(path, headers, columns, pa.array(range(2, table.num_rows + 2), type=pa.int64()))


def open_parquet_source(path: Path, batch_rows: int | None = None) -> RawSource:
    """A Parquet file read batch by batch (a county's 10M tickets need not be in memory at once)."""
    pf, headers = _open_parquet(path)
    step = batch_rows or BATCH_ROWS

    def batches() -> Iterator[RawTable]:
        first = 2
        try:
            # A reader per row group: one over the whole file keeps what it decoded of the
            # dictionary-read text columns (a 10M-row file: ~400 MB by its end), one per row
            # group lets it go with the group.
            for batch in (
                b for g in range(pf.num_row_groups) for b in pf.iter_batches(batch_size=step, row_groups=[g])
            ):
                n = batch.num_rows
                _decoded_bytes(path, headers, batch.columns, first)
                yield RawTable(
                    path,
                    headers,
                    [_plain(c) for c in batch.columns],
                    pa.array(range(first, first + n), type=pa.int64()),
                )
                first += n
        except (pa.ArrowException, OSError) as exc:
            raise ImportFileError(f"{path}：第 {first} 行附近读取失败（{str(exc)[:150]}）") from None

    return RawSource(path, headers, batches())
