"""`sync()` against the loopback column: incremental, full, capped, resumable, and safe under faults."""

from __future__ import annotations

import asyncio
import time

import pytest

from sz_digest.cache.fetch import FetchOptions
from sz_digest.cache.pages import read_page
from sz_digest.cache.parser import parse_digest
from sz_digest.cache.store import Store
from sz_digest.cache.sync import WALK_INCOMPLETE, SourceUnreachable, SyncProgress, sync

try:
    from tests.loopback import Fault, LoopbackServer, Post, closed_port, gzip_bomb, make_column, render_post
except ImportError:
    from loopback import Fault, LoopbackServer, Post, closed_port, gzip_bomb, make_column, render_post

FAST = FetchOptions(connect_timeout=1.0, read_timeout=0.5, total_timeout=2.0, backoff_base=0.02, backoff_max=0.05,
                    retry_after_max=0.2)


@pytest.fixture
def server():
    with LoopbackServer(make_column(digests=20, non_digests=6, per_page=10)) as srv:
        yield srv


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "data", seed_sample=False)
    yield s
    s.close()


def run(store, server, **kwargs):
    kwargs.setdefault("options", FAST)
    return asyncio.run(sync(store, source=server.source, **kwargs))


def digest_ids(server) -> set[str]:
    return {str(p.id) for p in server.column.digests()}


def snapshot(store) -> dict:
    """Everything a reader sees of the stored digests."""
    return {d: (store.digest(d), tuple(store.items_for(d))) for d in sorted(store.known_ids())}


# -- the basic walk ---------------------------------------------------------------------------------


def test_first_sync_stores_every_digest_and_never_requests_a_non_digest(server, store):
    report = run(store, server)
    assert report.to_json() == {"pages": 3, "listed": 26, "fetched": 20, "not_modified": 0,
                                "skipped_non_digest": 6, "failed": [], "walk_capped": False, "gone": [],
                                "deferred": [], "degraded": [], "blocked": None,
                                "layout_warning": None}
    assert store.known_ids() == digest_ids(server)
    assert sorted(report.new_ids) == sorted(digest_ids(server)) and report.changed_ids == []
    non_digest_paths = {p.path for p in server.column.posts if not p.digest}
    assert not non_digest_paths & set(server.fetched_paths())
    assert store.get_setting("last_sync") is not None
    assert store.get_setting(WALK_INCOMPLETE) == "0"
    digest = store.digest("1700000")
    assert digest.title == "深圳社会工作一周速览（3月30日至4月3日）" and len(digest.items) == 6


def test_immediate_second_sync_downloads_nothing(server, store):
    run(store, server)
    server.clear_log()
    report = run(store, server)
    assert report.fetched == 0 and report.failed == [] and report.pages == 1
    assert server.post_requests() == []
    assert server.fetched_paths() == [server.column.page_path(1)]


def test_incremental_sync_fetches_only_new_posts_and_stops_at_a_known_page(server, store):
    run(store, server)
    column = server.column
    for n in range(12):  # twelve new posts push the old ones onto later pages
        newest = column.posts[0]
        column.add_newest(Post(newest.id + 10, f"深圳社会工作一周速览（4月{6 + n}日至4月{10 + n}日）",
                               newest.published, True, newest.week_start, newest.week_end, newest.items))
    server.clear_log()
    report = run(store, server)
    assert report.fetched == 12 and sorted(report.new_ids) == sorted(str(p.id) for p in column.posts[:12])
    # page 1: all new; page 2: 2 new + old; page 3: old only -> stop there, page 4 never requested
    assert report.pages == 3
    assert column.page_path(4) not in server.fetched_paths()
    assert store.known_ids() == digest_ids(server)


def test_full_sync_rechecks_with_conditional_get(server, store):
    run(store, server)
    store.set_read("1699993")
    server.column.by_id(1699993).revision = 1  # the page changed: new ETag, new content
    server.clear_log()
    report = run(store, server, full=True)
    assert report.pages == 3 and report.fetched == 1 and report.not_modified == 19
    assert report.changed_ids == ["1699993"] and report.new_ids == []
    assert all(r.headers.get("if-none-match") for r in server.post_requests())
    assert any("修订内容" in item.title for item in store.items_for("1699993"))
    # A changed page keeps its read marks; the item it gained is unread, so the week is too
    # (a week is read exactly when all its items are: cache/reading.py).
    items = store.items_for("1699993")
    assert store.read_positions("1699993") >= set(range(len(items) - 1))
    assert not store.week("1699993").read


