"""Grid boundaries on a terminal: projection, rasterising, neighbours and labels. No Textual.

Long (about 430 lines): the four steps share the raster's conventions below, and are tested as one.

Pixels: a terminal cell is about twice as tall as it is wide, and the map draws two pixels per
cell with half blocks (▀ ▄), so a pixel is about square. A map of ``width`` × ``height`` cells
is ``width`` × ``2·height`` pixels; pixel (x, y) covers [x, x+1) × [y, y+1) with y growing down.

Rasterising fills each shape by the even-odd rule at pixel centres along scanlines. A pixel
belongs to a shape when its centre lies inside, so two shapes sharing an edge meet exactly: the
crossing of a shared edge is computed from the same two points in the same order for both, and
a centre on it falls to exactly one side. Holes and the parts of a multipolygon come out of the
even-odd rule with no special case.

Shapes are given in longitude/latitude (GeoJSON order). Longitude is scaled by the cosine of the
map's middle latitude so that the town keeps its shape (an equirectangular projection is exact
enough for a township a few kilometres across).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Point = tuple[float, float]  # (lon, lat) or, projected, (x, y)
Ring = Sequence[Point]
Polygon = Sequence[Ring]  # the exterior ring, then any holes
Shape = Sequence[Polygon]  # one grid: a Polygon is a shape of one polygon, a MultiPolygon of several

EMPTY = -1  # a pixel no shape claims
DIRECTIONS = {"up": (0.0, 1.0), "down": (0.0, -1.0), "left": (-1.0, 0.0), "right": (1.0, 0.0)}


# -- boundaries ------------------------------------------------------------------------------------
def parse_boundary(text: str | None) -> list[list[list[Point]]] | None:
    """A ``grids.boundary`` (GeoJSON Polygon or MultiPolygon text) as a shape, or None when the
    grid has no boundary or it cannot be read (the map then lists the grid instead of drawing it)."""
    if not text or not text.strip():
        return None
    try:
        geom = json.loads(text)
    except ValueError:
        return None
    if not isinstance(geom, dict):
        return None
    coords = geom.get("coordinates")
    polygons: Any
    if geom.get("type") == "Polygon":
        polygons = [coords]
    elif geom.get("type") == "MultiPolygon":
        polygons = coords
    else:
        return None
    try:
        shape = [[[(float(p[0]), float(p[1])) for p in ring] for ring in polygon] for polygon in polygons]
    except (TypeError, ValueError, IndexError):
        return None
    shape = [[ring for ring in polygon if len(ring) >= 3] for polygon in shape]
    shape = [polygon for polygon in shape if polygon]
    return shape or None


def bounds_of(shapes: Sequence[Shape | None]) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) over every shape, or None when there is none."""
    xs: list[float] = []
    ys: list[float] = []
    for shape in shapes:
        for polygon in shape or ():
            for ring in polygon:
                xs += (p[0] for p in ring)
                ys += (p[1] for p in ring)
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


@dataclass(frozen=True)
class Projection:
    """Longitude/latitude to pixels: ``x = ox + (lon - lon0)·k·s``, ``y = oy + (lat1 - lat)·s``."""

    lon0: float
    lat1: float
    k: float  # cos(middle latitude): a degree of longitude is this much of a degree of latitude
    scale: float  # pixels per degree of latitude
    ox: float
    oy: float

    def __call__(self, lon: float, lat: float) -> Point:
        return self.ox + (lon - self.lon0) * self.k * self.scale, self.oy + (self.lat1 - lat) * self.scale


def fit(bounds: tuple[float, float, float, float], px_width: int, px_height: int) -> Projection:
    """The projection that fits ``bounds`` into the pixels, aspect kept, centred."""
    lon0, lat0, lon1, lat1 = bounds
    k = math.cos(math.radians((lat0 + lat1) / 2))
    span_x = max((lon1 - lon0) * k, 1e-12)
    span_y = max(lat1 - lat0, 1e-12)
    scale = min(px_width / span_x, px_height / span_y)
    ox = (px_width - span_x * scale) / 2
    oy = (px_height - span_y * scale) / 2
    return Projection(lon0, lat1, k, scale, ox, oy)


