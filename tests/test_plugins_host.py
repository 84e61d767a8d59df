"""Finding and loading plugins, and checking what they contribute."""

from __future__ import annotations

import importlib.metadata

import pytest

from fazhi_tui.config import load_config
from fazhi_tui.contrib import PanelSpec
from fazhi_tui.plugins import HOST_NAME, PluginHost

from .shell_fixtures import EXAMPLES, write_plugin


def test_built_in_plugins_come_through_the_entry_point_group():
    names = {ep.name: ep for ep in importlib.metadata.entry_points(group="fazhi_tui")}
    assert names["fazhi_overview"].value == "fazhi_overview"
    host = PluginHost.load()
    info = host.infos["fazhi_overview"]
    assert (info.source, info.status, info.hooks) == ("built-in", "loaded", ["fazhi_panels"])
    assert list(host.infos)[0] == HOST_NAME


def test_folder_plugins_load_as_modules_and_packages(tmp_path):
    write_plugin(tmp_path, "loose", "__version__ = '2.0'\n")
    host = PluginHost.load(plugin_dirs=[tmp_path, EXAMPLES])
    assert host.infos["loose"].source == "folder" and host.infos["loose"].version == "2.0"
    roster = host.infos["duty_roster"]
    assert roster.status == "loaded" and "fazhi_review_checks" in roster.hooks  # relative imports worked


def test_a_reloaded_folder_plugin_gets_its_own_submodules(tmp_path):
    for n in (1, 2):
        write_plugin(
            tmp_path / str(n),
            "pkg",
            "from .figures import N\nfrom fazhi_tui.api import hookimpl\n",
            files={"figures.py": f"N = {n}\n"},
        )
    first = PluginHost.load(plugin_dirs=[tmp_path / "1"]).pm.get_plugin("pkg")
    second = PluginHost.load(plugin_dirs=[tmp_path / "2"]).pm.get_plugin("pkg")
    assert (first.N, second.N) == (1, 2)


def test_missing_plugin_folder_is_reported(tmp_path):
    host = PluginHost.load(plugin_dirs=[tmp_path / "nowhere"])
    assert host.infos[str(tmp_path / "nowhere")].errors == ["插件目录不存在"]


def test_fazhi_plugins_restricts_loading(monkeypatch):
    monkeypatch.setenv("FAZHI_PLUGINS", "duty_roster")
    host = PluginHost.load(only=load_config().plugins, plugin_dirs=[EXAMPLES])
    assert set(host.infos) == {HOST_NAME, "duty_roster"}
    monkeypatch.setenv("FAZHI_PLUGINS", "")
    host = PluginHost.load(only=load_config().plugins, plugin_dirs=[EXAMPLES])
    assert set(host.infos) == {HOST_NAME}
    assert [s.name for s in host.table_specs()] == ["grids", "people", "report_paragraphs"]


def test_contributions_are_called_in_load_order_and_the_first_name_wins(tmp_path):
    write_plugin(
        tmp_path,
        "a_grids",
        """
        import pyarrow as pa
        from fazhi_tui.api import Column, TableSpec, hookimpl

        @hookimpl
        def fazhi_tables():
            return [TableSpec("grids", "冒名网格", (Column("k", pa.string(), "键"),), key="k")]
        """,
    )
    host = PluginHost.load(only=["a_grids"], plugin_dirs=[tmp_path])
    assert [c.plugin for c in host.collect("fazhi_tables")] == [HOST_NAME, "a_grids"]
    grids = next(s for s in host.table_specs() if s.name == "grids")
    assert grids.label == "网格" and host.table_owner["grids"] == HOST_NAME
    assert host.infos["a_grids"].errors == [f"表名 grids 已由 {HOST_NAME} 使用，本插件的同名表未加载"]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ("PanelSpec('Bad Name', '坏', object)", "名称 'Bad Name' 须为小写英文标识符"),
        ("PanelSpec('keyed', '坏', object, key='12')", "按键 '12' 须为一个英文字母"),
        ("PanelSpec('nofactory', '坏', None)", "factory 不可调用"),
        ("ReportSection('sec', '六', '坏', print)", "报告部分 '六' 未知"),
        ("Command('cmd', '坏', run='not callable')", "cmd 的 run 不可调用"),
        ("'a string'", "返回了非"),
    ],
)
def test_malformed_records_are_refused_with_a_message(tmp_path, record, message):
    hook = (
        "fazhi_report_sections"
        if "ReportSection" in record
        else "fazhi_commands"
        if "Command" in record
        else "fazhi_panels"
    )
    write_plugin(
        tmp_path,
        "malformed",
        f"""
        from fazhi_tui.api import Command, PanelSpec, ReportSection, hookimpl

        @hookimpl
        def {hook}():
            return [{record}]
        """,
    )
    host = PluginHost.load(plugin_dirs=[tmp_path])
    assert [c for c in host.contributions(hook) if c.plugin == "malformed"] == []
    assert any(message in e for e in host.infos["malformed"].errors), host.infos["malformed"].errors


def test_check_contributions_records_failures_of_every_hook(tmp_path):
    write_plugin(
        tmp_path,
        "fails",
        """
        from fazhi_tui.api import hookimpl

        @hookimpl
        def fazhi_grid_figures():
            raise RuntimeError("坏")

        @hookimpl
        def fazhi_review_checks():
            return None
        """,
    )
    host = PluginHost.load(plugin_dirs=[tmp_path])
    host.check_contributions()
    assert host.infos["fails"].errors == ["fazhi_grid_figures 出错：RuntimeError: 坏（fails.py:6）"]


def test_record_types_are_plain_data():
    spec = PanelSpec("p", "面板", object)
    assert (spec.order, spec.key, spec.description) == (100, None, "")
    with pytest.raises(AttributeError):
        spec.name = "q"  # frozen
