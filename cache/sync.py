"""Sync: turn the live column into the local store, incrementally, without losing what is there.

`await sync(store, source=...)` walks the column's list pages newest first, following the pagination
each page shows (`ListPage.next_urls`, never a guessed naming scheme), and fetches the digest posts
(list title contains 一周速览) that are not stored yet. Non-digest posts cost no request.

Rules, in the order a reader would ask about them:
- Incremental (default): the walk stops after the first list page whose digests are all already stored
  (or already recorded as failures, which are retried anyway). The bundled sample does not count as
  stored: the real page replaces it. A page with no digest on it never stops the walk.
- A walk that did not reach its natural end (killed, cancelled, capped by `max_pages`, a list page
  failed) leaves the setting `sync.walk_incomplete` = "1"; the next sync then walks every list page
  (still fetching only what is missing), so a killed first sync is completed by the next one.
- `full=True` walks every page and re-checks every stored digest with a conditional GET
  (If-None-Match / If-Modified-Since); 304 counts as `not_modified`, a changed page replaces the
  stored digest (the store keeps read state and stars).
- Posts recorded as failures by an earlier sync are retried, listed or not, as cache/retry_policy.py
  allows: a post answering 404/410 on three syncs in a row is `gone` (not retried unless
  `retry_gone`, reported apart, not a failure); one failing three syncs in a row backs off to once a
  day (`deferred`).
- The walk reads at most `max_pages` (or `MAX_LIST_PAGES`) list pages. When it stops there, the report
  says `walk_capped` and the pages still queued are kept (`sync.resume_pages`): the next sync reads the
  newest pages until it meets known posts, then carries on from where this one stopped.
- Nothing a page links to can abort the sync: a malformed link is that post's failure, an unexpected
  exception in fetching or parsing one post is that post's failure. Only store errors end the sync.
- Parsed digests are committed in batches (`_Batches`): at most `COMMIT_EVERY` per transaction, none
  waiting longer than `COMMIT_AFTER` seconds, and whatever is waiting when the sync ends, is
  cancelled or fails. Each batch is one transaction (all of it or none of it): a killed sync loses
  only the digests parsed since the last commit, never half a digest, and the next sync fetches
  those again (they are not stored). `fetched`, `new_ids` and progress count committed digests. A
  fetch or parse failure is recorded (`store.record_failure`) and reported; it never touches a
  stored copy.
- Where parsing and storing run: on worker threads, or, when the caller passes a `child`
  (`sz-digest sync` does; cache/sync_child.py) and the first list page schedules `CHILD_FROM`
  downloads or more, in that forked process, which runs the same `judge_page` and `save_batch` and
  reports each commit back, so the report is the same. Its own ways out are in its module.
- `SourceUnreachable` when the first list page cannot be fetched or is not a list page: the store
  is not written at all in that case.
- Cancelling the task stops promptly (in-flight requests are abandoned); committed digests stay.
- One sync per data dir at a time: a second one (the TUI refreshing while `sz-digest sync` runs)
  reports phase "waiting" and waits for the first to finish (an advisory lock on `sync.lock` beside
  the database, released by the OS if the holder dies), then finds the work done.

No Textual/Rich here: progress goes to an `on_progress(SyncProgress)` callback.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import time
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Callable, Literal, NamedTuple
from urllib.parse import urldefrag

import httpx

try:
    import fcntl
except ImportError:  # Windows: no advisory lock; the store's IMMEDIATE transactions still keep it safe
    fcntl = None  # type: ignore[assignment]

from . import health
from .challenge import BLOCKED, detect_challenge
from .config import DEFAULT_USER_AGENT
from .errors import DigestError, ParseError, StoreError
from .fetch import Fetcher, FetchOptions, FetchResult, clean_reason
from .model import Failure, PostEntry
from .retry_policy import is_due
from . import sync_child
from .sync_child import Frames, encode
from .setting_keys import LAST_SYNC, RESUME_PAGES, SYNC_SOURCE, WALK_INCOMPLETE
from .text import clean_line
from .urls import join_url, origin_of

MAX_RESUME_PAGES = 100  # list pages a capped walk remembers (RESUME_PAGES)
LOCK_WAIT_MAX = 900.0  # seconds a second sync waits for the first before giving up
MAX_LIST_PAGES = 2000  # a safety net against a pagination that never ends
# Parsed digests per transaction at most, and how long one waits for its transaction at most. One
# transaction per digest spent more CPU on commits and the trigram index's per-transaction segment
# flushes than on the rows (528 digests: 1.48 s of CPU one by one, 0.89 s 32 at a time).
COMMIT_EVERY = 16
COMMIT_AFTER = 0.05
CHILD_FROM = 8  # downloads the first list page schedules, from which the child parses and stores
# Pages for the sync's child process (_ChildBatches) are sent when this many bytes wait, or this
# many seconds after the first waited.
SEND_AT_BYTES = 256 * 1024
SEND_AFTER = 0.01

_NOT_HTML = ("application/json", "text/json", "application/javascript", "text/javascript", "application/pdf",
             "application/zip", "application/octet-stream+zip")


class SourceUnreachable(DigestError):
    """The column's first list page could not be fetched (or is not a list page); nothing was written."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot reach the source {url}: {reason}")
        self.url = url
        self.reason = reason


