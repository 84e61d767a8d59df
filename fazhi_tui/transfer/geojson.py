"""Grid boundaries from GeoJSON: each feature's properties are columns, its geometry the boundary.

An invalid geometry is refused naming the feature and the reason, before anything is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from ..store import RowProblem, ValidationError
from .read import ImportFileError, RawTable

MAX_CHECKED_POINTS = 5000  # self-intersection is checked on rings up to this size


def read_grids_geojson(path: Path) -> RawTable:
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"{path}：文件不存在" if not path.exists() else f"{path}：不是文件")
    try:
        doc = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportFileError(f"{path}：GeoJSON 须为 UTF-8 编码") from None
    except ValueError as exc:
        raise ImportFileError(f"{path}：不是有效的 JSON（{exc}）") from None
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        features = [doc]
    elif isinstance(doc, dict) and doc.get("type") == "FeatureCollection" and isinstance(doc.get("features"), list):
        features = doc["features"]
    else:
        raise ImportFileError(f"{path}：不是 GeoJSON FeatureCollection")
    problems: list[RowProblem] = []
    records: list[dict] = []
    for i, feat in enumerate(features, start=1):
        label = _feature_label(i, feat)
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            problems.append(RowProblem(None, None, f"{label}：不是 Feature", path.name))
            continue
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            problems.append(RowProblem(None, None, f"{label}：properties 不是对象", path.name))
            continue
        geom = feat.get("geometry")
        reason = geometry_problem(geom) if geom is not None else None
        if reason:
            problems.append(RowProblem(None, "边界", f"{label}：{reason}", path.name))
            continue
        rec = {str(k): v for k, v in props.items()}
        rec["boundary"] = json.dumps(geom, ensure_ascii=False, separators=(",", ":")) if geom is not None else None
        records.append(rec)
    if problems:
        raise ValidationError("grids", problems)
    if not records:
        raise ImportFileError(f"{path}：没有任何要素")
    headers: list[str] = []
    for rec in records:
        for k in rec:
            if k not in headers:
                headers.append(k)
    columns = [pa.array([_cell(rec.get(h)) for rec in records], type=pa.string()) for h in headers]
    return RawTable(path, headers, columns, pa.array(range(1, len(records) + 1), type=pa.int64()))


def _cell(v):
    if v is None:
        return None
    if isinstance(v, list):
        return "、".join(str(x) for x in v)
    return str(v)


def _feature_label(i: int, feat) -> str:
    props = feat.get("properties") if isinstance(feat, dict) else None
    ident = ""
    if isinstance(props, dict):
        for k in ("code", "网格编码", "name", "名称"):
            if props.get(k):
                ident = f"（{props[k]}）"
                break
    return f"第 {i} 个要素{ident}"


def geometry_problem(geom) -> str | None:
    """Why a geometry cannot be a grid boundary, or None."""
    if not isinstance(geom, dict):
        return "geometry 不是对象"
    kind = geom.get("type")
    coords = geom.get("coordinates")
    if kind == "Polygon":
        polygons = [coords]
    elif kind == "MultiPolygon":
        if not isinstance(coords, list) or not coords:
            return "MultiPolygon 没有多边形"
        polygons = coords
    else:
        return f"几何类型为 {kind}，应为 Polygon 或 MultiPolygon"
    for p, rings in enumerate(polygons, start=1):
        if not isinstance(rings, list) or not rings:
            return f"第 {p} 个多边形没有环"
        for r, ring in enumerate(rings, start=1):
            where = f"第 {p} 个多边形的{'外环' if r == 1 else f'第 {r - 1} 个内环'}"
            if not isinstance(ring, list) or len(ring) < 4:
                return f"{where}少于 4 个点"
            for pt in ring:
                if (
                    not isinstance(pt, list)
                    or len(pt) < 2
                    or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in pt[:2])
                ):
                    return f"{where}有无效的坐标 {pt!r}"
                if not (-180 <= pt[0] <= 180 and -90 <= pt[1] <= 90):
                    return f"{where}的坐标 {pt[:2]} 超出经纬度范围（应为 WGS84 经度、纬度）"
            if ring[0][:2] != ring[-1][:2]:
                return f"{where}未闭合（首尾点不同）"
            if abs(_area(ring)) == 0:
                return f"{where}面积为零"
            if len(ring) <= MAX_CHECKED_POINTS and _self_intersects(ring):
                return f"{where}自相交"
    return None


def _area(ring) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:])) / 2


def _self_intersects(ring) -> bool:
    pts = [(p[0], p[1]) for p in ring]
    segs = list(zip(pts, pts[1:]))
    n = len(segs)
    for i in range(n):
        a, b = segs[i]
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue  # the closing segment meets the first one at the start point
            c, d = segs[j]
            if _cross(a, b, c, d):
                return True
    return False


def _orient(p, q, r) -> float:
    return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])


def _cross(a, b, c, d) -> bool:
    d1, d2, d3, d4 = _orient(c, d, a), _orient(c, d, b), _orient(a, b, c), _orient(a, b, d)
    return ((d1 > 0) != (d2 > 0)) and ((d3 > 0) != (d4 > 0)) and 0 not in (d1, d2, d3, d4)
