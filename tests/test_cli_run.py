"""``fazhi-tui run``: plugin commands from the command line, as the palette runs them; and the
subcommand registry every subcommand goes through."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from fazhi_tui import cli
from fazhi_tui.cli import SUBCOMMANDS, Invocation, arg, build_parser, main, subcommand

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("run") / "store"
    assert main(["demo", "--store", str(path), "--today", "2026-11-26", "--plugins-dir", str(EXAMPLES)]) == 0
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_list_names_the_built_ins_commands_and_a_plugins(demo_store, capsys):
    code, out, _ = run(capsys, "run", "--list", "--store", str(demo_store), "--plugins-dir", str(EXAMPLES))
    assert code == 0
    assert "hotline_open_summary  12345未办结工单概况  [fazhi_hotline]" in out
    assert "duty_today" in out and "[duty_roster]" in out


def test_run_gives_the_commands_message_in_the_dashboards_context(demo_store, capsys):
    from fazhi_hotline.open_list import open_counts
    from fazhi_tui.api import Context, Period
    from fazhi_tui.config import Config
    from fazhi_tui.plugins import PluginHost
    from fazhi_tui.runtime import table_specs
    from fazhi_tui.store import Store

    code, out, _ = run(capsys, "run", "hotline_open_summary", "--store", str(demo_store))
    assert code == 0
    host = PluginHost.load()
    store = Store.open(demo_store, table_specs(host, Config()))
    try:
        ctx = Context(store=store, period=Period.year(2026), today=cli.today(), town=Config().town)
        total, overdue, due_soon = open_counts(ctx)
    finally:
        store.close()
    assert out.strip() == (
        f"12345未办结工单概况：全镇未办结工单 {total} 件：超期 {overdue} 件，即将到期 {due_soon} 件（一个工作日内，时限不晚于 11-27）"
    )


def test_run_with_a_grid_and_a_year(demo_store, capsys):
    code, out, _ = run(capsys, "run", "hotline_open_summary", "--year", "2025", "--store", str(demo_store))
    assert code == 0 and out.startswith("12345未办结工单概况：全镇未办结工单 ")
    code, _, err = run(capsys, "run", "hotline_open_summary", "--grid", "nope", "--store", str(demo_store))
    assert code == 2 and "没有编码为 nope 的网格" in err


def test_an_unknown_command_names_the_known_ones(demo_store, capsys):
    code, _, err = run(capsys, "run", "nope", "--store", str(demo_store))
    assert code == 2 and "没有名为 nope 的命令" in err and "hotline_open_summary" in err


def test_a_command_that_raises_names_its_plugin(tmp_path, demo_store, capsys):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "bad_cmd.py").write_text(
        "from fazhi_tui.api import Command, hookimpl\n"
        "def boom(ctx):\n    raise LookupError('没有这个网格')\n"
        "@hookimpl\ndef fazhi_commands():\n    return [Command('bad_cmd', '坏命令', boom)]\n",
        "utf-8",
    )
    code, _, err = run(capsys, "run", "bad_cmd", "--store", str(demo_store), "--plugins-dir", str(folder))
    assert code == 2 and "插件 bad_cmd 的命令「坏命令」出错：LookupError: 没有这个网格" in err


def test_a_subcommand_is_one_decorator_beside_its_handler(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(cli, "SUBCOMMANDS", dict(SUBCOMMANDS))
    seen: list[Invocation] = []

    @subcommand("hello", "问好", arg("who", metavar="谁"), needs_store=False)
    def cmd_hello(run: Invocation) -> int:
        seen.append(run)
        print(f"你好，{run.args.who}")
        return 0

    assert main(["hello", "张三", "--store", str(tmp_path / "none")]) == 0
    assert capsys.readouterr().out == "你好，张三\n"
    assert isinstance(seen[0].args, argparse.Namespace) and seen[0].store_path == (tmp_path / "none").resolve()
    with pytest.raises(ValueError):
        subcommand("hello", "again")(cmd_hello)


def test_every_subcommand_in_the_parser_is_a_registered_one():
    subs = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert list(subs) == list(SUBCOMMANDS)
    assert "run" in subs
