"""Run Python code or the CLI as another OS user: ``python -m tests.run_as USER GROUP UMASK -c CODE``
or ``... -m fazhi_tui ARGS``. Started as root; imports what the program needs while it still can
(this machine's Python lives under /root, which other users cannot read), then becomes the user
(uid, primary group, supplementary groups, umask) and runs the code. Used by tests/os_users.py."""

from __future__ import annotations

import importlib
import os
import pkgutil
import pwd
import runpy
import sys


def preload() -> None:
    import fazhi_tui

    names = ["pyarrow.dataset", "pyarrow.csv", "pyarrow.parquet", "pyarrow.compute", "getpass", "tomllib", "shutil"]
    names += [m.name for m in pkgutil.walk_packages(fazhi_tui.__path__, "fazhi_tui.")]
    for plugin in ("fazhi_hotline", "fazhi_grid", "fazhi_overview"):
        names.append(plugin)
        mod = importlib.import_module(plugin)
        names += [m.name for m in pkgutil.walk_packages(mod.__path__, plugin + ".")]
    names += ["tests.test_access"]
    for name in names:
        if name.endswith("__main__"):
            continue
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - optional pieces (a Textual screen) need not load
            pass


def main() -> None:
    user, group, umask, mode, *rest = sys.argv[1:]
    preload()
    entry = pwd.getpwnam(user)
    import grp

    gid = grp.getgrnam(group).gr_gid
    os.setgroups(os.getgrouplist(user, gid))
    os.setgid(gid)
    os.setuid(entry.pw_uid)
    os.umask(int(umask, 8))
    if mode == "-c":
        sys.argv = ["-c"]
        exec(compile(rest[0], "<run_as>", "exec"), {"__name__": "__main__"})
    else:
        sys.argv = [rest[0], *rest[1:]]
        runpy.run_module(rest[0], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
