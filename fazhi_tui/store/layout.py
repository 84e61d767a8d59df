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

import os
import re
import socket
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
