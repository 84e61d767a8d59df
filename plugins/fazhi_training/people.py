"""Who is who for the ledger: the principal leaders (领学 by 党委书记 or 镇长), who counts as
机关干部, and each person's 学时 target. Separate because the figures, the person-hours and
the review all ask the same questions of the host's ``people`` table. No Textual here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from fazhi_tui.api import Context

from .settings import CADRES, TrainingSettings

# Committees of villages and neighbourhoods carry the town's name too (赵庄镇镇区居民委员会).
_NOT_ORGANS = ("村民委员会", "居民委员会", "人民调解委员会")


def is_cadre(unit: str | None, town: str, settings: TrainingSettings) -> bool:
    """Whether a person of ``unit`` is 机关干部: the units named in the settings, else the town's
    own organs (a unit whose name holds the town's name and is not a village's committee)."""
    if not unit:
        return False
    if settings.cadre_units is not None:
        return unit in settings.cadre_units
    return bool(town) and town in unit and not any(n in unit for n in _NOT_ORGANS)


def hour_target(person: Mapping[str, Any], town: str, settings: TrainingSettings) -> float | None:
    """The 学时 a year a person should reach: the largest target among their roles, their unit
    and the 机关干部 group; None when none applies."""
    targets = settings.hour_targets
    found = [targets[r] for r in person.get("roles") or () if r in targets]
    unit = person.get("unit")
    if unit and unit in targets:
        found.append(targets[unit])
    if CADRES in targets and is_cadre(unit, town, settings):
        found.append(targets[CADRES])
    return max(found) if found else None


def leader_ids(ctx: Context, settings: TrainingSettings) -> list[str]:
    """People whose 领学 the report counts: holders of ``leader_roles`` (党委书记, 镇长), and those
    the office named in ``leaders`` (by 人员编号, or by 姓名 when only one person has it; an
    unknown or shared name raises ``ValueError`` naming the candidates)."""
    rows = ctx.query(
        "SELECT person_id, name, list_has_any(roles, ?::VARCHAR[]) AS by_role FROM people ORDER BY person_id",
        [list(settings.leader_roles)],
    ).to_pylist()
    out = {r["person_id"] for r in rows if r["by_role"]}
    ids = {r["person_id"] for r in rows}
    for given in settings.leaders:
        if given in ids:
            out.add(given)
            continue
        named = [r["person_id"] for r in rows if r["name"] == given]
        if len(named) != 1:
            problem = f"对应多人（{'、'.join(named)}），请改用人员编号" if named else "不是已登记的人员"
            raise ValueError(f"[plugin.fazhi_training] leaders 中的“{given}”{problem}")
        out.add(named[0])
    return sorted(out)


def in_post_condition(alias: str = "p") -> str:
    """People in post at some time in [?, ?) (two parameters: first day, day after the last)."""
    return f"({alias}.start_date IS NULL OR {alias}.start_date < ?) AND ({alias}.end_date IS NULL OR {alias}.end_date >= ?)"


def in_post_params(first: dt.date, end: dt.date) -> list[dt.date]:
    return [end, first]


def names_of(ctx: Context, ids: Sequence[str]) -> dict[str, str]:
    """Names for person ids (staff names are public; nothing else of them is read)."""
    if not ids:
        return {}
    rows = ctx.query("SELECT person_id, name FROM people WHERE list_contains(?, person_id)", [list(ids)]).to_pylist()
    return {r["person_id"]: r["name"] for r in rows}
