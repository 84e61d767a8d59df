"""What compaction and folding share: the table's compaction lock, writing sorted files,
publishing a generation and removing the files it superseded.

A module of its own because both writers of generations (``compact.py``: the full rewrite;
``fold.py``: the partial one) need exactly these steps, in this order, and neither should reach
into the other's private names: a generation is built in staging and published by renaming its
whole folder, so a reader sees the old generation or the new one, never half of one. Files a
reader might still be using are removed one generation later; a reader that loses a file anyway
retries with a fresh listing.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import layout
from . import manifest as manifest_files
from .scan import Footer, latest_gen, read_footer
from .spec import ID, REV, TableSpec
from .views import qident, qstr

# Smaller than DuckDB's default (122,880), so that sorting by cluster columns lets a query for one
# township skip most of a month's row groups.
ROW_GROUP_SIZE = 32_768


@dataclass
class CompactionResult:
    table: str
    skipped: str | None = None  # why nothing was done
    gen: int | None = None
    folded_files: int = 0
    versions: int = 0
    records: int = 0
    removed_files: int = 0
    rewritten: int | None = None  # a fold: compacted files rewritten, and shared unchanged
    linked: int = 0

    def describe(self) -> str:
        if self.skipped:
            return f"{self.table}：{self.skipped}"
        if self.rewritten is not None:
            return (
                f"{self.table}：把 {self.folded_files} 个版本文件并入第 {self.gen} 代（重写 {self.rewritten} 个基础文件，"
                f"沿用 {self.linked} 个），共 {self.records} 条现行记录；清理旧文件 {self.removed_files} 个"
            )
        return (
            f"{self.table}：合并 {self.folded_files} 个文件为第 {self.gen} 代，"
            f"共 {self.versions} 个版本、{self.records} 条现行记录；清理旧文件 {self.removed_files} 个"
        )


SKIPPED_BUSY = "另一进程正在整理此表，已跳过"


def wait_for_compaction(root: Path, table: str, timeout: float) -> bool:
    """Wait until no process holds the table's compaction lock (True), or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        with compaction_lock(root, table) as got:
            if got:
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


@contextlib.contextmanager
def compaction_lock(root: Path, table: str) -> Iterator[bool]:
    """The table's compaction lock, not waited for: yields False while another process holds it."""
    locks = layout.make_dir(root / layout.LOCKS_DIR, root)
    with layout.open_lock(locks / f"{table}.compact.lock", root) as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def stage_generation(root: Path, table: str) -> tuple[tuple[int, Path, dict] | None, int, Path]:
    """The newest generation (or None), the next one's number (past any damaged folder, see
    manifest.py) and an empty staging folder to build it in: what compaction, a fold and a
    big import each start from. Call it under ``compaction_lock``."""
    import uuid

    prev = latest_gen(root, table)
    new_gen = manifest_files.next_gen_number(root, table)
    stage = root / layout.STAGING_DIR / f"gen-{table}-{uuid.uuid4().hex[:12]}"
    layout.make_dir(stage.parent, root)
    stage.mkdir()
    return prev, new_gen, stage


