"""The one list of the reader's commands: bindings, the help screen and the palette are built from it.

Keeping them in one table means a key cannot exist without a help line and a palette entry, and a
user's `[keys]` section in the config file (binding id -> keys) remaps the same ids everywhere.
"""

# Annotations are evaluated here, not strings: see the note in cache/model.py (NamedTuple fields).

from dataclasses import replace
from typing import Literal, NamedTuple, TypeVar

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

Scope = Literal["screen", "reader", "list", "filter", "viewer", "app"]
"""`screen` keys are priority bindings (they work from any pane); `reader` keys are the screen's too,
but a focused pane's own binding of the same key wins (space toggles a district in the sidebar)."""


class Command(NamedTuple):
    id: str  # binding id, the key for `[keys]` in the config file
    keys: str  # default keys, Textual's comma-separated form
    action: str  # action name on the node that owns the binding (`scope`)
    scope: Scope
    group: str  # help screen section (i18n key suffix)
    en: str
    zh: str
    footer: bool = False  # shown in the Footer (the rest only in help and the palette)
    # The Footer holds the keys a first-time reader needs (weeks, search, help, quit; space while the
    # filter has focus): each shown key is a widget Textual styles and lays out at start-up, and the
    # help screen (`?`) and the palette (ctrl+p) list every command anyway.
    key_display: str | None = None
    short_en: str | None = None  # the Footer's label, when the full one is too long for it
    short_zh: str | None = None

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def short(self, lang: str) -> str:
        return (self.short_zh if lang == "zh" else self.short_en) or self.label(lang)


COMMANDS: tuple[Command, ...] = (
    # Navigate
    Command("cursor.down", "j,down", "cursor_down", "list", "navigate", "Move down", "下移", key_display="j"),
    Command("cursor.up", "k,up", "cursor_up", "list", "navigate", "Move up", "上移", key_display="k"),
    Command("open", "enter", "select", "list", "navigate", "Open week / toggle district", "打开周次 / 切换区域"),
    Command("focus.next", "tab", "app.focus_next", "screen", "navigate", "Next pane", "下一个窗格"),
    Command("focus.previous", "shift+tab", "app.focus_previous", "screen", "navigate", "Previous pane", "上一个窗格"),
    Command("week.next", "n", "next_week", "screen", "navigate", "Next week in the list (older)", "下一周（较早）",
            footer=True, short_en="Older", short_zh="较早"),
    Command("week.previous", "p", "previous_week", "screen", "navigate", "Previous week in the list (newer)", "上一周（较新）",
            footer=True, short_en="Newer", short_zh="较新"),
    Command("week.next_unread", "N", "next_unread", "screen", "navigate", "Next unread week (older)", "下一个未读周（较早）",
            key_display="N"),
    Command("week.previous_unread", "P", "previous_unread", "screen", "navigate", "Previous unread week (newer)",
            "上一个未读周（较新）", key_display="P"),
    Command("page.forward", "space", "page_forward", "reader", "navigate", "Page down (then the next week)",
            "向下翻页（到底后下一周）"),
    Command("page.back", "shift+space,b", "page_back", "reader", "navigate", "Page up (then the previous week)",
            "向上翻页（到顶后上一周）", key_display="shift+space"),
    Command("item.next", "right_square_bracket", "next_item", "screen", "navigate", "Next item", "下一条", key_display="]"),
    Command("item.previous", "left_square_bracket", "previous_item", "screen", "navigate", "Previous item", "上一条", key_display="["),
    # Filter
    Command("district.toggle", "space", "toggle_district", "filter", "filter", "Toggle the highlighted district", "切换所选区域", footer=True,
            short_en="Toggle", short_zh="切换"),
    Command("filter.clear", "a", "clear_filter", "screen", "filter", "All districts", "全部区域", footer=False,
            short_en="All", short_zh="全部"),
    Command("sidebar.toggle", "d", "toggle_sidebar", "screen", "filter", "Show/hide the district sidebar", "显示/隐藏区域侧栏", footer=False,
            short_en="Sidebar", short_zh="侧栏"),
    # Read
    Command("read.toggle", "u", "toggle_read", "screen", "read", "Toggle read/unread", "切换已读/未读", footer=False,
            short_en="Read", short_zh="已读"),
    Command("read.week", "m", "mark_week_read", "screen", "read", "Mark the week read / unread (shown items)",
            "本周标为已读/未读（显示的条目）"),
    Command("read.all", "M", "mark_all_read", "screen", "read", "Mark all read…", "全部标为已读…", key_display="M"),
    Command("view.unread_only", "U", "toggle_unread_only", "screen", "read", "Show unread weeks only / all weeks",
            "只看未读周 / 全部周", key_display="U"),
    Command("view.starred_only", "S", "toggle_starred_only", "screen", "read", "Show weeks with starred items only / all weeks",
            "只看有收藏的周 / 全部周", key_display="S"),
    Command("star.toggle", "s", "toggle_star", "screen", "read", "Star item", "收藏条目"),
    Command("browser.open", "o", "open_source", "screen", "read", "Open source in browser", "在浏览器打开原文"),
    Command("copy.item", "y", "copy_item", "screen", "read", "Copy the item's text", "复制条目正文"),
    Command("copy.citation", "Y", "copy_citation", "screen", "read", "Copy a Markdown citation", "复制 Markdown 引用",
            key_display="Y"),
    # Archive
    Command("search", "slash", "search", "screen", "archive", "Search", "搜索", footer=True, key_display="/"),
    Command("timeline", "t", "timeline", "screen", "archive", "District timeline", "区域时间线"),
    Command("stats", "g", "stats", "screen", "archive", "District activity", "各区活跃度"),
    Command("export", "e", "export", "screen", "archive", "Export view to Markdown", "导出为 Markdown"),
    # App
    Command("refresh", "r", "refresh", "screen", "app", "Refresh (sync) from the site", "从网站刷新（同步）", footer=False,
            short_en="Refresh", short_zh="刷新"),
    Command("help", "question_mark", "help", "screen", "app", "Help", "帮助", footer=True, key_display="?"),
    Command("quit", "q", "app.quit", "screen", "app", "Quit", "退出", footer=True),
)

