"""Issue 13: nothing a site sends aborts a sync; bounded crawls; gone / back-off / capped failures.

Every test runs the real fetcher against the loopback server (tests/loopback.py) and a real store on
disk, and checks `PRAGMA integrity_check` afterwards.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sz_digest.cache import sync as sync_module
from sz_digest.cache.fetch import FetchOptions
from sz_digest.cache.retry_policy import BACKOFF_AFTER, GONE_AFTER, MAX_FAILURES
from sz_digest.cache.store import Store
from sz_digest.cache.sync import RESUME_PAGES, SourceUnreachable, sync
from sz_digest.tui.cli import main
from test_sync import server  # noqa: F401 (a fixture: the 20-digest loopback column)

try:
    from tests.loopback import Fault, LoopbackServer, make_column, render_post
except ImportError:
    from loopback import Fault, LoopbackServer, make_column, render_post

FAST = FetchOptions(connect_timeout=1.0, read_timeout=0.5, total_timeout=2.0, backoff_base=0.01, backoff_max=0.02,
                    retry_after_max=0.05, max_tries=2)


def run(store, server, **kwargs):
    kwargs.setdefault("options", FAST)
    return asyncio.run(sync(store, source=server.source, **kwargs))


def cli(server, data_dir, *args) -> int:
    return main(["--data-dir", str(data_dir), "--source", server.source, "sync", *args])


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "data", seed_sample=False)
    yield s
    assert s.integrity_ok()
    s.close()


# -- the reproductions: one malformed link or redirect used to abort every sync --------------


def test_malformed_links_and_redirects_fail_their_post_only(server, store):
    posts = server.column.digests()
    control = posts[0]
    control.href = f"./content/post_{control.id}.html?a=\x01b"  # a control character in the query
    far_port = posts[1]
    server.fault(far_port.path, Fault("redirect", location=f"http://127.0.0.1:99999{far_port.path}"))
    other_port = posts[2]
    server.fault(other_port.path, Fault("redirect", location=f"http://127.0.0.1:{server.port + 1}{other_port.path}"))
    bad_ipv6 = posts[3]
    server.fault(bad_ipv6.path, Fault("redirect", location="http://[::1/post.html"))
    ctl_location = posts[4]
    server.fault(ctl_location.path, Fault("redirect", location="/a\x7fb\x01.html"))
    lying_length = posts[5]
    server.fault(lying_length.path, Fault("status", status=200, body=render_post(lying_length),
                                          headers={"Retry-After": "²", "Content-Length": "²"}))
    report = run(store, server)
    errors = {f.post_id: f.error for f in report.failed}
    hostile = {str(p.id) for p in posts[:6]}
    assert set(errors) <= hostile
    assert "redirect to a malformed URL" in errors[str(far_port.id)]
    assert errors[str(other_port.id)] == (f"off-site redirect to http://127.0.0.1:{server.port + 1}{other_port.path} "
                                          "(another port; refused)")
    assert "redirect to a malformed URL" in errors[str(bad_ipv6.id)]
    for error in errors.values():
        assert "\n" not in error and "\x01" not in error and "\x7f" not in error and len(error) <= 300
    good = {str(p.id) for p in posts} - hostile
    assert good <= store.known_ids()
    assert store.last_sync() is not None


def test_malformed_source_is_a_usage_error_in_one_line(tmp_path, capsys):
    for source in ("http://127.0.0.1:99999/", "http://[::1/", "http://", "ftp://x/", "http://a\x01b/"):
        code = main(["--data-dir", str(tmp_path / "d"), "--source", source, "sync"])
        out, err = capsys.readouterr()
        assert code == 2, source
        assert out == "" and err.count("\n") == 1 and "--source must be" in err and "Traceback" not in err
        assert "\x01" not in err
    # Through the API (the TUI's path), the same source is "unreachable", the store untouched.
    with Store.open(tmp_path / "api", seed_sample=False) as s:
        with pytest.raises(SourceUnreachable):
            asyncio.run(sync(s, source="http://127.0.0.1:99999/"))
        assert s.get_setting("last_sync") is None


# -- the property: random hrefs, redirects and headers never abort a sync ------------------------------

_NASTY = st.sampled_from(["\x00", "\x01", "\x7f", " ", "%", "%zz", "[", "]", "::", "@", "\\", "#", "?", "..",
                          "\u202e", "://", ":99999", ":-1", ":65536", "\t", "\ufeff", "é", "\u0660"])
_HOSTILE_TEXT = st.lists(st.one_of(_NASTY, st.text(max_size=8)), max_size=6).map("".join)
_LATIN1 = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=30)


def _hrefs(port: int):
    prefixes = st.sampled_from(["", "./content/", "/szshgzb/gzyw/content/", f"http://127.0.0.1:{port}/",
                                f"http://127.0.0.1:{port + 1}/", "http://127.0.0.1:99999/", "http://[::1",
                                "https://127.0.0.1/", "//evil.example/", "javascript:"])
    return st.tuples(prefixes, _HOSTILE_TEXT, st.booleans()).map(
        lambda t: t[0] + t[1] + ("post_1699990.html" if t[2] else ""))


def _faults(port: int, post):
    # A header is bytes on the wire: a Location with Chinese or controls goes out as its UTF-8 bytes
    # (CR and LF would end the header itself, so they are left out).
    location = st.one_of(_hrefs(port), _LATIN1).map(
        lambda u: u.replace("\r", "").replace("\n", "").encode("utf-8").decode("latin-1"))
    redirect = st.tuples(st.sampled_from([301, 302, 303, 307, 308]), location).map(
        lambda t: Fault("redirect", status=t[0], location=t[1]))
    header_names = st.sampled_from(["Content-Length", "Content-Encoding", "Content-Type", "Retry-After", "ETag",
                                    "Last-Modified", "Location", "Transfer-Encoding", "X-Junk"])
    headers = st.dictionaries(header_names, _LATIN1, max_size=3).map(
        lambda h: Fault("status", status=200, body=render_post(post), headers=h))
    status = st.tuples(st.integers(100, 999), st.dictionaries(st.just("Retry-After"), _LATIN1, max_size=1)).map(
        lambda t: Fault("status", status=t[0], headers=t[1]))
    return st.one_of(redirect, headers, status)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_property_sync_always_completes_and_stores_every_good_post(data):
    column = make_column(digests=10, non_digests=2, per_page=12)
    with LoopbackServer(column) as srv:
        posts = column.digests()
        hostile = data.draw(st.lists(st.sampled_from(posts), max_size=5, unique_by=lambda p: p.id))
        for post in hostile:
            if data.draw(st.booleans()):
                post.href = data.draw(_hrefs(srv.port))
            else:
                srv.fault(post.path, data.draw(_faults(srv.port, post)))
        folder = Path(tempfile.mkdtemp(prefix="sz13-"))
        try:
            with Store.open(folder, seed_sample=False) as s:
                report = asyncio.run(sync(s, source=srv.source, options=FAST))
                good = {str(p.id) for p in posts} - {str(p.id) for p in hostile}
                assert good <= s.known_ids()
                assert report.fetched >= len(good)
                for failure in report.failed + report.gone:
                    assert failure.error and "\n" not in failure.error and len(failure.error) <= 300
                json.dumps(report.to_json())
                assert s.integrity_ok() and s.last_sync() is not None
        finally:
            shutil.rmtree(folder, ignore_errors=True)


# -- bounded crawls ------------------------------------------------------------------------------------


def test_a_capped_walk_says_so_and_the_next_sync_resumes_where_it_stopped(tmp_path, monkeypatch, capsys):
    with LoopbackServer(make_column(digests=50, non_digests=0, per_page=10)) as srv:  # five list pages
        monkeypatch.setattr(sync_module, "MAX_LIST_PAGES", 2)
        data = tmp_path / "data"
        assert cli(srv, data, "--json") == 0
        out, err = capsys.readouterr()
        first = json.loads(out)
        assert first["walk_capped"] is True and first["pages"] == 2 and first["fetched"] == 20
        assert err.count("\n") == 1 and "stopped at its cap of 2 list page" in err
        srv.clear_log()
        assert cli(srv, data, "--json") == 0
        second = json.loads(capsys.readouterr().out)
        # Page 1 again (all known: the newest are caught up), then pages 3 and 4, not page 2.
        assert srv.fetched_paths()[:1] == [srv.column.page_path(1)]
        list_pages = [p for p in srv.fetched_paths() if "/content/" not in p]
        assert list_pages == [srv.column.page_path(1), srv.column.page_path(3)]
        assert second["walk_capped"] is True and second["fetched"] == 10
        monkeypatch.setattr(sync_module, "MAX_LIST_PAGES", 2000)
        assert cli(srv, data, "--json") == 0
        third = json.loads(capsys.readouterr().out)
        assert third["walk_capped"] is False and third["fetched"] == 20  # pages 4 and 5
        with Store.open(data) as s:
            assert s.known_ids() >= {str(p.id) for p in srv.column.digests()}
            assert json.loads(s.get_setting(RESUME_PAGES)) == {}
            assert s.integrity_ok()


def test_endless_pagination_is_cut_with_a_warning_not_silently(tmp_path, monkeypatch, capsys):
    # 40 list pages and a cap of 5 stand in for an endless pagination and the 2,000-page cap.
    with LoopbackServer(make_column(digests=400, non_digests=0, per_page=10)) as srv:
        monkeypatch.setattr(sync_module, "MAX_LIST_PAGES", 5)
        with Store.open(tmp_path / "data", seed_sample=False) as s:
            report = run(s, srv)
            assert report.walk_capped and report.pages == 5 and not report.walk_complete
            resume = json.loads(s.get_setting(RESUME_PAGES))
            assert resume["source"] == srv.source and resume["pages"]
            assert all(u.startswith(srv.origin) for u in resume["pages"])
            report = run(s, srv)
            assert report.walk_capped and report.fetched == 40  # four new pages, not the first five again
            assert s.integrity_ok()


# -- gone, back-off, cap -----------------------------------------------------------------------------


def test_a_post_404_on_three_syncs_is_gone_and_no_longer_fails_the_sync(server, tmp_path, capsys):
    data = tmp_path / "data"
    lost = server.column.by_id(1699966)
    server.fault(lost.path, Fault("status", status=404))
    for n in range(1, GONE_AFTER):
        assert cli(server, data, "--json") == 1
        report = json.loads(capsys.readouterr().out)
        assert [f["url"] for f in report["failed"]] == [server.url(lost.path)] and report["gone"] == []
    assert cli(server, data, "--json") == 0  # the third 404 in a row: gone, not a failure
    report = json.loads(capsys.readouterr().out)
    assert report["failed"] == [] and report["gone"] == [{"url": server.url(lost.path), "error": "HTTP 404"}]
    server.clear_log()
    assert cli(server, data, "--json", "--full") == 0  # not retried, even by a full sync
    report = json.loads(capsys.readouterr().out)
    assert server.hits(lost.path) == 0 and report["gone"][0]["url"] == server.url(lost.path)
    assert cli(server, data) == 0
    out = capsys.readouterr().out
    assert "1 post(s) gone" in out and "--retry-gone" in out
    server.clear_faults()
    assert cli(server, data, "--json", "--retry-gone") == 0  # it came back
    report = json.loads(capsys.readouterr().out)
    assert server.hits(lost.path) == 1 and report["gone"] == [] and report["fetched"] == 1
    with Store.open(data) as s:
        assert str(lost.id) in s.known_ids() and s.failures() == [] and s.integrity_ok()


def test_a_404_streak_broken_by_another_error_is_not_gone(server, store):
    lost = server.column.by_id(1699966)
    server.fault(lost.path, Fault("status", status=404))
    run(store, server)
    run(store, server)
    server.fault(lost.path, Fault("status", status=503))
    run(store, server)
    day_ago = (datetime.now(UTC) - timedelta(days=1, minutes=1)).isoformat(timespec="seconds")
    store._db.execute("UPDATE failures SET at = ?", (day_ago,))  # past its back-off
    server.fault(lost.path, Fault("status", status=410))
    report = run(store, server)
    assert [f.post_id for f in report.failed] == [str(lost.id)] and report.gone == []
    assert store.failures()[0].gone_streak == 1 and not store.failures()[0].gone


def test_other_failures_back_off_to_once_a_day(server, store):
    broken = server.column.by_id(1699966)
    server.fault(broken.path, Fault("status", status=500))
    for _ in range(BACKOFF_AFTER):
        report = run(store, server)
        assert [f.post_id for f in report.failed] == [str(broken.id)]
    server.clear_log()
    report = run(store, server, full=True)
    assert server.hits(broken.path) == 0, "a post failing three syncs in a row is not retried the same day"
    assert report.failed == [] and [f.post_id for f in report.deferred] == [str(broken.id)]
    # A day later it is tried again.
    day_ago = (datetime.now(UTC) - timedelta(days=1, minutes=1)).isoformat(timespec="seconds")
    store._db.execute("UPDATE failures SET at = ?", (day_ago,))
    report = run(store, server)
    assert server.hits(broken.path) == 2 and [f.post_id for f in report.failed] == [str(broken.id)]


def test_the_failure_list_is_capped_oldest_dropped(store):
    for n in range(MAX_FAILURES + 25):
        store._db.execute("INSERT INTO failures(url, post_id, error, at) VALUES (?, ?, 'x', ?)",
                          (f"http://h/post_{n}.html", str(n), f"2020-01-01T00:{n // 60 % 60:02d}:{n % 60:02d}+00:00"))
    store.record_failure("http://h/post_new.html", "HTTP 500", post_id="999999", status=500)
    failures = store.failures()
    assert len(failures) == MAX_FAILURES
    ids = {f.post_id for f in failures}
    assert "999999" in ids and "0" not in ids and str(MAX_FAILURES + 24) in ids


def test_a_junk_or_foreign_resume_point_is_ignored(server, store):
    for junk in ("[", "5", '{"source": "http://elsewhere.example/", "pages": ["http://elsewhere.example/2"]}',
                 json.dumps({"source": server.source, "pages": "x"}), "[" * 5000 + "]" * 5000,
                 json.dumps({"source": server.source, "pages": ["http://[::1", "\x00", 7]})):
        store.set_setting(RESUME_PAGES, junk)
        report = run(store, server)
        assert report.failed == [] and report.walk_complete
    assert store.known_ids() >= {str(p.id) for p in server.column.digests()}
    assert "elsewhere" not in " ".join(server.fetched_paths())


@pytest.mark.parametrize("href", ["http://[::1", "//[x/index_1.html", "http://127.0.0.1:99999/index_1.html",
                                  "index_1.html?\x01", "http://h/\x00", "\\\\evil\\share"])
def test_a_malformed_pagination_link_is_skipped_not_fatal(href):
    from sz_digest.cache.parser import parse_list_page

    page = (f'<div class="zx_ml_list"><ul><li><span class="tit"><a href="{href}" title="t">t</a></span></li>'
            '<li><span class="tit"><a href="content/post_1699990.html" title="深圳社会工作一周速览">x</a></span>'
            f'</li></ul></div><div class="page"><a class="next" href="{href}">下一页</a></div>'
            '<script>createPageHTML(3, 0, "index", "html");</script>').encode()
    listed = parse_list_page(page, "http://127.0.0.1:8000/szshgzb/gzyw/")
    assert [p.id for p in listed.posts] == ["1699990"]
    assert all("[" not in u and "\x00" not in u for u in listed.next_urls)


def test_urls_built_to_confuse_two_parsers_are_refused(server):
    from sz_digest.cache.fetch import Fetcher

    fetcher = Fetcher.for_source(server.source)
    port = server.port
    assert fetcher.refusal(f"http://127.0.0.1:{port}/ok.html") is None
    assert Fetcher.for_source("http://127.0.0.1:0/x/").refusal("http://127.0.0.1:0/x/") is None  # port 0 is a port
    for url in (f"http://127.0.0.1:{port}\\@evil.example/", f"http://127.0.0.1%2f@evil.example:{port}/",
                f"http://evil.example\\@127.0.0.1:{port + 1}/", f"https://127.0.0.1:{port}/",
                f"http://127.0.0.1:{port}\\evil.example/", f"http://127.0.0.1:{port}/\x00"):
        assert fetcher.refusal(url) is not None, url


def test_the_failure_migration_is_idempotent(store):
    from sz_digest.cache.store import _migrate_failure_counts

    _migrate_failure_counts(store._db)  # the columns exist already: nothing to do, no error
    store.record_failure("http://h/post_1.html", "HTTP 404", post_id="1", status=404)
    assert store.failures()[0].gone_streak == 1
