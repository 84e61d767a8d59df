"""The review panel's widgets, one per file."""
