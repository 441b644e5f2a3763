"""The `sz-digest` command line (docs/cli.md is the spec; keep it exact).

Each subcommand imports only what it uses: `list --json` must not pay for Textual, Rich or httpx.
Errors are one plain line on stderr; stdout stays clean for `--json` consumers.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import NoReturn

from sz_digest.cache import __version__
from sz_digest.cache.errors import StoreError, UsageError
from sz_digest.cache.exit_codes import ExitCode

PROG = "sz-digest"


class _Parser(argparse.ArgumentParser):
    """argparse with docs/cli.md's error form: one plain line on stderr and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(ExitCode.USAGE, f"{PROG}: {message} (see {PROG} --help)\n")


def _district(value: str) -> str:
    from sz_digest.cache.districts import accepted_districts, lookup_district

    district = lookup_district(value)
    if district is None:
        raise argparse.ArgumentTypeError(f"unknown district {value!r}; accepted: {accepted_districts()}")
    return district.code


def _iso_date(value: str) -> date:
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {value!r}; use YYYY-MM-DD (e.g. 2026-03-11)") from None


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {value!r}")
    return number


def _source_url(value: str) -> str:
    if not value.startswith(("http://", "https://")) or any(ch.isspace() for ch in value):
        raise argparse.ArgumentTypeError(f"--source must be an http:// or https:// URL, not {value!r}")
    return value


def _add_global_options(parser: argparse.ArgumentParser, *, in_subcommand: bool) -> None:
    # Subcommands repeat the global options with SUPPRESS defaults, so they are accepted after the
    # subcommand too without overwriting a value given before it.
    default = (lambda value: argparse.SUPPRESS) if in_subcommand else (lambda value: value)
    parser.add_argument("--data-dir", type=Path, default=default(None), metavar="DIR",
                        help="where the store lives (default: $SZ_DIGEST_HOME or the user data dir)")
    parser.add_argument("--source", type=_source_url, default=default(None), metavar="URL",
                        help="the column's list page")
    parser.add_argument("--offline", action="store_true", default=default(False), help="never touch the network")
    parser.add_argument("--lang", choices=("zh", "en"), default=default(None), help="language of the app's chrome")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="A terminal reader for 深圳社会工作一周速览 (Shenzhen Social Work Weekly Digest).")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_global_options(parser, in_subcommand=False)
    parser.add_argument("--district", type=_district, action="append", metavar="D",
                        help="open the reader filtered to district D (repeatable)")
    parser.add_argument("--week", metavar="W", help="open the reader on week W (post id, URL, ISO date or latest)")
    commands = parser.add_subparsers(dest="command", metavar="{sync,list,show,search,export,stats,watch,feed}", parser_class=_Parser)

    def command(name: str, help_text: str | None) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text) if help_text else commands.add_parser(name)
        _add_global_options(sub, in_subcommand=True)
        return sub

    def district_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--district", type=_district, action="append", metavar="D", default=argparse.SUPPRESS,
                         help="only district D: code, Chinese or English name (repeatable)")

    sync = command("sync", "fetch new digests (incremental unless --full)")
    sync.add_argument("--full", action="store_true", help="walk the whole column and re-check stored posts")
    sync.add_argument("--pages", type=_positive, metavar="N", help="read at most N list pages")
    sync.add_argument("--json", action="store_true", help="print the summary as JSON")
    from .cli_follow import add_parsers, add_sync_options  # watches and feeds (issue 17)

    add_sync_options(sync)

    list_ = command("list", "the stored digests, newest first")
    district_option(list_)
    list_.add_argument("--items", action="store_true", help="one row per item (a district timeline)")
    list_.add_argument("--json", action="store_true")

    show = command("show", "one digest")
    show.add_argument("week", metavar="W", help="post id, post URL, an ISO date inside the week, or latest")
    district_option(show)
    show.add_argument("--json", action="store_true")

    search = command("search", "items matching QUERY, best first")
    search.add_argument("query", metavar="QUERY", help="words, \"phrases\", -word, A OR B, district:, since:, "
                        "until:, week:, is:starred, is:unread (docs/query.md)")
    district_option(search)
    search.add_argument("--since", type=_iso_date, metavar="DATE")
    search.add_argument("--until", type=_iso_date, metavar="DATE")
    search.add_argument("--limit", type=_positive, default=20, metavar="N")
    search.add_argument("--json", action="store_true")

    export = command("export", "write items as Markdown, JSON or CSV")
    export.add_argument("--format", choices=("md", "json", "csv"), default="md")
    district_option(export)
    export.add_argument("--since", type=_iso_date, metavar="DATE")
    export.add_argument("--until", type=_iso_date, metavar="DATE")
    export.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here instead of stdout")
    export.add_argument("--force", action="store_true", help="overwrite FILE if it exists")

    stats = command("stats", "weeks stored and items per district")
    stats.add_argument("--weeks", type=_positive, default=12, metavar="N", help="what counts as recent")
    stats.add_argument("--json", action="store_true")

    add_parsers(command, district_option, _positive)
    command("reparse", None)  # re-derive every digest from the kept raw pages (after a parser upgrade)
    return parser


