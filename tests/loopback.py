"""A loopback HTTP server serving a generated 工作要闻 column, with injectable faults per URL.

Used by the sync tests, the kill tests, the benchmark and the TUI demo. It binds 127.0.0.1 on an
ephemeral port; nothing here ever reaches the internet.

    with LoopbackServer(make_column(digests=20, non_digests=6, per_page=10)) as srv:
        srv.source                    # http://127.0.0.1:PORT/szshgzb/gzyw/
        srv.fault(srv.post_path(id), Fault("status", status=404))
        ...
        srv.fetched_paths()           # the request log

Command line (for the demo and the benchmark):

    python -m tests.loopback --posts 200 --latency 0.05 --port 8765

The list pages follow the NFCMS structure of SOURCE.md (`div.zx_ml_list ul li`, `span.tit a[href][title]`,
a date `span`, a 下一页 link and/or a `createPageHTML(...)` script). Digest pages mirror the article
template (`div.tit h1`, `div.tit h6 span` 发布时间, `div.news_cont_d_wrap`, `div.fjdown`, meta tags).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import socket
import struct
import sys
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

BASE = "/szshgzb/gzyw/"

DISTRICT_LABELS = ("福田区", "罗湖区", "南山区", "宝安区", "龙岗区", "龙华区", "坪山区", "光明区", "大鹏新区",
                   "深汕特别合作区", "盐田区", "市委社会工作部")


# ----------------------------------------------------------------------------------------------------
# The column


@dataclass
class Post:
    id: int
    title: str
    published: date
    digest: bool
    week_start: date | None = None
    week_end: date | None = None
    items: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (label, title, paragraphs)
    href: str | None = None  # absolute link override on the list page (off-site, closed port, loop ...)
    revision: int = 0  # bump to change the page (new ETag, new content)
    raw: bytes | None = None  # serve these bytes instead of the generated page (e.g. the bundled sample)

    @property
    def path(self) -> str:
        return f"{BASE}content/post_{self.id}.html"


@dataclass
class Column:
    posts: list[Post]  # newest first
    per_page: int = 10
    pagination: str = "both"  # "next" (下一页 link), "script" (createPageHTML only), "both"
    etags: bool = True
    last_modified: bool = True

    @property
    def page_count(self) -> int:
        return max(1, -(-len(self.posts) // self.per_page))

    def page_path(self, n: int) -> str:
        """Page 1 is the column's index; page n>1 is index_{n-1}.html (one of the NFCMS schemes)."""
        return BASE if n == 1 else f"{BASE}index_{n - 1}.html"

    def page_posts(self, n: int) -> list[Post]:
        return self.posts[(n - 1) * self.per_page : n * self.per_page]

    def by_id(self, post_id: int | str) -> Post:
        for post in self.posts:
            if str(post.id) == str(post_id):
                return post
        raise KeyError(post_id)

    def digests(self) -> list[Post]:
        return [p for p in self.posts if p.digest]

    def add_newest(self, post: Post) -> None:
        self.posts.insert(0, post)

    def add_sample_post(self) -> Post:
        """Put the bundled sample (post 1663876) into the column, at its date, so a sync replaces it."""
        from sz_digest.cache.parser import sample_page

        raw, _url = sample_page()
        post = Post(1663876, "深圳社会工作一周速览（3月9日至3月13日）", date(2026, 3, 20), True,
                    date(2026, 3, 9), date(2026, 3, 13), raw=raw)
        newer = [p for p in self.posts if p.published > post.published]
        self.posts.insert(len(newer), post)
        return post


def _cn_date(d: date) -> str:
    return f"{d.month}月{d.day}日"


