"""The reading rules: what counts as read, stars, and the week as the reader shows it.

These rules live here, not in the screen, so they are testable without one:
- an item is read when it is in `item_read`; a week is read exactly when all its items are (the
  `digests.read` column is kept equal to that in the same transaction as every change);
- a week "as shown" is its items after the district filter, each with its read and star marks
  (`week_view`); items the filter hides are never marked by anything the reader does with the view;
- every toggle is one IMMEDIATE transaction that sets explicit values (never "write back what I
  saw"), so another reader's star or read mark is never undone by a stale view;
- the week list under a filter is only the weeks with a matching item, with counts of the matching
  items (`list_view`): one query, not one per week.

The functions take a `Store` and use its connection: this module is the store's reading half.
`StoreWriter` runs writes on one thread with its own connection, so the UI never waits on a lock.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from .model import Item, WeekSummary

if TYPE_CHECKING:
    from .store import Store

ViewState = Literal["none", "no_items", "filter_empty", "items", "starred"]


class ViewItem(NamedTuple):
    """One shown item: the week it comes from, the item, and how it is marked."""

    digest_id: str
    item: Item
    read: bool
    starred: bool


class WeekView(NamedTuple):
    """A week (or the starred items) as the reader shows it under a district filter."""

    digest_id: str | None
    week: WeekSummary | None
    items: tuple[ViewItem, ...]
    state: ViewState
    districts: frozenset[str] = frozenset()
    total: int = 0  # the week's items before the filter
    week_ranges: dict | None = None  # starred view: digest id -> (week start, week end)
    district_counts: dict | None = None  # items per district before the filter (the sidebar's numbers)
    watch: str | None = None  # the saved search (watch) that filters it too, by name
    attachments: tuple = ()  # the week's attachments (cache.model.Attachment), listed under its header

    @property
    def unread(self) -> int:
        return sum(1 for entry in self.items if not entry.read)

    def with_marks(self, read: dict[tuple[str, int], bool] | None = None,
                   starred: dict[tuple[str, int], bool] | None = None) -> WeekView:
        """The same view with some marks changed (what the UI shows before the write lands)."""
        read, starred = read or {}, starred or {}
        items = tuple(
            entry._replace(read=read.get((entry.digest_id, entry.item.position), entry.read),
                           starred=starred.get((entry.digest_id, entry.item.position), entry.starred))
            for entry in self.items
        )
        return self._replace(items=items)


class WeekCounts(NamedTuple):
    """A week's items under the filter, and how many of them are unread."""

    items: int
    unread: int


class ListView(NamedTuple):
    """The week list under a filter: the weeks that have a matching item, newest first."""

    weeks: list[WeekSummary]
    counts: dict[str, WeekCounts]
    total_weeks: int  # stored weeks, before the filter
    districts: frozenset[str] = frozenset()
    unread_only: bool = False
    unread: int = 0  # unread items in the listed weeks (summed once, not per keypress)


def _district_clause(districts: Iterable[str], column: str = "i.district") -> tuple[str, list]:
    codes = sorted(districts)
    if not codes:
        return "", []
    return f" AND {column} IN ({','.join('?' * len(codes))})", codes


# -- reading -------------------------------------------------------------------------------------


def week_counts(store: Store, districts: Iterable[str] = (), digest_ids: Iterable[str] | None = None
                ) -> dict[str, WeekCounts]:
    """Items and unread items per week under the filter (weeks without a matching item are absent)."""
    clause, params = _district_clause(districts)
    if digest_ids is not None:
        ids = list(digest_ids)
        clause += f" AND i.digest_id IN ({','.join('?' * len(ids))})"
        params += ids
    rows = store._db.execute(
        f"""SELECT i.digest_id, count(*), sum(r.position IS NULL) FROM items i
            LEFT JOIN item_read r ON r.digest_id = i.digest_id AND r.position = i.position
            WHERE 1 {clause} GROUP BY i.digest_id""",
        params,
    )
    return {digest_id: WeekCounts(items, unread) for digest_id, items, unread in rows}


def weeks_stamp(store: Store) -> tuple:
    """Changes when a week is added, removed or re-saved: whether `store.weeks()` must be re-read
    (one cheap aggregate instead of 520 records)."""
    return tuple(store._db.execute(
        "SELECT count(*), max(stored_at), total(item_count), total(sample), max(id) FROM digests").fetchone())


_counts = tuple.__new__  # WeekCounts from a [items, unread] list
_NO_ITEMS = WeekCounts(0, 0)


