"""Importing a file into a table: every row validated first, then one atomic batch or nothing.

Long (about 900 lines) because the plan is one piece: its batch checks, its temporary files,
the keys checked against the store and the write share the plan's state; reading files is
``read.py``, converting cells ``convert.py``.

``plan_import`` reads the file in batches of rows (``read.BATCH_ROWS``), a batch read and
converted on one thread while the one before is checked on another: each batch's grid and
person references resolved and its values checked; its converted columns go to an unnamed
temporary file and its keys and file rows to another, so a 10M-row file is never in memory, as
text, converted or as its keys. Keys are checked across the whole file and against the store
once every batch is in, by DuckDB reading them from their file (within its memory limit). It raises ``ValidationError`` naming file, row (counted in
the whole file, whichever batch the row came in), column and reason. ``run_import`` writes the
plan as one batch.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import tempfile
import threading
import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from ..pii import MASK_NOTE
from ..store import BY, ID, OP, REV, RowProblem, ValidationError, WriteResult
from ..store.references import reference_problems
from ..store.refs import resolvers
from ..store.rules import fill_computed
from ..store.spec import META_NAMES, TableSpec
from ..store.validate import check_values, derive_keys, renamed_codes
from ..store.views import qident
from .convert import convert
from .read import ImportFileError, RawSource, RawTable, open_source, whole_source

MAX_PROBLEMS = 1000
NAMED_EXISTING = 5  # rows named in the one line saying how many rows the store already has
# Stored rows read per step of --update (the stored versions of the records a file updates).
UPDATE_CHUNK = 25_000
Progress = Callable[[str, int], None]


class _Spill:
    """Converted batches in an unnamed temporary file, so that a plan does not hold its rows in
    memory (a million hotline rows converted: ~250 MB) between the check and the write. Arrow
    IPC, uncompressed: writing and reading it back cost ~0.1 s a million rows. The file has no
    name on disk, so it goes away with the plan or the process, whatever happens.

    Arrow reads and writes it through its own file (``pa.OSFile`` on ``/proc/self/fd``, where
    there is one) rather than the Python file object: through that one, every read of a batch
    took Python's lock, so DuckDB's sort of a big import waited on one thread feeding it (10M
    rows: ~40 s of a 76 s write). A memory map would be as fast but counts every page read as
    the process's memory."""

    def __init__(self, schema: pa.Schema):
        self.schema = schema
        try:
            self._file = tempfile.TemporaryFile(prefix="fazhi-import-")
        except OSError as exc:
            raise _spill_error(exc) from None
        self._path = _fd_path(self._file.fileno())
        try:
            self._sink = pa.OSFile(self._path, "wb") if self._path else pa.PythonFile(self._file, mode="w")
        except OSError as exc:
            self._file.close()
            raise _spill_error(exc) from None
        self._writer = pa.ipc.new_file(self._sink, schema)
        self._finished = False

    def write(self, table: pa.Table) -> None:
        try:
            self._writer.write_table(table)
        except OSError as exc:
            raise _spill_error(exc) from None

    def finish(self) -> _Spill:
        if not self._finished:
            try:
                self._writer.close()
                if self._path:  # a PythonFile would close the temporary file itself
                    self._sink.close()
            except OSError as exc:
                raise _spill_error(exc) from None
            self._finished = True
        return self

    def batches(self) -> Iterator[pa.Table]:
        if self._path:
            source = pa.OSFile(self._path, "rb")
            opened: contextlib.AbstractContextManager = source
        else:
            self._file.seek(0)
            source = pa.PythonFile(self._file, mode="r")
            opened = contextlib.nullcontext()  # closing it would close the temporary file
        with opened:
            reader = pa.ipc.open_file(source)
            for i in range(reader.num_record_batches):
                yield pa.Table.from_batches([reader.get_batch(i)], schema=self.schema)

    def reader(self) -> pa.RecordBatchReader:
        """The batches as a stream DuckDB can scan (one pass)."""
        return pa.RecordBatchReader.from_batches(self.schema, (b for t in self.batches() for b in t.to_batches()))

    def close(self) -> None:
        if self._path:
            with contextlib.suppress(OSError):
                self._sink.close()
        self._file.close()


def _fd_path(fd: int) -> str | None:
    """A path that opens the same file as ``fd`` (Linux's /proc), or None where there is none."""
    path = f"/proc/self/fd/{fd}"
    try:
        return path if os.path.samefile(path, fd) else None
    except OSError:
        return None


def _spill_error(exc: OSError) -> ImportFileError:
    return ImportFileError(
        f"无法写入临时文件（{exc.strerror or exc}），未写入任何数据；"
        f"请检查临时目录 {tempfile.gettempdir()} 的剩余空间（可用环境变量 TMPDIR 另指目录）"
    )


