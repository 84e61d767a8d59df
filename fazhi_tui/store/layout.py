"""Where things live in a store folder, and how its files are named.

<store>/
  fazhi-store.json          marks the folder as a store (format, whether it is the demo)
  <table>/log/v-*.parquet   every write: one immutable file of versions per batch
  <table>/_gen/<N>/         a compaction generation (published by renaming a whole folder):
      manifest.json         which log files it folded
      current/year=YYYY/    the latest version of every record (Hive partitions)
      history/year=YYYY/    every version folded so far
  .staging/                 files being written; renamed into place when complete
  .locks/<table>.lock       serialises the revision check of concurrent writers
  quarantine/               bad files moved aside by ``check --quarantine``
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import socket
import stat
import time
import uuid
from pathlib import Path

MARKER = "fazhi-store.json"
STORE_FORMAT = 1
LOG_DIR = "log"
GEN_DIR = "_gen"
STAGING_DIR = ".staging"
LOCKS_DIR = ".locks"
QUARANTINE_DIR = "quarantine"
MANIFEST = "manifest.json"

LOG_FILE_RE = re.compile(r"^v-\d{20}-[A-Za-z0-9_.-]+-\d+-[0-9a-f]{8}\.parquet$")
GEN_NAME_RE = re.compile(r"^\d{8}$")
RESERVED = {STAGING_DIR, LOCKS_DIR, QUARANTINE_DIR}


def new_log_name() -> str:
    """A unique, time-ordered name for a batch file (sorting names sorts by write time)."""
    host = re.sub(r"[^A-Za-z0-9_.-]", "_", socket.gethostname())[:32] or "host"
    return f"v-{time.time_ns():020d}-{host}-{os.getpid()}-{uuid.uuid4().hex[:8]}.parquet"


def gen_name(n: int) -> str:
    return f"{n:08d}"


def table_dir(root: Path, table: str) -> Path:
    return root / table


def log_dir(root: Path, table: str) -> Path:
    return root / table / LOG_DIR


def gens_dir(root: Path, table: str) -> Path:
    return root / table / GEN_DIR


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (POSIX needs the directory itself flushed)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- modes: every folder and file the program makes gets the store's group modes ----------------
# A store shared by a group (``init --group``: root 3770) gives its folders the group's access,
# setgid (the group is inherited) and the sticky bit (a member cannot remove or replace what
# another made: a lock file swapped for a symlink, a marker rewritten); data files are written
# once and never changed, so only their owner may write them. DuckDB's partitioned writes make
# folders 0777 & ~umask whatever we ask, so the modes are set after the fact.
def group_bits(root: Path) -> int:
    try:
        return root.stat().st_mode & 0o070
    except OSError:
        return 0


def dir_mode(root: Path) -> int:
    g = group_bits(root)
    return 0o700 | g | stat.S_ISVTX | (stat.S_ISGID if g else 0)


def file_mode(root: Path) -> int:
    return 0o600 | (group_bits(root) & 0o040)


def lock_mode(root: Path) -> int:
    return 0o600 | (group_bits(root) & 0o060)  # every writer opens a lock file to write


def _chmod_own(path: Path, mode: int) -> None:
    with contextlib.suppress(OSError):  # not ours (another member made it): theirs to set
        st = path.lstat()
        if st.st_uid == os.getuid() and not stat.S_ISLNK(st.st_mode) and stat.S_IMODE(st.st_mode) != mode:
            os.chmod(path, mode)


def make_dir(path: Path, root: Path) -> Path:
    """``mkdir -p`` inside the store, each folder made with the store's folder mode."""
    missing = []
    p = path
    while not p.exists() and p != root and p != p.parent:
        missing.append(p)
        p = p.parent
    path.mkdir(parents=True, exist_ok=True)
    mode = dir_mode(root)
    for d in [path] if not missing else reversed(missing):
        _chmod_own(d, mode)
    return path


def share_tree(top: Path, root: Path) -> None:
    """Give a folder the program wrote (a generation) and everything in it the store's modes."""
    dmode, fmode = dir_mode(root), file_mode(root)
    _chmod_own(top, dmode)
    for dirpath, dirnames, filenames in os.walk(top):
        for d in dirnames:
            _chmod_own(Path(dirpath) / d, dmode)
        for f in filenames:
            _chmod_own(Path(dirpath) / f, fmode)


class LockFileError(OSError):
    """A lock file that is not what the program makes (a symlink, a hard link, a stranger's)."""


@contextlib.contextmanager
def open_lock(path: Path, root: Path):
    """Open (or create) a lock file without following a symlink, and check it is one: a member
    who swapped it for a link to another file would have the next writer (root, perhaps) write
    there."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, lock_mode(root))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LockFileError(exc.errno, f"锁文件 {path} 是符号链接，拒绝使用（请管理员删除它）") from None
        raise
    try:
        st = os.fstat(fd)
        try:
            root_st = root.stat()
        except OSError:
            root_st = None
        ours = st.st_uid == os.getuid() or (root_st is not None and st.st_uid == root_st.st_uid)
        in_group = root_st is not None and st.st_gid == root_st.st_gid
        if not stat.S_ISREG(st.st_mode) or not (ours or in_group):
            raise LockFileError(errno.EPERM, f"锁文件 {path} 不是本程序建立的普通文件，拒绝使用（请管理员删除它）")
        if st.st_uid == os.getuid():
            with contextlib.suppress(OSError):
                os.fchmod(fd, lock_mode(root))
        fh = os.fdopen(fd, "r+b")
    except BaseException:
        os.close(fd)
        raise
    with fh:
        yield fh
