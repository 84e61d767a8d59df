"""Folding: a partial compaction that keeps current-state reads close to a plain scan.

Reads treat the log files no generation has folded as a delta: the compacted ``current`` files
of the periods the delta replaced are anti-joined with it (views.py). That join costs about ten
times a plain scan per row it probes, so a delta that touches many months (an old year
re-classified, a bulk ``--update``) or grows large makes every query pay. A fold writes a new
generation that differs from the last one only where the delta lands:

- ``current`` files of untouched months are hard-linked, not rewritten; the touched months
  (those whose versions the delta replaced, and those its new versions fall in) are rewritten
  as (old rows minus the delta's records) plus the delta's live versions;
- ``tombstones`` (deleted records, few) are rewritten;
- ``history`` keeps every earlier file (hard-linked) and gains the delta's versions as new files.

So a fold costs about the size of the touched months, not of the table, and the store can fold
after writes without an administrator. It is published like a compaction (a whole folder
renamed into place), under the same lock, so readers and writers carry on meanwhile.
``fazhi-tui compact`` stays the full rewrite that also merges the history's small files.

``fold_due`` is the policy the store applies after each write (``Store(auto_fold=True)``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from .compact import compact_table
from .generations import (
    ROW_GROUP_SIZE,
    SKIPPED_BUSY,
    CompactionResult,
    compaction_lock,
    publish_generation,
    remove_superseded,
    sort_order,
    stage_generation,
    write_partitioned,
)
from .scan import Footer, TableFiles, read_footer, scan_table
from .spec import ID, OP, REV, TableSpec
from .views import file_touched, group_select, month_ranges, qident, qstr

# Thresholds of the fold policy. Measured at 10M rows on 2 cores (benchmarks/RESULTS.md):
# a plain aggregate over a year reads ~2M rows in ~25 ms, and the anti-join probes ~20 ns per
# row, so about 600k probed rows would already cost half of that again (the 1.5x budget).
FOLD_TOUCHED_SHARE = 0.03  # of the table's live rows in months the delta replaced ...
FOLD_TOUCHED_MIN = 200_000  # ... and at least this many rows, so small stores do not churn
FOLD_DELTA_ROWS = 20_000  # versions in the delta: each query dedups and joins them
FOLD_DELTA_FILES = 64  # log files: each is listed, opened and read by every query


@dataclass(frozen=True)
class FoldPlan:
    reason: str  # Chinese, for people
    touched_rows: int
    delta_rows: int
    delta_files: int


def fold_due(spec: TableSpec, tf: TableFiles) -> FoldPlan | None:
    """Whether the table's delta now costs reads enough to fold it (from footers; no query)."""
    if not tf.delta_files:
        return None
    delta_rows = tf.delta_rows
    live = [(p, read_footer(p)) for p in tf.current_files]
    base_rows = sum(f.num_rows for _p, f in live if isinstance(f, Footer))
    months = tf.superseded_months()
    if months is None or "*" in months or spec.period_column is None:
        touched = base_rows if months is None or months else 0
    elif not months:
        touched = 0
    else:
        ranges = month_ranges(months)
        touched = sum(
            f.num_rows
            for p, f in live
            if isinstance(f, Footer) and file_touched(p, spec.period_column, ranges, None in months)
        )
    if touched >= max(FOLD_TOUCHED_MIN, FOLD_TOUCHED_SHARE * base_rows):
        return FoldPlan(f"新版本涉及的原有记录较多（{touched:,} 条需比对）", touched, delta_rows, len(tf.delta_files))
    if delta_rows >= FOLD_DELTA_ROWS:
        return FoldPlan(f"未整理的版本较多（{delta_rows:,} 个）", touched, delta_rows, len(tf.delta_files))
    if len(tf.delta_files) >= FOLD_DELTA_FILES:
        return FoldPlan(f"未整理的文件较多（{len(tf.delta_files)} 个）", touched, delta_rows, len(tf.delta_files))
    return None


