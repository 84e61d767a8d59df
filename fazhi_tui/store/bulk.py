"""New records straight into a new generation: a big import into an empty or a large table.

A write lands as a log file, and a fold later reads it back and rewrites its rows sorted into
month files (fold.py). For an import of ten million tickets that meant writing the rows twice,
reading them twice and sorting them month by month over the whole file (145 s, 4.6 GB). When
every row is a new record (its only version is revision 1: nothing to anti-join, nothing to
supersede), the rows can go into month files once, as the new generation's own:

- one sorted COPY partitioned by year and month (as compaction writes) sorts the batch;
- a month the table has no file for takes that month's file as it is, and the same file (a hard
  link) is the month's addition to ``history``: a new record's one version is its current one;
- a month the table already has files for is rewritten: its old rows and the batch's, sorted;
  the batch's file of the month goes to ``history``;
- every other file of the previous generation is hard-linked unchanged: the months the batch
  does not touch are not rewritten;
- log files no generation has folded stay the delta (the manifest keeps the previous list):
  their records are not the batch's (checked under the lock), so they still read correctly.

It runs under the table's lock (no writer checks keys or revisions meanwhile: the batch's keys
are checked to be new there) and the compaction lock (no fold or compaction publishes
meanwhile). The generation is staged and published by renaming its folder, like any other: a
failure anywhere leaves the table as it was. DuckDB's memory is the store's write limit
(``QueryLimits.write_memory``, set by the processes that import and fold), beyond which its sort
spills to the store's temporary folder.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from . import layout
from .generations import compaction_lock, publish_generation, remove_superseded, stage_generation, write_partitioned
from .scan import Footer, TableFiles, read_footer, scan_table
from .spec import AT, BY, ID, OP, REV, TableSpec
from .views import group_select, qident, qstr

DEFAULT = "__HIVE_DEFAULT_PARTITION__"


def month_folder(path: Path, top: Path) -> tuple[str, str] | None:
    """("2021", "3") for ``top/year=2021/month=3/x.parquet``; None for a file not so placed."""
    parts = path.relative_to(top).parts
    if len(parts) != 3 or not parts[0].startswith("year=") or not parts[1].startswith("month="):
        return None
    return parts[0][5:], parts[1][6:]


def eligible(spec: TableSpec, tf: TableFiles) -> bool:
    """Whether a batch of new records can be written straight into a generation of this table:
    it has a period column, and its current files sit one month to a folder (so a month's old
    rows are known by their folder), with nothing damaged."""
    if spec.period_column is None or tf.damage or tf.bad:
        return False
    if tf.gen_path is None:
        return not tf.current_files
    top = tf.gen_path / "current"
    return all(month_folder(p, top) is not None for p in tf.current_files)


def write_generation(
    store,
    spec: TableSpec,
    batches: Callable[[], Iterable[pa.Table]],
    rows: int,
    *,
    when: datetime | None = None,
) -> int | None:
    """Write ``batches()`` (the spec's data columns, new records only, keys unique: checked by
    the caller under the table's lock) as a new generation; returns its number, or None when
    another process holds the compaction lock or the table's files do not allow it (the caller
    then appends a log file instead)."""
    root: Path = store.root
    with compaction_lock(root, spec.name) as got:
        if not got:
            return None
        tf = scan_table(root, spec)
        if not eligible(spec, tf):
            return None
        prev, new_gen, stage = stage_generation(root, spec.name)
        try:
            rewritten = _build(store, spec, tf, batches, stage, new_gen, when or datetime.now(UTC))
            records = sum(
                f.num_rows for f in map(read_footer, (stage / "current").rglob("*.parquet")) if isinstance(f, Footer)
            )
            versions = int((prev[2].get("versions") or 0) if prev else 0) + rows
            # The log files not folded stay the delta: publish as if there were none to fold.
            layout.make_dir(layout.log_dir(root, spec.name), root)  # a first write has made none
            publish_generation(
                store,
                spec,
                replace(tf, delta_files=[]),
                stage,
                new_gen,
                {"kind": "import", "versions": versions, "records": records, "rewritten_months": rewritten},
            )
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        remove_superseded(root, spec.name, new_gen, prev)
    return new_gen


def _build(
    store, spec: TableSpec, tf: TableFiles, batches: Callable[[], Iterable[pa.Table]], stage: Path, gen: int, when
) -> list[str]:
    """Stage the generation's files; returns the months whose old files were rewritten."""
    duck_types = store.duck_types(spec.name)
    incoming = stage / "incoming"
    incoming.mkdir()
    cur = store.writer_cursor()
    name = f"__bulk_{uuid.uuid4().hex}"
    try:
        schema = spec.data_schema
        rows = (b for t in batches() for b in pa.Table.from_arrays(t.columns, schema=schema).to_batches())
        reader = pa.RecordBatchReader.from_batches(schema, rows)
        cur.register(name, reader)
        try:
            _copy_new_records(cur, spec, name, incoming, f"g{gen:08d}_{{i}}", when, store.user)
        finally:
            cur.unregister(name)
        current, history = stage / "current", stage / "history"
        for kind in ("current", "tombstones", "history"):
            (stage / kind).mkdir()
        old_by_month: dict[tuple[str, str], list[Path]] = {}
        if tf.gen_path is not None:
            top = tf.gen_path / "current"
            for p in tf.current_files:
                key = month_folder(p, top)
                assert key is not None  # eligible() said so
                old_by_month.setdefault(key, []).append(p)
        rewritten: list[str] = []
        for folder in sorted(incoming.glob("year=*/month=*")):
            year, month = folder.parent.name[5:], folder.name[6:]
            files = sorted(folder.glob("*.parquet"))
            out = current / f"year={year}" / f"month={month}"
            out.mkdir(parents=True)
            hist = history / f"year={year}"
            hist.mkdir(exist_ok=True)
            mm = "0" if month == DEFAULT else f"{int(month):02d}"
            old = old_by_month.pop((year, month), [])
            if old:
                # The month's old rows and the batch's, sorted together into the month's one file.
                both = f"{group_select(spec, old, duck_types)} UNION ALL {group_select(spec, files, duck_types)}"
                _sorted_copy(cur, spec, both, out / f"g{gen:08d}_0.parquet")
                rewritten.append(f"{year}-{int(month):02d}" if month != DEFAULT else "")
                for i, f in enumerate(files):
                    os.rename(f, hist / f"g{gen:08d}_{mm}{'' if i == 0 else f'_{i}'}.parquet")
            else:
                for i, f in enumerate(files):
                    target = out / f"g{gen:08d}_{i}.parquet"
                    os.rename(f, target)
                    _link(target, hist / f"g{gen:08d}_{mm}{'' if i == 0 else f'_{i}'}.parquet")
        if any(incoming.rglob("*.parquet")):
            raise RuntimeError(f"{spec.name}: rows outside year/month folders in {incoming}")
        shutil.rmtree(incoming)
        if tf.gen_path is not None:
            # Everything else of the previous generation, shared unchanged.
            for files in old_by_month.values():
                for p in files:
                    _link(p, current / p.relative_to(tf.gen_path / "current"))
            for p in tf.tombstone_files:
                _link(p, stage / "tombstones" / p.relative_to(tf.gen_path / "tombstones"))
            for p in tf.history_files:
                _link(p, history / p.relative_to(tf.gen_path / "history"))
    finally:
        cur.close()
    return sorted(rewritten)


