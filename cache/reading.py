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
import sqlite3
import threading
from itertools import islice
from collections.abc import Callable, Iterable, Mapping, Sequence
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
    every_item: tuple[ViewItem, ...] = ()  # a week's items before the filter, marked (`refiltered`)

    @property
    def unread(self) -> int:
        return sum(1 for entry in self.items if not entry.read)

    def with_marks(self, read: dict[tuple[str, int], bool] | None = None,
                   starred: dict[tuple[str, int], bool] | None = None) -> WeekView:
        """The same view with some marks changed (what the UI shows before the write lands)."""
        read, starred = read or {}, starred or {}

        def marked(entries: tuple[ViewItem, ...]) -> tuple[ViewItem, ...]:
            return tuple(
                entry._replace(read=read.get((entry.digest_id, entry.item.position), entry.read),
                               starred=starred.get((entry.digest_id, entry.item.position), entry.starred))
                for entry in entries
            )

        return self._replace(items=marked(self.items), every_item=marked(self.every_item))


class WeekCounts(NamedTuple):
    """A week's items under the filter, and how many of them are unread."""

    items: int
    unread: int

    def marked(self, delta: int) -> WeekCounts:
        """These counts after `delta` items were marked unread (> 0) or read (< 0), kept in 0..items."""
        return WeekCounts(self.items, max(0, min(self.items, self.unread + delta)))


Watch = tuple[str, frozenset[tuple[str, int]]]
"""A saved search as a filter: its name and the (digest id, position) of its matches."""

BLOCK = 32
"""Weeks whose records and counts are read together: about two screenfuls of rows (a screen may
span two blocks). 64 read twice what a filter change shows: its counts were a third of the list's
repaint after a toggle."""
BLOCKS_KEPT = 3
"""Blocks a list keeps: the screen's and its neighbours' (memory stays flat however far it scrolls)."""
RECORDS_KEPT = 2 * BLOCK * BLOCKS_KEPT
"""Week records `WeekSets` keeps across lists (the weeks a few filters show around the cursor)."""


