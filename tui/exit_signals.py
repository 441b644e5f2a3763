"""Signals that end the reader: through the app's normal exit, never by the default action.

SIGTERM (a service manager, `kill`), SIGHUP (the terminal window closed), SIGQUIT and SIGINT would
otherwise kill the process with the terminal still in raw mode, on the alternate screen, with mouse
reporting on, and the store open. Here they ask the app to exit; Textual's exit path restores the
terminal, `run_app` closes the store, and the process exits 128+n.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from contextlib import contextmanager

from textual.app import App

EXIT_SIGNALS = ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGINT")  # SIGINT: 130, as Ctrl-C is elsewhere


@contextmanager
def exit_on_signals(app: App) -> Iterator[list[int]]:
    """SIGTERM, SIGHUP (the terminal closed), SIGQUIT and SIGINT end the app through its normal exit,
    so the terminal modes are restored and the store closed; the caller exits 128+n. Yields the
    signals caught."""
    caught: list[int] = []

    def handler(signum: int, _frame: object) -> None:
        first = not caught
        caught.append(signum)
        if not first or not getattr(app, "ready", False):
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
