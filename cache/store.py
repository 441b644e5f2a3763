"""The local store: one SQLite database in the data dir, and every raw page kept beside it.

Why these choices:
- WAL and `BEGIN IMMEDIATE` for every write, so the TUI refreshing while `sz-digest sync` runs waits
  (busy_timeout) instead of failing with "database is locked".
- Every digest is written in one transaction, so a sync killed at any moment leaves the store
  consistent with everything committed before it.
- Raw page bytes are kept once, compressed, outside the database (`pages/<id>.page`, cache/pages.py),
  so a parser upgrade can re-derive every digest without the network, and a database destroyed by a
  disk fault can be rebuilt; the database keeps each page's SHA-256 to tell a changed page.
- Read state and stars live in their own tables keyed by (digest id, item position): a re-synced page
  replaces its items but keeps what the user did with them.
- Search matches an NFKC-folded, case-folded form of each item (stored only where SQL's lower() cannot
  derive it: `stored_fold`), ranked and counted from an FTS5 index of counted word grams
  (cache/grams.py) that a search brings up to date; a scan only for queries without a word character.
"""

from __future__ import annotations

import errno
import functools
import heapq
import json
import operator
import os
import re
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import compress, repeat
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NamedTuple, overload

from .districts import BY_CODE, CODES, OCCASIONAL_CODES, ORDER
from .grams import answers, holding, holding_match, item_tokens, parse_term, term_range
from .errors import ParseError, StoreError, UsageError
from .setting_keys import LAST_SYNC, SYNC_SOURCE
from .model import Attachment, Digest, Failure, FetchMeta, Item, SearchHit, TimelineEntry, WeekSummary
from .pages import PageFileError, digest_of, kept_pages, read_page, write_page
from .reading import mark_week_read, recount_read, set_items_read
from .text import clean_line, fold, shorten
from .urls import is_post_id, post_id_from_url

DB_NAME = "sz-digest.sqlite3"
PAGES_DIR = "pages"
# Moves whenever stored items change (every writer of items bumps it in the same transaction), and
# only then: read state, stars and settings leave the search cache alone.
SEARCH_GENERATION = "search.generation"
_BUMP_SEARCH_GENERATION = (
    f"INSERT INTO settings(key, value) VALUES ('{SEARCH_GENERATION}', '1') "
    "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
)

_WHITESPACE_RUN = re.compile(r"\s*\n\s*")
# A search that counts in texts (filters, punctuation, five characters or more) takes its items
# from the grams index when one of the grams every match holds is held by fewer than this share of
# all items; above it, counting in every cached text costs no more than fetching that many rowids.
CANDIDATE_SHARE = 1 / 3


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Run `script` statement by statement: `executescript` would commit our open transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""


def _migrate_v1(db: sqlite3.Connection) -> None:
    _run_script(db, """
        CREATE TABLE digests(
            id TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            title TEXT NOT NULL,
            week_start TEXT NOT NULL,
            week_end TEXT NOT NULL,
            published TEXT NOT NULL,
            sample INTEGER NOT NULL DEFAULT 0,
            read INTEGER NOT NULL DEFAULT 0,
            item_count INTEGER NOT NULL,
            districts TEXT NOT NULL,
            stored_at TEXT NOT NULL
        );
        CREATE INDEX digests_by_week ON digests(week_start DESC, id DESC);
        CREATE TABLE items(
            digest_id TEXT NOT NULL REFERENCES digests(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            district TEXT NOT NULL,
            district_name TEXT NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            UNIQUE(digest_id, position)
        );
        CREATE INDEX items_by_district ON items(district, digest_id);
        CREATE TABLE raw_pages(
            digest_id TEXT PRIMARY KEY REFERENCES digests(id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            raw BLOB NOT NULL
        );
        CREATE TABLE fetch_meta(
            url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, fetched_at TEXT
        );
        CREATE TABLE failures(url TEXT PRIMARY KEY, post_id TEXT, error TEXT NOT NULL, at TEXT NOT NULL);
        CREATE TABLE item_read(
            digest_id TEXT NOT NULL, position INTEGER NOT NULL, PRIMARY KEY(digest_id, position)
        ) WITHOUT ROWID;
        CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        """
    )


def _migrate_v2(db: sqlite3.Connection) -> None:
    """Search and stars: folded text with a trigram index, and a stars table that outlives re-syncs."""
    _run_script(db, """
        ALTER TABLE items ADD COLUMN folded_title TEXT NOT NULL DEFAULT '';
        ALTER TABLE items ADD COLUMN folded TEXT NOT NULL DEFAULT '';
        CREATE TABLE stars(
            digest_id TEXT NOT NULL, position INTEGER NOT NULL, starred_at TEXT NOT NULL,
            PRIMARY KEY(digest_id, position)
        ) WITHOUT ROWID;
    """)
    # Fill the folded copies before the index and its triggers exist: an external-content FTS
    # table must never be told to delete rows it was not given.
    rows = db.execute("SELECT rowid, title, body FROM items").fetchall()
    db.executemany(
        "UPDATE items SET folded_title = ?, folded = ? WHERE rowid = ?",
        [(fold(title), fold(f"{title}\n{body}"), rowid) for rowid, title, body in rows],
    )
    _run_script(db, """
        CREATE VIRTUAL TABLE items_fts USING fts5(
            folded, content='items', content_rowid='rowid', tokenize='trigram'
        );
        INSERT INTO items_fts(items_fts) VALUES ('rebuild');
        CREATE TRIGGER items_ai AFTER INSERT ON items BEGIN
            INSERT INTO items_fts(rowid, folded) VALUES (new.rowid, new.folded);
        END;
        CREATE TRIGGER items_ad AFTER DELETE ON items BEGIN
            INSERT INTO items_fts(items_fts, rowid, folded) VALUES ('delete', old.rowid, old.folded);
        END;
        CREATE TRIGGER items_au AFTER UPDATE OF folded ON items BEGIN
            INSERT INTO items_fts(items_fts, rowid, folded) VALUES ('delete', old.rowid, old.folded);
            INSERT INTO items_fts(rowid, folded) VALUES (new.rowid, new.folded);
        END;
    """)


def _migrate_watches(db: sqlite3.Connection) -> None:
    """Watches (saved queries), what they have matched, item versions for feeds: cache/watches.py."""
    from .watches import migrate_watches  # lazy: start-up of a migrated store never imports it

    migrate_watches(db)


def _migrate_failure_counts(db: sqlite3.Connection) -> None:
    """Failures remember how often and how they failed, so a post can back off or be marked gone.

    Idempotent: a store made by a pre-release build may have the columns already."""
    have = {row[1] for row in db.execute("PRAGMA table_info(failures)")}
    for column, kind in (("status", "INTEGER"), ("attempts", "INTEGER NOT NULL DEFAULT 1"),
                         ("gone_streak", "INTEGER NOT NULL DEFAULT 0"), ("gone", "INTEGER NOT NULL DEFAULT 0")):
        if column not in have:
            db.execute(f"ALTER TABLE failures ADD COLUMN {column} {kind}")


