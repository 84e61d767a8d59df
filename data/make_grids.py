"""Generate data/grids.geojson: illustrative grid boundaries for 赵庄镇 (示意，非实测).

23 polygons (22 administrative villages + the town seat 镇区) that tile the town without gaps
or overlaps. Method: a jittered lattice of small cells whose edges are subdivided with jittered
points (one set of points per edge, so both neighbours share them), merged into 23 regions by
balanced region growing. Regions are traced into single rings; a layout with a hole, a pinch or
a crossing edge is discarded and the next attempt is tried. Everything derives from SEED, so the
output is byte-identical on every run.

Usage: python data/make_grids.py  (writes grids.geojson beside this script)
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

SEED = 410421108
TOWN_CODE = "410421108"
TOTAL_AREA_KM2 = 44.63  # DOMAIN.md §4
TOTAL_POPULATION = 43_000  # "about 43,000 people"
CENTER_LON, CENTER_LAT = 113.03, 33.93

NX, NY = 16, 12  # lattice cells (east-west, north-south) before masking the outline
LATTICE_JITTER = 0.3  # of a cell side
EDGE_POINTS = (0.25, 0.5, 0.75)  # where each edge gets an extra vertex
EDGE_JITTER = 0.07  # perpendicular offset, as a share of the edge length
SEAT_CELLS = 4
ROTATION = math.radians(17)  # so borders do not run along the axes

# Only these three village names are real (DOMAIN.md §4); every other name is a placeholder.
SEAT = "镇区"
CENTRE_VILLAGE = "赵庄村"
NE_VILLAGE = "大黄村"
NW_VILLAGE = "周营村"
PLACEHOLDER_CHARS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"

# Metres per degree at the town's latitude (WGS84 series expansion).
_PHI = math.radians(CENTER_LAT)
KM_PER_DEG_LAT = (111132.92 - 559.82 * math.cos(2 * _PHI) + 1.175 * math.cos(4 * _PHI)) / 1000
KM_PER_DEG_LON = (111412.84 * math.cos(_PHI) - 93.5 * math.cos(3 * _PHI)) / 1000

Point = tuple[float, float]
Cell = tuple[int, int]


class LayoutRejected(Exception):
    """This attempt produced a region that is not a simple polygon; try the next one."""


# -- lattice -------------------------------------------------------------------------------------
def lattice_points(rng: random.Random) -> dict[tuple[int, int], Point]:
    pts = {}
    for i in range(NX + 1):
        for j in range(NY + 1):
            dx = rng.uniform(-LATTICE_JITTER, LATTICE_JITTER)
            dy = rng.uniform(-LATTICE_JITTER, LATTICE_JITTER)
            pts[(i, j)] = (i + dx, j + dy)
    return pts


def town_mask(rng: random.Random) -> set[Cell]:
    """Cells inside a wobbly oval, with holes filled so the town has no gaps."""
    a, b, c = (rng.uniform(0, 2 * math.pi) for _ in range(3))
    cx, cy = NX / 2, NY / 2
    cells = set()
    for i in range(NX):
        for j in range(NY):
            x, y = (i + 0.5 - cx) / cx, (j + 0.5 - cy) / cy
            theta = math.atan2(y, x)
            wobble = 0.12 * math.sin(2 * theta + a) + 0.1 * math.sin(3 * theta + b) + 0.05 * math.sin(5 * theta + c)
            limit = 1.02 + wobble
            if math.hypot(x, y) < limit:
                cells.add((i, j))
    # Any empty cell not reachable from outside the lattice would be a gap: fill it.
    outside: set[Cell] = set()
    stack = [(i, j) for i in range(-1, NX + 1) for j in (-1, NY)] + [(i, j) for i in (-1, NX) for j in range(NY)]
    while stack:
        c = stack.pop()
        if c in outside or c in cells or not (-1 <= c[0] <= NX and -1 <= c[1] <= NY):
            continue
        outside.add(c)
        stack.extend(neighbours(c))
    return {(i, j) for i in range(NX) for j in range(NY) if (i, j) not in outside}


def neighbours(c: Cell) -> list[Cell]:
    i, j = c
    return [(i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)]


def edge_interior(a: tuple[int, int], b: tuple[int, int], pts, attempt: int) -> list[Point]:
    """Extra vertices along lattice edge a→b; the same points (reversed) for b→a."""
    lo, hi = min(a, b), max(a, b)
    rng = random.Random(f"{SEED}:{attempt}:{lo}:{hi}")  # per edge, so both sides agree
    (x0, y0), (x1, y1) = pts[lo], pts[hi]
    dx, dy = x1 - x0, y1 - y0
    out = []
    for t in EDGE_POINTS:
        t += rng.uniform(-0.04, 0.04)
        off = rng.uniform(-EDGE_JITTER, EDGE_JITTER)
        out.append((x0 + t * dx - off * dy, y0 + t * dy + off * dx))
    return out if (lo, hi) == (a, b) else out[::-1]


# -- regions -------------------------------------------------------------------------------------
def grow_regions(cells: set[Cell], rng: random.Random, count: int) -> dict[Cell, int]:
    """Balanced region growing from spread-out seeds. Region 0 is the seat, 1 is 赵庄村."""
    centre = min(cells, key=lambda c: (c[0] + 0.5 - NX / 2) ** 2 + (c[1] + 0.5 - NY / 2) ** 2)
    beside = rng.choice(sorted(n for n in neighbours(centre) if n in cells))
    seeds = [centre, beside]
    ordered = sorted(cells)
    while len(seeds) < count:
        # Farthest-point sampling with a little noise, so seeds spread but not on a grid.
        def score(c: Cell) -> float:
            return min((c[0] - s[0]) ** 2 + (c[1] - s[1]) ** 2 for s in seeds) + rng.uniform(0, 1.5)

        seeds.append(max((c for c in ordered if c not in seeds), key=score))
    owner = {s: k for k, s in enumerate(seeds)}
    sizes = [1] * count
    while len(owner) < len(cells):
        frontier: dict[int, list[Cell]] = {}
        for c, k in owner.items():
            if k == 0 and sizes[0] >= SEAT_CELLS:
                continue
            for n in neighbours(c):
                if n in cells and n not in owner:
                    frontier.setdefault(k, []).append(n)
        if not frontier:
            raise LayoutRejected("cells left unreachable")
        k = min(frontier, key=lambda r: (sizes[r], rng.random()))
        options = sorted(set(frontier[k]))
        # Prefer cells touching the region on more sides: compact, fewer thin arms.
        weights = [8 ** sum(owner.get(n) == k for n in neighbours(c)) for c in options]
        owner[rng.choices(options, weights)[0]] = k
        sizes[k] += 1
    return owner


def region_ring(region: set[Cell], pts, attempt: int) -> list[Point]:
    """The region's outline as one closed ring (counter-clockwise), or LayoutRejected."""
    directed = []
    for i, j in region:
        corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]
        directed += [(corners[k], corners[(k + 1) % 4]) for k in range(4)]
    edge_set = set(directed)
    boundary = [e for e in directed if (e[1], e[0]) not in edge_set]
    nxt: dict[tuple[int, int], tuple[int, int]] = {}
    for a, b in boundary:
        if a in nxt:
            raise LayoutRejected("region touches itself at a corner")
        nxt[a] = b
    start = min(nxt)
    ring_corners = [start]
    while (b := nxt[ring_corners[-1]]) != start:
        ring_corners.append(b)
    if len(ring_corners) != len(nxt):
        raise LayoutRejected("region has a hole or two parts")
    ring: list[Point] = []
    for k, a in enumerate(ring_corners):
        b = ring_corners[(k + 1) % len(ring_corners)]
        ring.append(pts[a])
        ring += edge_interior(a, b, pts, attempt)
    ring.append(ring[0])
    return ring


