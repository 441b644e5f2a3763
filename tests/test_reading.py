"""The reading rules (cache/reading.py), with no screen: what is read, what a filter shows, and that
each toggle is one transaction of explicit values."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sz_digest.cache import reading
from sz_digest.cache.errors import StoreError
from sz_digest.cache.store import MIGRATIONS, Store, _migrate_read_rule

from tui_fixtures import LATEST_ID, digest, item, make_store


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(make_store(tmp_path / "data"), seed_sample=False) as store:
        yield store


def test_a_filtered_view_shows_only_matching_items_and_marks_only_what_it_is_told(store: Store) -> None:
    view = reading.week_view(store, LATEST_ID, {"nanshan", "futian"})
    assert [entry.item.district for entry in view.items] == ["futian", "nanshan"]
    assert view.total == 8 and view.state == "items"
    # "Reading" the filtered view marks what it shows; the hidden six stay unread.
    reading.set_items_read(store, LATEST_ID, [entry.item.position for entry in view.items])
    assert store.read_positions(LATEST_ID) == {0, 2}
    assert not store.week(LATEST_ID).read
    assert reading.week_counts(store)[LATEST_ID] == reading.WeekCounts(8, 6)


def test_a_week_view_carries_the_stored_marks_and_items_in_page_order(store: Store) -> None:
    """One statement reads the items with their marks: the same items, order and marks as the
    store's own lists."""
    reading.set_items_read(store, LATEST_ID, [1, 4])
    store.set_starred(LATEST_ID, 4)
    store.set_starred(LATEST_ID, 6)
    store.set_starred("1660001", 1)  # another week's star is not this week's
    view = reading.week_view(store, LATEST_ID)
    assert [entry.item for entry in view.items] == store.items_for(LATEST_ID)
    assert {entry.item.position for entry in view.items if entry.read} == store.read_positions(LATEST_ID) == {1, 4}
    assert {entry.item.position for entry in view.items if entry.starred} == {4, 6}
    assert all(type(entry.read) is bool and type(entry.starred) is bool for entry in view.items)


def test_mark_week_read_under_a_filter_leaves_hidden_items_unread(store: Store) -> None:
    assert reading.mark_week_read(store, LATEST_ID, {"nanshan"}) == 1
    assert store.read_positions(LATEST_ID) == {2}
    assert not store.week(LATEST_ID).read


def test_a_week_is_read_exactly_when_all_its_items_are(store: Store) -> None:
    for position in range(7):
        reading.set_items_read(store, LATEST_ID, [position])
        assert not store.week(LATEST_ID).read
    reading.set_items_read(store, LATEST_ID, [7])
    assert store.week(LATEST_ID).read
    assert reading.toggle_item_read(store, LATEST_ID, 3) is False
    assert not store.week(LATEST_ID).read
    assert reading.toggle_item_read(store, LATEST_ID, 3) is True
    assert store.week(LATEST_ID).read
    reading.mark_week_read(store, LATEST_ID, read=False)
    assert store.read_positions(LATEST_ID) == set() and not store.week(LATEST_ID).read


def test_the_filtered_list_has_only_weeks_with_a_matching_item(store: Store) -> None:
    everything = reading.list_view(store)
    assert everything.total_weeks == 4 and len(everything.weeks) == 4
    futian = reading.list_view(store, {"futian"})
    assert [w.id for w in futian.weeks] == [LATEST_ID, "1660001", "1654003"]
    assert futian.counts[LATEST_ID] == reading.WeekCounts(1, 1)
    assert futian.total_weeks == 4 and futian.unread == 3
    reading.mark_week_read(store, "1660001", {"futian"})
    unread = reading.list_view(store, {"futian"}, unread_only=True)
    assert [w.id for w in unread.weeks] == [LATEST_ID, "1654003"]


def test_mark_all_read_is_one_transaction_and_honours_the_filter(store: Store) -> None:
    reading.mark_all_read(store, {"futian"})
    counts = reading.week_counts(store)
    assert counts["1654003"].unread == 0 and store.week("1654003").read  # its only item is futian's
    assert counts[LATEST_ID].unread == 7
    reading.mark_all_read(store)
    assert all(week.read for week in store.weeks())
    assert reading.list_view(store).unread == 0