class ListedWeeks(Sequence):
    """The weeks a list shows, newest first: their ids are known (one indexed query), their
    records (`WeekSummary`) and filtered counts are read a block of rows at a time, only for the
    rows asked for — the rows on screen — so a list of 5,200 weeks costs 5,200 ids, not 5,200
    records and 39,000 counted items.

    Counts the reader sets (`set_counts`, a read mark shown before the write lands) are pinned:
    a block read again later never undoes them."""

    def __init__(self, store: Store, ids: list[str], districts: frozenset[str] = frozenset(),
                 watch: Watch | None = None, sets: WeekSets | None = None,
                 no_unread: set[str] | None = None, kept: KeptCounts | None = None) -> None:
        self.ids = ids
        self.samples = sets.samples if sets is not None else frozenset()  # rows a line taller
        self._store = store
        self._sets = sets
        self._districts = districts
        self._watch = watch
        self._kept = kept if watch is None else None  # a watch's counts are its matches': not kept
        self._blocks: dict[int, tuple[dict[str, WeekSummary], dict[str, WeekCounts]]] = {}
        self._pinned: dict[str, WeekCounts] = {}
        self._zeroed = False  # every item the list counts was marked read (`mark_all_read`)
        self._position: dict[str, int] | None = None
        # Weeks with nothing unread (`has_unread`): from `list_view` when it read them already.
        self._no_unread: set[str] | None = no_unread

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[n] for n in range(*index.indices(len(self.ids)))]
        if index < 0:
            index += len(self.ids)
        if not 0 <= index < len(self.ids):
            raise IndexError(index)
        return self._block(index)[0][self.ids[index]]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ListedWeeks):
            return self.ids == other.ids
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def index(self, digest_id: str | None, *args: Any) -> int:  # type: ignore[override]
        """Where a week is in the list (ValueError when it is not listed), without a scan."""
        if self._position is None:
            self._position = {digest_id: n for n, digest_id in enumerate(self.ids)}
        try:
            return self._position[digest_id]  # type: ignore[index]
        except KeyError:
            raise ValueError(digest_id) from None

    def __contains__(self, digest_id: object) -> bool:  # ids, not records
        try:
            self.index(digest_id)  # type: ignore[arg-type]
        except (ValueError, TypeError):
            return False
        return True

    def counts(self, digest_id: str) -> WeekCounts:
        """The week's items under the filter and how many are unread (a listed week)."""
        pinned = self._pinned.get(digest_id)
        if pinned is not None:
            return pinned
        counts = self._block(self.index(digest_id))[1].get(digest_id, _NO_ITEMS)
        return counts._replace(unread=0) if self._zeroed else counts

    def has_unread(self, digest_id: str) -> bool:
        """Whether a listed week has an unread item under the filter, without reading its block:
        the weeks with nothing unread come from the read marks, once (`N`/`P` over a long list)."""
        pinned = self._pinned.get(digest_id)
        if pinned is not None:
            return pinned.unread > 0
        if self._zeroed:
            return False
        if self._no_unread is None:
            if self._watch is not None:
                counts = watch_week_counts(self._store, self._districts, self._watch)
                self._no_unread = {week for week, c in counts.items() if not c.unread}
            else:
                self._no_unread = read_weeks(self._store, self._districts)
        return digest_id not in self._no_unread

    def set_counts(self, digest_id: str, counts: WeekCounts) -> None:
        self._pinned[digest_id] = counts

    def zero_unread(self) -> None:
        """Every listed item read (the UI shows `mark_all_read` before the write lands)."""
        self._zeroed = True
        self._pinned = {key: c._replace(unread=0) for key, c in self._pinned.items()}

    def _block(self, index: int) -> tuple[dict[str, WeekSummary], dict[str, WeekCounts]]:
        number = index // BLOCK
        block = self._blocks.get(number)
        if block is None:
            if len(self._blocks) >= BLOCKS_KEPT:
                del self._blocks[next(iter(self._blocks))]
            ids = self.ids[number * BLOCK:(number + 1) * BLOCK]
            block = self._blocks[number] = read_block(self._store, ids, self._districts, self._watch,
                                                      self._sets, self._kept)
        return block


def read_block(store: Store, ids: list[str], districts: frozenset[str], watch: Watch | None = None,
               sets: WeekSets | None = None, kept: KeptCounts | None = None
               ) -> tuple[dict[str, WeekSummary], dict[str, WeekCounts]]:
    """The records and filtered counts of a block of listed weeks: from what `sets` and `kept`
    keep, else read (and kept there)."""
    records = sets.records(ids) if sets is not None else store.weeks_by_id(ids)
    counts = kept.get(districts, ids) if kept is not None else None
    if counts is None:
        counts = week_counts(store, districts, ids, watch)
        if kept is not None:
            kept.put(districts, ids, counts)
    return records, counts


def block_kept(ids: list[str], districts: frozenset[str], sets: WeekSets, kept: KeptCounts) -> bool:
    """Whether `read_block` would read nothing for these weeks (a read ahead is done)."""
    return sets.has_records(ids) and kept.has(districts, ids)


COUNTS_KEPT = 32
"""Blocks of counts `KeptCounts` keeps (a block is a list's 32 rows under one filter)."""


class KeptCounts:
    """The counts of blocks of listed weeks, per filter, kept across lists: a filter toggled off
    and on again lists the same blocks, and their counts are not counted again. The reader's own
    marks keep them up to date (`mark`); whoever keeps one clears it when the store changed under
    it. A block read while marks are still being written (`busy`) may be behind them: not kept."""

    def __init__(self, busy: Callable[[], bool] = lambda: False) -> None:
        self._busy = busy
        self._blocks: dict[tuple[frozenset[str], tuple[str, ...]], dict[str, WeekCounts]] = {}

    def get(self, districts: frozenset[str], ids: Sequence[str]) -> dict[str, WeekCounts] | None:
        found = self._blocks.get((districts, tuple(ids)))
        return dict(found) if found is not None else None

    def has(self, districts: frozenset[str], ids: Sequence[str]) -> bool:
        return (districts, tuple(ids)) in self._blocks

    def put(self, districts: frozenset[str], ids: Sequence[str], counts: Mapping[str, WeekCounts]) -> None:
        if self._busy():
            return
        if len(self._blocks) >= COUNTS_KEPT:
            del self._blocks[next(iter(self._blocks))]  # the block kept longest ago
        self._blocks[districts, tuple(ids)] = dict(counts)

    def mark(self, digest_id: str, district: str, delta: int) -> None:
        """`delta` items of `district` in that week marked unread (> 0) or read (< 0) by the reader."""
        for (districts, _), counts in self._blocks.items():
            old = counts.get(digest_id)
            if old is not None and (not districts or district in districts):
                counts[digest_id] = old.marked(delta)

    def clear(self) -> None:
        self._blocks.clear()


