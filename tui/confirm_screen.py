"""A yes/no question in a small modal (`M` mark all read): `y`/`enter` yes, `n`/`escape` no."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from .i18n import Catalog


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True (yes) or False (no)."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", show=False),
        Binding("n,escape,q", "answer(False)", "No", show=False),
    ]
    DEFAULT_CSS = """
    ConfirmScreen {
        align: center middle;
    }
    #confirm-body {
        width: 52;
        max-width: 95%;
        height: auto;
        border: round $warning;
        background: $surface;
        padding: 1 2;
    }
    #confirm-hint {
        color: $text-muted;
        margin: 1 0 0 0;
    }
    """

    def __init__(self, question: str, t: Catalog) -> None:
        super().__init__()
        self.question = question
        self.t = t

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-body"):
            yield Static(Content(self.question), id="confirm-text")
            yield Static(Content(self.t("confirm.hint")), id="confirm-hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