# -- rasterising -----------------------------------------------------------------------------------
@dataclass
class Raster:
    """Which shape owns each pixel: ``owner[y][x]`` is the shape's index, or ``EMPTY``."""

    width: int  # pixels (= cells)
    height: int  # pixels (= 2 × cells)
    owner: list[list[int]]
    projection: Projection | None
    overlaps: int = 0  # pixels more than one shape claimed (0 for a proper tiling)

    def at(self, x: int, y: int) -> int:
        if 0 <= x < self.width and 0 <= y < self.height:
            return self.owner[y][x]
        return EMPTY

    def pixel_counts(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for row in self.owner:
            for v in set(row):
                if v != EMPTY:
                    counts[v] = counts.get(v, 0) + row.count(v)
        return counts


def rasterise(
    shapes: Sequence[Shape | None],
    width: int,
    height: int,
    bounds: tuple[float, float, float, float] | None = None,
) -> Raster:
    """Fill ``shapes`` (lon/lat; None for a shape with no boundary) into ``width`` × ``height``
    terminal cells, that is ``width`` × ``2·height`` pixels. ``owner[y][x]`` is the index of the
    shape whose inside holds the pixel's centre. ``bounds`` (min lon, min lat, max lon, max lat)
    fixes the view; by default it is the shapes' own. Pure: the same input, the same raster."""
    pw, ph = max(0, int(width)), max(0, 2 * int(height))
    owner = [[EMPTY] * pw for _ in range(ph)]
    bounds = bounds or bounds_of(shapes)
    if bounds is None or pw == 0 or ph == 0:
        return Raster(pw, ph, owner, None)
    proj = fit(bounds, pw, ph)
    overlaps = 0
    for index, shape in enumerate(shapes):
        if not shape:
            continue
        for y, row_spans in _spans(shape, proj, pw, ph):
            row = owner[y]
            for a, b in row_spans:
                taken = b - a - row[a:b].count(EMPTY)
                if taken:
                    overlaps += taken
                row[a:b] = [index] * (b - a)
    return Raster(pw, ph, owner, proj, overlaps)


def _spans(shape: Shape, proj: Projection, pw: int, ph: int):
    """For each pixel row the shape covers, the [a, b) column spans whose centres are inside."""
    crossings: dict[int, list[float]] = {}
    x0, s, k, lon0, oy, lat1 = proj.ox, proj.scale, proj.k, proj.lon0, proj.oy, proj.lat1
    ks = k * s
    for polygon in shape:
        for ring in polygon:
            pts = [(x0 + (p[0] - lon0) * ks, oy + (lat1 - p[1]) * s) for p in ring]
            if pts[0] != pts[-1]:
                pts.append(pts[0])
            for (ax, ay), (bx, by) in zip(pts, pts[1:], strict=False):
                if ay == by:
                    continue  # a horizontal edge crosses no scanline centre
                # One order for both copies of a shared edge, so both compute the same crossing.
                if (by, bx) < (ay, ax):
                    ax, ay, bx, by = bx, by, ax, ay
                first = max(0, math.ceil(ay - 0.5))
                last = min(ph, math.ceil(by - 0.5))  # rows with centre in [ay, by)
                if first >= last:
                    continue
                slope = (bx - ax) / (by - ay)
                for y in range(first, last):
                    crossings.setdefault(y, []).append(ax + (y + 0.5 - ay) * slope)
    for y, xs in crossings.items():
        xs.sort()
        spans = []
        for i in range(0, len(xs) - 1, 2):
            a = max(0, math.ceil(xs[i] - 0.5))
            b = min(pw, math.ceil(xs[i + 1] - 0.5))  # columns with centre in [xa, xb)
            if a < b:
                spans.append((a, b))
        if spans:
            yield y, spans


# -- reading a raster ------------------------------------------------------------------------------
def border_pixels(raster: Raster) -> list[list[bool]]:
    """Pixels drawn as a border between two shapes: a pixel whose right or lower neighbour belongs
    to another shape. One side of each shared edge only, so the border is one pixel wide; the
    town's outer edge, against no shape, gets none."""
    w, h, owner = raster.width, raster.height, raster.owner
    out = [[False] * w for _ in range(h)]
    for y in range(h):
        row = owner[y]
        below = owner[y + 1] if y + 1 < h else None
        mark = out[y]
        for x in range(w):
            v = row[x]
            if v == EMPTY:
                continue
            right = row[x + 1] if x + 1 < w else EMPTY
            down = below[x] if below is not None else EMPTY
            if (right != EMPTY and right != v) or (down != EMPTY and down != v):
                mark[x] = True
    return out


def outline_mask(raster: Raster) -> list[list[bool]]:
    """Pixels on their own shape's outline: owned, with a 4-neighbour (or the map's edge) not
    the same shape. The selected grid is drawn by these; labels and patterns keep off them."""
    w, h, owner = raster.width, raster.height, raster.owner
    out = [[False] * w for _ in range(h)]
    for y in range(h):
        row = owner[y]
        above = owner[y - 1] if y > 0 else None
        below = owner[y + 1] if y + 1 < h else None
        mark = out[y]
        for x in range(w):
            v = row[x]
            if v == EMPTY:
                continue
            if (
                x == 0
                or row[x - 1] != v
                or x + 1 == w
                or row[x + 1] != v
                or above is None
                or above[x] != v
                or below is None
                or below[x] != v
            ):
                mark[x] = True
    return out


def outline_pixels(raster: Raster, index: int) -> set[tuple[int, int]]:
    """The (x, y) pixels of shape ``index`` on its outline."""
    mask = outline_mask(raster)
    return {(x, y) for y, row in enumerate(raster.owner) for x, v in enumerate(row) if v == index and mask[y][x]}


def shape_at_cell(raster: Raster, x: int, row: int) -> int:
    """The shape under a cell (for a mouse click): its top pixel's, else its bottom pixel's."""
    top = raster.at(x, 2 * row)
    return top if top != EMPTY else raster.at(x, 2 * row + 1)


# -- centroids and neighbours ----------------------------------------------------------------------
def centroid(shape: Shape | None) -> Point | None:
    """The area centroid (lon, lat), holes subtracted; the mean of the points when the area is
    nil. (Scaling longitude by a constant moves no centroid, so plain degrees do here.)"""
    if not shape:
        return None
    pts_all = [p for polygon in shape for ring in polygon for p in ring]
    if not pts_all:
        return None
    total = cx = cy = 0.0
    for polygon in shape:
        for r, ring in enumerate(polygon):
            a, x, y = _ring_moments([(p[0], p[1]) for p in ring])
            sign = 1.0 if r == 0 else -1.0  # holes subtract, whatever their winding
            if a:
                total += sign * abs(a)
                cx += sign * abs(a) * (x / a)
                cy += sign * abs(a) * (y / a)
    if total <= 0:
        return sum(p[0] for p in pts_all) / len(pts_all), sum(p[1] for p in pts_all) / len(pts_all)
    return cx / total, cy / total


def centres(shapes: Sequence[Shape | None]) -> list[Point | None]:
    """Each shape's centroid as (east, north) in degrees of latitude, longitude scaled by one
    cosine for the whole map, so distances compare across shapes (for ``neighbour``)."""
    bounds = bounds_of(shapes)
    if bounds is None:
        return [None for _ in shapes]
    k = math.cos(math.radians((bounds[1] + bounds[3]) / 2))
    out: list[Point | None] = []
    for shape in shapes:
        c = centroid(shape)
        out.append(None if c is None else (c[0] * k, c[1]))
    return out


def _ring_moments(ring: list[Point]) -> tuple[float, float, float]:
    """(signed area, x·area, y·area) by the shoelace formula."""
    if ring[0] != ring[-1]:
        ring = ring + [ring[0]]
    a = x = y = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        c = x0 * y1 - x1 * y0
        a += c
        x += (x0 + x1) * c
        y += (y0 + y1) * c
    a /= 2
    return a, x / 6, y / 6


def adjacency(raster: Raster) -> dict[int, set[int]]:
    """Which shapes touch which (a pixel of one beside a pixel of the other)."""
    out: dict[int, set[int]] = {}
    owner, h = raster.owner, raster.height
    for y in range(h):
        row = owner[y]
        below = owner[y + 1] if y + 1 < h else None
        for x, v in enumerate(row):
            if v == EMPTY:
                continue
            for u in (row[x + 1] if x + 1 < raster.width else EMPTY, below[x] if below is not None else EMPTY):
                if u != EMPTY and u != v:
                    out.setdefault(v, set()).add(u)
                    out.setdefault(u, set()).add(v)
    return out


def neighbour(
    centres: Sequence[Point | None],
    current: int,
    direction: str,
    adjacent: Mapping[int, set[int]] | None = None,
) -> int | None:
    """The shape to move to from ``current`` in ``direction`` (``up`` = north, ``down``, ``left``
    = west, ``right``), by the shapes' ``centres`` (east, north). Shapes touching ``current``
    (``adjacent``) come first, then any; within 45° of the direction first, then anywhere on
    that side. Among those, the least distance along the direction plus twice the distance
    across it. None when nothing lies that way."""
    ux, uy = DIRECTIONS[direction]
    here = centres[current] if 0 <= current < len(centres) else None
    if here is None:
        return None
    touching = (adjacent or {}).get(current, set())
    tiers: list[list[tuple[float, int]]] = [[], [], [], []]
    for j, there in enumerate(centres):
        if j == current or there is None:
            continue
        dx, dy = there[0] - here[0], there[1] - here[1]
        along = dx * ux + dy * uy
        if along <= 1e-12:
            continue
        across = abs(dx * uy - dy * ux)
        score = (along + 2 * across, j)
        narrow = across <= along
        if j in touching:
            tiers[0 if narrow else 2].append(score)
        if narrow:
            tiers[1].append(score)
        tiers[3].append(score)
    for tier in tiers:
        if tier:
            return min(tier)[1]
    return None


# -- labels ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Label:
    x: int  # first cell
    row: int
    text: str
    width: int  # cells


def inner_cells(raster: Raster, outline: list[list[bool]] | None = None) -> list[list[int]]:
    """``cells[row][x]``: the shape that owns both pixels of a cell, neither on its outline, or
    EMPTY. Only such cells carry a label or a fill pattern, so edges and outlines stay clear."""
    outline = outline if outline is not None else outline_mask(raster)
    out = []
    for r in range(raster.height // 2):
        top, bottom = raster.owner[2 * r], raster.owner[2 * r + 1]
        otop, obottom = outline[2 * r], outline[2 * r + 1]
        out.append(
            [
                t if t == b and t != EMPTY and not ot and not ob else EMPTY
                for t, b, ot, ob in zip(top, bottom, otop, obottom, strict=False)
            ]
        )
    return out


def place_labels(
    cells: list[list[int]],
    options: Sequence[Sequence[tuple[str, int]]],
    centres: Sequence[Point | None] | None = None,
) -> dict[int, Label]:
    """A label per shape: the first of its ``options`` ((text, width in cells), in order of
    preference: the name, then the number) that fits in a run of the shape's inner cells, placed
    as near ``centres[i]`` (in cells: x, row) as it can; by default the middle of its cells."""
    runs: dict[int, list[tuple[int, int, int]]] = {}  # shape -> (row, first, end)
    for r, row in enumerate(cells):
        x, w = 0, len(row)
        while x < w:
            v = row[x]
            end = x + 1
            while end < w and row[end] == v:
                end += 1
            if v != EMPTY:
                runs.setdefault(v, []).append((r, x, end))
            x = end
    labels: dict[int, Label] = {}
    for index, shape_runs in runs.items():
        if index >= len(options):
            continue
        centre = centres[index] if centres is not None and index < len(centres) else None
        if centre is not None:
            cx, cy = centre
        else:
            n = sum(e - f for _, f, e in shape_runs)
            cx = sum((f + e) / 2 * (e - f) for _, f, e in shape_runs) / n
            cy = sum((r + 0.5) * (e - f) for r, f, e in shape_runs) / n
        for text, width in options[index]:
            best: tuple[float, int, int] | None = None
            for r, first, end in shape_runs:
                if end - first < width:
                    continue
                x = min(max(round(cx - width / 2), first), end - width)
                # A row is about two columns tall: weigh rows twice.
                d = ((x + width / 2 - cx) ** 2 + (2 * (r + 0.5 - cy)) ** 2, r, x)
                if best is None or d < best:
                    best = d
            if best is not None:
                labels[index] = Label(best[2], best[1], text, width)
                break
    return labels
