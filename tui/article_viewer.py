"""The article viewer: one digest's header, then its items grouped under district headings.

Every scraped string goes through `display.line`/`display.block` (clean again, wrap in Content), so
nothing a page contains is parsed as markup or reaches the terminal as a control sequence.
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, Static

from sz_digest.cache.text import clean_line, clean_text

from . import display
from .commands import bindings
from .i18n import Catalog
from .prose import Block, Prose
from .week_list import STARRED_ID

if TYPE_CHECKING:
    from sz_digest.cache.model import Item
    from sz_digest.cache.store import Store, WeekSummary


class ItemView(Prose):
    """One item: unread dot / star, the title prominent, then its paragraphs."""

    def __init__(self, item: Item, *, digest_id: str, read: bool, starred: bool, context: str = "") -> None:
        super().__init__(classes=f"item item-{item.district}")
        self.item = item
        self.digest_id = digest_id
        self.read = read
        self.starred = starred
        self.context = context  # the district label, when items of several districts share a heading
        self.set_blocks(self.build())

    def build(self) -> list[Block]:
        marks = Content.assemble(("★ " if self.starred else "", "bold $warning"),
                                 ("" if self.read else "● ", "bold $accent"))
        blocks = [Block(self.context, "dim")] if self.context else []
        blocks += [Block(clean_line(self.item.title), "bold", lead=marks)]
        blocks += [Block(clean_text(p).strip(), gap_before=True) for p in self.item.paragraphs if p.strip()]
        return blocks

    def set_marks(self, *, read: bool, starred: bool) -> None:
        self.read, self.starred = read, starred
        self.set_blocks(self.build())


class ArticleViewer(VerticalScroll):
    """Shows the bound week through the bound district filter; `]`/`[` step through its items."""

    SCOPES = ("list",)  # j/k scroll here
    BINDINGS = bindings(SCOPES, "en")

    class ClearFilterRequested(Message):
        """The "show all districts" button of the empty-filter state was pressed."""

    digest_id: reactive[str | None] = reactive(None, recompose=True)
    districts: reactive[frozenset[str]] = reactive(frozenset(), recompose=True)
    current: reactive[int | None] = reactive(None, init=False)
    """Index into `shown` of the current item (`]`/`[`), or None."""

    def __init__(self, store: Store, t: Catalog, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.t = t
        self.week: WeekSummary | None = None
        self.shown: list[Item] = []
        self.shown_weeks: list[str] = []  # the digest id of each entry of `shown`
        self.pending: tuple[str, int] | None = None  # (digest id, position) to make current once shown

    def show_item(self, digest_id: str, position: int) -> None:
        """Make an item current as soon as its week is on screen (after a jump from search)."""
        self.pending = (digest_id, position)
        self.call_after_refresh(self._apply_pending)

    def _apply_pending(self) -> None:
        if self.pending is None:
            return
        target = self.pending
        pairs = list(zip(self.shown_weeks, (item.position for item in self.shown)))
        if target in pairs:
            self.pending = None
            self.current = pairs.index(target)

    def compose(self) -> ComposeResult:
        t = self.t
        self.set_reactive(ArticleViewer.current, None)
        if self.digest_id == STARRED_ID:
            yield from self._compose_starred()
            return
        self.week = self.store.week(self.digest_id) if self.digest_id else None
        week = self.week
        if week is None:
            self.shown = []
            yield Static(Content(t("viewer.none")), classes="viewer-note")
            return
        items = self.store.items_for(week.id)
        self.shown = [item for item in items if not self.districts or item.district in self.districts]
        self.shown_weeks = [week.id] * len(self.shown)
        read = self.store.read_positions(week.id)
        starred = self.store.starred_positions(week.id)
        yield Prose([Block(clean_line(week.title), "bold")], classes="digest-title")
        meta = [t("viewer.week", start=week.week_start.isoformat(), end=week.week_end.isoformat()),
                t("viewer.published", date=week.published.isoformat())]
        yield Static(Content(" · ".join(meta)), classes="digest-meta")
        url = display.line(week.url)
        yield Static(Content.assemble((t("viewer.source", url=""), "dim"), url.stylize("dim underline")),
                     classes="digest-source", markup=False)
        if week.sample:
            yield Static(Content(t("viewer.sample")), classes="digest-sample")
        if not items:
            yield Static(Content(t("viewer.no_items")), classes="viewer-note")
            return
        if not self.shown:
            names = "、".join(t.district(code) for code in sorted(self.districts))
            yield Static(Content(t("viewer.filter_empty", shown=names)), classes="viewer-note filter-empty")
            yield Static(Content(t("viewer.filter_hint")), classes="viewer-hint")
            yield Button(Content(t("viewer.clear_filter")), id="clear-filter", compact=True)
            return
        for code, group in groupby(self.shown, key=lambda item: (item.district, item.district_name)):
            group = list(group)
            district, label = code
            heading = Content.assemble(display.line(self.t.district(district, label)),
                                       (f"  {len(group)}", "dim"))
            yield Static(heading, classes=f"district-heading heading-{district}", markup=False)
            for item in group:
                yield ItemView(item, digest_id=week.id, read=week.read or item.position in read,
                               starred=item.position in starred)
        if self.pending is not None:
            self.call_after_refresh(self._apply_pending)

    def _compose_starred(self) -> ComposeResult:
        """Every starred item, newest week first, under a heading per week."""
        t = self.t
        self.week = None
        entries = [e for e in self.store.starred() if not self.districts or e.item.district in self.districts]
        self.shown = [entry.item for entry in entries]
        self.shown_weeks = [entry.digest_id for entry in entries]
        yield Static(Content.styled(t("starred.title"), "bold"), classes="digest-title")
        if not entries:
            yield Static(Content(t("starred.empty")), classes="viewer-note")
            return
        weeks: dict[str, WeekSummary | None] = {}
        for digest_id, group in groupby(entries, key=lambda entry: entry.digest_id):
            group = list(group)
            first = group[0]
            heading = f"{first.week_start.isoformat()} → {first.week_end.isoformat()}"
            yield Static(Content.assemble((heading, "bold"), (f"  {len(group)}", "dim")),
                         classes="district-heading heading-week")
            week = weeks.setdefault(digest_id, self.store.week(digest_id))
            read = self.store.read_positions(digest_id)
            for entry in group:
                item = entry.item
                yield ItemView(item, digest_id=digest_id, read=bool(week and week.read) or item.position in read,
                               starred=True, context=clean_line(t.district(item.district, item.district_name)))
        if self.pending is not None:
            self.call_after_refresh(self._apply_pending)

    def watch_digest_id(self) -> None:
        self.scroll_home(animate=False)

    def watch_current(self, old: int | None, new: int | None) -> None:
        views = list(self.query(ItemView))
        if old is not None and old < len(views):
            views[old].remove_class("-current")
        if new is not None and new < len(views):
            views[new].add_class("-current")
            self.scroll_to_widget(views[new], animate=False, top=True)

    def step(self, delta: int) -> Item | None:
        """Move the current item by `delta`; return the new current item (None if there is none)."""
        if not self.shown:
            return None
        if self.current is None:
            index = 0 if delta > 0 else len(self.shown) - 1
        else:
            index = max(0, min(len(self.shown) - 1, self.current + delta))
        self.current = index
        return self.shown[index]

    @property
    def current_item(self) -> Item | None:
        return self.shown[self.current] if self.current is not None and self.current < len(self.shown) else None

    @property
    def current_entry(self) -> tuple[str, Item] | None:
        """(digest id, item) of the current item: in the starred view items come from many weeks."""
        item = self.current_item
        return (self.shown_weeks[self.current], item) if item is not None else None

    def refresh_marks(self) -> None:
        """Redraw unread dots and stars after the screen changed read state or stars."""
        for view in self.query(ItemView):
            week = self.store.week(view.digest_id)
            read = self.store.read_positions(view.digest_id)
            starred = self.store.starred_positions(view.digest_id)
            view.set_marks(read=bool(week and week.read) or view.item.position in read,
                           starred=view.item.position in starred)

    def action_cursor_down(self) -> None:
        self.scroll_down()

    def action_cursor_up(self) -> None:
        self.scroll_up()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "clear-filter":
            event.stop()
            self.post_message(self.ClearFilterRequested())
