"""The display boundary: scraped strings become inert `Content`, URLs are vetted before opening.

Every page-derived string shown by the app passes through here. `clean_text` runs again even though
the parser already ran it, because the store may hold pages parsed by an older, laxer parser; and the
result is always wrapped in `Content(...)`, which Textual renders verbatim (no markup parsing), so
`[bold red]`, `[@click=app.quit]` and a lone `[/` are shown as typed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sz_digest.cache.text import clean_line, clean_text
from textual.content import Content


def line(text: str | None, style: str = "") -> Content:
    """One-line scraped text (title, label) as plain Content."""
    return Content.styled(clean_line(text or ""), style)


def block(text: str | None, style: str = "") -> Content:
    """Multi-line scraped text (a paragraph) as plain Content, newlines kept."""
    return Content.styled(clean_text(text or ""), style)


def plain_line(text: str | None) -> str:
    """One-line scraped text as a str, for places that take `str` but render it verbatim
    (`App.sub_title`, `notify(..., markup=False)`)."""
    return clean_line(text or "")


def safe_url(url: str | None) -> str | None:
    """`url` if it is an absolute http(s) URL with a host and nothing invisible in it, else None.

    `webbrowser.open` accepts any scheme (file:, javascript:, a local path), so only these two pass.
    """
    if not url:
        return None
    cleaned = clean_line(url)
    if cleaned != url.strip() or any(ch.isspace() for ch in cleaned):
        return None
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if "\\" in cleaned or parts.username or parts.password:
        return None
    from sz_digest.cache.export import safe_url as export_safe_url  # the CLI's stricter ASCII-only check

    return export_safe_url(cleaned)
