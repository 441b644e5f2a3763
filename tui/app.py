"""The Textual reader: `run_app` is what `sz-digest` (no subcommand) calls.

Start-up reads only the week list and one week from the store: no parser, no httpx, no network.
A refresh, when due, runs in a background worker that imports the sync service lazily; its failures
become one-line notices, never tracebacks or blocking dialogs.
"""

from __future__ import annotations

import asyncio
import gc
from time import monotonic

# Start-up creates a few hundred thousand objects that live as long as the app (Textual, the CSS,
# the widgets); the collector's passes over them are wasted work before the first frame.
# `main_ready` freezes them and sets the threshold the reader runs with.
gc.set_threshold(200_000, 50, 100)
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App, ScreenStackError, SystemCommand
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from . import display
from .commands import COMMANDS, checked_keymap, localised
from .exit_signals import exit_on_signals
from .i18n import Catalog, detect_lang
from .line_styles import CachedStyles
from .main_screen import MainScreen, last_synced_text

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable

    from sz_digest.cache.config import Config
    from sz_digest.cache.store import Store


PAGE_CACHE_KIB = 512
GC_INTERVAL = 0.25  # seconds between collections of the young generations
GC_AFTER_KEY = 0.02  # a key's frame is usually out by then, and the next key seldom comes so soon
GC_RETRY = 0.005  # … and when it is not (or was put out just now), look again this much later
GC_BACKSTOP = 50_000  # allocations that force one anyway
GC_FULL_AFTER = 4  # young passes (1 s of steady keypresses) after which a full pass runs anyway
GC_WAIT_LIMIT = 0.25  # a screen that keeps drawing (a spinner) still gets its pass and its writes


class GarbageCollector:
    """When to collect, so the passes fall between keypresses and memory stays flat.

    Young generations: at most every GC_INTERVAL when anything was allocated. Their survivors are
    promoted to the oldest generation, and many are Strip/Segment cycles still on screen at that
    moment that become garbage a keypress later. Nothing automatic collects the oldest generation
    here (its threshold counts full passes), so they piled up: +37 MiB after 300 week switches, and
    one late full pass over 70,000 of them took 45 ms. So a full pass runs at the first quiet
    interval after some activity, or after GC_FULL_AFTER young passes of steady keypresses: it walks
    only what was allocated after the first frame (the rest is frozen), a few milliseconds.

    While keys come in, a pass runs just after a key's frame (`key_pressed`), not on a timer of its
    own: a timer's pass fell anywhere between two keys, and in a real terminal one key in sixteen
    met one — a pass started just before the key arrived, or one that held the interpreter right
    after the frame was handed to Textual's writer thread, so the frame reached the terminal late.
    Just after a key's frame is the one moment the next key is least likely. `tick` (every
    GC_INTERVAL) only serves the quiet times.

    The same moment ends `hold`: the store writes a key queues are held from the key until its frame
    is out (`StoreWriter.hold`), then `release`d to the writer thread just before the pass.
    """

    def __init__(self, clock: Callable[[], float] = monotonic,
                 later: Callable[[float, Callable[[], None]], object] | None = None,
                 drawing: Callable[[], bool] = lambda: False,
                 hold: Callable[[], None] = lambda: None, release: Callable[[], None] = lambda: None) -> None:
        self.young = 0  # young passes since the last full one
        self.clock = clock
        self.later = later  # (delay, callback); the event loop's call_later by default
        self.drawing = drawing  # whether a key's frame is still being made or written out
        self.hold, self.release = hold, release  # work that waits for the key's frame
        self.last_key = float("-inf")
        self.last_pass = float("-inf")
        self.pending = False  # a pass after a key is scheduled

    def key_pressed(self) -> None:
        self.hold()
        self.last_key = self.clock()
        if not self.pending:
            self.pending = True
            self._later(GC_AFTER_KEY)

    def _later(self, delay: float) -> None:
        (self.later or asyncio.get_running_loop().call_later)(delay, self.after_key)

    def after_key(self) -> None:
        # An event-loop callback, outside Textual's error handling: whatever `drawing` meets as the
        # app closes must not reach asyncio's handler, which would print it over the screen.
        try:
            drawing = self.drawing() and self.clock() - self.last_key < GC_WAIT_LIMIT
        except Exception:  # noqa: BLE001 — then no frame is coming: collect
            drawing = False
        if drawing:
            self._later(GC_RETRY)
            return
        self.pending = False
        try:
            self.release()
        except Exception:  # noqa: BLE001 — the app is closing: its screen's unmount releases them
            pass
        if self.clock() - self.last_pass >= GC_INTERVAL:
            self._collect()

    def tick(self) -> None:
        if self.clock() - self.last_key < GC_INTERVAL:
            return  # keys are coming in: `after_key` collects between them
        self._collect()

    def _collect(self) -> None:
        self.last_pass = self.clock()
        if gc.get_count()[0] > 500:
            gc.collect(1)
            self.young += 1
            if self.young < GC_FULL_AFTER:
                return
        elif not self.young:
            return
        gc.collect()
        self.young = 0