class SourceBlocked(SourceUnreachable):
    """A list page came back as an anti-crawler challenge (cache/challenge.py): blocked, not broken."""


def _challenge(result: FetchResult) -> str | None:
    """The one place sync asks whether a response is a challenge page instead of content: the
    fetcher has judged error statuses (it reads their bodies only that far); a 200 is judged here."""
    if result.blocked:
        return result.error
    return detect_challenge(result.status, None, result.body) if result.ok else None


SyncPhase = Literal["waiting", "listing", "fetching", "done"]


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """A snapshot passed to `on_progress` after every step."""

    # "waiting" (another sync holds the data dir), "listing" (walking list pages; digests already
    # downloading), "fetching" (the walk is over, downloads remain), "done"
    phase: SyncPhase
    list_pages: int = 0
    listed: int = 0
    to_fetch: int = 0
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    bytes: int = 0
    new_ids: tuple[str, ...] = ()

    @property
    def finished(self) -> int:
        return self.fetched + self.not_modified + self.failed


@dataclass(frozen=True, slots=True)
class SyncFailure:
    """One post or list page that failed. Reasons can quote what the server sent (a Location header,
    a page title): cleaned here, once, so no report, store row or terminal ever carries its controls."""

    url: str
    error: str
    post_id: str | None = None  # None for a list page

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", clean_line(self.url))
        object.__setattr__(self, "error", clean_line(self.error)[:300] or "unknown error")

    def to_json(self) -> dict:
        return {"url": self.url, "error": self.error}


@dataclass
class SyncReport:
    """What a sync did. `to_json()` is docs/cli.md's `sync --json` shape."""

    pages: int = 0
    listed: int = 0
    fetched: int = 0
    not_modified: int = 0
    skipped_non_digest: int = 0
    failed: list[SyncFailure] = field(default_factory=list)
    new_ids: list[str] = field(default_factory=list)  # digests stored for the first time (sample replaced counts)
    changed_ids: list[str] = field(default_factory=list)  # stored digests whose page changed
    bytes: int = 0  # on the wire, list pages included
    walk_complete: bool = False  # the walk reached its natural end
    walk_capped: bool = False  # the walk stopped at its page cap; the next sync resumes there
    gone: list[SyncFailure] = field(default_factory=list)  # posts given up on (404/410 three syncs running)
    deferred: list[SyncFailure] = field(default_factory=list)  # failed posts backing off, not tried this time
    elapsed: float = 0.0
    degraded: list[str] = field(default_factory=list)  # digests stored as one unsplit block (issue 12)
    blocked: str | None = None  # a post came back as a challenge page: the site blocks automated access
    list_fallback_pages: int = 0  # list pages read only by the whole-page fallback (no known list box)
    layout_warning: str | None = None  # set by the caller from cache/health.py after the sync

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_json(self) -> dict:
        return {
            "pages": self.pages,
            "listed": self.listed,
            "fetched": self.fetched,
            "not_modified": self.not_modified,
            "skipped_non_digest": self.skipped_non_digest,
            "failed": [f.to_json() for f in self.failed],
            "walk_capped": self.walk_capped,
            "gone": [f.to_json() for f in self.gone],
            "deferred": [f.to_json() for f in self.deferred],
            "degraded": list(self.degraded),
            "blocked": self.blocked,
            "layout_warning": self.layout_warning,
        }


class _SyncLock:
    """An advisory, process-wide lock on `<data_dir>/sync.lock` (flock; freed when the holder dies)."""

    def __init__(self, data_dir) -> None:
        self.path = None if data_dir is None else os.path.join(os.fspath(data_dir), "sync.lock")
        self.fd: int | None = None

    def try_acquire(self) -> bool:
        if self.path is None or fcntl is None:
            return True
        if self.fd is None:
            try:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError:
                try:
                    self.fd = os.open(self.path, os.O_RDONLY)
                except OSError:
                    self.path = None  # cannot even read the data dir: the store will say why
                    return True
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
        except OSError:
            return True  # a filesystem without locks: fall back to the store's own busy handling

    def release(self) -> None:
        if self.fd is not None:
            try:
                os.close(self.fd)  # closing drops the flock
            finally:
                self.fd = None


