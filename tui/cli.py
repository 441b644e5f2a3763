"""The `sz-digest` command line (docs/cli.md is the spec; keep it exact).

Each subcommand imports only what it uses: `list --json` must not pay for Textual, Rich or httpx.
Errors are one plain line on stderr; stdout stays clean for `--json` consumers.

Adding a subcommand: one `command(name, help, examples=...)` block in `build_parser` (every option
with `help=`, tests/test_cli_help.py checks; its Chinese in `HELP_ZH`, tui/i18n_cli.py), a
`cmd_<name>(store, args)` function, and its entry in `_main`'s table; words printed for people go
through `t("cli.…")` (tui/i18n_cli.py), text through `cli_output.Out`, exit codes are `ExitCode`.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from sz_digest.cache import __version__
from sz_digest.cache.errors import StoreError, UsageError
from sz_digest.cache.exit_codes import ExitCode

from .cli_output import PROG, fail, set_lang, t, usage_message, warn, zh_phrases
from .i18n import detect_lang

if TYPE_CHECKING:
    from sz_digest.cache.model import Item, WeekSummary
    from sz_digest.cache.store import Store


class _Parser(argparse.ArgumentParser):
    """argparse with docs/cli.md's error form: one plain line on stderr and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(ExitCode.USAGE, f"{PROG}: {message}{t('cli.see_help', prog=PROG)}\n")


def _district(value: str) -> str:
    from sz_digest.cache.districts import accepted_districts, lookup_district

    district = lookup_district(value)
    if district is None:
        raise argparse.ArgumentTypeError(t("cli.unknown_district", value=value, accepted=accepted_districts()))
    return district.code


def _iso_date(value: str) -> date:
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(t("cli.bad_date", value=value)) from None


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(t("cli.bad_number", value=value))
    return number


def _source_url(value: str) -> str:
    from sz_digest.cache.text import visible
    from sz_digest.cache.urls import origin_of

    if origin_of(value) is None or any(ch.isspace() for ch in value):
        raise argparse.ArgumentTypeError(t("cli.bad_source", value=visible(value, 100)))
    return value


def _formats_help() -> str:
    """Accepted formats and exit codes, said once and shown in every help (facts from their homes)."""
    import textwrap

    from sz_digest.cache.districts import CODES
    from sz_digest.cache.exit_codes import MEANINGS

    codes = textwrap.fill(" ".join(CODES), width=90, initial_indent="        ", subsequent_indent="        ")
    exits = t("cli.list_sep").join(f"{int(code)} {translate_help(meaning)}" for code, meaning in MEANINGS.items())
    exits = textwrap.fill(t("cli.exit_codes", codes=exits), width=96, subsequent_indent="  ")
    return t("cli.formats", codes=codes) + "\n" + exits


JSON_HELP = "print JSON (the shapes of docs/cli.md) instead of text"


def _examples(*lines: str) -> str:
    return t("cli.examples") + "\n" + "\n".join(f"  {line}" for line in lines)