class CountIndex:
    """Items and unread items per (district, week), read in one query: a filter change sums these
    in memory instead of querying again, and a read mark adjusts one entry."""

    def __init__(self, store: Store) -> None:
        by_district: dict[str, dict[str, list[int]]] = {}
        by_week: dict[str, list[int]] = {}
        # One pass over the items table in its own order, summed here: a GROUP BY (district, week)
        # walked the district index and looked every row up in the table to join it, twice the
        # time of this at start-up (the reader's largest per-week cost: 160 ms at 5,200 weeks).
        rows = store._db.execute(
            """SELECT i.district, i.digest_id, r.position IS NULL FROM items i NOT INDEXED
               LEFT JOIN item_read r ON r.digest_id = i.digest_id AND r.position = i.position""")
        for district, digest_id, unread in rows:
            weeks = by_district.get(district)
            if weeks is None:
                weeks = by_district[district] = {}
            entry = weeks.get(digest_id)
            if entry is None:
                entry = weeks[digest_id] = [0, 0]
            entry[0] += 1
            entry[1] += unread
            total = by_week.get(digest_id)
            if total is None:
                total = by_week[digest_id] = [0, 0]
            total[0] += 1
            total[1] += unread
        self.by_district = by_district
        self.by_week = by_week

    def counts(self, districts: Iterable[str] = ()) -> dict[str, WeekCounts]:
        # Called on every filter change, for every week: the records are made with tuple.__new__
        # (a namedtuple's own constructor costs twice as much), and one district is not summed.
        codes = list(districts)
        if not codes:
            return {digest_id: _counts(WeekCounts, c) for digest_id, c in self.by_week.items()}
        if len(codes) == 1:
            return {digest_id: _counts(WeekCounts, c) for digest_id, c in self.by_district.get(codes[0], {}).items()}
        total: dict[str, list[int]] = {}
        for code in codes:
            for digest_id, (items, unread) in self.by_district.get(code, {}).items():
                entry = total.get(digest_id)
                if entry is None:
                    total[digest_id] = [items, unread]
                else:
                    entry[0] += items
                    entry[1] += unread
        return {digest_id: _counts(WeekCounts, c) for digest_id, c in total.items()}

    def mark_all_read(self, districts: Iterable[str] = ()) -> None:
        """Every item (of `districts`) read, as `mark_all_read` does in the store."""
        for code in list(districts) or list(self.by_district):
            for digest_id, entry in self.by_district.get(code, {}).items():
                self.by_week[digest_id][1] -= entry[1]
                entry[1] = 0

    def add_unread(self, digest_id: str, district: str, delta: int) -> None:
        """An item of `district` in `digest_id` was read (-1) or marked unread (+1)."""
        for entry in (self.by_district.get(district, {}).get(digest_id), self.by_week.get(digest_id)):
            if entry is not None:
                entry[1] = max(0, min(entry[0], entry[1] + delta))


def starred_weeks(store: Store) -> set[str]:
    """The weeks that have a starred item (the starred-only list)."""
    return {row[0] for row in store._db.execute(
        "SELECT DISTINCT s.digest_id FROM stars s JOIN items i ON i.digest_id = s.digest_id AND i.position = s.position")}


def list_view(store: Store, districts: Iterable[str] = (), *, unread_only: bool = False,
              keep: str | None = None, weeks: list[WeekSummary] | None = None,
              index: CountIndex | None = None, starred_only: bool = False) -> ListView:
    """The week list as shown: with a filter (or `unread_only`, `starred_only`), only weeks with a
    matching item.

    `keep` (the open week) stays listed in the unread-only view after its last item was read, so
    the list does not move under the reader. `weeks`: `store.weeks()` when the caller has it."""
    districts = frozenset(districts)
    weeks = store.weeks() if weeks is None else weeks
    counts = index.counts(districts) if index is not None else week_counts(store, districts)
    shown = weeks
    if districts or unread_only:
        shown = [w for w in weeks if (c := counts.get(w.id)) is not None and c.items
                 and (c.unread or not unread_only or w.id == keep)]
    if starred_only:
        starred = starred_weeks(store)
        shown = [w for w in shown if w.id in starred or w.id == keep]
    unread = 0
    for week in shown:
        unread += counts.setdefault(week.id, _NO_ITEMS)[1]  # (0, 0): a week with no items
    return ListView(shown, counts, len(weeks), districts, unread_only, unread)


Watch = tuple[str, frozenset[tuple[str, int]]]
"""A saved search as a filter: its name and the (digest id, position) of its matches."""