def signed_area(ring: list[Point]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2


def segments_cross(p: Point, q: Point, r: Point, s: Point) -> bool:
    def orient(a: Point, b: Point, c: Point) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2, d3, d4 = orient(r, s, p), orient(r, s, q), orient(p, q, r), orient(p, q, s)
    return d1 * d2 < 0 and d3 * d4 < 0


def check_no_crossings(rings: list[list[Point]]) -> None:
    segs = {}
    for ring in rings:
        for a, b in zip(ring, ring[1:], strict=False):
            segs[(min(a, b), max(a, b))] = None  # shared edges counted once
    seg_list = list(segs)
    for n, (p, q) in enumerate(seg_list):
        for r, s in seg_list[n + 1 :]:
            if len({p, q, r, s}) == 4 and segments_cross(p, q, r, s):
                raise LayoutRejected("edges cross")


# -- attributes ----------------------------------------------------------------------------------
def village_names(centroids: list[Point]) -> list[str]:
    """Names by position: seat and 赵庄村 in the middle, 大黄村 north-east and 周营村 north-west
    (placed illustratively), placeholders in reading order (north to south, west to east)."""
    names = [SEAT, CENTRE_VILLAGE] + [""] * (len(centroids) - 2)
    rest = list(range(2, len(centroids)))
    ne = max(rest, key=lambda k: centroids[k][0] + centroids[k][1])
    rest.remove(ne)
    nw = max(rest, key=lambda k: -centroids[k][0] + centroids[k][1])
    rest.remove(nw)
    names[ne], names[nw] = NE_VILLAGE, NW_VILLAGE
    rest.sort(key=lambda k: (-round(centroids[k][1] / 1.6), centroids[k][0]))
    for char, k in zip(PLACEHOLDER_CHARS, rest, strict=False):
        names[k] = f"{char}庄村"
    return names


def ring_centroid(ring: list[Point]) -> Point:
    a = signed_area(ring)
    cx = sum((x0 + x1) * (x0 * y1 - x1 * y0) for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / (6 * a)
    cy = sum((y0 + y1) * (x0 * y1 - x1 * y0) for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / (6 * a)
    return cx, cy


def to_lonlat(p: Point) -> list[float]:
    return [round(CENTER_LON + p[0] / KM_PER_DEG_LON, 6), round(CENTER_LAT + p[1] / KM_PER_DEG_LAT, 6)]


def build(attempt: int) -> dict:
    rng = random.Random(f"{SEED}:{attempt}")
    pts = lattice_points(rng)
    cells = town_mask(rng)
    owner = grow_regions(cells, rng, 23)
    regions: dict[int, set[Cell]] = {}
    for c, k in owner.items():
        regions.setdefault(k, set()).add(c)
    rings = [region_ring(regions[k], pts, attempt) for k in range(23)]
    check_no_crossings(rings)

    # Rotate and scale lattice units to km: the town covers exactly TOTAL_AREA_KM2 around (0, 0).
    total = sum(signed_area(r) for r in rings)
    scale = math.sqrt(TOTAL_AREA_KM2 / total)
    ox = sum(x for x, _ in pts.values()) / len(pts)
    oy = sum(y for _, y in pts.values()) / len(pts)
    cos, sin = math.cos(ROTATION) * scale, math.sin(ROTATION) * scale
    rings = [[((x - ox) * cos - (y - oy) * sin, (x - ox) * sin + (y - oy) * cos) for x, y in r] for r in rings]
    centroids = [ring_centroid(r) for r in rings]
    names = village_names(centroids)

    # Statistical codes (illustrative): the seat's 居委会 001; villages 201.., the three real
    # names first, then the placeholders in 天干/地支 order.
    rank = {CENTRE_VILLAGE: -3, NE_VILLAGE: -2, NW_VILLAGE: -1}
    order = sorted(range(1, 23), key=lambda k: rank.get(names[k], PLACEHOLDER_CHARS.find(names[k][0])))
    codes = {0: TOWN_CODE + "001"}
    for n, k in enumerate(order):
        codes[k] = f"{TOWN_CODE}{201 + n:03d}"

    # Rural grids 300–500 households, a little larger with area; the seat takes the remainder.
    households, population = {}, {}
    for k in range(1, 23):
        area = signed_area(rings[k])
        hh = round(415 + 40 * (area - TOTAL_AREA_KM2 / 23) + rng.uniform(-70, 70))
        households[k] = max(300, min(500, hh))
        population[k] = round(households[k] * rng.uniform(3.6, 4.3))
    population[0] = TOTAL_POPULATION - sum(population.values())
    households[0] = round(population[0] / 3.2)

    features = []
    for k in sorted(range(23), key=lambda k: codes[k]):
        village = names[k]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": codes[k] + "01",
                    "name": f"{village}网格",
                    "village": village,
                    "kind": "综合",
                    "households": households[k],
                    "population": population[k],
                },
                "geometry": {"type": "Polygon", "coordinates": [[to_lonlat(p) for p in rings[k]]]},
            }
        )
    return {
        "type": "FeatureCollection",
        "name": "赵庄镇网格（示意边界，非实测）",
        "features": features,
    }


def main() -> None:
    for attempt in range(1000):
        try:
            collection = build(attempt)
            break
        except LayoutRejected:
            continue
    else:
        raise SystemExit("no valid layout found")
    out = Path(__file__).with_name("grids.geojson")
    # One feature per line: readable diffs, still valid JSON.
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in collection["features"]]
    text = (
        '{"type":"FeatureCollection","name":'
        + json.dumps(collection["name"], ensure_ascii=False)
        + ',"features":[\n'
        + ",\n".join(lines)
        + "\n]}\n"
    )
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out} ({len(lines)} grids, attempt {attempt})")


if __name__ == "__main__":
    main()
