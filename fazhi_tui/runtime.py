"""Putting the pieces together: config, plugins, table specs and the store.

The CLI, the shell and the tests all start here, so each sees the same tables.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .contrib import PluginCheck
from .plugins import PluginHost
from .store import Store, TableSpec


@dataclass
class Runtime:
    config: Config
    plugins: PluginHost
    specs: list[TableSpec]
    store: Store | None = None

    def opened(self) -> Store:
        """The store ``open_runtime`` opened (a runtime made without a store folder has none)."""
        if self.store is None:
            raise RuntimeError("this runtime was made without a store")
        return self.store

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


def load_plugins(cfg: Config) -> PluginHost:
    host = PluginHost.load(only=cfg.plugins, plugin_dirs=cfg.plugins_dirs, settings=cfg.plugin)
    for warning in host.warnings:  # a plugin folder someone else could have written: not loaded
        print(f"警告：{warning}", file=sys.stderr)
    return host


def table_specs(host: PluginHost, cfg: Config) -> list[TableSpec]:
    """Every plugin's tables for this config: each plugin is given its ``[plugin.<name>]``
    settings first (its tables may depend on them), and code tables are overridden by config
    (offices differ)."""
    host.configure(cfg.plugin)
    out = []
    for spec in host.table_specs():
        overrides = {k: tuple(v) for k, v in cfg.code_tables.items() if k in spec.code_tables}
        if overrides:
            spec = dataclasses.replace(spec, code_tables={**spec.code_tables, **overrides})
        out.append(spec)
    return out


def run_plugin_queries(rt: Runtime, today: dt.date) -> None:
    """Each plugin's figures, grid figures, review checks and report sections, once, for the
    year of ``today`` on the runtime's store; failures are recorded against their plugins."""
    from .context import Context
    from .period import Period

    store = rt.opened()
    figures = tuple(c.value for c in rt.plugins.contributions("fazhi_grid_figures"))

    def context_for(plugin: str) -> Context:
        return Context(
            store=store,
            period=Period.year(today.year),
            today=today,
            user=store.user,
            role=store.access.role_label,
            town=rt.config.town,
            settings=rt.config.plugin_settings(plugin),
            grid_figures=figures,
        )

    rt.plugins.run_queries(context_for)


def table_settings(host: PluginHost, cfg: Config) -> dict[str, dict]:
    """Each table's owning plugin's ``[plugin.<name>]`` settings (its computed defaults read them)."""
    owners = host.table_owner
    return {table: cfg.plugin_settings(plugin) for table, plugin in owners.items()}


def review_checks(host: PluginHost, cfg: Config) -> tuple[PluginCheck, ...]:
    """Every plugin's review checks with their plugin's settings, in load order (``ctx.review_checks``)."""
    return tuple(
        PluginCheck(c.plugin, c.value, cfg.plugin_settings(c.plugin)) for c in host.contributions("fazhi_review_checks")
    )


def open_runtime(cfg: Config, store_path: Path | None, *, create: bool = False, user: str | None = None) -> Runtime:
    host = load_plugins(cfg)
    specs = table_specs(host, cfg)
    rt = Runtime(cfg, host, specs)
    if store_path is not None:
        rt.store = Store.open(
            store_path, specs, create=create, user=user, table_settings=table_settings(host, cfg), limits=cfg.limits
        )
        rt.store.missing_note = host.missing_tables_note()  # "no such table" names the plugin that failed
        apply_office(cfg, rt.store.info)
    return rt


OFFICE_KEYS = ("town", "county")  # written into the store's marker by ``fazhi-tui init``


def apply_office(cfg: Config, marker: dict) -> None:
    """The town and county the store was made for, unless the config file names its own: every
    header and report then says the office's name, not the default 赵庄镇."""
    for key in OFFICE_KEYS:
        value = marker.get(key)
        if isinstance(value, str) and value.strip() and key not in cfg.given:
            setattr(cfg, key, value.strip())
