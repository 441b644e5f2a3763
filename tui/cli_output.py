"""How the CLI's human-readable text reaches stdout: fit for a terminal and for a pipe.

On a terminal, paragraphs wrap to its width with the reader's CJK line-breaking rule
(cache/linebreak.py: no line starts with `，` or `。`). Piped or redirected, each paragraph is one
line, never hard-wrapped, so `grep`, `wc -l` and editors see whole paragraphs. Scraped text is
always passed as plain `Text` (markup off), so a page cannot style the terminal.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterable
from typing import TextIO

from sz_digest.cache.linebreak import text_width, wrap

Span = tuple[int, int, str]  # start, end (character offsets into the paragraph), Rich style


class Out:
    """stdout for people. `width` is None when output is not a terminal (no wrapping at all)."""

    def __init__(self, stream: TextIO | None = None, *, width: int | None = None, terminal: bool | None = None) -> None:
        from rich.console import Console

        self.stream = stream if stream is not None else sys.stdout
        self.terminal = self.stream.isatty() if terminal is None else terminal
        if self.terminal:
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
        """A Rich table: fitted to the terminal, or at its natural width in a pipe."""
        self.console.print(table)
