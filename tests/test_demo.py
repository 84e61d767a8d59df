"""``fazhi-tui demo``: the demo store of 赵庄镇, deterministic, with the 2023 report's figures."""

from __future__ import annotations

import pytest

from fazhi_tui.cli import main
from fazhi_tui.config import Config
from fazhi_tui.runtime import open_runtime
from fazhi_tui.store.check import check_store

# As of 31 December of the year (DOMAIN.md §1; 一(一) and 二(三) of the seed report).
IN_ROLE = "start_date <= make_date(?, 12, 31) AND (end_date IS NULL OR end_date > make_date(?, 12, 31))"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "store"
    assert main(["demo", "--store", str(path), "--today", "2026-11-26"]) == 0
    rt = open_runtime(Config(), path)
    yield rt.store
    rt.close()


def role_count(store, role: str, year: int = 2023) -> int:
    return (
        store.query(f"SELECT count(*) FROM people WHERE list_contains(roles, ?) AND {IN_ROLE}", [role, year, year])
        .column(0)[0]
        .as_py()
    )


def test_2023_figures_of_the_seed_report(demo_store):
    s = demo_store
    assert s.count("grids") == 23  # 设置镇村两级网格23个
    assert role_count(s, "网格长") == 23  # 设网格长23个
    assert role_count(s, "网格员") == 69  # 网格员69名
    assert role_count(s, "班子成员") == 15  # 明确15名班子成员一对一专项指导
    legal = (
        s.query(
            f"SELECT count(*) FROM people WHERE len(list_intersect(roles, ['法律联络员', '法律明白人', '人民调解员'])) > 0 AND {IN_ROLE}",
            [2023, 2023],
        )
        .column(0)[0]
        .as_py()
    )
    assert legal == 46  # 法律联络员、法律明白人、人民调解员46名
    assert role_count(s, "社会综合治理网格员") == 21
    assert role_count(s, "执法队员") == 16  # 镇行政综合执法大队队员16名
    villages_with_counsel = (
        s.query(
            f"SELECT count(DISTINCT g.village) FROM people p JOIN grids g ON p.grid = g.code "
            f"WHERE list_contains(p.roles, '法律顾问') AND g.village <> '镇区' AND {IN_ROLE.replace('start_date', 'p.start_date').replace('end_date', 'p.end_date')}",
            [2023, 2023],
        )
        .column(0)[0]
        .as_py()
    )
    assert villages_with_counsel == 22  # 完善22个村法律顾问


def test_demo_store_is_clean_and_marked(demo_store):
    assert demo_store.info["demo"] is True and demo_store.info["today"] == "2026-11-26"
    assert check_store(demo_store).ok
    # The demo is compacted: a plain base, no pending versions.
    assert all(not demo_store.files(t).delta_files for t in demo_store.specs)


def test_demo_is_deterministic_for_a_given_today(tmp_path, demo_store, capsys):
    other = tmp_path / "again"
    assert main(["demo", "--store", str(other), "--today", "2026-11-26"]) == 0
    rt = open_runtime(Config(), other)
    try:
        for table in ("grids", "people"):
            q = f"SELECT * EXCLUDE (_at) FROM {table} ORDER BY _id"
            assert rt.store.query(q).equals(demo_store.query(q))
    finally:
        rt.close()


def test_demo_refuses_to_overwrite_real_data_and_needs_force_for_its_own(tmp_path, capsys):
    real = tmp_path / "real"
    assert main(["init", "--store", str(real)]) == 0
    assert main(["demo", "--store", str(real)]) == 2
    assert "正式数据目录" in capsys.readouterr().err
    demo = tmp_path / "demo"
    assert main(["demo", "--store", str(demo), "--today", "2024-03-01"]) == 0
    assert main(["demo", "--store", str(demo)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["demo", "--store", str(demo), "--force", "--today", "2025-01-15"]) == 0
    assert "已重建" in capsys.readouterr().out
    rt = open_runtime(Config(), demo)
    assert rt.store.info["today"] == "2025-01-15"
    rt.close()
    assert not list(tmp_path.glob(".*"))  # no staging or old copies left behind


def test_demo_rejects_a_bad_today(tmp_path, capsys):
    assert main(["demo", "--store", str(tmp_path / "d"), "--today", "2023-02-30"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert main(["demo", "--store", str(tmp_path / "d"), "--today", "2021-06-01"]) == 2
    assert not (tmp_path / "d").exists()


def test_first_run_creates_the_default_store_with_the_demo(capsys):
    assert main(["summary"]) == 0
    captured = capsys.readouterr()
    assert "首次运行" in captured.err and "已创建演示数据" in captured.err
    assert "网格（grids）：23 条" in captured.out


def test_a_demo_store_made_under_a_group_umask_has_the_sticky_bit_on_its_folder(tmp_path):
    """As ``init`` makes a store: with a umask that lets the group write (002), the store's own
    folder is setgid and sticky, so a member cannot rename a table's folder away or replace the
    marker (every folder inside already was)."""
    import os
    import stat

    from fazhi_tui.cli import main

    old = os.umask(0o002)
    try:
        assert main(["demo", "--store", str(tmp_path / "d"), "--today", "2024-03-01"]) == 0
    finally:
        os.umask(old)
    mode = (tmp_path / "d").stat().st_mode
    assert mode & stat.S_IWGRP and mode & stat.S_ISVTX and mode & stat.S_ISGID
