"""报告预览: the year's report as it will print, with live figures, edited in place, traced and exported.

The hooks only. ``preview`` (what the panel shows, off the UI thread: the report, the previous
year's values) imports no Textual; ``panel`` and ``widgets/`` are the screen. The report itself
(template, figures, .docx) is the host's ``fazhi_tui.report``, so ``fazhi-tui report`` works
without this plugin.
"""

from fazhi_tui.api import LazyPanel, PanelSpec, hookimpl

__version__ = "0.1.0"


@hookimpl
def fazhi_panels():
    # The panel's module (Textual) is imported when the panel is first shown (LazyPanel).
    return [
        PanelSpec(
            "report_preview",
            "报告预览",
            LazyPanel(f"{__name__}.panel", "ReportPanel"),
            order=800,
            key="y",
            description="本年度报告的排版预览：数字随数据更新，←→ 逐个指标，Enter 查看来源记录，e 修改本段，o 导出",
        )
    ]
