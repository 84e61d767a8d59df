"""Folds in processes of their own, for a long-lived reader such as the dashboard.

A fold reads a month's files and writes them again (``fold.py``); on a thread it would add its
memory to the process that started it (458 MB measured in the dashboard at 10M tickets, beside
Textual's widgets). ``ChildFolds`` is what ``Store.fold_runner`` calls instead of starting a thread:
it runs ``fazhi-tui compact --fold TABLE`` (the same fold, with the same locks, that any writer may
run) in a new process and does not wait for it. The dashboard notices the new generation as it
notices any other process's write. A fold that fails loses nothing (its delta stays) and its
message is kept for the screen.

No Textual here: the shell asks ``running()`` when the user quits, to say that a fold goes on.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO


@dataclass
class _Child:
    table: str
    process: subprocess.Popen
    errors: IO[bytes]


class ChildFolds:
    """``runner(table)`` starts a fold of ``table`` in a child process unless one is running."""

    def __init__(self, argv_for: Callable[[str], list[str]]) -> None:
        self._argv_for = argv_for
        self._children: dict[str, _Child] = {}
        self._lock = threading.Lock()
        self.failures: list[str] = []  # Chinese, one line each, for the screen
        self.again: set[str] = set()  # tables written while their fold ran: folded once it ends

    def __call__(self, table: str) -> None:
        with self._lock:
            self._reap()
            if table in self._children:
                # Its versions arrived after the running fold listed the files: fold again when
                # that one ends (the next write or ``running`` call starts it).
                self.again.add(table)
                return
            self._start(table)

    def _start(self, table: str) -> None:
        errors = tempfile.TemporaryFile()
        process = subprocess.Popen(
            self._argv_for(table),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            # Its own session: the terminal's Ctrl-C or hang-up goes to the dashboard, not to a
            # fold that is about to publish; it finishes after the dashboard has gone.
            start_new_session=True,
        )
        self._children[table] = _Child(table, process, errors)

    def _reap(self) -> None:
        for table, child in list(self._children.items()):
            code = child.process.poll()
            if code is None:
                continue
            del self._children[table]
            if code != 0:
                child.errors.seek(0)
                lines = child.errors.read().decode("utf-8", "replace").strip().splitlines()
                why = lines[-1] if lines else f"退出码 {code}"
                self.failures.append(f"表 {table} 的后台整理未完成（{why}），数据不受影响")
            child.errors.close()
            if table in self.again:
                self.again.discard(table)
                self._start(table)

    def running(self) -> list[str]:
        """The tables whose fold is still running (finished ones are collected on the way)."""
        with self._lock:
            self._reap()
            return sorted(self._children)

    def pids(self) -> list[int]:
        with self._lock:
            return [c.process.pid for c in self._children.values()]

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the running folds and those they leave due (tests; a script); True when none
        is left, False when ``timeout`` seconds passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                self._reap()
                children = list(self._children.values())
            if not children:
                return True
            for child in children:
                remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
                try:
                    child.process.wait(remaining)
                except subprocess.TimeoutExpired:
                    return False
