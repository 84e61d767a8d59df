"""A dropdown that says when the user picked an option (Enter or a click in its list), so a
form can move on to its next field; Textual's ``Select.Changed`` comes only when the value
changes, and also when a program sets it."""

from __future__ import annotations

from textual import on
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Select
from textual.widgets._select import SelectOverlay


class FormSelect(Select):
    class Picked(Message):
        """An option was chosen in the open list (changed or not)."""

        def __init__(self, select: FormSelect) -> None:
            super().__init__()
            self.select = select

        @property
        def control(self) -> FormSelect:
            return self.select

    @on(SelectOverlay.UpdateSelection)
    def _picked(self, event: SelectOverlay.UpdateSelection) -> None:
        # Select's own handler (its base class's) sets the value and closes the list; the form
        # moves on after that.
        self.call_after_refresh(self.post_message, self.Picked(self))

    def _watch_expanded(self, expanded: bool) -> None:
        # The list opens below the field as tall as the room left inside the dialog (its
        # border included), never over the dialog's border or the screen's footer.
        if expanded:
            dialog = next((a for a in self.ancestors if a.parent is self.screen), None)
            if isinstance(dialog, Widget):
                room = dialog.content_region.bottom - self.region.bottom
                self.query_one(SelectOverlay).styles.max_height = max(3, min(MAX_ROWS, room))
        super()._watch_expanded(expanded)


MAX_ROWS = 12  # Textual's own limit for the list
