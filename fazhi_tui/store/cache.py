"""Results kept per state of tables' files on disk: a plugin's cache that no write can leave stale.

A separate module because it is the one piece of the store a plugin holds on to between queries:
``TableCache`` keys each result by the signatures of the tables' folders (``Store.files``), which
change with every write, fold and compaction, so a result read before a write is never served
after it. The store object is part of the key too: its role decides what its views mask.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from .core import Store

T = TypeVar("T")


class TableCache(Generic[T]):
    """The last ``size`` results computed from ``tables``, each under a key of the caller's.

    ``cache.get(ctx.store, key, compute)`` returns the result kept for ``key`` and the tables'
    current state on disk, or calls ``compute()`` and keeps what it returns. Two threads asking
    for the same key at once compute it once (the second waits for the first); different keys
    compute side by side. ``key`` must say everything else the result depends on (period, grid,
    town, settings, today).
    """

    def __init__(self, *tables: str, size: int = 8) -> None:
        if not tables:
            raise ValueError("TableCache needs the names of the tables its results are read from")
        if size < 1:
            raise ValueError(f"TableCache size must be at least 1, got {size}")
        self.tables = tables
        self.size = size
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def state_key(self, store: Store, key: Hashable) -> Hashable:
        """The full key: the store, its tables' file signatures and the caller's key."""
        return (id(store), tuple(store.files(t).signature for t in self.tables), key)

    def get(self, store: Store, key: Hashable, compute: Callable[[], T]) -> T:
        full = self.state_key(store, key)
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                return self._items[full]
            computing = self._computing.setdefault(full, threading.Lock())
        with computing:
            with self._lock:
                if full in self._items:
                    return self._items[full]
            try:
                value = compute()
                with self._lock:
                    self._items[full] = value
                    while len(self._items) > self.size:
                        self._items.popitem(last=False)
            finally:
                with self._lock:
                    self._computing.pop(full, None)
        return value

    def peek(self, store: Store, key: Hashable) -> T | None:
        """The result kept for ``key`` and the tables' current state, or None; never computes
        (for a caller with a cheaper way of its own when nothing is kept)."""
        full = self.state_key(store, key)
        with self._lock:
            return self._items.get(full)

    def clear(self) -> None:
        """Forget every result (the benchmarks time a cold read this way)."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