def terminal_columns() -> int:
    """`shutil.get_terminal_size().columns`, without importing shutil: argparse makes a formatter
    for every option it adds, and shutil (with bz2 and lzma) cost ~3 ms of every command for the
    width of a help screen that is rarely printed. tests/test_cli_help.py compares the two."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Help in the run's language: the English help texts are the message ids of `cli.HELP_ZH`
    (tui/i18n_cli.py); a text without a translation stays English."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, terminal_columns() - 2 if width is None else width)

    def _get_help_string(self, action: argparse.Action) -> str | None:
        return translate_help(action.help) if action.help else action.help

    def add_text(self, text: str | None) -> None:
        super().add_text(translate_help(text) if text and text != argparse.SUPPRESS else text)


def translate_help(text: str) -> str:
    from .i18n_cli import HELP_ZH

    return HELP_ZH.get(text, text) if t.lang == "zh" else text


def _add_global_options(parser: argparse.ArgumentParser, *, in_subcommand: bool) -> None:
    # Subcommands repeat the global options with SUPPRESS defaults, so they are accepted after the
    # subcommand too without overwriting a value given before it.
    default = (lambda value: argparse.SUPPRESS) if in_subcommand else (lambda value: value)
    parser.add_argument("--data-dir", type=Path, default=default(None), metavar="DIR",
                        help="where the store lives (default: $SZ_DIGEST_HOME, else the user data dir, "
                             "e.g. ~/.local/share/sz-digest); e.g. --data-dir ~/digest")
    parser.add_argument("--source", type=_source_url, default=default(None), metavar="URL",
                        help="the column's list page, http:// or https:// "
                             "(default: http://szshequ.org.cn/szshgzb/gzyw/ or the config file's source)")
    parser.add_argument("--offline", action="store_true", default=default(False),
                        help="never touch the network (sync exits 3; the reader shows what is stored)")
    parser.add_argument("--lang", choices=("zh", "en"), default=default(None),
                        help="language of everything printed for people: zh or en "
                             "(default: the config file's lang, else the locale); JSON never changes")


def build_parser(*, help_text: bool = True) -> argparse.ArgumentParser:
    """The whole command line. `help_text=False` leaves out the formats and exit codes that only a
    help screen shows (textwrap and a dozen translations: a run that prints no help skips them)."""
    formats = _formats_help() if help_text else ""
    parser = _Parser(prog=PROG, formatter_class=_HelpFormatter,
                     description="A terminal reader for 深圳社会工作一周速览 (Shenzhen Social Work Weekly Digest). "
                                 "With no command, opens the reader.",
                     epilog=_examples("sz-digest                          # the reader",
                                      "sz-digest --district nanshan --week latest",
                                      "sz-digest sync && sz-digest show latest") + "\n" + formats)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}",
                        help="print sz-digest X.Y.Z and exit")
    _add_global_options(parser, in_subcommand=False)
    parser.add_argument("--district", type=_district, action="append", metavar="D",
                        help="open the reader filtered to district D (repeatable); e.g. --district 南山")
    parser.add_argument("--week", metavar="W",
                        help="open the reader on week W: post id, post URL, ISO date or latest; e.g. --week 2026-03-11")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_text: str, *, examples: tuple[str, ...] = ()) -> argparse.ArgumentParser:
        """One subcommand with the global options, its help and examples (adding one is local)."""
        sub = commands.add_parser(name, help=help_text, description=help_text,
                                  epilog=(_examples(*examples) + "\n" if examples else "") + formats,
                                  formatter_class=_HelpFormatter)
        _add_global_options(sub, in_subcommand=True)
        return sub

    def district_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--district", type=_district, action="append", metavar="D", default=argparse.SUPPRESS,
                         help="only district D: code, Chinese or English name, any case (repeatable); "
                              "e.g. --district nanshan --district 福田")

    def json_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--json", action="store_true", help=JSON_HELP)

    def date_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--since", type=_iso_date, metavar="DATE",
                         help="only weeks ending on or after DATE (YYYY-MM-DD); e.g. --since 2026-01-01")
        sub.add_argument("--until", type=_iso_date, metavar="DATE",
                         help="only weeks starting on or before DATE (YYYY-MM-DD); e.g. --until 2026-03-31")

    sync = command("sync", "fetch new digests from the site (incremental unless --full)",
                   examples=("sz-digest sync", "sz-digest sync --full --json", "sz-digest sync --pages 2"))
    sync.add_argument("--full", action="store_true", help="walk the whole column and re-check every stored post")
    sync.add_argument("--pages", type=_positive, metavar="N", help="read at most N list pages (N ≥ 1); e.g. --pages 3")
    json_option(sync)
    sync.add_argument("--retry-gone", action="store_true",
                      help="also retry posts given up on as gone (404/410 on three syncs in a row)")
    from .cli_follow import add_parsers, add_sync_options  # watches and feeds (issue 17)

    add_sync_options(sync)

    list_ = command("list", "the stored digests, newest first",
                    examples=("sz-digest list", "sz-digest list --district nanshan --json",
                              "sz-digest list --district 南山 --items"))
    district_option(list_)
    list_.add_argument("--items", action="store_true",
                       help="one row per item of the chosen district(s), newest first (a district timeline)")
    json_option(list_)

    show = command("show", "one digest: every item, or the chosen districts' items",
                   examples=("sz-digest show latest", "sz-digest show 2026-03-11 --district nanshan",
                             "sz-digest show 1663876 --json"))
    show.add_argument("week", metavar="W",
                      help="the week: post id, post URL, an ISO date inside the week, or latest; e.g. 2026-03-11")
    district_option(show)
    json_option(show)

    search = command("search", "items matching QUERY (the query language of docs/query.md), best first",
                     examples=("sz-digest search 社工站", "sz-digest search 养老 --district futian --since 2026-01-01",
                               "sz-digest search '\"社工站\" OR 志愿 -培训 district:南山'",
                               "sz-digest search 志愿 --limit 100 --json"))
    search.add_argument("query", metavar="QUERY", help="words, \"phrases\", -word, A OR B, district:, since:, "
                        "until:, week:, is:starred, is:unread (docs/query.md); matched ignoring case and "
                        "full/half width; e.g. 社工站")
    district_option(search)
    date_options(search)
    search.add_argument("--limit", type=_positive, default=20, metavar="N",
                        help="show at most N hits (default 20); the text output says how many more there are")
    json_option(search)

    export = command("export", "write items as Markdown, JSON or CSV to a file or stdout",
                     examples=("sz-digest export --format csv --district nanshan -o nanshan.csv",
                               "sz-digest export --since 2026-01-01 > 2026.md"))
    export.add_argument("--format", choices=("md", "json", "csv"), default="md",
                        help="md (default), json (a list of show --json objects) or csv (UTF-8 with BOM)")
    district_option(export)
    date_options(export)
    export.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="write here instead of stdout ('-' is stdout); written whole or not at all, "
                             "never over a file that is not a regular file")
    export.add_argument("--force", action="store_true", help="overwrite FILE if it exists")

    stats = command("stats", "weeks stored, items per district, weeks a district was absent",
                    examples=("sz-digest stats", "sz-digest stats --weeks 24 --json"))
    stats.add_argument("--weeks", type=_positive, default=12, metavar="N",
                       help="how many recent weeks the activity columns cover (default 12); e.g. --weeks 24")
    json_option(stats)

    add_parsers(command, district_option, _positive)  # watch, feed (tui/cli_follow.py)
    command("reparse", "re-derive every digest from the kept raw pages, no network (after an upgrade)",
            examples=("sz-digest reparse",))

    completion = command("completion", "print a shell completion script generated from this parser",
                         examples=("sz-digest completion bash > ~/.local/share/bash-completion/completions/sz-digest",
                                   "sz-digest completion zsh > ~/.zfunc/_sz-digest",
                                   "sz-digest completion fish > ~/.config/fish/completions/sz-digest.fish"))
    completion.add_argument("shell", choices=COMPLETION_SHELLS, help="bash, zsh or fish")

    import_ = command("import", "store digest pages saved from a browser (files, complete saves, folders; any "
                      "encoding) exactly as a sync would", examples=("sz-digest import ~/Downloads/速览/",
                                                                     "sz-digest import post_1663876.html --json"))
    import_.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                         help="a saved .html file or a folder of them (a complete save's _files folder is skipped)")
    json_option(import_)
    doctor = command("doctor", "a short diagnostic of the store and of how recent pages parsed, for bug reports",
                     examples=("sz-digest doctor", "sz-digest doctor --json"))
    json_option(doctor)
    return parser


COMPLETION_SHELLS = ("bash", "zsh", "fish")


def completion_script(shell: str) -> str:
    """The completion script for `shell`, generated by shtab from the parser (so it cannot drift)."""
    import shtab

    parser = build_parser()
    for action in _all_actions(parser):
        if action.dest == "data_dir":
            action.complete = shtab.DIRECTORY
        elif action.dest == "output":
            action.complete = shtab.FILE
    return shtab.complete(parser, shell=shell)


def _all_actions(parser: argparse.ArgumentParser):
    for action in parser._actions:
        yield action
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _all_actions(sub)


def main(argv: list[str] | None = None) -> int:
    try:
        return _run(sys.argv[1:] if argv is None else argv)
    finally:
        set_lang("en")  # leave argparse as we found it (tests call main() many times in one process)


def _run(argv: list[str]) -> int:
    try:
        return _main(argv)
    except SystemExit as exc:  # argparse's --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else ExitCode.USAGE
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # `sz-digest list | head`: the reader went away; that is not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK
    except Exception as exc:  # a bug: one line (with what to report), never a traceback at the user
        if os.environ.get("SZ_DIGEST_DEBUG"):
            raise
        from sz_digest.cache.text import shorten

        warn(t("cli.internal_error", error=f"{type(exc).__name__}: {shorten(str(exc), 200)}"))
        return ExitCode.NO_MATCH


def _lang_in(argv: list[str]) -> str | None:
    """`--lang X` / `--lang=X` before argparse runs, so argument errors are in that language too."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _may_print_help(argv: list[str]) -> bool:
    """Whether argparse may print a help screen: -h, --help or an abbreviation of it (any argument
    starting -h or --h, to be safe; a query that looks like one only costs the help's few ms)."""
    return any(arg.startswith(("-h", "--h")) for arg in argv)


