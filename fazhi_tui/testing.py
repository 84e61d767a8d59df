"""Test helpers for plugins (and the host's own tests): a pytest plugin the test extra installs.

``pip install 'fazhi-tui[test]'`` brings pytest, and this module is registered as a pytest
plugin (entry point ``pytest11``), so a plugin's tests get its fixtures with no import:

- ``fazhi_env``: a demo store in ``tmp_path`` with your plugin loaded (by entry point, or from a
  folder), built by ``fazhi-tui demo``'s own code: the host's grids and people plus your
  ``fazhi_demo_rows``. It has ``.store``, ``.host``, ``.config``, ``.today`` and
  ``.context(period, grid)``. Which plugins: the ``fazhi_plugins`` (and ``fazhi_plugin_dirs``)
  ini options, or override the fixtures of the same names in a ``conftest.py``.
- ``fazhi_store``: ``fazhi_env.store``; ``fazhi_context``: ``fazhi_env.context``.
- ``async def`` tests run on asyncio, without a decorator or another plugin (a test marked for
  pytest-asyncio or anyio is left to that plugin).

and, imported from here, for the dashboard:

- ``run_app(env)``: the app under Textual's ``run_test`` with the env's plugins, its start-up
  work finished (``async with run_app(env) as pilot``);
- ``settle(pilot)``: wait until no worker runs and what they caused is handled (never a sleep);
- ``open_panel(pilot, name)``: show a panel by its name and wait for its data;
- ``set_view(pilot, period=, grid=)``: move the dashboard to a period and/or grid, and wait;
- ``assert_panel_failed(pilot, name, *texts)``: the panel became an error box naming its plugin
  and each text, and the app still runs (no ``WorkerFailed`` escaped);
- ``text_of(widget)``: what a widget shows on screen, as plain text; ``notices(app)``: the
  messages of its notifications (kept for the test by ``fazhi_env``: they do not expire).

Everything else is imported when first used, so pytest starts as fast with this plugin as without.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import inspect
import re
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from .config import Config
    from .context import Context, Grid
    from .period import Period
    from .plugins import PluginHost
    from .store import Store
    from .ui.panel import Panel

TODAY = dt.date(2026, 11, 26)  # the demo's "today" in tests: FAZHI_TODAY is set to it
USER = "测试员"
TOWN = "赵庄镇"
SIZE = (120, 40)


# -- stores and contexts -----------------------------------------------------------------------------
def parse_period(value: Period | int | str) -> Period:
    """A ``Period`` from ``2026``, ``"2026"``, ``"2026Q3"``, ``"2026-03"`` or
    ``"2026-03-01..2026-05-31"`` (both days included)."""
    from .period import Period

    if isinstance(value, Period):
        return value
    text = str(value).strip()
    if m := re.fullmatch(r"(\d{4})", text):
        return Period.year(int(m[1]))
    if m := re.fullmatch(r"(\d{4})[Qq]([1-4])", text):
        return Period.quarter(int(m[1]), int(m[2]))
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        return Period.month(int(m[1]), int(m[2]))
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
        return Period.between(dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2]))
    raise ValueError(f"not a period: {value!r} (2026, 2026Q3, 2026-03 or 2026-03-01..2026-05-31)")


def load_host(plugins: Iterable[str] = (), plugin_dirs: Iterable[str | Path] = ()) -> PluginHost:
    """The host with only ``plugins`` loaded (installed ones by entry point, the others from
    ``plugin_dirs``), so a test does not change when another plugin is installed."""
    from .plugins import PluginHost

    dirs = [Path(d) for d in plugin_dirs]
    return PluginHost.load(only=list(plugins), plugin_dirs=dirs)


@dataclasses.dataclass
class PluginEnv:
    """A store with some plugins loaded, and what a test needs around it."""

    root: Path
    host: PluginHost
    store: Store
    config: Config
    today: dt.date = TODAY
    town: str = TOWN

    @property
    def failures(self) -> dict[str, list[str]]:
        """Each plugin that recorded an error, with its errors (empty when all is well)."""
        return {name: info.errors for name, info in self.host.infos.items() if info.errors}

    def context(
        self,
        period: Period | int | str | None = None,
        grid: Grid | str | None = None,
        *,
        plugin: str | None = None,
        today: dt.date | None = None,
    ) -> Context:
        """A ``Context`` as a panel, figure or check gets it: ``period`` (default: the year of
        ``today``), ``grid`` a ``Grid``, a grid's code or name, or None for the whole town;
        ``settings`` those of ``plugin`` (default: the first plugin loaded beside the host)."""
        from .context import Context, Grid

        today = today or self.today
        if grid is not None and not isinstance(grid, Grid):
            rows = self.store.query(
                "SELECT code, name, village FROM grids WHERE code = ? OR name = ? ORDER BY code", [grid, grid]
            ).to_pylist()
            if len(rows) != 1:
                raise ValueError(f"grid {grid!r}: {len(rows)} grids have that code or name")
            grid = Grid(rows[0]["code"], rows[0]["name"], rows[0]["village"] or "")
        if plugin is None:
            plugin = next((n for n, i in self.host.infos.items() if i.source != "host" and i.status == "loaded"), "")
        return Context(
            store=self.store,
            period=parse_period(period if period is not None else today.year),
            today=today,
            grid=grid,
            user=self.store.user,
            role=self.store.access.role_label,
            town=self.town,
            settings=self.config.plugin_settings(plugin),
            grid_figures=tuple(c.value for c in self.host.contributions("fazhi_grid_figures")),
        )

    def close(self) -> None:
        self.store.close()


def make_env(
    root: str | Path,
    plugins: Iterable[str] = (),
    plugin_dirs: Iterable[str | Path] = (),
    *,
    demo: bool = True,
    config: Config | None = None,
    today: dt.date = TODAY,
    user: str = USER,
) -> PluginEnv:
    """A store at ``root`` (which must not exist) with ``plugins`` loaded. ``demo``: built as
    ``fazhi-tui demo`` builds it (grids, people and every loaded plugin's demo rows); else empty."""
    from .config import Config
    from .demo import build_demo
    from .runtime import table_settings, table_specs
    from .store import Store

    config = config or Config()
    root = Path(root)
    host = load_host(plugins, plugin_dirs)
    specs = table_specs(host, config)
    settings = table_settings(host, config)
    if demo:
        build_demo(root, host, specs, today, table_settings=settings)
    store = Store.open(root, specs, create=not demo, user=user, table_settings=settings)
    return PluginEnv(root, host, store, config, today, config.town or TOWN)


# -- the dashboard -----------------------------------------------------------------------------------
async def settle(pilot: Pilot, rounds: int = 40) -> None:
    """Wait until no worker runs and every message they caused is handled (never sleep).

    A worker that failed is the app's to show (an error box): it does not fail the wait."""
    from textual.worker import WorkerCancelled, WorkerFailed, WorkerState

    idle = 0
    for _ in range(rounds):
        try:
            await pilot.app.workers.wait_for_complete()
        except (WorkerFailed, WorkerCancelled):
            pass  # a failing plugin's query, or an exclusive worker replaced: the app handles both
        await pilot.pause()
        busy = any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers)
        # Idle twice in a row: a message handled in the last pause may have started a worker.
        idle = 0 if busy else idle + 1
        if idle >= 2:
            return
    raise AssertionError("workers did not settle")


