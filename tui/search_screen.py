"""Archive search (`/`) and the district timeline (`t`): lists of items that jump to their week.

Both dismiss with a `Jump` (the item's digest id and position) or None; the main screen opens it.
Results are built from scraped text as `Content`, with match highlights applied as spans.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sz_digest.cache.errors import DigestError
from sz_digest.cache.query import search_counted
from sz_digest.cache.text import clean_line
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.content import Content
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from .i18n import Catalog

if TYPE_CHECKING:
    from sz_digest.cache.model import SearchHit, TimelineEntry
    from sz_digest.cache.store import Store

DEBOUNCE = 0.2  # seconds of quiet typing before a search runs
BUSY_AFTER = 0.15  # seconds a search may run before the count line says it is searching
SEARCH_LIMIT = 100  # results the screen lists (the CLI's --limit does the same job)


@dataclass(frozen=True, slots=True)
class Jump:
    digest_id: str
    position: int


# The panel both list screens draw in (each screen's DEFAULT_CSS is parsed when it is first shown,
# not before the reader's first frame).
_PANEL_CSS = """
    {screen} {{
        align: center middle;
    }}
    #{name}-body {{
        width: 90%;
        max-width: 110;
        height: 85%;
        border: round $accent;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }}
    #{name}-results {{
        height: 1fr;
        border: none;
        padding: 0;
    }}
"""


class ResultList(OptionList):
    """Results; `j`/`k` move as everywhere else, `enter` jumps."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="cursor.down"),
        Binding("k", "cursor_up", "Up", show=False, id="cursor.up"),
    ]


def hit_prompt(hit: SearchHit, t: Catalog) -> Content:
    """`2026-03-09  南山区  title` over the snippet, the query highlighted (spans index the snippet)."""
    head = Content.assemble((hit.week_start.isoformat(), "dim"), "  ",
                            (clean_line(t.district(hit.district, hit.district_name)), "bold $accent"), "  ",
                            (clean_line(hit.title), "bold"))
    snippet_text = hit.snippet.replace("\n", " ")
    snippet = Content("  " + snippet_text)
    if clean_line(snippet_text) == snippet_text:  # spans index the raw snippet: only trust them if unchanged
        for start, end in hit.spans:
            snippet = snippet.stylize("reverse bold", start + 2, end + 2)
    else:
        snippet = Content("  " + clean_line(snippet_text))
    return Content("\n").join([head, snippet.stylize("dim")])


