"""A file path field with completion, for choosing a file over SSH without a mouse.

Ctrl+T completes as a shell's Tab does: a single match is filled in (a folder with its ``/``),
several matches fill in what they share and are listed below the field. Tab itself moves to
the next field, as in every other form of the dashboard.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

# What import reads (transfer.read); other files are not offered, but may still be typed.
IMPORTABLE = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".ods", ".parquet", ".geojson", ".json")
MAX_SCANNED = 5000  # entries read from one folder: a huge folder (or a slow network share) is cut off


@dataclass(frozen=True)
class Completion:
    value: str  # the field's text after completing
    candidates: list[str] = field(default_factory=list)  # matching names; folders end with "/"
    folder: Path | None = None  # where they were looked for
    more: bool = False  # the folder has more entries than were read
    error: str = ""  # why the folder could not be listed


def _folder_of(text: str, cwd: Path) -> tuple[str, str, Path]:
    """(what was typed up to the last slash, the part after it, the folder that names)."""
    typed_dir, slash, prefix = text.rpartition("/")
    typed_dir = typed_dir + slash
    folder = Path(os.path.expanduser(typed_dir)) if typed_dir else Path(".")
    if not folder.is_absolute():
        folder = cwd / folder
    return typed_dir, prefix, folder


def complete_path(text: str, cwd: Path) -> Completion:
    """Complete ``text`` (absolute, relative to ``cwd``, or starting with ``~``)."""
    if text == "~":
        return Completion("~/", folder=Path.home())
    typed_dir, prefix, folder = _folder_of(text, cwd)
    names: list[str] = []
    more = False
    try:
        with os.scandir(folder) as entries:
            for count, entry in enumerate(entries):
                if count >= MAX_SCANNED:
                    more = True
                    break
                name = entry.name
                if not name.startswith(prefix) or (name.startswith(".") and not prefix.startswith(".")):
                    continue
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    continue
                if is_dir:
                    names.append(name + "/")
                elif name.lower().endswith(IMPORTABLE):
                    names.append(name)
    except OSError as exc:
        return Completion(text, folder=folder, error=f"无法列出 {folder}：{exc.strerror or exc}")
    names.sort(key=lambda n: (not n.endswith("/"), n.casefold()))
    if not names:
        return Completion(text, folder=folder, more=more)
    common = os.path.commonprefix(names)
    value = typed_dir + common if len(common) > len(prefix) else text
    return Completion(value, names, folder, more)


class PathInput(Input):
    """An ``Input`` for a file path; Ctrl+T completes it (see the module's docstring)."""

    BINDINGS = [Binding("ctrl+t", "complete", "补全路径", id="path_input.complete")]

    class Completed(Message):
        """Completion was asked for: what matched, for the screen to list."""

        def __init__(self, path_input: PathInput, completion: Completion) -> None:
            super().__init__()
            self.path_input = path_input
            self.completion = completion

        @property
        def control(self) -> PathInput:
            return self.path_input

    def __init__(self, value: str = "", *, cwd: Path | None = None, **kwargs) -> None:
        super().__init__(value, **kwargs)
        self.cwd = cwd or Path.cwd()

    def action_complete(self) -> None:
        completion = complete_path(self.value, self.cwd)
        if completion.value != self.value:
            self.value = completion.value
            self.cursor_position = len(self.value)
        self.post_message(self.Completed(self, completion))
