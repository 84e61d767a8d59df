"""The floor of the big import rows (issue 22): DuckDB alone reading the file, sorting by
township and grid and writing month partitions under ``SET memory_limit='400MB'``:

    python -m benchmarks.import_floor FILE OUT_DIR

What any import of the file must do at least (read it, sort it the way the store's month files
are sorted, write them), with none of the program's checks. Prints one JSON line: seconds of
the COPY and the process's peak RSS (VmHWM, as ``benchmarks.common.peak_rss_mb``)."""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import duckdb

MEMORY_LIMIT = "400MB"


def main() -> int:
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    shutil.rmtree(out, ignore_errors=True)
    from fazhi_hotline.tables import HOTLINE_SPEC

    town, grid, period = (HOTLINE_SPEC.label_of(c) for c in ("town", "grid", "received_at"))
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute("SET temp_directory = ?", [str(out) + ".tmp"])
    read = f"read_parquet('{src}')" if src.suffix == ".parquet" else f"read_csv('{src}', header = true)"
    t0 = time.perf_counter()
    con.execute(
        f'COPY (SELECT *, year("{period}") AS year, month("{period}") AS month FROM {read} '
        f'ORDER BY "{town}", "{grid}", "{period}") TO \'{out}\' '
        "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 32768, PARTITION_BY (year, month))"
    )
    seconds = time.perf_counter() - t0
    con.close()
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(str(out) + ".tmp", ignore_errors=True)
    from .common import peak_rss_mb

    print(json.dumps({"floor_s": seconds, "rss_mb": peak_rss_mb()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
