"""Describing bindings to people, in Chinese, from the bindings themselves.

The shell's own bindings are described in Chinese where they are declared. Textual's widgets
describe theirs in English; the help screen names those by their action instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from textual.app import App
from textual.binding import ActiveBinding, Binding
from textual.screen import Screen

# Actions of Textual's built-in widgets and screens, by name without namespace or arguments.
TEXTUAL_ACTIONS = {
    "focus_next": "下一个控件",
    "focus_previous": "上一个控件",
    "copy_text": "复制选中的文字",
    "copy_selection": "复制选中的单元格",
    "select_all": "全选",
    "cursor_up": "上移",
    "cursor_down": "下移",
    "cursor_left": "左移",
    "cursor_right": "右移",
    "cursor_next": "下一格",
    "cursor_prev": "上一格",
    "cursor_row_start": "到行首",
    "cursor_row_end": "到行尾",
    "cursor_table_start": "到表首",
    "cursor_table_end": "到表尾",
    "page_up": "上翻一页",
    "page_down": "下翻一页",
    "page_left": "左翻一页",
    "page_right": "右翻一页",
    "scroll_up": "向上滚动",
    "scroll_down": "向下滚动",
    "scroll_left": "向左滚动",
    "scroll_right": "向右滚动",
    "scroll_home": "到开头",
    "scroll_end": "到末尾",
    "scroll_top": "到顶部",
    "scroll_bottom": "到底部",
    "first": "到第一项",
    "last": "到最后一项",
    "select": "选定",
    "select_cursor": "选定",
    "toggle": "切换",
    "quit": "退出",
    "help_quit": "提示如何退出",
    "command_palette": "命令面板",
    "delete_left": "删除左侧字符",
    "delete_right": "删除右侧字符",
    "home": "到行首",
    "end": "到行尾",
    "submit": "确定",
    "dismiss": "关闭",
    "maximize": "最大化",
    "minimize": "还原",
    "previous_tab": "上一页签",
    "next_tab": "下一页签",
    "previous_button": "上一个按钮",
    "next_button": "下一个按钮",
    "press": "按下",
    "toggle_button": "切换",
    "toggle_switch": "切换",
    "toggle_collapsible": "展开/收起",
    "toggle_node": "展开/收起",
    "toggle_expand_all": "全部展开/收起",
    "show_overlay": "展开下拉列表",
    "cursor_left_word": "左移一个词",
    "cursor_right_word": "右移一个词",
    "cursor_word_left": "左移一个词",
    "cursor_word_right": "右移一个词",
    "cursor_line_start": "到行首",
    "cursor_line_end": "到行尾",
    "cursor_page_up": "上翻一页",
    "cursor_page_down": "下翻一页",
    "cursor_parent": "到上一级",
    "cursor_parent_next_sibling": "到上一级的下一项",
    "cursor_previous_sibling": "上一个同级项",
    "cursor_next_sibling": "下一个同级项",
    "delete_left_all": "删除左侧全部",
    "delete_right_all": "删除右侧全部",
    "delete_left_word": "删除左侧一个词",
    "delete_right_word": "删除右侧一个词",
    "delete_word_left": "删除左侧一个词",
    "delete_word_right": "删除右侧一个词",
    "delete_line": "删除整行",
    "delete_to_start_of_line": "删到行首",
    "delete_to_end_of_line_or_delete_line": "删到行尾",
    "select_line": "选中整行",
    "select_word": "选中一个词",
    "copy": "复制",
    "cut": "剪切",
    "paste": "粘贴",
    "undo": "撤销",
    "redo": "重做",
    "open_link": "打开链接",
    "blur": "离开此控件",
    "command_list": "命令列表",
}

_CJK = re.compile(r"[\u3400-\u9fff]")


def action_name(action: str) -> str:
    """``app.show_panel(3)`` -> ``show_panel``."""
    return action.split("(", 1)[0].rsplit(".", 1)[-1]


def describe(binding: Binding) -> str:
    if binding.description and _CJK.search(binding.description):
        return binding.description
    return TEXTUAL_ACTIONS.get(action_name(binding.action), binding.description or binding.action)


@dataclass(frozen=True)
class BindingRow:
    keys: str
    description: str
    binding_id: str
    scope: str  # 全局, a panel's title, or 当前控件


def binding_rows(app: App, active: Mapping[str, ActiveBinding]) -> list[BindingRow]:
    """One row per binding of a screen (a binding on several keys is one row), global first.

    ``active`` is ``screen.active_bindings``: what the keys do right now, after the keymap.
    """
    from .panel import Panel

    keys: dict[tuple[int, str], list[str]] = {}
    first: dict[tuple[int, str], ActiveBinding] = {}
    for _key, active_binding in active.items():
        binding = active_binding.binding
        group = (id(active_binding.node), binding.id or binding.action)
        keys.setdefault(group, []).append(app.get_key_display(binding))
        first.setdefault(group, active_binding)
    rows: list[tuple[int, BindingRow]] = []
    for group, active_binding in first.items():
        node, binding = active_binding.node, active_binding.binding
        if isinstance(node, (App, Screen)):
            scope, rank = "全局", 0
        else:
            panel = node if isinstance(node, Panel) else next((a for a in node.ancestors if isinstance(a, Panel)), None)
            scope, rank = (panel.panel_title, 1) if panel is not None else ("当前控件", 2)
        description = app.describe_binding(binding) if hasattr(app, "describe_binding") else describe(binding)
        rows.append((rank, BindingRow("、".join(keys[group]), description, binding.id or "", scope)))
    return [row for _rank, row in sorted(rows, key=lambda r: r[0])]
