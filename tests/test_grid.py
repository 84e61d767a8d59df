"""The grid map plugin without a screen: rasterising, neighbours, labels, legend bins, the grid
list and metrics, the report's grid and people sentences, and GeoJSON boundaries refused."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from fazhi_grid import geometry, queries
from fazhi_grid.geometry import EMPTY
from fazhi_tui.access import VIEWER, Access
from fazhi_tui.api import Context, Grid, GridFigure, Period
from fazhi_tui.cli import main
from fazhi_tui.config import Config
from fazhi_tui.demo import build_demo
from fazhi_tui.plugins import PluginHost
from fazhi_tui.resources import data_path
from fazhi_tui.runtime import table_specs
from fazhi_tui.store import Store

TODAY = dt.date(2026, 11, 26)


# -- shapes ---------------------------------------------------------------------------------------
def square(x0, y0, x1, y1):
    return [[(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]]


# On the equator a degree of longitude is a degree of latitude, so with these bounds a pixel is
# one degree: lon 0..8 -> x 0..8, lat 4..-4 -> y 0..8 (y grows down). 8 columns x 4 rows = 8 x 8 px.
BOUNDS = (0.0, -4.0, 8.0, 4.0)


def px(x, y):
    """The (lon, lat) of pixel corner (x, y) under BOUNDS."""
    return (float(x), 4.0 - y)


def poly(*corners):
    ring = [px(*c) for c in corners]
    return [ring + [ring[0]]]


def owned(raster, index):
    return {(x, y) for y, row in enumerate(raster.owner) for x, v in enumerate(row) if v == index}


def test_a_square_fills_exactly_its_pixels():
    r = geometry.rasterise([[poly((2, 1), (6, 1), (6, 5), (2, 5))]], 8, 4, bounds=BOUNDS)
    assert (r.width, r.height) == (8, 8)
    assert owned(r, 0) == {(x, y) for x in range(2, 6) for y in range(1, 5)}
    assert r.overlaps == 0
    # Pure: the same input gives the same raster.
    assert geometry.rasterise([[poly((2, 1), (6, 1), (6, 5), (2, 5))]], 8, 4, bounds=BOUNDS).owner == r.owner


def test_an_l_shape():
    L = poly((0, 0), (2, 0), (2, 6), (6, 6), (6, 8), (0, 8))
    r = geometry.rasterise([[L]], 8, 4, bounds=BOUNDS)
    want = {(x, y) for x in range(0, 2) for y in range(0, 8)} | {(x, y) for x in range(2, 6) for y in range(6, 8)}
    assert owned(r, 0) == want


def test_a_polygon_with_a_hole_and_a_multipolygon():
    outer = [px(*c) for c in ((0, 0), (8, 0), (8, 8), (0, 8), (0, 0))]
    hole = [px(*c) for c in ((2, 2), (2, 6), (6, 6), (6, 2), (2, 2))]  # either winding
    r = geometry.rasterise([[[outer, hole]]], 8, 4, bounds=BOUNDS)
    ring = {(x, y) for x in range(8) for y in range(8)} - {(x, y) for x in range(2, 6) for y in range(2, 6)}
    assert owned(r, 0) == ring
    assert all(r.owner[y][x] == EMPTY for x in range(2, 6) for y in range(2, 6))
    # A MultiPolygon: both parts belong to the one shape.
    multi = [poly((0, 0), (2, 0), (2, 2), (0, 2))[0]], [poly((6, 6), (8, 6), (8, 8), (6, 8))[0]]
    r = geometry.rasterise([list(multi)], 8, 4, bounds=BOUNDS)
    assert owned(r, 0) == {(x, y) for x in (0, 1) for y in (0, 1)} | {(x, y) for x in (6, 7) for y in (6, 7)}


@pytest.mark.parametrize("size", [(8, 4), (13, 7), (40, 20), (101, 33)])
def test_two_touching_polygons_share_their_edge_without_overlap_or_gap(size):
    # A slanted shared edge, and a diagonal one that passes exactly through pixel centres.
    a = poly((0, 0), (5, 0), (3, 8), (0, 8))
    b = poly((5, 0), (8, 0), (8, 8), (3, 8))
    c = poly((0, 0), (8, 8), (0, 8))
    d = poly((0, 0), (8, 0), (8, 8))
    for left, right in ((a, b), (c, d)):
        r = geometry.rasterise([[left], [right]], *size, bounds=BOUNDS)
        assert r.overlaps == 0
        # Each alone claims what it claims together: no pixel is claimed twice...
        alone = [owned(geometry.rasterise([[s]], *size, bounds=BOUNDS), 0) for s in (left, right)]
        assert not alone[0] & alone[1]
        # ...and the two fill the whole square between them: no gap along the shared edge.
        square_px = owned(geometry.rasterise([[poly((0, 0), (8, 0), (8, 8), (0, 8))]], *size, bounds=BOUNDS), 0)
        assert alone[0] | alone[1] == square_px
        assert owned(r, 0) == alone[0] and owned(r, 1) == alone[1]


def demo_shapes():
    doc = json.loads(data_path("grids.geojson").read_text("utf-8"))
    return [geometry.parse_boundary(json.dumps(f["geometry"])) for f in doc["features"]], doc["features"]


def test_the_demo_grids_tile_the_town_and_rasterise_fast():
    shapes, _ = demo_shapes()
    r = geometry.rasterise(shapes, 200, 60)
    assert r.overlaps == 0
    assert set(r.pixel_counts()) == set(range(23))  # every grid is drawn
    # The aspect is kept: the town is about 1.21 times as wide as it is tall.
    xs = [x for row in r.owner for x, v in enumerate(row) if v != EMPTY]
    ys = [y for y, row in enumerate(r.owner) if any(v != EMPTY for v in row)]
    assert (max(xs) - min(xs) + 1) / (max(ys) - min(ys) + 1) == pytest.approx(1.21, abs=0.05)
    best = min(_timed(lambda: geometry.rasterise(shapes, 200, 60)) for _ in range(3))
    assert best < 0.050  # the benchmark suite measures this properly


def _timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def test_boundaries_that_cannot_be_drawn():
    assert geometry.parse_boundary(None) is None
    assert geometry.parse_boundary("") is None
    assert geometry.parse_boundary("{not json") is None
    assert geometry.parse_boundary('{"type": "Point", "coordinates": [113, 33]}') is None
    multi = '{"type": "MultiPolygon", "coordinates": [[[[0,0],[1,0],[1,1],[0,0]]], [[[2,2],[3,2],[3,3],[2,2]]]]}'
    assert len(geometry.parse_boundary(multi)) == 2
    # A map of nothing, or of no size, is empty rather than an error.
    assert geometry.rasterise([None, None], 10, 5).owner == [[EMPTY] * 10 for _ in range(10)]
    assert geometry.rasterise([[poly((0, 0), (1, 0), (1, 1))]], 0, 0).owner == []


# -- neighbours -----------------------------------------------------------------------------------
# A 3 x 3 block of squares, numbered row by row from the north-west:  0 1 2 / 3 4 5 / 6 7 8
NINE = [[poly((x, y), (x + 2, y), (x + 2, y + 2), (x, y + 2))] for y in (1, 3, 5) for x in (1, 3, 5)]


def test_neighbour_in_each_direction():
    centres = geometry.centres(NINE)
    adjacent = geometry.adjacency(geometry.rasterise(NINE, 8, 4, bounds=BOUNDS))
    assert adjacent[4] == {1, 3, 5, 7}
    assert adjacent[0] == {1, 3}
    step = {d: geometry.neighbour(centres, 4, d, adjacent) for d in geometry.DIRECTIONS}
    assert step == {"up": 1, "down": 7, "left": 3, "right": 5}
    assert geometry.neighbour(centres, 0, "right", adjacent) == 1
    assert geometry.neighbour(centres, 0, "down", adjacent) == 3
    # Nothing north of the top row, nothing west of the left column.
    assert geometry.neighbour(centres, 1, "up", adjacent) is None
    assert geometry.neighbour(centres, 3, "left", adjacent) is None
    # Without adjacency the nearest within 45 degrees still wins; off-grid it goes diagonally.
    assert geometry.neighbour(centres, 4, "up") == 1
    assert geometry.neighbour([(0, 0), (3, 1), (1, 3)], 0, "right") == 1
    assert geometry.neighbour([(0, 0), (3, 1), (1, 3)], 0, "up") == 2
    assert geometry.neighbour([(0, 0), None], 0, "right") is None  # a grid without a boundary


def test_the_demo_arrows_reach_every_grid():
    shapes, features = demo_shapes()
    centres = geometry.centres(shapes)
    adjacent = geometry.adjacency(geometry.rasterise(shapes, 200, 100))
    seen, todo = {0}, [0]
    while todo:
        here = todo.pop()
        for d in geometry.DIRECTIONS:
            there = geometry.neighbour(centres, here, d, adjacent)
            if there is not None and there not in seen:
                seen.add(there)
                todo.append(there)
    assert seen == set(range(len(features)))


# -- labels ---------------------------------------------------------------------------------------
def test_labels_take_the_name_where_it_fits_else_the_number():
    wide = [poly((0, 0), (8, 0), (8, 8), (0, 8))]
    r = geometry.rasterise([wide], 8, 4, bounds=BOUNDS)
    cells = geometry.inner_cells(r)
    # The outline ring is off limits: 6 inner columns in rows 1 and 2 (pixels 1..6).
    assert [sum(v == 0 for v in row) for row in cells] == [0, 6, 6, 0]
    name = ("周营村", 6)
    assert geometry.place_labels(cells, [[name, ("4", 1)]])[0].text == "周营村"
    assert geometry.place_labels(cells, [[("周营村网格", 10), ("4", 1)]])[0].text == "4"
    label = geometry.place_labels(cells, [[("12", 2)]])[0]
    assert (label.x, label.row, label.width) == (3, 1, 2)  # in the middle
    tiny = geometry.rasterise([[poly((0, 0), (2, 0), (2, 2), (0, 2))]], 8, 4, bounds=BOUNDS)
    assert geometry.place_labels(geometry.inner_cells(tiny), [[("1", 1)]]) == {}  # nothing fits


# -- legend bins ----------------------------------------------------------------------------------
def labels(bins):
    return [b.label for b in bins]


def test_legend_bins():
    households = [
        349,
        354,
        371,
        385,
        393,
        396,
        400,
        403,
        415,
        421,
        423,
        428,
        433,
        435,
        443,
        454,
        455,
        462,
        463,
        465,
        478,
        490,
        1864,
    ]
    bins = queries.legend_bins(households)
    assert labels(bins) == ["349–399", "400–419", "420–439", "440–459", "460–1864"]
    assert [queries.bin_index(bins, v) for v in (349, 399, 400, 459, 460, 1864)] == [0, 0, 1, 3, 4, 4]
    # Counts with zeros: 0 has its own bin.
    assert labels(queries.legend_bins([0, 0, 0, 5, 9, 12, 40, 41, 80, 100, 250])) == [
        "0",
        "5–19",
        "20–39",
        "40–99",
        "100–250",
    ]
    # Few distinct values: one bin each.
    assert labels(queries.legend_bins([0] * 12 + [1] * 7 + [2] * 3 + [3])) == ["0", "1", "2", "3"]
    # Rates: rounded ends.
    rates = [
        1.11,
        1.9,
        2.05,
        2.65,
        2.67,
        2.78,
        2.87,
        3.39,
        3.5,
        3.59,
        4.19,
        4.55,
        5.05,
        5.09,
        5.3,
        5.42,
        5.47,
        5.53,
        6.27,
        6.41,
        7.1,
        7.98,
        9.35,
    ]
    bins = queries.legend_bins(rates)
    assert labels(bins) == ["1–3", "3–4", "4–5.5", "5.5–6.5", "6.5–9.5"]
    assert all(queries.bin_index(bins, v) is not None for v in rates)
    assert 4 <= len(queries.legend_bins(range(1000))) <= 6
    assert labels(queries.legend_bins([5, 5, 5])) == ["5"]
    assert queries.legend_bins([]) == () and queries.bin_index((), 3) is None
    assert queries.bin_index(bins, None) is None


# -- the demo: grids, people, metrics, report ------------------------------------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    host = PluginHost.load(only=["fazhi_grid"])  # the host's grids and people, and the map
    specs = table_specs(host, Config())
    path = tmp_path_factory.mktemp("grid-demo") / "store"
    build_demo(path, host, specs, TODAY)
    store = Store.open(path, specs, user="测试员")
    viewer = Store.open(path, specs, user="查看员", access=Access("查看员", VIEWER))
    yield store, viewer
    store.close()
    viewer.close()


def ctx_of(store, period=Period.year(2023), **kw):
    return Context(store=store, period=period, today=TODAY, town="赵庄镇", **kw)


def test_the_report_sentences_for_2023_are_the_seeds(demo):
    store, _ = demo
    ctx = ctx_of(store)
    assert (
        queries.grid_sentence(ctx)
        == "设置镇村两级网格23个，设网格长23个，网格员69名，构建了“一核多元、一网统管”的网格化治理格局"
    )
    assert (
        queries.people_sentence(ctx)
        == "培养法律联络员、法律明白人、人民调解员46名、社会综合治理网格员21名，镇行政综合执法大队队员16名"
    )
    assert queries.grid_paragraphs(ctx) == [queries.grid_sentence(ctx) + "。"]
    assert queries.people_paragraphs(ctx) == [queries.people_sentence(ctx) + "。"]
    # The words after the figures are the office's: [plugin.fazhi_grid] motto.
    assert queries.grid_sentence(ctx_of(store, settings={"motto": "一网统管"})).endswith(
        "构建了“一网统管”的网格化治理格局"
    )
    # Another year counts as of its own 31 December (a 2024 post dropped, 法律明白人 added).
    c2024 = queries.role_counts(ctx_of(store, Period.year(2024)))
    assert c2024["社会综合治理网格员"] == 20 and c2024["执法队员"] == 17
    # Before the grids were set up (spring 2019) there is nothing to say.
    assert queries.grid_paragraphs(ctx_of(store, Period.year(2018))) == []


def test_the_report_figures_are_contributed(demo):
    host = PluginHost.load(only=["fazhi_grid"])
    figures = {c.value.name: c for c in host.contributions("fazhi_figures")}
    assert {n: c.plugin for n, c in figures.items() if n.startswith("grid_")} == dict.fromkeys(
        ("grid_count", "grid_heads", "grid_workers"), "fazhi_grid"
    )
    ctx = ctx_of(demo[0])
    assert [figures[n].value.compute(ctx) for n in ("grid_count", "grid_heads", "grid_workers")] == [23, 23, 69]
    heads = figures["grid_heads"].value.records(ctx)
    assert heads.num_rows == 23 and all("网格长" in r for r in heads.column("roles").to_pylist())
    # One grid selected: its own grid, head and workers.
    code = figures["grid_count"].value.records(ctx).column("code")[1].as_py()
    one = ctx.replace(grid=Grid(code, "某网格"))
    assert [figures[n].value.compute(one) for n in ("grid_count", "grid_heads", "grid_workers")] == [1, 1, 3]
    # Before the grids were set up (spring 2019) there is nothing to say, not "0个".
    assert figures["grid_count"].value.compute(ctx_of(demo[0], Period.year(2018))) is None


def test_grid_list_details_and_masked_phones(demo):
    store, viewer = demo
    grids = queries.grid_list(ctx_of(store, Period.year(2023)))
    assert len(grids) == 23 and [g.number for g in grids] == list(range(1, 24))
    assert all(g.shape is not None for g in grids)
    assert sum(len(g.head) for g in grids) == 23 and sum(len(g.workers) for g in grids) == 69
    town = grids[0]
    assert (town.code, town.name, town.short_name, town.kind, town.village) == (
        "41042110800101",
        "镇区网格",
        "镇区",
        "综合",
        "镇区",
    )
    assert town.households == 1864 and town.population == 5965
    # Staff names are public; a viewer sees phones masked, the owner (admin) unmasked.
    seen = queries.grid_list(ctx_of(viewer, Period.year(2023)))
    head, masked = grids[1].head[0], seen[1].head[0]
    assert masked.name == head.name and len(head.phone) == 11
    assert masked.phone == head.phone[:3] + "****" + head.phone[-4:]


def test_metrics_from_figures_per_thousand_and_households(demo):
    store, _ = demo
    ctx = ctx_of(store, Period.year(2026))
    codes = [g.code for g in queries.grid_list(ctx)]
    visits = GridFigure(
        "visits", "走访", lambda c: {code: i % 7 for i, code in enumerate(codes)}, unit="次", per_1000=True
    )
    broken = GridFigure("broken", "坏指标", lambda c: 1 / 0)
    data = queries.map_data(ctx, [visits, broken])
    assert [m.name for m in data.metrics] == ["visits", "visits_per_1000", "broken", "households", "population"]
    v, per, bad, hh = data.metrics[0], data.metrics[1], data.metrics[2], data.metrics[3]
    assert v.value(codes[3]) == 3 and v.by_period and v.integer and v.text(3) == "3次"
    town = data.grids[0]
    assert per.value(town.code) == pytest.approx(0 * 1000 / town.population)
    assert per.value(codes[1]) == pytest.approx(1 * 1000 / data.grids[1].population) and not per.integer
    assert bad.error and "ZeroDivisionError" in bad.error and not bad.bins
    assert hh.label == "户数" and not hh.by_period and len(hh.bins) == 5
    # Without figures (the host does not hand them over yet) the map colours by 户数.
    assert queries.map_data(ctx).metrics[0].name == "households"
    # A function of the context works as well as a list.
    assert queries.map_data(ctx, lambda c: [visits]).metrics[0].name == "visits"


def test_grid_figure_missing_grids_and_per_thousand_are_the_figures_choice(demo):
    store, _ = demo
    ctx = ctx_of(store, Period.year(2026))
    codes = [g.code for g in queries.grid_list(ctx)]
    only_first = {codes[0]: 2}
    overdue = GridFigure("overdue", "超期", lambda c: only_first, unit="件")  # defaults: 无数据, no 每千人
    counted = GridFigure("counted", "登记", lambda c: only_first, unit="件", missing="zero", per_1000=True)
    data = queries.map_data(ctx, [overdue, counted])
    assert [m.name for m in data.metrics] == ["overdue", "counted", "counted_per_1000", "households", "population"]
    a, b = data.metrics[0], data.metrics[1]
    assert a.value(codes[1]) is None and a.text(a.value(codes[1])) == "无数据"
    assert b.value(codes[1]) == 0 and b.text(b.value(codes[1])) == "0件" and b.value(codes[0]) == 2
    from fazhi_tui.contrib import check_record

    assert "missing 须为" in check_record(GridFigure("x", "X", lambda c: {}, missing="0"))


def test_a_grid_without_a_boundary_is_listed_not_drawn(tmp_path):
    host = PluginHost.load(only=["fazhi_grid"])
    store = Store.open(tmp_path / "s", table_specs(host, Config()), create=True, user="测试员")
    doc = json.loads(data_path("grids.geojson").read_text("utf-8"))
    f = doc["features"][1]["properties"]
    store.append(
        "grids",
        [
            {
                **{k: f[k] for k in ("code", "name", "kind", "village", "households", "population")},
                "boundary": json.dumps(doc["features"][1]["geometry"]),
            },
            {"code": "41042110829901", "name": "新设网格", "kind": "综合", "village": "赵庄村"},
        ],
    )
    data = queries.map_data(ctx_of(store, Period.year(2026)))
    assert [g.name for g in data.drawn] == ["赵庄村网格"]
    assert [g.name for g in data.not_drawn] == ["新设网格"]
    assert data.grids[1].head == () and data.metrics[0].value("41042110829901") is None
    store.close()


# -- importing boundaries -------------------------------------------------------------------------
def test_import_refuses_invalid_geometry_naming_the_feature_and_reason(tmp_path, capsys):
    store = tmp_path / "s"
    assert main(["init", "--store", str(store)]) == 0
    doc = json.loads(data_path("grids.geojson").read_text("utf-8"))
    cases = {
        0: ({"type": "Point", "coordinates": [113.0, 33.9]}, "几何类型为 Point，应为 Polygon 或 MultiPolygon"),
        2: (
            {"type": "Polygon", "coordinates": [[[113.0, 33.9], [113.1, 33.9], [113.0, 33.9]]]},
            "第 1 个多边形的外环少于 4 个点",
        ),
        3: (
            {"type": "Polygon", "coordinates": [[[33.9, 113.0], [33.9, 113.1], [34.0, 113.1], [33.9, 113.0]]]},
            "超出经纬度范围",
        ),
        5: (
            {
                "type": "MultiPolygon",
                "coordinates": [[[[113.0, 33.9], [113.1, 33.9], [113.1, 34.0], [113.0, 33.9]]], []],
            },
            "第 2 个多边形没有环",
        ),
        8: (
            {
                "type": "Polygon",
                "coordinates": [
                    [[113.0, 33.9], [113.1, 33.9], [113.1, 34.0], [113.0, 33.9]],
                    [[113.05, 33.95], [113.06, 33.95], [113.05, 33.95], [113.05, 33.95]],
                ],
            },
            "第 1 个内环面积为零",
        ),
    }
    for i, (geom, _) in cases.items():
        doc["features"][i]["geometry"] = geom
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    assert main(["import", "grids", str(bad), "--store", str(store)]) == 2
    err = capsys.readouterr().err
    for i, (_, reason) in cases.items():
        code = doc["features"][i]["properties"]["code"]
        assert f"第 {i + 1} 个要素（{code}）" in err and reason in err, (i, err)
    assert main(["sql", "SELECT count(*) AS n FROM grids", "--format", "csv", "--store", str(store)]) == 0
    assert capsys.readouterr().out.split() == ["n", "0"]  # nothing written


def test_import_takes_real_boundaries_and_a_feature_without_geometry(tmp_path, capsys):
    store = tmp_path / "s"
    assert main(["init", "--store", str(store)]) == 0
    doc = json.loads(data_path("grids.geojson").read_text("utf-8"))
    doc["features"][22]["geometry"] = None  # a grid whose boundary is not surveyed yet
    path = tmp_path / "grids.geojson"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    assert main(["import", "grids", str(path), "--store", str(store)]) == 0
    assert "新增 23 条" in capsys.readouterr().out
    host = PluginHost.load(only=["fazhi_grid"])
    s = Store.open(store, table_specs(host, Config()))
    data = queries.map_data(ctx_of(s, Period.year(2026)))
    assert len(data.drawn) == 22 and [g.name for g in data.not_drawn] == ["申庄村网格"]
    assert data.grids[0].households == 1864  # properties mapped to columns
    s.close()