def _copy_new_records(cur, spec: TableSpec, name: str, out: Path, pattern: str, when: datetime, by: str) -> None:
    """The batch's rows sorted into month folders under ``out``, each with its one version's
    columns (revision 1, put, ``when``, ``by``). Those are added after the sort, not carried
    through it: five more columns in the sort's rows cost ~40% of the sort (10M rows: 55 s, 39 s
    without them), and sorting by the key is sorting by ``_id`` (its text) when every revision is 1."""
    from .generations import sort_order

    order = sort_order(spec)
    assert order[-2:] == [qident(ID), qident(REV)]
    by_key = order[:-2] + [f"CAST({qident(spec.key)} AS VARCHAR)"]
    meta = (
        f"CAST({qident(spec.key)} AS VARCHAR) AS {qident(ID)}, CAST(1 AS INTEGER) AS {qident(REV)}, "
        f"'put' AS {qident(OP)}, CAST($when AS TIMESTAMPTZ) AS {qident(AT)}, CAST($by AS VARCHAR) AS {qident(BY)}"
    )
    write_partitioned(
        cur,
        spec,
        f"SELECT * FROM {qident(name)}",
        out,
        "current",
        pattern,
        order=", ".join(by_key),
        outer=f"{meta}, *",
        params={"when": when, "by": by},
    )


def _sorted_copy(cur, spec: TableSpec, sql: str, target: Path) -> None:
    from .generations import ROW_GROUP_SIZE, sort_order

    cur.execute(
        f"COPY (SELECT * FROM ({sql}) ORDER BY {', '.join(sort_order(spec))}) "
        f"TO {qstr(str(target))} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_SIZE})"
    )


def _link(src: Path, dest: Path) -> None:
    """Share an immutable file; copy it where links are not allowed (another file system, or
    ``fs.protected_hardlinks`` for a file someone else owns)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)
