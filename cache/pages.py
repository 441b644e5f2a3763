"""Kept raw pages: one compressed file per digest in `pages/`, outside the database.

Why outside: a database destroyed by a disk fault is rebuilt from these files (Store.open), and a
parser upgrade re-derives every digest from them (`sz-digest reparse`) without the network. Why
only there: the database used to hold a second copy of every page (11 KB a week of its 31). Why
compressed: zlib takes the 10.9 KB sample page to 4.6 KB (level 9 gains nothing and costs more), and
reading one back costs well under a millisecond.

A file is `pages/<post id>.page`: the line `sz-digest page 1`, the page's URL on the next line,
then the zlib stream of the bytes exactly as served. Older stores kept `<id>.html` with the URL in
`<id>.url`; `read_page` and `kept_pages` still read those (the store's migration converts them).
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from pathlib import Path

from .urls import is_post_id

MAGIC = b"sz-digest page 1\n"
SUFFIX = ".page"


class PageFileError(ValueError):
    """A kept page file that is not one (truncated, overwritten, not ours)."""


def digest_of(raw: bytes) -> str:
    """What the store remembers of a page to tell whether a re-fetched one changed."""
    import hashlib  # only writes need it; importing it loads OpenSSL (4 ms), on every start

    return hashlib.sha256(raw).hexdigest()


def encode(url: str, raw: bytes) -> bytes:
    if "\n" in url or "\r" in url:
        raise ValueError("a URL with a line break")
    return MAGIC + url.encode("utf-8") + b"\n" + zlib.compress(raw, 6)


def decode(data: bytes) -> tuple[str, bytes]:
    """(url, raw) of a page file's bytes."""
    if not data.startswith(MAGIC):
        raise PageFileError("not a kept page file")
    url, newline, body = data[len(MAGIC):].partition(b"\n")
    if not newline:
        raise PageFileError("truncated kept page file")
    try:
        return url.decode("utf-8"), zlib.decompress(body)
    except (UnicodeDecodeError, zlib.error) as exc:
        raise PageFileError(f"damaged kept page file: {exc}") from None


def page_path(pages: Path, digest_id: str) -> Path:
    if not is_post_id(digest_id):  # digits only: a safe file name
        raise ValueError(f"not a post id: {digest_id!r}")
    return pages / f"{digest_id}{SUFFIX}"


def write_page(pages: Path, digest_id: str, url: str, raw: bytes) -> Path:
    """Write (atomically replace) one kept page; the legacy `.html`/`.url` pair goes once it is safe.

    Through the atomic helper: an unpredictable temp name, never written through a link planted in
    `pages/`. Not fsynced: a sync writes hundreds, and a page lost to a power cut costs only a
    re-fetch (the digest itself is in the database)."""
    from .atomic import write_atomic

    target = page_path(pages, digest_id)
    data = encode(url, raw)
    if not pages.is_dir():  # the first page: make the folder only then (a sync writes hundreds)
        pages.mkdir(exist_ok=True)
    write_atomic(target, data, overwrite=True, durable=False)
    for legacy in (pages / f"{digest_id}.html", pages / f"{digest_id}.url"):
        try:
            legacy.unlink()
        except FileNotFoundError:
            pass
    return target


def read_page(pages: Path, digest_id: str) -> tuple[str | None, bytes] | None:
    """(url, raw) of a kept page, the legacy pair included (url None when its .url is missing);
    None when no page is kept. Raises PageFileError or OSError for a damaged or unreadable one."""
    path = page_path(pages, digest_id)
    if path.exists():
        return decode(path.read_bytes())
    legacy = pages / f"{digest_id}.html"
    if legacy.exists():
        url_file = legacy.with_suffix(".url")
        url = url_file.read_text("utf-8").strip() if url_file.exists() else None
        return url, legacy.read_bytes()
    return None


def kept_pages(pages: Path) -> Iterator[tuple[str, str | None, bytes]]:
    """(digest id, url, raw) of every readable kept page, in id order; damaged files are skipped."""
    if not pages.is_dir():
        return
    ids = {p.stem for p in pages.iterdir() if p.suffix in (SUFFIX, ".html") and is_post_id(p.stem)}
    for digest_id in sorted(ids):
        try:
            found = read_page(pages, digest_id)
        except (OSError, PageFileError):
            continue
        if found is not None:
            yield digest_id, found[0], found[1]
