"""The district filter sidebar: 全部/All plus every district in canonical order, multi-select.

Rows show how many items the selected week has per district; districts absent this week are dimmed,
not hidden (so the filter does not jump around week to week) — except `city` and `other`, which only
appear when present or selected. An empty selection means "all districts".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sz_digest.cache.districts import CODES
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from .commands import bindings
from .i18n import Catalog
from .option_rows import RowList

if TYPE_CHECKING:
    from sz_digest.cache.store import Store

ALL_ID = "all"
OCCASIONAL = ("city", "other")  # shown only when the week has them or the filter selects them


class DistrictFilter(RowList):
    """`space`/`enter`/click toggles the highlighted district; on 全部/All it clears the filter."""

    SCOPES = ("list", "filter")
    BINDINGS = bindings(SCOPES, "en")

    class Toggled(Message):
        """The user toggled one district in or out of the filter."""

        def __init__(self, code: str) -> None:
            super().__init__()
            self.code = code

    class Cleared(Message):
        """The user chose 全部/All."""

    digest_id: reactive[str | None] = reactive(None, init=False)
    districts: reactive[frozenset[str]] = reactive(frozenset(), init=False)

    def __init__(self, store: Store, t: Catalog, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.store = store
        self.t = t
        self.counts: dict[str, int] = {}
        self._rows: dict[str, tuple] = {}  # option id -> what its row shows (mark, name, count, dim, bold)

    def on_mount(self) -> None:
        self.rebuild()

    def watch_digest_id(self) -> None:
        self.rebuild()

    def watch_districts(self) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        """Bring every row up to date for the current week and selection, keeping the highlighted
        row; only rows whose text or look changed are redrawn."""
        self.counts = self.store.district_counts(self.digest_id) if self.digest_id else {}
        selected = self.districts
        total = sum(self.counts.values())
        rows = {ALL_ID: ("◉ " if not selected else "○ ", self.t("district.all"), total, False, not selected)}
        for code in CODES:
            count = self.counts.get(code, 0)
            if code in OCCASIONAL and not count and code not in selected:
                continue
            rows[code] = ("■ " if code in selected else "□ ", self.t.district(code), count, not count, code in selected)
        if list(rows) == list(self._rows):
            for index, (code, row) in enumerate(rows.items()):
                if self._rows[code] != row:
                    self.replace_option_prompt_at_index(index, self._row(*row))
            self._rows = rows
            return
        keep = self.highlighted_option.id if self.highlighted_option else None
        self._rows = rows
        options = [Option(self._row(*row), id=code) for code, row in rows.items()]
        with self.prevent(OptionList.OptionHighlighted):
            self.set_options(options)
            ids = list(rows)
            self.highlighted = ids.index(keep) if keep in ids else 0

    @staticmethod
    def _row(mark: str, name: str, count: int, dim: bool = False, bold: bool = False) -> Content:
        style = "dim" if dim else ("bold" if bold else "")
        return Content.assemble((mark, "$accent" if bold else style), (name, style),
                                (f" {count}" if count else "", "dim"))

    def action_toggle_district(self) -> None:
        option = self.highlighted_option
        if option is None or option.id is None:
            return
        if option.id == ALL_ID:
            self.post_message(self.Cleared())
        else:
            self.post_message(self.Toggled(option.id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_toggle_district()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()

    @property
    def highlighted_code(self) -> str | None:
        """The district under the cursor (None on 全部/All): what `t` shows a timeline of."""
        option = self.highlighted_option
        return option.id if option is not None and option.id != ALL_ID else None
