"""Finding plugins, loading them in isolation, and collecting what they contribute.

A plugin that fails to import or raises in a hook is recorded against its name and left out;
the rest of the program carries on. ``fazhi-tui plugins`` lists what happened.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import sys
import traceback
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

from . import hookspecs
from .contrib import Command, Figure, GridFigure, PanelSpec, ReportSection, ReviewCheck, check_record
from .store.spec import TableSpec

ENTRY_POINT_GROUP = "fazhi_tui"
HOST_NAME = "fazhi_tui.host"
FOLDER_PACKAGE = "fazhi_tui_plugins"

# Each contribution hook, the record type it returns, and what a record is called in messages.
RECORD_TYPES: dict[str, tuple[type[Any], str]] = {
    "fazhi_tables": (TableSpec, "表"),
    "fazhi_panels": (PanelSpec, "面板"),
    "fazhi_report_sections": (ReportSection, "报告章节"),
    "fazhi_review_checks": (ReviewCheck, "检查项"),
    "fazhi_commands": (Command, "命令"),
    "fazhi_grid_figures": (GridFigure, "网格指标"),
    "fazhi_figures": (Figure, "报告指标"),
}


@dataclass
class PluginInfo:
    name: str
    source: str  # "host", "built-in", "entry point", "folder"
    version: str = ""
    location: str = ""
    status: str = "loaded"  # "loaded", "failed", "skipped"
    errors: list[str] = field(default_factory=list)
    hooks: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "source": self.source,
            "version": self.version,
            "location": self.location,
            "status": self.status,
            "hooks": self.hooks,
            "errors": self.errors,
        }


@dataclass
class Contribution:
    plugin: str
    value: Any


def describe_exception(exc: BaseException) -> str:
    """One line for people: the exception and the file:line of its innermost frame."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"（{Path(frames[-1].filename).name}:{frames[-1].lineno}）" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