def _migrate_kept_pages(db: sqlite3.Connection) -> None:
    """Raw pages kept once, compressed, outside the database (cache/pages.py says why).

    Every stored page goes to `pages/<id>.page` (read back and compared before anything else
    changes; a legacy `<id>.html`/`.url` pair is replaced by it), the database keeps only its URL,
    SHA-256 and length, and the raw copies leave the database. The bundled sample keeps no file:
    the package has it. If anything fails, the transaction rolls back and the raw copies stay.
    """
    main = next(row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main")
    pages = Path(main).parent / PAGES_DIR
    _run_script(db, """
        CREATE TABLE kept_pages(
            digest_id TEXT PRIMARY KEY REFERENCES digests(id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL
        ) WITHOUT ROWID;
    """)
    ids = [row[0] for row in db.execute("SELECT digest_id FROM raw_pages")]
    for digest_id in ids:
        url, raw, sample = db.execute(
            "SELECT r.url, r.raw, d.sample FROM raw_pages r JOIN digests d ON d.id = r.digest_id WHERE r.digest_id = ?",
            (digest_id,),
        ).fetchone()
        raw = bytes(raw)
        if not sample and is_post_id(digest_id):
            try:
                write_page(pages, digest_id, url, raw)
                if read_page(pages, digest_id) != (url, raw):
                    raise OSError(errno.EIO, f"kept page {digest_id} did not read back")
            except OSError as exc:
                raise StoreError(pages, f"cannot move the raw pages out of the database: {_describe(exc)}") from None
        db.execute("INSERT INTO kept_pages(digest_id, url, sha256, size) VALUES (?, ?, ?, ?)",
                   (digest_id, url, digest_of(raw), len(raw)))
    db.execute("DROP TABLE raw_pages")


def _migrate_lean_search_index(db: sqlite3.Connection) -> None:
    """The trigram index without positions (detail=none) or column sizes: 9.8 MB instead of 36 MB at
    5,200 weeks. Search never needed them: it asks for every trigram of the query (AND) and keeps
    the rows whose folded text contains the query, which it reads anyway to rank them. The triggers
    of _migrate_v2 name the table, not its options, so they keep feeding the new one."""
    _run_script(db, """
        DROP TABLE items_fts;
        CREATE VIRTUAL TABLE items_fts USING fts5(
            folded, content='items', content_rowid='rowid', tokenize='trigram', detail=none, columnsize=0
        );
        INSERT INTO items_fts(items_fts) VALUES ('rebuild');
    """)


def _migrate_parse_record(db: sqlite3.Connection) -> None:
    """Issue 12: how each digest was parsed (degraded, inferred week, attachments, parse record).

    Adds only the columns that are missing, so a store made by a development build that numbered
    this migration differently still opens."""
    have = {row[1] for row in db.execute("PRAGMA table_info(digests)")}
    for column, declaration in (
        ("degraded", "INTEGER NOT NULL DEFAULT 0"),
        ("degraded_reason", "TEXT NOT NULL DEFAULT ''"),
        ("week_inferred", "INTEGER NOT NULL DEFAULT 0"),
        ("attachments", "TEXT NOT NULL DEFAULT '[]'"),
        ("parse_info", "TEXT NOT NULL DEFAULT '{}'"),
    ):
        if column not in have:
            db.execute(f"ALTER TABLE digests ADD COLUMN {column} {declaration}")


def search_text_sql(prefix: str = "") -> str:
    """SQL for an item's folded search text (title, newline, body), stored or derived.

    `items.folded` holds fold(text) only when SQL's lower() cannot derive it (see `stored_fold`);
    otherwise ''. `prefix` is a table alias with its dot, or `new.`/`old.` in a trigger."""
    return (f"CASE {prefix}folded WHEN '' THEN lower({prefix}title || char(10) || {prefix}body) "
            f"ELSE {prefix}folded END")


def search_title_sql(prefix: str = "") -> str:
    """SQL for an item's folded title, stored or derived (as `search_text_sql`)."""
    return f"CASE {prefix}folded_title WHEN '' THEN lower({prefix}title) ELSE {prefix}folded_title END"


# The stored folds of a row `i`, for `snippet_folds`.
_SNIPPET_FOLDS = "i.folded_title, i.folded"


def snippet_folds(title: str, stored_title: str, stored: str) -> dict:
    """make_snippet's keyword arguments for an item read with _SNIPPET_FOLDS: fold(title) and
    fold(body) where the fold is stored, else `lowered` (the fold is the text's lower(): see
    `stored_fold`). An item's search text is fold(title + "\n" + body), and a newline is a
    boundary NFKC never composes across, so where it is stored, fold(body) is what follows
    fold(title) and the newline in it."""
    if not stored:
        return {"lowered": True}
    folded_title = stored_title or title.lower()  # '' only where lower() is the title's fold
    return {"folded_title": folded_title, "folded_body": stored[len(folded_title) + 1:]}

_HAS_ASCII_LETTER = re.compile("[A-Za-z]")


def stored_fold(text: str) -> str:
    """What the folded columns keep of `text`: '' when lowering ASCII letters gives fold(text) (SQL's
    lower() then derives it on read: most items, whose text NFKC leaves alone), else fold(text).

    Why: the folded copy was a second copy of every item's text, 5.9 of 23.4 KB a week. The Python
    lower() check keeps this exact also where lower() is Unicode-aware (an ICU build of SQLite)."""
    folded = fold(text)
    # ASCII-only lowering through bytes.lower(), in C: str.translate with a table looked every
    # character up in Python (0.19 s of 0.8 s of Python per 528 digests saved by a sync). UTF-8
    # bytes of other characters are all >= 0x80, which bytes.lower() leaves alone.
    lowered = text.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")
    return "" if folded == lowered and lowered == text.lower() else folded


def _migrate_fold_on_read(db: sqlite3.Connection) -> None:
    """The folded columns keep only what SQL cannot derive (`stored_fold`); the trigram index reads
    its text through a view that derives the rest, and the triggers feed it the same way.

    Nothing is lost: the folded columns are derived from title and body, and every item's search
    text is the same before and after (tests/test_fold_on_read.py checks it). Runs again safely on a
    store that has it already (a development build that numbered it differently)."""
    _run_script(db, """
        DROP TRIGGER IF EXISTS items_ai;
        DROP TRIGGER IF EXISTS items_ad;
        DROP TRIGGER IF EXISTS items_au;
        DROP TABLE IF EXISTS items_fts;
        DROP VIEW IF EXISTS items_search;
    """)
    rows = db.execute("SELECT rowid, title, body FROM items").fetchall()
    db.executemany(
        "UPDATE items SET folded_title = ?, folded = ? WHERE rowid = ?",
        [(stored_fold(title), stored_fold(f"{title}\n{body}"), rowid) for rowid, title, body in rows],
    )
    _run_script(db, f"""
        CREATE VIEW items_search(item_id, folded) AS SELECT rowid, {search_text_sql()} FROM items;
        CREATE VIRTUAL TABLE items_fts USING fts5(
            folded, content='items_search', content_rowid='item_id', tokenize='trigram', detail=none, columnsize=0
        );
        INSERT INTO items_fts(items_fts) VALUES ('rebuild');
        CREATE TRIGGER items_ai AFTER INSERT ON items BEGIN
            INSERT INTO items_fts(rowid, folded) VALUES (new.rowid, {search_text_sql("new.")});
        END;
        CREATE TRIGGER items_ad AFTER DELETE ON items BEGIN
            INSERT INTO items_fts(items_fts, rowid, folded) VALUES ('delete', old.rowid, {search_text_sql("old.")});
        END;
        CREATE TRIGGER items_au AFTER UPDATE OF title, body, folded ON items BEGIN
            INSERT INTO items_fts(items_fts, rowid, folded) VALUES ('delete', old.rowid, {search_text_sql("old.")});
            INSERT INTO items_fts(rowid, folded) VALUES (new.rowid, {search_text_sql("new.")});
        END;
    """)


def _migrate_page_dictionary(db: sqlite3.Connection) -> None:
    """Kept pages in format 2 (zlib with the column's template as a preset dictionary, cache/pages.py):
    existing format-1 files are rewritten, each read back first; one that cannot be stays readable."""
    from .pages import upgrade_pages

    main = next(row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main")
    if main:  # an in-memory database keeps no pages
        upgrade_pages(Path(main).parent / PAGES_DIR)


def _migrate_read_rule(db: sqlite3.Connection) -> None:
    """One read rule (cache/reading.py): a week flagged read has every item read, and a week is
    read exactly when all its items are."""
    db.execute("""INSERT OR IGNORE INTO item_read SELECT i.digest_id, i.position FROM items i
                  JOIN digests d ON d.id = i.digest_id WHERE d.read = 1""")
    for (digest_id,) in db.execute("SELECT id FROM digests").fetchall():
        recount_read(db, digest_id)


def search_tail_sql(prefix: str = "") -> str:
    """SQL for the last two characters of an item's search text (the index `items_search_tail`)."""
    return f"substr({search_text_sql(prefix)}, -2)"


def _migrate_short_queries(db: sqlite3.Connection) -> None:
    """Two-character queries (社工) without reading every item (issue 15).

    The trigram index holds every three characters of each item's search text, so an item holds
    "ab" exactly when one of its trigrams starts with "ab" or its text ends with "ab".
    `items_fts_terms` lists the index's trigrams with how many items have each (fts5vocab: a view
    of the index, nothing stored), and `items_search_tail` indexes each text's last two characters
    (~0.1 KB a week). SQLite keeps both up to date on every write of items, whoever writes."""
    _run_script(db, f"""
        CREATE VIRTUAL TABLE IF NOT EXISTS items_fts_terms USING fts5vocab(items_fts, 'row');
        CREATE INDEX IF NOT EXISTS items_search_tail ON items({search_tail_sql()});
    """)


def _migrate_counted_grams(db: sqlite3.Connection) -> None:
    """Search from counted word grams (cache/grams.py) in place of the trigram index (issue 15, sixth pass).

    `items_grams` is a contentless FTS5 index of each item's tokens, and `items_grams_terms` its
    vocabulary. The tokens are made in Python (the cost: `Store.index_grams`), so not by the sync: SQLite's
    triggers file every inserted item in `items_grams_pending`, and an indexed item that is
    deleted, or whose week changes year, in `items_grams_stale` with the text and week it was
    indexed with (a contentless index must be given a row's old tokens to remove them);
    `Store.index_grams` brings the index up to date before a search that needs it. The trigram
    index, its vocabulary and the last-two-characters index go: the grams answer what they did, in
    2.0 of the 5.7 KB a week the grams take (bench/README.md, sixth pass). Every existing item starts
    pending. Runs again safely (IF [NOT] EXISTS)."""
    text, title = search_text_sql("old."), search_title_sql("old.")
    _run_script(db, f"""
        DROP TRIGGER IF EXISTS items_ai;
        DROP TRIGGER IF EXISTS items_ad;
        DROP TRIGGER IF EXISTS items_au;
        DROP TABLE IF EXISTS items_fts_terms;
        DROP TABLE IF EXISTS items_fts;
        DROP VIEW IF EXISTS items_search;
        DROP INDEX IF EXISTS items_search_tail;
        CREATE VIRTUAL TABLE IF NOT EXISTS items_grams USING fts5(
            grams, content='', tokenize="ascii tokenchars _", detail=none, columnsize=0
        );
        CREATE VIRTUAL TABLE IF NOT EXISTS items_grams_terms USING fts5vocab(items_grams, 'row');
        CREATE TABLE IF NOT EXISTS items_grams_pending(item_id INTEGER PRIMARY KEY);
        CREATE TABLE IF NOT EXISTS items_grams_stale(
            item_id INTEGER PRIMARY KEY, folded_title TEXT NOT NULL, folded TEXT NOT NULL, week_start TEXT NOT NULL
        );
        INSERT OR IGNORE INTO items_grams_pending(item_id) SELECT rowid FROM items;
        CREATE TRIGGER IF NOT EXISTS items_grams_ai AFTER INSERT ON items BEGIN
            INSERT OR IGNORE INTO items_grams_pending(item_id) VALUES (new.rowid);
        END;
        CREATE TRIGGER IF NOT EXISTS items_grams_ad AFTER DELETE ON items BEGIN
            INSERT OR IGNORE INTO items_grams_stale(item_id, folded_title, folded, week_start)
                SELECT old.rowid, {title}, {text},
                       coalesce((SELECT week_start FROM digests WHERE id = old.digest_id), '')
                WHERE NOT EXISTS (SELECT 1 FROM items_grams_pending WHERE item_id = old.rowid);
            DELETE FROM items_grams_pending WHERE item_id = old.rowid;
        END;
        CREATE TRIGGER IF NOT EXISTS items_grams_au AFTER UPDATE OF title, body, folded_title, folded ON items BEGIN
            INSERT OR IGNORE INTO items_grams_stale(item_id, folded_title, folded, week_start)
                SELECT old.rowid, {title}, {text},
                       coalesce((SELECT week_start FROM digests WHERE id = old.digest_id), '')
                WHERE NOT EXISTS (SELECT 1 FROM items_grams_pending WHERE item_id = old.rowid);
            INSERT OR IGNORE INTO items_grams_pending(item_id) VALUES (new.rowid);
        END;
        CREATE TRIGGER IF NOT EXISTS digests_grams_year AFTER UPDATE OF week_start ON digests
        WHEN substr(old.week_start, 1, 4) IS NOT substr(new.week_start, 1, 4) BEGIN
            INSERT OR IGNORE INTO items_grams_stale(item_id, folded_title, folded, week_start)
                SELECT i.rowid, {search_title_sql("i.")}, {search_text_sql("i.")}, old.week_start FROM items i
                WHERE i.digest_id = new.id
                  AND NOT EXISTS (SELECT 1 FROM items_grams_pending WHERE item_id = i.rowid);
            INSERT OR IGNORE INTO items_grams_pending(item_id) SELECT rowid FROM items WHERE digest_id = new.id;
        END;
    """)


# Append only: a store at user_version N has run the first N of these.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _migrate_v1,
    _migrate_v2,
    _migrate_watches,
    _migrate_failure_counts,
    _migrate_kept_pages,
    _migrate_lean_search_index,
    _migrate_parse_record,
    _migrate_fold_on_read,
    _migrate_page_dictionary,
    _migrate_read_rule,
    _migrate_short_queries,
    _migrate_counted_grams,
)
# Migrations that free much of the file: a store that ran one is vacuumed once afterwards.
_SHRINKING = (_migrate_lean_search_index, _migrate_fold_on_read)
SCHEMA_VERSION = len(MIGRATIONS)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return "the disk is full"
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return "permission denied (read-only?)"
        return exc.strerror or str(exc)
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return "the data dir is read-only"
    if "disk is full" in text or "database or disk is full" in text:
        return "the disk is full"
    if "locked" in text or "busy" in text:
        return "another sz-digest is writing the store; try again in a moment"
    return text


def _refuse_odd_database_file(path: Path) -> None:
    """A database path that is a FIFO, a directory, a device or a link loop: say so, never open it
    (SQLite would report "disk I/O error", or block on a FIFO)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StoreError(path, "it is a symbolic link loop") from None
        if os.path.islink(path):
            return  # a dangling link: SQLite creates its target, as it would the file itself
        raise StoreError(path, _describe(exc)) from None
    if stat.S_ISREG(info.st_mode):
        return
    from .atomic import file_kind  # only for an odd file: it imports tempfile (and shutil, random)

    kind = file_kind(info.st_mode)
    if kind is not None:
        raise StoreError(path, f"{kind}; move it away so a new store can be made") from None


def _data_dir_problem(data_dir: Path, exc: OSError) -> str:
    """Why `data_dir` cannot be made a directory, in words ("File exists" says nothing useful)."""
    try:
        os.stat(data_dir)
    except OSError as stat_error:
        if stat_error.errno == errno.ELOOP:
            return "it is a symbolic link loop; point it at a directory"
        if os.path.islink(data_dir):
            return "it is a symbolic link to a missing directory; create that directory or remove the link"
        if stat_error.errno == errno.ENOTDIR:
            return "a part of the path is a file, not a directory"
    else:
        if not data_dir.is_dir():
            return "it exists and is not a directory; choose another --data-dir or move the file"
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is a file, not a directory"
    return _describe(exc)


def _in_range(rows: list[tuple], districts, since, until) -> list[bool]:
    """Which search rows are in `districts` and overlap since..until (a week counts when it overlaps)."""
    wanted = None if districts is None else set(districts)
    since_iso = since.isoformat() if since is not None else ""
    until_iso = until.isoformat() if until is not None else "\uffff"
    return [(wanted is None or row[1] in wanted) and row[3] >= since_iso and row[2] <= until_iso for row in rows]


_is_not_none = functools.partial(operator.is_not, None)


class _SearchCache(NamedTuple):
    """The reader's copy of every item's search row, laid out so that a search runs in C loops:
    str.count and `in` mapped over the texts and titles, and one integer per matching row for
    the ranking, instead of a tuple and Python bytecode per row (at 5,200 weeks a one-character
    query matches most of 39,000 items)."""

    rows: list[tuple]  # (rowid, district, week_start, week_end, position, folded_title, folded)
    texts: list[str]  # each row's folded text
    titles: list[str]  # each row's folded title
    position: dict[int, int]  # rowid -> index in rows
    order: list[int]  # each row's rank by (week_start, -position, earlier in rows): larger is better
    by_order: list[int]  # rank -> index in rows

    @classmethod
    def of(cls, rows: list[tuple]) -> _SearchCache:
        # Ties on (week_start, position) go to the row earlier in `rows`, as heapq.nlargest's would.
        ranked = sorted(range(len(rows)), key=lambda n: (rows[n][2], -rows[n][4], -n))
        order = [0] * len(rows)
        for rank, n in enumerate(ranked):
            order[n] = rank
        return cls(rows, [row[6] for row in rows], [row[5] for row in rows],
                   {row[0]: n for n, row in enumerate(rows)}, order, ranked)

    def best(self, needle: str, candidates: list[int] | None, districts, since, until,
             limit: int) -> tuple[list[int], int]:
        """The rowids of the best `limit` rows containing `needle` (ranked as Store.search_counted
        says), and how many rows contain it. `candidates`: rowids to look at (None: every row)."""
        texts = self.texts
        if candidates is None:
            counts = list(map(str.count, texts, repeat(needle, len(texts))))
            at = list(compress(range(len(counts)), counts))
            counts = list(filter(None, counts))  # the same rows, in C (no bytecode per match)
        else:
            # Each candidate's place in the rows (None: written after this copy was made), in C.
            at = sorted(filter(_is_not_none, map(self.position.get, candidates)))
            counts = list(map(str.count, map(texts.__getitem__, at), repeat(needle)))
            at = list(compress(at, counts))  # a candidate need not contain the query
            counts = list(filter(None, counts))
        if districts is not None or since is not None or until is not None:
            keep = _in_range([self.rows[n] for n in at], districts, since, until)
            at, counts = list(compress(at, keep)), list(compress(counts, keep))
        if not at:
            return [], 0
        in_title = map(operator.contains, map(self.titles.__getitem__, at), repeat(needle))
        # One integer per row: (in title, count, rank), each part in its own bits.
        count_bits, rank_bits = max(counts).bit_length(), len(self.rows).bit_length()
        heads = map(operator.or_, map(operator.lshift, in_title, repeat(count_bits)), counts)
        keys = list(map(operator.or_, map(operator.lshift, heads, repeat(rank_bits)), map(self.order.__getitem__, at)))
        mask = (1 << rank_bits) - 1
        rows, by_order = self.rows, self.by_order
        return [rows[by_order[key & mask]][0] for key in heapq.nlargest(max(1, int(limit)), keys)], len(keys)


class Store:
    """The local store. Reads may come from any thread; write transactions are serialised by a lock,
    so a sync may save a large page on a worker thread while the reader marks items read."""

    def __init__(self, data_dir: Path, db: sqlite3.Connection, *, read_only: bool = False) -> None:
        self.data_dir = data_dir
        self.path = data_dir / DB_NAME
        self.read_only = read_only
        self.recovered_from: Path | None = None  # where a corrupt database was moved aside
        self.read_only_reason = "opened read-only" if read_only else ""
        self._db = db
        self._write_lock = threading.RLock()  # one write transaction at a time on this connection
        self._search_rows: tuple[str | None, _SearchCache] | None = None  # see _search_cache
        # One build of that copy at a time: the reader's search runs on worker threads, and a query
        # typed while the first one builds it waits for it rather than build a second (0.4 s each).
        self._search_build_lock = threading.Lock()
        # Whether short queries rank over a copy of every item's folded text kept on this object
        # (the reader, which searches as the user types) or scan in SQL (a one-shot CLI search,
        # which would pay for building the copy: 61 MiB and 190 ms at 5,200 weeks).
        self.keep_search_index = True
        self._index_epoch = 0  # moved by interrupt_indexing: a running index_grams stops between batches

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def open(cls, data_dir: Path | str, *, seed_sample: bool = True) -> "Store":
        """Open (creating and migrating) the store in `data_dir`; seed the sample when it is empty.

        A database file that is not a database is moved aside, never deleted, and a fresh one is
        refilled from the raw pages kept beside it. A data dir we cannot write is opened read-only
        when there is something to read, so the reader keeps working; writes then raise StoreError.
        """
        data_dir = Path(data_dir).expanduser()
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(data_dir, _data_dir_problem(data_dir, exc)) from None
        path = data_dir / DB_NAME
        _refuse_odd_database_file(path)
        recovered_from = None
        try:
            store = cls._connect(data_dir)
        except sqlite3.DatabaseError as exc:
            if not _is_corruption(exc):
                return cls._open_read_only(data_dir, exc)
            recovered_from = _move_aside(path)
            store = cls._connect(data_dir)
        store.recovered_from = recovered_from
        if recovered_from is not None:
            store._refill_from_pages()
        if seed_sample and not store.read_only and store._is_empty():
            store._seed_sample()
        return store

    @classmethod
    def _connect(cls, data_dir: Path) -> "Store":
        path = data_dir / DB_NAME
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
        try:
            db.execute("PRAGMA busy_timeout = 10000")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0 and db.execute("SELECT NOT EXISTS (SELECT 1 FROM sqlite_master)").fetchone()[0]:
                # A new file: pages freed later (the search index's merged segments, replaced
                # items) can be given back (`index_grams`). Only settable before the first table.
                db.execute("PRAGMA auto_vacuum = INCREMENTAL")
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            store = cls(data_dir, db)
            if version > SCHEMA_VERSION:
                raise StoreError(path, f"made by a newer sz-digest (schema {version} > {SCHEMA_VERSION})")
            if version < SCHEMA_VERSION:
                store._migrate(version)
            return store
        except BaseException:
            db.close()
            raise

    @classmethod
    def _open_read_only(cls, data_dir: Path, cause: sqlite3.DatabaseError) -> "Store":
        path = data_dir / DB_NAME
        if not path.exists():
            raise StoreError(path, _describe(cause)) from None
        try:
            db = sqlite3.connect(f"{path.absolute().as_uri()}?immutable=1", uri=True, isolation_level=None,
                                 check_same_thread=False)
            version = db.execute("PRAGMA user_version").fetchone()[0]
        except (sqlite3.DatabaseError, ValueError):
            raise StoreError(path, _describe(cause)) from None
        if version != SCHEMA_VERSION:
            db.close()
            raise StoreError(path, _describe(cause)) from None
        store = cls(data_dir, db, read_only=True)
        writable = os.access(data_dir, os.W_OK)
        store.read_only_reason = _describe(cause) if writable else "the data dir is read-only"
        return store

    def _migrate(self, version: int) -> None:
        with self._write():
            for number in range(version, SCHEMA_VERSION):
                MIGRATIONS[number](self._db)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        if version and any(version <= MIGRATIONS.index(m) for m in _SHRINKING):
            # The raw pages left the file, the index or the folded copies shrank: give the space
            # back (once; a failure only costs disk).
            try:
                self._db.execute("VACUUM")
            except sqlite3.Error:
                pass

    def limit_page_cache(self, kib: int) -> None:
        """Cap this connection's SQLite page cache (default 2 MiB): the reader keeps memory flat."""
        self._db.execute(f"PRAGMA cache_size = {-max(16, int(kib))}")

    def close(self) -> None:
        self.interrupt_indexing()
        with self._write_lock:  # a save still running on a sync's worker thread finishes first
            self._db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: take the write lock before reading, so WAL never fails us."""
        if self.read_only:
            raise StoreError(self.path, self.read_only_reason)
        with self._write_lock:
            with self._transaction() as db:
                yield db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(self.path, _describe(exc)) from None
        try:
            yield self._db
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, sqlite3.Error):
                raise StoreError(self.path, _describe(exc)) from None
            raise
        else:
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise StoreError(self.path, _describe(exc)) from None

    def _rollback(self) -> None:
        # SQLite rolls back by itself on some errors (a full disk): only roll back what is open.
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def _is_empty(self) -> bool:
        return self._db.execute("SELECT NOT EXISTS (SELECT 1 FROM digests)").fetchone()[0] == 1

    def _seed_sample(self) -> None:
        from .parser import parse_digest, sample_page

        raw, url = sample_page()
        digest = parse_digest(raw, url)._replace(sample=True)
        self.save_digest(digest, raw, keep_file=False)

    def _refill_from_pages(self) -> None:
        """After a corrupt database was moved aside: re-derive every digest from the kept pages."""
        from .parser import parse_digest

        for digest_id, url, raw in kept_pages(self.data_dir / PAGES_DIR):
            try:
                self.save_digest(parse_digest(raw, url or f"post_{digest_id}.html"), raw, keep_file=False)
            except (ParseError, StoreError):
                continue

    # -- writing -------------------------------------------------------------------------------

    def save_digest(
        self,
        digest: Digest,
        raw: bytes,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        keep_file: bool = True,
        rewrite: bool = False,
    ) -> bool:
        """Store (or replace) one digest in one transaction; return whether anything changed.

        A real page replaces the sample with the same id; read state and stars are kept. `rewrite`
        replaces the items even when the raw bytes are the same (a re-parse of a kept page).
        """
        return self.save_digests([(digest, raw, etag, last_modified)], keep_file=keep_file, rewrite=rewrite)[0]

    def save_digests(self, pages: Iterable[tuple[Digest, bytes, str | None, str | None]], *,
                     keep_file: bool = True, rewrite: bool = False) -> list[bool]:
        """`save_digest` for several (digest, raw, etag, last_modified) in ONE transaction: all of
        them or none. Returns each one's "changed".

        Why: a sync stores hundreds; per digest, the commit and the trigram index's per-transaction
        segment flush cost more than the rows (528 digests: 1.48 s of CPU one by one, 0.89 s 32 at a
        time). The kept page files are written first, as `save_digest` does: a file whose row never
        commits is rewritten by the next sync that fetches the page again."""
        pages = list(pages)
        for digest, _raw, _etag, _last_modified in pages:
            if not is_post_id(digest.id):
                raise StoreError(self.path, f"refusing a digest with a malformed id {digest.id!r}")
        if keep_file:
            for digest, raw, _etag, _last_modified in pages:
                if raw:
                    self._keep_page(digest, raw)
        now = _now()
        with self._write() as db:
            return [_save_digest_in(db, digest, raw, etag, last_modified, rewrite, now)
                    for digest, raw, etag, last_modified in pages]

    def _keep_page(self, digest: Digest, raw: bytes) -> None:
        """Keep the raw page outside the database, compressed (cache/pages.py)."""
        from .atomic import WriteError

        pages = self.data_dir / PAGES_DIR
        try:
            write_page(pages, digest.id, digest.url, raw)
        except WriteError as exc:
            raise StoreError(exc.path, exc.reason) from None
        except (OSError, ValueError) as exc:
            raise StoreError(pages, _describe(exc) if isinstance(exc, OSError) else str(exc)) from None

    def record_not_modified(self, url: str) -> None:
        with self._write() as db:
            db.execute("UPDATE fetch_meta SET fetched_at = ? WHERE url = ?", (_now(), url))
            db.execute("DELETE FROM failures WHERE url = ?", (url,))

    def record_failure(self, url: str, error: str, *, post_id: str | None = None,
                       status: int | None = None) -> Failure:
        """Count one more failed sync of `url` (gone after enough 404/410s in a row; see
        cache/retry_policy.py); keep only the newest `MAX_FAILURES` rows. Returns the updated row."""
        from .retry_policy import GONE_AFTER, MAX_FAILURES, is_gone_status

        at = _now()
        gone_hit = int(is_gone_status(status))
        with self._write() as db:
            db.execute(
                """INSERT INTO failures(url, post_id, error, at, status, attempts, gone_streak, gone)
                   VALUES (:url, :post_id, :error, :at, :status, 1, :hit, :hit >= :gone_after)
                   ON CONFLICT(url) DO UPDATE SET
                       post_id = coalesce(excluded.post_id, post_id), error = excluded.error,
                       at = excluded.at, status = excluded.status, attempts = attempts + 1,
                       gone_streak = CASE WHEN :hit THEN gone_streak + 1 ELSE 0 END,
                       gone = CASE WHEN :hit THEN gone_streak + 1 >= :gone_after ELSE 0 END""",
                {"url": url, "post_id": post_id, "error": error, "at": at, "status": status, "hit": gone_hit,
                 "gone_after": GONE_AFTER},
            )
            db.execute(
                """DELETE FROM failures WHERE rowid IN
                       (SELECT rowid FROM failures ORDER BY at DESC, rowid DESC LIMIT -1 OFFSET ?)""",
                (MAX_FAILURES,),
            )
            row = db.execute(f"SELECT {self._FAILURE_COLUMNS} FROM failures WHERE url = ?", (url,)).fetchone()
        return self._failure(row) if row else Failure(url, post_id, error, datetime.fromisoformat(at), status)

    def clear_failure(self, url: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM failures WHERE url = ?", (url,))

    _FAILURE_COLUMNS = "url, post_id, error, at, status, attempts, gone_streak, gone"

    @staticmethod
    def _failure(row: sqlite3.Row | tuple) -> Failure:
        url, post_id, error, at, status, attempts, gone_streak, gone = row
        try:
            when = datetime.fromisoformat(at)
        except (TypeError, ValueError):
            when = datetime.fromtimestamp(0, UTC)  # a hand-edited row: due now
        return Failure(url, post_id, error, when, status, attempts, gone_streak, bool(gone))

    def failures(self) -> list[Failure]:
        rows = self._db.execute(f"SELECT {self._FAILURE_COLUMNS} FROM failures ORDER BY at, url")
        return [self._failure(row) for row in rows]

    def fetch_meta(self, url: str) -> FetchMeta | None:
        row = self._named(
            "SELECT url, etag, last_modified, fetched_at FROM fetch_meta WHERE url = ?", (url,)
        ).fetchone()
        if row is None:
            return None
        return FetchMeta(row["url"], row["etag"], row["last_modified"],
                         datetime.fromisoformat(row["fetched_at"]) if row["fetched_at"] else None)

    def known_ids(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT id FROM digests")}

    def sample_ids(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT id FROM digests WHERE sample = 1")}

    # -- reading -------------------------------------------------------------------------------

    def _named(self, sql: str, params: tuple | list | dict = ()) -> sqlite3.Cursor:
        """A query whose rows are read by column name (`sqlite3.Row`), so a record is built from
        names, not positions: a column added to a SELECT cannot shift a field."""
        cursor = self._db.cursor()
        cursor.row_factory = sqlite3.Row
        return cursor.execute(sql, params)

    _WEEK_COLUMNS = ("id, url, title, week_start, week_end, published, item_count, districts, read, sample, "
                     "degraded, week_inferred, degraded_reason")

    def _weeks(self, sql: str, params: tuple = ()) -> list[WeekSummary]:
        """WeekSummary records of a query's rows, columns picked by name once per query (from
        cursor.description) instead of per row through sqlite3.Row: 5,200 weeks took ~45 ms that way."""
        cursor = self._db.execute(sql, params)
        column = {description[0]: n for n, description in enumerate(cursor.description)}
        in_field_order = operator.itemgetter(*(column[name] for name in WeekSummary._fields))
        iso = date.fromisoformat
        return [
            WeekSummary(id_, url, title, iso(week_start), iso(week_end), iso(published), item_count,
                        tuple(districts.split()), bool(read), bool(sample), bool(degraded), bool(week_inferred),
                        degraded_reason)
            for (id_, url, title, week_start, week_end, published, item_count, districts, read, sample, degraded,
                 week_inferred, degraded_reason) in map(in_field_order, cursor)
        ]

    def weeks(self, districts: Iterable[str] | None = None) -> list[WeekSummary]:
        """Stored digests, newest week first; with `districts`, only weeks that have one of them."""
        weeks = self._weeks(f"SELECT {self._WEEK_COLUMNS} FROM digests ORDER BY week_start DESC, id DESC")
        if districts is not None:
            wanted = set(districts)
            weeks = [w for w in weeks if wanted.intersection(w.districts)]
        return weeks

    def week_ids(self) -> list[str]:
        """Every stored digest's id, newest week first: the week list's rows, from the index alone."""
        # One row of the index's ids joined by spaces (ids are digits: save_digest refuses others),
        # split in C: a third less than 5,200 one-column rows.
        joined = self._db.execute(
            "SELECT group_concat(id, ' ') FROM (SELECT id FROM digests ORDER BY week_start DESC, id DESC)").fetchone()[0]
        return joined.split(" ") if joined else []

    def weeks_by_id(self, ids: Iterable[str]) -> dict[str, WeekSummary]:
        """The records of some weeks (the rows a list shows), by id; unknown ids are absent."""
        weeks = self._weeks(f"SELECT {self._WEEK_COLUMNS} FROM digests WHERE id IN (SELECT value FROM json_each(?))",
                            (json.dumps(list(ids)),))
        return {week.id: week for week in weeks}

    def week(self, digest_id: str) -> WeekSummary | None:
        weeks = self._weeks(f"SELECT {self._WEEK_COLUMNS} FROM digests WHERE id = ?", (digest_id,))
        return weeks[0] if weeks else None

    def digest(self, digest_id: str) -> Digest | None:
        week = self.week(digest_id)
        if week is None:
            return None
        attachments, parse_info = self._parse_record(digest_id)
        return Digest(
            id=week.id, url=week.url, title=week.title, week_start=week.week_start,
            week_end=week.week_end, published=week.published,
            items=tuple(self.items_for(digest_id)), sample=week.sample, attachments=attachments,
            degraded=week.degraded, degraded_reason=week.degraded_reason, week_inferred=week.week_inferred,
            parse_info=parse_info,
        )

    def _parse_record(self, digest_id: str) -> tuple[tuple[Attachment, ...], dict]:
        row = self._db.execute("SELECT attachments, parse_info FROM digests WHERE id = ?", (digest_id,)).fetchone()
        if row is None:
            return (), {}
        return _load_attachments(row[0]), _load_json(row[1], {})

    def attachments(self, digest_id: str) -> list[Attachment]:
        """A week's attachments (name, absolute URL), page order."""
        return list(self._parse_record(digest_id)[0])

    def parse_records(self, limit: int = 10) -> list[dict]:
        """How the newest `limit` real (not sample) digests were parsed, newest published first:
        id, published, degraded, degraded_reason, week_inferred, items, parse_info (`doctor`)."""
        rows = self._db.execute(
            """SELECT id, published, degraded, degraded_reason, week_inferred, item_count, parse_info
               FROM digests WHERE sample = 0 ORDER BY published DESC, id DESC LIMIT ?""", (int(limit),))
        return [{"id": r[0], "published": r[1], "degraded": bool(r[2]), "degraded_reason": r[3],
                 "week_inferred": bool(r[4]), "items": r[5], "parse_info": _load_json(r[6], {})} for r in rows]

    def degraded_count(self) -> int:
        return self._db.execute("SELECT count(*) FROM digests WHERE degraded = 1").fetchone()[0]

    def resolve_week(self, spec: str) -> str | None:
        """The digest id a user means: a post id, a post URL, an ISO date inside the week, or latest."""
        spec = spec.strip()
        if spec.lower() == "latest":
            row = self._db.execute("SELECT id FROM digests ORDER BY week_start DESC, id DESC LIMIT 1").fetchone()
            return row[0] if row else None
        if is_post_id(spec):
            return spec if self.week(spec) else None
        post_id = post_id_from_url(spec)
        if post_id and spec.startswith(("http://", "https://", "/", "post_", "mpost_")):
            return post_id if self.week(post_id) else None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", spec):
            try:
                day = date.fromisoformat(spec)
            except ValueError:
                raise UsageError(f"no such date: {spec}", key="no_such_date", spec=spec) from None
            # A Saturday or Sunday belongs to the digest of the week it ends.
            row = self._db.execute(
                """SELECT id FROM digests WHERE week_start <= ?1
                       AND (week_end >= ?1 OR date(week_start, '+6 days') >= ?1)
                   ORDER BY week_start DESC, id DESC LIMIT 1""",
                (day.isoformat(),),
            ).fetchone()
            return row[0] if row else None
        raise UsageError(
            f"not a week: {shorten(spec)!r}; use a post id (1663876), a post URL, "
            "an ISO date inside the week (2026-03-11) or 'latest'", key="not_a_week", spec=shorten(spec),
        )

    _ITEM_COLUMNS = "district, district_name, title, body, position"

    @staticmethod
    def _item(row: sqlite3.Row) -> Item:
        return Item(district=row["district"], district_name=row["district_name"], title=row["title"],
                    paragraphs=tuple(p for p in row["body"].split("\n\n") if p), position=row["position"])

    def items_for(self, digest_id: str, districts: Iterable[str] | None = None) -> list[Item]:
        """One week's items in page order, optionally only those of `districts` (codes)."""
        sql = f"SELECT {self._ITEM_COLUMNS} FROM items WHERE digest_id = ?"
        params: list = [digest_id]
        if districts is not None:
            codes = list(districts)
            sql += f" AND district IN ({','.join('?' * len(codes))})"
            params += codes
        return [self._item(row) for row in self._named(sql + " ORDER BY position", params)]

    def district_counts(self, digest_id: str) -> dict[str, int]:
        rows = self._db.execute(
            "SELECT district, count(*) FROM items WHERE digest_id = ? GROUP BY district", (digest_id,)
        )
        return dict(sorted(rows, key=lambda row: ORDER.get(row[0], len(ORDER))))

    # -- read state and stars ------------------------------------------------------------------

    def set_read(self, digest_id: str, read: bool = True) -> None:
        """Every item of the week read (or unread): see cache/reading.py for the rules."""
        mark_week_read(self, digest_id, read=read)

    def read_positions(self, digest_id: str) -> set[int]:
        rows = self._db.execute("SELECT position FROM item_read WHERE digest_id = ?", (digest_id,))
        return {row[0] for row in rows}

    def set_item_read(self, digest_id: str, position: int, read: bool = True) -> None:
        set_items_read(self, digest_id, [position], read)

    def set_starred(self, digest_id: str, position: int, starred: bool = True) -> None:
        with self._write() as db:
            if starred:
                db.execute("INSERT OR IGNORE INTO stars VALUES (?, ?, ?)", (digest_id, position, _now()))
            else:
                db.execute("DELETE FROM stars WHERE digest_id = ? AND position = ?", (digest_id, position))

    def starred_positions(self, digest_id: str) -> set[int]:
        rows = self._db.execute("SELECT position FROM stars WHERE digest_id = ?", (digest_id,))
        return {row[0] for row in rows}

    def _entries(self, where: str, params: tuple | dict, order: str) -> list[TimelineEntry]:
        rows = self._named(
            f"""SELECT d.id, d.week_start, d.week_end, i.district, i.district_name, i.title, i.body, i.position
                FROM items i JOIN digests d ON d.id = i.digest_id {where} ORDER BY {order}""",
            params,
        )
        return [
            TimelineEntry(row["id"], date.fromisoformat(row["week_start"]), date.fromisoformat(row["week_end"]),
                          self._item(row))
            for row in rows
        ]

    def starred(self) -> list[TimelineEntry]:
        """Starred items, newest week first (stars on items a re-sync removed simply drop out)."""
        # From the stars to their items (a join let SQLite walk every item: 10 ms at 5,200 weeks,
        # on every start and every star toggle, for what is usually a handful of rows).
        return self._entries(
            "WHERE (i.digest_id, i.position) IN (SELECT digest_id, position FROM stars)", (),
            "d.week_start DESC, d.id DESC, i.position",
        )

    def timeline(self, district: str) -> list[TimelineEntry]:
        """One district's items across every stored week, newest first."""
        return self._entries("WHERE i.district = ?", (district,), "d.week_start DESC, d.id DESC, i.position")

    def items_between(
        self, *, districts: Iterable[str] | None = None, since: date | None = None, until: date | None = None
    ) -> list[TimelineEntry]:
        """Items for export: oldest week first, page order within a week."""
        where, params = self._filters(districts, since, until)
        return self._entries(where, params, "d.week_start, d.id, i.position")

    @staticmethod
    def _filters(districts, since, until) -> tuple[str, dict]:
        """A WHERE clause with named parameters for the district and date filters of the CLI."""
        clauses, params = ["1"], {}
        if districts is not None:
            codes = list(districts)
            params |= {f"d{n}": code for n, code in enumerate(codes)}
            clauses.append(f"i.district IN ({','.join(f':d{n}' for n in range(len(codes)))})")
        # A week counts when it overlaps the range.
        if since is not None:
            clauses.append("d.week_end >= :since")
            params["since"] = since.isoformat()
        if until is not None:
            clauses.append("d.week_start <= :until")
            params["until"] = until.isoformat()
        return "WHERE " + " AND ".join(clauses), params

    # -- search --------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        districts: Iterable[str] | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int = 50,
    ) -> list[SearchHit]:
        """The best `limit` hits of `search_counted`."""
        return self.search_counted(query, districts=districts, since=since, until=until, limit=limit)[0]

    def search_counted(
        self,
        query: str,
        *,
        districts: Iterable[str] | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int = 50,
    ) -> tuple[list[SearchHit], int]:
        """Items whose title or body contains `query` (folded), best first, with a snippet; and how
        many items matched in all (the CLI says how many `limit` cut off).

        Ranking: title hits first, then how often the item mentions the query, then newer weeks,
        then page order. A word of 1-4 word characters (党, 社工, 社会工作) without filters is
        answered by the counted grams (`_grams_best`, cache/grams.py): its total from the index's
        vocabulary, its best items from the postings of the tokens that reach `limit`, whatever
        the archive's size. Other queries (punctuation, five characters or more, filters) take
        their candidates from the grams index and count the needle in those texts: the reader
        (`keep_search_index`) in a cached copy of the folded text (`_search_index`), asking the
        index only when the word is rare; the CLI in SQL.
        """
        needle = fold(clean_line(query)).strip()
        if not needle:
            raise UsageError("the search query is empty", key="empty_query")
        # The index brought up to date once (interruptible: the candidates below take what stays
        # pending); the word alone is answered from it only when it is.
        indexed = self.index_grams()
        if districts is None and since is None and until is None and answers(needle) and indexed:
            best, total = self._grams_best(needle, limit)
        elif self.keep_search_index:
            cache = self._search_cache(build=False)
            # The index is asked only when it narrows it down: fetching a rowid costs about what
            # counting the needle in one cached text does, so for a word most items hold (服务,
            # 社会工作) counting in every text is as quick.
            rare = self._narrows(needle, cache)
            if cache is None and rare:
                # No copy yet (first search, or items changed): a rare word reads the few rows the
                # index names, as the CLI does, instead of building the copy (0.36 s, 44 MiB at
                # 5,200 weeks) for it; the first common word builds it.
                best, total = self._search_in_sql(needle, districts, since, until, limit)
            else:
                cache = cache or self._search_cache()
                candidates = self._index_candidate_ids(needle) if rare else None
                best, total = cache.best(needle, candidates, districts, since, until, limit)
        else:
            best, total = self._search_in_sql(needle, districts, since, until, limit)
        if not best:
            return [], 0
        found = {
            row[0]: row[1:]
            for row in self._db.execute(
                f"""SELECT i.rowid, d.id, d.week_start, i.district, i.district_name, i.title, i.body, i.position,
                          {_SNIPPET_FOLDS}
                   FROM items i JOIN digests d ON d.id = i.digest_id
                   WHERE i.rowid IN (SELECT value FROM json_each(?))""",
                ("[" + ",".join(map(str, best)) + "]",),
            )
        }
        hits = []
        for rowid in best:
            row = found.get(rowid)
            if row is None:  # changed under us by another process: skip it
                continue
            digest_id, week_start, district, name, title, body, position, stored_title, stored = row
            snippet, spans = make_snippet(title, body, needle, **snippet_folds(title, stored_title, stored))
            hits.append(SearchHit(digest_id, date.fromisoformat(week_start), district, name, title,
                                  snippet, position, spans))
        return hits, total

    def _search_in_sql(self, needle: str, districts, since, until, limit: int) -> tuple[list[int], int]:
        """The best `limit` rowids and the number of matches, without the reader's cached copy.

        Why: a one-shot search (the CLI) fetched every matching item's folded text as a Python str
        to count it: at 5,200 weeks a common four-character query decoded 29,000 texts (8.7 M
        characters, ~350 ms). The filters now run in SQL, the text comes as UTF-8 bytes (no decode)
        and is counted with bytes.count, one row at a time (nothing kept but the keys). Counting
        the UTF-8 needle in UTF-8 text gives str.count's number: a match can only start on a
        character boundary. SQLite's replace()-based count was slower still (~240 ms)."""
        where, params = self._filters(districts, since, until)
        params["needle"] = needle
        # lower() only changes ASCII letters in the rows it derives (stored_fold keeps the others):
        # a needle without any matches the raw text where it matches the lowered one, and the
        # lower() of 10 M characters was a third of a two-character scan at 5,200 weeks.
        lowered = "lower(i.title || char(10) || i.body)" if _HAS_ASCII_LETTER.search(needle) else \
            "i.title || char(10) || i.body"
        folded = f"CASE i.folded WHEN '' THEN {lowered} ELSE i.folded END"
        source = "items i JOIN digests d ON d.id = i.digest_id"
        candidates = self._index_candidate_ids(needle)
        if candidates is not None:  # the index names every item that may hold it: read only those
            where += " AND i.rowid IN (SELECT value FROM json_each(:candidates))"
            params["candidates"] = "[" + ",".join(map(str, candidates)) + "]"
        else:
            where += f" AND instr({folded}, :needle) > 0"
        text = f"CAST({folded} AS BLOB)"
        cursor = self._db.execute(
            f"""SELECT i.rowid, instr({search_title_sql("i.")}, :needle) > 0, d.week_start, i.position, {text}
                FROM {source} {where}""",
            params,
        )
        pattern = needle.encode("utf-8")
        keys, rowids = [], []
        for rowid, in_title, week_start, position, folded in cursor:
            count = folded.count(pattern)
            if count:  # a candidate need not contain the query
                keys.append((in_title, count, week_start, -position))
                rowids.append(rowid)
        best = heapq.nlargest(max(1, int(limit)), range(len(keys)), key=keys.__getitem__)
        return [rowids[n] for n in best], len(keys)

    def _narrows(self, needle: str, cache) -> bool:
        """Whether the grams index names few enough items for `needle` to be worth asking it (one
        of the grams every match holds is held by fewer than CANDIDATE_SHARE of all items):
        fetching a rowid costs about what counting the needle in one cached text does. `cache`:
        the reader's copy. Items not indexed yet only make this guess less exact, never a result."""
        found = holding(needle)
        if found is None:
            return False
        share = (len(cache.rows) if cache is not None else self._item_count()) * CANDIDATE_SHARE
        # Each look-up walks that gram's postings: three (first, middle, last) at most.
        asked = dict.fromkeys(found[n] for n in (0, len(found) // 2, -1))
        return any(self._gram_items(gram) < share for gram in asked)

    def _gram_items(self, gram: str) -> int:
        """How many indexed items hold `gram` (1-4 word characters): its tokens' `doc`, summed."""
        return self._db.execute("SELECT coalesce(sum(doc), 0) FROM items_grams_terms WHERE term > ? AND term < ?",
                                term_range(gram)).fetchone()[0]

    def index_candidates(self, needle: str, *, rare_only: bool = False) -> set[int] | None:
        """Rowids of the items that may hold the folded `needle` (every one that does is among them),
        from the grams index (and the items it has not indexed yet); None when it cannot say (no
        word character in it) — or, with `rare_only` (a caller that holds the reader's copy), when
        the word is too common for it to narrow much. Indexes nothing itself: a watch counted on
        the reader's writer thread must not make its queue wait for an index (the searches do)."""
        if rare_only and not self._narrows(needle, self._search_cache(build=False)):
            return None
        found = self._index_candidate_ids(needle)
        return None if found is None else set(found)

    def _index_candidate_ids(self, needle: str) -> list[int] | None:
        """`index_candidates` as a sorted list, each rowid once: the items holding every gram of
        `grams.holding(needle)`, and every item still pending (not indexed yet).

        Why one group_concat(): thousands of candidates at 5,200 weeks cost a Python row each
        through the cursor; one string split and converted by map() in C takes about two thirds."""
        found = holding(needle)
        if found is None:
            return None
        joined, pending = self._db.execute(
            "SELECT (SELECT group_concat(rowid) FROM items_grams WHERE items_grams MATCH ?), "
            "(SELECT group_concat(item_id) FROM items_grams_pending)", (holding_match(found),)).fetchone()
        ids = list(map(int, joined.split(","))) if joined else []
        if pending:  # an item deleted and its rowid used again may be in both: once each
            ids = sorted(set(ids).union(map(int, pending.split(","))))
        return ids

    def _item_count(self) -> int:
        return self._db.execute("SELECT count(*) FROM items").fetchone()[0]

    def _search_rows_of(self, rowids: Iterable[int]) -> list[tuple]:
        """The search rows of `_search_index` for the items `rowids` only, in the same (rowid) order."""
        ids = sorted(rowids)
        rows: list[tuple] = []
        for start in range(0, len(ids), 5000):
            rows += self._db.execute(
                f"SELECT {self._SEARCH_COLUMNS} FROM items i JOIN digests d ON d.id = i.digest_id "
                "WHERE i.rowid IN (SELECT value FROM json_each(?))", ("[" + ",".join(map(str, ids[start:start + 5000])) + "]",))
        rows.sort()
        return rows

    # -- the counted grams (cache/grams.py, _migrate_counted_grams) --------------------------------

    _GRAMS_BATCH = 500  # items indexed per write transaction: ~0.3 s, so other writers wait little

    def grams_pending(self) -> bool:
        """Whether items wait to be indexed (or unindexed) in the grams index."""
        return self._db.execute("SELECT EXISTS (SELECT 1 FROM items_grams_pending) "
                                "OR EXISTS (SELECT 1 FROM items_grams_stale)").fetchone()[0] == 1

    def index_grams(self) -> bool:
        """Bring the grams index up to date (the items written since it last was); whether it is.

        Runs before a search that needs it, in batches of `_GRAMS_BATCH` items, each its own write
        transaction that reads what is pending inside it (so two indexers never index an item
        twice, and closing the store waits for one batch at most): ~4.5 ms of CPU a week of items
        (the first search after a first sync of 528 digests: ~2.5 s; after a weekly sync: a few
        ms). False on a read-only store, when the database stays locked, or inside this thread's
        own write transaction: the caller then searches without it."""
        if not self.grams_pending():
            return True
        if self.read_only:
            return False
        epoch = self._index_epoch
        try:
            while True:
                if self._index_epoch != epoch:  # interrupted: what is left waits for the next search
                    return False
                with self._write() as db:
                    if not _index_grams_batch(db, self._GRAMS_BATCH):
                        break
        except StoreError:
            return False
        self._give_back_free_pages()
        return True

    def interrupt_indexing(self) -> None:
        """Make every running `index_grams` stop after its batch (later calls index again).

        Why: the reader's search screen indexes on worker threads, and a quitting app waits for
        its threads: at 5,200 weeks after an upgrade that was ~25 s before the terminal came back.
        The screen interrupts them as it goes, and so does close()."""
        self._index_epoch += 1

    def _give_back_free_pages(self) -> None:
        """The segments the index merged away and the pending rows leave free pages: give them back
        to the file system (a database created with auto_vacuum: `_connect`; others: nothing)."""
        with self._write_lock:  # no transaction of another thread is open on this connection …
            if self._db.in_transaction:  # … nor of this one
                return
            try:
                # executescript: one step of execute() gives back one page
                self._db.executescript("PRAGMA incremental_vacuum;")
            except sqlite3.OperationalError:  # busy: given back another time
                pass

    def _grams_best(self, needle: str, limit: int) -> tuple[list[int], int]:
        """The best `limit` rowids for the folded word `needle` (grams.answers) and how many items
        hold it, from the grams index alone (up to date: `index_grams`).

        The vocabulary gives every token of the word with how many items have it: their sum is
        the total. Tokens are grouped by (in title, count), taken best first; in the group that
        reaches `limit`, only its newest years until they hold enough. Only the items of the
        groups taken are read (their week and place), to order them as the ranking does."""
        limit = max(1, int(limit))
        groups: dict[tuple[bool, int], list[tuple[str, str, int]]] = {}
        total = 0
        for term, doc in self._db.execute("SELECT term, doc FROM items_grams_terms WHERE term > ? AND term < ?",
                                          term_range(needle)):
            in_title, count, year = parse_term(term, needle)
            groups.setdefault((in_title, count), []).append((year, term, doc))
            total += doc
        best: list[int] = []
        for key in sorted(groups, reverse=True):
            need = limit - len(best)
            taken, held = [], 0
            for _year, term, doc in sorted(groups[key], reverse=True):  # newest years first
                taken.append(term)
                held += doc
                if held >= need:
                    break
            rows = self._db.execute(
                """SELECT i.rowid, d.week_start, i.position FROM items_grams g
                   JOIN items i ON i.rowid = g.rowid JOIN digests d ON d.id = i.digest_id
                   WHERE items_grams MATCH ?""", (" OR ".join(f'"{term}"' for term in taken),)).fetchall()
            # Newer week, then page order, then the earlier row (heapq.nlargest's rule for ties).
            rows.sort(key=lambda row: (row[1], -row[2], -row[0]), reverse=True)
            best += [row[0] for row in rows[:need]]
            if len(best) >= limit:
                break
        return best, total

    _SEARCH_COLUMNS = (f"i.rowid, i.district, d.week_start, d.week_end, i.position, {search_title_sql('i.')}, "
                       f"{search_text_sql('i.')}")

    def _search_index(self) -> list[tuple]:
        """(rowid, district, week_start, week_end, position, folded_title, folded) of every item."""
        return self._search_cache().rows

    @overload
    def _search_cache(self) -> _SearchCache: ...
    @overload
    def _search_cache(self, build: bool) -> _SearchCache | None: ...

    def _search_cache(self, build: bool = True) -> _SearchCache | None:
        """Every item's search row, with the folded texts apart and each rowid's place (None when
        it is not built and up to date, and `build` is False).

        Cached until stored items change, whoever changed them: the key is SEARCH_GENERATION,
        which every write of items bumps. Marking a week read (every `n`) does not throw it away.
        """
        generation = self._search_generation()
        cached = self._search_rows
        if cached is not None and cached[0] == generation:
            return cached[1]
        if not build:
            return None
        with self._search_build_lock:
            generation = self._search_generation()
            cached = self._search_rows
            if cached is not None and cached[0] == generation:  # built while we waited
                return cached[1]
            rows = self._db.execute(
                f"SELECT {self._SEARCH_COLUMNS} FROM items i JOIN digests d ON d.id = i.digest_id"
            ).fetchall()
            cache = _SearchCache.of(rows)
            # Items written while the rows were read (a sync on another thread or process) moved the
            # generation: use these rows for this search, but do not file them under either one.
            if self._search_generation() == generation:
                self._search_rows = (generation, cache)
            return cache

    def _search_generation(self) -> str | None:
        row = self._db.execute("SELECT value FROM settings WHERE key = ?", (SEARCH_GENERATION,)).fetchone()
        return row[0] if row else None

    # -- the CLI's `list --json` -------------------------------------------------------------------

    _ISO_DAY = "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'"

    def week_rows(self, districts: Iterable[str] | None = None) -> Iterator[tuple]:
        """`weeks(districts)` as stored, row by row, for writing out (cache/json_text.week_list_chunks):
        (id, url, title, week_start, week_end, published, item_count, districts, read, sample,
        degraded, week_inferred), the dates as ISO text, districts a tuple of codes.

        Why: at 5,200 weeks, WeekSummary records (dates parsed, then formatted again for JSON) took
        ~30 ms of `list --json`. Columns are picked by name once per query; a date that is not in
        the stored YYYY-MM-DD form goes through `date.fromisoformat`, as `weeks()` would."""
        days = " AND ".join(f"{column} GLOB {self._ISO_DAY}" for column in ("week_start", "week_end", "published"))
        cursor = self._db.execute(f"SELECT {self._WEEK_COLUMNS}, {days} AS iso FROM digests "
                                  "ORDER BY week_start DESC, id DESC")
        column = {description[0]: n for n, description in enumerate(cursor.description)}
        fields = operator.itemgetter(*(column[name] for name in (
            "id", "url", "title", "week_start", "week_end", "published", "item_count", "districts", "read",
            "sample", "degraded", "week_inferred", "iso")))
        wanted = None if districts is None else set(districts)
        for (id_, url, title, week_start, week_end, published, item_count, codes, read, sample, degraded,
             week_inferred, iso) in map(fields, cursor):
            codes = tuple(codes.split())
            if wanted is not None and not wanted.intersection(codes):
                continue
            if not iso:
                week_start, week_end, published = (date.fromisoformat(day).isoformat()
                                                   for day in (week_start, week_end, published))
            yield (id_, url, title, week_start, week_end, published, item_count, codes, read, sample, degraded,
                   week_inferred)

    # -- archive statistics ----------------------------------------------------------------------

    def stats(self, recent_weeks: int = 12) -> dict:
        """Weeks stored, items per district (all time and recently), weeks a district was absent."""
        weeks = [row[0] for row in self._db.execute("SELECT id FROM digests ORDER BY week_start DESC, id DESC")]
        recent = weeks[:recent_weeks]
        counts: dict[str, dict[str, int]] = {}
        for digest_id, district, n in self._db.execute(
            "SELECT digest_id, district, count(*) FROM items GROUP BY digest_id, district"
        ):
            counts.setdefault(district, {})[digest_id] = n
        present = [code for code in CODES if code in counts or code not in OCCASIONAL_CODES]
        districts = []
        for code in present:
            per_week = counts.get(code, {})
            districts.append({
                "district": code,
                "district_name": BY_CODE[code].name,
                "items": sum(per_week.values()),
                "items_recent": sum(per_week.get(w, 0) for w in recent),
                "weeks_without": sum(1 for w in weeks if w not in per_week),
                "weeks_without_recent": sum(1 for w in recent if w not in per_week),
                "recent_series": [per_week.get(w, 0) for w in reversed(recent)],  # oldest first
            })
        span = self._db.execute("SELECT min(week_start), max(week_end) FROM digests").fetchone()
        return {
            "weeks": len(weeks),
            "items": sum(d["items"] for d in districts),
            "first_week": span[0],
            "last_week": span[1],
            "recent_weeks": len(recent),
            "districts": districts,
        }

    # -- settings and maintenance -----------------------------------------------------------------

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self._db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (key, value))

    def last_source(self) -> str | None:
        """The source URL the last successful sync read (the reader's `r` uses it again)."""
        return self.get_setting(SYNC_SOURCE)

    def last_sync(self) -> datetime | None:
        value = self.get_setting(LAST_SYNC)
        try:
            return datetime.fromisoformat(value) if value else None
        except ValueError:
            return None

    def reparse(self, parse: Callable[[bytes, str], Digest]) -> tuple[int, list[tuple[str, str]]]:
        """Re-derive every digest from its kept page (after a parser upgrade); no network."""
        from .parser import sample_page

        rows = self._db.execute(
            """SELECT k.digest_id, k.url, d.sample, m.etag, m.last_modified FROM kept_pages k
               JOIN digests d ON d.id = k.digest_id LEFT JOIN fetch_meta m ON m.url = k.url"""
        ).fetchall()
        done, failed = 0, []
        for digest_id, url, sample, etag, last_modified in rows:
            try:
                found = (None, sample_page()[0]) if sample else read_page(self.data_dir / PAGES_DIR, digest_id)
            except (OSError, PageFileError) as exc:
                failed.append((url, f"the kept page is unreadable: {exc}"))
                continue
            if found is None:
                failed.append((url, "the kept page is missing"))
                continue
            raw = found[1]
            try:
                digest = parse(raw, url)._replace(sample=bool(sample))
            except ParseError as exc:
                failed.append((url, exc.reason))
                continue
            self.save_digest(digest, raw, etag=etag, last_modified=last_modified, keep_file=False, rewrite=True)
            done += 1
        return done, failed

    def integrity_ok(self) -> bool:
        return self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _index_grams_batch(db: sqlite3.Connection, limit: int) -> bool:
    """Inside the caller's write transaction: take up to `limit` items out of the grams index whose
    rows went (`items_grams_stale`, with the tokens they were indexed with), else index up to
    `limit` pending items; whether there was anything to do."""
    if db.execute("SELECT EXISTS (SELECT 1 FROM items_grams_stale WHERE week_start = '')").fetchone()[0]:
        # An item deleted with its week (never done by sz-digest): its tokens cannot be made again,
        # so the index starts over from every item.
        db.execute("INSERT INTO items_grams(items_grams) VALUES ('delete-all')")
        db.execute("DELETE FROM items_grams_stale")
        db.execute("INSERT OR IGNORE INTO items_grams_pending(item_id) SELECT rowid FROM items")
    stale = db.execute("SELECT item_id, folded_title, folded, week_start FROM items_grams_stale LIMIT ?",
                       (limit,)).fetchall()
    if stale:
        db.executemany("INSERT INTO items_grams(items_grams, rowid, grams) VALUES ('delete', ?, ?)",
                       [(rowid, item_tokens(title, text, week[:4])) for rowid, title, text, week in stale])
        db.executemany("DELETE FROM items_grams_stale WHERE item_id = ?", [(row[0],) for row in stale])
        return True
    pending = [row[0] for row in db.execute("SELECT item_id FROM items_grams_pending LIMIT ?", (limit,))]
    if not pending:
        return False
    ids = "[" + ",".join(map(str, pending)) + "]"
    rows = db.execute(f"""SELECT i.rowid, {search_title_sql("i.")}, {search_text_sql("i.")}, d.week_start
                          FROM items i JOIN digests d ON d.id = i.digest_id
                          WHERE i.rowid IN (SELECT value FROM json_each(?))""", (ids,)).fetchall()
    db.executemany("INSERT INTO items_grams(rowid, grams) VALUES (?, ?)",
                   [(rowid, item_tokens(title, text, week[:4])) for rowid, title, text, week in rows])
    db.execute("DELETE FROM items_grams_pending WHERE item_id IN (SELECT value FROM json_each(?))", (ids,))
    return True


def _save_digest_in(db: sqlite3.Connection, digest: Digest, raw: bytes, etag: str | None,
                    last_modified: str | None, rewrite: bool, now: str) -> bool:
    """One digest's rows, inside the caller's transaction (`Store.save_digests`); whether it changed."""
    districts = " ".join(sorted({item.district for item in digest.items}, key=ORDER.__getitem__))
    old = db.execute("SELECT sha256 FROM kept_pages WHERE digest_id = ?", (digest.id,)).fetchone()
    was = db.execute("SELECT sample, read FROM digests WHERE id = ?", (digest.id,)).fetchone()
    sha256 = digest_of(raw)
    changed = rewrite or old is None or old[0] != sha256 or (was is not None and was[0] != digest.sample)
    db.execute(
        """INSERT INTO digests(id, url, title, week_start, week_end, published, sample,
                               item_count, districts, stored_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET url = excluded.url, title = excluded.title,
               week_start = excluded.week_start, week_end = excluded.week_end,
               published = excluded.published, sample = excluded.sample,
               item_count = excluded.item_count, districts = excluded.districts,
               stored_at = excluded.stored_at""",
        (digest.id, digest.url, digest.title, digest.week_start.isoformat(),
         digest.week_end.isoformat(), digest.published.isoformat(), int(digest.sample),
         len(digest.items), districts, now),
    )
    _save_parse_record(db, digest)
    if changed:
        db.execute(_BUMP_SEARCH_GENERATION)
        db.execute("DELETE FROM items WHERE digest_id = ?", (digest.id,))
        db.executemany(
            """INSERT INTO items(digest_id, position, district, district_name, title, body,
                                 folded_title, folded) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            [(digest.id, item.position, item.district, item.district_name, item.title,
              item.body, stored_fold(item.title), stored_fold(f"{item.title}\n{item.body}"))
             for item in digest.items],
        )
        db.execute(
            "INSERT OR REPLACE INTO kept_pages(digest_id, url, sha256, size) VALUES (?, ?, ?, ?)",
            (digest.id, digest.url, sha256, len(raw)),
        )
    if rewrite and was is not None and was[1]:
        # A re-parse of the same page (a parser upgrade splitting a full-text week): a week
        # read whole stays read whole. A changed page's new items stay unread (below).
        db.execute("INSERT OR IGNORE INTO item_read SELECT digest_id, position FROM items WHERE digest_id = ?",
                   (digest.id,))
    recount_read(db, digest.id)  # new items are unread: the week is read only if all are
    db.execute(
        "INSERT OR REPLACE INTO fetch_meta(url, etag, last_modified, fetched_at) VALUES (?, ?, ?, ?)",
        (digest.url, etag, last_modified, now),
    )
    db.execute("DELETE FROM failures WHERE url = ? OR post_id = ?", (digest.url, digest.id))
    return changed


def _save_parse_record(db: sqlite3.Connection, digest: Digest) -> None:
    db.execute(
        """UPDATE digests SET degraded = ?, degraded_reason = ?, week_inferred = ?, attachments = ?,
                              parse_info = ? WHERE id = ?""",
        (int(digest.degraded), digest.degraded_reason, int(digest.week_inferred),
         json.dumps([list(a) for a in digest.attachments], ensure_ascii=False),
         json.dumps(digest.parse_info or {}, ensure_ascii=False), digest.id),
    )


def _load_json(text: str | None, default):
    try:
        value = json.loads(text or "")
    except ValueError:
        return default
    return value if isinstance(value, type(default)) else default


def _load_attachments(text: str | None) -> tuple[Attachment, ...]:
    found = []
    for entry in _load_json(text, []):
        if isinstance(entry, list) and len(entry) == 2 and all(isinstance(x, str) for x in entry):
            found.append(Attachment(clean_line(entry[0]), entry[1]))
    return tuple(found)


def make_snippet(title: str, body: str, needle: str, before: int = 24, width: int = 90, *,
                 folded_title: str | None = None, folded_body: str | None = None,
                 lowered: bool = False) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A one-line excerpt around the first match of the folded `needle` (in the body, else the title).

    Returns the excerpt and where the needle stands in it, so a UI can highlight without re-searching.
    `folded_title`/`folded_body`: fold(title) and fold(body) when the caller has them (the store
    reads them with the row, `_SNIPPET_FOLDS`), which saves folding each hit's text again.
    `lowered`: the item's fold is its str.lower() (the store derives it: `stored_fold` kept '', as
    for most items), so every part of it folds to its lower() too and nothing is folded here.
    Why that holds: such text has no character that NFKC or casefold changes, joining its lines
    with a space composes nothing new, and a slice of it folds to the slice of its fold. Folding
    each hit's line and excerpt was a third of a 100-hit search's snippets.
    """
    # folded once (it was twice: 0.3 of a 100-hit search's 7 ms), or not at all (`lowered`)
    body_line = _WHITESPACE_RUN.sub(" ", body) if "\n" in body else body
    if lowered:
        folded = body_line.lower()
    elif body_line is body and folded_body is not None:
        folded = folded_body
    else:
        folded = fold(body_line)
    text = body_line
    if needle not in folded:
        if folded_title is None:
            folded_title = title.lower() if lowered else fold(title)
        if needle in folded_title:
            text, folded = title, folded_title
    if len(folded) == len(text):
        found = folded.find(needle)
    else:
        # NFKC changed the length (ligatures, ellipses …): find the first original index whose
        # folded prefix reaches the match.
        at = folded.find(needle)
        found = next((i for i in range(len(text) + 1) if len(fold(text[:i])) > at), 0) - 1 if at >= 0 else -1
    start = max(0, found - before) if found > 0 else 0
    end = min(len(text), start + width)
    excerpt = text[start:end]
    prefix = "…" if start > 0 else ""
    snippet = prefix + excerpt + ("…" if end < len(text) else "")
    spans = []
    folded_excerpt = folded[start:end] if lowered else fold(excerpt)
    if len(folded_excerpt) == len(excerpt):
        at = folded_excerpt.find(needle)
        while at >= 0:
            spans.append((at + len(prefix), at + len(prefix) + len(needle)))
            at = folded_excerpt.find(needle, at + len(needle))
    return snippet, tuple(spans)


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc)
    return "not a database" in text or "malformed" in text or "encrypted" in text


def _move_aside(path: Path) -> Path:
    """Rename a corrupt database (and its WAL files) so nothing is lost; return the new name."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    try:
        os.replace(path, target)
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                os.replace(side, target.with_name(target.name + suffix))
    except OSError as exc:
        raise StoreError(path, f"corrupt, and could not be moved aside: {_describe(exc)}") from None
    return target
