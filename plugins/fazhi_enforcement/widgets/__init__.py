"""The enforcement panel's widgets, one per file."""
