"""The grid map's data and the report's grid and people figures. No Textual here.

Slightly over 400 lines: the map's data and the report's counts read the same grid and people
tables with the same as-of-date rules.

- ``map_data(ctx, figures)``: every grid with its details (网格长, 网格员 with phones masked unless
  the user may see personal information), its parsed boundary, and the metrics the map colours
  by: each plugin's per-grid figure for the period, the same per 1,000 residents, then 户数 and
  人口 (so with no figure at all the map colours by 户数).
- ``legend_bins(values)``: 4–6 bins at quantiles, rounded to readable numbers.
- ``grid_sentence`` / ``people_sentence``: the report's 一(一) and 二(三) sentences, counted as of
  the period's last day (31 December for a year).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from fazhi_tui.api import Context, GridFigure, exact, mask_phone, qident

from .geometry import Shape, parse_boundary

HEAD, WORKER = "网格长", "网格员"
LEGAL_ROLES = ("法律联络员", "法律明白人", "人民调解员")
ZONGZHI, ENFORCEMENT = "社会综合治理网格员", "执法队员"
DEFAULT_MOTTO = "一核多元、一网统管"  # the seed's words; [plugin.fazhi_grid] motto = "…" changes them
NAME_SUFFIX = "网格"
PER_THOUSAND = "每千人"

# What the panel may be given instead of the host's figures: a list, or a function of the context.
FigureSource = Sequence[GridFigure] | Callable[[Context], Sequence[GridFigure]]


# -- grids and people ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Person:
    person_id: str
    name: str
    phone: str | None  # masked unless the user may see personal information


@dataclass(frozen=True)
class GridInfo:
    number: int  # 1, 2, … in code order: the map's label when the name does not fit
    code: str
    name: str
    kind: str
    village: str
    households: int | None
    population: int | None
    head: tuple[Person, ...] = ()
    workers: tuple[Person, ...] = ()
    shape: Shape | None = None  # the boundary, parsed; None: listed, not drawn

    @property
    def short_name(self) -> str:
        """The name the map writes: ``赵庄村网格`` → ``赵庄村``."""
        name = self.name
        return name[: -len(NAME_SUFFIX)] if name.endswith(NAME_SUFFIX) and len(name) > len(NAME_SUFFIX) else name


def as_of(ctx: Context) -> dt.date:
    """The day people and grids are counted on: the period's last day, but not after today."""
    return min(ctx.period.last, ctx.today)


# A person holds a role on ``day`` when in post then; an unknown start date counts as in post.
IN_POST = "coalesce(start_date <= ?, TRUE) AND (end_date IS NULL OR end_date > ?)"


def grid_list(ctx: Context, day: dt.date | None = None) -> list[GridInfo]:
    """Every grid in code order with its heads and workers in post on ``day`` (by default
    ``as_of(ctx)``); a grid whose people the ``people`` table does not place falls back to the
    ids its own record names."""
    day = day or as_of(ctx)
    grids = ctx.query(
        f"SELECT code, name, kind, village, head, workers, households, population, boundary "
        f"FROM {qident('grids')} ORDER BY code"
    ).to_pylist()
    staff: dict[str, dict[str, list[Person]]] = {}
    if "people" in ctx.store.specs:
        rows = ctx.query(
            f"SELECT person_id, name, phone, grid, list_contains(roles, ?) AS is_head "
            f"FROM {qident('people')} WHERE grid IS NOT NULL "
            f"AND (list_contains(roles, ?) OR list_contains(roles, ?)) AND {IN_POST} "
            f"ORDER BY grid, start_date NULLS FIRST, person_id",
            [HEAD, HEAD, WORKER, day, day],
        ).to_pylist()
        for r in rows:
            person = _person(ctx, r)
            staff.setdefault(r["grid"], {HEAD: [], WORKER: []})[HEAD if r["is_head"] else WORKER].append(person)
        named = {i for g in grids if g["code"] not in staff for i in [g["head"], *(g["workers"] or [])] if i}
        by_id = {}
        if named:
            by_id = {
                r["person_id"]: _person(ctx, r)
                for r in ctx.query(
                    f"SELECT person_id, name, phone FROM {qident('people')} WHERE list_contains(?, person_id)",
                    [sorted(named)],
                ).to_pylist()
            }
        for g in grids:
            if g["code"] not in staff and (g["head"] or g["workers"]):
                staff[g["code"]] = {
                    HEAD: [by_id[g["head"]]] if g["head"] in by_id else [],
                    WORKER: [by_id[i] for i in g["workers"] or [] if i in by_id],
                }
    out = []
    for number, g in enumerate(grids, start=1):
        people = staff.get(g["code"], {})
        out.append(
            GridInfo(
                number=number,
                code=g["code"],
                name=g["name"] or g["code"],
                kind=g["kind"] or "",
                village=g["village"] or "",
                households=g["households"],
                population=g["population"],
                head=tuple(people.get(HEAD, ())),
                workers=tuple(people.get(WORKER, ())),
                shape=parse_boundary(g["boundary"]),
            )
        )
    return out