class CountsView(Mapping):
    """`ListView.counts`: a listed week's counts, read with its block of rows when first asked."""

    def __init__(self, weeks: ListedWeeks) -> None:
        self._weeks = weeks

    def __getitem__(self, digest_id: str) -> WeekCounts:
        if digest_id not in self._weeks:
            raise KeyError(digest_id)
        return self._weeks.counts(digest_id)

    def __setitem__(self, digest_id: str, counts: WeekCounts) -> None:
        self._weeks.set_counts(digest_id, counts)

    def __contains__(self, digest_id: object) -> bool:
        return digest_id in self._weeks

    def __iter__(self):
        return iter(self._weeks.ids)

    def __len__(self) -> int:
        return len(self._weeks.ids)


class ListView(NamedTuple):
    """The week list under a filter: the weeks that have a matching item, newest first."""

    weeks: ListedWeeks
    counts: CountsView
    total_weeks: int  # stored weeks, before the filter
    districts: frozenset[str] = frozenset()
    unread_only: bool = False
    unread: int = 0  # unread items in the listed weeks (an SQL aggregate, then kept by the marks)

    @property
    def ids(self) -> list[str]:
        return self.weeks.ids


def empty_list_view(store: Store) -> ListView:
    """A list of no weeks (before the first is read)."""
    weeks = ListedWeeks(store, [])
    return ListView(weeks, CountsView(weeks), 0)


def _district_clause(districts: Iterable[str], column: str = "i.district") -> tuple[str, list]:
    codes = sorted(districts)
    if not codes:
        return "", []
    return f" AND {column} IN ({','.join('?' * len(codes))})", codes


def _json_ids(ids: Iterable[str]) -> str:
    """Ids as a JSON array for `IN (SELECT value FROM json_each(?))`: one parameter for any count."""
    import json

    return json.dumps(list(ids))


# -- reading -------------------------------------------------------------------------------------


def week_counts(store: Store, districts: Iterable[str] = (), digest_ids: Iterable[str] | None = None,
                watch: Watch | None = None) -> dict[str, WeekCounts]:
    """Items and unread items per week under the filter (weeks without a matching item are absent)."""
    clause, params = _district_clause(districts)
    if digest_ids is not None:
        clause += " AND i.digest_id IN (SELECT value FROM json_each(?))"
        params.append(_json_ids(digest_ids))
    if watch is not None:  # a watch's matches are (week, position) pairs: counted here
        counted: dict[str, list[int]] = {}
        keys = watch[1]
        for digest_id, position, unread in store._db.execute(
                f"""SELECT i.digest_id, i.position, r.position IS NULL FROM items i
                    LEFT JOIN item_read r ON r.digest_id = i.digest_id AND r.position = i.position
                    WHERE 1 {clause}""", params):
            if (digest_id, position) in keys:
                entry = counted.setdefault(digest_id, [0, 0])
                entry[0] += 1
                entry[1] += unread
        return {digest_id: WeekCounts(*c) for digest_id, c in counted.items()}
    rows = store._db.execute(
        f"""SELECT i.digest_id, count(*), sum(r.position IS NULL) FROM items i
            LEFT JOIN item_read r ON r.digest_id = i.digest_id AND r.position = i.position
            WHERE 1 {clause} GROUP BY i.digest_id""",
        params,
    )
    return {digest_id: WeekCounts(items, unread) for digest_id, items, unread in rows}


