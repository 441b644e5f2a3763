"""The reader's main screen: district filter | week list | article viewer, plus a status line.

The screen owns the state (selected week, district filter, sidebar) as typed reactives and pushes it
down to the panes with `data_bind`; panes report what the user did with messages. Store writes
(read state, settings) happen here, so the panes stay read-only views.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sz_digest.cache.errors import StoreError
from textual import getters, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from . import display
from .article_viewer import ArticleViewer
from .commands import bindings, localised
from .district_filter import DistrictFilter
from .i18n import Catalog
from .week_list import STARRED_ID, WeekList

if TYPE_CHECKING:
    from sz_digest.cache.model import Item
    from sz_digest.cache.store import Store

SETTING_WEEK = "tui.selected_week"
SETTING_DISTRICTS = "tui.district_filter"
NARROW = 100  # below this many columns the sidebar starts hidden


class MainScreen(Screen[None]):
    """Three panes; the screen-level keys of the command table live here."""

    SCOPES = ("screen",)
    BINDINGS = bindings(SCOPES, "en")

    digest_id: reactive[str | None] = reactive(None, init=False)
    """The week shown in the viewer (or `STARRED_ID` for the starred items)."""
    districts: reactive[frozenset[str]] = reactive(frozenset(), init=False)
    """The district filter; empty means every district."""
    sidebar: reactive[bool] = reactive(True, init=False)
    status: reactive[str] = reactive("", init=False)
    """Transient status (sync progress); empty shows the resting summary."""

    district_filter = getters.query_one("#districts", DistrictFilter)
    week_list = getters.query_one("#weeks", WeekList)
    viewer = getters.query_one("#viewer", ArticleViewer)
    status_line = getters.query_one("#status", Static)

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
        yield Header(icon="≡")
        with Horizontal(id="panes"):
            sidebar = localised(DistrictFilter, t.lang)(self.store, t, id="districts")
            sidebar.border_title = t("pane.districts")
            yield sidebar.data_bind(MainScreen.digest_id, MainScreen.districts)
            weeks = localised(WeekList, t.lang)(t, id="weeks")
            weeks.border_title = t("pane.weeks")
            yield weeks.data_bind(MainScreen.digest_id)
            viewer = localised(ArticleViewer, t.lang)(self.store, t, id="viewer")
            viewer.border_title = t("pane.article")
            yield viewer.data_bind(MainScreen.digest_id, MainScreen.districts)
        yield Static(id="status", markup=False)
        yield Footer()

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
        self.week_list.focus()
        self.update_status()
        self.call_after_refresh(self.app.main_ready)

    # -- state pushed down ---------------------------------------------------------------------

    def watch_digest_id(self, digest_id: str | None) -> None:
        week = self.store.week(digest_id) if digest_id and digest_id != STARRED_ID else None
        if digest_id == STARRED_ID:
            self.sub_title = self.t("starred.title")
        else:
            self.sub_title = display.plain_line(week.title) if week else ""

    def watch_districts(self) -> None:
        self.update_status()

    def watch_sidebar(self, sidebar: bool) -> None:
        self.district_filter.display = sidebar
        if not sidebar and self.district_filter.has_focus:
            self.week_list.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Keys of the command table whose feature is not built yet stay out of the Footer.
        if "." not in action and not hasattr(self, f"action_{action}"):
            return False
        return True

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
            self.status_line.update(Content(self.status))
            return
        t = self.t
        parts = [t("status.weeks", n=len(self.week_list.weeks))]
        parts.append(last_synced_text(self.store, t))
        if self.offline:
            parts.append(t("status.offline"))
        if self.districts:
            parts.append(t("status.filter", names="、".join(t.district(c) for c in sorted(self.districts))))
        self.status_line.update(Content(" · ".join(parts)))

    def reload_weeks(self) -> None:
        """Re-read the week list from the store (after a sync), keeping the selection."""
        weeks = self.store.weeks()
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

    @on(DistrictFilter.Cleared)
    @on(ArticleViewer.ClearFilterRequested)
    def _filter_cleared(self) -> None:
        self.set_districts(frozenset())

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
        item = self.viewer.step(delta)
        if item is not None and self.digest_id and self.digest_id != STARRED_ID:
            if item.position not in self.store.read_positions(self.digest_id):
                self._write(self.store.set_item_read, self.digest_id, item.position, True)
                self.viewer.refresh_marks()

    def action_clear_filter(self) -> None:
        self.set_districts(frozenset())

    def action_toggle_sidebar(self) -> None:
        self.sidebar = not self.sidebar
        if self.sidebar:
            self.district_filter.focus()

    def action_toggle_read(self) -> None:
        """`u`: the current item when the viewer has one and focus, else the selected week."""
        if self.digest_id is None or self.digest_id == STARRED_ID:
            return
        item = self.viewer.current_item if self.viewer.has_focus else None
        if item is not None:
            self._toggle_item_read(self.digest_id, item)
        else:
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
        if digest_id == self.digest_id:
            self.viewer.refresh_marks()

    def action_open_source(self) -> None:
        week = self.store.week(self.digest_id) if self.digest_id and self.digest_id != STARRED_ID else None
        if week is None:
            self.app.notify(self.t("notice.no_week"), markup=False)
            return
        self.app.open_url(week.url)

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


def last_synced_text(store: Store, t: Catalog) -> str:
    when = store.last_sync()
    if when is None:
        return t("status.never_synced")
    return t("status.last_synced", when=format_when(when))


def format_when(when: datetime) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M")
