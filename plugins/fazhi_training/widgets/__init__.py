"""The training panel's widgets, one per file."""
