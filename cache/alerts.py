"""Telling people about new matches: desktop notifications, terminal escapes, and the `on_new` hook.

Every path here is best effort and bounded: a missing notification daemon, a hook that fails or
hangs, never breaks or blocks a sync (the store is committed before any of this runs). Titles are
scraped text: cleaned of controls (`clean_line`) before any of them leaves the process, escaped for
notification servers that read markup, and stripped of `;` inside terminal escapes.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple, TextIO

from .text import clean_line

if TYPE_CHECKING:
    from .watches import Alert

MAX_TITLES = 5  # a notification names at most this many items, then says how many more
MAX_TITLE_CHARS = 80


class Notice(NamedTuple):
    title: str  # plain text, clean
    body: str  # plain text, clean: one item title per line


def notice_for(alert: Alert) -> Notice:
    """`sz-digest · 养老: 3 new` over the new items' titles (newest first)."""
    hits = alert.hits
    lines = []
    for hit in hits[:MAX_TITLES]:
        title = clean_line(hit.title)
        if len(title) > MAX_TITLE_CHARS:
            title = title[:MAX_TITLE_CHARS - 1] + "…"
        lines.append(f"{clean_line(hit.district_name)}：{title}")
    if len(hits) > MAX_TITLES:
        lines.append(f"… and {len(hits) - MAX_TITLES} more")
    return Notice(f"sz-digest · {clean_line(alert.watch.name)}: {len(hits)} new", "\n".join(lines))


# -- desktop notifications ----------------------------------------------------------------------

def _desktop_session() -> bool:
    """Whether a desktop notifier can reach anything: on Linux/BSD that needs a session bus."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DBUS_SESSION_BUS_ADDRESS"))


def _send_desktop_notifier(notice: Notice) -> None:
    import asyncio
    import logging

    from desktop_notifier import DesktopNotifier

    class Failures(logging.Handler):
        """desktop-notifier logs a failed send (with a traceback) instead of raising: catch that."""

        def __init__(self) -> None:
            super().__init__(logging.WARNING)
            self.seen: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.seen.append(record.getMessage())

    logger = logging.getLogger("desktop_notifier")
    failures = Failures()
    logger.addHandler(failures)
    propagate, logger.propagate = logger.propagate, False  # its traceback is not for the user's terminal
    try:
        notifier = DesktopNotifier(app_name="sz-digest")
        # Servers may read <b>/<a> in the body: page text must stay text.
        asyncio.run(asyncio.wait_for(notifier.send(title=notice.title, message=html.escape(notice.body)), 10))
    finally:
        logger.removeHandler(failures)
        logger.propagate = propagate
    if failures.seen:
        raise RuntimeError(failures.seen[0])


def _send_notify_send(notice: Notice) -> None:
    subprocess.run(["notify-send", "--app-name=sz-digest", "--", notice.title, html.escape(notice.body)],
                   check=True, timeout=10, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def terminal_escape(notice: Notice, *, env: dict[str, str] | None = None) -> str:
    """OSC 777 for VTE-family terminals and urxvt, OSC 9 (iTerm2, Windows Terminal, WezTerm…) otherwise."""
    env = os.environ if env is None else env
    # The escape ends at BEL and separates fields with ';': neither may come from the text.
    title = clean_line(notice.title).replace(";", ",")
    body = " · ".join(clean_line(line).replace(";", ",") for line in notice.body.splitlines())
    if env.get("VTE_VERSION") or "rxvt" in env.get("TERM", ""):
        return f"\x1b]777;notify;{title};{body}\x07"
    return f"\x1b]9;{title}: {body}\x07"


def notify(notice: Notice, *, terminal: TextIO | None = None,
           backends: Sequence[tuple[str, Callable[[Notice], None]]] | None = None) -> str:
    """Show `notice` the first way that works; return which ("desktop-notifier", "notify-send",
    "terminal"), or "" when nothing could show it (no desktop session and no terminal)."""
    if backends is None:
        backends = []
        if _desktop_session():
            backends.append(("desktop-notifier", _send_desktop_notifier))
            if shutil.which("notify-send"):
                backends.append(("notify-send", _send_notify_send))
    for name, send in backends:
        try:
            send(notice)
            return name
        except Exception:  # noqa: BLE001 — a notifier failing means: try the next way
            continue
    if terminal is not None and terminal.isatty():
        terminal.write(terminal_escape(notice))
        terminal.flush()
        return "terminal"
    return ""


# -- the on_new hook ----------------------------------------------------------------------------

class HookResult(NamedTuple):
    watch: str
    ok: bool
    problem: str  # empty when ok


def run_hook(command: Sequence[str], alert: Alert, *, timeout: float) -> HookResult:
    """Run the user's `on_new` command with the watch's new matches as JSON on stdin.

    stdin holds exactly what `search --json` prints for those items; SZ_DIGEST_WATCH and
    SZ_DIGEST_QUERY name the watch. The command runs in its own process group, killed with
    everything it started when `timeout` seconds pass.
    """
    payload = (json.dumps([hit.to_json() for hit in alert.hits], ensure_ascii=False, indent=2) + "\n").encode()
    env = {**os.environ, "SZ_DIGEST_WATCH": alert.watch.name, "SZ_DIGEST_QUERY": alert.watch.query}
    name = alert.watch.name
    try:
        process = subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, env=env, start_new_session=True)
    except OSError as exc:
        return HookResult(name, False, f"cannot run {command[0]!r}: {exc.strerror or exc}")
    try:
        _, err = process.communicate(payload, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        return HookResult(name, False, f"timed out after {timeout:g} s and was stopped")
    except BrokenPipeError:  # it exited without reading stdin: judge it by its exit status
        err = b""
        process.wait()
    if process.returncode != 0:
        last = clean_line(err.decode("utf-8", "replace").strip().splitlines()[-1]) if err.strip() else ""
        status = f"exit status {process.returncode}" if process.returncode > 0 else f"signal {-process.returncode}"
        return HookResult(name, False, f"failed ({status})" + (f": {last[:200]}" if last else ""))
    return HookResult(name, True, "")


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        process.kill()
    try:
        process.communicate(timeout=5)
    except (subprocess.TimeoutExpired, ValueError, OSError):
        pass
