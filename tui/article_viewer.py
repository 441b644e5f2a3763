"""The article viewer: one digest's header, then its items grouped under district headings.

One Line-API widget (a `ScrollView`): the article is laid out once per (week, filter, marks, width)
into rows of plain-text spans with the CJK-aware wrapping of `prose.wrap`, and `render_line` turns the
visible rows into Strips. No child widgets, so a week switch or a filter toggle costs one layout of
a few dozen short strings and a repaint of this pane — not a recompose of a widget per item.

Every scraped string goes through `clean_line`/`clean_text` and becomes the text of a `Segment`: it
is never parsed as markup and never reaches the terminal as a control sequence. Styles come from the
component classes below (colours live in app.tcss).
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import groupby
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events
from textual.geometry import Offset, Region, Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sz_digest.cache.districts import CODES
from sz_digest.cache.reading import ViewItem, WeekView
from sz_digest.cache.text import clean_line, clean_text

from .commands import bindings
from .first_frame import message
from .i18n import Catalog
from .line_styles import CachedStyles
from .pane_frame import FramedPane, LightStrip
from .prose import wrap

if TYPE_CHECKING:
    from sz_digest.cache.model import Item, WeekSummary

Entry = ViewItem  # one shown item: (digest id, item, read, starred)

get_line_length = Segment.get_line_length

MAX_WIDTH = 96  # a reading measure: text never runs wider than this many cells
DISTRICT_CODES = CODES  # cache/districts.py: the one table
EDGE = "│"  # an item's left edge in its district's colour (the line a solid CSS border draws)
EDGE_CURRENT = "┃"  # … heavier on the current item

Span = tuple[str, tuple[str, ...]]  # text, component classes (applied in order)


RowKind = Literal["text", "heading", "item", "action"]


class Row(NamedTuple):
    """One laid-out line of the article."""

    spans: tuple[Span, ...] = ()
    kind: RowKind = "text"
    item: int | None = None  # index into `entries` for rows of an item
    accent: str = ""  # district code (or "week") whose colour the heading / item edge takes


class Layout(NamedTuple):
    """A view laid out at a measure (`ArticleViewer.prepare`): adopted as the rows when the view
    shown is equal to the one it was made of (`_layout_key`), with its first screen's lines."""

    key: tuple
    rows: list[Row]
    starts: list[int]
    ends: list[int]
    lines: dict  # the first screen's finished lines (`_kept_line` keys), once drawn
    styles: dict | None  # the style cache they were drawn with: lines of another look are not used


PREPARED_KEPT = 2  # weeks laid out ahead of their key: the shown week's neighbours


def _layout_key(view: WeekView, measure: int) -> tuple:
    """Everything `_build_rows` reads of a view, and the measure: equal keys, equal rows."""
    return (view.state, view.week, view.items, view.attachments, view.districts, view.watch, view.week_ranges,
            measure)


def _line_key(row: Row, current: bool, width: int) -> tuple:
    """What a finished line is kept by (`_kept_line`): what its row shows, not which item it
    belongs to (a filter renumbers them)."""
    return (row.spans, row.kind, row.accent, current, width)


def _seen_in(starts: list[int], ends: list[int], top: int, height: int) -> list[int]:
    """Entries whose rows are in lines `top`..`top + height`: whole, or (taller than that) filling them."""
    if height <= 0 or not starts:
        return []
    bottom = top + height
    seen = []
    for index in range(bisect_right(ends, top), len(starts)):
        start, end = starts[index], ends[index]
        if start >= bottom:
            break
        if min(end, bottom) - max(start, top) >= min(end - start, height):
            seen.append(index)
    return seen


def _splice(rows: list[Row], starts: list[int], ends: list[int], index: int, new: list[Row]) -> int:
    """Put entry `index`'s rows `new` in place of its old ones (in place); how many rows it grew by."""
    start, end = starts[index], ends[index]
    rows[start:end] = new
    shift = len(new) - (end - start)
    if shift:
        ends[index] += shift
        for later in range(index + 1, len(starts)):
            starts[later] += shift
            ends[later] += shift
    return shift


