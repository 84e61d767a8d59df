"""The ledger panel's widgets, one per file."""
