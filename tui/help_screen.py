"""The help screen: every key of the reader, built from the same command table as the bindings.

Keys are shown as currently bound, so a `[keys]` remap in the config file shows up here too.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from .commands import COMMANDS, GROUPS, Command
from .i18n import Catalog


def key_label(command: Command, keymap: Mapping[str, str], display) -> str:
    """The keys bound to `command` now, as the Footer would show them (`j / ↓`)."""
    keys = keymap.get(command.id, command.keys)
    shown = []
    for key in keys.split(","):
        key = key.strip()
        if not key:
            continue
        if command.key_display and keys == command.keys and key == command.keys.split(",")[0]:
            shown.append(command.key_display)
        else:
            shown.append(display(Binding(key, command.action)))
    return " / ".join(shown)


def help_content(t: Catalog, keymap: Mapping[str, str], display) -> Content:
    """The whole help text: one section per group, one `key  action` line per command."""
    rows: list[tuple[str, str]] = []
    width = 0
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    for group in GROUPS:
        rows = [(key_label(c, keymap, display), c.label(t.lang)) for c in COMMANDS if c.group == group]
        sections.append((t(f"help.group.{group}"), rows))
        width = max([width, *(len(key) for key, _ in rows)])
    palette = display(Binding("ctrl+p", "command_palette"))
    width = max(width, len(palette)) + 3
    lines: list[Content] = []
    for title, rows in sections:
        lines.append(Content.styled(title, "bold $accent"))
        for key, label in rows:
            lines.append(Content.assemble((key.ljust(width), "bold"), label))
        lines.append(Content(""))
    lines.append(Content.assemble((palette.ljust(width), "bold"), t("help.palette")))
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """Lists every key; any of escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", show=False),
    ]
    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    #help-body {
        width: 76;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: round $accent;
        border-title-style: bold;
        background: $surface;
        padding: 0 2;
    }
    """

    def __init__(self, t: Catalog, keymap: Mapping[str, str]) -> None:
        super().__init__()
        self.t = t
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = self.t("help.title")
            body.border_subtitle = self.t("help.close")
            yield Static(help_content(self.t, self.keymap, self.app.get_key_display), id="help-text")


def markdown_key_table(lang: str = "en") -> str:
    """The README's key table: the same rows as the help screen, with the default keys.

    `scripts/readme.py` writes it into README.md; tests/test_readme.py fails when they differ.
    """
    from textual.app import App

    t = Catalog(lang)
    lines = ["| key | does | group |", "| --- | --- | --- |", f"| `^p` | {t('help.palette')} | {t('help.group.app')} |"]
    for group in GROUPS:
        for command in COMMANDS:
            if command.group == group:
                key = key_label(command, {}, lambda binding: App.get_key_display(None, binding))  # type: ignore[arg-type]
                keys = " / ".join(f"`{part}`" for part in key.split(" / "))
                lines.append(f"| {keys} | {command.label(lang)} | {t(f'help.group.{group}')} |")
    return "\n".join(lines)