def fold_table(store, spec: TableSpec):
    """Fold the table's delta into a new generation, rewriting only the touched months.

    Tables without a period column (small reference tables), or whose delta does not say what it
    replaced, get a full compaction instead: there is nothing to spare.
    """
    store.access.require_write(spec.name, spec.label)
    root: Path = store.root
    result = CompactionResult(spec.name)
    tf = scan_table(root, spec)
    months = tf.superseded_months()
    if spec.period_column is None or months is None or "*" in months:
        return compact_table(store, spec, require_admin=False)
    with compaction_lock(root, spec.name) as got:
        if not got:
            result.skipped = SKIPPED_BUSY
            return result
        tf = scan_table(root, spec)  # again, under the lock: a compaction may just have ended
        if not tf.delta_files:
            result.skipped = "无需整理"
            return result
        months = tf.superseded_months()
        if months is None or "*" in months:
            return compact_table(store, spec, require_admin=False, locked=True)
        prev, new_gen, stage = stage_generation(root, spec.name)
        try:
            duck_types = store.duck_types(spec.name)
            cur = store.writer_cursor()
            period = qident(spec.period_column)
            delta_sql = group_select(spec, tf.delta_files, duck_types)
            # The months the delta's own versions fall in: their files are rewritten too, so a
            # month keeps one set of files instead of gaining a small one per fold.
            own = {
                r[0] for r in cur.execute(f"SELECT DISTINCT strftime({period}, '%Y-%m') FROM ({delta_sql})").fetchall()
            }
            touched_months = frozenset(months) | own
            ranges = month_ranges(touched_months)
            null_touched = None in touched_months
            touched = [p for p in tf.current_files if file_touched(p, spec.period_column, ranges, null_touched)]
            kept = [p for p in tf.current_files if p not in touched]
            pattern = f"g{new_gen:08d}_{{i}}"
            # The delta's newest versions, once, into a scratch file (streamed, not held in memory:
            # after a big import the delta can be a million rows).
            scratch = stage / "delta.parquet"
            # A log file never holds a record twice (writes refuse repeated keys), so one file
            # needs no check; several may hold versions of the same record.
            repeated = (
                len(tf.delta_files) > 1
                and cur.execute(f"SELECT count(*) <> count(DISTINCT {qident(ID)}) FROM ({delta_sql})").fetchone()[0]
            )
            # The window holds every row in memory; a delta of distinct records (an import of
            # new ones, the usual big delta) is copied as it streams.
            newest = (
                f"SELECT * FROM ({delta_sql}) "
                f"QUALIFY row_number() OVER (PARTITION BY {qident(ID)} ORDER BY {qident(REV)} DESC) = 1"
                if repeated
                else delta_sql
            )
            # This cursor only writes files whose rows it sorts itself: insertion order need not
            # be kept, and small row groups keep the writer's buffers small (a 1M-row copy held
            # +423 MB with both defaults, +100 MB so).
            cur.execute("SET SESSION preserve_insertion_order = false")
            cur.execute(
                f"COPY ({newest}) TO {qstr(str(scratch))} "
                f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_SIZE})"
            )
            try:
                for kind in ("current", "tombstones", "history"):
                    (stage / kind).mkdir()
                if tf.gen_path is not None:  # the first generation has nothing to share
                    for p in kept:
                        _link(p, stage / "current" / p.relative_to(tf.gen_path / "current"))
                    for p in tf.history_files:
                        _link(p, stage / "history" / p.relative_to(tf.gen_path / "history"))
                d = f"read_parquet({qstr(str(scratch))})"
                old_live = group_select(spec, touched, duck_types)
                # One month at a time, each sorted on its own: memory stays that of a month,
                # where one partitioned COPY of a million new rows held a writer per month and
                # sorted them all (1.3 GB for a 1M-row import).
                months_out = {
                    r[0]
                    for r in cur.execute(f"SELECT DISTINCT strftime({period}, '%Y-%m') FROM ({old_live})").fetchall()
                } | set(touched_months)
                live = f"SELECT * FROM {d} WHERE {qident(OP)} = 'put'"
                if touched:  # new records in new months (an import of past years) need no join
                    live = f"SELECT c.* FROM ({old_live}) AS c ANTI JOIN {d} USING ({qident(ID)}) UNION ALL {live}"
                for month in sorted(months_out, key=lambda m: m or ""):
                    _write_period(cur, spec, live, month, stage / "current", new_gen, duck_types)
                old_dead = group_select(spec, tf.tombstone_files, duck_types)
                write_partitioned(
                    cur,
                    spec,
                    f"SELECT c.* FROM ({old_dead}) AS c ANTI JOIN {d} USING ({qident(ID)}) "
                    f"UNION ALL SELECT * FROM {d} WHERE {qident(OP)} <> 'put'",
                    stage / "tombstones",
                    "tombstones",
                    pattern,
                )
                # History gains the delta's versions, a month at a time as above (a year of a
                # million-row import sorted at once peaked ~150 MB higher), into the year folders
                # history keeps; compaction merges them later.
                for month in sorted(own, key=lambda m: m or ""):
                    _write_period(cur, spec, delta_sql, month, stage / "history", new_gen, duck_types)
            finally:
                cur.close()
                scratch.unlink(missing_ok=True)
            records = sum(f.num_rows for f in map(read_footer, _parquet(stage / "current")) if isinstance(f, Footer))
            versions = int((prev[2].get("versions") or 0) if prev else 0) + tf.delta_rows
            publish_generation(
                store,
                spec,
                tf,
                stage,
                new_gen,
                {
                    "kind": "fold",
                    "versions": versions,
                    "records": records,
                    "rewritten_months": sorted(m or "" for m in touched_months),
                },
            )
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        result.gen = new_gen
        result.folded_files = len(tf.delta_files)
        result.versions, result.records = versions, records
        result.rewritten = len(touched)
        result.linked = len(kept)  # shared by a hard link, or copied where linking is refused
        result.removed_files = remove_superseded(root, spec.name, new_gen, prev)
    store.refresh([spec.name], force=True)
    return result


