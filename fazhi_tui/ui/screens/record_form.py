"""A small form for a new record or one step of a record's life (`n` in a panel, 签收, 回访 …).

The panel says which fields to ask for and gives a ``submit(values)`` function. Submitting runs
it in a thread worker (it may query and write the store); a ``FormError`` it raises, or the
store's ``ValidationError`` (a value, a grid reference or a table's row rule refused), puts each
problem under its field, in Chinese, and keeps the form open with nothing written. Any other
error closes the form with ``FormFailed(error)`` for the panel to show (``Panel.
report_write_error``); success closes it with ``FormDone(result)``; Esc answers ``None``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from .dialog import Dialog
from .form_select import FormSelect

TEXT, CHOICE, CHECK = "text", "choice", "check"


@dataclass(frozen=True)
class FormField:
    """One field. ``kind``: ``"text"`` (an input line), ``"choice"`` (one of ``choices``: values,
    or ``(shown, value)`` pairs) or ``"check"`` (yes/no). ``aliases``: other labels whose
    problems belong under this field (a 分类 field answering for 一级分类 and 二级分类)."""

    name: str
    label: str
    kind: str = TEXT
    choices: Sequence[Any] = ()
    value: Any = None
    required: bool = False
    placeholder: str = ""
    aliases: tuple[str, ...] = ()

    def options(self) -> list[tuple[str, Any]]:
        return [c if isinstance(c, tuple) else (str(c), c) for c in self.choices]


class FormError(Exception):
    """Problems to show in the form, each ``(field label, message)``; an empty label is about
    the whole form. Nothing was written."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems = list(problems)
        super().__init__("；".join(f"{label}：{msg}" if label else msg for label, msg in self.problems))


@dataclass(frozen=True)
class FormDone:
    result: Any


@dataclass(frozen=True)
class FormFailed:
    error: BaseException


