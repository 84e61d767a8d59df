"""The command line, run in-process on real stores."""

from __future__ import annotations

import json

import pytest

from fazhi_tui.cli import main
from fazhi_tui.store import layout


@pytest.fixture
def empty_store(tmp_path, capsys):
    path = tmp_path / "store"
    assert main(["init", "--store", str(path)]) == 0
    capsys.readouterr()
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version_and_help_document_every_subcommand(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert "fazhi-tui 0." in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    from fazhi_tui.cli import build_parser

    subs = next(a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction").choices
    assert {"demo", "init", "tables", "sql", "check", "compact", "plugins", "summary", "report"} <= set(subs)
    for sub in subs:
        assert sub in out
        with pytest.raises(SystemExit):
            main([sub, "--help"])
        assert "--store" in capsys.readouterr().out


def test_tables_json_lists_columns_labels_key_pii_and_codes(capsys):
    code, out, _ = run(capsys, "tables", "--json")
    assert code == 0
    tables = {t["name"]: t for t in json.loads(out)}
    people = tables["people"]
    assert people["key"] == "person_id"
    assert people["pii_columns"] == ["phone"]
    assert {"name": "badge_no", "label": "执法证号"}.items() <= next(
        c for c in people["columns"] if c["name"] == "badge_no"
    ).items()
    assert "网格长" in people["code_tables"]["person_role"]
    assert tables["grids"]["code_tables"]["grid_kind"] == ["综合", "专属"]


def test_sql_reads_current_and_history_views(empty_store, capsys):
    from fazhi_tui.config import Config
    from fazhi_tui.runtime import open_runtime

    rt = open_runtime(Config(), empty_store)
    rt.store.append("grids", [{"code": "G1", "name": "一网格", "kind": "综合", "village": "甲庄村"}])
    rt.store.update("grids", "G1", {"households": 300}, expected_rev=1)
    rt.close()
    code, out, _ = run(
        capsys, "sql", "SELECT code, households FROM grids", "--format", "json", "--store", str(empty_store)
    )
    assert code == 0 and json.loads(out) == [{"code": "G1", "households": 300}]
    code, out, _ = run(
        capsys, "sql", "SELECT _rev FROM grids_history ORDER BY 1", "--format", "csv", "--store", str(empty_store)
    )
    assert code == 0 and out.splitlines() == ["_rev", "1", "2"]


@pytest.mark.parametrize(
    "sql, reason",
    [
        ("INSERT INTO grids (code) VALUES ('x')", "INSERT"),
        ("CREATE TABLE t AS SELECT 1", "CREATE"),
        ("ATTACH 'other.duckdb'", "ATTACH"),
        ("INSTALL httpfs", "LOAD"),
        ("LOAD httpfs", "LOAD"),
        ("COPY grids TO 'out.csv'", "COPY"),
        ("SET enable_external_access = true", "SET"),
        ("SELECT 1; SELECT 2", "一条"),
        ("SELECT * FROM read_csv('/etc/passwd')", "拒绝访问"),
        ("SELECT * FROM read_parquet('/tmp/*.parquet')", "拒绝访问"),
        ("SELEC 1", "语法错误"),
    ],
)
def test_sql_refuses_anything_but_reading_the_store(empty_store, capsys, sql, reason):
    code, out, err = run(capsys, "sql", sql, "--store", str(empty_store))
    assert code == 2
    assert reason in err and out == ""


def test_sql_may_read_the_stores_own_files(empty_store, capsys):
    from fazhi_tui.config import Config
    from fazhi_tui.runtime import open_runtime

    rt = open_runtime(Config(), empty_store)
    rt.store.append("grids", [{"code": "G1", "name": "一网格", "kind": "综合", "village": "甲庄村"}])
    rt.close()
    glob = str(empty_store / "*" / "log" / "*.parquet")
    code, out, err = run(
        capsys,
        "sql",
        f"SELECT count(*) AS n FROM read_parquet('{glob}')",
        "--format",
        "json",
        "--store",
        str(empty_store),
    )
    assert (code, json.loads(out)) == (0, [{"n": 1}]), err


def test_commands_on_a_missing_store_say_how_to_create_one(tmp_path, capsys):
    code, _, err = run(capsys, "check", "--store", str(tmp_path / "nope"))
    assert code == 2
    assert "不存在" in err and "fazhi-tui demo --store" in err


def test_check_reports_and_quarantines_a_corrupt_file(empty_store, capsys):
    ldir = layout.log_dir(empty_store, "people")
    ldir.mkdir(parents=True)
    bad = ldir / layout.new_log_name()
    bad.write_bytes(b"\x00" * 100)
    code, out, _ = run(capsys, "check", "--store", str(empty_store))
    assert code == 1
    assert str(bad) in out and "people" in out
    code, out, _ = run(capsys, "check", "--quarantine", "--store", str(empty_store))
    assert code == 0 and "已隔离" in out and "quarantine" in out
    code, out, _ = run(capsys, "check", "--store", str(empty_store))
    assert code == 0 and "检查通过" in out


def test_compact_prints_what_it_did(empty_store, capsys):
    from fazhi_tui.config import Config
    from fazhi_tui.runtime import open_runtime

    rt = open_runtime(Config(), empty_store)
    for i in range(3):
        rt.store.append("grids", [{"code": f"G{i}", "name": f"网格{i}", "kind": "综合", "village": "甲庄村"}])
    rt.close()
    code, out, _ = run(capsys, "compact", "--store", str(empty_store))
    assert code == 0
    assert "grids：合并 3 个文件为第 1 代" in out and "3 条现行记录" in out
    code, out, _ = run(capsys, "compact", "nosuch", "--store", str(empty_store))
    assert code == 2


def test_config_unknown_key_and_wrong_type_are_named(tmp_path, capsys, monkeypatch):
    cfg = tmp_path / "c.toml"
    cfg.write_text('stor = "/x"\n', "utf-8")
    code, _, err = run(capsys, "tables", "--config", str(cfg))
    assert code == 2 and "未知的设置项 “stor”" in err and str(cfg) in err
    cfg.write_text('[ui]\nanimations = "yes"\n', "utf-8")
    code, _, err = run(capsys, "tables", "--config", str(cfg))
    assert code == 2 and "“ui.animations” 应为true/false" in err
    monkeypatch.setenv("FAZHI_CONFIG", str(tmp_path / "missing.toml"))
    code, _, err = run(capsys, "tables")
    assert code == 2 and "不存在" in err


def test_store_location_order(tmp_path, monkeypatch):
    from fazhi_tui.config import load_config, resolve_store_path

    cfg_file = tmp_path / "fazhi-tui.toml"
    cfg_file.write_text('store = "from-config"\n', "utf-8")
    monkeypatch.chdir(tmp_path)
    cfg = load_config()
    assert resolve_store_path(None, cfg) == ((tmp_path / "from-config").resolve(), f"配置文件 {cfg_file}")
    monkeypatch.setenv("FAZHI_STORE", str(tmp_path / "from-env"))
    assert resolve_store_path(None, cfg)[0] == tmp_path / "from-env"
    assert resolve_store_path(str(tmp_path / "from-flag"), cfg)[0] == tmp_path / "from-flag"
    cfg_file.unlink()
    monkeypatch.delenv("FAZHI_STORE")
    path, source = resolve_store_path(None, load_config())
    assert source == "默认位置" and str(path).startswith(str(tmp_path / "xdg-data"))


def test_fazhi_today_must_be_a_date(monkeypatch):
    from fazhi_tui.config import ConfigError, today

    monkeypatch.setenv("FAZHI_TODAY", "2023-13-01")
    with pytest.raises(ConfigError, match="FAZHI_TODAY"):
        today()


def test_import_waits_for_the_fold_it_caused_and_says_what_it_did(empty_store, tmp_path, capsys, monkeypatch):
    from fazhi_tui.store import fold

    monkeypatch.setattr(fold, "FOLD_DELTA_ROWS", 2)  # a big import, in small
    csv_file = tmp_path / "g.csv"
    csv_file.write_text("网格编码,名称,类型,所属村\nG1,一号网格,综合,甲庄村\nG2,二号网格,综合,乙庄村\n", "utf-8")
    code, out, err = run(capsys, "import", "grids", str(csv_file), "--store", str(empty_store))
    assert code == 0 and "新增 2 条" in out
    assert "已整理：grids" in err
    assert (empty_store / "grids" / "_gen" / "00000001" / "manifest.json").is_file()
    code, out, _ = run(capsys, "sql", "SELECT count(*) AS n FROM grids", "--store", str(empty_store), "--format", "csv")
    assert code == 0 and out.splitlines()[-1] == "2"
