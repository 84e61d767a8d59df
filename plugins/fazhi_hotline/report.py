"""The report's hotline sentence (part 二, 主要举措及成效). No Textual here.

For 2023 the demo's data gives the seed's own words:
"积极回应12345民呼必应，处理工单100余件、电话单90余件，每季度保持乡镇前两名。"

"每季度保持乡镇前两名" is written only when the county published a rank for every quarter of the
report's period and each is 1 or 2. Otherwise the published ranks are listed as they are
("季度排名依次为第一季度第1名、第二季度第3名"), and with no published rank the clause is left out.
Ranks computed by this program from several townships' tickets are an estimate, not the
county's word, so the report never uses them.
"""

from __future__ import annotations

from fazhi_tui.api import Context, Period, approx

from .headline import figures_only
from .ranking import published_ranks, quarters_of
from .tables import quarter_key

APPROX_UNIT = "件"
_QUARTER_NAMES = "一二三四"


def rank_clause(ranks: dict[str, int], quarters: list[str]) -> str | None:
    """The ranking clause for ``quarters`` ("2023Q1", …) given the published ``ranks`` by quarter."""
    known = [(q, ranks[q]) for q in quarters if q in ranks]
    if not known:
        return None
    if len(known) == len(quarters) and all(r <= 2 for _, r in known):
        return "每季度保持乡镇前两名" if len(quarters) > 1 else "季度排名保持乡镇前两名"
    parts = [f"第{_QUARTER_NAMES[int(q[-1]) - 1]}季度第{r}名" for q, r in known]
    lead = "季度排名依次为" if len(parts) > 1 else "季度排名为"
    return lead + "、".join(parts)


def hotline_sentence(ctx: Context, period: Period | None = None) -> str | None:
    """The sentence for the period (the report's year), for the whole town; None with no tickets."""
    period = period or ctx.period
    f = figures_only(ctx.replace(grid=None), period)
    parts = []
    if f.work_orders:
        parts.append(f"工单{approx(f.work_orders, APPROX_UNIT)}")
    if f.phone_orders:
        parts.append(f"电话单{approx(f.phone_orders, APPROX_UNIT)}")
    if not parts:
        return None
    quarters = [
        quarter_key(q.start.year, (q.start.month - 1) // 3 + 1)
        for q in quarters_of(period)
        if q.start >= period.start and q.end <= period.end
    ]
    published = {k: r.rank for k, r in published_ranks(ctx, period).items() if r.rank is not None}
    clause = rank_clause(published, quarters) if quarters else None
    sentence = f"积极回应12345民呼必应，处理{'、'.join(parts)}"
    return sentence + (f"，{clause}。" if clause else "。")


def report_paragraphs(ctx: Context) -> list[str]:
    """``ReportSection.build``: one paragraph, or none when the year has no tickets."""
    sentence = hotline_sentence(ctx)
    return [sentence] if sentence else []
