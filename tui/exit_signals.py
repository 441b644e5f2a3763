"""Signals that end the reader: through the app's normal exit, never by the default action.

SIGTERM (a service manager, `kill`), SIGHUP (the terminal window closed), SIGQUIT and SIGINT would
otherwise kill the process with the terminal still in raw mode, on the alternate screen, with mouse
reporting on, and the store open. Here they ask the app to exit; Textual's exit path restores the
terminal, `run_app` closes the store, and the process exits 128+n.

That exit can hang: a terminal that has gone away, or one nobody reads, can block the write that
restores it. So a second signal, or the first one not honoured within `GRACE_SECONDS`, ends the process
at once (`hard_exit`): `kill` always works, and the store loses nothing, because SQLite's journal
makes every commit durable and leaves an unfinished one out.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import signal
import termios
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from textual.app import App

EXIT_SIGNALS = ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGINT")  # SIGINT: 130, as Ctrl-C is elsewhere
GRACE_SECONDS = 5.0
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
        yield caught
    finally:
        for number, old in previous.items():
            signal.signal(number, old)
