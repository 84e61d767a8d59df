"""Bounds on every query: memory, time, and rows shown.

A viewer's ``SELECT … FROM hotline a, hotline b, hotline c`` once grew to ~24 GB until the
machine's OOM killer ended it. Every DuckDB of the program (the dashboard's, the CLI's, the
sealed one a viewer's SQL runs in) has a memory limit with a spill folder in the user's cache,
and every query an interrupt after a number of seconds; ``fazhi-tui sql`` shows a bounded number
of rows. Each refusal says what happened in Chinese and how to change the limit (``[limits]`` in
the config).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs


def _default_memory() -> str:
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 8 << 30
    # Half the machine, at most 4 GB: a server shared by several staff over SSH.
    return f"{min(total // 2, 4 << 30) >> 20}MB"


@dataclass(frozen=True)
class QueryLimits:
    memory: str = ""  # DuckDB memory_limit, e.g. "2GB"; "" = half the machine, at most 4 GB
    seconds: float = 120.0  # a query still running after this is interrupted; 0 = never
    sql_rows: int = 10_000  # rows ``fazhi-tui sql`` prints (csv/json write them all to a file)
    spill: str = ""  # a folder for DuckDB's spill files; "" = the user's cache folder
    spill_size: str = "20GB"
    # DuckDB memory_limit of the processes that import and fold (``fazhi-tui import``, ``compact``):
    # their sorts of millions of rows spill to ``spill`` beyond it instead of growing the process
    # (a 10M-row import's fold took 4.6 GB at the default); the query limit stays for the others.
    write_memory: str = "300MB"

    @property
    def memory_limit(self) -> str:
        return self.memory or _default_memory()

    def spill_dir(self) -> Path:
        base = Path(self.spill) if self.spill else Path(platformdirs.user_cache_dir("fazhi-tui")) / "spill"
        # One folder per process: DuckDB names its files itself, and two processes must not meet.
        path = base / f"p{os.getpid()}"
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return path


DEFAULT_LIMITS = QueryLimits()


def use_returning_allocator() -> None:
    """Arrow's allocations from now on by jemalloc, which hands freed pages back to the system
    after a short delay, instead of the default mimalloc, which keeps them: for the processes
    that import and fold. A big import reads its rows back a batch at a time while DuckDB sorts
    them; with mimalloc the freed batches stayed in the process (10M rows: 615 MB at the peak
    against 563 MB, as fast). A pyarrow built without jemalloc keeps its default."""
    import pyarrow as pa

    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except (NotImplementedError, AttributeError):
        pass