def _shown(districts: frozenset[str], watch: Watch | None, digest_id: str, item: Item) -> bool:
    return ((not districts or item.district in districts)
            and (watch is None or (digest_id, item.position) in watch[1]))


def week_view(store: Store, digest_id: str | None, districts: Iterable[str] = (),
              watch: Watch | None = None) -> WeekView:
    """One week's items after the filter (districts, and a watch's matches), in page order, with
    read and star marks."""
    districts = frozenset(districts)
    name = watch[0] if watch else None
    week = store.week(digest_id) if digest_id else None
    if week is None:
        return WeekView(digest_id, None, (), "none", districts, watch=name)
    read = store.read_positions(week.id)
    starred = store.starred_positions(week.id)
    all_items = store.items_for(week.id)
    items = tuple(ViewItem(week.id, item, item.position in read, item.position in starred)
                  for item in all_items if _shown(districts, watch, week.id, item))
    state: ViewState = "items" if items else "filter_empty" if all_items else "no_items"
    counts: dict[str, int] = {}
    for item in all_items:
        counts[item.district] = counts.get(item.district, 0) + 1
    return WeekView(week.id, week, items, state, districts, len(all_items), None, counts, name,
                    tuple(store.attachments(week.id)))


def starred_view(store: Store, districts: Iterable[str] = (), digest_id: str = "starred",
                 watch: Watch | None = None) -> WeekView:
    """Every starred item (newest week first) under the filter."""
    districts = frozenset(districts)
    reads: dict[str, set[int]] = {}
    ranges: dict[str, tuple] = {}
    items = []
    counts: dict[str, int] = {}
    for entry in store.starred():
        ranges.setdefault(entry.digest_id, (entry.week_start, entry.week_end))
        counts[entry.item.district] = counts.get(entry.item.district, 0) + 1
        if not _shown(districts, watch, entry.digest_id, entry.item):
            continue
        if entry.digest_id not in reads:
            reads[entry.digest_id] = store.read_positions(entry.digest_id)
        items.append(ViewItem(entry.digest_id, entry.item, entry.item.position in reads[entry.digest_id], True))
    return WeekView(digest_id, None, tuple(items), "starred", districts, len(items), ranges, counts,
                    watch[0] if watch else None)


def starred_count(store: Store) -> int:
    """Starred items that still exist (a re-sync may have removed some)."""
    return store._db.execute(
        "SELECT count(*) FROM stars s JOIN items i ON i.digest_id = s.digest_id AND i.position = s.position"
    ).fetchone()[0]


def data_version(store: Store) -> int:
    """Changes when another connection commits to the store: cheap enough to poll."""
    return store._db.execute("PRAGMA data_version").fetchone()[0]


# -- writing: one transaction each ----------------------------------------------------------------

_RECOUNT = """UPDATE digests SET read = NOT EXISTS (
                  SELECT 1 FROM items i WHERE i.digest_id = digests.id AND NOT EXISTS (
                      SELECT 1 FROM item_read r WHERE r.digest_id = i.digest_id AND r.position = i.position))
              WHERE id = ?"""


def recount_read(db, digest_id: str) -> None:
    """Keep `digests.read` equal to "every item is read" (inside the caller's transaction)."""
    db.execute(_RECOUNT, (digest_id,))


def set_items_read(store: Store, digest_id: str, positions: Iterable[int], read: bool = True) -> None:
    """Mark some items of one week read (or unread) and recount the week, in one transaction."""
    positions = list(positions)
    with store._write() as db:
        if read:
            db.executemany("INSERT OR IGNORE INTO item_read VALUES (?, ?)", [(digest_id, p) for p in positions])
        else:
            db.executemany("DELETE FROM item_read WHERE digest_id = ? AND position = ?",
                           [(digest_id, p) for p in positions])
        recount_read(db, digest_id)


def toggle_item_read(store: Store, digest_id: str, position: int) -> bool:
    """Flip one item's read mark as it is in the store now; return the new state."""
    with store._write() as db:
        was = db.execute("SELECT 1 FROM item_read WHERE digest_id = ? AND position = ?",
                         (digest_id, position)).fetchone() is not None
        if was:
            db.execute("DELETE FROM item_read WHERE digest_id = ? AND position = ?", (digest_id, position))
        else:
            db.execute("INSERT INTO item_read VALUES (?, ?)", (digest_id, position))
        recount_read(db, digest_id)
    return not was


