"""Whether the user's role may import at all: the shell asks on every footer refresh (to show
or hide ``i``), so it lives apart from the import screen, which is imported only when opened."""

from __future__ import annotations

from ..access import CLERK
from ..store import Store, TableSpec


def writable_tables(store: Store) -> list[TableSpec]:
    return [spec for spec in store.specs.values() if store.access.may_write(spec.name)]


def import_refusal(store: Store) -> str | None:
    """Why this user may import into no table, naming the role needed (as ``AccessError``
    words it); None when there is a table to import into."""
    if writable_tables(store):
        return None
    access = store.access
    if not store.specs:
        return "没有可导入的表：未加载任何提供数据表的插件"
    if access.role == CLERK:
        return (
            f"{access.user}（办事员）不能导入数据：没有办事员可编辑的表，"
            "需要管理员角色或在 access.toml 的 clerk_tables 中加入表名"
        )
    return f"{access.user}（{access.role_label}）不能导入数据：需要办事员或管理员角色"
