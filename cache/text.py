"""Text hygiene shared by the parser, the store, the CLI and the TUI.

Scraped text is hostile: it may carry terminal escape sequences, C1 controls, bidi overrides or
invisible format characters. `clean_text` removes them all; `fold` gives the copy we match on.
"""

from __future__ import annotations

import re
import unicodedata

# ESC sequences first, so their parameters do not survive as visible debris once ESC is removed.
_ESCAPE_SEQUENCES = re.compile(
    r"""
    \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?      # OSC ... BEL / ST (clipboard writes, links, titles)
    | \x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?      # C1 OSC
    | \x1b[P^_X][^\x1b\x9c]*(?:\x1b\\|\x9c)?          # DCS, PM, APC, SOS strings
    | [\x90\x9e\x9f\x98][^\x1b\x9c]*(?:\x1b\\|\x9c)?  # their C1 forms
    | \x1b\[[0-?]*[ -/]*[@-~]?                        # CSI
    | \x9b[0-?]*[ -/]*[@-~]?                          # C1 CSI
    | \x1b[ -/]*[0-~]?                                # two-byte and nF escapes
    """,
    re.VERBOSE,
)


def _is_unwanted(ch: str) -> bool:
    if ch == "\n":
        return False
    category = unicodedata.category(ch)
    # Cc: C0, DEL and C1 controls. Cf: bidi overrides/isolates, zero-width and other invisible
    # format characters. Cs/Co/Cn: surrogates, private use and unassigned code points.
    return category in ("Cc", "Cf", "Cs", "Co", "Cn")


def clean_text(text: str) -> str:
    """Return `text` with escape sequences, control and invisible format characters removed.

    Tabs become spaces; newlines are kept (paragraph structure); everything else invisible goes.
    """
    if not text:
        return ""
    text = text.replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n")
    if text.isprintable():
        return text  # no ESC and no C1 control (both unprintable): no escape sequence to remove
    text = _ESCAPE_SEQUENCES.sub("", text)
    if text.isprintable():
        return text
    return "".join(ch for ch in text if not _is_unwanted(ch))


def clean_line(text: str) -> str:
    """`clean_text` for one-line fields (titles, labels): newlines become spaces, runs collapse."""
    return " ".join(clean_text(text).split())


# The full-width punctuation Chinese text is full of, and what NFKC makes of each. Replaced first
# (str.replace is C-fast), most lines are then already NFKC and skip `unicodedata.normalize`, which
# costs ~1 µs per character on CJK text in CPython (it was the parser's hot spot).
_FULL_WIDTH_PUNCTUATION = (("，", ","), ("：", ":"), ("（", "("), ("）", ")"), ("！", "!"), ("？", "?"),
                           ("；", ";"), ("\u3000", " "), ("．", "."))


def fold(text: str) -> str:
    """The matching form of `text`: NFKC (full-width to ASCII, `\\u3000` to space) and case-folded."""
    for wide, narrow in _FULL_WIDTH_PUNCTUATION:
        if wide in text:
            text = text.replace(wide, narrow)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.casefold()


_CONTROLS_VISIBLE = {n: f"\\x{n:02x}" for n in (*range(32), 127)}


def visible(text: str, limit: int | None = None) -> str:
    """Hostile text quoted in a one-line message: ASCII only, every control shown as an escape
    (`\\x1b`), cut to `limit` characters with "…". For text a person must see exactly (a bad config
    value, a malformed Location), where `clean_line` would silently drop the culprit."""
    text = str(text).encode("ascii", "backslashreplace").decode("ascii").translate(_CONTROLS_VISIBLE)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def shorten(text: str, limit: int = 60) -> str:
    """User input echoed in a message (a search query, a week spec): one clean line, at most `limit`
    characters with "…", so a 10 KB query is not printed back whole."""
    line = clean_line(text)
    return line if len(line) <= limit else line[: limit - 1] + "…"