_STAMP = "count(*), max(stored_at), total(item_count), total(sample), max(id)"


def weeks_stamp(store: Store) -> tuple:
    """Changes when a week is added, removed or re-saved: whether the list's ids must be re-read
    (one cheap aggregate)."""
    return tuple(store._db.execute(f"SELECT {_STAMP} FROM digests").fetchone())


_NO_ITEMS = WeekCounts(0, 0)


def starred_weeks(store: Store) -> set[str]:
    """The weeks that have a starred item (the starred-only list)."""
    return {row[0] for row in store._db.execute(
        "SELECT DISTINCT s.digest_id FROM stars s JOIN items i ON i.digest_id = s.digest_id AND i.position = s.position")}


class WeekSets:
    """What a list is cut from, kept between filter changes until a week is added or re-saved:
    every week's id (newest first), the sample weeks, the weeks of each district (read from the
    district index the first time that district is filtered), and the records of the weeks lately
    shown (a filter changes their counts, not their records)."""

    def __init__(self, store: Store) -> None:
        # The stamp, the sample weeks and the full-text weeks' count in one pass over the table.
        *stamp, degraded, samples = store._db.execute(
            f"""SELECT {_STAMP}, total(degraded), group_concat(CASE WHEN sample = 1 THEN id END, ' ')
                FROM digests""").fetchone()
        self.stamp = tuple(stamp)
        self.degraded = int(degraded)  # weeks stored as full text (issue 12), for the status line
        self.samples = frozenset(samples.split(" ")) if samples else frozenset()
        self.all_ids = store.week_ids()
        self._store = store
        self._by_district: dict[str, frozenset[str]] = {}
        self._records: dict[str, WeekSummary] = {}
        self._item_counts: dict[frozenset[str], int] = {}
        self._listed: dict[frozenset[str], list[str]] = {}

    def records(self, ids: list[str]) -> dict[str, WeekSummary]:
        """The records of `ids` (those not kept are read in one query)."""
        kept = self._records
        missing = [digest_id for digest_id in ids if digest_id not in kept]
        if missing:
            found = self._store.weeks_by_id(missing)
            excess = len(kept) + len(found) - RECORDS_KEPT
            if excess > 0:
                # Memory stays flat: the records read longest ago go, not all of them (a filter
                # shows weeks near those the last filter showed: mostly the same records).
                wanted = set(ids)
                for digest_id in [d for d in islice(kept, excess + len(wanted)) if d not in wanted][:excess]:
                    del kept[digest_id]
            kept.update(found)
        return {digest_id: kept[digest_id] for digest_id in ids if digest_id in kept}

    def has_records(self, ids: list[str]) -> bool:
        kept = self._records
        return all(digest_id in kept for digest_id in ids)

    def current(self) -> bool:
        """No week was added, removed or re-saved since these were read."""
        return weeks_stamp(self._store) == self.stamp

    def item_count(self, districts: frozenset[str]) -> int:
        """Items of `districts` (every item when empty), counted once per filter while the weeks
        stay as they are: the count walks an index whose length is the archive's (1.2 ms for every
        item at 5,200 weeks), and a filter toggled on and off asks for the same two again."""
        count = self._item_counts.get(districts)
        if count is None:
            if len(self._item_counts) >= ITEM_COUNTS_KEPT:
                self._item_counts.clear()
            count = self._item_counts[districts] = item_count(self._store, districts)
        return count

    def with_districts(self, districts: frozenset[str]) -> frozenset[str]:
        """Weeks with an item of one of `districts`."""
        found_sets = []
        for code in districts:
            found = self._by_district.get(code)
            if found is None:
                # One row of ids joined by spaces (ids are digits: see `Store.week_ids`), not a row
                # a week: the rows cost more than the index walk (3.3 → 2.0 ms a district at 5,200).
                # A week with two items of the district is named twice: the set drops the second,
                # cheaper than SQL's DISTINCT, which sorts the ids again (2.0 → 1.0 ms).
                (joined,) = self._store._db.execute(
                    "SELECT group_concat(digest_id, ' ') FROM items WHERE district = ?", (code,)).fetchone()
                found = self._by_district[code] = frozenset(joined.split(" ")) if joined else frozenset()
            found_sets.append(found)
        # One district (most filters): its set itself, not a copy of 3,000 ids at 5,200 weeks.
        return found_sets[0] if len(found_sets) == 1 else frozenset().union(*found_sets)

    def prepare(self, districts: frozenset[str]) -> bool:
        """Read one more thing a list of `districts` needs (a district's weeks, the listed ids, the
        item count), for a filter the reader is likely to choose next; False once it has all."""
        missing = [code for code in districts if code not in self._by_district]
        if missing:
            self.with_districts(frozenset(missing[:1]))
        elif districts not in self._listed:
            self.listed(districts)
        elif districts not in self._item_counts:
            self.item_count(districts)
        else:
            return False
        return True

    def listed(self, districts: frozenset[str]) -> list[str]:
        """The ids of the weeks with an item of one of `districts`, newest first (not to be
        changed): kept per filter, so a filter toggled back lists its weeks without a walk over
        every week's id."""
        ids = self._listed.get(districts)
        if ids is None:
            if len(self._listed) >= LISTS_KEPT:
                self._listed.clear()
            include = self.with_districts(districts)
            ids = self._listed[districts] = [digest_id for digest_id in self.all_ids if digest_id in include]
        return ids


