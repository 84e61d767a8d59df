"""Listing a table's files: the newest generation, the log files it has not folded, and the
files that cannot be used (unreadable, foreign, wrong schema) with the reason for each.

Footers are read once per file and cached by (size, mtime): files are immutable, so a cache hit
is always right, and a table's state costs a few ``stat`` calls to re-check.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from . import layout
from .manifest import listing_problems
from .spec import META_NAMES, TableSpec


@dataclass(frozen=True)
class BadFile:
    path: Path
    reason: str  # Chinese, for people


SUPERSEDES_KEY = b"fazhi.supersedes"


@dataclass(frozen=True)
class Footer:
    schema: pa.Schema
    num_rows: int
    # Which periods hold the versions this file's rows supersede: a set of "YYYY-MM" months
    # (None for a NULL period), or None when unknown (a file without the note: assume any).
    supersedes: frozenset[str | None] | None
    # (min, max, has_nulls) of each date/timestamp column, from row-group statistics; a column
    # without usable statistics is absent.
    ranges: dict[str, tuple] = field(default_factory=dict)


@dataclass
class TableFiles:
    table: str
    gen: int | None = None
    gen_path: Path | None = None
    current_files: list[Path] = field(default_factory=list)  # newest version of live records
    tombstone_files: list[Path] = field(default_factory=list)  # newest version of deleted ones
    history_files: list[Path] = field(default_factory=list)
    delta_files: list[Path] = field(default_factory=list)
    folded: frozenset[str] = frozenset()
    bad: list[BadFile] = field(default_factory=list)
    foreign: list[Path] = field(default_factory=list)
    signature: tuple = ()
    # What differs between the generation's folder and its manifest (files missing, added or
    # changed): readers refuse the table rather than show fewer or doubled records.
    damage: list[str] = field(default_factory=list)

    @property
    def delta_rows(self) -> int:
        return sum(f.num_rows for f in map(read_footer, self.delta_files) if isinstance(f, Footer))

    def superseded_months(self) -> frozenset[str | None] | None:
        """Periods where the delta may hide a version in ``current``; None means anywhere."""
        months: set[str | None] = set()
        for path in self.delta_files:
            footer = read_footer(path)
            if not isinstance(footer, Footer) or footer.supersedes is None:
                return None
            months |= footer.supersedes
        return frozenset(months)


_footer_cache: dict[tuple[str, int, int], Footer | str] = {}


def read_footer(path: Path) -> Footer | str:
    """The file's footer (schema, rows, notes), or a Chinese reason why it cannot be read."""
    try:
        st = path.stat()
    except OSError as exc:
        return f"无法访问：{exc.strerror or exc}"
    key = (str(path), st.st_size, st.st_mtime_ns)
    hit = _footer_cache.get(key)
    if hit is not None:
        return hit
    result: Footer | str
    if st.st_size == 0:
        result = "文件为空（0 字节）"
    else:
        try:
            meta = pq.read_metadata(path)
            schema = meta.schema.to_arrow_schema()
            note = (schema.metadata or {}).get(SUPERSEDES_KEY)
            supersedes = None
            if note is not None:
                supersedes = frozenset(json.loads(note))
            result = Footer(schema.remove_metadata(), meta.num_rows, supersedes, _date_ranges(meta, schema))
        except Exception as exc:  # pyarrow raises several kinds for damaged files
            result = f"不是可读的 Parquet 文件（{type(exc).__name__}: {str(exc)[:120]}）"
    _footer_cache[key] = result
    return result


def _date_ranges(meta: pq.FileMetaData, schema: pa.Schema) -> dict[str, tuple]:
    out: dict[str, tuple] = {}
    for j, f in enumerate(schema):
        if not (pa.types.is_date(f.type) or pa.types.is_timestamp(f.type)):
            continue
        lo = hi = None
        nulls = False
        try:
            for i in range(meta.num_row_groups):
                col = meta.row_group(i).column(j)
                st = col.statistics
                if st is None or not st.has_min_max:
                    if meta.row_group(i).num_rows and (st is None or st.null_count != meta.row_group(i).num_rows):
                        raise LookupError
                    nulls = True
                    continue
                a, b = _stat_value(f.type, st.min_raw), _stat_value(f.type, st.max_raw)
                lo = a if lo is None or a < lo else lo
                hi = b if hi is None or b > hi else hi
                nulls = nulls or st.null_count != 0
        except (LookupError, TypeError, ValueError):
            continue
        out[f.name] = (lo, hi, nulls)
    return out


