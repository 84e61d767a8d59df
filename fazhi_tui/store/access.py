"""Who may see and change what: roles for the OS account a session runs as.

Roles are declared in the store's own ``access.toml`` (so they travel with the data, and a
personal config file cannot grant a role). With no such file, the store's owner is admin and
everyone else a viewer.

    # <store>/access.toml
    admin = ["wang", "@fazhi-admin"]      # user names, or @group
    clerk = ["li", "zhao", "@fazhi-staff"]
    clerk_tables = ["hotline", "enforcement"]   # tables clerks may add to and edit ("*": all)
    pii = ["admin", "clerk"]              # roles that see personal information unmasked
    group = "fazhi"                       # OS group the store's files belong to

What the program enforces (these roles) and what the operating system enforces (file modes and
the group) are described in README.md.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import StoreError

ACCESS_FILE = "access.toml"
VIEWER, CLERK, ADMIN = "viewer", "clerk", "admin"
ROLE_LABELS = {VIEWER: "查看", CLERK: "办事员", ADMIN: "管理员"}
_KEYS = {"admin", "clerk", "clerk_tables", "pii", "group"}
_RANK = {VIEWER: 0, CLERK: 1, ADMIN: 2}


class AccessError(StoreError):
    """An action the user's role does not allow; the message names the role needed."""


class AccessConfigError(StoreError):
    pass


@dataclass(frozen=True)
class Policy:
    admins: frozenset[str] = frozenset()
    clerks: frozenset[str] = frozenset()
    clerk_tables: frozenset[str] = frozenset()
    pii_roles: frozenset[str] = frozenset({ADMIN, CLERK})
    group: str | None = None
    source: str = "默认：数据目录所有者为管理员，其他人为查看"
    owner_uid: int | None = None  # used when no file declares admins


@dataclass(frozen=True)
class Access:
    """A user's role in one store, and what it allows."""

    user: str
    role: str
    policy: Policy = field(default_factory=Policy)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def sees_pii(self) -> bool:
        return self.role in self.policy.pii_roles

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    def may_write(self, table: str) -> bool:
        if self.role == ADMIN:
            return True
        return self.role == CLERK and ("*" in self.policy.clerk_tables or table in self.policy.clerk_tables)

    def require_write(self, table: str, label: str | None = None) -> None:
        if not self.may_write(table):
            name = label or table
            if self.role == CLERK:
                raise AccessError(
                    f"{self.user}（办事员）不能修改“{name}”：此表不在办事员可编辑的范围内，需要管理员角色或在 access.toml 的 clerk_tables 中加入 {table}"
                )
            raise AccessError(f"{self.user}（{self.role_label}）不能修改“{name}”：需要办事员或管理员角色")

    def colleagues(self) -> list[str]:
        """The OS users named in ``access.toml`` as admins or clerks (an ``@group`` gives its
        members), sorted: whom work may be assigned to. Empty when the store has no such file."""
        names: set[str] = set()
        for entry in self.policy.admins | self.policy.clerks:
            if entry.startswith("@"):
                try:
                    names.update(grp.getgrnam(entry[1:]).gr_mem)
                except KeyError:
                    continue  # a group this machine does not know names nobody here
            elif entry:
                names.add(entry)
        return sorted(names)

    def within(self, other: Access, tables: Iterable[str]) -> bool:
        """Whether this access allows nothing that ``other`` does not (a narrower role, for a test
        or a tool that wants less than the OS account has)."""
        if _RANK[self.role] > _RANK[other.role] or (self.sees_pii and not other.sees_pii):
            return False
        return all(other.may_write(t) for t in tables if self.may_write(t))

    def require_admin(self, action: str) -> None:
        if not self.is_admin:
            raise AccessError(f"{self.user}（{self.role_label}）不能{action}：需要管理员角色")


UNRESTRICTED = Access("程序", ADMIN)


