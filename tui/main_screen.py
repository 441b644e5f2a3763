"""The reader's main screen: district filter | week list | article viewer, plus a status line.

The screen owns the state (selected week, district filter, sidebar) as typed reactives and pushes it
down to the panes; panes report what the user did with messages. The screen builds the views it
hands down from the store (cache/reading.py holds the rules) and sends writes to one writer thread,
so the panes hold no store and a keypress never waits on a lock.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from sz_digest.cache.reading import (
    BLOCK,
    KeptCounts,
    ListView,
    ReadCounts,
    StoreWriter,
    WeekSets,
    WeekView,
    any_watch,
    block_kept,
    data_version,
    empty_list_view,
    list_view,
    mark_all_read,
    read_block,
    refiltered,
    set_items_read,
    set_starred,
    starred_count,
    starred_view,
    week_view,
)
from sz_digest.cache.setting_keys import TUI_DISTRICT_FILTER, TUI_SELECTED_WEEK, TUI_STARRED_ONLY, TUI_UNREAD_ONLY
from sz_digest.cache.text import clean_line, clean_text
from textual import getters, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.widgets._footer import FooterKey
from textual.widgets._header import HeaderTitle

from . import display
from .article_viewer import ArticleViewer
from .commands import bindings, localised
from .compositor import compositor_for
from .district_filter import DistrictFilter
from .first_frame import StyledOnMount, message, start_frame_clock
from .i18n import Catalog
from .pane_frame import FramedPane
from .shaped_line import LineShapes, render_content
from .week_list import STARRED_ID, WeekList

if TYPE_CHECKING:
    from collections.abc import Container

    from sz_digest.cache.store import Store

SETTING_WEEK = TUI_SELECTED_WEEK
SETTING_DISTRICTS = TUI_DISTRICT_FILTER
SETTING_UNREAD_ONLY = TUI_UNREAD_ONLY
SETTING_STARRED_ONLY = TUI_STARRED_ONLY
NARROW = 100  # below this many columns the sidebar is hidden (it comes back above)
TINY = 70  # below this the week list narrows so the article keeps about 40 cells
POLL_INTERVAL = 0.5  # seconds between looks at the store's data_version
PREPARE_NEIGHBOURS = True  # read and lay out the shown week's neighbours when idle (`_prepare_step`)
PREPARE_GIVE_WAY = 0.02  # seconds a step waits when messages are queued (input, a frame) before it tries again
PREPARE_AFTER = 0.01  # seconds after a week's frame before its neighbour is prepared (the frame is written first)
PREPARE_AFTER_FILTER = 0.25  # … after a filter change (often followed by another: work that would be thrown away)


class FramedTitle(HeaderTitle, FramedPane):
    """The header's title row (it changes with every week) with its frame joined by `PaneFrame`;
    a title shaped like one drawn before (another week's dates) is drawn from it (`LineShapes`)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shapes = LineShapes()

    def _render_content(self) -> None:
        render_content(self, self._shapes, super()._render_content)

    def notify_style_update(self) -> None:
        self._shapes.clear()  # drawn with the old CSS (alignment, overflow) or theme
        super().notify_style_update()


class DigestHeader(Header):
    """The Header, with the selected week's title as its sub-title.

    Setting `Screen.sub_title` would repaint the whole screen and lay it out again (the Header's
    title is a Static updated with a layout); the title row has a fixed size, so redraw just it.
    """

    def __init__(self, *, icon: str) -> None:
        super().__init__(icon=icon)
        self._sub_title = ""

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            yield FramedTitle() if type(widget) is HeaderTitle else widget

    def format_title(self) -> Content:
        return self.app.format_title(self.screen_title, self._sub_title)

    def set_sub_title(self, text: str) -> None:
        if text != self._sub_title:
            self._sub_title = text
            if self.is_mounted:
                self.query_one(HeaderTitle).update(self.format_title(), layout=False)


class StatusLine(Static, FramedPane):
    """The status line, its padding and filter joined by `PaneFrame` (the screen's `_show_status`
    writes it only when its text changes).

    A filter toggled on and off shows two texts in turn: the lines Textual renders for a text are
    kept (per size and look, a few texts), so a text shown before is not rendered again — and,
    being the same Strips, their frame is not joined again either. A new text shaped like one
    drawn before (another count) is drawn from it (`LineShapes`)."""

    KEEP_JOINED = 4  # the texts of a toggle, on and off (its text changes with most keys)
    TEXTS_KEPT = 4

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shapes = LineShapes(texts_kept=self.TEXTS_KEPT)

    def _render_content(self) -> None:
        render_content(self, self._shapes, super()._render_content)

    def notify_style_update(self) -> None:
        self._shapes.clear()  # rendered with the old CSS (alignment, wrapping) or theme
        super().notify_style_update()


class Panes(Horizontal, FramedPane):
    """The three panes side by side; its (covered, blank) lines through `PaneFrame` like theirs."""


class DigestFooter(Footer):
    """The Footer, with each key made compact or not, and classed so, before it mounts.

    Textual's `FooterKey` starts compact and is then bound to the Footer's setting, so every key was
    restyled twice as it mounts: most of the work between the first frame and the Footer's keys.
    The command-palette key, not bound, stays compact; it was restyled as its watcher classed it so.
    """

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                # The command-palette key is not bound to the Footer's setting: it stays compact, as
                # it starts. (Not read from the key: a first read runs its watcher, a restyle.)
                compact = True if widget.has_class("-command-palette") else self.compact
                widget.set_reactive(FooterKey.compact, compact)
                widget.set_class(compact, "-compact", update=False)
            yield widget


class MainScreen(StyledOnMount, Screen[None], FramedPane):
    """Three panes; the screen-level keys of the command table live here.

    The screen is the only part that reads the store: once per action it builds the views
    (`cache.reading.list_view` / `week_view`) and hands them down; panes render what they are given.
    Writes go to one writer thread (`StoreWriter`), and the UI shows their effect at once.
    """

    SCOPES = ("screen", "reader")
    BINDINGS = bindings(SCOPES, "en")
    # Focus starts on the week list: auto-focusing the sidebar first and moving focus on mount
    # would restyle and repaint both panes before the first frame.
    AUTO_FOCUS = "#weeks"

    # `var`: a change repaints only the panes bound to it, never the whole screen.
    digest_id: var[str | None] = var(None, init=False)
    """The week shown in the viewer (or `STARRED_ID` for the starred items)."""
    districts: var[frozenset[str]] = var(frozenset(), init=False)
    """The district filter; empty means every district."""
    layout_warning: str | None = None  # cache/health.py: the site's pages stopped looking like the archive
    watch_filter: var[tuple[str, frozenset[tuple[str, int]]] | None] = var(None, init=False)
    """A saved search chosen in the sidebar (name, matching items): filters the viewer as districts do."""
    unread_only: var[bool] = var(False, init=False)
    starred_only: var[bool] = var(False, init=False)
    """Only weeks with a starred item are listed."""
    """Only weeks with unread items (under the filter) are listed."""
    sidebar: var[bool] = var(True, init=False)
    status: var[str] = var("", init=False)
    """Transient status (sync progress); empty shows the resting summary."""

    district_filter = getters.query_one("#districts", DistrictFilter)
    week_list = getters.query_one("#weeks", WeekList)
    viewer = getters.query_one("#viewer", ArticleViewer)
    status_line = getters.query_one("#status", Static)
    header = getters.query_one(DigestHeader)

    class StoreChanged(Message):
        """Another connection committed to the store (seen from the writer thread)."""

    @message
    class WriteFailed(Message):
        """A store write on the writer thread failed."""

        error: str

    def __init__(self, store: Store, t: Catalog, *, start_week: str | None, start_districts: list[str] | None,
                 offline: bool) -> None:
        super().__init__(id="main")
        # Renders and divides only what the terminal is sent (tui/compositor.py); the viewer's
        # render_lines also reports what it has shown, so it is rendered whenever Textual would.
        self._compositor = compositor_for(render_always=(ArticleViewer,))
        self.store = store
        self.t = t
        self.start_week = start_week
        self.start_districts = start_districts
        self.offline = offline
        self._store_error_shown = False
        self.lists = empty_list_view(store)
        self.view = WeekView(None, None, (), "none")
        self._settings: dict[str, str | None] = {}
        self._watch_wanted: str | None = None  # the watch last chosen; its matches may be on their way
        self._sets: WeekSets | None = None  # every week's id, the weeks of each district (see `_list_view`)
        self._read: ReadCounts | None = None  # read items per district, kept by our marks (see `_mark`)
        self._degraded = 0  # weeks stored as full text (issue 12), for the status line
        self._data_version = 0
        self._wide: bool | None = None  # which side of the sidebar breakpoint the last resize was on
        self.writer = StoreWriter(store.data_dir, on_error=lambda exc: self.post_message(self.WriteFailed(str(exc))),
                                  on_external=lambda: self.post_message(self.StoreChanged()))
        # The lists' counts per block and filter, kept by our marks too (cleared with `_read`); a
        # block read before our last write of read state lands may be behind it (settings writes,
        # like the filter's own on every toggle, change no count).
        self._last_read_write = 0  # the writer's number of our last write of read state
        self._kept = KeptCounts(busy=lambda: self.writer.written < self._last_read_write)
        self._commits_seen = 0
        self._refresh_wanted = False  # a refresh waits for the writer to finish (refresh_from_store)
        self._synced: tuple[str, str] | None = None  # the status line's "last synced" and source host
        self._status_shown: str | None = None  # the status line's text as last written
        # The shown week's neighbours read ahead when idle (`_prepare_piece`), so `n`/`p`/`j`/`k`
        # swap in a view (and the viewer rows laid out for it) instead of reading and laying out.
        self._prepared: dict[str, WeekView] = {}
        self._prepare_round = 0  # bumped per week shown: an older round's steps stop
        self._heading = +1  # the way the reader moves through the list: that neighbour is prepared
        self._prepare_delay = PREPARE_AFTER  # after this week's frame (longer after a filter change)
        self._unwritten: dict[str, int] = {}  # week -> the writer's number of our last mark or star on it
        self._bulk_write = 0  # the writer's number of our last `M` (it marks every week)
        self.preparing = False  # the store reads and layouts now are ahead of a key (tests tell them apart)

    def compose(self) -> ComposeResult:
        t = self.t
        yield DigestHeader(icon="≡")
        with Panes(id="panes"):
            sidebar = localised(DistrictFilter(t, id="districts"), t.lang)
            sidebar.border_title = t("pane.districts")
            yield sidebar
            weeks = localised(WeekList(t, id="weeks"), t.lang)
            weeks.border_title = t("pane.weeks")
            # It takes focus as the screen first resumes (AUTO_FOCUS), before anything is drawn:
            # styled as focused when it mounts, it is not styled again for the focus.
            weeks.set_reactive(WeekList.has_focus, True)
            yield weeks.data_bind(MainScreen.digest_id)
            viewer = localised(ArticleViewer(t, id="viewer"), t.lang)
            viewer.border_title = t("pane.article")
            yield viewer
        yield StatusLine(id="status", markup=False)
        yield DigestFooter()

    def on_mount(self) -> None:
        start_frame_clock(self)
        self._data_version = data_version(self.store)
        from sz_digest.cache.health import layout_warning

        self.layout_warning = layout_warning(self.store)
        for key in (SETTING_WEEK, SETTING_DISTRICTS, SETTING_UNREAD_ONLY, SETTING_STARRED_ONLY):
            self._settings[key] = self.store.get_setting(key)
        self.sidebar = self.app.size.width >= NARROW
        if self.start_districts is not None:
            districts = frozenset(self.start_districts)
            self._save(SETTING_DISTRICTS, ",".join(sorted(districts)))
        else:
            from sz_digest.cache.districts import BY_CODE

            saved = self._settings[SETTING_DISTRICTS] or ""
            districts = frozenset(code for code in saved.split(",") if code in BY_CODE)
        self.set_reactive(MainScreen.districts, districts)
        self.set_reactive(MainScreen.unread_only, self._settings[SETTING_UNREAD_ONLY] == "1")
        self.set_reactive(MainScreen.starred_only, self._settings[SETTING_STARRED_ONLY] == "1")
        self.lists = self._list_view(keep=self.start_week or self._settings[SETTING_WEEK])
        listed = self.lists.weeks  # `in` looks an id up, no scan
        remembered = self._settings[SETTING_WEEK]
        if self.start_week in listed:
            first = self.start_week
        elif remembered in listed:
            first = remembered
        elif self.lists.ids:
            first = self.lists.ids[0]
        else:  # the filter matches no week: show one, and the viewer says what the filter hides
            first = self.start_week or remembered or self.store.resolve_week("latest")
        self.week_list.show_weeks(self.lists, self._starred_count())
        self.show_week(first, reading=False)
        self.set_interval(POLL_INTERVAL, self.poll_store, name="poll the store")
        self.call_after_refresh(self.app.main_ready)
        self.call_after_refresh(self.refresh_watches)  # after the first frame: start-up never waits on it

    def on_unmount(self) -> None:
        self.writer.close()  # every queued write runs first

    # -- building the views (the only store reads) ------------------------------------------------

    def _list_view(self, keep: str | None = None, *, keep_open: bool = True) -> ListView:
        """The list under the filter: ids from indexed queries (every week's ids and each
        district's weeks kept until a week is added or re-saved), an unread total from SQL
        aggregates; week records and counts are read later for the rows on screen."""
        if self._sets is None:  # dropped by `refresh_from_store` when weeks were added or re-saved
            self._sets = WeekSets(self.store)
            self._degraded = self._sets.degraded  # once per change, not per key
        if self._read is None:  # dropped by `refresh_from_store` and `M`: read again when asked
            self._read = ReadCounts(self.store)
        if self.writer.busy:  # counts read now may miss marks still queued: read again when written
            self._refresh_wanted = True
        keep = keep or (self.digest_id if keep_open else None)  # the open week stays listed while read
        return list_view(self.store, self.districts, unread_only=self.unread_only, keep=keep,
                         starred_only=self.starred_only, watch=self.watch_filter, sets=self._sets,
                         read=self._read, kept=self._kept)

    def _starred_count(self) -> int:
        return starred_count(self.store)

    def _week_view(self, digest_id: str | None) -> WeekView:
        if digest_id == STARRED_ID:
            return starred_view(self.store, self.districts, watch=self.watch_filter)
        return week_view(self.store, digest_id, self.districts, self.watch_filter)

    def _show_sidebar(self, view: WeekView) -> None:
        self.district_filter.show(view.district_counts or {}, self.districts, view.watch)

    def refresh_watches(self) -> None:
        """Recount the saved searches' unread matches for the sidebar (after a sync, a read change,
        a new watch)."""
        if not any_watch(self.store):  # most stores: no query language to import before the first frame
            self.district_filter.show_watches({})
            return
        # Each watch's query runs over the whole archive (60 ms warm, 300 ms cold for a broad one
        # at 5,200 weeks), after every read mark that lands: on the writer's thread and connection
        # (its search cache stays warm), so no key waits on it; the counts come back as a message.
        if self.store.read_only:  # no writer for a store opened read-only: counted here, as a read
            count_watches(self.store, self.district_filter.show_watches)
            return
        self.writer.submit(count_watches, lambda counts: self.post_message(self.WatchCounts(counts)),
                           read_only=True)

    @message
    class WatchCounts(Message):
        """The saved searches' unread matches, counted on the writer thread."""

        counts: dict

    @on(WatchCounts)
    def _watch_counts(self, event: WatchCounts) -> None:
        self.district_filter.show_watches(event.counts)

    def show_week(self, digest_id: str | None, *, reading: bool, keep_place: bool = False,
                  view: WeekView | None = None) -> None:
        """Show a week: one view read from the store (unless given), handed to the viewer, the
        sidebar and the header in this handler (so they are drawn in the same frame as the week
        list's cursor)."""
        if view is None:
            view = self._take_prepared(digest_id) or self._week_view(digest_id)
        left = self.view
        if left.digest_id is not None and left.digest_id != digest_id:
            if self.week_list.neighbour(-1) == digest_id:  # (relative to the week left)
                self._heading = -1
            elif self.week_list.neighbour(+1) == digest_id:
                self._heading = +1
        self.view = view
        if (PREPARE_NEIGHBOURS and left.digest_id != digest_id and left.week is not None
                and left.state != "starred" and not self.store.read_only):
            # The week left is a neighbour of this one (`p` goes back to it): the view the screen
            # holds is the store's once our marks land — those queued included, which a read now
            # would not see yet. (Read-only, the marks shown are never stored: read it again.)
            self._prepared[left.digest_id] = left
        self.digest_id = digest_id
        self.week_list.sync_cursor()
        self.viewer.reading = reading
        if keep_place:
            self.viewer.show(view, keep_place=True)
        else:
            self.viewer.show(view)
        self._show_sidebar(view)
        self._read_what_is_shown(status=False)  # the status line is written once, below
        if digest_id == STARRED_ID:
            self.header.set_sub_title(self.t("starred.title"))
        else:
            self.header.set_sub_title(display.plain_line(view.week.title) if view.week else "")
        self.update_status()
        self._prepare_round += 1
        if PREPARE_NEIGHBOURS:  # after the frame that shows this week (not `call_after_refresh`:
            # a screen idle before the panes' updates arrive runs those before the frame)
            self.viewer.after_paint = partial(self._prepare_after_frame, self._prepare_round, self._prepare_delay)

    # -- the neighbours, read and laid out ahead when idle ------------------------------------------

    def _take_prepared(self, digest_id: str | None) -> WeekView | None:
        """The view read ahead for `digest_id`, if it is still what the store and the filter say."""
        view = self._prepared.pop(digest_id, None) if digest_id is not None else None
        if view is None:
            return None
        if view.districts != self.districts or view.watch != (self.watch_filter[0] if self.watch_filter else None):
            return None
        if data_version(self.store) != self._data_version and self.writer.commits == self._commits_seen:
            # Another connection committed since the last poll (none of it ours): read afresh
            # (the poll refreshes the rest).
            self._prepared.clear()
            return None
        return view

    def _neighbours(self) -> list[str]:
        """The week a key most likely shows next: the neighbour the reader is heading for (`n`
        after `n`, `k` after `k`). One, not both: the other would be work thrown away on most keys."""
        target = self.week_list.neighbour(self._heading)
        return [target] if target is not None and target != self.digest_id else []

    def _readable(self, digest_id: str) -> bool:
        """The store holds every mark and star we made on this week (none queued): a read now is
        what the screen would show."""
        written = self.writer.written
        return self._bulk_write <= written and self._unwritten.get(digest_id, 0) <= written

    def _forget_prepared(self, *digest_ids: str) -> None:
        """Views read ahead that a write or a filter change made stale (all of them when none named)."""
        if not digest_ids:
            self._prepared.clear()
            self.viewer.forget_prepared(frozenset())
            return
        for digest_id in digest_ids:
            self._prepared.pop(digest_id, None)

    def _prepare_after_frame(self, round: int, delay: float) -> None:
        """Called as the frame that shows a week is composited: prepare its neighbour a little
        later — not at once, as Textual's writer thread, which writes the frame's bytes to the
        terminal, needs the interpreter lock that preparing would hold."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # painted outside the app's loop (a screenshot after it ended): no next key
            return
        loop.call_later(delay, self._prepare_step, round)

    def _prepare_step(self, round: int) -> None:
        """One piece of preparing the neighbour (a store read, a layout, or a screen of lines:
        ~0.1–0.5 ms), the next piece queued behind whatever the event loop has ready: a key that
        arrives meanwhile is handled first, and an older week's round stops. Plain event-loop
        callbacks, not Textual messages: each piece costs its work, not a message's dispatch."""
        if round != self._prepare_round or self._closing or self._closed:
            return
        try:
            if not self.is_current:  # (a modal screen on top: its keys, not ours, come next)
                return
        except Exception:  # noqa: BLE001 — the app is closing: there is no next key
            return
        loop = asyncio.get_running_loop()
        if self.app.busy():
            loop.call_later(PREPARE_GIVE_WAY, self._prepare_step, round)  # input and its frame first
            return
        try:
            more = self._prepare_piece()
        except (sqlite3.Error, OSError):  # a read ahead is a comfort: the key reads (and reports) itself
            return
        except Exception as error:  # noqa: BLE001 — as Textual handles a callback's (not lost in the loop's log)
            self.app._handle_exception(error)
            return
        if more:
            loop.call_soon(self._prepare_step, round)

    def _prepare_piece(self) -> bool:
        """Read or lay out one more piece of the neighbours; False when they are ready (or cannot
        be read yet: our own writes to them are still queued)."""
        wanted = self._neighbours()
        if len(self._unwritten) > 32:  # (weeks whose writes have landed need no entry)
            written = self.writer.written
            self._unwritten = {d: n for d, n in self._unwritten.items() if n > written}
        self.preparing = True
        try:
            # The sidebar's cursor on a district: what `space` would list and show comes first.
            toggled = self._toggle_ahead()
            if toggled is not None and self._sets.prepare(toggled):
                return True
            target = self._toggle_target(toggled) if toggled is not None else None
            # The views of both neighbours are kept (the week left costs nothing: `show_week`), the
            # one ahead is laid out; so is the week a toggle would show.
            near = {self.week_list.neighbour(-1), self.week_list.neighbour(+1), target}
            for digest_id in [d for d in self._prepared if d not in near]:
                del self._prepared[digest_id]
            self.viewer.forget_prepared(frozenset([*wanted, target]))
            if target is not None and self._prepare_toggle(toggled, target):
                return True
            for digest_id in wanted:
                view = self._prepared.get(digest_id)
                if view is None:
                    if digest_id == STARRED_ID or not self._readable(digest_id):
                        continue
                    self._prepared[digest_id] = self._week_view(digest_id)
                    return True
                if self.viewer.prepare(view, reading=self.viewer.reading):
                    return True
            return False
        finally:
            self.preparing = False

    def _toggle_ahead(self) -> frozenset[str] | None:
        """The filter `space` would choose next: the sidebar has focus and its cursor is on a
        district (a watch filters by its matches, not by the district index: nothing to read)."""
        sidebar = self.district_filter
        code = sidebar.highlighted_code
        if code is None or self.watch_filter is not None or self._sets is None or not sidebar.has_focus:
            return None
        return self.districts ^ {code}

    def _toggle_target(self, districts: frozenset[str]) -> str | None:
        """The week `_relist` would show under `districts` (their weeks read already); None when
        the list is cut by read marks or stars too (read when the key comes)."""
        if self.unread_only or self.starred_only or self.digest_id in (None, STARRED_ID):
            return None
        if not districts:  # every week listed
            return self.digest_id
        return self._week_to_show(self._sets.with_districts(districts), self._sets.listed(districts))

    def _prepare_toggle(self, districts: frozenset[str], target: str) -> bool:
        """One piece of what toggling to `districts` needs: the records and counts of the list's
        rows around `target` (the blocks `ListedWeeks` reads), then `target`'s view, laid out."""
        sets = self._sets
        ids = sets.listed(districts) if districts else sets.all_ids
        try:
            index = ids.index(target) if ids else None  # (a filter that lists no week: no rows)
        except ValueError:  # (gone from the store since: the key finds out)
            return False
        rows = self.week_list.scrollable_content_region.height // 2 + 1  # rows of two lines (or three)
        for number in sorted({max(0, index - rows) // BLOCK, (index + rows) // BLOCK}) if index is not None else ():
            block = ids[number * BLOCK:(number + 1) * BLOCK]
            if block and not block_kept(block, districts, sets, self._kept):
                read_block(self.store, block, districts, None, sets, self._kept)
                # (not kept while our marks are being written: then the key reads it)
                return block_kept(block, districts, sets, self._kept)
        self.week_list.rows_of(ids, sets.samples, bool(self.week_list.starred_count))  # (kept: 0.4 ms)
        if target == self.view.digest_id:
            view = refiltered(self.view, districts)  # as `_relist` makes it
        else:
            view = self._prepared.get(target)
            if view is None or view.districts != districts:
                if not self._readable(target):
                    return False
                self._prepared[target] = week_view(self.store, target, districts)
                return True
        return view is not None and self.viewer.prepare(view, reading=self.viewer.reading)

    def prepare_now(self) -> None:
        """Prepare the neighbours to the end at once (tests: a known state)."""
        while self._prepare_piece():
            pass

    def refresh_from_store(self) -> None:
        """Re-read the list and the open week (another process wrote, or a sync landed) without
        moving the cursor, the current item or the scroll position.

        While our own writes are still queued the store is behind the screen (which shows them
        already): the refresh waits for the writer, and the next poll does it."""
        self._synced = None  # a sync (ours or another process's) changes when and where from
        if self.writer.busy:
            self._refresh_wanted = True
            return
        self._refresh_wanted = False
        from sz_digest.cache.health import layout_warning

        self.layout_warning = layout_warning(self.store)
        if self._sets is not None and not self._sets.current():
            self._sets = None
        self._read = None  # the store's read marks may differ from what our marks kept
        self._kept.clear()
        self._forget_prepared()  # read before the store changed
        self.lists = self._list_view()
        self.week_list.show_weeks(self.lists, self._starred_count())
        if self.digest_id is None and self.lists.ids:
            self.show_week(self.lists.ids[0], reading=False)
            return
        view = self._week_view(self.digest_id)
        if view != self.view:
            self.view = view
            self.viewer.show(view, keep_place=True)
            self._show_sidebar(view)
            if view.week is not None:
                self.header.set_sub_title(display.plain_line(view.week.title))
        self.update_status()
        if self.district_filter.watch_counts:
            self.refresh_watches()
        self._prepare_again()

    def _prepare_again(self, delay: float = PREPARE_AFTER_FILTER) -> None:
        """The prepared neighbour was dropped (the store changed, `M`), or the sidebar's cursor
        moved: prepare again once the reader pauses (no week is shown, so no frame of one starts it)."""
        self._prepare_round += 1
        if PREPARE_NEIGHBOURS:
            self._prepare_after_frame(self._prepare_round, delay)

    reload_weeks = refresh_from_store  # the refresh worker's name for it

    def poll_store(self) -> None:
        """Notice another connection's commits (a sync, another reader) without a keypress.

        Our own writer's commits change `data_version` too, and the screen already shows them: when
        it has committed since the last look, the writer tells the two apart (`StoreWriter.probe`)."""
        if self._refresh_wanted and not self.writer.busy:
            self.refresh_from_store()
        version = data_version(self.store)
        if version == self._data_version:
            return
        self._data_version = version
        commits = self.writer.commits
        if commits == self._commits_seen:
            self.refresh_from_store()
        else:
            self._commits_seen = commits
            self.writer.probe()
            if self.district_filter.watch_counts:  # our read marks landed: the watches' badges
                self.refresh_watches()

    @on(StoreChanged)
    def _store_changed(self) -> None:
        self.refresh_from_store()

    # -- state pushed down ---------------------------------------------------------------------

    def watch_districts(self) -> None:
        self._relist()

    def watch_unread_only(self) -> None:
        self._relist()

    def watch_starred_only(self) -> None:
        self._relist()

    def watch_watch_filter(self) -> None:
        # The watch filters the week list (weeks with a match) and the viewer (the matches).
        self._relist()

    def _relist(self) -> None:
        """The filter changed: list only the weeks it matches; stay on the open week if it is one
        of them, else go to the nearest one (the same week again when the filter is cleared)."""
        self.lists = self._list_view(keep_open=False)
        # The starred count does not depend on the filter: the list's own (kept by `s`; read
        # again with the list after a store change), not a count over the stars per toggle.
        self.week_list.show_weeks(self.lists, self.week_list.starred_count)
        target = self._week_to_show(self.lists.weeks, self.lists.ids)
        # The same week under the new filter: from the view the screen holds, not read again.
        view = refiltered(self.view, self.districts, self.watch_filter) if target == self.view.digest_id else None
        # Filters are often changed a few in a row (one district, then another): the neighbour
        # under this one is prepared once the reader has paused on it.
        self._prepare_delay = PREPARE_AFTER_FILTER
        try:
            self.show_week(target, reading=self.viewer.reading, view=view)
        finally:
            self._prepare_delay = PREPARE_AFTER
        # Read under the old filter (`show_week` takes none of them: `_take_prepared` compares the
        # filter), as is the week left, which `show_week` keeps.
        self._forget_prepared()

    def _week_to_show(self, listed: Container[str], ids: list[str]) -> str | None:
        """The week a new list (`listed`, its `ids`) shows: the open one if listed (or if the list
        is empty: the viewer then says what the filter hides), else the nearest listed one."""
        target = self.digest_id
        if target != STARRED_ID and target not in listed and ids:
            target = self._nearest_listed(target, listed, ids)
        return target

    def _nearest_listed(self, digest_id: str | None, listed: Container[str], ids: list[str]) -> str:
        """The first listed week no newer than `digest_id`'s week (the last listed one if none):
        found by walking every week's ids in their order from that week, not the list's records."""
        if self.view.week is None or self._sets is None:
            return ids[0]
        start = self.view.week.week_start
        every = self._sets.all_ids
        try:
            here = every.index(digest_id)
        except ValueError:
            here = len(every)
        # Weeks before it in the order may share its start date (listed first by id): the old rule
        # took the first listed week with week_start <= start.
        back = here - 1
        while back >= 0 and (week := self.store.week(every[back])) is not None and week.week_start == start:
            back -= 1
        for candidate in every[back + 1:]:
            if candidate in listed:
                return candidate
        return ids[-1]

    def watch_sidebar(self, sidebar: bool) -> None:
        self.district_filter.display = sidebar
        if not sidebar and self.district_filter.has_focus:
            self.week_list.focus()

    def on_resize(self, event) -> None:
        """Breakpoints apply on every resize, both ways: the sidebar goes below `NARROW` columns and
        comes back above (a `d` in between holds until the next crossing)."""
        width = event.size.width
        narrow = width < NARROW
        self.set_class(narrow, "-narrow")
        self.set_class(width < TINY, "-tiny")
        footer = self.query_one(Footer)
        footer.compact = narrow
        footer.show_command_palette = not narrow  # room for `q Quit`; help lists ctrl+p
        wide = not narrow
        if wide != self._wide:
            self._wide = wide
            self.sidebar = wide

    def watch_status(self) -> None:
        self.update_status()

    def update_status(self) -> None:
        """The status line: transient progress, else weeks (of how many) · unread · last synced ·
        offline · filters · full-text weeks · source."""
        if self.status:
            self._show_status(self.status)
            return
        t = self.t
        lists = self.lists
        if self.districts or self.unread_only or self.starred_only or self.watch_filter is not None:
            parts = [t("status.weeks_of", shown=len(lists.weeks), n=lists.total_weeks)]
        else:
            parts = [t("status.weeks", n=lists.total_weeks)]
        parts.append(t("status.unread", n=lists.unread))
        synced, host = self._sync_source()
        parts.append(synced)
        if self.offline:
            parts.append(t("status.offline"))
        if self.districts:
            parts.append(t("status.filter", names="、".join(t.district(c) for c in sorted(self.districts))))
        if self.watch_filter is not None:
            parts.append(t("status.watch", name=self.watch_filter[0]))
        if self.unread_only:
            parts.append(t("status.unread_only"))
        if self.starred_only:
            parts.append(t("status.starred_only"))
        if self._degraded:  # beside the layout alarm it explains, ahead of what a narrow line cuts
            parts.insert(0, t("status.degraded", n=self._degraded))
        if self.layout_warning:
            parts.insert(0, t("status.layout_changed"))
        if host:  # last: what is cut first on a narrow terminal
            parts.append(t("status.source", host=host))
        self._show_status(" · ".join(parts))

    def _sync_source(self) -> tuple[str, str]:
        """The status line's "last synced …" and the source's host: read from the store once,
        again only after a store change (`refresh_from_store`), not on every key."""
        if self._synced is None:
            self._synced = (last_synced_text(self.store, self.t), source_host(getattr(self.app, "source", "")))
        return self._synced

    def _show_status(self, text: str) -> None:
        """Write the status line when its text changed: a key that changes nothing in it (`j`
        previews a week) repaints it not at all."""
        if text != self._status_shown:
            self._status_shown = text
            self.status_line.update(Content(text), layout=False)  # one row, fixed by the CSS

    # -- messages up ---------------------------------------------------------------------------

    # The panes' messages end here (`stop`): the app has no handler for them, and a message
    # that bubbles on is dispatched once more per key (Textual walks the app's MRO for handlers).

    @on(WeekList.WeekHighlighted)
    def _week_highlighted(self, event: WeekList.WeekHighlighted) -> None:
        event.stop()
        self.show_week(event.digest_id, reading=self.viewer.has_focus)

    @on(WeekList.WeekOpened)
    def _week_opened(self, event: WeekList.WeekOpened) -> None:
        event.stop()
        self.open_week(event.digest_id)
        self.viewer.focus()

    @on(DistrictFilter.Toggled)
    def _district_toggled(self, event: DistrictFilter.Toggled) -> None:
        event.stop()
        self.set_districts(self.districts ^ {event.code})

    @on(DistrictFilter.Highlighted)
    def _district_highlighted(self, event: DistrictFilter.Highlighted) -> None:
        """The sidebar's cursor rests on a district: what toggling it lists is read ahead when idle
        (a district's weeks are an index walk as long as the archive, 1 ms at 5,200 weeks)."""
        event.stop()
        if event.code is not None:
            self._prepare_again(PREPARE_AFTER)

    @on(DistrictFilter.WatchChosen)
    def _watch_chosen(self, event: DistrictFilter.WatchChosen) -> None:
        """A saved search in the sidebar filters the viewer to its matches; chosen again, it stops."""
        self.set_watch(None if self._watch_wanted == event.name else event.name)

    def set_watch(self, name: str | None) -> None:
        """Filter by watch `name` (None: no watch), its matches read afresh from the store — on the
        writer's thread, whose search copy stays warm: a broad watch reads the whole archive
        (~0.3 s cold at 5,200 weeks), which no key should wait on. The filter applies when they
        arrive, unless another watch was chosen or the filter cleared meanwhile."""
        self._watch_wanted = name
        if name is None:
            self.watch_filter = None
        elif self.store.read_only:  # no writer for a store opened read-only: read here
            watch_matches(self.store, name, self._apply_watch)
        else:
            self.writer.submit(watch_matches, name,
                               lambda found: self.post_message(self.WatchMatches(name, found)), read_only=True)

    @message
    class WatchMatches(Message):
        """A chosen watch's matches, read on the writer thread (see `watch_matches`)."""

        name: str
        found: tuple[str, frozenset[tuple[str, int]]] | Exception | None

    @on(WatchMatches)
    def _watch_matches(self, event: WatchMatches) -> None:
        if event.name == self._watch_wanted:  # else chosen again, or cleared, while it was read
            self._apply_watch(event.found)

    def _apply_watch(self, found: tuple[str, frozenset[tuple[str, int]]] | Exception | None) -> None:
        if isinstance(found, Exception):  # a query an older or newer sz-digest wrote: say so, filter nothing
            self.app.notify(display.plain_line(str(found)), markup=False, severity="warning")
            found = None
        self.watch_filter = found
        if found is None:
            self._watch_wanted = None

    @on(DistrictFilter.Cleared)
    @on(ArticleViewer.ClearFilterRequested)
    def _filter_cleared(self) -> None:
        self.set_districts(frozenset())
        self.set_watch(None)

    def _read_what_is_shown(self, *, status: bool = True) -> None:
        """While reading, what the viewer will draw whole is read — marked before the frame is
        drawn, so opening a week costs one frame, not a second one for the marks."""
        if self.viewer.reading:
            seen = self.viewer.take_seen()
            if seen:
                self._mark({key: True for key in seen}, status=status)

    @on(ArticleViewer.ItemsSeen)
    def _items_seen(self, event: ArticleViewer.ItemsSeen) -> None:
        """Items drawn whole while reading are read: shown at once, written on the writer thread."""
        event.stop()
        self._mark({key: True for key in event.seen})

    def on_descendant_focus(self, event) -> None:
        # Focusing the viewer is reading it.
        if event.widget is self.viewer and not self.viewer.reading:
            self.viewer.reading = True
            self.viewer.refresh()

    @on(WriteFailed)
    def _write_failed(self, event: WriteFailed) -> None:
        self._report_store_error(event.error)
        self._forget_prepared()  # they may hold marks that were not stored
        # The marks shown (and the counts and unread totals kept with them) were never stored:
        # read everything again once the writer is idle.
        self._refresh_wanted = True

    # -- marks: shown now, written behind ---------------------------------------------------------

    def _mark(self, read: dict[tuple[str, int], bool], *, status: bool = True) -> None:
        """Set read marks: the view, the list counts and the status at once; the store behind."""
        entries = {(e.digest_id, e.item.position): e for e in self.view.items}
        changed = {key: value for key, value in read.items() if key in entries and entries[key].read != value}
        if not changed:
            return
        self.view = self.view.with_marks(read=changed)
        self.viewer.show_marks(self.view)
        by_week: dict[str, dict[int, bool]] = {}
        for (digest_id, position), value in changed.items():
            by_week.setdefault(digest_id, {})[position] = value
            if self._read is not None:
                self._read.add(entries[digest_id, position].item.district, 1 if value else -1)
        counts = self.lists.counts  # the shown week's counts, pinned until the list is read again
        unread = self.lists.unread
        for digest_id, marks in by_week.items():
            if digest_id in counts:
                # Read (a block not read yet comes from the store) before the write is queued: the
                # writer may commit it first, and the block would then hold the mark and the delta be lost.
                delta = sum(-1 if v else 1 for v in marks.values())
                old = counts[digest_id]
                counts[digest_id] = old.marked(delta)
                unread += counts[digest_id].unread - old.unread
                self.week_list.set_counts(digest_id, counts[digest_id])
            for value in (True, False):
                positions = [p for p, v in marks.items() if v is value]
                if positions:
                    self._write(set_items_read, digest_id, positions, value)
                    self._last_read_write = self._unwritten[digest_id] = self.writer.submitted
            self._forget_prepared(digest_id)  # (the starred view marks items of other weeks)
        for (digest_id, position), value in changed.items():  # after the counts above read theirs
            self._kept.mark(digest_id, entries[digest_id, position].item.district, -1 if value else 1)
        self.lists = self.lists._replace(unread=unread)
        if status:
            self.update_status()

    # -- actions (the screen scope of the command table) ---------------------------------------

    def open_week(self, digest_id: str) -> None:
        """Show a week to read it: what is drawn whole on screen becomes read."""
        self.show_week(digest_id, reading=True)
        if digest_id != STARRED_ID:
            self._save(SETTING_WEEK, digest_id)

    def set_districts(self, districts: frozenset[str]) -> None:
        self.districts = districts
        self._save(SETTING_DISTRICTS, ",".join(sorted(districts)))

    def action_next_week(self) -> None:
        target = self.week_list.neighbour(+1)
        if target:
            self.open_week(target)

    def action_previous_week(self) -> None:
        target = self.week_list.neighbour(-1)
        if target:
            self.open_week(target)

    def _unread_neighbour(self, step: int) -> str | None:
        """The next listed week with an unread item (the read weeks come from the read marks, once)."""
        listed, ids = self.lists.weeks, self.lists.ids
        index = listed.index(self.digest_id) if self.digest_id in listed else (-1 if step > 0 else len(ids))
        index += step
        while 0 <= index < len(ids):
            if listed.has_unread(ids[index]):
                return ids[index]
            index += step
        return None

    def action_next_unread(self) -> None:
        target = self._unread_neighbour(+1)
        if target:
            self.open_week(target)
        else:
            self.app.notify(self.t("notice.no_unread"), markup=False, timeout=2)

    def action_previous_unread(self) -> None:
        target = self._unread_neighbour(-1)
        if target:
            self.open_week(target)
        else:
            self.app.notify(self.t("notice.no_unread"), markup=False, timeout=2)

    def action_page_forward(self) -> None:
        """`space`: a page down in the viewer; at the end, the next week."""
        viewer = self.viewer
        viewer.reading = True
        self._read_what_is_shown()  # paging on is having read this page
        if viewer.scroll_y < viewer.max_scroll_y:
            viewer.scroll_to(y=viewer.page_down_target(), animate=False, immediate=True)
            viewer.follow_scroll()
            self._read_what_is_shown()
        else:
            self.action_next_week()

    def action_page_back(self) -> None:
        viewer = self.viewer
        if viewer.scroll_y > 0:
            viewer.reading = True
            viewer.scroll_to(y=viewer.scroll_y - viewer.scrollable_content_region.height, animate=False,
                             immediate=True)
            viewer.follow_scroll()
            self._read_what_is_shown()
        else:
            self.action_previous_week()

    def action_next_item(self) -> None:
        self._step_item(+1)

    def action_previous_item(self) -> None:
        self._step_item(-1)

    def _step_item(self, delta: int) -> None:
        self.viewer.reading = True
        entry = self.viewer.current_entry if self.viewer.step(delta) is not None else None
        if entry is not None:
            self._mark({(entry[0], entry[1].position): True})

    @on(ArticleViewer.ItemClicked)
    def _item_clicked(self) -> None:
        entry = self.viewer.current_entry
        if entry is not None:
            self._mark({(entry[0], entry[1].position): True})

    def action_clear_filter(self) -> None:
        self.set_districts(frozenset())
        self.set_watch(None)

    def action_toggle_starred_only(self) -> None:
        self.starred_only = not self.starred_only
        self._save(SETTING_STARRED_ONLY, "1" if self.starred_only else "0")

    def action_toggle_unread_only(self) -> None:
        self.unread_only = not self.unread_only
        self._save(SETTING_UNREAD_ONLY, "1" if self.unread_only else "0")

    def action_toggle_sidebar(self) -> None:
        self.sidebar = not self.sidebar
        if self.sidebar:
            self.district_filter.focus()

    def action_toggle_read(self) -> None:
        """`u`: the current item when the viewer has one and focus, else the week's shown items."""
        if self.digest_id is None:
            return
        entry = self.viewer.current_entry_record if self.viewer.has_focus or self.digest_id == STARRED_ID else None
        if entry is not None:
            self._mark({(entry.digest_id, entry.item.position): not entry.read})
            self.app.notify(self.t("notice.marked_unread" if entry.read else "notice.marked_read"), markup=False,
                            timeout=2)
        else:
            self.action_mark_week_read()

    def action_mark_week_read(self) -> None:
        """`m`: the shown items of the week read — or unread, when they all are already."""
        items = self.view.items
        if not items:
            return
        value = not all(entry.read for entry in items)
        self.viewer.reading = False  # what is on screen now is not re-read right after `m` unread
        self._mark({(e.digest_id, e.item.position): value for e in items})
        self.app.notify(self.t("notice.marked_read" if value else "notice.marked_unread"), markup=False, timeout=2)

    def action_mark_all_read(self) -> None:
        """`M`: every item the filter shows, in every week, after a yes (under a watch: its matches)."""
        from .confirm_screen import ConfirmScreen

        unread = self.lists.unread
        if not unread:
            self.app.notify(self.t("notice.no_unread"), markup=False, timeout=2)
            return
        question = self.t("confirm.mark_all", n=unread)
        watched = self.watch_filter[1] if self.watch_filter is not None else None

        def answered(yes: bool | None) -> None:
            if yes:
                self._write(mark_all_read, self.districts, watched)
                self._last_read_write = self._bulk_write = self.writer.submitted
                self._forget_prepared()
                self._prepare_again()  # (once `M`'s write has landed: `_readable`)
                self._read = None  # counted again (after the write, `_refresh_wanted`)
                self._kept.clear()
                self.lists.weeks.zero_unread()
                self.lists = self.lists._replace(unread=0)
                self.week_list.redraw_counts()
                # What the write marks, in the view the watch filters and in the one before it
                # (which comes back when the watch is cleared: `refiltered`).
                self.view = self.view.with_marks(read={
                    (e.digest_id, e.item.position): True for e in self.view.every_item or self.view.items
                    if (not self.districts or e.item.district in self.districts)
                    and (watched is None or (e.digest_id, e.item.position) in watched)})
                self.viewer.show_marks(self.view)
                self.update_status()

        self.app.push_screen(ConfirmScreen(question, self.t), answered)

    # -- archive: stars, search, timeline, activity, export ------------------------------------

    def action_toggle_star(self) -> None:
        """`s`: star or unstar the current item (pick one with ] and [)."""
        entry = self.viewer.current_entry_record
        if entry is None:
            self.app.notify(self.t("notice.no_item"), markup=False, timeout=3)
            return
        starred = not entry.starred
        self._write(set_starred, entry.digest_id, entry.item.position, starred)
        self._unwritten[entry.digest_id] = self.writer.submitted
        self._forget_prepared(entry.digest_id)
        self.view = self.view.with_marks(starred={(entry.digest_id, entry.item.position): starred})
        self.viewer.show_marks(self.view)
        self.week_list.set_starred_count(max(0, self.week_list.starred_count + (1 if starred else -1)))
        self.app.notify(self.t("notice.starred" if starred else "notice.unstarred"), markup=False, timeout=2)

    def action_search(self) -> None:
        from .search_screen import SearchScreen

        self.app.push_screen(SearchScreen(self.store, self.t), self.jump_to)

    def action_timeline(self) -> None:
        """`t`: the district under the sidebar cursor, else the current item's, else a one-district filter."""
        code = self.district_filter.highlighted_code if self.district_filter.has_focus else None
        if code is None and self.viewer.current_item is not None:
            code = self.viewer.current_item.district
        if code is None and len(self.districts) == 1:
            (code,) = self.districts
        if code is None:
            code = self.district_filter.highlighted_code if self.sidebar else None
        if code is None:
            self.app.notify(self.t("timeline.pick"), markup=False, timeout=3)
            return
        from .search_screen import TimelineScreen

        self.app.push_screen(TimelineScreen(self.store, self.t, code), self.jump_to)

    def action_stats(self) -> None:
        from .stats_screen import StatsScreen

        self.app.push_screen(StatsScreen(self.store, self.t))

    def jump_to(self, jump) -> None:
        """Open the week of a search or timeline result with that item current (clearing a filter
        that would hide it)."""
        if jump is None:
            return
        items = {item.position: item for item in self.store.items_for(jump.digest_id)}
        item = items.get(jump.position)
        if item is not None and self.districts and item.district not in self.districts:
            self.set_districts(frozenset())
        if self.watch_filter is not None and (jump.digest_id, jump.position) not in self.watch_filter[1]:
            self.set_watch(None)
        self.open_week(jump.digest_id)
        self.viewer.show_item(jump.digest_id, jump.position)
        self.viewer.focus()

    def action_export(self) -> None:
        """`e`: ask for a format and a file (prefilled), then write what the viewer shows."""
        from sz_digest.cache.export import WeekItems, render

        from .export_screen import ExportScreen

        groups: list = []
        for digest_id, item in zip(self.viewer.shown_weeks, self.viewer.shown):
            if not groups or groups[-1][0] != digest_id:
                groups.append((digest_id, []))
            groups[-1][1].append(item)
        weeks = [(self.store.week(digest_id), items) for digest_id, items in groups]
        export = [WeekItems(week, items) for week, items in weeks if week is not None]
        if not export:
            self.app.notify(self.t("notice.export_empty"), markup=False, timeout=3)
            return
        count = sum(len(group.items) for group in export)
        stem = export_name(export, self.districts, self.digest_id).removesuffix(".md")

        def chosen(answer) -> None:
            if answer is not None:
                fmt, path = answer
                self.app.write_export(path, render(fmt, export), count)

        self.app.push_screen(ExportScreen(self.t, self.app.export_folder(), stem, count), chosen)

    def action_open_source(self) -> None:
        week = self.store.week(self.digest_id) if self.digest_id and self.digest_id != STARRED_ID else None
        if week is None:
            self.app.notify(self.t("notice.no_week"), markup=False)
            return
        attachments = self.store.attachments(week.id)
        if not attachments:
            self.app.open_url(week.url)
            return
        from .attachment_picker import AttachmentPicker

        self.app.push_screen(AttachmentPicker(self.t, week.url, attachments),
                             lambda url: self.app.open_url(url) if url else None)

    def _copy_entry(self):
        entry = self.viewer.current_entry_record
        if entry is None and len(self.view.items) == 1:
            entry = self.view.items[0]
        if entry is None:
            self.app.notify(self.t("notice.no_item"), markup=False, timeout=3)
        return entry

    def action_copy_item(self) -> None:
        """`y`: the current item's title and paragraphs, as plain text."""
        entry = self._copy_entry()
        if entry is not None:
            text = "\n\n".join([clean_line(entry.item.title), *(clean_text(p).strip() for p in entry.item.paragraphs)])
            self.app.copy_text(text, self.t("notice.copy_item"))

    def action_copy_citation(self) -> None:
        """`Y`: `[title](url) — district, week` for notes and reports."""
        from .handoff import markdown_citation

        entry = self._copy_entry()
        if entry is None:
            return
        week = self.store.week(entry.digest_id)
        if week is None:
            return
        citation = markdown_citation(clean_line(entry.item.title), display.safe_url(week.url) or week.url,
                                     clean_line(self.t.district(entry.item.district, entry.item.district_name)),
                                     f"{week.week_start.isoformat()} → {week.week_end.isoformat()}")
        self.app.copy_text(citation, self.t("notice.copy_citation"))

    def action_refresh(self) -> None:
        self.app.start_refresh(manual=True)

    def action_help(self) -> None:
        self.app.show_help()

    # -- store writes ----------------------------------------------------------------------------

    def _write(self, write, *args) -> bool:
        """Queue a store write on the writer thread; a read-only store is reported once."""
        if self.store.read_only:
            self._report_store_error(self.store.read_only_reason)
            return False
        self.writer.submit(write, *args)
        return True

    def _report_store_error(self, error: str) -> None:
        if not self._store_error_shown:
            self._store_error_shown = True
            self.app.notify(self.t("notice.store_error", error=display.plain_line(error)), markup=False,
                            severity="warning")

    def _save(self, key: str, value: str) -> None:
        if self._settings.get(key) != value:
            self._settings[key] = value
            self._write(save_setting, key, value)


def save_setting(store: Store, key: str, value: str) -> None:
    store.set_setting(key, value)


def count_watches(store: Store, done) -> None:
    """The sidebar's badges (a writer-thread job that writes nothing): `done(counts)`."""
    from sz_digest.cache.errors import DigestError
    from sz_digest.cache.watches import unread_counts

    try:
        counts = unread_counts(store)
    except (DigestError, sqlite3.Error):  # badges are a comfort: never a crash
        counts = {}
    done(counts)


def watch_matches(store: Store, name: str, done) -> None:
    """`done((name, match keys))` for watch `name` (a writer-thread job that writes nothing); None
    when the watch is gone, the error when its query cannot run."""
    from sz_digest.cache.watches import get_watch, match_keys

    try:
        watch = get_watch(store, name)
        found = None if watch is None else (watch.name, frozenset(match_keys(store, watch.query)))
    except Exception as exc:  # noqa: BLE001 — handed back and shown: the choice must not stay pending
        found = exc
    done(found)


def export_name(groups, districts: frozenset[str], digest_id: str | None) -> str:
    """A file name from dates and district codes only: nothing scraped ever becomes a path."""
    if digest_id == STARRED_ID:
        stem = "sz-digest-starred"
    else:
        stem = f"sz-digest-{groups[0].week.week_start.isoformat()}"
    if districts:
        stem += "-" + "-".join(sorted(districts))
    return stem + ".md"


def source_host(url: str) -> str:
    """The host part of a source URL, for the status line (plain text, never markup)."""
    from urllib.parse import urlsplit

    try:
        return display.plain_line(urlsplit(url).netloc)
    except ValueError:
        return ""


def last_synced_text(store: Store, t: Catalog) -> str:
    when = store.last_sync()
    if when is None:
        return t("status.never_synced")
    return t("status.last_synced", when=format_when(when))


def format_when(when: datetime) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M")
