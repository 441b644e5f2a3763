"""The parse-and-store half of a CLI sync, in a child process forked before the sync starts.

Why: a first sync is CPU-bound in one interpreter. Fetching (the event loop), parsing and storing
(worker threads) share one GIL, and every socket or SQLite call hands it over, so each costs about
twice its CPU alone (bench/README.md, "Issue 15, fifth pass: sync"). Here the parent only fetches
and sends each page's bytes through a socket pair; the child parses (the same `sync.judge_page`
the in-process path runs on a thread) and commits in batches (the same `sync.save_batch`, with
`COMMIT_EVERY` / `COMMIT_AFTER` as `_Batches` uses them) on its own SQLite connection, and sends
back what it committed, so the parent's report and progress count exactly what the in-process
path counts: a digest when it is committed.

Only where it is safe: `start` forks only when the process has a single thread and the caller has
no SQLite connection open (SQLite must not carry a connection across a fork); `tui/cli_sync.py`
calls it first thing, before the store is opened. The reader's background sync runs in a thread
of a Textual app: it never forks and parses in-process.

Forked, not spawned: a fresh interpreter took 1.1–1.3 s to start on a loaded machine (the fourth
pass's experiment); a fork takes milliseconds and inherits the parser already imported.

Ways out, each tested (tests/test_sync_child.py):
- the sync ends: the parent shuts its half of the socket; the child commits what waits, says
  "bye" and exits; the parent reaps it.
- the sync is cancelled or fails: the same, waited for on the spot (what was parsed is committed,
  as in-process); a child that does not finish in `STOP_WAIT` seconds is killed.
- the parent is killed: the child reads EOF, commits what it has parsed (each digest whole, one
  transaction per batch) and exits, holding the sync lock until then (`share_lock`) — the same as an in-process sync that committed one more batch
  before it died. It ignores SIGINT/SIGTERM/SIGHUP and has a session of its own: a Ctrl-C or a
  closed terminal stops the parent, whose unwinding stops the child.
- the child dies or fails to write: the sync ends with a StoreError (exit 4); committed digests
  stay, the next sync fetches the rest.
The child writes nothing to the terminal (its stdio is /dev/null) and holds no other descriptor
but the sync lock's.
"""

from __future__ import annotations

import gc
import os
import pickle
import select
import signal
import socket
import struct
import threading
import time
from pathlib import Path

STOP_WAIT = 30.0  # seconds a stopping parent waits for the child to commit and exit, then kills it
_HEADER = struct.Struct(">I")


def encode(message: object) -> bytes:
    """One frame: a 4-byte length, then the pickle (parent and child are the same program)."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


class Frames:
    """Splits a byte stream into the messages `encode` framed; a partial frame waits for more."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def feed(self, data: bytes) -> list:
        self.buffer += data
        messages = []
        start = 0
        buffer = self.buffer
        while len(buffer) - start >= _HEADER.size:
            (size,) = _HEADER.unpack_from(buffer, start)
            end = start + _HEADER.size + size
            if end > len(buffer):
                break
            messages.append(pickle.loads(memoryview(buffer)[start + _HEADER.size:end]))
            start = end
        del buffer[:start]
        return messages