def _person(ctx: Context, row: Mapping[str, Any]) -> Person:
    phone = row["phone"]
    if phone and not ctx.sees_pii:
        phone = mask_phone(phone)
    return Person(row["person_id"], row["name"], phone)


# -- metrics ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bin:
    lo: float  # included
    hi: float  # excluded, except by the last bin
    label: str


@dataclass(frozen=True)
class Metric:
    """What the map can colour by."""

    name: str
    label: str  # 12345工单, 12345工单（每千人）, 户数
    unit: str
    values: Mapping[str, float]  # by grid code; a grid missing here has no value (无数据)
    by_period: bool  # a figure for the period in context (户数 and 人口 are not)
    integer: bool = True
    bins: tuple[Bin, ...] = ()
    error: str | None = None  # the figure's compute raised: shown instead of a map of zeros

    def value(self, code: str) -> float | None:
        return self.values.get(code)

    def text(self, value: float | None) -> str:
        if value is None:
            return "无数据"
        return f"{format_number(value, self.integer)}{self.unit}"

    def bin_of(self, code: str) -> int | None:
        return bin_index(self.bins, self.values.get(code))


def figures_of(ctx: Context, given: FigureSource | None = None) -> list[GridFigure]:
    """The per-grid figures to offer: ``given`` (a list, or a function of the context) when the
    panel was made with one, else those the host hands over in the context (``ctx.grid_figures``,
    once the host provides it), else none."""
    if given is not None:
        return list(given(ctx) if callable(given) else given)
    return [f for f in getattr(ctx, "grid_figures", ()) or () if isinstance(f, GridFigure)]


def grid_metrics(
    ctx: Context, grids: Sequence[GridInfo], figures: Iterable[GridFigure] = (), computed: Sequence[Any] | None = None
) -> list[Metric]:
    """Each figure for the period (and its per-1,000-residents variant where it asks for one,
    ``GridFigure.per_1000``), then 户数 and 人口. A grid a figure leaves out has no value (无数据)
    unless the figure says ``missing="zero"``. A figure that raises becomes a metric with its
    ``error`` (the map says so; the others still work). ``computed``: each figure's result (or
    the exception it raised) already found for the town, in the order of ``figures``."""
    town = ctx.replace(grid=None)  # a figure covers every grid, whatever the shell selected
    population = {g.code: g.population for g in grids if g.population}
    metrics: list[Metric] = []
    figures = list(figures)
    for i, fig in enumerate(figures):
        try:
            raw = fig.compute(town) if computed is None else computed[i]
            if isinstance(raw, Exception):
                raise raw
            values = {str(k): float(v) for k, v in dict(raw).items() if v is not None}
            if getattr(fig, "missing", "none") == "zero":
                # The figure counts: a grid it left out found nothing, which is 0, not 无数据.
                values = {g.code: values.get(g.code, 0.0) for g in grids} | values
        except Exception as exc:  # a plugin's figure costs only itself
            metrics.append(Metric(fig.name, fig.label, fig.unit, {}, True, error=f"{type(exc).__name__}: {exc}"))
            continue
        integer = all(float(v).is_integer() for v in values.values())
        metrics.append(Metric(fig.name, fig.label, fig.unit, values, True, integer))
        if not getattr(fig, "per_1000", False):
            continue  # per 1,000 residents only where the figure asks for it
        per = {c: v * 1000 / population[c] for c, v in values.items() if c in population}
        unit = f"{fig.unit}/千人" if fig.unit else "/千人"
        metrics.append(Metric(f"{fig.name}_per_1000", f"{fig.label}（{PER_THOUSAND}）", unit, per, True, False))
    metrics.append(
        Metric(
            "households", "户数", "户", {g.code: float(g.households) for g in grids if g.households is not None}, False
        )
    )
    metrics.append(
        Metric(
            "population", "人口", "人", {g.code: float(g.population) for g in grids if g.population is not None}, False
        )
    )
    return [m if m.error else _with_bins(m) for m in metrics]


def _with_bins(m: Metric) -> Metric:
    return Metric(
        m.name, m.label, m.unit, m.values, m.by_period, m.integer, legend_bins(m.values.values(), integer=m.integer)
    )


@dataclass(frozen=True)
class MapData:
    """What the map panel shows: the context it was loaded for, the grids, the metrics."""

    ctx: Context
    grids: tuple[GridInfo, ...]
    metrics: tuple[Metric, ...]

    @property
    def drawn(self) -> tuple[GridInfo, ...]:
        return tuple(g for g in self.grids if g.shape is not None)

    @property
    def not_drawn(self) -> tuple[GridInfo, ...]:
        return tuple(g for g in self.grids if g.shape is None)