def _looks_like_non_html(result: FetchResult) -> str | None:
    """A reason when the body is clearly not an HTML page (a JSON error served with 200, a PDF...)."""
    mime = (result.content_type or "").split(";", 1)[0].strip().lower()
    if mime in _NOT_HTML or mime.startswith(("image/", "audio/", "video/", "font/")):
        return f"not an HTML page (Content-Type {mime})"
    head = result.body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"[") and b"<" not in head[:512]:
        return "not an HTML page (looks like JSON)"
    return None


class _Parsed(NamedTuple):
    """A digest parsed and checked, waiting for its batch's transaction."""

    entry: PostEntry
    digest: object  # model.Digest
    body: bytes
    etag: str | None
    last_modified: str | None


def judge_page(parser, entry: PostEntry, body: bytes, content_type: str | None, etag: str | None,
               last_modified: str | None) -> tuple[_Parsed | None, str | None]:
    """What to do with a fetched digest page: (the digest to store, None) or (None, the post's
    failure reason). The one code path for it, on a worker thread or in the sync's child
    process (cache/sync_child.py)."""
    url = entry.url
    try:
        digest = parser.parse_digest(body, url, content_type)
    except ParseError as exc:
        return None, f"not a digest: {exc.reason}"
    except Exception as exc:  # a parser bug fails this post, not the sync
        return None, f"parser failed: {type(exc).__name__}: {exc}"[:200]
    if digest.id != entry.id:
        return None, f"page is post {digest.id}, listed as {entry.id}"
    if digest.sample:
        digest = digest._replace(sample=False)
    return _Parsed(entry, digest, body, etag, last_modified), None


def save_batch(store, batch: list[_Parsed]) -> list[bool]:
    """One batch, one transaction (`Store.save_digests`); each digest's "changed"."""
    return store.save_digests([(p.digest, p.body, p.etag, p.last_modified) for p in batch])


def outcomes(batch: list[_Parsed], changed: list[bool]) -> list[tuple[str, bool, bool]]:
    """(post id, degraded, changed) of each committed digest: what the report counts."""
    return [(p.entry.id, bool(p.digest.degraded), bool(c)) for p, c in zip(batch, changed)]


def commit_at_once(waiting: int, since_last_commit: float) -> bool:
    """A digest just arrived: commit now if a full batch waits, or if it is the first after a quiet
    spell (no commit for `COMMIT_AFTER`), so a slow site's weeks and a sync's first week show at
    once. Else the batch waits, at most `COMMIT_AFTER` from its oldest digest. (The sync's child
    process commits by the same rule.)"""
    return waiting >= COMMIT_EVERY or since_last_commit >= COMMIT_AFTER


def take_batch(pending: list) -> list:
    """The next batch: up to `COMMIT_EVERY` of `pending`, removed from it."""
    batch = pending[:COMMIT_EVERY]
    del pending[:COMMIT_EVERY]
    return batch