def _main(argv: list[str]) -> int:
    from sz_digest.cache.config import default_data_dir, load_config

    try:
        config, config_error = load_config(), None
    except UsageError as exc:
        config, config_error = None, exc
    set_lang(detect_lang(_lang_in(argv), config.lang if config else None))
    args = build_parser(help_text=_may_print_help(argv)).parse_args(argv)
    if args.lang:
        set_lang(args.lang)
    if config_error is not None:
        return fail(ExitCode.USAGE, usage_message(config_error))
    if args.source:
        config = config._replace(source=args.source)
    if args.command is not None:  # the reader shows them as notices instead
        for message in config.warnings:
            warn(zh_phrases(message))
    data_dir = args.data_dir or default_data_dir()

    if args.command == "completion":
        sys.stdout.write(completion_script(args.shell))
        return ExitCode.OK
    if args.command == "sync":
        from .cli_sync import run_sync_command

        return run_sync_command(data_dir=data_dir, config=config, full=args.full, pages=args.pages,
                                as_json=args.json, offline=args.offline, notify=args.notify, feeds_dir=args.feeds,
                                retry_gone=args.retry_gone)
    if args.command is None:
        from .app import run_app

        return run_app(data_dir=data_dir, config=config, districts=args.district or [], week=args.week,
                       offline=args.offline, lang=t.lang, source=args.source)

    store = _open_store(data_dir)
    if isinstance(store, int):
        return store
    try:
        if args.command in ("watch", "feed"):
            from .cli_follow import cmd_feed, cmd_watch

            return cmd_watch(store, args) if args.command == "watch" else cmd_feed(store, args, config)
        args.source_url = config.source
        handler = {"list": cmd_list, "show": cmd_show, "search": cmd_search, "export": cmd_export,
                   "stats": cmd_stats, "reparse": cmd_reparse, "import": _cmd_import,
                   "doctor": _cmd_doctor}[args.command]
        return handler(store, args)
    except UsageError as exc:
        return fail(ExitCode.USAGE, usage_message(exc))
    except StoreError as exc:
        return fail(ExitCode.STORE, t("cli.store_write_failed", error=exc))
    finally:
        store.close()