def warn(message: str) -> None:
    """One plain line on stderr (messages may quote scraped text: cleaned first)."""
    from sz_digest.cache.text import clean_line

    print(f"{PROG}: {clean_line(message)}", file=sys.stderr)


def fail(code: int, message: str) -> int:
    warn(message)
    return code


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:  # argparse's --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else ExitCode.USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `sz-digest list | head`: the reader went away; that is not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK


def _main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from sz_digest.cache.config import default_data_dir, load_config

    try:
        config = load_config()
    except UsageError as exc:
        return fail(ExitCode.USAGE, str(exc))
    if args.source:
        from dataclasses import replace

        config = replace(config, source=args.source)
    data_dir = args.data_dir or default_data_dir()

    if args.command == "sync":
        from .cli_sync import run_sync_command

        return run_sync_command(data_dir=data_dir, config=config, full=args.full, pages=args.pages,
                                as_json=args.json, offline=args.offline, notify=args.notify, feeds_dir=args.feeds)
    if args.command is None:
        from .app import run_app

        return run_app(data_dir=data_dir, config=config, districts=args.district or [], week=args.week,
                       offline=args.offline, lang=args.lang or config.lang)

    store = _open_store(data_dir)
    if isinstance(store, int):
        return store
    try:
        if args.command in ("watch", "feed"):
            from .cli_follow import cmd_feed, cmd_watch

            return cmd_watch(store, args) if args.command == "watch" else cmd_feed(store, args, config)
        handler = {"list": cmd_list, "show": cmd_show, "search": cmd_search, "export": cmd_export,
                   "stats": cmd_stats, "reparse": cmd_reparse}[args.command]
        return handler(store, args)
    except UsageError as exc:
        return fail(ExitCode.USAGE, str(exc))
    except StoreError as exc:
        return fail(ExitCode.STORE, f"cannot write the store at {exc}")
    finally:
        store.close()


def _open_store(data_dir: Path):
    from sz_digest.cache.store import Store

    try:
        store = Store.open(data_dir)
    except StoreError as exc:
        return fail(ExitCode.STORE, f"cannot open the store at {exc}")
    if store.recovered_from is not None:
        warn(f"the store at {store.path} was damaged: moved it to {store.recovered_from} "
                f"and rebuilt {len(store.known_ids())} digest(s) from the kept pages")
    return store


def _print_json(data: object) -> None:
    from sz_digest.cache.export import dumps

    sys.stdout.write(dumps(data) + "\n")


def _console():
    from rich.console import Console

    return Console(highlight=False, emoji=False, markup=False)


def cmd_list(store, args) -> int:
    if args.items:
        return _list_items(store, args)
    weeks = store.weeks(args.district)
    if args.json:
        _print_json([week.to_json() for week in weeks])
        return ExitCode.OK
    if not weeks:
        return fail(ExitCode.NO_MATCH, "no stored digests match")
    from rich.table import Table
    from rich.text import Text

    from sz_digest.cache.text import clean_line

    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("id", "week", "published", "items", ""):
        table.add_column(column, no_wrap=column != "")
    for week in weeks:
        marks = ("" if week.read else "● unread") + (" sample" if week.sample else "")
        table.add_row(Text(week.id), Text(f"{week.week_start} → {week.week_end:%m-%d}"),
                      Text(str(week.published)), Text(str(week.item_count)), Text(clean_line(marks)))
    _console().print(table)
    return ExitCode.OK


def _list_items(store, args) -> int:
    if not args.district:
        raise UsageError("list --items needs at least one --district")
    entries = sorted((e for code in args.district for e in store.timeline(code)),
                     key=lambda e: (e.week_start, e.digest_id), reverse=True)
    if args.json:
        _print_json([{"digest_id": e.digest_id, "week_start": e.week_start.isoformat(),
                      "district": e.item.district, "district_name": e.item.district_name,
                      "title": e.item.title} for e in entries])
        return ExitCode.OK if entries else ExitCode.NO_MATCH
    if not entries:
        return fail(ExitCode.NO_MATCH, "no items for that district")
    from rich.table import Table
    from rich.text import Text

    from sz_digest.cache.text import clean_line

    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("week", "district", "title"):
        table.add_column(column, no_wrap=column != "title")
    for e in entries:
        table.add_row(Text(str(e.week_start)), Text(clean_line(e.item.district_name)), Text(clean_line(e.item.title)))
    _console().print(table)
    return ExitCode.OK


