"""The HTTP layer against the loopback server: caps, retries, redirects, timeouts, conditional GET.

Every fault must end in bounded time with a short, clear reason; nothing here leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import time
import tracemalloc
import zlib

import pytest

from sz_digest.cache.config import DEFAULT_USER_AGENT
from sz_digest.cache.fetch import Fetcher, FetchOptions, format_size, parse_retry_after

try:
    from tests.loopback import Fault, LoopbackServer, closed_port, gzip_bomb, make_column
except ImportError:  # pytest's rootdir-relative import mode
    from loopback import Fault, LoopbackServer, closed_port, gzip_bomb, make_column

FAST = FetchOptions(connect_timeout=1.0, read_timeout=0.5, total_timeout=3.0, backoff_base=0.02, backoff_max=0.05,
                    retry_after_max=0.3)


@pytest.fixture
def server():
    with LoopbackServer(make_column(digests=6, non_digests=2, per_page=4)) as srv:
        yield srv


def post(srv, n=0):
    return srv.column.digests()[n]


async def get(srv, url, options=FAST, **kwargs):
    async with Fetcher.for_source(srv.source, options=options) as fetcher:
        return await fetcher.get(url, **kwargs)


async def test_plain_get_sends_our_headers_and_returns_validators(server):
    p = post(server)
    result = await get(server, server.url(p.path))
    assert result.ok and result.status == 200 and result.error is None
    assert "一周速览".encode() in result.body
    assert result.etag and result.last_modified
    sent = server.requests[-1].headers
    assert sent["user-agent"] == DEFAULT_USER_AGENT and "sz-digest/" in sent["user-agent"]
    assert sent["accept-encoding"] == "gzip, deflate"  # never br/zstd: we decode ourselves


async def test_user_agent_is_configurable(server):
    options = FetchOptions(user_agent="Mozilla/5.0 test-agent")
    await get(server, server.url(post(server).path), options=options)
    assert server.requests[-1].headers["user-agent"] == "Mozilla/5.0 test-agent"


async def test_conditional_get_with_etag_and_with_last_modified(server):
    url = server.url(post(server).path)
    first = await get(server, url)
    by_etag = await get(server, url, etag=first.etag)
    assert by_etag.not_modified and not by_etag.ok and by_etag.body == b""
    assert server.requests[-1].headers["if-none-match"] == first.etag
    by_date = await get(server, url, last_modified=first.last_modified)
    assert by_date.not_modified
    assert server.requests[-1].headers["if-modified-since"] == first.last_modified
    stale = await get(server, url, etag='"something-else"')
    assert stale.ok and stale.body == first.body


async def test_500_then_200_is_retried(server):
    p = post(server)
    server.fault(p.path, Fault("status", status=500, times=1))
    result = await get(server, server.url(p.path))
    assert result.ok and result.tries == 2
    assert server.hits(p.path) == 2


async def test_persistent_503_gives_up_after_three_tries(server):
    p = post(server)
    server.fault(p.path, Fault("status", status=503))
    started = time.monotonic()
    result = await get(server, server.url(p.path))
    assert result.error == "HTTP 503" and result.tries == 3
    assert server.hits(p.path) == 3
    assert time.monotonic() - started < 2


async def test_429_honours_retry_after_up_to_the_cap(server):
    p = post(server)
    server.fault(p.path, Fault("status", status=429, times=1, headers={"Retry-After": "30"}))
    started = time.monotonic()
    result = await get(server, server.url(p.path))
    waited = time.monotonic() - started
    assert result.ok and result.tries == 2
    assert 0.3 <= waited < 2, "Retry-After: 30 is honoured, but capped at retry_after_max=0.3"


async def test_404_is_not_retried(server):
    result = await get(server, server.url("/szshgzb/gzyw/content/post_1.html"))
    assert result.error == "HTTP 404" and result.tries == 1 and result.status == 404


async def test_truncated_body_is_a_failure_after_retries(server):
    p = post(server)
    server.fault(p.path, Fault("truncate"))
    result = await get(server, server.url(p.path))
    assert result.error == "truncated body (connection closed early)" and result.tries == 3


async def test_reset_mid_body(server):
    p = post(server)
    server.fault(p.path, Fault("reset"))
    result = await get(server, server.url(p.path))
    assert result.error == "connection reset"


async def test_close_without_response(server):
    p = post(server)
    server.fault(p.path, Fault("close"))
    result = await get(server, server.url(p.path))
    assert result.error == "connection closed without a response"


async def test_connection_refused_is_bounded(server):
    started = time.monotonic()
    async with Fetcher(allowed_hosts={"127.0.0.1"}, options=FAST) as fetcher:
        result = await fetcher.get(f"http://127.0.0.1:{closed_port()}/szshgzb/gzyw/")
    assert result.error == "connection refused" and result.tries == 3
    assert time.monotonic() - started < 2


async def test_body_over_the_cap_by_content_length_is_refused_unread(server):
    p = post(server)
    server.fault(p.path, Fault("oversize", size=6 * 1024 * 1024))
    result = await get(server, server.url(p.path))
    assert result.error == "body over 5 MB (Content-Length 6291456)"
    assert result.wire_bytes == 0 and result.tries == 1


async def test_body_over_the_cap_without_length_is_stopped_while_streaming(server):
    p = post(server)
    server.fault(p.path, Fault("oversize", size=40 * 1024 * 1024, chunked=True))
    started = time.monotonic()
    result = await get(server, server.url(p.path))
    assert result.error == "body over 5 MB"
    assert result.wire_bytes <= 5 * 1024 * 1024 + 128 * 1024, "stopped within one chunk of the cap"
    assert time.monotonic() - started < 3


async def test_gzip_bomb_is_stopped_at_the_cap_without_inflating_it(server):
    gzip_bomb()  # built once per session (~1 s), before the clock starts
    p = post(server)
    server.fault(p.path, Fault("gzip_bomb"))
    tracemalloc.start()
    try:
        started = time.monotonic()
        result = await get(server, server.url(p.path))
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.error == "body over 5 MB after decompression"
    assert result.tries == 1
    assert peak < 24 * 1024 * 1024, f"peak {peak} bytes: the bomb (512 MiB) must never be inflated"
    assert elapsed < 3


async def test_brotli_is_refused_unasked(server):
    p = post(server)
    server.fault(p.path, Fault("br_bomb"))
    result = await get(server, server.url(p.path))
    assert result.error == "unsupported Content-Encoding: br" and result.tries == 1


async def test_gzip_and_both_deflate_flavours_are_decoded(server):
    p = post(server)
    url = server.url(p.path)
    plain = (await get(server, url)).body
    server.gzip = True
    assert (await get(server, url)).body == plain
    server.gzip = False
    for encoded in (zlib.compress(plain), zlib.compress(plain)[2:-4]):  # zlib-wrapped, raw deflate
        server.fault(p.path, Fault("status", status=200, body=encoded, headers={"Content-Encoding": "deflate"}))
        result = await get(server, url)
        assert result.ok and result.body == plain


async def test_truncated_gzip_is_a_failure(server):
    p = post(server)
    import gzip

    body = gzip.compress(b"<html>" + b"x" * 10000 + b"</html>")[:-30]
    server.fault(p.path, Fault("status", status=200, body=body, headers={"Content-Encoding": "gzip"}))
    result = await get(server, server.url(p.path))
    assert result.error == "truncated gzip body"


async def test_same_host_redirects_are_followed(server):
    p = post(server)
    server.fault("/old/a.html", Fault("redirect", location="/old/b.html"))
    server.fault("/old/b.html", Fault("redirect", location=p.path, status=301))
    result = await get(server, server.url("/old/a.html"))
    assert result.ok and result.final_url == server.url(p.path)


async def test_off_site_redirect_is_not_followed(server):
    p = post(server)
    server.fault(p.path, Fault("redirect", location="http://evil.example/steal?x=1"))
    result = await get(server, server.url(p.path))
    assert result.error == "off-site redirect to http://evil.example/steal?x=1"
    assert result.tries == 1


async def test_off_site_url_is_not_requested():
    async with Fetcher(allowed_hosts={"127.0.0.1"}, options=FAST) as fetcher:
        result = await fetcher.get("http://evil.example/post_1.html")
    assert result.error == "off-site URL http://evil.example/post_1.html"


async def test_redirect_loop_and_too_many_redirects(server):
    server.fault("/loop/a.html", Fault("redirect", location="/loop/b.html"))
    server.fault("/loop/b.html", Fault("redirect", location="/loop/a.html"))
    result = await get(server, server.url("/loop/a.html"))
    assert result.error == f"redirect loop at {server.url('/loop/a.html')}"
    for i in range(7):
        server.fault(f"/chain/{i}.html", Fault("redirect", location=f"/chain/{i + 1}.html"))
    result = await get(server, server.url("/chain/0.html"))
    assert result.error == "too many redirects (more than 5)"
    assert server.hits("/chain/6.html") == 0 and server.hits("/chain/5.html") == 1


async def test_slow_drip_hits_the_read_timeout(server):
    p = post(server)
    server.fault(p.path, Fault("drip", interval=1.0))
    options = FetchOptions(read_timeout=0.2, max_tries=2, backoff_base=0.01, backoff_max=0.02)
    started = time.monotonic()
    result = await get(server, server.url(p.path), options=options)
    assert result.error == "timed out" and result.tries == 2
    assert time.monotonic() - started < 2


async def test_drip_just_under_the_read_timeout_hits_the_total_bound(server):
    p = post(server)
    server.fault(p.path, Fault("drip", interval=0.05))
    options = FetchOptions(read_timeout=0.5, total_timeout=0.4, max_tries=1)
    started = time.monotonic()
    result = await get(server, server.url(p.path), options=options)
    assert result.error == "timed out"
    assert time.monotonic() - started < 1.5


async def test_empty_200_is_a_failure(server):
    p = post(server)
    server.fault(p.path, Fault("empty"))
    result = await get(server, server.url(p.path))
    assert result.error == "empty response (HTTP 200)"


async def test_concurrency_is_bounded(server):
    server.latency = 0.1
    urls = [server.url(p.path) for p in server.column.posts]
    async with Fetcher.for_source(server.source, options=FetchOptions(concurrency=2)) as fetcher:
        results = await asyncio.gather(*(fetcher.get(u) for u in urls))
    assert all(r.ok for r in results)
    assert server.max_in_flight == 2


async def test_cancel_stops_promptly(server):
    p = post(server)
    server.fault(p.path, Fault("latency", delay=5))
    async with Fetcher.for_source(server.source) as fetcher:
        task = asyncio.create_task(fetcher.get(server.url(p.path)))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert time.monotonic() - started < 0.5


def test_retry_after_parsing():
    assert parse_retry_after("120") == 120
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 10) == pytest.approx(10)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 + 99) == 0


def test_sizes_read_well():
    assert format_size(5 * 1024 * 1024) == "5 MB"
    assert format_size(100 * 1024) == "100 KB"
