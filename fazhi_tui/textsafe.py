"""Stored text shown safely: control characters made visible, never sent to a terminal.

A value in the store is whatever someone typed or imported. Printed raw, an escape sequence in
it can clear a colleague's screen, retitle their window or hide text; bidirectional overrides
can make a line read differently from what it holds. Screens and the CLI show such characters
as visible escapes (``\\x1b``); imports refuse them (``store.content``). Tabs and line breaks are
ordinary text. No Textual or rich here: the CLI and the store use it too.
"""

from __future__ import annotations

import re

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls; the Unicode
# bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# On a terminal line breaks are controls too: a cell must stay on its line.
LINE_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    c = match.group(0)
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, one_line: bool = False) -> str:
    """``text`` with every control character written as an escape (``\\x1b``, ``\\u202e``)."""
    return (LINE_CONTROL_RE if one_line else CONTROL_RE).sub(_escape, text)


def has_control(text: str) -> bool:
    return CONTROL_RE.search(text) is not None
