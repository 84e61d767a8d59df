"""Whether a file or folder may be trusted to run code or steer the program as this user.

A config file names plugin folders and a plugin folder's files run as whoever starts the
program. So neither is used when someone else could have put it there: it must belong to this
user (or root), nobody else may write it, and its folder must not let others replace it (a
folder others may write is fine only with the sticky bit, which stops them renaming or removing
what is not theirs). A plugin folder inside a store is refused outright: store folders are
writable by the store's whole group.
"""

from __future__ import annotations

import functools
import grp
import os
import pwd
import stat
from pathlib import Path

STORE_MARKER = "fazhi-store.json"  # store.layout.MARKER (not imported: the config loads before the store)


def untrusted(path: Path, what: str) -> str | None:
    """Why ``path`` must not be used (a Chinese sentence naming it), or None if it may."""
    uid = os.getuid()
    try:
        st = path.stat()
    except OSError as exc:
        return f"{what} {path} 无法读取（{exc.strerror}），未使用"
    if st.st_uid not in (uid, 0):
        return f"{what} {path} 属于其他用户（uid {st.st_uid}），未使用：只使用本人或 root 的{what}"
    if st.st_mode & stat.S_IWOTH or (st.st_mode & stat.S_IWGRP and not _private_group(st.st_gid, st.st_uid)):
        return f"{what} {path} 允许他人修改（权限 {stat.S_IMODE(st.st_mode):o}），未使用：请执行 chmod go-w {path}"
    parent = path.resolve().parent
    try:
        pst = parent.stat()
    except OSError:
        return None
    others_write = pst.st_mode & stat.S_IWOTH or (pst.st_mode & stat.S_IWGRP and not _private_group(pst.st_gid, uid))
    if others_write and not pst.st_mode & stat.S_ISVTX:
        return f"{what} {path} 所在目录 {parent} 允许他人写入，他人可替换此文件，未使用"
    return None


@functools.lru_cache(maxsize=64)
def _private_group(gid: int, uid: int) -> bool:
    """Whether nobody but ``uid`` is in group ``gid`` (a user's private group: with umask 002,
    as Debian sets it, files are group-writable and that is harmless)."""
    try:
        me = pwd.getpwuid(uid).pw_name
        members = set(grp.getgrgid(gid).gr_mem)
    except KeyError:
        return False
    if members - {me}:
        return False
    return not any(u.pw_gid == gid and u.pw_uid != uid for u in pwd.getpwall())


def inside_store(path: Path) -> Path | None:
    """The store folder ``path`` lies in (a folder with the store's marker above it), or None."""
    p = path.resolve()
    for folder in (p, *p.parents):
        if (folder / STORE_MARKER).is_file():
            return folder
    return None


def untrusted_plugin_folder(folder: Path) -> str | None:
    store = inside_store(folder)
    if store is not None:
        return f"插件目录 {folder} 位于数据目录 {store} 之内，未加载：数据目录的用户组成员都可写入其中"
    problem = untrusted(folder, "插件目录")
    if problem:
        return problem
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")) or not (entry.suffix == ".py" or entry.is_dir()):
            continue
        problem = untrusted(entry, "插件")
        if problem is None and entry.is_dir():
            for sub in sorted(entry.rglob("*")):
                problem = untrusted(sub, "插件文件")
                if problem:
                    break
        if problem:
            return problem
    return None


def output_inside_store(out: Path) -> str | None:
    """Why a file the program is asked to write (an export, a report) may not go there: inside a
    store it would be read as the store's data (a viewer's masked export written into a table's
    log became its newest version)."""
    store = inside_store(Path(out).parent)
    if store is not None:
        return f"不能写入 {out}：该位置在数据目录 {store} 之内，请另选目录"
    return None