class DigestApp(App[int]):
    """Holds the store, the language and the I/O workers; the main screen holds the reading state."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses elsewhere still find it
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        store: Store,
        *,
        config: Config,
        districts: list[str] | None = None,
        week_id: str | None = None,
        offline: bool = False,
        lang: str | None = None,
        sync_service: Callable[..., Any] | None = None,
        now: Callable[[], datetime] | None = None,
        notices: tuple[str, ...] = (),
        export_dir: Path | None = None,
        source: str | None = None,
        config_path: Path | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        # SQLite's page cache fills up to 2 MiB as weeks are visited, 5 % of the reader's memory;
        # what it would hold is in the OS's file cache anyway.
        store.limit_page_cache(PAGE_CACHE_KIB)
        self.config = config
        self.t = Catalog(detect_lang(lang, config.lang))
        self.offline = offline
        self.sync_service = sync_service
        self.now = now or (lambda: datetime.now(UTC))
        # Unknown binding ids or key names in [keys] are left out and said once, as notices.
        self.keymap, keymap_warnings = checked_keymap(config.keymap)
        self.title = self.t("app.title")
        where = f"config file {config.path}: " if config.path else ""
        self._notices = (*notices, *(display.plain_line(w) for w in (*config.warnings,
                                                                     *(where + w for w in keymap_warnings))))
        self.export_dir = export_dir  # where `e` writes; None: the current directory
        self.exit_signals: list[int] = []  # filled by exit_on_signals
        self.ready = False  # the main screen is up (main_ready): a signal may end the app now
        self.collector: GarbageCollector | None = None  # from main_ready on
        self._frame_at = 0.0
        self.explicit_source = source  # --source on this run's command line
        self.config_path = config_path  # where a picked theme is saved (None: the default path)
        self._start = dict(start_week=week_id, start_districts=list(districts) if districts else None)

    def get_default_screen(self) -> Screen:
        return localised(MainScreen(self.store, self.t, offline=self.offline, **self._start), self.t.lang)

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        if self.config.theme and self.config.theme in self.available_themes:
            self.theme = self.config.theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        for notice in self._notices:
            self.notify(notice, markup=False, severity="warning", timeout=10)

    def busy(self) -> bool:
        """Input or a frame on its way: messages queued for the app, the screen or the focused
        widget; a frame still to be laid out or painted (the flags the screen's update timer
        reads); or one handed to the writer thread under GC_RETRY ago. Work that can wait (a
        collection, the next week read ahead) waits while this holds."""
        try:
            screen = self.screen
        except ScreenStackError:  # work planned by the last key lands as the app closes
            return False
        focused = screen.focused
        return bool(self.message_queue_size or screen.message_queue_size
                    or (focused is not None and focused.message_queue_size)
                    or screen._dirty_widgets or screen._layout_required or screen._repaint_required) \
            or monotonic() - self._frame_at < GC_RETRY

    def _display(self, screen: Screen, renderable: Any) -> None:
        super()._display(screen, renderable)
        self._frame_at = monotonic()  # when the writer thread got the last frame (`busy`)

    def on_event(self, event: events.Event) -> Awaitable[None]:
        # A key or a click plans the next collection: just after its frame (GarbageCollector).
        if self.collector is not None and isinstance(event, (events.Key, events.MouseDown)):
            self.collector.key_pressed()
        return super().on_event(event)  # Textual's coroutine, awaited by the caller: no frame of ours around it

    def _theme_changed(self, theme) -> None:
        """A theme picked in the palette is kept in the config file for the next start."""
        if theme.name == self.config.theme:
            return
        from sz_digest.cache.config import save_theme
        from sz_digest.cache.errors import UsageError

        try:
            save_theme(theme.name, self.config_path)
        except UsageError as exc:
            self.notify(display.plain_line(str(exc)), markup=False, severity="warning")
            return
        self.config = self.config._replace(theme=theme.name)

    def main_ready(self) -> None:
        """The main screen shows the stored digests: now a due refresh may start behind it."""
        # Everything alive now (Textual, the widgets, the CSS) lives as long as the app: keep it out
        # of the collector's full passes, which otherwise stall a keypress by tens of milliseconds.
        gc.freeze()
        # Drawing leaves cyclic garbage: Textual's Strips keep themselves in their own caches, about
        # 1,500 objects per keypress that redraws the panes. An automatic gen-0 pass over 20,000 of
        # them took 4-5 ms inside one keypress in seven; a low threshold instead promotes the strips
        # still on screen, and the gen-1 pass over what piles up took 15-30 ms. So collect between
        # keypresses (young generations, and a full pass when idle: GarbageCollector), and keep a
        # high threshold as the backstop for a held-down key.
        gc.set_threshold(GC_BACKSTOP, 10, 100)
        self.ready = True
        for pane in self.main.query(CachedStyles):
            pane.style_in_full()
        if self.exit_signals:  # a signal arrived while the app was starting
            self.exit(128 + self.exit_signals[0])
            return
        writer = self.main.writer
        self.collector = GarbageCollector(drawing=self.busy, hold=writer.hold, release=writer.release)
        self.set_interval(GC_INTERVAL, self.collector.tick, name="collect garbage")
        if self.refresh_due():
            self.start_refresh(manual=False)

    @property
    def main(self) -> MainScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, MainScreen)
        return screen

    # -- help and the command palette (both built from COMMANDS) -------------------------------

    def show_help(self) -> None:
        from .help_screen import HelpScreen  # lazy: not needed for the first frame

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.t, self.keymap))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        if not isinstance(screen, MainScreen):
            yield from super().get_system_commands(screen)
            return
        # Textual's own Quit and Keys would list a second quit and a second help: ours stay.
        yield from (command for command in super().get_system_commands(screen)
                    if command.title not in ("Quit", "Keys"))
        for command in COMMANDS:
            yield SystemCommand(command.label(self.t.lang), f"{command.id} ({command.key_display or command.keys})",
                                self._palette_callback(screen, command.scope, command.action))

    def _palette_callback(self, screen: MainScreen, scope: str, action: str) -> Callable[[], object]:
        """Run `action` where its binding would: on the screen, or on the pane that owns it."""
        targets = {"list": "#weeks", "filter": "#districts"}

        def run() -> object:
            if scope in targets:
                node = screen.focused if scope == "list" and screen.focused is not None else screen.query_one(targets[scope])
                if not hasattr(node, f"action_{action}"):
                    node = screen.query_one(targets[scope])
                return self.call_later(node.run_action, action)
            return self.call_later(screen.run_action, action)

        return run

    # -- refresh ----------------------------------------------------------------------------------

    def refresh_due(self) -> bool:
        if self.offline or self.config.refresh_interval_hours <= 0:
            return False
        last = self.store.last_sync()
        if last is None:
            return True
        if last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        return self.now() - last >= timedelta(hours=self.config.refresh_interval_hours)

    @property
    def source(self) -> str:
        """Where `r` syncs from: --source, else the source the store was last synced from, else the
        config's (so a data dir synced from a mirror keeps using it)."""
        return self.explicit_source or self.store.last_source() or self.config.source

    def start_refresh(self, *, manual: bool) -> None:
        if self.offline:
            if manual:
                self.notify(self.t("notice.offline_mode"), markup=False)
            return
        if any(w.group == "refresh" and w.is_running for w in self.workers):
            if manual:
                self.notify(self.t("notice.refresh_busy"), markup=False)
            return
        self.refresh_worker(manual)

    @work(exclusive=True, exit_on_error=False, group="refresh")
    async def refresh_worker(self, manual: bool) -> None:
        """Sync in the background; new weeks appear as they land, the selection stays put."""
        sync = self.sync_service
        if sync is None:
            from sz_digest.cache.sync import sync  # lazy: httpx and the parser load only now
        main = self.main
        before = self.store.known_ids()
        seen = set(before)
        main.status = self.t("status.syncing")

        def on_progress(progress: Any) -> None:
            if getattr(progress, "phase", "") == "waiting":
                main.status = self.t("status.sync_waiting")
                return
            main.status = self.t(
                "status.sync_progress",
                pages=getattr(progress, "list_pages", 0),
                fetched=getattr(progress, "fetched", 0),
                to_fetch=getattr(progress, "to_fetch", 0),
                failed=getattr(progress, "failed", 0),
            )
            new_ids = set(getattr(progress, "new_ids", ()) or ())
            if new_ids - seen:
                seen.update(new_ids)
                main.reload_weeks()

        try:
            report = await sync(
                self.store,
                source=self.source,
                concurrency=self.config.concurrency,
                user_agent=self.config.user_agent,
                on_progress=on_progress,
            )
        except Exception as exc:  # noqa: BLE001 — every failure becomes one line, never a traceback
            main.status = ""
            if _is_unreachable(exc):
                main.offline = True  # the status line keeps saying so after the notice fades
                blocked = type(exc).__name__ == "SourceBlocked"  # blocked, not broken: docs/site-changes.md
                reason = _one_line(getattr(exc, "reason", None) or exc)  # HTTP 404, host not found, …
                self.notify(self.t("notice.blocked" if blocked else "notice.unreachable", reason=reason,
                                   source=display.plain_line(self.source),
                                   synced=last_synced_text(self.store, self.t)), markup=False, severity="warning")
            else:
                self.notify(self.t("notice.sync_error", error=_one_line(exc)), markup=False, severity="error")
            main.reload_weeks()
            return
        main.status = ""
        main.offline = self.offline
        main.reload_weeks()
        self.announce_new_matches()
        new = len(self.store.known_ids() - before)
        failed = len(getattr(report, "failed", ()) or ())
        if getattr(report, "blocked", None):
            self.notify(self.t("notice.blocked", synced=last_synced_text(self.store, self.t)), markup=False,
                        severity="warning")
        elif failed:
            self.notify(self.t("notice.sync_failed_posts", new=new, failed=failed), markup=False,
                        severity="warning")
        elif manual or new:
            self.notify(self.t("notice.sync_done", n=new), markup=False)

    def announce_new_matches(self) -> None:
        """After a sync: a notice per watch naming its new items, and fresh sidebar badges (issue 17)."""
        from sz_digest.cache.errors import DigestError
        from sz_digest.cache.text import clean_line
        from sz_digest.cache.watches import collect_alerts

        try:
            alerts = collect_alerts(self.store)
        except DigestError:
            alerts = []
        for alert in alerts:
            titles = "；".join(clean_line(hit.title) for hit in alert.hits[:3])
            if len(alert.hits) > 3:
                titles += f" (+{len(alert.hits) - 3})"
            self.notify(self.t("notice.watch_new", name=alert.watch.name, titles=titles), markup=False, timeout=15)
        self.main.refresh_watches()
        if self.main.watch_filter is not None:  # the chosen watch may match new items now
            self.main.set_watch(self.main.watch_filter[0])
        if alerts and self.config.on_new:
            self.run_hooks(alerts)

    @work(thread=True, exit_on_error=False, group="on_new")
    def run_hooks(self, alerts: list) -> None:
        """The config's `on_new` command, per watch, off the UI thread (it may take its whole timeout)."""
        from sz_digest.cache.alerts import run_hook

        for alert in alerts:
            result = run_hook(self.config.on_new, alert, timeout=self.config.on_new_timeout)
            if not result.ok:
                message = self.t("notice.error", error=f"on_new for watch {result.watch!r}: {result.problem}")
                self.call_from_thread(self.notify, message, markup=False, severity="warning")

    def on_watches_changed(self) -> None:
        """A watch was saved from the search screen."""
        self.main.refresh_watches()

    # -- opening the source ------------------------------------------------------------------------

    def open_url(self, url: str) -> None:
        """Open only a sanitised http(s) URL, in a graphical browser; without one, show and copy it."""
        safe = display.safe_url(url)
        if safe is None:
            self.notify(self.t("notice.bad_url"), markup=False, severity="warning")
            return
        self.browser_worker(safe)

    @work(thread=True, exit_on_error=False, group="browser")
    def browser_worker(self, url: str) -> None:
        from .handoff import open_url

        if open_url(url):
            self.call_from_thread(self.notify, self.t("notice.opening", url=url), markup=False, timeout=3)
            return
        self.call_from_thread(self.copy_text, url, self.t("notice.no_browser", url=url))

    def copy_text(self, text: str, what: str) -> None:
        """Copy through the terminal (OSC 52) and, when there is one, a native tool; say which."""
        self.copy_to_clipboard(text)
        self.clipboard_worker(text, what)

    @work(thread=True, exit_on_error=False, group="clipboard")
    def clipboard_worker(self, text: str, what: str) -> None:
        from .handoff import copy_native

        tool = copy_native(text)
        how = tool if tool else self.t("notice.copied_terminal")
        self.call_from_thread(self.notify, self.t("notice.copied", what=what, how=how), markup=False, timeout=4)

    # -- export ---------------------------------------------------------------------------------------

    def export_folder(self) -> Path:
        """Where `e` proposes to write: the export dir, else where the reader was started."""
        return self.export_dir or Path.cwd()

    def write_export(self, path: Path, text: str, count: int) -> None:
        """Write an export to the file the user chose — never over anything that exists (the next
        free `-2` name if it appeared meanwhile), never through a link — on a thread; say where."""
        self.export_worker(path, text, count)

    @work(thread=True, exit_on_error=False, group="export")
    def export_worker(self, path: Path, text: str, count: int) -> Path | None:
        from sz_digest.cache.atomic import WriteError, create_new

        try:
            written = create_new(path.parent, path.name, text.encode("utf-8"))
        except WriteError as exc:
            self.call_from_thread(self.notify, self.t("notice.store_error", error=f"cannot write {path}: {exc.reason}"),
                                  markup=False, severity="error")
            return None
        self.call_from_thread(self.notify, self.t("notice.exported", n=count, path=str(written)), markup=False,
                              timeout=8)
        return written

    # -- the central worker error handler ---------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Any worker that dies (exit_on_error=False) is reported as one line; the app keeps going."""
        if event.state == WorkerState.ERROR:
            self.main.status = ""
            self.notify(self.t("notice.error", error=_one_line(event.worker.error)), markup=False,
                        severity="error")


