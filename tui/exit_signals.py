"""Signals that end the reader: through the app's normal exit, never by the default action.

SIGTERM (a service manager, `kill`), SIGHUP (the terminal window closed), SIGQUIT and SIGINT would
otherwise kill the process with the terminal still in raw mode, on the alternate screen, with mouse
reporting on, and the store open. Here they ask the app to exit; Textual's exit path restores the
terminal, `run_app` closes the store, and the process exits 128+n.

That exit can hang: a terminal that has gone away, or one nobody reads, can block the write that
restores it. So a second signal, or the first one not honoured within `GRACE_SECONDS`, ends the process
at once (`hard_exit`): `kill` always works, and the store loses nothing, because SQLite's journal
makes every commit durable and leaves an unfinished one out.

A terminal can also go away without a SIGHUP: the reader started with `setsid` or `nohup`, or by a
program that holds the terminal but is not its session (an SSH client that died). Its input then reads
as end-of-file forever, and Textual's input thread spins on it at a full core (Textualize/textual PR
#6690, not merged). `watch_hangup` notices the hang-up without reading a byte (poll reports it even
when asked for nothing) and sends the process the SIGHUP that never came.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import select
import signal
import termios
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from textual.app import App

EXIT_SIGNALS = ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGINT")  # SIGINT: 130, as Ctrl-C is elsewhere
GRACE_SECONDS = 5.0
HANGUP_SETTLE_MS = 500
# What Textual turns on, turned off: alternate screen, hidden cursor, mouse and paste reporting.
_RESET = b"\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l\x1b[?2004l\x1b[?25h\x1b[?1049l"


def hard_exit(status: int) -> None:
    """End the process now, giving the terminal back as far as can be done without blocking."""
    try:
        if os.isatty(1):
            fcntl.fcntl(1, fcntl.F_SETFL, fcntl.fcntl(1, fcntl.F_GETFL) | os.O_NONBLOCK)
            os.write(1, _RESET)
        if os.isatty(0):
            attrs = termios.tcgetattr(0)
            attrs[3] |= termios.ECHO | termios.ICANON | termios.ISIG | termios.IEXTEN
            termios.tcsetattr(0, termios.TCSANOW, attrs)
    except OSError:
        pass  # the terminal is gone or full: nothing more to give back
    os._exit(status)


@contextmanager
def watch_hangup(fd: int, on_hangup: Callable[[], object]) -> Iterator[None]:
    """Call `on_hangup` (from a thread) if `fd`, a terminal, hangs up while the block runs.

    poll() asked for no events still reports POLLHUP and POLLERR, so nothing is read from the
    terminal (its input stays Textual's). A pipe of our own ends the watch when the block does."""
    if not os.isatty(fd):
        yield
        return
    stop_read, stop_write = os.pipe()
    poller = select.poll()
    poller.register(fd, 0)
    poller.register(stop_read, select.POLLIN)

    def watch() -> None:
        while True:
            events = dict(poller.poll())
            if stop_read in events:
                return
            if events.get(fd, 0) & (select.POLLHUP | select.POLLERR | select.POLLNVAL):
                # A controlling terminal's hang-up also brings the kernel's SIGHUP: let it land
                # first, so `on_hangup` can tell whether it came.
                poller.unregister(fd)
                if not poller.poll(HANGUP_SETTLE_MS):
                    on_hangup()
                return

    watcher = threading.Thread(target=watch, name="hangup-watch", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        os.write(stop_write, b"x")
        watcher.join(1.0)
        os.close(stop_read)
        os.close(stop_write)


@contextmanager
def exit_on_signals(app: App) -> Iterator[list[int]]:
    """SIGTERM, SIGHUP (the terminal closed), SIGQUIT and SIGINT end the app through its normal exit,
    so the terminal modes are restored and the store closed; the caller exits 128+n. Yields the
    signals caught."""
    caught: list[int] = []

    def handler(signum: int, _frame: object) -> None:
        first = not caught
        caught.append(signum)
        if not first:
            hard_exit(128 + caught[0])  # asked twice: the normal exit is stuck or too slow
        watchdog = threading.Timer(GRACE_SECONDS, hard_exit, (128 + signum,))
        watchdog.daemon = True
        watchdog.start()
        if not getattr(app, "ready", False):
            return  # still starting: main_ready looks at `caught` (exiting mid-compose breaks the screen)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # the app has stopped already; the caller still exits 128+n
        loop.call_soon_threadsafe(app.exit, 128 + signum)

    previous = {}
    for name in EXIT_SIGNALS:
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, handler)
    app.exit_signals = caught
    try:
        # Only the SIGHUP that never came: a second one would end the reader at once, store unclosed.
        with watch_hangup(0, lambda: caught or os.kill(os.getpid(), signal.SIGHUP)):
            yield caught
    finally:
        for number, old in previous.items():
            signal.signal(number, old)
