"""Line breaking for Chinese text as it is printed: by cell width, and never starting a line with
closing punctuation (，。、；：？！）》」”…) nor ending one with an opening mark (（《「“) — the
kinsoku rules every Chinese typesetter follows. Rich folds by width only, which puts a "，" at the
head of a line. No Textual here: plain functions over ``rich.text.Text``.
"""

from __future__ import annotations

from rich.cells import get_character_cell_size
from rich.text import Text

NO_LINE_START = set("，。、；：？！）》」』】〕”’…—·,.;:?!)]}%")
NO_LINE_END = set("（《「『【〔“‘([{")


def break_offsets(plain: str, width: int) -> list[int]:
    """Where lines break (offsets into ``plain``, each the start of a new line)."""
    if width <= 0:
        return []
    out: list[int] = []
    used = 0
    start = 0
    i = 0
    while i < len(plain):
        ch = plain[i]
        if ch == "\n":
            out.append(i + 1)
            start, used = i + 1, 0
            i += 1
            continue
        w = get_character_cell_size(ch)
        if used + w > width and i > start:
            cut = i
            # Carry a character or two down rather than start the line with closing punctuation,
            # and never leave an opening mark at the end of the line above.
            for _ in range(3):
                if cut - 1 > start and (plain[cut] in NO_LINE_START or plain[cut - 1] in NO_LINE_END):
                    cut -= 1
                else:
                    break
            out.append(cut)
            start = cut
            used = sum(get_character_cell_size(c) for c in plain[start:i])
        used += w
        i += 1
    return out


def wrap(text: Text, width: int) -> Text:
    """``text`` broken into lines of at most ``width`` cells, styles kept, joined by newlines."""
    plain = text.plain
    offsets = [o for o in break_offsets(plain, width) if 0 < o < len(plain)]
    if not offsets:
        return text
    lines = [line[:-1] if line.plain.endswith("\n") else line for line in text.divide(offsets)]
    out = Text("\n", no_wrap=True, overflow="crop").join(lines)
    out.no_wrap = True
    return out