def _cmd_import(store: Store, args: argparse.Namespace) -> int:
    from .cli_archive import cmd_import  # its file writing (tempfile, shutil) only when importing

    return cmd_import(store, args)


def _cmd_doctor(store: Store, args: argparse.Namespace) -> int:
    from .cli_archive import cmd_doctor

    return cmd_doctor(store, args)


def _open_store(data_dir: Path) -> Store | int:
    from sz_digest.cache.store import Store

    try:
        store = Store.open(data_dir)
    except StoreError as exc:
        return fail(ExitCode.STORE, t("cli.store_open_failed", error=exc))
    if store.recovered_from is not None:
        warn(t("cli.store_recovered", path=store.path, moved=store.recovered_from, n=len(store.known_ids())))
    return store


def _print_json(data: object) -> None:
    # json_text, not export.dumps (the same function): export imports csv, dataclasses and shutil,
    # ~10 ms of every `search --json`.
    from sz_digest.cache.json_text import dumps

    sys.stdout.write(dumps(data) + "\n")


def _out():
    from .cli_output import Out

    return Out()


def _table(*columns: str, wrap_last: bool = True):
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    for n, column in enumerate(columns):
        table.add_column(column, no_wrap=not (wrap_last and n == len(columns) - 1))
    return table


def cmd_list(store: Store, args: argparse.Namespace) -> int:
    if args.items:
        return _list_items(store, args)
    if args.json:
        from sz_digest.cache.json_text import week_list_chunks

        write = sys.stdout.write  # as it goes: 5,200 weeks are 2.6 MB of text
        for chunk in week_list_chunks(store.week_rows(args.district)):
            write(chunk)
        write("\n")
        return ExitCode.OK
    weeks = store.weeks(args.district)
    if not weeks:
        return fail(ExitCode.NO_MATCH, t("cli.no_digests"))
    from rich.text import Text

    table = _table(t("cli.col.id"), t("cli.col.week"), t("cli.col.published"), t("cli.col.items"), "")
    for week in weeks:
        marks = " ".join(mark for mark, shown in ((t("cli.unread"), not week.read), (t("cli.sample"), week.sample),
                                                  (t("cli.mark_degraded"), week.degraded),
                                                  (t("cli.mark_week_inferred"), week.week_inferred)) if shown)
        table.add_row(Text(week.id), Text(f"{week.week_start} → {week.week_end:%m-%d}"),
                      Text(str(week.published)), Text(str(week.item_count)), Text(marks))
    _out().table(table)
    return ExitCode.OK