def test_conditional_get_falls_back_to_last_modified(server, store):
    server.column.etags = False
    run(store, server)
    server.clear_log()
    report = run(store, server, full=True)
    assert report.not_modified == 20 and report.fetched == 0
    assert all(r.headers.get("if-modified-since") for r in server.post_requests())


def test_pages_caps_the_walk_and_the_next_sync_completes_it(server, store):
    report = run(store, server, max_pages=1)
    assert report.pages == 1 and report.fetched == 8 and not report.walk_complete
    assert server.column.page_path(2) not in server.fetched_paths()
    assert store.get_setting(WALK_INCOMPLETE) == "1"
    report = run(store, server)  # page 1 is all known, but the archive is not complete yet
    assert report.pages == 3 and report.fetched == 12 and report.walk_complete
    assert store.known_ids() == digest_ids(server)


def test_script_only_pagination_is_followed(store):
    with LoopbackServer(make_column(12, 3, per_page=5, pagination="script")) as srv:
        report = asyncio.run(sync(store, source=srv.source, options=FAST))
        assert report.pages == 3 and report.fetched == 12 and report.failed == []


def test_sample_does_not_count_as_stored_and_is_replaced(server, store):
    post = server.column.by_id(1699976)
    sample = parse_digest(render_post(post), server.url(post.path))._replace(sample=True)
    store.save_digest(sample, b"<html>sample</html>")
    run(store, server)
    assert store.week("1699976").sample is False
    assert store.sample_ids() == set()


def test_the_bundled_sample_is_replaced_by_the_real_page(server, tmp_path):
    server.column.add_sample_post()
    with Store.open(tmp_path / "seeded") as seeded:  # seeded with the sample
        assert seeded.sample_ids() == {"1663876"}
        report = run(seeded, server)
        assert "1663876" in report.new_ids and report.failed == []
        assert seeded.sample_ids() == set() and seeded.week("1663876").sample is False
        assert report.to_json()["fetched"] == 21
        again = run(seeded, server)
        assert again.fetched == 0


def test_progress_reports_every_step(server, store):
    seen: list[SyncProgress] = []
    report = run(store, server, on_progress=seen.append)
    assert seen[0].phase == "listing" and seen[-1].phase == "done"
    last = seen[-1]
    assert (last.list_pages, last.listed, last.to_fetch, last.fetched, last.failed) == (3, 26, 20, 20, 0)
    assert last.bytes == report.bytes > 0 and len(last.new_ids) == 20
    fetched = [p.fetched for p in seen]
    assert fetched == sorted(fetched) and len(seen) >= 20 + 3


def test_concurrency_is_bounded(server, store):
    server.latency = 0.03
    run(store, server, concurrency=3)
    assert 1 < server.max_in_flight <= 3


# -- failures are values, the store keeps good copies -------------------------------------------------


def test_failing_refetch_leaves_the_stored_digest_intact(server, store):
    run(store, server)
    before = snapshot(store)
    raw_before = read_page(store.data_dir / "pages", "1699993")
    path = server.column.by_id(1699993).path
    for fault in (Fault("status", status=500), Fault("json"), Fault("truncate"), Fault("empty")):
        server.fault(path, fault)
        store.clear_failure(server.url(path))  # each fault on its own: a fourth failure in a row backs off
        report = run(store, server, full=True)
        assert [f.url for f in report.failed] == [server.url(path)]
        assert snapshot(store) == before
    raw_after = read_page(store.data_dir / "pages", "1699993")
    assert raw_after == raw_before and raw_before is not None
    server.clear_faults()
    report = run(store, server, full=True)
    assert report.failed == [] and store.failures() == []


def test_failed_posts_are_retried_by_the_next_sync(server, store):
    path = server.column.by_id(1699886).path  # on page 2
    server.fault(path, Fault("status", status=500))
    report = run(store, server)
    assert [(f.url, f.error) for f in report.failed] == [(server.url(path), "HTTP 500")]
    assert "1699886" not in store.known_ids()
    assert [f.post_id for f in store.failures()] == ["1699886"]
    server.clear_faults()
    server.clear_log()
    report = run(store, server)
    assert report.fetched == 1 and report.new_ids == ["1699886"] and report.failed == []
    assert store.failures() == [] and "1699886" in store.known_ids()
    assert server.column.page_path(3) not in server.fetched_paths()