@dataclass
class ImportPlan:
    """A checked file: what will be written, and what the user is told before it is."""

    table: str
    path: Path
    count: int  # rows to write
    expected: dict[str, int] = field(default_factory=dict)
    new: int = 0
    updates: int = 0
    unchanged: int = 0
    unknown_headers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # things the user should know, not errors
    encoding: str | None = None
    sheet: str | None = None
    schema: pa.Schema | None = None
    filled_columns: list[str] = field(default_factory=list)  # columns with a value in some row to write
    _spill: _Spill | None = field(default=None, repr=False)
    _data: pa.Table | None = field(default=None, repr=False)
    _keys: _Keys | None = field(default=None, repr=False)  # the file's keys (new records: as they are written)

    _file_rows: pa.Array | pa.ChunkedArray | None = field(default=None, repr=False)

    @property
    def rows(self) -> int:
        return self.count

    @property
    def file_rows(self) -> pa.Array | pa.ChunkedArray:
        """The file's row of each row to write, in order: read from the keys' temporary file
        when first asked for (10M rows: 80 MB that a plan of new records seldom needs)."""
        if self._file_rows is None:
            if self._keys is None:
                raise ValueError(f"the import plan for {self.table} has no file rows")
            # Copied out of each batch: a column read back shares its whole batch's buffer.
            self._file_rows = pa.chunked_array(
                [pa.concat_arrays([t.column(_ROW).combine_chunks(), _NO_ROWS]) for t in self._keys.batches()],
                pa.int64(),
            )
        return self._file_rows

    @file_rows.setter
    def file_rows(self, rows: pa.Array | pa.ChunkedArray) -> None:
        self._file_rows = rows
        self.count = len(rows)

    @property
    def data(self) -> pa.Table:
        """Every row to write as one table, read back from the plan's temporary file on first
        use (a million rows: ~250 MB). A write or preview that can take the rows a batch at a
        time should use ``batches()`` or ``preview()`` instead."""
        if self._data is None:
            parts = list(self.batches())
            self._data = pa.concat_tables(parts) if parts else self._schema().empty_table()
            if self._spill is not None:
                self._spill.close()  # the rows are all in memory now
                self._spill = None
        return self._data

    def batches(self) -> Iterator[pa.Table]:
        """The rows to write, a batch at a time, in the file's order."""
        if self._data is not None:
            yield self._data
        elif self._spill is not None:
            yield from self._spill.batches()

    def preview(self, n: int) -> pa.Table:
        """The first ``n`` rows to write, without reading the rest."""
        if self._data is not None:
            return self._data.slice(0, n)
        parts, have = [], 0
        for batch in self.batches():
            if have >= n:
                break
            parts.append(batch.slice(0, n - have))
            have += parts[-1].num_rows
        return pa.concat_tables(parts) if parts else self._schema().empty_table()

    def _schema(self) -> pa.Schema:
        if self.schema is None:
            raise ValueError(f"the import plan for {self.table} has no schema")
        return self.schema

    def discard(self) -> None:
        """Let go of the rows (the plan will not be written)."""
        if self._spill is not None:
            self._spill.close()
            self._spill = None
        self._data = None
        if self._keys is not None:
            self._keys.close()
            self._keys = None

    def key_reader(self) -> pa.RecordBatchReader | None:
        """The keys of the rows to write (new records only: an update's rows are merged) as a
        stream of ``key`` and ``row`` (file row), in the plan's order; None when not kept."""
        if self._keys is None or self.updates or self.unchanged:
            return None
        return self._keys.reader()

    def describe(self) -> str:
        parts = [f"新增 {self.new} 条"]
        if self.updates:
            parts.append(f"更新 {self.updates} 条")
        if self.unchanged:
            parts.append(f"未变 {self.unchanged} 条（不写入）")
        return "，".join(parts)


# Personal-data kinds whose cells are digits: full-width forms are folded to ASCII on import.
_WIDTH_FOLDED_PII = frozenset({"phone", "id_number"})


# A unit or note in brackets after a header, as offices write them: 出动人次（次）, 罚款金额(元),
# 学时【小时】. Tried only when the whole header names no column (_norm has made （） into ()).
_UNIT_SUFFIX = re.compile(r"(?:\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】)$")


def _norm(text: str) -> str:
    """Header matching ignores width, case, spaces and an asterisk marking required columns."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"[\s*＊]", "", text)


def map_headers(spec: TableSpec, raw: RawTable) -> tuple[dict[str, int], list[str], list[RowProblem]]:
    """Column name -> index in the file; unknown headers; problems (masked or doubled columns)."""
    found, unknown, located, blank = _map_header_names(spec, raw.headers, raw.path.name, raw.header_row)
    located += [(i, _blank_header(i, raw.path.name, raw.header_row)) for i in blank if _has_values(raw.columns[i])]
    return found, unknown, _in_header_order(located)


def _map_header_names(
    spec: TableSpec, headers: list[str], src: str, header_row: int = 1
) -> tuple[dict[str, int], list[str], list[tuple[int, RowProblem]], list[int]]:
    """What the headers alone tell: the mapping, unknown headers, problems with the position they
    are listed at, and the columns without a header (whether they hold data needs the cells).
    Problems name the header's row in the file (below a title, it is not row 1)."""
    lookup: dict[str, str] = {}
    for c in spec.columns:
        lookup[_norm(c.name)] = c.name
        lookup[_norm(c.label)] = c.name
    meta = {_norm(m) for m in META_NAMES}
    found: dict[str, int] = {}
    unknown: list[str] = []
    located: list[tuple[int, RowProblem]] = []
    blank: list[int] = []
    for i, header in enumerate(headers):
        if not header:
            blank.append(i)
            continue
        key = _norm(header)
        if key in meta:
            continue  # version columns of an export: the store writes its own
        if MASK_NOTE in header or _norm(MASK_NOTE) in key:
            located.append((i, RowProblem(header_row, header, "这是脱敏导出的列，不能作为原始数据导入", src)))
            continue
        name = lookup.get(key)
        if name is None:
            name = lookup.get(_UNIT_SUFFIX.sub("", key))
        if name is None:
            unknown.append(header)
            continue
        if name in found:
            doubled = f"与第 {found[name] + 1} 列重复（都对应“{spec.label_of(name)}”）"
            located.append((i, RowProblem(header_row, header, doubled, src)))
            continue
        found[name] = i
    derivable = {spec.key} if spec.key_from and all(c in found for c in spec.key_from) else set()
    missing = [spec.label_of(n) for n in spec.required_columns if n not in found and n not in derivable]
    if missing:
        located.append((len(headers), RowProblem(header_row, None, f"缺少必填列：{'、'.join(missing)}", src)))
    return found, unknown, located, blank