def _one_line(exc: BaseException | None) -> str:
    text = display.plain_line(str(exc) or type(exc).__name__)
    return text if len(text) <= 160 else text[:159] + "…"


def _is_unreachable(exc: BaseException) -> bool:
    try:
        from sz_digest.cache.sync import SourceUnreachable
    except ImportError:
        return type(exc).__name__ == "SourceUnreachable"
    return isinstance(exc, SourceUnreachable)


def startup_notices(store: Store, t: Catalog, missing_week: str | None = None) -> tuple[str, ...]:
    """What the user must know before reading: a rebuilt or read-only store, a week not found."""
    notices = []
    if store.recovered_from is not None:
        notices.append(t("notice.store_recovered", path=str(store.path), moved=str(store.recovered_from)))
    if store.read_only:
        notices.append(t("notice.store_read_only", path=str(store.path), reason=store.read_only_reason))
    if missing_week:
        notices.append(t("notice.week_not_found", spec=display.plain_line(missing_week)[:60]))
    return tuple(notices)


def run_app(
    *,
    data_dir: Path,
    config: Config,
    districts: list[str],
    week: str | None,
    offline: bool,
    lang: str | None,
    sync_service=None,
    source: str | None = None,
) -> int:
    """Open the store and run the reader until `q`; the exit code follows docs/cli.md."""
    from sz_digest.cache.errors import StoreError, UsageError
    from sz_digest.cache.exit_codes import ExitCode
    from sz_digest.cache.store import Store

    from .cli_output import usage_message, warn

    t = Catalog(detect_lang(lang, config.lang))
    try:
        store = Store.open(data_dir)
    except StoreError as exc:
        warn(t("cli.store_open_failed", error=exc))
        return ExitCode.STORE
    with store:
        week_id = None
        missing = None
        if week:
            try:
                week_id = store.resolve_week(week)
            except UsageError as exc:
                warn(usage_message(exc))
                return ExitCode.USAGE
            if week_id is None:
                missing = week  # the notice says "showing the latest": so show the latest
                week_id = store.resolve_week("latest")
        app = DigestApp(store, config=config, districts=districts or None, week_id=week_id,
                        offline=offline or store.read_only, lang=lang, sync_service=sync_service,
                        notices=startup_notices(store, t, missing), source=source)
        with exit_on_signals(app) as caught:
            result = app.run()
    if caught:
        return 128 + caught[0]
    return result if isinstance(result, int) else ExitCode.OK
