"""The HTTP layer: one polite, capped, retrying GET on top of `httpx.AsyncClient`.

Everything that can go wrong on the wire comes back as a value: `FetchResult.error` holds a short
reason a person can read ("HTTP 404", "timed out", "off-site redirect to http://…", "body over 5 MB").
Only cancellation propagates, so a sync can report each post's fate and carry on.

Decisions worth knowing:
- We decode bodies ourselves. httpx decodes a whole network chunk at once, so a 510 KiB gzip bomb
  can be inflated to hundreds of MB before a streaming cap sees it. We ask for `gzip, deflate` only,
  read `aiter_raw()` and inflate with `zlib.decompressobj(...).decompress(data, max_length)`, so the
  decoded size never exceeds the cap by more than one byte. Any other Content-Encoding is refused.
- Redirects are followed by hand: at most `max_redirects`, never to another origin (scheme, host and
  port must all match the source's: a redirect to another port on the same host is refused too), never
  in a loop.
- Nothing a site sends can raise out of `get`: a Location with a control character or a port past
  65535, a header httpx rejects, a bug in decoding, all become that URL's failure with a short reason
  (`httpx.InvalidURL`, `ValueError`, `OverflowError` are not `httpx.HTTPError`).
- Retries (at most `max_tries` attempts) on connection errors, timeouts, truncated bodies, 5xx and
  429, with exponential backoff and full jitter; `Retry-After` is honoured up to `retry_after_max`.
  The concurrency semaphore is released while sleeping, so a backing-off post does not block others.
- Each attempt also has a wall-clock bound (`total_timeout`): a server dripping one byte just under
  the read timeout cannot hold a sync forever.
"""

from __future__ import annotations

import asyncio
import email.utils
import errno
import random
import re
import time
import zlib
from dataclasses import dataclass
from urllib.parse import urldefrag

import httpx

from .challenge import detect_challenge
from .config import DEFAULT_USER_AGENT
from .figures import format_size
from .text import visible
from .urls import DEFAULT_PORTS, Origin, join_url, origin_of

