"""Blocked, not broken (issue 12): anti-crawler challenge pages are reported as "the site blocked
automated access", `sync` exits 3, and nothing stored is touched."""

from __future__ import annotations

import json

import pytest

from sz_digest.cache.challenge import detect_challenge
from sz_digest.cache.fetch import FetchOptions
from sz_digest.cache.parser import sample_page
from sz_digest.cache.store import Store
from sz_digest.tui.cli import main

try:
    from tests.loopback import Fault, LoopbackServer, make_column, render_list_page
except ImportError:
    from loopback import Fault, LoopbackServer, make_column, render_list_page

RUISHU = (b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><script type="text/javascript">'
          b'$_ts=window[\'$_ts\'];if(!$_ts)$_ts={};$_ts.nsd=12345;$_ts.cd="qErqrr..."</script>'
          b'<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/d.FxJzG50F.dfe1675.js"></script></head><body></body></html>')
JSL = (b"<script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')+('a')+('r')+('a')+('n')+('c')+('e')"
       b"+('_')+('s')+('=')+(-~[]+'')+'6'+'0';location.href=location.pathname+location.search</script>")
WZWS = (b'<html><head><title>waf</title></head><body><script>var wzwschallenge="abc";var wzwschallengex="def";'
        b'function HXXTTKKLLPPP5(){}</script><noscript>please enable javascript</noscript></body></html>')


@pytest.mark.parametrize(
    ("status", "headers", "body", "kind"),
    [
        (412, {}, RUISHU, "$_ts"),
        (412, {}, b"", "HTTP 412"),  # the fetcher keeps no body for a 412: the status alone says it
        (521, {"Set-Cookie": "__jsluid_s=0a1b2c; max-age=31536000; path=/"}, JSL, "加速乐"),
        (200, {}, WZWS, "wzws"),
        (200, {}, RUISHU, "$_ts"),  # a 200 whose body is the challenge, not content
        (503, {}, WZWS, "wzws"),
        (200, {"Set-Cookie": "__jsluid_h=abc; path=/"}, b"<html><body><script>x()</script></body></html>", "加速乐"),
    ],
    ids=["ruishu-412", "bare-412", "jsl-521", "wzws-200", "ruishu-200", "wzws-503", "jsluid-cookie"],
)
def test_each_kind_of_challenge_is_recognised(status, headers, body, kind):
    reason = detect_challenge(status, headers, body)
    assert reason is not None and kind in reason


def test_real_pages_are_not_challenges_even_when_they_mention_a_marker():
    data, _ = sample_page()
    assert detect_challenge(200, {}, data) is None
    tracked = data.replace(b"</body>", b"<script>var __jsluid='x';</script></body>")  # a WAF tracking script
    assert detect_challenge(200, {}, tracked) is None
    assert detect_challenge(404, {}, b"<html><body>Not Found</body></html>") is None
    assert detect_challenge(None, None, None) is None


@pytest.mark.parametrize("href", ["__JSLUID", "wzws_cid.html", "/a/$_ts=1.html", "__jsl_clearance_s"])
@pytest.mark.parametrize("posts", [1, 10])
def test_a_list_page_linking_to_an_address_that_spells_a_marker_is_not_a_challenge(href, posts):
    """Found by the sync property test: a link's href is the site's text, not a challenge script."""
    column = make_column(digests=posts, non_digests=0, per_page=10)
    column.digests()[0].href = href
    page = render_list_page(column, 1, "127.0.0.1")
    assert href.encode() in page
    assert detect_challenge(200, {}, page) is None
    if posts == 10:  # ten titles are article text (digits break their runs): a script naming a marker is tracking
        scripted = page.replace(b"</body>", b"<script>" + href.encode() + b"=1</script></body>")
        assert detect_challenge(200, {}, scripted) is None


@pytest.fixture
def server():
    with LoopbackServer(make_column(digests=6, non_digests=0, per_page=10)) as srv:
        yield srv


def _sync(server, data_dir, *extra) -> int:
    return main(["--data-dir", str(data_dir), "--source", server.source, "sync", *extra])


@pytest.mark.parametrize(
    "fault",
    [Fault("status", status=412, body=RUISHU), Fault("status", status=521, body=JSL,
                                                    headers={"Set-Cookie": "__jsluid_s=1; path=/"}),
     Fault("status", status=200, body=WZWS), Fault("status", status=503, body=WZWS)],
    ids=["412-ruishu", "521-jsl", "200-wzws", "503-wzws"],
)
def test_sync_of_a_blocked_list_page_exits_3_says_blocked_and_leaves_the_store_untouched(server, tmp_path, capsys, fault,
                                                                                          monkeypatch):
    import sz_digest.cache.sync as sync_module

    monkeypatch.setattr(sync_module, "FetchOptions", lambda **kw: FetchOptions(max_tries=1, **kw))
    data = tmp_path / "data"
    with Store.open(data) as store:
        before = [w.to_json() for w in store.weeks()]
        settings = store.get_setting("sync.walk_incomplete")
    server.fault(server.column.page_path(1), fault)
    assert _sync(server, data, "--json") == 3
    out, err = capsys.readouterr()
    assert out == ""
    assert "the site blocked automated access" in err and "store is unchanged" in err
    assert "not a list page" not in err and "parse" not in err
    with Store.open(data) as store:
        assert [w.to_json() for w in store.weeks()] == before
        assert store.failures() == []
        assert store.get_setting("sync.walk_incomplete") == settings


def test_a_digest_answered_by_a_challenge_is_blocked_not_a_parse_failure_and_the_stored_copy_stays(server, tmp_path, capsys):
    data = tmp_path / "data"
    assert _sync(server, data) == 0
    capsys.readouterr()
    victim = server.column.digests()[0]
    with Store.open(data) as store:
        kept = store.digest(str(victim.id))
    server.fault(victim.path, Fault("status", status=200, body=RUISHU))
    assert _sync(server, data, "--full", "--json") == 3
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert "the site blocked automated access" in report["blocked"]
    assert "blocked automated access" in err
    with Store.open(data) as store:
        assert store.digest(str(victim.id)) == kept
        assert store.failures() == []  # not recorded as a broken page


def test_a_challenge_on_a_5xx_is_blocked_at_once_not_retried_as_a_server_fault(server, tmp_path, capsys):
    """wzws answers 503 with its challenge page: the fetcher reads the error body that far, says
    "blocked", and does not spend its retries (and back-off) on it."""
    data = tmp_path / "data"
    server.fault(server.column.page_path(1), Fault("status", status=503, body=WZWS))
    server.clear_log()
    assert _sync(server, data, "--json") == 3
    _, err = capsys.readouterr()
    assert "the site blocked automated access" in err and "wzws" in err
    assert server.fetched_paths().count(server.column.page_path(1)) == 1


def test_an_ordinary_503_is_still_a_retried_server_fault_not_blocked(server, tmp_path, capsys, monkeypatch):
    import sz_digest.cache.sync as sync_module

    monkeypatch.setattr(sync_module, "FetchOptions", lambda **kw: FetchOptions(max_tries=2, backoff_base=0.01, **kw))
    data = tmp_path / "data"
    server.fault(server.column.page_path(1), Fault("status", status=503, body=b"<html><body>Service Unavailable</body></html>"))
    server.clear_log()
    assert _sync(server, data, "--json") == 3
    _, err = capsys.readouterr()
    assert "blocked" not in err and "503" in err
    assert server.fetched_paths().count(server.column.page_path(1)) == 2