def _fit(text: str, width: int) -> str:
    """`text` cut to `width` cells, with an ellipsis when cut."""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(0, width - 1)).rstrip() + "…" if width > 0 else ""


class ArticleViewer(CachedStyles, FramedPane, ScrollView, can_focus=True):
    """Shows the `WeekView` the screen hands it (`show`); `]`/`[` step through its items.

    It holds no store: while `reading` is on it reports the unread items it has drawn whole on
    screen (`ItemsSeen`), and the screen decides what that means.
    """

    SCOPES = ("list",)  # j/k scroll here
    BINDINGS = bindings(SCOPES, "en")
    KEEP_JOINED = 96  # `render_line` hands back the kept Strip of a line's content: two screens

    COMPONENT_CLASSES = {
        "viewer--title", "viewer--meta", "viewer--source", "viewer--url", "viewer--sample", "viewer--note",
        "viewer--warning", "viewer--action", "viewer--heading", "viewer--current", "viewer--item-title",
        "viewer--body", "viewer--dim", "viewer--unread", "viewer--star", "viewer--week",
        *(f"viewer--district-{code}" for code in DISTRICT_CODES),
    }

    class ClearFilterRequested(Message):
        """The "show all districts" line of the empty-filter state was chosen."""

    @message
    class ItemClicked(Message):
        """The user clicked an item: it is now current."""

        index: int

    @message
    class ItemsSeen(Message):
        """These unread items were drawn whole (or a full screen of them) while reading."""

        seen: tuple[tuple[str, int], ...]  # (digest id, position) pairs

    current: var[int | None] = var(None, init=False)
    """Index into `shown` of the current item (`]`/`[`), or None."""

    def __init__(self, t: Catalog, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.t = t
        self.view = WeekView(None, None, (), "none")
        self.week: WeekSummary | None = None
        self.entries: list[Entry] = []
        self.pending: tuple[str, int] | None = None  # (digest id, position) to make current once shown
        self.reading = False  # items drawn on screen count as seen (the screen sets this)
        self._reported: set[tuple[str, int]] = set()  # seen items already reported
        self._week_ranges: dict = {}  # digest id -> (week start, week end), for the starred view
        self._state = "none"  # none | no_items | filter_empty | items | starred
        self._generation = 0  # bumped whenever what is shown (or how it is marked) changes
        self._rows: list[Row] = []
        self._starts: list[int] = []  # first row of each entry
        self._ends: list[int] = []  # one past its last row
        self._laid_out: tuple[int, int] | None = None  # (generation, width) of `_rows`
        self.first_item_painted: tuple[int, int] | None = None  # (generation, width) once item 0 is drawn
        self._painting: tuple[int, int, int | None] | None = None  # (width, top row, current) while painting
        # Neighbours laid out ahead of their key (`prepare`), per digest id: as shown, and as shown
        # after reading marks what the first screen shows whole.
        self._prepared: dict[str, list[Layout]] = {}
        self._repainting = False  # the whole pane is repainted in the next frame (a new week)
        self.after_paint: Callable[[], object] | None = None  # run (once) after the next frame that paints this

    # -- what is shown --------------------------------------------------------------------------

    @property
    def shown(self) -> list[Item]:
        return [entry.item for entry in self.entries]

    @property
    def shown_weeks(self) -> list[str]:
        """The digest id of each entry of `shown`."""
        return [entry.digest_id for entry in self.entries]

    @property
    def digest_id(self) -> str | None:
        return self.view.digest_id

    @property
    def districts(self) -> frozenset[str]:
        return self.view.districts

    def show(self, view: WeekView, *, keep_place: bool = False) -> None:
        """Show `view`. A new week starts at the top; with `keep_place` (the same week re-read after
        another process wrote to the store) the current item and the scroll position stay."""
        same = keep_place and view.digest_id == self.view.digest_id
        current = self.current_entry_record
        scroll_y = self.scroll_y
        if view.digest_id != self.view.digest_id:
            # Another week's lines: those kept for this one (a filter toggled back shows them
            # again) would only hold memory, week after week. A week laid out ahead brings the
            # first screen's lines, drawn then (as they look after reading marks them, if reading).
            self._lines_kept = self._prepared_lines(view)
            self._styles_cache.forget_joined()
        self.view = view
        self.week = view.week
        self.entries = list(view.items)
        self._state = view.state
        self._week_ranges = view.week_ranges or {}
        self._reported = {key for key in self._reported if same}
        if same:
            keys = [(e.digest_id, e.item.position) for e in self.entries]
            key = (current.digest_id, current.item.position) if current else None
            self.set_reactive(ArticleViewer.current, keys.index(key) if key in keys else None)
            self._changed()
            self.scroll_to(y=scroll_y, animate=False, force=True, immediate=True)
        else:
            self.set_reactive(ArticleViewer.current, None)
            self._changed()
            self.scroll_to(0, 0, animate=False, force=True, immediate=True)
        self._apply_pending()

    def show_marks(self, view: WeekView) -> None:
        """The same items with new read/star marks (after a toggle): nothing moves."""
        if [(e.digest_id, e.item.position) for e in view.items] != [(e.digest_id, e.item.position) for e in self.entries]:
            self.show(view, keep_place=True)
            return
        self.view = view
        entries = list(view.items)
        if entries == self.entries:
            return
        changed = [index for index, (old, new) in enumerate(zip(self.entries, entries)) if old != new]
        self.entries = entries
        width = self.scrollable_content_region.width
        # The rows are patched only if they are the layout of what is shown, at this width: a week
        # shown while the pane had no size was never laid out.
        current = width > 0 and self._laid_out == (self._generation, width)
        self._generation += 1
        if not current:
            self.refresh()  # laid out afresh when drawn
            return
        measure = min(width, MAX_WIDTH)
        if self._repainting and self._adopt(view, measure):
            # A week just shown, marked as it was laid out ahead (its first screen read): the
            # whole pane is drawn in this frame anyway.
            self._laid_out = (self._generation, width)
            self._set_virtual_height(width)
            return
        # Only the changed items are laid out again and repainted (opening a week marks what it
        # shows read in the same frame; `]` marks one item): not the whole article.
        grown = False
        for index in changed:
            start, end = self._starts[index], self._ends[index]
            if _splice(self._rows, self._starts, self._ends, index, self._item_rows(index, entries[index], measure)):
                grown = True
            else:
                self.refresh_lines(start, end - start)
        self._laid_out = (self._generation, width)
        if grown:  # a title wrapped differently under its new mark: what follows moved
            self._set_virtual_height(width)
            self.refresh()

    def _changed(self) -> None:
        self._generation += 1
        self.refresh()
        self._repainting = True
        self._layout_now()  # now, not in the next render: its scrollbar update joins this frame

    # -- laid out ahead ---------------------------------------------------------------------------

    def prepare(self, view: WeekView, *, reading: bool) -> bool:
        """Do the next piece of laying out `view` (a neighbour of the shown week) ahead of the key
        that shows it: its rows, then (`reading`: the key will mark what its first screen shows
        whole read) its rows as marked, then the first screen of lines of the rows it will show.
        One piece a call (the screen calls it when idle); False when nothing is left to do (or
        the pane has no size yet).

        Nothing here is trusted later: a layout is used only for a view equal to the one it was
        made of, at the same measure (`_layout_key`), and its lines only with the same styles."""
        region = self.scrollable_content_region
        width, height = region.width, region.height
        if width <= 0 or view.digest_id is None:
            return False
        measure = min(width, MAX_WIDTH)
        key = _layout_key(view, measure)
        layouts = self._prepared.get(view.digest_id)
        if not layouts or layouts[0].key != key:
            if view.digest_id not in self._prepared and len(self._prepared) >= PREPARED_KEPT:
                del self._prepared[next(iter(self._prepared))]
            self._prepared[view.digest_id] = [Layout(key, *self._build_rows(measure, view), {}, None)]
            return True
        first = layouts[0]
        if reading and len(layouts) == 1:
            # As `show_marks` will make it: the rows of the items marked laid out again.
            seen = [index for index in _seen_in(first.starts, first.ends, 0, height) if not view.items[index].read]
            if not seen:
                layouts.append(first)
                return True
            marked = view.with_marks(read={(view.items[i].digest_id, view.items[i].item.position): True for i in seen})
            rows, starts, ends = list(first.rows), list(first.starts), list(first.ends)
            for index in seen:
                _splice(rows, starts, ends, index, self._item_rows(index, marked.items[index], measure, view.state))
            layouts.append(Layout(_layout_key(marked, measure), rows, starts, ends, {}, None))
            return True
        index = len(layouts) - 1 if reading else 0
        layout = layouts[index]
        if layout.styles is not self._style_cache:
            lines: dict = {}
            for row in layout.rows[:height]:
                line = _line_key(row, False, width)
                if line not in lines:
                    lines[line] = self._draw(row, False, width)
            layouts[index] = layout._replace(lines=lines, styles=self._style_cache)
            return True
        return False

    def forget_prepared(self, keep: frozenset[str] | set[str]) -> None:
        """Drop what was laid out ahead for weeks other than `keep` (no longer the neighbours)."""
        for digest_id in [d for d in self._prepared if d not in keep]:
            del self._prepared[digest_id]

    def _adopt(self, view: WeekView, measure: int) -> bool:
        """Take the rows laid out ahead for `view` at `measure`, if there are any."""
        layouts = self._prepared.get(view.digest_id)
        if not layouts:
            return False
        key = _layout_key(view, measure)
        for layout in reversed(layouts):
            if layout.key == key:
                # Copies: the rows are patched in place when marks change later.
                self._rows, self._starts, self._ends = list(layout.rows), list(layout.starts), list(layout.ends)
                return True
        return False

    def _prepared_lines(self, view: WeekView) -> dict:
        """The first screen's lines drawn ahead for `view` (a new dict when there are none): those
        of its layout as reading will mark it, when reading."""
        layouts = self._prepared.get(view.digest_id)
        if layouts:
            layout = layouts[-1] if self.reading and len(layouts) > 1 else layouts[0]
            if layout.styles is self._style_cache and layout.lines:
                return dict(layout.lines)
        return {}

    # -- the current item -----------------------------------------------------------------------

    def show_item(self, digest_id: str, position: int) -> None:
        """Make an item current as soon as its week is shown (after a jump from search)."""
        self.pending = (digest_id, position)
        self._apply_pending()

    def _apply_pending(self) -> None:
        if self.pending is None:
            return
        target = self.pending
        for index, entry in enumerate(self.entries):
            if (entry.digest_id, entry.item.position) == target:
                self.pending = None
                self.current = index
                return

    def watch_current(self, old: int | None, new: int | None) -> None:
        self._refresh_items(old, new)
        if new is not None:
            if self._layout_now():
                self.scroll_to(y=self._starts[new], animate=False, force=True)
            else:
                self.call_after_refresh(self._scroll_to_current)

    def _refresh_items(self, *indexes: int | None) -> None:
        """Repaint the rows of these items only (the highlight moved from one to the other)."""
        width = self.scrollable_content_region.width
        if self._laid_out is None or self._laid_out != (self._generation, width):
            self.refresh()  # laid out afresh when drawn anyway
            return
        for index in indexes:
            if index is not None and index < len(self._starts):
                self.refresh_lines(self._starts[index], self._ends[index] - self._starts[index])

    def follow_scroll(self) -> None:
        """After the reader scrolled (`j`/`k`, `space`): the highlight goes to the item at the top
        of the pane — the one being read — without scrolling again. Only the two items' rows are
        repainted (the scroll repaints the rest)."""
        if not self._layout_now() or not self._starts:
            return
        self._highlight(min(bisect_right(self._ends, int(self.scroll_y)), len(self._starts) - 1))

    def _highlight(self, index: int) -> None:
        """Make entry `index` current where it is: no scroll, only its rows and the old current's
        repainted."""
        if index != self.current:
            old = self.current
            self.set_reactive(ArticleViewer.current, index)
            self._refresh_items(old, index)

    def _scroll_to_current(self) -> None:
        if self.current is not None and self._layout_now() and self.current < len(self._starts):
            self.scroll_to(y=self._starts[self.current], animate=False, force=True)

    def step(self, delta: int) -> Item | None:
        """Move the current item by `delta`; return the new current item (None if there is none)."""
        if not self.entries:
            return None
        if self.current is None:
            index = 0 if delta > 0 else len(self.entries) - 1
        else:
            index = max(0, min(len(self.entries) - 1, self.current + delta))
        self.current = index
        return self.entries[index].item

    @property
    def current_item(self) -> Item | None:
        entry = self.current_entry_record
        return entry.item if entry is not None else None

    @property
    def current_entry_record(self) -> Entry | None:
        if self.current is not None and self.current < len(self.entries):
            return self.entries[self.current]
        return None

    @property
    def current_entry(self) -> tuple[str, Item] | None:
        """(digest id, item) of the current item: in the starred view items come from many weeks."""
        entry = self.current_entry_record
        return (entry.digest_id, entry.item) if entry is not None else None

    # -- layout -----------------------------------------------------------------------------------

    def _layout_now(self) -> bool:
        """Lay the article out for the current width if needed; False while the widget has no size."""
        width = self.scrollable_content_region.width
        if width <= 0:
            return False
        key = (self._generation, width)
        if self._laid_out != key:
            measure = min(width, MAX_WIDTH)
            if not self._adopt(self.view, measure):
                self._rows, self._starts, self._ends = self._build_rows(measure)
            self._laid_out = key
            self._set_virtual_height(width)
        return True

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        # Textual sizes every widget before it composites the frame: laid out now, the scrollbar
        # (drawn before the viewer) gets the article's height in the same frame, and is not drawn
        # a second time with the whole screen composited again for it (start-up, every resize).
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        self._layout_now()
        return changed

    def _set_virtual_height(self, width: int) -> None:
        virtual_size = Size(width, len(self._rows))
        if virtual_size != self.virtual_size:
            # No screen layout: the pane's own size does not depend on its content (and the
            # scrollbar is always shown, so it never appears or goes away).
            self.set_reactive(ArticleViewer.virtual_size, virtual_size)
            self._scroll_update(virtual_size)

    def _build_rows(self, width: int, view: WeekView | None = None) -> tuple[list[Row], list[int], list[int]]:
        """The rows of `view` (the shown one by default) at `width`: a function of the view, the
        width and the language alone (`prepare` lays out a neighbour the same way)."""
        t = self.t
        if view is None:
            view = self.view
        state, entries = view.state, view.items
        rows: list[Row] = [Row()]

        def text(value: str, *classes: str, kind: RowKind = "text") -> None:
            rows.extend(Row(((line, classes),), kind) for line in wrap(value, width))

        starts: list[int] = []
        ends: list[int] = []
        if state == "starred":
            text(t("starred.title"), "viewer--title")
            if not entries:
                rows.append(Row())
                text(t("starred.empty"), "viewer--note")
                return rows, starts, ends
            week_ranges = view.week_ranges or {}
            for digest_id, group in groupby(enumerate(entries), key=lambda pair: pair[1].digest_id):
                group = list(group)
                start, end = week_ranges.get(digest_id, (None, None))
                label = f"{start.isoformat()} → {end.isoformat()}" if start and end else digest_id
                self._heading(rows, label, len(group), "week", width)
                for index, entry in group:
                    self._item(rows, index, entry, width, starts, ends, self._context_line(entry, state))
            return rows, starts, ends
        week = view.week
        if week is None:
            rows.append(Row())
            text(t("viewer.none"), "viewer--note")
            return rows, starts, ends
        text(clean_line(week.title), "viewer--title")
        meta = [t("viewer.week", start=week.week_start.isoformat(), end=week.week_end.isoformat()),
                t("viewer.published", date=week.published.isoformat())]
        text(" · ".join(meta), "viewer--meta")
        label = t("viewer.source", url="")
        rows.append(Row(((label, ("viewer--source",)),
                         (_fit(clean_line(week.url), width - cell_len(label)), ("viewer--source", "viewer--url")))))
        if week.sample:
            text(t("viewer.sample"), "viewer--sample")
        if week.degraded:
            text(t("viewer.degraded", reason=clean_line(week.degraded_reason)), "viewer--warning")
        if week.week_inferred:
            text(t("viewer.week_inferred"), "viewer--note")
        if view.attachments:
            text(t("viewer.attachments", n=len(view.attachments)), "viewer--meta")
            for attachment in view.attachments:
                text("  · " + clean_line(attachment.name), "viewer--source")
        if state == "no_items":
            rows.append(Row())
            text(t("viewer.no_items"), "viewer--note")
        elif state == "filter_empty":
            names = "、".join([t.district(code) for code in sorted(view.districts)]
                             + ([f"“{view.watch}”"] if view.watch is not None else []))
            rows.append(Row())
            text(t("viewer.filter_empty", shown=names), "viewer--warning")
            text(t("viewer.filter_hint"), "viewer--note")
            rows.append(Row())
            rows.append(Row(((f" {_fit(t('viewer.clear_filter'), width - 2)} ", ("viewer--action",)),), "action"))
        else:
            for (district, label), group in groupby(enumerate(entries),
                                                    key=lambda pair: (pair[1].item.district, pair[1].item.district_name)):
                group = list(group)
                self._heading(rows, clean_line(t.district(district, label)), len(group), district, width)
                for index, entry in group:
                    self._item(rows, index, entry, width, starts, ends)
        return rows, starts, ends

    @staticmethod
    def _heading(rows: list[Row], label: str, count: int, accent: str, width: int) -> None:
        tail = f"  {count}"
        rows.append(Row())
        rows.append(Row(((_fit(label, width - 2 - cell_len(tail)), ()), (tail, ("viewer--dim",))), "heading",
                        accent=accent))

    def _item_rows(self, index: int, entry: Entry, width: int, state: str | None = None) -> list[Row]:
        """The rows of one item alone (as `_build_rows` lays them out), to lay out again after its
        marks changed."""
        rows: list[Row] = []
        self._item(rows, index, entry, width, [], [], self._context_line(entry, state or self._state))
        return rows[1:]  # without the blank row that separates it from the one above

    def _context_line(self, entry: Entry, state: str) -> str:
        """The line over an item's title: its district, in the starred view (items of many weeks)."""
        if state != "starred":
            return ""
        return clean_line(self.t.district(entry.item.district, entry.item.district_name))

    @staticmethod
    def _item(rows: list[Row], index: int, entry: Entry, width: int, starts: list[int], ends: list[int],
              context: str = "") -> None:
        inner = max(1, width - 2)  # the edge and a space
        rows.append(Row())
        starts.append(len(rows))
        accent = entry.item.district

        def add(spans: tuple[Span, ...]) -> None:
            rows.append(Row(spans, "item", index, accent))

        if context:
            for line in wrap(context, inner):
                add(((line, ("viewer--dim",)),))
        lead: list[Span] = []
        if entry.starred:
            lead.append(("★ ", ("viewer--star",)))
        if not entry.read:
            lead.append(("● ", ("viewer--unread",)))
        indent = sum(cell_len(s) for s, _ in lead)
        for n, line in enumerate(wrap(clean_line(entry.item.title), max(1, inner - indent))):
            prefix = tuple(lead) if n == 0 else ((" " * indent, ()),)
            add((*prefix, (line, ("viewer--item-title",))))
        for paragraph in entry.item.paragraphs:
            paragraph = clean_text(paragraph).strip()
            if not paragraph:
                continue
            add(())
            for line in wrap(paragraph, inner):
                add(((line, ("viewer--body",)),))
        ends.append(len(rows))

    # -- rendering -------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        self.refresh()
        super().notify_style_update()

    def render_lines(self, crop: Region) -> list[Strip]:
        self._repainting = False
        if self.after_paint is not None:
            # The frame is being composited: the screen's work ahead of the next key is scheduled
            # from here (no earlier, or the frame would wait for it).
            after_paint, self.after_paint = self.after_paint, None
            after_paint()
        self._layout_now()
        if self._starts:
            y = self._starts[0] - int(self.scroll_y)
            if crop.y <= y < crop.bottom:
                self.first_item_painted = self._laid_out
            if self.reading:
                self._report_seen()
        # What every line of this paint shares, read once (each is a few property lookups).
        self._painting = (self.scrollable_content_region.width, int(self.scroll_y), self.current)
        try:
            return super().render_lines(crop)
        finally:
            self._painting = None

    def seen_entries(self) -> list[int]:
        """Entries on screen now: whole, or (taller than the pane) filling it."""
        return _seen_in(self._starts, self._ends, int(self.scroll_y), self.scrollable_content_region.height)

    def page_down_target(self) -> int:
        """Where `space` scrolls to: a page down, but no further than the start of an item cut by
        the bottom edge, so every item is once drawn whole (and so counted as read)."""
        self._layout_now()
        top = int(self.scroll_y)
        height = self.scrollable_content_region.height
        bottom = top + height
        for start, end in zip(self._starts, self._ends):
            if start < bottom < end and top < start:
                return start
        return bottom

    def take_seen(self) -> tuple[tuple[str, int], ...]:
        """The unread items on screen now that were not reported yet (and count them reported)."""
        if not self._layout_now():
            return ()
        fresh = []
        for index in self.seen_entries():
            entry = self.entries[index]
            key = (entry.digest_id, entry.item.position)
            if not entry.read and key not in self._reported:
                self._reported.add(key)
                fresh.append(key)
        return tuple(fresh)

    def _report_seen(self) -> None:
        # Scrolling the screen did not see coming (the mouse wheel, j/k here): tell it after drawing.
        fresh = self.take_seen()
        if fresh:
            self.post_message(self.ItemsSeen(fresh))

    def render_line(self, y: int) -> Strip:
        width, top, current_item = self._painting or (
            self.scrollable_content_region.width, int(self.scroll_y), self.current)
        index = top + y
        if not (0 <= index < len(self._rows)):
            return Strip.blank(width, self._style())
        row = self._rows[index]
        current = row.item is not None and row.item == current_item
        return self._kept_line(_line_key(row, current, width), lambda: self._draw(row, current, width))

    def _draw(self, row: Row, current: bool, width: int) -> Strip:
        base = self._style()
        measure = min(width, MAX_WIDTH)
        under: tuple[str, ...] = ()
        segments: list[Segment] = []
        if row.kind == "heading":
            under = ("viewer--heading", f"viewer--district-{row.accent}" if row.accent != "week" else "viewer--week")
            segments.append(Segment(" ", self._style(*under)))
        elif row.kind == "item":
            under = ("viewer--current",) if current else ()
            edge = self._style(*under, f"viewer--district-{row.accent}")
            segments.append(Segment(EDGE_CURRENT if current else EDGE, edge))
            segments.append(Segment(" ", self._style(*under)))
        for text, classes in row.spans:
            segments.append(Segment(text, self._style(*under, *classes)))
        # One Strip: the row's background to the reading measure, the pane's to the width, then cut.
        length = get_line_length(segments)
        if under and length < measure:
            segments.append(Segment(" " * (measure - length), self._style(*under)))
            length = measure
        if length < width:
            segments.append(Segment(" " * (width - length), base))
            length = width
        return LightStrip(segments, length).crop(0, width)

    # -- mouse and keys ---------------------------------------------------------------------------

    def _row_at(self, event: events.MouseEvent) -> Row | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        index = int(self.scroll_y) + offset.y
        return self._rows[index] if 0 <= index < len(self._rows) else None

    def on_click(self, event: events.Click) -> None:
        row = self._row_at(event)
        if row is None:
            return
        if row.kind == "action":
            event.stop()
            self.post_message(self.ClearFilterRequested())
        elif row.item is not None:
            event.stop()
            self.current = row.item
            self.post_message(self.ItemClicked(row.item))

    def action_select(self) -> None:
        """`enter` in the empty-filter state shows every district again."""
        if self._state == "filter_empty":
            self.post_message(self.ClearFilterRequested())

    def action_cursor_down(self) -> None:
        """`j`: a line down, the highlight following the item at the top; at the end of the week,
        the highlight steps through the items still below it."""
        if self.scroll_y < self.max_scroll_y:
            self._scroll_by(+1)
        elif self.entries:
            self._step_highlight(+1)

    def action_cursor_up(self) -> None:
        if self.scroll_y > 0:
            self._scroll_by(-1)
        elif self.entries:
            self._step_highlight(-1)

    def _scroll_by(self, lines: int) -> None:
        # At once, not animated: an animated line is several frames, each a full repaint of the pane.
        self.scroll_to(y=self.scroll_y + lines, animate=False, immediate=True)
        self.follow_scroll()

    def _step_highlight(self, delta: int) -> None:
        """Move the highlight without scrolling (every item it reaches is on screen already)."""
        self._layout_now()
        if self.current is None:
            index = bisect_right(self._ends, int(self.scroll_y)) if delta > 0 else len(self.entries) - 1
        else:
            index = self.current + delta
        self._highlight(max(0, min(len(self.entries) - 1, index)))

    # -- for tests and the benchmark -------------------------------------------------------------

    def row_offset(self, index: int) -> Offset | None:
        """Where row `index` of the article is, relative to this widget (for a click), if visible."""
        self._layout_now()
        y = index - int(self.scroll_y)
        if not 0 <= y < self.scrollable_content_region.height:
            return None
        gutter = self.styles.gutter
        return Offset(gutter.left + 2, gutter.top + y)

    def item_offset(self, index: int) -> Offset | None:
        """Where the first row of entry `index` is (see `row_offset`)."""
        self._layout_now()
        return self.row_offset(self._starts[index]) if index < len(self._starts) else None

    def action_offset(self) -> Offset | None:
        """Where the "show all districts" line is, in the empty-filter state."""
        self._layout_now()
        for index, row in enumerate(self._rows):
            if row.kind == "action":
                return self.row_offset(index)
        return None

    def item_rows(self, index: int) -> range:
        self._layout_now()
        return range(self._starts[index], self._ends[index])

    @property
    def first_item_drawn(self) -> bool:
        """The first item's first row was painted, laid out for what is shown now at the current width."""
        key = (self._generation, self.scrollable_content_region.width)
        return self.region.height > 0 and self.first_item_painted == key

    @property
    def rows(self) -> list[Row]:
        self._layout_now()
        return self._rows