def load_policy(store_root: Path) -> Policy:
    root = Path(store_root)
    try:
        owner = root.stat().st_uid
    except OSError:
        owner = None
    path = root / ACCESS_FILE
    if not path.is_file():
        return Policy(owner_uid=owner)
    _refuse_if_planted(path, owner)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AccessConfigError(f"{path} 无法读取：{exc}") from exc
    for key, value in data.items():
        if key not in _KEYS:
            raise AccessConfigError(f"{path}：未知的设置项 “{key}”（可用：{'、'.join(sorted(_KEYS))}）")
        if key == "group":
            if not isinstance(value, str):
                raise AccessConfigError(f"{path}：“group” 应为文本")
        elif not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise AccessConfigError(f"{path}：“{key}” 应为文本列表")
    pii = frozenset(data.get("pii", [ADMIN, CLERK]))
    unknown_roles = pii - {VIEWER, CLERK, ADMIN}
    if unknown_roles:
        raise AccessConfigError(
            f"{path}：pii 中的角色 {'、'.join(sorted(unknown_roles))} 未知（可选：admin、clerk、viewer）"
        )
    return Policy(
        admins=frozenset(data.get("admin", [])),
        clerks=frozenset(data.get("clerk", [])),
        clerk_tables=frozenset(data.get("clerk_tables", [])),
        pii_roles=pii | {ADMIN},
        group=data.get("group"),
        source=str(path),
        owner_uid=owner,
    )


def _refuse_if_planted(path: Path, owner: int | None) -> None:
    """An access file the store's owner did not write, or that others may change, is refused
    (not obeyed): a group member could otherwise name themselves admin. The program stops with
    this message until the owner removes or rewrites it."""
    from ..trust import _private_group

    st = path.lstat()
    if stat.S_ISLNK(st.st_mode):
        raise AccessConfigError(f"{path} 是符号链接，未采用：角色设置须是数据目录所有者的普通文件")
    if owner is not None and st.st_uid != owner:
        raise AccessConfigError(
            f"{path} 属于 {_user_name(st.st_uid)}，不是数据目录的所有者 {_user_name(owner)}，未采用："
            f"角色设置只能由所有者创建（请所有者删除此文件后重新设置）"
        )
    group_writable = st.st_mode & stat.S_IWGRP and not _private_group(st.st_gid, st.st_uid)
    if st.st_mode & stat.S_IWOTH or group_writable:
        raise AccessConfigError(
            f"{path} 允许他人修改（权限 {stat.S_IMODE(st.st_mode):o}），未采用：请所有者执行 chmod 640 {path}"
        )


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def os_identity(uid: int | None = None) -> tuple[str, set[str]]:
    """The account name and group names of a uid (the current process by default)."""
    uid = os.getuid() if uid is None else uid
    try:
        entry = pwd.getpwuid(uid)
        name, gid = entry.pw_name, entry.pw_gid
    except KeyError:  # containers without a passwd entry
        return str(uid), set()
    groups = set()
    for g in (os.getgroups() if uid == os.getuid() else []) + [gid]:
        try:
            groups.add(grp.getgrgid(g).gr_name)
        except KeyError:
            pass
    for group in grp.getgrall():
        if name in group.gr_mem:
            groups.add(group.gr_name)
    return name, groups


def role_for(policy: Policy, user: str, groups: set[str], uid: int) -> str:
    def listed(names: frozenset[str]) -> bool:
        return user in names or any(n.startswith("@") and n[1:] in groups for n in names)

    if listed(policy.admins):
        return ADMIN
    if not policy.admins and policy.owner_uid is not None and uid == policy.owner_uid:
        return ADMIN  # no admins named: whoever owns the store administers it
    if listed(policy.clerks):
        return CLERK
    return VIEWER


def resolve_access(store_root: Path) -> Access:
    """The current OS account's role in this store."""
    policy = load_policy(store_root)
    user, groups = os_identity()
    return Access(user, role_for(policy, user, groups, os.getuid()), policy)
