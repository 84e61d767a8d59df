"""What each of the office's 类型 means to the figures: which 类型 is the 中心组学习 that 领学 is
counted in, which the 学法考试 whose scores are averaged, and so on. Separate because the
figures, the person-hours, the review and the inspector's sheets all ask it, and an office that
renamed its types (``[code_tables] training_kind``) says here what its names mean:

    [plugin.fazhi_training]
    kinds = { "中心组学习" = "党委理论学习中心组学习", "法治培训" = ["法治培训", "干部法治培训"] }

A meaning the office did not map keeps its own name. A mapped name must be one of the office's
类型 (a typo would make a figure a silent 0): otherwise a ``ValueError`` names it. A meaning none
of whose names is a 类型 of this office has no sessions by definition: its figures are gaps, not 0.
No Textual here.
"""

from __future__ import annotations

from fazhi_tui.api import Context

from .sessions import kinds_of
from .settings import SECTION, TrainingSettings, settings_of


def kind_names(ctx: Context, meaning: str, settings: TrainingSettings | None = None) -> tuple[str, ...]:
    """The office's 类型 that mean ``meaning`` (one of ``tables.KINDS``); empty when it has none."""
    settings = settings or settings_of(ctx)
    codes = kinds_of(ctx)
    if meaning in settings.kinds:
        names = settings.kinds[meaning]
        unknown = [n for n in names if n not in codes]
        if unknown:
            raise ValueError(
                f"{SECTION} kinds.{meaning} 中的“{'、'.join(unknown)}”不是本单位的活动类型（现有：{'、'.join(codes)}）"
            )
        return names
    return (meaning,) if meaning in codes else ()
