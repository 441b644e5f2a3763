"""`sz-digest sync [--full] [--pages N] [--json]`: the sync, a progress display and CONTRACT's exit codes.

Exit codes: 0 all good; 1 some posts (or list pages) failed, each listed with its reason; 3 the
source could not be reached (or `--offline`), the store untouched; 4 the store could not be opened or
written. Progress goes to stderr, only on a terminal and never with `--json`; stdout holds the
summary (or the one JSON object) only.

Also runnable on its own for tests and demos:
    python -m sz_digest.tui.cli_sync --data-dir DIR --source URL [--full] [--pages N] [--json]
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sz_digest.cache.exit_codes import ExitCode
from sz_digest.cache.figures import format_size

if TYPE_CHECKING:
    from sz_digest.cache.sync import SyncProgress, SyncReport


def _err(message: str) -> None:
    from .cli_output import warn

    warn(message)


def _t(key: str, *, shared: bool = False, **values: object) -> str:
    """The CLI's catalogue in the run's language (`--lang`; tui/i18n_cli.py): `cli.sync.<key>`, or
    `cli.<key>` for a message every command shares."""
    from .cli_output import t

    return t(f"cli.{key}" if shared else f"cli.sync.{key}", **values)


class _RichProgress:
    """List pages, digests, bytes and failures on stderr while the sync runs (a terminal only)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.console = Console(stderr=True, highlight=False, emoji=False, markup=False)
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}", markup=False),
            BarColumn(bar_width=30),
            MofNCompleteColumn(),
            TextColumn("{task.fields[extra]}", markup=False),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )
        self.pages = self.progress.add_task(_t("list_pages"), total=None, extra="")
        self.digests = self.progress.add_task(_t("digests"), total=None, extra="")
        self.waiting_said = False

    def __enter__(self) -> "_RichProgress":
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def update(self, p: SyncProgress) -> None:
        if p.phase == "waiting":
            if not self.waiting_said:
                self.console.print(_t("waiting"))
                self.waiting_said = True
            return
        walking = p.phase == "listing"
        self.progress.update(self.pages, completed=p.list_pages, total=None if walking else p.list_pages,
                             extra=_t("listed", n=p.listed))
        failed = f" · {_t('failed_count', n=p.failed)}" if p.failed else ""
        self.progress.update(self.digests, completed=p.fetched + p.not_modified + p.failed,
                             total=max(p.to_fetch, 1) if p.to_fetch or not walking else None,
                             extra=f"{format_size(p.bytes)}{failed}")


def _summary(report: SyncReport, source: str) -> str:
    lines = [_t("synced", source=source, pages=report.pages, listed=report.listed, skipped=report.skipped_non_digest)]
    if report.fetched or report.not_modified:
        parts = [_t("downloaded", n=report.fetched)]
        detail = []
        if report.new_ids:
            detail.append(_t("new", n=len(report.new_ids)))
        if report.changed_ids:
            detail.append(_t("changed", n=len(report.changed_ids)))
        if detail:
            parts[0] += _t("detail", detail=_t("list_sep", shared=True).join(detail))
        if report.not_modified:
            parts.append(_t("unchanged", n=report.not_modified))
        lines.append(_t("sep2").join(parts) + _t("received", size=format_size(report.bytes)))
    elif not report.failed:
        lines.append(_t("up_to_date"))
    if report.degraded:
        lines.append(_t("degraded", n=len(report.degraded), ids=", ".join(report.degraded)))
    if report.failed:
        lines.append(_t("failed", n=len(report.failed)))
        lines.extend(f"  {f.url}  {f.error}" for f in report.failed)
    if report.deferred:
        lines.append(_t("deferred", n=len(report.deferred)))
    if report.gone:
        lines.append(_t("gone", n=len(report.gone)))
        lines.extend(f"  {f.url}  {f.error}" for f in report.gone)
    return "\n".join(lines)


