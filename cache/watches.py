"""Watches: saved queries that the reader lists, syncs alert on, and feeds are written for.

A watch remembers which items it has already matched (`watch_seen`). After a sync, `collect_alerts`
runs every watch's query and reports only the matches it has not seen before, then records them; so
only new matches alert and a second sync with nothing new alerts nothing. A watch starts by seeing
everything it matches when it is added: adding one never floods you with the whole archive.

The badge the reader shows is a different, simpler count: the watch's matches not yet read.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NamedTuple

from .errors import UsageError
from .model import SearchHit
from .query import QueryError, Term, hits_for, match_keys, matching_rows, parse

if TYPE_CHECKING:
    from .store import Store

# Letters (Chinese included), digits, `_`, `-`, `.`; not starting with `.` or `-`: a watch name
# becomes a feed file name (watch-NAME.atom), so it must be safe as one everywhere.
NAME_RE = re.compile(r"[^\W_][\w.-]{0,39}")


def migrate_watches(db: sqlite3.Connection) -> None:
    """Schema v3: watches, what each has matched, and when each item's text last changed (feeds)."""
    for statement in (
        """CREATE TABLE watches(name TEXT PRIMARY KEY, query TEXT NOT NULL, created_at TEXT NOT NULL)""",
        """CREATE TABLE watch_seen(
               name TEXT NOT NULL REFERENCES watches(name) ON DELETE CASCADE,
               digest_id TEXT NOT NULL, position INTEGER NOT NULL,
               PRIMARY KEY(name, digest_id, position)
           ) WITHOUT ROWID""",
        """CREATE TABLE item_versions(
               digest_id TEXT NOT NULL, position INTEGER NOT NULL, text_hash TEXT NOT NULL,
               updated TEXT NOT NULL, PRIMARY KEY(digest_id, position)
           ) WITHOUT ROWID""",
    ):
        db.execute(statement)


class Watch(NamedTuple):
    name: str
    query: str
    created_at: datetime

    def to_json(self) -> dict:
        return {"name": self.name, "query": self.query, "created_at": self.created_at.isoformat()}


class Alert(NamedTuple):
    """New matches of one watch, best first (the `search --json` rows)."""

    watch: Watch
    hits: list[SearchHit]

    def to_json(self) -> dict:
        return {"watch": self.watch.name, "query": self.watch.query, "new": len(self.hits),
                "items": [hit.to_json() for hit in self.hits]}


def check_name(name: str) -> str:
    if not NAME_RE.fullmatch(name or ""):
        raise UsageError(f"not a watch name: {name!r}; use up to 40 letters, digits, '_', '-' or '.' "
                         "(Chinese is fine), starting with a letter or digit", key="follow.bad_name", name=name)
    return name


def watches(store: Store) -> list[Watch]:
    rows = store._db.execute("SELECT name, query, created_at FROM watches ORDER BY name")
    return [Watch(name, query, datetime.fromisoformat(at)) for name, query, at in rows]


def get_watch(store: Store, name: str) -> Watch | None:
    return next((w for w in watches(store) if w.name == name), None)


def add_watch(store: Store, name: str, query: str, *, replace: bool = False) -> Watch:
    """Save `query` as watch `name`; what it matches now counts as seen (no alert for the archive)."""
    check_name(name)
    parse(query)  # QueryError now, not at the next sync
    if not replace and get_watch(store, name) is not None:
        raise UsageError(f"a watch named {name!r} exists; remove it first (watch rm {name})",
                         key="follow.name_taken", name=name)
    seen = match_keys(store, query)
    now = datetime.now(UTC).replace(microsecond=0)
    with store._write() as db:
        db.execute("DELETE FROM watches WHERE name = ?", (name,))
        db.execute("INSERT INTO watches(name, query, created_at) VALUES (?, ?, ?)", (name, query, now.isoformat()))
        db.executemany("INSERT OR IGNORE INTO watch_seen VALUES (?, ?, ?)", [(name, *key) for key in seen])
    return Watch(name, query, now)


def remove_watch(store: Store, name: str) -> bool:
    with store._write() as db:
        db.execute("DELETE FROM watch_seen WHERE name = ?", (name,))
        return db.execute("DELETE FROM watches WHERE name = ?", (name,)).rowcount > 0


def collect_alerts(store: Store) -> list[Alert]:
    """Every watch's matches it has not seen before (newest first), now recorded as seen.

    Run after each sync (CLI and reader). A watch whose query no longer parses is skipped, never fatal.
    """
    alerts = []
    for watch in watches(store):
        try:
            matches = match_keys(store, watch.query)
        except QueryError:
            continue
        seen = {tuple(row) for row in store._db.execute(
            "SELECT digest_id, position FROM watch_seen WHERE name = ?", (watch.name,))}
        new = [key for key in matches if key not in seen]
        if not new:
            continue
        with store._write() as db:
            db.executemany("INSERT OR IGNORE INTO watch_seen VALUES (?, ?, ?)", [(watch.name, *key) for key in new])
        hits = hits_for(store, watch.query, [matches[key] for key in new])
        hits.sort(key=lambda hit: (hit.week_start, hit.digest_id, -hit.position), reverse=True)
        alerts.append(Alert(watch, hits))
    return alerts


def unread_counts(store: Store) -> dict[str, int]:
    """Per watch, how many of its matches are not read yet: the reader's sidebar badge."""
    counts = {}
    for watch in watches(store):
        try:
            query = parse(watch.query)
        except QueryError:
            counts[watch.name] = 0
            continue
        unread = query._replace(clauses=query.clauses + ((Term("is", "unread"),),))
        counts[watch.name] = len(matching_rows(store, unread))
    return counts


def name_for_query(store: Store, query: str) -> str:
    """A free watch name made from the query's own words (the reader's "save this search")."""
    stem = re.sub(r"[^\w.]+", "-", query.replace("district:", "").replace("is:", ""))
    stem = re.sub(r"^[\W_.-]+", "", stem).rstrip("-.")[:32].rstrip("-.") or "watch"
    if not NAME_RE.fullmatch(stem):
        stem = "watch"
    taken = {w.name for w in watches(store)}
    name, n = stem, 2
    while name in taken:
        name, n = f"{stem}-{n}", n + 1
    return name
