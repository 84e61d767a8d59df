"""Real OS users for the security tests: made for the test run (the suite runs as root on CI),
removed after. The program is run as them with ``setpriv``, which is the real thing: their uid,
their groups, their umask, files they own. (``setpriv`` cannot start this machine's Python as
another user: it lives under /root, so tests/run_as.py becomes the user after its imports.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Users:
    group: str  # the store's group (what ``init --group`` names)
    viewer: str  # in the group, not in access.toml
    clerk: str  # in the group, listed as clerk
    outsider: str  # not in the group
    base: Path  # a folder everyone may enter, for stores the users can reach

    def run(self, user: str, argv: list[str], *, cwd: Path | None = None, env: dict | None = None, umask: int = 0o002):
        """Run ``argv`` (``-c CODE`` or ``-m MODULE ARGS``) as ``user``, with their groups (tests/run_as.py)."""
        e = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.base / f"home-{user}"),  # theirs: the program keeps a spill folder in ~/.cache
            "PYTHONPATH": str(REPO),
            "FAZHI_TODAY": "2026-11-27",
            "LANG": "C.UTF-8",
        }
        e.update(env or {})
        group = self.group if user != self.outsider else user
        return subprocess.run(
            [sys.executable, "-m", "tests.run_as", user, group, f"{umask:03o}", *argv],
            cwd=cwd or self.base,
            env=e,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def python(self, user: str, code: str, **kw):
        return self.run(user, ["-c", code], **kw)

    def cli(self, user: str, *args: str, **kw):
        return self.run(user, ["-m", "fazhi_tui", *args], **kw)


@pytest.fixture(scope="session")
def os_users():
    if os.getuid() != 0 or not shutil.which("useradd"):
        pytest.skip("needs root with useradd (CI runs as root)")
    tag = uuid.uuid4().hex[:6]
    group = f"fz{tag}"
    names = {k: f"fz{tag}{k[0]}" for k in ("viewer", "clerk", "outsider")}
    subprocess.run(["groupadd", group], check=True)
    made = []
    try:
        for kind, name in names.items():
            g = group if kind != "outsider" else name
            if kind == "outsider":
                subprocess.run(["groupadd", name], check=True)
            subprocess.run(["useradd", "-M", "-N", "-g", g, "-s", "/usr/sbin/nologin", name], check=True)
            made.append(name)
        base = Path(f"/tmp/fz13-{tag}")
        base.mkdir(mode=0o755)
        base.chmod(0o755)
        for name in names.values():
            home = base / f"home-{name}"
            home.mkdir(mode=0o700)
            shutil.chown(home, name, group if name != names["outsider"] else name)
        yield Users(group, names["viewer"], names["clerk"], names["outsider"], base)
    finally:
        shutil.rmtree(f"/tmp/fz13-{tag}", ignore_errors=True)
        for name in made:
            subprocess.run(["userdel", name], check=False)
        subprocess.run(["groupdel", names["outsider"]], check=False, capture_output=True)
        subprocess.run(["groupdel", group], check=False)
