"""`sz-digest import PATH...`: pages saved from a browser stored exactly as a sync would store them.

For readers behind a network the site blocks (cache/challenge.py): save the digest pages from a
browser ("Web page, HTML only" or "Web page, complete" with its `_files` folder) and import the
files or their folder. Each page is parsed by the same parser and saved with its raw bytes, so
`reparse` works on it later; its post id comes from the URL the page carries (canonical link,
`og:url`, the government-site `Url` meta, the browser's "saved from url=" note, `<base href>`),
or, failing those, from a file name like `post_1663876.html`. Any encoding `decode_html` reads.

A file that is not a digest gets one clear line (its path and why) and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser

from .errors import ParseError
from .parser import MAX_PAGE_BYTES, decode_html, parse_digest
from .text import clean_line
from .urls import DEFAULT_SOURCE, POST_PATH_RE, origin_of, post_id_from_url

__all__ = ["ImportResult", "import_paths", "page_url"]

PAGE_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")
_SAVED_FROM_RE = re.compile(r"saved from url=\(\d+\)\s*(\S+?)\s*-->", re.I)
_PLACEHOLDER = "http://import.invalid/content/post_0.html"  # only to ask "is this a digest at all?"
_URL_METAS = ("og:url", "url", "articleurl", "pageurl", "canonical")


class ImportResult(NamedTuple):
    path: str
    digest_id: str | None = None  # stored as this post id
    changed: bool = False  # new, or different from the stored copy
    degraded: bool = False
    error: str | None = None  # why the file was not imported

    def to_json(self) -> dict:
        return {"path": self.path, "id": self.digest_id, "changed": self.changed, "degraded": self.degraded,
                "error": self.error}


def find_pages(paths: Iterable[Path]) -> Iterator[tuple[Path, str | None]]:
    """(file, None) for every page under `paths`, or (path, reason) for a path that is not usable.

    Folders are walked in name order; the `_files` / `.files` folders of "complete" saves hold the
    page's images and frames, never a digest, and are skipped.
    """
    for path in paths:
        path = Path(path).expanduser()
        if path.is_dir():
            found = False
            for child in sorted(path.rglob("*")):
                if any(part.endswith(("_files", ".files")) for part in child.relative_to(path).parts[:-1]):
                    continue
                if child.is_file() and child.suffix.lower() in PAGE_SUFFIXES:
                    found = True
                    yield child, None
            if not found:
                yield path, "no saved pages (.html, .htm) in this folder"
        elif path.is_file():
            yield path, None
        elif path.exists():
            yield path, "not a file or folder"
        else:
            yield path, "no such file or folder"


def page_url(data: bytes, path: Path, source: str = DEFAULT_SOURCE) -> str | None:
    """The post URL a saved page belongs to, from the page itself, else from its file name."""
    text = decode_html(data)
    saved = _SAVED_FROM_RE.search(text[:4096])
    tree = LexborHTMLParser(text[:300_000])
    candidates: list[str] = []
    for node in tree.css("link[rel][href]"):
        if "canonical" in (node.attributes.get("rel") or "").lower().split():
            candidates.append(node.attributes.get("href") or "")
    for node in tree.css("meta[content]"):
        key = (node.attributes.get("property") or node.attributes.get("name") or "").strip().lower()
        if key in _URL_METAS:
            candidates.append(node.attributes.get("content") or "")
    if saved:
        candidates.append(saved.group(1))
    base = tree.css_first("base[href]")
    if base is not None:
        candidates.append(base.attributes.get("href") or "")
    for candidate in candidates:
        candidate = candidate.strip()
        # origin_of first: a hostile page's malformed URL ("http://[::1") is skipped, never raised.
        if candidate.startswith(("http://", "https://")) and origin_of(candidate) and post_id_from_url(candidate):
            return candidate
    if POST_PATH_RE.search(path.name):
        return urljoin(source if source.endswith("/") else source + "/", f"content/{path.name}")
    return None


def import_paths(store, paths: Iterable[Path], *, source: str = DEFAULT_SOURCE) -> list[ImportResult]:
    """Import every page under `paths` into `store`; one result per file, in order."""
    results = []
    for path, problem in find_pages(paths):
        shown = clean_line(str(path))
        if problem:
            results.append(ImportResult(shown, error=problem))
            continue
        try:
            size = path.stat().st_size
            if size > MAX_PAGE_BYTES:
                results.append(ImportResult(shown, error=f"too large to be a digest page ({size} bytes)"))
                continue
            data = path.read_bytes()
        except OSError as exc:
            results.append(ImportResult(shown, error=f"cannot read it: {exc.strerror or exc}"))
            continue
        url = page_url(data, path, source)
        if url is None:
            try:
                parse_digest(data, _PLACEHOLDER)
            except ParseError as exc:
                results.append(ImportResult(shown, error=_not_a_digest(exc)))
            else:
                results.append(ImportResult(shown, error="a digest, but neither the page nor its file name gives its "
                                                         "post URL; rename the file post_N.html (N from the page's URL)"))
            continue
        try:
            digest = parse_digest(data, url)
        except ParseError as exc:
            results.append(ImportResult(shown, error=_not_a_digest(exc)))
            continue
        changed = store.save_digest(digest._replace(sample=False), data)  # StoreError: the caller says why
        results.append(ImportResult(shown, digest.id, changed, digest.degraded))
    return results


def _not_a_digest(exc: ParseError) -> str:
    """The parser's reason, said once ("not a digest (title …)", "not an HTML page", "not a digest: no title")."""
    return exc.reason if exc.reason.startswith("not a") else f"not a digest: {exc.reason}"
