"""``fazhi-tui`` and its subcommands.

Long (about 800 lines) on purpose: every subcommand is registered beside its handler
(``@subcommand``), in the order ``--help`` lists them, so a subcommand's arguments, checks and
output read in one place; the work itself is in the modules each handler imports.

With no subcommand it opens the dashboard. Every subcommand takes ``--store``; messages are in
Chinese; exit status is 0 on success, 1 when ``check`` finds problems, 2 on errors.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import io
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .config import Config, ConfigError, load_config, resolve_store_path, today
from .store import StoreError
from .textsafe import visible

if TYPE_CHECKING:
    from .contrib import Command
    from .plugins import Contribution

EXIT_OK, EXIT_FOUND, EXIT_ERROR = 0, 1, 2


class CliError(Exception):
    pass


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--store", metavar="目录", default=default, help="数据目录（默认：FAZHI_STORE、配置文件，或用户数据目录）"
    )
    parser.add_argument("--config", metavar="文件", default=default, help="配置文件（TOML）")
    parser.add_argument(
        "--plugins-dir",
        metavar="目录",
        action="append",
        default=argparse.SUPPRESS if suppress else [],
        help="额外的插件目录（可多次给出）",
    )


@dataclass(frozen=True)
class Argument:
    """One ``add_argument`` call, kept until the parser is built."""

    names: tuple[str, ...]
    options: dict[str, Any]

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(*self.names, **self.options)


def arg(*names: str, **options: Any) -> Argument:
    """An argument of a subcommand, as ``argparse``'s ``add_argument`` takes it."""
    return Argument(names, options)


@dataclass(frozen=True)
class Invocation:
    """What every subcommand's handler receives: the parsed arguments, the config (with
    ``--plugins-dir`` folders added) and the store's folder."""

    args: argparse.Namespace
    cfg: Config
    store_path: Path
    store_source: str = ""  # where the store's folder came from (--store, FAZHI_STORE, the config, 默认位置)

    def ensure_store(self) -> None:
        """For a handler registered with ``needs_store=False`` that needs the store after all."""
        _ensure_store(self.cfg, self.store_path, self.store_source)


Handler = Callable[[Invocation], int]


@dataclass(frozen=True)
class Subcommand:
    name: str
    help: str
    handler: Handler
    arguments: tuple[Argument, ...] = ()
    needs_store: bool = True  # the store must exist (the default one is created with the demo)
    epilog: str | None = None


SUBCOMMANDS: dict[str, Subcommand] = {}


def subcommand(
    name: str, help: str, *arguments: Argument, needs_store: bool = True, epilog: str | None = None
) -> Callable[[Handler], Handler]:
    """Register the decorated ``handler(run: Invocation) -> int`` as ``fazhi-tui NAME``; the
    subcommands are listed in the order they are registered. Adding one is this decorator and
    its function, nothing else::

        @subcommand("whoami", "显示当前用户在数据目录中的角色")
        def cmd_whoami(run: Invocation) -> int: ...
    """

    def register(handler: Handler) -> Handler:
        if name in SUBCOMMANDS:
            raise ValueError(f"subcommand {name!r} is registered twice")
        SUBCOMMANDS[name] = Subcommand(name, help, handler, arguments, needs_store, epilog)
        return handler

    return register