def make_app(env: PluginEnv):
    """The dashboard over the env's store and plugins (not running yet)."""
    from .ui.app import FazhiApp

    return FazhiApp(env.config, env.host, env.store)


@contextlib.asynccontextmanager
async def run_app(
    env_or_app: Any, *, size: tuple[int, int] = SIZE, period: Period | int | str | None = None
) -> AsyncIterator[Pilot]:
    """``async with run_app(env) as pilot``: the app running headless at ``size``, its
    start-up queries and first panel done; ``period`` moves it to that period first."""
    app = make_app(env_or_app) if isinstance(env_or_app, PluginEnv) else env_or_app
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        if period is not None:
            app.period = parse_period(period)
            await settle(pilot)
        yield pilot


_UNSET: Any = object()


async def set_view(pilot: Pilot, period: Period | int | str | None = None, grid: Any = _UNSET) -> None:
    """Move the dashboard to ``period`` and/or ``grid`` (a ``Grid``, a grid's code or name, or
    None for the whole town), as the keys and the grid picker would, and wait for the panels."""
    from .context import Grid

    app: Any = pilot.app  # a FazhiApp (its reactives are not on Textual's App type)
    if period is not None:
        app.period = parse_period(period)
    if grid is not _UNSET:
        if grid is not None and not isinstance(grid, Grid):
            found = [g for g in app.grids if grid in (g.code, g.name)]
            if len(found) != 1:
                raise AssertionError(f"grid {grid!r}: {len(found)} of the dashboard's grids have that code or name")
            grid = found[0]
        app.grid = grid
    await settle(pilot)


def _slot(pilot: Pilot, name: str):
    from .ui.widgets.panel_slot import PanelSlot

    app: Any = pilot.app
    names = [c.value.name for c in app.panels]
    if name not in names:
        raise AssertionError(f"no panel {name!r} in the dashboard (panels: {', '.join(names)})")
    return pilot.app.query_one(f"#slot-{name}", PanelSlot)


async def open_panel(pilot: Pilot, name: str) -> Panel | None:
    """Show the panel named ``name`` (as its key would) and wait for its data; returns it
    (None when its factory failed: see ``assert_panel_failed``)."""
    app: Any = pilot.app
    names = [c.value.name for c in app.panels]
    _slot(pilot, name)
    app.show_panel_index(names.index(name))
    await settle(pilot)
    return _slot(pilot, name).panel