def make_column(digests: int = 20, non_digests: int = 6, per_page: int = 10, *, first_id: int = 1700000,
                newest_week: date = date(2026, 3, 30), items_per_digest: int = 6, pagination: str = "both") -> Column:
    """A column with `digests` weekly digests (newest first) and `non_digests` other posts interleaved."""
    total = digests + non_digests
    # Spread the non-digests evenly: slot i is a non-digest when it crosses the next multiple.
    non_slots = {int((k + 0.5) * total / non_digests) for k in range(non_digests)} if non_digests else set()
    posts: list[Post] = []
    post_id = first_id
    d_made = n_made = 0
    for i in range(total):
        make_non = (i in non_slots and n_made < non_digests) or d_made >= digests
        if make_non:
            published = newest_week + timedelta(days=5) - timedelta(days=7 * d_made) + timedelta(days=1)
            posts.append(Post(post_id, f"市委社会工作部召开专题会议（第{n_made + 1}次）", published, False))
            n_made += 1
        else:
            start = newest_week - timedelta(days=7 * d_made)
            end = start + timedelta(days=4)
            title = f"深圳社会工作一周速览（{_cn_date(start)}至{_cn_date(end)}）"
            items = []
            for k in range(items_per_digest):
                label = DISTRICT_LABELS[(d_made + k) % len(DISTRICT_LABELS)]
                items.append((label, f"开展第{d_made + 1}周社区服务活动{k + 1}",
                              [f"{_cn_date(start)}，{label}组织社工开展邻里互助服务，惠及居民{100 + k}人。",
                               "活动由社区党委牵头，社工站、志愿者共同参与。"]))
            posts.append(Post(post_id, title, end + timedelta(days=7), True, start, end, items))
            d_made += 1
        post_id -= 7 + (i % 5)
    return Column(posts, per_page=per_page, pagination=pagination)


def render_list_page(column: Column, n: int, host: str) -> bytes:
    rows = []
    for post in column.page_posts(n):
        href = post.href or (f"./content/post_{post.id}.html" if n == 1 else f"content/post_{post.id}.html")
        title = html.escape(post.title, quote=True)
        rows.append(f'<li><span class="tit"><a href="{html.escape(href, quote=True)}" target="_blank" '
                    f'title="{title}">{title}</a></span><span class="date">{post.published.isoformat()}</span></li>')
    pager = []
    if column.pagination in ("next", "both"):
        links = []
        if n > 1:
            links.append(f'<a href="{column.page_path(1)}">首页</a>')
            links.append(f'<a href="{column.page_path(n - 1)}">上一页</a>')
        if n < column.page_count:
            nxt = column.page_path(n + 1).rsplit("/", 1)[1] or "./"
            links.append(f'<a class="next" href="{nxt}">下一页</a>')
            links.append(f'<a href="{column.page_path(column.page_count)}">尾页</a>')
        pager.append('<div class="page">' + " ".join(links) + "</div>")
    if column.pagination in ("script", "both"):
        pager.append(f'<script>createPageHTML({column.page_count}, {n - 1}, "index", "html");</script>')
    body = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>工作要闻</title>
<meta name="ColumnName" content="工作要闻"></head>
<body>
<div class="zx_rm_tit"><a href="/">首页</a> &gt; <a href="{BASE}">工作要闻</a></div>
<div class="zx_ml_list">
<ul>
<li class="header"><span class="tit">标题</span><span>日期</span></li>
{chr(10).join(rows)}
</ul>
</div>
{chr(10).join(pager)}
</body></html>
"""
    return body.encode("utf-8")


def render_post(post: Post, *, charset_meta: str = "utf-8") -> bytes:
    if post.raw is not None and charset_meta == "utf-8":
        return post.raw
    paras = []
    for label, title, paragraphs in post.items:
        paras.append(f"<p><strong>{html.escape(label)}：{html.escape(title)}</strong></p>")
        paras.extend(f"<p>\u3000\u3000{html.escape(p)}</p>" for p in paragraphs)
    if post.revision:
        paras.append(f"<p><strong>福田区：修订内容第{post.revision}版</strong></p><p>\u3000\u3000更新后的段落。</p>")
    if not post.digest:
        paras = ["<p>\u3000\u3000会议强调，要扎实推进社会工作高质量发展。</p>"]
    t = html.escape(post.title)
    body = f"""<!DOCTYPE html>
