"""``python -m fazhi_tui`` is the ``fazhi-tui`` command (the import runs a fold this way)."""

from .cli import main

raise SystemExit(main())
