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
    watch = command("watch", "saved searches: add NAME QUERY, list, rm NAME")
    actions = watch.add_subparsers(dest="watch_action", metavar="{add,list,rm}", required=True,
                                   parser_class=type(watch))
    from .cli import _add_global_options  # `watch add … --data-dir DIR` works as after any subcommand

    add = actions.add_parser("add", help="save QUERY as watch NAME", description="save QUERY as watch NAME")
    add.add_argument("name", metavar="NAME")
    add.add_argument("query", metavar="QUERY", help="the query language of `search` (docs/query.md)")
    add.add_argument("--replace", action="store_true", help="replace a watch of that name")
    add.add_argument("--json", action="store_true")
    list_ = actions.add_parser("list", help="the watches, with unread matches", description="the watches")
    list_.add_argument("--json", action="store_true")
    rm = actions.add_parser("rm", help="remove watch NAME", description="remove watch NAME")
    rm.add_argument("name", metavar="NAME")
    rm.add_argument("--json", action="store_true")
    for action in (add, list_, rm):
        _add_global_options(action, in_subcommand=True)

    feed = command("feed", "write an Atom feed of the items matching QUERY / a watch / districts")
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

    from .cli import PROG, fail

    if args.watch_action == "add":
        watch = add_watch(store, args.name, args.query, replace=args.replace)
        if args.json:
            _print_json(watch.to_json() | {"unread": unread_counts(store).get(watch.name, 0)})
        else:
            print(f"{PROG}: watching {clean_line(watch.name)}: {clean_line(watch.query)}", file=sys.stderr)
        return ExitCode.OK
    if args.watch_action == "rm":
        removed = remove_watch(store, args.name)
        if args.json:
            _print_json({"name": args.name, "removed": removed})
        if not removed:
            return fail(ExitCode.NO_MATCH, f"no watch named {args.name!r}")
        return ExitCode.OK
    found = watches(store)
    counts = unread_counts(store)
    if args.json:
        _print_json([watch.to_json() | {"unread": counts.get(watch.name, 0)} for watch in found])
        return ExitCode.OK
    if not found:
        return fail(ExitCode.NO_MATCH, "no watches; add one with: sz-digest watch add NAME QUERY")
    for watch in found:
        print(f"{clean_line(watch.name)}\t{counts.get(watch.name, 0)} unread\t{clean_line(watch.query)}")
    return ExitCode.OK


def cmd_feed(store: Store, args, config: Config) -> int:
    from sz_digest.cache.errors import UsageError
    from sz_digest.cache.feeds import COLUMN_TITLE, build_feed, feed_items, feed_query, write_atomically
    from sz_digest.cache.watches import get_watch

    from .cli import PROG, fail

    watch = None
    if args.watch is not None:
        watch = get_watch(store, args.watch)
        if watch is None:
            raise UsageError(f"no watch named {args.watch!r} (see: sz-digest watch list)")
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
        return fail(ExitCode.USAGE, f"{args.output} is a directory")
    try:
        write_atomically(args.output, data)
    except OSError as exc:
        return fail(ExitCode.WRITE_FAILED, f"cannot write {args.output}: {exc.strerror or exc}")
    print(f"{PROG}: wrote {args.output} ({len(items)} entries)", file=sys.stderr)
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
    """The human summary's lines for new matches."""
    lines = []
    for alert in extra.get("alerts", ()):
        titles = "; ".join(item["title"] for item in alert["items"][:3])
        more = f" (+{alert['new'] - 3} more)" if alert["new"] > 3 else ""
        lines.append(f"New for {alert['watch']}: {titles}{more}")
    written = [f for f in extra.get("feeds", ()) if f["written"]]
    if "feeds" in extra:
        lines.append(f"Feeds: {len(extra['feeds'])} in place, {len(written)} rewritten.")
    return lines
