"""The reader's wrapping: cache/linebreak.py's rule, measured with Rich's cell widths (what Textual draws)."""

from __future__ import annotations

from functools import lru_cache

from rich.cells import get_character_cell_size

from sz_digest.cache.linebreak import NO_END, NO_START, wrap_with

__all__ = ["NO_END", "NO_START", "wrap"]


@lru_cache(maxsize=4096)
def wrap(text: str, width: int) -> tuple[str, ...]:
    """Lines of at most `width` cells as Textual measures them; newlines are kept."""
    return wrap_with(text, width, get_character_cell_size)
