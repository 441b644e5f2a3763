"""The week list: one row per stored digest, newest first (plus a "starred" entry on top).

A `RowView`: rows have a known height (two lines, three for the sample), so 520 weeks cost a list of
offsets and only the visible lines are drawn. Only dates, counts and the app's own words are shown
here: nothing scraped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message
from textual.reactive import var

from .commands import bindings
from .i18n import Catalog
from .row_view import Line, RowView

if TYPE_CHECKING:
    from sz_digest.cache.model import WeekSummary

STARRED_ID = "starred"  # the row id of the "starred items" entry at the top


def week_lines(week: WeekSummary, t: Catalog) -> tuple[Line, ...]:
    """`● 2026-03-09 → 03-13` over `  pub 03-20 · 8 items` (+ a sample line)."""
    end = week.week_end.strftime("%m-%d") if week.week_end.year == week.week_start.year else week.week_end.isoformat()
    marker = ("  ", ()) if week.read else ("● ", ("week-list--unread",))
    dates = (f"{week.week_start.isoformat()} → {end}", () if week.read else ("week-list--bold",))
    published = t("week.published", date=week.published.strftime("%m-%d"))
    if week.degraded:  # stored as full text: its one block is no item count worth showing
        second: Line = (("  " + published + " · ", ("week-list--dim",)), (t("week.degraded"), ("week-list--note",)))
    else:
        second = (("  " + " · ".join([published, t("week.items", n=week.item_count)]), ("week-list--dim",)),)
    lines: list[Line] = [(marker, dates), second]
    if week.sample:
        lines.append((("  ", ()), (t("week.sample"), ("week-list--note",))))
    return tuple(lines)


class WeekList(RowView):
    """Newest week first; moving the cursor previews a week, `enter` (or a click) opens it."""

    SCOPES = ("list",)
    BINDINGS = bindings(SCOPES, "en")
    COMPONENT_CLASSES = {"week-list--cursor", "week-list--hover", "week-list--unread", "week-list--bold",
                         "week-list--dim", "week-list--note"}
    CURSOR = "week-list--cursor"
    HOVER = "week-list--hover"

    @dataclass
    class WeekHighlighted(Message):
        """The cursor moved onto a week (or the starred entry): preview it."""

        digest_id: str

    @dataclass
    class WeekOpened(Message):
        """The user chose a week: open it in the viewer (and mark it read)."""

        digest_id: str

    digest_id: var[str | None] = var(None, init=False)
    """The selected week, bound from the screen; the cursor follows it."""

    def __init__(self, t: Catalog, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.t = t
        self.weeks: list[WeekSummary] = []
        self._position: dict[str, int] = {}
        self.starred_count = 0

    # -- content -------------------------------------------------------------------------------

    def show_weeks(self, weeks: list[WeekSummary], starred_count: int = 0) -> None:
        """Replace the rows, keeping the cursor on the selected week."""
        self.weeks = weeks
        self._position = {week.id: n for n, week in enumerate(weeks)}  # a key finds its week without a scan
        self.starred_count = starred_count
        ids = ([STARRED_ID] if starred_count else []) + [week.id for week in weeks]
        heights = ([2] if starred_count else []) + [3 if week.sample else 2 for week in weeks]
        self.set_rows(ids, heights, cursor_id=self.digest_id)

    def row_lines(self, index: int) -> tuple[Line, ...]:
        if self.row_ids[index] == STARRED_ID:
            return (((self.t("week.starred"), ("week-list--note",)),),
                    (("  " + self.t("week.starred_count", n=self.starred_count), ("week-list--dim",)),))
        return week_lines(self.weeks[index - (1 if self.starred_count else 0)], self.t)

    def set_starred_count(self, count: int) -> None:
        """Add, update or drop the starred entry at the top."""
        if bool(count) != bool(self.starred_count):
            self.show_weeks(self.weeks, count)
        elif count:
            self.starred_count = count
            self.redraw_row(STARRED_ID)

    def update_week(self, week: WeekSummary) -> None:
        """Redraw one row (read state changed) without rebuilding the list."""
        index = self._position.get(week.id)
        if index is not None:
            self.weeks[index] = week
            self.redraw_row(week.id)

    def neighbour(self, step: int) -> str | None:
        """The id of the week `step` rows below the selected one (the starred entry excluded)."""
        if not self.weeks:
            return None
        index = self._position.get(self.digest_id)
        if index is None:
            return self.weeks[0].id
        index += step
        return self.weeks[index].id if 0 <= index < len(self.weeks) else None

    # -- the cursor ----------------------------------------------------------------------------

    def watch_digest_id(self, digest_id: str | None) -> None:
        index = self.index_of(digest_id, default=-1)
        if index >= 0:
            self.move_cursor(index, announce=False)

    def cursor_moved(self, index: int) -> None:
        self.post_message(self.WeekHighlighted(self.row_ids[index]))

    def row_chosen(self, index: int) -> None:
        self.post_message(self.WeekOpened(self.row_ids[index]))
