"""The reader in a real terminal: keys in, time until the screen shows the new content; RSS over time.

    python bench/term_probe.py DATA_DIR [--switches 300] [--keys 100] [--quiet-ms 60] [--profile PATH]

Run by bench/run.py through bench/launch.py, so this process is small and fresh. It starts
`sz-digest --offline --lang zh` on a pseudo-terminal of 120×40 (TERM=xterm-256color), reads every
byte the app writes and feeds it to a terminal emulator (pyte), so "on screen" means what a user's
terminal shows, not what Textual composited.

One key press is timed from the moment its bytes are written to the pty to the arrival of the
last output that changed a character on the emulated screen, where "last" means no further output
came within `--quiet-ms` (60 ms: more than three 60 Hz frames). So an update that lands a frame
after the cursor moved is counted in, and a key that changes nothing would count as 0 (we check
that every timed key changed something).

Sequence (the app's focus starts on the week list):
1. wait until the first screen is complete and the output has been quiet for 1 s; RSS (VmRSS of
   the app's process) = `rss_start`;
2. `n` × `--switches` (300), each timed; then 1 s idle; RSS = `rss_after_switches`;
3. `j` × `--keys`, each timed (the cursor moves down the week list, the viewer previews that week);
4. `shift+tab` (focus the district sidebar, left of the week list) and `j` (onto the first
   district), then `space` × `--keys`, each timed (toggles the district under the cursor in and
   out of the filter); `j` between pairs, untimed, to vary the district;
5. `q`; the app's VmHWM (its own peak RSS) is read just before.

Besides the latencies, the app's own CPU time per timed key (mean, from /proc/PID/stat) is
reported as `cpu_ms_per_key`: on a shared machine it moves much less than wall time does.

Prints one JSON line. Not a test: nothing is asserted here.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

import pyte

COLS, ROWS = 120, 40
PROGRAM = "import sys; from sz_digest.tui.cli import main; sys.exit(main())"
PROFILED = ("import cProfile, os, sys; from sz_digest.tui.cli import main; profile = cProfile.Profile(); "
            "profile.enable(); status = main(); profile.disable(); "
            "profile.dump_stats(os.environ['SZ_DIGEST_PROBE_PROFILE']); sys.exit(status)")
"""`--profile PATH`: the app under cProfile, its stats written to PATH when it quits (what a key
costs in a real terminal: the compositor, `ChopsUpdate.render_segments`, the driver's writes)."""
KEYS = {"n": b"n", "j": b"j", "shift+tab": b"\x1b[Z", "space": b" ", "q": b"q"}


class Terminal:
    """The app on a pty, its output rendered by pyte."""

    def __init__(self, data_dir: str, profile: str | None = None) -> None:
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
        env.update(TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(ROWS),
                   SZ_DIGEST_CONFIG=os.devnull + ".absent.toml")
        env.pop("SZ_DIGEST_HOME", None)
        if profile:
            env["SZ_DIGEST_PROBE_PROFILE"] = str(Path(profile).resolve())
        program = PROFILED if profile else PROGRAM
        args = [sys.executable, "-c", program, "--data-dir", data_dir, "--offline", "--lang", "zh"]
        pid, fd = pty.fork()
        if pid == 0:  # the child: size the terminal before the app asks for it
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
            os.execve(sys.executable, args, env)
        self.pid, self.fd = pid, fd
        self.lines = [""] * ROWS

    def _feed(self, data: bytes) -> bool:
        """Render `data`; whether any character on screen changed."""
        self.screen.dirty.clear()
        self.stream.feed(data)
        changed = False
        for y in self.screen.dirty:
            if 0 <= y < ROWS:
                row = self.screen.buffer[y]
                text = "".join(row[x].data for x in range(COLS))
                if text != self.lines[y]:
                    self.lines[y] = text
                    changed = True
        return changed

    def drain(self, quiet: float, limit: float = 30.0, first: float | None = None) -> tuple[float | None, int]:
        """Read until `quiet` seconds pass without output (waiting up to `first` seconds for the
        first output, when given); (when the screen last changed, bytes read).

        Chunks are only timestamped while reading and rendered afterwards: pyte is slow enough that
        rendering as they come would delay the timestamps of the chunks behind."""
        chunks: list[tuple[float, bytes]] = []
        total = 0
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            wait = first if first is not None and not total else quiet
            ready, _, _ = select.select([self.fd], [], [], wait)
            if not ready:
                break
            try:
                data = os.read(self.fd, 65536)
            except OSError:  # the app exited
                break
            if not data:
                break
            chunks.append((time.perf_counter(), data))
            total += len(data)
        last_change = None
        for at, data in chunks:
            if self._feed(data):
                last_change = at
        return last_change, total

    def press(self, key: str, quiet: float) -> float | None:
        """Send one key; seconds until the last screen change it caused (None: nothing changed)."""
        started = time.perf_counter()
        os.write(self.fd, KEYS[key])
        # A busy machine may take longer than `quiet` to answer at all: wait for the first output.
        changed, _ = self.drain(quiet, first=2.0)
        return None if changed is None else changed - started

    def text(self) -> str:
        return "\n".join(self.lines)

    def cpu_seconds(self) -> float:
        """The app's CPU time so far (user + system, /proc/PID/stat; clock ticks of 10 ms, so only
        a sum over many keys means anything)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def status(self, field: str) -> int:
        """A VmRSS/VmHWM line of the app's /proc status, in KiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        return 0


def wait_ready(term: Terminal, timeout: float = 60.0) -> float:
    """Until the first screen is drawn (status line shows the week count) and output is quiet for 1 s."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        term.drain(0.2, limit=1.0)
        if "周" in term.text() and term.drain(1.0)[1] == 0:
            return time.perf_counter() - started
    raise RuntimeError("the reader never drew its first screen:\n" + term.text())


def timed(term: Terminal, key: str, count: int, quiet: float, between: str | None = None,
          cpu: dict | None = None) -> tuple[list[float], int]:
    """Press `key` `count` times, each timed; with `cpu`, add the app's CPU seconds per timed key
    (its mean over the run, the untimed `between` keys excluded) under `cpu[key]`."""
    times, unchanged = [], 0
    spent = 0.0
    for n in range(count):
        if between and n % 2 == 0 and n:
            term.press(between, quiet)
        before = term.cpu_seconds()
        elapsed = term.press(key, quiet)
        spent += term.cpu_seconds() - before
        if elapsed is None:
            unchanged += 1
        else:
            times.append(elapsed)
    if cpu is not None:
        cpu[key] = spent / max(1, count)
    return times, unchanged


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir")
    ap.add_argument("--switches", type=int, default=300)
    ap.add_argument("--keys", type=int, default=100)
    ap.add_argument("--quiet-ms", type=float, default=60.0)
    ap.add_argument("--profile", metavar="PATH", help="run the app under cProfile; write its stats to PATH")
    args = ap.parse_args(argv)
    quiet = args.quiet_ms / 1000
    term = Terminal(args.data_dir, args.profile)
    result: dict = {}
    try:
        result["ready_s"] = round(wait_ready(term), 3)
        result["rss_start_kib"] = term.status("VmRSS")
        cpu: dict = {}
        result["n"], result["n_unchanged"] = timed(term, "n", args.switches, quiet, cpu=cpu)
        term.drain(1.0, limit=3.0)
        time.sleep(1.0)
        term.drain(0.1)
        result["rss_after_switches_kib"] = term.status("VmRSS")
        result["j"], result["j_unchanged"] = timed(term, "j", args.keys, quiet, cpu=cpu)
        term.press("shift+tab", quiet)
        term.press("j", quiet)  # off 全部/All (toggling it with no filter changes nothing) onto a district
        result["toggle"], result["toggle_unchanged"] = timed(term, "space", args.keys, quiet, between="j", cpu=cpu)
        # The app's CPU per key (mean, including what runs in the quiet time after it: the idle
        # collector pass, the store poll): less sensitive to a loaded machine than the latencies.
        result["cpu_ms_per_key"] = {"n": round(cpu["n"] * 1000, 2), "j": round(cpu["j"] * 1000, 2),
                                    "toggle": round(cpu["space"] * 1000, 2)}
        result["hwm_kib"] = term.status("VmHWM")
        result["screen_at_end"] = term.text()
        os.write(term.fd, KEYS["q"])
        term.drain(0.5, limit=10.0)
        if args.profile:  # let it write its stats: the app has quit the screen, not yet the process
            deadline = time.perf_counter() + 60
            while time.perf_counter() < deadline and os.waitpid(term.pid, os.WNOHANG)[0] == 0:
                term.drain(0.2, limit=1.0)
    finally:
        try:
            _, status = os.waitpid(term.pid, os.WNOHANG)
            if _ == 0:
                os.kill(term.pid, signal.SIGTERM)
                os.waitpid(term.pid, 0)
        except ChildProcessError:
            pass
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
