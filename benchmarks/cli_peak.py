"""``fazhi-tui ARGS`` with this process's peak RSS written to file descriptor FD on exit:

    python -m benchmarks.cli_peak FD ARGS…

The program's own entry point (``fazhi_tui.cli.main``), unchanged; the wrapper only reads
VmHWM at exit (see ``benchmarks.common.peak_rss_mb`` for why not ``getrusage``)."""

from __future__ import annotations

import json
import os
import sys


def main() -> int:
    fd = int(sys.argv[1])
    from fazhi_tui.cli import main as cli_main

    try:
        return cli_main(sys.argv[2:])
    finally:
        peak = None
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) / 1024
        os.write(fd, (json.dumps({"rss_mb": peak}) + "\n").encode())


if __name__ == "__main__":
    sys.exit(main())