FAULTS = {
    "404": (Fault("status", status=404), "HTTP 404"),
    "500 always": (Fault("status", status=500), "HTTP 500"),
    "429 always": (Fault("status", status=429, headers={"Retry-After": "1"}), "HTTP 429"),
    "truncated": (Fault("truncate"), "truncated body (connection closed early)"),
    "reset mid-body": (Fault("reset"), "connection reset"),
    "closed": (Fault("close"), "connection closed without a response"),
    "over the cap": (Fault("oversize"), "body over 5 MB (Content-Length 6291456)"),
    "over the cap, no length": (Fault("oversize", chunked=True, size=8 << 20), "body over 5 MB"),
    "gzip bomb": (Fault("gzip_bomb"), "body over 5 MB after decompression"),
    "brotli bomb": (Fault("br_bomb"), "unsupported Content-Encoding: br"),
    "off-site redirect": (Fault("redirect", location="http://evil.example/x.html"),
                          "off-site redirect to http://evil.example/x.html"),
    "slow drip": (Fault("drip", interval=1.0), "timed out"),
    "json error with 200": (Fault("json"), "not an HTML page (Content-Type application/json)"),
    "empty 200": (Fault("empty"), "empty response (HTTP 200)"),
    "html that is not a digest": (Fault("status", status=200, body="<html><body><p>系统维护中</p></body></html>".encode()),
                                  "not a digest: "),
}


@pytest.mark.parametrize("name", FAULTS)
def test_every_fault_is_bounded_clear_and_leaves_the_store_alone(name, server, store):
    fault, reason = FAULTS[name]
    if fault.kind == "gzip_bomb":
        gzip_bomb()
    victim = server.column.by_id(1699966)
    server.fault(victim.path, fault)
    started = time.monotonic()
    report = run(store, server)
    assert time.monotonic() - started < 8
    assert len(report.failed) == 1
    failure = report.failed[0]
    assert failure.url == server.url(victim.path)
    assert failure.error.startswith(reason) and len(failure.error) < 200
    assert report.fetched == 19
    assert "1699966" not in store.known_ids()
    assert store.known_ids() == digest_ids(server) - {"1699966"}
    assert [(f.post_id, f.error) for f in store.failures()] == [("1699966", failure.error)]


def test_redirect_loop_connection_refused_and_off_site_posts(server, store):
    loop = server.column.by_id(1699966)
    server.fault(loop.path, Fault("redirect", location="/loop/b.html"))
    server.fault("/loop/b.html", Fault("redirect", location=loop.path))
    refused = server.column.by_id(1699955)
    refused.href = f"http://127.0.0.1:{closed_port()}/szshgzb/gzyw/content/post_1699955.html"
    offsite = server.column.by_id(1699940)
    offsite.href = "http://evil.example/szshgzb/gzyw/content/post_1699940.html"
    report = run(store, server)
    errors = {f.url.rsplit("/", 1)[1]: f.error for f in report.failed}
    # Same origin is scheme, host and port: a post on another port of the same host is refused
    # unrequested (a closed port here; connection refused itself is in test_fetch).
    assert errors == {
        "post_1699966.html": f"redirect loop at {server.url(loop.path)}",
        "post_1699955.html": f"off-site URL {refused.href} (another port; refused)",
    }
    # A post linked on another host is never requested: the parser leaves it out of the list, and
    # the fetcher would refuse it anyway ("off-site URL ..."; see test_fetch).
    assert report.fetched == 17 and "1699940" not in store.known_ids()


def test_charset_only_in_meta_is_decoded(server, store):
    victim = server.column.by_id(1699966)
    server.fault(victim.path, Fault("meta_charset"))  # GB18030 bytes, charset only in <meta>
    report = run(store, server)
    assert report.failed == []
    assert store.digest("1699966").title == victim.title


def test_content_type_lying_about_charset_does_not_garble(server, store):
    victim = server.column.by_id(1699966)
    server.fault(victim.path, Fault("charset_lie"))  # UTF-8 bytes labelled iso-8859-1
    report = run(store, server)
    assert report.failed == []
    assert store.digest("1699966").title == victim.title  # decoded from the bytes, not as Latin-1


