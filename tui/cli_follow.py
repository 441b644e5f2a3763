"""`sz-digest watch …`, `sz-digest feed …`, and what `sync --notify --feeds DIR` does after a sync.

docs/cli.md is the contract for the JSON; docs/follow.md tells the story from query to feed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sz_digest.cache.exit_codes import ExitCode

if TYPE_CHECKING:
    from sz_digest.cache.config import Config
    from sz_digest.cache.store import Store


def add_parsers(command, district_option, positive) -> None:
    """Register `watch` and `feed` on the CLI's subparsers (`command` makes one, as in cli.py)."""
    from .cli import JSON_HELP, _add_global_options, _examples, _HelpFormatter  # as every other subcommand

    watch = command("watch", "saved searches: add NAME QUERY, list, rm NAME",
                    examples=("sz-digest watch add 养老 '养老 OR 长者 district:南山'", "sz-digest watch list",
                              "sz-digest watch rm 养老"))
    actions = watch.add_subparsers(dest="watch_action", metavar="{add,list,rm}", required=True,
                                   parser_class=type(watch))
    name_help = "the watch's name: up to 40 letters (Chinese too), digits, _ - . ; e.g. 养老"

    def action(name: str, help_text: str, example: str) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help_text, description=help_text, formatter_class=_HelpFormatter,
                                 epilog=_examples(example))
        _add_global_options(sub, in_subcommand=True)  # `watch add … --data-dir DIR` works as after any subcommand
        return sub

    add = action("add", "save QUERY as watch NAME", "sz-digest watch add 养老 '养老 OR 长者 district:南山'")
    add.add_argument("name", metavar="NAME", help=name_help)
    add.add_argument("query", metavar="QUERY", help="the query language of `search` (docs/query.md)")
    add.add_argument("--replace", action="store_true", help="replace a watch of that name")
    add.add_argument("--json", action="store_true", help=JSON_HELP)
    list_ = action("list", "the watches, with unread matches", "sz-digest watch list --json")
    list_.add_argument("--json", action="store_true", help=JSON_HELP)
    rm = action("rm", "remove watch NAME", "sz-digest watch rm 养老")
    rm.add_argument("name", metavar="NAME", help=name_help)
    rm.add_argument("--json", action="store_true", help=JSON_HELP)

    feed = command("feed", "write an Atom feed of the items matching QUERY / a watch / districts",
                   examples=("sz-digest feed 社工站 -o 社工站.atom", "sz-digest feed --watch 养老 --limit 20",
                             "sz-digest feed --district nanshan > nanshan.atom"))
    feed.add_argument("query", metavar="QUERY", nargs="?", help="the query language of `search` (optional)")
    feed.add_argument("--watch", metavar="NAME", help="the items of watch NAME (ANDed with QUERY)")
    district_option(feed)
    feed.add_argument("--limit", type=positive, default=50, metavar="N", help="at most N entries (default 50)")
    feed.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here (atomically) instead of stdout")


def add_sync_options(sync: argparse.ArgumentParser) -> None:
    sync.add_argument("--notify", action="store_true",
                      help="one desktop notification per watch with new matches, naming their titles")
    sync.add_argument("--feeds", type=Path, metavar="DIR",
                      help="after the sync, rewrite DIR/watch-NAME.atom and DIR/district-CODE.atom")


def _print_json(data: object) -> None:
    from .cli import _print_json as print_json

    print_json(data)


def cmd_watch(store: Store, args) -> int:
    from sz_digest.cache.text import clean_line
    from sz_digest.cache.watches import add_watch, remove_watch, unread_counts, watches

    from .cli_output import fail, t, warn

    if args.watch_action == "add":
        watch = add_watch(store, args.name, args.query, replace=args.replace)
        if args.json:
            _print_json(watch.to_json() | {"unread": unread_counts(store).get(watch.name, 0)})
        else:
            warn(t("cli.follow.watching", name=watch.name, query=watch.query))
        return ExitCode.OK
    if args.watch_action == "rm":
        removed = remove_watch(store, args.name)
        if args.json:
            _print_json({"name": args.name, "removed": removed})
        if not removed:
            return fail(ExitCode.NO_MATCH, t("cli.follow.no_watch", name=args.name))
        return ExitCode.OK
    found = watches(store)
    counts = unread_counts(store)
    if args.json:
        _print_json([watch.to_json() | {"unread": counts.get(watch.name, 0)} for watch in found])
        return ExitCode.OK
    if not found:
        return fail(ExitCode.NO_MATCH, t("cli.follow.no_watches"))
    for watch in found:
        unread = t("cli.follow.unread", n=counts.get(watch.name, 0))
        print(f"{clean_line(watch.name)}\t{unread}\t{clean_line(watch.query)}")
    return ExitCode.OK