class _Stopped(BaseException):
    """SIGTERM or SIGHUP during a sync: unwinds like Ctrl-C, so the progress display gives the cursor
    back and the store is closed, then the command exits 128+n."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_previous_handlers: dict[int, object] = {}


def _stop_on_signals(*, restore: bool = False) -> None:
    import signal

    if restore:
        while _previous_handlers:
            number, handler = _previous_handlers.popitem()
            signal.signal(number, handler)
        return

    def stop(signum: int, _frame: object) -> None:
        raise _Stopped(signum)

    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            try:
                _previous_handlers.setdefault(number, signal.signal(number, stop))  # keep the first: it is what was there
            except ValueError:  # not the main thread (a test harness): keep the default
                pass


async def _until_signalled(work):
    """Await `work`; SIGTERM or SIGHUP cancel it (sync stops, what it committed stays) and then raise
    _Stopped. Inside the event loop a signal must not raise from its handler: that exception lands
    wherever the loop happens to be (its selector, a callback) and can leave asyncio.run waiting
    forever on tasks it can no longer drive."""
    import signal

    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    received: list[int] = []

    def on_signal(number: int) -> None:
        received.append(number)
        task.cancel()

    installed = []
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            loop.add_signal_handler(number, on_signal, number)
            installed.append(number)
        except (ValueError, RuntimeError, NotImplementedError):  # not the main thread: keep what is there
            pass
    try:
        return await work
    except asyncio.CancelledError:
        if received:
            raise _Stopped(received[0]) from None
        raise
    finally:
        for number in installed:
            loop.remove_signal_handler(number)
        if installed:
            _stop_on_signals()  # remove_signal_handler restores SIG_DFL: the rest of the command unwinds too


def run_sync_command(*, data_dir: Path, config, full: bool, pages: int | None, as_json: bool, offline: bool,
                     transport=None, options=None, notify: bool = False, feeds_dir: Path | None = None,
                     retry_gone: bool = False, in_process: bool = False) -> int:
    """Run one sync for the CLI; returns the process exit code (docs/cli.md).

    `transport` / `options` (an httpx transport, a `FetchOptions`) are for tests only; so is
    `in_process` (parse and store on threads of this process instead of the forked child).
    """
    if offline:
        _err(_t("offline"))
        return ExitCode.UNREACHABLE
    # First, before any thread or SQLite connection exists: the child that parses and stores the
    # digest pages (cache/sync_child.py), forked in milliseconds. None where that is not safe.
    child = None
    if not in_process:
        from sz_digest.cache.sync_child import StoreChild

        child = StoreChild.start(data_dir)
    try:
        return _run_sync(data_dir=data_dir, config=config, full=full, pages=pages, as_json=as_json,
                         transport=transport, options=options, notify=notify, feeds_dir=feeds_dir,
                         retry_gone=retry_gone, child=child)
    finally:
        if child is not None:
            child.stop()  # on every way out: EOF to the child, which commits and exits; reaped here


def _run_sync(*, data_dir: Path, config, full: bool, pages: int | None, as_json: bool, transport, options,
              notify: bool, feeds_dir: Path | None, retry_gone: bool, child) -> int:
    from sz_digest.cache.errors import StoreError
    from sz_digest.cache.store import Store
    from sz_digest.cache.sync import MAX_LIST_PAGES, SourceBlocked, SourceUnreachable, sync

    try:
        store = Store.open(data_dir)
    except StoreError as exc:
        _err(_t("store_open_failed", error=exc, shared=True))
        return ExitCode.STORE
    if getattr(store, "recovered_from", None) is not None:
        _err(_t("store_recovered", path=store.path, moved=store.recovered_from))
    if getattr(store, "read_only", False):
        _err(_t("store_write_failed", shared=True, error=f"{store.path}: {store.read_only_reason}"))
        store.close()
        return ExitCode.STORE

    display = _RichProgress() if (not as_json and sys.stderr.isatty()) else None
    waiting_said = [False]

    def on_progress(p: SyncProgress) -> None:
        if display is not None:
            display.update(p)
        elif p.phase == "waiting" and not waiting_said[0]:
            _err(_t("waiting"))
            waiting_said[0] = True

    try:
        try:
            _stop_on_signals()
            if display is not None:
                display.__enter__()
            report = asyncio.run(_until_signalled(sync(
                store, source=config.source, full=full, max_pages=pages, concurrency=config.concurrency,
                user_agent=config.user_agent, on_progress=on_progress, transport=transport, options=options,
                retry_gone=retry_gone, child=child)))
        finally:
            if display is not None:
                display.__exit__(None, None, None)
        from .cli_follow import after_sync, alert_lines  # watches: alerts, hook, notifications, feeds

        follow, problems = after_sync(store, config, notify=notify, feeds_dir=feeds_dir)
    except SourceBlocked as exc:
        _err(_t("blocked_list", reason=exc.reason, url=exc.url))
        return ExitCode.UNREACHABLE
    except SourceUnreachable as exc:
        _err(_t("unreachable", url=exc.url, reason=exc.reason))
        return ExitCode.UNREACHABLE
    except StoreError as exc:
        _err(_t("store_write_failed", shared=True, error=exc))
        return ExitCode.STORE
    except KeyboardInterrupt:
        _err(_t("interrupted"))
        return ExitCode.INTERRUPTED
    except _Stopped as stop:
        _err(_t("stopped", signum=stop.signum))
        return 128 + stop.signum
    finally:
        _stop_on_signals(restore=True)
        store.close()
    for problem in problems:
        _err(problem)

    if report.walk_capped:
        _err(_t("walk_capped", n=min(pages or MAX_LIST_PAGES, MAX_LIST_PAGES)))
    if as_json:
        sys.stdout.write(json.dumps(report.to_json() | follow, ensure_ascii=False) + "\n")
    else:
        from sz_digest.cache.text import clean_line

        lines = [_summary(report, config.source), *(clean_line(line) for line in alert_lines(follow))]
        sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    if report.layout_warning:
        _err(_t("layout_warning", warning=report.layout_warning))
    if report.blocked:
        _err(_t("blocked_posts", reason=report.blocked))
        return ExitCode.UNREACHABLE
    return ExitCode.NO_MATCH if report.failed else ExitCode.OK


def main(argv: list[str] | None = None) -> int:
    import argparse

    from sz_digest.cache.config import Config, default_data_dir, load_config

    ap = argparse.ArgumentParser(prog="python -m sz_digest.tui.cli_sync")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--source", default=None)
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--pages", type=int, default=None)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--offline", action="store_true")
    ap.add_argument("--retry-gone", action="store_true")
    ap.add_argument("--concurrency", type=int, default=None)
    ap.add_argument("--fast-retries", action="store_true", help="tests: tiny timeouts and backoffs")
    ap.add_argument("--in-process", action="store_true", help="tests: parse and store without the forked child")
    ap.add_argument("--notify", action="store_true")
    ap.add_argument("--feeds", type=Path, default=None)
    args = ap.parse_args(argv)
    from sz_digest.cache.errors import UsageError

    try:
        config: Config = load_config()
    except UsageError as exc:
        _err(str(exc))
        return ExitCode.USAGE
    if args.source:
        config = config._replace(source=args.source)
    if args.concurrency:
        config = config._replace(concurrency=args.concurrency)
    options = None
    if args.fast_retries:
        from sz_digest.cache.fetch import FetchOptions

        options = FetchOptions(connect_timeout=1.0, read_timeout=1.0, total_timeout=3.0, backoff_base=0.02,
                               backoff_max=0.1, retry_after_max=0.2)
    return run_sync_command(data_dir=args.data_dir or default_data_dir(), config=config, full=args.full,
                            pages=args.pages, as_json=args.json, offline=args.offline, options=options,
                            notify=args.notify, feeds_dir=args.feeds, retry_gone=args.retry_gone,
                            in_process=args.in_process)


if __name__ == "__main__":
    sys.exit(main())
