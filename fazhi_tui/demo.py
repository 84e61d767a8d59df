"""The demo store: 赵庄镇 from 2022-01-01 to today, built through the program's own write path.

Each plugin contributes rows for its tables through ``fazhi_demo_rows``; the host's grids and
people come first so the others can refer to them. The store is built in a staging folder and
renamed into place, so a failed build leaves the old store (or nothing) behind.
"""

from __future__ import annotations

import datetime as dt
import shutil
import stat
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .plugins import PluginHost
from .store import Store, StoreError, TableSpec, read_marker, write_marker
from .store.compact import compact
from .store.layout import MARKER, dir_mode

DEMO_SEED = 2023
DEMO_USER = "演示数据"
DEMO_START = dt.date(2022, 1, 1)


@dataclass
class DemoResult:
    path: Path
    today: dt.date
    rows: dict[str, int] = field(default_factory=dict)
    replaced: bool = False
    # Plugins that failed to load (their tables and demo rows are not in the demo), with their errors.
    skipped: dict[str, list[str]] = field(default_factory=dict)


def _not_only_demo(path: Path) -> str | None:
    """Why the folder is not (only) a demo this user may delete, or None."""
    import os
    import stat

    import pyarrow.parquet as pq

    from .store.spec import BY

    st = (path / MARKER).lstat()
    if stat.S_ISLNK(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"标记文件 {path / MARKER} 不是本人所有、仅本人可写的文件，其“演示数据”标记不可信"
    if path.stat().st_uid != os.getuid():
        return "数据目录不属于本人"
    for file in sorted(path.rglob("*.parquet")):
        try:
            authors = pq.read_table(file, columns=[BY]).column(BY).unique().to_pylist()
        except Exception as exc:  # noqa: BLE001 - an unreadable file is not known to be the demo's
            return f"{file} 无法读取（{type(exc).__name__}），不能确认只有演示数据"
        others = [a for a in authors if a != DEMO_USER]
        if others:
            return f"其中有 {others[0]} 写入的记录（{file.relative_to(path)}），不只是演示数据"
    return None


def build_demo(
    path: Path,
    host: PluginHost,
    specs: list[TableSpec],
    today: dt.date,
    *,
    force: bool = False,
    seed: int = DEMO_SEED,
    table_settings: dict | None = None,
) -> DemoResult:
    """``table_settings``: each table's owning plugin's settings (``runtime.table_settings``),
    which computed defaults read."""
    path = Path(path).resolve()
    replaced = False
    if path.exists():
        if (path / MARKER).is_file():
            info = read_marker(path)
            if not info.get("demo"):
                raise StoreError(f"{path} 是正式数据目录（非演示数据），不会被覆盖")
            if not force:
                raise StoreError(f"{path} 已有演示数据（基准日 {info.get('today')}）；如需重建请加 --force")
            # The marker's word is not enough to delete a folder: it must be this user's own,
            # unwritable by others, and every version in the store the demo's.
            problem = _not_only_demo(path)
            if problem:
                raise StoreError(f"{path} 不会被删除重建：{problem}")
            replaced = True
        elif path.is_dir() and any(path.iterdir()):
            raise StoreError(f"{path} 不是空目录，也不是 fazhi-tui 数据目录；为免混入他人文件，未在此创建演示数据")
        elif not path.is_dir():
            raise StoreError(f"{path} 已存在且不是目录")
    if today < DEMO_START:
        raise StoreError(f"演示数据从 {DEMO_START} 开始，基准日 {today} 太早")
    path.parent.mkdir(parents=True, exist_ok=True)
    stage = path.parent / f".{path.name}.building-{uuid.uuid4().hex[:8]}"
    result = DemoResult(path, today, replaced=replaced, skipped=host.failed_to_load())
    try:
        stage.mkdir()
        if stage.stat().st_mode & stat.S_IWGRP:
            # As Store.open makes a new store's folder: sticky, so members of the group cannot
            # rename a table's folder away or replace the marker (mkdir gives 0777 & ~umask).
            stage.chmod(dir_mode(stage))
        write_marker(stage, demo=True, today=today.isoformat(), seed=seed)
        with Store.open(stage, specs, user=DEMO_USER, table_settings=table_settings) as store:
            # Versions are stamped with the demo's today, so a rebuild for the same day is the same data.
            stamp = datetime.combine(today, dt.time(8, 0), tzinfo=dt.UTC)
            for contrib in host.iter_collect("fazhi_demo_rows", store=store, today=today, seed=seed):
                for table, rows in contrib.value.items():
                    if table not in store.specs:
                        raise StoreError(f"插件 {contrib.plugin} 的演示数据指向不存在的表 {table}")
                    store.append(table, rows, at=stamp, by=DEMO_USER)
                    result.rows[table] = result.rows.get(table, 0) + len(rows)
            errors = [e for info in host.infos.values() for e in info.errors if "fazhi_demo_rows" in e]
            if errors:
                raise StoreError("演示数据生成失败：\n" + "\n".join(errors))
            compact(store)
        if replaced:
            trash = path.parent / f".{path.name}.old-{uuid.uuid4().hex[:8]}"
            path.rename(trash)
            stage.rename(path)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            if path.exists():
                path.rmdir()  # empty folder made by the user: replace it
            stage.rename(path)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)
    return result