def cmd_show(store, args) -> int:
    digest_id = store.resolve_week(args.week)
    if digest_id is None:
        return fail(ExitCode.NO_MATCH, f"no stored digest for week {args.week!r}")
    week = store.week(digest_id)
    items = store.items_for(digest_id, args.district)
    if args.json:
        from sz_digest.cache.export import show_json

        _print_json(show_json(week, items))
        return ExitCode.OK
    from rich.text import Text

    from sz_digest.cache.text import clean_line, clean_text

    console = _console()
    console.print(Text(clean_line(week.title), style="bold"))
    meta = f"{week.week_start} → {week.week_end} · published {week.published} · {week.url}"
    console.print(Text(clean_line(meta) + (" · sample" if week.sample else ""), style="dim"))
    if not items:
        console.print(Text("\n(no items for the chosen districts)", style="italic"))
    for item in items:
        console.print()
        console.print(Text.assemble((clean_line(item.district_name), "bold cyan"), "  ",
                                    (clean_line(item.title), "bold")))
        for paragraph in item.paragraphs:
            console.print(Text(clean_text(paragraph)))
    return ExitCode.OK


def cmd_search(store, args) -> int:
    from sz_digest.cache.query import search  # the query language (docs/query.md); flags AND with it

    hits = search(store, args.query, districts=args.district, since=args.since, until=args.until, limit=args.limit)
    if args.json:
        _print_json([hit.to_json() for hit in hits])
        return ExitCode.OK if hits else ExitCode.NO_MATCH
    if not hits:
        return fail(ExitCode.NO_MATCH, f"no items match {args.query!r}")
    from rich.text import Text

    from sz_digest.cache.text import clean_line

    console = _console()
    for hit in hits:
        console.print(Text.assemble((f"{hit.week_start} ", "dim"), (clean_line(hit.district_name), "bold cyan"),
                                    "  ", (clean_line(hit.title), "bold")))
        snippet = Text("  " + clean_line(hit.snippet))
        for start, end in hit.spans:
            snippet.stylize("reverse", start + 2, end + 2)
        console.print(snippet)
    return ExitCode.OK


def cmd_export(store, args) -> int:
    from sz_digest.cache.export import group_by_week, render

    entries = store.items_between(districts=args.district, since=args.since, until=args.until)
    weeks = {week.id: week for week in store.weeks()}
    text = render(args.format, group_by_week(weeks, entries))
    if args.output is None:
        sys.stdout.write(text)
        return ExitCode.OK if entries else ExitCode.NO_MATCH
    return write_export(args.output, text, force=args.force) or (ExitCode.OK if entries else ExitCode.NO_MATCH)


def write_export(path: Path, text: str, *, force: bool) -> int:
    """Write an export atomically; refuse to replace an existing file unless forced."""
    if path.exists() and not force:
        return fail(ExitCode.USAGE, f"{path} exists; pass --force to overwrite it")
    if path.is_dir():
        return fail(ExitCode.USAGE, f"{path} is a directory")
    tmp = path.with_name(f".{path.name}.sz-digest-tmp")
    try:
        tmp.write_text(text, encoding="utf-8", newline="")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        return fail(ExitCode.WRITE_FAILED, f"cannot write {path}: {exc.strerror or exc}")
    print(f"{PROG}: wrote {path}", file=sys.stderr)
    return ExitCode.OK


def cmd_stats(store, args) -> int:
    stats = store.stats(recent_weeks=args.weeks)
    if args.json:
        _print_json(stats)
        return ExitCode.OK
    from rich.table import Table
    from rich.text import Text

    bars = " ▁▂▃▄▅▆▇█"
    table = Table(title=Text(f"{stats['weeks']} weeks stored ({stats['first_week']} → {stats['last_week']}), "
                             f"{stats['items']} items"), box=None, pad_edge=False, header_style="bold")
    for column in ("district", "items", f"last {stats['recent_weeks']} wk", "weeks absent", "activity"):
        table.add_column(column, justify="left" if column in ("district", "activity") else "right")
    for row in stats["districts"]:
        peak = max(row["recent_series"] or [0]) or 1
        spark = "".join(bars[round(n / peak * (len(bars) - 1))] for n in row["recent_series"])
        table.add_row(Text(row["district_name"]), Text(str(row["items"])), Text(str(row["items_recent"])),
                      Text(str(row["weeks_without"])), Text(spark))
    _console().print(table)
    return ExitCode.OK


def cmd_reparse(store, args) -> int:
    from sz_digest.cache.parser import parse_digest

    done, failed = store.reparse(parse_digest)
    print(f"reparsed {done} digest(s) from kept pages")
    for url, reason in failed:
        warn(f"{url}: {reason}")
    return ExitCode.NO_MATCH if failed else ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