def test_mark_all_read_of_a_watchs_matches_marks_them_only_within_the_filter(store: Store) -> None:
    futian = [(LATEST_ID, e.item.position) for e in reading.week_view(store, LATEST_ID, {"futian"}).items]
    others = [(LATEST_ID, e.item.position) for e in reading.week_view(store, LATEST_ID).items
              if (LATEST_ID, e.item.position) not in futian]
    assert futian and others
    changed = reading.mark_all_read(store, {"futian"}, only=[futian[0], others[0]])
    assert changed == 1  # the match outside the filter is left as it was
    assert store.read_positions(LATEST_ID) == {futian[0][1]}
    assert not store.week(LATEST_ID).read


def test_a_failed_toggle_changes_nothing(store: Store, monkeypatch) -> None:
    """The read mark and the week's flag are written together or not at all."""
    real = reading.recount_read

    def broken(db, digest_id):
        real(db, digest_id)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(reading, "recount_read", broken)
    with pytest.raises(StoreError):
        reading.set_items_read(store, "1654003", [0])
    assert store.read_positions("1654003") == set() and not store.week("1654003").read


def test_explicit_values_never_undo_another_readers_change(tmp_path: Path) -> None:
    """Two connections, one store: a star made by one survives the other's later writes."""
    data = make_store(tmp_path / "data")
    with Store.open(data, seed_sample=False) as one, Store.open(data, seed_sample=False) as two:
        stale = reading.week_view(two, LATEST_ID)
        reading.set_starred(one, LATEST_ID, 1)
        reading.set_starred(two, LATEST_ID, 2)  # from a view that did not know about star 1
        reading.set_items_read(two, LATEST_ID, [e.item.position for e in stale.items[:2]])
        assert one.starred_positions(LATEST_ID) == {1, 2}
        assert reading.week_view(two, LATEST_ID).items[1].starred


def test_the_writer_thread_runs_writes_in_order_and_reports_failures(tmp_path: Path) -> None:
    data = make_store(tmp_path / "data")
    errors: list[BaseException] = []
    writer = reading.StoreWriter(data, on_error=errors.append)
    writer.submit(reading.set_items_read, LATEST_ID, [0, 1])
    writer.submit(reading.toggle_item_read, LATEST_ID, 1)
    writer.submit(reading.set_items_read, "not-an-id", [0])  # harmless: no such week
    writer.submit(lambda store: (_ for _ in ()).throw(StoreError(store.path, "the disk is full")))
    writer.join()
    with Store.open(data, seed_sample=False) as store:
        assert store.read_positions(LATEST_ID) == {0}
    assert [str(e) for e in errors] and "the disk is full" in str(errors[0])
    writer.close()


def test_writes_held_during_a_key_run_when_released_in_order_and_none_is_lost(tmp_path: Path) -> None:
    """What a key submits waits (held) until its frame is out: counted as queued meanwhile, run in
    the order submitted once released — and `join` or `close` release whatever is still held."""
    data = make_store(tmp_path / "data")
    writer = reading.StoreWriter(data)
    writer.hold()
    writer.submit(reading.set_items_read, LATEST_ID, [0, 1])
    writer.submit(reading.toggle_item_read, LATEST_ID, 1)
    assert writer.busy and writer.submitted == 2 and writer.written == 0
    with Store.open(data, seed_sample=False) as store:
        assert store.read_positions(LATEST_ID) == set()  # nothing reached the thread yet
        writer.release()
        writer.join()
        assert store.read_positions(LATEST_ID) == {0} and not writer.busy
        writer.submit(reading.set_items_read, LATEST_ID, [2])  # not holding: straight to the thread
        writer.join()
        assert store.read_positions(LATEST_ID) == {0, 2}
        writer.hold()
        writer.submit(reading.set_items_read, LATEST_ID, [3])
        writer.join()  # a test (or quitting) waiting for the writes gets the held ones too
        assert store.read_positions(LATEST_ID) == {0, 2, 3}
        writer.hold()
        writer.submit(reading.set_items_read, LATEST_ID, [4])
        writer.close()
        assert store.read_positions(LATEST_ID) == {0, 2, 3, 4}


def test_a_district_read_ahead_lists_what_the_filter_lists_and_the_filter_then_reads_no_index(store: Store) -> None:
    """`WeekSets.prepare` reads what a district filter's list needs, one piece a call; the list made
    after it is the one made without it, and walks neither the district index nor the item count."""
    store.save_digest(digest("1670001", date(2026, 3, 16),
                             [item(0, "futian", "一"), item(1, "futian", "二"), item(2, "luohu", "三")]), raw=b"")
    districts = frozenset({"futian", "luohu"})
    expected = reading.list_view(store, districts)
    sets = reading.WeekSets(store)
    pieces = 0
    while sets.prepare(districts):
        pieces += 1
    assert pieces == 4  # two districts' weeks, the listed ids, the item count
    ran: list[str] = []
    store._db.set_trace_callback(ran.append)
    listing = reading.list_view(store, districts, sets=sets)
    store._db.set_trace_callback(None)
    # (the read marks are counted: their cost follows what was read, and a screen keeps them)
    assert not [sql for sql in ran if "FROM items" in sql and "item_read" not in sql], ran
    assert listing.ids == expected.ids and listing.unread == expected.unread
    assert listing.ids.count("1670001") == 1  # a week with two items of a district is listed once


