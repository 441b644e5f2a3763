"""How the CLI speaks to people: in the run's language (`t`, `set_lang`), one-line errors on stderr
(`warn`, `fail`), and text on stdout fit for a terminal and for a pipe (`Out`).

On a terminal, paragraphs wrap to its width with the reader's CJK line-breaking rule
(cache/linebreak.py: no line starts with `，` or `。`). Piped or redirected, each paragraph is one
line, never hard-wrapped, so `grep`, `wc -l` and editors see whole paragraphs. Scraped text is
always passed as plain `Text` (markup off), so a page cannot style the terminal.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Iterable
from typing import TextIO

from sz_digest.cache.errors import UsageError
from sz_digest.cache.linebreak import text_width, wrap

from .i18n import Catalog

PROG = "sz-digest"
Span = tuple[int, int, str]  # start, end (character offsets into the paragraph), Rich style


class _Speaker:
    """The language of everything the CLI prints for people (`--lang`, else the config file, else
    the locale): `t("cli.no_week", spec=...)`. One object whose language `set_lang` changes, so
    every module that imported `t` speaks the run's language. JSON never changes with it."""

    def __init__(self) -> None:
        self.catalog = Catalog("en")

    @property
    def lang(self) -> str:
        return self.catalog.lang

    def __call__(self, key: str, **values: object) -> str:
        return self.catalog(key, **values)

    def district(self, code: str, label: str | None = None) -> str:
        return self.catalog.district(code, label)


t = _Speaker()
# argparse asks gettext for every group title and message as it builds the parser (~1,000 look-ups
# for ours, each searching the locale dirs for a catalog); the answer cannot change within a run.
_ARGPARSE_GETTEXT = functools.lru_cache(maxsize=None)(argparse._)  # type: ignore[attr-defined]


def set_lang(lang: str) -> None:
    """Speak `lang` from now on, argparse's own words ("usage:", its errors) included."""
    t.catalog = Catalog(lang)
    if t.lang == "zh":
        from .i18n_cli import ARGPARSE_ZH

        argparse._ = lambda message: ARGPARSE_ZH.get(message, message)  # type: ignore[attr-defined]
    else:
        argparse._ = _ARGPARSE_GETTEXT  # type: ignore[attr-defined]


def warn(message: str) -> None:
    """One plain line on stderr (messages may quote scraped text: cleaned first)."""
    from sz_digest.cache.text import clean_line

    print(f"{PROG}: {clean_line(message)}", file=sys.stderr)


def fail(code: int, message: str) -> int:
    warn(message)
    return code


def zh_phrases(text: str) -> str:
    """The core's English reason in the chosen language: known phrases replaced, longest first
    (values, paths and numbers between them kept); unchanged in English."""
    if t.lang != "zh":
        return text
    from .i18n_cli import REASON_PHRASES_ZH

    for phrase in sorted(REASON_PHRASES_ZH, key=len, reverse=True):
        text = text.replace(phrase, REASON_PHRASES_ZH[phrase])
    return text


def usage_message(exc: UsageError) -> str:
    """A core UsageError in the chosen language (its English message when it has no key)."""
    from sz_digest.cache.text import clean_line

    if exc.key:
        return t(f"cli.{exc.key}", **exc.values)
    reason, query = getattr(exc, "reason", None), getattr(exc, "query", None)
    if isinstance(reason, str) and isinstance(query, str) and t.lang == "zh":  # a QueryError (cache/query.py)
        from .i18n_cli import QUERY_REASONS_ZH

        token = clean_line(query[exc.start:exc.end])  # type: ignore[attr-defined]
        where = t("cli.bad_query_where", token=token, n=exc.start + 1) if token else ""  # type: ignore[attr-defined]
        return t("cli.bad_query", where=where, reason=QUERY_REASONS_ZH.get(reason, reason))
    return zh_phrases(str(exc))


class Out:
    """stdout for people. `width` is None when output is not a terminal (no wrapping at all)."""

    def __init__(self, stream: TextIO | None = None, *, width: int | None = None, terminal: bool | None = None) -> None:
        from rich.console import Console

        self.stream = stream if stream is not None else sys.stdout
        self.terminal = self.stream.isatty() if terminal is None else terminal
        if self.terminal:
            import shutil

            self.width: int | None = width or shutil.get_terminal_size().columns
        else:
            self.width = None
        self.console = Console(file=self.stream, highlight=False, emoji=False, markup=False, soft_wrap=True,
                               force_terminal=self.terminal, width=self.width or 1_000_000)

    def blank(self) -> None:
        self.console.print()

    def paragraph(self, text: str, style: str = "", *, indent: str = "", spans: Iterable[Span] = ()) -> None:
        """One paragraph: wrapped with the line-breaking rule on a terminal, a single line in a pipe."""
        from rich.text import Text

        spans = list(spans)
        if self.width is None:
            lines = [text]
        else:
            lines = list(wrap(text, max(1, self.width - text_width(indent))))
        cursor = 0
        for line in lines:
            start = text.find(line, cursor) if line else cursor
            start = cursor if start < 0 else start
            end = start + len(line)
            cursor = end
            rendered = Text(indent + line, style=style)
            for span_start, span_end, span_style in spans:
                lo, hi = max(span_start, start), min(span_end, end)
                if lo < hi:
                    rendered.stylize(span_style, lo - start + len(indent), hi - start + len(indent))
            self.console.print(rendered)

    def table(self, table) -> None:
        """A Rich table: fitted to the terminal, or at its natural width in a pipe (no padding at
        line ends there, so `cut`, `awk` and diffs see clean lines)."""
        if self.terminal:
            self.console.print(table)
            return
        with self.console.capture() as captured:
            self.console.print(table)
        self.stream.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
