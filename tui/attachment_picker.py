"""`o` on a week with attachments: choose the source page or one of its attachments to open.

A small modal list; the choice goes back to the screen as a URL (the app's `open_url` sanitises it).
Names are scraped text: cleaned and shown as plain text, never markup.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from sz_digest.cache.text import clean_line

from .i18n import Catalog


class AttachmentPicker(ModalScreen[str | None]):
    """The source page first, then each attachment; enter opens, escape closes."""

    BINDINGS = [Binding("escape", "dismiss_picker", "Close", show=False)]
    DEFAULT_CSS = """
    AttachmentPicker { align: center middle; }
    AttachmentPicker > Vertical { width: 80%; max-width: 90; height: auto; max-height: 80%;
                                  border: round $accent; background: $surface; padding: 0 1; }
    AttachmentPicker OptionList { height: auto; max-height: 20; }
    """

    def __init__(self, t: Catalog, source_url: str, attachments) -> None:
        super().__init__()
        self.t = t
        self.urls = [source_url] + [a.url for a in attachments]
        self.labels = [t("attachments.source")] + [clean_line(a.name) for a in attachments]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.t("attachments.title"), markup=False)
            yield OptionList(*(Option(label) for label in self.labels), id="attachment-options", markup=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.urls[event.option_index])

    def action_dismiss_picker(self) -> None:
        self.dismiss(None)
