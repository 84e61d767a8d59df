"""fazhi-tui: a terminal dashboard for a township's rule-of-law work (法治政府建设)."""

__version__ = "0.1.0"