class _Batches:
    """Stores parsed digests a batch per transaction, on a worker thread (SQLite and zlib release
    the GIL there, so they overlap with fetching and parsing), one transaction at a time.

    A batch is stored when `COMMIT_EVERY` digests wait, when the oldest has waited `COMMIT_AFTER`
    seconds, and on `close`/`flush_now` (the end of the sync, a cancel, an error). A digest parsed
    after a quiet spell (no commit for `COMMIT_AFTER`) is stored at once, so a slow site's weeks and
    a sync's first week show without waiting. `on_commit` counts each stored batch in the report:
    the report and progress never count a digest that is not committed."""

    def __init__(self, store, parser, tg: asyncio.TaskGroup, on_commit: Callable[[list[tuple[str, bool, bool]]], None],
                 on_failure: Callable[[PostEntry, str], None]) -> None:
        self.store = store
        self.parser = parser
        self.tg: asyncio.TaskGroup | None = tg  # None once closing: no new writer task
        self.on_commit = on_commit
        self.on_failure = on_failure
        self.pending: list[_Parsed] = []
        self.oldest = 0.0  # time.monotonic() when the oldest pending digest arrived
        self.timer: asyncio.TimerHandle | None = None
        self.writing: asyncio.Task | None = None
        self.last_commit = float("-inf")  # time.monotonic() when the last batch was stored

    async def add_page(self, entry: PostEntry, result: FetchResult) -> None:
        """Parse a fetched page on a worker thread, then store it with others (`add`): a 4 MB page
        takes tens of milliseconds to write, and the reader's screen shares this event loop."""
        parsed, reason = await asyncio.to_thread(judge_page, self.parser, entry, result.body, result.content_type,
                                                 result.etag, result.last_modified)
        if parsed is None:
            self.on_failure(entry, reason or "unknown error")
        else:
            self.add(parsed)

    def add(self, parsed: _Parsed) -> None:
        now = time.monotonic()
        if not self.pending:
            self.oldest = now
        self.pending.append(parsed)
        if not self._idle():
            return  # the writer looks again when its transaction ends
        if commit_at_once(len(self.pending), now - self.last_commit):
            self._start()
        elif self.timer is None:
            self.timer = asyncio.get_running_loop().call_later(COMMIT_AFTER, self._start)

    def _idle(self) -> bool:
        return self.writing is None or self.writing.done()

    def _due(self) -> bool:
        return len(self.pending) >= COMMIT_EVERY or (
            bool(self.pending) and time.monotonic() - self.oldest >= COMMIT_AFTER)

    def _start(self) -> None:
        self._cancel_timer()
        if self.tg is None or not self._idle() or not self.pending:
            return
        writer = self._write()
        try:
            self.writing = self.tg.create_task(writer)
        except RuntimeError:
            # The TaskGroup has finished (its last post is done) and a timer fired before `close`
            # ran: `close` stores what waits.
            writer.close()
            self.tg = None

    def _cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _take(self) -> list[_Parsed]:
        batch = take_batch(self.pending)
        if self.pending:
            self.oldest = time.monotonic()  # close enough: the rest arrived during the last commit
        return batch

    async def _write(self) -> None:
        batch = self._take()
        while batch:
            changed = await asyncio.to_thread(save_batch, self.store, batch)
            self.last_commit = time.monotonic()
            self.on_commit(outcomes(batch, changed))
            batch = self._take() if self._due() else []
        if self.pending and self.tg is not None:  # fewer than a batch arrived meanwhile: they wait
            wait = max(0.0, COMMIT_AFTER - (time.monotonic() - self.oldest))
            self.timer = asyncio.get_running_loop().call_later(wait, self._start)

    async def close(self) -> None:
        """The sync's posts are all done: store what waits, then no more batches."""
        self.tg = None
        self._cancel_timer()
        if self.writing is not None:
            await self.writing
        while self.pending:
            batch = self._take()
            self.on_commit(outcomes(batch, await asyncio.to_thread(save_batch, self.store, batch)))

    def flush_now(self) -> None:
        """Store what waits at once, on this thread (a cancelled or failing sync cannot await; a
        batch already on the worker thread commits there, and the store serialises the two)."""
        self.tg = None
        self._cancel_timer()
        while self.pending:
            batch = self._take()
            self.on_commit(outcomes(batch, save_batch(self.store, batch)))


