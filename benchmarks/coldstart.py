"""Cold start: ``fazhi-tui --store DIR`` in a fresh process, until the first panel shows its data.

    python -m benchmarks.coldstart FD PANEL [fazhi-tui arguments…]

Runs the program's own command line (``fazhi_tui.cli.main``: config, plugins, store, the Textual
app) in an environment like ``pip install .`` gives (pandas, a test extra, is hidden: see
``_NoPandas``), with changes made from outside, none of which touches what is measured: the app runs
headless (no terminal); with PANEL (a panel name, ``-`` for none) that panel is shown as soon as
the app has mounted, as if its key were the user's first keystroke; and when the panel on screen
(PANEL, else the first panel) posts ``Panel.Shown`` (its ``show`` has put its data in the
widgets) the next screen refresh is awaited, then one JSON line is written to file descriptor FD
and the app exits. The parent (``run.py``) times from just before it
starts this process to that line, so interpreter start-up, imports, plugin discovery, opening the
store and the first queries are all included. The line also carries this process's own view
(time since the kernel started it, from /proc/self/stat) and its peak RSS (VmHWM).
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import json
import os
import resource
import sys
import time


def since_process_start() -> float:
    """Seconds since the kernel started this process (clock-tick resolution, 10 ms)."""
    with open("/proc/self/stat", "rb") as fh:
        fields = fh.read().rsplit(b")", 1)[1].split()
    start_ticks = int(fields[19])  # field 22 of stat(5), counted after the "(comm)" field
    return time.clock_gettime(time.CLOCK_BOOTTIME) - start_ticks / os.sysconf("SC_CLK_TCK")


def peak_rss_mb() -> float:
    """Peak RSS of this process (VmHWM; see ``benchmarks.common.peak_rss_mb`` for why not getrusage)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _NoPandas(importlib.abc.MetaPathFinder):
    """pandas is absent, as in ``pip install .`` (the program does not depend on it; only the
    test extras install it, for the benchmark's comparison). Where it is installed, pyarrow
    imports it on the first ``pa.array`` of a Python list (~0.15 s), which a user never pays."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Calls ``patch(module)`` right after ``fazhi_tui.ui.app`` is imported, wherever the program
    imports it: the harness must not import Textual before ``cli.main`` does, or the start-up
    work the CLI overlaps with that import would be measured in series."""

    def __init__(self, name, patch):
        self.name, self.patch = name, patch

    def find_spec(self, name, path=None, target=None):
        if name != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            self.patch(module)

        spec.loader.exec_module = exec_and_patch
        return spec


def main() -> int:
    fd = int(sys.argv[1])
    wanted = None if sys.argv[2] == "-" else sys.argv[2]
    argv = sys.argv[3:]
    sys.meta_path.insert(0, _NoPandas())
    sys.meta_path.insert(0, _PatchOnImport("fazhi_tui.ui.app", lambda module: _patch(module.FazhiApp, fd, wanted)))
    from fazhi_tui import cli

    return cli.main(argv)


def _patch(FazhiApp, fd: int, wanted: str | None) -> None:
    run = FazhiApp.run
    shown = FazhiApp.on_panel_shown
    failed = FazhiApp.on_panel_failed
    mounted = FazhiApp.on_mount
    state = {"done": False}

    def tell(app, data: dict) -> None:
        if state["done"]:
            return
        state["done"] = True
        data.update(since_start_s=since_process_start(), rss_mb=peak_rss_mb())
        os.write(fd, (json.dumps(data, ensure_ascii=False) + "\n").encode())
        app.exit()

    def headless_run(self, *args, **kwargs):
        kwargs.update(headless=True, size=(120, 40))
        return run(self, *args, **kwargs)

    def on_mount(self):
        mounted(self)
        names = [c.value.name for c in self.panels]
        state["target"] = wanted if wanted in names else None
        if state["target"] is not None and names.index(wanted) != self.current_panel:
            self.show_panel_index(names.index(wanted))

    def on_panel_shown(self, message):
        shown(self, message)
        target = state.get("target")
        if not state["done"] and (target is None or message.name == target):
            self.call_after_refresh(
                tell, self, {"panel": message.name, "ok": True, "wanted_missing": wanted is not None and target is None}
            )

    def on_panel_failed(self, message):
        failed(self, message)
        tell(self, {"panel": message.name, "ok": False, "error": message.message})

    FazhiApp.run = headless_run
    FazhiApp.on_mount = on_mount
    FazhiApp.on_panel_shown = on_panel_shown
    FazhiApp.on_panel_failed = on_panel_failed


if __name__ == "__main__":
    sys.exit(main())
