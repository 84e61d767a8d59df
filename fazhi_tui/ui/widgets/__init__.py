"""Shell widgets, one per module."""
