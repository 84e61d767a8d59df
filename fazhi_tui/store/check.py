"""``fazhi-tui check``: what is wrong in a store, and moving bad files aside.

Problems are errors (the data is not what it should be) or warnings (worth a look; nothing is
lost). Checking only reads; quarantine moves files and says where they went.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import layout
from .errors import TableDamagedError
from .manifest import checksum_problems, read_manifest, unreadable_generations
from .scan import damaged_pages, scan_table
from .spec import ID, REV
from .views import qident

STALE_STAGING_SECONDS = 3600


@dataclass
class Problem:
    severity: str  # "error" or "warning"
    table: str | None
    message: str
    path: Path | None = None
    movable: bool = False  # quarantine may move this file aside
    repairable: bool = False  # check --repair falls back to the generation before this one

    def describe(self) -> str:
        tag = "错误" if self.severity == "error" else "注意"
        where = f"[{self.table}] " if self.table else ""
        loc = f"（{self.path}）" if self.path else ""
        return f"{tag}：{where}{self.message}{loc}"


@dataclass
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    moved: list[tuple[Path, Path]] = field(default_factory=list)
    quarantine_dir: Path | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


def check_store(store) -> CheckReport:
    report = CheckReport()
    root: Path = store.root
    add = report.problems.append
    for name, spec in store.specs.items():
        tf = scan_table(root, spec)
        for bad in tf.bad:
            add(Problem("error", name, f"文件无法使用：{bad.reason}", bad.path, movable=True))
        for path in tf.foreign:
            add(Problem("error", name, "不属于本程序的文件或目录", path, movable=True))
        _check_generation(name, spec, tf, root, add)
    store.refresh(force=True)
    for name, spec in store.specs.items():
        t = qident(name)
        try:
            dup_rev = store.query(
                f"SELECT {qident(ID)}, {qident(REV)}, count(*) AS n FROM {qident(name + '_history')} "
                f"GROUP BY ALL HAVING count(*) > 1 ORDER BY 1 LIMIT 20"
            ).to_pylist()
            for row in dup_rev:
                add(
                    Problem("error", name, f"记录 {row[ID]} 的第 {row[REV]} 版出现 {row['n']} 次（文件可能被重复复制）")
                )
            key = qident(spec.key)
            mismatch = store.query(
                f"SELECT {qident(ID)}, CAST({key} AS VARCHAR) AS k FROM {t} "
                f"WHERE {qident(ID)} IS DISTINCT FROM CAST({key} AS VARCHAR) LIMIT 20"
            ).to_pylist()
            for row in mismatch:
                add(Problem("error", name, f"记录号 {row[ID]} 与编号“{row['k']}”不一致"))
            dup_key = store.query(
                f"SELECT CAST({key} AS VARCHAR) AS k, count(*) AS n FROM {t} GROUP BY 1 HAVING count(*) > 1 LIMIT 20"
            ).to_pylist()
            for row in dup_key:
                add(Problem("error", name, f"{spec.label_of(spec.key)}“{row['k']}”重复 {row['n']} 次"))
            for col in spec.columns:
                if col.ref is None or col.ref not in store.specs:
                    continue
                ref_spec = store.spec(col.ref)
                value = f"unnest({qident(col.name)})" if "list" in str(col.type) else qident(col.name)
                dangling = (
                    store.query(
                        f"SELECT DISTINCT v FROM (SELECT {value} AS v FROM {t}) "
                        f"WHERE v IS NOT NULL AND v NOT IN (SELECT CAST({qident(ref_spec.key)} AS VARCHAR) FROM {qident(col.ref)}) "
                        f"ORDER BY 1 LIMIT 20"
                    )
                    .column(0)
                    .to_pylist()
                )
                for v in dangling:
                    add(Problem("error", name, f"“{col.label}”引用的 {ref_spec.label}“{v}”不存在"))
        except TableDamagedError:
            continue  # named above, file by file
        except Exception as exc:  # a table that cannot be read at all is itself a finding
            add(Problem("error", name, f"无法读取：{exc}"))
    known = set(store.specs) | layout.RESERVED
    for entry in sorted(root.iterdir()):
        if entry.name in known or entry.name in (layout.MARKER, "access.toml") or entry.name.startswith("."):
            continue
        if entry.is_dir() and (entry / layout.LOG_DIR).is_dir():
            add(
                Problem(
                    "warning", None, f"目录 {entry.name} 像是一个表，但没有已加载的插件声明它（插件未加载？）", entry
                )
            )
        else:
            add(Problem("warning", None, f"数据目录中有不认识的文件 {entry.name}", entry))
    _check_modes(store, add)
    staging = root / layout.STAGING_DIR
    if staging.is_dir():
        now = time.time()
        for entry in staging.iterdir():
            try:
                age = now - entry.stat().st_mtime
            except FileNotFoundError:
                continue
            if age > STALE_STAGING_SECONDS:
                add(
                    Problem(
                        "warning",
                        None,
                        "中断的写入留下的临时文件（未进入任何表，可用 --quarantine 清走）",
                        entry,
                        movable=True,
                    )
                )
    return report


def _check_generation(name: str, spec, tf, root: Path, add) -> None:
    """The newest generation against its manifest (every byte), manifests that cannot be read, and
    every file read whole on its own (a file with an intact footer can still have damaged pages)."""
    for path in unreadable_generations(root, name):
        fallback = f"读取时已退回第 {tf.gen} 代" if tf.gen else "读取时已不用它"
        add(
            Problem(
                "error",
                name,
                f"第 {int(path.name)} 代的清单 manifest.json 损坏或缺失（{fallback}；管理员可用 check --repair 移走它）",
                path,
                repairable=True,
            )
        )
    if tf.gen_path is not None:
        gen_problems = list(tf.damage)
        manifest = read_manifest(tf.gen_path) or {}
        changed = checksum_problems(tf.gen_path, manifest)
        gen_problems += [m for m, _p in changed if m not in gen_problems]
        for message in gen_problems:
            add(
                Problem(
                    "error",
                    name,
                    f"第 {tf.gen} 代与其清单不符：{message}（此表暂不读取；管理员可用 check --repair 退回上一代）",
                    tf.gen_path,
                    repairable=True,
                )
            )
    for path in tf.current_files + tf.tombstone_files + tf.history_files + tf.delta_files:
        problem = damaged_pages(path)
        if problem is not None:
            add(Problem("error", name, f"文件无法读取：{problem}", path, movable=True))


def repair(store, report: CheckReport) -> CheckReport:
    """Fall back to the last good generation: move each damaged or unreadable newest generation
    into ``quarantine/`` (nothing is deleted). The generation before it is whole together with the
    log files it has not folded (those are removed only one generation later), so readers see
    every record again."""
    store.access.require_admin("修复数据")
    root: Path = store.root
    dest_root = root / layout.QUARANTINE_DIR / datetime.now().strftime("%Y%m%d-%H%M%S")
    report.quarantine_dir = dest_root
    for table in sorted({p.table for p in report.problems if p.repairable and p.table}):
        with store.table_lock(table):
            for _ in range(8):  # newest first, while the newest one is damaged
                spec = store.spec(table)
                tf = scan_table(root, spec)
                targets = unreadable_generations(root, table)
                if not targets and tf.gen_path is not None:
                    manifest = read_manifest(tf.gen_path) or {}
                    if tf.damage or checksum_problems(tf.gen_path, manifest):
                        targets = [tf.gen_path]
                if not targets:
                    break
                for path in targets:
                    dest = dest_root / path.relative_to(root)
                    layout.make_dir(dest.parent, root)
                    os.rename(path, dest)
                    report.moved.append((path, dest))
    store.refresh(force=True)
    return report


def _check_modes(store, add) -> None:
    """Files others can write are always worth a warning; with a group configured, files must
    belong to it, be readable and writable by it, and closed to everyone else."""
    import grp
    import stat

    policy = store.access.policy
    gid = None
    if policy.group:
        try:
            gid = grp.getgrnam(policy.group).gr_gid
        except KeyError:
            add(Problem("warning", None, f"access.toml 中的组 {policy.group} 在本机不存在"))
    findings: dict[str, list[Path]] = {}
    owner = store.root.stat().st_uid
    for dirpath, dirnames, filenames in os.walk(store.root):
        dirnames[:] = [d for d in dirnames if d != layout.QUARANTINE_DIR]
        for p in [Path(dirpath)] + [Path(dirpath) / f for f in filenames]:
            try:
                st = p.lstat()
            except FileNotFoundError:
                continue
            mode = st.st_mode
            if p.parent == store.root and p.name in ("access.toml", layout.MARKER):
                # The roles file and the marker are the owner's alone: whoever can write the
                # first makes themselves admin; the second can lock everyone out, or say "demo".
                if mode & (stat.S_IWGRP | stat.S_IWOTH):
                    findings.setdefault(f"{p.name} 可被他人修改（应为 chmod 640）", []).append(p)
                if st.st_uid != owner:
                    findings.setdefault(f"{p.name} 不属于数据目录的所有者（应由所有者重建）", []).append(p)
                continue
            if mode & stat.S_IWOTH:
                findings.setdefault("其他用户可写", []).append(p)
            if gid is not None:
                if stat.S_ISDIR(mode) and mode & stat.S_IWGRP and not mode & stat.S_ISVTX:
                    # Without the sticky bit a member may replace what others made (a lock file with a symlink).
                    findings.setdefault("同组可写的目录缺少粘滞位（chmod +t）", []).append(p)
                if st.st_gid != gid:
                    findings.setdefault(f"不属于组 {policy.group}", []).append(p)
                # Folders and lock files are shared for writing; data files only for reading.
                shared = stat.S_ISDIR(mode) or p.suffix == ".lock"
                if not (mode & stat.S_IRGRP and (mode & stat.S_IWGRP or not shared)):
                    findings.setdefault("同组用户不能读写", []).append(p)
                if mode & (stat.S_IROTH | stat.S_IXOTH):
                    findings.setdefault("其他用户可读", []).append(p)
    for what, paths in findings.items():
        listed = "、".join(str(p.relative_to(store.root)) or "." for p in paths[:5])
        more = f" 等 {len(paths)} 个" if len(paths) > 5 else ""
        add(
            Problem(
                "warning",
                None,
                f"文件权限：{what}：{listed}{more}（修正：chgrp -R {policy.group or '组名'} 数据目录 && chmod -R g+rX,o-rwx 数据目录，目录再 chmod g+w,+t）",
            )
        )


def quarantine(store, report: CheckReport) -> CheckReport:
    """Move every movable problem file into ``quarantine/<time>/`` keeping its relative path."""
    store.access.require_admin("隔离文件")
    root: Path = store.root
    dest_root = root / layout.QUARANTINE_DIR / datetime.now().strftime("%Y%m%d-%H%M%S")
    report.quarantine_dir = dest_root
    for p in report.problems:
        if not p.movable or p.path is None or not p.path.exists():
            continue
        rel = p.path.relative_to(root)
        dest = dest_root / rel
        layout.make_dir(dest.parent, root)
        if p.table:
            with store.table_lock(p.table):
                os.rename(p.path, dest)
        else:
            shutil.move(str(p.path), dest)
        report.moved.append((p.path, dest))
    store.refresh(force=True)
    return report
