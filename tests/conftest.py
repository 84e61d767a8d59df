"""Shared fixtures: real stores in tmp_path, never mocks."""

from __future__ import annotations

import pytest

from fazhi_tui.config import Config
from fazhi_tui.plugins import PluginHost
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store

from .os_users import os_users  # noqa: F401  (a fixture: real OS users, tests/os_users.py)
from .store_specs import SPECS


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path, tmp_path_factory):
    """No test reads the developer's config or store, and "today" is fixed."""
    for var in ("FAZHI_STORE", "FAZHI_CONFIG", "FAZHI_PLUGINS", "FAZHI_PLUGINS_DIRS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("FAZHI_TODAY", "2026-11-26")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    # The cache (kept footers) outside tmp_path: tests check that a failed write leaves tmp_path empty.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))


@pytest.fixture(autouse=True)
def _notifications_last(monkeypatch):
    """Notifications do not expire in tests: on a busy machine a save can take longer than a
    toast's timeout, and a test reading ``app._notifications`` afterwards found it gone. Both
    ways they go: the collection drops expired ones, and each toast's timer unnotifies its own."""
    from textual.app import App
    from textual.notifications import Notification

    monkeypatch.setattr(Notification, "has_expired", property(lambda self: False))
    monkeypatch.setattr(App, "_unnotify", lambda self, notification, refresh=True: None)


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "store", SPECS, create=True, user="测试员")
    yield s
    s.close()


@pytest.fixture(scope="session")
def all_specs():
    host = PluginHost.load()
    return table_specs(host, Config())
