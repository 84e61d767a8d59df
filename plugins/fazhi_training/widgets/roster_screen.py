"""Roster entry for one session, by keyboard: type to filter people (name, id or unit), space
marks 出席, `l` 请假, `a` 缺席, `x` takes the mark off (off the roster); the counts update
as you go; ctrl+s saves (new versions, from the revisions read: someone else's newer save is
refused, naming them); Esc saves what is unsaved and closes; ctrl+d closes without saving.

Typing goes to the filter, except the four mark keys: names are Chinese, ids start with P.
The roster's queries and its save run in workers (``roster.load_roster`` / ``save_roster``).
"""

from __future__ import annotations

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from fazhi_tui.api import Context, StaleRevisionError, StoreError

from ..roster import Roster, RosterEntry, load_roster, save_roster
from ..tables import ABSENT, LEAVE, PRESENT

MARK_KEYS = {"space": PRESENT, "l": LEAVE, "a": ABSENT, "x": None}
STATUS_STYLE = {PRESENT: "bold green", LEAVE: "yellow", ABSENT: "bold red"}


class RosterScreen(ModalScreen[bool]):
    DEFAULT_CSS = """
    RosterScreen { align: center middle; }
    RosterScreen > #roster-box {
        width: 100%; height: 100%; max-width: 110; max-height: 44;
        border: round $accent; background: $surface; padding: 0 1;
    }
    RosterScreen #roster-head, RosterScreen #roster-counts, RosterScreen #roster-filter { height: auto; }
    RosterScreen #roster-filter { color: $text-muted; }
    RosterScreen DataTable { height: 1fr; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "保存", id="training.roster.save"),
        Binding("escape", "close", "保存并关闭", id="training.roster.close"),
        Binding("ctrl+d", "discard", "放弃修改", id="training.roster.discard"),
        Binding("space", "mark('出席')", "出席", id="training.roster.present", show=True),
        Binding("l", "mark('请假')", "请假", id="training.roster.leave"),
        Binding("a", "mark('缺席')", "缺席", id="training.roster.absent"),
        Binding("x", "mark('')", "移出", id="training.roster.clear"),
    ]

    def __init__(self, ctx: Context, training_id: str, *, writable: bool) -> None:
        super().__init__()
        self.ctx, self.training_id, self.writable = ctx, training_id, writable
        self.roster: Roster | None = None
        self.filter = ""
        self.saved = False
        self._close_after_save = False

    def compose(self) -> ComposeResult:
        with Vertical(id="roster-box"):
            yield Static(Text(f"正在载入 {self.training_id} 的参学名单……"), id="roster-head")
            yield Static("", id="roster-counts")
            yield Static("", id="roster-filter")
            yield DataTable(id="roster-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="roster-load")
    def _load(self) -> None:
        roster = load_roster(self.ctx, self.training_id)
        self.app.call_from_thread(self._loaded, roster)

    def _loaded(self, roster: Roster | None) -> None:
        if roster is None:
            self.notify(f"没有活动 {self.training_id}", severity="error")
            self.dismiss(False)
            return
        self.roster = roster
        head = Text(f"{roster.training_id}　{roster.date:%Y-%m-%d}　{roster.kind}", style="bold")
        if roster.topic:
            head.append(f"　{roster.topic}")
        head.append(
            "\n输入姓名、编号或单位筛选；空格 出席 · l 请假 · a 缺席 · x 移出名单 · ctrl+s 保存 · Esc 保存并关闭 · ctrl+d 放弃（*未保存）",
            style="dim",
        )
        if not self.writable:
            head.append("\n当前角色只能查看，不能修改名单", style="bold yellow")
        self.query_one("#roster-head", Static).update(head)
        table = self.query_one(DataTable)
        table.add_column("出勤", key="status", width=5)
        table.add_column("姓名", key="name")
        table.add_column("单位", key="unit")
        table.add_column("人员编号", key="person")
        table.add_column(Text("成绩", justify="right"), key="score")
        self._fill()
        table.focus()

    # -- the list ----------------------------------------------------------------------------
    def shown_entries(self) -> list[RosterEntry]:
        if self.roster is None:
            return []
        f = self.filter.strip().lower()
        if not f:
            return self.roster.entries
        return [
            e
            for e in self.roster.entries
            if f in e.name.lower() or f in e.person_id.lower() or f in (e.unit or "").lower()
        ]

    def _status_cell(self, e: RosterEntry) -> Text:
        text = Text(e.status or "—", style=STATUS_STYLE.get(e.status or "", "dim"))
        if e.changed:
            text.append("*", style="bold yellow")  # not saved yet
        return text

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for e in self.shown_entries():
            table.add_row(
                self._status_cell(e),
                Text(e.name),
                Text(e.unit or ""),
                Text(e.person_id),
                Text("" if e.score is None else f"{e.score:g}", justify="right"),
                key=e.person_id,
            )
        self._show_counts()

    def _show_counts(self) -> None:
        if self.roster is None:
            return
        c = self.roster.counts()
        text = Text()
        text.append(f"出席 {c['出席']}", style="bold green")
        text.append(f" · 请假 {c['请假']} · 缺席 {c['缺席']} · 未登记 {c['未登记']}")
        text.append(f"　参加人数 {self.roster.present}", style="bold")
        if self.roster.dirty:
            text.append("　（有未保存的修改）", style="bold yellow")
        self.query_one("#roster-counts", Static).update(text)
        shown = len(self.shown_entries())
        line = Text("筛选：", style="dim")
        line.append(self.filter or "（输入以筛选）")
        line.append(f"　{shown} / {len(self.roster.entries)} 人", style="dim")
        self.query_one("#roster-filter", Static).update(line)

    def highlighted(self) -> RosterEntry | None:
        table = self.query_one(DataTable)
        if self.roster is None or not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((e for e in self.roster.entries if e.person_id == key), None)

    # -- keys --------------------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        """Typing filters the list (the mark keys aside, which bindings take first)."""
        if event.key == "backspace" and self.filter:
            self.filter = self.filter[:-1]
        elif event.is_printable and event.character and event.key not in MARK_KEYS and event.character != " ":
            self.filter += event.character
        else:
            return
        event.stop()
        event.prevent_default()
        self._fill()

    def action_mark(self, status: str) -> None:
        entry = self.highlighted()
        if entry is None:
            return
        if not self.writable:
            self.notify("当前角色不能修改“参学记录”：需要办事员或管理员角色", title="无权操作", severity="error")
            return
        entry.status = status or None
        self._close_after_save = False
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.update_cell(entry.person_id, "status", self._status_cell(entry))
        self._show_counts()
        if row + 1 < table.row_count:
            table.move_cursor(row=row + 1)  # on to the next person, as on a paper list

    def action_save(self) -> None:
        if self.roster is None or not self.roster.dirty:
            self.notify("没有需要保存的修改")
            return
        if not self.writable:
            self.notify("当前角色不能修改“参学记录”", title="无权操作", severity="error")
            return
        self._save()

    @work(thread=True, exclusive=True, group="roster-save")
    def _save(self) -> None:
        assert self.roster is not None
        try:
            result = save_roster(self.ctx, self.roster)
        except (StoreError, StaleRevisionError) as exc:
            self._close_after_save = False
            self.app.call_from_thread(self.notify, str(exc), title="未保存", severity="error", timeout=15)
            return
        self.app.call_from_thread(self._saved, result)

    def _saved(self, result) -> None:
        self.saved = True
        if self._close_after_save:
            self.notify(
                f"已保存并关闭：{result.written} 条记录更新，{result.removed} 条移出名单；参加人数 {result.present}",
                title="已保存",
            )
            self.dismiss(True)
            return
        self.notify(
            f"已保存：{result.written} 条记录更新，{result.removed} 条移出名单；参加人数 {result.present}",
            title="已保存",
        )
        self._fill()

    def action_close(self) -> None:
        """Esc: unsaved marks are saved first (a roster typed in is not lost to a stray Esc);
        the screen closes once they are written, or stays open saying why they were not."""
        if self.roster is not None and self.roster.dirty and self.writable:
            self._close_after_save = True
            self._save()
            return
        self.dismiss(self.saved)

    def action_discard(self) -> None:
        """ctrl+d: close without saving the marks made since the last save."""
        self.dismiss(self.saved)
