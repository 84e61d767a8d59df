"""Configuration: a TOML file plus FAZHI_* environment variables.

Where the file is looked for, first found wins: ``--config``, ``FAZHI_CONFIG``, ``./fazhi-tui.toml``,
the user config folder (``~/.config/fazhi-tui/config.toml`` on Linux), ``/etc/fazhi-tui/config.toml``.
Unknown keys and wrong types are errors that name the key: a typo should not silently do nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from .store.limits import QueryLimits
from .trust import untrusted

APP_NAME = "fazhi-tui"
SYSTEM_CONFIG = Path("/etc/fazhi-tui/config.toml")


class ConfigError(Exception):
    """A config file that cannot be used; the message names the file and the key."""


# key -> (python type(s), description). Sub-tables are validated below.
_TOP_KEYS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "store": (str, "数据目录"),
    "town": (str, "乡镇名称（显示于标题栏与报告）"),
    "county": (str, "所属县（市、区）名称（报告标题：宝丰县赵庄镇人民政府）"),
    "plugins_dirs": (list, "额外的插件目录列表"),
    "plugins": (list, "只加载这些插件（名称列表）"),
    "keys": (dict, "按键重新绑定：绑定编号 = 按键"),
    "code_tables": (dict, "代码表覆盖：代码表名 = [取值, ...]"),
    "plugin": (dict, "各插件自己的设置：[plugin.插件名]"),
    "ui": (dict, "界面设置"),
    "limits": (dict, "查询的内存、时间与显示行数上限"),
}
_LIMIT_KEYS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "memory": (str, '每个进程查询可用的内存，如 "2GB"（默认：本机内存的一半，至多 4GB）'),
    "query_seconds": ((int, float), "单个查询的时间上限（秒，0 为不限；默认 120）"),
    "sql_rows": (int, "fazhi-tui sql 在终端显示的行数上限（默认 10000）"),
    "write_memory": (str, '导入与整理进程的排序可用的内存，超出部分写入临时目录，如 "300MB"（默认 300MB）'),
    "spill": (str, "查询超出内存时的临时文件目录（默认：用户缓存目录）"),
    "spill_size": (str, '临时文件目录至多可用的空间，如 "20GB"（默认 20GB）'),
}
_UI_KEYS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "animations": (bool, "是否启用动画（经 SSH 使用时建议关闭）"),
    "theme": (str, "Textual 主题名"),
    "start_panel": (str, "打开仪表盘时显示的面板（面板名，如 review、hotline）"),
}


@dataclass
class Config:
    path: Path | None = None
    store: Path | None = None
    town: str = "赵庄镇"
    county: str = "宝丰县"
    plugins_dirs: list[Path] = field(default_factory=list)
    plugins: list[str] | None = None  # None: all; []: none beside the host
    keys: dict[str, str] = field(default_factory=dict)
    code_tables: dict[str, list[str]] = field(default_factory=dict)
    plugin: dict[str, dict[str, Any]] = field(default_factory=dict)
    animations: bool = False
    theme: str | None = None
    start_panel: str | None = None  # a panel's name; checked against the loaded panels at start
    # Keys the config file set (town, county…): the store's own town and county (written by
    # ``fazhi-tui init``) apply where the file says nothing.
    given: set[str] = field(default_factory=set)
    limits: QueryLimits = field(default_factory=QueryLimits)
    warnings: list[str] = field(default_factory=list)  # files passed over, each named (trust.py)

    def plugin_settings(self, name: str) -> dict[str, Any]:
        return dict(self.plugin.get(name, {}))


def config_candidates(explicit: str | os.PathLike | None = None) -> list[Path]:
    if explicit:
        return [Path(explicit)]
    env = os.environ.get("FAZHI_CONFIG")
    if env:
        return [Path(env)]
    return [
        Path.cwd() / "fazhi-tui.toml",
        Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml",
        SYSTEM_CONFIG,
    ]


def load_config(explicit: str | os.PathLike | None = None) -> Config:
    """Find, read and validate the config; apply FAZHI_* environment variables over it."""
    candidates = config_candidates(explicit)
    cfg = Config()
    chosen_is_explicit = bool(explicit) or bool(os.environ.get("FAZHI_CONFIG"))
    passed_over: list[str] = []
    for path in candidates:
        if path.is_file():
            # A config names plugin folders, whose code runs as this user: one that someone else
            # owns or may write (a member's ./fazhi-tui.toml in a shared folder) is not used.
            problem = untrusted(path, "配置文件")
            if problem:
                if chosen_is_explicit:
                    raise ConfigError(problem)
                passed_over.append(problem)
                continue
            cfg = parse_config(path)
            break
        if chosen_is_explicit:
            raise ConfigError(f"配置文件 {path} 不存在")
    cfg.warnings = passed_over + cfg.warnings
    env_plugins = os.environ.get("FAZHI_PLUGINS")
    if env_plugins is not None:
        cfg.plugins = [p.strip() for p in env_plugins.split(",") if p.strip()]
    extra_dirs = os.environ.get("FAZHI_PLUGINS_DIRS")
    if extra_dirs:
        cfg.plugins_dirs += [Path(p) for p in extra_dirs.split(os.pathsep) if p]
    return cfg


def parse_config(path: Path) -> Config:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"配置文件 {path} 不是 UTF-8 编码：{exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"配置文件 {path} 格式错误：{exc}") from exc
    except OSError as exc:
        raise ConfigError(f"无法读取配置文件 {path}：{exc.strerror}") from exc
    cfg = Config(path=path)
    _check_keys(path, "", data, _TOP_KEYS)
    base = path.parent
    if "store" in data:
        cfg.store = (base / Path(data["store"]).expanduser()).resolve()
    if "town" in data:
        cfg.town = data["town"]
    if "county" in data:
        cfg.county = data["county"]
    cfg.given = set(data)
    if "plugins_dirs" in data:
        cfg.plugins_dirs = [
            (base / Path(_expect(path, "plugins_dirs", p, str)).expanduser()) for p in data["plugins_dirs"]
        ]
    if "plugins" in data:
        cfg.plugins = [_expect(path, "plugins", p, str) for p in data["plugins"]]
    for k, v in data.get("keys", {}).items():
        cfg.keys[k] = _expect(path, f"keys.{k}", v, str)
    for k, v in data.get("code_tables", {}).items():
        values = _expect(path, f"code_tables.{k}", v, list)
        cfg.code_tables[k] = [_expect(path, f"code_tables.{k}", x, str) for x in values]
    for k, v in data.get("plugin", {}).items():
        cfg.plugin[k] = _expect(path, f"plugin.{k}", v, dict)
    ui = data.get("ui", {})
    _check_keys(path, "ui.", ui, _UI_KEYS)
    cfg.animations = ui.get("animations", False)
    cfg.theme = ui.get("theme")
    if "start_panel" in ui:
        name = ui["start_panel"].strip()
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ConfigError(
                f"配置文件 {path}：设置项 “ui.start_panel” 应为面板名（小写英文，如 review），实为 {name!r}"
            )
        cfg.start_panel = name
    lim = data.get("limits", {})
    _check_keys(path, "limits.", lim, _LIMIT_KEYS)
    if lim.get("query_seconds", 0) < 0 or lim.get("sql_rows", 1) < 1:
        raise ConfigError(f"配置文件 {path}：[limits] 的 query_seconds 不能为负，sql_rows 至少为 1")
    cfg.limits = QueryLimits(
        memory=lim.get("memory", ""),
        seconds=float(lim.get("query_seconds", QueryLimits.seconds)),
        sql_rows=lim.get("sql_rows", QueryLimits.sql_rows),
        spill=str((base / Path(lim["spill"]).expanduser()).resolve()) if "spill" in lim else "",
        write_memory=lim.get("write_memory", QueryLimits.write_memory),
        spill_size=lim.get("spill_size", QueryLimits.spill_size),
    )
    return cfg


def _check_keys(path: Path, prefix: str, data: dict, allowed: dict) -> None:
    for key, value in data.items():
        if key not in allowed:
            known = "、".join(allowed)
            raise ConfigError(f"配置文件 {path}：未知的设置项 “{prefix}{key}”（可用：{known}）")
        want, _desc = allowed[key]
        _expect(path, prefix + key, value, want)


_TYPE_NAMES = {str: "文本", list: "列表", dict: "表（[节]）", bool: "true/false", int: "整数"}


def _expect(path: Path, key: str, value: Any, want: type | tuple[type, ...]) -> Any:
    types = want if isinstance(want, tuple) else (want,)
    # bool is an int in Python; a config that says `x = true` where a number is wanted is wrong.
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        names = "或".join(_TYPE_NAMES.get(t, t.__name__) for t in types)
        raise ConfigError(f"配置文件 {path}：设置项 “{key}” 应为{names}，实为 {value!r}")
    return value


def today() -> dt.date:
    """The system date, unless FAZHI_TODAY=YYYY-MM-DD says otherwise (tests and demos)."""
    env = os.environ.get("FAZHI_TODAY")
    if env:
        try:
            return dt.date.fromisoformat(env.strip())
        except ValueError:
            raise ConfigError(f"环境变量 FAZHI_TODAY 应为 YYYY-MM-DD 格式的日期，实为 “{env}”") from None
    return dt.date.today()


def default_store_path() -> Path:
    """The per-user store used when nothing else names one (created with the demo on first run)."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "store"


def resolve_store_path(cli_store: str | None, cfg: Config) -> tuple[Path, str]:
    """The store folder and where that choice came from (for messages)."""
    if cli_store:
        return Path(cli_store).expanduser().resolve(), "--store"
    env = os.environ.get("FAZHI_STORE")
    if env:
        return Path(env).expanduser().resolve(), "FAZHI_STORE"
    if cfg.store is not None:
        return cfg.store, f"配置文件 {cfg.path}"
    return default_store_path(), "默认位置"
