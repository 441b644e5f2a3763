"""The command line's words in both languages (merged into tui/i18n.py's one catalogue).

Keys start with `cli.`. JSON keys and exit codes never change with the language; only what a person
reads does: table headers, labels, messages and errors. Values are `str.format` templates.
"""

from __future__ import annotations

CLI_EN: dict[str, str] = {
    # errors and messages (stderr)
    "cli.see_help": " (see {prog} --help)",
    "cli.list_sep": ", ",
    "cli.unknown_district": "unknown district {value!r}; accepted: {accepted}",
    "cli.bad_date": "not a date: {value!r}; use YYYY-MM-DD (e.g. 2026-03-11)",
    "cli.bad_number": "expected a whole number of at least 1, not {value!r}",
    "cli.bad_source": "--source must be an http:// or https:// URL with a host (and a port of 0-65535), not {value!r}",
    "cli.store_file": "{path} is part of the store in {data_dir}; choose another file",
    "cli.internal_error": "internal error: {error} (please report it; SZ_DIGEST_DEBUG=1 shows the traceback)",
    "cli.store_open_failed": "cannot open the store at {error}",
    "cli.store_write_failed": "cannot write the store at {error}",
    "cli.store_recovered": "the store at {path} was damaged: moved it to {moved} and rebuilt {n} digest(s) from the kept pages",
    "cli.no_digests": "no stored digests match",
    "cli.items_need_district": "list --items needs at least one --district",
    "cli.no_district_items": "no items for that district",
    "cli.no_week": "no stored digest for week {spec!r}",
    "cli.no_items_for_districts": "week {week} has no items for {districts}",
    "cli.no_search_hits": "no items match {query!r}",
    "cli.more_hits": "… {n} more, use --limit",
    "cli.export_empty": "nothing to export: no items match",
    "cli.file_exists": "{path} exists; pass --force to overwrite it",
    "cli.is_directory": "{path} is a directory",
    "cli.cannot_write": "cannot write {path}: {reason}",
    "cli.wrote": "wrote {path}",
    "cli.reparsed": "reparsed {n} digest(s) from kept pages",
    "cli.no_such_date": "no such date: {spec}",
    "cli.not_a_week": "not a week: {spec!r}; use a post id (1663876), a post URL, an ISO date inside the week (2026-03-11) or 'latest'",
    "cli.empty_query": "the search query is empty",
    "cli.config_error": "config file {path}: {detail}",
    # labels and headers (stdout)
    "cli.col.id": "id",
    "cli.col.week": "week",
    "cli.col.published": "published",
    "cli.col.items": "items",
    "cli.col.district": "district",
    "cli.col.title": "title",
    "cli.col.recent": "last {n} wk",
    "cli.col.absent": "weeks absent",
    "cli.col.activity": "activity",
    "cli.unread": "● unread",
    "cli.sample": "sample",
    "cli.meta": "{start} → {end} · published {published} · {url}",
    "cli.stats_title": "{weeks} weeks stored ({first} → {last}), {items} items",
    # help (the option texts themselves are English in tui/cli.py; HELP_ZH below translates them)
    "cli.examples": "examples:",
    "cli.formats": (
        "formats:\n"
        "  W     a week: a post id (1663876), a post URL, any ISO date inside the week (2026-03-11), or latest\n"
        "  D     a district: code, Chinese full or short name, or English name, any case\n"
        "        (nanshan, 南山区, 南山, Nanshan); codes:\n"
        "{codes}\n"
        "  DATE  ISO YYYY-MM-DD (2026-03-11); a week counts when it overlaps --since/--until"
    ),
    "cli.exit_codes": "exit codes: {codes} (docs/cli.md)",
    # watch, feed (tui/cli_follow.py)
    "cli.follow.watching": "watching {name}: {query}",
    "cli.follow.bad_name": "not a watch name: {name!r}; use up to 40 letters, digits, '_', '-' or '.' (Chinese is fine), starting with a letter or digit",
    "cli.follow.name_taken": "a watch named {name!r} exists; remove it first (watch rm {name})",
    "cli.bad_query": "bad query{where}: {reason}",
    "cli.bad_query_where": " at {token!r} (character {n})",
    "cli.follow.no_watch": "no watch named {name!r}",
    "cli.follow.no_watch_see": "no watch named {name!r} (see: sz-digest watch list)",
    "cli.follow.no_watches": "no watches; add one with: sz-digest watch add NAME QUERY",
    "cli.follow.unread": "{n} unread",
    "cli.follow.wrote_entries": "wrote {path} ({n} entries)",
    "cli.follow.new_for": "New for {watch}: {titles}{more}",
    "cli.follow.more": " (+{n} more)",
    "cli.follow.feeds": "Feeds: {n} in place, {written} rewritten.",
    # sync (tui/cli_sync.py)
    "cli.sync.list_pages": "list pages",
    "cli.sync.digests": "digests",
    "cli.sync.listed": "{n} posts listed",
    "cli.sync.failed_count": "{n} failed",
    "cli.sync.waiting": "another sync of this data dir is running; waiting for it to finish…",
    "cli.sync.synced": "Synced {source}: {pages} list page(s), {listed} post(s) listed ({skipped} not digests, skipped).",
    "cli.sync.downloaded": "{n} digest(s) downloaded",
    "cli.sync.new": "{n} new",
    "cli.sync.changed": "{n} changed",
    "cli.sync.detail": " ({detail})",
    "cli.sync.sep2": "; ",
    "cli.sync.unchanged": "{n} unchanged since the last check",
    "cli.sync.received": "; {size} received.",
    "cli.sync.up_to_date": "Up to date: no new digests.",
    "cli.sync.failed": "{n} failed (retried on the next sync):",
    "cli.sync.offline": "sync needs the network and --offline was given; nothing fetched",
    "cli.sync.store_recovered": "the store at {path} was damaged: moved it to {moved} and rebuilt it",
    "cli.sync.unreachable": "cannot reach the source {url}: {reason} (the store is unchanged)",
    "cli.sync.interrupted": "sync interrupted; every digest downloaded so far is saved",
    "cli.sync.stopped": "sync stopped by signal {signum}; every digest downloaded so far is saved",
    "cli.sync.walk_capped": "the walk stopped at its cap of {n} list page(s); the next sync carries on from there",
    "cli.sync.deferred": "{n} failing post(s) backing off (retried at most once a day).",
    "cli.sync.gone": "{n} post(s) gone (404/410 on three syncs in a row; not retried, see --retry-gone):",
}

