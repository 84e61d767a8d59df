"""Keys in the forms (issue 20): Enter on a dropdown's option moves on to the next field, as the
form's hint says; every field has a box of its own."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Input, Select

from fazhi_tui.ui.screens.form_select import FormSelect
from fazhi_tui.ui.screens.record_form import CHOICE, FormField, RecordForm

FIELDS = [
    FormField("no", "工单编号"),
    FormField("kind", "诉求类型", CHOICE, choices=["咨询", "求助", "投诉举报"], required=True),
    FormField("content", "主要内容"),
    FormField("urgency", "紧急程度", CHOICE, choices=["一般", "紧急"], value="一般"),
    FormField("grid", "网格", CHOICE, choices=[f"第{i}网格" for i in range(1, 31)]),
    FormField("note", "备注"),
]


class FormApp(App):
    def on_mount(self) -> None:
        self.push_screen(RecordForm("新建", FIELDS, lambda values: values))


async def test_enter_on_a_dropdown_option_moves_to_the_next_field():
    app = FormApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        await pilot.press("enter")  # 工单编号 → 诉求类型
        await pilot.pause()
        kind = form.query_one("#field-kind", FormSelect)
        assert app.focused is kind
        await pilot.press("enter")  # opens the list
        await pilot.pause()
        assert kind.expanded
        await pilot.press("down", "down", "enter")  # past 请选择 and 咨询
        for _ in range(10):
            await pilot.pause()
        assert kind.value == "求助" and not kind.expanded
        assert app.focused is form.query_one("#field-content", Input)
        # Choosing the value it already had moves on too.
        form.query_one("#field-urgency", Select).focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        for _ in range(10):
            await pilot.pause()
        assert form.query_one("#field-urgency", Select).value == "一般"
        assert app.focused is not form.query_one("#field-urgency", Select)


async def test_every_field_has_a_box_and_an_open_list_stays_inside_the_dialog():
    app = FormApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        form = app.screen
        content = form.query_one("#field-content", Input)
        assert content.styles.background.a > 0  # an empty input is still a visible box
        current = form.query_one("#field-kind", Select).query_one("SelectCurrent")
        assert current.styles.background.a > 0
        dialog = form.query_one("RecordForm > Vertical")
        for name in ("kind", "grid"):  # a short list, and thirty grids near the dialog's bottom
            select = form.query_one(f"#field-{name}", Select)
            select.focus()
            await pilot.press("enter")
            await pilot.pause()
            overlay = select.query_one("SelectOverlay")
            assert select.expanded and overlay.region.height >= 3
            assert overlay.region.bottom <= dialog.content_region.bottom, name  # not over the border
            assert overlay.region.x >= select.region.x  # over its own field, not the labels
            assert overlay.styles.border_top[0] != ""  # a box of its own
            await pilot.press("escape")
            await pilot.pause()