class _ChildBatches:
    """`_Batches`' part played by the sync's child process (cache/sync_child.py): pages go to it as
    fetched, parsed and committed there; each batch it commits and each page it could not take
    come back and are counted here as `_Batches` counts them (`on_commit`, `on_failure`).

    A store error in the child ends the sync with that StoreError, as in-process; a child that
    dies ends it with one too (committed digests stay; the next sync fetches the rest)."""

    def __init__(self, child, tg: asyncio.TaskGroup, on_commit: Callable[[list[tuple[str, bool, bool]]], None],
                 on_failure: Callable[[PostEntry, str], None]) -> None:
        self.child = child
        self.sock = child.sock
        self.tg: asyncio.TaskGroup | None = tg
        self.on_commit = on_commit
        self.on_failure = on_failure
        self.out = bytearray()
        self.frames = Frames()
        self.closing = False
        self.writer_added = False
        self.send_timer: asyncio.TimerHandle | None = None
        self.said_bye = False
        self.heard = 0  # reads from the child: `close` waits while they keep coming
        self.error: BaseException | None = None
        self.loop = asyncio.get_running_loop()
        self.ended = self.loop.create_future()
        self.loop.add_reader(self.sock.fileno(), self._readable)

    async def add_page(self, entry: PostEntry, result: FetchResult) -> None:
        """Send a fetched page to the child, which parses, checks and stores it (`judge_page`)."""
        if self.ended.done():
            raise self._failure()
        self.out += encode((entry, result.body, result.content_type, result.etag, result.last_modified))
        # Sent a few at a time: each send wakes the child (a context switch, most of a send's cost),
        # and it commits every COMMIT_AFTER at the soonest anyway.
        if len(self.out) >= SEND_AT_BYTES:
            self._send()
        elif self.send_timer is None and not self.writer_added:
            self.send_timer = self.loop.call_later(SEND_AFTER, self._send)

    def _send(self) -> None:
        if self.send_timer is not None:
            self.send_timer.cancel()
            self.send_timer = None
        while self.out:
            try:
                sent = self.sock.send(self.out)
            except BlockingIOError:
                if not self.writer_added:
                    self.loop.add_writer(self.sock.fileno(), self._send)
                    self.writer_added = True
                return
            except OSError:  # the child is gone: its EOF says so on the reading side
                self.out.clear()
                break
            del self.out[:sent]
        if self.writer_added:
            self.loop.remove_writer(self.sock.fileno())
            self.writer_added = False
        if self.closing:
            self._shut_write()

    def _shut_write(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_WR)  # EOF: the child commits what waits and says bye
        except OSError:
            pass

    def _readable(self) -> None:
        try:
            data = self.sock.recv(1 << 16)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.loop.remove_reader(self.sock.fileno())
            if not self.ended.done():
                self.ended.set_result(None)
            if not self.said_bye and self.error is None:
                self._abort(None)
            return
        self.heard += 1
        for message in self.frames.feed(data):
            self._dispatch(message)

    def _dispatch(self, message: tuple) -> None:
        kind = message[0]
        try:
            if kind == "committed":
                self.on_commit(message[1])
            elif kind == "failed":
                self.on_failure(message[1], message[2])
            elif kind == "bye":
                self.said_bye = True
            elif kind == "store_error":
                self._abort(StoreError(message[1], message[2]))
            else:  # "crash": a bug in the child
                self._abort(StoreError(self.child.data_dir, f"the sync's store process failed: {message[1]}"))
        except StoreError as exc:  # recording a failure in this process's connection
            self._abort(exc)

    def _failure(self) -> BaseException:
        if self.error is None:
            self.child.reap(0.5)
            self.error = StoreError(self.child.data_dir, f"the sync's store process {self.child.describe_exit()}")
        return self.error

    def _abort(self, error: BaseException | None) -> None:
        """End the sync with `error` (or the child's death), as a failing `_Batches` writer does."""
        if error is not None and self.error is None:
            self.error = error
        if self.tg is None:
            return  # `close` raises it
        error = self._failure()

        async def fail() -> None:
            raise error

        try:
            self.tg.create_task(fail())
        except RuntimeError:  # the TaskGroup is finishing: `close` raises it
            pass
        self.tg = None

    async def close(self) -> None:
        """The sync's posts are all sent: the child commits what waits, says bye and exits."""
        self.tg = None
        self.closing = True
        self._send()  # what waits, then EOF
        while not self.ended.done():  # a child still committing is waited for; a silent one is not
            heard = self.heard
            try:
                await asyncio.wait_for(asyncio.shield(self.ended), sync_child.STOP_WAIT)
            except TimeoutError:
                if self.heard == heard:
                    self.child.reap(0.0)  # killed
                    self.error = self.error or StoreError(self.child.data_dir, "the sync's store process stopped "
                                                          f"answering for {sync_child.STOP_WAIT:.0f} s")
                    break
        self.child.reap()
        if self.error is not None or not self.said_bye:
            raise self._failure()

    def flush_now(self) -> None:
        """On a cancelled or failing sync: EOF to the child now (a page not yet sent is dropped, as
        an in-process page still parsing is), then read its last batches here and reap it."""
        self.tg = None
        fd = self.sock.fileno()
        if fd < 0:
            return
        self.loop.remove_reader(fd)
        if self.send_timer is not None:
            self.send_timer.cancel()
            self.send_timer = None
        if self.writer_added:
            self.loop.remove_writer(fd)
            self.writer_added = False
        self._shut_write()
        try:
            self.sock.settimeout(sync_child.STOP_WAIT)
            while not self.ended.done():
                try:
                    data = self.sock.recv(1 << 16)
                except OSError:
                    data = b""
                if not data:
                    self.ended.set_result(None)
                    break
                for message in self.frames.feed(data):
                    self._dispatch(message)
        finally:
            self.child.reap()
        if self.error is not None:
            raise self.error


