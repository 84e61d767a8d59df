"""The store: a folder of Parquet files read through one in-memory DuckDB per process.

Long (about 800 lines) on purpose: one class whose methods share the connection, the views' state
and the refresh lock; what stands alone is in modules of its own (scan, views, fold, compact,
generations, manifest, check, audit, sql, access).

This is the only path to the files. The CLI, the shell, the plugins and the tests all go
through ``Store``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import stat
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import access as _access
from . import footer_cache, layout
from .errors import (
    NotAStoreError,
    QueryLimitError,
    RecordNotFoundError,
    RowProblem,
    StaleRevisionError,
    StoreError,
    TableDamagedError,
    UnknownTableError,
    ValidationError,
)
from .limits import DEFAULT_LIMITS, QueryLimits
from .references import reference_problems
from .refs import resolve_references
from .scan import SUPERSEDES_KEY, BadFile, TableFiles, damaged_pages, dir_signature, scan_table
from .spec import AT, BY, ID, OP, REV, TableSpec
from .validate import rows_to_table
from .views import DAMAGE_MARK, duck_type, empty_table_name, qident, view_statements

# A word of SQL that may name a table or view (table names are ``[a-z][a-z0-9_]*``).
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_log = logging.getLogger("fazhi_tui.store")


@dataclass(frozen=True)
class WriteResult:
    table: str
    rows: int
    file: Path | None


@dataclass(frozen=True)
class Version:
    """Who wrote a record's newest version, and when."""

    record_id: str
    rev: int
    op: str
    at: datetime
    by: str
    period: Any = None  # the version's period value (where it sits in ``current``)


def current_user() -> str:
    """The OS account, from the uid (not $USER, which anyone can set): versions record it."""
    return _access.os_identity()[0]


# How long a fold that found a compaction running waits for it before giving up (the versions stay
# in the delta, read correctly, and the next write folds them).
FOLD_RETRY_WAIT_SECONDS = 600


