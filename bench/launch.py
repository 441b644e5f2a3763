"""A small launcher: run one probe command, report its own peak RSS and when it was spawned.

    python bench/launch.py COMMAND [ARG ...]

Prints one JSON line: `started` (time.perf_counter() just before the spawn; CLOCK_MONOTONIC is
shared by every process on Linux), `maxrss_kib` (the child's ru_maxrss from wait4), `exit` and the
child's `stdout`.

Why a launcher: Linux records a process's RSS high-water mark when it calls exec, and a child forked
from the big bench process starts with the bench's memory mapped, so its ru_maxrss was the bench's
(every probe read 41.3 MiB). Forked from this small process, the child's peak is its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    # communicate() reaped the child through waitpid; its rusage is in RUSAGE_CHILDREN (the only
    # child this process ever had).
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"started": started, "maxrss_kib": usage.ru_maxrss, "exit": proc.returncode,
                      "stdout": out.decode(errors="replace"), "stderr": err.decode(errors="replace")[-2000:]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