def test_starred_view_follows_the_filter(store: Store) -> None:
    reading.set_starred(store, LATEST_ID, 0)
    reading.set_starred(store, "1660001", 1)
    assert [e.item.district for e in reading.starred_view(store).items] == ["futian", "yantian"]
    assert [e.item.district for e in reading.starred_view(store, {"yantian"}).items] == ["yantian"]


def test_old_week_flags_become_item_marks_on_migration(tmp_path: Path) -> None:
    data = make_store(tmp_path / "data")
    db = sqlite3.connect(data / "sz-digest.sqlite3")
    db.execute("UPDATE digests SET read = 1 WHERE id = '1660001'")
    db.execute(f"PRAGMA user_version = {MIGRATIONS.index(_migrate_read_rule)}")  # just before the read-rule migration
    db.commit()
    db.close()
    with Store.open(data, seed_sample=False) as store:
        assert store.read_positions("1660001") == {0, 1, 2}
        assert store.week("1660001").read and not store.week(LATEST_ID).read


def test_the_listed_counts_and_unread_total_match_the_store_counts(store: Store) -> None:
    reading.set_items_read(store, LATEST_ID, [0, 2])
    reading.mark_week_read(store, "1660001", {"futian"})
    watch = ("w", frozenset({(LATEST_ID, 0), (LATEST_ID, 1), ("1654003", 0)}))
    for districts in ((), ("futian",), ("futian", "nanshan", "city")):
        for unread_only in (False, True):
            for chosen in (None, watch):
                listing = reading.list_view(store, districts, unread_only=unread_only, watch=chosen)
                expected = reading.week_counts(store, districts, watch=chosen)
                if districts or unread_only or chosen:
                    expected = {k: c for k, c in expected.items() if c.items and (c.unread or not unread_only)}
                    assert set(listing.ids) == set(expected)
                else:
                    assert listing.ids == store.week_ids()
                for digest_id in listing.ids:
                    assert listing.counts[digest_id] == expected.get(digest_id, reading.WeekCounts(0, 0))
                    assert listing.weeks.has_unread(digest_id) == (listing.counts[digest_id].unread > 0)
                assert listing.unread == sum(c.unread for c in expected.values())
                assert listing.ids == [w.id for w in store.weeks() if w.id in listing.ids]  # newest first


def test_a_filter_toggled_on_and_off_counts_the_archives_items_once_per_filter(store: Store, monkeypatch) -> None:
    """The unread total's item count walks an index as long as the archive: kept per filter with
    the list's week sets, and counted again once a week changes."""
    expected = {d: reading.unread_total(store, d) for d in (frozenset(), frozenset({"futian"}))}
    sets = reading.WeekSets(store)
    counted: list[frozenset[str]] = []
    real = reading.item_count
    monkeypatch.setattr(reading, "item_count", lambda s, d=(): counted.append(frozenset(d)) or real(s, d))
    for _ in range(3):
        for districts, total in expected.items():
            assert reading.list_view(store, districts, sets=sets).unread == total
    assert sorted(counted, key=len) == [frozenset(), frozenset({"futian"})]
    reading.set_items_read(store, LATEST_ID, [0, 1])  # read marks change the total, not the count
    assert reading.list_view(store, sets=sets).unread == expected[frozenset()] - 2
    assert len(counted) == 2
    futian = reading.list_view(store, {"futian"}, sets=sets).unread
    store.save_digest(digest("1670001", date(2026, 3, 16), [item(0, "futian", "新的一周")]), raw=b"")
    assert not sets.current()  # the screen drops its sets then (refresh_from_store)
    assert reading.list_view(store, {"futian"}, sets=reading.WeekSets(store)).unread == futian + 1


