"""Atom 1.0 feeds of a query, a watch or a district, for any feed reader (via `feedgen`).

Why feedgen: it builds the XML with lxml, so every string is escaped by the serializer, never by
us, and the output is well-formed Atom whatever the page said. What we add:
- entry ids from the post id and the item's position (`urn:sz-digest:item:1663876:3`): stable
  across syncs, re-parses and machines;
- an entry's `updated` is the day its digest was published until its text changes; then the time
  we first saw the new text (`item_versions` keeps a hash per item), so readers do not re-show
  unchanged items;
- the feed's own `updated` is its newest entry's, so an unchanged feed is byte-for-byte the same
  file and is not rewritten at all;
- files are written atomically by cache/atomic.py (an O_EXCL temp file in the same directory, then os.replace).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .districts import BY_CODE
from .errors import StoreError
from .query import Query, Term, matching_rows, parse
from .text import clean_line, clean_text

if TYPE_CHECKING:
    from .store import Store

DEFAULT_LIMIT = 50
SHANGHAI = timezone(timedelta(hours=8))  # the column's dates are Shenzhen dates
COLUMN_TITLE = "深圳社会工作一周速览"


class FeedItem(NamedTuple):
    digest_id: str
    position: int
    url: str
    week_start: str
    published: str
    district: str
    district_name: str
    title: str
    body: str


def feed_query(text: str | None = None, *, watch_query: str | None = None,
               districts: Iterable[str] | None = None) -> Query:
    """The query a feed selects by: its own text AND a watch's query AND any of `districts`."""
    clauses: tuple = ()
    for part in (text, watch_query):
        if part is not None and part.strip():
            clauses += parse(part).clauses
    codes = frozenset(districts or ())
    if codes:
        clauses += ((Term("district", codes),),)
    return Query(text or "", clauses)


def feed_items(store: Store, query: Query, *, limit: int = DEFAULT_LIMIT) -> list[FeedItem]:
    """The newest `limit` matching items, newest week first and page order within a week."""
    rows = matching_rows(store, query)
    rows.sort(key=lambda row: (row[2], -row[4]), reverse=True)  # newest week first, then page order
    chosen = [row[0] for row in rows[:max(1, limit)]]
    if not chosen:
        return []
    found = {
        row[0]: FeedItem(*row[1:])
        for row in store._db.execute(
            """SELECT i.rowid, d.id, i.position, d.url, d.week_start, d.published, i.district, i.district_name,
                      i.title, i.body
               FROM items i JOIN digests d ON d.id = i.digest_id
               WHERE i.rowid IN (SELECT value FROM json_each(?))""",
            ("[" + ",".join(map(str, chosen)) + "]",))
    }
    items = [found[rowid] for rowid in chosen if rowid in found]
    items.sort(key=lambda item: (item.week_start, item.digest_id, -item.position), reverse=True)
    return items


def _text_hash(item: FeedItem) -> str:
    return hashlib.sha256(f"{item.title}\n{item.body}".encode()).hexdigest()


def item_updated(store: Store, items: list[FeedItem]) -> dict[tuple[str, int], datetime]:
    """When each item's text last changed, as feeds report it (see the module docstring)."""
    known = {}
    keys = [(item.digest_id, item.position) for item in items]
    for start in range(0, len(keys), 400):
        chunk = keys[start:start + 400]
        where = " OR ".join("(digest_id = ? AND position = ?)" for _ in chunk)
        for digest_id, position, digest, updated in store._db.execute(
                f"SELECT digest_id, position, text_hash, updated FROM item_versions WHERE {where}",
                [v for key in chunk for v in key]):
            known[(digest_id, position)] = (digest, datetime.fromisoformat(updated))
    now = datetime.now(UTC).replace(microsecond=0)
    result, writes = {}, []
    for item in items:
        key = (item.digest_id, item.position)
        digest = _text_hash(item)
        if key not in known:
            when = datetime.combine(datetime.fromisoformat(item.published).date(), time(), SHANGHAI)
        elif known[key][0] != digest:
            when = now
        else:
            result[key] = known[key][1]
            continue
        result[key] = when
        writes.append((item.digest_id, item.position, digest, when.isoformat()))
    if writes and not store.read_only:
        try:
            with store._write() as db:
                db.executemany("INSERT OR REPLACE INTO item_versions VALUES (?, ?, ?, ?)", writes)
        except StoreError:
            pass  # a feed is still right this time; the change is seen again next time
    return result


