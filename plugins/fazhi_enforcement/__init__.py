"""执法台账 (the enforcement ledger): 整治行动 and 执法案件 under the 三项制度 (公示、全过程记录、
重大执法决定法制审核), their figures for the period and grid, the report's figures, the daily
review's enforcement items and the map's figures per grid.

The hooks only. Tables live in ``tables``; figures in ``figures``, lists in ``lists``, writes in
``records``, the review in ``review``, the demo in ``demo`` (none imports Textual); the panel
(``panel.py`` and ``widgets/``) calls them.
"""

from fazhi_tui.api import Figure, GridFigure, LazyPanel, PanelSpec, ReviewCheck, hookimpl

__version__ = "0.1.0"


@hookimpl
def fazhi_tables():
    from .tables import ACTIONS_SPEC, CASES_SPEC

    return [ACTIONS_SPEC, CASES_SPEC]


@hookimpl
def fazhi_panels():
    # The panel's module (Textual) is imported when the panel is first shown (LazyPanel).
    return [
        PanelSpec(
            "enforcement",
            "执法台账",
            LazyPanel(f"{__name__}.panel", "EnforcementPanel"),
            order=200,
            key="f",
            description="整治行动与执法案件：指标与上期比较、三项制度落实率、待办案件、新建与复查结案公示",
            record_tables=("enforcement_cases", "enforcement_actions"),
        )
    ]


@hookimpl
def fazhi_figures():
    from . import figures as f
    from .tables import ACTIONS, CASES

    rates = [
        Figure(
            f"enforcement_compliance_{key}",
            f"三项制度：{label}",
            "%",
            f.compliance_rate(key),
            records=f.compliance_rows(key),
            table=CASES,
            description=f"执法案件中{label}的比例（百分数，一位小数）；records 为计入分母的案件，ok 列示是否落实",
        )
        for key, label, _n, _d in f.COMPLIANCE
    ]
    return [
        Figure(
            "enforcement_stall_actions",
            "整治“乱摆乱卖”次数",
            "次",
            f.stall_actions,
            records=f.stall_action_rows,
            table=ACTIONS,
            approx=True,
            description="行动类型为乱摆乱卖的整治行动（按日期）",
        ),
        Figure(
            "enforcement_dissuaded",
            "劝阻违法行为宗数",
            "宗",
            f.dissuaded,
            records=f.dissuaded_rows,
            table=CASES,
            description="处理方式为劝阻的执法案件（按发现时间）",
        ),
        Figure(
            "enforcement_actions",
            "整治行动次数",
            "次",
            f.action_count,
            records=f.action_rows,
            table=ACTIONS,
            description="各类整治行动（按日期）",
        ),
        Figure(
            "enforcement_joint_actions",
            "联合行动次数",
            "次",
            f.joint_actions,
            records=f.joint_action_rows,
            table=ACTIONS,
            description="有联合单位（市场所、派出所等）的整治行动",
        ),
        Figure(
            "enforcement_turnout",
            "出动人次",
            "人次",
            f.turnout,
            records=f.action_rows,
            table=ACTIONS,
            description="整治行动出动人次之和",
        ),
        Figure(
            "enforcement_cases",
            "执法案件宗数",
            "宗",
            f.case_count,
            records=f.case_rows,
            table=CASES,
            description="各种处理方式的执法案件（按发现时间）",
        ),
        Figure(
            "enforcement_cases_filed",
            "立案数",
            "宗",
            f.cases_filed,
            records=f.filed_rows,
            table=CASES,
            description="处理方式为一般程序立案的执法案件",
        ),
        Figure(
            "enforcement_fines",
            "罚款金额",
            "元",
            f.fines,
            records=f.fined_rows,
            table=CASES,
            description="执法案件罚款金额之和（元）",
        ),
        *rates,
    ]


@hookimpl
def fazhi_review_checks():
    from . import review

    return [
        ReviewCheck("enforcement_rectify_overdue", "执法案件整改超期", review.rectify_overdue, order=200),
        ReviewCheck("enforcement_review_due", "执法案件复查到期", review.review_due_soon, order=201),
        ReviewCheck("enforcement_publicity", "处罚决定公示到期或超期", review.publicity, order=202),
        ReviewCheck(
            "enforcement_record_missing", "执法案件缺音像记录或第二名执法人员", review.record_missing, order=203
        ),
        ReviewCheck("enforcement_legal_review", "重大执法决定未经法制审核", review.legal_review_missing, order=204),
    ]


@hookimpl
def fazhi_grid_figures():
    from .figures import actions_per_grid, cases_per_grid

    return [
        # Counts: a grid without any is 0; per 1,000 residents beside them on the map.
        GridFigure("enforcement_actions", "整治行动", actions_per_grid, unit="次", missing="zero", per_1000=True),
        GridFigure("enforcement_cases", "执法案件", cases_per_grid, unit="宗", missing="zero", per_1000=True),
    ]


# After the other plugins' demo rows (trylast): 12345转办 cases refer to the hotline's tickets.
@hookimpl(trylast=True)
def fazhi_demo_rows(store, today, seed):
    from .demo import enforcement_demo_rows

    return enforcement_demo_rows(store, today, seed)