def test_a_list_reads_records_and_counts_only_for_the_rows_asked(store: Store, monkeypatch) -> None:
    """Building the list reads ids, not every week's record: the rows drawn read their block."""
    monkeypatch.setattr(reading, "BLOCK", 2)
    asked: list[list[str]] = []
    real = store.weeks_by_id
    monkeypatch.setattr(store, "weeks_by_id", lambda ids: asked.append(list(ids)) or real(ids))
    monkeypatch.setattr(store, "weeks", lambda *a: pytest.fail("the whole archive was read"))
    listing = reading.list_view(store)
    assert asked == [] and len(listing.weeks) == 4 and listing.total_weeks == 4
    assert listing.weeks[0].id == LATEST_ID and listing.counts[LATEST_ID].items == 8
    assert asked == [store.week_ids()[:2]]  # one block of two rows, records and counts together
    listing.counts[LATEST_ID] = reading.WeekCounts(8, 1)  # a mark the UI shows before it is written
    listing.weeks[3]  # type: ignore[func-returns-value]
    assert listing.counts[LATEST_ID] == reading.WeekCounts(8, 1)
    listing.counts[LATEST_ID] = reading.WeekCounts(8, 0)
    assert not listing.weeks.has_unread(LATEST_ID) and listing.weeks.has_unread(store.week_ids()[3])
    listing.weeks.zero_unread()  # `M`, before the write lands
    assert not any(listing.weeks.has_unread(digest_id) for digest_id in listing.ids)
    assert all(listing.counts[digest_id].unread == 0 for digest_id in listing.ids)


def test_the_unread_only_list_keeps_the_open_week_while_it_has_matching_items(store: Store) -> None:
    reading.mark_week_read(store, "1660001")
    assert "1660001" not in reading.list_view(store, unread_only=True).ids
    assert "1660001" in reading.list_view(store, unread_only=True, keep="1660001").ids
    assert "1660001" in reading.list_view(store, {"futian"}, unread_only=True, keep="1660001").ids
    assert "1654003" not in reading.list_view(store, {"nanshan"}, unread_only=True, keep="1654003").ids


def test_the_writer_tells_other_connections_commits_from_its_own(tmp_path: Path) -> None:
    data = make_store(tmp_path / "data")
    external: list[bool] = []
    writer = reading.StoreWriter(data, on_external=lambda: external.append(True))
    writer.submit(reading.set_items_read, LATEST_ID, [0])
    writer.submit(reading.set_items_read, LATEST_ID, [1])
    writer.probe()
    writer.join()
    assert external == [True] and writer.commits == 2  # once: before its first job it had no baseline
    assert not writer.busy
    with Store.open(data, seed_sample=False) as other:
        reading.set_starred(other, LATEST_ID, 3)
    writer.probe()
    writer.join()
    assert external == [True, True]
    writer.close()


def test_a_read_only_job_on_the_writer_is_neither_busy_nor_a_commit(tmp_path: Path) -> None:
    """The watches' badges are counted on the writer's thread (up to 300 ms at 5,200 weeks): while
    they run, the reader must not put off a refresh nor take the job for a write of its own."""
    import threading

    data = make_store(tmp_path / "data")
    writer = reading.StoreWriter(data)
    running, release = threading.Event(), threading.Event()

    def count(store: Store) -> None:
        running.set()
        release.wait(10)

    writer.submit(count, read_only=True)
    assert running.wait(10)
    assert not writer.busy and writer.commits == 0
    writer.submit(reading.set_items_read, LATEST_ID, [0])  # queued behind the count
    assert writer.busy
    release.set()
    writer.join()
    assert not writer.busy and writer.commits == 1
    writer.close()


def test_the_writer_counts_a_job_before_it_commits(tmp_path: Path) -> None:
    """A reader's poll that sees the writer's commit (`data_version`) must see it counted too, or it
    takes the reader's own write for another process's and refreshes everything."""
    writer = reading.StoreWriter(make_store(tmp_path / "data"))
    counted: list[int] = []

    def write(store: Store) -> None:
        counted.append(writer.commits)  # what a poll during the commit would read
        reading.set_items_read(store, LATEST_ID, [0])

    writer.submit(write)
    writer.submit(write)
    writer.join()
    assert counted == [1, 2] and writer.commits == 2
    writer.close()


def test_the_writer_notices_a_commit_made_by_another_process_while_its_job_ran(tmp_path: Path) -> None:
    """The writer's own commits leave its `data_version` be, so one that moved during a job is
    another connection's (a sync, another reader): reported, not absorbed into the baseline."""
    data = make_store(tmp_path / "data")
    external: list[bool] = []
    writer = reading.StoreWriter(data, on_external=lambda: external.append(True))
    writer.submit(reading.set_items_read, LATEST_ID, [0])  # the first job: no baseline yet
    writer.join()
    assert external == [True]

    def write_while_another_commits(store: Store) -> None:
        with Store.open(data, seed_sample=False) as other:
            reading.set_starred(other, LATEST_ID, 3)
        reading.set_items_read(store, LATEST_ID, [1])

    writer.submit(write_while_another_commits)
    writer.join()
    assert external == [True, True]
    writer.submit(reading.set_items_read, LATEST_ID, [2])  # nobody else: nothing to report
    writer.join()
    assert external == [True, True]
    writer.close()