_EPOCH = dt.datetime(1970, 1, 1)
_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def _stat_value(t: pa.DataType, raw: int) -> dt.date | dt.datetime:
    """A date/timestamp statistic from its stored integer. pyarrow's own ``statistics.min``
    imports pandas to attach a time zone (~0.15 s, on every start); the zone is not needed here
    (timestamps with one are stored in UTC, and ranges compare like with like)."""
    if pa.types.is_date32(t):
        return dt.date(1970, 1, 1) + dt.timedelta(days=raw)
    if pa.types.is_date64(t):
        return dt.date(1970, 1, 1) + dt.timedelta(milliseconds=raw)
    per = _PER_SECOND[t.unit]
    value = _EPOCH + dt.timedelta(seconds=raw // per, microseconds=(raw % per) * 1_000_000 // per)
    return value.replace(tzinfo=dt.UTC) if t.tz else value


def damaged_pages(path: Path) -> str | None:
    """Why the file's data cannot be read, or None: every page decoded, the file alone. A file
    whose footer is whole can still have damaged pages, which only reading them shows."""
    try:
        pf = pq.ParquetFile(path)
        for i in range(pf.num_row_groups):
            pf.read_row_group(i)
    except Exception as exc:  # pyarrow raises several kinds for damaged pages
        return f"数据页损坏（{type(exc).__name__}: {str(exc)[:120]}）"
    return None


def read_footer_schema(path: Path) -> pa.Schema | str:
    footer = read_footer(path)
    return footer if isinstance(footer, str) else footer.schema


def schema_problem(schema: pa.Schema, spec: TableSpec) -> str | None:
    """Why a file's schema cannot be read as this table, or None if it can.

    Missing data columns are fine (older files, before a column was added: they read as NULL);
    missing version columns or a column whose type cannot be cast are not.
    """
    names = set(schema.names)
    missing_meta = [m for m in META_NAMES if m not in names]
    if missing_meta:
        return f"缺少版本列 {', '.join(missing_meta)}（不是本程序写入的文件）"
    for col in spec.columns:
        if col.name in names:
            have = schema.field(col.name).type
            if have != col.type and not _castable(have, col.type):
                return f"列 {col.label}（{col.name}）类型为 {have}，应为 {col.type}"
    return None


def _castable(src: pa.DataType, dst: pa.DataType) -> bool:
    if pa.types.is_null(src):
        return True
    if pa.types.is_integer(src) and (pa.types.is_integer(dst) or pa.types.is_floating(dst)):
        return True
    if pa.types.is_floating(src) and pa.types.is_floating(dst):
        return True
    if (
        pa.types.is_string(src)
        and pa.types.is_large_string(dst)
        or pa.types.is_large_string(src)
        and pa.types.is_string(dst)
    ):
        return True
    if pa.types.is_timestamp(src) and pa.types.is_timestamp(dst):
        return True
    if pa.types.is_dictionary(src):
        return _castable(src.value_type, dst)
    return False


def _parquet_files(folder: Path) -> list[Path]:
    out: list[Path] = []
    if not folder.is_dir():
        return out
    for dirpath, _dirnames, filenames in os.walk(folder):
        for name in filenames:
            out.append(Path(dirpath) / name)
    out.sort()
    return out


def dir_signature(root: Path, table: str) -> tuple:
    """Cheap fingerprint of a table's folders; it changes whenever a file is added or removed."""
    # Directory mtimes move in coarse ticks (a few ms on ext4), so two writes in one tick
    # would look alike; the count and the first and last names tell them apart.
    sig: list[tuple[int, int, int, str, str] | None] = []
    for p in (layout.log_dir(root, table), layout.gens_dir(root, table)):
        try:
            st = p.stat()
            names = os.listdir(p)
            sig.append((st.st_mtime_ns, st.st_ino, len(names), min(names, default=""), max(names, default="")))
        except FileNotFoundError:
            sig.append(None)
    return tuple(sig)


def latest_gen(root: Path, table: str) -> tuple[int, Path, dict] | None:
    gdir = layout.gens_dir(root, table)
    try:
        names = sorted((n for n in os.listdir(gdir) if layout.GEN_NAME_RE.match(n)), reverse=True)
    except FileNotFoundError:
        return None
    for name in names:
        path = gdir / name
        try:
            manifest = json.loads((path / layout.MANIFEST).read_text("utf-8"))
        except (OSError, ValueError):
            continue  # a generation without a readable manifest is not published
        return int(name), path, manifest
    return None


def scan_table(root: Path, spec: TableSpec) -> TableFiles:
    table = spec.name
    tf = TableFiles(table=table, signature=dir_signature(root, table))
    gen = latest_gen(root, table)
    if gen is not None:
        tf.gen, tf.gen_path, manifest = gen
        tf.folded = frozenset(manifest.get("folded", []))
        tf.damage = listing_problems(tf.gen_path, manifest)
        groups = (("current", tf.current_files), ("tombstones", tf.tombstone_files), ("history", tf.history_files))
        for kind, target in groups:
            for path in _parquet_files(tf.gen_path / kind):
                if not path.name.endswith(".parquet"):
                    tf.foreign.append(path)
                    continue
                _classify(path, spec, target, tf)
                if tf.bad and tf.bad[-1].path == path:
                    # Leaving a generation's file out would show its records as gone: the
                    # table is damaged, not merely missing a batch.
                    tf.damage.append(f"文件 {path.relative_to(tf.gen_path).as_posix()} 无法使用：{tf.bad[-1].reason}")
    ldir = layout.log_dir(root, table)
    try:
        entries = sorted(os.listdir(ldir))
    except FileNotFoundError:
        entries = []
    for name in entries:
        path = ldir / name
        if name in tf.folded:
            continue
        if not layout.LOG_FILE_RE.match(name):
            tf.foreign.append(path)
            continue
        _classify(path, spec, tf.delta_files, tf)
    # Anything else in the table's folder that is not ours.
    tdir = layout.table_dir(root, table)
    if tdir.is_dir():
        for name in os.listdir(tdir):
            if name not in (layout.LOG_DIR, layout.GEN_DIR):
                tf.foreign.append(tdir / name)
    return tf


def _classify(path: Path, spec: TableSpec, target: list[Path], tf: TableFiles) -> None:
    schema = read_footer_schema(path)
    if isinstance(schema, str):
        tf.bad.append(BadFile(path, schema))
        return
    problem = schema_problem(schema, spec)
    if problem:
        tf.bad.append(BadFile(path, problem))
        return
    target.append(path)
