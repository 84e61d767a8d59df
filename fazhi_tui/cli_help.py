"""The command line's own words in Chinese, and its help columns aligned by display width.

``argparse`` writes its headings, the ``-h`` line and its errors in English through
``argparse._`` (a gettext hook meant for translations), and pads and wraps by ``len()``, which
counts a Chinese character as one column where the terminal shows two. ``install()`` gives it
the Chinese words; ``CellWidthFormatter`` lays the help out by cells.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable

from rich.cells import cell_len

# argparse's messages (Python 3.11–3.13), as argparse spells them.
ZH: dict[str, str] = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多需要一个值",
    "expected at least one argument": "至少需要一个值",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "选项不明确：%(option)s 可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "需要参数 %s 之一",
    "ignored explicit argument %r": "忽略了多余的值 %r",
    "unexpected option string: %s": "意外的选项：%s",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
}


def _translate(original: Callable[[str], str]) -> Callable[[str], str]:
    def gettext(message: str) -> str:
        return ZH.get(message) or original(message)

    return gettext


def _translate_plural(original: Callable[[str, str, int], str]) -> Callable[[str, str, int], str]:
    def ngettext(singular: str, plural: str, n: int) -> str:
        return ZH.get(singular if n == 1 else plural) or original(singular, plural, n)

    return ngettext


def install() -> None:
    """Give argparse its Chinese words (once; the CLI calls it before building its parser)."""
    if getattr(argparse._, "fazhi_zh", False):  # type: ignore[attr-defined]
        return
    gettext = _translate(argparse._)  # type: ignore[attr-defined]
    gettext.fazhi_zh = True  # type: ignore[attr-defined]
    argparse._ = gettext  # type: ignore[attr-defined]
    argparse.ngettext = _translate_plural(argparse.ngettext)  # type: ignore[attr-defined]


_BREAKABLE = re.compile(r"(\s+|[\u3000-\u303f\uff00-\uffef\u3400-\u9fff])")
# A line never starts with a closing mark nor ends with an opening one (禁则).
_CLOSING = set("，。、；：！？）」』】》”’")
_OPENING = set("（「『【《“‘")


def _pieces(text: str) -> list[str]:
    pieces: list[str] = []
    for piece in filter(None, _BREAKABLE.split(text)):
        if pieces and (piece in _CLOSING or pieces[-1][-1] in _OPENING) and not pieces[-1].isspace():
            pieces[-1] += piece
        else:
            pieces.append(piece)
    return pieces


def wrap_cells(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal cells, broken at spaces or between
    Chinese characters (never inside a Latin word, unless it is longer than a line)."""
    text = " ".join(text.split())
    lines: list[str] = []
    line = ""
    for piece in _pieces(text):
        if piece.isspace():
            piece = " "
            if not line:
                continue
        if cell_len(line) + cell_len(piece) > width and line.strip():
            lines.append(line.rstrip())
            line = "" if piece == " " else piece
        else:
            line += piece
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


class CellWidthFormatter(argparse.HelpFormatter):
    """argparse's layout, measured in terminal cells rather than characters."""

    def add_argument(self, action: argparse.Action) -> None:
        if action.help is not argparse.SUPPRESS:
            invocations = [self._format_action_invocation(action)]
            invocations += [self._format_action_invocation(s) for s in self._iter_indented_subactions(action)]
            length = max(map(cell_len, invocations)) + self._current_indent
            self._action_max_length = max(self._action_max_length, length)
            self._add_item(self._format_action, [action])

    def _format_action(self, action: argparse.Action) -> str:
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        indent = " " * self._current_indent
        indent_first = 0
        if not action.help:
            header = f"{indent}{header}\n"
        elif cell_len(header) <= action_width:
            header = f"{indent}{header}{' ' * (action_width - cell_len(header))}  "
        else:
            header = f"{indent}{header}\n"
            indent_first = help_position
        parts = [header]
        if action.help and action.help.strip():
            help_text = self._expand_help(action)
            if help_text:
                lines = self._split_lines(help_text, help_width)
                parts.append(" " * indent_first + lines[0] + "\n")
                parts += [" " * help_position + line + "\n" for line in lines[1:]]
        elif not header.endswith("\n"):
            parts.append("\n")
        parts += [self._format_action(s) for s in self._iter_indented_subactions(action)]
        return self._join_parts(parts)

    def _format_usage(self, usage, actions, groups, prefix) -> str:
        # argparse wraps the usage by characters: give it as many fewer columns as the Chinese
        # in it takes more cells than characters, so its lines fit the terminal.
        width = self._width
        try:
            self._width = 10_000
            flat = super()._format_usage(usage, actions, groups, prefix)
            self._width = max(width - (cell_len(flat) - len(flat)), 40)
            return super()._format_usage(usage, actions, groups, prefix)
        finally:
            self._width = width

    def format_help(self) -> str:
        # argparse ends a heading with an ASCII colon; a Chinese heading takes the full-width one.
        return re.sub(r"(?m)^(\s*[^\x00-\x7f][^\n]*?):$", r"\1：", super().format_help())

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap_cells(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap_cells(text, width - cell_len(indent)))