def _blank_header(i: int, src: str, header_row: int = 1) -> RowProblem:
    return RowProblem(header_row, f"第 {i + 1} 列", "表头为空，但该列有数据", src)


def _has_values(cells: pa.Array | pa.ChunkedArray) -> bool:
    return cells.null_count < len(cells)


def _in_header_order(located: list[tuple[int, RowProblem]]) -> list[RowProblem]:
    return [p for _, p in sorted(located, key=lambda item: item[0])]


def plan_import(store, table: str, path: str | Path, **kwargs) -> ImportPlan:
    """Read, convert and check every row of the file; nothing is written (see ``_plan_import``)."""
    try:
        return _plan_import(store, table, path, **kwargs)
    except ValidationError as exc:
        if exc.table:
            raise
        # The reader found rows it cannot split into cells before it knew the table: name it.
        raise ValidationError(store.spec(table).name, exc.problems) from None


def _plan_import(
    store,
    table: str,
    path: str | Path,
    *,
    sheet: str | None = None,
    update: bool = False,
    progress: Progress | None = None,
    batch_rows: int | None = None,
) -> ImportPlan:
    """Read, convert and check every row of the file; nothing is written. ``batch_rows`` is how
    many rows are converted at a time (``read.BATCH_ROWS`` unless given).

    The role is checked here, not only when the plan is run: a dry run compares the file with
    the stored rows, and its counts ("未变 1 条") would otherwise tell a viewer whether a guess
    at a masked phone is right."""
    spec = store.spec(table)
    store.access.require_write(spec.name, spec.label)
    path = Path(path)
    if path.suffix.lower() in (".geojson", ".json") and table == "grids":
        from .geojson import read_grids_geojson

        source = whole_source(read_grids_geojson(path), batch_rows)
    else:
        source = open_source(path, sheet=sheet, progress=progress, batch_rows=batch_rows)
    src = path.name
    found, unknown, located, blank = _map_header_names(spec, source.headers, src, source.header_row)
    formulas = _uncalculated_formulas(source, set(found.values()), src)
    if located or formulas:
        # The headers are wrong: the cells are not converted, only looked at for data under an
        # empty header, so that every header problem is listed at once.
        if located:
            located += _blank_headers_with_data(source, blank, src)
        raise ValidationError(spec.name, formulas + _in_header_order(located))
    check = _FileCheck(store, spec, found, src)
    try:
        blank_with_data: set[int] = set()

        def converted(check: _FileCheck) -> Iterator[_Converted]:
            seen: set[int] = set()
            for raw in source:
                found_blank = {i for i in blank if i not in seen and _has_values(raw.columns[i])}
                seen |= found_blank
                batch = check.convert(raw)
                del raw  # this batch's text can go before the next batch is read
                batch.blank_with_data = found_blank
                yield batch

        for batch in _ahead(converted(check)):
            blank_with_data |= batch.blank_with_data
            check.check(batch)
            del batch
            if progress:
                progress("校验", check.rows)
        if blank_with_data:
            raise ValidationError(
                spec.name, [_blank_header(i, src, source.header_row) for i in sorted(blank_with_data)]
            )
        if check.rows == 0:
            raise ImportFileError(f"{path}：只有表头，没有数据行")
        _release()  # before DuckDB counts the keys: what the batches' steps left with Arrow's allocator
        problems = check.finish()
        _release()
        if problems:
            # Every kind of problem at once, one per cell (a cell that failed to convert is not
            # also reported as empty), and the keys the store already has: fixing the file's
            # problems must not lead to a second refusal for what this one could have said.
            if not update:
                keys = check.keys()
                live = _live_versions(store, spec, keys)
                if live.num_rows:
                    problems.append(_already_stored(store, spec, keys, live, src))
                del live
            raise ValidationError(spec.name, _first_per_cell(problems))
    except BaseException:
        check.close()  # the error (and the frames it holds) may be kept a while: not the rows
        raise
    plan = ImportPlan(
        spec.name,
        path,
        check.rows,
        unknown_headers=unknown,
        notes=check.notes,
        encoding=source.encoding,
        sheet=source.sheet,
        schema=spec.data_schema,
        filled_columns=check.filled_columns(),
        _spill=check.finished_spill(),
        _keys=check.keys(),
    )
    del check  # only the plan's temporary files are left of the batches
    try:
        # A role that sees PII masked compares, and changes, only what it may see: the file's
        # PII of existing records is neither compared nor written (the store keeps the stored one).
        visible = set(found) if store.access.sees_pii else {c for c in found if not spec.column(c).pii}
        _against_store(store, spec, plan, update, problems, src, present=visible)
        if problems:
            raise ValidationError(spec.name, _sorted(problems))
        plan.notes += import_notes(store, spec, plan)
    except BaseException:
        plan.discard()
        raise
    _release()
    return plan