<html><head><meta charset="{charset_meta}"><title>{t}</title>
<meta name="ArticleTitle" content="{t}"><meta name="PubDate" content="{post.published.isoformat()} 10:00">
<meta name="ColumnName" content="工作要闻"></head>
<body>
<div class="zx_rm_tit"><a href="/">首页</a> &gt; <a href="{BASE}">工作要闻</a></div>
<div class="tit"><h1>{t}</h1><h6><span>发布时间：{post.published.isoformat()}</span><span>来源：市委社会工作部</span></h6></div>
<div class="news_cont_d_wrap"><div>
{chr(10).join(paras)}
</div></div>
<div class="fjdown"></div>
<div class="xgwz"><h3>相关文章</h3><ul><li><a href="#">南山区：相关文章标题</a></li></ul></div>
</body></html>
"""
    return body.encode("utf-8" if charset_meta.lower() in ("utf-8", "utf8") else "gb18030")


# ----------------------------------------------------------------------------------------------------
# Faults

_BOMB_CACHE: dict[tuple[str, int], bytes] = {}


def gzip_bomb(decoded: int = 512 * 1024 * 1024) -> bytes:
    """About 510 KiB of gzip that expands to `decoded` zero bytes (built once, in 1 MiB steps)."""
    key = ("gzip", decoded)
    if key not in _BOMB_CACHE:
        c = zlib.compressobj(9, zlib.DEFLATED, 31)
        block = bytes(1 << 20)
        parts = [c.compress(block) for _ in range(decoded >> 20)]
        parts.append(c.compress(bytes(decoded & ((1 << 20) - 1))))
        parts.append(c.flush())
        _BOMB_CACHE[key] = b"".join(parts)
    return _BOMB_CACHE[key]


def brotli_bomb() -> bytes:
    """A body labelled `Content-Encoding: br`. A real brotli bomb if the brotli module exists; either way
    the client asked for gzip/deflate only and must refuse it without decoding."""
    try:
        import brotli  # type: ignore[import-not-found]

        return brotli.compress(bytes(64 << 20), quality=5)
    except ImportError:
        # Brotli stream of an empty meta-block repeated; the bytes do not matter, the header does.
        return b"\x1b\xff\xff\x1f" + bytes(200_000)


@dataclass
class Fault:
    """What to do instead of (or before) serving a path normally.

    kind: "latency" (delay seconds, then normal), "status" (status, body, headers), "redirect" (location,
    status), "truncate" (send half of the real body under the full Content-Length), "reset" (send part, then
    RST), "oversize" (size bytes; chunked=True omits Content-Length), "gzip_bomb", "br_bomb", "drip"
    (interval seconds between bytes, size), "charset_lie" (UTF-8 bytes labelled charset=iso-8859-1),
    "meta_charset" (GB18030 bytes, charset only in <meta>), "json" (a JSON error with 200), "empty"
    (an empty 200), "close" (close without a response).
    times: apply to the first `times` requests only, then serve normally (None = always).
    """

    kind: str
    times: int | None = None
    status: int = 500
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    location: str = ""
    delay: float = 0.0
    size: int = 6 * 1024 * 1024
    chunked: bool = False
    interval: float = 0.5
    used: int = 0


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    at: float
    status: int | None = None


# ----------------------------------------------------------------------------------------------------
# The server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without NODELAY, Nagle plus the client's delayed
        # ACK adds ~40 ms to every keep-alive response and the benchmark would measure that instead.
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def do_GET(self) -> None:  # noqa: N802
        owner = self.server.owner
        path = urlsplit(self.path).path
        record = Request("GET", path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
        with owner.lock:
            owner.requests.append(record)
            fault = owner.faults.get(path)
            if fault is not None and fault.times is not None:
                if fault.used >= fault.times:
                    fault = None
                else:
                    fault.used += 1
            latency = owner.latency
            owner.in_flight += 1
            owner.max_in_flight = max(owner.max_in_flight, owner.in_flight)
        try:
            if latency:
                time.sleep(latency)
            if fault is not None and fault.kind == "latency":
                time.sleep(fault.delay)
                fault = None
            record.status = self._serve(owner, path, fault)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True
        finally:
            with owner.lock:
                owner.in_flight -= 1

    # -- helpers

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None, *,
              content_type: str = "text/html") -> int:
        self.send_response(status)
        hdrs = {"Content-Type": content_type, "Content-Length": str(len(body))}
        hdrs.update(headers or {})
        for k, v in hdrs.items():
            self.send_header(k, v)
        self.end_headers()
        if body:
            self.wfile.write(body)
        return status

    def _page(self, owner: "LoopbackServer", path: str) -> tuple[bytes, Post | None] | None:
        column = owner.column
        for n in range(1, column.page_count + 1):
            p = column.page_path(n)
            if path == p or (n == 1 and path == BASE + "index.html"):
                return render_list_page(column, n, owner.host), None
        for post in column.posts:
            if path == post.path:
                return render_post(post), post
        return None

    def _serve(self, owner: "LoopbackServer", path: str, fault: Fault | None) -> int:
        if fault is not None:
            return self._serve_fault(owner, path, fault)
        found = self._page(owner, path)
        if found is None:
            return self._send(404, b"<html><body>404 Not Found</body></html>")
        body, post = found
        headers: dict[str, str] = {}
        column = owner.column
        etag = last_mod = None
        if post is not None:
            if column.etags:
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                headers["ETag"] = etag
            if column.last_modified:
                stamp = datetime(post.published.year, post.published.month, post.published.day, 2, 0,
                                 tzinfo=timezone.utc) + timedelta(minutes=post.revision)
                last_mod = format_datetime(stamp, usegmt=True)
                headers["Last-Modified"] = last_mod
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            if inm is not None and etag is not None:
                if inm == etag:
                    return self._send(304, b"", headers)
            elif ims and last_mod:
                try:
                    if parsedate_to_datetime(ims) >= parsedate_to_datetime(last_mod):
                        return self._send(304, b"", headers)
                except (TypeError, ValueError):
                    pass
        if owner.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        return self._send(200, body, headers)

    def _real_body(self, owner: "LoopbackServer", path: str) -> bytes:
        found = self._page(owner, path)
        return found[0] if found else b"<html><body>" + b"x" * 4000 + b"</body></html>"

    def _serve_fault(self, owner: "LoopbackServer", path: str, f: Fault) -> int:
        k = f.kind
        if k == "status":
            hdrs = dict(f.headers)
            return self._send(f.status, f.body or f"<html><body>HTTP {f.status}</body></html>".encode(), hdrs)
        if k == "redirect":
            return self._send(f.status if f.status in (301, 302, 303, 307, 308) else 302, b"",
                              {"Location": f.location})
        if k == "empty":
            return self._send(200, b"")
        if k == "json":
            return self._send(200, f.body or '{"code": 500, "msg": "系统繁忙，请稍后再试"}'.encode(),
                              content_type="application/json;charset=UTF-8")
        if k == "charset_lie":
            return self._send(200, self._real_body(owner, path), content_type="text/html; charset=iso-8859-1")
        if k == "meta_charset":
            post = owner.column.by_id(path.rsplit("_", 1)[1].split(".")[0])
            return self._send(200, render_post(post, charset_meta="gb2312"), content_type="text/html")
        if k == "gzip_bomb":
            return self._send(200, gzip_bomb(), {"Content-Encoding": "gzip"})
        if k == "br_bomb":
            return self._send(200, brotli_bomb(), {"Content-Encoding": "br"})
        if k == "close":
            self.close_connection = True
            self._abort(rst=False)
            return 0
        if k in ("truncate", "reset"):
            body = self._real_body(owner, path)
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self._abort(rst=(k == "reset"))
            return 200
        if k == "oversize":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            if f.chunked:
                self.send_header("Connection", "close")  # close-delimited: no length to judge by
            else:
                self.send_header("Content-Length", str(f.size))
            self.end_headers()
            block = b"<p>" + b"x" * 65530 + b"</p>"
            sent = 0
            while sent < f.size:
                chunk = block[: min(len(block), f.size - sent)]
                self.wfile.write(chunk)
                sent += len(chunk)
            self.close_connection = True
            return 200
        if k == "drip":
            body = self._real_body(owner, path)
            size = min(len(body), f.size) if f.size < len(body) else len(body)
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.flush()
            for i in range(size):
                time.sleep(f.interval)
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
            self.close_connection = True
            return 200
        raise ValueError(f"unknown fault kind {k!r}")

    def _abort(self, *, rst: bool) -> None:
        try:
            self.wfile.flush()
        except OSError:
            pass
        sock = self.connection
        try:
            if rst:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            sock.close()
        except OSError:
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    owner: "LoopbackServer"

    def handle_error(self, request, client_address):  # noqa: D401 - quiet on client aborts
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            return
        super().handle_error(request, client_address)

    def shutdown_request(self, request):
        try:
            request.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        try:
            request.close()
        except OSError:
            pass


class LoopbackServer:
    """The fixture column on 127.0.0.1:<port> (ephemeral by default), run in a daemon thread."""

    def __init__(self, column: Column | None = None, *, port: int = 0, latency: float = 0.0,
                 gzip: bool = False) -> None:
        self.column = column or make_column()
        self.latency = latency
        self.gzip = gzip
        self.faults: dict[str, Fault] = {}
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests served at once (checks the client's concurrency bound)
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.owner = self
        self.port = self._server.server_address[1]
        self.host = f"127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None

    # -- lifecycle
    def start(self) -> "LoopbackServer":
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="loopback-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "LoopbackServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- addresses
    @property
    def origin(self) -> str:
        return f"http://{self.host}"

    @property
    def source(self) -> str:
        return self.origin + BASE

    def url(self, path: str) -> str:
        return self.origin + path

    def post_url(self, post_id: int | str) -> str:
        return self.url(self.column.by_id(post_id).path)

    def page_url(self, n: int) -> str:
        return self.url(self.column.page_path(n))

    # -- faults and log
    def fault(self, path_or_url: str, fault: Fault) -> None:
        path = urlsplit(path_or_url).path if "://" in path_or_url else path_or_url
        with self.lock:
            self.faults[path] = fault

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def clear_log(self) -> None:
        with self.lock:
            self.requests.clear()
            self.max_in_flight = 0

    def fetched_paths(self) -> list[str]:
        with self.lock:
            return [r.path for r in self.requests]

    def hits(self, path_or_url: str) -> int:
        path = urlsplit(path_or_url).path if "://" in path_or_url else path_or_url
        return sum(1 for p in self.fetched_paths() if p == path)

    def post_requests(self) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if "/content/" in r.path]

    def bodies_served(self) -> list[str]:
        """Paths of posts answered with a 200 body (not 304)."""
        return [r.path for r in self.post_requests() if r.status == 200]


def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on (bound then closed: refused, not filtered)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.loopback", description=__doc__.split("\n")[0])
    ap.add_argument("--posts", type=int, default=30, help="number of digests (default 30)")
    ap.add_argument("--non-digests", type=int, default=None, help="other posts (default posts/4)")
    ap.add_argument("--per-page", type=int, default=20)
    ap.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--gzip", action="store_true", help="gzip bodies when the client accepts it")
    args = ap.parse_args(argv)
    non = args.posts // 4 if args.non_digests is None else args.non_digests
    server = LoopbackServer(make_column(args.posts, non, args.per_page), port=args.port, latency=args.latency,
                            gzip=args.gzip)
    print(f"serving {args.posts} digests + {non} other posts on {server.source}", flush=True)
    print(f"  sz-digest --source {server.source} sync", flush=True)
    try:
        server._server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server._server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