def _list_items(store: Store, args: argparse.Namespace) -> int:
    if not args.district:
        raise UsageError("list --items needs at least one --district", key="items_need_district")
    entries = sorted((e for code in args.district for e in store.timeline(code)),
                     key=lambda e: (e.week_start, e.digest_id), reverse=True)
    if args.json:
        _print_json([{"digest_id": e.digest_id, "week_start": e.week_start.isoformat(),
                      "district": e.item.district, "district_name": e.item.district_name,
                      "title": e.item.title} for e in entries])
        return ExitCode.OK if entries else ExitCode.NO_MATCH
    if not entries:
        return fail(ExitCode.NO_MATCH, t("cli.no_district_items"))
    from sz_digest.cache.text import clean_line

    out = _out()
    for e in entries:
        name = clean_line(t.district(e.item.district, e.item.district_name))
        prefix = f"{e.week_start}  {name}  "
        out.paragraph(prefix + clean_line(e.item.title), spans=[(len(prefix), len(prefix) + len(e.item.title), "bold")])
    return ExitCode.OK


def cmd_show(store: Store, args: argparse.Namespace) -> int:
    digest_id = store.resolve_week(args.week)
    if digest_id is None:
        from sz_digest.cache.text import shorten

        return fail(ExitCode.NO_MATCH, t("cli.no_week", spec=shorten(args.week)))
    week = store.week(digest_id)
    items = store.items_for(digest_id, args.district)
    if args.json:
        from sz_digest.cache.export import show_json

        _print_json(show_json(week, items, store.attachments(digest_id)))
    else:
        _show_text(week, items, store.attachments(digest_id))
    if not items:
        # Nothing for the chosen districts (docs/cli.md: nothing matched is exit 1, said on stderr).
        names = ", ".join(t.district(code) for code in args.district or ())
        return fail(ExitCode.NO_MATCH, t("cli.no_items_for_districts", week=digest_id, districts=names))
    return ExitCode.OK


def _show_text(week: WeekSummary, items: list[Item], attachments=()) -> None:
    from sz_digest.cache.text import clean_line, clean_text

    out = _out()
    out.paragraph(clean_line(week.title), "bold")
    meta = t("cli.meta", start=week.week_start, end=week.week_end, published=week.published, url=clean_line(week.url))
    out.paragraph(meta + (f" · {t('cli.sample')}" if week.sample else ""), "dim")
    if week.degraded:  # issue 12: a week the parser could not split is shown as its full text
        out.paragraph(t("cli.full_text", reason=clean_line(week.degraded_reason)), "yellow")
    for attachment in attachments:
        out.paragraph(t("cli.attachment", name=clean_line(attachment.name), url=clean_line(attachment.url)), "dim")
    for item in items:
        out.blank()
        name = clean_line(t.district(item.district, item.district_name))
        heading = f"{name}  {clean_line(item.title)}"
        out.paragraph(heading, "bold", spans=[(0, len(name), "cyan")])
        for paragraph in item.paragraphs:
            for line in clean_text(paragraph).split("\n"):
                out.paragraph(line)


def cmd_search(store: Store, args: argparse.Namespace) -> int:
    from sz_digest.cache.query import search_counted  # the query language (docs/query.md); flags AND with it

    store.keep_search_index = False  # one query: a one-word search scans in SQL rather than copy every item first
    hits, total = search_counted(store, args.query, districts=args.district, since=args.since, until=args.until,
                                 limit=args.limit)
    if args.json:
        _print_json([hit.to_json() for hit in hits])
        return ExitCode.OK if hits else ExitCode.NO_MATCH
    if not hits:
        from sz_digest.cache.text import shorten

        return fail(ExitCode.NO_MATCH, t("cli.no_search_hits", query=shorten(args.query)))
    from sz_digest.cache.text import clean_line

    out = _out()
    for hit in hits:
        name = clean_line(t.district(hit.district, hit.district_name))
        prefix = f"{hit.week_start} {name}  "
        out.paragraph(prefix + clean_line(hit.title), "bold",
                      spans=[(0, len(str(hit.week_start)), "dim"), (len(str(hit.week_start)) + 1, len(prefix), "cyan")])
        out.paragraph(clean_line(hit.snippet), indent="  ",
                      spans=[(start, end, "reverse") for start, end in hit.spans])
    if total > len(hits):
        out.paragraph(t("cli.more_hits", n=total - len(hits)), "dim")
    return ExitCode.OK


