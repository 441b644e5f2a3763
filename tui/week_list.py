"""The week list: one row per stored digest, newest first (plus a "starred" entry on top).

A `RowView`: rows have a known height (two lines, three for the sample), so 520 weeks cost a list of
offsets and only the visible lines are drawn; the weeks' records and counts are read for those rows
only (`cache.reading.ListedWeeks`). Only dates, counts and the app's own words are shown
here: nothing scraped.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from textual.message import Message
from textual.reactive import var

from .commands import bindings
from .first_frame import message
from .i18n import Catalog
from .row_view import Line, RowView

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from sz_digest.cache.model import WeekSummary
    from sz_digest.cache.reading import ListView, WeekCounts

STARRED_ID = "starred"  # the row id of the "starred items" entry at the top
ROWS_KEPT = 4  # lists whose rows' places are kept (a filter on and off, unread-only on and off)
DRAWN_KEPT = 100  # drawn rows remembered (a tall screen's worth) before those off screen are forgotten


@lru_cache(maxsize=256)  # a filter toggled off shows the rows it showed before: the same lines
def week_lines(week: WeekSummary, counts: WeekCounts, t: Catalog) -> tuple[Line, ...]:
    """`● 2026-03-09 → 03-13` over `  pub 03-20 · 3/8 unread` (or `8 items` when all are read), plus
    a sample line; the counts are of the items the filter shows."""
    end = week.week_end.strftime("%m-%d") if week.week_end.year == week.week_start.year else week.week_end.isoformat()
    unread = counts.unread > 0
    marker = ("● ", ("week-list--unread",)) if unread else ("  ", ())
    dates = (f"{week.week_start.isoformat()} → {end}", ("week-list--bold",) if unread else ())
    published = "  " + t("week.published", date=week.published.strftime("%m-%d")) + " · "
    if week.degraded:  # stored as full text (issue 12): its one block is no item count worth showing
        details: Line = ((published, ("week-list--dim",)), (t("week.degraded"), ("week-list--note",)))
    elif unread:
        details: Line = ((published, ("week-list--dim",)),
                         (t("week.unread", unread=counts.unread, n=counts.items), ("week-list--unread-count",)))
    else:
        details = ((published + t("week.items", n=counts.items), ("week-list--dim",)),)
    lines: list[Line] = [(marker, dates), details]
    if week.sample:
        lines.append((("  ", ()), (t("week.sample"), ("week-list--note",))))
    return tuple(lines)


class WeekList(RowView):
    """Newest week first; moving the cursor previews a week, `enter` (or a click) opens it."""

    SCOPES = ("list",)
    BINDINGS = bindings(SCOPES, "en")
    COMPONENT_CLASSES = {"week-list--cursor", "week-list--hover", "week-list--unread", "week-list--bold",
                         "week-list--dim", "week-list--note", "week-list--unread-count"}
    CURSOR = "week-list--cursor"
    HOVER = "week-list--hover"

    @message
    class WeekHighlighted(Message):
        """The cursor moved onto a week (or the starred entry): preview it."""

        digest_id: str

    @message
    class WeekOpened(Message):
        """The user chose a week: open it in the viewer (and mark it read)."""

        digest_id: str

    digest_id: var[str | None] = var(None, init=False)
    """The selected week, bound from the screen; the cursor follows it."""

    def __init__(self, t: Catalog, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.t = t
        self.listing: ListView | None = None  # what `show_weeks` was given
        self.weeks: Sequence[WeekSummary] = ()  # read a block at a time, for the rows drawn
        self.counts: Mapping[str, WeekCounts] = {}
        self._drawn: dict[str, tuple[WeekSummary, WeekCounts]] = {}  # what each drawn row shows
        self.starred_count = 0
        self._asked: int | None = None  # the row a key asked for, until the screen moves the cursor
        self._rows_kept: dict[tuple[int, bool], tuple[list[str], list[str], list[int], int]] = {}

    # -- content -------------------------------------------------------------------------------

    def show_weeks(self, weeks: ListView, starred_count: int = 0) -> None:
        """Replace the rows (the weeks the filter shows), keeping the cursor on the selected week;
        when the same weeks are listed, only rows on screen whose week or counts changed are drawn
        again (the others are drawn from the new list when scrolled to)."""
        ids = ([STARRED_ID] if starred_count else []) + weeks.ids
        same = ids == self.row_ids and starred_count == self.starred_count
        self.listing = weeks
        self.weeks = weeks.weeks
        self.counts = weeks.counts
        self.starred_count = starred_count
        if same:
            self._redraw_changed()
            return
        self._drawn = {}
        row_ids, starts, height = self.rows_of(weeks.ids, weeks.weeks.samples, bool(starred_count))
        self.set_row_starts(row_ids, starts, height, cursor_id=self.digest_id)

    def rows_of(self, week_ids: list[str], samples: frozenset[str], starred: bool) -> tuple[list[str], list[int], int]:
        """The rows of a list of `week_ids` (after the starred entry, if `starred`), where each
        starts and the lines in all: kept for the last few lists, as a filter toggled on and off
        shows the same two (the starts are a walk over every listed week, 0.4 ms at 5,200)."""
        key = (id(week_ids), starred)
        kept = self._rows_kept.get(key)
        if kept is not None and kept[0] is week_ids:
            return kept[1:]
        heights = [3 if digest_id in samples else 2 for digest_id in week_ids] if samples else [2] * len(week_ids)
        starts, height = self.starts_of(([2] if starred else []) + heights)
        if len(self._rows_kept) >= ROWS_KEPT:
            del self._rows_kept[next(iter(self._rows_kept))]
        # (the list of ids is kept with them: its id is not another list's while it lives)
        row_ids = [STARRED_ID, *week_ids] if starred else week_ids
        self._rows_kept[key] = (week_ids, row_ids, starts, height)
        return row_ids, starts, height

    def _redraw_changed(self) -> None:
        self._forget_off_screen()
        offset = 1 if self.starred_count else 0
        for row_id, shown in list(self._drawn.items()):
            index = self.row_ids.index(row_id) - offset
            if (self.weeks[index], self.counts[row_id]) != shown:
                self.redraw_row(row_id)

    def _forget_off_screen(self) -> None:
        """Rows off screen are forgotten (drawn from the list when they scroll back): what the list
        holds stays a screenful however far the reader goes."""
        on_screen = set(self.row_ids[self._row_at(int(self.scroll_y)):
                                     self._row_at(int(self.scroll_y) + self.scrollable_content_region.height) + 1])
        gone = [row_id for row_id in self._drawn if row_id not in on_screen]
        for row_id in gone:  # (finished lines are kept by what they show: a change is a new line)
            del self._drawn[row_id]
            self._lines.pop(row_id, None)

    def row_lines(self, index: int) -> tuple[Line, ...]:
        if self.row_ids[index] == STARRED_ID:
            return (((self.t("week.starred"), ("week-list--note",)),),
                    (("  " + self.t("week.starred_count", n=self.starred_count), ("week-list--dim",)),))
        week = self.weeks[index - (1 if self.starred_count else 0)]
        counts = self.counts[week.id]
        if len(self._drawn) >= DRAWN_KEPT:
            self._forget_off_screen()
        self._drawn[week.id] = (week, counts)
        return week_lines(week, counts, self.t)

    def set_counts(self, digest_id: str, counts: WeekCounts) -> None:
        """Redraw one row whose counts changed (items read or marked unread)."""
        shown = self._drawn.get(digest_id)
        if shown is not None and shown[1] != counts:
            self.redraw_row(digest_id)

    def redraw_counts(self) -> None:
        """Counts changed everywhere (`M`): the rows on screen are drawn again."""
        for row_id in list(self._drawn):
            self.redraw_row(row_id)

    def set_starred_count(self, count: int) -> None:
        """Add, update or drop the starred entry at the top."""
        if bool(count) != bool(self.starred_count) and self.listing is not None:
            self.show_weeks(self.listing, count)
        elif count:
            self.starred_count = count
            self.redraw_row(STARRED_ID)

    def neighbour(self, step: int) -> str | None:
        """The id of the week `step` rows below the selected one (the starred entry excluded)."""
        if self.listing is None or not self.listing.ids:
            return None
        ids = self.listing.ids
        try:
            index = self.listing.weeks.index(self.digest_id)
        except ValueError:
            return ids[0]
        index += step
        return ids[index] if 0 <= index < len(ids) else None

    # -- the cursor ----------------------------------------------------------------------------

    def watch_digest_id(self, digest_id: str | None) -> None:
        self._asked = None
        index = self.index_of(digest_id, default=-1)
        if index >= 0:
            self.move_cursor(index, announce=False)

    def move_cursor(self, index: int, *, announce: bool = True) -> None:
        """A key or click asks the screen for the week; the cursor moves when the screen binds the
        new week down — in the same handler that fills the viewer, so both are drawn in one frame."""
        if not announce or not self.row_ids:
            super().move_cursor(index, announce=False)
            return
        index = max(0, min(index, len(self.row_ids) - 1))
        self._asked = index
        self.report(self.WeekHighlighted(self.row_ids[index]))

    def sync_cursor(self) -> None:
        """The screen handled (or refused) a move a key asked for: the cursor shows `digest_id`."""
        self.watch_digest_id(self.digest_id)

    @property
    def cursor_index(self) -> int:
        """Where the cursor is, or is about to be (keys pressed faster than frames still add up)."""
        return self._asked if self._asked is not None else self._cursor

    def row_chosen(self, index: int) -> None:
        self.report(self.WeekOpened(self.row_ids[index]))
