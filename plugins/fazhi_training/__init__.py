"""学法与普法台账: study sessions, rule-of-law training, exams and outreach (宣讲, 法律服务),
who attended what and each person's 学时 for the year; the report's training figures, the
map's outreach per grid and the daily review's training checks.

The hooks only. Queries live in ``sessions``, ``hours``, ``figures``, ``review``, ``roster``,
``inspector`` and ``demo`` (none imports Textual); the panel (``panel.py``) calls them.
"""

from fazhi_tui.api import LazyPanel, PanelSpec, ReviewCheck, hookimpl

__version__ = "0.1.0"


@hookimpl
def fazhi_tables():
    from .tables import TABLES

    return list(TABLES)


@hookimpl
def fazhi_panels():
    # The panel's module (Textual) is imported when the panel is first shown (LazyPanel).
    return [
        PanelSpec(
            "training",
            "学法台账",
            LazyPanel(f"{__name__}.panel", "TrainingPanel"),
            order=300,
            key="x",
            description="学习培训与普法活动按类型与上期比较，年度计划完成情况，个人学时，参学名单录入，学法台账导出",
            # Besides its own tables, a person opens here: the review lists staff behind on 学时.
            record_tables=("trainings", "training_attendance", "people"),
        )
    ]


@hookimpl
def fazhi_figures():
    from .figures import report_figures

    return report_figures()


@hookimpl
def fazhi_grid_figures():
    from .figures import grid_figures

    return grid_figures()


@hookimpl
def fazhi_review_checks():
    from . import review

    return [
        ReviewCheck("training_behind_plan", "学法培训计划进度落后", review.behind_plan, order=400),
        ReviewCheck("training_inactive_people", "长期未参加学法的人员", review.inactive_people, order=401),
        ReviewCheck("training_exam_unscored", "学法考试未录入成绩", review.exams_without_scores, order=402),
    ]


@hookimpl
def fazhi_demo_rows(store, today, seed):
    from .demo import training_demo_rows

    return training_demo_rows(store, today, seed)