class _Sync:
    def __init__(self, store, *, source: str, full: bool, max_pages: int | None, options: FetchOptions,
                 on_progress: Callable[[SyncProgress], None] | None, transport, retry_gone: bool = False,
                 child=None) -> None:
        from . import parser  # imported here so `cache.sync` imports cheaply

        self.parser = parser
        self.store = store
        self.source = urldefrag(source)[0]
        self.full = full
        self.max_pages = max_pages
        self.retry_gone = retry_gone
        self.options = options
        self.on_progress = on_progress
        self.transport = transport
        self.child = child  # cache/sync_child.StoreChild: parse and store there
        self.report = SyncReport()
        self.phase: SyncPhase = "listing"
        self.to_fetch = 0
        self.scheduled: set[str] = set()  # post ids
        self.held_back: set[str] = set()  # failed post ids not tried this time (gone, backing off)
        self.listed_ids: set[str] = set()

    # -- progress

    def progress(self) -> None:
        if self.on_progress is None:
            return
        r = self.report
        self.on_progress(SyncProgress(
            phase=self.phase, list_pages=r.pages, listed=r.listed, to_fetch=self.to_fetch, fetched=r.fetched,
            not_modified=r.not_modified, failed=len(r.failed), bytes=r.bytes, new_ids=tuple(r.new_ids)))

    # -- the walk

    async def _list_page(self, fetcher: Fetcher, url: str):
        """(ListPage, None) or (None, reason)."""
        result = await fetcher.get(url)
        self.report.bytes += result.wire_bytes
        challenge = _challenge(result)
        if challenge:
            raise SourceBlocked(url, f"{BLOCKED} ({challenge})")
        if result.error:
            return None, result.error
        try:
            reason = _looks_like_non_html(result)
            if reason:
                return None, reason
            page = await asyncio.to_thread(self.parser.parse_list_page, result.body, result.final_url,
                                           result.content_type)
        except ParseError as exc:
            return None, f"not a list page: {exc.reason}"
        except Exception as exc:  # a parser bug must not end the sync; report it per page
            return None, f"list page parser failed: {type(exc).__name__}: {exc}"[:200]
        if page.via != "list":
            self.report.list_fallback_pages += 1
        return page, None

    async def run(self) -> SyncReport:
        started = time.monotonic()
        store = self.store
        known_before = store.known_ids()
        self.sample_before = store.sample_ids()
        stored = known_before - self.sample_before
        failures = store.failures()
        failed_ids = {f.post_id for f in failures if f.post_id}
        now = datetime.now(UTC)
        due = [f for f in failures if is_due(f, now, retry_gone=self.retry_gone)]
        # Not tried this time: gone (unless retry_gone) or backing off. The walk treats them as known.
        self.held_back = {f.post_id for f in failures if f.post_id} - {f.post_id for f in due}
        for failure in failures:
            if failure.post_id in self.held_back:
                listing = self.report.gone if failure.gone else self.report.deferred
                listing.append(SyncFailure(failure.url, failure.error, failure.post_id))
        resume_queue = self._resume_queue()
        walk_was_cut = store.get_setting(WALK_INCOMPLETE) == "1"
        deep = self.full or (walk_was_cut and not resume_queue)
        self.known_before = known_before

        async with Fetcher.for_source(self.source, options=self.options, transport=self.transport) as fetcher:
            self.fetcher = fetcher
            page, reason = await self._list_page(fetcher, self.source)
            if page is None:
                raise SourceUnreachable(self.source, reason or "unknown error")
            # The source answered: from here on the store is ours to write.
            store.set_setting(WALK_INCOMPLETE, "1")
            walk_complete = False
            list_failed = False
            batches: _Batches | _ChildBatches | None = None
            try:
                async with asyncio.TaskGroup() as tg:
                    queue: deque[str] = deque()
                    seen_pages = {_page_key(self.source), _page_key(page.url)}
                    read_pages = set(seen_pages)  # fetched (or tried) in this sync
                    attempted = 1
                    capped = False

                    def enqueue(urls) -> None:
                        for absolute in urls:
                            if absolute and _page_key(absolute) not in seen_pages and fetcher.allowed(absolute):
                                seen_pages.add(_page_key(absolute))
                                queue.append(absolute)

                    while True:
                        assert page is not None
                        self.report.pages += 1
                        digests_here, all_known = self._take_posts(page, stored, failed_ids, tg)
                        if batches is None:  # before any download can finish (none has run yet)
                            self.batches = batches = self._batches_for(tg)
                        enqueue(join_url(page.url, nxt) for nxt in page.next_urls if isinstance(nxt, str))
                        self.progress()
                        if not deep and digests_here and all_known:
                            if not resume_queue:
                                walk_complete = True  # everything older was complete before this sync
                                break
                            # The newest pages are caught up: carry on where a capped walk stopped.
                            queue.clear()
                            queue.extend(u for u in resume_queue
                                         if _page_key(u) not in read_pages and fetcher.allowed(u))
                            seen_pages.update(_page_key(u) for u in queue)
                            resume_queue = []
                            deep = True
                        page = None
                        while queue and page is None:
                            limit = MAX_LIST_PAGES if self.max_pages is None else min(self.max_pages, MAX_LIST_PAGES)
                            if attempted >= limit:
                                capped = True
                                break
                            url = queue.popleft()
                            read_pages.add(_page_key(url))
                            attempted += 1
                            page, reason = await self._list_page(fetcher, url)
                            if page is None:
                                list_failed = True
                                self.report.failed.append(SyncFailure(url, reason or "unknown error"))
                                self.progress()
                        if page is None:
                            walk_complete = not queue and not list_failed
                            break
                    self.report.walk_capped = capped
                    if capped:
                        store.set_setting(RESUME_PAGES, json.dumps({"source": self.source,
                                                                    "pages": list(queue)[:MAX_RESUME_PAGES]}))
                    elif walk_complete:
                        store.set_setting(RESUME_PAGES, "{}")
                    # Earlier failures the walk did not reach are retried too.
                    for failure in due:
                        if failure.post_id and failure.post_id not in self.scheduled:
                            self._schedule(tg, PostEntry(failure.post_id, failure.url, "一周速览"),
                                           conditional=failure.post_id in stored)
                    self.phase = "fetching"
                    self.progress()
                # Every post is done: what waits for a transaction is stored before the report.
                await batches.close()
            except BaseExceptionGroup as group:
                _flush_quietly(batches)
                raise _unwrap(group) from None
            except BaseException:  # cancelled: what was parsed is committed, as promptly as a batch
                _flush_quietly(batches)
                raise
        self.report.walk_complete = walk_complete
        self.report.layout_warning = health.after_sync(store, self.report)
        if walk_complete:
            store.set_setting(WALK_INCOMPLETE, "0")
        store.set_setting(LAST_SYNC, datetime.now(UTC).isoformat(timespec="seconds"))
        store.set_setting(SYNC_SOURCE, self.source)  # the reader's `r` syncs from here again
        self.phase = "done"
        self.report.elapsed = time.monotonic() - started
        self.progress()
        return self.report

    def _batches_for(self, tg: asyncio.TaskGroup) -> _Batches | _ChildBatches:
        """Where this sync parses and stores, chosen once the first list page is read: in the child
        only where it pays, when that page schedules `CHILD_FROM` downloads or more (a first sync, a
        long absence). A weekly sync's page or two parse on a thread, and the child is let go at
        once: alive, it makes each memory page the parent writes a copy-on-write fault (~30 ms of
        CPU over a sync)."""
        if self.child is not None and self.to_fetch >= CHILD_FROM:
            return _ChildBatches(self.child, tg, self._count_committed, self._record_post_failure)
        if self.child is not None:
            self.child.stop()  # EOF before any page: it exits at once, and is reaped here
        return _Batches(self.store, self.parser, tg, self._count_committed, self._record_post_failure)

    def _resume_queue(self) -> list[str]:
        """The list pages a capped walk left queued (empty when there are none or the value is junk)."""
        try:
            saved = json.loads(self.store.get_setting(RESUME_PAGES) or "{}")
        except (ValueError, RecursionError):
            return []
        # Only for the column it was saved for: another --source starts its own walk.
        if not isinstance(saved, dict) or saved.get("source") != self.source:
            return []
        urls = saved.get("pages")
        if not isinstance(urls, list):
            return []
        return [u for u in urls[:MAX_RESUME_PAGES] if isinstance(u, str) and origin_of(u) is not None]

    def _take_posts(self, page, stored: set[str], failed_ids: set[str], tg: asyncio.TaskGroup) -> tuple[int, bool]:
        digests_here = 0
        all_known = True
        for entry in page.posts:
            if entry.id in self.listed_ids:
                continue
            self.listed_ids.add(entry.id)
            self.report.listed += 1
            if not entry.is_digest:
                self.report.skipped_non_digest += 1
                continue
            digests_here += 1
            url = join_url(page.url, entry.url) if isinstance(entry.url, str) else None
            if url is None:  # not a URL we could request: reported, never fetched
                self.report.failed.append(SyncFailure(clean_reason(str(entry.url))[:200],
                                                      "malformed link on the list page", entry.id))
                continue
            if url != entry.url:
                entry = entry._replace(url=url)
            if entry.id in self.held_back:
                continue  # gone or backing off: known for the walk, not fetched
            if entry.id in stored:
                if self.full:
                    self._schedule(tg, entry, conditional=True)
            else:
                if entry.id not in failed_ids:
                    all_known = False
                self._schedule(tg, entry, conditional=False)
        return digests_here, all_known

    def _schedule(self, tg: asyncio.TaskGroup, entry: PostEntry, *, conditional: bool) -> None:
        if entry.id in self.scheduled:
            return
        self.scheduled.add(entry.id)
        self.to_fetch += 1
        tg.create_task(self._fetch_post(entry, conditional))

    # -- one post

    async def _fetch_post(self, entry: PostEntry, conditional: bool) -> None:
        try:
            await self._fetch_post_unguarded(entry, conditional)
        except StoreError:
            raise  # a store that cannot be written ends the sync (exit 4); cancelling is not an Exception
        except Exception as exc:  # noqa: BLE001 — one post's surprise is that post's failure
            reason = f"unexpected error: {type(exc).__name__}: {clean_reason(str(exc))}"[:200]
            self._record_post_failure(entry, reason, None)

    def _record_post_failure(self, entry: PostEntry, reason: str, status: int | None = None) -> None:
        failure = SyncFailure(entry.url, reason, entry.id)
        recorded: Failure = self.store.record_failure(entry.url, failure.error, post_id=entry.id, status=status)
        (self.report.gone if recorded.gone else self.report.failed).append(failure)
        self.progress()

    async def _fetch_post_unguarded(self, entry: PostEntry, conditional: bool) -> None:
        store = self.store
        etag = last_modified = None
        if conditional:
            meta = store.fetch_meta(entry.url)
            if meta is not None:
                etag, last_modified = meta.etag, meta.last_modified
        result = await self.fetcher.get(entry.url, etag=etag, last_modified=last_modified)
        self.report.bytes += result.wire_bytes
        challenge = _challenge(result)
        if challenge:  # not the page's fault: nothing recorded against it, nothing stored touched
            self.report.blocked = f"{BLOCKED} ({challenge})"
            self.report.failed.append(SyncFailure(entry.url, self.report.blocked, entry.id))
            self.progress()
            return
        if result.not_modified:
            store.record_not_modified(entry.url)
            self.report.not_modified += 1
            self.progress()
            return
        reason = result.error or _looks_like_non_html(result)
        if reason is not None:
            self._record_post_failure(entry, reason, result.status if result.error else None)
            return
        await self.batches.add_page(entry, result)

    def _count_committed(self, done: list[tuple[str, bool, bool]]) -> None:
        """A batch is stored: count it (the report never counts a digest not yet committed)."""
        report = self.report
        for entry_id, degraded, was_changed in done:
            report.fetched += 1
            if degraded:
                report.degraded.append(entry_id)
            if entry_id not in self.known_before or entry_id in self.sample_before:
                report.new_ids.append(entry_id)
            elif was_changed:
                report.changed_ids.append(entry_id)
            self.progress()  # a step per digest, as the progress display counts them