def test_read_counts_per_district_follow_the_marks_as_the_store_counts_them(store: Store) -> None:
    """`ReadCounts` reads the read marks once; the reader's own marks keep it equal to the store's
    aggregate, for every filter (the unread total of a toggle needs no walk over the marks)."""
    reading.set_items_read(store, LATEST_ID, [0, 2])
    counts = reading.ReadCounts(store)
    filters = ((), ("futian",), ("futian", "nanshan", "city"), ("luohu",))
    sets = reading.WeekSets(store)
    for districts in filters:
        assert reading.unread_total(store, districts, sets, counts) == reading.unread_total(store, districts)
    items = {item.position: item for item in store.items_for("1660001")}
    reading.set_items_read(store, "1660001", list(items))
    for item in items.values():
        counts.add(item.district, +1)
    reading.set_items_read(store, LATEST_ID, [0], read=False)
    counts.add(next(i.district for i in store.items_for(LATEST_ID) if i.position == 0), -1)
    for districts in filters:
        assert reading.unread_total(store, districts, sets, counts) == reading.unread_total(store, districts)
        assert reading.list_view(store, districts, sets=sets, read=counts).unread == reading.unread_total(store, districts)


def test_a_week_refiltered_is_the_week_view_read_under_that_filter(store: Store) -> None:
    """`refiltered` (a filter change that keeps the week) gives what `week_view` reads from the
    store, for every filter, a watch and the empty one, marks included."""
    reading.set_items_read(store, LATEST_ID, [0, 2])
    store.set_starred(LATEST_ID, 1, True)
    watch = ("w", frozenset({(LATEST_ID, 0), (LATEST_ID, 1)}))
    start = reading.week_view(store, LATEST_ID, {"futian"})
    for districts in ((), ("futian",), ("nanshan", "luohu"), ("city",)):
        for chosen in (None, watch):
            assert reading.refiltered(start, districts, chosen) == reading.week_view(store, LATEST_ID, districts, chosen)
    marked = start.with_marks(read={(LATEST_ID, 1): True})  # a mark the reader made (its write queued)
    assert [e.read for e in reading.refiltered(marked, ()).items] == [True, True, True] + [False] * 5
    assert reading.refiltered(reading.starred_view(store), ("futian",)) is None
    assert reading.refiltered(reading.week_view(store, None), ("futian",)) is None


def test_week_records_are_kept_across_lists_up_to_a_bound(store: Store, monkeypatch) -> None:
    """A filter lists weeks near those the last one listed: their records are read once, the
    oldest read go when more than `RECORDS_KEPT` are kept, and never one a list asks for."""
    monkeypatch.setattr(reading, "RECORDS_KEPT", 3)
    asked: list[list[str]] = []
    real = store.weeks_by_id
    monkeypatch.setattr(store, "weeks_by_id", lambda ids: asked.append(list(ids)) or real(ids))
    ids = store.week_ids()
    sets = reading.WeekSets(store)
    assert list(sets.records(ids[:2])) == ids[:2]
    assert list(sets.records(ids[1:3])) == ids[1:3]
    assert asked == [ids[:2], ids[2:3]]
    got = sets.records([ids[3], ids[0], ids[1]])  # one to read, and more kept than the bound allows
    assert [w.id for w in got.values()] == [ids[3], ids[0], ids[1]] and asked[-1] == [ids[3]]
    assert len(sets._records) == 3 and ids[2] not in sets._records


def test_a_district_filters_weeks_are_listed_once_while_the_weeks_stay(store: Store, monkeypatch) -> None:
    """Toggled back, a filter lists the weeks it listed (kept with the week sets), in order."""
    sets = reading.WeekSets(store)
    first = reading.list_view(store, {"futian"}, sets=sets).ids
    walked: list[str] = []
    monkeypatch.setattr(sets, "all_ids", type("Ids", (list,), {"__iter__": lambda self: walked.append("x") or list.__iter__(self)})(sets.all_ids))
    again = reading.list_view(store, {"futian"}, sets=sets).ids
    assert again == first == [w.id for w in store.weeks({"futian"})] and walked == []
    assert reading.list_view(store, {"futian", "nanshan"}, sets=sets).ids == [w.id for w in store.weeks({"futian", "nanshan"})]
