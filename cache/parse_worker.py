"""Parse digest pages in a child process, so a big first sync's parsing leaves the sync's GIL.

Every part of a sync in one process — the event loop, the fetcher, the parser's threads, the writer —
shares one GIL; parsing (selectolax plus a lot of Python) is the largest share of it that needs no
shared state. When a sync has many digests to parse (`cache/sync.py` decides), it starts one
`ParseWorker`: a child interpreter running `main()` below, fed pages over its stdin and answering
on its stdout, the pipes driven by the sync's own event loop (no executor threads, no extra locks).

Why a plain child process and not `concurrent.futures.ProcessPoolExecutor`: a pool adds a feeder and
a manager thread in the parent (more GIL traffic, the thing this is for), and its workers hold both
ends of their task queue, so a parent killed with SIGKILL leaves them waiting for ever. Here the
child's only input is its stdin: when the parent dies, for any reason, the pipe closes and the child
exits. Its stderr goes nowhere (a traceback must never land on the reader's screen) and it ignores
SIGINT (Ctrl-C goes to the whole terminal group; the parent decides what a cancel means).

Messages are length-prefixed pickles of plain data: (seq, body, url, content_type) in, (seq, kind,
value) out, kind "ok" (a `model.Digest`), "parse_error" (`ParseError.reason`) or "error" (the text
the sync reports for a parser bug). Pickles are only ever read from this process's own child (or,
in the child, from its parent), never from anything on the network.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
import struct
import sys

_HEADER = struct.Struct("!I")
_READY = -1  # the seq of the child's first message: the parser is imported, pages can come


class WorkerGone(Exception):
    """The child exited (crashed, killed) with pages still unanswered; those pages' parse failed."""


class ParseWorker:
    """One child process parsing digest pages in order. Use `await start()`, `await parse(...)`,
    `await close()` (or `kill()` where nothing can be awaited). Never raises out of `start` for a
    child that cannot start: it returns False and the caller parses in-process."""

    def __init__(self) -> None:
        self.proc: asyncio.subprocess.Process | None = None
        self.pending: dict[int, asyncio.Future] = {}
        self.seq = 0
        self.reader: asyncio.Task | None = None
        self.ready = False
        self.gone = False
        self.started = asyncio.Event()  # set when `start` has finished, whether the child runs or not

    @property
    def pid(self) -> int | None:
        return None if self.proc is None else self.proc.pid

    async def start(self) -> bool:
        """Start the child and wait until it has imported the parser; False if it could not."""
        try:
            return await self._start()
        finally:
            self.started.set()

    async def _start(self) -> bool:
        try:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-c", _child_code(), stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
                start_new_session=True)
        except (OSError, ValueError, RuntimeError):
            self.gone = True
            return False
        ready = asyncio.get_running_loop().create_future()
        self.pending[_READY] = ready
        self.reader = asyncio.get_running_loop().create_task(self._read())
        try:
            await ready
        except WorkerGone:
            return False
        self.ready = True
        return True

    async def parse(self, body: bytes, url: str, content_type: str | None) -> tuple[str, object]:
        """("ok", Digest) / ("parse_error", reason) / ("error", text); raises WorkerGone."""
        if self.gone or self.proc is None or self.proc.stdin is None:
            raise WorkerGone("parse worker is not running")
        self.seq += 1
        seq = self.seq
        future = asyncio.get_running_loop().create_future()
        self.pending[seq] = future
        data = pickle.dumps((seq, body, url, content_type), pickle.HIGHEST_PROTOCOL)
        try:
            self.proc.stdin.write(_HEADER.pack(len(data)) + data)
            await self.proc.stdin.drain()
        except (OSError, RuntimeError) as exc:  # the pipe broke: the child is gone
            self.pending.pop(seq, None)
            self._fail_all()
            raise WorkerGone(f"parse worker exited ({type(exc).__name__})") from None
        try:
            return await future
        finally:
            self.pending.pop(seq, None)

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        stdout = self.proc.stdout
        try:
            while True:
                header = await stdout.readexactly(_HEADER.size)
                data = await stdout.readexactly(_HEADER.unpack(header)[0])
                seq, kind, value = pickle.loads(data)
                future = self.pending.pop(seq, None)
                if future is not None and not future.done():
                    future.set_result((kind, value))
        except (asyncio.IncompleteReadError, OSError, pickle.UnpicklingError, ValueError, EOFError):
            pass
        finally:
            self._fail_all()

    def _fail_all(self) -> None:
        self.gone = True
        code = None if self.proc is None else self.proc.returncode
        for future in self.pending.values():
            if not future.done():
                future.set_exception(WorkerGone(f"parse worker exited{'' if code is None else f' ({code})'}"))
        self.pending.clear()

    def kill(self) -> None:
        """Stop the child now (a cancel or a failing sync: nothing it has not answered is wanted)."""
        self.gone = True
        if self.proc is not None and self.proc.returncode is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass
        if self.reader is not None:
            self.reader.cancel()
        self._fail_all()

    async def close(self) -> None:
        """End the child and reap it (waits at most a couple of seconds, then kills)."""
        if self.proc is None:
            return
        proc = self.proc
        if proc.returncode is None and proc.stdin is not None:
            proc.stdin.close()  # EOF: the child exits by itself
            try:
                await asyncio.wait_for(proc.wait(), 2.0)
            except (asyncio.TimeoutError, OSError):
                pass
        self.kill()
        try:
            await asyncio.wait_for(proc.wait(), 2.0)
        except (asyncio.TimeoutError, OSError):
            pass
        if self.reader is not None:
            try:
                await self.reader
            except BaseException:  # noqa: BLE001 — cancelled by kill(); nothing to report
                pass


def _child_code() -> str:
    """The child's program: the parent's sys.path (a benchmark or test may have put this package on
    it at run time), then this module's `main`."""
    package = __name__.rpartition(".")[0]
    return (f"import sys; sys.path[:0] = {[p for p in sys.path if p]!r}; "
            f"from {package}.parse_worker import main; main()")


def _read_exactly(stream, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def main() -> None:
    """The child: answer pages until stdin closes (the parent finished, cancelled or died)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = os.fdopen(os.dup(1), "wb")
    sys.stdout = open(os.devnull, "w")  # a stray print must not corrupt the answers
    stdin = sys.stdin.buffer
    from . import parser
    from .errors import ParseError

    def send(message) -> None:
        try:
            data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 — a record that cannot travel fails that post
            data = pickle.dumps((message[0], "error", f"{type(exc).__name__}: {exc}"), pickle.HIGHEST_PROTOCOL)
        out.write(_HEADER.pack(len(data)) + data)
        out.flush()

    send((_READY, "ok", None))
    while True:
        header = _read_exactly(stdin, _HEADER.size)
        if header is None:
            return
        data = _read_exactly(stdin, _HEADER.unpack(header)[0])
        if data is None:
            return
        seq, body, url, content_type = pickle.loads(data)
        try:
            answer = (seq, "ok", parser.parse_digest(body, url, content_type))
        except ParseError as exc:
            answer = (seq, "parse_error", exc.reason)
        except Exception as exc:  # noqa: BLE001 — a parser bug fails that post, as in-process
            answer = (seq, "error", f"{type(exc).__name__}: {exc}")
        try:
            send(answer)
        except BrokenPipeError:
            return
