"""`e` in a panel: where to write what the panel shows. The format follows the extension."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from .dialog import Dialog

FORMAT_NAMES = {"xlsx": "Excel 工作簿", "csv": "CSV（UTF-8，Excel 可直接打开）", "parquet": "Parquet"}


def check_target(text: str, cwd: Path) -> tuple[Path, str]:
    """The file to write and its format, from what the user typed; ``ValueError`` says what is
    wrong in Chinese. A relative name is taken in ``cwd``; ``~`` is the home folder."""
    text = text.strip()
    if not text:
        raise ValueError("请填写文件名")
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = cwd / path
    if path.is_dir():
        raise ValueError(f"{path} 是文件夹，请给出文件名")
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMAT_NAMES:
        raise ValueError(
            f"文件名须以 .xlsx、.csv 或 .parquet 结尾（按扩展名决定格式），而不是“{path.suffix or '无扩展名'}”"
        )
    if not path.parent.is_dir():
        raise ValueError(f"文件夹 {path.parent} 不存在")
    return path, fmt


class ExportDialog(Dialog[tuple[Path, str] | None]):
    """Asks for a file name (offering ``default``); answers ``(path, format)`` or None."""

    DEFAULT_CSS = """
    ExportDialog > Vertical { width: 76; }
    ExportDialog #export-what { height: auto; }
    ExportDialog Input { margin: 1 0 0 0; }
    ExportDialog #export-error { color: $error; height: auto; }
    ExportDialog #export-hint { color: $text-muted; height: auto; }
    """

    AUTO_FOCUS = "#export-path"
    BINDINGS = [Binding("escape", "dismiss", "取消", id="export.cancel")]

    def __init__(self, default: Path, *, what: str = "", masked: bool = False, cwd: Path | None = None) -> None:
        super().__init__()
        self.cwd = cwd or Path.cwd()
        self.default = default
        self.what = what
        self.masked = masked
        self._confirmed: Path | None = None  # a file that exists, after the user was told

    def compose(self) -> ComposeResult:
        shown = self.default.name if self.default.parent == self.cwd else str(self.default)
        with Vertical() as box:
            box.border_title = "导出"
            lines = [f"导出：{self.what}" if self.what else "导出当前显示的内容"]
            if self.masked:
                lines.append("您的角色不能查看个人信息：来电人、电话等将脱敏后导出，文件中注明。")
            yield Static("\n".join(lines), id="export-what", markup=False)
            yield Input(shown, id="export-path", select_on_focus=False)
            yield Static("", id="export-error", markup=False)
            yield Static(
                f"格式按扩展名：.xlsx、.csv（UTF-8（带 BOM））、.parquet。只写文件名则保存在 {self.cwd}。回车导出，Esc 取消。",
                id="export-hint",
                markup=False,
            )

    @on(Input.Submitted, "#export-path")
    def _submit(self, event: Input.Submitted) -> None:
        error = self.query_one("#export-error", Static)
        try:
            path, fmt = check_target(event.value, self.cwd)
        except ValueError as exc:
            error.update(str(exc))
            return
        if path.exists() and self._confirmed != path:
            self._confirmed = path
            error.update(f"{path.name} 已存在；再按回车将覆盖它，或改一个文件名")
            return
        self.dismiss((path, fmt))

    @on(Input.Changed, "#export-path")
    def _changed(self) -> None:
        self._confirmed = None
        self.query_one("#export-error", Static).update("")