MAX_IMPORT_NOTES = 20  # lines of each ``ImportNote`` shown; then how many more


def import_notes(store, spec: TableSpec, plan: ImportPlan) -> list[str]:
    """The table's ``ImportNote`` warnings for the plan's rows (see ``spec.ImportNote``): each
    query runs over ``incoming`` (the rows to write and their file rows) and the store's views."""
    if not spec.import_notes or plan.rows == 0:
        return []
    data = pa.concat_tables(list(plan.batches()))
    incoming = data.append_column("_row", plan.file_rows.cast(pa.int64()))
    del data
    store.refresh()
    cur = store.cursor()
    name = "incoming"
    cur.register(name, incoming)
    out: list[str] = []
    try:
        for note in spec.import_notes:
            try:
                rows = cur.sql(note.query).to_arrow_table().to_pylist()
            except Exception as exc:  # a plugin's broken check costs its warning, not the import
                out.append(f"导入检查 {note.name} 未能运行：{exc}")
                continue
            for row in rows[:MAX_IMPORT_NOTES]:
                out.append(note.message.format(**row))
            if len(rows) > MAX_IMPORT_NOTES:
                out.append(f"……另有 {len(rows) - MAX_IMPORT_NOTES} 处同类情况")
    finally:
        cur.unregister(name)
    return out


def _release() -> None:
    """Memory Arrow freed stays with its allocator until handed back, and neither Python's
    objects nor DuckDB can use it there: handed back between steps, it is not counted twice."""
    pa.default_memory_pool().release_unused()


def _uncalculated_formulas(source: RawSource, used: set[int], src: str) -> list[RowProblem]:
    """Excel formulas without a calculated value (the file was written by a program and never
    opened in Excel), in the header or in a column the import uses: they would be imported as
    empty cells. A column the import ignores may keep them."""
    problems = []
    for u in source.uncalculated:
        if u.column not in used and u.row != source.header_row:
            continue
        header = source.headers[u.column] if u.column < len(source.headers) else ""
        formula = f"公式“={_short(u.formula)}”" if u.formula else "公式"
        problems.append(
            RowProblem(
                u.row,
                header or f"第 {u.column + 1} 列",
                f"{formula}没有计算结果（文件由程序生成，未经 Excel 计算），导入会成为空值；"
                "请用 Excel 或 WPS 打开该文件、保存后再导入",
                src,
            )
        )
    return problems


def _blank_headers_with_data(source: RawSource, blank: list[int], src: str) -> list[tuple[int, RowProblem]]:
    if not blank:
        return []
    with_data: set[int] = set()
    for raw in source:
        with_data |= {i for i in blank if _has_values(raw.columns[i])}
    return [(i, _blank_header(i, src, source.header_row)) for i in sorted(with_data)]


@dataclass
class _Converted:
    """One batch converted to the table's types (``_FileCheck.convert``), to be checked."""

    rows: pa.Array
    n: int
    arrays: dict[str, pa.Array | pa.ChunkedArray]
    problems: list[RowProblem]
    blank_with_data: set[int] = field(default_factory=set)  # columns without a header that hold data


_T = TypeVar("_T")
_DONE = object()