class RecordForm(Dialog[FormDone | FormFailed | None]):
    DEFAULT_CSS = """
    RecordForm > Vertical { width: 72; max-width: 100%; max-height: 100%; }
    RecordForm #form-intro { height: auto; color: $text-muted; }
    RecordForm #form-intro.-hidden { display: none; }
    RecordForm #form-fields { height: auto; max-height: 1fr; }
    RecordForm .form-row { height: auto; }
    RecordForm .form-row Label { width: 12; padding: 0 1 0 0; text-align: right; }
    RecordForm .form-row Input, RecordForm .form-row Select { width: 1fr; }
    RecordForm .form-row Checkbox { width: auto; border: none; padding: 0; }
    /* Every field shows its box, empty or not; the focused one stands out. */
    RecordForm .form-row Input, RecordForm .form-row Select > SelectCurrent { background: $boost; }
    RecordForm .form-row Input:focus, RecordForm .form-row Select:focus > SelectCurrent {
        background: $primary 25%;
    }
    RecordForm .form-row { margin-bottom: 0; }
    /* An open list is a box of its own above the fields, not text that looks like their values,
       and short enough to stay inside the dialog. */
    RecordForm .form-row Select > SelectOverlay {
        border: round $accent !important;
        background: $panel;
        max-height: 8;
    }
    RecordForm .form-error { height: auto; color: $error; padding: 0 0 0 12; }
    RecordForm .form-error.-hidden { display: none; }
    RecordForm #form-general { height: auto; color: $error; }
    RecordForm #form-general.-hidden { display: none; }
    RecordForm #form-buttons { height: auto; align-horizontal: right; margin-top: 1; }
    RecordForm #form-buttons Button { margin-left: 2; min-width: 10; }
    RecordForm #form-hint { height: auto; color: $text-muted; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "取消", id="form.cancel"),
        Binding("ctrl+s", "submit", "保存", id="form.save", priority=True),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[FormField],
        submit: Callable[[dict[str, Any]], Any],
        *,
        intro: str = "",
        submit_label: str = "保存",
    ) -> None:
        super().__init__()
        self.form_title = title
        self.fields = list(fields)
        self.submit_fn = submit
        self.intro = intro
        self.submit_label = submit_label
        self._worker: Worker | None = None

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.form_title
            yield Static(self.intro, id="form-intro", classes="" if self.intro else "-hidden", markup=False)
            with VerticalScroll(id="form-fields", can_focus=False):
                for f in self.fields:
                    with Horizontal(classes="form-row"):
                        yield Label(Text(f.label + ("*" if f.required else "")), classes="form-label")
                        yield self._widget_for(f)
                    yield Static("", id=f"error-{f.name}", classes="form-error -hidden", markup=False)
            yield Static("", id="form-general", classes="-hidden", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button(self.submit_label, variant="primary", id="form-submit", compact=True)
                yield Button("取消", id="form-cancel", compact=True)
            yield Static("回车到下一项，Ctrl+S 保存，Esc 取消；* 为必填", id="form-hint")

    def _widget_for(self, f: FormField) -> Widget:
        wid = f"field-{f.name}"
        if f.kind == CHOICE:
            options = f.options()
            value = f.value if any(v == f.value for _shown, v in options) else Select.NULL
            return FormSelect(
                options, prompt=f.placeholder or "请选择", value=value, allow_blank=True, id=wid, compact=True
            )
        if f.kind == CHECK:
            return Checkbox("是", bool(f.value), id=wid, compact=True)
        return Input(
            "" if f.value is None else str(f.value),
            placeholder=f.placeholder,
            id=wid,
            compact=True,
            select_on_focus=False,
        )

    def on_mount(self) -> None:
        first = self.query(".form-row > Input, .form-row > Select, .form-row > Checkbox").first()
        first.focus()

    # -- values and problems -------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.fields:
            widget = self.query_one(f"#field-{f.name}")
            if isinstance(widget, Select):
                out[f.name] = None if widget.is_blank() else widget.value
            elif isinstance(widget, Checkbox):
                out[f.name] = widget.value
            else:
                out[f.name] = self.query_one(f"#field-{f.name}", Input).value
        return out

    def show_problems(self, problems: Sequence[tuple[str, str]]) -> None:
        by_label: dict[str, FormField] = {}
        for f in self.fields:
            by_label[f.label] = f
            for alias in f.aliases:
                by_label.setdefault(alias, f)
        messages: dict[str, list[str]] = {}
        general: list[str] = []
        for label, message in problems:
            found = by_label.get(label)
            if found is None:
                general.append(f"{label}：{message}" if label else message)
            else:
                text = message if label == found.label else f"{label}：{message}"
                messages.setdefault(found.name, []).append(text)
        for f in self.fields:
            box = self.query_one(f"#error-{f.name}", Static)
            box.update("；".join(messages.get(f.name, [])))
            box.set_class(f.name not in messages, "-hidden")
        self._general("\n".join(general))
        first = next((f for f in self.fields if f.name in messages), None)
        if first is not None:
            self.query_one(f"#field-{first.name}").focus()

    def _general(self, text: str) -> None:
        box = self.query_one("#form-general", Static)
        box.update(text)
        box.set_class(not text, "-hidden")

    # -- submitting ----------------------------------------------------------------------------
    def action_submit(self) -> None:
        if self._worker is not None and self._worker.state in (WorkerState.PENDING, WorkerState.RUNNING):
            return
        self.show_problems([])
        self._general("")
        self.query_one("#form-submit", Button).disabled = True
        self.query_one("#form-hint", Static).update("正在保存……")
        self._worker = self.run_worker(
            partial(self.submit_fn, self.values()), thread=True, exit_on_error=False, group="record-form"
        )

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._worker or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        event.stop()
        self.query_one("#form-submit", Button).disabled = False
        self.query_one("#form-hint", Static).update("回车到下一项，Ctrl+S 保存，Esc 取消；* 为必填")
        if event.state == WorkerState.SUCCESS:
            self.dismiss(FormDone(event.worker.result))
            return
        error = event.worker.error or RuntimeError("未知错误")
        from ...store.errors import ValidationError  # here: the store's package imports access, which imports it

        if isinstance(error, FormError):
            self.show_problems(error.problems)
        elif isinstance(error, ValidationError):
            # The store refused the row (a value, a reference, a row rule): the same message as
            # an import's, under the field of the column it names; nothing was written.
            self.show_problems([(p.column or "", p.reason) for p in error.problems])
        else:
            self.dismiss(FormFailed(error))

    @on(Button.Pressed, "#form-submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    def on_form_select_picked(self, event: FormSelect.Picked) -> None:
        """Enter on an option of a dropdown: on to the next field, as the hint says (the last
        field's Enter goes to the save button)."""
        event.stop()
        self.focus_next()

    @on(Input.Submitted)
    def _next_or_submit(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = [self.query_one(f"#field-{f.name}") for f in self.fields]
        if event.input is inputs[-1] or all(not isinstance(w, Input) for w in inputs[inputs.index(event.input) + 1 :]):
            self.action_submit()
        else:
            self.focus_next()