def _xml_safe(text: str) -> str:
    """Scraped text fit for XML 1.0: controls and invisible characters out (clean_text), tabs kept out."""
    return clean_text(text)


def build_feed(store: Store, items: list[FeedItem], *, feed_id: str, title: str, source: str | None = None) -> bytes:
    """An Atom 1.0 document of `items` (already newest first)."""
    from feedgen.feed import FeedGenerator

    from . import __version__

    updated = item_updated(store, items)
    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(_xml_safe(clean_line(title)) or COLUMN_TITLE)
    fg.author({"name": COLUMN_TITLE})
    fg.language("zh-CN")
    fg.generator("sz-digest", __version__)
    if source and source.startswith(("http://", "https://")):
        fg.link(href=source, rel="alternate")
    newest = max(updated.values(), default=datetime(2000, 1, 1, tzinfo=UTC))
    fg.updated(newest)
    for item in items:
        entry = fg.add_entry(order="append")
        entry.id(f"urn:sz-digest:item:{item.digest_id}:{item.position}")
        name = clean_line(BY_CODE[item.district].name if item.district in BY_CODE else item.district_name)
        entry.title(_xml_safe(f"{name}：{clean_line(item.title)}"))
        if item.url.startswith(("http://", "https://")) and not any(ch.isspace() for ch in item.url):
            entry.link(href=item.url, rel="alternate")
        entry.published(datetime.combine(datetime.fromisoformat(item.published).date(), time(), SHANGHAI))
        entry.updated(updated[(item.digest_id, item.position)])
        entry.category(term=item.district, label=name)
        text = "\n\n".join(clean_text(p) for p in item.body.split("\n\n") if p.strip())
        entry.content(_xml_safe(f"{clean_line(item.title)}\n\n{text}"), type="text")
    return fg.atom_str(pretty=True)


def write_atomically(path: Path, data: bytes) -> bool:
    """Replace `path` with `data` in one step (cache/atomic.py: never through a link, never over a
    FIFO or a device; WriteError then); False when it already held them."""
    from .atomic import write_atomic

    try:
        if os.path.isfile(path) and not os.path.islink(path) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(path, data, overwrite=True)
    return True


class FeedFile(NamedTuple):
    path: Path
    entries: int
    written: bool  # False when the file already held the same feed


def write_all_feeds(store: Store, directory: Path, *, source: str | None = None,
                    limit: int = DEFAULT_LIMIT) -> list[FeedFile]:
    """One feed per watch (watch-NAME.atom) and per district with items (district-CODE.atom)."""
    from .query import QueryError
    from .watches import watches

    directory.mkdir(parents=True, exist_ok=True)
    jobs: list[tuple[str, Query, str, str]] = []
    for watch in watches(store):
        try:
            query = feed_query(watch_query=watch.query)
        except QueryError:
            continue
        jobs.append((f"watch-{watch.name}.atom", query, f"urn:sz-digest:feed:watch:{watch.name}",
                     f"{COLUMN_TITLE} · {watch.name}"))
    present = {row[0] for row in store._db.execute("SELECT DISTINCT district FROM items")}
    for code, district in BY_CODE.items():
        if code in present:
            jobs.append((f"district-{code}.atom", feed_query(districts=[code]), f"urn:sz-digest:feed:district:{code}",
                         f"{COLUMN_TITLE} · {district.name}"))
    done = []
    for name, query, feed_id, title in jobs:
        items = feed_items(store, query, limit=limit)
        data = build_feed(store, items, feed_id=feed_id, title=title, source=source)
        done.append(FeedFile(directory / name, len(items), write_atomically(directory / name, data)))
    return done
