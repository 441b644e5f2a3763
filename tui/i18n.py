"""The chrome's two languages: Chinese for zh_* locales, English otherwise.

Only the app's own words live here; scraped content is never translated. Every message is a plain
Python format string filled with `str.format` — the result is always shown as plain text, never
parsed as markup, so a value quoting a page title cannot style or break the UI.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LANGS = ("zh", "en")

_EN: dict[str, str] = {
    "app.title": "sz-digest",
    "pane.districts": "Districts",
    "pane.weeks": "Weeks",
    "pane.article": "Digest",
    "district.all": "All",
    "week.items": "{n} items",
    "week.items_one": "1 item",
    "week.unread": "{unread}/{n} unread",
    "status.weeks_of": "{shown} of {n} weeks",
    "status.weeks_of_one": "{shown} of 1 week",
    "status.unread": "{n} unread",
    "status.unread_only": "unread only",
    "status.starred_only": "starred only",
    "notice.no_unread": "no unread week that way",
    "confirm.mark_all": "Mark all {n} unread items read?",
    "confirm.mark_all_one": "Mark the 1 unread item read?",
    "confirm.hint": "y / enter: yes · n / escape: no",
    "week.published": "pub {date}",
    "week.sample": "bundled sample",
    "week.degraded": "full text",
    "viewer.degraded": "Could not split this week into items ({reason}); shown as full text. `sz-digest reparse` after an upgrade may split it.",
    "viewer.week_inferred": "The page gives no dates: the week is inferred from the publish date.",
    "viewer.attachments": "Attachments ({n}) — press o to open",
    "viewer.attachments_one": "1 attachment — press o to open",
    "attachments.title": "Open in the browser",
    "attachments.source": "The source page",
    "status.degraded": "{n} weeks as full text",
    "status.degraded_one": "1 week as full text",
    "status.layout_changed": "⚠ the site may have changed: run sz-digest doctor",
    "week.starred": "★ Starred",
    "week.starred_count": "{n} items",
    "week.starred_count_one": "1 item",
    "weeks.empty": "No digests stored yet. Press r to refresh.",
    "viewer.none": "No digest selected.",
    "viewer.week": "Week {start} → {end}",
    "viewer.published": "Published {date}",
    "viewer.source": "Source {url}",
    "viewer.sample": "Bundled sample — replaced by the real page after a sync.",
    "viewer.filter_empty": "The district filter hides every item of this week ({shown}).",
    "viewer.filter_hint": "Press a to show all districts.",
    "viewer.clear_filter": "Show all districts",
    "viewer.no_items": "This digest has no items.",
    "viewer.item_count": "{n}",
    "status.weeks": "{n} weeks stored",
    "status.weeks_one": "1 week stored",
    "status.never_synced": "never synced",
    "status.last_synced": "last synced {when}",
    "status.offline": "offline",
    "status.filter": "filter: {names}",
    "status.syncing": "syncing…",
    "status.sync_waiting": "waiting for another sync of this data dir to finish…",
    "status.sync_progress": "syncing: {pages} list pages, {fetched}/{to_fetch} fetched, {failed} failed",
    "notice.offline": "offline — showing stored digests, {synced}",
    "notice.blocked": "the site blocked automated access — showing stored digests, {synced}; save pages from a browser and run sz-digest import",
    "notice.unreachable": "refresh failed: {reason} ({source}) — showing stored digests, {synced}",
    "status.source": "from {host}",
    "notice.offline_mode": "offline mode — refresh is off (started with --offline)",
    "notice.sync_done": "refresh done: {n} new weeks",
    "notice.sync_done_one": "refresh done: 1 new week",
    "notice.sync_failed_posts": "refresh done: {new} new weeks, {failed} posts failed",
    "notice.sync_error": "refresh failed: {error}",
    "notice.refresh_busy": "a refresh is already running",
    "notice.bad_url": "not opening this address: only http and https links are opened",
    "notice.opening": "opening {url}",
    "notice.no_browser": "no graphical browser here: {url}",
    "notice.copied": "{what} — copied ({how})",
    "notice.copied_terminal": "terminal clipboard, OSC 52",
    "notice.copy_item": "item text",
    "notice.copy_citation": "Markdown citation",
    "notice.no_week": "no digest selected",
    "notice.week_not_found": "no stored week matches {spec}; showing the latest",
    "notice.store_error": "could not save: {error}",
    "notice.store_recovered": "the store {path} was damaged: moved it to {moved} and rebuilt it from the kept pages",
    "notice.store_read_only": "the store {path} cannot be written ({reason}): reading only, nothing is saved",
    "notice.error": "something went wrong: {error}",
    "notice.marked_read": "marked read",
    "notice.marked_unread": "marked unread",
    "notice.no_item": "no current item — use ] and [ to pick one",
    "notice.starred": "starred",
    "notice.unstarred": "unstarred",
    "notice.exported": "exported {n} items to {path}",
    "export.title": "Export {n} items",
    "export.title_one": "Export 1 item",
    "export.hint": "enter writes · escape cancels · an existing file is never overwritten",
    "export.exists": "{path} exists: choose another name",
    "export.no_path": "type a file name",
    "notice.export_empty": "nothing to export: the viewer shows no items",
    "help.title": "Keys",
    "help.close": "escape / q / ? close this help",
    "help.key": "Key",
    "help.action": "Action",
    "help.group.navigate": "Navigate",
    "help.group.filter": "Filter",
    "help.group.read": "Read",
    "help.group.archive": "Archive",
    "help.group.app": "App",
    "help.palette": "Command palette (every action below)",
    "search.title": "Search all stored items",
    "search.placeholder": "type to search titles and bodies…",
    "search.hint": "enter jumps to the item · escape returns",
    "search.none": "No matches.",
    "search.count": "{n} matches",
    "search.count_one": "1 match",
    "search.hint_watch": "enter jumps to the item · ctrl+s saves as a watch · escape returns",
    "search.saved": "Saved as watch “{name}”: it is in the sidebar, and a sync tells you of new matches",
    "search.save_empty": "Type a query to save first",
    "pane.watches": "Watches",
    "status.watch": "watch: {name}",
    "notice.watch_new": "New for {name}: {titles}",
    "search.count_of": "{n} matches, showing {shown} of {n}",
    "search.searching": "Searching…",
    "timeline.title": "{name}: every item, newest first",
    "timeline.empty": "No items for this district.",
    "timeline.hint": "enter jumps to the item · escape returns",
    "timeline.pick": "Highlight a district in the sidebar first",
    "stats.title": "Activity per district, last {n} weeks",
    "stats.hint": "one bar per week, oldest left · escape returns",
    "stats.total": "{n} items",
    "stats.total_one": "1 item",
    "starred.title": "Starred items",
    "starred.empty": "No starred items yet. Press s on an item to star it.",
}

_ZH: dict[str, str] = {
    "app.title": "深圳社工一周速览",
    "pane.districts": "区域",
    "pane.weeks": "周次",
    "pane.article": "速览",
    "district.all": "全部",
    "week.items": "{n} 条",
    "week.items_one": "1 条",
    "week.unread": "{unread}/{n} 未读",
    "status.weeks_of": "{shown} / {n} 周",
    "status.unread": "{n} 条未读",
    "status.unread_only": "只看未读",
    "status.starred_only": "只看收藏",
    "notice.no_unread": "该方向没有未读的周",
    "confirm.mark_all": "将全部 {n} 条未读条目标为已读？",
    "confirm.hint": "y / 回车：是 · n / escape：否",
    "week.published": "发布 {date}",
    "week.sample": "内置样例",
    "week.degraded": "未分条",
    "viewer.degraded": "本周未能按条目拆分（{reason}），以全文显示。升级后运行 sz-digest reparse 可能拆分。",
    "viewer.week_inferred": "页面未给出日期：周次按发布日期推定。",
    "viewer.attachments": "附件（{n}）——按 o 打开",
    "attachments.title": "在浏览器打开",
    "attachments.source": "原文页面",
    "status.degraded": "{n} 周未分条",
    "status.layout_changed": "⚠ 网站可能已改版：请运行 sz-digest doctor",
    "week.starred": "★ 收藏",
    "week.starred_count": "{n} 条",
    "weeks.empty": "尚无已存速览。按 r 刷新。",
    "viewer.none": "未选择速览。",
    "viewer.week": "周次 {start} → {end}",
    "viewer.published": "发布 {date}",
    "viewer.source": "来源 {url}",
    "viewer.sample": "内置样例——同步后由真实页面替换。",
    "viewer.filter_empty": "区域筛选（{shown}）隐藏了本周所有条目。",
    "viewer.filter_hint": "按 a 显示全部区域。",
    "viewer.clear_filter": "显示全部区域",
    "viewer.no_items": "本期速览没有条目。",
    "viewer.item_count": "{n}",
    "status.weeks": "已存 {n} 周",
    "status.never_synced": "从未同步",
    "status.last_synced": "上次同步 {when}",
    "status.offline": "离线",
    "status.filter": "筛选：{names}",
    "status.syncing": "同步中…",
    "status.sync_waiting": "等待此数据目录的另一个同步完成…",
    "status.sync_progress": "同步中：列表 {pages} 页，已取 {fetched}/{to_fetch}，失败 {failed}",
    "notice.offline": "离线——显示已存速览，{synced}",
    "notice.blocked": "网站拦截了自动访问——显示已存速览，{synced}；可用浏览器保存页面后运行 sz-digest import",
    "notice.no_browser": "此处没有图形浏览器：{url}",
    "notice.copied": "{what}——已复制（{how}）",
    "notice.copied_terminal": "终端剪贴板，OSC 52",
    "notice.copy_item": "条目正文",
    "notice.copy_citation": "Markdown 引用",
    "notice.unreachable": "刷新失败：{reason}（{source}）——显示已存速览，{synced}",
    "status.source": "来源 {host}",
    "notice.offline_mode": "离线模式——刷新已关闭（启动时带 --offline）",
    "notice.sync_done": "刷新完成：新增 {n} 周",
    "notice.sync_failed_posts": "刷新完成：新增 {new} 周，{failed} 篇失败",
    "notice.sync_error": "刷新失败：{error}",
    "notice.refresh_busy": "刷新已在进行",
    "notice.bad_url": "不打开此地址：只打开 http 和 https 链接",
    "notice.opening": "正在打开 {url}",
    "notice.no_week": "未选择速览",
    "notice.week_not_found": "没有与 {spec} 对应的已存周次；显示最新一期",
    "notice.store_error": "无法保存：{error}",
    "notice.store_recovered": "数据库 {path} 已损坏：已移至 {moved}，并从保存的原始页面重建",
    "notice.store_read_only": "数据库 {path} 无法写入（{reason}）：仅可阅读，更改不会保存",
    "notice.error": "出错了：{error}",
    "notice.marked_read": "已标为已读",
    "notice.marked_unread": "已标为未读",
    "notice.no_item": "没有当前条目——用 ] 和 [ 选择",
    "notice.starred": "已收藏",
    "notice.unstarred": "已取消收藏",
    "notice.exported": "已导出 {n} 条到 {path}",
    "export.title": "导出 {n} 条",
    "export.hint": "回车写入 · escape 取消 · 不会覆盖已有文件",
    "export.exists": "{path} 已存在：请换一个名字",
    "export.no_path": "请输入文件名",
    "notice.export_empty": "没有可导出的内容：阅读区没有条目",
    "help.title": "按键",
    "help.close": "escape / q / ? 关闭帮助",
    "help.key": "按键",
    "help.action": "功能",
    "help.group.navigate": "导航",
    "help.group.filter": "筛选",
    "help.group.read": "阅读",
    "help.group.archive": "档案",
    "help.group.app": "应用",
    "help.palette": "命令面板（包含下列所有功能）",
    "search.title": "搜索所有已存条目",
    "search.placeholder": "输入关键词，搜索标题和正文…",
    "search.hint": "enter 跳到条目 · escape 返回",
    "search.none": "没有结果。",
    "search.count": "{n} 条结果",
    "search.hint_watch": "enter 跳到条目 · ctrl+s 保存为关注 · escape 返回",
    "search.saved": "已保存为关注“{name}”：见侧栏，同步后有新结果会提醒",
    "search.save_empty": "请先输入要保存的搜索",
    "pane.watches": "关注",
    "status.watch": "关注：{name}",
    "notice.watch_new": "“{name}”有新条目：{titles}",
    "search.count_of": "{n} 条结果，显示其中 {shown} 条",
    "search.searching": "正在搜索…",
    "timeline.title": "{name}：所有条目，最新在前",
    "timeline.empty": "该区域没有条目。",
    "timeline.hint": "enter 跳到条目 · escape 返回",
    "timeline.pick": "请先在侧栏选中一个区域",
    "stats.title": "各区活跃度，最近 {n} 周",
    "stats.hint": "每周一格，最旧在左 · escape 返回",
    "stats.total": "{n} 条",
    "starred.title": "收藏的条目",
    "starred.empty": "尚无收藏。在条目上按 s 收藏。",
}

# The command line's words live in their own file and join this one catalogue.
from .i18n_cli import CLI_EN, CLI_ZH  # noqa: E402

_EN.update(CLI_EN)
_ZH.update(CLI_ZH)

_CATALOGS: dict[str, Mapping[str, str]] = {"en": _EN, "zh": _ZH}


def detect_lang(explicit: str | None = None, configured: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """`--lang` beats the config file, which beats the locale (LC_ALL, LC_MESSAGES, LANG)."""
    for choice in (explicit, configured):
        if choice in LANGS:
            return choice
    env = os.environ if env is None else env
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    if env is os.environ:
        import locale  # only when no variable decided: `list --json` should not pay for it

        try:
            current = locale.getlocale()[0] or ""
        except ValueError:
            current = ""
        if current.lower().startswith("zh"):
            return "zh"
    return "en"


class Catalog:
    """Look up a chrome string in one language: `t("week.items", n=3)`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else "en"
        self._messages = _CATALOGS[self.lang]

    def __call__(self, key: str, **values: object) -> str:
        if values.get("n") == 1 and f"{key}_one" in self._messages:
            key = f"{key}_one"
        template = self._messages.get(key) or _EN.get(key) or key
        return template.format(**values) if values else template

    def district(self, code: str, label: str | None = None) -> str:
        """A district's display name: Chinese name for zh; English for en (the page's label for `other`)."""
        from sz_digest.cache.districts import BY_CODE

        district = BY_CODE.get(code)
        if district is None:
            return label or code
        if code == "other" and label:
            return label
        return district.name if self.lang == "zh" else district.english


def catalogs() -> Mapping[str, Mapping[str, str]]:
    return _CATALOGS