def panel_of(pilot: Pilot, name: str) -> Panel | None:
    """The panel named ``name`` as the dashboard made it (None before it was first shown)."""
    return _slot(pilot, name).panel


def assert_panel_failed(pilot: Pilot, name: str, *texts: str) -> str:
    """The panel ``name`` shows an error box naming its plugin and each of ``texts``, and the app
    still runs: the failure did not escape as ``WorkerFailed`` or end the app. Returns the box's text."""
    from .ui.widgets.error_box import ErrorBox

    app = pilot.app
    assert app.is_running and app.return_code is None, "the app stopped: a failure escaped the panel"
    slot = _slot(pilot, name)
    boxes = [box for box in slot.query(ErrorBox) if box.display]
    assert boxes, f"panel {name!r} shows no error box"
    text = "\n".join(str(box.render()) for box in boxes)
    plugin = slot.plugin
    assert f"插件 {plugin} 的" in text, f"the error box does not name the plugin {plugin}: {text}"
    for expected in texts:
        assert expected in text, f"{expected!r} not in the error box: {text}"
    return text


def keep_notifications(monkeypatch: pytest.MonkeyPatch) -> None:
    """Notifications do not expire for the rest of the test: on a busy machine a save can take
    longer than a toast's timeout, and a test reading ``app._notifications`` would find it gone."""
    from textual.notifications import Notification

    monkeypatch.setattr(Notification, "has_expired", property(lambda self: False))


def notices(app) -> list[str]:
    """The messages of the app's notifications (see ``keep_notifications``)."""
    return [n.message for n in app._notifications]


def text_of(widget) -> str:
    """What a widget shows on screen, as plain text."""
    from textual.geometry import Region

    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, *widget.size)))


# -- the pytest plugin ----------------------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("fazhi_plugins", "plugins the fazhi_env fixture loads (names)", type="args", default=[])
    parser.addini("fazhi_plugin_dirs", "plugin folders the fazhi_env fixture loads from", type="paths", default=[])


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fazhi_demo(False): fazhi_env gives an empty store instead of the demo")


@pytest.fixture
def fazhi_plugins(request: pytest.FixtureRequest) -> Sequence[str]:
    """The plugins ``fazhi_env`` loads: the ``fazhi_plugins`` ini option; override to change."""
    return list(request.config.getini("fazhi_plugins"))


@pytest.fixture
def fazhi_plugin_dirs(request: pytest.FixtureRequest) -> Sequence[Path]:
    """Plugin folders ``fazhi_env`` loads from: the ``fazhi_plugin_dirs`` ini option."""
    return [Path(p) for p in request.config.getini("fazhi_plugin_dirs")]


@pytest.fixture
def fazhi_config() -> Config:
    """The config ``fazhi_env`` uses (override to give your plugin settings)."""
    from .config import Config

    return Config()


@pytest.fixture
def fazhi_env(request, tmp_path, monkeypatch, fazhi_plugins, fazhi_plugin_dirs, fazhi_config) -> Iterable[PluginEnv]:
    """A demo store in ``tmp_path`` with ``fazhi_plugins`` loaded; the developer's config, store and
    plugins are not read, and "today" is ``TODAY``."""
    for var in ("FAZHI_STORE", "FAZHI_CONFIG", "FAZHI_PLUGINS", "FAZHI_PLUGINS_DIRS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("FAZHI_TODAY", TODAY.isoformat())
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    # The cache (kept footers) outside tmp_path, so a test may expect tmp_path to hold only its files.
    monkeypatch.setenv("XDG_CACHE_HOME", str(request.getfixturevalue("tmp_path_factory").mktemp("xdg-cache")))
    keep_notifications(monkeypatch)
    marker = request.node.get_closest_marker("fazhi_demo")
    demo = marker.args[0] if marker and marker.args else True
    env = make_env(tmp_path / "store", fazhi_plugins, fazhi_plugin_dirs, demo=demo, config=fazhi_config)
    yield env
    env.close()


@pytest.fixture
def fazhi_store(fazhi_env: PluginEnv) -> Store:
    return fazhi_env.store


@pytest.fixture
def fazhi_context(fazhi_env: PluginEnv) -> Callable[..., Context]:
    """``fazhi_context(period=None, grid=None)``: a ``Context`` over ``fazhi_env``."""
    return fazhi_env.context


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run an ``async def`` test on a fresh asyncio loop (pytest alone skips it)."""
    func = pyfuncitem.obj
    if not inspect.iscoroutinefunction(func):
        return None
    if pyfuncitem.get_closest_marker("asyncio") or pyfuncitem.get_closest_marker("anyio"):
        return None  # another plugin's test
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(func(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True
