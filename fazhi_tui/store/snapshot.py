"""A snapshot for an engine that is not ours (Spark, Trino, DuckDB elsewhere): each table's live
records as plain Hive-partitioned Parquet, with one manifest, in a folder outside the store.

A table's current generation (``<table>/_gen/N/current/year=…/month=…/*.parquet``) already is
such a dataset, but only once its log is folded: versions written since the last fold live in
``log/`` and an outside engine would miss them (or count a record twice if it read both). And a
generation's files are removed one compaction after it is superseded, which could pull them from
under a long job. So ``snapshot`` folds each table's log first, then, under the table's compaction
lock (no fold or compaction publishes meanwhile), hard-links the generation's ``current`` files
into the destination (copied when it is on another file system) and checks each against the
generation's manifest (size, and SHA-256 when copied). The destination's ``fazhi-snapshot.json``
lists every table's files with their rows, bytes and checksums, its generation and its columns.

Each table is consistent as of its own fold; writes after it are not in the snapshot. No Textual.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .errors import StoreError
from .generations import compaction_lock, wait_for_compaction
from .manifest import listing_problems
from .scan import latest_gen, scan_table

MANIFEST_NAME = "fazhi-snapshot.json"
LOCK_WAIT_SECONDS = 60.0


@dataclass
class TableSnapshot:
    table: str
    gen: int | None
    records: int
    files: dict[str, dict] = field(default_factory=dict)  # path in the snapshot -> rows, bytes, sha256
    folded: bool = False  # whether its log had to be folded first
    linked: bool = True  # hard links (False: copied to another file system)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _place(src: Path, dst: Path, expect: dict) -> bool:
    """Hard-link ``src`` at ``dst`` (True) or copy it (False), checked against the manifest."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
        linked = True
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK):
            raise
        shutil.copyfile(src, dst)
        linked = False
    size = dst.stat().st_size
    if size != expect.get("bytes", size) or (not linked and expect.get("sha256") not in (None, _sha256(dst))):
        raise StoreError(f"{src} 与数据目录的清单不符（大小或校验和），快照未完成；请运行 fazhi-tui check")
    return linked


def _partition_keys(files: dict[str, dict]) -> list[str]:
    """The Hive partition keys of the files' paths (``year``, ``month``: derived from the table's
    period column, and not columns of the files themselves)."""
    first = next(iter(files), "")
    return [part.split("=", 1)[0] for part in first.split("/")[1:-1] if "=" in part]


def _columns(store, table: str) -> list[dict]:
    spec = store.spec(table)
    types = store.duck_types(table)
    return [{"name": c.name, "label": c.label, "type": types.get(c.name, str(c.type))} for c in spec.columns]


def snapshot_table(store, table: str, dest: Path) -> TableSnapshot:
    spec = store.spec(table)
    root: Path = store.root
    folded = False
    if scan_table(root, spec).delta_files:
        store.fold(table)
        folded = True
    if not wait_for_compaction(root, table, LOCK_WAIT_SECONDS):
        raise StoreError(f"表 {spec.label} 正在整理，{LOCK_WAIT_SECONDS:.0f} 秒内未完成；请稍后再生成快照")
    with compaction_lock(root, table) as got:
        if not got:
            raise StoreError(f"表 {spec.label} 正在整理；请稍后再生成快照")
        gen = latest_gen(root, table)
        out = TableSnapshot(table, None, 0, folded=folded)
        if gen is None:
            return out  # never folded: the table has no records, or only a log (folded above)
        number, path, manifest = gen
        problems = listing_problems(path, manifest)
        if problems:
            raise StoreError(f"表 {spec.label} 的文件与清单不符（{problems[0]}），快照未生成；请运行 fazhi-tui check")
        out.gen = number
        for rel, info in sorted(manifest.get("files", {}).items()):
            if not rel.startswith("current/"):
                continue
            target = Path(table) / rel.removeprefix("current/")
            out.linked = _place(path / rel, dest / target, info) and out.linked
            out.files[target.as_posix()] = {k: info[k] for k in ("rows", "bytes", "sha256") if k in info}
            out.records += int(info.get("rows", 0))
    return out


def make_snapshot(store, dest: Path, tables: list[str] | None = None) -> list[TableSnapshot]:
    """Write the snapshot of ``tables`` (default: every table) into ``dest``, a new or empty folder
    outside the store; refused for roles that do not see personal data (the files hold it)."""
    if not store.access.sees_pii:
        raise StoreError("快照中的文件含未遮蔽的个人信息（姓名、电话等），当前角色无权查看，不能生成快照")
    dest = Path(dest).resolve()
    root = Path(store.root).resolve()
    if dest == root or root in dest.parents or dest in root.parents:
        raise StoreError(f"快照目录 {dest} 不能在数据目录 {root} 之内或之上，请另选目录")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise StoreError(f"快照目录 {dest} 已存在且不是空目录；请给一个新目录")
    names = list(tables) if tables else list(store.specs)
    for name in names:
        store.spec(name)  # an unknown table is refused before anything is written
    stage = dest.parent / f".{dest.name}.partial-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True, mode=0o700)
    try:
        results = [snapshot_table(store, name, stage) for name in names]
        manifest = {
            "format": 1,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "by": store.user,
            "store": str(root),
            "partitioning": "hive",
            "tables": {
                r.table: {
                    "label": store.spec(r.table).label,
                    "generation": r.gen,
                    "records": r.records,
                    "partitioned_by": _partition_keys(r.files),
                    "columns": _columns(store, r.table),
                    "files": r.files,
                }
                for r in results
            },
        }
        (stage / MANIFEST_NAME).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
        if dest.exists():
            dest.rmdir()
        stage.rename(dest)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return results
