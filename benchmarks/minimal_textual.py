"""The floor of a cold start: the smallest Textual app, headless like ``benchmarks.coldstart``, until
its first frame is on screen (issue 22: every panel's cold start within 0.5 s of this, measured in
the same run).

    python -m benchmarks.minimal_textual FD

Writes one JSON line to file descriptor FD (time since the kernel started the process, peak RSS)
after the first refresh following mount, then exits. The parent times it as it times the program.
"""

from __future__ import annotations

import json
import os
import sys

from .coldstart import peak_rss_mb, since_process_start


def main() -> int:
    fd = int(sys.argv[1])
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Static

    class Minimal(App):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Static("赵庄镇")
            yield Footer()

        def on_mount(self) -> None:
            self.call_after_refresh(self._first_frame)

        def _first_frame(self) -> None:
            line = {"since_start_s": since_process_start(), "rss_mb": peak_rss_mb(), "ok": True}
            os.write(fd, (json.dumps(line) + "\n").encode())
            self.exit()

    Minimal().run(headless=True, size=(120, 40))
    return 0


if __name__ == "__main__":
    sys.exit(main())