def test_500_then_200_and_429_then_200_succeed(server, store):
    server.fault(server.column.by_id(1699966).path, Fault("status", status=500, times=1))
    server.fault(server.column.by_id(1699955).path,
                 Fault("status", status=429, times=2, headers={"Retry-After": "1"}))
    report = run(store, server)
    assert report.failed == [] and report.fetched == 20


# -- list pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fault,reason", [
    (None, "connection refused"),
    (Fault("status", status=503), "HTTP 503"),
    (Fault("json"), "not an HTML page (Content-Type application/json)"),
    (Fault("redirect", location="http://evil.example/"), "off-site redirect to http://evil.example/"),
])
def test_unreachable_source_raises_and_leaves_the_store_untouched(fault, reason, server, store, tmp_path):
    if fault is None:
        source = f"http://127.0.0.1:{closed_port()}/szshgzb/gzyw/"
    else:
        server.fault(server.column.page_path(1), fault)
        source = server.source
    version = store._db.execute("PRAGMA data_version").fetchone()[0]
    changes = store._db.total_changes
    with pytest.raises(SourceUnreachable) as info:
        asyncio.run(sync(store, source=source, options=FAST))
    assert info.value.reason == reason and source in str(info.value)
    assert store._db.total_changes == changes
    assert store._db.execute("PRAGMA data_version").fetchone()[0] == version
    assert store.get_setting("last_sync") is None and store.get_setting(WALK_INCOMPLETE) is None


def test_a_failed_later_list_page_is_reported_and_walked_again_next_time(server, store):
    server.fault(server.column.page_path(2), Fault("status", status=500))
    report = run(store, server)
    assert [(f.url, f.error) for f in report.failed] == [(server.page_url(2), "HTTP 500")]
    assert report.pages == 1 and not report.walk_complete
    server.clear_faults()
    report = run(store, server)
    assert report.failed == [] and report.walk_complete and report.fetched == 12
    assert store.known_ids() == digest_ids(server)


# -- cancellation -------------------------------------------------------------------------------------


def test_cancel_stops_promptly_and_the_next_sync_completes(server, store, tmp_path):
    server.latency = 0.05

    async def cancel_midway():
        task = asyncio.create_task(sync(store, source=server.source, options=FAST, concurrency=2))
        while len(store.known_ids()) < 5:
            await asyncio.sleep(0.01)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - started

    assert asyncio.run(cancel_midway()) < 0.5
    partial = store.known_ids()
    assert 5 <= len(partial) < 20
    assert store.get_setting(WALK_INCOMPLETE) == "1"
    kept = {d: store.digest(d) for d in partial}
    server.latency = 0
    report = run(store, server)
    assert report.failed == [] and store.known_ids() == digest_ids(server)
    assert sorted(report.new_ids) == sorted(digest_ids(server) - partial)
    assert all(store.digest(d) == kept[d] for d in partial)
    with Store.open(tmp_path / "fresh", seed_sample=False) as fresh:
        asyncio.run(sync(fresh, source=server.source, options=FAST))
        assert snapshot(fresh) == snapshot(store)


def test_a_cancel_commits_the_digests_parsed_but_not_yet_stored(server, store, monkeypatch):
    """Parsed digests wait for a batch (cache/sync.py `_Batches`); cancelling the sync stores them,
    whole, instead of dropping them, and the next sync fetches only what was not stored."""
    import sz_digest.cache.parser as parser_module
    import sz_digest.cache.sync as sync_module

    # No batch by size or time: only the first digest (stored at once) and the cancel commit.
    monkeypatch.setattr(sync_module, "COMMIT_AFTER", 3600.0)
    monkeypatch.setattr(sync_module, "COMMIT_EVERY", 1000)
    posts = server.column.digests()
    fast = {str(p.id) for p in posts[:5]}
    for post in posts[5:]:
        server.fault(post.path, Fault("latency", delay=30))  # in flight when the cancel comes
    parsed: list[str] = []
    real_parse = parser_module.parse_digest

    def counting_parse(*args):
        digest = real_parse(*args)
        parsed.append(digest.id)
        return digest

    monkeypatch.setattr(parser_module, "parse_digest", counting_parse)
    patient = FetchOptions(connect_timeout=1.0, read_timeout=60.0, total_timeout=60.0)

    async def cancel_once_parsed():
        task = asyncio.create_task(sync(store, source=server.source, options=patient, concurrency=8))
        deadline = time.monotonic() + 20
        while len(parsed) < 5 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)  # the last parse's coroutine hands its digest to the batch
        stored_before = store.known_ids()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return stored_before

    stored_before = asyncio.run(cancel_once_parsed())
    assert sorted(parsed) == sorted(fast)
    assert len(stored_before) < len(fast)  # they were waiting for their transaction
    assert store.known_ids() == fast
    for post in posts[:5]:
        assert store.digest(str(post.id)) == parse_digest(render_post(post), server.url(post.path))
        assert len(store.items_for(str(post.id))) == len(post.items)
    server.clear_faults()
    server.clear_log()
    report = run(store, server)
    assert report.failed == [] and store.known_ids() == digest_ids(server)
    assert sorted(report.new_ids) == sorted(digest_ids(server) - fast)
    assert not {p.rsplit("_", 1)[-1].split(".")[0] for p in server.bodies_served()} & fast


