"""The district filter sidebar: 全部/All plus every district in canonical order, multi-select.

Rows show how many items the selected week has per district; districts absent this week are dimmed,
not hidden (so the filter does not jump around week to week) — except `city` and `other`, which only
appear when present or selected. An empty selection means "all districts".

Under the districts, the saved searches (watches, cache/watches.py) are rows of their own with the
number of their matches not read yet; choosing one filters like a district does (MainScreen.watch_filter).
The screen hands both down (`show`, `show_watches`): the sidebar holds no store.
"""

from __future__ import annotations

from collections.abc import Mapping

from sz_digest.cache.districts import CODES, OCCASIONAL_CODES
from textual.message import Message

from .commands import bindings
from .first_frame import message
from .i18n import Catalog
from .row_view import Line, RowView

ALL_ID = "all"
WATCHES_ID = "watches"  # the heading over the saved searches
WATCH_PREFIX = "watch:"  # row ids of saved searches: watch:NAME
OCCASIONAL = OCCASIONAL_CODES  # shown only when the week has them or the filter selects them

Row = tuple[str, str, int, bool, bool]  # mark, name, count, dim (none this week), selected


class DistrictFilter(RowView):
    """`space`/`enter`/click toggles the highlighted district; on 全部/All it clears the filter."""

    SCOPES = ("list", "filter")
    BINDINGS = bindings(SCOPES, "en")
    COMPONENT_CLASSES = {"district-filter--cursor", "district-filter--hover", "district-filter--dim",
                         "district-filter--selected", "district-filter--mark"}
    CURSOR = "district-filter--cursor"
    HOVER = "district-filter--hover"

    @message
    class Toggled(Message):
        """The user toggled one district in or out of the filter."""

        code: str

    class Cleared(Message):
        """The user chose 全部/All."""

    @message
    class Highlighted(Message):
        """The cursor came to rest on a row (a key, or the sidebar took focus): the screen may read
        ahead what toggling that district would list."""

        code: str | None

    @message
    class WatchChosen(Message):
        """The user chose a saved search (a watch) under the districts."""

        name: str

    def __init__(self, t: Catalog, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.t = t
        self.counts: dict[str, int] = {}
        self.districts: frozenset[str] = frozenset()
        self.chosen_watch: str | None = None
        self.watch_counts: dict[str, int] = {}  # watch name -> its matches not read yet
        self._rows: dict[str, Row] = {}  # row id -> what its row shows

    def on_mount(self) -> None:
        self.rebuild()

    def show(self, counts: Mapping[str, int], districts: frozenset[str], chosen_watch: str | None = None) -> None:
        """The shown week's items per district, the selection and the chosen watch (from the screen)."""
        self.counts = dict(counts)
        self.districts = districts
        self.chosen_watch = chosen_watch
        self.rebuild()

    def show_watches(self, counts: Mapping[str, int]) -> None:
        """The saved searches and their unread matches (from the screen)."""
        if dict(counts) != self.watch_counts:
            self.watch_counts = dict(counts)
            self.rebuild()

    def rebuild(self) -> None:
        """Bring every row up to date for the current week and selection, keeping the cursor on the
        same district; only rows whose text or look changed are redrawn."""
        selected = self.districts
        total = sum(self.counts.values())
        chosen = self.chosen_watch
        everything = not selected and chosen is None
        rows: dict[str, Row] = {ALL_ID: ("◉ " if everything else "○ ", self.t("district.all"), total, False, everything)}
        for code in CODES:
            count = self.counts.get(code, 0)
            if code in OCCASIONAL and not count and code not in selected:
                continue
            rows[code] = ("■ " if code in selected else "□ ", self.t.district(code), count, not count, code in selected)
        if self.watch_counts:
            rows[WATCHES_ID] = ("", self.t("pane.watches"), 0, True, False)
            for name, count in self.watch_counts.items():
                rows[WATCH_PREFIX + name] = ("◆ " if name == chosen else "◇ ", name, count, not count, name == chosen)
        old, self._rows = self._rows, rows
        if list(rows) == list(old):
            changed = [index for index, (code, row) in enumerate(rows.items()) if old[code] != row]
            for index in changed:
                self._lines.pop(self.row_ids[index], None)
            self._refresh_runs(changed)  # (a row is one line)
            return
        # A district came or went (`city`, `other`): repaint the lines that now show something else,
        # not the whole pane (most of it is blank below the rows).
        before = [(code, old[code], code == self.highlighted_id) for code in old]
        self.set_rows(list(rows), [1] * len(rows), cursor_id=self.highlighted_id, repaint=False)
        after = [(code, rows[code], code == self.highlighted_id) for code in rows]
        self._refresh_runs([line for line in range(max(len(before), len(after)))
                            if before[line:line + 1] != after[line:line + 1]])

    def _refresh_runs(self, lines: list[int]) -> None:
        """Repaint these lines (ascending), each run of neighbours as one region: on a week switch
        most counts change, and each `refresh_lines` is a region marked dirty up to the screen."""
        start = previous = None
        for line in lines:
            if previous is not None and line == previous + 1:
                previous = line
                continue
            if start is not None:
                self.refresh_lines(start, previous - start + 1)
            start = previous = line
        if start is not None:
            self.refresh_lines(start, previous - start + 1)

    def row_lines(self, index: int) -> tuple[Line, ...]:
        mark, name, count, dim, selected = self._rows[self.row_ids[index]]
        look = ("district-filter--selected",) if selected else ("district-filter--dim",) if dim else ()
        spans = [(mark, ("district-filter--mark",) if selected else look), (name, look)]
        if count:
            spans.append((f" {count}", ("district-filter--dim",)))
        return (tuple(spans),)

    def cursor_moved(self, index: int) -> None:
        self.report(self.Highlighted(self.highlighted_code))

    def on_focus(self) -> None:
        self.report(self.Highlighted(self.highlighted_code))

    def row_chosen(self, index: int) -> None:
        self.action_toggle_district()

    def action_toggle_district(self) -> None:
        code = self.highlighted_id
        if code == ALL_ID:
            self.report(self.Cleared())
        elif code is not None and code.startswith(WATCH_PREFIX):
            self.report(self.WatchChosen(code.removeprefix(WATCH_PREFIX)))
        elif code is not None and code != WATCHES_ID:
            self.report(self.Toggled(code))

    @property
    def highlighted_code(self) -> str | None:
        """The district under the cursor (None on 全部/All or a watch): what `t` shows a timeline of."""
        code = self.highlighted_id
        return code if code in CODES else None