class ReadCounts:
    """Read items per district: one aggregate over the read marks when first asked, then kept up to
    date by the reader's own marks (`add`), so a filter change costs no walk over every read mark
    (that walk grows with what has been read: ~1.5 ms after 400 weeks read at 520 weeks). Whoever
    keeps one drops it when the store changed under it (another process, a sync, `mark_all_read`)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._by_district: dict[str, int] | None = None

    def read(self, districts: Iterable[str] = ()) -> int:
        """Read items of `districts` (of every district when empty)."""
        by_district = self._by_district
        if by_district is None:
            # CROSS JOIN keeps item_read the outer loop: the cost follows the read marks.
            by_district = self._by_district = dict(self._store._db.execute(
                """SELECT i.district, count(*) FROM item_read r CROSS JOIN items i
                       ON i.digest_id = r.digest_id AND i.position = r.position GROUP BY i.district"""))
        codes = frozenset(districts)
        if not codes:
            return sum(by_district.values())
        return sum(by_district.get(code, 0) for code in codes)

    def add(self, district: str, delta: int) -> None:
        """Items of `district` marked read (`delta` > 0) or unread by the reader, before the write lands."""
        if self._by_district is not None:
            self._by_district[district] = max(0, self._by_district.get(district, 0) + delta)


def read_weeks(store: Store, districts: frozenset[str]) -> set[str]:
    """Weeks whose items (of `districts`) are all read, or that have none: what the unread-only
    list leaves out. Found from the read marks, so the cost follows what has been read."""
    if not districts:  # `digests.read` is "every item read" (true of a week without items)
        return {row[0] for row in store._db.execute("SELECT id FROM digests WHERE read = 1")}
    clause, params = _district_clause(districts)
    read = dict(store._db.execute(
        f"""SELECT i.digest_id, count(*) FROM item_read r CROSS JOIN items i
                ON i.digest_id = r.digest_id AND i.position = r.position
            WHERE 1 {clause} GROUP BY i.digest_id""", params))
    if not read:
        return set()
    items = store._db.execute(
        f"""SELECT i.digest_id, count(*) FROM items i
            WHERE i.digest_id IN (SELECT value FROM json_each(?)) {clause} GROUP BY i.digest_id""",
        [_json_ids(read), *params])
    return {digest_id for digest_id, count in items if read.get(digest_id) == count}


def _has_items(store: Store, digest_id: str | None) -> bool:
    return store._db.execute("SELECT 1 FROM items WHERE digest_id = ? LIMIT 1", (digest_id,)).fetchone() is not None


def watch_week_counts(store: Store, districts: frozenset[str], watch: Watch) -> dict[str, WeekCounts]:
    """Counts of the weeks with a watch match under the filter, counted from the matches themselves: the cost follows the watch's matches and the read marks,
    not the items of every week it touches."""
    keys: Iterable[tuple[str, int]] = watch[1]
    if districts:
        clause, params = _district_clause(districts, "district")
        shown = set(store._db.execute(f"SELECT digest_id, position FROM items WHERE 1 {clause}", params))
        keys = shown.intersection(keys)
    read = set(store._db.execute("SELECT digest_id, position FROM item_read"))
    counted: dict[str, list[int]] = {}
    for key in keys:
        entry = counted.get(key[0])
        if entry is None:
            entry = counted[key[0]] = [0, 0]
        entry[0] += 1
        entry[1] += key not in read
    return {digest_id: WeekCounts(*c) for digest_id, c in counted.items()}


ITEM_COUNTS_KEPT = 64
"""Filters whose item counts `WeekSets` keeps (a reader toggles among a few)."""
LISTS_KEPT = 16
"""Filters whose listed ids `WeekSets` keeps (each as long as the weeks it lists)."""


def item_count(store: Store, districts: Iterable[str] = ()) -> int:
    """Items of `districts` in the archive (every item when empty), from the index."""
    clause, params = _district_clause(districts)
    return store._db.execute(f"SELECT count(*) FROM items i WHERE 1 {clause}", params).fetchone()[0]


def unread_total(store: Store, districts: Iterable[str] = (), sets: WeekSets | None = None,
                 read: ReadCounts | None = None) -> int:
    """Unread items (of `districts`) in the archive: items less read items. The item count comes from
    `sets` when given (kept until a week changes), the read count from `read` when given (kept by the
    reader's marks); else it is an aggregate whose cost follows what has been read, not every item."""
    items = sets.item_count(frozenset(districts)) if sets is not None else item_count(store, districts)
    if read is not None:
        return items - read.read(districts)
    clause, params = _district_clause(districts)
    read_count = store._db.execute(
        # CROSS JOIN keeps item_read the outer loop (SQLite's planner would walk every item of the
        # districts and look each up): the cost follows the read marks.
        f"""SELECT count(*) FROM item_read r CROSS JOIN items i ON i.digest_id = r.digest_id AND i.position = r.position
            WHERE 1 {clause}""", params).fetchone()[0]
    return items - read_count


def list_view(store: Store, districts: Iterable[str] = (), *, unread_only: bool = False,
              keep: str | None = None, starred_only: bool = False, watch: Watch | None = None,
              sets: WeekSets | None = None, read: ReadCounts | None = None,
              kept: KeptCounts | None = None) -> ListView:
    """The week list as shown: with a filter (districts, a watch, `unread_only`, `starred_only`),
    only weeks with a matching item.

    `keep` (the open week) stays listed in the unread-only and starred-only views after its last
    item was read or unstarred, so the list does not move under the reader. `sets`: what the
    caller kept from its last list (`WeekSets`, still current); `read` and `kept`: the read counts and
    the blocks' counts it keeps (`ReadCounts`, `KeptCounts`, up to date). Records and counts are read
    later, for the rows shown (`ListedWeeks`)."""
    districts = frozenset(districts)
    sets = WeekSets(store) if sets is None else sets
    all_ids = ids = sets.all_ids
    include: set[str] | None = None  # listed only if in it (None: every week)
    matches: dict[str, WeekCounts] = {}
    no_unread: set[str] | None = None  # weeks with nothing unread, when read here anyway
    if watch is not None:
        matches = watch_week_counts(store, districts, watch)
        include = set(matches)
        no_unread = {digest_id for digest_id, c in matches.items() if not c.unread}
    elif districts:
        include = sets.with_districts(districts)
    if unread_only:
        if watch is not None:
            unread = {digest_id for digest_id, c in matches.items() if c.unread}
            if keep in include:
                unread.add(keep)
            include = unread
        else:
            exclude = read_weeks(store, districts)
            no_unread = set(exclude)
            if keep in exclude and (keep in include if include is not None else _has_items(store, keep)):
                exclude.discard(keep)
            ids = [digest_id for digest_id in ids if digest_id not in exclude]
    if include is not None:
        if watch is None and not unread_only:  # the district filter alone: its weeks as kept
            ids = sets.listed(districts)
        else:
            ids = [digest_id for digest_id in ids if digest_id in include]
    if starred_only:
        starred = starred_weeks(store)
        if keep is not None:
            starred.add(keep)
        ids = [digest_id for digest_id in ids if digest_id in starred]
    listed = ListedWeeks(store, ids, districts, watch, sets, no_unread, kept)
    if starred_only:
        total = sum(c.unread for c in week_counts(store, districts, ids, watch).values()) if ids else 0
    elif watch is not None:
        total = sum(c.unread for c in matches.values())
    else:
        total = unread_total(store, districts, sets, read)
    return ListView(listed, CountsView(listed), len(all_ids), districts, unread_only, total)



def _shown(districts: frozenset[str], watch: Watch | None, digest_id: str, item: Item) -> bool:
    return ((not districts or item.district in districts)
            and (watch is None or (digest_id, item.position) in watch[1]))


_MARKED_ITEMS = """SELECT {columns},
        EXISTS (SELECT 1 FROM item_read r WHERE r.digest_id = i.digest_id AND r.position = i.position) AS read,
        EXISTS (SELECT 1 FROM stars s WHERE s.digest_id = i.digest_id AND s.position = i.position) AS starred
    FROM items i WHERE i.digest_id = ? ORDER BY i.position"""


def marked_items(store: Store, digest_id: str) -> list[tuple[Item, bool, bool]]:
    """A week's items in page order, each with its read and star mark, in one statement: a week
    switch reads the week's record, this and its attachments (not three lists to intersect)."""
    sql = _MARKED_ITEMS.format(columns=", ".join("i." + name.strip() for name in store._ITEM_COLUMNS.split(",")))
    return [(store._item(row), bool(row["read"]), bool(row["starred"])) for row in store._named(sql, (digest_id,))]


def week_view(store: Store, digest_id: str | None, districts: Iterable[str] = (),
              watch: Watch | None = None) -> WeekView:
    """One week's items after the filter (districts, and a watch's matches), in page order, with
    read and star marks."""
    districts = frozenset(districts)
    name = watch[0] if watch else None
    week = store.week(digest_id) if digest_id else None
    if week is None:
        return WeekView(digest_id, None, (), "none", districts, watch=name)
    every_item = tuple(ViewItem(week.id, item, read, starred) for item, read, starred in marked_items(store, week.id))
    return _filtered(week, every_item, districts, watch, tuple(store.attachments(week.id)))


def _filtered(week: WeekSummary, every_item: tuple[ViewItem, ...], districts: frozenset[str],
              watch: Watch | None, attachments: tuple) -> WeekView:
    items = tuple(entry for entry in every_item if _shown(districts, watch, week.id, entry.item))
    state: ViewState = "items" if items else "filter_empty" if every_item else "no_items"
    counts: dict[str, int] = {}
    for entry in every_item:
        counts[entry.item.district] = counts.get(entry.item.district, 0) + 1
    return WeekView(week.id, week, items, state, districts, len(every_item), None, counts,
                    watch[0] if watch else None, attachments, every_item)


def refiltered(view: WeekView, districts: Iterable[str] = (), watch: Watch | None = None) -> WeekView | None:
    """The same week under another filter, from the items and marks the view holds (no store read:
    a filter change that keeps the week shows what the reader already has, marks it made
    included); None when the view is not one week's (`week_view` then)."""
    if view.week is None or view.state == "starred":
        return None
    return _filtered(view.week, view.every_item, frozenset(districts), watch, view.attachments)


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


def any_watch(store: Store) -> bool:
    """Whether a watch (saved search) is stored: the sidebar's badges need counting at all."""
    try:
        return store._db.execute("SELECT 1 FROM watches LIMIT 1").fetchone() is not None
    except sqlite3.Error:  # badges are a comfort: the full count reports what is wrong
        return True


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


def mark_all_read(store: Store, districts: Iterable[str] = (),
                  only: Iterable[tuple[str, int]] | None = None) -> int:
    """Mark every item (of the filtered districts) of every week read, in one transaction; with
    `only` (a watch's matches: (digest id, position) keys), just those of them."""
    clause, params = _district_clause(districts, "district")
    with store._write() as db:
        before = db.total_changes
        if only is None:
            db.execute(f"INSERT OR IGNORE INTO item_read SELECT digest_id, position FROM items WHERE 1 {clause}",
                       params)
        else:
            db.executemany(f"""INSERT OR IGNORE INTO item_read SELECT digest_id, position FROM items
                               WHERE digest_id = ? AND position = ? {clause}""",
                           [(digest_id, position, *params) for digest_id, position in only])
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
        self.commits = 0  # write jobs started: a reader's poll tells its own commits from others'
        self._writes_queued = 0  # write jobs submitted (UI thread) …
        self._writes_done = 0  # … and finished (writer thread): `busy` while they differ
        self._held: list[tuple[Callable[..., Any], tuple, bool]] | None = None  # see `hold`

    def probe(self) -> None:
        """Queue a look at whether a connection other than the writer committed (`on_external`)."""
        self.submit(_probe, read_only=True)

    def submit(self, job: Callable[..., Any], *args: Any, read_only: bool = False) -> None:
        """Queue `job(store, *args)`; the writer's store is opened on first use. A `read_only` job
        (a count run here to keep its cost off the UI thread) writes nothing: it leaves `busy` and
        `commits` be, so the reader never waits on it nor takes it for a write."""
        if not read_only:
            self._writes_queued += 1
        if self._held is not None:
            self._held.append((job, args, read_only))
        else:
            self._put((job, args, read_only))

    def _put(self, entry: tuple[Callable[..., Any], tuple, bool]) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sz-digest store writer", daemon=True)
            self._thread.start()
        self._queue.put(entry)

    def hold(self) -> None:
        """Keep what is submitted from now on until `release`: a job handed to the thread while the
        UI thread draws a key's frame wakes the thread, which takes the interpreter from the frame
        for its turn (2–5 ms of a toggle's frame, in a real terminal). The app holds on a key and
        releases once the key's frame is out; held jobs count as queued (`busy`, `submitted`)."""
        if self._held is None:
            self._held = []

    def release(self) -> None:
        """Hand the held jobs to the thread, in order, and stop holding."""
        held, self._held = self._held, None
        for entry in held or ():
            self._put(entry)

    @property
    def submitted(self) -> int:
        """Write jobs queued so far: the last one is done once `written` reaches this."""
        return self._writes_queued

    @property
    def written(self) -> int:
        """Write jobs finished (committed or failed); they run in the order they were queued."""
        return self._writes_done

    @property
    def busy(self) -> bool:
        """Writes are queued or running: what the store says now may be behind what the UI shows."""
        return self._writes_done != self._writes_queued

    def join(self) -> None:
        """Wait until every submitted write has run (tests, and before quitting)."""
        self.release()
        if self._thread is not None:
            self._queue.join()

    def close(self) -> None:
        self.release()  # every held job runs first
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
                write, args, read_only = job
                try:
                    if store is None:
                        store = Store.open(self.data_dir, seed_sample=False)
                    external = self._external_since_last_job(store)
                    if not read_only:
                        # Counted before it commits: a reader's poll that sees the commit then
                        # always sees the count too, and asks (`probe`) instead of taking our own
                        # write for another process's and refreshing everything.
                        self.commits += 1
                    write(store, *args)
                    version = data_version(store)  # unchanged by this connection's own commits
                    external = external or version != self._version  # another committed meanwhile
                    self._version = version
                    if external and self.on_external is not None:
                        self.on_external()  # after the job: a refresh then reads this write too
                except (StoreError, OSError, ValueError) as exc:
                    if self.on_error is not None:
                        self.on_error(exc)
                except Exception as exc:  # noqa: BLE001 — reported, and the thread keeps serving
                    if self.on_error is not None:
                        self.on_error(exc)
            finally:
                if job is not None and not job[2]:
                    self._writes_done += 1
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
