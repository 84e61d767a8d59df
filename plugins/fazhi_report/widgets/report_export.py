"""``o`` in the report panel: where to write the report. .docx is laid out to GB/T 9704, .md is Markdown."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

FORMATS = {".docx": "Word 文档（公文格式 GB/T 9704）", ".md": "Markdown 文本"}


def check_report_target(text: str, cwd: Path) -> Path:
    """The file to write, from what the user typed; ``ValueError`` says what is wrong in Chinese."""
    text = text.strip()
    if not text:
        raise ValueError("请填写文件名")
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = cwd / path
    if path.is_dir():
        raise ValueError(f"{path} 是文件夹，请给出文件名")
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"文件名须以 .docx 或 .md 结尾，而不是“{path.suffix or '无扩展名'}”")
    if not path.parent.is_dir():
        raise ValueError(f"文件夹 {path.parent} 不存在")
    return path


class ReportExportDialog(ModalScreen[Path | None]):
    DEFAULT_CSS = """
    ReportExportDialog { align: center middle; }
    ReportExportDialog > Vertical {
        width: 76; max-width: 95%; height: auto;
        border: round $accent; background: $surface; padding: 0 1;
    }
    ReportExportDialog #report-export-error { color: $error; height: auto; }
    ReportExportDialog #report-export-hint { color: $text-muted; height: auto; }
    """

    AUTO_FOCUS = "#report-export-path"
    BINDINGS = [Binding("escape", "dismiss", "取消", id="report.export.cancel")]

    def __init__(self, default: Path, *, gaps: int, cwd: Path | None = None) -> None:
        super().__init__()
        self.default = default
        self.gaps = gaps
        self.cwd = cwd or Path.cwd()
        self._confirmed: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "导出报告"
            note = f"报告中有 {self.gaps} 处缺失，导出后标为【缺：…】（高亮）。" if self.gaps else "报告完整，无缺失。"
            yield Static(note, markup=False)
            yield Input(str(self.default), id="report-export-path", select_on_focus=False)
            yield Static("", id="report-export-error", markup=False)
            yield Static(
                ".docx 为公文格式（A4，仿宋三号，页码“— 1 —”），.md 为 Markdown。回车导出，Esc 取消。",
                id="report-export-hint",
                markup=False,
            )

    @on(Input.Submitted, "#report-export-path")
    def _submit(self, event: Input.Submitted) -> None:
        error = self.query_one("#report-export-error", Static)
        try:
            path = check_report_target(event.value, self.cwd)
        except ValueError as exc:
            error.update(str(exc))
            return
        if path.exists() and self._confirmed != path:
            self._confirmed = path
            error.update(f"{path.name} 已存在；再按回车将覆盖它，或改一个文件名")
            return
        self.dismiss(path)

    @on(Input.Changed, "#report-export-path")
    def _changed(self) -> None:
        self._confirmed = None
        self.query_one("#report-export-error", Static).update("")