BY_ID: dict[str, Command] = {command.id: command for command in COMMANDS}
GROUPS: tuple[str, ...] = ("navigate", "filter", "read", "archive", "app")


def bindings(scopes: tuple[Scope, ...] | Scope, lang: str) -> list[Binding]:
    """The `BINDINGS` for the given scope(s), described in `lang`."""
    if isinstance(scopes, str):
        scopes = (scopes,)
    return [
        Binding(
            command.keys,
            command.action,
            command.short(lang),
            show=command.footer,
            key_display=command.key_display,
            id=command.id,
            tooltip=command.label(lang),
            priority=command.scope == "screen",  # `reader`: the focused pane's own key wins
        )
        for command in COMMANDS
        if command.scope in scopes
    ]


_LOCALISED: dict[tuple[type, str], BindingsMap] = {}

N = TypeVar("N", bound=DOMNode)


def localised(node: N, lang: str) -> N:
    """`node` with its bindings described in `lang` (the Footer shows each node's own copy).

    The classes' `BINDINGS` are the English ones; a node of another language gets a copy of its
    class's merged bindings with the command table's bindings in `lang`. (A subclass per language
    did the same, at 0.6 ms of Textual's class creation for each of the four localised widgets.)"""
    if lang == "en":
        return node
    key = (type(node), lang)
    merged = _LOCALISED.get(key)
    if merged is None:
        merged = _LOCALISED[key] = _merged_bindings(type(node), lang)
    node._bindings = merged.copy()
    return node


def _merged_bindings(cls: type[DOMNode], lang: str) -> BindingsMap:
    """`cls`'s merged bindings (Textual keeps them on the class), with those built from the command
    table (their id is a command's) described in `lang`."""
    merged = cls._merged_bindings if cls._merged_bindings is not None else cls._merge_bindings()
    return BindingsMap.from_keys({
        key: [replace(b, description=BY_ID[b.id].short(lang), tooltip=BY_ID[b.id].label(lang))
              if b.id in BY_ID else b for b in found]
        for key, found in merged.key_to_bindings.items()
    })


_MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})


def _key_names() -> frozenset[str]:
    from textual.keys import KEY_NAME_REPLACEMENTS, Keys

    names = {key.value.rpartition("+")[2] for key in Keys}
    return frozenset(names | set(KEY_NAME_REPLACEMENTS.values()) | {"space", "enter", "tab", "escape"})


def _bad_key(spec: str, names: frozenset[str]) -> str | None:
    """The part of a `[keys]` value Textual would not know as a key, or None when all is well."""
    from textual.keys import key_to_character

    for part in spec.split(","):
        part = part.strip()
        *modifiers, base = part.split("+") if part != "+" else ["+"]
        if not base or any(m not in _MODIFIERS for m in modifiers):
            return part or spec
        if len(base) == 1 and base.isprintable():
            continue
        if base not in names and key_to_character(base) is None:
            return part
    return None


def checked_keymap(keymap: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The `[keys]` entries the reader can use, and one warning per entry it cannot (an unknown
    binding id or key name, with the closest valid one): those are left out, never shown as `^nonsense`."""
    if not keymap:  # most configs: no key names to load
        return {}, []
    from sz_digest.cache.config import closest
    from sz_digest.cache.text import visible

    ids = {command.id for command in COMMANDS}
    names = _key_names()
    usable: dict[str, str] = {}
    warnings: list[str] = []
    for binding_id, keys in keymap.items():
        shown_id = visible(binding_id, 60)
        if binding_id not in ids:
            warnings.append(f"[keys]: unknown binding id '{shown_id}' ignored{closest(binding_id, ids)}")
            continue
        bad = _bad_key(keys, names)
        if bad is not None:
            base = bad.rpartition("+")[2]
            shown = visible(bad, 40)
            warnings.append(f"[keys]: '{shown_id}' = unknown key name '{shown}' ignored{closest(base.lower(), names)}")
            continue
        usable[binding_id] = keys
    return usable, warnings