CLI_ZH: dict[str, str] = {
    "cli.see_help": "（参见 {prog} --help）",
    "cli.list_sep": "，",
    "cli.unknown_district": "未知区域 {value!r}；可用：{accepted}",
    "cli.bad_date": "不是日期：{value!r}；请用 YYYY-MM-DD（如 2026-03-11）",
    "cli.bad_number": "应为不小于 1 的整数，而不是 {value!r}",
    "cli.bad_source": "--source 必须是带主机名的 http:// 或 https:// 网址（端口 0-65535），而不是 {value!r}",
    "cli.store_file": "{path} 属于 {data_dir} 中的数据库；请换一个文件",
    "cli.internal_error": "内部错误：{error}（请报告此问题；SZ_DIGEST_DEBUG=1 可显示回溯）",
    "cli.store_open_failed": "无法打开数据库 {error}",
    "cli.store_write_failed": "无法写入数据库 {error}",
    "cli.store_recovered": "数据库 {path} 已损坏：已移至 {moved}，并从保存的原始页面重建了 {n} 期速览",
    "cli.no_digests": "没有符合条件的已存速览",
    "cli.items_need_district": "list --items 至少需要一个 --district",
    "cli.no_district_items": "该区域没有条目",
    "cli.no_week": "没有周次 {spec!r} 的已存速览",
    "cli.no_items_for_districts": "第 {week} 期没有 {districts} 的条目",
    "cli.no_search_hits": "没有与 {query!r} 匹配的条目",
    "cli.more_hits": "… 另有 {n} 条，使用 --limit 查看",
    "cli.export_empty": "没有可导出的内容：没有匹配的条目",
    "cli.file_exists": "{path} 已存在；加 --force 覆盖",
    "cli.is_directory": "{path} 是一个目录",
    "cli.cannot_write": "无法写入 {path}：{reason}",
    "cli.wrote": "已写入 {path}",
    "cli.reparsed": "已从保存的页面重新解析 {n} 期速览",
    "cli.no_such_date": "日期不存在：{spec}",
    "cli.not_a_week": "不是周次：{spec!r}；请用文章编号（1663876）、文章网址、该周内的日期（2026-03-11）或 latest",
    "cli.empty_query": "搜索词为空",
    "cli.config_error": "配置文件 {path}：{detail}",
    "cli.col.id": "编号",
    "cli.col.week": "周次",
    "cli.col.published": "发布",
    "cli.col.items": "条目",
    "cli.col.district": "区域",
    "cli.col.title": "标题",
    "cli.col.recent": "近 {n} 周",
    "cli.col.absent": "缺席周数",
    "cli.col.activity": "活跃度",
    "cli.unread": "● 未读",
    "cli.sample": "样例",
    "cli.meta": "{start} → {end} · 发布 {published} · {url}",
    "cli.stats_title": "已存 {weeks} 周（{first} → {last}），共 {items} 条",
    "cli.examples": "示例：",
    "cli.formats": (
        "格式：\n"
        "  W     周次：文章编号（1663876）、文章网址、该周内任一日期（2026-03-11）或 latest\n"
        "  D     区域：代码、中文全称或简称、英文名，不分大小写\n"
        "        （nanshan、南山区、南山、Nanshan）；代码：\n"
        "{codes}\n"
        "  DATE  ISO 日期 YYYY-MM-DD（2026-03-11）；与 --since/--until 范围有重叠的周次都算"
    ),
    "cli.exit_codes": "退出码：{codes}（见 docs/cli.md）",
    "cli.follow.watching": "已关注 {name}：{query}",
    "cli.follow.bad_name": "不是有效的关注名称：{name!r}；请用最多 40 个字母、数字、'_'、'-' 或 '.'（可含中文），以字母或数字开头",
    "cli.follow.name_taken": "已有名为 {name!r} 的关注；请先删除（watch rm {name}）",
    "cli.bad_query": "查询有误{where}：{reason}",
    "cli.bad_query_where": "，位于 {token!r}（第 {n} 个字符）",
    "cli.follow.no_watch": "没有名为 {name!r} 的关注",
    "cli.follow.no_watch_see": "没有名为 {name!r} 的关注（见 sz-digest watch list）",
    "cli.follow.no_watches": "尚无关注；用 sz-digest watch add NAME QUERY 添加",
    "cli.follow.unread": "{n} 条未读",
    "cli.follow.wrote_entries": "已写入 {path}（{n} 条）",
    "cli.follow.new_for": "{watch} 有新内容：{titles}{more}",
    "cli.follow.more": "（另有 {n} 条）",
    "cli.follow.feeds": "订阅源：共 {n} 个，重写 {written} 个。",
    "cli.sync.list_pages": "列表页",
    "cli.sync.digests": "速览",
    "cli.sync.listed": "已列出 {n} 篇",
    "cli.sync.failed_count": "{n} 篇失败",
    "cli.sync.waiting": "此数据目录的另一个同步正在进行；等待其完成…",
    "cli.sync.synced": "已同步 {source}：列表 {pages} 页，列出 {listed} 篇（{skipped} 篇不是速览，已跳过）。",
    "cli.sync.downloaded": "下载速览 {n} 期",
    "cli.sync.new": "新增 {n}",
    "cli.sync.changed": "更新 {n}",
    "cli.sync.detail": "（{detail}）",
    "cli.sync.sep2": "；",
    "cli.sync.unchanged": "{n} 期自上次检查后未变",
    "cli.sync.received": "；共接收 {size}。",
    "cli.sync.up_to_date": "已是最新：没有新的速览。",
    "cli.sync.failed": "{n} 篇失败（下次同步时重试）：",
    "cli.sync.offline": "同步需要联网，但指定了 --offline；未获取任何内容",
    "cli.sync.store_recovered": "数据库 {path} 已损坏：已移至 {moved} 并已重建",
    "cli.sync.unreachable": "无法连接来源 {url}：{reason}（数据库未改动）",
    "cli.sync.interrupted": "同步已中断；已下载的速览均已保存",
    "cli.sync.stopped": "同步被信号 {signum} 终止；已下载的速览均已保存",
    "cli.sync.walk_capped": "遍历在 {n} 个列表页的上限处停止；下次同步将从那里继续",
    "cli.sync.deferred": "{n} 篇持续失败的文章正在退避（每天最多重试一次）。",
    "cli.sync.gone": "{n} 篇文章已消失（连续三次同步返回 404/410；不再重试，见 --retry-gone）：",
}
# `--help` in Chinese: each English help text of tui/cli.py (and argparse's own words) -> its translation.
# Keyed by the English text, so a new option is covered by adding one line here; a text missing here
# is shown in English (tests/test_cli_help.py lists any that are missing).
HELP_ZH: dict[str, str] = {
    "A terminal reader for 深圳社会工作一周速览 (Shenzhen Social Work Weekly Digest). With no command, opens the reader.":
        "深圳社会工作一周速览的终端阅读器。不带命令时打开阅读器。",
    "show this help message and exit": "显示此帮助并退出",
    "print sz-digest X.Y.Z and exit": "显示版本号 sz-digest X.Y.Z 并退出",
    "where the store lives (default: $SZ_DIGEST_HOME, else the user data dir, e.g. ~/.local/share/sz-digest); e.g. --data-dir ~/digest":
        "数据目录（默认：$SZ_DIGEST_HOME，否则为用户数据目录，如 ~/.local/share/sz-digest）；例：--data-dir ~/digest",
    "the column's list page, http:// or https:// (default: http://szshequ.org.cn/szshgzb/gzyw/ or the config file's source)":
        "栏目列表页，http:// 或 https://（默认：http://szshequ.org.cn/szshgzb/gzyw/ 或配置文件中的 source）",
    "never touch the network (sync exits 3; the reader shows what is stored)":
        "完全不联网（sync 以退出码 3 结束；阅读器显示已存内容）",
    "language of everything printed for people: zh or en (default: the config file's lang, else the locale); JSON never changes":
        "所有给人看的输出所用语言：zh 或 en（默认：配置文件中的 lang，否则跟随系统区域设置）；JSON 不受影响",
    "open the reader filtered to district D (repeatable); e.g. --district 南山": "打开阅读器并只看区域 D（可重复）；例：--district 南山",
    "open the reader on week W: post id, post URL, ISO date or latest; e.g. --week 2026-03-11":
        "打开阅读器并定位到周次 W：文章编号、文章网址、ISO 日期或 latest；例：--week 2026-03-11",
    "fetch new digests from the site (incremental unless --full)": "从网站获取新的速览（默认增量，--full 为完整）",
    "the stored digests, newest first": "已存的速览，最新在前",
    "one digest: every item, or the chosen districts' items": "一期速览：全部条目，或所选区域的条目",
    "items whose title or body contains QUERY, best first": "标题或正文包含 QUERY 的条目，最相关在前",
    "write items as Markdown, JSON or CSV to a file or stdout": "把条目导出为 Markdown、JSON 或 CSV，写入文件或标准输出",
    "weeks stored, items per district, weeks a district was absent": "已存周数、各区条目数、各区缺席的周数",
    "re-derive every digest from the kept raw pages, no network (after an upgrade)": "从保存的原始页面重新解析所有速览，不联网（升级后使用）",
    "print a shell completion script generated from this parser": "输出由本命令解析器生成的 shell 补全脚本",
    "walk the whole column and re-check every stored post": "遍历整个栏目并重新检查每篇已存文章",
    "read at most N list pages (N ≥ 1); e.g. --pages 3": "最多读取 N 个列表页（N ≥ 1）；例：--pages 3",
    "print JSON (the shapes of docs/cli.md) instead of text": "输出 JSON（格式见 docs/cli.md），而不是文本",
    "only district D: code, Chinese or English name, any case (repeatable); e.g. --district nanshan --district 福田":
        "只看区域 D：代码、中文或英文名，不分大小写（可重复）；例：--district nanshan --district 福田",
    "one row per item of the chosen district(s), newest first (a district timeline)": "所选区域的每个条目一行，最新在前（区域时间线）",
    "the week: post id, post URL, an ISO date inside the week, or latest; e.g. 2026-03-11":
        "周次：文章编号、文章网址、该周内的 ISO 日期或 latest；例：2026-03-11",
    "words to find, matched ignoring case and full/half width; e.g. 社工站": "要查找的词，不分大小写和全角半角；例：社工站",
    "only weeks ending on or after DATE (YYYY-MM-DD); e.g. --since 2026-01-01": "只看在 DATE 当天或之后结束的周次（YYYY-MM-DD）；例：--since 2026-01-01",
    "only weeks starting on or before DATE (YYYY-MM-DD); e.g. --until 2026-03-31": "只看在 DATE 当天或之前开始的周次（YYYY-MM-DD）；例：--until 2026-03-31",
    "show at most N hits (default 20); the text output says how many more there are": "最多显示 N 条结果（默认 20）；文本输出会说明还有多少条",
    "md (default), json (a list of show --json objects) or csv (UTF-8 with BOM)": "md（默认）、json（show --json 对象的列表）或 csv（带 BOM 的 UTF-8）",
    "write here instead of stdout (refuses to replace an existing file without --force)": "写入此文件而不是标准输出（文件已存在时需加 --force 才会覆盖）",
    "write here instead of stdout ('-' is stdout); written whole or not at all, never over a file that is not a regular file":
        "写入此文件而不是标准输出（'-' 即标准输出）；要么完整写入，要么不写；绝不覆盖非普通文件",
    "also retry posts given up on as gone (404/410 on three syncs in a row)":
        "也重试已判定为消失的文章（连续三次同步返回 404/410）",
    "overwrite FILE if it exists": "FILE 已存在时覆盖",
    "how many recent weeks the activity columns cover (default 12); e.g. --weeks 24": "活跃度各列统计最近多少周（默认 12）；例：--weeks 24",
    "bash, zsh or fish": "bash、zsh 或 fish",
    # watch, feed, sync --notify/--feeds (tui/cli_follow.py)
    "words, \"phrases\", -word, A OR B, district:, since:, until:, week:, is:starred, is:unread (docs/query.md); "
    "matched ignoring case and full/half width; e.g. 社工站":
        "词、\"短语\"、-排除词、A OR B、district:、since:、until:、week:、is:starred、is:unread（见 docs/query.md）；"
        "不分大小写和全角半角；例：社工站",
    "items matching QUERY (the query language of docs/query.md), best first": "匹配 QUERY（查询语言见 docs/query.md）的条目，最相关在前",
    "saved searches: add NAME QUERY, list, rm NAME": "保存的搜索（关注）：add NAME QUERY、list、rm NAME",
    "save QUERY as watch NAME": "把 QUERY 保存为名为 NAME 的关注",
    "the watch's name: up to 40 letters (Chinese too), digits, _ - . ; e.g. 养老": "关注的名称：最多 40 个字母（可含中文）、数字、_ - . ；例：养老",
    "the query language of `search` (docs/query.md)": "与 search 相同的查询语言（见 docs/query.md）",
    "replace a watch of that name": "替换同名的关注",
    "the watches, with unread matches": "所有关注及其未读匹配数",
    "remove watch NAME": "删除名为 NAME 的关注",
    "write an Atom feed of the items matching QUERY / a watch / districts": "把匹配 QUERY、某个关注或区域的条目写成 Atom 订阅源",
    "the query language of `search` (optional)": "与 search 相同的查询语言（可选）",
    "the items of watch NAME (ANDed with QUERY)": "关注 NAME 的条目（与 QUERY 同时满足）",
    "at most N entries (default 50)": "最多 N 条（默认 50）",
    "write here (atomically) instead of stdout": "写入此文件（原子替换）而不是标准输出",
    "one desktop notification per watch with new matches, naming their titles": "每个有新匹配的关注发一条桌面通知，列出标题",
    "after the sync, rewrite DIR/watch-NAME.atom and DIR/district-CODE.atom": "同步后重写 DIR/watch-NAME.atom 和 DIR/district-CODE.atom",
    # exit codes (cache/exit_codes.py MEANINGS)
    "ok": "成功",
    "nothing matched or some posts failed": "没有匹配或部分文章失败",
    "usage error": "用法错误",
    "source unreachable": "无法连接来源",
    "store not writable": "数据库无法写入",
    "output file not writable": "输出文件无法写入",
    "interrupted": "已中断",
}

# Why a query cannot be read (cache/query.py's QueryError reasons) -> Chinese; others stay English.
QUERY_REASONS_ZH: dict[str, str] = {
    "'-' must stand right before the word it excludes": "'-' 必须紧挨在要排除的词前面",
    "this quote is never closed": "这个引号没有闭合",
    "use a year, a month or a day: 2025, 2025-06, 2025-06-30": "请用年、月或日：2025、2025-06、2025-06-30",
    "no such date": "日期不存在",
    "week: takes a day inside the week: 2026-03-09": "week: 需要该周内的某一天：2026-03-09",
    "a query is text": "查询必须是文本",
    "OR needs a term on each side": "OR 两边都需要有词",
    "the search query is empty": "搜索词为空",
}

# argparse's own words (it looks them up through `argparse._`, gettext-style; tui/cli.py swaps it in).
ARGPARSE_ZH: dict[str, str] = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示此帮助并退出",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "expected one argument": "需要一个值",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的值：%(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "选项不明确：%(option)s 可能是 %(matches)s",
}
