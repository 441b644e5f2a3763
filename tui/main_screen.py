"""The reader's main screen: district filter | week list | article viewer, plus a status line.

The screen owns the state (selected week, district filter, sidebar) as typed reactives and pushes it
down to the panes with `data_bind`; panes report what the user did with messages. Store writes
(read state, settings) happen here, so the panes stay read-only views.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sz_digest.cache.errors import StoreError
from sz_digest.cache.setting_keys import TUI_DISTRICT_FILTER, TUI_SELECTED_WEEK
from textual import getters, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.widgets._footer import FooterKey
from textual.widgets._header import HeaderTitle

from . import display
from .article_viewer import ArticleViewer
from .commands import bindings, localised
from .district_filter import DistrictFilter
from .i18n import Catalog
from .week_list import STARRED_ID, WeekList

if TYPE_CHECKING:
    from sz_digest.cache.model import Item
    from sz_digest.cache.store import Store

SETTING_WEEK = TUI_SELECTED_WEEK
SETTING_DISTRICTS = TUI_DISTRICT_FILTER
NARROW = 100  # below this many columns the sidebar starts hidden


class DigestHeader(Header):
    """The Header, with the selected week's title as its sub-title.

    Setting `Screen.sub_title` would repaint the whole screen and lay it out again (the Header's
    title is a Static updated with a layout); the title row has a fixed size, so redraw just it.
    """

    def __init__(self, *, icon: str) -> None:
        super().__init__(icon=icon)
        self._sub_title = ""

    def format_title(self) -> Content:
        return self.app.format_title(self.screen_title, self._sub_title)

    def set_sub_title(self, text: str) -> None:
        if text != self._sub_title:
            self._sub_title = text
            if self.is_mounted:
                self.query_one(HeaderTitle).update(self.format_title(), layout=False)


class DigestFooter(Footer):
    """The Footer, with each key made compact or not before it mounts.

    Textual's `FooterKey` starts compact and is then bound to the Footer's setting, so every key is
    restyled twice as it mounts: most of the work between the first frame and the Footer's keys.
    """

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            # The command-palette key is not bound to the Footer's setting: it keeps its own.
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget


class MainScreen(Screen[None]):
    """Three panes; the screen-level keys of the command table live here."""

    SCOPES = ("screen",)
    BINDINGS = bindings(SCOPES, "en")
    # Focus starts on the week list: auto-focusing the sidebar first and moving focus on mount
    # would restyle and repaint both panes before the first frame.
    AUTO_FOCUS = "#weeks"

    # `var`: a change repaints only the panes bound to it, never the whole screen.
    digest_id: var[str | None] = var(None, init=False)
    """The week shown in the viewer (or `STARRED_ID` for the starred items)."""
    districts: var[frozenset[str]] = var(frozenset(), init=False)
    """The district filter; empty means every district."""
    watch_filter: var[tuple[str, frozenset[tuple[str, int]]] | None] = var(None, init=False)
    """A saved search chosen in the sidebar (name, matching items): filters the viewer as districts do."""
    sidebar: var[bool] = var(True, init=False)
    status: var[str] = var("", init=False)
    """Transient status (sync progress); empty shows the resting summary."""

    district_filter = getters.query_one("#districts", DistrictFilter)
    week_list = getters.query_one("#weeks", WeekList)
    viewer = getters.query_one("#viewer", ArticleViewer)
    status_line = getters.query_one("#status", Static)
    header = getters.query_one(DigestHeader)

    layout_warning: str | None = None  # cache/health.py: the site's pages stopped looking like the archive

    def __init__(self, store: Store, t: Catalog, *, start_week: str | None, start_districts: list[str] | None,
                 offline: bool) -> None:
        super().__init__(id="main")
        self.store = store
        self.t = t
        self.start_week = start_week
        self.start_districts = start_districts
        self.offline = offline
        self._store_error_shown = False

    @classmethod
    def for_lang(cls, lang: str) -> type[MainScreen]:
        return localised(cls, lang)

    def compose(self) -> ComposeResult:
        t = self.t
        yield DigestHeader(icon="≡")
        with Horizontal(id="panes"):
            sidebar = localised(DistrictFilter, t.lang)(self.store, t, id="districts")
            sidebar.border_title = t("pane.districts")
            yield sidebar.data_bind(MainScreen.digest_id, MainScreen.districts, MainScreen.watch_filter)
            weeks = localised(WeekList, t.lang)(t, id="weeks")
            weeks.border_title = t("pane.weeks")
            yield weeks.data_bind(MainScreen.digest_id)
            viewer = localised(ArticleViewer, t.lang)(self.store, t, id="viewer")
            viewer.border_title = t("pane.article")
            yield viewer.data_bind(MainScreen.digest_id, MainScreen.districts, MainScreen.watch_filter)
        yield Static(id="status", markup=False)
        yield DigestFooter()

    def on_mount(self) -> None:
        self.sidebar = self.app.size.width >= NARROW
        self.reload_weeks()
        ids = {week.id for week in self.week_list.weeks}
        remembered = self.store.get_setting(SETTING_WEEK)
        if self.start_week in ids:
            first = self.start_week
        elif remembered in ids:
            first = remembered
        else:
            first = self.week_list.weeks[0].id if self.week_list.weeks else None
        if self.start_districts is not None:
            self.districts = frozenset(self.start_districts)
            self._save(SETTING_DISTRICTS, ",".join(sorted(self.districts)))
        else:
            saved = self.store.get_setting(SETTING_DISTRICTS) or ""
            from sz_digest.cache.districts import BY_CODE

            self.districts = frozenset(code for code in saved.split(",") if code in BY_CODE)
        self.digest_id = first
        self.update_status()
        self.call_after_refresh(self.app.main_ready)

    # -- state pushed down ---------------------------------------------------------------------

    def watch_digest_id(self, digest_id: str | None) -> None:
        week = self.store.week(digest_id) if digest_id and digest_id != STARRED_ID else None
        if digest_id == STARRED_ID:
            self.header.set_sub_title(self.t("starred.title"))
        else:
            self.header.set_sub_title(display.plain_line(week.title) if week else "")

    def watch_districts(self) -> None:
        self.update_status()

    def watch_watch_filter(self) -> None:
        self.update_status()

    def watch_sidebar(self, sidebar: bool) -> None:
        self.district_filter.display = sidebar
        if not sidebar and self.district_filter.has_focus:
            self.week_list.focus()

    def on_resize(self, event) -> None:
        narrow = event.size.width < NARROW
        self.set_class(narrow, "-narrow")
        footer = self.query_one(Footer)
        footer.compact = narrow
        footer.show_command_palette = not narrow  # room for `q Quit`; help lists ctrl+p

    def watch_status(self) -> None:
        self.update_status()

    def update_status(self) -> None:
        """The status line: transient progress, else weeks stored · last synced · offline · filter."""
        if self.status:
            self.status_line.update(Content(self.status), layout=False)  # one row, fixed by the CSS
            return
        t = self.t
        parts = [t("status.weeks", n=len(self.week_list.weeks))]
        parts.append(last_synced_text(self.store, t))
        if self.offline:
            parts.append(t("status.offline"))
        if self.districts:
            parts.append(t("status.filter", names="、".join(t.district(c) for c in sorted(self.districts))))
        if self.watch_filter is not None:
            parts.append(t("status.watch", name=self.watch_filter[0]))
        degraded = sum(1 for week in self.week_list.weeks if week.degraded)
        if degraded:
            parts.append(t("status.degraded", n=degraded))
        if self.layout_warning:
            parts.insert(0, t("status.layout_changed"))
        self.status_line.update(Content(" · ".join(parts)), layout=False)

    def reload_weeks(self) -> None:
        """Re-read the week list from the store (after a sync), keeping the selection."""
        weeks = self.store.weeks()
        from sz_digest.cache.health import layout_warning

        self.layout_warning = layout_warning(self.store)
        self.week_list.show_weeks(weeks, starred_count=len(self.store.starred()))
        if self.digest_id is None and weeks:
            self.digest_id = weeks[0].id
        self.update_status()

    # -- messages up ---------------------------------------------------------------------------

    @on(WeekList.WeekHighlighted)
    def _week_highlighted(self, event: WeekList.WeekHighlighted) -> None:
        self.digest_id = event.digest_id

    @on(WeekList.WeekOpened)
    def _week_opened(self, event: WeekList.WeekOpened) -> None:
        self.open_week(event.digest_id)
        self.viewer.focus()

    @on(DistrictFilter.Toggled)
    def _district_toggled(self, event: DistrictFilter.Toggled) -> None:
        self.set_districts(self.districts ^ {event.code})

    @on(DistrictFilter.WatchChosen)
    def _watch_chosen(self, event: DistrictFilter.WatchChosen) -> None:
        """A saved search in the sidebar filters the viewer to its matches; chosen again, it stops."""
        self.set_watch(None if self.watch_filter is not None and self.watch_filter[0] == event.name else event.name)

    def set_watch(self, name: str | None) -> None:
        """Filter by watch `name` (None: no watch), its matches read afresh from the store."""
        from sz_digest.cache.errors import DigestError
        from sz_digest.cache.watches import get_watch, match_keys

        watch = get_watch(self.store, name) if name is not None else None
        try:
            self.watch_filter = (watch.name, frozenset(match_keys(self.store, watch.query))) if watch else None
        except DigestError as exc:  # a query an older or newer sz-digest wrote: say so, filter nothing
            self.watch_filter = None
            self.app.notify(display.plain_line(str(exc)), markup=False, severity="warning")

    @on(DistrictFilter.Cleared)
    @on(ArticleViewer.ClearFilterRequested)
    def _filter_cleared(self) -> None:
        self.set_districts(frozenset())
        self.watch_filter = None

    # -- actions (the screen scope of the command table) ---------------------------------------

    def open_week(self, digest_id: str) -> None:
        """Show a week and mark it read: opening is reading."""
        self.digest_id = digest_id
        if digest_id == STARRED_ID:
            return
        self._save(SETTING_WEEK, digest_id)
        week = self.store.week(digest_id)
        if week is not None and not week.read:
            self._write(self.store.set_read, digest_id, True)
            self._refresh_week(digest_id)

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

    def action_next_item(self) -> None:
        self._step_item(+1)

    def action_previous_item(self) -> None:
        self._step_item(-1)

    def _step_item(self, delta: int) -> None:
        self._mark_item_read(self.viewer.step(delta))

    @on(ArticleViewer.ItemClicked)
    def _item_clicked(self) -> None:
        self._mark_item_read(self.viewer.current_item)

    def _mark_item_read(self, item: Item | None) -> None:
        """The item just made current counts as read (as stepping onto it with `]` does)."""
        if item is not None and self.digest_id and self.digest_id != STARRED_ID:
            if item.position not in self.store.read_positions(self.digest_id):
                self._write(self.store.set_item_read, self.digest_id, item.position, True)
                self.viewer.refresh_marks()

    def action_clear_filter(self) -> None:
        self.set_districts(frozenset())
        self.watch_filter = None

    def action_toggle_sidebar(self) -> None:
        self.sidebar = not self.sidebar
        if self.sidebar:
            self.district_filter.focus()

    def action_toggle_read(self) -> None:
        """`u`: the current item when the viewer has one and focus, else the selected week."""
        if self.digest_id is None:
            return
        entry = self.viewer.current_entry if self.viewer.has_focus or self.digest_id == STARRED_ID else None
        if entry is not None:
            self._toggle_item_read(*entry)
        elif self.digest_id != STARRED_ID:
            week = self.store.week(self.digest_id)
            if week is None:
                return
            if self._write(self.store.set_read, week.id, not week.read):
                self._refresh_week(week.id)
                self.app.notify(self.t("notice.marked_unread" if week.read else "notice.marked_read"),
                                markup=False, timeout=2)

    def _toggle_item_read(self, digest_id: str, item: Item) -> None:
        week = self.store.week(digest_id)
        if week is None:
            return
        read = self.store.read_positions(digest_id)
        was_read = week.read or item.position in read
        if was_read:
            if week.read:
                # The week-level flag covers every item: unset it, keep the others read.
                others = [i.position for i in self.store.items_for(digest_id) if i.position != item.position]
                self._write(self.store.set_read, digest_id, False)
                for position in others:
                    self._write(self.store.set_item_read, digest_id, position, True)
            else:
                self._write(self.store.set_item_read, digest_id, item.position, False)
        else:
            self._write(self.store.set_item_read, digest_id, item.position, True)
            positions = {i.position for i in self.store.items_for(digest_id)}
            if positions <= self.store.read_positions(digest_id):
                self._write(self.store.set_read, digest_id, True)
        self._refresh_week(digest_id)
        self.app.notify(self.t("notice.marked_unread" if was_read else "notice.marked_read"), markup=False,
                        timeout=2)

    def _refresh_week(self, digest_id: str) -> None:
        week = self.store.week(digest_id)
        if week is not None:
            self.week_list.update_week(week)
        self.viewer.refresh_marks()
        if self.district_filter.watch_counts:  # read state moved: the watches' unread badges too
            self.district_filter.refresh_watches()

    # -- archive: stars, search, timeline, activity, export ------------------------------------

    def action_toggle_star(self) -> None:
        """`s`: star or unstar the current item (pick one with ] and [)."""
        entry = self.viewer.current_entry
        if entry is None:
            self.app.notify(self.t("notice.no_item"), markup=False, timeout=3)
            return
        digest_id, item = entry
        starred = item.position not in self.store.starred_positions(digest_id)
        if self._write(self.store.set_starred, digest_id, item.position, starred):
            self.viewer.refresh_marks()
            self.week_list.set_starred_count(len(self.store.starred()))
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
            self.watch_filter = None
        self.open_week(jump.digest_id)
        self.viewer.show_item(jump.digest_id, jump.position)
        self.viewer.focus()

    def action_export(self) -> None:
        """`e`: write what the viewer shows to a Markdown file and say where it went."""
        from sz_digest.cache.export import WeekItems, to_markdown

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
        self.app.export_markdown(to_markdown(export), export_name(export, self.districts, self.digest_id),
                                 sum(len(group.items) for group in export))

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

    def action_refresh(self) -> None:
        self.app.start_refresh(manual=True)

    def action_help(self) -> None:
        self.app.show_help()

    # -- store writes --------------------------------------------------------------------------

    def _write(self, method, *args) -> bool:
        """Run a store write; a read-only or full store is reported once and reading goes on."""
        try:
            method(*args)
        except StoreError as exc:
            if not self._store_error_shown:
                self._store_error_shown = True
                self.app.notify(self.t("notice.store_error", error=display.plain_line(str(exc))),
                                markup=False, severity="warning")
            return False
        return True

    def _save(self, key: str, value: str) -> None:
        if self.store.get_setting(key) != value:
            self._write(self.store.set_setting, key, value)


def export_name(groups, districts: frozenset[str], digest_id: str | None) -> str:
    """A file name from dates and district codes only: nothing scraped ever becomes a path."""
    if digest_id == STARRED_ID:
        stem = "sz-digest-starred"
    else:
        stem = f"sz-digest-{groups[0].week.week_start.isoformat()}"
    if districts:
        stem += "-" + "-".join(sorted(districts))
    return stem + ".md"


def last_synced_text(store: Store, t: Catalog) -> str:
    when = store.last_sync()
    if when is None:
        return t("status.never_synced")
    return t("status.last_synced", when=format_when(when))


def format_when(when: datetime) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M")