def grid_table(data: MapData) -> tuple[pa.Table, dict[str, str]]:
    """The map as a table, one row per grid with every metric, and the Chinese headings (what
    ``e`` exports). Staff names are public; phones are left out."""
    cols: dict[str, list] = {
        "number": [g.number for g in data.grids],
        "code": [g.code for g in data.grids],
        "name": [g.name for g in data.grids],
        "kind": [g.kind for g in data.grids],
        "village": [g.village for g in data.grids],
        "head": ["、".join(p.name for p in g.head) for g in data.grids],
        "workers": ["、".join(p.name for p in g.workers) for g in data.grids],
        "drawn": ["是" if g.shape is not None else "否（无边界）" for g in data.grids],
    }
    labels = {
        "number": "编号",
        "code": "网格编码",
        "name": "名称",
        "kind": "类型",
        "village": "所属村",
        "head": "网格长",
        "workers": "网格员",
        "drawn": "已绘制",
    }
    for m in data.metrics:
        if m.error:
            continue
        cols[m.name] = [m.value(g.code) for g in data.grids]
        labels[m.name] = f"{m.label}（{m.unit}）" if m.unit else m.label
    return pa.table(cols), labels


def map_data(ctx: Context, figures: FigureSource | None = None) -> MapData:
    """Everything the map needs for ``ctx`` (runs off the UI thread).

    The grid list and every figure are read side by side: each is a query of a table of its
    own (the store gives each thread its own DuckDB cursor), and one after another they kept
    one core idle while Python built the next query; at 10M tickets the map waited for the
    hotline's figure behind seven smaller ones (~0.2 s of its first showing)."""
    figs = figures_of(ctx, figures)
    town = ctx.replace(grid=None)  # a figure covers every grid, whatever the shell selected
    with ThreadPoolExecutor(max_workers=len(figs) + 1, thread_name_prefix="grid-figures") as pool:
        listed = pool.submit(grid_list, ctx)
        computing = [pool.submit(fig.compute, town) for fig in figs]
        grids = listed.result()
        computed = [_outcome(f) for f in computing]
    return MapData(ctx, tuple(grids), tuple(grid_metrics(ctx, grids, figs, computed)))


