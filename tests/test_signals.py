"""Issue 13: SIGTERM, SIGHUP and SIGQUIT end the reader through its normal exit path.

The real `sz-digest` runs in a pseudo-terminal; we send it a real signal and read every byte it
wrote: the terminal modes it turned on (alternate screen, mouse reporting, raw mode) must be turned
off again, the store closed (its WAL checkpointed away) and the exit status 128+n.
"""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import sys
import termios
import time
from datetime import date

import pytest

from conftest import make_digest
from test_terminal_injection import _read
from sz_digest.cache.store import Store

COLUMNS, LINES = 100, 30


def _store(path) -> None:
    store = Store.open(path, seed_sample=False)
    store.save_digest(make_digest("1600001", date(2026, 3, 9), [("futian", "信号测试标题", "正文。")]), b"x")
    store.close()


def _start(data_dir, *extra: str) -> tuple[int, int, bytes]:
    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(COLUMNS), LINES=str(LINES), LANG="en_US.UTF-8")
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(sys.executable, [sys.executable, "-m", "sz_digest.tui.cli", "--data-dir", str(data_dir),
                                    "--offline", "--lang", "en", *extra], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    output = b""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "信号测试标题".encode() not in output:
        output += _read(fd, 0.2)
    assert "信号测试标题".encode() in output, "the reader did not start"
    output += _read(fd, 0.5)  # let it settle into its event loop
    return pid, fd, output


def _finish(pid: int, fd: int, timeout: float = 10.0) -> tuple[bytes, int]:
    output = b""
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        output += _read(fd, 0.1)
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            output += _read(fd, 0.2)
            break
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail("the reader did not exit after the signal")
    return output, status


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP", "SIGQUIT", "SIGINT"])
def test_a_signal_restores_the_terminal_closes_the_store_and_exits_128_plus_n(tmp_path, signame):
    data = tmp_path / "data"
    _store(data)
    pid, fd, started = _start(data)
    try:
        # What the reader switched on, so we know what must be switched off.
        assert b"\x1b[?1049h" in started and b"\x1b[?1000h" in started
        number = getattr(signal, signame)
        os.kill(pid, number)
        output, status = _finish(pid, fd)
        assert os.waitstatus_to_exitcode(status) == 128 + number
        assert b"\x1b[?1049l" in output, "alternate screen left on"
        assert b"\x1b[?1000l" in output and b"\x1b[?1003l" in output, "mouse reporting left on"
        # Raw mode undone: the pty pair's line discipline echoes and is canonical again.
        lflag = termios.tcgetattr(fd)[3]
        assert lflag & termios.ECHO and lflag & termios.ICANON
        assert b"Traceback" not in output
    finally:
        os.close(fd)
    assert not (data / "sz-digest.sqlite3-wal").exists(), "the store was not closed"
    with Store.open(data, seed_sample=False) as store:
        assert store.integrity_ok() and store.known_ids() == {"1600001"}


def test_a_signal_during_start_up_still_ends_cleanly(tmp_path):
    data = tmp_path / "data"
    _store(data)
    env = dict(os.environ, TERM="xterm-256color", LANG="en_US.UTF-8")
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(sys.executable, [sys.executable, "-m", "sz_digest.tui.cli", "--data-dir", str(data),
                                    "--offline", "--lang", "en"], env)
    try:
        output = b""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and b"\x1b[?1049h" not in output:  # the first mode switch
            output += _read(fd, 0.02)
        os.kill(pid, signal.SIGTERM)
        rest, status = _finish(pid, fd)
        assert os.waitstatus_to_exitcode(status) == 128 + signal.SIGTERM
        assert b"\x1b[?1049l" in output + rest and b"Traceback" not in output + rest
    finally:
        os.close(fd)


def test_closing_the_terminal_ends_the_reader_and_closes_the_store(tmp_path):
    """What closing the terminal window does: the pty master goes away, the kernel sends SIGHUP, and
    every write to the terminal fails from then on."""
    data = tmp_path / "data"
    _store(data)
    pid, fd, _ = _start(data)
    os.close(fd)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail("the reader kept running after its terminal closed")
    assert os.waitstatus_to_exitcode(status) == 128 + signal.SIGHUP
    assert not (data / "sz-digest.sqlite3-wal").exists(), "the store was not closed"
    with Store.open(data, seed_sample=False) as store:
        assert store.integrity_ok()


def test_a_terminal_gone_without_a_sighup_still_ends_the_reader(tmp_path):
    """A reader in a session of its own (`setsid`, or a terminal held by a program that died) gets no
    SIGHUP when its terminal goes: its input reads as end-of-file forever, which kept Textual's input
    thread spinning at a full core. The hang-up is noticed and ends the reader as a SIGHUP would."""
    import subprocess

    data = tmp_path / "data"
    _store(data)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", LANG="en_US.UTF-8")
    reader = subprocess.Popen([sys.executable, "-m", "sz_digest.tui.cli", "--data-dir", str(data), "--offline",
                               "--lang", "en"], stdin=slave, stdout=slave, stderr=slave, env=env,
                              start_new_session=True)  # the pty is not its controlling terminal
    os.close(slave)
    try:
        output = b""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "信号测试标题".encode() not in output:
            output += _read(master, 0.2)
        assert "信号测试标题".encode() in output, "the reader did not start"
        output += _read(master, 0.5)
    finally:
        os.close(master)
    try:
        code = reader.wait(timeout=15)
    except subprocess.TimeoutExpired:
        reader.kill()
        reader.wait()
        pytest.fail("the reader kept running after its terminal went away")
    assert code == 128 + signal.SIGHUP
    assert not (data / "sz-digest.sqlite3-wal").exists(), "the store was not closed"
    with Store.open(data, seed_sample=False) as store:
        assert store.integrity_ok() and store.known_ids() == {"1600001"}


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_a_signal_during_sync_gives_the_cursor_back_and_keeps_what_was_saved(tmp_path, signame):
    try:
        from tests.loopback import LoopbackServer, make_column
    except ImportError:
        from loopback import LoopbackServer, make_column

    data = tmp_path / "data"
    with LoopbackServer(make_column(digests=60, non_digests=0, per_page=10), latency=0.2) as srv:
        pid, fd = pty.fork()
        if pid == 0:
            os.execvpe(sys.executable, [sys.executable, "-m", "sz_digest.tui.cli", "--data-dir", str(data),
                                        "--source", srv.source, "sync"], dict(os.environ, TERM="xterm-256color"))
        try:
            output = b""
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and b"\x1b[?25l" not in output:  # the progress display is up
                output += _read(fd, 0.1)
            output += _read(fd, 1.0)
            number = getattr(signal, signame)
            os.kill(pid, number)
            rest, status = _finish(pid, fd)
        finally:
            os.close(fd)
        output += rest
        assert os.waitstatus_to_exitcode(status) == 128 + number
        assert output.rfind(b"\x1b[?25h") > output.rfind(b"\x1b[?25l"), "the cursor was left hidden"
        assert b"Traceback" not in output and f"stopped by signal {number}".encode() in output
        with Store.open(data, seed_sample=False) as store:
            assert store.integrity_ok()
            kept = store.known_ids() - store.sample_ids()
        assert kept, "nothing was saved before the signal"


_STUCK_APP = """
import asyncio, sys
from sz_digest.tui import exit_signals
exit_signals.GRACE_SECONDS = float(sys.argv[1])

class StuckApp:
    ready = True
    exit_signals = []
    def exit(self, code):  # an exit that never finishes, as when the terminal write blocks
        pass

async def main():
    print("ready", flush=True)
    await asyncio.sleep(120)

with exit_signals.exit_on_signals(StuckApp()):
    asyncio.run(main())
"""


def _run_stuck(grace: float, signals: int) -> tuple[int, bytes]:
    """A process whose normal exit is stuck, in a pty, sent SIGTERM `signals` times."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(sys.executable, [sys.executable, "-c", _STUCK_APP, str(grace)])
    try:
        output = b""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and b"ready" not in output:
            output += _read(fd, 0.05)
        assert b"ready" in output
        for _ in range(signals):
            os.kill(pid, signal.SIGTERM)
            time.sleep(0.1)
        rest, status = _finish(pid, fd, timeout=15.0)
        return os.waitstatus_to_exitcode(status), output + rest
    finally:
        os.close(fd)


def test_a_stuck_exit_still_ends_after_the_grace_period_and_gives_the_terminal_back():
    code, output = _run_stuck(grace=0.5, signals=1)
    assert code == 128 + signal.SIGTERM
    assert b"\x1b[?1049l" in output and b"\x1b[?25h" in output


def test_a_second_signal_ends_at_once():
    # The grace period is far longer than _finish waits: only the second signal can end it in time.
    code, _ = _run_stuck(grace=600.0, signals=2)
    assert code == 128 + signal.SIGTERM
