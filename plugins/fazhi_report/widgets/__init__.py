"""The report panel's widgets, one per file."""