def cmd_export(store: Store, args: argparse.Namespace) -> int:
    from sz_digest.cache.export import group_by_week, render

    entries = store.items_between(districts=args.district, since=args.since, until=args.until)
    if not entries and args.output is not None:
        # Nothing to write: leave FILE alone (a previous good export is not replaced by an empty one).
        return fail(ExitCode.NO_MATCH, t("cli.export_empty"))
    weeks = {week.id: week for week in store.weeks()}
    text = render(args.format, group_by_week(weeks, entries, store.attachments))
    if args.output is None or str(args.output) == "-" or _is_stdout(args.output):
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            return fail(ExitCode.WRITE_FAILED, t("cli.cannot_write", path="stdout", reason=exc.strerror or exc))
        return ExitCode.OK if entries else fail(ExitCode.NO_MATCH, t("cli.export_empty"))
    if _is_store_file(store, args.output):
        return fail(ExitCode.USAGE, t("cli.store_file", path=args.output, data_dir=store.data_dir))
    return write_export(args.output, text, force=args.force)


def _is_stdout(path: Path) -> bool:
    """`/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`: the file our stdout already is, so written as `-o -`
    (replacing the link would be refused, and is not what was meant)."""
    try:
        named, ours = os.stat(path), os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return (named.st_dev, named.st_ino) == (ours.st_dev, ours.st_ino)


def _is_store_file(store: Store, path: Path) -> bool:
    """Whether `path` is the store's database (or its journal) or a kept page: never an export target."""
    try:
        target = Path(os.path.realpath(path))
        data_dir = Path(os.path.realpath(store.data_dir))
    except (OSError, ValueError):
        return False
    if target in (data_dir / "pages", data_dir / "sync.lock") or target.parent == data_dir / "pages":
        return True
    return target.parent == data_dir and target.name.startswith(store.path.name)


def write_export(path: Path, text: str, *, force: bool) -> int:
    """Write an export atomically (cache/atomic.py); refuse to replace an existing file unless forced,
    and anything that is not a regular file at all."""
    from sz_digest.cache.atomic import WriteError, write_atomic

    try:
        write_atomic(path, text.encode("utf-8"), overwrite=force)
    except WriteError as exc:
        if exc.exists:
            return fail(ExitCode.USAGE, t("cli.file_exists", path=path))
        return fail(ExitCode.WRITE_FAILED, t("cli.cannot_write", path=path, reason=zh_phrases(exc.reason)))
    warn(t("cli.wrote", path=path))
    return ExitCode.OK


def cmd_stats(store: Store, args: argparse.Namespace) -> int:
    stats = store.stats(recent_weeks=args.weeks)
    if args.json:
        _print_json(stats)
        return ExitCode.OK
    from rich.text import Text

    from sz_digest.cache.figures import spark_top, sparkline

    rows = stats["districts"]
    top = spark_top(rows)  # one scale for every row, as in the reader's activity view
    table = _table(t("cli.col.district"), t("cli.col.items"), t("cli.col.recent", n=stats["recent_weeks"]),
                   t("cli.col.absent"), t("cli.col.activity"), wrap_last=False)
    table.title = Text(t("cli.stats_title", weeks=stats["weeks"], first=stats["first_week"], last=stats["last_week"],
                         items=stats["items"]))
    for column in table.columns[1:4]:
        column.justify = "right"
    for row in rows:
        table.add_row(Text(t.district(row["district"])), Text(str(row["items"])), Text(str(row["items_recent"])),
                      Text(str(row["weeks_without"])), Text(sparkline(row["recent_series"], top)))
    _out().table(table)
    return ExitCode.OK


def cmd_reparse(store: Store, args: argparse.Namespace) -> int:
    from sz_digest.cache.parser import parse_digest

    degraded_before = store.degraded_count()
    done, failed = store.reparse(parse_digest)
    print(t("cli.reparsed", n=done))
    degraded = store.degraded_count()
    print(t("cli.reparsed_full_text", n=degraded)
          + (t("cli.reparsed_fewer", n=degraded_before - degraded) if degraded < degraded_before else ""))
    for url, reason in failed:
        warn(f"{url}: {reason}")
    return ExitCode.NO_MATCH if failed else ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
