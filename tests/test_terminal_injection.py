"""End to end: a hostile page, the real `sz-digest` in a pseudo-terminal, and the bytes it writes.

The page's title and body carry Rich/Textual markup, ESC sequences (screen clear, OSC 52 clipboard
write, OSC 8 hyperlink), BEL, a C1 CSI, bidi overrides and zero-width characters. Nothing the page
wrote may reach the terminal as control, and its brackets must show literally. `pyte` renders the
byte stream into the screen a user would see.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from datetime import date

import pyte

from conftest import make_digest
from sz_digest.cache.store import Store

COLUMNS, LINES = 120, 40
HOSTILE_TITLE = "[bold red]紧急[/bold red]\x1b[2J\u202e通知\u200b"
HOSTILE_BODY = (
    "[link=http://markup.evil/]点我[/link] [@click=app.quit]退出[/] [ @click=app.quit]空格[/] [$accent]变量[/] [/"
    "\x1b]52;c;ZXZpbA==\x07剪贴板\x1b]8;;http://osc8.evil/\x1b\\链接\x1b]8;;\x1b\\响铃\x07C1\x9b31m控制\u2066隔离\u2069"
)


def _hostile_store(path) -> None:
    store = Store.open(path, seed_sample=False)
    store.save_digest(make_digest("1600001", date(2026, 3, 9), [("futian", HOSTILE_TITLE, HOSTILE_BODY)]), b"x")
    store.close()


def _read(fd: int, timeout: float) -> bytes:
    chunks = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if not ready:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks)


def _run_in_pty(data_dir, keys_after_start: bytes = b"") -> tuple[bytes, int, pyte.Screen]:
    screen = pyte.Screen(COLUMNS, LINES)
    stream = pyte.ByteStream(screen)
    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(COLUMNS), LINES=str(LINES), LANG="en_US.UTF-8")
    pid, fd = pty.fork()
    if pid == 0:  # child: the real command line, as a user would start it
        os.execvpe(sys.executable, [sys.executable, "-m", "sz_digest.tui.cli", "--data-dir", str(data_dir),
                                    "--offline", "--lang", "en"], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    output = b""
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            chunk = _read(fd, 0.3)
            output += chunk
            stream.feed(chunk)
            if any("紧急" in line for line in screen.display):
                break
        for key in keys_after_start:
            os.write(fd, bytes([key]))
            chunk = _read(fd, 0.3)
            output += chunk
            stream.feed(chunk)
        chunk = _read(fd, 1.0)  # settle: a page-triggered quit would happen here
        output += chunk
        stream.feed(chunk)
        still_running = os.waitpid(pid, os.WNOHANG) == (0, 0)
        assert still_running, "the app exited by itself: page text acted as a command"
        os.write(fd, b"q")
        output += _read(fd, 5.0)
        _, status = os.waitpid(pid, 0)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    finally:
        os.close(fd)
    return output, os.waitstatus_to_exitcode(status), screen


def test_hostile_page_in_a_real_terminal(tmp_path):
    _hostile_store(tmp_path / "data")
    output, code, screen = _run_in_pty(tmp_path / "data")
    text = output.decode("utf-8", errors="replace")
    shown = "\n".join(screen.display).replace(" ", "")
    # The viewer pane's text, its wrapped lines joined back up (the right-hand pane of the layout).
    viewer = "".join(
        screen.buffer[y][x].data for y in range(LINES) for x in range(56, COLUMNS - 1)
    ).replace(" ", "").replace("│", "")

    assert code == 0
    # The page's escape sequences never reach the terminal.
    assert b"ZXZpbA==" not in output, "OSC 52 clipboard payload was written"
    assert b"osc8.evil" not in output, "the page's OSC 8 hyperlink was written"
    assert not re.search(rb"\x1b\]8;[^\x07\x1b]*markup\.evil", output), "markup [link] became a hyperlink"
    assert "\u009b" not in text and "\u202e" not in text and "\u2066" not in text and "\u200b" not in text
    # Brackets show literally, exactly as the page wrote them.
    assert "[boldred]紧急[/boldred]通知" in shown
    for literal in ("[link=http://markup.evil/]点我[/link]", "[@click=app.quit]退出[/]", "[@click=app.quit]空格[/]",
                    "[$accent]变量[/]", "[/剪贴板链接响铃C1控制隔离"):
        assert literal in viewer
    # The terminal is given back: the alternate screen is left.
    assert b"\x1b[?1049l" in output


def test_hostile_page_survives_navigation_and_help(tmp_path):
    """Moving around (next/previous week, help, back) with a hostile page on screen never crashes."""
    _hostile_store(tmp_path / "data")
    output, code, screen = _run_in_pty(tmp_path / "data", keys_after_start=b"np?\x1b")
    assert code == 0
    assert b"Traceback" not in output