class SearchScreen(ModalScreen[Jump | None]):
    """A search field over every stored item; results update as you type (debounced)."""

    BINDINGS = [
        Binding("escape", "dismiss_none", "Back", show=False),
        Binding("down", "results", "Results", show=False),
        Binding("ctrl+s", "save_watch", "Save as watch", show=False, id="search.save_watch"),
    ]
    DEFAULT_CSS = _PANEL_CSS.format(screen="SearchScreen", name="search") + """
    #search-input {
        margin: 1 0 0 0;
        border: none;
        background: $boost;
    }
    #search-count {
        height: 1;
        color: $text-muted;
        padding: 0 1;
    }
    """

    def __init__(self, store: Store, t: Catalog, query: str = "") -> None:
        super().__init__()
        self.store = store
        self.t = t
        self.initial_query = query  # a watch chosen in the sidebar opens its query here
        self.hits: list[SearchHit] = []
        self._timer: Timer | None = None
        self.searching: str | None = None  # the query a search worker is running for, if any
        self.shown_query: str | None = None  # the query whose results are on screen
        self._submitted_query: str | None = None  # enter pressed: move into its results when they arrive
        self._busy_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="search-body") as body:
            body.border_title = self.t("search.title")
            body.border_subtitle = self.t("search.hint_watch")
            yield Input(self.initial_query, placeholder=self.t("search.placeholder"), id="search-input", compact=True)
            yield Static(id="search-count", markup=False)
            yield ResultList(id="search-results", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        if self.initial_query:
            self.run_search()
        else:
            self._index()

    def on_unmount(self) -> None:
        # Closed, or the reader quits (which waits for its worker threads): indexing stops after
        # its batch, and the next search goes on with it.
        self.store.interrupt_indexing()

    @work(thread=True, exit_on_error=False, group="search-index")
    def _index(self) -> None:
        """Bring the store's search index up to date while the query is typed: a sync stores items
        without indexing them, and the first search after a first sync would wait seconds for it
        (a search that starts meanwhile waits for this one instead of indexing again)."""
        try:
            self.store.index_grams()  # returns at once when nothing waits
        except sqlite3.Error:
            pass  # a store that fails says why under the search that meets it

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, self.run_search)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        """enter in the field: search now, then move into the results (or jump if there is one)."""
        query = self.query_one(Input).value
        if query == self.shown_query and self.searching is None:
            self._enter_results()
            return
        self._submitted_query = query  # acted on when its results arrive (_show)
        if query != self.searching:
            self.run_search()

    def _enter_results(self) -> None:
        if len(self.hits) == 1:
            self._jump(0)
        elif self.hits:
            self.query_one(ResultList).focus()

    def run_search(self) -> None:
        """Search for what the field holds now, on a worker thread: a word is answered from the
        store's counted grams in a few milliseconds, but the first search after a sync first indexes
        the new items (`Store.index_grams`: seconds after a first sync), and a filtered or
        punctuated query builds the store's copy of every item's text (~0.4 s at 5,200 weeks), so
        typing must never wait for it. A newer query cancels the older one, whose results are then
        dropped (`_show`)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        query = self.query_one(Input).value
        self.searching = query
        if not query.strip():
            self._show(query, [], 0, None)
            return
        if self._busy_timer is None:  # a slow search (the first at 5,200 weeks) says so; a quick one never flickers
            self._busy_timer = self.set_timer(BUSY_AFTER, self._show_busy)
        self._search(query)

    def _show_busy(self) -> None:
        self._busy_timer = None
        if self.searching is not None:
            self.query_one("#search-count", Static).update(Content(self.t("search.searching")))

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def _search(self, query: str) -> None:
        error = None
        try:
            # One search gives the shown hits and the true total: counting by asking for every hit
            # built a snippet for each (tens of thousands at 5,200 weeks) only to take len().
            hits, total = search_counted(self.store, query, limit=SEARCH_LIMIT)
        except (DigestError, sqlite3.Error) as exc:
            # Shown in place of the count: a QueryError says which token is wrong, a store that
            # fails says why. Left to the worker, it would leave "Searching…" up for good.
            hits, total, error = [], 0, str(exc)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, query, hits, total, error)

    def _show(self, query: str, hits: list[SearchHit], total: int, error: str | None) -> None:
        """Put one search's results on screen, unless the field has moved on since it started."""
        if query != self.searching or not self.is_attached:
            return
        self.searching = None
        if self._busy_timer is not None:
            self._busy_timer.stop()
            self._busy_timer = None
        self.shown_query = query
        self.hits = hits
        results = self.query_one(ResultList)
        count = self.query_one("#search-count", Static)
        options: list[Option | None] = []
        for index, hit in enumerate(self.hits):
            if index:
                options.append(None)  # a separator line between two-line results
            options.append(Option(hit_prompt(hit, self.t), id=str(index)))
        results.set_options(options)
        if error is not None:
            count.update(Content(clean_line(error)))
        elif query.strip():
            if not self.hits:
                text = self.t("search.none")
            elif total > len(self.hits):
                text = self.t("search.count_of", shown=len(self.hits), n=total)
            else:
                text = self.t("search.count", n=total)
            count.update(Content(text))
        else:
            count.update(Content(""))
        if self._submitted_query == query:
            self._submitted_query = None
            self._enter_results()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._jump(int(event.option_id or 0))

    def action_results(self) -> None:
        results = self.query_one(ResultList)
        if results.option_count:
            results.focus()

    def _jump(self, index: int) -> None:
        hit = self.hits[index]
        self.dismiss(Jump(hit.digest_id, hit.position))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    def action_save_watch(self) -> None:
        """ctrl+s: keep this query as a watch, named after the query (cache/watches.py)."""
        query = self.query_one(Input).value.strip()
        if not query:
            self.app.notify(self.t("search.save_empty"), markup=False, timeout=3)
            return
        self._save_watch(query)

    @work(thread=True, exit_on_error=False, group="save-watch")
    def _save_watch(self, query: str) -> None:
        """A store write, on a thread: the indexer this screen starts (`_index`) may hold the write
        lock for a batch, and no key waits on that."""
        from sz_digest.cache.watches import add_watch, name_for_query

        try:
            watch = add_watch(self.store, name_for_query(self.store, query), query)
        except DigestError as exc:  # a bad query or a read-only store: say so, keep the screen
            self.app.call_from_thread(self.app.notify, clean_line(str(exc)), markup=False, severity="warning")
            return
        self.app.call_from_thread(self.app.notify, self.t("search.saved", name=clean_line(watch.name)), markup=False)
        self.post_message(WatchesChanged())


class WatchesChanged(Message):
    """A watch was added or removed: the sidebar recounts (sent to the app from a modal screen)."""

    bubble = True


def entry_prompt(entry: TimelineEntry) -> Content:
    return Content.assemble((f"{entry.week_start.isoformat()} → {entry.week_end.strftime('%m-%d')}", "dim"),
                            "  ", (clean_line(entry.item.title), "bold"))


class TimelineScreen(ModalScreen[Jump | None]):
    """One district's items across every stored week, newest first."""

    BINDINGS = [Binding("escape", "dismiss_none", "Back", show=False)]
    DEFAULT_CSS = _PANEL_CSS.format(screen="TimelineScreen", name="timeline")

    def __init__(self, store: Store, t: Catalog, district: str) -> None:
        super().__init__()
        self.store = store
        self.t = t
        self.district = district
        self.entries: list[TimelineEntry] = []

    def compose(self) -> ComposeResult:
        self.entries = self.store.timeline(self.district)
        with Vertical(id="timeline-body") as body:
            body.border_title = self.t("timeline.title", name=self.t.district(self.district))
            body.border_subtitle = self.t("timeline.hint")
            if not self.entries:
                yield Static(Content(self.t("timeline.empty")), classes="viewer-note")
            yield ResultList(*(Option(entry_prompt(entry)) for entry in self.entries), id="timeline-results",
                             markup=False)

    def on_mount(self) -> None:
        self.query_one(ResultList).focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        entry = self.entries[event.option_index]
        self.dismiss(Jump(entry.digest_id, entry.item.position))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
