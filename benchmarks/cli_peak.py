"""``fazhi-tui ARGS`` with this process's peak RSS written to file descriptor FD on exit:

    python -m benchmarks.cli_peak FD ARGS…

The program's own entry point (``fazhi_tui.cli.main``), unchanged; the wrapper only reads
VmHWM at exit (see ``benchmarks.common.peak_rss_mb`` for why not ``getrusage``), and runs it as
``pip install .`` would, as the cold start does: pandas, a test extra, is hidden (where it is
installed pyarrow imports it on the first ``pa.array``: ~50 MB of every CLI process's peak, and
~0.15 s, that a user never has)."""

from __future__ import annotations

import json
import os
import sys


def main() -> int:
    fd = int(sys.argv[1])
    from .coldstart import _NoPandas

    sys.meta_path.insert(0, _NoPandas())
    from fazhi_tui.cli import main as cli_main

    try:
        return cli_main(sys.argv[2:])
    finally:
        peak = None
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) / 1024
        # The processes it started and waited for (a fold after an import): their largest peak,
        # from wait4's ru_maxrss, an upper bound (it may carry this process's size at the fork).
        import resource

        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 or None
        os.write(fd, (json.dumps({"rss_mb": peak, "children_rss_mb": children}) + "\n").encode())


if __name__ == "__main__":
    sys.exit(main())
