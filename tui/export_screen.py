"""`e`: ask for the export's format and file before writing it (prefilled; never over a file).

Dismisses with (format, path) or None. The path field starts as a free name in the export folder
(`sz-digest-2026-03-09.md`, else `…-2.md`, …); an existing file is refused here, and the writer opens
the file exclusively, so nothing is ever overwritten.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static

from .i18n import Catalog

FORMATS = (("Markdown", "md"), ("JSON", "json"), ("CSV", "csv"))


def free_path(folder: Path, stem: str, suffix: str) -> Path:
    """`folder/stem.suffix`, or the first of `stem-2.suffix`, `stem-3.suffix`, … that does not exist."""
    for n in range(1, 1000):
        candidate = folder / (f"{stem}.{suffix}" if n == 1 else f"{stem}-{n}.{suffix}")
        if not candidate.exists():
            return candidate
    return folder / f"{stem}.{suffix}"


class ExportScreen(ModalScreen[tuple[str, Path] | None]):
    """Format (Markdown, JSON, CSV) and a path; enter writes, escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]
    DEFAULT_CSS = """
    ExportScreen {
        align: center middle;
    }
    #export-body {
        width: 80;
        max-width: 95%;
        height: auto;
        border: round $accent;
        border-title-style: bold;
        background: $surface;
        padding: 1 2;
    }
    #export-hint {
        color: $text-muted;
        margin: 1 0 0 0;
    }
    """

    def __init__(self, t: Catalog, folder: Path, stem: str, count: int) -> None:
        super().__init__()
        self.t = t
        self.folder = folder
        self.stem = stem
        self.count = count
        self._suggested = free_path(folder, stem, "md")

    def compose(self) -> ComposeResult:
        with Vertical(id="export-body") as body:
            body.border_title = self.t("export.title", n=self.count)
            yield Select(FORMATS, value="md", allow_blank=False, id="export-format")
            yield Input(str(self._suggested), id="export-path")
            yield Static(Content(self.t("export.hint")), id="export-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Select.Changed)
    def _format_changed(self, event: Select.Changed) -> None:
        field = self.query_one(Input)
        if field.value == str(self._suggested):  # not edited by hand: follow the format
            self._suggested = free_path(self.folder, self.stem, str(event.value))
            field.value = str(self._suggested)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        hint = self.query_one("#export-hint", Static)
        if not text:
            hint.update(Content(self.t("export.no_path")))
            return
        path = Path(text).expanduser()
        if path.exists():
            hint.update(Content(self.t("export.exists", path=str(path))))
            return
        self.dismiss((str(self.query_one(Select).value), path))

    def action_cancel(self) -> None:
        self.dismiss(None)
