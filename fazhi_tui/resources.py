"""Where the bundled data files are, installed or not."""

from __future__ import annotations

from pathlib import Path

import fazhi_tui


def data_path(name: str) -> Path:
    """A file from the data folder.

    An installed wheel carries ``data/`` as ``fazhi_tui/_data`` (pyproject force-include); an
    editable install reads the repository's ``data/`` beside the package.
    """
    package_dir = Path(fazhi_tui.__file__).parent
    bundled = package_dir / "_data" / name
    if bundled.exists():
        return bundled
    return package_dir.parent / "data" / name