def _ahead(items: Iterator[_T], depth: int = 2) -> Iterator[_T]:
    """``items`` made on a thread of their own, up to ``depth`` ahead of the caller: a batch
    is read and converted while the one before is checked. Arrow's compute and DuckDB let go of
    the GIL, so the two steps share two cores (10M rows: ~20 s of checking in series). What the
    thread raises is raised here, in order; if the caller stops early, the thread stops too."""
    out: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((_DONE, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            put((_DONE, exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=run, name="fazhi-import-read", daemon=True)
    worker.start()
    try:
        while True:
            item, exc = out.get()
            if item is _DONE:
                if exc is not None:
                    raise exc
                return
            yield item
            del item
    finally:
        stop.set()
        while worker.is_alive():
            with contextlib.suppress(queue.Empty):
                out.get(timeout=0.1)
        worker.join()


class _FileCheck:
    """Converts and checks a file batch by batch, keeping what the whole-file checks need: the
    keys and file rows, and the converted batches, each in a temporary file.

    Problems are kept by kind, in the order the whole-file import always listed them (cells
    that do not convert, unknown references, duplicate keys, then required and code-table
    values), so that the first problem of each cell is the one reported. Once any row is bad
    nothing will be written, so converted batches are no longer kept, only checked."""

    def __init__(self, store, spec: TableSpec, found: dict[str, int], src: str):
        self.store, self.spec, self.found, self.src = store, spec, found, src
        self.converting: list[RowProblem] = []
        self.references: list[RowProblem] = []
        self.values: list[RowProblem] = []
        self._counts: Counter = Counter()  # problems per (column, kind), capped as for one batch
        self._convert_counts: Counter = Counter()  # cells that do not convert, per column (``convert``)
        self.spill: _Spill | None = _Spill(spec.data_schema)
        # Each row's key and file row, kept (even once a bad row stops the rows being kept) for
        # the checks across the whole file: in a temporary file of their own, not in memory
        # (10M keys: ~230 MB, and as much again to sort them).
        self.key_spill = _Spill(_key_schema(spec))
        self._nulls: Counter = Counter()  # per column, over the rows kept
        self.rows = 0
        self.notes: list[str] = []
        self.settings = getattr(store, "table_settings", {}).get(spec.name, {})
        self._resolvers, unchecked = resolvers(store, spec, columns=set(found), src=src)
        for col in unchecked:
            # Grids name their heads and people their grids: into an empty store one of the two
            # must come first. Its references are checked by `check` once both are in.
            ref_label = store.spec(col.ref).label
            self.notes.append(
                f"{ref_label}表还是空的，“{col.label}”列的引用暂未校验；导入{ref_label}后请运行 fazhi-tui check"
            )

    @property
    def failed(self) -> bool:
        return bool(self.converting or self.references or self.values)

    def add(self, raw: RawTable) -> None:
        self.check(self.convert(raw))

    def convert(self, raw: RawTable) -> _Converted:
        """A batch's cells as the table's types, with the cells that do not convert. It reads
        nothing of the check's state but its own counts, so that the next batch can be
        converted on another thread while this one is checked (``_ahead``)."""
        spec, rows, n = self.spec, raw.row_numbers, raw.num_rows
        arrays: dict[str, pa.Array | pa.ChunkedArray] = {}
        problems: list[RowProblem] = []
        for col in spec.columns:
            if col.name not in self.found:
                arrays[col.name] = pa.nulls(n, col.type)
                continue
            cells = raw.columns[self.found[col.name]]
            if pa.types.is_string(cells.type):
                cells = _undo_formula_guard(cells)
            result = convert(cells, col.type)
            if col.pii in _WIDTH_FOLDED_PII and pa.types.is_string(col.type):
                # A phone or ID number typed with the input method's full-width digits
                # (１３８…, ４１０…Ｘ) is the same number: stored as ASCII, so that it is checked,
                # searched and masked as the others are. Other text keeps its width (（）in names).
                result.values = pc.utf8_normalize(result.values, "NFKC")
            if pc.any(result.failed).as_py():
                room = MAX_PROBLEMS - self._convert_counts[col.label]
                for i in pc.indices_nonzero(result.failed).to_pylist()[: max(room, 0)]:
                    cell = cells[i].as_py()
                    reason = f"“{_short(cell)}”不是{result.expected}"
                    if isinstance(cell, str) and "\n" in cell:
                        reason += "；该格跨越多行，可能是引号不匹配"
                    problems.append(RowProblem(rows[i].as_py(), col.label, reason, self.src))
                    self._convert_counts[col.label] += 1
            arrays[col.name] = result.values
            del cells, result  # the column's text and conversion steps go before the next column
        return _Converted(rows, n, arrays, problems)

    def check(self, converted: _Converted) -> None:
        """A converted batch's references resolved, defaults filled and values checked; its rows
        kept (or, once some row is bad, only its keys)."""
        spec, rows, n, arrays = self.spec, converted.rows, converted.n, converted.arrays
        self.converting += converted.problems
        for name, resolver in self._resolvers.items():
            arrays[name] = resolver.resolve(
                arrays[name],
                rows,
                self.references,
                room=lambda: len(self.converting) + len(self.references) < MAX_PROBLEMS,
            )
        data = derive_keys(spec, pa.Table.from_arrays([arrays[c.name] for c in spec.columns], schema=spec.data_schema))
        data = renamed_codes(spec, data)  # 其它 in a file is 其他, as on every write
        del arrays
        data = fill_computed(spec, data, self.settings)  # after references: a default may read the grid
        try:
            check_values(spec, data, keys=False)  # duplicate keys: across the whole file (``_duplicates``)
        except ValidationError as exc:
            self._add_value_problems(exc.problems, rows)
        # References to other tables' records (RefRule): checked here with file rows, and again at the write.
        self.references += [_at_file_row(p, rows, self.src) for p in reference_problems(self.store, spec, data)]
        rows = rows.combine_chunks() if isinstance(rows, pa.ChunkedArray) else rows
        self.key_spill.write(pa.Table.from_arrays([data.column(spec.key), rows], schema=self.key_spill.schema))
        self.rows += n
        if self.failed:
            self.discard()  # nothing will be written: keep checking, stop keeping rows
            return
        assert self.spill is not None  # discard() (above) is the only one to drop it
        self.spill.write(data)
        for c in spec.columns:
            self._nulls[c.name] += data.column(c.name).null_count

    def discard(self) -> None:
        """Stop keeping the rows (the keys stay: the whole-file checks need them)."""
        if self.spill is not None:
            self.spill.close()
            self.spill = None

    def close(self) -> None:
        self.discard()
        self.key_spill.close()

    def finished_spill(self) -> _Spill:
        """The temporary file of the checked rows, closed for writing (the plan reads it)."""
        if self.spill is None:
            raise ValueError("the checked rows were discarded: there is nothing to plan")
        return self.spill.finish()

    def _add_value_problems(self, found: list[RowProblem], rows: pa.Array) -> None:
        for p in found:
            kind = "required" if p.reason == "必填，不能为空" else "codes"
            if self._counts[(p.column, kind)] >= MAX_PROBLEMS:
                continue
            self._counts[(p.column, kind)] += 1
            self.values.append(_at_file_row(p, rows, self.src))

    def finish(self) -> list[RowProblem]:
        """Every problem found, duplicates across the whole file included."""
        return self.converting + self.references + self._duplicates() + self.values

    def keys(self) -> _Keys:
        """The file's keys and their file rows, in the plan's order (the temporary file)."""
        return _Keys(self.key_spill.finish())

    def filled_columns(self) -> list[str]:
        return [c.name for c in self.spec.columns if self._nulls[c.name] < self.rows]

    def _duplicates(self) -> list[RowProblem]:
        self.key_spill.finish()
        dups = _duplicate_keys(self.store, self.key_spill)
        if not len(dups):
            return []
        label = self.spec.label_of(self.spec.key)
        out: list[RowProblem] = []
        first: dict = {}
        for batch in self.key_spill.batches():
            at = pc.indices_nonzero(pc.is_in(batch.column(_KEY), value_set=dups))
            if not len(at):
                continue
            taken = batch.take(at)
            for v, row in zip(taken.column(_KEY).to_pylist(), taken.column(_ROW).to_pylist(), strict=True):
                if v in first:
                    out.append(RowProblem(row, label, f"“{v}”与第 {first[v]} 行重复", self.src))
                else:
                    first[v] = row
        return out


_KEY, _ROW = "key", "row"
_NO_ROWS = pa.array([], pa.int64())


def _key_schema(spec: TableSpec) -> pa.Schema:
    return pa.schema([pa.field(_KEY, spec.data_schema.field(spec.key).type), pa.field(_ROW, pa.int64())])


class _Keys:
    """The keys of a checked file and their file rows, in the plan's order, read from their
    temporary file: by DuckDB as a stream (the checks against the store), or whole (--update)."""

    def __init__(self, spill: _Spill):
        self._spill = spill

    def reader(self) -> pa.RecordBatchReader:
        return self._spill.reader()

    def batches(self) -> Iterator[pa.Table]:
        return self._spill.batches()

    def ids(self) -> pa.ChunkedArray:
        """Every key as text, in memory (a million keys: ~20 MB)."""
        return pa.chunked_array(
            [t.column(_KEY).cast(pa.string()).combine_chunks() for t in self._spill.batches()], pa.string()
        )

    def close(self) -> None:
        self._spill.close()


def _duplicate_keys(store, keys: _Spill) -> pa.Array:
    """Keys that occur more than once (nulls aside), counted by DuckDB from the keys' temporary
    file: it stays within its memory limit (spilling beyond it) and uses every core. Sorting
    10M keys with Arrow held them twice over in memory (~360 MB)."""
    cur = store.writer_cursor()
    name = f"__import_keys_{uuid.uuid4().hex}"
    try:
        cur.register(name, keys.reader())
        found = cur.sql(
            f"SELECT {qident(_KEY)} FROM {qident(name)} WHERE {qident(_KEY)} IS NOT NULL "
            f"GROUP BY {qident(_KEY)} HAVING count(*) > 1"
        ).to_arrow_table()
    finally:
        cur.close()
    return found.column(0).combine_chunks().cast(keys.schema.field(_KEY).type)


# An import of new records at least this big goes straight into a new generation (as the first
# import into an empty table always does): its log file would make a fold due (store/fold.py).
DIRECT_ROWS = 20_000


def run_import(store, plan: ImportPlan) -> WriteResult:
    try:
        if _direct(store, plan):
            # New records, sorted once into the month files of a new generation (store/bulk.py):
            # no log file for a fold to read back. None: the table could not take them so.
            result = store.append_generation(plan.table, plan.batches, plan.key_reader)
            if result is not None:
                return result
        # A batch at a time from the plan's temporary file into one staging file: a million
        # rows never sit in memory together.
        key = store.spec(plan.table).key
        # Copied out of each batch (concat_arrays copies): a column read back from the spill
        # shares its whole batch's buffer, which would keep every batch alive.
        ids = pa.chunked_array(
            [
                pa.concat_arrays([b.column(key).cast(pa.string()).combine_chunks(), pa.array([], pa.string())])
                for b in plan.batches()
            ],
            pa.string(),
        )
        # New records are written as the plan checked them. Merged updates are checked again
        # whole: a row rule may compare a column of the file with one the store kept.
        return store.upsert_batches(plan.table, plan.batches, plan.expected, ids=ids, checked=not plan.updates)
    except ValidationError as exc:
        src = plan.path.name
        raise ValidationError(plan.table, [_at_file_row(p, plan.file_rows, src) for p in exc.problems]) from None


def _direct(store, plan: ImportPlan) -> bool:
    """Whether the plan's rows may go straight into a generation: new records only, into a
    table that is empty or large enough a batch to be worth it."""
    if plan.updates or plan.expected or plan.rows == 0 or store.spec(plan.table).period_column is None:
        return False
    if plan.rows >= DIRECT_ROWS:
        return True
    tf = store.files(plan.table)
    return tf.gen is None and not tf.delta_files


def _against_store(
    store,
    spec: TableSpec,
    plan: ImportPlan,
    update: bool,
    problems: list[RowProblem],
    src: str,
    present: set[str],
) -> None:
    """Keys the store already has: refused, or with --update merged into new versions (the
    plan's rows are rewritten batch by batch; rows that change nothing are dropped)."""
    assert plan._keys is not None
    live = _live_versions(store, spec, plan._keys)
    if not live.num_rows:
        plan.new = plan.rows
        return
    if not update:
        problems.append(_already_stored(store, spec, plan._keys, live, src))
        return
    ids = plan._keys.ids()
    del live
    # --update: existing records become new versions with the file's columns changed (columns the
    # file does not have keep their values), unless nothing in them changed. The stored rows come
    # in one query, in the plan's order, and are merged a batch at a time with Arrow: a million
    # existing records as Python dicts would take minutes and gigabytes.
    spill = _Spill(spec.data_schema)
    nulls: Counter = Counter()
    file_rows: list[pa.Array] = []
    with _StoredRows(store, spec, ids) as stored:
        del ids
        start = 0
        for data in plan.batches():
            n = data.num_rows
            rows = plan.file_rows.slice(start, n).combine_chunks()
            current = stored.until(start + n)
            live_at = pc.subtract(current.column("pos"), start).combine_chunks() if current.num_rows else None
            start += n
            if live_at is None:
                plan.new += n
            else:
                data, keep = _merge_stored(spec, plan, data, live_at, current, present)
                rows = rows.filter(keep)
            spill.write(data)
            file_rows.append(rows)
            for c in spec.columns:
                nulls[c.name] += data.column(c.name).null_count
    if plan._spill is not None:
        plan._spill.close()
    plan._spill = spill.finish()
    plan.file_rows = pa.chunked_array(file_rows, pa.int64())
    plan.filled_columns = [c.name for c in spec.columns if nulls[c.name] < plan.rows]


def _merge_stored(
    spec: TableSpec, plan: ImportPlan, data: pa.Table, live_at: pa.Array, current: pa.Table, present: set[str]
) -> tuple[pa.Table, pa.Array]:
    """One batch of the file merged with the stored rows of its existing records (``current``,
    in the order of their positions ``live_at`` in the batch): those records take the file's
    columns and keep their stored values in the others; those where no column of the file
    differs (null equal to null, as Python's ``==`` on the rows had it) are dropped. Returns the
    batch to write and which of the batch's rows it keeps."""
    n, live = data.num_rows, len(live_at)
    file_live = data.take(live_at)
    same = pa.repeat(pa.scalar(True), live)
    merged = []
    for col in spec.columns:
        stored = current.column(col.name).cast(col.type)
        if col.name not in present:
            merged.append(stored)
            continue
        given = file_live.column(col.name)
        if pa.types.is_list(col.type):  # no Arrow equality for lists (reference tables: few rows)
            equal = pa.array([a == b for a, b in zip(given.to_pylist(), stored.to_pylist(), strict=False)], pa.bool_())
        else:
            equal = pc.or_(pc.and_(pc.is_null(given), pc.is_null(stored)), pc.fill_null(pc.equal(given, stored), False))
        same = pc.and_(same, equal)
        merged.append(given)
    if isinstance(same, pa.ChunkedArray):
        same = same.combine_chunks()
    changed = pc.invert(same)
    updates = pc.sum(changed).as_py() or 0
    plan.new += n - live
    plan.updates += updates
    plan.unchanged += live - updates
    rids = file_live.column(spec.key).cast(pa.string()).filter(changed).to_pylist()
    plan.expected.update(zip(rids, current.column(REV).filter(changed).to_pylist(), strict=False))
    # The batch in the file's order: each existing record's row replaced by its merged row.
    positions = pa.array(range(n), pa.int64())
    is_live = pc.is_in(positions, value_set=live_at)
    source = pc.replace_with_mask(positions, is_live, pa.array(range(n, n + live), pa.int64()))
    keep = pc.invert(pc.replace_with_mask(pa.repeat(pa.scalar(False), n), is_live, same))
    table = pa.concat_tables([data, pa.Table.from_arrays(merged, schema=spec.data_schema)])
    return table.take(source.filter(keep)), keep


class _StoredRows:
    """The stored (unmasked) newest versions of the records the file names that exist, with
    their position in the plan, read in the plan's order as the batches need them."""

    def __init__(self, store, spec: TableSpec, ids: pa.ChunkedArray):
        self._cur = store.cursor()
        self._name = "__import_stored_ids"
        self._cur.register(self._name, pa.table({"pos": pa.array(range(len(ids)), pa.int64()), ID: ids}))
        cols = ", ".join(f"l.{qident(c)}" for c in spec.column_names)
        try:
            # The unmasked newest versions (the public view masks PII for some roles, and an
            # update must keep the stored values of columns the file does not have, not their
            # masks). Sorting them by position costs DuckDB about their size in memory (a
            # million stored rows: ~400 MB); only an update of that many records pays it.
            self._reader = self._cur.sql(
                f"SELECT i.pos, l.{qident(REV)}, {cols} FROM {qident(self._name)} AS i "
                f"JOIN {qident(spec.name + '__latest')} AS l ON l.{qident(ID)} = i.{qident(ID)} "
                f"WHERE l.{qident(OP)} = 'put' ORDER BY i.pos"
            ).to_arrow_reader(UPDATE_CHUNK)
        except BaseException:
            self._cur.unregister(self._name)
            raise
        self._pending: pa.Table | None = None

    def until(self, end: int) -> pa.Table:
        """The rows at positions before ``end`` not handed out yet."""
        parts = []
        while True:
            if self._pending is None:
                try:
                    self._pending = pa.Table.from_batches([self._reader.read_next_batch()])
                except StopIteration:
                    break
            before = pc.sum(pc.less(self._pending.column("pos"), end)).as_py() or 0
            parts.append(self._pending.slice(0, before))
            if before < self._pending.num_rows:
                self._pending = self._pending.slice(before)
                break
            self._pending = None
        return pa.concat_tables(parts) if parts else self._reader.schema.empty_table()

    def __enter__(self) -> _StoredRows:
        return self

    def __exit__(self, *exc) -> None:
        self._reader.close()
        self._cur.unregister(self._name)


def _live_versions(store, spec: TableSpec, keys: _Keys) -> pa.Table:
    """The stored live versions of the file's keys (deleted records may be imported again)."""
    latest = _latest_versions(store, spec, keys.reader())
    return latest.filter(pc.equal(latest.column(OP), "put"))


def _already_stored(store, spec: TableSpec, keys: _Keys, live: pa.Table, src: str) -> RowProblem:
    """One line for all the file's keys the store has (a re-imported file has every row stored):
    how many, the first few by row and key, and what to do."""
    count, first = _stored_in_file(store, keys.reader(), live.select([ID]))
    named = [f"第 {row} 行“{rid}”" for rid, row in first]
    more = "等" if count > len(named) else ""
    return RowProblem(
        None, spec.label_of(spec.key), f"{count} 行已存在，如需更新请加 --update（{'、'.join(named)}{more}）", src
    )


def _latest_versions(store, spec: TableSpec, keys: pa.RecordBatchReader) -> pa.Table:
    """What ``Store.latest_versions`` answers (id, revision, put or delete, writer of each id
    that exists), asked and answered in Arrow: that method takes a Python list and answers in
    Python objects, and a million ids cost ~150 MB as Python strings on their way in, a million
    existing records ~600 MB as ``Version`` objects on the way out (as Arrow ~40 MB). One
    question for all ids, which DuckDB reads from the keys' temporary file (``keys``: a stream
    of ``key``), not from memory.

    The views are refreshed only if the table's folders changed (not forced, as the store does
    before a write: at ten million rows that rebuild costs ~0.3 s): this check tells the user
    what the file will do; the write checks every key again under the table's lock."""
    store.refresh([spec.name])
    cur = store.cursor()
    name = f"__import_latest_ids_{uuid.uuid4().hex}"
    cur.register(name, keys)
    try:
        return cur.sql(
            f"SELECT l.{qident(ID)}, l.{qident(REV)}, l.{qident(OP)}, l.{qident(BY)} "
            f"FROM {qident(spec.name + '__latest')} AS l SEMI JOIN "
            f"(SELECT CAST({qident(_KEY)} AS VARCHAR) AS {qident(ID)} FROM {qident(name)}) AS i USING ({qident(ID)})"
        ).to_arrow_table()
    finally:
        cur.unregister(name)


def _stored_in_file(store, keys: pa.RecordBatchReader, live: pa.Table) -> tuple[int, list[tuple[str, int]]]:
    """How many of the file's keys (``keys``: a stream of ``key`` and ``row``) are among ``live``
    (an ``_id`` column), and the first few of them by file row, in one DuckDB join. An
    ``is_in`` per batch built the lookup of every stored key again for each batch: re-importing
    a file of 2M rows took 26 s to say they were all there."""
    cur = store.writer_cursor()
    k, s = f"__import_keys_{uuid.uuid4().hex}", f"__import_live_{uuid.uuid4().hex}"
    cur.register(k, keys)
    cur.register(s, live)
    try:
        rows = cur.execute(
            f"SELECT i.{qident(ID)}, i.{qident(_ROW)}, count(*) OVER () AS n FROM "
            f"(SELECT CAST({qident(_KEY)} AS VARCHAR) AS {qident(ID)}, {qident(_ROW)} FROM {qident(k)}) AS i "
            f"SEMI JOIN {qident(s)} USING ({qident(ID)}) ORDER BY i.{qident(_ROW)} LIMIT {NAMED_EXISTING}"
        ).fetchall()
    finally:
        cur.close()
    return (rows[0][2] if rows else 0), [(rid, row) for rid, row, _n in rows]


_GUARDED = re.compile(r"^'[=+\-@\t\r]")


def _undo_formula_guard(cells: pa.Array) -> pa.Array:
    """Our exports put an apostrophe before text Excel would run as a formula; take it off."""
    if not pc.any(pc.starts_with(cells, "'")).as_py():
        return cells  # the common case, told by a prefix test (a regex over every cell costs more)
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
    return sorted(problems, key=lambda p: p.row or 0)


def _short(value, limit: int = 40) -> str:
    text = str(value).replace("\r", "").replace("\n", "⏎")
    return text if len(text) <= limit else text[:limit] + "…"
