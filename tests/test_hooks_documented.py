"""Every hook is in the plugin author's guide with its exact signature, and has a test (as
Datasette does): adding a hook without both fails here."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from fazhi_tui import hookspecs

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "plugins" / "README.md"
HOOK_TESTS = Path(__file__).parent / "test_plugins_hooks.py"

HOOKS = sorted(name for name, fn in vars(hookspecs).items() if name.startswith("fazhi_") and callable(fn))


def signature(name: str) -> str:
    """``fazhi_demo_rows(store: Store, today: date, seed: int) -> dict[str, list[dict]]``"""
    sig = inspect.signature(getattr(hookspecs, name))
    params = ", ".join(f"{p.name}: {p.annotation}" for p in sig.parameters.values())
    return f"{name}({params}) -> {sig.return_annotation}"


def documented() -> dict[str, str]:
    """Each hook heading of the guide: ### `fazhi_x(...) -> T`."""
    found = {}
    for line in GUIDE.read_text("utf-8").splitlines():
        m = re.match(r"^### `((fazhi_\w+)\(.*\) -> .+)`$", line)
        if m:
            found[m.group(2)] = m.group(1)
    return found


def test_there_are_hooks():
    assert "fazhi_panels" in HOOKS and "fazhi_demo_rows" in HOOKS


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented_with_its_signature(hook):
    docs = documented()
    assert hook in docs, f"{hook} is missing from plugins/README.md"
    assert docs[hook] == signature(hook), "the guide's signature differs from hookspecs.py"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_test(hook):
    assert re.search(rf"^def test_{hook}\(", HOOK_TESTS.read_text("utf-8"), re.M), (
        f"no test_{hook} in {HOOK_TESTS.name}"
    )


def test_guide_documents_no_hook_that_does_not_exist():
    assert set(documented()) <= set(HOOKS)


def test_every_hookspec_has_a_docstring():
    for hook in HOOKS:
        assert (getattr(hookspecs, hook).__doc__ or "").strip(), hook
