"""The per-district activity view (`g`): one bar per week over the last N weeks, oldest left.

Drawn as block characters in one Content rather than one Sparkline widget per district, so it is a
single cheap widget whose output is plain text (easy to test, identical in every terminal).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from sz_digest.cache.figures import spark_top, sparkline

from .i18n import Catalog

if TYPE_CHECKING:
    from sz_digest.cache.store import Store

RECENT_WEEKS = 24


def activity(stats: dict, t: Catalog) -> Content:
    rows = stats.get("districts", [])
    top = spark_top(rows)
    names = [t.district(row["district"]) for row in rows]
    width = max((cell_len(name) for name in names), default=0) + 2
    lines = [Content.styled(t("stats.title", n=stats.get("recent_weeks", 0)), "bold")]
    lines.append(Content(""))
    for name, row in zip(names, rows):
        pad = " " * (width - cell_len(name))
        quiet = not row["items_recent"]
        lines.append(Content.assemble(
            (name + pad, "dim" if quiet else "bold"),
            (sparkline(row["recent_series"], top), "dim" if quiet else "$accent"),
            ("  " + t("stats.total", n=row["items_recent"]), "dim"),
        ))
    return Content("\n").join(lines)


class StatsScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,g", "dismiss", "Back", show=False)]
    DEFAULT_CSS = """
    StatsScreen {
        align: center middle;
    }
    #stats-body {
        width: auto;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: round $accent;
        background: $surface;
        padding: 1 2;
    }
    #stats-text {
        width: auto;
    }
    """

    def __init__(self, store: Store, t: Catalog) -> None:
        super().__init__()
        self.store = store
        self.t = t

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="stats-body") as body:
            body.border_subtitle = self.t("stats.hint")
            yield Static(activity(self.store.stats(recent_weeks=RECENT_WEEKS), self.t), id="stats-text")