def _flush_quietly(batches: _Batches | _ChildBatches | None) -> None:
    """On the way out of a failing or cancelled sync: commit what was parsed; a store error here
    must not hide the error that ended the sync."""
    if batches is None:
        return
    try:
        batches.flush_now()
    except StoreError:
        pass


def _page_key(url: str) -> str:
    """`…/gzyw/` and `…/gzyw/index.html` are the same list page."""
    for index in ("index.html", "index.htm", "index.shtml"):
        if url.endswith("/" + index):
            return url[: -len(index)]
    return url


def _unwrap(group: BaseExceptionGroup) -> BaseException:
    """The first real error inside a TaskGroup's exception group (our own errors first)."""
    leaves: list[BaseException] = []

    def walk(exc: BaseException) -> None:
        if isinstance(exc, BaseExceptionGroup):
            for sub in exc.exceptions:
                walk(sub)
        else:
            leaves.append(exc)

    walk(group)
    for exc in leaves:
        if isinstance(exc, DigestError):
            return exc
    for exc in leaves:
        if not isinstance(exc, asyncio.CancelledError):
            return exc
    return leaves[0] if leaves else group


async def sync(store, *, source: str, full: bool = False, max_pages: int | None = None, concurrency: int = 4,
               user_agent: str = DEFAULT_USER_AGENT, on_progress: Callable[[SyncProgress], None] | None = None,
               transport: httpx.AsyncBaseTransport | None = None, options: FetchOptions | None = None,
               retry_gone: bool = False, child=None) -> SyncReport:
    """Sync the column at `source` into `store`; see the module docstring for the rules.

    `child` (a `cache.sync_child.StoreChild` forked for this store's data dir, unused) parses and
    stores the digest pages in that process; the CLI passes one (tui/cli_sync.py).

    `options` tunes the HTTP layer (timeouts, retries, caps; tests shrink them); `concurrency` and
    `user_agent` always win over the same fields in `options`. Raises `SourceUnreachable` (store
    untouched) and `StoreError`; every per-post problem is a value in `SyncReport.failed`.
    """
    if max_pages is not None and max_pages < 1:
        raise ValueError("max_pages must be at least 1")
    if origin_of(source) is None:
        raise SourceUnreachable(clean_reason(str(source))[:200], "not an http:// or https:// URL")
    opts = replace(options or FetchOptions(), concurrency=max(1, concurrency), user_agent=user_agent)
    job = _Sync(store, source=source, full=full, max_pages=max_pages, options=opts, on_progress=on_progress,
                transport=transport, retry_gone=retry_gone, child=child)
    lock = _SyncLock(getattr(store, "data_dir", None))
    try:
        waited = 0.0
        while not lock.try_acquire():
            if waited == 0.0:
                job.phase = "waiting"
                job.progress()
            if waited >= LOCK_WAIT_MAX:
                raise StoreError(lock.path, "another sz-digest sync has been running for too long; try again later")
            await asyncio.sleep(0.1)
            waited += 0.1
        if child is not None:
            child.share_lock(lock.fd)
        job.phase = "listing"
        return await job.run()
    finally:
        lock.release()


__all__ = ["FetchOptions", "LAST_SYNC", "RESUME_PAGES", "SourceBlocked", "SourceUnreachable", "SyncFailure", "SyncProgress", "SyncReport",
           "WALK_INCOMPLETE", "sync"]
