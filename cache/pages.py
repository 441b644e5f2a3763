"""Kept raw pages: one compressed file per digest in `pages/`, outside the database.

Why outside: a database destroyed by a disk fault is rebuilt from these files (Store.open), and a
parser upgrade re-derives every digest from them (`sz-digest reparse`) without the network. Why
only there: the database used to hold a second copy of every page (11 KB a week of its 31). Why
compressed: zlib takes the 10.9 KB sample page to 4.6 KB (level 9 gains nothing and costs more), and
reading one back costs well under a millisecond.

A file is `pages/<post id>.page`: the line `sz-digest page 2`, the page's URL on the next line,
then the zlib stream of the bytes exactly as served, compressed with a preset dictionary: the
column's article template (`data/page-dictionary-1.html`, the bundled sample's markup without its
items). The template is what every page repeats, so zlib need not spell it out again: the sample
page takes 3.6 KB instead of 4.6 (one 4 KiB block instead of two). The dictionary is part of the format
and never changes (a test pins its SHA-256): a better one would be `sz-digest page 3` with its own
file. Format 1 (`sz-digest page 1`, no dictionary) is still read, and so are the `<id>.html` +
`<id>.url` pairs of older stores (the store's migrations convert both).
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from pathlib import Path

from .urls import is_post_id

MAGIC_1 = b"sz-digest page 1\n"  # zlib without a dictionary
MAGIC = b"sz-digest page 2\n"  # zlib with DICTIONARY_FILE as its preset dictionary
SUFFIX = ".page"
DICTIONARY_FILE = "page-dictionary-1.html"
_dictionary: bytes | None = None


def dictionary() -> bytes:
    """Format 2's preset dictionary (fixed forever: every file written with it needs it to be read)."""
    global _dictionary
    if _dictionary is None:
        from importlib import resources

        _dictionary = resources.files(__package__).joinpath("data", DICTIONARY_FILE).read_bytes()
    return _dictionary


class PageFileError(ValueError):
    """A kept page file that is not one (truncated, overwritten, not ours)."""


def digest_of(raw: bytes) -> str:
    """What the store remembers of a page to tell whether a re-fetched one changed."""
    import hashlib  # only writes need it; importing it loads OpenSSL (4 ms), on every start

    return hashlib.sha256(raw).hexdigest()


def encode(url: str, raw: bytes) -> bytes:
    if "\n" in url or "\r" in url:
        raise ValueError("a URL with a line break")
    packer = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS, zdict=dictionary())
    return MAGIC + url.encode("utf-8") + b"\n" + packer.compress(raw) + packer.flush()


def decode(data: bytes) -> tuple[str, bytes]:
    """(url, raw) of a page file's bytes."""
    if data.startswith(MAGIC):
        magic = MAGIC
    elif data.startswith(MAGIC_1):
        magic = MAGIC_1
    else:
        raise PageFileError("not a kept page file")
    url, newline, body = data[len(magic):].partition(b"\n")
    if not newline:
        raise PageFileError("truncated kept page file")
    try:
        if magic is MAGIC_1:
            return url.decode("utf-8"), zlib.decompress(body)
        unpacker = zlib.decompressobj(zlib.MAX_WBITS, zdict=dictionary())
        raw = unpacker.decompress(body) + unpacker.flush()
        if not unpacker.eof or unpacker.unused_data:
            raise zlib.error("incomplete or trailing data")
        return url.decode("utf-8"), raw
    except (UnicodeDecodeError, zlib.error) as exc:
        raise PageFileError(f"damaged kept page file: {exc}") from None


def page_path(pages: Path, digest_id: str) -> Path:
    if not is_post_id(digest_id):  # digits only: a safe file name
        raise ValueError(f"not a post id: {digest_id!r}")
    return pages / f"{digest_id}{SUFFIX}"


def is_current(data: bytes) -> bool:
    """Whether a kept page file is in the format this version writes."""
    return data.startswith(MAGIC)


def write_page(pages: Path, digest_id: str, url: str, raw: bytes) -> Path:
    """Write (atomically replace) one kept page; the legacy `.html`/`.url` pair goes once it is safe.

    Through the atomic helper: an unpredictable temp name, never written through a link planted in
    `pages/`. Not fsynced: a sync writes hundreds, and a page lost to a power cut costs only a
    re-fetch (the digest itself is in the database)."""
    from .atomic import WriteError, write_atomic

    target = page_path(pages, digest_id)
    data = encode(url, raw)
    folder = os.fspath(pages)
    if folder not in _folders_seen:
        if not pages.is_dir():  # the first page: make the folder only then (a sync writes hundreds)
            pages.mkdir(exist_ok=True)
        _folders_seen[folder] = _has_legacy_files(folder)
    try:
        write_atomic(target, data, overwrite=True, durable=False)
    except WriteError:
        if pages.is_dir():
            raise
        pages.mkdir(exist_ok=True)  # removed since this process last wrote here
        write_atomic(target, data, overwrite=True, durable=False)
    if _folders_seen[folder]:
        for legacy in (pages / f"{digest_id}.html", pages / f"{digest_id}.url"):
            try:
                legacy.unlink()
            except FileNotFoundError:
                pass
    return target


# Page folders this process has written to: whether each held legacy `.html`/`.url` files then.
# (A first sync writes hundreds of pages: one look at the folder instead of two failed unlinks and
# a mkdir check for each.)
_folders_seen: dict[str, bool] = {}


def _has_legacy_files(folder: str) -> bool:
    try:
        with os.scandir(folder) as entries:
            return any(entry.name.endswith((".html", ".url")) for entry in entries)
    except OSError:
        return True  # cannot tell: remove them one by one, as before


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


def upgrade_pages(pages: Path) -> int:
    """Rewrite every format-1 page file in the current format; return how many were rewritten.

    Each is read back before it counts; a file that cannot be rewritten is left as it was (format 1
    stays readable), so nothing is lost either way."""
    if not pages.is_dir():
        return 0
    from .atomic import WriteError, write_atomic

    done = 0
    for path in sorted(pages.glob(f"*{SUFFIX}")):
        try:
            data = path.read_bytes()
            if not data.startswith(MAGIC_1):
                continue
            url, raw = decode(data)
            new = encode(url, raw)
            if decode(new) != (url, raw):
                continue
            write_atomic(path, new, overwrite=True, durable=False)
            done += 1
        except (OSError, ValueError, WriteError):  # PageFileError is a ValueError
            continue
    return done