class PluginHost:
    """Owns the pluggy manager and the record of every plugin's fate."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager("fazhi_tui")
        self.pm.add_hookspecs(hookspecs)
        self.infos: dict[str, PluginInfo] = {}
        self.table_owner: dict[str, str] = {}  # table -> the plugin that declared it (``table_specs``)
        self.warnings: list[str] = []  # plugin folders not loaded, and why

    # -- loading -----------------------------------------------------------------------------
    @classmethod
    def load(
        cls,
        *,
        only: Iterable[str] | None = None,
        plugin_dirs: Iterable[str | Path] = (),
        entry_points: bool = True,
        settings: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> PluginHost:
        """Load the host's own plugin, then entry points, then plugin folders, then give each its
        settings (``fazhi_configure``).

        ``only``: names to load (``FAZHI_PLUGINS``); None loads everything, an empty list none
        beside the host. ``settings``: the config's ``[plugin.*]`` tables (none: every plugin's
        defaults).
        """
        host = cls()
        from . import host_plugin

        host._register(HOST_NAME, host_plugin, PluginInfo(HOST_NAME, "host", _dist_version("fazhi-tui")))
        wanted = None if only is None else {n.strip() for n in only if n.strip()}
        if entry_points:
            dists = _DistNames()

            def builtin_first(ep: importlib.metadata.EntryPoint) -> tuple[bool, str]:
                return dists.name(ep).replace("_", "-") != "fazhi-tui", ep.name

            for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=builtin_first):
                if wanted is not None and ep.name not in wanted:
                    continue
                source = "built-in" if dists.name(ep).replace("_", "-") == "fazhi-tui" else "entry point"
                info = PluginInfo(ep.name, source, dists.version(ep), ep.value)
                try:
                    module = ep.load()
                except Exception as exc:
                    host._fail(info, f"导入失败：{describe_exception(exc)}")
                    continue
                # Where it was imported from, not only the module's name: two copies of a plugin
                # (installed and in a folder) are told apart by their paths.
                info.location = str(Path(getattr(module, "__file__", "") or ep.value).parent) or ep.value
                host._register(ep.name, module, info)
        for folder in plugin_dirs:
            host._load_folder(Path(folder), wanted)
        host.configure(settings or {})
        return host

    def configure(self, settings: Mapping[str, Mapping[str, Any]]) -> None:
        """Give each plugin its own ``[plugin.<name>]`` table (``fazhi_configure``). A plugin that
        refuses its settings is unloaded and marked failed with its message, so the program runs
        without it rather than with settings it does not understand."""
        caller = self.pm.hook.fazhi_configure
        for impl in list(caller.get_hookimpls()):
            name = impl.plugin_name
            try:
                impl.function(dict(settings.get(name, {})))
            except Exception as exc:
                reason = str(exc) if isinstance(exc, ValueError) else describe_exception(exc)
                self.pm.unregister(name=name)
                info = self.infos.setdefault(name, PluginInfo(name, "unknown"))
                info.status = "failed"
                message = f"设置 [plugin.{name}] 无效，未加载：{reason}"
                if message not in info.errors:
                    info.errors.append(message)

    def _load_folder(self, folder: Path, wanted: set[str] | None) -> None:
        if FOLDER_PACKAGE not in sys.modules:
            # The parent of folder plugins, so that a package plugin's relative imports
            # (``from . import queries``) resolve.
            parent = types.ModuleType(FOLDER_PACKAGE, "插件目录中的插件")
            parent.__path__ = []
            sys.modules[FOLDER_PACKAGE] = parent
        if not folder.is_dir():
            self._fail(PluginInfo(str(folder), "folder", location=str(folder)), "插件目录不存在")
            return
        from .trust import untrusted_plugin_folder

        problem = untrusted_plugin_folder(folder)
        if problem:  # its code would run as this user: someone else could have put it there
            self._fail(PluginInfo(str(folder), "folder", location=str(folder)), problem)
            self.warnings.append(problem)
            return
        for path in sorted(folder.iterdir()):
            if path.name.startswith((".", "_")):
                continue
            if path.is_dir() and (path / "__init__.py").is_file():
                name, init = path.name, path / "__init__.py"
            elif path.suffix == ".py":
                name, init = path.stem, path
            else:
                continue
            if wanted is not None and name not in wanted:
                continue
            info = PluginInfo(name, "folder", location=str(path))
            module_name = f"{FOLDER_PACKAGE}.{name}"
            # A fresh load replaces any earlier one of the same name, submodules included.
            for loaded in [m for m in sys.modules if m == module_name or m.startswith(module_name + ".")]:
                del sys.modules[loaded]
            try:
                spec = importlib.util.spec_from_file_location(
                    module_name, init, submodule_search_locations=[str(path)] if path.is_dir() else None
                )
                assert spec is not None and spec.loader is not None
                module = importlib.util.module_from_spec(spec)
                sys.modules[module_name] = module
                spec.loader.exec_module(module)
            except Exception as exc:
                sys.modules.pop(module_name, None)
                self._fail(info, f"导入失败：{describe_exception(exc)}")
                continue
            info.version = str(getattr(module, "__version__", ""))
            self._register(name, module, info)

    def _register(self, name: str, module: object, info: PluginInfo) -> None:
        if name in self.infos and self.infos[name].status == "loaded":
            # A second copy (installed and in a plugin folder, say): the loaded one is fine and
            # keeps its record; this copy gets its own, naming both places.
            existing = self.infos[name]
            info.status = "skipped"
            info.errors.append(
                f"与已加载的同名插件 {name}（{_SOURCES.get(existing.source, existing.source)}：{existing.location}）重名，"
                f"此处的副本未加载"
            )
            self.infos[f"{name}（{info.location or info.source}）"] = info
            return
        try:
            self.pm.register(module, name=name)
        except Exception as exc:  # pluggy validates hook names and signatures here
            self._fail(info, f"注册失败：{describe_exception(exc)}")
            return
        info.hooks = sorted(h.name for h in self.pm.get_hookcallers(module) or [])
        self.infos[name] = info

    def _fail(self, info: PluginInfo, message: str) -> None:
        existing = self.infos.get(info.name)
        if existing is not None and existing.status == "loaded" and existing is not info:
            existing.errors.append(message)
            return
        info.status = "failed"
        info.errors.append(message)
        self.infos.setdefault(info.name, info)

    def failed_to_load(self) -> dict[str, list[str]]:
        """Plugins whose tables may be missing: they failed to load, or their ``fazhi_tables``
        hook raised or returned something refused; with their errors."""
        return {
            name: info.errors
            for name, info in self.infos.items()
            if info.status == "failed" or any(e.startswith("fazhi_tables") for e in info.errors)
        }

    def missing_tables_note(self) -> str | None:
        """What to tell someone who asks for a table that is not there when some plugin failed:
        which plugins, why, and where to look. None when every plugin loaded."""
        failed = self.failed_to_load()
        if not failed:
            return None
        parts = [f"{name}（{errors[0] if errors else '未知错误'}）" for name, errors in failed.items()]
        return f"插件 {'、'.join(parts)} 未能加载，其表未载入；fazhi-tui plugins 列出详情"

    def record_error(self, plugin: str, message: str) -> None:
        """Note a failure of a loaded plugin (in a hook, a query, a render)."""
        info = self.infos.setdefault(plugin, PluginInfo(plugin, "unknown"))
        if message not in info.errors:
            info.errors.append(message)

    # -- calling -----------------------------------------------------------------------------
    def collect(self, hook_name: str, **kwargs: Any) -> list[Contribution]:
        """Call one hook's implementations one at a time, so one failing plugin costs only itself."""
        return list(self.iter_collect(hook_name, **kwargs))

    def iter_collect(self, hook_name: str, **kwargs: Any) -> Iterator[Contribution]:
        """As ``collect``, lazily: each implementation runs when the caller asks for the next one."""
        caller = getattr(self.pm.hook, hook_name)
        # pluggy lists implementations in registration order (and calls them in reverse); call
        # them in load order, so the host's tables come first and win a clash of names.
        # tryfirst/trylast still move an implementation to the front or the back.
        impls = sorted(caller.get_hookimpls(), key=lambda i: 0 if i.tryfirst else 2 if i.trylast else 1)
        if hook_name == "fazhi_tables":
            # Tables strictly in load order (the host, built-in plugins, other entry points, then
            # folders): tryfirst must not let a plugin declare ``hotline`` before its owner does
            # and drop its PII columns (the second declaration is the one refused).
            loaded = list(self.infos)
            impls = sorted(impls, key=lambda i: loaded.index(i.plugin_name) if i.plugin_name in loaded else len(loaded))
        for impl in impls:
            try:
                result = impl.function(*[kwargs[a] for a in impl.argnames])
            except Exception as exc:
                self.record_error(impl.plugin_name, f"{hook_name} 出错：{describe_exception(exc)}")
                continue
            if result is not None:
                yield Contribution(impl.plugin_name, result)

    def contributions(self, hook_name: str) -> list[Contribution]:
        """The records one contribution hook returned, checked: each must be of the hook's record
        type with a valid name, and a name already taken is refused (the first one wins). Every
        refusal is recorded against the plugin that made it; the rest are returned in load order."""
        record_type, kind = RECORD_TYPES[hook_name]
        taken: dict[str, str] = {}
        out: list[Contribution] = []
        for contrib in self.collect(hook_name):
            values = contrib.value
            if not isinstance(values, (list, tuple)):
                self.record_error(contrib.plugin, f"{hook_name} 应返回列表，实为 {type(values).__name__}")
                continue
            for value in values:
                if not isinstance(value, record_type):
                    self.record_error(
                        contrib.plugin, f"{hook_name} 返回了非 {record_type.__name__} 的对象：{value!r:.200}"
                    )
                    continue
                problem = self._check(value)
                if problem is not None:
                    self.record_error(contrib.plugin, f"{hook_name}：{problem}，未加载")
                    continue
                if value.name in taken:
                    self.record_error(
                        contrib.plugin, f"{kind}名 {value.name} 已由 {taken[value.name]} 使用，本插件的同名{kind}未加载"
                    )
                    continue
                taken[value.name] = contrib.plugin
                out.append(Contribution(contrib.plugin, value))
        return out

    @staticmethod
    def _check(record: Any) -> str | None:
        if isinstance(record, TableSpec):
            # TableSpec checks its own name; the store reserves names for its history views.
            if record.name.endswith("_history"):
                return "表名以 _history 结尾为保留名"
            from .store.rules import rule_errors

            errors = rule_errors(record)  # a typo in a rule's SQL: the plugin's load error
            return "；".join(errors) if errors else None
        return check_record(record)

    def run_queries(self, context_for: Callable[[str], Any]) -> None:
        """Run each plugin's figures, grid figures, review checks and report sections once, with
        ``context_for(plugin)``, recording what raises against the plugin: ``fazhi-tui plugins``
        then shows the failures a plugin would otherwise show only later, in the dashboard or
        the report. Nothing is written."""
        jobs: list[tuple[str, str, Callable[[Any, Any], Any], str]] = [
            ("fazhi_figures", "报告指标", _figure_run, "计算出错"),
            ("fazhi_grid_figures", "网格指标", lambda v, ctx: v.compute(ctx), "计算出错"),
            ("fazhi_review_checks", "检查项", lambda v, ctx: v.find(ctx), "出错"),
            ("fazhi_report_sections", "报告章节", lambda v, ctx: v.build(ctx), "出错"),
        ]
        for hook, kind, run, verb in jobs:
            for contrib in self.contributions(hook):
                record = contrib.value
                title = getattr(record, "label", None) or getattr(record, "title", "")
                try:
                    run(record, context_for(contrib.plugin))
                except Exception as exc:
                    self.record_error(
                        contrib.plugin, f"{kind} {record.name}（{title}）{verb}：{describe_exception(exc)}"
                    )

    def check_contributions(self) -> None:
        """Call every contribution hook once, so that each failure and refusal is recorded
        (``fazhi-tui plugins`` lists them; the dashboard calls the hooks itself)."""
        for hook_name in RECORD_TYPES:
            self.contributions(hook_name)

    def table_specs(self) -> list:
        """Every table from every plugin; a name already taken is refused (the first one wins)."""
        found = self.contributions("fazhi_tables")
        self.table_owner = {c.value.name: c.plugin for c in found}
        return [c.value for c in found]

    def panels(self) -> list[Contribution]:
        """Every panel, in the order the dashboard numbers them (``order``, then load order)."""
        found = self.contributions("fazhi_panels")
        return [c for _i, c in sorted(enumerate(found), key=lambda ic: (ic[1].value.order, ic[0]))]


def _figure_run(figure: Any, ctx: Any) -> None:
    figure.compute(ctx)
    if figure.records is not None:
        figure.records(ctx)


_SOURCES = {"host": "宿主", "built-in": "内置", "entry point": "已安装", "folder": "插件目录"}


class _DistNames:
    """The name and version of each entry point's distribution, read once per distribution.

    ``Distribution.name`` and ``.version`` each parse the distribution's METADATA file again (an
    e-mail message parser): three reads per built-in plugin, about 30 ms at every start."""

    def __init__(self) -> None:
        self._seen: dict[int, tuple[str, str]] = {}

    def _of(self, ep: importlib.metadata.EntryPoint) -> tuple[str, str]:
        dist = ep.dist
        if dist is None:
            return "", ""
        found = self._seen.get(id(dist))
        if found is None:
            meta = dist.metadata
            found = self._seen[id(dist)] = (meta["Name"] or "", meta["Version"] or "")
        return found

    def name(self, ep: importlib.metadata.EntryPoint) -> str:
        return self._of(ep)[0]

    def version(self, ep: importlib.metadata.EntryPoint) -> str:
        return self._of(ep)[1]


def _dist_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        from . import __version__

        return __version__