def mark_week_read(store: Store, digest_id: str, districts: Iterable[str] = (), read: bool = True) -> int:
    """Mark a week's items read (or unread) — only those the filter shows; return how many changed."""
    clause, params = _district_clause(districts, "district")
    with store._write() as db:
        positions = [row[0] for row in db.execute(
            f"SELECT position FROM items WHERE digest_id = ? {clause}", [digest_id, *params])]
        before = db.total_changes
        if read:
            db.executemany("INSERT OR IGNORE INTO item_read VALUES (?, ?)", [(digest_id, p) for p in positions])
        else:
            db.executemany("DELETE FROM item_read WHERE digest_id = ? AND position = ?",
                           [(digest_id, p) for p in positions])
        changed = db.total_changes - before
        recount_read(db, digest_id)
    return changed


def mark_all_read(store: Store, districts: Iterable[str] = ()) -> int:
    """Mark every item (of the filtered districts) of every week read, in one transaction."""
    clause, params = _district_clause(districts, "district")
    with store._write() as db:
        before = db.total_changes
        db.execute(f"INSERT OR IGNORE INTO item_read SELECT digest_id, position FROM items WHERE 1 {clause}", params)
        changed = db.total_changes - before
        db.execute("""UPDATE digests SET read = NOT EXISTS (
                          SELECT 1 FROM items i WHERE i.digest_id = digests.id AND NOT EXISTS (
                              SELECT 1 FROM item_read r WHERE r.digest_id = i.digest_id AND r.position = i.position))""")
    return changed


def set_starred(store: Store, digest_id: str, position: int, starred: bool = True) -> None:
    """Star or unstar one item (one transaction; an explicit value, never a flip of a stale view)."""
    store.set_starred(digest_id, position, starred)


# -- the writer thread ------------------------------------------------------------------------------


class StoreWriter:
    """Runs store writes in order on one thread with its own connection to the same database.

    The UI thread submits and returns at once: a keypress never waits on another process's write
    lock or a large page save. `on_error(exc)` is called on the writer thread when a write fails
    (the caller hands it to its own thread); `join()` waits until everything submitted is done.
    """

    def __init__(self, data_dir: Path, on_error: Callable[[BaseException], None] | None = None,
                 on_external: Callable[[], None] | None = None) -> None:
        self.data_dir = data_dir
        self.on_error = on_error
        self.on_external = on_external
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._version: int | None = None  # the writer's data_version: its own commits leave it be
        self.commits = 0  # write jobs done: a reader's poll tells its own commits from others'

    def probe(self) -> None:
        """Queue a look at whether a connection other than the writer committed (`on_external`)."""
        self.submit(_probe)

    def submit(self, write: Callable[..., Any], *args: Any) -> None:
        """Queue `write(store, *args)`; the writer's store is opened on first use."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sz-digest store writer", daemon=True)
            self._thread.start()
        self._queue.put((write, args))

    @property
    def busy(self) -> bool:
        """Writes are queued or running: what the store says now may be behind what the UI shows."""
        return self._queue.unfinished_tasks > 0

    def join(self) -> None:
        """Wait until every submitted write has run (tests, and before quitting)."""
        if self._thread is not None:
            self._queue.join()

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=15)
            self._thread = None

    def _run(self) -> None:
        from .errors import StoreError
        from .store import Store

        store = None
        while True:
            job = self._queue.get()
            try:
                if job is None:
                    return
                write, args = job
                try:
                    if store is None:
                        store = Store.open(self.data_dir, seed_sample=False)
                    external = self._external_since_last_job(store)
                    write(store, *args)
                    self._version = data_version(store)
                    if external and self.on_external is not None:
                        self.on_external()  # after the job: a refresh then reads this write too
                    if write is not _probe:
                        self.commits += 1
                except (StoreError, OSError, ValueError) as exc:
                    if self.on_error is not None:
                        self.on_error(exc)
                except Exception as exc:  # noqa: BLE001 — reported, and the thread keeps serving
                    if self.on_error is not None:
                        self.on_error(exc)
            finally:
                self._queue.task_done()
                if job is None and store is not None:
                    store.close()

    def _external_since_last_job(self, store: Store) -> bool:
        # data_version changes for commits of every connection but this one: so a change since the
        # last job is another process, another reader or the UI thread's own sync. On the first job
        # there is no baseline: what others committed before the writer opened is unknown, so it
        # counts as a change (one extra refresh) rather than be missed.
        version = data_version(store)
        changed = self._version is None or version != self._version
        self._version = version
        return changed


def _probe(store: Store) -> None:
    """A job that writes nothing: `_run` has already compared data_version."""
