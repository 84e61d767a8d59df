"""报告预览: the year's report as it will print, figures highlighted and live.

``←`` ``→`` move from figure to figure (``↑`` ``↓`` from paragraph to paragraph), ``m`` to the next
gap; ``Enter`` lists the figure's records; ``e`` edits the paragraph under the cursor (a new
version; a stale save is refused); ``a`` adds a paragraph after it, ``A`` the statutory fifth
part; ``o`` writes the report as .docx or .md; ``v`` shows or hides the previous year's values.

Every query runs in ``load`` or ``run_in_thread``; what is shown comes from ``preview``, every
write from ``fazhi_tui.report.document``.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from fazhi_tui.api import Config, Context, FigureBook, Panel, PluginHost, StaleRevisionError, requires_write
from fazhi_tui.api import ReportBlock as Block
from fazhi_tui.api import report_document as store_doc

from .preview import Preview, build_preview, figure_records, report_year
from .widgets.figure_records import FigureRecords
from .widgets.paragraph_editor import ParagraphEditor
from .widgets.report_export import ReportExportDialog
from .widgets.report_view import ReportView

TABLE = store_doc.TABLE
KIND_NAMES = {"title": "标题", "heading1": "部分标题", "heading2": "小标题", "paragraph": "段落"}


class ReportPanel(Panel):
    LOAD_BEFORE_MOUNT = True  # its load reads the context and the shell's host and config (_runtime)
    DEFAULT_CSS = """
    ReportPanel #report-head { height: auto; color: $text-muted; padding: 0 1; }
    ReportPanel #report-gaps { height: auto; max-height: 2; padding: 0 1; color: $warning; }
    ReportPanel #report-status { height: auto; max-height: 2; padding: 0 1; background: $boost; }
    """

    BINDINGS = [
        Binding("right", "next_figure", "下一指标", id="report.next_figure", priority=True),
        Binding("left", "previous_figure", "上一指标", id="report.previous_figure", priority=True),
        Binding("down", "next_block", "下一段", show=False, id="report.next_block", priority=True),
        Binding("up", "previous_block", "上一段", show=False, id="report.previous_block", priority=True),
        Binding("m", "next_gap", "下一处缺失", id="report.next_gap"),
        Binding("enter", "records", "来源记录", id="report.records", priority=True),
        Binding("e", "edit", "修改本段", id="report.edit"),
        Binding("a", "add_paragraph", "添加段落", show=False, id="report.add"),
        Binding("A", "add_fifth_part", "添加第五部分", show=False, id="report.fifth_part"),
        Binding("o", "export_report", "导出报告", id="report.export_report"),
        Binding("v", "toggle_previous", "上年对比", show=False, id="report.previous_year"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.preview: Preview | None = None
        self.cursor_block = 0
        self.cursor_spot: int | None = None
        self._host: PluginHost | None = None
        self._config: Config | None = None
        self._keep: tuple[int, int | None] | None = None  # (block position, span) to return to after a reload

    # -- data ---------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield Static("", id="report-head", markup=False)
        yield Static("", id="report-gaps", markup=False)
        yield ReportView(id="report-view")
        yield Static("", id="report-status", markup=False)

    def _runtime(self) -> tuple[PluginHost, Config]:
        """The shell's plugin host and config (the report quotes every plugin's figures); the
        installed plugins and a default config for a panel outside the dashboard. Asked from
        ``load``, which may run before the mount: the panel is attached to the app by then."""
        if self._host is None or self._config is None:
            try:
                app = self.app
            except RuntimeError:  # Textual's NoActiveAppError: a panel outside any app
                app = None
            self._host = self._host or getattr(app, "host", None) or PluginHost.load()
            self._config = self._config or getattr(app, "config", None) or Config()
        return self._host, self._config

    def load(self, ctx: Context) -> Preview:
        host, cfg = self._runtime()
        return build_preview(ctx.replace(grid=None), host, cfg)

    async def show(self, preview: Preview) -> None:
        old = self.preview
        self.preview = preview
        if old is not None and self._keep is None and old.blocks:
            block = old.blocks[min(self.cursor_block, len(old.blocks) - 1)]
            self._keep = (block.position, old.spots[self.cursor_spot].span if self.cursor_spot is not None else None)
        self.cursor_block, self.cursor_spot = 0, (0 if preview.spots else None)
        if self._keep is not None:
            self._restore(*self._keep)
            self._keep = None
        elif preview.spots:
            self.cursor_block = preview.spots[0].block
        report = preview.report
        head = f"{preview.year}年度报告 · {report.document.source_text} · 全镇"
        if preview.year >= report.today.year:
            head += f" · 年度未结束，数字截至 {report.today}"
        self.query_one("#report-head", Static).update(head)
        self._show_gaps()
        await self.query_one(ReportView).show_preview(preview, self.cursor_block, self._cursor_span())
        self._show_status()
        # Scroll once the new blocks are laid out (their places are unknown before).
        self.call_after_refresh(self._moved)

    def _restore(self, position: int, span: int | None) -> None:
        assert self.preview is not None
        for i, block in enumerate(self.preview.blocks):
            if block.position == position and position:
                self.cursor_block = i
                spots = [n for n, s in enumerate(self.preview.spots) if s.block == i]
                match = [n for n in spots if self.preview.spots[n].span == span]
                found = match or spots
                self.cursor_spot = found[0] if found else None
                return

    def _show_gaps(self) -> None:
        assert self.preview is not None
        gaps = self.preview.gaps
        problems = self.preview.report.problems
        missing = self.preview.report.document.missing_parts()
        text = Text()
        if not gaps and not problems and not missing:
            text.append("本年度报告的指标齐全。", style="green")
        else:
            if gaps:
                labels = list(dict.fromkeys(g.label for g in gaps))
                text.append(f"缺{len(gaps)}处（按m逐个跳转）：", style="bold")
                text.append("、".join(labels))
            for part in missing:
                text.append(f"\n缺报告部分：{part}、{store_doc.STATUTORY_PARTS[part]}")
            for problem in problems:
                text.append(f"\n{problem}")
        self.query_one("#report-gaps", Static).update(text)

    # -- the cursor ---------------------------------------------------------------------------
    def _cursor_span(self) -> int | None:
        if self.preview is None or self.cursor_spot is None:
            return None
        spot = self.preview.spots[self.cursor_spot]
        return spot.span if spot.block == self.cursor_block else None

    def _moved(self, before: int | None = None) -> None:
        view = self.query_one(ReportView)
        only = tuple({i for i in (before, self.cursor_block) if i is not None}) if before is not None else None
        view.refresh_blocks(self.cursor_block, self._cursor_span(), only)
        view.scroll_to_block(self.cursor_block, self._cursor_span())
        self._show_status()

    def _show_status(self) -> None:
        if self.preview is None or not self.preview.blocks:
            return
        status = Text()
        span = self._cursor_span()
        block = self.preview.blocks[self.cursor_block]
        if span is not None and self.cursor_spot is not None:
            spot = self.preview.spots[self.cursor_spot]
            status.append(f"{spot.label}：", style="bold")
            if spot.gap is not None:
                status.append(f"缺（{spot.gap}）", style="bold red")
            else:
                status.append(spot.text)
                status.append(f" · 上年 {spot.previous or '无数据'}")
            status.append(f" · {spot.name}", style="dim")
        else:
            stored = self.preview.report.document.block_at(block.position) if block.position else None
            status.append(KIND_NAMES.get(block.kind, block.kind), style="bold")
            if stored is None:
                status.append(" · 由插件生成，不在此修改")
            elif stored.rev is None:
                status.append(" · 尚未修改（e 修改）")
            else:
                when = stored.changed_at.strftime("%Y-%m-%d %H:%M") if stored.changed_at else ""
                status.append(f" · 第 {stored.rev} 版，{stored.changed_by} {when} · e 修改")
        self.query_one("#report-status", Static).update(status)

    def action_next_figure(self, step: int = 1) -> None:
        if self.preview is None or not self.preview.spots:
            return
        before = self.cursor_block
        spots = self.preview.spots
        if self.cursor_spot is None or spots[self.cursor_spot].block != self.cursor_block:
            # From a block without the cursor's figure: the first figure after (or before) it.
            ahead = [i for i, s in enumerate(spots) if (s.block > before if step > 0 else s.block < before)]
            if not ahead:
                return
            self.cursor_spot = ahead[0] if step > 0 else ahead[-1]
        else:
            target = self.cursor_spot + step
            if not 0 <= target < len(spots):
                return
            self.cursor_spot = target
        self.cursor_block = spots[self.cursor_spot].block
        self._moved(before)

    def action_previous_figure(self) -> None:
        self.action_next_figure(-1)

    def action_next_block(self, step: int = 1) -> None:
        if self.preview is None:
            return
        before = self.cursor_block
        target = self.cursor_block + step
        if not 0 <= target < len(self.preview.blocks):
            return
        self.cursor_block = target
        here = [i for i, s in enumerate(self.preview.spots) if s.block == target]
        if here:
            self.cursor_spot = here[0]
        self._moved(before)

    def action_previous_block(self) -> None:
        self.action_next_block(-1)

    def action_next_gap(self) -> None:
        if self.preview is None:
            return
        gaps = [i for i, s in enumerate(self.preview.spots) if s.gap is not None]
        if not gaps:
            self.notify("本年度报告没有缺失的指标")
            return
        start = self.cursor_spot if self.cursor_spot is not None else -1
        self.cursor_spot = next((i for i in gaps if i > start), gaps[0])
        before = self.cursor_block
        self.cursor_block = self.preview.spots[self.cursor_spot].block
        self._moved(before)

    def action_toggle_previous(self) -> None:
        view = self.query_one(ReportView)
        view.show_previous = not view.show_previous
        view.refresh_blocks(self.cursor_block, self._cursor_span())

    # -- records ------------------------------------------------------------------------------
    def action_records(self) -> None:
        ctx = self.context
        if self.preview is None or ctx is None:
            return
        if self._cursor_span() is None or self.cursor_spot is None:
            self.notify("光标不在指标上：用 ← → 移到一个指标", severity="warning")
            return
        spot = self.preview.spots[self.cursor_spot]
        if spot.gap is not None:
            self.notify(f"{spot.label}：{spot.gap}", title="该指标缺失", severity="warning")
            return
        host, cfg = self._runtime()
        whole = ctx.replace(grid=None)
        book = FigureBook.load(host, ctx.store, cfg, report_year(ctx), ctx.today)
        table = book.figures[spot.name][1].table if spot.name in book.figures else None
        spec = ctx.store.specs.get(table) if table else None
        title = f"{spot.label}：{spot.text}（{self.preview.year}年，全镇）"

        def done(rows: Any) -> None:
            self.app.push_screen(FigureRecords(title=title, rows=rows, spec=spec, ctx=whole))

        self.run_in_thread(partial(figure_records, whole, host, cfg, spot.name), done=done, group="records")

    # -- editing ------------------------------------------------------------------------------
    def _stored_block(self) -> Block | None:
        if self.preview is None or not self.preview.blocks:
            return None
        block = self.preview.blocks[self.cursor_block]
        return self.preview.report.document.block_at(block.position) if block.position else None

    @requires_write(TABLE)
    def action_edit(self) -> None:
        ctx = self.context
        block = self._stored_block()
        if self.preview is None or ctx is None:
            return
        if block is None:
            self.notify("这一段由插件生成，不能在此修改", severity="warning")
            return
        document = self.preview.report.document
        what = f"{self.preview.year}年 · {KIND_NAMES.get(block.kind, block.kind)}"
        what += f" · 第 {block.rev} 版（{block.changed_by}）" if block.rev else f" · {document.source_text}"

        def save(text: str, lead: str | None, editor: ParagraphEditor) -> None:
            def job() -> Any:
                host, cfg = self._runtime()
                book = FigureBook.load(host, ctx.store, cfg, document.year, ctx.today)
                return store_doc.save_block(
                    ctx.store, document, block.position, text=text, lead=lead, expected_rev=block.rev, book=book
                )

            def done(_doc: Any) -> None:
                editor.dismiss(True)
                self._keep = (block.position, None)
                self.notify("已保存为新版本", title="报告段落")
                self.reload()

            self.run_in_thread(job, done=done, failed=lambda exc: editor.refused(_why(exc)), group="save")

        self.app.push_screen(
            ParagraphEditor(
                what=what,
                text=block.text,
                lead=block.lead if block.kind == "paragraph" else None,
                known=self.preview.known,
                approx=self.preview.approx,
                save=save,
            )
        )

    @requires_write(TABLE)
    def action_add_paragraph(self) -> None:
        block = self._stored_block()
        ctx = self.context
        if self.preview is None or ctx is None or block is None:
            self.notify("请先把光标移到报告的一段上", severity="warning")
            return
        new = Block("paragraph", block.part, "", "（新段落）")
        self._insert(ctx, lambda doc, book: store_doc.insert_block(ctx.store, doc, block.position, new, book))

    @requires_write(TABLE)
    def action_add_fifth_part(self) -> None:
        ctx = self.context
        if self.preview is None or ctx is None:
            return
        self._insert(ctx, lambda doc, book: store_doc.add_fifth_part(ctx.store, doc, book))

    def _insert(self, ctx: Context, change: Any) -> None:
        assert self.preview is not None
        document = self.preview.report.document

        def job() -> Any:
            host, cfg = self._runtime()
            book = FigureBook.load(host, ctx.store, cfg, document.year, ctx.today)
            return change(document, book)

        def done(result: Any) -> None:
            _doc, position = result
            self._keep = (position, None)
            self.reload()

        self.run_in_thread(job, done=done, failed=self.report_write_error, group="save")

    # -- export -------------------------------------------------------------------------------
    def action_export_report(self) -> None:
        if self.preview is None:
            return
        report = self.preview.report
        default = Path.cwd() / f"{self.preview.year}年法治政府建设情况报告.docx"

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.run_in_thread(partial(_write_report, report, path), done=self._report_written, group="export")

        self.app.push_screen(ReportExportDialog(default, gaps=len(self.preview.gaps)), chosen)

    def _report_written(self, path: Path) -> None:
        gaps = len(self.preview.gaps) if self.preview else 0
        extra = f"；其中 {gaps} 处缺失已标出" if gaps else ""
        self.notify(f"已导出到 {path}{extra}", title="导出报告", timeout=10)


def _write_report(report: Any, path: Path) -> Path:
    if path.suffix.lower() == ".docx":
        from fazhi_tui.api import write_report_docx

        write_report_docx(report, path)
    else:
        from fazhi_tui.api import write_atomic

        write_atomic(path, report.markdown())
    return path


def _why(exc: BaseException) -> str:
    if isinstance(exc, StaleRevisionError):
        return f"他人已修改，本次未保存：{exc}"
    if isinstance(exc, ValueError):
        return f"未保存：{exc}"
    return f"未保存：{type(exc).__name__}: {exc}"


__all__ = ["ReportPanel"]
