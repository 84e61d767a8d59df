"""Compaction: fold a table's log files into a new generation, safe while others read and write.

A generation is built in staging and published by renaming its whole folder, so a reader sees
the old generation or the new one, never half of one. Log files written while compaction runs
are not in the manifest and stay in the delta. Files a reader might still be using are removed
one compaction later; a reader that loses a file anyway retries with a fresh listing.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from .generations import (
    SKIPPED_BUSY,
    CompactionResult,
    compaction_lock,
    publish_generation,
    remove_superseded,
    stage_generation,
    write_partitioned,
)
from .scan import scan_table
from .spec import ID, OP, REV, TableSpec
from .views import group_select, qident, qstr


def compact_table(
    store, spec: TableSpec, *, min_files: int = 1, require_admin: bool = True, locked: bool = False
) -> CompactionResult:
    """Rewrite the table's newest versions and history into a new generation.

    ``require_admin=False`` is for the store's own folding after writes (fold.py), which any
    writer may trigger; ``locked`` when the caller already holds the compaction lock.
    """
    if require_admin:
        store.access.require_admin("整理数据")
    else:
        store.access.require_write(spec.name, spec.label)
    root: Path = store.root
    result = CompactionResult(spec.name)
    lock = contextlib.nullcontext(True) if locked else compaction_lock(root, spec.name)
    with lock as got:
        if not got:
            result.skipped = SKIPPED_BUSY
            return result
        tf = scan_table(root, spec)
        if len(tf.delta_files) < min_files:
            result.skipped = "无需整理"
            return result
        prev, new_gen, stage = stage_generation(root, spec.name)
        try:
            duck_types = store.duck_types(spec.name)
            history_sql = group_select(spec, tf.history_files + tf.delta_files, duck_types)
            cur = store.writer_cursor()
            latest_sql = (
                f"SELECT * FROM ({history_sql}) "
                f"QUALIFY row_number() OVER (PARTITION BY {qident(ID)} ORDER BY {qident(REV)} DESC) = 1"
            )
            if tf.current_files or tf.tombstone_files:
                # Cheaper than a window over all history: the old newest versions minus what the
                # delta changed, plus the delta's newest.
                delta_sql = group_select(spec, tf.delta_files, duck_types)
                old_sql = group_select(spec, tf.current_files + tf.tombstone_files, duck_types)
                latest_sql = (
                    f"WITH d AS ({delta_sql}) "
                    f"SELECT c.* FROM ({old_sql}) AS c ANTI JOIN d USING ({qident(ID)}) "
                    f"UNION ALL SELECT * FROM d "
                    f"QUALIFY row_number() OVER (PARTITION BY {qident(ID)} ORDER BY {qident(REV)} DESC) = 1"
                )
            # Fold once into a scratch file (streamed, not held in memory), then split it.
            fold_path = stage / "fold.parquet"
            cur.execute(f"COPY ({latest_sql}) TO {qstr(str(fold_path))} (FORMAT parquet, COMPRESSION zstd)")
            fold = f"read_parquet({qstr(str(fold_path))})"
            # Live records and deletions go to separate files, so reading live records needs no
            # filter on the operation column.
            outputs = (
                ("history", history_sql),
                ("current", f"SELECT * FROM {fold} WHERE {qident(OP)} = 'put'"),
                ("tombstones", f"SELECT * FROM {fold} WHERE {qident(OP)} <> 'put'"),
            )
            for kind, sql in outputs:
                out = stage / kind
                out.mkdir()
                write_partitioned(cur, spec, sql, out, kind, "part_{i}")
            counts = cur.execute(
                f"SELECT (SELECT count(*) FROM ({history_sql})), "
                f"(SELECT count(*) FROM {fold} WHERE {qident(OP)} = 'put')"
            ).fetchone()
            cur.close()
            fold_path.unlink()
            publish_generation(store, spec, tf, stage, new_gen, {"versions": counts[0], "records": counts[1]})
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        result.gen = new_gen
        result.folded_files = len(tf.delta_files)
        result.versions, result.records = counts
        result.removed_files = remove_superseded(root, spec.name, new_gen, prev)
    store.refresh([spec.name], force=True)
    return result


def compact(store, tables=None) -> list[CompactionResult]:
    store.access.require_admin("整理数据")
    names = list(tables) if tables else list(store.specs)
    return [compact_table(store, store.spec(n)) for n in names]
