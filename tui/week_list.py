"""The week list: one OptionList row per stored digest, newest first.

An OptionList renders only the visible rows, so 520 stored weeks cost 520 small `Content` objects,
not 520 widgets — start-up stays close to a bare Textual app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from .commands import bindings
from .i18n import Catalog
from .option_rows import RowList

if TYPE_CHECKING:
    from sz_digest.cache.store import WeekSummary

STARRED_ID = "starred"  # the option id of the "starred items" entry at the top
FIRST_ROWS = 40  # rows built before the first frame; the rest are added right after it
LATER_ROWS = 150  # rows added per frame after the first


def week_prompt(week: WeekSummary, t: Catalog) -> Content:
    """`● 2026-03-09 → 03-13` over `  pub 03-20 · 8 items` (+ a sample line); dates only, nothing scraped."""
    end = week.week_end.strftime("%m-%d") if week.week_end.year == week.week_start.year else week.week_end.isoformat()
    marker = ("  ", "") if week.read else ("● ", "bold $accent")
    first = Content.assemble(marker, (f"{week.week_start.isoformat()} → {end}", "" if week.read else "bold"))
    details = [t("week.published", date=week.published.strftime("%m-%d")), t("week.items", n=week.item_count)]
    lines = [first, Content.assemble(("  " + " · ".join(details), "dim"))]
    if week.sample:
        lines.append(Content.assemble("  ", (t("week.sample"), "bold $warning")))
    return Content("\n").join(lines)


class WeekList(RowList):
    """Newest week first; highlighting previews a week, `enter` (or a click) opens it."""

    SCOPES = ("list",)
    BINDINGS = bindings(SCOPES, "en")

    class WeekHighlighted(Message):
        """The cursor moved onto a week (or the starred entry): preview it."""

        def __init__(self, digest_id: str) -> None:
            super().__init__()
            self.digest_id = digest_id

    class WeekOpened(Message):
        """The user chose a week: open it in the viewer (and mark it read)."""

        def __init__(self, digest_id: str) -> None:
            super().__init__()
            self.digest_id = digest_id

    digest_id: reactive[str | None] = reactive(None, init=False)
    """The selected week, bound from the screen; the highlight follows it."""

    def __init__(self, t: Catalog, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.t = t
        self.weeks: list[WeekSummary] = []
        self.starred_count = 0
        self._generation = 0

    def show_weeks(self, weeks: list[WeekSummary], starred_count: int = 0) -> None:
        """Replace the rows, keeping the highlight on the selected week.

        Only the rows up to a screenful past the selection are added now; the rest follow after the
        first frame, so a 520-week archive opens as fast as a short one.
        """
        self.weeks = weeks
        self.starred_count = starred_count
        self._generation += 1
        ids = [week.id for week in weeks]
        selected = ids.index(self.digest_id) if self.digest_id in ids else 0
        first = max(FIRST_ROWS, selected + FIRST_ROWS)
        options: list[Option] = []
        if starred_count:
            options.append(Option(self._starred_prompt(), id=STARRED_ID))
        options.extend(Option(week_prompt(week, self.t), id=week.id) for week in weeks[:first])
        with self.prevent(OptionList.OptionHighlighted):
            self.set_options(options)
            self._highlight(self.digest_id)
        if len(weeks) > first:
            self.call_after_refresh(self._add_rest, self._generation, first)

    def _add_rest(self, generation: int, start: int) -> None:
        """Add the next chunk of rows, one chunk per frame, so keys stay responsive meanwhile."""
        if generation != self._generation:
            return  # the list was rebuilt meanwhile
        end = start + LATER_ROWS
        with self.prevent(OptionList.OptionHighlighted):
            self.add_options(Option(week_prompt(week, self.t), id=week.id) for week in self.weeks[start:end])
        if end < len(self.weeks):
            self.call_after_refresh(self._add_rest, generation, end)

    def set_starred_count(self, count: int) -> None:
        """Add, update or drop the starred entry at the top."""
        if bool(count) != bool(self.starred_count):
            self.show_weeks(self.weeks, count)
        elif count:
            self.starred_count = count
            self.replace_option_prompt(STARRED_ID, self._starred_prompt())

    def _starred_prompt(self) -> Content:
        return Content.assemble((self.t("week.starred"), "bold $warning"), ("  ", ""),
                                (self.t("week.starred_count", n=self.starred_count), "dim"))

    def update_week(self, week: WeekSummary) -> None:
        """Redraw one row (read state changed) without rebuilding the list."""
        for index, old in enumerate(self.weeks):
            if old.id == week.id:
                self.weeks[index] = week
                try:
                    self.replace_option_prompt(week.id, week_prompt(week, self.t))
                except OptionDoesNotExist:
                    pass  # not added yet: `_add_rest` will draw it from `self.weeks`
                return

    def neighbour(self, step: int) -> str | None:
        """The id of the week `step` rows below the selected one (the starred entry excluded)."""
        ids = [week.id for week in self.weeks]
        if not ids:
            return None
        if self.digest_id not in ids:
            return ids[0]
        index = ids.index(self.digest_id) + step
        return ids[index] if 0 <= index < len(ids) else None

    def _highlight(self, digest_id: str | None) -> None:
        if digest_id is None:
            return
        try:
            index = self.get_option_index(digest_id)
        except OptionDoesNotExist:  # the week is gone, or not added yet: keep the cursor
            return
        if self.highlighted != index:
            self.highlighted = index

    def watch_digest_id(self, digest_id: str | None) -> None:
        with self.prevent(OptionList.OptionHighlighted):
            self._highlight(digest_id)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option_id is not None:
            self.post_message(self.WeekHighlighted(event.option_id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_id is not None:
            self.post_message(self.WeekOpened(event.option_id))