def _outcome(future: Future) -> Any:
    """A figure's values, or the exception it raised (it costs only its own metric)."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - a plugin's figure may raise anything
        return exc


# -- legend bins -----------------------------------------------------------------------------------
def legend_bins(values: Iterable[float | None], count: int = 5, integer: bool | None = None) -> tuple[Bin, ...]:
    """Up to ``count`` bins (4–6 read well) holding about as many grids each: breaks at the
    quantiles, rounded to a step of 1, 2 or 5 × 10ⁿ so the legend reads "400–419", not
    "396.4–421.7". Zero gets a bin of its own when some values are zero (a grid with no tickets
    is worth telling apart). As many bins as distinct values when there are no more than
    ``count`` of them; none without values."""
    vals = sorted(float(v) for v in values if v is not None and math.isfinite(float(v)))
    if not vals:
        return ()
    if integer is None:
        integer = all(v.is_integer() for v in vals)
    distinct = sorted(set(vals))
    if len(distinct) <= count:
        return tuple(
            Bin(v, distinct[i + 1] if i + 1 < len(distinct) else v, format_number(v, integer))
            for i, v in enumerate(distinct)
        )
    if distinct[0] == 0 and count > 2:
        rest = legend_bins(vals[vals.count(0.0) :], count - 1, integer)
        return (Bin(0.0, rest[0].lo, "0"), *rest)
    lo, hi = vals[0], vals[-1]
    n = len(vals)
    raw = [vals[min(n - 1, math.ceil(i * n / count))] for i in range(1, count)]
    spread = (raw[-1] - raw[0]) / (len(raw) - 1) if len(raw) > 1 else 0.0
    step = _nice_step((spread or (hi - lo) / count) / 2)
    if integer:
        step = max(1.0, float(round(step)))
    else:
        # Rounded ends too, so the legend reads "1–3", not "1.11–3"; every value stays inside.
        floored = round(math.floor(lo / step) * step, 10)
        lo = floored if floored > 0 else lo
        hi = round(math.ceil(hi / step) * step, 10)
    edges = [lo]
    for q in raw:
        b = round(round(q / step) * step, 10)
        if edges[-1] < b < hi:
            edges.append(b)
    edges.append(hi)
    return tuple(
        Bin(a, b, _range_label(a, b, i == len(edges) - 2, integer))
        for i, (a, b) in enumerate(zip(edges, edges[1:], strict=False))
    )


def _nice_step(x: float) -> float:
    if x <= 0:
        return 1.0
    e = math.floor(math.log10(x))
    m = x / 10**e
    return (1 if m < 2 else 2 if m < 5 else 5) * 10.0**e


def _range_label(a: float, b: float, last: bool, integer: bool) -> str:
    if integer:
        top = b if last else b - 1
        return format_number(a, True) if top <= a else f"{format_number(a, True)}–{format_number(top, True)}"
    return f"{format_number(a, False)}–{format_number(b, False)}"


def bin_index(bins: Sequence[Bin], value: float | None) -> int | None:
    """Which bin holds ``value`` (None for no value, or no bins)."""
    if value is None or not bins:
        return None
    for i, b in enumerate(bins):
        if value < b.hi or i == len(bins) - 1:
            return i
    return len(bins) - 1


def format_number(v: float, integer: bool) -> str:
    if integer or float(v).is_integer() and abs(v) >= 100:
        return f"{int(round(v))}"
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}".rstrip("0").rstrip(".")
    return f"{v:.2f}".rstrip("0").rstrip(".")


# -- the report ------------------------------------------------------------------------------------
def grid_counts(ctx: Context, day: dt.date | None = None) -> tuple[int, int, int]:
    """(grids, grid heads, grid workers) as of ``day`` (by default the period's last day)."""
    day = day or ctx.period.last
    grids = (
        ctx.query(f"SELECT count(*) AS n FROM {qident('grids')} WHERE coalesce(established <= ?, TRUE)", [day])
        .column(0)[0]
        .as_py()
    )
    roles = role_counts(ctx, day)
    return grids, roles[HEAD], roles[WORKER]


def role_counts(ctx: Context, day: dt.date | None = None) -> dict[str, int]:
    """People in post on ``day`` by role (a person in several roles counts in each), and under
    ``"法律三员"`` the people holding any of 法律联络员, 法律明白人, 人民调解员 (each once)."""
    day = day or ctx.period.last
    roles = (HEAD, WORKER, ZONGZHI, ENFORCEMENT, *LEGAL_ROLES)
    if "people" not in ctx.store.specs:
        return {**{r: 0 for r in roles}, "法律三员": 0}
    selects = ", ".join(f"count(*) FILTER (WHERE list_contains(roles, ?)) AS r{i}" for i in range(len(roles)))
    row = ctx.query(
        f"SELECT {selects}, count(*) FILTER (WHERE len(list_intersect(roles, ?)) > 0) AS legal "
        f"FROM {qident('people')} WHERE {IN_POST}",
        [*roles, list(LEGAL_ROLES), day, day],
    ).to_pylist()[0]
    out = {r: row[f"r{i}"] for i, r in enumerate(roles)}
    out["法律三员"] = row["legal"]
    return out


def grid_sentence(ctx: Context) -> str | None:
    """一(一): "设置镇村两级网格23个，设网格长23个，网格员69名，构建了“一核多元、一网统管”的网格化治理格局"
    for the report's year (as of its last day); None with no grid."""
    grids, heads, workers = grid_counts(ctx)
    if not grids:
        return None
    motto = str(ctx.settings.get("motto", DEFAULT_MOTTO))
    parts = [f"设置镇村两级网格{exact(grids, '个')}"]
    if heads:
        parts.append(f"设网格长{exact(heads, '个')}")
    if workers:
        parts.append(f"网格员{exact(workers, '名')}")
    return "，".join(parts) + f"，构建了“{motto}”的网格化治理格局"


def people_sentence(ctx: Context) -> str | None:
    """二(三): "培养法律联络员、法律明白人、人民调解员46名、社会综合治理网格员21名，镇行政综合执法大队队员16名"
    for the report's year (as of its last day); a role nobody holds is left out; None for none."""
    c = role_counts(ctx)
    trained = []
    if c["法律三员"]:
        trained.append(f"法律联络员、法律明白人、人民调解员{exact(c['法律三员'], '名')}")
    if c[ZONGZHI]:
        trained.append(f"社会综合治理网格员{exact(c[ZONGZHI], '名')}")
    parts = [f"培养{'、'.join(trained)}"] if trained else []
    if c[ENFORCEMENT]:
        parts.append(f"镇行政综合执法大队队员{exact(c[ENFORCEMENT], '名')}")
    return "，".join(parts) or None


def grid_paragraphs(ctx: Context) -> list[str]:
    """``ReportSection.build`` for 一(一)."""
    s = grid_sentence(ctx)
    return [s + "。"] if s else []


def people_paragraphs(ctx: Context) -> list[str]:
    """``ReportSection.build`` for 二(三)."""
    s = people_sentence(ctx)
    return [s + "。"] if s else []