def publish_generation(store, spec: TableSpec, tf, stage: Path, gen: int, facts: dict) -> None:
    """Write the manifest (which log files the generation folded, and ``facts``), flush the
    staged folder and rename it into place: readers see the old generation or the new one."""
    root: Path = store.root
    present = set(os.listdir(layout.log_dir(root, spec.name)))
    manifest = {
        "gen": gen,
        "folded": sorted({p.name for p in tf.delta_files} | (set(tf.folded) & present)),
        **facts,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "by": store.user,
        # Every file of the generation, so a file lost or changed later is noticed (manifest.py).
        manifest_files.FILES_KEY: manifest_files.file_entries(stage, latest_gen(root, spec.name), _rows_of),
    }
    (stage / layout.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
    layout.share_tree(stage, root)  # DuckDB made its folders 2750: a clerk's fold could not clean up
    fsync_tree(stage)
    gdir = layout.make_dir(layout.gens_dir(root, spec.name), root)
    os.rename(stage, gdir / layout.gen_name(gen))
    layout.fsync_dir(gdir)


def _rows_of(path: Path) -> int:
    footer = read_footer(path)
    return footer.num_rows if isinstance(footer, Footer) else 0


def sort_order(spec: TableSpec) -> list[str]:
    """How compacted files are sorted: by the cluster columns, then the period, then the key, so
    that row-group statistics let a query for one township or one month skip the rest."""
    order = [qident(c) for c in spec.cluster_by]
    if spec.period_column:
        order.append(qident(spec.period_column))
    return order + [qident(ID), qident(REV)]


def write_partitioned(
    cur,
    spec: TableSpec,
    sql: str,
    out: Path,
    kind: str,
    pattern: str,
    *,
    order: str | None = None,
    outer: str = "*",
    params: dict | None = None,
) -> None:
    """Write the rows of ``sql`` sorted into ``out``: by year (and month for ``current``) when
    the table has a period column, else one file. ``pattern`` names the files (``{i}`` counts).
    ``order`` replaces the sort order; ``outer`` is what is written of each sorted row (columns
    computed after the sort, with ``params`` bound)."""
    order = order or ", ".join(sort_order(spec))
    if spec.period_column:
        # Live records by year and month: a delta that replaces recent versions then touches
        # only the newest few files, and the rest are read as a plain scan.
        parts = [("year", "year")] + ([("month", "month")] if kind == "current" else [])
        names = [p if p not in spec.column_names else f"_{p}" for p, _fn in parts]
        derived = ", ".join(
            f"{fn}({qident(spec.period_column)}) AS {qident(n)}" for (_p, fn), n in zip(parts, names, strict=False)
        )
        cur.execute(
            f"COPY (SELECT {outer} FROM (SELECT *, {derived} FROM ({sql}) ORDER BY {order})) TO {qstr(str(out))} "
            f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_SIZE}, "
            f"PARTITION_BY ({', '.join(qident(n) for n in names)}), "
            f"FILENAME_PATTERN {qstr(pattern)}, OVERWRITE_OR_IGNORE true)",
            params or None,
        )
    else:
        name = pattern.replace("{i}", "0") + ".parquet"
        cur.execute(
            f"COPY (SELECT {outer} FROM (SELECT * FROM ({sql}) ORDER BY {order})) "
            f"TO {qstr(str(out / name))} (FORMAT parquet, COMPRESSION zstd)",
            params or None,
        )


def remove_superseded(root: Path, table: str, new_gen: int, prev: tuple[int, Path, dict] | None) -> int:
    """Remove what no reader of the two newest generations can need."""
    removed = 0
    gdir = layout.gens_dir(root, table)
    for name in os.listdir(gdir):
        # The previous readable generation stays (readers may be on it) even when a damaged
        # folder lies between it and the new one.
        keep_from = min(new_gen - 1, prev[0]) if prev is not None else new_gen - 1
        if layout.GEN_NAME_RE.match(name) and int(name) < keep_from:
            shutil.rmtree(gdir / name, ignore_errors=True)
            removed += 1
    if prev is not None:
        ldir = layout.log_dir(root, table)
        for name in prev[2].get("folded", []):
            # PermissionError: in a shared store's sticky folders only a file's owner may remove
            # it; an administrator's next compaction does.
            with contextlib.suppress(FileNotFoundError, PermissionError):
                (ldir / name).unlink()
                removed += 1
    return removed


def fsync_tree(top: Path) -> None:
    for dirpath, _dirs, files in os.walk(top):
        for name in files:
            with open(Path(dirpath) / name, "rb") as fh:
                os.fsync(fh.fileno())
        layout.fsync_dir(Path(dirpath))
