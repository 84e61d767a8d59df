"""Demo grids and people: the seed report's 2023 figures, references, and the grid map."""

from __future__ import annotations

import json
import math
import random
from datetime import date

import pytest

from fazhi_tui.demo_people import host_demo_rows
from fazhi_tui.host_tables import HOST_TABLES, PERSON_ROLES
from fazhi_tui.resources import data_path
from fazhi_tui.store import Store

TODAY = date(2026, 11, 26)
SEED = 2023

# In a role during 2023 = in post on 31 December 2023.
IN_2023 = "start_date <= DATE '2023-12-31' AND (end_date IS NULL OR end_date > DATE '2023-12-31')"


@pytest.fixture(scope="module")
def rows():
    return host_demo_rows(TODAY, SEED)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory, rows):
    store = Store.open(tmp_path_factory.mktemp("demo") / "store", HOST_TABLES, create=True, user="测试员")
    store.append("grids", rows["grids"])
    store.append("people", rows["people"])
    yield store
    store.close()


@pytest.fixture(scope="module")
def features():
    with open(data_path("grids.geojson"), encoding="utf-8") as fh:
        collection = json.load(fh)
    assert collection["type"] == "FeatureCollection"
    return collection["features"]


def scalar(store, sql, params=None):
    return store.query(sql, params).column(0)[0].as_py()


# -- the 2023 figures (DOMAIN.md §1) -------------------------------------------------------------
def test_grids_2023(demo_store):
    assert scalar(demo_store, "SELECT count(*) FROM grids WHERE established <= DATE '2023-12-31'") == 23


@pytest.mark.parametrize(
    ("role", "expected"),
    [("网格长", 23), ("网格员", 69), ("班子成员", 15), ("社会综合治理网格员", 21), ("执法队员", 16)],
)
def test_role_counts_2023(demo_store, role, expected):
    sql = f"SELECT count(*) FROM people WHERE list_contains(roles, ?) AND {IN_2023}"
    assert scalar(demo_store, sql, [role]) == expected


def test_one_head_and_three_workers_per_grid_2023(demo_store):
    heads = demo_store.query(
        f"SELECT grid, count(*) AS n FROM people WHERE list_contains(roles, '网格长') AND {IN_2023} GROUP BY grid"
    ).to_pylist()
    assert len(heads) == 23 and all(r["n"] == 1 for r in heads)
    workers = demo_store.query(
        f"SELECT grid, count(*) AS n FROM people WHERE list_contains(roles, '网格员') AND {IN_2023} GROUP BY grid"
    ).to_pylist()
    assert len(workers) == 23 and all(r["n"] == 3 for r in workers)


def test_legal_people_2023_counted_once(demo_store):
    sql = (
        "SELECT count(*) FROM people WHERE list_has_any(roles, ['法律明白人', '人民调解员', '法律联络员']) "
        f"AND {IN_2023}"
    )
    assert scalar(demo_store, sql) == 46


def test_village_counsels_2023(demo_store):
    sql = (
        "SELECT count(*) AS n, count(DISTINCT p.grid) AS villages FROM people p JOIN grids g ON p.grid = g.code "
        f"WHERE list_contains(p.roles, '法律顾问') AND g.village <> '镇区' AND {IN_2023}"
    )
    row = demo_store.query(sql).to_pylist()[0]
    assert row == {"n": 22, "villages": 22}


@pytest.mark.parametrize("today", [date(2024, 1, 1), date(2025, 6, 30)])
@pytest.mark.parametrize("seed", [1, 7])
def test_2023_exact_for_other_seeds_and_days(today, seed):
    people = host_demo_rows(today, seed)["people"]
    day = date(2023, 12, 31)
    serving = [p for p in people if p["start_date"] <= day and (p["end_date"] is None or p["end_date"] > day)]

    def count(role):
        return sum(role in p["roles"] for p in serving)

    assert [count(r) for r in ("网格长", "网格员", "班子成员", "社会综合治理网格员", "执法队员")] == [
        23,
        69,
        15,
        21,
        16,
    ]
    assert sum(bool({"法律明白人", "人民调解员", "法律联络员"} & set(p["roles"])) for p in serving) == 46


def test_other_years_vary(demo_store):
    def legal(year):
        return scalar(
            demo_store,
            "SELECT count(*) FROM people WHERE list_has_any(roles, ['法律明白人', '人民调解员', '法律联络员']) "
            "AND start_date <= ? AND (end_date IS NULL OR end_date > ?)",
            [date(year, 12, 31), date(year, 12, 31)],
        )

    assert legal(2022) < legal(2023) < legal(2024)


# -- consistency ---------------------------------------------------------------------------------
def test_deterministic():
    assert host_demo_rows(TODAY, SEED) == host_demo_rows(TODAY, SEED)
    assert host_demo_rows(TODAY, SEED) != host_demo_rows(TODAY, SEED + 1)


def test_later_today_only_adds_history():
    earlier, later = host_demo_rows(date(2025, 3, 1), SEED)["people"], host_demo_rows(TODAY, SEED)["people"]
    by_id = {p["person_id"]: p for p in later}
    for p in earlier:
        q = by_id[p["person_id"]]
        assert (q["name"], q["roles"], q["start_date"]) == (p["name"], p["roles"], p["start_date"])


def test_nothing_after_today():
    today = date(2024, 6, 15)
    rows = host_demo_rows(today, SEED)
    assert all(p["start_date"] <= today for p in rows["people"])
    assert all(p["end_date"] is None or p["end_date"] <= today for p in rows["people"])


