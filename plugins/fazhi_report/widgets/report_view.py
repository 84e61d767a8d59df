"""The report as it will print: one block per paragraph or heading, figures highlighted, the cursor's
figure reversed, the previous year's value beside each figure (dim, toggled with ``v``).

Text from the store is never markup: every block is built as a ``rich.text.Text`` with styles
on spans, so a 【 or a [ in a paragraph prints as it is.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rich.text import Text
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.widget import Widget

from .cjk_wrap import break_offsets, wrap

FIGURE_STYLE = "bold cyan"
GAP_STYLE = "bold white on dark_red"
CURSOR_STYLE = "reverse"
PREVIOUS_STYLE = "dim italic"


def block_text(block: Any, spots: dict[int, Any], cursor_span: int | None, show_previous: bool) -> Text:
    """One block as styled text. ``spots`` maps a span's index to its FigureSpot."""
    text = Text()
    if block.kind == "heading1":
        text.append(block.text, style="bold")
        return text
    if block.kind == "heading2":
        text.append(block.text, style="bold italic")
        return text
    if block.kind == "paragraph":
        text.append("　　")  # the first-line indent of two characters, as printed
    if block.lead:
        text.append(block.lead, style="bold italic")
    for i, span in enumerate(block.spans):
        spot = spots.get(i)
        if spot is None:
            text.append(span.text)
            continue
        style = GAP_STYLE if spot.gap is not None else FIGURE_STYLE
        if i == cursor_span:
            style = f"{style} {CURSOR_STYLE}"
        text.append(span.text, style=style)
        if show_previous and spot.gap is None:
            text.append(f"〔上年{spot.previous or '无数据'}〕", style=PREVIOUS_STYLE)
    return text


class BlockView(Widget):
    """One block; wraps its text itself (``cjk_wrap``) at the width it is given."""

    DEFAULT_CSS = """
    BlockView { width: 1fr; height: auto; padding: 0 1; }
    BlockView.-title { text-align: center; text-style: bold; }
    BlockView.-heading1 { margin-top: 1; }
    BlockView.-cursor { background: $boost; border-left: thick $accent; padding-left: 0; }
    """

    def __init__(self, index: int, kind: str) -> None:
        super().__init__(classes=f"-{kind}")
        self.index = index
        self.text = Text()

    def show_text(self, text: Text) -> None:
        self.text = text
        self.refresh(layout=True)

    def render(self) -> Text:
        width = self.content_size.width or self.size.width
        if self.has_class("-title") or width <= 0:
            return self.text
        return wrap(self.text, width)

    def get_content_height(self, container, viewport, width: int) -> int:
        if self.has_class("-title"):
            return 1
        return wrap(self.text, width).plain.count("\n") + 1


class ReportView(VerticalScroll):
    """The blocks of the report; the panel tells it which block and figure the cursor is on."""

    DEFAULT_CSS = """
    ReportView { height: 1fr; }
    """

    can_focus = True

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.preview: Any = None
        self.show_previous = True

    async def show_preview(self, preview: Any, cursor_block: int, cursor_span: int | None) -> None:
        self.preview = preview
        await self.remove_children()
        views = [BlockView(i, b.kind) for i, b in enumerate(preview.blocks)]
        await self.mount_all(views)
        self.refresh_blocks(cursor_block, cursor_span)

    def _spots_of(self, index: int) -> dict[int, Any]:
        return {s.span: s for s in self.preview.spots if s.block == index}

    def refresh_blocks(self, cursor_block: int, cursor_span: int | None, only: tuple[int, ...] | None = None) -> None:
        if self.preview is None:
            return
        for view in self.query(BlockView):
            if only is not None and view.index not in only:
                continue
            block = self.preview.blocks[view.index]
            here = view.index == cursor_block
            view.set_class(here, "-cursor")
            view.show_text(
                block_text(block, self._spots_of(view.index), cursor_span if here else None, self.show_previous)
            )

    def scroll_to_block(self, index: int, span: int | None = None) -> None:
        """Bring the block into view, and within a long paragraph centre the line holding ``span``."""
        views = [v for v in self.query(BlockView) if v.index == index]
        if not views:
            return
        view = views[0]
        width = view.content_size.width
        if span is None or self.preview is None or width <= 0:
            self.scroll_to_widget(view, animate=False, top=False)
            return
        block = self.preview.blocks[index]
        spots = self._spots_of(index)
        # The offset of the span in the block's text: the text before it, as ``block_text`` builds it.
        head = replace(block, spans=block.spans[:span])
        upto = len(block_text(head, {k: v for k, v in spots.items() if k < span}, None, self.show_previous).plain)
        line = sum(1 for o in break_offsets(view.text.plain, width) if o <= upto)
        region = view.virtual_region
        self.scroll_to_region(Region(region.x, region.y + line, 1, 1), animate=False, center=True)