def _write_period(cur, spec: TableSpec, sql: str, period_key: str | None, out: Path, gen: int, duck_types) -> None:
    """The rows of ``sql`` in one month ("YYYY-MM") or year ("YYYY") into its Hive folder
    (None: rows without a period), sorted as compaction sorts them; no file for no rows."""
    column = spec.period_column
    assert column is not None  # a table without a period is compacted, never folded (fold_table)
    period = qident(column)
    ptype = duck_types[column]
    default = "__HIVE_DEFAULT_PARTITION__"
    monthly = out.name == "current"  # history: year folders, a file per month
    if period_key is None:
        cond = f"{period} IS NULL"
        folder = out / f"year={default}" / f"month={default}" if monthly else out / f"year={default}"
    elif len(period_key) == 7:
        year, mon = int(period_key[:4]), int(period_key[5:7])
        nxt = f"{year + mon // 12:04d}-{mon % 12 + 1:02d}-01"
        cond = f"{period} >= CAST('{year:04d}-{mon:02d}-01' AS {ptype}) AND {period} < CAST('{nxt}' AS {ptype})"
        folder = out / f"year={year}" / f"month={mon}" if monthly else out / f"year={year}"
    else:
        year = int(period_key)
        cond = f"{period} >= CAST('{year:04d}-01-01' AS {ptype}) AND {period} < CAST('{year + 1:04d}-01-01' AS {ptype})"
        folder = out / f"year={year}"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (
        f"g{gen:08d}_0.parquet"
        if monthly or period_key is None or len(period_key) == 4
        else f"g{gen:08d}_{period_key[5:7]}.parquet"
    )
    cur.execute(
        f"COPY (SELECT * FROM ({sql}) WHERE {cond} ORDER BY {', '.join(sort_order(spec))}) "
        f"TO {qstr(str(target))} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_SIZE})"
    )
    if pq.read_metadata(target).num_rows == 0:  # every record of the period was deleted or moved
        target.unlink()
        with contextlib.suppress(OSError):
            folder.rmdir()


def _parquet(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.parquet"))


def _link(src: Path, dest: Path) -> None:
    """Share an immutable file with the new generation; copy it where links are not allowed
    (another file system, or ``fs.protected_hardlinks`` for a file someone else owns)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)