MAX_BYTES = 5 * 1024 * 1024
_ASCII_DIGITS = re.compile(r"[0-9]{1,30}")
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """Every knob of the HTTP layer; tests shrink the timeouts and backoffs to stay fast."""

    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    total_timeout: float = 60.0  # wall time of one attempt, headers to last byte
    max_tries: int = 3
    backoff_base: float = 0.5  # first retry waits up to this, then doubles
    backoff_max: float = 8.0
    retry_after_max: float = 30.0  # a longer Retry-After is cut to this
    max_bytes: int = MAX_BYTES  # on the wire and after decompression
    max_redirects: int = 5
    concurrency: int = 4
    user_agent: str = DEFAULT_USER_AGENT


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one GET came to. Exactly one of: a body (200), not-modified (304), or an error."""

    url: str  # as requested
    final_url: str  # after redirects
    status: int | None = None
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    tries: int = 1
    wire_bytes: int = 0  # bytes received on the wire over all attempts (before decompression)
    elapsed: float = 0.0
    blocked: bool = False  # `error` names an anti-crawler challenge (cache/challenge.py), not a fault

    @property
    def not_modified(self) -> bool:
        return self.error is None and self.status == 304

    @property
    def ok(self) -> bool:
        """A body arrived (HTTP 200)."""
        return self.error is None and self.status != 304


class _Failure(Exception):
    def __init__(self, reason: str, *, retryable: bool = False, retry_after: float | None = None,
                 status: int | None = None, blocked: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status
        self.blocked = blocked


# An error status's body is read only this far, and only to tell a challenge page (small) from a fault.
_ERROR_PEEK = 64 * 1024
# Headers in which web application firewalls sign their challenges (cookie names, server names).
_WAF_HEADERS = ("set-cookie", "server", "via", "x-via")


def _short_url(url: str, limit: int = 100) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP-date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    if _ASCII_DIGITS.fullmatch(value):  # not str.isdigit: "²" is a digit to it and float() refuses it
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class _Inflater:
    """Incremental gzip/deflate decoding that stops at `cap` decoded bytes without allocating more."""

    def __init__(self, encoding: str, cap: int) -> None:
        self.encoding = encoding
        self.cap = cap
        self.size = 0
        self.parts: list[bytes] = []
        self._d: zlib._Decompress | None = None
        self._pending = b""  # deflate: the first bytes, until we can tell zlib from raw deflate
        if encoding == "gzip":
            self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def _start_deflate(self, data: bytes) -> None:
        # "deflate" should be zlib-wrapped (RFC 9110) but some servers send raw deflate.
        b0, b1 = data[0], data[1]
        wrapped = (b0 & 0x0F) == 8 and (b0 >> 4) <= 7 and ((b0 << 8) | b1) % 31 == 0
        self._d = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def feed(self, data: bytes) -> None:
        if self._d is None:
            self._pending += data
            if len(self._pending) < 2:
                return
            data, self._pending = self._pending, b""
            self._start_deflate(data)
        d = self._d
        assert d is not None
        while data and not d.eof:
            try:
                out = d.decompress(data, self.cap - self.size + 1)
            except zlib.error as exc:
                raise _Failure(f"corrupt {self.encoding} body ({exc})") from None
            self.size += len(out)
            if self.size > self.cap:
                raise _Failure(f"body over {format_size(self.cap)} after decompression")
            if out:
                self.parts.append(out)
            data = d.unconsumed_tail
        # Bytes after the end of the stream (a second gzip member, trailing junk) are ignored.

    def finish(self) -> bytes:
        if self._d is None:
            if self._pending:
                raise _Failure(f"truncated {self.encoding} body")
            return b""
        if not self._d.eof:
            raise _Failure(f"truncated {self.encoding} body", retryable=True)
        return b"".join(self.parts)


def _os_error_in(exc: BaseException) -> OSError | None:
    seen = 0
    cur: BaseException | None = exc
    while cur is not None and seen < 10:
        if isinstance(cur, OSError) and cur.errno:
            return cur
        cur = cur.__cause__ or cur.__context__
        seen += 1
    return None


def _transport_failure(exc: httpx.HTTPError) -> _Failure:
    """A short, stable reason for an httpx transport error; most are worth another try."""
    text = str(exc) or type(exc).__name__
    os_error = _os_error_in(exc)
    if os_error is not None:
        text = f"{text} {os_error}"
        if os_error.errno == errno.ECONNREFUSED:
            return _Failure("connection refused", retryable=True)
        if os_error.errno in (errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED):
            return _Failure("connection reset", retryable=True)
    low = text.lower()
    if isinstance(exc, httpx.ConnectTimeout):
        return _Failure("connect timed out", retryable=True)
    if isinstance(exc, httpx.TimeoutException):
        return _Failure("timed out", retryable=True)
    if isinstance(exc, httpx.ConnectError):
        if "refused" in low or "errno 111" in low:
            return _Failure("connection refused", retryable=True)
        if "name or service" in low or "nodename" in low or "getaddrinfo" in low or "name resolution" in low:
            return _Failure("host not found", retryable=True)
        if "reset" in low:
            return _Failure("connection reset", retryable=True)
        return _Failure(f"connection failed ({_short_url(text, 80)})", retryable=True)
    if isinstance(exc, (httpx.ReadError, httpx.WriteError)):
        if "reset" in low or "errno 104" in low or "broken pipe" in low:
            return _Failure("connection reset", retryable=True)
        return _Failure(f"connection error ({_short_url(text, 80)})", retryable=True)
    if isinstance(exc, httpx.RemoteProtocolError) and "location header" in low:
        # httpx parses a redirect's Location even when we follow by hand: the same answer every time.
        return _Failure(f"redirect to a malformed URL ({_short_url(clean_reason(text), 80)})")
    if isinstance(exc, httpx.RemoteProtocolError):
        if "incomplete" in low or "peer closed" in low or "received" in low:
            return _Failure("truncated body (connection closed early)", retryable=True)
        if "without sending" in low or "disconnected" in low:
            return _Failure("connection closed without a response", retryable=True)
        return _Failure(f"protocol error ({_short_url(text, 80)})", retryable=True)
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return _Failure(f"unsupported URL ({_short_url(text, 80)})")
    if isinstance(exc, httpx.DecodingError):
        return _Failure(f"undecodable body ({_short_url(text, 80)})")
    return _Failure(f"{type(exc).__name__}: {_short_url(text, 80)}", retryable=True)


def host_of(url: str) -> str:
    origin = origin_of(url)
    return origin[1] if origin else ""


class Fetcher:
    """A bounded-concurrency GET client for one site. Use as `async with Fetcher(...) as f:`."""

    def __init__(self, *, allowed_hosts: set[str] | frozenset[str] = frozenset(), origin: Origin | None = None,
                 options: FetchOptions | None = None, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.options = options or FetchOptions()
        # `origin` (what `for_source` sets) pins scheme, host and port; bare `allowed_hosts` only hosts.
        self.origin = origin
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts) | ({origin[1]} if origin else set())
        self._transport = transport
        self._sem = asyncio.Semaphore(max(1, self.options.concurrency))
        self._client: httpx.AsyncClient | None = None
        self._random = random.Random()

    @classmethod
    def for_source(cls, source: str, **kwargs) -> "Fetcher":
        """A fetcher confined to the origin of `source`; ValueError if `source` is not a usable URL."""
        origin = origin_of(source)
        if origin is None:
            raise ValueError(f"not an http(s) URL: {_short_url(source)}")
        return cls(origin=origin, **kwargs)

    async def __aenter__(self) -> "Fetcher":
        o = self.options
        self._client = httpx.AsyncClient(
            transport=self._transport,
            follow_redirects=False,
            timeout=httpx.Timeout(connect=o.connect_timeout, read=o.read_timeout, write=o.read_timeout,
                                  pool=None),
            limits=httpx.Limits(max_connections=max(1, o.concurrency), max_keepalive_connections=max(1, o.concurrency)),
            headers={
                "User-Agent": o.user_agent,
                "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
                "Accept-Encoding": "gzip, deflate",
                "Accept-Language": "zh-CN,zh;q=0.9",
            },
            trust_env=False,  # no proxies from the environment: the source host or nothing
        )
        return self

    async def __aexit__(self, *exc_info) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def allowed(self, url: str) -> bool:
        return self.refusal(url) is None

    def refusal(self, url: str, what: str = "URL") -> str | None:
        """Why `url` may not be requested ("off-site redirect to …"), or None when it may."""
        return self._checked(url, what)[0]

    def _checked(self, url: str, what: str = "URL") -> tuple[str | None, httpx.URL | None]:
        """(`refusal(url)`, the URL as httpx parsed it when it may be requested): the request is
        built from that very parse, once (each parse is a Python loop over the URL's characters)."""
        origin = origin_of(url)
        if origin is None:
            return f"malformed {what} {_short_url(clean_reason(url))}", None
        if origin[1] not in self.allowed_hosts:
            return f"off-site {what} {_short_url(url)}", None
        if self.origin is not None and origin != self.origin:
            differs = "port" if origin[:2] == self.origin[:2] else "scheme"
            return f"off-site {what} {_short_url(url)} (another {differs}; refused)", None
        # The request is built by httpx's own URL parser: it must see the same origin, or a URL
        # crafted for a parser differential could reach another host.
        try:
            parsed = httpx.URL(url)
            port = parsed.port if parsed.port is not None else DEFAULT_PORTS.get(parsed.scheme)
            seen = (parsed.scheme, (parsed.host or "").lower(), port)
        except (httpx.InvalidURL, ValueError, TypeError, UnicodeError):
            return f"malformed {what} {_short_url(clean_reason(url))}", None
        if seen != origin:
            return f"ambiguous {what} {_short_url(clean_reason(url))} (refused)", None
        return None, parsed

    def _backoff(self, attempt: int) -> float:
        o = self.options
        ceiling = min(o.backoff_max, o.backoff_base * (2 ** (attempt - 1)))
        return self._random.uniform(ceiling / 2, ceiling)  # "equal jitter": never zero, never a herd

    async def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        """GET `url` (conditionally when `etag`/`last_modified` are given). Never raises but on cancel."""
        if self._client is None:
            raise RuntimeError("Fetcher used outside 'async with'")
        o = self.options
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        started = time.monotonic()
        wire = [0]
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self._sem:
                    async with asyncio.timeout(o.total_timeout):
                        result = await self._attempt(url, headers, wire)
                return _with(result, tries=attempt, wire_bytes=wire[0], elapsed=time.monotonic() - started)
            except _Failure as failure:
                fail = failure
            except TimeoutError:
                fail = _Failure("timed out", retryable=True)
            except Exception as exc:  # noqa: BLE001 — whatever the site sent, it is this URL's failure
                fail = _unexpected_failure(exc)
            if not fail.retryable or attempt >= o.max_tries:
                return FetchResult(url=url, final_url=url, status=fail.status, error=fail.reason, tries=attempt,
                                   wire_bytes=wire[0], elapsed=time.monotonic() - started, blocked=fail.blocked)
            delay = self._backoff(attempt)
            if fail.retry_after is not None:
                delay = max(delay, min(fail.retry_after, o.retry_after_max))
            await asyncio.sleep(delay)

    async def _attempt(self, url: str, cond_headers: dict[str, str], wire: list[int]) -> FetchResult:
        o = self.options
        assert self._client is not None
        try:
            current = urldefrag(url)[0]
        except (ValueError, TypeError):
            current = url
        refusal, parsed = self._checked(current)
        if refusal:
            raise _Failure(refusal)
        seen = {current}
        for _hop in range(o.max_redirects + 1):
            try:
                request = self._client.build_request("GET", parsed, headers=cond_headers)
            except (httpx.HTTPError, httpx.InvalidURL, ValueError, TypeError, UnicodeError, OverflowError) as exc:
                raise _Failure(f"malformed URL {_short_url(clean_reason(current))} ({type(exc).__name__})") from None
            try:
                response = await self._client.send(request, stream=True)
            except httpx.HTTPError as exc:
                raise _transport_failure(exc) from None
            try:
                status = response.status_code
                if status in REDIRECT_STATUSES:
                    location = response.headers.get("location", "").strip()
                    if not location:
                        raise _Failure(f"HTTP {status} redirect without a Location", status=status)
                    target = join_url(current, location)
                    if target is None:
                        raise _Failure(f"HTTP {status} redirect to a malformed URL "
                                       f"{_short_url(clean_reason(location), 80)}", status=status)
                    refusal, parsed = self._checked(target, "redirect to")
                    if refusal:
                        raise _Failure(refusal, status=status)
                    if target in seen:
                        raise _Failure(f"redirect loop at {_short_url(target)}", status=status)
                    seen.add(target)
                    current = target
                    continue
                meta = dict(
                    url=url,
                    final_url=current,
                    status=status,
                    content_type=response.headers.get("content-type"),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                )
                if status == 304:
                    return FetchResult(**meta)
                if status not in (200, 304):
                    # A challenge (瑞数 412, 加速乐 521, wzws on a 5xx) is "blocked", never retried.
                    challenge = detect_challenge(status, _waf_headers(response), await self._peek(response, wire))
                    if challenge:
                        raise _Failure(challenge, status=status, blocked=True)
                if status == 429 or 500 <= status <= 599:
                    raise _Failure(f"HTTP {status}", retryable=True, status=status,
                                   retry_after=parse_retry_after(response.headers.get("retry-after")))
                if status != 200:
                    raise _Failure(f"HTTP {status}", status=status)
                body = await self._read_body(response, wire)
                if not body.strip():
                    raise _Failure("empty response (HTTP 200)", status=status)
                return FetchResult(body=body, **meta)
            finally:
                await response.aclose()
        raise _Failure(f"too many redirects (more than {o.max_redirects})")

    async def _peek(self, response: httpx.Response, wire: list[int]) -> bytes:
        """The start of an error response's body, or b"" if it is large, broken or unreadable."""
        try:
            return await self._read_body(response, wire, cap=_ERROR_PEEK)
        except _Failure:
            return b""

    async def _read_body(self, response: httpx.Response, wire: list[int], *, cap: int | None = None) -> bytes:
        cap = self.options.max_bytes if cap is None else cap
        length = response.headers.get("content-length", "").strip()
        if _ASCII_DIGITS.fullmatch(length) and int(length) > cap:
            raise _Failure(f"body over {format_size(cap)} (Content-Length {length})")
        encoding = response.headers.get("content-encoding", "").strip().lower()
        if encoding in ("", "identity"):
            inflater = None
        elif encoding in ("gzip", "x-gzip"):
            inflater = _Inflater("gzip", cap)
        elif encoding == "deflate":
            inflater = _Inflater("deflate", cap)
        else:
            raise _Failure(f"unsupported Content-Encoding: {_short_url(encoding, 40)}")
        parts: list[bytes] = []
        received = 0
        try:
            async for chunk in response.aiter_raw():
                received += len(chunk)
                wire[0] += len(chunk)
                if received > cap:
                    raise _Failure(f"body over {format_size(cap)}")
                if inflater is None:
                    parts.append(chunk)
                else:
                    inflater.feed(chunk)
        except httpx.HTTPError as exc:
            raise _transport_failure(exc) from None
        return b"".join(parts) if inflater is None else inflater.finish()


def _waf_headers(response: httpx.Response) -> dict[str, str]:
    return {name: " ".join(response.headers.get_list(name)) for name in _WAF_HEADERS if name in response.headers}


def clean_reason(text: str) -> str:
    """Text from the site made fit for a one-line reason: controls shown as escapes, nothing raw."""
    return visible(text)


def _unexpected_failure(exc: BaseException) -> _Failure:
    """A reason for an exception nothing above foresaw: never retried (it would fail the same way)."""
    if isinstance(exc, httpx.InvalidURL):
        return _Failure(f"malformed URL ({_short_url(clean_reason(str(exc)), 80)})")
    return _Failure(f"unusable response ({type(exc).__name__}: {_short_url(clean_reason(str(exc)), 80)})")


def _with(result: FetchResult, **changes) -> FetchResult:
    from dataclasses import replace

    return replace(result, **changes)