class Store:
    """A store folder. ``Store.open(path, specs)``; then ``query``, ``append``, ``update``,
    ``delete``, ``get``, ``history``."""

    def __init__(
        self,
        root: Path,
        specs: Iterable[TableSpec],
        user: str | None = None,
        access: _access.Access | None = None,
        auto_fold: bool = True,
        sealed: bool = False,
        table_settings: Mapping[str, Mapping[str, Any]] | None = None,
        limits: QueryLimits | None = None,
    ):
        self.root = Path(root).resolve()
        self.limits = limits or DEFAULT_LIMITS
        # Each table's owning plugin's [plugin.<name>] settings: its computed defaults read them.
        self.table_settings: dict[str, Mapping[str, Any]] = dict(table_settings or {})
        # Said with "no such table" when a plugin failed to load (``PluginHost.missing_tables_note``).
        self.missing_note: str | None = None
        self.specs: dict[str, TableSpec] = {}
        for spec in specs:
            self._add_spec(spec)
        # The role of the OS account running this process, from the store's access.toml; writes
        # and PII follow it. A caller may ask for less (a test, a tool), never for more.
        own = _access.resolve_access(self.root)
        if access is not None and not access.within(own, self.specs):
            raise _access.AccessError(
                f"{own.user}（{own.role_label}）不能以“{access.user}（{access.role_label}）”的身份打开数据目录："
                f"角色由数据目录的 access.toml 按操作系统账户决定"
            )
        self.access = access if access is not None else own
        # Versions record the OS account. Only the store's owner, who can rewrite every file of
        # it anyway, may stamp another name (the demo's 演示数据, a migration).
        self.user = current_user()
        if user is not None and user != self.user:
            self._require_owner("以他人名义写入")
            self.user = user
        self._con = duckdb.connect(":memory:", config={"threads": max(1, os.cpu_count() or 1)})
        # GLOBAL: a plain SET binds only this connection, and queries run on per-thread cursors
        # (until this said GLOBAL, the cursors never had the metadata cache).
        self._con.execute("SET GLOBAL parquet_metadata_cache = true")
        # DuckDB's late materialisation answers a small ORDER BY … LIMIT by finding the rows,
        # then scanning the files again for their other columns; with filters it cannot push into
        # that second scan (a grid's open tickets) it read 750k rows of every column for 50.
        # Measured at 10M tickets: a grid's first page 151 -> 96 ms, the town's 51 -> 41 ms.
        self._con.execute("SET GLOBAL late_materialization_max_rows = 0")
        # Bounded work (store/limits.py): past the memory limit DuckDB spills to disk, and a query
        # that still cannot fit fails with a message instead of taking the machine's memory.
        self._spill = self.limits.spill_dir()
        self._memory_limit = self.limits.memory_limit
        self._con.execute("SET GLOBAL memory_limit = ?", [self._memory_limit])
        self._con.execute("SET GLOBAL temp_directory = ?", [str(self._spill)])
        self._con.execute("SET GLOBAL max_temp_directory_size = ?", [self.limits.spill_size])
        # Sealed: this DuckDB reads no file at all (the views read pyarrow datasets registered
        # under random names), so no name in a query, however it resolves, can become a file
        # read. ``fazhi-tui sql`` runs the SQL of every role but admin in such a store.
        self.sealed = sealed
        self._source_prefix = f"__src_{uuid.uuid4().hex}"
        self._sources: dict[str, list[str]] = {}
        if sealed:
            self._con.execute("SET enable_external_access = false")
            self._con.execute("SET python_enable_replacements = false")
            self._con.execute("SET autoinstall_known_extensions = false")
            self._con.execute("SET autoload_known_extensions = false")
        self._local = threading.local()
        self._refresh_lock = threading.RLock()
        self._state: dict[str, TableFiles] = {}
        self._duck_types: dict[str, dict[str, str]] = {}
        # Folding after writes (fold.py): on a thread of its own, so a save returns at once.
        self.auto_fold = auto_fold
        # Called with a table's name instead of folding it on a thread of this process (the
        # dashboard folds in child processes: child_folds.py); None folds here.
        self.fold_runner: Callable[[str], object] | None = None
        self._fold_lock = threading.Lock()
        self._fold_threads: dict[str, threading.Thread] = {}
        self.folds: list = []  # CompactionResult of every fold this process made
        self.fold_errors: list[str] = []
        # Called with the table's name after each write of this process lands (on the writing
        # thread): the dashboard refreshes its counts without polling for its own writes.
        self.write_listeners: list[Callable[[str], None]] = []
        for spec in self.specs.values():
            self._create_empty(spec)
        if sealed:
            self._con.execute("SET lock_configuration = true")

    def _require_owner(self, action: str) -> None:
        try:
            owner = self.root.stat().st_uid
        except OSError:
            owner = None
        if owner != os.getuid():
            raise _access.AccessError(
                f"{current_user()}不能{action}：写入人和时间由操作系统记录，只有数据目录的所有者可以另行指定"
            )

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        root: str | os.PathLike,
        specs: Iterable[TableSpec],
        *,
        create: bool = False,
        user: str | None = None,
        access: _access.Access | None = None,
        auto_fold: bool = True,
        table_settings: Mapping[str, Mapping[str, Any]] | None = None,
        limits: QueryLimits | None = None,
    ) -> Store:
        root = Path(root)
        marker = root / layout.MARKER
        if not marker.is_file():
            if not create:
                if root.exists():
                    raise NotAStoreError(f"{root} 不是 fazhi-tui 数据目录（缺少 {layout.MARKER}）")
                raise NotAStoreError(f"数据目录 {root} 不存在")
            if root.exists() and any(root.iterdir()):
                raise NotAStoreError(f"{root} 不是空目录，也不是 fazhi-tui 数据目录；为免混入他人文件，未在此创建")
            root.mkdir(parents=True, exist_ok=True)
            if root.stat().st_mode & stat.S_IWGRP:
                root.chmod(layout.dir_mode(root))  # sticky: members cannot replace the marker or access.toml
            write_marker(root, demo=False)
        else:
            info = read_marker(root)
            if info.get("format", 0) > layout.STORE_FORMAT:
                raise NotAStoreError(f"{root} 由更新版本的 fazhi-tui 创建（格式 {info.get('format')}），请升级后再打开")
        footer_cache.load(root)  # the footers an earlier run read (store/footer_cache.py)
        return cls(
            root, specs, user=user, access=access, auto_fold=auto_fold, table_settings=table_settings, limits=limits
        )

    @property
    def info(self) -> dict:
        return read_marker(self.root)

    def _add_spec(self, spec: TableSpec) -> None:
        if spec.name in self.specs:
            raise StoreError(f"表 {spec.name} 重复声明")
        if spec.name.endswith("_history") or spec.name.startswith("__") or spec.name in layout.RESERVED:
            raise StoreError(f"表名 {spec.name} 为保留名")
        self.specs[spec.name] = spec

    def spec(self, table: str) -> TableSpec:
        try:
            return self.specs[table]
        except KeyError:
            known = "、".join(sorted(self.specs)) or "（无）"
            note = f"。{self.missing_note}" if self.missing_note else ""
            raise UnknownTableError(f"没有名为 {table} 的表（已有：{known}）{note}") from None

    def _create_empty(self, spec: TableSpec) -> None:
        # A typed empty table gives views a schema when a table has no files yet, and tells
        # us DuckDB's name for each Arrow type (for CAST in views).
        columns = [(f.name, duck_type(f.type)) for f in spec.schema]
        if all(t is not None for _n, t in columns):
            # DDL rather than registering an empty Arrow table: any Arrow hand-over makes this
            # DuckDB import pandas (~0.15 s at every start, for nothing).
            cols = ", ".join(f"{qident(n)} {t}" for n, t in columns)
            self._con.execute(f"CREATE OR REPLACE TABLE {qident(empty_table_name(spec.name))} ({cols})")
        else:
            empty = spec.schema.empty_table()
            name = f"__arrow_{uuid.uuid4().hex}"
            self._con.register(name, empty)
            self._con.execute(
                f"CREATE OR REPLACE TABLE {qident(empty_table_name(spec.name))} AS SELECT * FROM {qident(name)}"
            )
            self._con.unregister(name)
        rows = self._con.execute(f"DESCRIBE {qident(empty_table_name(spec.name))}").fetchall()
        self._duck_types[spec.name] = {r[0]: r[1] for r in rows}

    def confine(self) -> None:
        """From now on this process's DuckDB may read only files inside the store, and its
        settings are frozen (``fazhi-tui sql`` runs an admin's SQL this way)."""
        if getattr(self, "_confined", False):
            return  # its settings are locked: setting them again would fail
        self._confined = True
        root = str(self.root).rstrip("/") + "/"
        con = self._con
        con.execute("SET allowed_directories = ?", [[root]])
        con.execute("SET enable_external_access = false")
        con.execute("SET autoinstall_known_extensions = false")
        con.execute("SET autoload_known_extensions = false")
        con.execute("SET lock_configuration = true")

    def limit_memory(self, limit: str) -> None:
        """DuckDB's memory limit for this process from now on: the processes that import and fold
        take ``limits.write_memory`` (their big sorts spill to disk beyond it)."""
        self._con.execute("SET GLOBAL memory_limit = ?", [limit])
        self._memory_limit = limit

    def close(self) -> None:
        self.settle()
        footer_cache.save(self.root)  # for the next run's start (store/footer_cache.py)
        with contextlib.suppress(Exception):
            self._con.close()
        with contextlib.suppress(OSError):
            self._spill.rmdir()  # empty once DuckDB is closed; left alone if another store shares it

    # -- folding -----------------------------------------------------------------------------
    @property
    def folding(self) -> bool:
        """Whether a fold this process started is still running."""
        with self._fold_lock:
            return any(t.is_alive() for t in self._fold_threads.values())

    def settle(self) -> None:
        """Wait for folds this process started (``close`` does; so does a test that counts files)."""
        while True:
            with self._fold_lock:
                running = [t for t in self._fold_threads.values() if t.is_alive()]
            if not running:
                return
            for t in running:
                t.join()

    def fold(self, table: str):
        """Fold the table's delta into a new generation now (see fold.py); returns what it did."""
        from .fold import fold_table

        with self._write_memory("整理"):
            return fold_table(self, self.spec(table))

    @contextlib.contextmanager
    def _write_memory(self, what: str) -> Iterator[None]:
        """A big write's sort that ran out of DuckDB's memory and spill space, said in Chinese
        (the write's staged files are gone: it wrote nothing)."""
        try:
            yield
        except duckdb.OutOfMemoryException:
            raise QueryLimitError(
                f"{what}所需内存超过上限（内存 {self._memory_limit}，临时目录 {self._spill} 至多 {self.limits.spill_size}），"
                "未写入任何数据；可在配置文件 [limits] 的 write_memory、spill、spill_size 调整"
            ) from None

    def _after_write(self, spec: TableSpec) -> None:
        from .fold import fold_due

        for listener in list(self.write_listeners):
            try:
                listener(spec.name)
            except Exception:  # noqa: BLE001 - a listener's failure must not fail a write that landed
                _log.exception("write listener failed")
        if not self.auto_fold or fold_due(spec, self._state[spec.name]) is None:
            return
        if self.fold_runner is not None:
            self.fold_runner(spec.name)  # elsewhere (a child process: child_folds.py)
            return
        with self._fold_lock:
            running = self._fold_threads.get(spec.name)
            if running is not None and running.is_alive():
                return  # it checks again when done
            t = threading.Thread(target=self._fold_worker, args=(spec,), name=f"fold-{spec.name}")
            self._fold_threads[spec.name] = t
            t.start()

    def _fold_worker(self, spec: TableSpec) -> None:
        from .fold import fold_due, fold_table
        from .generations import SKIPPED_BUSY, wait_for_compaction

        # Writes that land during a fold stay in the delta; fold again while they are due.
        for _ in range(3):
            try:
                result = fold_table(self, spec)
            except Exception as exc:  # noqa: BLE001 - a failed fold loses nothing: the delta stays
                msg = f"{spec.label}：自动整理未完成（{type(exc).__name__}: {exc}），数据不受影响"
                self.fold_errors.append(msg)
                _log.warning(msg)
                return
            self.folds.append(result)
            if result.skipped == SKIPPED_BUSY:
                # Another process is compacting: the versions it started without stay in the
                # delta, so wait for it to finish and fold what is still due.
                if not wait_for_compaction(self.root, spec.name, FOLD_RETRY_WAIT_SECONDS):
                    return
                if fold_due(spec, scan_table(self.root, spec)) is None:
                    return
                continue
            if result.skipped or fold_due(spec, scan_table(self.root, spec)) is None:
                return

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reading -----------------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the process's database (DuckDB wants one per thread)."""
        if self.sealed:
            return self._con  # its datasets are registered on this connection, which cursors do not see
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._con.cursor()
            self._local.cursor = cur
        return cur

    def writer_cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor of the writer's own (a fold, a compaction: the caller closes it), whose
        session settings do not leak into the readers' cursors."""
        return self._con.cursor()

    def duck_types(self, table: str) -> dict[str, str]:
        """The table's columns as DuckDB types (what its files are read as)."""
        return self._duck_types[self.spec(table).name]

    def refresh(self, tables: Iterable[str] | None = None, force: bool = False) -> None:
        """Re-point views at the files on disk, for tables whose folders changed."""
        names = list(tables) if tables is not None else list(self.specs)
        with self._refresh_lock:
            for name in names:
                spec = self.spec(name)
                old = self._state.get(name)
                if not force and old is not None and old.signature == dir_signature(self.root, name):
                    continue
                tf = scan_table(self.root, spec)
                try:
                    self._create_views(spec, tf)
                except duckdb.Error as exc:
                    # A file with a whole footer but damaged pages fails only when read (a small
                    # delta is read here, to be held in memory). Find it by reading each file
                    # alone and leave it out of its own table only; ``check`` names it.
                    _log.warning("%s：视图创建失败（%s），逐个检查文件", spec.label, exc)
                    for path in list(tf.delta_files):
                        reason = damaged_pages(path)
                        if reason is not None:
                            tf.delta_files.remove(path)
                            tf.bad.append(BadFile(path, reason))
                    try:
                        self._create_views(spec, tf)
                    except duckdb.Error as again:
                        tf.damage.append(f"无法读取（{type(again).__name__}: {str(again)[:160]}）")
                        self._create_views(spec, tf)
                self._state[name] = tf

    def _create_views(self, spec: TableSpec, tf: TableFiles) -> None:
        name = spec.name
        registered: list[str] = []
        source = self._dataset_source(registered) if self.sealed else None
        # One transaction, so a query on another thread sees the old views or the new ones,
        # never a half-replaced set.
        self._con.execute("BEGIN TRANSACTION")
        try:
            statements = view_statements(
                spec, tf, self._duck_types[name], mask_pii=not self.access.sees_pii, source=source
            )
            for stmt in statements:
                self._con.execute(stmt)
            self._con.execute("COMMIT")
        except BaseException:
            self._con.execute("ROLLBACK")
            for old in registered:
                self._con.unregister(old)
            raise
        for old in self._sources.get(name, []):
            self._con.unregister(old)
        self._sources[name] = registered

    def _dataset_source(self, registered: list[str]) -> Callable[[Sequence[Path], Sequence[pa.Schema]], str]:
        """For a sealed store: registers a group of files as a pyarrow dataset, returns its name."""
        import pyarrow.dataset as ds

        def source(files: Sequence[Path], schemas: Sequence[pa.Schema]) -> str:
            schema = pa.unify_schemas(list(schemas), promote_options="permissive") if schemas else None
            name = f"{self._source_prefix}_{uuid.uuid4().hex[:8]}"
            self._con.register(name, ds.dataset([str(f) for f in files], schema=schema, format="parquet"))
            registered.append(name)
            return name

        return source

    def state_signature(self) -> tuple:
        """A cheap fingerprint of every table's folders (a few stats each): it changes when any
        process writes, folds or compacts. The dashboard compares it to notice others' writes."""
        return tuple(dir_signature(self.root, name) for name in self.specs)

    def files(self, table: str) -> TableFiles:
        self.refresh([table])
        return self._state[table]

    def tables_in(self, sql: str) -> list[str]:
        """The tables ``sql`` may read: those whose name, or one of whose views' names
        (``t``, ``t_history``, ``t__latest`` …), is a word of it. A word that only looks like
        one (a column alias ``people_count``) costs that table's views, never a missing one."""
        words = set(_WORD.findall(sql))
        return [name for name in self.specs if name in words or any(w.startswith(name + "_") for w in words)]

    def query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> pa.Table:
        """Run read-only SQL over the views; parameters are bound, never formatted in.

        Only the views of the tables the SQL names are brought up to date (made, the first
        time): at start the first panel's queries wait for its own tables, not for every
        plugin's (at 10M tickets the hotline's views alone take ~20 ms to make)."""
        tables = self.tables_in(sql)
        self.refresh(tables)
        for attempt in range(4):
            try:
                with self._deadline():
                    return self.cursor().sql(sql, params=params).to_arrow_table()
            except duckdb.IOException:
                # Compaction may have removed a file between listing and reading; the next
                # listing shows the generation that replaced it.
                if attempt == 3:
                    raise
                self.refresh(tables, force=True)
            except duckdb.InterruptException:
                raise QueryLimitError(
                    f"查询超过 {self.limits.seconds:g} 秒仍未完成，已中止（可在配置文件 [limits] 的 query_seconds 调整上限）"
                ) from None
            except duckdb.OutOfMemoryException:
                raise QueryLimitError(
                    f"查询所需内存超过上限 {self.limits.memory_limit}，已中止；请缩小查询范围（如加上期间或网格条件），"
                    "或在配置文件 [limits] 的 memory 调整上限"
                ) from None
            except duckdb.Error as exc:
                text = str(exc)
                if DAMAGE_MARK in text:
                    # A damaged table's views raise its message (views.damaged_view_statements).
                    raise TableDamagedError(text.split("Error: ", 1)[-1]) from None
                if (
                    type(exc) is duckdb.Error
                    or "parquet" in text.lower()
                    and isinstance(exc, duckdb.InvalidInputException)
                ):
                    # Not a mistake in the SQL: the bytes of a file could not be decoded.
                    raise TableDamagedError(
                        f"读取数据文件时出错，文件可能已损坏（{text[:200]}）；请运行 fazhi-tui check 查找，"
                        "管理员可用 check --repair 或 --quarantine 处理"
                    ) from None
                raise
        raise AssertionError("unreachable")

    @contextlib.contextmanager
    def _deadline(self):
        """Interrupt this thread's query if it runs past the time limit."""
        seconds = self.limits.seconds
        if not seconds:
            yield
            return
        timer = threading.Timer(seconds, self.cursor().interrupt)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def query_rows(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None, max_rows: int = 10_000
    ) -> tuple[pa.Table, bool]:
        """As ``query``, but at most ``max_rows`` rows are fetched; True when there were more."""
        self.refresh(self.tables_in(sql))
        try:
            with self._deadline():
                reader = self.cursor().sql(sql, params=params).to_arrow_reader(min(max_rows + 1, 100_000))
                batches, n = [], 0
                for batch in reader:
                    batches.append(batch)
                    n += batch.num_rows
                    if n > max_rows:
                        break
                table = pa.Table.from_batches(batches, schema=reader.schema)
        except duckdb.InterruptException:
            raise QueryLimitError(f"查询超过 {self.limits.seconds:g} 秒仍未完成，已中止") from None
        except duckdb.OutOfMemoryException:
            raise QueryLimitError(f"查询所需内存超过上限 {self.limits.memory_limit}，已中止") from None
        return table.slice(0, max_rows), table.num_rows > max_rows

    def count(self, table: str) -> int:
        return self.query(f"SELECT count(*) AS n FROM {qident(self.spec(table).name)}").column(0)[0].as_py()

    def get(self, table: str, record_id: Any) -> dict | None:
        """The current version of one record as a dict (with ``_rev``, ``_at``, ``_by``), or None."""
        spec = self.spec(table)
        t = self.query(f"SELECT * FROM {qident(spec.name)} WHERE {qident(ID)} = ?", [str(record_id)])
        rows = t.to_pylist()
        return rows[0] if rows else None

    def history(self, table: str, record_id: Any) -> pa.Table:
        """Every version of one record, oldest first."""
        spec = self.spec(table)
        return self.query(
            f"SELECT * FROM {qident(spec.name + '_history')} WHERE {qident(ID)} = ? ORDER BY {qident(REV)}",
            [str(record_id)],
        )

    def latest_versions(self, table: str, ids: Sequence[str]) -> dict[str, Version]:
        """The newest version (deletions included) of each given record id that exists."""
        spec = self.spec(table)
        if not len(ids):
            return {}
        self.refresh([table], force=True)
        if isinstance(ids, (pa.Array, pa.ChunkedArray)):
            arrow_ids = pa.table({ID: ids.cast(pa.string())})  # a million ids: no Python list
        else:
            arrow_ids = pa.table({ID: pa.array(list(ids), type=pa.string())})
        cur = self.cursor()
        name = f"__ids_{uuid.uuid4().hex}"
        cur.register(name, arrow_ids)
        period = f"l.{qident(spec.period_column)}" if spec.period_column else "NULL"
        try:
            res = cur.sql(
                f"SELECT l.{qident(ID)}, l.{qident(REV)}, l.{qident(OP)}, l.{qident(AT)}, l.{qident(BY)}, {period} "
                f"FROM {qident(spec.name + '__latest')} AS l SEMI JOIN {qident(name)} AS i USING ({qident(ID)})"
            ).fetchall()
        finally:
            cur.unregister(name)
        return {r[0]: Version(*r) for r in res}

    # -- writing -----------------------------------------------------------------------------
    def append(
        self,
        table: str,
        rows: Sequence[Mapping[str, Any]] | pa.Table,
        *,
        at: datetime | None = None,
        by: str | None = None,
    ) -> WriteResult:
        """Add new records as one atomic batch. A key that already exists is refused. ``at`` and
        ``by`` (another time and author for the versions) are for the store's owner only."""
        spec = self.spec(table)
        if at is not None or by is not None:
            self._require_owner("指定写入人和时间")
        self.access.require_write(spec.name, spec.label)
        data = self._checked(spec, rows)
        return self._write(spec, data, mode="insert", expected=None, at=at, by=by)

    def save(
        self,
        table: str,
        rows: Sequence[Mapping[str, Any]] | pa.Table,
        expected: Mapping[str, int],
        *,
        at: datetime | None = None,
        by: str | None = None,
    ) -> WriteResult:
        """Write new versions of existing records (whole rows). ``expected`` maps each record id
        to the revision the edit started from; if any record moved on since, nothing is written."""
        spec = self.spec(table)
        if at is not None or by is not None:
            self._require_owner("指定写入人和时间")
        self.access.require_write(spec.name, spec.label)
        data = self._checked(spec, rows)
        return self._write(spec, data, mode="update", expected=expected, at=at, by=by)

    def upsert(
        self,
        table: str,
        rows: Sequence[Mapping[str, Any]] | pa.Table,
        expected: Mapping[str, int],
        *,
        first_row: int = 1,
    ) -> WriteResult:
        """New records and new versions of existing ones, as one atomic batch. ``expected`` gives
        the revision each existing record was read at; a record that moved on since, or a key
        someone else added meanwhile, refuses the whole batch."""
        spec = self.spec(table)
        self.access.require_write(spec.name, spec.label)
        data = self._checked(spec, rows, first_row)
        return self._write(spec, data, mode="upsert", expected=expected, at=None, by=None)

    def upsert_batches(
        self,
        table: str,
        batches: Callable[[], Iterable[pa.Table]],
        expected: Mapping[str, int],
        *,
        ids: pa.Array | pa.ChunkedArray,
        checked: bool = False,
    ) -> WriteResult:
        """``upsert`` for more rows than should sit in memory at once (a big import): ``ids`` are
        every row's key in order, and ``batches()`` yields the rows a batch at a time. The same
        checks as ``upsert``; the batches are written through one staging file and published by
        one rename, so the write is still all or nothing.

        ``checked``: every batch is already the output of ``rows_to_table`` with this table's
        settings (an import's plan made them a moment ago in this process), so the checks that
        depend on the rows alone (types, required values, codes, phones, row rules, content) are
        not run a second time: at a million rows they cost as much as the write itself. What
        depends on the store is checked again here, under the table's lock: keys, revisions,
        references to other tables, and the stored personal information of existing records."""
        spec = self.spec(table)
        self.access.require_write(spec.name, spec.label)
        ids = (ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids).cast(pa.string())
        if len(ids) == 0:
            return WriteResult(spec.name, 0, None)
        key_label = spec.label_of(spec.key)

        def row_of(rid: str) -> int:
            return pc.index(ids, rid).as_py() + 1

        # Duplicates by sorting, not hashing: a million keys cost ~40 MB so, ~120 MB in a hash.
        in_order = ids.take(pc.sort_indices(ids))
        same = pc.equal(in_order.slice(0, len(ids) - 1), in_order.slice(1))
        if pc.any(same).as_py():
            dup = in_order[pc.index(same, True).as_py()].as_py()
            raise ValidationError(spec.name, [RowProblem(row_of(dup), key_label, f"“{dup}”在本批中出现多次")])
        del in_order, same
        pa.default_memory_pool().release_unused()  # hand the sort's memory back before the write
        with self.table_lock(spec.name):
            latest = self.latest_versions(spec.name, ids)
            problems: list[RowProblem] = []
            for rid, v in latest.items():
                if v.op != "put":
                    if rid in expected:
                        problems.append(RowProblem(row_of(rid), key_label, f"记录“{rid}”已被他人删除"))
                elif rid not in expected:
                    problems.append(
                        RowProblem(
                            row_of(rid), key_label, f"“{rid}”已由 {v.by} 新增（第 {v.rev} 版），请重新核对后再导入"
                        )
                    )
                elif expected[rid] != v.rev:
                    raise StaleRevisionError(spec.name, rid, expected[rid], v.rev, v.by, v.at)
                if len(problems) >= 1000:
                    break
            gone = [rid for rid in expected if rid not in latest]
            problems += [RowProblem(row_of(rid), key_label, f"记录“{rid}”已被他人删除") for rid in gone[:1000]]
            if problems:
                raise ValidationError(spec.name, problems)
            old_ids = pa.array(list(latest), pa.string())
            next_rev = pa.array([v.rev + 1 for v in latest.values()], pa.int32())
            replaced = {_month_of(v.period) for v in latest.values()}
            schema = spec.schema.with_metadata(
                {SUPERSEDES_KEY: json.dumps(sorted(replaced, key=lambda m: m or ""), ensure_ascii=False)}
            )
            when = datetime.now(UTC)
            written = 0

            def write(writer: pq.ParquetWriter) -> None:
                nonlocal written
                for raw in batches():
                    # References were resolved by the import's plan (against the same tables).
                    if checked and raw.schema.equals(spec.data_schema):
                        data = raw
                    else:
                        raw = self._with_stored_hidden(spec, raw)
                        data = rows_to_table(
                            spec, raw, first_row=written + 1, settings=self.table_settings.get(spec.name)
                        )
                    refused = reference_problems(self, spec, data, first_row=written + 1)
                    if refused:
                        raise ValidationError(spec.name, refused)
                    n = data.num_rows
                    bid = ids.slice(written, n)
                    if not pc.all(pc.equal(data.column(spec.key).cast(pa.string()), bid)).as_py():
                        raise StoreError(f"表 {spec.label}：分批写入的记录与编号清单不一致（第 {written + 1} 行起）")
                    data = self._carry_hidden(spec, data, latest)
                    if len(old_ids):
                        revs = pc.fill_null(next_rev.take(pc.index_in(bid, value_set=old_ids)), 1)
                    else:
                        revs = pa.repeat(pa.scalar(1, pa.int32()), n)
                    meta = [
                        bid,
                        revs,
                        pa.repeat(pa.scalar("put"), n).cast(pa.string()),
                        pa.repeat(pa.scalar(when, type=pa.timestamp("us", tz="UTC")), n),
                        pa.repeat(pa.scalar(self.user), n).cast(pa.string()),
                    ]
                    writer.write_table(pa.Table.from_arrays(meta + list(data.columns), schema=schema))
                    written += n
                if written != len(ids):
                    raise StoreError(f"表 {spec.label}：分批写入 {written} 行，编号清单有 {len(ids)} 个")

            path = self._publish_with(spec.name, schema, write)
        self.refresh([spec.name], force=True)
        self._after_write(spec)
        return WriteResult(spec.name, written, path)

    def append_generation(
        self,
        table: str,
        batches: Callable[[], Iterable[pa.Table]],
        keys: Callable[[], pa.RecordBatchReader | None] | None = None,
    ) -> WriteResult | None:
        """New records written straight into a new generation of the table (``bulk.py``) instead
        of a log file that a fold would read back and rewrite: the rows are sorted once into
        month files, and months the rows do not fall in keep their files. ``batches()`` yields
        the rows a batch at a time, each already the output of ``rows_to_table`` (an import's
        plan: ``checked`` in ``upsert_batches``), keys unique across all of them.

        Under the table's lock the keys are checked to be new and the references to other
        tables checked again. Returns None, having written nothing, when the rows cannot go so:
        a key exists already or was deleted (a revision other than 1), a fold or compaction is
        publishing, the table has no period column; the caller then writes through
        ``upsert_batches``, which says what is wrong with the keys.

        ``keys()``, when given, is the same rows' keys as a stream (a ``key`` column, an
        import's temporary file of them): DuckDB then checks them without the keys in memory
        (10M keys: ~150 MB) and without reading every batch for them."""
        from .bulk import write_generation

        spec = self.spec(table)
        self.access.require_write(spec.name, spec.label)
        if spec.period_column is None:
            return None
        with self.table_lock(spec.name):
            reader = keys() if keys is not None else None
            if reader is not None:
                rows, stored = self._stored_keys(spec, reader)
                if rows == 0:
                    return WriteResult(spec.name, 0, None)
                if stored:
                    return None
            else:
                # Copied out of each batch (concat_arrays copies): a column read back from a spill
                # shares its whole batch's buffer. Dropped before the sort, which needs the memory.
                ids = pa.chunked_array(
                    [pa.concat_arrays([b.column(spec.key).cast(pa.string()).combine_chunks()]) for b in batches()],
                    pa.string(),
                )
                rows = len(ids)
                if rows == 0:
                    return WriteResult(spec.name, 0, None)
                if self.latest_versions(spec.name, ids):
                    return None
                del ids
                pa.default_memory_pool().release_unused()
            if spec.references:
                written = 0
                for data in batches():
                    refused = reference_problems(self, spec, data, first_row=written + 1)
                    if refused:
                        raise ValidationError(spec.name, refused)
                    written += data.num_rows
            with self._write_memory("导入"):
                if write_generation(self, spec, batches, rows) is None:
                    return None
        self.refresh([spec.name], force=True)
        self._after_write(spec)
        return WriteResult(spec.name, rows, None)

    def _stored_keys(self, spec: TableSpec, keys: pa.RecordBatchReader) -> tuple[int, int]:
        """How many keys the stream ``keys`` (a ``key`` column) holds, and how many of them have
        a version in the table (deleted records too), asked of DuckDB in one pass."""
        self.refresh([spec.name], force=True)
        count = 0

        def counted() -> Iterator[pa.RecordBatch]:
            nonlocal count
            for batch in keys:
                count += batch.num_rows
                yield batch

        cur = self.cursor()
        name = f"__keys_{uuid.uuid4().hex}"
        cur.register(name, pa.RecordBatchReader.from_batches(keys.schema, counted()))
        try:
            stored = cur.execute(
                f"SELECT count(*) FROM {qident(spec.name + '__latest')} AS l SEMI JOIN "
                f"(SELECT CAST(key AS VARCHAR) AS {qident(ID)} FROM {qident(name)}) AS i USING ({qident(ID)})"
            ).fetchall()[0][0]
        finally:
            cur.unregister(name)
        return count, stored

    def _checked(self, spec: TableSpec, rows: Sequence[Mapping[str, Any]] | pa.Table, first_row: int = 1) -> pa.Table:
        """Rows as a batch to write: converted, references by name resolved to codes, computed
        defaults filled, every value and row rule checked (as an import checks them)."""
        rows = self._with_stored_hidden(spec, rows)
        return rows_to_table(
            spec,
            rows,
            first_row,
            settings=self.table_settings.get(spec.name),
            resolve=lambda t: resolve_references(self, spec, t, first_row),
        )

    def update(self, table: str, record_id: Any, changes: Mapping[str, Any], *, expected_rev: int) -> int:
        """Change some fields of one record; returns the new revision."""
        spec = self.spec(table)
        self.access.require_write(spec.name, spec.label)
        current = self.get(table, record_id)
        if current is None:
            raise RecordNotFoundError(f"表 {spec.label} 中没有记录 {record_id}")
        unknown = [k for k in changes if k not in spec.column_names]
        if unknown:
            raise ValidationError(table, [RowProblem(None, None, f"未知的列 {', '.join(unknown)}")])
        if spec.key in changes and str(changes[spec.key]) != str(record_id):
            raise ValidationError(table, [RowProblem(None, spec.label_of(spec.key), "记录的编号不能修改")])
        row = {c: current[c] for c in spec.column_names}
        row.update(changes)
        self.save(table, [row], {str(record_id): expected_rev})
        return expected_rev + 1

    def delete(self, table: str, record_id: Any, *, expected_rev: int) -> int:
        """Delete one record (a deletion is a new version; history keeps every earlier one)."""
        spec = self.spec(table)
        self.access.require_write(spec.name, spec.label)
        current = self.get(table, record_id)
        if current is None:
            raise RecordNotFoundError(f"表 {spec.label} 中没有记录 {record_id}")
        # The row as it was: a record that breaks a rule made since can still be deleted.
        data = rows_to_table(spec, [{c: current[c] for c in spec.column_names}], rules=False)
        self._write(spec, data, mode="delete", expected={str(record_id): expected_rev}, at=None, by=None)
        return expected_rev + 1

    def _carry_hidden(self, spec: TableSpec, data: pa.Table, latest: Mapping[str, Version]) -> pa.Table:
        """For a role that sees personal information masked: every PII column of a record that
        already exists is taken from its stored version, never from what the caller passed.

        The caller's values are what it could see: masked (``袁**``), so writing them would destroy
        the real ones (a clerk signing a ticket overwrote the caller's name with its mask), and a
        role that may not read a value has no business replacing it either. New records keep
        what was given: whoever registers a caller knows the caller. (``_with_stored_hidden``
        does the same before the rows are checked, so a mask is not refused as a bad phone.)"""
        hidden = [c.name for c in spec.columns if c.pii]
        if self.access.sees_pii or not hidden or not latest:
            return data
        ids = data.column(spec.key).cast(pa.string())
        existing = pc.is_in(ids, value_set=pa.array(list(latest), pa.string()))
        if not pc.any(existing).as_py():
            return data
        return _overlay(data, ids, self._stored_hidden(spec, ids.filter(existing)), hidden)

    def _with_stored_hidden(self, spec: TableSpec, rows: Sequence[Mapping[str, Any]] | pa.Table):
        """``rows`` with the stored PII of records that exist, for a role that sees PII masked."""
        hidden = [c.name for c in spec.columns if c.pii]
        if self.access.sees_pii or not hidden:
            return rows
        if isinstance(rows, pa.Table):
            if spec.key not in rows.column_names or not rows.num_rows:
                return rows
            ids = rows.column(spec.key).cast(pa.string())
            present = [c for c in hidden if c in rows.column_names]
            stored = self._stored_hidden(spec, pc.drop_null(ids))
            return _overlay(rows, ids, stored, present) if stored.num_rows and present else rows
        rows = list(rows)
        keys = [None if r.get(spec.key) is None else str(r.get(spec.key)) for r in rows]
        wanted = [k for k in keys if k is not None]
        if not wanted:
            return rows
        stored = {r[ID]: r for r in self._stored_hidden(spec, pa.array(wanted, pa.string())).to_pylist()}
        return [
            {**row, **{c: stored[k][c] for c in hidden}} if k in stored else row
            for row, k in zip(rows, keys, strict=True)
        ]

    def _stored_hidden(self, spec: TableSpec, ids: pa.Array) -> pa.Table:
        """The unmasked PII of the newest versions of these records (``__latest`` is unmasked:
        only the public views mask)."""
        hidden = [c.name for c in spec.columns if c.pii]
        self.refresh([spec.name])
        cur = self.cursor()
        name = f"__ids_{uuid.uuid4().hex}"
        cur.register(name, pa.table({ID: ids}))
        try:
            cols = ", ".join(f"l.{qident(c)}" for c in hidden)
            return cur.sql(
                f"SELECT l.{qident(ID)}, {cols} FROM {qident(spec.name + '__latest')} AS l "
                f"SEMI JOIN {qident(name)} AS i USING ({qident(ID)})"
            ).to_arrow_table()
        finally:
            cur.unregister(name)

    # How long a writer waits for another's lock before giving up with a message (FAZHI_LOCK_TIMEOUT).
    lock_timeout: float = 120.0

    @contextlib.contextmanager
    def table_lock(self, table: str) -> Iterator[None]:
        """Serialises the revision check and the write of concurrent writers (any process).

        The lock file says who holds it; a writer kept waiting says who, and gives up after
        ``lock_timeout`` seconds (a member holding a lock made others' imports hang silently)."""
        locks = layout.make_dir(self.root / layout.LOCKS_DIR, self.root)
        path = locks / f"{table}.lock"
        try:
            timeout = float(os.environ.get("FAZHI_LOCK_TIMEOUT", "") or self.lock_timeout)
        except ValueError:
            raise StoreError(
                f"环境变量 FAZHI_LOCK_TIMEOUT 应为秒数，实为“{os.environ['FAZHI_LOCK_TIMEOUT']}”"
            ) from None
        try:
            opened = layout.open_lock(path, self.root)
            fh = opened.__enter__()
        except layout.LockFileError as exc:
            raise StoreError(exc.strerror) from None
        try:
            self._acquire(fh, table, timeout)
            # Who holds it, for those kept waiting; never written through a second link (a store
            # copied with ``cp -al`` shares its lock files; a link elsewhere must not be written).
            single = os.fstat(fh.fileno()).st_nlink == 1
            try:
                if single:
                    fh.seek(0)
                    fh.truncate()
                    stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
                    fh.write(f"{self.user}（进程 {os.getpid()}，{stamp} 起）".encode())
                    fh.flush()
                yield
            finally:
                if single:
                    with contextlib.suppress(OSError):
                        fh.seek(0)
                        fh.truncate()
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        finally:
            opened.__exit__(None, None, None)

    def _acquire(self, fh, table: str, timeout: float) -> None:
        import time

        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = _lock_holder(fh)
        label = self.specs[table].label if table in self.specs else table
        _log.warning("表 %s 正由 %s 写入，等待其完成（最多 %.0f 秒）…", label, holder, timeout)
        deadline = time.monotonic() + timeout
        while True:
            time.sleep(0.05)
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"表 {label} 正由 {_lock_holder(fh)} 写入，等待 {timeout:.0f} 秒后仍未释放，本次未写入；"
                        f"请稍后重试，或请对方结束其操作"
                    ) from None

    def _write(
        self,
        spec: TableSpec,
        data: pa.Table,
        *,
        mode: str,
        expected: Mapping[str, int] | None,
        at: datetime | None,
        by: str | None,
    ) -> WriteResult:
        self.access.require_write(spec.name, spec.label)
        if data.num_rows == 0:
            return WriteResult(spec.name, 0, None)
        if mode != "delete" and spec.references:
            refused = reference_problems(self, spec, data)
            if refused:
                raise ValidationError(spec.name, refused)
        ids = data.column(spec.key).cast(pa.string())
        id_list = ids.to_pylist()
        key_label = spec.label_of(spec.key)
        with self.table_lock(spec.name):
            latest = self.latest_versions(spec.name, id_list)
            problems: list[RowProblem] = []
            revs: list[int] = []
            if not latest and mode in ("insert", "upsert"):
                id_list = []  # all new: every revision is 1 (the common case for big imports)
                revs = [1] * data.num_rows
            for i, rid in enumerate(id_list):
                v = latest.get(rid)
                if mode == "upsert" and (v is None or v.op != "put"):
                    if rid in (expected or {}):
                        problems.append(RowProblem(i + 1, key_label, f"记录“{rid}”已被他人删除"))
                        continue
                    revs.append(1 if v is None else v.rev + 1)
                elif mode == "upsert" and rid not in (expected or {}):
                    assert v is not None  # the branch above took a record that is new or deleted
                    problems.append(
                        RowProblem(i + 1, key_label, f"“{rid}”已由 {v.by} 新增（第 {v.rev} 版），请重新核对后再导入")
                    )
                elif mode == "insert":
                    if v is not None and v.op == "put":
                        problems.append(RowProblem(i + 1, key_label, f"“{rid}”已存在（第 {v.rev} 版，{v.by} 写入）"))
                        if len(problems) >= 1000:
                            break
                    revs.append(1 if v is None else v.rev + 1)
                else:
                    if v is None or v.op != "put":
                        problems.append(RowProblem(i + 1, key_label, f"记录“{rid}”不存在或已删除"))
                        continue
                    want = (expected or {}).get(rid)
                    if want is None:
                        problems.append(RowProblem(i + 1, key_label, f"记录“{rid}”未给出修改所依据的版本"))
                        continue
                    if want != v.rev:
                        raise StaleRevisionError(spec.name, rid, want, v.rev, v.by, v.at)
                    revs.append(v.rev + 1)
            if problems:
                raise ValidationError(spec.name, problems)
            data = self._carry_hidden(spec, data, latest)
            when = at or datetime.now(UTC)
            n = data.num_rows
            meta = [
                ids,
                pa.array(revs, type=pa.int32()),
                pa.repeat(pa.scalar("delete" if mode == "delete" else "put"), n).cast(pa.string()),
                pa.repeat(pa.scalar(when, type=pa.timestamp("us", tz="UTC")), n),
                pa.repeat(pa.scalar(by or self.user), n).cast(pa.string()),
            ]
            batch = pa.Table.from_arrays(meta + list(data.columns), schema=spec.schema)
            # Note where the versions this batch replaces sit, so readers anti-join only those
            # periods of the compacted base (new records replace nothing: no join at all).
            replaced = {_month_of(v.period) for v in latest.values()}
            batch = batch.replace_schema_metadata(
                {SUPERSEDES_KEY: json.dumps(sorted(replaced, key=lambda m: m or ""), ensure_ascii=False)}
            )
            path = self._publish(spec.name, batch)
        self.refresh([spec.name], force=True)
        self._after_write(spec)
        return WriteResult(spec.name, n, path)

    def _publish(self, table: str, batch: pa.Table) -> Path:
        """Write a batch to a staging file, flush it, and rename it into the table's log."""
        return self._publish_with(table, batch.schema, lambda writer: writer.write_table(batch))

    def _publish_with(self, table: str, schema: pa.Schema, write: Callable[[pq.ParquetWriter], None]) -> Path:
        """A log file written by ``write`` into staging, flushed, and renamed into the table's
        log: readers see all of it or none of it."""
        staging = layout.make_dir(self.root / layout.STAGING_DIR, self.root)
        name = layout.new_log_name()
        tmp = staging / f"{table}.{name}.tmp"
        try:
            with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
                write(writer)
            os.chmod(tmp, layout.file_mode(self.root))  # written once: only its writer may change it
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            dest_dir = layout.make_dir(layout.log_dir(self.root, table), self.root)
            dest = dest_dir / name
            os.rename(tmp, dest)
            layout.fsync_dir(dest_dir)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        return dest