def test_references_exist(demo_store):
    dangling_grid = "SELECT count(*) FROM people WHERE grid IS NOT NULL AND grid NOT IN (SELECT code FROM grids)"
    assert scalar(demo_store, dangling_grid) == 0
    assert scalar(demo_store, "SELECT count(*) FROM grids WHERE head IS NULL") == 0
    dangling_head = "SELECT count(*) FROM grids WHERE head NOT IN (SELECT person_id FROM people)"
    assert scalar(demo_store, dangling_head) == 0
    dangling_worker = (
        "SELECT count(*) FROM (SELECT unnest(workers) AS w FROM grids) WHERE w NOT IN (SELECT person_id FROM people)"
    )
    assert scalar(demo_store, dangling_worker) == 0


def test_grid_head_and_workers_are_current(demo_store):
    # The grid row names who serves today: a current 网格长 / 网格员 of that grid.
    bad_heads = (
        "SELECT count(*) FROM grids g JOIN people p ON g.head = p.person_id "
        "WHERE p.grid <> g.code OR NOT list_contains(p.roles, '网格长') OR p.end_date IS NOT NULL"
    )
    assert scalar(demo_store, bad_heads) == 0
    bad_workers = (
        "SELECT count(*) FROM (SELECT code, unnest(workers) AS w FROM grids) g JOIN people p ON g.w = p.person_id "
        "WHERE p.grid <> g.code OR NOT list_contains(p.roles, '网格员') OR p.end_date IS NOT NULL"
    )
    assert scalar(demo_store, bad_workers) == 0


def test_people_fields(rows):
    people = rows["people"]
    assert [p["person_id"] for p in people] == [f"P{n:04d}" for n in range(1, len(people) + 1)]
    assert all(set(p["roles"]) <= set(PERSON_ROLES) and p["roles"] for p in people)
    assert all(len(p["phone"]) == 11 and p["phone"].startswith("1") and p["phone"].isdigit() for p in people)
    for p in people:
        assert (p["badge_no"] is not None) == ("执法队员" in p["roles"])
    badges = [p["badge_no"] for p in people if p["badge_no"]]
    assert len(badges) == len(set(badges)) and all(b.startswith("豫平执") for b in badges)


def test_grid_rows_match_geojson(rows, features):
    by_code = {f["properties"]["code"]: f for f in features}
    assert sorted(by_code) == sorted(g["code"] for g in rows["grids"])
    for g in rows["grids"]:
        f = by_code[g["code"]]
        assert json.loads(g["boundary"]) == f["geometry"]
        assert (g["name"], g["village"], g["kind"]) == (f["properties"]["name"], f["properties"]["village"], "综合")


# -- the grid map --------------------------------------------------------------------------------
KM_PER_DEG_LAT = 110.92
KM_PER_DEG_LON = 110.92 * math.cos(math.radians(33.93))


def ring_area_km2(ring):
    pts = [(x * KM_PER_DEG_LON, y * KM_PER_DEG_LAT) for x, y in ring]
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False))) / 2


def inside(x, y, ring):
    hit = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            hit = not hit
    return hit


def test_geojson_features(features):
    assert len(features) == 23
    codes = [f["properties"]["code"] for f in features]
    assert len(set(codes)) == 23
    assert all(len(c) == 14 and c.startswith("410421108") and c.endswith("01") for c in codes)
    villages = {f["properties"]["village"]: f["properties"]["code"] for f in features}
    assert villages["镇区"] == "41042110800101"
    assert {"赵庄村", "大黄村", "周营村"} <= set(villages)
    for f in features:
        assert f["geometry"]["type"] == "Polygon"
        for ring in f["geometry"]["coordinates"]:
            assert len(ring) >= 4 and ring[0] == ring[-1]
            assert all(112.9 < x < 113.2 and 33.8 < y < 34.1 for x, y in ring)
    assert 41_000 <= sum(f["properties"]["population"] for f in features) <= 45_000
    rural = [f["properties"]["households"] for f in features if f["properties"]["village"] != "镇区"]
    assert all(300 <= h <= 500 for h in rural)


def test_total_area(features):
    total = sum(ring_area_km2(f["geometry"]["coordinates"][0]) for f in features)
    assert total == pytest.approx(44.63, rel=0.10)


def test_grids_do_not_overlap(features):
    rings = [f["geometry"]["coordinates"][0] for f in features]
    xs = [x for r in rings for x, _ in r]
    ys = [y for r in rings for _, y in r]
    rng = random.Random(0)
    covered = 0
    for _ in range(4000):
        x, y = rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys))
        hits = sum(inside(x, y, r) for r in rings)
        assert hits <= 1, (x, y)
        covered += hits
    assert covered > 0


def test_neighbours_share_edges(features):
    # A tiling: every edge inside the town is used by exactly two grids, once in each direction.
    edges = {}
    for f in features:
        ring = [tuple(p) for p in f["geometry"]["coordinates"][0]]
        for a, b in zip(ring, ring[1:], strict=False):
            edges[(a, b)] = edges.get((a, b), 0) + 1
    assert all(n == 1 for n in edges.values())
    shared = sum((b, a) in edges for a, b in edges) // 2
    outer = len(edges) - 2 * shared
    assert shared > outer  # most borders are between neighbours, not on the town's edge
    # The unshared edges are the town's outline: one ring, so no holes or gaps inside.
    outline = {a: b for a, b in edges if (b, a) not in edges}
    assert len(outline) == outer
    start = next(iter(outline))
    point, steps = outline[start], 1
    while point != start:
        point, steps = outline[point], steps + 1
    assert steps == outer
    # Every grid has at least one neighbour.
    for f in features:
        ring = [tuple(p) for p in f["geometry"]["coordinates"][0]]
        assert any((b, a) in edges for a, b in zip(ring, ring[1:], strict=False))
