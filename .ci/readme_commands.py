#!/usr/bin/env python3
"""CI: a fresh clone, the README's two Quick start commands, then every other command the README
shows, each run as written (with bash, from the clone's top level).

Nothing touches the internet or the real user's files: HOME, the data dir and the config file live
in a temporary directory, and the config file points `source` at the loopback server of
tests/loopback.py (a generated 工作要闻 column on 127.0.0.1). The command that opens the reader runs
in a pseudo-terminal: it must draw its panes, then quit on `q` with exit 0.

    python3 .ci/readme_commands.py [--keep]     # --keep: leave the temporary directory for a look
"""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUBCOMMAND = re.compile(r"\.venv/bin/sz-digest(?:\s+--?\S+(?:\s+[^-\s]\S*)?)*\s+[a-z]")
ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78])")


def readme_commands(readme: str) -> list[str]:
    """Every command in the README's ```sh blocks, in order (comment lines left out)."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", readme, re.DOTALL):
        commands += [line.strip() for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return commands


def opens_the_reader(command: str) -> bool:
    """True when the command's last step runs `.venv/bin/sz-digest` without a subcommand."""
    last = command.split("&&")[-1].strip()
    return last.startswith(".venv/bin/sz-digest") and not SUBCOMMAND.match(last)


def run_reader(command: str, cwd: Path, env: dict[str, str], timeout: float = 900) -> None:
    """Run `command` in a pseudo-terminal until the reader has drawn its panes; press q; expect exit 0."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal of 120×40
        os.chdir(cwd)
        os.execvpe("bash", ["bash", "-c", f"stty cols 120 rows 40; {command}"], env)
    screen, deadline, quit_sent = "", time.monotonic() + timeout, False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            screen += ANSI.sub("", chunk.decode("utf-8", "replace"))
            screen = screen[-200_000:]
        if not quit_sent and "Districts" in screen and "Weeks" in screen:
            time.sleep(1.0)
            os.write(fd, b"q")
            quit_sent = True
    else:
        os.kill(pid, 9)
        raise SystemExit(f"FAILED (no reader within {timeout:.0f} s): {command}\n{screen[-3000:]}")
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if not quit_sent or code != 0:
        raise SystemExit(f"FAILED (exit {code}, reader drawn: {quit_sent}): {command}\n{screen[-3000:]}")


def main(argv: list[str]) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="sz-digest-ci-"))
    clone = tmp / "sz-digest"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    home = tmp / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SZ_DIGEST_", "VIRTUAL_ENV"))}
    user_pip = Path.home() / ".config" / "pip" / "pip.conf"
    if user_pip.exists() and "PIP_CONFIG_FILE" not in env:
        env["PIP_CONFIG_FILE"] = str(user_pip)  # the machine's package index, though HOME moves
    env |= {"HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_CONFIG_HOME": str(home / ".config"), "SZ_DIGEST_HOME": str(tmp / "data"),
            "SZ_DIGEST_CONFIG": str(tmp / "config.toml"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            "TERM": "xterm-256color"}

    sys.path.insert(0, str(clone / "tests"))
    from loopback import LoopbackServer, make_column

    failures = 0
    with LoopbackServer(make_column(12, 3, 10)) as server:
        (tmp / "config.toml").write_text(f'source = "{server.source}"\n', encoding="utf-8")
        for command in readme_commands((clone / "README.md").read_text(encoding="utf-8")):
            started = time.monotonic()
            print(f"$ {command}", flush=True)
            if opens_the_reader(command):
                run_reader(command, clone, env)
                code = 0
            else:
                code = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=clone, env=env).returncode
            print(f"  -> exit {code} in {time.monotonic() - started:.1f} s", flush=True)
            if code != 0:
                failures += 1
                print(f"FAILED: {command}", file=sys.stderr)
    if "--keep" in argv:
        print(f"kept {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