class StoreChild:
    """The parent's handle on the child: its pid and the parent's end of the socket pair."""

    def __init__(self, pid: int, sock: socket.socket, data_dir: Path) -> None:
        self.pid = pid
        self.sock = sock
        self.data_dir = data_dir
        self.status: int | None = None  # wait status once reaped

    @classmethod
    def start(cls, data_dir: Path | str) -> "StoreChild | None":
        """Fork the child, or None where forking is not safe or not possible (no `os.fork`, another
        thread running: a lock it holds would stay held in the child forever)."""
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return None
        from . import parser, store, sync  # noqa: F401 — imported once, here, and inherited by the child

        data_dir = Path(data_dir).expanduser()
        parent_end, child_end = socket.socketpair()
        try:
            pid = os.fork()
        except OSError:
            parent_end.close()
            child_end.close()
            return None
        if pid == 0:  # the child: never returns
            code = 70
            try:
                # The inherited objects are never collected here: left out of the collector's
                # passes, their pages stay shared with the parent instead of being copied.
                gc.freeze()
                parent_end.close()
                _detach(child_end.fileno())
                code = _serve(child_end, data_dir)
            finally:
                os._exit(code)
        child_end.close()
        parent_end.setblocking(False)
        return cls(pid, parent_end, data_dir)

    def share_lock(self, fd: int | None) -> None:
        """Hand the child the sync lock's descriptor, first thing once the sync holds it (the
        child waits for this byte before any page). A flock belongs to the open file, not to one
        descriptor: the data dir stays locked until the child exits too, so a parent killed
        mid-sync leaves no window in which a second sync runs while the child commits."""
        try:
            socket.send_fds(self.sock, [b"L"], [] if fd is None else [fd])
        except OSError:  # the child is gone: the sync finds out when it reads the socket
            pass

    def reap(self, timeout: float = STOP_WAIT) -> None:
        """Wait for the child to exit (it does once it has read EOF); kill it after `timeout`."""
        if self.status is not None:
            return
        deadline = time.monotonic() + timeout
        while True:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere (a SIGCHLD handler): nothing left to wait for
                self.status = -1
                return
            if pid:
                self.status = status
                return
            if time.monotonic() >= deadline:
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                deadline = float("inf")
                _, self.status = os.waitpid(self.pid, 0)
                return
            time.sleep(0.005)

    def stop(self) -> None:
        """On any way out of the command: EOF to the child (it commits what it parsed and exits), reap it."""
        try:
            self.sock.close()
        finally:
            self.reap()

    def describe_exit(self) -> str:
        status = self.status
        if status is None or status < 0:
            return "ended unexpectedly"
        if os.WIFSIGNALED(status):
            return f"was killed by signal {os.WTERMSIG(status)}"
        return f"exited with status {os.WEXITSTATUS(status)}"


def _detach(keep: int) -> None:
    """No terminal, no signal meant for the command, no descriptor but the socket (a held pipe end
    would keep a reader of the command's output waiting after the command ended)."""
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_IGN)
    try:
        os.setsid()  # its own session: terminal signals stay away, and the scheduler treats it apart
    except OSError:
        pass
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    try:  # the descriptors actually open (closing every possible number costs 65,000 system calls)
        open_fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        open_fds = range(3, 1024)
    for fd in open_fds:
        if fd > 2 and fd != keep:
            try:
                os.close(fd)
            except OSError:
                pass


def _serve(sock: socket.socket, data_dir: Path) -> int:
    """Parse each page sent, commit in batches, report each batch and each failure; 0 on EOF."""
    from . import parser
    from .errors import StoreError
    from .store import Store
    from .sync import COMMIT_AFTER, commit_at_once, judge_page, outcomes, save_batch, take_batch

    sock.setblocking(True)
    try:  # the sync lock (StoreChild.share_lock): held, never used, until this process exits
        first, _lock, _, _ = socket.recv_fds(sock, 1, 1)
    except OSError:
        first = b""
    if not first:
        return 0  # the command ended before its sync began: nothing was sent, nothing to commit
    frames = Frames()
    store = None
    pending: list = []  # sync._Parsed, not committed yet
    oldest = 0.0
    last_commit = float("-inf")
    parent_gone = False

    def send(message: object) -> None:
        nonlocal parent_gone
        if parent_gone:
            return
        try:
            sock.sendall(encode(message))
        except OSError:  # the parent died: commit anyway, nobody to tell
            parent_gone = True

    def commit() -> None:
        nonlocal store, last_commit
        while pending:
            batch = take_batch(pending)
            if store is None:
                store = Store.open(data_dir, seed_sample=False)
            changed = save_batch(store, batch)
            last_commit = time.monotonic()
            send(("committed", outcomes(batch, changed)))

    try:
        while True:
            timeout = None if not pending else max(0.0, COMMIT_AFTER - (time.monotonic() - oldest))
            readable, _, _ = select.select([sock], [], [], timeout)
            if not readable:
                commit()  # the oldest has waited COMMIT_AFTER
                continue
            try:
                data = sock.recv(1 << 20)
            except OSError:
                data = b""
            if not data:
                break  # EOF: the sync is over, cancelled, or the parent died
            for entry, body, content_type, etag, last_modified in frames.feed(data):
                parsed, reason = judge_page(parser, entry, body, content_type, etag, last_modified)
                if parsed is None:
                    send(("failed", entry, reason))
                    continue
                now = time.monotonic()
                if not pending:
                    oldest = now
                pending.append(parsed)
                if commit_at_once(len(pending), now - last_commit):
                    commit()
        commit()  # what was parsed is committed (a partial frame at EOF was never a whole page)
        send(("bye",))
        return 0
    except StoreError as exc:
        send(("store_error", str(exc.path), exc.reason))
        return 1
    except BaseException as exc:  # noqa: BLE001 — said to the parent, which ends the sync with it
        send(("crash", f"{type(exc).__name__}: {exc}"[:300]))
        return 1