def test_a_batch_timer_firing_after_the_last_post_leaves_the_batch_to_close(store):
    """At the end of a busy sync a batch's timer can fire after the TaskGroup has finished and before
    the sync closes its batches: that must neither raise in a loop callback (a traceback on stderr)
    nor lose the digests waiting; closing stores them."""
    from sz_digest.cache.model import PostEntry
    from sz_digest.cache.parser import sample_page
    from sz_digest.cache.sync import _Batches, _Parsed

    raw, url = sample_page()
    digest = parse_digest(raw, url)._replace(sample=False)
    committed: list[str] = []

    async def scenario():
        async with asyncio.TaskGroup() as tg:
            batches = _Batches(store, None, tg, lambda done: committed.extend(entry_id for entry_id, _degraded, _changed in done),
                               lambda entry, reason: None)
        batches.pending.append(_Parsed(PostEntry(digest.id, url, digest.title), digest, raw, None, None))
        batches._start()  # what the timer does
        assert committed == []
        await batches.close()

    asyncio.run(scenario())
    assert committed == [digest.id] and store.known_ids() == {digest.id}


def test_a_store_that_fails_mid_sync_ends_it_with_the_store_error_and_keeps_what_was_committed(server, store):
    """A batch's transaction failing (a full disk, a read-only remount) ends the sync with that
    StoreError (exit 4 in the CLI), not a hang or a per-post failure; committed batches stay whole."""
    from sz_digest.cache.errors import StoreError

    original = store.save_digests
    calls = []

    def failing_after_the_first(pages, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise StoreError(store.path, "database or disk is full")
        return original(pages, **kwargs)

    store.save_digests = failing_after_the_first
    with pytest.raises(StoreError, match="disk is full"):
        run(store, server)
    stored = store.known_ids()
    assert 1 <= len(stored) < 20
    for digest_id in stored:
        post = server.column.by_id(digest_id)
        assert store.digest(digest_id) == parse_digest(render_post(post), server.url(post.path))
    store.save_digests = original
    report = run(store, server)
    assert report.failed == [] and store.known_ids() == digest_ids(server)


def test_a_hostile_redirect_target_never_reaches_a_report_or_the_store_as_control(server, store):
    """Failure reasons quote what the server sent: the Location header is cleaned before it is kept."""
    victim = server.column.by_id(1699966)
    server.fault(victim.path, Fault("redirect", location="http://evil.example/\x1b]52;c;ZXZpbA==\x07x\x1b[2J.html"))
    report = run(store, server)
    (failure,) = report.failed
    assert not any(ch in failure.error for ch in "\x1b\x07") and "52;c;" not in failure.error
    assert [f.error for f in store.failures()] == [failure.error]


def test_failure_reasons_are_cleaned_whatever_produced_them():
    from sz_digest.cache.sync import SyncFailure

    failure = SyncFailure("http://h/post_1.html\x1b[2J", "HTTP 500 from \x1b]52;c;ZXZpbA==\x07\u202eproxy\x9b31m")
    assert failure.url == "http://h/post_1.html"
    assert failure.error == "HTTP 500 from proxy"
    assert failure.to_json() == {"url": "http://h/post_1.html", "error": "HTTP 500 from proxy"}
