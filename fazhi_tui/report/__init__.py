"""The annual report: its model, number phrasing, and rendering."""
