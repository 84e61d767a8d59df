"""Roles for the OS account a session runs as: the store's access policy, re-exported.

The policy lives in ``fazhi_tui.store.access`` (it reads the store's root and its errors are
store errors); this name stays for plugins and scripts that import it from here.
"""

from .store.access import (
    ACCESS_FILE,
    ADMIN,
    CLERK,
    ROLE_LABELS,
    UNRESTRICTED,
    VIEWER,
    Access,
    AccessConfigError,
    AccessError,
    Policy,
    load_policy,
    os_identity,
    resolve_access,
    role_for,
)

__all__ = [
    "ACCESS_FILE",
    "ADMIN",
    "CLERK",
    "ROLE_LABELS",
    "UNRESTRICTED",
    "VIEWER",
    "Access",
    "AccessConfigError",
    "AccessError",
    "Policy",
    "load_policy",
    "os_identity",
    "resolve_access",
    "role_for",
]