def build_parser() -> argparse.ArgumentParser:
    from .cli_help import CellWidthFormatter, install

    install()
    parser = argparse.ArgumentParser(
        prog="fazhi-tui",
        formatter_class=CellWidthFormatter,
        description="乡镇法治政府建设工作台。不带子命令时打开仪表盘。",
        epilog='示例：fazhi-tui demo && fazhi-tui；fazhi-tui sql "SELECT count(*) FROM grids"',
    )
    parser.add_argument("--version", action="version", version=f"fazhi-tui {__version__}", help="显示版本号并退出")
    _common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="子命令")
    for command in SUBCOMMANDS.values():
        p = sub.add_parser(
            command.name,
            help=command.help,
            description=command.help,
            epilog=command.epilog,
            formatter_class=CellWidthFormatter,
        )
        _common(p, suppress=True)
        for argument in command.arguments:
            argument.add_to(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Files the program creates are for the owner and the store's group, never for others.
    os.umask(0o007)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except (CliError, ConfigError, StoreError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        # Permissions, a full disk, a read-only folder: a message, not a traceback.
        from .oserrors import describe_os_error

        print(f"错误：{describe_os_error(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    cfg = load_config(getattr(args, "config", None))
    for warning in cfg.warnings:
        print(f"警告：{warning}", file=sys.stderr)
    cfg.plugins_dirs += [Path(p) for p in getattr(args, "plugins_dir", []) or []]
    store_path, source = resolve_store_path(getattr(args, "store", None), cfg)
    command = SUBCOMMANDS.get(args.command) if args.command else None
    if source == DEFAULT_SOURCE and (command is None or command.needs_store or command.name in NAMES_STORE):
        # The per-user default is easy to use without knowing it (a clerk's queries then miss
        # the dashboard's store): every command that uses it says so first.
        print(f"数据目录：{store_path}（默认位置；用 --store 或 FAZHI_STORE 指定其他目录）", file=sys.stderr)
    if command is None or command.needs_store:
        _ensure_store(cfg, store_path, source)
    run = Invocation(args, cfg, store_path, source)
    return command.handler(run) if command is not None else cmd_dashboard(run)


DEFAULT_SOURCE = "默认位置"  # resolve_store_path's word for the per-user default store
NAMES_STORE = {"demo", "init"}  # commands without needs_store that still write the default store


def _confirm(question: str) -> bool:
    """Ask on the terminal; an empty answer, EOF or anything but y/是 is no."""
    try:
        answer = input(question)
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes", "是", "好")


def _ensure_store(cfg, store_path: Path, source: str) -> None:
    """The per-user default store is created with the demo on first run; a named one must exist."""
    from .store.layout import MARKER

    if (store_path / MARKER).is_file():
        return
    if source != DEFAULT_SOURCE:
        raise CliError(
            f"数据目录 {store_path}（来自 {source}）不存在或不是 fazhi-tui 数据目录。"
            f"创建演示数据：fazhi-tui demo --store {store_path}；创建空目录：fazhi-tui init --store {store_path}"
        )
    from .demo import build_demo
    from .runtime import load_plugins, table_settings, table_specs

    if _is_terminal(sys.stdin) and not _confirm(
        f"默认位置 {store_path} 还没有数据目录。在此创建演示数据（赵庄镇）吗？正式使用请选“否”，"
        f"再用 fazhi-tui init --store 目录 创建空目录。[y/N] "
    ):
        raise CliError(f"未创建演示数据。创建空目录：fazhi-tui init --store {store_path}；或用 --store 指定已有目录")
    host = load_plugins(cfg)
    print(f"首次运行：在 {store_path} 创建演示数据……", file=sys.stderr)
    specs = table_specs(host, cfg)
    build_demo(store_path, host, specs, today(), table_settings=table_settings(host, cfg))
    print(f"已创建演示数据：{store_path}（可用 --store 或 FAZHI_STORE 指定其他数据目录）", file=sys.stderr)


@subcommand(
    "new-plugin",
    "生成一个可运行的插件包（表、面板、指标、演示数据与测试）",
    arg("name", metavar="名称", help="插件名：小写英文标识符，如 petitions"),
    arg("--dir", metavar="目录", help="写入的目录（默认：当前目录下的 名称/）"),
    arg("--label", metavar="中文名", help="表与面板的中文名（默认：名称台账）"),
    needs_store=False,
)
def cmd_new_plugin(run: Invocation) -> int:
    args = run.args
    from .scaffold import ScaffoldError, write_plugin

    try:
        made = write_plugin(args.name, Path(args.dir) if args.dir else None, label=args.label)
    except ScaffoldError as exc:
        raise CliError(str(exc)) from None
    print(f"已生成插件 {made.name}：{made.root}")
    for path in made.files:
        print(f"  {path.relative_to(made.root)}")
    print(f"下一步：cd {made.root} && pip install -e '.[test]' && pytest；然后 fazhi-tui demo --force 并打开仪表盘")
    return EXIT_OK


@subcommand(
    "demo",
    "生成演示数据（赵庄镇，2022-01-01 至今日）",
    arg("--today", metavar="YYYY-MM-DD", help="演示数据的“今日”（默认：FAZHI_TODAY 或系统日期）"),
    arg("--force", action="store_true", help="覆盖已有的演示数据（正式数据永不覆盖）"),
    needs_store=False,
)
def cmd_demo(run: Invocation) -> int:
    args, cfg, store_path = run.args, run.cfg, run.store_path
    from .demo import build_demo
    from .runtime import load_plugins, table_settings, table_specs

    if args.today:
        try:
            day = dt.date.fromisoformat(args.today)
        except ValueError:
            raise CliError(f"--today 应为 YYYY-MM-DD 格式的日期，实为 “{args.today}”") from None
    else:
        day = today()
    host = load_plugins(cfg)
    specs = table_specs(host, cfg)
    result = build_demo(store_path, host, specs, day, force=args.force, table_settings=table_settings(host, cfg))
    verb = "已重建" if result.replaced else "已创建"
    print(f"{verb}演示数据：{result.path}（基准日 {day}）")
    for table, n in result.rows.items():
        print(f"  {table}: {n} 条")
    for name, errors in result.skipped.items():
        print(f"错误：插件 {name} 未能加载，其表与演示数据已跳过：{errors[0] if errors else ''}", file=sys.stderr)
    if result.skipped:
        print("运行 fazhi-tui plugins 查看各插件的状态", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


ACCESS_TEMPLATE = """\
# 谁能看、谁能改（fazhi-tui）。本文件应只由管理员修改：chmod 640，属主为管理员。
# 未列出管理员时，数据目录的所有者是管理员，其他人只能查看（个人信息脱敏）。
# admin = ["wang", "@fazhi-admin"]        # 用户名，或 @组名
# clerk = ["li", "@fazhi-staff"]
# clerk_tables = ["hotline", "enforcement", "training"]   # 办事员可新增、修改的表（"*" 为全部）
# pii = ["admin", "clerk"]                # 可查看未脱敏个人信息的角色
# group = "fazhi"                         # 数据文件所属的系统用户组
"""


@subcommand(
    "init",
    "创建一个空的数据目录（正式使用）",
    arg("--group", metavar="组", help="数据目录归属的系统用户组（同组可读写，其他人不可访问）"),
    arg("--town", metavar="乡镇", help="乡镇名称，如 赵庄镇（显示于标题栏与报告；在终端上不给出时询问）"),
    arg("--county", metavar="县", help="所属县（市、区），如 宝丰县（报告标题；在终端上不给出时询问）"),
    needs_store=False,
)
def cmd_init(run: Invocation) -> int:
    cfg, store_path, group = run.cfg, run.store_path, run.args.group
    office = _office_names(run.args.town, run.args.county)
    import grp
    import stat

    from .access import ACCESS_FILE
    from .runtime import open_runtime

    gid = None
    if group:
        try:
            gid = grp.getgrnam(group).gr_gid
        except KeyError:
            raise CliError(f"系统中没有用户组 {group}") from None
    from .store.layout import MARKER

    if (store_path / MARKER).exists():
        # Re-running init used to say it created a store and reset access.toml: roles lost.
        raise CliError(f"{store_path} 已是数据目录，未改动（角色设置在 {store_path / ACCESS_FILE}）")
    rt = open_runtime(cfg, store_path, create=True)
    rt.close()
    if office:
        from .store import read_marker, write_marker

        marker = read_marker(store_path)
        kept = {k: v for k, v in marker.items() if k not in ("format", "demo", "created")}
        write_marker(store_path, demo=False, **{**kept, **office})
    access_file = store_path / ACCESS_FILE
    text = ACCESS_TEMPLATE if not group else ACCESS_TEMPLATE + f'group = "{group}"\n'
    # The access file is the admin's: group members may read it, not replace it. Created
    # exclusively, never through a link someone left there.
    fd = os.open(access_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o640)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    access_file.chmod(0o640)
    if gid is not None:
        os.chown(store_path, -1, gid)
        os.chown(access_file, -1, gid)
        for p in store_path.rglob("*"):
            os.chown(p, -1, gid)
    # setgid: new folders and files inherit the group; sticky: members cannot remove or replace
    # files they do not own (the access file among them).
    store_path.chmod(0o3770 | stat.S_IRWXU)
    print(f"已创建空数据目录：{store_path}" + (f"（用户组 {group}）" if group else ""))
    if office:
        print(f"单位：{office.get('county', cfg.county)}{office.get('town', cfg.town)}（标题栏与报告使用）")
    else:
        print(f"未设乡镇名称：标题栏与报告用配置文件的 town/county（现为 {cfg.county}{cfg.town}）")
    print(f"角色设置：{access_file}")
    return EXIT_OK


def _office_names(town: str | None, county: str | None) -> dict[str, str]:
    """The town and county ``init`` writes into the store: as given, else asked on a terminal."""
    names = {"town": (town or "").strip(), "county": (county or "").strip()}
    if _is_terminal(sys.stdin):
        questions = {"town": "乡镇名称（如 赵庄镇，回车跳过）：", "county": "所属县（市、区）（如 宝丰县，回车跳过）："}
        for key, question in questions.items():
            if not names[key]:
                try:
                    names[key] = input(question).strip()
                except EOFError:
                    break
    return {k: v for k, v in names.items() if v}


@subcommand("whoami", "显示当前用户在数据目录中的角色")
def cmd_whoami(run: Invocation) -> int:
    store_path = run.store_path
    from .access import resolve_access

    a = resolve_access(store_path)
    print(f"用户：{a.user}  角色：{a.role_label}（{a.role}）")
    print(f"个人信息：{'可查看' if a.sees_pii else '脱敏显示'}")
    print(f"角色来源：{a.policy.source}")
    return EXIT_OK


@subcommand(
    "history",
    "显示一条记录的全部版本：谁在何时把哪些字段从什么改成什么",
    arg("table", metavar="表"),
    arg("record", metavar="编号"),
)
def cmd_history(run: Invocation) -> int:
    args, cfg, store_path = run.args, run.cfg, run.store_path
    from .runtime import open_runtime
    from .store.audit import history_diff

    rt = open_runtime(cfg, store_path)
    try:
        spec = rt.opened().spec(args.table)
        versions = history_diff(rt.opened(), args.table, args.record)
    finally:
        rt.close()
    if not versions:
        raise CliError(f"表 {spec.label} 中没有编号为 {args.record} 的记录")
    print(visible(f"{spec.label} {args.record}：共 {len(versions)} 个版本"))
    for v in versions:
        print(visible(v.describe()))
    return EXIT_OK


@subcommand(
    "tables",
    "列出所有表：列、类型、中文名、主键、个人信息列、代码表",
    arg("--json", action="store_true", help="以 JSON 输出"),
    needs_store=False,
)
def cmd_tables(run: Invocation) -> int:
    args, cfg = run.args, run.cfg
    from .runtime import load_plugins, table_specs

    host = load_plugins(cfg)
    specs = table_specs(host, cfg)
    if args.json:
        print(json.dumps([s.describe() for s in specs], ensure_ascii=False, indent=2))
        return EXIT_OK
    from rich.cells import cell_len
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(soft_wrap=False)
    for spec in specs:
        d = spec.describe()
        t = Table(title=f"{spec.name}（{spec.label}） 主键：{spec.key}；* 为必填", title_justify="left")
        # Names a user types (the column, its code table or the table it refers to) are never
        # cut: the Chinese label, the type and the PII kind wrap instead.
        names = [c["name"] + ("*" if c["required"] else "") for c in d["columns"]]
        values = [
            f"代码表 {c['codes']}" if c["codes"] else (f"引用 {c['ref']}" if c["ref"] else "") for c in d["columns"]
        ]
        t.add_column("列", no_wrap=True, min_width=max(map(len, names)))
        t.add_column("中文名", overflow="fold", min_width=8)
        t.add_column("类型", overflow="fold", min_width=6)
        t.add_column("个人信息", overflow="fold", min_width=5)
        t.add_column("取值", no_wrap=True, min_width=max([4, *map(cell_len, values)]))
        for c, name, value in zip(d["columns"], names, values, strict=True):
            t.add_row(name, c["label"], c["type"], c["pii"] or "", value)
        console.print(t)
        for code_table, codes in spec.code_tables.items():
            console.print(Text(f"  代码表 {code_table}：{'、'.join(codes)}"), soft_wrap=False)
            # An old spelling still accepted is said, so a file or query that uses it is no surprise.
            for old, now in spec.code_aliases_of(code_table).items():
                console.print(Text(f"    旧写法 {old} 视同 {now}"), soft_wrap=False)
    return EXIT_OK


@subcommand(
    "sql",
    "只读 SQL 查询（每表一个现状视图，<表>_history 为全部版本）",
    arg("query", metavar="SQL", help="一条 SELECT 语句"),
    arg(
        "--format",
        choices=("table", "line", "csv", "json"),
        default="table",
        help="输出格式（默认 table；line 为每条记录一段、每列一行）",
    ),
)
def cmd_sql(run: Invocation) -> int:
    args, cfg, store_path = run.args, run.cfg, run.store_path
    from .runtime import open_runtime
    from .store.sql import run_readonly_rows

    rt = open_runtime(cfg, store_path)
    # On a terminal the rows shown are bounded; csv and json to a file or a pipe get them all.
    bounded = args.format in ("table", "line") or _is_terminal(sys.stdout)
    limit = cfg.limits.sql_rows if bounded else None
    try:
        table, more = run_readonly_rows(rt.opened(), args.query, limit)
    finally:
        rt.close()
    write_table(table, args.format, sys.stdout)
    if more:
        print(
            f"（只显示前 {limit:,} 行，结果还有更多；加 LIMIT/WHERE 缩小范围，或用 --format csv > 文件 取得全部）",
            file=sys.stderr,
        )
    return EXIT_OK


def write_table(table, fmt: str, out) -> None:
    rows = table.to_pylist()
    names = table.column_names
    if fmt == "json":
        # JSON escapes control characters itself (\u001b).
        out.write(json.dumps(rows, ensure_ascii=False, default=str, indent=1) + "\n")
    elif fmt == "csv":
        # Raw for a file or a pipe (the data as stored); on a terminal, escapes stay visible text.
        shown = visible if _is_terminal(out) else (lambda v: v)
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(names)
        for r in rows:
            w.writerow(["" if r[n] is None else shown(r[n]) if isinstance(r[n], str) else r[n] for n in names])
        out.write(buf.getvalue())
    else:
        from rich.console import Console

        from .cli_table import print_records, print_table

        # Every cell is Text: a stored "[/]" or "[link=…]" is shown as typed, never as markup,
        # and control characters as escapes.
        heads = [visible(n, one_line=True) for n in names]
        cells = [["" if r[n] is None else visible(str(r[n]), one_line=True) for n in names] for r in rows]
        console = Console(file=out, soft_wrap=False)
        if fmt == "line":
            print_records(console, heads, cells)
            console.print(f"共 {len(rows)} 行")
            return
        left_out = print_table(console, heads, cells)
        console.print(f"共 {len(rows)} 行")
        if left_out:
            console.print(
                f"（终端宽 {console.width} 列，放不下全部 {len(names)} 列：省略了中间的 {len(left_out)} 列"
                f"（{'、'.join(left_out)}）。用 --format line 逐条显示全部列，或在 SELECT 中只选需要的列）"
            )


def _is_terminal(out) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


@subcommand(
    "check",
    "检查数据目录：无法读取或外来的文件、结构漂移、重复主键、悬空引用",
    arg("--quarantine", action="store_true", help="把有问题的文件移到 quarantine/ 下"),
    arg(
        "--repair",
        action="store_true",
        help="（管理员）某表最新一代的文件缺失、改动或清单损坏时，把它移到 quarantine/，退回上一代完好的数据",
    ),
)
def cmd_check(run: Invocation) -> int:
    args, cfg, store_path = run.args, run.cfg, run.store_path
    from .runtime import open_runtime
    from .store.check import check_store, quarantine, repair

    rt = open_runtime(cfg, store_path)
    try:
        for name, info in rt.plugins.infos.items():
            for err in info.errors:
                print(f"注意：插件 {name}：{err}")
        report = check_store(rt.opened())
        if args.repair:
            repair(rt.opened(), report)
        if args.quarantine:
            quarantine(rt.opened(), report)
        after = check_store(rt.opened()) if report.moved else report
    finally:
        rt.close()
    for p in report.problems:
        print(p.describe())
    for src, dest in report.moved:
        print(f"已隔离：{src} → {dest}")
    if report.moved:
        print(f"隔离的文件在 {report.quarantine_dir}（保留原相对路径）；确认无用后可删除")
    if not report.problems:
        print(f"检查通过：{store_path} 共 {len(rt.specs)} 张表，未发现问题")
        return EXIT_OK
    n_err = len(report.errors)
    print(f"发现 {n_err} 个错误、{len(report.problems) - n_err} 个提示")
    if after is not report:
        # Say what is left after moving files, from a fresh look rather than by subtraction.
        if after.errors:
            print("处理后复查，仍有：")
            for p in after.errors:
                print(p.describe())
        else:
            print("处理后复查：未发现错误")
    return EXIT_FOUND if after.errors else EXIT_OK


@subcommand(
    "compact",
    "整理：把版本文件合并为新一代基础文件（可与他人读写同时进行）",
    arg("tables", nargs="*", metavar="表", help="只整理这些表（默认全部）"),
    arg(
        "--fold",
        action="store_true",
        help="只把新版本并入基础文件，只重写涉及的月份（有写权限即可；写入较多后程序会自动进行）",
    ),
)
def cmd_compact(run: Invocation) -> int:
    args, cfg, store_path = run.args, run.cfg, run.store_path
    from .runtime import open_runtime
    from .store.compact import compact

    rt = open_runtime(cfg, store_path)
    try:
        # Folds and compactions sort whole months or tables: bounded, spilling beyond it (a fold
        # after a 10M-row import peaked at 4.6 GB with the query limit).
        _bounded_writer(rt.opened(), cfg)
        for t in args.tables:
            rt.opened().spec(t)
        if args.fold:
            rt.opened().auto_fold = False
            results = [rt.opened().fold(t) for t in (args.tables or rt.opened().specs)]
        else:
            results = compact(rt.opened(), args.tables or None)
    finally:
        rt.close()
    for r in results:
        print(r.describe())
    return EXIT_OK


def _bounded_writer(store, cfg: Config) -> None:
    """A process that imports or folds: DuckDB's sorts within ``write_memory`` (spilling beyond
    it), and Arrow's freed memory handed back as it goes (store/limits.py)."""
    from .store.limits import use_returning_allocator

    use_returning_allocator()
    store.limit_memory(cfg.limits.write_memory)


@subcommand(
    "snapshot",
    "快照：先整理，再把各表的现行记录以 Hive 分区 Parquet 发布到数据目录之外（供 Spark、Trino 等读取）",
    arg("dest", metavar="目录", help="快照目录（新建或空目录，不能在数据目录之内）"),
    arg("tables", nargs="*", metavar="表", help="只包括这些表（默认全部）"),
)
def cmd_snapshot(run: Invocation) -> int:
    args, cfg, store_path = run.args, run.cfg, run.store_path
    from .runtime import open_runtime
    from .store.snapshot import MANIFEST_NAME, make_snapshot

    rt = open_runtime(cfg, store_path)
    try:
        store = rt.opened()
        store.auto_fold = False  # the snapshot folds each table itself, in this process
        results = make_snapshot(store, Path(args.dest), args.tables or None)
    finally:
        rt.close()
    dest = Path(args.dest).resolve()
    for r in results:
        how = "硬链接" if r.linked else "复制"
        note = "（先整理了新版本）" if r.folded else ""
        print(f"{r.table}：{r.records:,} 条现行记录，{len(r.files)} 个文件（第 {r.gen or '—'} 代，{how}）{note}")
    print(f"快照已写入 {dest}，清单：{dest / MANIFEST_NAME}")
    return EXIT_OK


@subcommand(
    "plugins",
    "列出插件：名称、版本、来源、实现的钩子、状态与错误（有插件失败或出错时退出码为 1）",
    arg("--json", action="store_true", help="以 JSON 输出"),
    needs_store=False,
)
def cmd_plugins(run: Invocation) -> int:
    args, cfg = run.args, run.cfg
    from .runtime import load_plugins, open_runtime, run_plugin_queries, table_specs
    from .store.layout import MARKER

    store_path, _source = resolve_store_path(getattr(args, "store", None), cfg)
    note = None
    if (store_path / MARKER).is_file():
        # With a store, the plugins' queries run once too, so their later failures show here.
        rt = open_runtime(cfg, store_path)
        try:
            host = rt.plugins
            host.check_contributions()
            run_plugin_queries(rt, today())
        finally:
            rt.close()
    else:
        host = load_plugins(cfg)
        table_specs(host, cfg)
        host.check_contributions()  # calling every contribution hook records its failures too
        note = f"（没有数据目录 {store_path}：未运行各插件的指标与检查）"
    infos = [i.as_dict() for i in host.infos.values()]
    # As `figures` and `check` do: 1 when some plugin failed or has errors (a script or a county's
    # check of every township can tell); a copy not loaded because of its name is only a notice.
    code = (
        EXIT_FOUND
        if any(i["status"] == "failed" or (i["status"] != "skipped" and i["errors"]) for i in infos)
        else EXIT_OK
    )
    if args.json:
        print(json.dumps(infos, ensure_ascii=False, indent=2))
        return code
    sources = {"host": "宿主", "built-in": "内置", "entry point": "入口点", "folder": "插件目录", "unknown": "未知"}
    for i in infos:
        if i["status"] == "skipped":
            status = "未加载（重名）"
        elif i["status"] == "failed":
            status = "失败"
        else:
            status = "正常" if not i["errors"] else "有错误"
        print(f"{i['name']}  {i['version']}  [{sources.get(i['source'], i['source'])}]  {status}")
        if i["location"]:
            print(f"    位置：{i['location']}")
        if i["hooks"]:
            print(f"    钩子：{', '.join(i['hooks'])}")
        for e in i["errors"]:
            print(f"    错误：{e}")
    if note:
        print(note)
    return code


@subcommand("summary", "打印数据目录概况（各表记录数）")
def cmd_summary(run: Invocation) -> int:
    cfg, store_path = run.cfg, run.store_path
    from .runtime import open_runtime

    rt = open_runtime(cfg, store_path)
    try:
        info = rt.opened().info
        kind = f"演示数据（基准日 {info.get('today')}）" if info.get("demo") else "正式数据"
        print(f"数据目录：{store_path}  {kind}")
        for spec in rt.specs:
            print(f"  {spec.label}（{spec.name}）：{rt.opened().count(spec.name)} 条")
    finally:
        rt.close()
    return EXIT_OK


def _progress_printer():
    """Rows read and validated, on one line of a terminal; nothing when output is redirected."""
    if not sys.stderr.isatty():
        return None
    state = {"last": 0.0}

    def show(stage: str, n: int) -> None:
        import time

        now = time.monotonic()
        if now - state["last"] > 0.2:
            state["last"] = now
            print(f"\r{stage}：{n:,} 行", end="", file=sys.stderr, flush=True)

    return show


@subcommand(
    "import",
    "导入 CSV / Excel / Parquet 文件（网格表还可导入 GeoJSON）：先全部校验，全部成功才写入",
    arg("table", metavar="表", help="目标表，如 grids、people、hotline"),
    arg("file", metavar="文件"),
    arg("--sheet", metavar="工作表", help="Excel 工作表名（默认第一个）"),
    arg("--dry-run", action="store_true", help="只校验，显示将写入的内容，不写入"),
    arg("--update", action="store_true", help="已存在的记录按文件内容更新（保留历史版本）"),
)
def cmd_import(run: Invocation) -> int:
    args, cfg, store_path = run.args, run.cfg, run.store_path
    from .runtime import open_runtime
    from .transfer.importer import plan_import, run_import
    from .transfer.read import ImportFileError, encoding_name

    rt = open_runtime(cfg, store_path)
    # A fold after a big import runs in a process of its own (below): its memory is not the
    # import's, and the import's is freed first.
    rt.opened().auto_fold = False
    # A big import sorts its rows into month files (store/bulk.py): bounded, spilling beyond it.
    _bounded_writer(rt.opened(), cfg)
    progress = _progress_printer()
    try:
        try:
            plan = plan_import(
                rt.opened(), args.table, args.file, sheet=args.sheet, update=args.update, progress=progress
            )
        except ImportFileError as exc:
            raise CliError(str(exc)) from None
        finally:
            if progress:
                print("\r", end="", file=sys.stderr)
        for h in plan.unknown_headers:
            print(f"注意：{plan.path.name} 中的“{h}”列不属于表 {args.table}，已忽略", file=sys.stderr)
        for note in plan.notes:
            print(f"注意：{note}", file=sys.stderr)
        detail = (
            f"（编码 {encoding_name(plan.encoding)}）"
            if plan.encoding
            else (f"（工作表 {plan.sheet}）" if plan.sheet else "")
        )
        if args.dry_run:
            print(f"校验通过{detail}：{plan.path.name} → {args.table}，将{plan.describe()}。未写入（--dry-run）")
            return EXIT_OK
        if plan.rows == 0:
            print(f"{plan.path.name}：与现有数据相同，无需写入（{plan.describe()}）")
            return EXIT_OK
        run_import(rt.opened(), plan)
        print(f"已导入{detail}：{plan.path.name} → {args.table}，{plan.describe()}")
        fold = _fold_due(rt.opened(), args.table)
    finally:
        rt.close()
    if fold is not None:
        _fold_in_child(args, store_path, args.table, fold)
    return EXIT_OK


@subcommand(
    "export",
    "导出表为 CSV（UTF-8（带 BOM），Excel 可直接打开）、Excel 或 Parquet；无权查看个人信息时自动脱敏",
    arg("table", metavar="表"),
    arg("-o", "--output", required=True, metavar="文件", help="输出文件（.csv / .xlsx / .parquet）"),
    arg("--year", type=int, metavar="年份", help="只导出该年度（按表的日期列）"),
    arg("--where", action="append", default=[], metavar="列=值", help="筛选条件（列名或中文列名），可多次给出"),
    arg("--format", choices=("csv", "xlsx", "parquet"), help="格式（默认按扩展名）"),
)
def cmd_export(run: Invocation) -> int:
    args, cfg, store_path = run.args, run.cfg, run.store_path
    from .runtime import open_runtime
    from .transfer.exporter import ExportError, export_rows, guess_format, select_rows

    out = Path(args.output)
    if args.year is not None and not (1900 <= args.year <= 2099):
        raise CliError(f"--year 应为 1900—2099 之间的年份，实为 {args.year}")
    where = []
    for item in args.where:
        if "=" not in item:
            raise CliError(f"--where 应为 列=值 的形式，实为“{item}”")
        k, v = item.split("=", 1)
        where.append((k.strip(), v.strip()))
    rt = open_runtime(cfg, store_path)
    try:
        spec = rt.opened().spec(args.table)
        try:
            fmt = guess_format(out, args.format)
            rows = select_rows(rt.opened(), spec, year=args.year, where=where)
            result = export_rows(rows, spec, out, fmt, may_see_pii=rt.opened().access.sees_pii)
        except ExportError as exc:
            raise CliError(str(exc)) from None
    finally:
        rt.close()
    print(f"已导出 {result.rows} 条到 {result.path}（{result.format}）")
    if result.masked:
        print(f"按个人信息保护要求，以下列已脱敏：{'、'.join(result.masked)}")
    return EXIT_OK


@subcommand(
    "report",
    "起草年度法治政府建设情况报告：数据目录中的报告文本（默认依据2023年报告）填入各插件的指标，"
    "输出 Markdown 或 .docx（GB/T 9704）",
    arg("--year", metavar="YYYY", help="报告年度（默认：上一年度；“今年”取 FAZHI_TODAY 或系统日期）"),
    arg("-o", "--output", metavar="文件", help="写入该文件：.md 为 Markdown，.docx 为公文格式（默认打印 Markdown）"),
    epilog="指标无数据、插件出错或章节生成失败时，报告照常写出，该处标为【缺：…】并列出，退出码为 1。",
)
def cmd_report(run: Invocation) -> int:
    args, cfg, store_path = run.args, run.cfg, run.store_path
    from .report.assemble import ReportYearError, assemble, parse_year, write_atomic, write_error
    from .runtime import open_runtime

    day = today()
    try:
        year = parse_year(args.year, day)
    except ReportYearError as exc:
        raise CliError(str(exc)) from None
    out = Path(args.output) if args.output else None
    if out is not None and out.is_dir():
        raise CliError(f"无法写入 {out}：这是一个目录")
    if out is not None and out.suffix.lower() not in (".md", ".markdown", ".txt", ".docx"):
        raise CliError(f"无法按扩展名 “{out.suffix or '（无）'}” 写报告：请用 .md 或 .docx（如 report.docx）")
    rt = open_runtime(cfg, store_path)
    try:
        report = assemble(rt.plugins, rt.opened(), cfg, year, day)
    finally:
        rt.close()
    if out is not None:
        from .trust import output_inside_store

        if output_inside_store(out):
            raise CliError(output_inside_store(out))
        try:
            if out.suffix.lower() == ".docx":
                from .report.docx import write_docx

                write_docx(report, out)
            else:
                write_atomic(out, report.markdown())
        except OSError as exc:
            raise CliError(write_error(out, exc)) from None
        print(f"已生成 {year} 年度报告：{out}（{report.document.source_text}）")
    else:
        sys.stdout.write(report.markdown())
    for gap in report.gaps:
        print(f"注意：{gap}", file=sys.stderr)
    if report.gaps:
        print(f"报告有 {len(report.gaps)} 处缺失（已标为【缺：…】），其余内容已写出", file=sys.stderr)
        return EXIT_FOUND
    return EXIT_OK


REVIEW_PLUGIN = "fazhi_review"


@subcommand(
    "review",
    "打印今日待办（每日待办）：各插件的检查结果，已处理与暂缓的不列；有待办时退出码为 1",
    arg("--grid", metavar="网格", help="只列该网格（网格编号或名称；默认全镇）"),
    arg("--user", metavar="用户", help="只列指派给该用户的与未指派的事项"),
    arg("--format", choices=("text", "json", "md"), default="text", help="输出格式（默认 text）"),
    epilog="退出码：0 没有待办；1 有待办（或有检查出错，列表可能不全）；2 出错。适合 cron 每日发送。",
)
def cmd_review(run: Invocation) -> int:
    """Today's queue, as the dashboard's 每日待办 shows it. The queue and its marks belong to the
    fazhi_review plugin, so this asks the plugin host for it by name (the one subcommand that
    does; a plugin cannot add subcommands yet)."""
    import importlib

    args, cfg, store_path = run.args, run.cfg, run.store_path

    from .context import Context, Grid
    from .period import Period
    from .runtime import open_runtime, review_checks

    rt = open_runtime(cfg, store_path)
    try:
        plugin = rt.plugins.pm.get_plugin(REVIEW_PLUGIN)
        if plugin is None:
            raise CliError(
                f"每日待办插件 {REVIEW_PLUGIN} 未加载（检查 FAZHI_PLUGINS 与配置中的 plugins；fazhi-tui plugins 列出原因）"
            )
        package = plugin.__name__
        queue_mod = importlib.import_module(f"{package}.queue")
        digest = importlib.import_module(f"{package}.digest")
        store = rt.opened()
        grid = None
        if args.grid:
            rows = store.query(
                "SELECT code, name, village FROM grids WHERE code = ? OR name = ? ORDER BY code", [args.grid, args.grid]
            ).to_pylist()
            if not rows:
                raise CliError(
                    f'没有编号或名称为“{args.grid}”的网格（fazhi-tui sql "SELECT code, name FROM grids" 列出全部）'
                )
            if len(rows) > 1:
                raise CliError(
                    f"名称为“{args.grid}”的网格有 {len(rows)} 个，请用网格编号：{'、'.join(r['code'] for r in rows)}"
                )
            grid = Grid(rows[0]["code"], rows[0]["name"] or rows[0]["code"], rows[0]["village"] or "")
        day = today()
        ctx = Context(
            store=store,
            period=Period.year(day.year),
            today=day,
            grid=grid,
            user=store.user,
            role=store.access.role_label,
            town=cfg.town,
            settings=cfg.plugin_settings(REVIEW_PLUGIN),
            review_checks=review_checks(rt.plugins, cfg),
        )
        queue = queue_mod.build_queue(ctx)
    finally:
        rt.close()
    sys.stdout.write(digest.render(queue, args.format, town=cfg.town, user=args.user))
    for e in queue.entries:
        if e.status == queue_mod.FAILED:
            print(f"注意：插件 {e.plugin} 的检查“{e.check_title}”出错：{e.error}", file=sys.stderr)
    return digest.exit_status(queue, args.user)


@subcommand(
    "figures",
    "列出各插件提供的报告指标：名称、数值、中文名与插件",
    arg("--year", metavar="YYYY", help="年度（默认：上一年度）"),
    arg("--json", action="store_true", help="以 JSON 输出"),
    epilog="无数据的指标显示为“无数据”；有指标计算出错或插件未能加载时退出码为 1。",
)
def cmd_figures(run: Invocation) -> int:
    args, cfg, store_path = run.args, run.cfg, run.store_path
    from .report.assemble import ReportYearError, parse_year
    from .report.figures import FigureBook, phrase_value
    from .runtime import open_runtime

    day = today()
    try:
        year = parse_year(args.year, day)
    except ReportYearError as exc:
        raise CliError(str(exc)) from None
    rt = open_runtime(cfg, store_path)
    try:
        book = FigureBook.load(rt.plugins, rt.opened(), cfg, year, day)
        values = book.values()
    finally:
        rt.close()
    failed = [v for v in values if v.error]
    if args.json:
        print(
            json.dumps(
                {"year": year, "figures": [v.as_dict() for v in values], "problems": book.problems},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(f"{year}年度指标（{len(values)} 项）")
        name_w = max([len(v.name) for v in values] + [4])
        texts = [
            "出错" if v.error else "无数据" if v.value is None else phrase_value(v.value, v.unit, approximate=False)
            for v in values
        ]
        value_w = max([_width(t) for t in texts] + [4])
        for v, text in zip(values, texts, strict=True):
            line = f"{v.name.ljust(name_w)}  {text}{' ' * (value_w - _width(text))}  {v.label}（{v.plugin}）"
            print(
                line + (f"  约写作 {phrase_value(v.value, v.unit, approximate=True)}" if v.approx and v.value else "")
            )
        for v in failed:
            print(f"注意：指标 {v.name}（{v.plugin}）出错：{v.error}", file=sys.stderr)
        for problem in book.problems:
            print(f"注意：{problem}", file=sys.stderr)
    return EXIT_FOUND if failed or book.problems else EXIT_OK


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fold_due(store, table: str) -> str | None:
    """Why the table's new versions should be folded now (store/fold.py), or None."""
    from .store.fold import fold_due

    plan = fold_due(store.spec(table), store.files(table))
    return None if plan is None else plan.reason


def fold_command(args, store_path: Path, table: str) -> list[str]:
    """``fazhi-tui compact --fold TABLE`` for this store, config and plugin folders."""
    argv = [sys.executable, "-m", "fazhi_tui", "compact", "--fold", table, "--store", str(store_path)]
    if getattr(args, "config", None):
        argv += ["--config", str(args.config)]
    for d in getattr(args, "plugins_dir", []) or []:
        argv += ["--plugins-dir", str(d)]
    return argv


def _fold_in_child(args, store_path: Path, table: str, reason: str) -> None:
    """``fazhi-tui compact --fold TABLE`` in a new process, waited for and reported: what a
    dashboard does on a thread after a save, but a million imported rows fold in a process whose
    memory is its own (the import's peak and the fold's are each about half a GiB at 1M rows)."""
    import subprocess

    argv = fold_command(args, store_path, table)
    print(f"正在整理数据（{reason}，把新版本并入基础文件以保持查询速度）…", file=sys.stderr, flush=True)
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if done.returncode == 0:
        for line in done.stdout.splitlines():
            print(f"已整理：{line}", file=sys.stderr)
    else:
        why = (done.stderr.strip().splitlines() or ["未知原因"])[-1]
        print(
            f"注意：自动整理未完成（{why}）；数据已导入、不受影响，可稍后运行 fazhi-tui compact --fold {table}",
            file=sys.stderr,
        )


@subcommand(
    "run",
    "运行插件的命令（与仪表盘命令面板 ctrl+p 中的相同）；--list 列出全部命令",
    arg("name", nargs="?", metavar="命令", help="命令名，如 hotline_open_summary"),
    arg("--list", action="store_true", help="列出全部命令：名称、标题、所属插件、说明"),
    arg("--year", type=int, metavar="年份", help="命令所用的期间（默认：今年）"),
    arg("--grid", metavar="网格编码", help="只看该网格（默认：全镇）"),
    needs_store=False,
)
def cmd_run(run: Invocation) -> int:
    from .runtime import load_plugins

    args = run.args
    host = load_plugins(run.cfg)
    commands = host.contributions("fazhi_commands")
    if args.list or not args.name:
        if not commands:
            print("没有插件提供命令")
        for c in commands:
            command = c.value
            print(
                f"{command.name}  {command.title}  [{c.plugin}]"
                + (f"\n    {command.description}" if command.description else "")
            )
        return EXIT_OK
    found = next((c for c in commands if c.value.name == args.name), None)
    if found is None:
        names = "、".join(c.value.name for c in commands) or "（无）"
        raise CliError(f"没有名为 {args.name} 的命令（可用：{names}；fazhi-tui run --list 列出全部）")
    run.ensure_store()
    return _run_command(run, found)


def _run_command(run: Invocation, found: Contribution) -> int:
    """One plugin command, in the context the dashboard would give it (the year, the grid)."""
    from .context import Context, Grid
    from .period import Period
    from .plugins import describe_exception
    from .runtime import open_runtime

    command: Command = found.value
    day = today()
    rt = open_runtime(run.cfg, run.store_path)
    try:
        grid = None
        if run.args.grid:
            rows = (
                rt.opened().query("SELECT code, name, village FROM grids WHERE code = ?", [run.args.grid]).to_pylist()
            )
            if not rows:
                raise CliError(f"没有编码为 {run.args.grid} 的网格")
            grid = Grid(rows[0]["code"], rows[0]["name"] or rows[0]["code"], rows[0]["village"] or "")
        try:
            period = Period.year(run.args.year or day.year)
        except ValueError as exc:
            raise CliError(f"--year：{exc}") from None
        ctx = Context(
            store=rt.opened(),
            period=period,
            today=day,
            grid=grid,
            user=rt.opened().user,
            role=rt.opened().access.role_label,
            town=run.cfg.town,
            settings=run.cfg.plugin_settings(found.plugin),
            grid_figures=tuple(c.value for c in rt.plugins.contributions("fazhi_grid_figures")),
        )
        try:
            message = command.run(ctx)
        except (CliError, StoreError):
            raise
        except Exception as exc:
            raise CliError(f"插件 {found.plugin} 的命令「{command.title}」出错：{describe_exception(exc)}") from None
    finally:
        rt.close()
    print(f"{command.title}：{message}" if message else f"{command.title}：已完成")
    return EXIT_OK


def cmd_dashboard(run: Invocation) -> int:
    """No subcommand: the dashboard (the summary where Textual cannot be imported)."""
    cfg, store_path = run.cfg, run.store_path
    # The store opens and its start-up queries begin in a thread before Textual is imported, so
    # the two overlap (see fazhi_tui/ui/startup.py, which imports no Textual).
    from .ui.startup import start_runtime

    started = start_runtime(cfg, store_path, today())
    try:
        from .ui.app import run_dashboard
    except ImportError:
        started.close()
        return cmd_summary(run)
    # Folds after the dashboard's saves run in child processes: their memory is not the
    # dashboard's (store/child_folds.py).
    return run_dashboard(cfg, store_path, started, fold_argv=functools.partial(fold_command, run.args, store_path))


if __name__ == "__main__":
    sys.exit(main())