def _overlay(data: pa.Table, ids: pa.Array, stored: pa.Table, columns: Sequence[str]) -> pa.Table:
    """``data`` with ``columns`` taken from ``stored`` (keyed by ``_id``) where its key is there."""
    at = pc.index_in(ids, value_set=stored.column(ID))
    found = pc.is_valid(at)
    for c in columns:
        i = data.schema.get_field_index(c)
        field = data.schema.field(c)
        kept = stored.column(c).take(at).cast(field.type)
        data = data.set_column(i, field, pc.if_else(found, kept, data.column(c)))
    return data


def _lock_holder(fh) -> str:
    try:
        fh.seek(0)
        text = fh.read(300).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or "另一进程"


def _month_of(value: Any) -> str | None:
    """ "YYYY-MM" of a date or timestamp, None for NULL (tables without a period note "*")."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return f"{value.year:04d}-{value.month:02d}"
    if hasattr(value, "year") and hasattr(value, "month"):
        return f"{value.year:04d}-{value.month:02d}"
    return "*"


def read_marker(root: Path) -> dict:
    try:
        return json.loads((root / layout.MARKER).read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError as exc:
        raise NotAStoreError(f"{root / layout.MARKER} 已损坏：{exc}") from exc


def write_marker(root: Path, *, demo: bool, **extra: Any) -> None:
    info = {
        "format": layout.STORE_FORMAT,
        "demo": demo,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    info.update(extra)
    tmp = root / f".{layout.MARKER}.{uuid.uuid4().hex[:8]}.tmp"
    # Only its owner may write it (group members read it): with it, a member could lock everyone
    # out (a future format) or say "demo" so that ``demo --force`` deletes real data.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o640)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(info, ensure_ascii=False, indent=2) + "\n")
    os.chmod(tmp, 0o640)
    os.replace(tmp, root / layout.MARKER)