def cmd_feed(store: Store, args, config: Config) -> int:
    from sz_digest.cache.errors import UsageError
    from sz_digest.cache.feeds import COLUMN_TITLE, build_feed, feed_items, feed_query, write_atomically
    from sz_digest.cache.watches import get_watch

    from .cli_output import fail, t, warn

    watch = None
    if args.watch is not None:
        watch = get_watch(store, args.watch)
        if watch is None:
            raise UsageError(f"no watch named {args.watch!r} (see: sz-digest watch list)", key="follow.no_watch_see",
                             name=args.watch)
    districts = getattr(args, "district", None)
    query = feed_query(args.query, watch_query=watch.query if watch else None, districts=districts)
    items = feed_items(store, query, limit=args.limit)
    label = " · ".join(part for part in (watch.name if watch else None, args.query,
                                         ",".join(districts) if districts else None) if part)
    feed_id = "urn:sz-digest:feed:" + (f"watch:{watch.name}" if watch and not args.query and not districts
                                       else "query:" + _digest(label))
    data = build_feed(store, items, feed_id=feed_id, title=f"{COLUMN_TITLE} · {label}" if label else COLUMN_TITLE,
                      source=config.source)
    if args.output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return ExitCode.OK if items else ExitCode.NO_MATCH
    if args.output.is_dir():
        return fail(ExitCode.USAGE, t("cli.is_directory", path=args.output))
    from sz_digest.cache.atomic import WriteError

    try:
        write_atomically(args.output, data)
    except WriteError as exc:
        from .cli_output import zh_phrases

        return fail(ExitCode.WRITE_FAILED, t("cli.cannot_write", path=args.output, reason=zh_phrases(exc.reason)))
    except OSError as exc:
        return fail(ExitCode.WRITE_FAILED, t("cli.cannot_write", path=args.output, reason=exc.strerror or exc))
    warn(t("cli.follow.wrote_entries", path=args.output, n=len(items)))
    return ExitCode.OK if items else ExitCode.NO_MATCH


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:16]


def after_sync(store: Store, config: Config, *, notify: bool, feeds_dir: Path | None) -> tuple[dict, list[str]]:
    """Alerts, hook, notifications and feeds once a sync is committed: never raises, never blocks
    longer than the hook's timeout per watch. Returns (fields for `sync --json`, problem lines)."""
    from sz_digest.cache.alerts import notice_for, run_hook
    from sz_digest.cache.alerts import notify as show
    from sz_digest.cache.watches import collect_alerts, watches

    problems: list[str] = []
    extra: dict = {}
    try:
        alerts = collect_alerts(store)
        if alerts or watches(store):  # `sync --json` says "alerts" once there is a watch to alert
            extra["alerts"] = [alert.to_json() for alert in alerts]
    except Exception as exc:  # noqa: BLE001 — the sync is committed; this is one line, never a traceback
        alerts = []
        problems.append(f"cannot check watches: {exc}")
    for alert in alerts:
        if notify and not show(notice_for(alert), terminal=sys.stderr):
            problems.append(f"no desktop session or terminal to notify about watch {alert.watch.name!r}")
        if config.on_new:
            result = run_hook(config.on_new, alert, timeout=config.on_new_timeout)
            if not result.ok:
                problems.append(f"on_new for watch {result.watch!r}: {result.problem}")
    if feeds_dir is not None:
        from sz_digest.cache.feeds import write_all_feeds

        try:
            files = write_all_feeds(store, feeds_dir, source=config.source)
            extra["feeds"] = [{"path": str(f.path), "entries": f.entries, "written": f.written} for f in files]
        except Exception as exc:  # noqa: BLE001 — as above: a feed problem never undoes a sync
            problems.append(f"cannot write feeds to {feeds_dir}: {getattr(exc, 'strerror', None) or exc}")
    return extra, problems


def alert_lines(extra: dict) -> list[str]:
    """The human summary's lines for new matches (in the run's language)."""
    from .cli_output import t

    lines = []
    for alert in extra.get("alerts", ()):
        titles = "; ".join(item["title"] for item in alert["items"][:3])
        more = t("cli.follow.more", n=alert["new"] - 3) if alert["new"] > 3 else ""
        lines.append(t("cli.follow.new_for", watch=alert["watch"], titles=titles, more=more))
    written = [f for f in extra.get("feeds", ()) if f["written"]]
    if "feeds" in extra:
        lines.append(t("cli.follow.feeds", n=len(extra["feeds"]), written=len(written)))
    return lines
