"""Run import-linter on the host and on every plugin registered in pyproject.toml.

The host's contracts are written in ``[tool.importlinter]``. A plugin's are the same for every
plugin, so they are written once (``[tool.fazhi.importlinter.plugin]``) and made here for each
package under ``[project.entry-points.fazhi_tui]``: a plugin is covered as soon as it is
registered, and no list of plugins is kept by hand. In each plugin every module but ``panel``
and the ``widgets`` package imports none of the screen libraries; the plugin's ``__init__`` may
import ``panel`` inside its ``fazhi_panels`` hook (that import is the only one ignored).

    python tools/lint_imports.py          # what ``make check`` runs
"""

from __future__ import annotations

import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def plugin_packages(pyproject: dict) -> list[str]:
    return sorted(pyproject["project"]["entry-points"]["fazhi_tui"].values())


def query_modules(package: str, screen: list[str]) -> list[str]:
    """Every module of the plugin but its screen modules (``panel.py``, ``widgets/``)."""
    folder = ROOT / "plugins" / package
    if not folder.is_dir():
        raise SystemExit(f"lint_imports: plugin {package} is registered but plugins/{package}/ is missing")
    out = []
    for path in sorted(folder.rglob("*.py")):
        parts = list(path.relative_to(folder).with_suffix("").parts)
        if parts[0] in screen:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out.append(".".join([package, *parts]))
    return out


def config(pyproject: dict) -> dict:
    linter = dict(pyproject["tool"]["importlinter"])
    template = pyproject["tool"]["fazhi"]["importlinter"]["plugin"]
    plugins = plugin_packages(pyproject)
    linter["root_packages"] = sorted({*linter["root_packages"], *plugins})
    contracts = list(linter.pop("contracts"))
    for package in plugins:
        ignored = [f"{package} -> {package}.{m}" for m in template["screen_modules"]]
        contracts.append(
            {
                "id": f"plugin-{package}",
                "name": f"{package}: only {', '.join(template['screen_modules'])} import a screen library",
                "type": "forbidden",
                "source_modules": query_modules(package, template["screen_modules"]),
                "forbidden_modules": template["forbidden_modules"],
                "ignore_imports": ignored,
                "unmatched_ignore_imports_alerting": "none",
                "as_packages": False,
            }
        )
    linter["contracts"] = contracts
    return linter


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def write(linter: dict, path: Path) -> None:
    lines = ["[tool.importlinter]"]
    lines += [f"{k} = {_toml(v)}" for k, v in linter.items() if k != "contracts"]
    for contract in linter["contracts"]:
        lines += ["", "[[tool.importlinter.contracts]]"]
        lines += [f"{k} = {_toml(v)}" for k, v in contract.items()]
    path.write_text("\n".join(lines) + "\n", "utf-8")


def main() -> int:
    from importlinter.cli import lint_imports

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "importlinter.toml"
        write(config(pyproject), path)
        return lint_imports(config_filename=str(path))


if __name__ == "__main__":
    sys.exit(main())
